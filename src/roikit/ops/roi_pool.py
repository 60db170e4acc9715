"""RoI Pool (Fast R-CNN): the public op and its backward (numpy in, numpy out).

Dtype policy: as :mod:`roikit.ops.roi_align`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import kernels
from ..engine.execute import (
    Boxes,
    channels_last,
    checked_cost,
    chunked_gradient,
    in_dtype,
    kernel_input,
    make_pool_plan,
    pool_cost,
    pool_reads,
    run_pool,
)
from ..engine.validate import check_grad_output

__all__ = ["roi_pool", "roi_pool_backward"]


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
    return in_dtype(run_pool(plan, feat), dtype)


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
    expected = (plan.num_boxes, feat.shape[1], *plan.output_size)
    grad = kernel_input(check_grad_output(grad_output, expected, dtype), plan.dtype)
    if grad.size == 0:
        return np.zeros(feat.shape, dtype)
    y, x = plan.y, plan.x
    cost = checked_cost("the backward of RoI Pool", pool_cost(plan, feat.shape[1]))  # before any copy
    args = (
        channels_last(feat, pool_reads(plan), float(cost.sum())),
        grad,
        plan.batch,
        y.bin_start,
        y.bin_end,
        x.bin_start,
        x.bin_end,
    )
    return chunked_gradient(
        feat, dtype, kernels.pool_backward, *args, what="RoI Pool", cost=cost, reads=pool_reads(plan)
    )
