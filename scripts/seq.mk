# seq.mk — reduce one SEQ (Sequoia / 1MM) obsnum the LMTOY way into ./OBSNUM/: OTF maps (SpecFile, cubes,
# weight maps), Bs and Ps spectra, the summary page.
#
#   make -f scripts/seq.mk obsnum=97001                 # OTF map  -> ./97001/
#   make -f scripts/seq.mk obsnum=97003                 # Bs       -> ./97003/
#   make -f scripts/seq.mk obsnum=97001 dv=60 dw=150 pix_list=-13 resolution=12
#   make -f scripts/seq.mk obsnums=97001,97005          # combination: one gridding of the singles' SpecFiles
#   make -f scripts/seq.mk help
#
# The same pipeline as `SLpipeline.sh obsnum=97001` (lib/pipeline/seq.ts). Derived parameters follow
# seq_pipeline.sh: resolution = ceil(lambda/D) at the bank's sky frequency, cell = resolution/nppb, extent
# from the map size, b_regions/l_regions/slice from vlsr, dv and dw.
PIPELINE := seq
include $(dir $(lastword $(MAKEFILE_LIST)))common.mk
