"""roikit: RoI Pool and RoI Align in numpy, exact to the frameworks, worked out by hand.

The ops follow torchvision's API and numbers: :func:`roi_pool`,
:func:`roi_align` and their backward functions. :func:`explain_roi_pool` and
:func:`explain_roi_align` work one box out by hand, from the same plan.
"""

from __future__ import annotations

from .conventions import CONVENTIONS, compare_conventions
from .crop_resize import crop_and_resize, crop_and_resize_backward, tensorpack_roi_align
from .errors import BoxError, DTypeError, InputError, ParameterError, RoIError
from .explain import (
    Trace,
    compare,
    explain_roi_align,
    explain_roi_align_backward,
    explain_roi_pool,
    explain_roi_pool_backward,
)
from .onnx_ops import onnx_max_roi_pool, onnx_roi_align
from .ops import roi_align, roi_align_backward, roi_pool, roi_pool_backward
from .poolers import assign_fpn_levels, multiscale_roi_align
from .prroi import prroi_pool, prroi_pool_backward
from .ps_ops import ps_roi_align, ps_roi_align_backward, ps_roi_pool, ps_roi_pool_backward
from .rotated import roi_align_rotated, roi_align_rotated_backward

__version__ = "0.1.0"

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
