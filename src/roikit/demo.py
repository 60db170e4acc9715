"""The embedded example of ``roikit demo``: a small map, one real-valued RoI, 2x2 bins."""

from __future__ import annotations

import numpy as np

from .explain import Trace, compare, explain_roi_align, explain_roi_pool

__all__ = ["DEMO_BOX", "DEMO_MAP", "DEMO_SCALE", "demo_traces"]

#: An 8x8 feature map of single digits, easy to read and to follow by hand.
DEMO_MAP = np.array(
    [
        [1, 3, 2, 0, 4, 1, 2, 3],
        [2, 5, 1, 3, 2, 6, 0, 1],
        [0, 2, 7, 4, 1, 3, 5, 2],
        [3, 1, 4, 8, 2, 0, 3, 4],
        [2, 6, 3, 2, 9, 4, 1, 0],
        [4, 0, 5, 1, 3, 7, 2, 6],
        [1, 3, 2, 6, 0, 2, 8, 3],
        [5, 2, 4, 1, 3, 5, 1, 4],
    ],
    dtype=np.float64,
)
#: The RoI in image pixels, as a region proposal network would give it.
DEMO_BOX = (3.2, 4.6, 12.8, 13.6)
#: The image is twice the feature map's size: the box lands on (1.6, 2.3, 6.4, 6.8).
DEMO_SCALE = 0.5


def demo_traces(lang: str = "en", mode: str | None = None) -> list[Trace]:
    """RoI Pool, then RoI Align (max, then avg, or only ``mode``), then the comparison."""
    pool = explain_roi_pool(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE, lang=lang)
    modes = [mode] if mode else ["max", "avg"]
    aligns = [explain_roi_align(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE, sampling_ratio=2, mode=m,
                                lang=lang) for m in modes]  # fmt: skip
    return [pool, *aligns, compare(pool, aligns[0])]
