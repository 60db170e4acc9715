"""Helpers shared by the explainers: argument normalization and number formatting."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import BoxError, InputError, ParameterError


def fmt(value: float | int | None, digits: int = 4) -> str:
    """Format a number for a worked example: at most ``digits`` decimals, no trailing zeros.

    Examples
    --------
    >>> fmt(3.7), fmt(2.0), fmt(0.1500001), fmt(-0.0), fmt(1 / 3)
    ('3.7', '2', '0.15', '0', '0.3333')
    """
    if value is None:
        return ""
    v = float(value)
    if math.isnan(v) or math.isinf(v):
        return str(v)
    text = f"{v:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def minus(value: float | int, digits: int = 4) -> str:
    """:func:`fmt` with a true minus sign (U+2212), as the walkthrough writes negatives.

    Examples
    --------
    >>> minus(-3.785), minus(2.0), minus(-0.00001)
    ('−3.785', '2', '0')
    """
    text = fmt(value, digits)
    return "−" + text[1:] if text.startswith("-") else text


def operand(value: float | int, digits: int = 4) -> str:
    """A number written inside a formula: negatives in parentheses with a true minus, ``(−2)``.

    Examples
    --------
    >>> operand(-2.0), operand(1.5)
    ('(−2)', '1.5')
    """
    text = minus(value, digits)
    return f"({text})" if text.startswith("−") else text


def feature_map(feature: Any, channel: int | None) -> tuple[np.ndarray, int]:
    """Return the (1, C, H, W) input and the channel to explain, from a 2-D or 3-D map."""
    from ..engine.validate import check_int, check_real_array

    if isinstance(feature, np.ndarray) and feature.dtype == np.bool_:
        feature = feature.astype(np.float64)
    arr = check_real_array(feature, "feature", "(H, W) or (C, H, W)", finite=False)
    if channel is not None:
        channel = check_int(channel, "channel")
    if arr.ndim == 2:
        if channel not in (None, 0):
            raise ParameterError(f"channel is {channel}; a 2-D feature map has only channel 0")
        return arr[None, None], 0
    if arr.ndim == 3:
        c = 0 if channel is None else channel
        if not 0 <= c < arr.shape[0]:
            raise ParameterError(
                f"channel is {c}; the feature map has {arr.shape[0]} channel(s), "
                f"so it must be in [0, {arr.shape[0]})"
            )
        return arr[None], c
    raise InputError(f"feature must be a 2-D map (H, W) or a 3-D stack (C, H, W); got shape {arr.shape}")


def one_box(box: Any, dtype: np.dtype) -> np.ndarray:
    """Return a (1, 5) box array for batch 0 from four numbers ``(x1, y1, x2, y2)``."""
    from ..engine.validate import check_real_array

    # NaN and infinity are named by the boxes check, as for the ops: boxes[0, col].
    arr = check_real_array(box, "box", "of 4 numbers (x1, y1, x2, y2)", finite=False)
    arr = arr.astype(np.float64).ravel()
    if arr.shape != (4,):
        raise BoxError(f"box must be 4 numbers (x1, y1, x2, y2); got {arr.shape[0]} number(s)")
    return np.concatenate([[0.0], arr]).astype(dtype)[None, :]
