"""RoI Align (Mask R-CNN): the public op and its backward (numpy in, numpy out).

Each call validates its arguments once (:mod:`roikit.engine.validate`), builds or
reuses a plan (:mod:`roikit.engine.plan`) and runs a compiled kernel on it
(:mod:`roikit.engine.execute`).

Dtype policy: the output has the dtype of ``input``. float32 and float64
compute in their own dtype; float16 computes in float32 and is rounded back.
Integer, boolean and complex inputs are rejected (:class:`~roikit.DTypeError`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import kernels
from ..engine.execute import (
    Boxes,
    align_max_cost,
    align_reads,
    avg_backward,
    checked_cost,
    chunked_gradient,
    in_dtype,
    kernel_input,
    make_align_plan,
    max_backward_args,
    run_align,
)
from ..engine.validate import check_grad_output, check_mode

__all__ = ["roi_align", "roi_align_backward"]


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
    return in_dtype(run_align(plan, feat, check_mode(mode)), dtype)


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
    expected = (plan.num_boxes, feat.shape[1], *plan.output_size)
    grad = kernel_input(check_grad_output(grad_output, expected, dtype), plan.dtype)
    if grad.size == 0:
        return np.zeros(feat.shape, dtype)
    C = feat.shape[1]
    if mode == "avg":
        kernel, args, cost = avg_backward(plan, grad)
        return chunked_gradient(
            feat, dtype, kernel, *args, what="RoI Align", cost=cost, reads=align_reads(plan)
        )
    cost = checked_cost("the backward of RoI Align", align_max_cost(plan, C))  # before any copy
    # the winning samples, found once for all channels (by the forward's kernel), then each bin's
    # gradient sent to the winner's four neighbours
    args = max_backward_args(plan, feat)
    return chunked_gradient(
        feat,
        dtype,
        kernels.align_max_backward_from_winners,
        grad,
        *args,
        what="RoI Align",
        cost=cost,
        reads=align_reads(plan),
    )
