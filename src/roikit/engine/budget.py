"""The resource budget: what one call may cost, checked before anything is allocated or run.

Every op, backward, convention and walkthrough checks its cost against these
limits up front and raises a :class:`~roikit.ParameterError` that says what
was asked, what it would cost and the limit, instead of running for minutes
or raising a raw ``MemoryError``. The limits are far above real detector
workloads (``make bench``: at most ~50 MB of output, ~30,000 planned samples
and ~10**9 operations per call) and far below what would exhaust a 24 GiB
machine or keep it busy for minutes.

They are module attributes, so a program that really needs more can raise
them (``roikit.budget.MAX_OUTPUT_BYTES = 8 << 30``).

============================  ==========================================================
limit                         what it bounds
============================  ==========================================================
``MAX_OUTPUT_BYTES``          bytes of one result (output or gradient), and of the
                              working copy of the input: 4 GiB
``MAX_BINS``                  bins per box (``PH * PW``): 2**24
``MAX_SAMPLING_RATIO``        a positive ``sampling_ratio``: 1024 (a million points/bin)
``MAX_PLAN_SAMPLES``          sampling points (or bins, or taps) stored per axis by one
                              plan: 2**22 (about 200 MB of plan)
``MAX_EVALUATIONS``           bilinear evaluations of one max-mode call, points x
                              channels: 2**32 (a few seconds)
``MAX_WORK``                  operations of one call (cells read x channels, or
                              multiply-adds): 2**36 (about half a minute on 2 cores)
``MAX_PLAN_CACHE_BYTES``      bytes of plans kept for reuse between calls: 256 MiB
``MAX_KEPT_BYTES``            bytes of the working buffer each calling thread keeps
                              between calls (a copy of the cells read, a gradient
                              buffer; see ``roikit.engine.scratch``): 256 MiB
``MAX_TRACE_POINTS``          sampling points a walkthrough records (every bin's
                              points, each with its neighbours and weights): 2**17
``MAX_TRACE_BINS``            bins a walkthrough or comparison tabulates: 4096 (64²)
``MAX_MAP_CELLS``             cells of a map the command line reads (checked before
                              loading): 2**24 (4096²)
``MAX_MAP_TEXT_BYTES``        bytes of a text map the command line parses: 64 MiB
``MAX_ANSWER_BYTES``          bytes of a learner's answer ``roikit check`` reads: 1 MiB
``MAX_EXPLORE_CELLS``         cells of a map the explorer draws: 256²
``MAX_EXPLORE_BINS``          bins of one explorer query: 32² (an answer while dragging)
``MAX_REQUEST_LINE_BYTES``    bytes of one request line the explorer's server reads: 64 KiB
``MAX_UPLOAD_BYTES``          bytes of a map uploaded to the explorer: 16 MiB
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

import math
import numbers
from typing import Any

from ..errors import ParameterError

__all__ = [
    "MAX_ANSWER_BYTES",
    "MAX_BINS",
    "MAX_EVALUATIONS",
    "MAX_EXPLORE_BINS",
    "MAX_EXPLORE_CELLS",
    "MAX_KEPT_BYTES",
    "MAX_MAP_CELLS",
    "MAX_MAP_TEXT_BYTES",
    "MAX_OUTPUT_BYTES",
    "MAX_PLAN_CACHE_BYTES",
    "MAX_PLAN_SAMPLES",
    "MAX_REQUEST_LINE_BYTES",
    "MAX_SAMPLING_RATIO",
    "MAX_TRACE_BINS",
    "MAX_TRACE_POINTS",
    "MAX_UPLOAD_BYTES",
    "MAX_WORK",
    "check_bins",
    "check_evaluations",
    "check_output_bytes",
    "check_plan_samples",
    "check_sampling_ratio_budget",
    "check_trace_bins",
    "check_trace_points",
    "check_work",
]

MAX_OUTPUT_BYTES = 4 << 30
MAX_BINS = 1 << 24
MAX_SAMPLING_RATIO = 1024
MAX_PLAN_SAMPLES = 1 << 22
MAX_EVALUATIONS = 1 << 32
MAX_WORK = 1 << 36
MAX_PLAN_CACHE_BYTES = 256 << 20
MAX_KEPT_BYTES = 256 << 20
MAX_TRACE_POINTS = 1 << 17
MAX_TRACE_BINS = 1 << 12
MAX_MAP_CELLS = 1 << 24
MAX_MAP_TEXT_BYTES = 64 << 20
MAX_ANSWER_BYTES = 1 << 20
MAX_EXPLORE_CELLS = 256 * 256
MAX_EXPLORE_BINS = 32 * 32
MAX_REQUEST_LINE_BYTES = 64 << 10
MAX_UPLOAD_BYTES = 16 << 20

#: Bytes the plan stores per sampling point (coordinate, index, neighbours, weights, bookkeeping).
PLAN_BYTES_PER_SAMPLE = 50


def _size(nbytes: float) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if nbytes >= scale:
            return f"{nbytes / scale:.3g} {unit}"
    return f"{nbytes:.0f} bytes"


def _count(value: float) -> str:
    return f"{value:.3g}" if math.isfinite(value) else "more than 1e308"


def _number(value: Any, name: str) -> float:
    """``value`` as a float for a budget check: a real number (inf allowed: it is over any limit)."""
    if type(value) is float and value >= 0:  # the common case, without the ABC checks (NaN goes on)
        return value
    if type(value) is int and 0 <= value < 2**1023:  # (a count: 0.6 us less than the ABC checks)
        return float(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterError(f"{name} must be a number; got {value!r:.60}")
    try:
        v = float(value)
    except OverflowError:  # an int beyond the float range is beyond every limit
        return math.inf
    if math.isnan(v) or v < 0:
        raise ParameterError(f"{name} must be a number >= 0; got {value!r:.60}")
    return v


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise ParameterError(f"{name} must be a string; got {value!r:.60}")
    return value


def _whole(value: Any, name: str) -> int:
    if type(value) is int and value >= 0:  # the common case, without the ABC check
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ParameterError(f"{name} must hold whole numbers >= 0; got {value!r:.60}")
    return int(value)


def check_output_bytes(what: str, shape: tuple[int, ...], itemsize: int) -> None:
    """Refuse a result of ``shape`` whose size would exceed ``MAX_OUTPUT_BYTES``.

    Examples
    --------
    >>> check_output_bytes("the output", (2**20, 256, 7, 7), 4)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    roikit.errors.ParameterError: the output of shape (1048576, 256, 7, 7) would take 49 GiB; ...
    """
    what = _text(what, "what")
    if not isinstance(shape, (tuple, list)):
        raise ParameterError(f"shape must be a tuple of sizes; got {shape!r:.60}")
    dims = tuple(_whole(d, "shape") for d in shape)
    nbytes = math.prod(dims) * _whole(itemsize, "itemsize")
    if nbytes > MAX_OUTPUT_BYTES:
        size = _size(nbytes) if nbytes < 1 << 1000 else "more than 1e300 bytes"
        raise ParameterError(
            f"{what} of shape {dims} would take {size}; the budget "
            f"is {_size(MAX_OUTPUT_BYTES)} per result (roikit.budget.MAX_OUTPUT_BYTES)"
        )


def check_bins(bins: Any, name: str = "output_size") -> None:
    """Refuse more than ``MAX_BINS`` bins per box (``name`` is the argument that asked for them)."""
    n = _number(bins, "bins")
    if n > MAX_BINS:
        raise ParameterError(
            f"{_text(name, 'name')} asks for {_count(n)} bins per box; at most {MAX_BINS} (2**24, "
            f"roikit.budget.MAX_BINS) are allowed"
        )


def check_sampling_ratio_budget(sampling_ratio: Any) -> None:
    """Refuse a positive ``sampling_ratio`` above ``MAX_SAMPLING_RATIO``."""
    if isinstance(sampling_ratio, bool) or not isinstance(sampling_ratio, numbers.Real):
        raise ParameterError(f"sampling_ratio must be a number; got {sampling_ratio!r:.60}")
    if sampling_ratio > MAX_SAMPLING_RATIO:  # type: ignore[operator]
        shown = str(sampling_ratio) if len(str(sampling_ratio)) <= 30 else "more than 1e30"
        raise ParameterError(
            f"sampling_ratio is {shown}; at most {MAX_SAMPLING_RATIO} "
            f"(roikit.budget.MAX_SAMPLING_RATIO) points per bin and axis are allowed"
        )


def check_plan_samples(axis: str, samples: Any, what: str = "sampling points") -> None:
    """Refuse a plan that would store more than ``MAX_PLAN_SAMPLES`` points (or bins) on one axis."""
    n = _number(samples, "samples")
    if n > MAX_PLAN_SAMPLES:
        raise ParameterError(
            f"the plan would hold {_count(n)} {_text(what, 'what')} along {_text(axis, 'axis')} "
            f"(about {_size(n * PLAN_BYTES_PER_SAMPLE)} of plan); the budget is "
            f"{MAX_PLAN_SAMPLES} per axis and call (roikit.budget.MAX_PLAN_SAMPLES): use fewer "
            f"boxes per call, a smaller output_size or sampling_ratio"
        )


def check_evaluations(what: str, evaluations: Any) -> None:
    """Refuse a call that would interpolate more than ``MAX_EVALUATIONS`` values."""
    n = _number(evaluations, "evaluations")
    if n > MAX_EVALUATIONS:
        raise ParameterError(
            f"{_text(what, 'what')} would interpolate {_count(n)} values (points x channels); the "
            f"budget is {MAX_EVALUATIONS:.3g} per call (roikit.budget.MAX_EVALUATIONS): use fewer "
            f"boxes or channels per call, or a smaller sampling_ratio"
        )


def check_work(
    what: str, work: Any, hint: str = "use fewer or smaller boxes, or fewer channels, per call"
) -> None:
    """Refuse a call that would take more than ``MAX_WORK`` operations (cells read x channels)."""
    n = _number(work, "work")
    if n > MAX_WORK:
        raise ParameterError(
            f"{_text(what, 'what')} would take {_count(n)} operations (cells read x channels); the "
            f"budget is {MAX_WORK:.3g} per call (roikit.budget.MAX_WORK, about half a minute): "
            f"{_text(hint, 'hint')}"
        )


def check_trace_points(points: Any) -> None:
    """Refuse a walkthrough that would record more than ``MAX_TRACE_POINTS`` sampling points."""
    n = _number(points, "points")
    if n > MAX_TRACE_POINTS:
        raise ParameterError(
            f"the walkthrough would record {int(n) if n < 1e15 else _count(n)} sampling points; the "
            f"budget is {MAX_TRACE_POINTS} (roikit.budget.MAX_TRACE_POINTS): use a smaller sampling_ratio "
            f"or output_size (the op itself, roikit.roi_align, has no such limit)"
        )


def check_trace_bins(bins: Any) -> None:
    """Refuse a walkthrough or comparison that would tabulate more than ``MAX_TRACE_BINS`` bins."""
    n = _number(bins, "bins")
    if n > MAX_TRACE_BINS:
        raise ParameterError(
            f"the walkthrough would tabulate {_count(n)} bins; the budget is {MAX_TRACE_BINS} "
            f"(roikit.budget.MAX_TRACE_BINS, 64 x 64): use a smaller output_size (the ops "
            f"themselves have no such limit)"
        )
