# common.mk — the whole of a pipeline Makefile (rsr.mk and seq.mk set PIPELINE and include this).
#
# The pipelines themselves live in lib/pipeline and run through bin/SLpipeline, in one process, with every
# tool argument a separate argv entry. This file only hands make's command line to it, without make or a
# shell ever interpreting a value:
#   - each command-line value is copied RAW ($(value ...), never expanded) into a file with make's own
#     $(file ...) function (no shell), which SLpipeline reads, checks against the parameter grammar and removes;
#   - the command-line variables are unexported, so make does not expand them into the recipe's environment;
#   - a value with a newline is refused here (the file holds one key=value per line).
# Unknown parameters, bad values, the help text and "did you mean" come from SLpipeline's parameter table.
SHELL := /bin/bash
.SUFFIXES:
.DEFAULT_GOAL := all

TOOLKIT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)

define newline


endef
cmdline_vars := $(strip $(foreach v,$(.VARIABLES),$(if $(filter command line,$(origin $v)),$v)))
unexport $(cmdline_vars)
_bad_newline := $(strip $(foreach v,$(cmdline_vars),$(if $(findstring $(newline),$(value $(v))),$(v))))
ifneq ($(_bad_newline),)
$(error parameter value with a newline: $(_bad_newline))
endif
ARGS_FILE := $(shell mktemp "$${TMPDIR:-/tmp}/lmt-make-args.XXXXXX")
_ := $(foreach v,$(cmdline_vars),$(file >>$(ARGS_FILE),$(v)=$(value $(v))))
# make -n: the pipeline prints the commands it would run (the '+' runs the recipe even under -n)
DRY := $(if $(findstring n,$(firstword -$(MAKEFLAGS))),--dry-run)

.PHONY: all help clean attempts
all help clean attempts:
	+@"$(TOOLKIT)/bin/SLpipeline" --make $(PIPELINE) --args-file $(ARGS_FILE) $(DRY) $@; rc=$$?; rm -f $(ARGS_FILE); exit $$rc
.DEFAULT:
	+@rm -f $(ARGS_FILE); echo "$(PIPELINE).mk: no target '$@' (all, help, clean, attempts)" >&2; exit 2
