"""A walkthrough's inputs: the map, the channel and the box, normalized for the engine.

A learner gives a 2-D or 3-D map (integers welcome) and four numbers; the
walkthroughs turn them into the ``(1, C, H, W)`` input and the ``(1, 5)`` box
that the ops take, and pick the bin worked out in full.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine.validate import check_int, check_real_array, check_spatial_scale
from ..errors import BoxError, InputError, ParameterError
from ..i18n import langs

__all__ = ["check_lang", "check_scaled_box", "feature_map", "focus_bin", "one_box", "prepare"]


def feature_map(feature: Any, channel: int | None) -> tuple[np.ndarray, int]:
    """Return the (1, C, H, W) input and the channel to explain, from a 2-D or 3-D map."""
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
    # NaN and infinity are named by the boxes check, as for the ops: boxes[0, col].
    arr = check_real_array(box, "box", "of 4 numbers (x1, y1, x2, y2)", finite=False)
    arr = arr.astype(np.float64).ravel()
    if arr.shape != (4,):
        raise BoxError(f"box must be 4 numbers (x1, y1, x2, y2); got {arr.shape[0]} number(s)")
    return np.concatenate([[0.0], arr]).astype(dtype)[None, :]


def prepare(feature: Any, box: Any, channel: int | None) -> tuple[np.ndarray, int, np.ndarray]:
    """Return the (1, C, H, W) float input, the channel, and the (1, 5) box."""
    inp, c = feature_map(feature, channel)
    if inp.dtype.kind in "iub":  # learners type integer maps; explain them in float64
        inp = inp.astype(np.float64)
    return inp, c, one_box(box, inp.dtype)


def check_scaled_box(box: np.ndarray, spatial_scale: Any, dtype: np.dtype) -> None:
    """Refuse a box that ``spatial_scale`` carries beyond the range of the walkthrough's dtype.

    The ops treat such a box as off the map; a walkthrough would have to write
    infinities into every line, so it says why it cannot instead.
    """
    scale = check_spatial_scale(spatial_scale)
    with np.errstate(over="ignore", invalid="ignore"):
        scaled = box[0, 1:].astype(dtype) * dtype.type(scale)
    bad = np.flatnonzero(np.isfinite(box[0, 1:]) & ~np.isfinite(scaled))  # NaN and inf: the boxes check
    if bad.size:
        i = int(bad[0])
        raise BoxError(
            f"box[{i}] × spatial_scale = {float(box[0, 1 + i]):g} × {scale:g} is beyond the range of "
            f"{dtype}, the dtype of the walkthrough; nothing could be written out (the op treats the box "
            f"as off the map)"
        )


def focus_bin(bin: Any, size: tuple[int, int]) -> tuple[int, int] | None:
    """The bin worked out in full: ``bin``, else (0, 0) when there are more than 4 bins."""
    if bin is None:
        return (0, 0) if size[0] * size[1] > 4 else None

    if not isinstance(bin, (tuple, list)) or len(bin) != 2:
        raise ParameterError(f"bin must be a (row, column) pair; got {bin!r:.60}")
    i = check_int(bin[0], "bin[0]", low=0, high=size[0] - 1)
    j = check_int(bin[1], "bin[1]", low=0, high=size[1] - 1)
    return i, j


def check_lang(lang: Any) -> str:
    """Return ``lang`` if a walkthrough can be written in it, or raise."""
    if not isinstance(lang, str) or lang not in langs():
        known = " or ".join(repr(x) for x in langs())
        raise ParameterError(f"lang must be {known}; got {lang!r}")
    return lang
