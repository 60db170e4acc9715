"""The compiled loops that build a RoI Align plan (its axes, then its bins; :mod:`roikit.engine.plan`).

A plan used to be built with vectorized numpy: about fifty array operations
per axis, each on arrays of a few dozen elements, so a call with one box spent
a millisecond in numpy's per-call overhead, ten times torchvision's whole call.
These loops compute the same arrays in one pass per stage, with the same
float operations in the same order (float32 stays float32: numba types
``float32 op float32`` as float32, like numpy), so plans are unchanged bit for
bit; ``tests/test_plan_loops.py`` checks that against the vectorized
definition kept there.

The stages are split where Python must check the budget before allocating:
:func:`axis_grid` works out each bin's samples and their number, the caller
checks it, then :func:`axis_samples` fills the ragged arrays.
"""

from __future__ import annotations

import numpy as np

from .jit import interruptible, jit

__all__ = ["axis_grid", "axis_samples", "align_bins"]

_BIG = np.iinfo(np.int64).max
#: ``AlignPlan.zero_kind`` codes (re-exported by :mod:`roikit.engine.plan`): where the first
#: out-of-range sample of a bin sits in the row-major sample order, relative to the in-range ones.
ZERO_NONE, ZERO_FIRST, ZERO_AFTER_FIRST_ROW, ZERO_LAST = 0, 1, 2, 3


@interruptible
@jit
def axis_grid(lo_coord, hi_coord, scale, offset, one, bins_t, p_t, extent, ratio, aligned, small, max_index):
    """Per box: start, end, size, bin size, grid; per (box, bin): base and the window of samples.

    ``ratio`` is the sampling ratio as a float (0 for adaptive). ``one``, ``bins_t``,
    ``scale``, ``offset`` and ``p_t`` (``arange(P)``) come in the plan's dtype, so
    every product below is computed in it. Returns the arrays and the number
    of samples the windows hold (float64: it may be astronomically large, and
    the caller refuses it before anything that size is allocated).
    """
    K = lo_coord.shape[0]
    P = p_t.shape[0]
    start = np.empty_like(lo_coord)
    end = np.empty_like(lo_coord)
    size = np.empty_like(lo_coord)
    bin_size = np.empty_like(lo_coord)
    grid = np.empty(K, np.float64)
    base = np.empty((K, P), lo_coord.dtype)
    win_lo = np.zeros((K, P), np.int64)
    win_hi = np.zeros((K, P), np.int64)
    total = 0.0
    for k in range(K):
        s = lo_coord[k] * scale - offset
        e = hi_coord[k] * scale - offset
        z = e - s
        if not aligned and z < one:  # np.maximum: a NaN size stays NaN
            z = one
        b = z / bins_t
        if ratio > 0:
            g = ratio
        else:
            g = np.float64(np.ceil(z / bins_t))
        if np.isnan(g):
            g = 0.0
        start[k], end[k], size[k], bin_size[k], grid[k] = s, e, z, b, g
        gg = g if g > 0 else 0.0
        for p in range(P):
            bp = s + p_t[p] * b
            base[k, p] = bp
            lo = 0.0
            hi = min(gg, max_index)
            if gg > small:
                # A large grid: only the samples that can land in [-1, extent], found from the
                # continuous formula with a margin of a few samples (coordinates are monotonic).
                b64 = np.float64(bp)
                step = np.float64(b) / (gg if gg > 0 else 1.0)
                first_at = (-1.0 - b64) / step - 0.5
                last_at = (extent - b64) / step - 0.5
                if not step > 0:
                    first_at, last_at = last_at, first_at
                est_lo = np.floor(first_at) - 2
                est_hi = np.ceil(last_at) + 3
                ok = np.isfinite(est_lo) and np.isfinite(est_hi) and step != 0
                flat_in = step == 0 and b64 >= -1 and b64 <= extent  # every sample alike
                if ok:
                    lo = min(max(est_lo, 0.0), gg)
                    hi = min(max(est_hi, 0.0), gg)
                elif not flat_in:
                    hi = 0.0
                lo = min(lo, max_index)
                hi = min(max(hi, lo), max_index)
            win_lo[k, p] = np.int64(lo)
            win_hi[k, p] = np.int64(hi)
            total += hi - lo
    return start, end, size, bin_size, grid, base, win_lo, win_hi, total


