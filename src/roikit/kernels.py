"""Compiled kernels that execute a plan. They compute no coordinates or weights.

Every kernel reads the arrays of a :mod:`roikit.plan` plan. Forward kernels
run boxes in parallel (each writes only its own output rows). Backward
kernels run *channels* in parallel and visit boxes in order inside a channel,
so every gradient cell is summed by one thread in a fixed order: the result
is deterministic, with no atomics and no scatter races.

avg RoI Align uses the separable form of DESIGN.md §2 item 9: per box and
channel, ``out = A_y @ F @ A_x.T`` where the rows of ``A_y`` / ``A_x`` are the
plan's *taps* (bin-averaged interpolation weights), and the gradient is
``A_y.T @ G @ A_x``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

_FLT_MAX = np.finfo(np.float32).max

# cache=True keeps the compiled code in __pycache__ between runs.
_jit = njit(cache=True, nogil=True)
_pjit = njit(cache=True, nogil=True, parallel=True)


@_pjit
def align_avg_forward(feat, batch, ty_off, ty_start, ty_w, ysp0, ysp1,
                      tx_off, tx_start, tx_w, xsp0, xsp1, zero, out):  # fmt: skip
    """out[k, c] = A_y[k] @ feat[batch[k], c] @ A_x[k].T, using the plan's taps."""
    K, C, PH, PW = out.shape
    for k in prange(K):
        b = batch[k]
        c0 = xsp0[k]
        ncol = xsp1[k] - c0
        tmp = np.empty((PH, max(ncol, 1)), dtype=out.dtype)
        for c in range(C):
            for ph in range(PH):
                kp = k * PH + ph
                for j in range(ncol):
                    tmp[ph, j] = 0
                r0 = ty_start[kp] - ty_off[kp]
                for t in range(ty_off[kp], ty_off[kp + 1]):
                    w = ty_w[t]
                    row = feat[b, c, r0 + t]
                    for j in range(ncol):
                        tmp[ph, j] += w * row[c0 + j]
            for ph in range(PH):
                for pw in range(PW):
                    kq = k * PW + pw
                    s0 = tx_start[kq] - c0 - tx_off[kq]
                    acc = zero
                    for t in range(tx_off[kq], tx_off[kq + 1]):
                        acc += tx_w[t] * tmp[ph, s0 + t]
                    out[k, c, ph, pw] = acc
    return out


@_pjit
def align_avg_backward(grad, batch, ty_off, ty_start, ty_w, ysp0, ysp1,
                       tx_off, tx_start, tx_w, xsp0, xsp1, dfeat):  # fmt: skip
    """dfeat[batch[k], c] += A_y[k].T @ grad[k, c] @ A_x[k], channels in parallel."""
    K, C, PH, PW = grad.shape
    wmax = 1
    for k in range(K):
        wmax = max(wmax, xsp1[k] - xsp0[k])
    for c in prange(C):
        tmp = np.empty((PH, wmax), dtype=dfeat.dtype)
        for k in range(K):
            b = batch[k]
            c0 = xsp0[k]
            ncol = xsp1[k] - c0
            if ncol <= 0:
                continue
            for ph in range(PH):
                for j in range(ncol):
                    tmp[ph, j] = 0
                for pw in range(PW):
                    g = grad[k, c, ph, pw]
                    kq = k * PW + pw
                    s0 = tx_start[kq] - c0 - tx_off[kq]
                    for t in range(tx_off[kq], tx_off[kq + 1]):
                        tmp[ph, s0 + t] += g * tx_w[t]
            for ph in range(PH):
                kp = k * PH + ph
                r0 = ty_start[kp] - ty_off[kp]
                for t in range(ty_off[kp], ty_off[kp + 1]):
                    w = ty_w[t]
                    row = dfeat[b, c, r0 + t]
                    for j in range(ncol):
                        row[c0 + j] += w * tmp[ph, j]
    return dfeat


@_jit
def _bin_max(img, y_off, y_idx, y_in, y_lo, y_hi, y_wl, y_wh,
             x_off, x_in, x_lo, x_hi, x_wl, x_wh, kp, kq, zero_kind, zero):  # fmt: skip
    """Max over one bin's interpolated samples; returns (value, y sample, x sample).

    The sample index pair is (-1, -1) when an out-of-range sample (value 0)
    wins, and (-2, -2) when nothing won (every in-range value is NaN).
    """
    best = -_FLT_MAX
    by = -2
    bx = -2
    for jy in range(y_off[kp], y_off[kp + 1]):
        if not y_in[jy]:
            continue
        hy = y_wl[jy]
        ly = y_wh[jy]
        r0 = y_lo[jy]
        r1 = y_hi[jy]
        for jx in range(x_off[kq], x_off[kq + 1]):
            if not x_in[jx]:
                continue
            hx = x_wl[jx]
            lx = x_wh[jx]
            c0 = x_lo[jx]
            c1 = x_hi[jx]
            v = (hy * hx) * img[r0, c0] + (hy * lx) * img[r0, c1] \
                + (ly * hx) * img[r1, c0] + (ly * lx) * img[r1, c1]
            if v > best:
                best = v
                by = jy
                bx = jx
    # Out-of-range samples are worth 0; "first maximum wins" in (iy, ix) order.
    # (best is never NaN: a NaN sample never passes the strict '>'.)
    if zero_kind == 1:  # the zero comes before every in-range sample
        zero_wins = by < 0 or best <= 0
    elif zero_kind == 2:  # it comes after the in-range samples of the first row
        zero_wins = by < 0 or best < 0 or (best == 0 and y_idx[by] > 0)
    elif zero_kind == 3:  # it comes after every in-range sample
        zero_wins = by < 0 or best < 0
    else:
        zero_wins = False
    if zero_wins:
        return zero, -1, -1
    return best, by, bx


