"""roikit: RoI Pool and RoI Align in numpy, exact to the frameworks, worked out by hand.

The ops follow torchvision's API and numbers: :func:`roi_pool`,
:func:`roi_align` and their backward functions. :func:`explain_roi_pool` and
:func:`explain_roi_align` work one box out by hand, from the same plan.
"""

from __future__ import annotations

import sys as _sys

# The engine's budget and threads, under their public names: roikit.budget.MAX_WORK = ...,
# `import roikit.threads`. They are the same module objects (a limit raised here is the limit).
from .engine import budget as budget
from .engine import threads as threads
from .errors import BoxError, DTypeError, InputError, ParameterError, RoIError
from .explain import (
    Trace,
    compare,
    compare_pool_align,
    explain_roi_align,
    explain_roi_align_backward,
    explain_roi_pool,
    explain_roi_pool_backward,
)
from .explain.conventions import compare_conventions
from .ops.conventions import CONVENTIONS
from .ops.crop_resize import crop_and_resize, crop_and_resize_backward, tensorpack_roi_align
from .ops.onnx import onnx_max_roi_pool, onnx_roi_align
from .ops.poolers import assign_fpn_levels, multiscale_roi_align
from .ops.prroi import prroi_pool, prroi_pool_backward
from .ops.ps import ps_roi_align, ps_roi_align_backward, ps_roi_pool, ps_roi_pool_backward
from .ops.roi_align import roi_align, roi_align_backward
from .ops.roi_pool import roi_pool, roi_pool_backward
from .ops.rotated import roi_align_rotated, roi_align_rotated_backward

__version__ = "0.1.0"

_sys.modules[f"{__name__}.budget"] = budget
_sys.modules[f"{__name__}.threads"] = threads


def __getattr__(name: str) -> object:
    """``roikit.figures`` and ``roikit.widget`` load on first use (matplotlib, anywidget)."""
    import importlib

    if name == "figures":
        return importlib.import_module(".figures", __name__)
    if name == "widget":
        return importlib.import_module(".frontends.explore.widget", __name__).widget
    raise AttributeError(f"module 'roikit' has no attribute {name!r}")


__all__ = [
    "CONVENTIONS",
    "BoxError",
    "DTypeError",
    "InputError",
    "ParameterError",
    "RoIError",
    "Trace",
    "assign_fpn_levels",
    "compare",
    "compare_conventions",
    "compare_pool_align",
    "crop_and_resize",
    "crop_and_resize_backward",
    "explain_roi_align",
    "explain_roi_align_backward",
    "explain_roi_pool",
    "explain_roi_pool_backward",
    "multiscale_roi_align",
    "onnx_max_roi_pool",
    "onnx_roi_align",
    "prroi_pool",
    "prroi_pool_backward",
    "ps_roi_align",
    "ps_roi_align_backward",
    "ps_roi_pool",
    "ps_roi_pool_backward",
    "roi_align",
    "roi_align_backward",
    "roi_align_rotated",
    "roi_align_rotated_backward",
    "roi_pool",
    "roi_pool_backward",
    "tensorpack_roi_align",
]
