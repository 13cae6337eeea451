# seq.mk — reduce one SEQ (Sequoia / 1MM) obsnum the LMTOY way, with make's dependencies.
#
#   make -f scripts/seq.mk obsnum=97001                 # OTF map  -> ./97001/ SpecFile, cube, weight map, page
#   make -f scripts/seq.mk obsnum=97003                 # Bs       -> ./97003/ Bs spectrum, plots, page
#   make -f scripts/seq.mk obsnum=97001 dv=60 dw=150 pix_list=-13 resolution=12
#   make -f scripts/seq.mk obsnums=97001,97005          # combination: one gridding of all SpecFiles
#   make -f scripts/seq.mk obsnum=97001 help
#
# Derived parameters follow seq_pipeline.sh: resolution = ceil(lambda/D) at the bank-0 sky frequency,
# cell = resolution/nppb, extent from the map size, b_regions/l_regions/slice from vlsr, dv and dw.

# ---- parameters: seq_pipeline.sh / seqbs_pipeline.sh names and defaults --------------------------------
PIPELINE := seq
obsnum      ?=
obsnums     ?=
bank        ?= -1
pix_list    ?=
stype       ?= 2
dv          ?= 100
dw          ?= 250
vlsr        ?=
b_order     ?= 0
b_regions   ?=
l_regions   ?=
slice       ?=
birdies     ?= 0
map_coord_use ?= -1
otf_cal     ?= 0
offx        ?= 0
offy        ?= 0
resolution  ?=
cell        ?=
nppb        ?= 2
extent      ?= 0
rms_cut     ?= -4
rmax        ?= 3
otf_select  ?= 1
otf_a       ?= 1.1
otf_b       ?= 4.75
otf_c       ?= 2
noise_sigma ?= 1
edge        ?= 0
sample      ?= -1
dir         ?=

PARAMS := obsnum obsnums bank pix_list stype dv dw vlsr b_order b_regions l_regions slice birdies map_coord_use \
          otf_cal offx offy resolution cell nppb extent rms_cut rmax otf_select otf_a otf_b otf_c noise_sigma \
          edge sample dir
ENV_PARAMS := DATA_LMT WORK_LMT
include $(dir $(lastword $(MAKEFILE_LIST)))common.mk

.PHONY: all help clean FORCE
all:

help:
	@echo "make -f scripts/seq.mk obsnum=N [key=value ...]   (DATA_LMT must point at the raw data)"
	@echo "parameters: $(PARAMS)"
	@$(foreach p,$(PARAMS),printf '  %-14s [default: %s]\n' '$(p)' '$(value $(p))';)

clean:
	rm -rf '$(D)'

ifeq ($(filter help clean,$(MAKECMDGOALS)),)
$(call require_obs)

# Observation summary of the (first) obsnum, as make variables info_*.
$(shell mkdir -p '$(D)')
INFO := $(D)/lmtinfo_$(O1).mk
$(INFO):
	lmtinfo --make --prefix info_ $(O1) > $@.tmp && mv $@.tmp $@
include $(INFO)

awk = $(shell awk 'BEGIN{ $(1) }')

# On make's first pass the lmtinfo fragment does not exist yet: make builds it and restarts.
ifneq ($(info_obsnum),)

