"""RoI Pool and RoI Align: the public ops (numpy in, numpy out).

Each op validates its arguments once (:mod:`roikit.engine.validate`), builds or
reuses a plan (:mod:`roikit.engine.plan`) and runs a compiled kernel on it
(:mod:`roikit.engine.kernels`).

Dtype policy: the output has the dtype of ``input``. float32 and float64
compute in their own dtype; float16 computes in float32 and is rounded back.
Integer, boolean and complex inputs are rejected (:class:`~roikit.DTypeError`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import kernels
from ..engine.budget import check_evaluations, check_output_bytes
from ..engine.plan import AlignAxis, AlignPlan, PoolPlan, plan_roi_align, plan_roi_pool
from ..engine.validate import (
    CheckedBoxes,
    check_aligned,
    check_boxes,
    check_grad_output,
    check_input,
    check_mode,
    check_output_size,
    check_sampling_ratio,
    check_scale_fits,
    check_spatial_scale,
    compute_dtype,
)

__all__ = ["roi_align", "roi_align_backward", "roi_pool", "roi_pool_backward"]

Boxes = Any  # (K, 5) array-like, or a list of (L_i, 4) arrays


def _prepare(
    input: Any, boxes: Boxes, output_size: Any, spatial_scale: Any
) -> tuple[np.ndarray, np.dtype, CheckedBoxes, tuple[int, int], float]:
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
    feat, dtype, checked, size, scale = _prepare(input, boxes, output_size, spatial_scale)
    ratio = check_sampling_ratio(sampling_ratio)
    plan = plan_roi_align(checked, feat.shape, feat.dtype, size, scale, ratio, check_aligned(aligned))
    return feat, dtype, plan


def make_pool_plan(
    input: Any, boxes: Boxes, output_size: Any, spatial_scale: Any = 1.0
) -> tuple[np.ndarray, np.dtype, PoolPlan]:
    """Validate RoI Pool arguments and return (features, input dtype, plan)."""
    feat, dtype, checked, size, scale = _prepare(input, boxes, output_size, spatial_scale)
    return feat, dtype, plan_roi_pool(checked, feat.shape, feat.dtype, size, scale)


def _taps(axis: AlignAxis) -> tuple[np.ndarray, ...]:
    return axis.tap_offsets, axis.tap_start, axis.tap_weight, axis.span_start, axis.span_stop


def _samples(axis: AlignAxis, with_index: bool) -> tuple[np.ndarray, ...]:
    head = (axis.sample_offsets, axis.sample_index) if with_index else (axis.sample_offsets,)
    return (*head, axis.inside, axis.low, axis.high, axis.w_low, axis.w_high)


def _max_args(plan: AlignPlan, channels: int) -> tuple[Any, ...]:
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
        kernels.align_avg_forward(last, plan.batch, *_taps(plan.y), *_taps(plan.x), out)
    else:
        none = np.empty((0, 1, 1, 1), np.int64)
        kernels.align_max_forward(last, *_max_args(plan, feat.shape[1]), out, none, none, mode == "corners")
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
            *_max_args(plan, feat.shape[1]),
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


def roi_align(
    input: Any,
    boxes: Boxes,
    output_size: int | tuple[int, int],
    spatial_scale: float = 1.0,
    sampling_ratio: int = -1,
    aligned: bool = False,
    mode: str = "avg",
) -> np.ndarray:
    """RoI Align (Mask R-CNN): bilinear samples per bin, averaged or max-pooled.

    Parameters
    ----------
    input : ndarray of shape (N, C, H, W)
        Feature maps, float16, float32 or float64.
    boxes : ndarray of shape (K, 5), or list of N ndarrays of shape (L_i, 4)
        Rows ``(batch_index, x1, y1, x2, y2)`` in input-image pixels, or one
        ``(x1, y1, x2, y2)`` array per image (the batch index is its position).
        Floating boxes must have the input's dtype, as in torchvision.
    output_size : int or (int, int)
        ``PH, PW``: the number of bins per box.
    spatial_scale : float, default 1.0
        Factor from image pixels to feature cells, e.g. ``1/16``.
    sampling_ratio : int, default -1
        Samples per bin along each axis; ``<= 0`` is adaptive,
        ``ceil(box size / output size)``.
    aligned : bool, default False
        ``True`` shifts the box by -0.5 cell (half-pixel model, detectron2's
        ROIAlignV2); ``False`` is the legacy integer grid.
    mode : {"avg", "max"}, default "avg"
        ``"avg"`` averages the samples (torchvision, detectron2, ONNX);
        ``"max"`` takes the max of the interpolated samples (mmcv
        ``pool_mode="max"``, the reading of the Mask R-CNN paper's Figure 3).

    Returns
    -------
    ndarray of shape (K, C, PH, PW)
        Same dtype as ``input``.

    Raises
    ------
    RoIError
        (a ValueError) when an argument breaks a rule; the message names it.
    DTypeError
        (also a TypeError) for integer/complex input or mismatched box dtype.

    Notes
    -----
    Convention: avg matches ``torchvision.ops.roi_align`` 0.29 (CPU) and ONNX
    ``RoiAlign`` (``half_pixel`` = ``aligned=True``). A sample at ``y`` in
    ``[-1, H]`` is clamped to the map; farther out it is worth 0 but still
    counts in the average. In max mode (mmcv's) the samples outside are zeros
    that take part in the max, the first maximum wins, a bin with no samples
    gives 0 and a bin whose samples are all NaN gives ``-FLT_MAX``, as mmcv.

    Examples
    --------
    On a 4x4 ramp, a 2x2-pixel box with one sample lands on cell (1, 1):

    >>> import numpy as np
    >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> box = np.array([[0, 0, 0, 2, 2]], dtype=np.float32)
    >>> roi_align(x, box, output_size=1, sampling_ratio=1)
    array([[[[5.]]]], dtype=float32)

    With ``aligned=True`` the sample moves to (0.5, 0.5), between cells 0, 1, 4, 5:

    >>> roi_align(x, box, output_size=1, sampling_ratio=1, aligned=True)
    array([[[[2.5]]]], dtype=float32)
    """
    feat, dtype, plan = make_align_plan(input, boxes, output_size, spatial_scale, sampling_ratio, aligned)
    return run_align(plan, feat, check_mode(mode)).astype(dtype, copy=False)


def roi_align_backward(
    grad_output: Any,
    input: Any,
    boxes: Boxes,
    output_size: int | tuple[int, int],
    spatial_scale: float = 1.0,
    sampling_ratio: int = -1,
    aligned: bool = False,
    mode: str = "avg",
) -> np.ndarray:
    """Gradient of ``sum(grad_output * roi_align(input, ...))`` with respect to ``input``.

    Parameters
    ----------
    grad_output : ndarray of shape (K, C, PH, PW)
        Upstream gradient, same dtype as ``input``.
    input, boxes, output_size, spatial_scale, sampling_ratio, aligned, mode
        As for :func:`roi_align`. ``input`` fixes the shape and, in max mode,
        which sample wins each bin.

    Returns
    -------
    ndarray of shape (N, C, H, W)
        Same dtype as ``input``. Deterministic: summed in a fixed order.

    Examples
    --------
    The single sample at (1, 1) sends all of the gradient to cell (1, 1):

    >>> import numpy as np
    >>> x = np.zeros((1, 1, 3, 3))
    >>> g = np.ones((1, 1, 1, 1))
    >>> roi_align_backward(g, x, np.array([[0., 0, 0, 2, 2]]), 1, sampling_ratio=1)[0, 0]
    array([[0., 0., 0.],
           [0., 1., 0.],
           [0., 0., 0.]])
    """
    feat, dtype, plan = make_align_plan(input, boxes, output_size, spatial_scale, sampling_ratio, aligned)
    mode = check_mode(mode)
    grad = check_grad_output(grad_output, (plan.num_boxes, feat.shape[1], *plan.output_size), dtype).astype(
        plan.dtype
    )
    if grad.size == 0:
        return np.zeros(feat.shape, dtype)
    if mode == "avg":
        return chunked_gradient(
            feat,
            dtype,
            lambda buf: kernels.align_avg_backward(grad, plan.batch, *_taps(plan.y), *_taps(plan.x), buf),
        )
    last = kernels.to_channels_last(feat)
    return chunked_gradient(
        feat, dtype, lambda buf: kernels.align_max_backward(last, grad, *_max_args(plan, feat.shape[1]), buf)
    )


def roi_pool(
    input: Any,
    boxes: Boxes,
    output_size: int | tuple[int, int],
    spatial_scale: float = 1.0,
) -> np.ndarray:
    """RoI Pool (Fast R-CNN): snap the box to cells, split it into bins, take each max.

    Parameters
    ----------
    input : ndarray of shape (N, C, H, W)
        Feature maps, float16, float32 or float64.
    boxes : ndarray of shape (K, 5), or list of N ndarrays of shape (L_i, 4)
        As for :func:`roi_align`.
    output_size : int or (int, int)
        ``PH, PW``.
    spatial_scale : float, default 1.0
        Factor from image pixels to feature cells.

    Returns
    -------
    ndarray of shape (K, C, PH, PW)
        Same dtype as ``input``.

    Notes
    -----
    Convention: matches ``torchvision.ops.roi_pool`` (and Caffe's
    ``ROIPooling``). Box corners are scaled and rounded half away from zero
    (2.5 -> 3, unlike numpy's ``round``); the end cell is inclusive; bin ``p``
    covers cells ``[floor(p*b), ceil((p+1)*b))`` from the start, clipped to the
    map, so neighbouring bins may overlap. The first maximum wins; an empty
    bin gives 0.

    Examples
    --------
    The box rounds to cells x 0..3 and y 1..3 (0.6 -> 1, 2.5 -> 3), whose max is 15:

    >>> import numpy as np
    >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> roi_pool(x, np.array([[0, 0.4, 0.6, 2.5, 2.5]], dtype=np.float32), 1)
    array([[[[15.]]]], dtype=float32)
    """
    feat, dtype, plan = make_pool_plan(input, boxes, output_size, spatial_scale)
    return run_pool(plan, feat).astype(dtype, copy=False)


def roi_pool_backward(
    grad_output: Any,
    input: Any,
    boxes: Boxes,
    output_size: int | tuple[int, int],
    spatial_scale: float = 1.0,
) -> np.ndarray:
    """Gradient of ``sum(grad_output * roi_pool(input, ...))`` with respect to ``input``.

    Each bin's gradient goes to the cell that won its max (the first one on
    ties); empty bins send nothing.

    Parameters
    ----------
    grad_output : ndarray of shape (K, C, PH, PW)
        Upstream gradient, same dtype as ``input``.
    input, boxes, output_size, spatial_scale
        As for :func:`roi_pool`.

    Returns
    -------
    ndarray of shape (N, C, H, W)
        Same dtype as ``input``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[[[1., 9.], [3., 4.]]]])
    >>> roi_pool_backward(np.ones((1, 1, 1, 1)), x, np.array([[0., 0, 0, 1, 1]]), 1)[0, 0]
    array([[0., 1.],
           [0., 0.]])
    """
    feat, dtype, plan = make_pool_plan(input, boxes, output_size, spatial_scale)
    grad = check_grad_output(grad_output, (plan.num_boxes, feat.shape[1], *plan.output_size), dtype).astype(
        plan.dtype
    )
    if grad.size == 0:
        return np.zeros(feat.shape, dtype)
    y, x = plan.y, plan.x
    last = kernels.to_channels_last(feat)
    return chunked_gradient(
        feat,
        dtype,
        lambda buf: kernels.pool_backward(
            last, grad, plan.batch, y.bin_start, y.bin_end, x.bin_start, x.bin_end, buf
        ),
    )
