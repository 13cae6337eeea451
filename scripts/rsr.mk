# rsr.mk — reduce one RSR obsnum, or a combination of obsnums, the LMTOY way, with make's dependencies.
#
#   make -f scripts/rsr.mk obsnum=91001                      # -> ./91001/
#   make -f scripts/rsr.mk obsnum=91001 badcb=3/2 xlines=94.3,0.6,106.4,0.4
#   make -f scripts/rsr.mk obsnums=91001,91003               # combination -> ./91001_91003/
#   make -f scripts/rsr.mk obsnum=91001 help                 # parameters and their defaults
#
# Order (LMTOY lmtoy_rsr1): driver0 -> tsys0 -> badlags -> driver with bad lags -> tsys with bad lags
# (its #BADCB jitter lines applied, which the original never managed) -> rsr_badcb -> final driver and
# rsr_sum -> plots, summary page. Re-running redoes only what changed: editing rsr.OBSNUM.badlags by hand
# and running make again redoes exactly the steps downstream of it; changing a parameter redoes the steps
# that use it.

# ---- parameters: SLpipeline names and defaults -------------------------------------------------------
PIPELINE := rsr
obsnum    ?=
obsnums   ?=
badcb     ?=
xlines    ?=
sgf       ?= 0
notch     ?= 0
blo       ?= 1
rthr      ?= 0.01
cthr      ?= 0.01
spike     ?= 3
shortlags ?=
jitter    ?= 1
rms       ?= 25
badlags   ?=
linecheck ?= 0
dir       ?=

