# SPDX-License-Identifier: GPL-2.0-only
#
# make dashboard [SUBSYS=<dir>] [KSRC=<tree or tarball>] [OUT=<dir>] [JOBS=n]
#                [COMPARE=<other OUT, tree or tarball>]
# make convert ... HOSTS=<ssh logins>   (once the Makefile passes
#                                       CONVERT_EXTRA_OPTS to convert)
#
# Included by the top-level Makefile (make runs from the top directory).
# The campaign features of the converter: the dashboard, and
# options for convert.  All work is in tools/kmapconv.

COMPARE ?=
HOSTS ?=
# CACHE=0: analyse every file again (convert --no-cache).
CACHE ?=

# For the top-level convert (and eval) targets: GNU parallel --sshlogin
# list (comma-separated, ":" is this machine; JOBS is per host), and the
# cache switch.
CONVERT_EXTRA_OPTS += $(if $(HOSTS),--hosts '$(HOSTS)') \
		      $(if $(filter 0,$(CACHE)),--no-cache)

HELP_TARGETS += help-campaign

.PHONY: dashboard help-campaign

help-campaign:
	@echo "make dashboard [SUBSYS=<dir>] [KSRC=<tree or tarball>] [OUT=<dir>] [JOBS=<n>] [COMPARE=<other OUT, tree or tarball>]"
	@echo "make convert ... [HOSTS=<ssh login>,<ssh login>,...] [CACHE=0]"

# SUBSYS defaults to the whole tree, OUT to out/SUBSYS (out/all for .),
# as for convert, whose results the dashboard shows.
dashboard:
	$(KMAPCONV) dashboard $(if $(SUBSYS),--subsys '$(SUBSYS)') $(OPTS) \
	  $(if $(COMPARE),--compare '$(COMPARE)') $(CONVERT_EXTRA_OPTS)
