"""
그림 3처럼 그린 RoI Align (Mask R-CNN 논문)
======================================================================

상자와 2 × 2 구간, 구간마다 네 개의 샘플링 점, 한 점의 이중 선형 보간 가중치(화살표), 구간마다 최댓값을 낸 점(동그라미)을 그립니다.
"""

import roikit
import roikit.figures
from roikit.frontends.demo import DEMO_BOX, DEMO_MAP

trace = roikit.explain_roi_align(DEMO_MAP, DEMO_BOX, 2, 0.5, sampling_ratio=2, mode="max", lang="ko")
drawn = roikit.figures.align_figure(trace)