PARAMS := obsnum obsnums badcb xlines sgf notch blo rthr cthr spike shortlags jitter rms badlags linecheck dir
HELP_obsnum    := single obsnum to reduce
HELP_obsnums   := comma list of obsnums to combine (each reduced first if needed)
HELP_badcb     := extra bad chassis/board pairs c/b,c/b (whole boards removed)
HELP_xlines    := f1,w1,f2,w2,... (GHz) line windows kept out of baselines and sigma (driver --exclude)
HELP_sgf       := Savitzky-Golay high-pass window (odd, 0 = off) (driver -f)
HELP_notch     := notch filter sigma, only with sgf (driver -n)
HELP_blo       := baseline order (driver -b, rsr_sum --o1)
HELP_rthr      := repeat sigma threshold in K (driver -r)
HELP_cthr      := coadd sigma threshold in K (driver -t, rsr_sum -t)
HELP_spike     := badlags spike threshold (badlags --spike)
HELP_shortlags := SMIN,SHIGH short-lag rule (badlags --short_min --short_hi)
HELP_jitter    := 1 = also remove boards whose Tsys jitters (rsr_tsys #BADCB lines)
HELP_rms       := Tsys jitter threshold in K (rsr_tsys -r)
HELP_badlags   := use this .badlags file instead of running badlags
HELP_linecheck := unused placeholder of the original (accepted for compatibility)
HELP_dir       := output directory [default: the obsnum, or first_last for a combination]

ENV_PARAMS := DATA_LMT CORR_CAL_DIR WORK_LMT
include $(dir $(lastword $(MAKEFILE_LIST)))common.mk

ifeq ($(filter help,$(MAKECMDGOALS)),)
$(call require_obs)
endif

# per-step parameter stamps (common.mk)
ifeq ($(filter help clean,$(MAKECMDGOALS)),)
$(call stamp,badlags,spike=$(spike) shortlags=$(shortlags) badlags=$(badlags))
$(call stamp,driver,blo=$(blo) rthr=$(rthr) cthr=$(cthr) xlines=$(xlines) sgf=$(sgf) notch=$(notch))
$(call stamp,tsys,rms=$(rms))
$(call stamp,badcb,badcb=$(badcb) jitter=$(jitter))
$(call stamp,obs,obsnums=$(OBSLIST))
endif

# ---- derived option strings ---------------------------------------------------------------------------
EXCL  := $(if $(xlines),--exclude $(subst $(comma),$(space),$(xlines)))
SGF   := $(if $(filter-out 0,$(sgf)),-f $(sgf) -n $(notch))
SHORT := $(if $(shortlags),--short_min $(word 1,$(subst $(comma),$(space),$(shortlags))) --short_hi $(word 2,$(subst $(comma),$(space),$(shortlags))))
DRV   := -b $(blo) -r $(rthr) -t $(cthr)
DATE   = $$(sed -n 's/^date_obs="\(.*\)".*/\1/p' lmtoy_$(O).rc)

RC      := $(D)/lmtoy_$(O).rc
BADLAGS := $(D)/rsr.$(O).badlags
RFILE   := $(D)/rsr.$(O).rfile
BLANK   := $(D)/rsr.$(O).blanking
SPEC    := $(D)/rsr.$(O).driver.sum.txt
SUM     := $(D)/rsr.$(O).blanking.sum.txt
INDEX   := $(D)/index.html

.PHONY: all help clean FORCE
all: $(SPEC) $(SUM) $(INDEX)

help:
	@echo "make -f scripts/rsr.mk obsnum=N [key=value ...]   (DATA_LMT must point at the raw data)"
	@$(foreach p,$(PARAMS),printf '  %-10s %s [default: %s]\n' '$(p)' '$(HELP_$(p))' '$(value $(p))';)

clean:
	rm -rf '$(D)'

$(D)/rsr.obsnum: $(D)/.par.obs
	printf '%s\n' $(OBSLIST) > $@

ifeq ($(COMBO),)
# ======================= single obsnum =====================================================================
$(RC): $(D)/.par.badlags $(D)/.par.driver $(D)/.par.tsys $(D)/.par.badcb
	lmtinfo $(O) > $@.tmp
	{ echo "# parameters"; $(foreach p,$(PARAMS),echo '$(p)="$($(p))"';) } >> $@.tmp
	mv $@.tmp $@

# 1: first spectrum, before any flagging
$(D)/first.rsr.$(O).driver.sum.txt: $(D)/rsr.obsnum $(D)/.par.driver | $(RC)
	cd $(D) && rsr_driver rsr.obsnum -o first.rsr.$(O).driver.sum.txt --date_obs "$(DATE)" -w rsr.wf0.png -b $(blo) -r $(rthr) -t $(cthr) > rsr_driver0.log 2>&1

# 2: Tsys before bad lags
$(D)/rsr_tsys0.log: $(D)/.par.tsys | $(RC)
	cd $(D) && rsr_tsys -r $(rms) -y rsr.tsys0.png $(O) > rsr_tsys0.log.tmp && mv rsr_tsys0.log.tmp rsr_tsys0.log

# 3: bad lags (or the user's own file)
$(BADLAGS): $(D)/.par.badlags | $(RC)
ifneq ($(badlags),)
	cp '$(badlags)' $@
else
	cd $(D) && badlags -d -y badlags.$(O).png $(SHORT) --spike $(spike) -B rsr.$(O).badlags $(O) > rsr_badlags.log 2>&1
endif

# 4: spectrum with bad lags
$(D)/rsr.$(O).driver1.sum.txt: $(D)/rsr.obsnum $(BADLAGS) $(D)/.par.driver | $(RC)
	cd $(D) && rsr_driver rsr.obsnum -o rsr.$(O).driver1.sum.txt --date_obs "$(DATE)" -w rsr.wf1.png -b $(blo) -r $(rthr) -t $(cthr) --badlags rsr.$(O).badlags > rsr_driver1.log 2>&1

# 5: Tsys with bad lags: jitter flags (#BADCB ... Tsys) and the calibrated spectrum
$(D)/rsr_tsys1.log: $(BADLAGS) $(D)/.par.tsys
	cd $(D) && rsr_tsys -r $(rms) -b rsr.$(O).badlags -y rsr.tsys.png $(O) > rsr_tsys1.log.tmp && mv rsr_tsys1.log.tmp rsr_tsys1.log
$(D)/rsr_tsys2.log: $(BADLAGS)
	cd $(D) && rsr_tsys -b rsr.$(O).badlags -t -y rsr.spectrum.png $(O) > rsr_tsys2.log.tmp && mv rsr_tsys2.log.tmp rsr_tsys2.log

# 5b: bad chassis/boards = badcb= parameter + badlags #BADCB + (jitter=1) rsr_tsys #BADCB
$(D)/rsr.$(O).badcb: $(BADLAGS) $(D)/rsr_tsys1.log $(D)/.par.badcb
	{ grep '^#BADCB' $(BADLAGS) || true; \
	  $(if $(filter 1,$(jitter)),grep '^#BADCB' $(D)/rsr_tsys1.log || true;) } > $@.tmp
	mv $@.tmp $@

$(RFILE): $(D)/rsr.$(O).badcb $(D)/.par.badcb
	{ rsr_badcb -r --template $(O); \
	  $(if $(badcb),rsr_badcb -r -o $(O) $(badcb);) \
	  rsr_badcb -r $(D)/rsr.$(O).badcb; } > $@.tmp
	mv $@.tmp $@

$(BLANK): $(D)/rsr.$(O).badcb $(D)/.par.badcb
	{ rsr_badcb -b --template $(O); \
	  $(if $(badcb),rsr_badcb -b -o $(O) $(badcb);) \
	  rsr_badcb -b $(D)/rsr.$(O).badcb; } > $@.tmp
	mv $@.tmp $@

DIAG := $(D)/first.rsr.$(O).driver.sum.txt $(D)/rsr_tsys0.log $(D)/rsr.$(O).driver1.sum.txt $(D)/rsr_tsys2.log

else
# ======================= combination =====================================================================
SINGLE_FILES = $(foreach o,$(OBSLIST),$(o)/rsr.$(o).$(1))
$(foreach o,$(OBSLIST),$(o)/rsr.$(o).badlags $(o)/rsr.$(o).rfile $(o)/rsr.$(o).blanking) &: FORCE
	$(foreach o,$(OBSLIST),$(MAKE) -f $(firstword $(MAKEFILE_LIST)) obsnum=$(o) obsnums= dir= && ) true

$(RC): $(D)/.par.obs $(firstword $(OBSLIST))/rsr.$(firstword $(OBSLIST)).badlags
	sed -e 's/^obsnum=.*/obsnum=$(O)/' $(firstword $(OBSLIST))/lmtoy_$(firstword $(OBSLIST)).rc > $@.tmp
	{ echo "# parameters"; $(foreach p,$(PARAMS),echo '$(p)="$($(p))"';) } >> $@.tmp
	mv $@.tmp $@
$(BADLAGS): $(call SINGLE_FILES,badlags)
	cat $^ > $@
$(RFILE): $(call SINGLE_FILES,rfile)
	cat $^ > $@
$(BLANK): $(call SINGLE_FILES,blanking)
	cat $^ > $@
DIAG :=
endif

# 6: final spectra, without and with baseline subtraction
$(D)/nbs.rsr.$(O).driver.sum.txt: $(D)/rsr.obsnum $(BADLAGS) $(RFILE) $(D)/.par.driver | $(RC)
	cd $(D) && rsr_driver rsr.obsnum --date_obs "$(DATE)" --badlags rsr.$(O).badlags --rfile rsr.$(O).rfile $(EXCL) -o nbs.rsr.$(O).driver.sum.txt -w rsr.wf_nbs.png $(DRV) $(SGF) --no-baseline-sub > rsr_driver_nbs.log 2>&1

$(SPEC): $(D)/rsr.obsnum $(BADLAGS) $(RFILE) $(D)/.par.driver | $(RC)
	cd $(D) && rsr_driver rsr.obsnum --date_obs "$(DATE)" --badlags rsr.$(O).badlags --rfile rsr.$(O).rfile $(EXCL) -o rsr.$(O).driver.sum.txt -w rsr.wf.png -p $(DRV) $(SGF) > rsr_driver.log 2>&1

# 7: rsr_sum
$(SUM): $(BLANK) $(BADLAGS) $(D)/.par.driver
	cd $(D) && rsr_sum -b rsr.$(O).blanking --badlags rsr.$(O).badlags --o1 $(blo) -t $(cthr) > rsr_sum.log 2>&1

# 8: summary page, file list, plots of both spectra
$(INDEX): $(SPEC) $(SUM) $(D)/nbs.rsr.$(O).driver.sum.txt $(DIAG) $(RC)
	LMT_SIDECAR= $(DENO_RUN) $(TOOLKIT)/scripts/summary.ts rsr $(D) $(O)

FORCE:
