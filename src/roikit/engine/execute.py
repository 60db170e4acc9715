"""Running a plan: validate a call, build (or reuse) its plan, execute it with the kernels.

The public ops (:mod:`roikit.ops`) and the walkthroughs (:mod:`roikit.explain`)
both run RoI Pool and RoI Align through these functions, so a walkthrough's
numbers are the op's numbers: the same validation, the same plan, the same
kernel.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import kernels
from .budget import check_evaluations, check_output_bytes
from .plan import AlignAxis, AlignPlan, PoolPlan, plan_roi_align, plan_roi_pool
from .validate import (
    CheckedBoxes,
    check_aligned,
    check_boxes,
    check_input,
    check_output_size,
    check_sampling_ratio,
    check_scale_fits,
    check_spatial_scale,
    compute_dtype,
)

__all__ = [
    "Boxes",
    "chunked_gradient",
    "make_align_plan",
    "make_pool_plan",
    "prepare",
    "run_align",
    "run_align_winners",
    "run_pool",
    "run_pool_winners",
    "taps",
    "max_args",
]

Boxes = Any  # (K, 5) array-like, or a list of (L_i, 4) arrays


def prepare(
    input: Any, boxes: Boxes, output_size: Any, spatial_scale: Any
) -> tuple[np.ndarray, np.dtype, CheckedBoxes, tuple[int, int], float]:
    """Check the arguments every op shares; return (features, input dtype, boxes, size, scale)."""
    arr = check_input(input)
    size = check_output_size(output_size)
    scale = check_spatial_scale(spatial_scale)
    check_scale_fits(scale, compute_dtype(arr.dtype))
    checked = check_boxes(boxes, arr.shape[0], arr.dtype)
    shape = (checked.batch.shape[0], arr.shape[1], *size)
    check_output_bytes("the output", shape, compute_dtype(arr.dtype).itemsize)
    feat = np.ascontiguousarray(arr, dtype=compute_dtype(arr.dtype))
    return feat, arr.dtype, checked, size, scale


def make_align_plan(
    input: Any,
    boxes: Boxes,
    output_size: Any,
    spatial_scale: Any = 1.0,
    sampling_ratio: Any = -1,
    aligned: Any = False,
) -> tuple[np.ndarray, np.dtype, AlignPlan]:
    """Validate RoI Align arguments and return (features, input dtype, plan)."""
    feat, dtype, checked, size, scale = prepare(input, boxes, output_size, spatial_scale)
    ratio = check_sampling_ratio(sampling_ratio)
    plan = plan_roi_align(checked, feat.shape, feat.dtype, size, scale, ratio, check_aligned(aligned))
    return feat, dtype, plan


def make_pool_plan(
    input: Any, boxes: Boxes, output_size: Any, spatial_scale: Any = 1.0
) -> tuple[np.ndarray, np.dtype, PoolPlan]:
    """Validate RoI Pool arguments and return (features, input dtype, plan)."""
    feat, dtype, checked, size, scale = prepare(input, boxes, output_size, spatial_scale)
    return feat, dtype, plan_roi_pool(checked, feat.shape, feat.dtype, size, scale)


def taps(axis: AlignAxis) -> tuple[np.ndarray, ...]:
    """The separable kernels' arguments for one axis: the rows of ``A_y`` or ``A_x``."""
    return axis.tap_offsets, axis.tap_start, axis.tap_weight, axis.span_start, axis.span_stop


def _samples(axis: AlignAxis, with_index: bool) -> tuple[np.ndarray, ...]:
    head = (axis.sample_offsets, axis.sample_index) if with_index else (axis.sample_offsets,)
    return (*head, axis.inside, axis.low, axis.high, axis.w_low, axis.w_high)


def max_args(plan: AlignPlan, channels: int) -> tuple[Any, ...]:
    """The max-mode kernels' plan arguments, after checking their cost."""
    # max mode interpolates every stored point of every bin in every channel: check that first.
    ny = np.diff(plan.y.sample_offsets).reshape(plan.num_boxes, -1).sum(axis=1, dtype=np.float64)
    nx = np.diff(plan.x.sample_offsets).reshape(plan.num_boxes, -1).sum(axis=1, dtype=np.float64)
    check_evaluations("max-mode RoI Align", float(np.dot(ny, nx)) * channels)
    return (plan.batch, plan.has_samples, plan.zero_kind, *_samples(plan.y, True), *_samples(plan.x, False))


def _output(plan: AlignPlan | PoolPlan, channels: int) -> np.ndarray:
    return np.zeros((plan.num_boxes, channels, *plan.output_size), plan.dtype)


def chunked_gradient(feat: np.ndarray, dtype: np.dtype, fill: Any) -> np.ndarray:
    """Run ``fill(buffer)`` on a chunk-major gradient buffer; return it as (N, C, H, W) ``dtype``."""
    buf = kernels.zeros_chunked(feat.shape, feat.dtype)
    fill(buf)
    return kernels.from_chunked(buf, feat.shape[1]).astype(dtype, copy=False)


def run_align(plan: AlignPlan, feat: np.ndarray, mode: str) -> np.ndarray:
    """Execute a RoI Align plan on (N, C, H, W) features of the plan's dtype.

    ``mode`` is ``"avg"``, ``"max"`` or ``"corners"`` (ONNX Runtime's max of
    weighted corners, see :func:`roikit.onnx_roi_align`).
    """
    out = _output(plan, feat.shape[1])
    if out.size == 0:
        return out
    last = kernels.to_channels_last(feat)
    if mode == "avg":
        kernels.align_avg_forward(last, plan.batch, *taps(plan.y), *taps(plan.x), out)
    else:
        none = np.empty((0, 1, 1, 1), np.int64)
        kernels.align_max_forward(last, *max_args(plan, feat.shape[1]), out, none, none, mode == "corners")
    return out


def run_pool(plan: PoolPlan, feat: np.ndarray) -> np.ndarray:
    """Execute a RoI Pool plan on features of the plan's dtype (no validation)."""
    out = _output(plan, feat.shape[1])
    if out.size == 0:
        return out
    y, x = plan.y, plan.x
    last = kernels.to_channels_last(feat)
    kernels.pool_forward(last, plan.batch, y.bin_start, y.bin_end, x.bin_start, x.bin_end, out)
    return out


def run_align_winners(plan: AlignPlan, feat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Winning sample of every max-mode bin: positions in the plan's y / x sample arrays.

    Returns two int64 arrays of shape (K, C, PH, PW): -1 where an out-of-range
    sample (worth 0) wins, -2 where nothing won (no samples, or all NaN).
    """
    shape = (plan.num_boxes, feat.shape[1], *plan.output_size)
    win_y, win_x = np.full(shape, -2, np.int64), np.full(shape, -2, np.int64)
    if win_y.size:
        kernels.align_max_forward(
            kernels.to_channels_last(feat),
            *max_args(plan, feat.shape[1]),
            np.zeros(shape, plan.dtype),
            win_y,
            win_x,
            False,
        )
    return win_y, win_x


def run_pool_winners(plan: PoolPlan, feat: np.ndarray) -> np.ndarray:
    """Winning cell ``row * W + col`` of every RoI Pool bin, -1 for empty bins."""
    win = np.full((plan.num_boxes, feat.shape[1], *plan.output_size), -1, np.int64)
    if win.size:
        y, x = plan.y, plan.x
        kernels.pool_winners(
            kernels.to_channels_last(feat), plan.batch, y.bin_start, y.bin_end, x.bin_start, x.bin_end, win
        )
    return win
