#!/usr/bin/env python3
"""LMTOY runs `python $LMTOY/RSR_driver/rsr_driver.py ARGS`: with $LMTOY/RSR_driver pointing at this
folder (a symlink), that runs the toolkit's rsr_driver with the same arguments."""
import os
import sys

tool = os.path.join(os.path.dirname(os.path.realpath(__file__)), os.pardir, "rsr_driver.py")
os.execv(tool, [tool] + sys.argv[1:])
