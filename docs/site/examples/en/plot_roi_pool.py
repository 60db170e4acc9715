"""
RoI Pool: the rounding and what it costs
========================================

Dashed: each bin as RoI Align uses it; solid: the whole cells RoI Pool reads for it after two roundings; outlined: each bin's maximum.
"""

import roikit
import roikit.figures
from roikit.frontends.demo import DEMO_BOX, DEMO_MAP

trace = roikit.explain_roi_pool(DEMO_MAP, DEMO_BOX, 2, 0.5)
drawn = roikit.figures.pool_figure(trace)
