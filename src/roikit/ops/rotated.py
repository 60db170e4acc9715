"""Rotated RoI Align: detectron2's ``ROIAlignRotated`` and mmcv's ``RoIAlignRotated``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..engine import kernels
from ..engine.budget import check_output_bytes
from ..engine.execute import channels_last, chunked_gradient, in_dtype, kernel_input
from ..engine.plan_extra import RotatedPlan, plan_roi_align_rotated
from ..engine.validate import (
    check_aligned,
    check_batch_index,
    check_bool,
    check_choice,
    check_finite,
    check_grad_output,
    check_input,
    check_output_size,
    check_real_array,
    check_sampling_ratio,
    check_scale_fits,
    check_spatial_scale,
    compute_dtype,
)
from ..errors import BoxError

__all__ = ["roi_align_rotated", "roi_align_rotated_backward"]


def _prepare(
    input: Any,
    rois: Any,
    output_size: Any,
    spatial_scale: Any,
    sampling_ratio: Any,
    aligned: Any,
    angle_unit: str,
    clockwise: Any,
) -> tuple[np.ndarray, np.dtype, RotatedPlan]:
    arr = check_input(input)
    size = check_output_size(output_size)
    scale = check_spatial_scale(spatial_scale)
    sr = check_sampling_ratio(sampling_ratio)
    aligned = check_aligned(aligned)
    angle_unit = check_choice(angle_unit, "angle_unit", ("degrees", "radians"))
    clockwise = check_bool(clockwise, "clockwise")
    dtype = compute_dtype(arr.dtype)
    check_scale_fits(scale, dtype)
    r = check_real_array(rois, "rois", "(K, 6)", finite=False)
    if r.ndim != 2 or r.shape[1] != 6:
        raise BoxError(
            f"rois must have shape (K, 6) with rows (batch_index, cx, cy, w, h, angle); got shape {r.shape}"
        )
    check_finite(r[:, 1:], "rois", column_offset=1)
    with np.errstate(over="ignore"):  # beyond the computation dtype: refused just below, as roi_align does
        cast = r[:, 1:].astype(dtype)
    check_finite(cast, "rois", column_offset=1, dtype=dtype)
    b = check_batch_index(r[:, 0], arr.shape[0], "rois")
    if aligned:
        negative = np.argwhere(r[:, 3:5] < 0)
        if negative.size:
            i, j = negative[0]
            raise BoxError(
                f"rois[{i}, {j + 3}] is {r[i, j + 3]}; rotated boxes need a non-negative "
                f"{'width' if j == 0 else 'height'} (detectron2 asserts this too)"
            )
    coords = r[:, 1:5].astype(dtype)
    if angle_unit == "degrees":  # detectron2: angle * M_PI / 180.0 in double, then the dtype
        theta = (r[:, 5].astype(dtype).astype(np.float64) * math.pi / 180.0).astype(dtype)
    else:
        theta = r[:, 5].astype(dtype)
    if clockwise:
        theta = -theta
    check_output_bytes("the output", (len(b), arr.shape[1], *size), dtype.itemsize)
    check_output_bytes("the working copy of input", arr.shape, dtype.itemsize)
    plan = plan_roi_align_rotated(coords, b, arr.shape, size, scale, sr, aligned, theta)
    return (arr if arr.dtype == dtype else arr.astype(dtype)), arr.dtype, plan


def _args(plan: RotatedPlan) -> tuple[Any, ...]:
    """The rotated kernels' plan arguments (``one`` is 1 in the plan's dtype)."""
    return (
        plan.batch,
        plan.cy,
        plan.cx,
        plan.cos,
        plan.sin,
        plan.y_base,
        plan.x_base,
        plan.y_offsets,
        plan.y_offset,
        plan.x_offsets,
        plan.x_offset,
        plan.count.astype(plan.dtype),
        plan.dtype.type(1),
    )


def _cost(plan: RotatedPlan, channels: int) -> np.ndarray:
    """Per box: four neighbours of every sample, in every channel."""
    return plan.samples * 4.0 * channels


def roi_align_rotated(
    input: Any,
    rois: Any,
    output_size: int | tuple[int, int],
    spatial_scale: float = 1.0,
    sampling_ratio: int = 0,
    aligned: bool = True,
    angle_unit: str = "degrees",
    clockwise: bool = False,
) -> np.ndarray:
    """RoI Align over rotated boxes.

    Parameters
    ----------
    input : ndarray of shape (N, C, H, W)
    rois : ndarray of shape (K, 6)
        ``(batch_index, cx, cy, w, h, angle)`` in image pixels.
    output_size, spatial_scale, sampling_ratio
        As for :func:`roikit.roi_align` (``sampling_ratio=0`` is adaptive).
    aligned : bool, default True
        The centre is shifted by -0.5 cell (detectron2 always does this);
        ``False`` is mmcv's legacy mode (no shift, sizes raised to 1).
    angle_unit : {"degrees", "radians"}
        detectron2 uses degrees, mmcv radians.
    clockwise : bool, default False
        Angles are counter-clockwise (in image coordinates, y down) unless set;
        mmcv's ``clockwise=True`` negates them.

    Returns
    -------
    ndarray of shape (K, C, PH, PW)

    Notes
    -----
    Convention: detectron2 ``ROIAlignRotated`` with the defaults; mmcv
    ``RoIAlignRotated`` with ``angle_unit="radians"`` (and its
    ``aligned``/``clockwise``). At angle 0 this is ``roi_align(aligned=True)``
    of the box ``(cx - w/2, cy - h/2, cx + w/2, cy + h/2)``.

    Examples
    --------
    A 2x2 box centred on the middle of a 4x4 ramp, two bins along its width.
    At 0 degrees they sample (1.5, 1) and (1.5, 2); turned 90 degrees
    counter-clockwise, (2, 1.5) and (1, 1.5):

    >>> import numpy as np
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> roi_align_rotated(x, np.array([[0, 2, 2, 2, 2, 0]]), (1, 2), sampling_ratio=1)[0, 0]
    array([[7., 8.]])
    >>> roi_align_rotated(x, np.array([[0, 2, 2, 2, 2, 90]]), (1, 2), sampling_ratio=1)[0, 0]
    array([[9.5, 5.5]])
    """
    feat, dtype, plan = _prepare(
        input, rois, output_size, spatial_scale, sampling_ratio, aligned, angle_unit, clockwise
    )
    out = np.zeros((plan.num_boxes, feat.shape[1], *plan.output_size), plan.dtype)
    if out.size:
        last = channels_last(feat)
        kernels.rotated_forward(last, *_args(plan), out, cost=_cost(plan, feat.shape[1]))
    return in_dtype(out, dtype)


def roi_align_rotated_backward(
    grad_output: Any,
    input: Any,
    rois: Any,
    output_size: int | tuple[int, int],
    spatial_scale: float = 1.0,
    sampling_ratio: int = 0,
    aligned: bool = True,
    angle_unit: str = "degrees",
    clockwise: bool = False,
) -> np.ndarray:
    """Gradient of ``sum(grad_output * roi_align_rotated(input, ...))`` with respect to ``input``."""
    feat, dtype, plan = _prepare(
        input, rois, output_size, spatial_scale, sampling_ratio, aligned, angle_unit, clockwise
    )
    expected = (plan.num_boxes, feat.shape[1], *plan.output_size)
    grad = kernel_input(check_grad_output(grad_output, expected, dtype), plan.dtype)
    if grad.size == 0:
        return np.zeros(feat.shape, dtype)
    _, _, H, W = feat.shape
    args = (grad, *_args(plan), H, W)
    cost = _cost(plan, feat.shape[1])
    return chunked_gradient(feat, dtype, kernels.rotated_backward, *args, what="rotated RoI Align", cost=cost)
