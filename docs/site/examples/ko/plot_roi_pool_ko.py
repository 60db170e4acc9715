"""
RoI Pool: 반올림과 그 대가
======================================

점선은 RoI Align이 쓰는 구간, 실선은 두 번 반올림한 뒤 RoI Pool이 읽는 셀, 테두리는 구간마다의 최댓값입니다.
"""

import roikit
import roikit.figures
from roikit.frontends.demo import DEMO_BOX, DEMO_MAP

trace = roikit.explain_roi_pool(DEMO_MAP, DEMO_BOX, 2, 0.5, lang="ko")
drawn = roikit.figures.pool_figure(trace)
