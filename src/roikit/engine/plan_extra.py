"""Plans of the other conventions: TensorFlow's crop_and_resize, rotated RoI Align, PrRoI Pooling.

Like :mod:`roikit.engine.plan`, every coordinate and weight is computed here,
vectorized, before the kernels touch a feature value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .budget import check_plan_samples, check_work
from .plan import _frozen, c_round

__all__ = [
    "CropAxis",
    "IntegralAxis",
    "RotatedPlan",
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
    check_plan_samples("one axis", lo.shape[0] * n, "samples")  # (K, n) arrays
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


@dataclass(frozen=True)
class RotatedPlan:
    """Rotated RoI Align: the frame of each box and the sample offsets along its two axes.

    In the box's own centred frame, sample ``(iy, ix)`` of bin ``(ph, pw)`` of
    box ``k`` sits at ``yy = y_base[k, ph] + y_offset[iy]`` (``y_base = -h/2 +
    ph * bin_h``, ``y_offset = ((iy + 0.5) * bin_h) / grid_h``, the samples of
    box ``k`` being ``y_offsets[k]:y_offsets[k + 1]``) and ``xx`` likewise; on
    the map it is ``y = yy * cos - xx * sin + cy``, ``x = yy * sin + xx * cos + cx``,
    and the RoI Align border rule applies. The kernels evaluate exactly this,
    in the input dtype and in this order, so a box's ``PH * PW * grid_h *
    grid_w`` samples are never stored: the plan grows with the grid's sides.
    """

    input_shape: tuple[int, int, int, int]
    dtype: np.dtype
    output_size: tuple[int, int]
    batch: np.ndarray  #: (K,) int64
    cy: np.ndarray  #: (K,) the centre on the map (minus 0.5 when aligned)
    cx: np.ndarray
    cos: np.ndarray  #: (K,) of the angle (counter-clockwise, radians)
    sin: np.ndarray
    y_base: np.ndarray  #: (K, PH) ``-h / 2 + ph * bin_h``
    x_base: np.ndarray  #: (K, PW)
    y_offsets: np.ndarray  #: (K + 1,) int64 ragged offsets into ``y_offset``
    y_offset: np.ndarray  #: (sum of grid_h,) ``((iy + 0.5) * bin_h) / grid_h``
    x_offsets: np.ndarray
    x_offset: np.ndarray
    count: np.ndarray  #: (K,) ``grid_h * grid_w`` (at least 1), the divisor of the average
    samples: np.ndarray  #: (K,) float64 samples of one box, ``PH * PW * grid_h * grid_w``

    @property
    def num_boxes(self) -> int:
        """Number of boxes K."""
        return int(self.batch.shape[0])


def _rotated_axis(
    size: np.ndarray, bins: int, grid: np.ndarray, name: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One axis of the box frame: bin starts ``(K, P)``, and each box's sample offsets (ragged)."""
    dtype = size.dtype
    dt = dtype.type
    with np.errstate(over="ignore", invalid="ignore"):
        binsize = size / dt(bins)
        # In the box frame, as detectron2: start = -size / 2 (computed in double).
        start = (-size.astype(np.float64) / 2.0).astype(dtype)
        base = start[:, None] + np.arange(bins, dtype=dtype)[None, :] * binsize[:, None]
    n = grid.astype(np.int64)
    check_plan_samples(name, int(n.sum()))  # before anything of that size is allocated
    offsets = np.concatenate([[0], np.cumsum(n)]).astype(np.int64)
    k = np.repeat(np.arange(len(n)), n)
    index = np.arange(offsets[-1]) - offsets[k]
    # detectron2 writes static_cast<T>(i + .5f): the half is added in float32.
    half = (index.astype(np.float32) + np.float32(0.5)).astype(dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        offset = (half * binsize[k]) / n[k].astype(dtype)
    return base, offsets, offset, binsize


def plan_roi_align_rotated(
    rois: np.ndarray,
    batch: np.ndarray,
    input_shape: tuple[int, int, int, int],
    output_size: tuple[int, int],
    spatial_scale: float,
    sampling_ratio: int,
    aligned: bool,
    theta: np.ndarray,
) -> RotatedPlan:
    """Plan rotated RoI Align (detectron2 ``ROIAlignRotated``, mmcv ``RoIAlignRotated``).

    ``rois`` are ``(cx, cy, w, h)`` and ``theta`` the angle in radians,
    counter-clockwise, both in the input dtype (see :class:`RotatedPlan`). The
    grid per bin is ``sampling_ratio`` or, when it is <= 0, ``ceil(size / P)``
    per axis; the grid's sides are bounded by the plan budget and the samples
    they make by the work budget, both before anything is allocated.
    """
    dtype = rois.dtype
    dt = dtype.type
    PH, PW = output_size
    off = dt(0.5 if aligned else 0.0)
    s = dt(spatial_scale)
    with np.errstate(over="ignore", invalid="ignore"):
        cx, cy = rois[:, 0] * s - off, rois[:, 1] * s - off
        w, h = rois[:, 2] * s, rois[:, 3] * s
        if not aligned:
            w, h = np.maximum(w, dt(1)), np.maximum(h, dt(1))
        gh = np.full(len(w), float(sampling_ratio)) if sampling_ratio > 0 else np.ceil(h / dt(PH))
        gw = np.full(len(w), float(sampling_ratio)) if sampling_ratio > 0 else np.ceil(w / dt(PW))
    gh = np.where(np.isfinite(gh) & (gh > 0), gh, 0).astype(np.float64)
    gw = np.where(np.isfinite(gw) & (gw > 0), gw, 0).astype(np.float64)
    samples = gh * gw * float(PH * PW)
    # Checked before the per-axis arrays are made: this bounds the grid sides too.
    hint = "pass a positive sampling_ratio for boxes this large, or use fewer boxes per call"
    check_work(
        "rotated RoI Align",
        float(samples.sum()) * 4 * input_shape[1],
        hint
        if sampling_ratio <= 0
        else "use fewer boxes, a smaller output_size or sampling_ratio, or fewer channels, per call",
    )
    y_base, y_offsets, y_offset, _ = _rotated_axis(h, PH, gh, "y")
    x_base, x_offsets, x_offset, _ = _rotated_axis(w, PW, gw, "x")
    cos, sin = np.cos(theta).astype(dtype), np.sin(theta).astype(dtype)
    return RotatedPlan(
        input_shape=tuple(input_shape),  # type: ignore[arg-type]
        dtype=dtype,
        output_size=(PH, PW),
        batch=_frozen(batch.copy()),
        cy=_frozen(cy),
        cx=_frozen(cx),
        cos=_frozen(cos),
        sin=_frozen(sin),
        y_base=_frozen(y_base),
        x_base=_frozen(x_base),
        y_offsets=_frozen(y_offsets),
        y_offset=_frozen(y_offset),
        x_offsets=_frozen(x_offsets),
        x_offset=_frozen(x_offset),
        count=_frozen(np.maximum(gh * gw, 1.0)),
        samples=_frozen(samples),
    )


# ----------------------------------------------------------------------------- Precise RoI Pooling


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
    check_plan_samples("one axis", K * bins, "bins")  # (K, P) arrays come first
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
    check_plan_samples("one axis", int(length.sum()), "taps")
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
    with np.errstate(over="ignore"):  # float64 edges beyond the input dtype: infinite there, as computed
        stored = (start.astype(dtype), size.astype(dtype), bin_size.astype(dtype), weight.astype(dtype))
    return IntegralAxis(
        *(
            _frozen(v)
            for v in (stored[0], stored[1], stored[2], offsets, first, stored[3], span_start, span_stop)
        )
    )
