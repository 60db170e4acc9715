"""
역전파: 각 구간의 기울기가 가는 곳
========================================

모든 구간의 상위 기울기가 1일 때, 평균 RoI Align은 각 점의 몫을 이중 선형 보간 가중치대로 네 이웃에 보냅니다.
"""

import roikit
import roikit.figures
from roikit.frontends.demo import DEMO_BOX, DEMO_MAP

trace = roikit.explain_roi_align_backward(DEMO_MAP, DEMO_BOX, 2, 0.5, sampling_ratio=2, mode="avg", lang="ko")
drawn = roikit.figures.backward_figure(trace)