SRC   := $(info_src)
VLSR  := $(if $(vlsr),$(vlsr),$(info_vlsr))
V0    := $(call awk,print $(VLSR)-$(dv))
V1    := $(call awk,print $(VLSR)+$(dv))
W0    := $(call awk,print $(VLSR)-$(dv)-$(dw))
W1    := $(call awk,print $(VLSR)+$(dv)+$(dw))
BREG  := $(if $(b_regions),$(b_regions),[[$(W0),$(V0)],[$(V1),$(W1)]])
LREG  := $(if $(l_regions),$(l_regions),[[$(V0),$(V1)]])
SLICE := $(if $(slice),$(slice),[$(W0),$(W1)])
RES   := $(if $(resolution),$(resolution),$(info_resolution))
CELL  := $(if $(cell),$(cell),$(call awk,print $(RES)/$(nppb)))
EXT_X := $(if $(filter-out 0,$(extent)),$(extent),$(call awk,x=$(info_x_extent)+0; y=$(info_y_extent)+0; print (x>y?x:y)))
NUMBANDS := $(if $(info_numbands),$(info_numbands),1)
# bank=-1: every bank in use, i.e. with a non-zero rest frequency (dual-IF files may leave bank 1 unused)
BANKS_USED := $(shell awk 'BEGIN{ n=split("$(info_restfreq)",f,","); for (b=0; b<$(NUMBANDS); b++) if (b<n && f[b+1]+0>0) printf "%d ", b }')
BANKS := $(if $(filter -1,$(bank)),$(if $(strip $(BANKS_USED)),$(BANKS_USED),0),$(bank))
# resolution (lambda/D, D = 50 m) and cell per bank: bank 0 as lmtinfo; other banks from their own sky
# frequency (the original used bank 0's for every bank)
RES_BANKS := $(shell awk 'BEGIN{ n=split("$(info_skyfreq)",f,","); for (b=1; b<=n; b++) { r=299792458/(f[b]*1e9)/50*206264.806; printf "%d ", (r==int(r))?r:int(r)+1 } }')
RES_OF = $(if $(resolution),$(resolution),$(if $(filter 0,$(1)),$(info_resolution),$(word $(shell echo $$(( $(1) + 1 ))),$(RES_BANKS))))
CELL_OF = $(if $(cell),$(cell),$(call awk,print $(call RES_OF,$(1))/$(nppb)))
PIXALL := 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
# pix_list starting with '-' means all 16 pixels except these (LMTOY pix_list.py)
PIX := $(if $(pix_list),$(if $(filter -%,$(pix_list)),$(shell echo '$(PIXALL)' | tr , '\n' | grep -vxF -f <(echo '$(patsubst -%,%,$(pix_list))' | tr , '\n') | paste -sd,),$(pix_list)),$(PIXALL))
BIRDIES := $(birdies)
OTFCAL := $(if $(filter 1,$(otf_cal)),--use_otf_cal)

$(call stamp,spec,pix=$(PIX) stype=$(stype) breg=$(BREG) slice=$(SLICE) b_order=$(b_order) birdies=$(BIRDIES) mc=$(map_coord_use) otfcal=$(otf_cal) off=$(offx),$(offy))
$(call stamp,grid,res=$(RES) cell=$(CELL) pix=$(PIX) rms_cut=$(rms_cut) ext=$(EXT_X) rmax=$(rmax) sel=$(otf_select) abc=$(otf_a),$(otf_b),$(otf_c) ns=$(noise_sigma) edge=$(edge) sample=$(sample) obs=$(OBSLIST))

RC := $(D)/lmtoy_$(O).rc
$(RC): $(INFO) $(D)/.par.spec $(D)/.par.grid
	lmtinfo $(O1) > $@.tmp
	{ echo "# derived parameters"; echo 'vlsr=$(VLSR)'; echo 'b_regions="$(BREG)"'; echo 'l_regions="$(LREG)"'; \
	  echo 'slice="$(SLICE)"'; echo 'resolution=$(RES)'; echo 'cell=$(CELL)'; echo 'x_extent=$(EXT_X)'; \
	  echo 'y_extent=$(EXT_X)'; echo 'pix_list=$(PIX)'; echo "# parameters"; \
	  $(foreach p,$(PARAMS),echo '$(p)="$($(p))"';) } >> $@.tmp
	mv $@.tmp $@

ifeq ($(info_obspgm),Bs)
# ======================= beam switching ================================================================
BSPIX := $(if $(pix_list),$(pix_list),10,8)
define BS_RULES
$(D)/$(SRC)_$(O)__$(1).txt: $(RC)
	cd $(D) && process_bs -p "$$$$DATA_LMT" --obs_list $(O) --pix_list $(BSPIX) --use_cal --block -2 --stype $(stype) --bank $(1) > process_bs_$(1)_blocks.log 2>&1
	cd $(D) && process_bs -p "$$$$DATA_LMT" --obs_list $(O) --pix_list $(BSPIX) --use_cal --block -1 --stype $(stype) --bank $(1) -o $(SRC)_$(O)__$(1).txt > process_bs_$(1).log 2>&1
