"""Multi-scale RoI Align over an FPN pyramid (torchvision ``MultiScaleRoIAlign``, detectron2)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..engine.budget import check_output_bytes
from ..engine.execute import make_align_plan, run_align
from ..engine.validate import (
    check_aligned,
    check_bool,
    check_boxes,
    check_choice,
    check_input,
    check_int,
    check_output_size,
    check_real,
    check_real_array,
    check_sampling_ratio,
    compute_dtype,
)
from ..errors import BoxError, InputError, ParameterError

__all__ = ["assign_fpn_levels", "infer_scale", "multiscale_roi_align"]

_MAPPINGS = ("torchvision", "detectron2")


def infer_scale(feature_size: int, image_size: int) -> float:
    """The pyramid level's scale as torchvision infers it: ``2 ** round(log2(f / i))``.

    The logarithm is taken in float32 and rounded half to even, as torch does.

    Examples
    --------
    >>> infer_scale(50, 800), infer_scale(13, 800)
    (0.0625, 0.015625)
    """
    approx = np.float32(float(feature_size) / float(image_size))
    return float(2.0 ** float(np.round(np.log2(approx))))


def assign_fpn_levels(
    boxes: np.ndarray,
    k_min: int,
    k_max: int,
    canonical_scale: float = 224,
    canonical_level: int = 4,
    level_mapping: str = "torchvision",
) -> np.ndarray:
    """FPN level of each box (eq. 1 of the FPN paper), as an index from 0 (``k_min``).

    ``torchvision``: ``floor(k0 + log2(sqrt(area) / s0) + 1e-6)``;
    ``detectron2``: ``floor(k0 + log2(sqrt(area) / s0 + 1e-8))``; both clamped
    to ``[k_min, k_max]``, in the boxes' dtype. A box with negative area
    (inverted) has no level: -1, and pools to zeros, as in torchvision.

    Examples
    --------
    >>> import numpy as np
    >>> b = np.array([[0, 0, 224, 224], [0, 0, 112, 112], [0, 0, 1000, 1000]], np.float32)
    >>> assign_fpn_levels(b, 2, 5)
    array([2, 1, 3])
    """
    level_mapping = check_choice(level_mapping, "level_mapping", _MAPPINGS)
    b = check_real_array(boxes, "boxes", "(K, 4)")
    if b.ndim != 2 or b.shape[1] != 4:
        raise BoxError(f"boxes must have shape (K, 4) with rows (x1, y1, x2, y2); got shape {b.shape}")
    if b.dtype.kind in "iu":
        b = b.astype(np.float64)
    k_min = check_int(k_min, "k_min", low=-64, high=64)
    k_max = check_int(k_max, "k_max", low=k_min, high=64)
    canonical_scale = check_real(canonical_scale, "canonical_scale", positive=True)
    canonical_level = check_int(canonical_level, "canonical_level", low=-64, high=64)
    dt = b.dtype.type
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        s = np.sqrt((b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]))
        if level_mapping == "torchvision":
            lvl = np.floor(dt(canonical_level) + np.log2(s / dt(canonical_scale)) + dt(1e-6))
        else:
            lvl = np.floor(dt(canonical_level) + np.log2(s / dt(canonical_scale) + dt(1e-8)))
    lvl = np.clip(lvl, k_min, k_max)
    return np.where(np.isnan(lvl), -1, np.nan_to_num(lvl) - k_min).astype(np.int64)


def multiscale_roi_align(
    features: Sequence[Any],
    boxes: Any,
    image_sizes: Sequence[tuple[int, int]],
    output_size: int | tuple[int, int],
    sampling_ratio: int = -1,
    *,
    canonical_scale: float = 224,
    canonical_level: int = 4,
    level_mapping: str = "torchvision",
    aligned: bool = False,
    return_levels: bool = False,
) -> Any:
    """RoI Align from the pyramid level that suits each box's size.

    Parameters
    ----------
    features : list of ndarray of shape (N, C, H_l, W_l)
        The pyramid, finest level first (e.g. P2 ... P5).
    boxes : ndarray of shape (K, 5), or list of N ndarrays of shape (L_i, 4)
        In image pixels.
    image_sizes : list of (height, width)
        The images' sizes before the backbone; scales are inferred from them
        as ``2 ** round(log2(H_l / max height))``.
    output_size, sampling_ratio, aligned
        As for :func:`roikit.roi_align` (torchvision's module uses
        ``aligned=False``; detectron2's ``ROIAlignV2`` pooler uses ``True``).
    canonical_scale, canonical_level, level_mapping
        Eq. 1 of the FPN paper (see :func:`assign_fpn_levels`).
    return_levels : bool
        Also return each box's level index.

    Returns
    -------
    ndarray of shape (K, C, PH, PW), or (output, levels)

    Examples
    --------
    >>> import numpy as np
    >>> feats = [np.ones((1, 2, 64, 64)), np.full((1, 2, 32, 32), 2.0)]
    >>> boxes = np.array([[0, 10, 10, 40, 40], [0, 0, 0, 500, 500]])
    >>> out, levels = multiscale_roi_align(feats, boxes, [(256, 256)], 2, return_levels=True)
    >>> levels, out[:, 0, 0, 0]
    (array([0, 1]), array([1., 2.]))
    """
    if not isinstance(features, (list, tuple)) or not features:
        raise InputError(
            f"features must be a non-empty list of (N, C, H, W) arrays, finest level first; "
            f"got {type(features).__name__}"
        )
    feats = [check_input(f, f"features[{i}]") for i, f in enumerate(features)]
    for i, f in enumerate(feats[1:], 1):
        if f.shape[:2] != feats[0].shape[:2] or f.dtype != feats[0].dtype:
            raise InputError(
                f"features[{i}] has shape {f.shape} and dtype {f.dtype}; every level needs "
                f"features[0]'s N, C = {feats[0].shape[:2]} and dtype {feats[0].dtype}"
            )
    if not isinstance(image_sizes, (list, tuple)) or not image_sizes:
        raise ParameterError(
            f"image_sizes must be a non-empty list of (height, width); got {type(image_sizes).__name__}"
        )
    sizes = []
    for i, s in enumerate(image_sizes):
        if not isinstance(s, (list, tuple)) or len(s) != 2:
            raise ParameterError(f"image_sizes[{i}] must be a (height, width) pair; got {s!r:.60}")
        sizes.append(
            tuple(check_int(v, f"image_sizes[{i}][{j}]", low=1, high=2**31 - 1) for j, v in enumerate(s))
        )
    size = check_output_size(output_size)
    sampling_ratio = check_sampling_ratio(sampling_ratio)
    aligned = check_aligned(aligned)
    return_levels = check_bool(return_levels, "return_levels")
    checked = check_boxes(boxes, feats[0].shape[0], feats[0].dtype)
    check_output_bytes(
        "the output", (len(checked.batch), feats[0].shape[1], *size), compute_dtype(feats[0].dtype).itemsize
    )
    max_h = max(s[0] for s in sizes)
    scales = [infer_scale(f.shape[2], max_h) for f in feats]
    k_min = int(-np.log2(np.float32(scales[0])))
    k_max = int(-np.log2(np.float32(scales[-1])))
    if k_max < k_min:
        raise InputError(
            f"features must go from the finest level to the coarsest (as torchvision's and detectron2's "
            f"poolers take them); the heights {[f.shape[2] for f in feats]} get coarser first"
        )
    if len(feats) == 1:
        levels = np.zeros(len(checked.batch), np.int64)
    else:
        levels = assign_fpn_levels(
            checked.coords, k_min, k_max, canonical_scale, canonical_level, level_mapping
        )
    dtype = compute_dtype(feats[0].dtype)
    out = np.zeros((len(levels), feats[0].shape[1], *size), dtype)
    rows = np.column_stack([checked.batch.astype(checked.coords.dtype), checked.coords])
    for lvl, (f, scale) in enumerate(zip(feats, scales, strict=True)):
        idx = np.flatnonzero(levels == lvl)
        if idx.size:
            feat, _, plan = make_align_plan(f, rows[idx], size, scale, sampling_ratio, aligned)
            out[idx] = run_align(plan, feat, "avg")
    out = out.astype(feats[0].dtype, copy=False)
    return (out, levels) if return_levels else out
