"""
RoI Align, as in Figure 3 of the Mask R-CNN paper
=================================================

The box, its 2 × 2 bins, four sampling points per bin, the bilinear weights of one point as arrows, and the point that wins each bin's max (ringed).
"""

import roikit
import roikit.figures
from roikit.frontends.demo import DEMO_BOX, DEMO_MAP

trace = roikit.explain_roi_align(DEMO_MAP, DEMO_BOX, 2, 0.5, sampling_ratio=2, mode="max")
drawn = roikit.figures.align_figure(trace)
