"""Compiled kernels that execute a plan. They compute no coordinates or weights.

Every kernel reads the arrays of a :mod:`roikit.engine.plan` plan. Features are
processed channels-last, ``(N, H, W, C)``, so each inner loop runs over
contiguous channels (SIMD) while the plan's per-axis data is reused across
them. Forward kernels run boxes in parallel (each writes only its own output).
Backward kernels run fixed chunks of channels in parallel and visit boxes in
order inside a chunk, so every gradient cell is summed by one thread in a fixed
order: deterministic, no atomics, no scatter races, whatever the thread count.

No kernel uses numba's ``parallel=True`` (its threading layers hang forked
workers or abort concurrent callers): each compiled kernel is serial and
``nogil`` over a range ``[lo, hi)`` of its outer loop, and :func:`parallel_over`
wraps it so that :func:`roikit.threads.parallel_range` runs the range on
roikit's own thread pool. Callers use the wrappers, without ``lo, hi``.

avg RoI Align uses the separable form (docs/design.md, "The separable average"): per box,
``out[c] = A_y @ F[c] @ A_x.T`` where the rows of ``A_y`` / ``A_x`` are the
plan's *taps* (bin-averaged interpolation weights); the gradient is
``A_y.T @ G[c] @ A_x``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from . import scratch
from .jit import jit as _jit
from .plan import ZERO_AFTER_FIRST_ROW, ZERO_FIRST, ZERO_LAST, ZERO_NONE
from .threads import get_num_threads, parallel_range

_FLT_MAX = np.finfo(np.float32).max
#: Channels per backward work item (the chunk-major buffer's last axis), unless :func:`chunk_width`
#: can give each thread a chunk of ``WIDE_CHUNK``. The width never changes a sum: each channel's
#: gradient adds its boxes, bins and samples in the same order in a chunk of any width.
CHUNK = 32
#: The wider chunk: the direct backward's four loops of a chunk's channels per sample cost their
#: set-up once per 64 values instead of per 32 (W1's direct backward kernel, 2 threads: 15-16 ->
#: 9 ms on the AMD VM).
WIDE_CHUNK = 64


def parallel_over(
    arg: int = -1, axis: int = 0, items: int | None = None
) -> Callable[[Callable[..., Any]], Any]:
    """Compile ``kernel(*args, lo, hi)`` and return ``run(*args)`` that runs it on the thread pool.

    The range is ``range(args[arg].shape[axis])`` (by default the first
    dimension of the last argument, the output: boxes for a forward kernel,
    channel chunks for a backward buffer), or ``range(items)``. ``run``
    returns the last argument; ``run.compiled`` is the numba kernel.
    ``run(*args, cost=...)`` passes the items' costs to the splitter, which
    then cuts parts of bounded cost (see :func:`roikit.threads.parallel_range`).
    """

    def wrap(kernel: Callable[..., Any]) -> Any:
        compiled = _jit(kernel)

        @functools.wraps(kernel)
        def run(*args: Any, cost: Any = None) -> Any:
            extent = items if items is not None else int(args[arg].shape[axis])
            parallel_range(compiled, extent, *args, cost=cost)
            return args[-1]

        run.compiled = compiled  # type: ignore[attr-defined]
        return run

    return wrap


#: Tests set this (to NaN) to fill the cells a spans copy leaves out: a kernel that reads one shows.
UNREAD_FILL = None


def to_channels_last(feat, spans=None):
    """(N, C, H, W) -> (N, H, W, C) the kernels read, C-contiguous.

    An input already laid out channels-last in memory (a ``channels_last``
    torch tensor, ``x.transpose(0, 3, 1, 2)`` of an NHWC array) is returned as a
    view, without a copy. ``spans`` (from :func:`row_spans`) names the cells the
    call reads, row by row: only those are written (the rest of the array is
    never read, nor written: it is the calling thread's kept buffer, see
    :mod:`roikit.engine.scratch`, whose pages were faulted in by an earlier
    call), so a few boxes on a large map cost their own cells, not the map's.
    The array is the caller's while it is alive. Cell (0, 0) of every image is always
    written: torchvision's kernels read it with zero weights for samples off
    the map, and so do the avg kernels here on a non-finite map.
    """
    N, C, H, W = feat.shape
    view = feat.transpose(0, 2, 3, 1)
    if view.flags.c_contiguous:
        return view
    out = scratch.take((N, H, W, C), feat.dtype)  # (kept between calls: see roikit.engine.scratch)
    if UNREAD_FILL is not None and spans is not None:
        out.fill(UNREAD_FILL)
    if spans is None:  # every row whole (one kernel for both, as in from_chunked)
        lo, hi = np.zeros((N, H), np.int64), np.full((N, H), W, np.int64)
    else:
        lo, hi = spans
    parallel_range(_channels_last_spans, N * H, feat, lo, hi, out, cost=((hi - lo) * C).ravel())
    if spans is not None and H and W:
        out[:, 0, 0, :] = feat[:, :, 0, 0]
    return out


@_jit
def _channels_last_spans(feat, lo, hi, out, a, b):
    N, C, H, W = feat.shape
    for nh in range(a, b):
        n = nh // H
        h = nh % H
        _row_to_channels_last(feat[n, :, h], out[n, h], lo[n, h], hi[n, h])
    return out


@_jit
def _row_to_channels_last(src, dst, w0, w1):
    """dst[w, c] = src[c, w] for the columns [w0, w1) of one image row.

    Cell by cell, gathering its channels: each of ``src``'s C lines (one per
    channel) is brought into L1 once and serves the next 16 cells, while the
    stores run along ``dst``. On this machine (single thread) that is 2-4x
    faster than blocks of 8 channels, column by column, which it replaced
    (256 x 50 x 50 maps: 0.42 against 1.6 ms; 256 x 200 x 336: 16 against 23 ms). Tried again on
    the AMD VM (single thread, whole maps of 2 x 256 x 50 x 50 to 1 x 256 x 200 x 200): blocks of
    16 x 16 to 64 x 16 (channels x columns), 8 x 8 and 16 x 16 tiles through a local buffer, and a
    channel-outer loop all took 1.4-2.3x this one's time; numpy's own transposing copy 1.05-1.1x.
    """
    C = src.shape[0]
    for w in range(w0, w1):
        cell = dst[w]
        for c in range(C):
            cell[c] = src[c, w]


_NO_SPAN = 2**63 - 1  # (np.iinfo's constructor took 3 us of a one-box call)


def row_spans(N, H, batch, r0, r1, c0, c1):
    """Per image row, the columns ``[lo, hi)`` that the boxes' cell ranges cover (lo = hi: none).

    Box ``k`` reads rows ``[r0[k], r1[k])`` and columns ``[c0[k], c1[k])`` of
    image ``batch[k]``; the third value returned is how many cells that is.
    (numpy, not compiled: it runs once per call, and compiling it would add a
    second to the first call of a fresh process.)
    """
    r0, r1, c0, c1 = (np.asarray(v, np.int64) for v in (r0, r1, c0, c1))
    batch = np.asarray(batch, np.int64)
    lo = np.full((N, H), _NO_SPAN, np.int64)
    hi = np.zeros((N, H), np.int64)
    if len(r0) <= 16:
        # a few boxes: a slice each (numpy's ufunc.at costs more per call than this loop)
        for n, a0, a1, b0, b1 in zip(*(v.tolist() for v in (batch, r0, r1, c0, c1)), strict=True):
            if a1 > a0 and b1 > b0:
                np.minimum(lo[n, a0:a1], b0, out=lo[n, a0:a1])
                np.maximum(hi[n, a0:a1], b1, out=hi[n, a0:a1])
    else:
        ok = (r1 > r0) & (c1 > c0)
        heights = np.where(ok, r1 - r0, 0)
        box = np.repeat(np.arange(len(heights)), heights)
        starts = np.cumsum(heights) - heights
        row = r0[box] + (np.arange(len(box)) - starts[box])
        where = (batch[box], row)
        np.minimum.at(lo, where, c0[box])
        np.maximum.at(hi, where, c1[box])
    np.minimum(lo, hi, out=lo)  # a row no box reads: [0, 0) (any other has lo < hi)
    return lo, hi, int((hi - lo).sum())


def chunk_width(C, threads):
    """Channels per backward work item for ``C`` channels on ``threads`` threads.

    ``WIDE_CHUNK`` when that still makes a work item per thread, else ``CHUNK``
    (64 channels on 2 threads: two chunks of 32, not one of 64 that one thread
    would run alone).
    """
    return WIDE_CHUNK if (C + WIDE_CHUNK - 1) // WIDE_CHUNK >= threads else CHUNK


def zeros_chunked(shape, dtype, spans=None, chunk=None):
    """Return a zero gradient buffer for (N, C, H, W) ``shape``, laid out chunk-major.

    Layout (C/chunk, N, H, W, chunk): each backward work item owns one
    contiguous block, so no two threads share a cache line. ``chunk`` (by
    default :func:`chunk_width` for the pool's threads) is the buffer's last
    axis; the kernels read their chunk's width from it. The buffer is the
    calling thread's kept one (:mod:`roikit.engine.scratch`); with ``spans``
    (from :func:`row_spans`) only those cells are zeroed: the backward writes
    no other, and :func:`from_chunked` copies no other.
    """
    N, C, H, W = shape
    if chunk is None:
        chunk = chunk_width(C, get_num_threads())
    buf = scratch.take(((C + chunk - 1) // chunk, N, H, W, chunk), dtype)
    if spans is None:
        lo, hi = np.zeros((N, H), np.int64), np.full((N, H), W, np.int64)
    else:
        lo, hi = spans
    parallel_range(_zero_rows, N * H, buf, lo, hi, cost=((hi - lo) * C).ravel())
    return buf


@_jit
def _chunk_channels(buf, ci, C):
    """The first channel and the channel count of chunk ``ci`` of a chunk-major buffer of C channels."""
    ch0 = ci * buf.shape[4]  # (the buffer's last axis is its chunk width)
    return ch0, min(C, ch0 + buf.shape[4]) - ch0


@_jit
def _zero_rows(buf, lo, hi, a, b):
    chunks, N, H, W, _ = buf.shape
    for nh in range(a, b):
        n = nh // H
        h = nh % H
        for cc in range(chunks):
            buf[cc, n, h, lo[n, h] : hi[n, h]] = 0
    return buf


def from_chunked(buf, C, spans=None):
    """Chunk-major (C/chunk, N, H, W, chunk) -> contiguous (N, C, H, W).

    With ``spans`` (from :func:`row_spans`: every cell the backward wrote lies in
    them) only those cells are copied into an array of zeros that the system
    hands out untouched: a few boxes on a large map cost their own cells.
    """
    _, N, H, W, _ = buf.shape
    if spans is None:
        out = np.empty((N, C, H, W), dtype=buf.dtype)
        lo = np.zeros((N, H), np.int64)
        hi = np.full((N, H), W, np.int64)
    else:
        lo, hi = spans
        out = np.zeros((N, C, H, W), dtype=buf.dtype)
    parallel_range(_from_chunked_rows, N * H, buf, lo, hi, out, cost=((hi - lo) * C).ravel())
    return out


@_jit
def _from_chunked_rows(buf, lo, hi, out, a, b):
    # Row by row and chunk by chunk: each cell's chunk of values is read along the buffer and written
    # to its planes (lines that stay in L1 across the row's cells); 1.7x faster on W1's
    # 256 x 50 x 50 maps than channel by channel along each plane's row, which it replaced.
    chunks, N, H, W, _ = buf.shape
    C = out.shape[1]
    for nh in range(a, b):
        n = nh // H
        h = nh % H
        w0 = lo[n, h]
        w1 = hi[n, h]
        for cc in range(chunks):
            src = buf[cc, n, h]
            c0, m = _chunk_channels(buf, cc, C)
            for w in range(w0, w1):
                cell = src[w]
                for j in range(m):
                    out[n, c0 + j, h, w] = cell[j]
    return out


# ----------------------------------------------------------------------------- avg align


@_jit
def _align_bin_direct(
    img, ch, kp, kq, y_off, y_in, y_lo, y_hi, y_wl, y_wh, x_off, x_in, x_lo, x_hi, x_wl, x_wh, count
):
    """One bin of avg RoI Align the direct way, as torchvision writes it.

    The sum over samples of ``w1*v1 + w2*v2 + w3*v3 + w4*v4``, over ``count``;
    a sample off the map is torchvision's ``0 * v`` of cell (0, 0), four
    times. Used only where the separable form gives a non-finite value: on a
    map holding infinities, torchvision's zero weights times ``inf`` make NaN
    where the separable form (whose taps merge weights, and skip cells no
    sample reads) gives ``inf``, or NaN elsewhere.
    """
    # a zero of the plan's dtype (not ``count - count``: a count beyond float32's range is inf, and
    # inf - inf is NaN)
    zero = np.zeros(1, dtype=y_wl.dtype)[0]
    acc = zero
    for jy in range(y_off[kp], y_off[kp + 1]):
        hy = y_wl[jy]
        ly = y_wh[jy]
        for jx in range(x_off[kq], x_off[kq + 1]):
            if not (y_in[jy] and x_in[jx]):
                acc += zero * img[0, 0, ch] * 4
                continue
            hx = x_wl[jx]
            lx = x_wh[jx]
            acc += (
                hy * hx * img[y_lo[jy], x_lo[jx], ch]
                + hy * lx * img[y_lo[jy], x_hi[jx], ch]
                + ly * hx * img[y_hi[jy], x_lo[jx], ch]
                + ly * lx * img[y_hi[jy], x_hi[jx], ch]
            )
    return acc / count


@parallel_over(arg=-2)
def align_avg_forward(
    feat,
    batch,
    ty_off,
    ty_start,
    ty_w,
    ysp0,
    ysp1,
    tx_off,
    tx_start,
    tx_w,
    xsp0,
    xsp1,
    y_off,
    y_in,
    y_lo,
    y_hi,
    y_wl,
    y_wh,
    x_off,
    x_in,
    x_lo,
    x_hi,
    x_wl,
    x_wh,
    count,
    zero_kind,
    which,
    out,
    lo,
    hi,
):
    """out[k, :, ph, pw] = sum over taps of w_y * w_x * feat[b, row, col, :].

    A non-finite value (a map holding infinities) is recomputed the direct way,
    so that it is torchvision's (see :func:`_align_bin_direct`); empty sample
    arrays (PrRoI's integral taps have no samples) leave it as it is. Runs the
    boxes ``which`` (the others are left to another form).
    """
    K, C, PH, PW = out.shape
    tile = _tile(PH * PW, C, out)  # the box's bins, channels-last (see _store_tile)
    for i in range(lo, hi):
        k = which[i]
        b = batch[k]
        c0 = xsp0[k]
        ncol = max(xsp1[k] - c0, 0)
        tmp = np.zeros((PH, max(ncol, 1), C), dtype=out.dtype)
        for ph in range(PH):  # contract rows: tmp[ph] = A_y[ph] @ F over the box's columns
            kp = k * PH + ph
            r0 = ty_start[kp] - ty_off[kp]
            for t in range(ty_off[kp], ty_off[kp + 1]):
                w = ty_w[t]
                for j in range(ncol):
                    src = feat[b, r0 + t, c0 + j]
                    dst = tmp[ph, j]
                    for ch in range(C):
                        dst[ch] += w * src[ch]
        origin = feat[b, 0, 0]
        for ph in range(PH):  # contract columns: out[ph, pw] = tmp[ph] @ A_x[pw]
            for pw in range(PW):
                kq = k * PW + pw
                off_map = zero_kind.shape[0] > 0 and zero_kind[k, ph, pw] != 0
                s0 = tx_start[kq] - c0 - tx_off[kq]
                acc = tile[ph * PW + pw]
                for ch in range(C):
                    acc[ch] = 0
                for t in range(tx_off[kq], tx_off[kq + 1]):
                    w = tx_w[t]
                    src = tmp[ph, s0 + t]
                    for ch in range(C):
                        acc[ch] += w * src[ch]
                finite = True
                for ch in range(C):  # (a reduction, vectorised: the fix-ups below are rare)
                    finite &= acc[ch] - acc[ch] == 0
                if finite and not off_map:
                    continue
                kp = k * PH + ph
                for ch in range(C):
                    v = acc[ch]
                    if off_map and not origin[ch] - origin[ch] == 0:
                        # torchvision reads cell (0, 0) with zero weights for a sample off the map:
                        # 0 * inf (or NaN) there makes its output NaN
                        acc[ch] = origin[ch] - origin[ch]
                    elif not v - v == 0 and y_off.shape[0] > 0:  # inf or NaN: the map holds infinities
                        acc[ch] = _align_bin_direct(
                            feat[b],
                            ch,
                            kp,
                            kq,
                            y_off,
                            y_in,
                            y_lo,
                            y_hi,
                            y_wl,
                            y_wh,
                            x_off,
                            x_in,
                            x_lo,
                            x_hi,
                            x_wl,
                            x_wh,
                            count[k],
                        )
        _store_tile(tile, out[k])
    return out


@parallel_over(arg=-2)
def align_avg_direct_forward(
    feat,
    batch,
    y_off,
    y_in,
    y_lo,
    y_hi,
    y_wl,
    y_wh,
    x_off,
    x_in,
    x_lo,
    x_hi,
    x_wl,
    x_wh,
    count,
    which,
    out,
    lo,
    hi,
):
    """RoI Align (avg) the direct way, vectorised over channels: torchvision's sum, sample by sample.

    For boxes with few samples per bin and many columns (``sampling_ratio=2``
    on a large box) this is less work than the separable form, whose row
    contraction runs over every column of the box. The same arithmetic as
    :func:`_align_bin_direct`, in the same order. A box's bins are computed
    into a (PH*PW, C) tile, divided there, and written to ``out[k]`` in one
    transposing pass (see :func:`_store_tile`).
    """
    K, C, PH, PW = out.shape
    tile = _tile(PH * PW, C, out)
    zero = np.zeros(1, dtype=out.dtype)[0]  # (not ``n - n``: a count beyond float32's range is inf)
    for i in range(lo, hi):
        k = which[i]
        img = feat[batch[k]]
        n = count[k]
        origin = img[0, 0]
        for ph in range(PH):
            kp = k * PH + ph
            for pw in range(PW):
                kq = k * PW + pw
                acc = tile[ph * PW + pw]
                a = y_off[kp]
                b = x_off[kq]
                if (
                    y_off[kp + 1] - a == 2
                    and x_off[kq + 1] - b == 2
                    and y_in[a]
                    and y_in[a + 1]
                    and x_in[b]
                    and x_in[b + 1]
                ):
                    r0, r1, r2, r3 = img[y_lo[a]], img[y_hi[a]], img[y_lo[a + 1]], img[y_hi[a + 1]]
                    c0, c1, c2, c3 = x_lo[b], x_hi[b], x_lo[b + 1], x_hi[b + 1]
                    hy0, ly0, hy1, ly1 = y_wl[a], y_wh[a], y_wl[a + 1], y_wh[a + 1]
                    hx0, lx0, hx1, lx1 = x_wl[b], x_wh[b], x_wl[b + 1], x_wh[b + 1]
                    # sample (iy, ix): neighbours (lo, lo), (lo, hi), (hi, lo), (hi, hi), torchvision's w1..w4
                    a00, a01, a02, a03 = r0[c0], r0[c1], r1[c0], r1[c1]
                    a10, a11, a12, a13 = r0[c2], r0[c3], r1[c2], r1[c3]
                    a20, a21, a22, a23 = r2[c0], r2[c1], r3[c0], r3[c1]
                    a30, a31, a32, a33 = r2[c2], r2[c3], r3[c2], r3[c3]
                    w00, w01, w02, w03 = hy0 * hx0, hy0 * lx0, ly0 * hx0, ly0 * lx0
                    w10, w11, w12, w13 = hy0 * hx1, hy0 * lx1, ly0 * hx1, ly0 * lx1
                    w20, w21, w22, w23 = hy1 * hx0, hy1 * lx0, ly1 * hx0, ly1 * lx0
                    w30, w31, w32, w33 = hy1 * hx1, hy1 * lx1, ly1 * hx1, ly1 * lx1
                    # torchvision's running sum starts at 0 (0 + -0 is +0); the count is finite here
                    # (4 samples), but a typed zero must not come from it in general
                    nil = hy0 - hy0
                    for ch in range(C):
                        s = nil + (w00 * a00[ch] + w01 * a01[ch] + w02 * a02[ch] + w03 * a03[ch])
                        s += w10 * a10[ch] + w11 * a11[ch] + w12 * a12[ch] + w13 * a13[ch]
                        s += w20 * a20[ch] + w21 * a21[ch] + w22 * a22[ch] + w23 * a23[ch]
                        s += w30 * a30[ch] + w31 * a31[ch] + w32 * a32[ch] + w33 * a33[ch]
                        acc[ch] = s / n
                    continue
                for ch in range(C):
                    acc[ch] = 0  # (not ``zero``: a count beyond float32 is inf, and inf - inf is NaN)
                for jy in range(a, y_off[kp + 1]):
                    hy = y_wl[jy]
                    ly = y_wh[jy]
                    for jx in range(b, x_off[kq + 1]):
                        if not (y_in[jy] and x_in[jx]):
                            for ch in range(C):  # torchvision's zero-weight read of cell (0, 0)
                                acc[ch] += zero * origin[ch] * 4
                            continue
                        hx = x_wl[jx]
                        lx = x_wh[jx]
                        v1 = img[y_lo[jy], x_lo[jx]]
                        v2 = img[y_lo[jy], x_hi[jx]]
                        v3 = img[y_hi[jy], x_lo[jx]]
                        v4 = img[y_hi[jy], x_hi[jx]]
                        for ch in range(C):
                            acc[ch] += (
                                hy * hx * v1[ch] + hy * lx * v2[ch] + ly * hx * v3[ch] + ly * lx * v4[ch]
                            )
                for ch in range(C):  # (its own loop: vectorised, where a division per strided store is not)
                    acc[ch] = acc[ch] / n
        _store_tile(tile, out[k])
    return out


@_jit
def _tile(rows, channels, like):
    """An uninitialised (rows, width) array of ``like``'s dtype for ``rows`` bins of ``channels`` values.

    The width is ``channels`` rounded up to an odd number of 64-byte cache lines: a row of 256
    float32 is 16 lines, and :func:`_store_tile` reads a channel down the rows, so with that width
    every row would fall in the same few sets of the L1 cache and evict the others. Timed alone,
    interleaved, single-threaded on this project's VM, storing W1's 512 boxes of 7 x 7 bins went
    from 12.5 to 10.4 ms, W2's 256 boxes of 14 x 14 from 29.7 to 16.1 ms. Only the first
    ``channels`` columns are used.
    """
    per_line = max(64 // like.itemsize, 1)
    lines = (channels + per_line - 1) // per_line
    if lines % 2 == 0:
        lines += 1
    return np.empty((rows, lines * per_line), dtype=like.dtype)


@_jit
def _store_tile(tile, dst):
    """dst[c, ph, pw] = tile[ph * PW + pw, c]: one box's bins, channels-last, into its (C, PH, PW) output.

    Channel by channel, so that the stores run along ``dst``'s contiguous rows; ``dst`` (a box of a
    C-contiguous output) is read as one flat row per channel: one loop of PH*PW stores instead of
    PH loops of PW (W1's 512 boxes of 7 x 7 bins, stored alone, single-threaded: 4.6 -> 3.2 ms).
    """
    C, PH, PW = dst.shape
    Q = PH * PW
    flat = dst.reshape(C * Q)
    for ch in range(C):
        base = ch * Q
        for q in range(Q):
            flat[base + q] = tile[q, ch]


def align_avg_direct_forward_planar(feat, *args, cost=None):
    """:func:`align_avg_direct_forward` on (N, C, H, W) features as they are, one (box, channel) per item."""
    which, out = args[-2:]
    parallel_range(_align_direct_planar, which.shape[0] * out.shape[1], feat, *args, cost=cost)
    return out


@_jit
def _align_direct_planar(
    feat,
    batch,
    y_off,
    y_in,
    y_lo,
    y_hi,
    y_wl,
    y_wh,
    x_off,
    x_in,
    x_lo,
    x_hi,
    x_wl,
    x_wh,
    count,
    which,
    out,
    lo,
    hi,
):
    K, C, PH, PW = out.shape
    acc = np.zeros(1, dtype=out.dtype)  # an array element: each step rounds as in the channels-last kernel
    zero = np.zeros(1, dtype=out.dtype)[0]  # (not ``count - count``: a count beyond float32's range is inf)
    for kc in range(lo, hi):
        k = which[kc // C]
        ch = kc % C
        img = feat[batch[k], ch]
        for ph in range(PH):
            kp = k * PH + ph
            for pw in range(PW):
                kq = k * PW + pw
                acc[0] = 0
                for jy in range(y_off[kp], y_off[kp + 1]):
                    hy = y_wl[jy]
                    ly = y_wh[jy]
                    for jx in range(x_off[kq], x_off[kq + 1]):
                        if not (y_in[jy] and x_in[jx]):
                            acc[0] += zero * img[0, 0] * 4
                            continue
                        hx = x_wl[jx]
                        lx = x_wh[jx]
                        r0 = img[y_lo[jy]]
                        r1 = img[y_hi[jy]]
                        acc[0] += (
                            hy * hx * r0[x_lo[jx]]
                            + hy * lx * r0[x_hi[jx]]
                            + ly * hx * r1[x_lo[jx]]
                            + ly * lx * r1[x_hi[jx]]
                        )
                out[k, ch, ph, pw] = acc[0] / count[k]
    return out


def align_avg_forward_planar(feat, *args, cost=None):
    """:func:`align_avg_forward` on (N, C, H, W) features as they are, one (box, channel) per item.

    The same sums in the same order (rows first, then columns, taps in order),
    so the same bits; the inner loop runs over the box's columns, contiguous
    in this layout. It needs no relayout, so a few boxes on a large map cost
    their own cells: what torchvision's layout gives, for the calls where a
    channels-last copy would cost more than the work.
    """
    which, out = args[-2:]
    parallel_range(_align_avg_planar, which.shape[0] * out.shape[1], feat, *args, cost=cost)
    return out


@_jit
def _align_avg_planar(
    feat,
    batch,
    ty_off,
    ty_start,
    ty_w,
    ysp0,
    ysp1,
    tx_off,
    tx_start,
    tx_w,
    xsp0,
    xsp1,
    y_off,
    y_in,
    y_lo,
    y_hi,
    y_wl,
    y_wh,
    x_off,
    x_in,
    x_lo,
    x_hi,
    x_wl,
    x_wh,
    count,
    zero_kind,
    which,
    out,
    lo,
    hi,
):
    K, C, PH, PW = out.shape
    for kc in range(lo, hi):
        k = which[kc // C]
        ch = kc % C
        b = batch[k]
        plane = feat[b, ch]
        c0 = xsp0[k]
        ncol = max(xsp1[k] - c0, 0)
        tmp = np.zeros((PH, max(ncol, 1)), dtype=out.dtype)
        acc = np.zeros(1, dtype=out.dtype)
        for ph in range(PH):  # contract rows: tmp[ph] = A_y[ph] @ F over the box's columns
            kp = k * PH + ph
            r0 = ty_start[kp] - ty_off[kp]
            dst = tmp[ph]
            for t in range(ty_off[kp], ty_off[kp + 1]):
                w = ty_w[t]
                src = plane[r0 + t]
                for j in range(ncol):
                    dst[j] += w * src[c0 + j]
        origin = plane[0, 0]
        for ph in range(PH):  # contract columns: out[ph, pw] = tmp[ph] @ A_x[pw]
            for pw in range(PW):
                kq = k * PW + pw
                off_map = zero_kind.shape[0] > 0 and zero_kind[k, ph, pw] != 0
                s0 = tx_start[kq] - c0 - tx_off[kq]
                acc[0] = 0  # an array element, so that every step rounds as the channels-last kernel's
                for t in range(tx_off[kq], tx_off[kq + 1]):
                    acc[0] += tx_w[t] * tmp[ph, s0 + t]
                v = acc[0]
                if off_map and not origin - origin == 0:
                    v = origin - origin  # torchvision's zero-weight read of cell (0, 0): NaN on inf
                elif not v - v == 0 and y_off.shape[0] > 0:  # inf or NaN: the map holds infinities
                    v = _align_bin_direct(
                        plane.reshape((plane.shape[0], plane.shape[1], 1)),  # (H, W, 1): the same
                        0,  # specialization as the channels-last kernel's call
                        k * PH + ph,
                        kq,
                        y_off,
                        y_in,
                        y_lo,
                        y_hi,
                        y_wl,
                        y_wh,
                        x_off,
                        x_in,
                        x_lo,
                        x_hi,
                        x_wl,
                        x_wh,
                        count[k],
                    )
                out[k, ch, ph, pw] = v
    return out


@parallel_over()
def align_avg_backward(
    grad, batch, ty_off, ty_start, ty_w, ysp0, ysp1, tx_off, tx_start, tx_w, xsp0, xsp1, k0, k1, dfeat, lo, hi
):
    """dfeat[chunk, b] += A_y.T @ grad[k, chunk] @ A_x, one chunk per work item."""
    K, C, PH, PW = grad.shape
    wmax = 1
    for k in range(K):
        wmax = max(wmax, xsp1[k] - xsp0[k])
    for ci in range(lo, hi):
        ch0, nch = _chunk_channels(dfeat, ci, C)
        tmp = np.empty((PH, wmax, nch), dtype=dfeat.dtype)
        g = np.empty((PH, PW, nch), dtype=dfeat.dtype)
        for k in range(k0, k1):
            b = batch[k]
            c0 = xsp0[k]
            ncol = xsp1[k] - c0
            if ncol <= 0:
                continue
            for ph in range(PH):
                for pw in range(PW):
                    for ch in range(nch):
                        g[ph, pw, ch] = grad[k, ch0 + ch, ph, pw]
            tmp[:, :ncol, :] = 0
            for ph in range(PH):
                for pw in range(PW):
                    kq = k * PW + pw
                    s0 = tx_start[kq] - c0 - tx_off[kq]
                    src = g[ph, pw]
                    for t in range(tx_off[kq], tx_off[kq + 1]):
                        w = tx_w[t]
                        dst = tmp[ph, s0 + t]
                        for ch in range(nch):
                            dst[ch] += w * src[ch]
            for ph in range(PH):
                kp = k * PH + ph
                r0 = ty_start[kp] - ty_off[kp]
                for t in range(ty_off[kp], ty_off[kp + 1]):
                    w = ty_w[t]
                    for j in range(ncol):
                        dst = dfeat[ci, b, r0 + t, c0 + j]
                        src = tmp[ph, j]
                        for ch in range(nch):
                            dst[ch] += w * src[ch]
    return dfeat


@parallel_over()
def align_avg_direct_backward(
    grad,
    batch,
    y_off,
    y_in,
    y_lo,
    y_hi,
    y_wl,
    y_wh,
    x_off,
    x_in,
    x_lo,
    x_hi,
    x_wl,
    x_wh,
    count,
    k0,
    k1,
    dfeat,
    lo,
    hi,
):
    """dfeat[chunk, b] += each sample's share of its bin's gradient, on its four neighbours.

    The direct form's transpose (torchvision's backward, sample by sample): a
    sample on the map sends ``w_i * (g / count)`` to neighbour ``i``; one off
    the map sends nothing. Boxes in order, bins and samples in order, one
    channel chunk per work item: every cell is summed in a fixed order.
    """
    K, C, PH, PW = grad.shape
    for ci in range(lo, hi):
        ch0, nch = _chunk_channels(dfeat, ci, C)
        g = np.empty((PH, PW, nch), dtype=dfeat.dtype)
        for k in range(k0, k1):
            img = dfeat[ci, batch[k]]
            n = count[k]
            for ch in range(nch):  # the box's chunk, bins innermost: its (PH, PW) planes in turn
                for ph in range(PH):
                    for pw in range(PW):
                        g[ph, pw, ch] = grad[k, ch0 + ch, ph, pw]
            flat = g.reshape(-1)
            for j in range(flat.shape[0]):  # (its own contiguous loop: vectorised)
                flat[j] = flat[j] / n
            for ph in range(PH):
                kp = k * PH + ph
                for pw in range(PW):
                    kq = k * PW + pw
                    src = g[ph, pw]
                    for jy in range(y_off[kp], y_off[kp + 1]):
                        if not y_in[jy]:
                            continue
                        hy = y_wl[jy]
                        ly = y_wh[jy]
                        for jx in range(x_off[kq], x_off[kq + 1]):
                            if not x_in[jx]:
                                continue
                            hx = x_wl[jx]
                            lx = x_wh[jx]
                            d1 = img[y_lo[jy], x_lo[jx]]
                            d2 = img[y_lo[jy], x_hi[jx]]
                            d3 = img[y_hi[jy], x_lo[jx]]
                            d4 = img[y_hi[jy], x_hi[jx]]
                            w1 = hy * hx
                            w2 = hy * lx
                            w3 = ly * hx
                            w4 = ly * lx
                            # (a loop per neighbour: two may be one cell, at the map's last row or column)
                            for ch in range(nch):
                                d1[ch] += w1 * src[ch]
                            for ch in range(nch):
                                d2[ch] += w2 * src[ch]
                            for ch in range(nch):
                                d3[ch] += w3 * src[ch]
                            for ch in range(nch):
                                d4[ch] += w4 * src[ch]
    return dfeat


# ----------------------------------------------------------------------------- max align


@_jit
def _neighbours(img, jy, jx, y_lo, y_hi, y_wl, y_wh, x_lo, x_hi, x_wl, x_wh):
    """Sample ``(jy, jx)``'s four bilinear weights and its four neighbour cells (channels-last rows).

    In torchvision's order: (low, low), (low, high), (high, low), (high, high).
    """
    hy, ly, hx, lx = y_wl[jy], y_wh[jy], x_wl[jx], x_wh[jx]
    return (
        hy * hx,
        hy * lx,
        ly * hx,
        ly * lx,
        img[y_lo[jy], x_lo[jx]],
        img[y_lo[jy], x_hi[jx]],
        img[y_hi[jy], x_lo[jx]],
        img[y_hi[jy], x_hi[jx]],
    )


@_jit
def _point(w1, w2, w3, w4, v1, v2, v3, v4, corners):
    """A sample's value for max mode: interpolated, or with ``corners`` its largest weighted corner.

    ``corners`` is ONNX Runtime's RoiAlign max: ``max(w1*v1, w2*v2, w3*v3, w4*v4)``.
    """
    if corners:
        return max(max(max(w1 * v1, w2 * v2), w3 * v3), w4 * v4)
    return w1 * v1 + w2 * v2 + w3 * v3 + w4 * v4


@_jit
def _align_bin_max(
    img,
    nch,
    kp,
    kq,
    zero_kind,
    y_off,
    y_idx,
    y_in,
    y_lo,
    y_hi,
    y_wl,
    y_wh,
    x_off,
    x_in,
    x_lo,
    x_hi,
    x_wl,
    x_wh,
    best,
    win_y,
    win_x,
    corners,
):
    """Max of one bin's interpolated samples, in its ``nch`` channels, with the winning samples.

    With ``corners`` a sample is worth its largest weighted corner (:func:`_point`).

    Fills ``best`` and the winning samples' positions in the plan's flat sample
    arrays; ``win_y = -1`` when an out-of-range sample (worth 0) wins, ``-2``
    when nothing won (every in-range value is NaN).
    """
    for ch in range(nch):
        best[ch] = -_FLT_MAX
        win_y[ch] = -2
        win_x[ch] = -2
    for jy in range(y_off[kp], y_off[kp + 1]):
        if not y_in[jy]:
            continue
        for jx in range(x_off[kq], x_off[kq + 1]):
            if not x_in[jx]:
                continue
            w1, w2, w3, w4, v1, v2, v3, v4 = _neighbours(
                img, jy, jx, y_lo, y_hi, y_wl, y_wh, x_lo, x_hi, x_wl, x_wh
            )
            for ch in range(nch):
                v = _point(w1, w2, w3, w4, v1[ch], v2[ch], v3[ch], v4[ch], corners)
                if v > best[ch]:  # strict: the first maximum wins, NaN never wins
                    best[ch] = v
                    win_y[ch] = jy
                    win_x[ch] = jx
    if zero_kind == ZERO_NONE:
        return
    # Out-of-range samples are worth 0 and take part; only the first of them
    # matters, and where it falls in (iy, ix) order decides ties.
    for ch in range(nch):
        b = best[ch]
        jy = win_y[ch]
        if zero_kind == ZERO_FIRST:  # it comes before every in-range sample
            zero_wins = jy < 0 or b <= 0
        elif zero_kind == ZERO_AFTER_FIRST_ROW:  # after the in-range samples of the first row
            zero_wins = jy < 0 or b < 0 or (b == 0 and y_idx[jy] > 0)
        else:  # after every in-range sample
            zero_wins = jy < 0 or b < 0
        if zero_wins:
            best[ch] = 0
            win_y[ch] = -1
            win_x[ch] = -1


@_jit
def _align_bin_max_value(
    img,
    nch,
    kp,
    kq,
    zero_kind,
    y_off,
    y_in,
    y_lo,
    y_hi,
    y_wl,
    y_wh,
    x_off,
    x_in,
    x_lo,
    x_hi,
    x_wl,
    x_wh,
    best,
    spare,
    corners,
):
    """:func:`_align_bin_max`'s ``best`` alone, for a bin whose winners are not needed.

    Each sample's maximum goes to the other of two buffers (``spare`` is the
    second), as in :func:`pool_forward`: :func:`_align_bin_max` updates in place
    and keeps the winners, which compiles to masked stores. Without the winners
    the zero rule needs only the value: nothing won exactly when ``best`` is
    still ``-FLT_MAX``, which is below 0. (A bin whose first out-of-range
    sample comes after the first row of in-range ones needs the winner's row,
    and goes to :func:`_align_bin_max`.)
    """
    a, b = best, spare
    moved = False
    for ch in range(nch):
        best[ch] = -_FLT_MAX
    for jy in range(y_off[kp], y_off[kp + 1]):
        if not y_in[jy]:
            continue
        for jx in range(x_off[kq], x_off[kq + 1]):
            if not x_in[jx]:
                continue
            w1, w2, w3, w4, v1, v2, v3, v4 = _neighbours(
                img, jy, jx, y_lo, y_hi, y_wl, y_wh, x_lo, x_hi, x_wl, x_wh
            )
            for ch in range(nch):
                v = _point(w1, w2, w3, w4, v1[ch], v2[ch], v3[ch], v4[ch], corners)
                old = a[ch]
                b[ch] = v if v > old else old
            a, b = b, a
            moved = not moved
    if moved:  # the last sample's maximum is in the spare
        for ch in range(nch):
            best[ch] = spare[ch]
    if zero_kind == ZERO_FIRST:  # the zero comes first: it wins unless a sample is above it
        for ch in range(nch):
            best[ch] = best[ch] if best[ch] > 0 else 0
    elif zero_kind == ZERO_LAST:  # it comes after every in-range sample: it wins above them only
        for ch in range(nch):
            best[ch] = best[ch] if best[ch] >= 0 else 0


@parallel_over(arg=-4)
def align_max_forward(
    feat,
    batch,
    has,
    zero_kind,
    y_off,
    y_idx,
    y_in,
    y_lo,
    y_hi,
    y_wl,
    y_wh,
    x_off,
    x_in,
    x_lo,
    x_hi,
    x_wl,
    x_wh,
    out,
    win_y,
    win_x,
    corners,
    lo,
    hi,
):
    """out[k, :, ph, pw] = max over the bin's interpolated samples (mmcv's max).

    When ``win_y``/``win_x`` have the output's shape they also receive each
    bin's winning samples (positions in the plan's flat sample arrays; -1 when
    an out-of-range sample worth 0 wins, -2 when nothing won or the box has no
    samples); pass empty arrays to skip that.
    """
    K, C, PH, PW = out.shape
    record = win_y.shape[0] == K
    # a box's bins, channels-last, written out once per box (see _store_tile)
    tile, tile_y, tile_x = _tile(PH * PW, C, out), _tile(PH * PW, C, win_y), _tile(PH * PW, C, win_x)
    spare = np.empty(C, dtype=out.dtype)
    for k in range(lo, hi):
        if not has[k]:  # no samples at all: the output is 0
            out[k] = 0
            if record:
                win_y[k] = -2
                win_x[k] = -2
            continue
        img = feat[batch[k]]
        for ph in range(PH):
            for pw in range(PW):
                q = ph * PW + pw
                best, wy, wx = tile[q], tile_y[q], tile_x[q]
                kind = zero_kind[k, ph, pw]
                if not record and kind != ZERO_AFTER_FIRST_ROW:
                    _align_bin_max_value(
                        img,
                        C,
                        k * PH + ph,
                        k * PW + pw,
                        kind,
                        y_off,
                        y_in,
                        y_lo,
                        y_hi,
                        y_wl,
                        y_wh,
                        x_off,
                        x_in,
                        x_lo,
                        x_hi,
                        x_wl,
                        x_wh,
                        best,
                        spare,
                        corners,
                    )
                    continue
                _align_bin_max(
                    img,
                    C,
                    k * PH + ph,
                    k * PW + pw,
                    zero_kind[k, ph, pw],
                    y_off,
                    y_idx,
                    y_in,
                    y_lo,
                    y_hi,
                    y_wl,
                    y_wh,
                    x_off,
                    x_in,
                    x_lo,
                    x_hi,
                    x_wl,
                    x_wh,
                    best,
                    wy,
                    wx,
                    corners,
                )
        _store_tile(tile, out[k])
        if record:
            _store_tile(tile_y, win_y[k])
            _store_tile(tile_x, win_x[k])
    return out


@parallel_over()
def align_max_backward_from_winners(
    grad, batch, y_lo, y_hi, y_wl, y_wh, x_lo, x_hi, x_wl, x_wh, win_y, win_x, k0, k1, dfeat, lo, hi
):
    """Max-mode RoI Align's backward: each bin's gradient on the four neighbours of its winning sample.

    ``win_y``, ``win_x`` are :func:`align_max_forward`'s winners, found once
    for all channels; one channel chunk per work item, and in it, for each
    channel, boxes then bins in order (the four neighbours in torchvision's
    order), so every cell is summed in a fixed order. Finding the winners again
    in every channel chunk, as this kernel's predecessor did, cost W1's max
    backward a quarter more on this project's VM (152-165 against 117-134 ms).
    """
    K, C, PH, PW = grad.shape
    for ci in range(lo, hi):
        ch0, nch = _chunk_channels(dfeat, ci, C)
        for k in range(k0, k1):
            d = dfeat[ci, batch[k]]
            for ch in range(nch):  # (a channel's bins in turn: its winners and gradient are contiguous)
                c = ch0 + ch
                wy, wx, g = win_y[k, c], win_x[k, c], grad[k, c]
                for ph in range(PH):
                    for pw in range(PW):
                        jy = wy[ph, pw]
                        if jy < 0:
                            continue
                        jx = wx[ph, pw]
                        gv = g[ph, pw]
                        hy, ly, hx, lx = y_wl[jy], y_wh[jy], x_wl[jx], x_wh[jx]
                        d[y_lo[jy], x_lo[jx], ch] += gv * (hy * hx)
                        d[y_lo[jy], x_hi[jx], ch] += gv * (hy * lx)
                        d[y_hi[jy], x_lo[jx], ch] += gv * (ly * hx)
                        d[y_hi[jy], x_hi[jx], ch] += gv * (ly * lx)
    return dfeat


# ----------------------------------------------------------------------------- RoI Pool


@_jit
def _pool_bin_max(img, h0, h1, w0, w1, ch0, nch, best, win):
    """Strict-``>`` max over cells, rows then columns; ``win`` = flat cell or -1."""
    empty = h1 <= h0 or w1 <= w0
    for ch in range(nch):
        best[ch] = 0 if empty else -_FLT_MAX
        win[ch] = -1
    W = img.shape[1]
    for r in range(h0, h1):
        for q in range(w0, w1):
            src = img[r, q]
            for ch in range(nch):
                v = src[ch0 + ch]
                if v > best[ch]:
                    best[ch] = v
                    win[ch] = r * W + q


@parallel_over()
def pool_forward(feat, batch, hs, he, ws, we, out, lo, hi):
    """out[k, :, ph, pw] = max of the bin's cells; an empty bin gives 0.

    The same strict-``>`` scan as :func:`_pool_bin_max`, without tracking the
    winner, so the channel loop vectorizes (the value is the same). Each cell's
    maximum is written to the other of two buffers. Updated in place
    (``best = src if src > best else best``) LLVM stores only where the cell
    wins, with a masked store (``vmaskmovps``), cheap on an AVX-512 Intel core
    but slow on AMD's AVX2 ones: a scan over cells ran at 1.7 G comparisons/s
    that way against 8-13 G/s with two buffers (``vmaxps``) on this project's
    AMD VM, and W1's pool kernel at 2 threads went from 21-25 to 8.5 ms. The
    first buffer is chosen by the number of cells so that the last write lands
    in the tile.
    """
    K, C, PH, PW = out.shape
    tile = _tile(PH * PW, C, out)  # the box's bins, channels-last (see _store_tile)
    spare = np.empty(C, dtype=out.dtype)
    for k in range(lo, hi):
        img = feat[batch[k]]
        for ph in range(PH):
            for pw in range(PW):
                h0, h1, w0, w1 = hs[k, ph], he[k, ph], ws[k, pw], we[k, pw]
                best = tile[ph * PW + pw]
                empty = h1 <= h0 or w1 <= w0
                cells = 0 if empty else (h1 - h0) * (w1 - w0)
                a, b = (spare, best) if cells % 2 else (best, spare)
                start = 0 if empty else -_FLT_MAX
                for ch in range(C):
                    a[ch] = start
                for r in range(h0, h1):
                    for q in range(w0, w1):
                        src = img[r, q]
                        for ch in range(C):
                            v = a[ch]
                            b[ch] = src[ch] if src[ch] > v else v
                        a, b = b, a
        _store_tile(tile, out[k])
    return out


@parallel_over()
def pool_backward(feat, grad, batch, hs, he, ws, we, k0, k1, dfeat, lo, hi):
    """Send each bin's gradient to its argmax cell (nothing for empty bins)."""
    K, C, PH, PW = grad.shape
    W = feat.shape[2]
    for ci in range(lo, hi):
        ch0, nch = _chunk_channels(dfeat, ci, C)
        best = np.empty(nch, dtype=dfeat.dtype)
        win = np.empty(nch, dtype=np.int64)
        for k in range(k0, k1):
            b = batch[k]
            img = feat[b]
            for ph in range(PH):
                for pw in range(PW):
                    _pool_bin_max(img, hs[k, ph], he[k, ph], ws[k, pw], we[k, pw], ch0, nch, best, win)
                    for ch in range(nch):
                        cell = win[ch]
                        if cell >= 0:
                            dfeat[ci, b, cell // W, cell % W, ch] += grad[k, ch0 + ch, ph, pw]
    return dfeat


# ----------------------------------------------------------------------------- winners


@parallel_over()
def pool_winners(feat, batch, hs, he, ws, we, out, win, lo, hi):
    """The winning cell (flat index ``row * W + col``, -1 if none) of every bin, and its value in ``out``.

    One pass gives both: what torchvision's op returns (output and argmax).
    """
    K, C, PH, PW = win.shape
    best = _tile(PH * PW, C, out)  # the box's bins, channels-last (see _store_tile)
    w = _tile(PH * PW, C, win)
    for k in range(lo, hi):
        img = feat[batch[k]]
        for ph in range(PH):
            for pw in range(PW):
                q = ph * PW + pw
                _pool_bin_max(img, hs[k, ph], he[k, ph], ws[k, pw], we[k, pw], 0, C, best[q], w[q])
        _store_tile(w, win[k])
        _store_tile(best, out[k])
    return win


# ----------------------------------------------------------------------------- other conventions


@parallel_over()
def ps_align_forward(feat, batch, ty_off, ty_start, ty_w, tx_off, tx_start, tx_w, out, lo, hi):
    """Position-sensitive avg RoI Align: bin (ph, pw) of class c reads channel (c*PH+ph)*PW+pw."""
    K, CO, PH, PW = out.shape
    for k in range(lo, hi):
        b = batch[k]
        for co in range(CO):
            for ph in range(PH):
                kp = k * PH + ph
                r0 = ty_start[kp] - ty_off[kp]
                for pw in range(PW):
                    kq = k * PW + pw
                    s0 = tx_start[kq] - tx_off[kq]
                    img = feat[b, (co * PH + ph) * PW + pw]
                    # A zero of the output dtype: the untouched output element (a product
                    # like acc * 0 would turn an infinite partial sum into NaN).
                    zero = out[k, co, ph, pw]
                    acc = zero
                    for t in range(ty_off[kp], ty_off[kp + 1]):
                        row = img[r0 + t]
                        part = zero
                        for u in range(tx_off[kq], tx_off[kq + 1]):
                            part += tx_w[u] * row[s0 + u]
                        acc += ty_w[t] * part
                    out[k, co, ph, pw] = acc
    return out


@parallel_over(arg=0, axis=1)
def ps_align_backward(grad, batch, ty_off, ty_start, ty_w, tx_off, tx_start, tx_w, k0, k1, dfeat, lo, hi):
    """Gradient of :func:`ps_align_forward`; each input channel belongs to one (c, ph, pw)."""
    K, CO, PH, PW = grad.shape
    for co in range(lo, hi):
        for k in range(k0, k1):
            b = batch[k]
            for ph in range(PH):
                kp = k * PH + ph
                r0 = ty_start[kp] - ty_off[kp]
                for pw in range(PW):
                    kq = k * PW + pw
                    s0 = tx_start[kq] - tx_off[kq]
                    dimg = dfeat[b, (co * PH + ph) * PW + pw]
                    g = grad[k, co, ph, pw]
                    for t in range(ty_off[kp], ty_off[kp + 1]):
                        gy = g * ty_w[t]
                        row = dimg[r0 + t]
                        for u in range(tx_off[kq], tx_off[kq + 1]):
                            row[s0 + u] += gy * tx_w[u]
    return dfeat


@parallel_over()
def ps_pool_forward(feat, batch, hs, he, ws, we, out, lo, hi):
    """Position-sensitive RoI Pool: the *mean* of the bin's cells in its own channel."""
    K, CO, PH, PW = out.shape
    for k in range(lo, hi):
        b = batch[k]
        for co in range(CO):
            for ph in range(PH):
                for pw in range(PW):
                    h0, h1, w0, w1 = hs[k, ph], he[k, ph], ws[k, pw], we[k, pw]
                    if h1 <= h0 or w1 <= w0:
                        continue  # empty bin: 0
                    img = feat[b, (co * PH + ph) * PW + pw]
                    acc = out[k, co, ph, pw]
                    for r in range(h0, h1):
                        for q in range(w0, w1):
                            acc += img[r, q]
                    out[k, co, ph, pw] = acc / ((h1 - h0) * (w1 - w0))
    return out


@parallel_over(arg=0, axis=1)
def ps_pool_backward(grad, batch, hs, he, ws, we, k0, k1, dfeat, lo, hi):
    """Gradient of :func:`ps_pool_forward`: each cell of a bin gets g / area."""
    K, CO, PH, PW = grad.shape
    for co in range(lo, hi):
        for k in range(k0, k1):
            b = batch[k]
            for ph in range(PH):
                for pw in range(PW):
                    h0, h1, w0, w1 = hs[k, ph], he[k, ph], ws[k, pw], we[k, pw]
                    if h1 <= h0 or w1 <= w0:
                        continue
                    g = grad[k, co, ph, pw] / ((h1 - h0) * (w1 - w0))
                    dimg = dfeat[b, (co * PH + ph) * PW + pw]
                    for r in range(h0, h1):
                        for q in range(w0, w1):
                            dimg[r, q] += g
    return dfeat


@parallel_over()
def crop_resize_forward(
    image,
    index,
    y_in,
    y_lo,
    y_hi,
    y_lerp,
    y_near,
    x_in,
    x_lo,
    x_hi,
    x_lerp,
    x_near,
    bilinear,
    extrapolation,
    out,
    lo,
    hi,
):
    """TensorFlow's crop_and_resize, NHWC, float32, with its lerp-of-lerps arithmetic."""
    K, CH, CW, D = out.shape
    for k in range(lo, hi):
        img = image[index[k]]
        for i in range(CH):
            for j in range(CW):
                dst = out[k, i, j]
                if not (y_in[k, i] and x_in[k, j]):
                    for d in range(D):
                        dst[d] = extrapolation
                    continue
                if not bilinear:
                    src = img[y_near[k, i], x_near[k, j]]
                    for d in range(D):
                        dst[d] = src[d]
                    continue
                tl = img[y_lo[k, i], x_lo[k, j]]
                tr = img[y_lo[k, i], x_hi[k, j]]
                bl = img[y_hi[k, i], x_lo[k, j]]
                br = img[y_hi[k, i], x_hi[k, j]]
                xl = x_lerp[k, j]
                yl = y_lerp[k, i]
                for d in range(D):
                    top = tl[d] + (tr[d] - tl[d]) * xl
                    bottom = bl[d] + (br[d] - bl[d]) * xl
                    dst[d] = top + (bottom - top) * yl
    return out


@parallel_over(items=1)
def crop_resize_backward(
    grad,
    index,
    y_in,
    y_lo,
    y_hi,
    y_lerp,
    y_near,
    x_in,
    x_lo,
    x_hi,
    x_lerp,
    x_near,
    bilinear,
    k0,
    k1,
    dimage,
    lo,
    hi,
):
    """TensorFlow's CropAndResizeGradImage: boxes in order, so the sum is deterministic.

    One work item (boxes scatter into the same image), run in rounds of box
    ranges ``[k0, k1)`` so that it stays interruptible.
    """
    K, CH, CW, D = grad.shape
    for k in range(k0, k1):
        dimg = dimage[index[k]]
        for i in range(CH):
            if not y_in[k, i]:
                continue
            yl = y_lerp[k, i]
            for j in range(CW):
                if not x_in[k, j]:
                    continue
                g = grad[k, i, j]
                if not bilinear:
                    dst = dimg[y_near[k, i], x_near[k, j]]
                    for d in range(D):
                        dst[d] += g[d]
                    continue
                xl = x_lerp[k, j]
                tl = dimg[y_lo[k, i], x_lo[k, j]]
                tr = dimg[y_lo[k, i], x_hi[k, j]]
                bl = dimg[y_hi[k, i], x_lo[k, j]]
                br = dimg[y_hi[k, i], x_hi[k, j]]
                for d in range(D):
                    dtop = (1 - yl) * g[d]
                    dbottom = yl * g[d]
                    tl[d] += (1 - xl) * dtop
                    tr[d] += xl * dtop
                    bl[d] += (1 - xl) * dbottom
                    br[d] += xl * dbottom
    return dimage


@_jit
def _rotated_sample(yy, xx, cos, sin, cy, cx, H, W, one, w):
    """The map position of one rotated sample and its four bilinear weights (``w``), or False outside.

    Returns ``(inside, low_y, high_y, low_x, high_x)``; ``w`` receives the
    weights on ``(low_y, low_x), (low_y, high_x), (high_y, low_x), (high_y,
    high_x)``. The arithmetic is the plan's dtype throughout (``one`` is 1 in it).
    """
    y = yy * cos - xx * sin + cy
    x = yy * sin + xx * cos + cx
    if not (y >= -1 and y <= H and x >= -1 and x <= W):  # also False for NaN
        return False, 0, 0, 0, 0
    zero = one - one
    if y <= 0:
        y = zero
    if x <= 0:
        x = zero
    fy = np.floor(y)
    ly0 = int(fy)
    if ly0 >= H - 1:
        ly0 = H - 1
        ly1 = ly0
        wy1 = zero
    else:
        ly1 = ly0 + 1
        wy1 = y - fy
    fx = np.floor(x)
    lx0 = int(fx)
    if lx0 >= W - 1:
        lx0 = W - 1
        lx1 = lx0
        wx1 = zero
    else:
        lx1 = lx0 + 1
        wx1 = x - fx
    wy0 = one - wy1
    wx0 = one - wx1
    w[0] = wy0 * wx0
    w[1] = wy0 * wx1
    w[2] = wy1 * wx0
    w[3] = wy1 * wx1
    return True, ly0, ly1, lx0, lx1


@parallel_over()
def rotated_forward(
    feat,
    batch,
    cy,
    cx,
    cos,
    sin,
    y_base,
    x_base,
    y_offsets,
    y_offset,
    x_offsets,
    x_offset,
    count,
    one,
    out,
    lo,
    hi,
):
    """Average of each bin's rotated samples, each interpolated from its four neighbours."""
    K, C, PH, PW = out.shape
    H, W = feat.shape[1], feat.shape[2]
    w = np.empty(4, dtype=out.dtype)
    acc = np.empty(C, dtype=out.dtype)
    for k in range(lo, hi):
        img = feat[batch[k]]
        for ph in range(PH):
            for pw in range(PW):
                acc[:] = 0
                for iy in range(y_offsets[k], y_offsets[k + 1]):
                    yy = y_base[k, ph] + y_offset[iy]
                    for ix in range(x_offsets[k], x_offsets[k + 1]):
                        xx = x_base[k, pw] + x_offset[ix]
                        ok, y0, y1, x0, x1 = _rotated_sample(
                            yy, xx, cos[k], sin[k], cy[k], cx[k], H, W, one, w
                        )
                        if not ok or (w[0] == 0 and w[1] == 0 and w[2] == 0 and w[3] == 0):
                            continue
                        v1 = img[y0, x0]
                        v2 = img[y0, x1]
                        v3 = img[y1, x0]
                        v4 = img[y1, x1]
                        for c in range(C):
                            acc[c] += w[0] * v1[c] + w[1] * v2[c] + w[2] * v3[c] + w[3] * v4[c]
                for c in range(C):
                    out[k, c, ph, pw] = acc[c] / count[k]
    return out


@parallel_over()
def rotated_backward(
    grad,
    batch,
    cy,
    cx,
    cos,
    sin,
    y_base,
    x_base,
    y_offsets,
    y_offset,
    x_offsets,
    x_offset,
    count,
    one,
    H,
    W,
    k0,
    k1,
    dfeat,
    lo,
    hi,
):
    """Gradient of :func:`rotated_forward`, channel chunks in parallel (deterministic)."""
    K, C, PH, PW = grad.shape
    w = np.empty(4, dtype=dfeat.dtype)
    for ci in range(lo, hi):
        ch0, nch = _chunk_channels(dfeat, ci, C)
        for k in range(k0, k1):
            d = dfeat[ci, batch[k]]
            for ph in range(PH):
                for pw in range(PW):
                    for iy in range(y_offsets[k], y_offsets[k + 1]):
                        yy = y_base[k, ph] + y_offset[iy]
                        for ix in range(x_offsets[k], x_offsets[k + 1]):
                            xx = x_base[k, pw] + x_offset[ix]
                            ok, y0, y1, x0, x1 = _rotated_sample(
                                yy, xx, cos[k], sin[k], cy[k], cx[k], H, W, one, w
                            )
                            if not ok:
                                continue
                            for ch in range(nch):
                                g = grad[k, ch0 + ch, ph, pw] / count[k]
                                d[y0, x0, ch] += g * w[0]
                                d[y0, x1, ch] += g * w[1]
                                d[y1, x0, ch] += g * w[2]
                                d[y1, x1, ch] += g * w[3]
    return dfeat
