"""Precise RoI Pooling (Jiang et al., 2018; mmcv ``PrRoIPool``): the exact bin integral."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import kernels
from ..engine.execute import (
    Boxes,
    channels_last,
    checked_cost,
    chunked_gradient,
    direct_args,
    in_dtype,
    kernel_input,
    prepare,
)
from ..engine.plan_extra import IntegralAxis, plan_prroi_axis
from ..engine.validate import check_grad_output

__all__ = ["prroi_pool", "prroi_pool_backward"]


def _taps(a: IntegralAxis) -> tuple[np.ndarray, ...]:
    return a.tap_offsets, a.tap_start, a.tap_weight, a.span_start, a.span_stop


def _plan(input: Any, boxes: Boxes, output_size: Any, spatial_scale: Any):  # type: ignore[no-untyped-def]
    feat, dtype, checked, size, scale = prepare(input, boxes, output_size, spatial_scale)
    _, _, H, W = feat.shape
    c = checked.coords
    y = plan_prroi_axis(c[:, 1], c[:, 3], scale, size[0], H)
    x = plan_prroi_axis(c[:, 0], c[:, 2], scale, size[1], W)
    return feat, dtype, checked, size, scale, y, x


def _cost(y: IntegralAxis, x: IntegralAxis, size: tuple[int, int], channels: int) -> np.ndarray:
    """Per box, as the separable avg RoI Align: the row taps over the columns, then the column taps."""
    K, (PH, PW) = len(y.start), size
    ty = np.diff(y.tap_offsets).reshape(K, PH).sum(axis=1, dtype=np.float64)
    tx = np.diff(x.tap_offsets).reshape(K, PW).sum(axis=1, dtype=np.float64)
    cols = np.maximum(x.span_stop - x.span_start, 0).astype(np.float64)
    return (ty * cols + PH * tx + PH * PW) * channels


def prroi_pool(
    input: Any,
    boxes: Boxes,
    output_size: int | tuple[int, int],
    spatial_scale: float = 1.0,
) -> np.ndarray:
    """Precise RoI Pooling: the integral of the bilinear surface over each bin, over its area.

    Parameters
    ----------
    input : ndarray of shape (N, C, H, W)
    boxes, output_size, spatial_scale
        As for :func:`roikit.roi_align`.

    Returns
    -------
    ndarray of shape (K, C, PH, PW)

    Notes
    -----
    Convention (mmcv ``PrRoIPool``): no offset (cell ``i``'s value at ``i``),
    no sampling, no rounding; the surface is the bilinear interpolation of the
    map and 0 outside it (it fades to 0 between the last cell and one cell
    beyond). Inverted boxes have size 0 and pool to 0. The integral is
    separable, so it runs on the same kernels as avg RoI Align.

    Examples
    --------
    On a ramp ``v = x`` the mean over the bin [0.5, 2.5] is its centre, 1.5:

    >>> import numpy as np
    >>> ramp = np.tile(np.arange(4.0), (4, 1))[None, None]
    >>> prroi_pool(ramp, np.array([[0, 0.5, 0.5, 2.5, 2.5]]), 1)
    array([[[[1.5]]]])
    """
    feat, dtype, checked, size, _, y, x = _plan(input, boxes, output_size, spatial_scale)
    out = np.zeros((len(checked.batch), feat.shape[1], *size), feat.dtype)
    if out.size:
        cost = checked_cost("PrRoI Pooling", _cost(y, x, size, feat.shape[1]))
        last = channels_last(feat)
        no_samples = direct_args(None)  # the integral has no samples to fall back on
        kernels.align_avg_forward(
            last, checked.batch, *_taps(y), *_taps(x), *no_samples, np.arange(len(cost)), out, cost=cost
        )
    return in_dtype(out, dtype)


def _dense(a: IntegralAxis, k: int, bins: int, extent: int) -> np.ndarray:
    """Row ``p`` = bin p's tap weights over all cells (times the bin size: the raw integral)."""
    m = np.zeros((bins, extent))
    for p in range(bins):
        kp = k * bins + p
        w = a.tap_weight[a.tap_offsets[kp] : a.tap_offsets[kp + 1]].astype(np.float64)
        m[p, a.tap_start[kp] : a.tap_start[kp] + len(w)] = w * float(a.bin_size[k])
    return m


def _edge(a: IntegralAxis, k: int, bins: int, extent: int, end: int) -> np.ndarray:
    """Row ``p`` = the tents of all cells evaluated at bin p's start (end=0) or end (end=1)."""
    edges = float(a.start[k]) + float(a.bin_size[k]) * (np.arange(bins) + end)
    return np.maximum(0.0, 1.0 - np.abs(edges[:, None] - np.arange(extent)[None, :]))


def prroi_pool_backward(
    grad_output: Any,
    input: Any,
    boxes: Boxes,
    output_size: int | tuple[int, int],
    spatial_scale: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of ``sum(grad_output * prroi_pool(...))`` for the input *and* the boxes.

    Returns
    -------
    grad_input : ndarray of shape (N, C, H, W)
    grad_boxes : ndarray of shape (K, 4)
        With respect to ``(x1, y1, x2, y2)`` (the batch index has none). The
        moving bin edges contribute the line integrals along them (Leibniz'
        rule) and the changing area its share; boxes of size 0, or beyond the
        float range of the input, get 0.
    """
    feat, dtype, checked, size, scale, y, x = _plan(input, boxes, output_size, spatial_scale)
    K, C = len(checked.batch), feat.shape[1]
    grad = kernel_input(check_grad_output(grad_output, (K, C, *size), dtype), feat.dtype)
    if grad.size == 0:
        return np.zeros(feat.shape, dtype), np.zeros((K, 4), dtype)
    args = (grad, checked.batch, *_taps(y), *_taps(x))
    cost = _cost(y, x, size, C)
    grad_input = chunked_gradient(
        feat, dtype, kernels.align_avg_backward, *args, what="PrRoI Pooling", cost=cost
    )

    PH, PW = size
    _, _, H, W = feat.shape
    grad_boxes = np.zeros((K, 4))
    for k in range(K):
        bh, bw = float(y.bin_size[k]), float(x.bin_size[k])
        if not (0 < bh < np.inf and 0 < bw < np.inf and np.isfinite(y.start[k]) and np.isfinite(x.start[k])):
            continue  # an empty box, or one beyond the float range (no taps): no gradient
        F = feat[checked.batch[k]].astype(np.float64)
        G = grad[k].astype(np.float64)
        Iy, Ix = _dense(y, k, PH, H), _dense(x, k, PW, W)
        area = bh * bw
        S = np.einsum("ph,chw,qw->cpq", Iy, F, Ix)
        ds = {  # derivative of the raw integral with respect to each moving bin edge
            "xa": -np.einsum("ph,chw,qw->cpq", Iy, F, _edge(x, k, PW, W, 0)),
            "xb": np.einsum("ph,chw,qw->cpq", Iy, F, _edge(x, k, PW, W, 1)),
            "ya": -np.einsum("ph,chw,qw->cpq", _edge(y, k, PH, H, 0), F, Ix),
            "yb": np.einsum("ph,chw,qw->cpq", _edge(y, k, PH, H, 1), F, Ix),
        }
        # O = S / A with A = bw * bh; moving a start edge by +d shrinks A by bh * d.
        dxa = (ds["xa"] + S * bh / area) / area
        dxb = (ds["xb"] - S * bh / area) / area
        dya = (ds["ya"] + S * bw / area) / area
        dyb = (ds["yb"] - S * bw / area) / area
        q = np.arange(PW)[None, None, :]
        p = np.arange(PH)[None, :, None]
        # Edge positions: xa = x1 + q*bw, xb = x1 + (q+1)*bw with bw = (x2 - x1) / PW.
        gx1 = np.sum(G * (dxa * (1 - q / PW) + dxb * (1 - (q + 1) / PW)))
        gx2 = np.sum(G * (dxa * (q / PW) + dxb * ((q + 1) / PW)))
        gy1 = np.sum(G * (dya * (1 - p / PH) + dyb * (1 - (p + 1) / PH)))
        gy2 = np.sum(G * (dya * (p / PH) + dyb * ((p + 1) / PH)))
        grad_boxes[k] = np.array([gx1, gy1, gx2, gy2]) * scale
    return grad_input, grad_boxes.astype(dtype)
