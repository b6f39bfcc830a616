#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# format-check.sh: the overlay's C is formatted as the kernel's own
# .clang-format (from Debian's linux-source-6.1) says.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
overlay=$(dirname "$here")
top=$(dirname "$overlay")
tarball=${KMAP_OVERLAY_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
clang_format=${CLANG_FORMAT:-clang-format-14}

command -v "$clang_format" >/dev/null || {
	echo "format-check: $clang_format missing (apt-get install clang-format-14)" >&2
	exit 2
}
tree=$(cd "$top/tools" && "${PYTHON:-/usr/bin/python3}" -c '
import sys
from kmapconv import ksrc
print(ksrc.unpack_subset(sys.argv[1], None, [".clang-format"]))
' "$tarball")
bad=0
while IFS= read -r -d '' f; do
	if ! "$clang_format" --style="file:$tree/.clang-format" "$f" |
		cmp -s - "$f"; then
		echo "format-check: ${f#"$overlay"/} is not clang-formatted"
		bad=1
	fi
done < <(find "$overlay" -path "$overlay/sim/build" -prune -o \
	\( -name '*.c' -o -name '*.h' \) -print0)
[ "$bad" = 0 ] && echo "format-check: the overlay's C follows the kernel's .clang-format"
exit "$bad"
