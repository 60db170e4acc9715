"""
샘플링 점 하나: 이중 선형 보간 가중치는 넓이입니다
==========================================================

네 이웃의 가중치는 각각 맞은편 직사각형의 넓이이고, 네 넓이의 합은 1입니다.
"""

import roikit
import roikit.figures
from roikit.frontends.demo import DEMO_BOX, DEMO_MAP

trace = roikit.explain_roi_align(DEMO_MAP, DEMO_BOX, 2, 0.5, sampling_ratio=2, mode="max", lang="ko")
drawn = roikit.figures.bilinear_figure(trace)
