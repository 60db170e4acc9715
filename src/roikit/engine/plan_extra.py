"""Plans of the other conventions: TensorFlow's crop_and_resize, rotated RoI Align, PrRoI Pooling.

Like :mod:`roikit.engine.plan`, every coordinate and weight is computed here,
vectorized, before the kernels touch a feature value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .plan import _frozen, bilinear_axis, c_round

__all__ = [
    "CropAxis",
    "IntegralAxis",
    "PointPlan",
    "plan_crop_axis",
    "plan_prroi_axis",
    "plan_roi_align_rotated",
    "tent_integral",
]


@dataclass(frozen=True)
class CropAxis:
    """One axis of TensorFlow's ``crop_and_resize`` for all K boxes: one sample per output.

    Corner-aligned: output ``i`` of ``n`` reads ``y1 * (H - 1) + i * (y2 - y1) * (H - 1) / (n - 1)``
    (the box's centre when ``n == 1``), in float32, between cells ``floorf`` and ``ceilf``.
    """

    coord: np.ndarray  #: (K, n) float32 sample coordinate in cells
    inside: np.ndarray  #: (K, n) bool, within ``[0, extent - 1]``
    low: np.ndarray  #: (K, n) int64 ``floor(coord)`` (0 when outside)
    high: np.ndarray  #: (K, n) int64 ``ceil(coord)``
    lerp: np.ndarray  #: (K, n) float32 ``coord - low``
    nearest: np.ndarray  #: (K, n) int64 ``roundf(coord)`` (half away from zero)


def plan_crop_axis(lo: np.ndarray, hi: np.ndarray, n: int, extent: int) -> CropAxis:
    """Plan one axis of ``crop_and_resize`` from normalized box edges (float32)."""
    f32 = np.float32
    last = f32(extent - 1)
    with np.errstate(over="ignore", invalid="ignore"):
        if n > 1:
            scale = (hi - lo) * last / f32(n - 1)
            coord = lo[:, None] * last + np.arange(n, dtype=f32)[None, :] * scale[:, None]
        else:  # 0.5 * (y1 + y2) * (H - 1): the sum in float32, the rest in double
            coord = (0.5 * (lo + hi).astype(np.float64) * (extent - 1)).astype(f32)[:, None]
        inside = (coord >= 0) & (coord <= last)
    safe = np.where(inside, coord, f32(0))
    low = np.floor(safe).astype(np.int64)
    return CropAxis(
        *(
            _frozen(a)
            for a in (
                coord,
                inside,
                low,
                np.ceil(safe).astype(np.int64),
                safe - low.astype(f32),
                c_round(safe).astype(np.int64),
            )
        )
    )


#: Rotated boxes store every sample; more than this many in one call is refused.
MAX_POINTS = 1 << 26


@dataclass(frozen=True)
class PointPlan:
    """Samples that do not separate per axis (rotated boxes), ragged per (box, bin).

    The samples of bin ``(ph, pw)`` of box ``k`` are
    ``[offsets[(k*PH + ph)*PW + pw], offsets[... + 1])``; each has a position,
    its four neighbour cells and bilinear weights (``w[:, 0..3]`` on
    ``(low_y, low_x), (low_y, high_x), (high_y, low_x), (high_y, high_x)``).
    """

    input_shape: tuple[int, int, int, int]
    dtype: np.dtype
    output_size: tuple[int, int]
    batch: np.ndarray  #: (K,) int64
    count: np.ndarray  #: (K,) samples per bin (at least 1), the divisor of the average
    offsets: np.ndarray  #: (K*PH*PW + 1,) int64
    y: np.ndarray  #: (S,) sample row coordinate
    x: np.ndarray  #: (S,) sample column coordinate
    inside: np.ndarray  #: (S,) bool, within [-1, H] x [-1, W]
    low_y: np.ndarray  #: (S,) int64
    high_y: np.ndarray
    low_x: np.ndarray
    high_x: np.ndarray
    w: np.ndarray  #: (S, 4) bilinear weights (0 outside)

    @property
    def num_boxes(self) -> int:
        """Number of boxes K."""
        return int(self.batch.shape[0])


def plan_roi_align_rotated(
    rois: np.ndarray,
    batch: np.ndarray,
    input_shape: tuple[int, int, int, int],
    output_size: tuple[int, int],
    spatial_scale: float,
    sampling_ratio: int,
    aligned: bool,
    theta: np.ndarray,
) -> PointPlan:
    """Plan rotated RoI Align (detectron2 ``ROIAlignRotated``, mmcv ``RoIAlignRotated``).

    ``rois`` are ``(cx, cy, w, h)`` and ``theta`` the angle in radians,
    counter-clockwise, both in the input dtype. Sample ``(iy, ix)`` of bin
    ``(ph, pw)`` sits at ``(yy, xx)`` in the box's own frame (centred, the
    grid of :func:`plan_roi_align`) and is rotated: ``y = yy cos - xx sin + cy``,
    ``x = yy sin + xx cos + cx``; then the RoI Align border rule applies.
    """
    dtype = rois.dtype
    dt = dtype.type
    _, _, H, W = input_shape
    PH, PW = output_size
    off = dt(0.5 if aligned else 0.0)
    s = dt(spatial_scale)
    with np.errstate(over="ignore", invalid="ignore"):
        cx, cy = rois[:, 0] * s - off, rois[:, 1] * s - off
        w, h = rois[:, 2] * s, rois[:, 3] * s
        if not aligned:
            w, h = np.maximum(w, dt(1)), np.maximum(h, dt(1))
        bh, bw = h / dt(PH), w / dt(PW)
        gh = np.full(len(w), float(sampling_ratio)) if sampling_ratio > 0 else np.ceil(h / dt(PH))
        gw = np.full(len(w), float(sampling_ratio)) if sampling_ratio > 0 else np.ceil(w / dt(PW))
    gh = np.where(np.isfinite(gh) & (gh > 0), gh, 0).astype(np.float64)
    gw = np.where(np.isfinite(gw) & (gw > 0), gw, 0).astype(np.float64)
    total = float(np.sum(gh * gw)) * PH * PW
    if total > MAX_POINTS:
        from ..errors import ParameterError

        raise ParameterError(
            f"rotated RoI Align would evaluate {total:.3g} sampling points (more than "
            f"{MAX_POINTS}); pass a positive sampling_ratio for boxes this large"
        )
    cos, sin = np.cos(theta).astype(dtype), np.sin(theta).astype(dtype)
    ys, xs, counts = [], [], []
    for k in range(len(w)):
        ny, nx = int(gh[k]), int(gw[k])
        # In the box frame, as detectron2: start = -size / 2 (computed in double).
        y0 = dt(-float(h[k]) / 2.0)
        x0 = dt(-float(w[k]) / 2.0)
        iy = (np.arange(ny, dtype=np.float32) + np.float32(0.5)).astype(dtype)
        ix = (np.arange(nx, dtype=np.float32) + np.float32(0.5)).astype(dtype)
        with np.errstate(over="ignore", invalid="ignore"):
            yy = (y0 + np.arange(PH, dtype=dtype)[:, None] * bh[k]) + (iy * bh[k])[None, :] / dt(ny or 1)
            xx = (x0 + np.arange(PW, dtype=dtype)[:, None] * bw[k]) + (ix * bw[k])[None, :] / dt(nx or 1)
            # (PH, PW, ny, nx), in the bin-major order the kernels read
            Y = yy[:, None, :, None] * cos[k] - xx[None, :, None, :] * sin[k] + cy[k]
            X = yy[:, None, :, None] * sin[k] + xx[None, :, None, :] * cos[k] + cx[k]
        ys.append(Y.reshape(-1))
        xs.append(X.reshape(-1))
        counts.append(np.full(PH * PW, ny * nx, np.int64))
    y = np.concatenate(ys) if ys else np.zeros(0, dtype)
    x = np.concatenate(xs) if xs else np.zeros(0, dtype)
    per_bin = np.concatenate(counts) if counts else np.zeros(0, np.int64)
    offsets = np.concatenate([[0], np.cumsum(per_bin)]).astype(np.int64)
    in_y, ly, hy_, wly, why = bilinear_axis(y, H)
    in_x, lx, hx_, wlx, whx = bilinear_axis(x, W)
    inside = in_y & in_x
    zero = dt(0)
    weights = np.stack([wly * wlx, wly * whx, why * wlx, why * whx], axis=1)
    weights = np.where(inside[:, None], weights, zero)
    count = np.maximum(gh * gw, 1.0)
    cells = [_frozen(np.where(inside, a, 0)) for a in (ly, hy_, lx, hx_)]
    return PointPlan(
        input_shape=(input_shape[0], input_shape[1], H, W),
        dtype=dtype,
        output_size=(PH, PW),
        batch=_frozen(batch.copy()),
        count=_frozen(count),
        offsets=_frozen(offsets),
        y=_frozen(y),
        x=_frozen(x),
        inside=_frozen(inside),
        low_y=cells[0],
        high_y=cells[1],
        low_x=cells[2],
        high_x=cells[3],
        w=_frozen(weights),
    )


def tent_integral(u: np.ndarray) -> np.ndarray:
    """Antiderivative of the tent ``max(0, 1 - |t|)`` from -inf to ``u`` (0 to 1)."""
    u = np.clip(u, -1.0, 1.0)
    return np.where(u <= 0, 0.5 * (u + 1) ** 2, 1 - 0.5 * (1 - u) ** 2)


@dataclass(frozen=True)
class IntegralAxis:
    """One axis of Precise RoI Pooling: each bin's exact integral weights (taps) per cell.

    Bin ``p`` spans ``[start + p*bin_size, start + (p+1)*bin_size]`` with cell ``i``'s
    value at ``i`` (no offset); cell ``i``'s weight is the integral of the tent
    centred on ``i`` over the bin, divided by ``bin_size``. Cells outside the
    map have no taps (the surface is zero there).
    """

    start: np.ndarray  #: (K,) ``x1 * spatial_scale``
    size: np.ndarray  #: (K,) ``max(x2 - x1, 0) * spatial_scale``
    bin_size: np.ndarray  #: (K,)
    tap_offsets: np.ndarray  #: (K*P + 1,)
    tap_start: np.ndarray  #: (K*P,) int64
    tap_weight: np.ndarray  #: (T,)
    span_start: np.ndarray  #: (K,) int64
    span_stop: np.ndarray  #: (K,) int64


def plan_prroi_axis(lo: np.ndarray, hi: np.ndarray, scale: float, bins: int, extent: int) -> IntegralAxis:
    """Plan one axis of :func:`roikit.prroi_pool` (computed in float64, stored in the input dtype)."""
    dtype = lo.dtype
    K = lo.shape[0]
    with np.errstate(over="ignore", invalid="ignore"):  # beyond the float range: no taps
        start = lo.astype(np.float64) * scale
        size = np.maximum(hi.astype(np.float64) * scale - start, 0.0)
        bin_size = size / bins
        a = start[:, None] + bin_size[:, None] * np.arange(bins)[None, :]  # (K, P)
        b = a + bin_size[:, None]
    # Only cells whose tent reaches the bin and that lie on the map get a tap.
    first = np.clip(np.floor(np.clip(a, -2.0, extent + 1.0)), 0, extent - 1)
    last = np.clip(np.ceil(np.clip(b, -2.0, extent + 1.0)), 0, extent - 1)
    ok = (bin_size[:, None] > 0) & (b > -1) & (a < extent)
    first = np.where(ok, first, 0).astype(np.int64).ravel()
    length = np.where(ok, last - np.where(ok, first.reshape(K, bins), 0) + 1, 0).astype(np.int64).ravel()
    offsets = np.concatenate([[0], np.cumsum(length)]).astype(np.int64)
    kp = np.repeat(np.arange(K * bins), length)
    cell = first[kp] + (np.arange(offsets[-1]) - offsets[kp])
    aa, bb = a.ravel()[kp], b.ravel()[kp]
    with np.errstate(invalid="ignore", divide="ignore"):
        weight = (tent_integral(bb - cell) - tent_integral(aa - cell)) / np.repeat(
            np.repeat(bin_size, bins), length
        )
    has = (length > 0).reshape(K, bins)
    big = np.iinfo(np.int64).max
    span_start = np.where(has, first.reshape(K, bins), big).min(axis=1, initial=big)
    span_stop = np.where(has, (first + length).reshape(K, bins), 0).max(axis=1, initial=0)
    span_start = np.where(span_stop > 0, span_start, 0)
    return IntegralAxis(
        *(
            _frozen(v)
            for v in (
                start.astype(dtype),
                size.astype(dtype),
                bin_size.astype(dtype),
                offsets,
                first,
                weight.astype(dtype),
                span_start,
                span_stop,
            )
        )
    )
