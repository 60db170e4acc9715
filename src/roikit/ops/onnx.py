"""ONNX ``RoiAlign`` and ``MaxRoiPool`` as ONNX Runtime computes them (forward only)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine.execute import in_dtype, make_align_plan, run_align
from ..engine.validate import (
    check_choice,
    check_int,
    check_real_array,
    check_sampling_ratio,
    check_spatial_scale,
)
from ..errors import BoxError, ParameterError
from .roi_align import roi_align
from .roi_pool import roi_pool

__all__ = ["onnx_max_roi_pool", "onnx_roi_align"]

_MODES = ("half_pixel", "output_half_pixel")


def _rois_with_batch(rois: Any, batch_indices: Any) -> np.ndarray:
    r = check_real_array(rois, "rois", "(R, 4)", finite=False)
    b = check_real_array(batch_indices, "batch_indices", "(R,)", finite=False)
    if r.ndim != 2 or r.shape[1] != 4:
        raise BoxError(f"rois must have shape (R, 4) with rows (x1, y1, x2, y2); got shape {r.shape}")
    if b.shape != (r.shape[0],):
        raise BoxError(f"batch_indices must have shape ({r.shape[0]},), one per roi; got shape {b.shape}")
    if b.dtype.kind not in "iu":
        raise BoxError(f"batch_indices must be integers (ONNX int64); got dtype {b.dtype}")
    return np.column_stack([b.astype(r.dtype), r])


def onnx_roi_align(
    X: Any,
    rois: Any,
    batch_indices: Any,
    output_height: int = 1,
    output_width: int = 1,
    sampling_ratio: int = 0,
    spatial_scale: float = 1.0,
    mode: str = "avg",
    coordinate_transformation_mode: str | None = None,
    opset: int = 16,
) -> np.ndarray:
    """ONNX ``RoiAlign`` with ONNX Runtime's numbers.

    Parameters
    ----------
    X : ndarray of shape (N, C, H, W)
    rois : ndarray of shape (R, 4)
        ``(x1, y1, x2, y2)`` in image pixels.
    batch_indices : int ndarray of shape (R,)
    output_height, output_width, sampling_ratio, spatial_scale
        The ONNX attributes (``sampling_ratio=0`` is adaptive). Like any ONNX
        float attribute, ``spatial_scale`` is rounded to float32.
    mode : {"avg", "max"}
        ``"max"`` reproduces ONNX Runtime: the max over samples of the largest
        *weighted corner* ``max(w1*v1, w2*v2, w3*v3, w4*v4)``, not of the
        interpolated value (a constant map of 10 with weights 0.25 gives 2.5).
        For the max of interpolated samples use ``roi_align(mode="max")``.
    coordinate_transformation_mode : {"half_pixel", "output_half_pixel"}, optional
        Opset 16 and later; default ``"half_pixel"`` (``aligned=True``).
        ``"output_half_pixel"`` is the legacy ``aligned=False``.
    opset : int, default 16
        Opset 10 has no coordinate attribute and means ``output_half_pixel``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.full((1, 1, 4, 4), 10.0, np.float32)
    >>> r = np.array([[1.0, 1.0, 3.0, 3.0]], np.float32)  # one sample at (1.5, 1.5)
    >>> onnx_roi_align(x, r, np.array([0]), 1, 1, sampling_ratio=1, mode="max")
    array([[[[2.5]]]], dtype=float32)
    """
    opset = check_int(opset, "opset")
    if opset < 10:
        raise ParameterError(f"opset is {opset}; RoiAlign exists from opset 10")
    if opset < 16:
        if coordinate_transformation_mode is not None:
            raise ParameterError(
                f"coordinate_transformation_mode does not exist in opset {opset}; RoiAlign-10 "
                f"always means output_half_pixel"
            )
        ctm = "output_half_pixel"
    else:
        ctm = "half_pixel" if coordinate_transformation_mode is None else coordinate_transformation_mode
    ctm = check_choice(ctm, "coordinate_transformation_mode", _MODES)
    mode = check_choice(mode, "mode", ("avg", "max"))
    boxes = _rois_with_batch(rois, batch_indices)
    size = (check_int(output_height, "output_height", low=1), check_int(output_width, "output_width", low=1))
    spatial_scale = _float32_attribute(spatial_scale)
    sr = max(check_sampling_ratio(sampling_ratio), 0)
    if mode == "avg":
        return roi_align(X, boxes, size, spatial_scale, sr, ctm == "half_pixel")
    feat, dtype, plan = make_align_plan(X, boxes, size, spatial_scale, sr, ctm == "half_pixel")
    out = run_align(plan, feat, "max", corners=True)
    return in_dtype(out, dtype)


def onnx_max_roi_pool(
    X: Any, rois: Any, pooled_shape: tuple[int, int], spatial_scale: float = 1.0
) -> np.ndarray:
    """ONNX ``MaxRoiPool``: rois (R, 5) ``(batch, x1, y1, x2, y2)``; Caffe's RoI Pool.

    The same numbers as :func:`roikit.roi_pool` (rounding half away from
    zero, inclusive end cell, floor/ceil bins).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> onnx_max_roi_pool(x, np.array([[0, 0.4, 0.6, 2.5, 2.5]], np.float32), (1, 1))
    array([[[[15.]]]], dtype=float32)
    """
    # pooled_shape is validated by roi_pool like any output_size; spatial_scale is a float32 attribute.
    return roi_pool(X, rois, pooled_shape, _float32_attribute(spatial_scale))


def _float32_attribute(spatial_scale: Any) -> float:
    """ONNX attributes are float32: a double model still sees spatial_scale rounded to float32."""
    value = check_spatial_scale(spatial_scale)
    with np.errstate(over="ignore", under="ignore"):
        rounded = float(np.float32(value))
    if not 0 < rounded < float("inf"):
        raise ParameterError(f"spatial_scale is {value!r}, which a float32 ONNX attribute cannot hold")
    return rounded
