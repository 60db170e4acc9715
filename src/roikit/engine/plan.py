"""Plans: every coordinate, bin edge, sample point and weight of an op, computed once.

A plan is the single source of truth of roikit. It is built from validated
boxes with vectorized numpy in the input's float dtype, in exactly the order
of operations of torchvision's CPU kernels (so float32 results agree bit for
bit where the reference is bit-deterministic). The kernels in
:mod:`roikit.engine.kernels` execute a plan; the explainer renders the same plan.

Everything is separable per axis: a box's y axis (rows, extent H, PH bins) and
x axis (columns, extent W, PW bins) are planned independently by the same
code. Per-sample data is stored *ragged*: the samples of bin ``p`` of box
``k`` are ``[offsets[k*P + p], offsets[k*P + p + 1])`` of the flat arrays.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import budget, plan_loops
from .budget import check_plan_samples
from .plan_loops import ZERO_AFTER_FIRST_ROW, ZERO_FIRST, ZERO_LAST, ZERO_NONE  # noqa: F401 (re-exported)
from .validate import CheckedBoxes

__all__ = [
    "AlignAxis",
    "AlignPlan",
    "PoolAxis",
    "PoolPlan",
    "c_round",
    "plan_roi_align",
    "plan_roi_pool",
]

#: Grids of at most this many samples per bin are stored whole, including the
#: samples that fall outside the map (the explainer shows them). Larger grids
#: store only a window around the samples that can land in ``[-1, extent]``,
#: which bounds memory for absurd boxes (docs/design.md, "The separable average").
SMALL_GRID = 64
_MAX_INDEX = float(2**53)  # sample indices stay exact in float64
_INT_MIN, _INT_MAX = -float(2**31), float(2**31 - 1)


def _frozen(arr: np.ndarray) -> np.ndarray:
    arr.setflags(write=False)  # (half the time of assigning arr.flags.writeable: a plan freezes ~50)
    return arr


def _frozen_all(arrays: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    for arr in arrays:  # (a loop, not a call per array: a one-box plan freezes 46 of them)
        arr.setflags(write=False)
    return arrays


def c_round(v: np.ndarray) -> np.ndarray:
    """Round half away from zero, as C's ``round`` (numpy's ``round`` goes to even).

    Examples
    --------
    >>> c_round(np.array([2.5, -2.5, 0.49999997, 1.5]))
    array([ 3., -3.,  0.,  2.])
    """
    t = np.trunc(v)
    return t + np.where(np.abs(v - t) >= 0.5, np.sign(v), 0).astype(v.dtype)


# ----------------------------------------------------------------------------- RoI Pool


@dataclass(frozen=True)
class PoolAxis:
    """One axis (rows or columns) of a RoI Pool plan, for all K boxes and P bins.

    Cells are integers; a bin covers cells ``[bin_start, bin_end)``.
    """

    extent: int  #: H for the y axis, W for the x axis
    scaled_start: np.ndarray  #: (K,) box start times spatial_scale, before rounding
    scaled_end: np.ndarray  #: (K,) box end times spatial_scale, before rounding
    start: np.ndarray  #: (K,) rounded start cell (C rounding), float64 holding integers
    end: np.ndarray  #: (K,) rounded end cell, inclusive
    size: np.ndarray  #: (K,) ``max(end - start + 1, 1)`` cells
    bin_size: np.ndarray  #: (K,) ``size / P`` in the input dtype
    bin_start_raw: np.ndarray  #: (K, P) ``floor(p * bin_size) + start``, before clipping
    bin_end_raw: np.ndarray  #: (K, P) ``ceil((p + 1) * bin_size) + start``, before clipping
    bin_start: np.ndarray  #: (K, P) int64, clipped to ``[0, extent]``
    bin_end: np.ndarray  #: (K, P) int64, clipped to ``[0, extent]``


@dataclass(frozen=True)
class PoolPlan:
    """Everything RoI Pool computes before touching feature values."""

    input_shape: tuple[int, int, int, int]
    dtype: np.dtype  #: computation dtype
    output_size: tuple[int, int]
    spatial_scale: float
    batch: np.ndarray  #: (K,) int64 image index of each box
    y: PoolAxis
    x: PoolAxis

    @property
    def num_boxes(self) -> int:
        """Number of boxes K."""
        return int(self.batch.shape[0])


def _plan_pool_axis(
    lo: np.ndarray,
    hi: np.ndarray,
    scale: np.generic,
    bins: int,
    extent: int,
    inclusive: bool = True,
    clip: int | None = None,
) -> PoolAxis:
    # inclusive: size = end - start + 1 (RoI Pool) or end - start (ps_roi_pool);
    # clip: the upper clip of bin edges, extent (RoI Pool) or extent - 1 (ps_roi_pool).
    dtype = lo.dtype
    check_plan_samples("one axis", lo.shape[0] * bins, "bins")  # (K, P) arrays
    with np.errstate(over="ignore"):
        scaled_start, scaled_end = lo * scale, hi * scale
    # torchvision converts the rounded value to a C int (undefined beyond its
    # range); roikit saturates at the int32 range instead, so nothing overflows.
    start = c_round(np.clip(scaled_start.astype(np.float64), _INT_MIN, _INT_MAX))
    end = c_round(np.clip(scaled_end.astype(np.float64), _INT_MIN, _INT_MAX))
    size = np.maximum(end - start + (1 if inclusive else 0), 1)
    bin_size = size.astype(dtype) / dtype.type(bins)
    p = np.arange(bins, dtype=dtype)
    raw_start = np.floor(p[None, :] * bin_size[:, None]).astype(np.float64) + start[:, None]
    raw_end = np.ceil((p[None, :] + 1) * bin_size[:, None]).astype(np.float64) + start[:, None]
    top = extent if clip is None else clip
    clip_start = np.clip(raw_start, 0, top).astype(np.int64)
    clip_end = np.clip(raw_end, 0, top).astype(np.int64)
    return PoolAxis(
        extent,
        *(
            _frozen(a)
            for a in (
                scaled_start,
                scaled_end,
                start,
                end,
                size,
                bin_size,
                raw_start,
                raw_end,
                clip_start,
                clip_end,
            )
        ),
    )


def plan_roi_pool(
    boxes: CheckedBoxes,
    input_shape: tuple[int, int, int, int],
    dtype: np.dtype,
    output_size: tuple[int, int],
    spatial_scale: float,
    position_sensitive: bool = False,
) -> PoolPlan:
    """Plan RoI Pool (Fast R-CNN, torchvision ``roi_pool``) for validated boxes.

    Convention: integer cells; the box is scaled and **rounded half away from
    zero**; its end cell is inclusive (``size = end - start + 1``, at least 1);
    bin ``p`` covers ``[floor(p*bin), ceil((p+1)*bin))`` from the start cell,
    clipped to the map. Neighbouring bins may overlap.

    ``position_sensitive=True`` plans torchvision's ``ps_roi_pool`` instead:
    the size is ``end - start`` (no +1, at least 1) and bin edges are clipped
    to ``[0, extent - 1]`` (so the last row and column are never pooled).
    """
    key = (
        "pool",
        boxes.key(),
        tuple(input_shape),
        np.dtype(dtype).str,
        tuple(output_size),
        spatial_scale,
        position_sensitive,
    )
    return PLANS.get(
        key,
        lambda: _plan_pool(
            boxes, input_shape, np.dtype(dtype), output_size, spatial_scale, position_sensitive
        ),
    )


def _plan_pool(
    boxes: CheckedBoxes,
    input_shape: tuple[int, int, int, int],
    dtype: np.dtype,
    output_size: tuple[int, int],
    spatial_scale: float,
    ps: bool,
) -> PoolPlan:
    coords, batch = boxes.coords, boxes.batch.copy()
    dtype_str = dtype.str
    scale = np.dtype(dtype_str).type(spatial_scale)
    _, _, H, W = input_shape
    PH, PW = output_size
    return PoolPlan(
        tuple(input_shape),  # type: ignore[arg-type]
        np.dtype(dtype_str),
        tuple(output_size),  # type: ignore[arg-type]
        spatial_scale,
        _frozen(batch),
        y=_plan_pool_axis(coords[:, 1], coords[:, 3], scale, PH, H, not ps, H - 1 if ps else None),
        x=_plan_pool_axis(coords[:, 0], coords[:, 2], scale, PW, W, not ps, W - 1 if ps else None),
    )


# ----------------------------------------------------------------------------- RoI Align


@dataclass(frozen=True)
class AlignAxis:
    """One axis (rows or columns) of a RoI Align plan, for all K boxes and P bins.

    Sample ``i`` of bin ``p`` sits at ``coord = (start + p*bin_size) +
    ((i + 0.5) * bin_size) / grid``. If ``coord`` lies in ``[-1, extent]`` it is
    clamped up to 0 and interpolated between cells ``low`` and ``high`` with
    weights ``w_low = 1 - frac`` and ``w_high = frac``; otherwise the sample
    contributes 0 (``inside`` is False). Samples are ragged per (box, bin).
    """

    extent: int  #: H for the y axis, W for the x axis
    start: np.ndarray  #: (K,) ``x1 * spatial_scale - offset`` (offset 0.5 when aligned)
    end: np.ndarray  #: (K,) ``x2 * spatial_scale - offset``
    size: np.ndarray  #: (K,) ``end - start``, raised to 1 when not aligned
    bin_size: np.ndarray  #: (K,) ``size / P``
    grid: np.ndarray  #: (K,) float64 samples per bin on this axis (<= 0: no samples)
    sample_offsets: np.ndarray  #: (K*P + 1,) ragged offsets into the sample arrays
    sample_index: np.ndarray  #: (S,) int64 sample number ``i`` within its bin
    coord: np.ndarray  #: (S,) sample coordinate before clamping
    inside: np.ndarray  #: (S,) bool, coordinate within ``[-1, extent]``
    low: np.ndarray  #: (S,) int64 lower neighbour cell (-1 when outside)
    high: np.ndarray  #: (S,) int64 upper neighbour cell (-1 when outside)
    w_low: np.ndarray  #: (S,) weight on ``low`` (``1 - frac``; 0 when outside)
    w_high: np.ndarray  #: (S,) weight on ``high`` (``frac``; 0 when outside)
    first_inside: np.ndarray  #: (K, P) int64 first in-range sample number
    stop_inside: np.ndarray  #: (K, P) int64 one past the last (== first when none)
    tap_offsets: np.ndarray  #: (K*P + 1,) ragged offsets into ``tap_weight``
    tap_start: np.ndarray  #: (K*P,) int64 first cell of the bin's taps
    tap_weight: np.ndarray  #: (T,) bin-averaged weight of each cell (a row of A_y / A_x)
    span_start: np.ndarray  #: (K,) int64 first cell any bin of the box touches
    span_stop: np.ndarray  #: (K,) int64 one past the last

    @property
    def bins(self) -> int:
        """Number of bins P on this axis."""
        return int(self.first_inside.shape[1])

    def samples(self, k: int, p: int) -> slice:
        """Slice of the flat sample arrays that holds bin ``p`` of box ``k``."""
        kp = k * self.bins + p
        return slice(int(self.sample_offsets[kp]), int(self.sample_offsets[kp + 1]))


# ``AlignPlan.zero_kind``'s ZERO_* codes are defined beside the compiled loop that writes them
# (plan_loops.align_bins) and imported above.


@dataclass(frozen=True)
class AlignPlan:
    """Everything RoI Align computes before touching feature values."""

    input_shape: tuple[int, int, int, int]
    dtype: np.dtype  #: computation dtype
    output_size: tuple[int, int]
    spatial_scale: float
    sampling_ratio: int
    aligned: bool
    batch: np.ndarray  #: (K,) int64 image index of each box
    y: AlignAxis
    x: AlignAxis
    count: np.ndarray  #: (K,) float64 samples per bin, ``grid_y * grid_x`` (at least 1)
    has_samples: np.ndarray  #: (K,) bool, both grids positive
    zero_kind: np.ndarray  #: (K, PH, PW) int8, a ``ZERO_*`` code
    avg_work: np.ndarray  #: (K,) float64 separable avg work per channel (taps x columns, bins)
    direct_work: np.ndarray  #: (K,) float64 direct work per channel (4 neighbours x samples)

    @property
    def num_boxes(self) -> int:
        """Number of boxes K."""
        return int(self.batch.shape[0])


def _plan_align_axis(
    lo_coord: np.ndarray,
    hi_coord: np.ndarray,
    scale: np.generic,
    offset: np.generic,
    bins: int,
    extent: int,
    sampling_ratio: int,
    aligned: bool,
    name: str,
) -> AlignAxis:
    # The loops of plan_loops compute each array in one compiled pass, in the order of operations
    # of torchvision's kernel; the budget is checked between them, before the samples are allocated.
    dtype = lo_coord.dtype
    one = dtype.type(1)
    K = lo_coord.shape[0]
    check_plan_samples(name, K * bins, "bins")  # (K, P) arrays come first
    start, end, size, bin_size, grid, base, win_lo, win_hi, total = plan_loops.axis_grid(
        np.ascontiguousarray(lo_coord),
        np.ascontiguousarray(hi_coord),
        scale,
        offset,
        one,
        dtype.type(bins),
        np.arange(bins, dtype=dtype),
        extent,
        float(sampling_ratio) if sampling_ratio > 0 else 0.0,  # (any int <= 0 means adaptive)
        aligned,
        float(SMALL_GRID),
        _MAX_INDEX,
    )
    check_plan_samples(name, int(total))  # before anything of that size is allocated
    samples = plan_loops.axis_samples(base, bin_size, grid, win_lo, win_hi, extent, one, int(total))
    # the loops return the rest of AlignAxis's fields, in its order
    return AlignAxis(extent, *_frozen_all((start, end, size, bin_size, grid, *samples)))


def plan_roi_align(
    boxes: CheckedBoxes,
    input_shape: tuple[int, int, int, int],
    dtype: np.dtype,
    output_size: tuple[int, int],
    spatial_scale: float,
    sampling_ratio: int,
    aligned: bool,
) -> AlignPlan:
    """Plan RoI Align (Mask R-CNN, torchvision ``roi_align``) for validated boxes.

    Convention: no rounding. ``aligned=True`` is the half-pixel model (cell
    ``i`` covers ``[i, i+1)``, its value sits at ``i + 0.5``, so 0.5 is
    subtracted from the scaled box); ``aligned=False`` is the legacy integer
    grid and raises the box size to at least 1. Samples per bin are
    ``sampling_ratio`` or, when it is <= 0, ``ceil(size / P)`` per axis.
    """
    key = (
        "align",
        boxes.key(),
        tuple(input_shape),
        np.dtype(dtype).str,
        tuple(output_size),
        spatial_scale,
        sampling_ratio,
        aligned,
    )
    return PLANS.get(
        key,
        lambda: _plan_align(
            boxes, input_shape, np.dtype(dtype), output_size, spatial_scale, sampling_ratio, aligned
        ),
    )


def _plan_align(
    boxes: CheckedBoxes,
    input_shape: tuple[int, int, int, int],
    dtype: np.dtype,
    output_size: tuple[int, int],
    spatial_scale: float,
    sampling_ratio: int,
    aligned: bool,
) -> AlignPlan:
    coords, batch = boxes.coords, boxes.batch.copy()
    scale = dtype.type(spatial_scale)
    offset = dtype.type(0.5 if aligned else 0.0)
    _, _, H, W = input_shape
    PH, PW = output_size
    y = _plan_align_axis(coords[:, 1], coords[:, 3], scale, offset, PH, H, sampling_ratio, aligned, "y")
    x = _plan_align_axis(coords[:, 0], coords[:, 2], scale, offset, PW, W, sampling_ratio, aligned, "x")
    # per box and bin, from what the axes hold: one compiled pass (zero_kind, the work of both forms)
    count, has, zero_kind, avg_work, direct_work = plan_loops.align_bins(
        y.grid,
        y.first_inside,
        y.stop_inside,
        x.grid,
        x.first_inside,
        x.stop_inside,
        y.sample_offsets,
        x.sample_offsets,
        y.tap_offsets,
        x.tap_offsets,
        x.span_stop - x.span_start,
    )
    return AlignPlan(
        tuple(input_shape),  # type: ignore[arg-type]
        dtype,
        tuple(output_size),  # type: ignore[arg-type]
        spatial_scale,
        sampling_ratio,
        aligned,
        _frozen(batch),
        y,
        x,
        *_frozen_all((count, has, zero_kind, avg_work, direct_work)),
    )


# ----------------------------------------------------------------------------- the plan cache


def plan_bytes(plan: Any) -> int:
    """The bytes a plan's arrays hold (its axes' too)."""
    total = 0
    for value in vars(plan).values():
        kind: type = type(value)
        if kind is np.ndarray:
            total += value.nbytes
        elif _is_dataclass(kind):  # an axis
            total += plan_bytes(value)
    return total


@functools.cache
def _is_dataclass(kind: type) -> bool:
    # (cached by type: hasattr on a field's int or tuple raises and catches an AttributeError)
    return dataclasses.is_dataclass(kind)


class PlanCache:
    """Recent plans by what they were planned from, bounded in bytes (``MAX_PLAN_CACHE_BYTES``).

    The key holds the boxes' bytes (einops-style): a forward and its backward
    with the same boxes share one plan, and a training loop that pools the
    same proposals twice plans them once. The least recently used plans are
    dropped first; a plan larger than the whole budget is returned but not kept.
    """

    def __init__(self) -> None:
        self._plans: OrderedDict[Any, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Any, make: Callable[[], Any]) -> Any:
        """The plan for ``key``: the kept one, or ``make()`` (kept if it fits)."""
        with self._lock:
            if key in self._plans:
                self._plans.move_to_end(key)
                return self._plans[key][0]
        plan = make()
        size = plan_bytes(plan) + sum(len(k) for k in key if isinstance(k, bytes))
        with self._lock:
            if size <= budget.MAX_PLAN_CACHE_BYTES and key not in self._plans:
                self._plans[key] = (plan, size)
                self._bytes += size
                while self._bytes > budget.MAX_PLAN_CACHE_BYTES:
                    _, (_, dropped) = self._plans.popitem(last=False)
                    self._bytes -= dropped
        return plan

    @property
    def nbytes(self) -> int:
        """The bytes the kept plans hold."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._plans)

    def clear(self) -> None:
        """Drop every kept plan."""
        with self._lock:
            self._plans.clear()
            self._bytes = 0


#: The process's plan cache (the ops use it; :meth:`PlanCache.clear` frees it).
PLANS = PlanCache()
