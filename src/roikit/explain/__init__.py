"""Walkthroughs: RoI Pool and RoI Align worked out by hand, as a :class:`Trace`."""

from __future__ import annotations

from .align import explain_roi_align
from .backward import explain_roi_align_backward, explain_roi_pool_backward
from .compare import compare, compare_modes, compare_pool_align
from .pool import explain_roi_pool
from .trace import Step, Table, Trace

__all__ = [
    "Step",
    "Table",
    "Trace",
    "compare",
    "compare_modes",
    "compare_pool_align",
    "explain_roi_align",
    "explain_roi_align_backward",
    "explain_roi_pool",
    "explain_roi_pool_backward",
]
