"""The vectorized numpy definition of a RoI Align axis plan, as roikit built it before compiling it.

Kept as the oracle of ``test_plan_loops.py``: the compiled loops of
:mod:`roikit.engine.plan_loops` must give these arrays bit for bit.
"""

from __future__ import annotations

import numpy as np

from roikit.engine.budget import check_plan_samples
from roikit.engine.plan import _MAX_INDEX, SMALL_GRID


def bilinear_axis(
    coord: np.ndarray, extent: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The RoI Align border rule and linear weights along one axis, for any coordinates.

    Returns ``inside`` (within ``[-1, extent]``), the neighbour cells ``low`` and
    ``high`` (-1 outside) and their weights ``1 - frac`` and ``frac`` (0 outside),
    in the coordinates' dtype: clamp up to 0; from ``extent - 1`` on, both
    neighbours are the last cell.
    """
    dtype = coord.dtype
    with np.errstate(invalid="ignore"):
        inside = (coord >= -1) & (coord <= extent)
    c = np.where(inside & (coord > 0), coord, dtype.type(0))
    low = np.floor(c).astype(np.int64)
    at_edge = low >= extent - 1
    low = np.where(at_edge, extent - 1, low)
    high = np.where(at_edge, low, low + 1)
    c = np.where(at_edge, low.astype(dtype), c)
    w_high = c - low.astype(dtype)
    w_low = dtype.type(1) - w_high
    zero = dtype.type(0)
    return (
        inside,
        np.where(inside, low, -1),
        np.where(inside, high, -1),
        np.where(inside, w_low, zero),
        np.where(inside, w_high, zero),
    )


def _sample_windows(
    base: np.ndarray, bin_size: np.ndarray, grid: np.ndarray, extent: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per (box, bin), the range of sample numbers worth evaluating.

    Small grids are taken whole. For large grids the samples that can land in
    ``[-1, extent]`` are found from the continuous formula with a margin of a
    few samples on each side (coordinates are monotonic in the sample number).
    """
    with np.errstate(over="ignore", invalid="ignore"):  # boxes beyond the float range: off the map
        g = np.where(grid > 0, grid, 0.0)[:, None] * np.ones_like(base, dtype=np.float64)
    lo = np.zeros_like(g)
    hi = np.minimum(g, _MAX_INDEX)
    big = g > SMALL_GRID
    if big.any():
        b64 = base.astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            step = bin_size.astype(np.float64)[:, None] / np.where(g > 0, g, 1.0)
            a = (-1.0 - b64) / step - 0.5
            b = (extent - b64) / step - 0.5
        first = np.where(step > 0, a, b)
        last = np.where(step > 0, b, a)
        est_lo = np.floor(first) - 2
        est_hi = np.ceil(last) + 3
        ok = np.isfinite(est_lo) & np.isfinite(est_hi) & (step != 0)
        flat_in = (step == 0) & (b64 >= -1) & (b64 <= extent)  # every sample alike
        lo = np.where(big & ok, np.clip(est_lo, 0, g), lo)
        hi = np.where(big & ok, np.clip(est_hi, 0, g), hi)
        hi = np.where(big & ~ok & ~flat_in, 0.0, hi)
        lo, hi = np.minimum(lo, _MAX_INDEX), np.minimum(np.maximum(hi, lo), _MAX_INDEX)
    return lo.astype(np.int64), hi.astype(np.int64)


def reference_axis(
    lo_coord: np.ndarray,
    hi_coord: np.ndarray,
    scale: np.generic,
    offset: np.generic,
    bins: int,
    extent: int,
    sampling_ratio: int,
    aligned: bool,
    name: str,
) -> dict[str, np.ndarray]:
    dtype = lo_coord.dtype
    one = dtype.type(1)
    K = lo_coord.shape[0]
    check_plan_samples(name, K * bins, "bins")  # (K, P) arrays come first
    # Huge float32 boxes may overflow to inf: such samples are simply off the map.
    with np.errstate(invalid="ignore", over="ignore"):
        start = lo_coord * scale - offset
        end = hi_coord * scale - offset
        size = end - start
        if not aligned:
            size = np.maximum(size, one)
        bin_size = size / dtype.type(bins)
        if sampling_ratio > 0:
            grid = np.full(K, float(sampling_ratio))
        else:
            grid = np.ceil(size / dtype.type(bins)).astype(np.float64)
        grid = np.where(np.isnan(grid), 0.0, grid)
        p = np.arange(bins, dtype=dtype)
        base = start[:, None] + p[None, :] * bin_size[:, None]  # (K, P)

    win_lo, win_hi = _sample_windows(base, bin_size, grid, extent)
    n = (win_hi - win_lo).ravel()
    check_plan_samples(name, int(n.sum()))  # before anything of that size is allocated
    offsets = np.concatenate([[0], np.cumsum(n)]).astype(np.int64)
    kp = np.repeat(np.arange(K * bins), n)
    k = kp // bins
    index = win_lo.ravel()[kp] + (np.arange(offsets[-1]) - offsets[kp])
    # torchvision writes static_cast<T>(i + .5f): the half is added in float32.
    half = (index.astype(np.float32) + np.float32(0.5)).astype(dtype)
    with np.errstate(invalid="ignore", over="ignore"):
        coord = base.ravel()[kp] + (half * bin_size[k]) / grid.astype(dtype)[k]
    inside, low, high, w_low, w_high = bilinear_axis(coord, extent)

    # In-range samples form one run of sample numbers (coord is monotonic).
    big = np.iinfo(np.int64).max
    first = np.full(K * bins, big, np.int64)
    stop = np.full(K * bins, -1, np.int64)
    np.minimum.at(first, kp[inside], index[inside])
    np.maximum.at(stop, kp[inside], index[inside] + 1)
    none = stop < 0
    first = np.where(none, 0, first)
    stop = np.where(none, 0, stop)

    # Taps: the bin-averaged weight each cell receives, i.e. the rows of A.
    t_first = np.full(K * bins, big, np.int64)
    t_last = np.full(K * bins, -1, np.int64)
    np.minimum.at(t_first, kp[inside], low[inside])
    np.maximum.at(t_last, kp[inside], high[inside])
    t_len = np.where(t_last >= 0, t_last - t_first + 1, 0)
    t_first = np.where(t_last >= 0, t_first, 0)
    t_offsets = np.concatenate([[0], np.cumsum(t_len)]).astype(np.int64)
    weight = np.zeros(int(t_offsets[-1]), dtype)
    kp_in = kp[inside]
    np.add.at(weight, t_offsets[kp_in] + low[inside] - t_first[kp_in], w_low[inside])
    np.add.at(weight, t_offsets[kp_in] + high[inside] - t_first[kp_in], w_high[inside])
    tap_k = np.repeat(np.arange(K * bins) // bins, t_len)
    weight = weight / grid.astype(dtype)[tap_k]

    has_taps = (t_len > 0).reshape(K, bins)
    span_start = np.where(has_taps, t_first.reshape(K, bins), big).min(axis=1, initial=big)
    span_stop = np.where(has_taps, (t_first + t_len).reshape(K, bins), 0).max(axis=1, initial=0)
    span_start = np.where(span_stop > 0, span_start, 0)

    names = (
        "start end size bin_size grid sample_offsets sample_index coord inside low high w_low w_high"
        " first_inside stop_inside tap_offsets tap_start tap_weight span_start span_stop"
    ).split()
    arrays = (
        start,
        end,
        size,
        bin_size,
        grid,
        offsets,
        index,
        coord,
        inside,
        low,
        high,
        w_low,
        w_high,
        first.reshape(K, bins),
        stop.reshape(K, bins),
        t_offsets,
        t_first,
        weight,
        span_start,
        span_stop,
    )
    return dict(zip(names, arrays, strict=True))


def sample_range(K, offsets, inside, low, high):
    """Per box, the cells ``[start, stop)`` its in-range samples interpolate between, on one axis."""
    P = (len(offsets) - 1) // max(K, 1)
    box = np.repeat(np.arange(K * P), np.diff(offsets)) // max(P, 1)
    start = np.full(K, np.iinfo(np.int64).max, np.int64)
    stop = np.zeros(K, np.int64)
    np.minimum.at(start, box[inside], low[inside])
    np.maximum.at(stop, box[inside], high[inside] + 1)
    return np.where(stop > 0, start, 0), stop


def reference_bins(y, x, PH, PW):
    """``count``, ``has_samples``, ``zero_kind`` and the two forms' work per channel, vectorized."""
    has = (y.grid > 0) & (x.grid > 0)
    with np.errstate(invalid="ignore", over="ignore"):
        count = np.where(has, y.grid * x.grid, 1.0)
    gy, gx = y.grid[:, None, None], x.grid[:, None, None]
    fy, sy = y.first_inside[:, :, None], y.stop_inside[:, :, None]
    fx, sx = x.first_inside[:, None, :], x.stop_inside[:, None, :]
    first = (fy > 0) | ~(sy > fy) | (fx > 0) | ~(sx > fx)
    after_row = ~first & (sx < gx)
    last = ~first & ~after_row & (sy < gy)
    kind = np.select([first, after_row, last], [1, 2, 3])
    kind = np.where((gy > 0) & (gx > 0), kind, 0).astype(np.int8)
    K = len(y.grid)
    ty = np.diff(y.tap_offsets).reshape(K, PH).sum(axis=1, dtype=np.float64)
    tx = np.diff(x.tap_offsets).reshape(K, PW).sum(axis=1, dtype=np.float64)
    cols = np.maximum(x.span_stop - x.span_start, 0).astype(np.float64)
    ny = np.diff(y.sample_offsets).reshape(K, PH).sum(axis=1, dtype=np.float64)
    nx = np.diff(x.sample_offsets).reshape(K, PW).sum(axis=1, dtype=np.float64)
    return {
        "count": count,
        "has_samples": has,
        "zero_kind": kind,
        "avg_work": ty * cols + PH * tx + PH * PW,
        "direct_work": 4.0 * ny * nx,
    }
