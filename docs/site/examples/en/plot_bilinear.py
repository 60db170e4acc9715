"""
One sampling point: the bilinear weights are areas
==================================================

Each of the four neighbours' weights is the area of the rectangle opposite it; the four areas sum to 1.
"""

import roikit
import roikit.figures
from roikit.frontends.demo import DEMO_BOX, DEMO_MAP

trace = roikit.explain_roi_align(DEMO_MAP, DEMO_BOX, 2, 0.5, sampling_ratio=2, mode="max")
drawn = roikit.figures.bilinear_figure(trace)
