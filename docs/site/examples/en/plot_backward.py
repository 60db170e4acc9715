"""
The backward pass: where each bin's gradient goes
=================================================

With an upstream gradient of 1 in every bin, average RoI Align sends each point's share to its four neighbours, weighted by the bilinear weights.
"""

import roikit
import roikit.figures
from roikit.frontends.demo import DEMO_BOX, DEMO_MAP

trace = roikit.explain_roi_align_backward(DEMO_MAP, DEMO_BOX, 2, 0.5, sampling_ratio=2, mode="avg")
drawn = roikit.figures.backward_figure(trace)
