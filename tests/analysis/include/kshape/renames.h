/* SPDX-License-Identifier: GPL-2.0-only */
/* A header that renames a function the including file defines. */
#define old_name_leaks new_name_leaks
#define old_name_balanced new_name_balanced