@interruptible
@jit
def axis_samples(base, bin_size, grid, win_lo, win_hi, extent, one_t, total):
    """The ragged samples of every (box, bin), their border rule and weights, and the taps.

    ``grid`` is the float64 grid, converted here to the plan's dtype (a grid
    beyond float32 is inf there, as in torchvision's float32 kernel); ``one_t``
    is 1 in that dtype: a
    sample's number plus a half is computed in float32 and then converted, as
    torchvision writes ``static_cast<T>(i + .5f)``. A sample
    at ``coord`` in ``[-1, extent]`` is clamped up to 0 and, from ``extent - 1``
    on, both neighbours are the last cell; farther out it is worth nothing.
    The taps (rows of ``A``) add every sample's low weight, then every high
    weight, in sample order, and divide by the grid. The arrays come back in
    the order of :class:`~roikit.engine.plan.AlignAxis`'s fields from
    ``sample_offsets`` on.
    """
    K, P = base.shape
    KP = K * P
    zero = one_t - one_t
    cell = np.empty(1, base.dtype)  # an int64 cell number converted to the dtype, as numpy's astype
    grid_t = np.empty(K, base.dtype)
    for k in range(K):
        grid_t[k] = grid[k]  # (a store converts as numpy's astype does: to nearest, inf beyond range)
    offsets = np.empty(KP + 1, np.int64)
    offsets[0] = 0
    for kp in range(KP):
        offsets[kp + 1] = offsets[kp] + (win_hi.flat[kp] - win_lo.flat[kp])
    S = total
    index = np.empty(S, np.int64)
    coord = np.empty(S, base.dtype)
    inside = np.zeros(S, np.bool_)
    low = np.full(S, -1, np.int64)
    high = np.full(S, -1, np.int64)
    w_low = np.zeros(S, base.dtype)
    w_high = np.zeros(S, base.dtype)
    first = np.zeros(KP, np.int64)
    stop = np.zeros(KP, np.int64)
    t_first = np.zeros(KP, np.int64)
    t_len = np.zeros(KP, np.int64)
    for kp in range(KP):
        k = kp // P
        bp = base.flat[kp]
        f, st = _BIG, -1
        tf, tl = _BIG, -1
        for j in range(offsets[kp], offsets[kp + 1]):
            i = win_lo.flat[kp] + (j - offsets[kp])
            index[j] = i
            half = np.float32(i) + np.float32(0.5)
            c = bp + ((zero + half) * bin_size[k]) / grid_t[k]
            coord[j] = c
            if c >= -1 and c <= extent:
                inside[j] = True
                cc = c if c > 0 else zero
                lo = np.int64(np.floor(cc))
                if lo >= extent - 1:
                    lo = extent - 1
                    hi = lo
                    cell[0] = lo
                    cc = cell[0]
                else:
                    hi = lo + 1
                cell[0] = lo
                wh = cc - cell[0]
                low[j], high[j] = lo, hi
                w_low[j], w_high[j] = one_t - wh, wh
                f = min(f, i)
                st = max(st, i + 1)
                tf = min(tf, lo)
                tl = max(tl, hi)
        if st >= 0:
            first[kp], stop[kp] = f, st
        if tl >= 0:
            t_first[kp], t_len[kp] = tf, tl - tf + 1
    t_offsets = np.empty(KP + 1, np.int64)
    t_offsets[0] = 0
    for kp in range(KP):
        t_offsets[kp + 1] = t_offsets[kp] + t_len[kp]
    weight = np.zeros(t_offsets[KP], base.dtype)
    for kp in range(KP):
        for j in range(offsets[kp], offsets[kp + 1]):
            if inside[j]:
                weight[t_offsets[kp] + low[j] - t_first[kp]] += w_low[j]
    for kp in range(KP):
        for j in range(offsets[kp], offsets[kp + 1]):
            if inside[j]:
                weight[t_offsets[kp] + high[j] - t_first[kp]] += w_high[j]
    for kp in range(KP):
        for t in range(t_offsets[kp], t_offsets[kp + 1]):
            weight[t] = weight[t] / grid_t[kp // P]
    span_start = np.zeros(K, np.int64)
    span_stop = np.zeros(K, np.int64)
    for k in range(K):
        a, b = _BIG, 0
        for p in range(P):
            kp = k * P + p
            if t_len[kp] > 0:
                a = min(a, t_first[kp])
                b = max(b, t_first[kp] + t_len[kp])
        span_stop[k] = b
        span_start[k] = a if b > 0 else 0
    return (
        offsets,
        index,
        coord,
        inside,
        low,
        high,
        w_low,
        w_high,
        first.reshape(K, P),
        stop.reshape(K, P),
        t_offsets,
        t_first,
        weight,
        span_start,
        span_stop,
    )


@interruptible
@jit
def align_bins(
    y_grid, y_first, y_stop, x_grid, x_first, x_stop, y_offsets, x_offsets, y_taps, x_taps, x_cols
):
    """Per box: samples per bin, whether it has any, its work; per bin: where its first zero sits.

    Returns ``count`` (``grid_y * grid_x``, 1 when either grid is empty),
    ``has_samples``, ``zero_kind`` (a ``ZERO_*`` code of :mod:`~roikit.engine.plan`:
    for max mode, where the first out-of-range sample of a bin falls in the
    row-major order), and per box and channel the work of the separable avg
    form (row taps over the box's columns, then column taps, then the bins)
    and of the direct form (four neighbours of every stored sample). The work
    is summed in float64 in bin order, as ``np.sum`` of the bins did.
    """
    K, PH = y_first.shape
    PW = x_first.shape[1]
    count = np.ones(K, np.float64)
    has = np.zeros(K, np.bool_)
    kind = np.zeros((K, PH, PW), np.int8)
    avg_work = np.empty(K, np.float64)
    direct_work = np.empty(K, np.float64)
    for k in range(K):
        gy, gx = y_grid[k], x_grid[k]
        has[k] = gy > 0 and gx > 0
        if has[k]:
            count[k] = gy * gx
            for ph in range(PH):
                fy, sy = y_first[k, ph], y_stop[k, ph]
                for pw in range(PW):
                    fx, sx = x_first[k, pw], x_stop[k, pw]
                    if fy > 0 or not sy > fy or fx > 0 or not sx > fx:
                        kind[k, ph, pw] = ZERO_FIRST
                    elif sx < gx:
                        kind[k, ph, pw] = ZERO_AFTER_FIRST_ROW
                    elif sy < gy:
                        kind[k, ph, pw] = ZERO_LAST
        ty, tx, ny, nx = 0.0, 0.0, 0.0, 0.0
        for ph in range(PH):
            ty += np.float64(y_taps[k * PH + ph + 1] - y_taps[k * PH + ph])
            ny += np.float64(y_offsets[k * PH + ph + 1] - y_offsets[k * PH + ph])
        for pw in range(PW):
            tx += np.float64(x_taps[k * PW + pw + 1] - x_taps[k * PW + pw])
            nx += np.float64(x_offsets[k * PW + pw + 1] - x_offsets[k * PW + pw])
        cols = np.float64(max(x_cols[k], 0))
        avg_work[k] = ty * cols + PH * tx + PH * PW
        direct_work[k] = 4.0 * ny * nx
    return count, has, kind, avg_work, direct_work
