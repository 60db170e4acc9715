"""
aligned=True: 반 픽셀 이동
==========================================

한 줄의 셀 위에 aligned=False와 aligned=True의 샘플링 점을 그립니다. 상자는 그대로이고 좌표가 움직입니다.
"""

import roikit
import roikit.figures
from roikit.frontends.demo import DEMO_BOX, DEMO_MAP

trace = roikit.explain_roi_align(DEMO_MAP, DEMO_BOX, 2, 0.5, sampling_ratio=2, mode="max", lang="ko")
drawn = roikit.figures.halfpixel_figure(trace)
