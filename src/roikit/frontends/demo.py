"""The embedded example of ``roikit demo``: a small map, one real-valued RoI, 2x2 bins."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..explain import Trace, compare_modes, compare_pool_align, explain_roi_align, explain_roi_pool

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
    """RoI Pool, RoI Align, then the comparison.

    Without ``mode``: RoI Align in max mode (Figure 3 of the Mask R-CNN
    paper), then only what average mode changes (the last line of each bin and
    the output), since steps 1 to 4 and every point are shared.
    """
    pool = explain_roi_pool(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE, lang=lang)
    first = explain_roi_align(
        DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE, sampling_ratio=2, mode=mode or "max", lang=lang
    )
    traces = [pool, first]
    if mode is None:
        avg = explain_roi_align(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE, sampling_ratio=2, mode="avg", lang=lang)
        traces.append(compare_modes(first, avg))
    return [*traces, compare_pool_align(pool, first)]


def demo_figures(lang: str = "en") -> dict[str, Any]:
    """The demo's figures by name (matplotlib Figures), in ``lang``."""
    from ..render import figures

    pool = explain_roi_pool(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE, lang=lang)
    align_max = explain_roi_align(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE, mode="max", lang=lang)
    align_avg = explain_roi_align(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE, mode="avg", lang=lang)
    return {
        "roi_align_max": figures.align_figure(align_max).figure,
        "roi_align_avg": figures.align_figure(align_avg).figure,
        "bilinear": figures.bilinear_figure(align_max).figure,
        "halfpixel": figures.halfpixel_figure(align_max).figure,
        "roi_pool": figures.pool_figure(pool).figure,
        "summary": figures.summary_figure(pool, align_max).figure,
    }


def save_demo_figures(directory: str | Path, fmt: str = "png", lang: str = "en") -> list[Path]:
    """Write every figure of ``roikit demo`` into ``directory``, in ``lang``; return the paths."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, fig in demo_figures(lang).items():
        path = out / f"{name}.{fmt}"
        fig.savefig(path, dpi=110, metadata={"Software": None} if fmt == "png" else None)
        paths.append(path)
    return paths