@_pjit
def align_max_forward(feat, batch, has, zero_kind,
                      y_off, y_idx, y_in, y_lo, y_hi, y_wl, y_wh,
                      x_off, x_in, x_lo, x_hi, x_wl, x_wh, zero, out):  # fmt: skip
    """out[k, c, ph, pw] = max over the bin's interpolated samples (mmcv's max)."""
    K, C, PH, PW = out.shape
    for k in prange(K):
        b = batch[k]
        for c in range(C):
            img = feat[b, c]
            for ph in range(PH):
                for pw in range(PW):
                    if not has[k]:
                        out[k, c, ph, pw] = zero
                        continue
                    v, _, _ = _bin_max(img, y_off, y_idx, y_in, y_lo, y_hi, y_wl, y_wh,
                                       x_off, x_in, x_lo, x_hi, x_wl, x_wh,
                                       k * PH + ph, k * PW + pw, zero_kind[k, ph, pw], zero)
                    out[k, c, ph, pw] = v
    return out


@_pjit
def align_max_backward(feat, grad, batch, has, zero_kind,
                       y_off, y_idx, y_in, y_lo, y_hi, y_wl, y_wh,
                       x_off, x_in, x_lo, x_hi, x_wl, x_wh, zero, dfeat):  # fmt: skip
    """Route each bin's gradient to the 4 neighbours of its winning sample."""
    K, C, PH, PW = grad.shape
    for c in prange(C):
        for k in range(K):
            if not has[k]:
                continue
            b = batch[k]
            img = feat[b, c]
            dimg = dfeat[b, c]
            for ph in range(PH):
                for pw in range(PW):
                    _, jy, jx = _bin_max(img, y_off, y_idx, y_in, y_lo, y_hi, y_wl, y_wh,
                                         x_off, x_in, x_lo, x_hi, x_wl, x_wh,
                                         k * PH + ph, k * PW + pw, zero_kind[k, ph, pw], zero)
                    if jy < 0:
                        continue
                    g = grad[k, c, ph, pw]
                    hy, ly, hx, lx = y_wl[jy], y_wh[jy], x_wl[jx], x_wh[jx]
                    dimg[y_lo[jy], x_lo[jx]] += g * (hy * hx)
                    dimg[y_lo[jy], x_hi[jx]] += g * (hy * lx)
                    dimg[y_hi[jy], x_lo[jx]] += g * (ly * hx)
                    dimg[y_hi[jy], x_hi[jx]] += g * (ly * lx)
    return dfeat


@_jit
def _cell_max(img, h0, h1, w0, w1, zero):
    """Strict-``>`` scan, rows then columns: (value, row, col); (-1, -1) if none won."""
    if h1 <= h0 or w1 <= w0:
        return zero, -1, -1
    best = zero - _FLT_MAX
    br = -1
    bc = -1
    for r in range(h0, h1):
        for q in range(w0, w1):
            v = img[r, q]
            if v > best:
                best = v
                br = r
                bc = q
    return best, br, bc


@_pjit
def pool_forward(feat, batch, hs, he, ws, we, zero, out):
    """out[k, c, ph, pw] = max of the bin's cells; an empty bin gives 0."""
    K, C, PH, PW = out.shape
    for k in prange(K):
        b = batch[k]
        for c in range(C):
            img = feat[b, c]
            for ph in range(PH):
                for pw in range(PW):
                    v, _, _ = _cell_max(img, hs[k, ph], he[k, ph], ws[k, pw], we[k, pw], zero)
                    out[k, c, ph, pw] = v
    return out


@_pjit
def pool_backward(feat, grad, batch, hs, he, ws, we, zero, dfeat):
    """Send each bin's gradient to its argmax cell (nothing for empty bins)."""
    K, C, PH, PW = grad.shape
    for c in prange(C):
        for k in range(K):
            b = batch[k]
            img = feat[b, c]
            for ph in range(PH):
                for pw in range(PW):
                    _, r, q = _cell_max(img, hs[k, ph], he[k, ph], ws[k, pw], we[k, pw], zero)
                    if r >= 0:
                        dfeat[b, c, r, q] += grad[k, c, ph, pw]
    return dfeat
