"""The resource budget: what one call may cost, checked before anything is allocated.

Every op, backward, convention and explainer checks its cost against these
limits up front and raises a :class:`~roikit.ParameterError` that says what
was asked, what it would cost and the limit, instead of running for minutes
or raising a raw ``MemoryError``. The limits are far above real detector
workloads (``make bench``: at most ~50 MB of output and ~30,000 planned
samples per call) and far below what would exhaust a 24 GiB machine.

They are module attributes, so a program that really needs more can raise
them (``roikit.budget.MAX_OUTPUT_BYTES = 8 << 30``).

============================  ==========================================================
limit                         what it bounds
============================  ==========================================================
``MAX_OUTPUT_BYTES``          bytes of one result (output or gradient): 4 GiB
``MAX_SAMPLING_RATIO``        a positive ``sampling_ratio``: 1024 (a million points/bin)
``MAX_PLAN_SAMPLES``          sampling points stored per axis by one RoI Align plan:
                              2**22 (about 200 MB of plan)
``MAX_EVALUATIONS``           bilinear evaluations of one max-mode call, points x
                              channels: 2**32 (a few seconds)
``MAX_TRACE_POINTS``          sampling points a walkthrough records (every bin's
                              points, each with its neighbours and weights): 2**17
``MAX_MAP_CELLS``             cells of a map read by the command line: 2**24 (4096²)
============================  ==========================================================

Examples
--------
>>> import numpy as np, roikit
>>> x = np.zeros((1, 1, 8, 8), np.float32)
>>> roikit.roi_align(x, np.array([[0, 0, 0, 4, 4]], np.float32), 2,
...                  sampling_ratio=10**6)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
roikit.errors.ParameterError: sampling_ratio is 1000000; at most 1024 ... are allowed
"""

from __future__ import annotations

from ..errors import ParameterError

__all__ = [
    "MAX_EVALUATIONS",
    "MAX_MAP_CELLS",
    "MAX_OUTPUT_BYTES",
    "MAX_PLAN_SAMPLES",
    "MAX_SAMPLING_RATIO",
    "MAX_TRACE_POINTS",
    "check_evaluations",
    "check_output_bytes",
    "check_plan_samples",
    "check_sampling_ratio_budget",
    "check_trace_points",
]

MAX_OUTPUT_BYTES = 4 << 30
MAX_SAMPLING_RATIO = 1024
MAX_PLAN_SAMPLES = 1 << 22
MAX_EVALUATIONS = 1 << 32
MAX_TRACE_POINTS = 1 << 17
MAX_MAP_CELLS = 1 << 24

#: Bytes the plan stores per sampling point (coordinate, index, neighbours, weights, bookkeeping).
PLAN_BYTES_PER_SAMPLE = 50


def _size(nbytes: float) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if nbytes >= scale:
            return f"{nbytes / scale:.3g} {unit}"
    return f"{nbytes:.0f} bytes"


def check_output_bytes(what: str, shape: tuple[int, ...], itemsize: int) -> None:
    """Refuse a result of ``shape`` whose size would exceed ``MAX_OUTPUT_BYTES``."""
    n = 1
    for d in shape:
        n *= int(d)
    nbytes = n * itemsize
    if nbytes > MAX_OUTPUT_BYTES:
        raise ParameterError(
            f"{what} of shape {tuple(int(d) for d in shape)} would take {_size(nbytes)}; the budget "
            f"is {_size(MAX_OUTPUT_BYTES)} per result (roikit.budget.MAX_OUTPUT_BYTES)"
        )


def check_sampling_ratio_budget(sampling_ratio: int) -> None:
    """Refuse a positive ``sampling_ratio`` above ``MAX_SAMPLING_RATIO``."""
    if sampling_ratio > MAX_SAMPLING_RATIO:
        raise ParameterError(
            f"sampling_ratio is {sampling_ratio}; at most {MAX_SAMPLING_RATIO} "
            f"(roikit.budget.MAX_SAMPLING_RATIO) points per bin and axis are allowed"
        )


def check_plan_samples(axis: str, samples: int, what: str = "sampling points") -> None:
    """Refuse a plan that would store more than ``MAX_PLAN_SAMPLES`` points (or bins) on one axis."""
    if samples > MAX_PLAN_SAMPLES:
        raise ParameterError(
            f"the plan would hold {samples:.3g} {what} along {axis} "
            f"(about {_size(samples * PLAN_BYTES_PER_SAMPLE)} of plan); the budget is "
            f"{MAX_PLAN_SAMPLES} per axis and call (roikit.budget.MAX_PLAN_SAMPLES): use fewer "
            f"boxes per call, a smaller output_size or sampling_ratio"
        )


def check_evaluations(what: str, evaluations: float) -> None:
    """Refuse a call that would interpolate more than ``MAX_EVALUATIONS`` values."""
    if evaluations > MAX_EVALUATIONS:
        raise ParameterError(
            f"{what} would interpolate {evaluations:.3g} values (points x channels); the budget "
            f"is {MAX_EVALUATIONS:.3g} per call (roikit.budget.MAX_EVALUATIONS): use fewer "
            f"boxes or channels per call, or a smaller sampling_ratio"
        )


def check_trace_points(points: int) -> None:
    """Refuse a walkthrough that would record more than ``MAX_TRACE_POINTS`` sampling points."""
    if points > MAX_TRACE_POINTS:
        raise ParameterError(
            f"the walkthrough would record {points} sampling points; the budget is "
            f"{MAX_TRACE_POINTS} (roikit.budget.MAX_TRACE_POINTS): use a smaller sampling_ratio "
            f"or output_size (the op itself, roikit.roi_align, has no such limit)"
        )
