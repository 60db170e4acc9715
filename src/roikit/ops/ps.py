"""Position-sensitive RoI Align and RoI Pool (R-FCN, Light-Head R-CNN), as torchvision.

Output channel ``c`` of bin ``(ph, pw)`` reads input channel
``(c * PH + ph) * PW + pw``: the input has ``C_out * PH * PW`` channels.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import kernels
from ..engine.execute import (
    Boxes,
    checked_cost,
    in_dtype,
    kernel_input,
    pool_cost,
    prepare,
    run_backward,
    taps,
)
from ..engine.plan import plan_roi_align, plan_roi_pool
from ..engine.validate import check_grad_output, check_sampling_ratio
from ..errors import InputError

__all__ = ["ps_roi_align", "ps_roi_align_backward", "ps_roi_pool", "ps_roi_pool_backward"]


def _channels_out(feat: np.ndarray, size: tuple[int, int]) -> int:
    c, bins = feat.shape[1], size[0] * size[1]
    if c % bins:
        raise InputError(
            f"input has {c} channels; position-sensitive pooling with output_size "
            f"{size[0]}x{size[1]} needs a multiple of {bins} (C_out * PH * PW)"
        )
    return c // bins


def _align_cost(plan: Any) -> np.ndarray:
    """Per box and output channel: every bin reads its own taps, rows times columns."""
    K, (PH, PW) = plan.num_boxes, plan.output_size
    ty = np.diff(plan.y.tap_offsets).reshape(K, PH).astype(np.float64)
    tx = np.diff(plan.x.tap_offsets).reshape(K, PW).astype(np.float64)
    return ty.sum(axis=1) * tx.sum(axis=1)


def _align(input: Any, boxes: Boxes, output_size: Any, spatial_scale: Any, sampling_ratio: Any):  # type: ignore[no-untyped-def]
    feat, dtype, checked, size, scale = prepare(input, boxes, output_size, spatial_scale)
    co = _channels_out(feat, size)
    # torchvision's ps_roi_align always uses the half-pixel offset and no minimum size.
    plan = plan_roi_align(
        checked, feat.shape, feat.dtype, size, scale, check_sampling_ratio(sampling_ratio), True
    )
    return feat, dtype, plan, co


def ps_roi_align(
    input: Any,
    boxes: Boxes,
    output_size: int | tuple[int, int],
    spatial_scale: float = 1.0,
    sampling_ratio: int = -1,
) -> np.ndarray:
    """Position-sensitive RoI Align (``torchvision.ops.ps_roi_align``).

    Parameters
    ----------
    input : ndarray of shape (N, C_out * PH * PW, H, W)
    boxes, output_size, spatial_scale, sampling_ratio
        As for :func:`roikit.roi_align`.

    Returns
    -------
    ndarray of shape (K, C_out, PH, PW)

    Notes
    -----
    Convention: the half-pixel model of ``roi_align(aligned=True)`` (always);
    each bin averages its samples in its own channel. Where the adaptive grid
    is empty (a zero-size box), torchvision divides 0 by 0 and returns NaN;
    roikit returns 0.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.stack([np.full((4, 4), v) for v in (1.0, 2.0, 3.0, 4.0)])[None]
    >>> ps_roi_align(x, np.array([[0, 0.0, 0.0, 4.0, 4.0]]), 2, sampling_ratio=1)[0, 0]
    array([[1., 2.],
           [3., 4.]])
    """
    feat, dtype, plan, co = _align(input, boxes, output_size, spatial_scale, sampling_ratio)
    out = np.zeros((plan.num_boxes, co, *plan.output_size), plan.dtype)
    if out.size:
        cost = checked_cost("position-sensitive RoI Align", _align_cost(plan) * co)
        kernels.ps_align_forward(
            np.ascontiguousarray(feat), plan.batch, *taps(plan.y)[:3], *taps(plan.x)[:3], out, cost=cost
        )
    return in_dtype(out, dtype)


def ps_roi_align_backward(
    grad_output: Any,
    input: Any,
    boxes: Boxes,
    output_size: int | tuple[int, int],
    spatial_scale: float = 1.0,
    sampling_ratio: int = -1,
) -> np.ndarray:
    """Gradient of ``sum(grad_output * ps_roi_align(input, ...))`` with respect to ``input``."""
    feat, dtype, plan, co = _align(input, boxes, output_size, spatial_scale, sampling_ratio)
    grad = kernel_input(
        check_grad_output(grad_output, (plan.num_boxes, co, *plan.output_size), dtype), plan.dtype
    )
    dfeat = np.zeros_like(feat)
    if grad.size:
        cost = checked_cost("the backward of position-sensitive RoI Align", _align_cost(plan) * co)
        args = (grad, plan.batch, *taps(plan.y)[:3], *taps(plan.x)[:3], dfeat)
        run_backward(kernels.ps_align_backward, *args, cost=cost / co, items=co)
    return in_dtype(dfeat, dtype)


def _pool(input: Any, boxes: Boxes, output_size: Any, spatial_scale: Any):  # type: ignore[no-untyped-def]
    feat, dtype, checked, size, scale = prepare(input, boxes, output_size, spatial_scale)
    co = _channels_out(feat, size)
    plan = plan_roi_pool(checked, feat.shape, feat.dtype, size, scale, position_sensitive=True)
    return feat, dtype, plan, co


def ps_roi_pool(
    input: Any,
    boxes: Boxes,
    output_size: int | tuple[int, int],
    spatial_scale: float = 1.0,
) -> np.ndarray:
    """Position-sensitive RoI Pool (``torchvision.ops.ps_roi_pool``): the mean of each bin.

    Notes
    -----
    Convention (torchvision's): corners rounded half away from zero, size
    ``end - start`` (no +1, at least 1), bin edges clipped to
    ``[0, H - 1]`` so the last row and column are never pooled, and the
    *average* of the bin's cells in its own channel (empty bin: 0).
    torchvision's backward clips to ``[0, H]`` instead, so near the last
    row/column it is not the gradient of its own forward; roikit's
    :func:`ps_roi_pool_backward` is.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> ps_roi_pool(x, np.array([[0, 0.0, 0.0, 2.0, 2.0]]), 1)  # mean of cells 0, 1, 4, 5
    array([[[[2.5]]]])
    """
    feat, dtype, plan, co = _pool(input, boxes, output_size, spatial_scale)
    out = np.zeros((plan.num_boxes, co, *plan.output_size), plan.dtype)
    if out.size:
        y, x = plan.y, plan.x
        cost = checked_cost("position-sensitive RoI Pool", pool_cost(plan, co))
        kernels.ps_pool_forward(
            feat, plan.batch, y.bin_start, y.bin_end, x.bin_start, x.bin_end, out, cost=cost
        )
    return in_dtype(out, dtype)


def ps_roi_pool_backward(
    grad_output: Any, input: Any, boxes: Boxes, output_size: int | tuple[int, int], spatial_scale: float = 1.0
) -> np.ndarray:
    """Gradient of ``sum(grad_output * ps_roi_pool(input, ...))`` with respect to ``input``."""
    feat, dtype, plan, co = _pool(input, boxes, output_size, spatial_scale)
    grad = kernel_input(
        check_grad_output(grad_output, (plan.num_boxes, co, *plan.output_size), dtype), plan.dtype
    )
    dfeat = np.zeros_like(feat)
    if grad.size:
        y, x = plan.y, plan.x
        cost = checked_cost("the backward of position-sensitive RoI Pool", pool_cost(plan, co))
        args = (grad, plan.batch, y.bin_start, y.bin_end, x.bin_start, x.bin_end, dfeat)
        run_backward(kernels.ps_pool_backward, *args, cost=cost / co, items=co)
    return in_dtype(dfeat, dtype)
