"""Boundary checks: every public op validates its arguments here, once.

The checks return normalized values (contiguous arrays in the computation
dtype, plain ``int``/``float`` parameters) so nothing downstream re-checks.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import BoxError, DTypeError, InputError, ParameterError
from . import budget
from .budget import check_sampling_ratio_budget

_FLOAT_DTYPES = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))
MODES = ("avg", "max")


def compute_dtype(dtype: np.dtype) -> np.dtype:
    """Return the dtype the kernels compute in: float16 computes in float32."""
    return np.dtype(np.float32) if dtype == np.float16 else np.dtype(dtype)


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def as_array(value: Any, name: str, what: str) -> np.ndarray:
    """``value`` as a numpy array in native byte order, or a :class:`DTypeError` naming ``name``.

    ``what`` says what ``name`` must be (for the message). A masked array is
    refused, since no op reads its mask; big-endian data is converted, as the
    command line always did.
    """
    if isinstance(value, np.ma.MaskedArray):
        raise DTypeError(
            f"{name} is a masked array; roikit's ops do not read masks: pass {name}.filled(value) "
            f"(or its .data) to say what the masked cells hold"
        )
    try:
        arr = np.asarray(value)
    except Exception as exc:  # e.g. a CUDA tensor, a ragged list, an __array__ that raises
        raise DTypeError(
            f"{name} must be {what}; could not convert {type(value).__name__} to a numpy array "
            f"({type(exc).__name__}: {str(exc)[:80]})"
        ) from exc
    if arr.dtype.byteorder not in "=|" and arr.dtype.kind in "iuf":
        arr = arr.astype(arr.dtype.newbyteorder("="))
    return arr


def check_input(input: Any, name: str = "input") -> np.ndarray:
    """Return ``input`` as an (N, C, H, W) float array, or raise.

    Accepts anything :func:`numpy.asarray` turns into a float16/32/64 array
    (numpy arrays in any layout or byte order, CPU torch tensors, nested lists
    of floats); masked arrays are refused.
    """
    arr = as_array(input, name, "an array of shape (N, C, H, W)")
    if arr.dtype not in _FLOAT_DTYPES:
        raise DTypeError(
            f"{name} has dtype {arr.dtype}; it must be float16, float32 or float64 "
            f"(convert integer images with .astype(np.float32))"
        )
    if arr.ndim != 4:
        raise InputError(
            f"{name} must have shape (N, C, H, W); got {arr.ndim} dimension(s) with shape {arr.shape}"
        )
    if arr.shape[2] == 0 or arr.shape[3] == 0:
        raise InputError(f"{name} has shape {arr.shape}; the feature map height and width must be positive")
    return arr


def _count(n: int) -> str:
    return f"{n:.3g}" if n.bit_length() < 1000 else "more than 1e300"  # .3g of 10**400 overflows


def check_output_size(output_size: Any, name: str = "output_size") -> tuple[int, int]:
    """Return ``(PH, PW)`` from an int or a pair of ints, or raise naming ``name``."""
    items = output_size if isinstance(output_size, (tuple, list)) else (output_size,) * 2
    if len(items) != 2:
        raise ParameterError(f"{name} must be an int or a (height, width) pair; got {_describe(output_size)}")
    for v in items:
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise ParameterError(f"{name} must hold integers; got {_describe(output_size)}")
        if v <= 0:
            raise ParameterError(f"{name} must be positive; got {_describe(output_size)}")
    ph, pw = int(items[0]), int(items[1])
    if ph * pw > budget.MAX_BINS:  # such an output cannot be meant (or stored)
        raise ParameterError(
            f"{name} {_describe(ph)}x{_describe(pw)} asks for {_count(ph * pw)} bins per box; "
            f"at most {budget.MAX_BINS} (2**24, roikit.budget.MAX_BINS) are allowed"
        )
    return ph, pw


def check_spatial_scale(spatial_scale: Any) -> float:
    """Return ``spatial_scale`` as a positive finite float, or raise."""
    return check_real(spatial_scale, "spatial_scale", positive=True)


def check_scale_fits(scale: float, dtype: np.dtype) -> None:
    """Refuse a ``spatial_scale`` that overflows or vanishes in the computation dtype."""
    with np.errstate(over="ignore", under="ignore"):
        rounded = float(dtype.type(scale))
    if not 0 < rounded < math.inf:
        raise ParameterError(
            f"spatial_scale is {scale!r}, which {dtype} cannot hold (it becomes {rounded}); "
            f"it must be a positive number within the input's dtype"
        )


def check_sampling_ratio(sampling_ratio: Any) -> int:
    """Return ``sampling_ratio`` as an int (<= 0 means adaptive), or raise."""
    if isinstance(sampling_ratio, bool) or not isinstance(sampling_ratio, numbers.Integral):
        raise ParameterError(
            f"sampling_ratio must be an integer (<= 0 for adaptive); got {_describe(sampling_ratio)}"
        )
    check_sampling_ratio_budget(int(sampling_ratio))
    return int(sampling_ratio)


def check_mode(mode: Any) -> str:
    """Return ``mode`` if it is ``"avg"`` or ``"max"``, or raise."""
    if not isinstance(mode, str) or mode not in MODES:
        raise ParameterError(f"mode must be 'avg' or 'max'; got {_describe(mode)}")
    return mode


def check_aligned(aligned: Any) -> bool:
    """Return ``aligned`` as a bool, or raise."""
    return check_bool(aligned, "aligned")


@dataclass(frozen=True)
class CheckedBoxes:
    """Boxes after validation: coordinates in the computation dtype."""

    coords: np.ndarray  # (K, 4) x1, y1, x2, y2
    batch: np.ndarray  # (K,) int64, each in [0, N)

    def key(self) -> bytes:
        """The boxes as bytes: what the plan cache keys a plan on."""
        return self.coords.tobytes() + b"|" + self.batch.tobytes()


def _box_dtype_ok(original: Any, arr: np.ndarray, dtype: np.dtype, input_dtype: np.dtype) -> bool:
    if arr.dtype.kind in "iu":
        return True  # integer pixel coordinates convert exactly
    if not hasattr(original, "dtype"):
        return True  # Python numbers have no dtype to mismatch: they are read in the input's
    return arr.dtype in (input_dtype, dtype)


def check_boxes(boxes: Any, n_images: int, input_dtype: np.dtype) -> CheckedBoxes:
    """Validate boxes in either torchvision form and return them as (K, 4) + batch.

    ``boxes`` is an array of shape (K, 5) with rows ``(batch_index, x1, y1, x2, y2)``,
    or a list/tuple of per-image arrays of shape (L_i, 4) (batch index = position).
    """
    dtype = compute_dtype(input_dtype)
    if (
        isinstance(boxes, (list, tuple))
        and all(hasattr(b, "__array__") or isinstance(b, np.ndarray) for b in boxes)
        and len(boxes) > 0
    ):
        return _check_box_list(boxes, n_images, dtype, input_dtype)
    arr = as_array(boxes, "boxes", "an array of shape (K, 5) or a list of (L, 4) arrays")
    if isinstance(boxes, (list, tuple)) and len(boxes) == 0:
        arr = np.zeros((0, 5), dtype)
    if arr.dtype.kind not in "iuf":
        raise DTypeError(f"boxes has dtype {arr.dtype}; it must be a real (floating or integer) array")
    if arr.ndim != 2 or arr.shape[1] != 5:
        raise BoxError(
            f"boxes must have shape (K, 5) with rows (batch_index, x1, y1, x2, y2), "
            f"or be a list of (L, 4) arrays; got shape {arr.shape}"
        )
    if not _box_dtype_ok(boxes, arr, dtype, input_dtype):
        raise DTypeError(
            f"boxes has dtype {arr.dtype} but input has dtype {input_dtype}; "
            f"pass boxes of the input's dtype (torchvision requires the same)"
        )
    check_finite(arr[:, 1:], "boxes", column_offset=1)
    coords = _cast(arr[:, 1:], dtype, "boxes", 1)
    batch = check_batch_index(arr[:, 0], n_images)
    return CheckedBoxes(np.ascontiguousarray(coords), batch)


def _cast(coords: np.ndarray, dtype: np.dtype, name: str, column_offset: int) -> np.ndarray:
    """Box coordinates in the computation dtype; one beyond its range is refused, not made infinite."""
    if coords.dtype == dtype:
        return coords
    with np.errstate(over="ignore"):
        cast = coords.astype(dtype)
    check_finite(cast, name, column_offset, dtype=dtype)
    return cast


def _check_box_list(
    boxes: Sequence[Any], n_images: int, dtype: np.dtype, input_dtype: np.dtype
) -> CheckedBoxes:
    if len(boxes) > n_images:
        raise BoxError(
            f"boxes is a list of {len(boxes)} per-image arrays but input has "
            f"{n_images} image(s); the batch index (list position) must be in [0, {n_images})"
        )
    coords, batch = [], []
    for i, item in enumerate(boxes):
        arr = as_array(item, f"boxes[{i}]", "an array of shape (L, 4)")
        if arr.dtype.kind not in "iuf":
            raise DTypeError(f"boxes[{i}] has dtype {arr.dtype}; it must be a real array")
        if arr.ndim != 2 or arr.shape[1] != 4:
            raise BoxError(
                f"boxes[{i}] must have shape (L, 4) with rows (x1, y1, x2, y2); got shape {arr.shape}"
            )
        if not _box_dtype_ok(item, arr, dtype, input_dtype):
            raise DTypeError(
                f"boxes[{i}] has dtype {arr.dtype} but input has dtype {input_dtype}; "
                f"pass boxes of the input's dtype (torchvision requires the same)"
            )
        check_finite(arr, f"boxes[{i}]", column_offset=0)
        coords.append(_cast(arr, dtype, f"boxes[{i}]", 0))
        batch.append(np.full(arr.shape[0], i, dtype=np.int64))
    return CheckedBoxes(np.ascontiguousarray(np.concatenate(coords)), np.concatenate(batch))


def check_finite(coords: np.ndarray, name: str, column_offset: int, dtype: np.dtype | None = None) -> None:
    """Raise a :class:`BoxError` naming the first non-finite ``name[row, col]``.

    With ``dtype``, ``coords`` are the boxes cast to the computation dtype: a
    value that became infinite there is named as beyond that dtype.
    """
    if not np.isfinite(coords).all():
        row, col = np.argwhere(~np.isfinite(coords))[0]
        if dtype is not None:
            raise BoxError(
                f"{name}[{row}, {col + column_offset}] is beyond the range of {dtype}, the dtype the op "
                f"computes in; box coordinates must be finite in it"
            )
        raise BoxError(
            f"{name}[{row}, {col + column_offset}] is {coords[row, col]}; box coordinates must be finite"
        )


def check_batch_index(column: np.ndarray, n_images: int, name: str = "boxes") -> np.ndarray:
    """Return the batch-index column as int64, or raise naming ``name[row, 0]``."""
    col = column.astype(np.float64)
    if len(col) <= 16:
        # a few boxes: Python's floats (numpy's six element-wise passes took 12 us for one box);
        # NaN and inf fail the range test before floor sees them
        ok = all(0 <= v < n_images and v == math.floor(v) for v in col.tolist())
    else:
        ok = not _bad_batch(col, n_images).any()
    if not ok:
        row = int(np.argmax(_bad_batch(col, n_images)))
        value = column[row]
        raise BoxError(
            f"batch index {name}[{row}, 0] is {value}; it must be an integer in "
            f"[0, {n_images}) because input has {n_images} image(s)"
        )
    return col.astype(np.int64)


def _bad_batch(col: np.ndarray, n_images: int) -> np.ndarray:
    return ~np.isfinite(col) | (col != np.round(col)) | (col < 0) | (col >= n_images)


def check_grad_output(grad_output: Any, expected_shape: tuple[int, ...], input_dtype: np.dtype) -> np.ndarray:
    """Return ``grad_output`` as an array of the op's output shape and dtype, or raise."""
    arr = as_array(grad_output, "grad_output", "an array of the op's output shape")
    if arr.dtype != input_dtype:
        raise DTypeError(
            f"grad_output has dtype {arr.dtype} but input has dtype {input_dtype}; they must match"
        )
    if arr.shape != tuple(expected_shape):
        raise InputError(
            f"grad_output has shape {arr.shape}; the op's output has shape "
            f"{tuple(expected_shape)} (K, C, PH, PW)"
        )
    return arr


