"""
The two outputs, bin by bin
===========================

RoI Pool's and RoI Align's outputs for the same box, side by side.
"""

import roikit
import roikit.figures
from roikit.frontends.demo import DEMO_BOX, DEMO_MAP

pool = roikit.explain_roi_pool(DEMO_MAP, DEMO_BOX, 2, 0.5)
align = roikit.explain_roi_align(DEMO_MAP, DEMO_BOX, 2, 0.5, sampling_ratio=2, mode="max")
drawn = roikit.figures.summary_figure(pool, align)
