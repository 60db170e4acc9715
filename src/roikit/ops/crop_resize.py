"""TensorFlow's ``tf.image.crop_and_resize`` and tensorpack's RoI Align built on it."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import kernels
from ..engine.budget import check_output_bytes, check_work
from ..engine.execute import run_backward
from ..engine.plan_extra import CropAxis, plan_crop_axis
from ..engine.validate import check_choice, check_int, check_output_size, check_real, check_real_array
from ..errors import BoxError, InputError

__all__ = ["crop_and_resize", "crop_and_resize_backward", "tensorpack_roi_align"]


def _check(
    image: Any,
    boxes: Any,
    box_indices: Any,
    crop_size: Any,
    method: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, int], CropAxis, CropAxis]:
    img = check_real_array(image, "image", "(N, H, W, D)", finite=False)
    if img.dtype != np.float32:
        with np.errstate(over="ignore"):  # computed in float32, as TensorFlow: beyond it is inf
            img = img.astype(np.float32)
    if img.ndim != 4:
        raise InputError(f"image must have shape (N, H, W, D) (NHWC); got shape {img.shape}")
    if min(img.shape[1:3]) == 0:
        raise InputError(f"image has shape {img.shape}; height and width must be positive")
    b = check_real_array(boxes, "boxes", "(K, 4)", finite=False)
    if b.ndim != 2 or b.shape[1] != 4:
        raise BoxError(
            f"boxes must be a real array of shape (K, 4) with rows (y1, x1, y2, x2) normalized to "
            f"[0, 1]; got shape {b.shape} and dtype {b.dtype}"
        )
    with np.errstate(over="ignore"):
        b = b.astype(np.float32)
    # TensorFlow's CPU kernels run with denormals flushed to zero.
    b = np.where(np.abs(b) < np.finfo(np.float32).tiny, np.float32(0), b)
    bad = np.argwhere(~np.isfinite(b))
    if bad.size:
        r, c = bad[0]
        raise BoxError(f"boxes[{r}, {c}] is {b[r, c]}; box coordinates must be finite")
    idx = check_real_array(box_indices, "box_indices", "(K,)", finite=False)
    if idx.shape != (b.shape[0],) or idx.dtype.kind not in "iu":
        raise BoxError(
            f"box_indices must be {b.shape[0]} integers, one per box; got shape {idx.shape} and "
            f"dtype {idx.dtype}"
        )
    out_of_range = np.flatnonzero((idx < 0) | (idx >= img.shape[0]))
    if out_of_range.size:
        i = int(out_of_range[0])
        raise BoxError(
            f"box_indices[{i}] is {idx[i]}; it must be in [0, {img.shape[0]}) because image has "
            f"{img.shape[0]} image(s)"
        )
    check_choice(method, "method", ("bilinear", "nearest"))
    ch, cw = check_output_size(crop_size, "crop_size")
    check_output_bytes("the crops", (b.shape[0], ch, cw, img.shape[3]), 4)
    check_work("crop_and_resize", 4.0 * b.shape[0] * ch * cw * img.shape[3])
    y = plan_crop_axis(b[:, 0], b[:, 2], ch, img.shape[1])
    x = plan_crop_axis(b[:, 1], b[:, 3], cw, img.shape[2])
    return img, b, idx.astype(np.int64), (ch, cw), y, x


def _axes(y: CropAxis, x: CropAxis) -> tuple[np.ndarray, ...]:
    return (y.inside, y.low, y.high, y.lerp, y.nearest, x.inside, x.low, x.high, x.lerp, x.nearest)


def crop_and_resize(
    image: Any,
    boxes: Any,
    box_indices: Any,
    crop_size: int | tuple[int, int],
    method: str = "bilinear",
    extrapolation_value: float = 0.0,
) -> np.ndarray:
    """``tf.image.crop_and_resize``: NHWC, normalized boxes, corner-aligned sampling.

    Parameters
    ----------
    image : ndarray of shape (N, H, W, D)
        Any real dtype; computed and returned in float32, as TensorFlow does.
    boxes : ndarray of shape (K, 4)
        ``(y1, x1, y2, x2)`` normalized: 0 is the first pixel's centre, 1 the
        last's. Flipped boxes (``y1 > y2``) crop upside down.
    box_indices : int ndarray of shape (K,)
    crop_size : int or (int, int)
    method : {"bilinear", "nearest"}
    extrapolation_value : float
        The value of a sample outside ``[0, H - 1] x [0, W - 1]`` (the whole
        sample, not a border rule).

    Returns
    -------
    float32 ndarray of shape (K, crop_h, crop_w, D)

    Notes
    -----
    Convention: corner-aligned, unlike RoI Align: output ``i`` of ``n`` sits
    at ``y1 * (H - 1) + i * (y2 - y1) * (H - 1) / (n - 1)``, one sample per
    output, no averaging. Interpolation is TensorFlow's
    ``top + (bottom - top) * y_lerp`` in float32.

    Examples
    --------
    >>> import numpy as np
    >>> img = np.arange(9, dtype=np.float32).reshape(1, 3, 3, 1)
    >>> crop_and_resize(img, np.array([[0.0, 0.0, 1.0, 1.0]]), np.array([0]), 2)[0, :, :, 0]
    array([[0., 2.],
           [6., 8.]], dtype=float32)
    """
    img, _, idx, size, y, x = _check(image, boxes, box_indices, crop_size, method)
    with np.errstate(over="ignore"):  # a float32 attribute in TensorFlow: 1e308 becomes inf
        fill = np.float32(check_real(extrapolation_value, "extrapolation_value"))
    out = np.zeros((len(idx), *size, img.shape[3]), np.float32)
    if out.size:
        cost = np.full(len(idx), 4.0 * np.prod(out.shape[1:]))
        image = np.ascontiguousarray(img, np.float32)
        kernels.crop_resize_forward(image, idx, *_axes(y, x), method == "bilinear", fill, out, cost=cost)
    return out


def crop_and_resize_backward(
    grad_output: Any,
    image: Any,
    boxes: Any,
    box_indices: Any,
    crop_size: int | tuple[int, int],
    method: str = "bilinear",
) -> np.ndarray:
    """Gradient of ``sum(grad_output * crop_and_resize(image, ...))`` w.r.t. ``image`` (float32).

    Outside samples (the extrapolation value) send nothing back.
    """
    img, _, idx, size, y, x = _check(image, boxes, box_indices, crop_size, method)
    grad = check_real_array(grad_output, "grad_output", finite=False)
    if grad.shape != (len(idx), *size, img.shape[3]):
        raise InputError(
            f"grad_output has shape {grad.shape}; the op's output has shape {(len(idx), *size, img.shape[3])}"
        )
    with np.errstate(over="ignore"):  # float32, as TensorFlow: beyond its range is inf
        grad = grad.astype(np.float32)
    dimage = np.zeros(img.shape, np.float32)
    if grad.size:
        args = (np.ascontiguousarray(grad), idx, *_axes(y, x), method == "bilinear", dimage)
        run_backward(
            kernels.crop_resize_backward,
            *args,
            cost=np.full(len(idx), 4.0 * np.prod(grad.shape[1:])),
            items=1,
        )
    return dimage


def tensorpack_roi_align(featuremap: Any, boxes: Any, box_indices: Any, resolution: int) -> np.ndarray:
    """RoI Align as tensorpack computes it: ``crop_and_resize`` to 2x the size, then 2x2 averages.

    Parameters
    ----------
    featuremap : ndarray of shape (N, C, H, W)
    boxes : ndarray of shape (K, 4)
        ``(x1, y1, x2, y2)`` in feature-map cells (already scaled).
    box_indices : int ndarray of shape (K,)
    resolution : int
        Output ``resolution x resolution``.

    Returns
    -------
    float32 ndarray of shape (K, C, resolution, resolution)

    Notes
    -----
    Convention: the map is padded by one cell on each side by mirroring
    (``SYMMETRIC``) and the boxes shifted by +1; each box is then mapped to
    TensorFlow's corner-aligned coordinates so that the ``2*resolution``
    samples sit at the centres of equal sub-bins (``x1 + spacing/2 - 0.5``,
    ``spacing = (x2 - x1) / (2*resolution)``), and every 2x2 block is averaged.
    This equals ``roi_align(aligned=True, sampling_ratio=2)`` except outside the
    map, where the mirrored border replaces the [-1, H] rule.
    """
    fm = check_real_array(featuremap, "featuremap", "(N, C, H, W)", finite=False)
    with np.errstate(over="ignore"):  # float32, as TensorFlow: beyond its range is inf
        fm = fm.astype(np.float32)
    if fm.ndim != 4 or min(fm.shape[2:]) == 0:
        raise InputError(f"featuremap must have shape (N, C, H, W) with H, W > 0; got shape {fm.shape}")
    resolution = check_int(resolution, "resolution", low=1, high=1 << 12)
    with np.errstate(over="ignore"):
        b = check_real_array(boxes, "boxes", "(K, 4)").astype(np.float32)
    if b.ndim != 2 or b.shape[1] != 4:
        raise BoxError(f"boxes must have shape (K, 4) with rows (x1, y1, x2, y2); got shape {b.shape}")
    padded = np.pad(fm, ((0, 0), (0, 0), (1, 1), (1, 1)), mode="symmetric")
    x0, y0, x1, y1 = (b[:, i] + np.float32(1) for i in range(4))
    n = 2 * resolution
    f32 = np.float32
    h_last, w_last = f32(padded.shape[2] - 1), f32(padded.shape[3] - 1)
    sw = (x1 - x0) / f32(n)
    sh = (y1 - y0) / f32(n)
    nx0 = (x0 + sw / f32(2) - f32(0.5)) / w_last
    ny0 = (y0 + sh / f32(2) - f32(0.5)) / h_last
    nw = sw * f32(n - 1) / w_last
    nh = sh * f32(n - 1) / h_last
    tf_boxes = np.stack([ny0, nx0, ny0 + nh, nx0 + nw], axis=1)
    crops = crop_and_resize(padded.transpose(0, 2, 3, 1), tf_boxes, box_indices, n)
    k, c = crops.shape[0], crops.shape[3]
    blocks = crops.reshape(k, resolution, 2, resolution, 2, c)
    with np.errstate(over="ignore"):  # float32 like TensorFlow: huge values average to inf
        out = blocks.mean(axis=(2, 4), dtype=np.float32)
    return np.ascontiguousarray(out.transpose(0, 3, 1, 2))
