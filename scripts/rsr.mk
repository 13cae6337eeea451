# rsr.mk — reduce one RSR obsnum, or a combination of obsnums, the LMTOY way, into ./OBSNUM/ (./FIRST_LAST/).
#
#   make -f scripts/rsr.mk obsnum=91001                      # -> ./91001/
#   make -f scripts/rsr.mk obsnum=91001 badcb=3/2 xlines=94.3,0.6,106.4,0.4
#   make -f scripts/rsr.mk obsnums=91001,91003               # combination -> ./91001_91003/
#   make -f scripts/rsr.mk help                              # parameters, defaults, descriptions
#   make -f scripts/rsr.mk obsnum=91001 -n                   # the steps that would run
#
# The same pipeline as `SLpipeline.sh obsnum=91001` (lib/pipeline/rsr.ts), which writes to
# $WORK_LMT/PROJECTID/91001/ instead. Re-running redoes only what changed: editing rsr.OBSNUM.badlags by hand
# and running make again redoes exactly the steps downstream of it; changing a parameter redoes the steps
# that use it. A combination never changes its singles: a missing or out-of-date single is reduced with its
# own parameters (its lmtoy_OBSNUM.rc).
PIPELINE := rsr
include $(dir $(lastword $(MAKEFILE_LIST)))common.mk
