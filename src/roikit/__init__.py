"""roikit: RoI Pool and RoI Align in numpy, exact to the frameworks, worked out by hand.

The ops follow torchvision's API and numbers (see ``DESIGN`` notes in the
docs): :func:`roi_pool`, :func:`roi_align` and their backward functions.
"""

from __future__ import annotations

from .errors import BoxError, DTypeError, InputError, ParameterError, RoIError
from .ops import roi_align, roi_align_backward, roi_pool, roi_pool_backward

__version__ = "0.1.0"

__all__ = [
    "BoxError",
    "DTypeError",
    "InputError",
    "ParameterError",
    "RoIError",
    "roi_align",
    "roi_align_backward",
    "roi_pool",
    "roi_pool_backward",
]