# ----------------------------------------------------------------------------- scalars and arrays
# Shared by the conventions, the pyramid and the explainers, so that every public
# entry point refuses a bad argument with the same kind of message.


def check_real(value: Any, name: str, *, positive: bool = False) -> float:
    """Return ``value`` as a finite float (``> 0`` with ``positive``), or raise naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ParameterError(f"{name} must be a real number; got {_describe(value)}")
    try:
        v = float(value)
    except OverflowError:  # an int beyond the float range, e.g. 10**400
        raise ParameterError(f"{name} is {_describe(value)}, beyond the float range") from None
    if not math.isfinite(v) or (positive and v <= 0):
        rule = "positive and finite" if positive else "finite"
        raise ParameterError(f"{name} is {v!r}; it must be {rule}")
    return v


def check_int(value: Any, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """Return ``value`` as an int in ``[low, high]`` (bounds optional), or raise naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise ParameterError(f"{name} must be an integer; got {_describe(value)}")
    v = int(value)
    if (low is not None and v < low) or (high is not None and v > high):
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        raise ParameterError(f"{name} is {v}; it must be in [{lo}, {hi}]")
    return v


def check_bool(value: Any, name: str) -> bool:
    """Return ``value`` as a bool, or raise naming ``name``."""
    if not isinstance(value, (bool, np.bool_)):
        raise ParameterError(f"{name} must be True or False; got {_describe(value)}")
    return bool(value)


