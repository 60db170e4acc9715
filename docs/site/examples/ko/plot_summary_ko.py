"""
두 출력을 구간별로 비교하기
==============================

같은 상자에 대한 RoI Pool과 RoI Align의 출력을 나란히 놓습니다.
"""

import roikit
import roikit.figures
from roikit.frontends.demo import DEMO_BOX, DEMO_MAP

pool = roikit.explain_roi_pool(DEMO_MAP, DEMO_BOX, 2, 0.5, lang="ko")
align = roikit.explain_roi_align(DEMO_MAP, DEMO_BOX, 2, 0.5, sampling_ratio=2, mode="max", lang="ko")
drawn = roikit.figures.summary_figure(pool, align)
