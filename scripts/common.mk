# common.mk — the part every pipeline Makefile shares; included by rsr.mk and seq.mk right after their
# parameter block, which sets:
#   PIPELINE     rsr | seq (names the Makefile in messages)
#   PARAMS       the parameters a user may give on the command line
#   ENV_PARAMS   environment names also accepted on the command line (DATA_LMT, ...)
#
# It provides: shell and make settings, TOOLKIT (the repository root, wherever make runs), bin/ on PATH,
# DENO_RUN, the check of command-line parameters, OBSLIST/O/O1/COMBO/D from obsnum/obsnums/dir, and
#   $(call require_obs)          stop unless an obsnum and DATA_LMT are given
#   $(call stamp,NAME,TEXT)      per-step parameter stamp D/.par.NAME: rewritten only when TEXT changes,
#                                so make redoes exactly the steps whose parameters changed
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -ec
.DELETE_ON_ERROR:
.NOTPARALLEL:
.SUFFIXES:

TOOLKIT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
export PATH := $(TOOLKIT)/bin:$(PATH)
export LMT_SIDECAR := 1
DENO_RUN := $(TOOLKIT)/node_modules/.bin/deno run -A --quiet --no-lock --config $(TOOLKIT)/deno.json

cmdline_vars := $(strip $(foreach v,$(.VARIABLES),$(if $(filter command line,$(origin $v)),$v)))
unknown := $(filter-out $(PARAMS) $(ENV_PARAMS),$(cmdline_vars))
# "word (did you mean param?)" when a parameter is within edit distance 2 of the word
suggest = $(1)$(shell awk -v w='$(1)' -v c='$(PARAMS)' 'function lev(a, b,   i, j, m, n, d, x, y, z) { m = length(a); \
  n = length(b); for (i = 0; i <= m; i++) d[i, 0] = i; for (j = 0; j <= n; j++) d[0, j] = j; \
  for (i = 1; i <= m; i++) for (j = 1; j <= n; j++) { x = d[i-1, j] + 1; y = d[i, j-1] + 1; \
  z = d[i-1, j-1] + (substr(a, i, 1) != substr(b, j, 1)); d[i, j] = x < y ? (x < z ? x : z) : (y < z ? y : z) } \
  return d[m, n] } BEGIN { k = split(c, p, " "); bd = 3; for (i = 1; i <= k; i++) { e = lev(w, p[i]); \
  if (e < bd) { bd = e; best = p[i] } } if (best != "") printf " (did you mean %s?)", best }')
ifneq ($(unknown),)
$(error unknown parameter(s): $(foreach u,$(unknown),$(call suggest,$(u))); known: $(PARAMS). Try 'make -f scripts/$(PIPELINE).mk help')
endif

comma := ,
space := $(empty) $(empty)
ifneq ($(obsnums),)
  OBSLIST := $(subst $(comma),$(space),$(obsnums))
  O := $(firstword $(OBSLIST))_$(lastword $(OBSLIST))
  COMBO := 1
else
  OBSLIST := $(obsnum)
  O := $(obsnum)
  COMBO :=
endif
O1 := $(firstword $(OBSLIST))
D := $(if $(dir),$(dir),$(O))

require_obs = $(if $(O),,$(error give obsnum=N or obsnums=N1,N2,... (try 'make -f scripts/$(PIPELINE).mk help')))$(if \
  $(DATA_LMT),,$(error DATA_LMT is not set: export DATA_LMT=/path/to/data_lmt))

define stamp
$(shell mkdir -p '$(D)' && f='$(D)/.par.$(1)' && c='$(strip $(2))' && { [ -f "$$f" ] && [ "$$(cat "$$f")" = "$$c" ] || printf '%s\n' "$$c" > "$$f"; })
endef
