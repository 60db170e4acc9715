"""
aligned=True: the half-pixel shift
==================================

One row of cells with the sampling points of aligned=False and aligned=True: the box does not move, its coordinates do.
"""

import roikit
import roikit.figures
from roikit.frontends.demo import DEMO_BOX, DEMO_MAP

trace = roikit.explain_roi_align(DEMO_MAP, DEMO_BOX, 2, 0.5, sampling_ratio=2, mode="max")
drawn = roikit.figures.halfpixel_figure(trace)
