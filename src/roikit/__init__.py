"""roikit: RoI Pool and RoI Align in numpy, exact to the frameworks, worked out by hand.

The ops follow torchvision's API and numbers: :func:`roi_pool`,
:func:`roi_align` and their backward functions. :func:`explain_roi_pool` and
:func:`explain_roi_align` work one box out by hand, from the same plan.
"""

from __future__ import annotations

from .errors import BoxError, DTypeError, InputError, ParameterError, RoIError
from .explain import Trace, compare, explain_roi_align, explain_roi_pool
from .ops import roi_align, roi_align_backward, roi_pool, roi_pool_backward

__version__ = "0.1.0"

__all__ = [
    "BoxError",
    "DTypeError",
    "InputError",
    "ParameterError",
    "RoIError",
    "Trace",
    "compare",
    "explain_roi_align",
    "explain_roi_pool",
    "roi_align",
    "roi_align_backward",
    "roi_pool",
    "roi_pool_backward",
]