def check_choice(value: Any, name: str, choices: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``choices``, or raise listing them."""
    if not isinstance(value, str) or value not in choices:
        quoted = [repr(c) for c in choices]
        known = " or ".join(quoted) if len(quoted) == 2 else "one of " + ", ".join(quoted)
        raise ParameterError(f"{name} must be {known}; got {_describe(value)}")
    return value


def check_real_array(value: Any, name: str, shape: str = "", *, finite: bool = True) -> np.ndarray:
    """Return ``value`` as a real (integer or float) numpy array, or raise naming ``name``.

    ``shape`` is only used in messages (e.g. ``"(K, 4)"``); with ``finite``
    the first NaN or infinity is named by its index.
    """
    arr = as_array(value, name, f"a real array {shape}".rstrip())
    if arr.dtype.kind not in "iuf":
        raise DTypeError(
            f"{name} has dtype {arr.dtype}; it must be a real (integer or float) array {shape}".rstrip()
        )
    if finite and arr.dtype.kind == "f":
        bad = np.argwhere(~np.isfinite(arr))
        if bad.size:
            where = tuple(int(i) for i in bad[0])
            raise InputError(
                f"{name}[{', '.join(map(str, where))}] is {arr[where]}; {name} must hold finite numbers"
            )
    return arr