PRODUCTS += $(D)/$(SRC)_$(O)__$(1).txt
endef
$(foreach b,$(BANKS),$(eval $(call BS_RULES,$(b))))

else
# ======================= OTF map ======================================================================
ifeq ($(COMBO),)
define SPEC_RULES
$(D)/$(SRC)_$(O)__$(1).nc: $(RC) $(D)/.par.spec
	cd $(D) && process_otf_map -p "$$$$DATA_LMT" -o $(SRC)_$(O)__$(1).nc --obsnum $(O) --pix_list $(PIX) --bank $(1) \
	  --stype $(stype) --use_cal $(OTFCAL) --map_coord $(map_coord_use) --x_axis VLSR --b_order $(b_order) \
	  --b_regions '$(BREG)' --l_region '$(LREG)' --slice '$(SLICE)' --eliminate_list $(BIRDIES) \
	  --offx $(offx) --offy $(offy) > process_otf_map_$(1).log 2>&1
endef
$(foreach b,$(BANKS),$(eval $(call SPEC_RULES,$(b))))
SPECFILES = $(D)/$(SRC)_$(O)__$(1).nc
else
# combination: each obsnum's SpecFile (made by a sub-make when missing), gridded together
$(foreach o,$(OBSLIST),$(foreach b,$(BANKS),$(o)/$(SRC)_$(o)__$(b).nc)) &: FORCE
	$(foreach o,$(OBSLIST),$(MAKE) -f $(firstword $(MAKEFILE_LIST)) obsnum=$(o) obsnums= dir= bank=$(bank) && ) true
SPECFILES = $(foreach o,$(OBSLIST),$(o)/$(SRC)_$(o)__$(1).nc)
endif

define GRID_RULES
$(D)/$(SRC)_$(O)__$(1).fits $(D)/$(SRC)_$(O)__$(1).wt.fits &: $(call SPECFILES,$(1)) $(D)/.par.grid
	grid_data -i $$(subst $$(space),$$(comma),$$(abspath $(call SPECFILES,$(1)))) -o $(D)/$(SRC)_$(O)__$(1).fits -w $(D)/$(SRC)_$(O)__$(1).wt.fits \
	  --resolution $(call RES_OF,$(1)) --cell $(call CELL_OF,$(1)) --pix_list $(PIX) --rms_cut $(rms_cut) --x_extent $(EXT_X) --y_extent $(EXT_X) \
	  --otf_select $(otf_select) --rmax $(rmax) --otf_a $(otf_a) --otf_b $(otf_b) --otf_c $(otf_c) --edge $(edge) \
	  --sample $(sample) --n_samples 256 --noise_sigma $(noise_sigma) > $(D)/grid_data_$(1).log 2>&1
$(D)/$(SRC)_$(O)__$(1).smooth.fits &: $(call SPECFILES,$(1)) $(D)/.par.grid
	grid_data -i $$(subst $$(space),$$(comma),$$(abspath $(call SPECFILES,$(1)))) -o $(D)/$(SRC)_$(O)__$(1).smooth.fits -w $(D)/$(SRC)_$(O)__$(1).smooth.wt.fits \
	  --resolution $(call awk,print 2*$(call RES_OF,$(1))) --cell $(call CELL_OF,$(1)) --pix_list $(PIX) --rms_cut $(rms_cut) --x_extent $(EXT_X) --y_extent $(EXT_X) \
	  --otf_select $(otf_select) --rmax $(rmax) --otf_a $(otf_a) --otf_b $(otf_b) --otf_c $(otf_c) --edge $(edge) \
	  --sample $(sample) --n_samples 256 --noise_sigma $(noise_sigma) > $(D)/grid_data_smooth_$(1).log 2>&1
PRODUCTS += $(D)/$(SRC)_$(O)__$(1).fits $(D)/$(SRC)_$(O)__$(1).smooth.fits
endef
$(foreach b,$(BANKS),$(eval $(call GRID_RULES,$(b))))
endif

INDEX := $(D)/index.html
$(INDEX): $(PRODUCTS) $(RC)
	LMT_SIDECAR= $(DENO_RUN) $(TOOLKIT)/scripts/summary.ts seq $(D) $(O)
all: $(INDEX)
endif
endif

FORCE:
