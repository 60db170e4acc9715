"""Named conventions: what each library computes for the same box, and why they differ.

Each :class:`Convention` is a preset over roikit's ops (nothing is
re-implemented here), with the library's defaults and the five things that
make the numbers differ: the pixel offset, the minimum box size, the
sampling grid, the border rule and the aggregation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import ParameterError
from .crop_resize import crop_and_resize, tensorpack_roi_align
from .onnx import onnx_roi_align
from .prroi import prroi_pool
from .roi_align import roi_align
from .roi_pool import roi_pool

__all__ = ["CONVENTIONS", "Convention", "get_convention"]

Run = Callable[[np.ndarray, np.ndarray, tuple[int, int], float], np.ndarray]


@dataclass(frozen=True)
class Convention:
    """A library's way of pooling a box, as a preset over roikit's ops."""

    name: str
    library: str
    summary: str  #: one line: how it differs from torchvision's aligned RoI Align
    offset: str
    min_size: str
    grid: str
    border: str
    aggregation: str
    run: Run = field(repr=False, compare=False)
    #: keyword arguments of :func:`roikit.explain_roi_align`, when the walkthrough applies
    explain: dict[str, Any] | None = None
    pool: bool = False  #: the walkthrough is RoI Pool's


def _align(aligned: bool, sr: int, mode: str = "avg") -> Run:
    def run(m: np.ndarray, box: np.ndarray, size: tuple[int, int], scale: float) -> np.ndarray:
        return roi_align(m[None, None], np.array([[0.0, *box]]), size, scale, sr, aligned, mode)[0, 0]

    return run


def _onnx(ctm: str | None, opset: int, mode: str = "avg") -> Run:
    def run(m: np.ndarray, box: np.ndarray, size: tuple[int, int], scale: float) -> np.ndarray:
        return onnx_roi_align(
            m[None, None], box[None], np.array([0]), size[0], size[1], 0, scale, mode, ctm, opset
        )[0, 0]

    return run


def _caffe(m: np.ndarray, box: np.ndarray, size: tuple[int, int], scale: float) -> np.ndarray:
    return roi_pool(m[None, None], np.array([[0.0, *box]]), size, scale)[0, 0]


def _tensorpack(m: np.ndarray, box: np.ndarray, size: tuple[int, int], scale: float) -> np.ndarray:
    if size[0] != size[1]:
        raise ParameterError("tensorpack's roi_align makes square outputs only")
    with np.errstate(over="ignore"):  # a box beyond the float range is refused by the op
        cells = box * scale
    out = tensorpack_roi_align(m[None, None], cells[None], np.array([0]), size[0])
    return out[0, 0].astype(np.float64)


def _tf(m: np.ndarray, box: np.ndarray, size: tuple[int, int], scale: float) -> np.ndarray:
    # The box in cells, normalized the usual way: 0 is the first cell's centre, 1 the last's.
    H, W = m.shape
    with np.errstate(over="ignore", invalid="ignore"):  # refused by crop_and_resize if not finite
        x1, y1, x2, y2 = box * scale
        norm = np.array(
            [[y1 / max(H - 1, 1), x1 / max(W - 1, 1), y2 / max(H - 1, 1), x2 / max(W - 1, 1)]], np.float32
        )
    return crop_and_resize(m[None, :, :, None], norm, np.array([0]), size)[0, :, :, 0].astype(np.float64)


def _prroi(m: np.ndarray, box: np.ndarray, size: tuple[int, int], scale: float) -> np.ndarray:
    return prroi_pool(m[None, None], np.array([[0.0, *box]]), size, scale)[0, 0]


_HALF = "−0.5 (half-pixel: cell i's value at i + 0.5)"
_NONE = "none (legacy: cell i's value at i)"
_ADAPTIVE = "adaptive: ⌈size / bins⌉ per axis"
_CLAMP = "[−1, H] read the edge cells; farther out worth 0 (counted)"

CONVENTIONS: dict[str, Convention] = {
    c.name: c
    for c in (
        Convention(
            "torchvision",
            "torchvision.ops.roi_align(aligned=True)",
            "the reference: half-pixel offset, adaptive grid, average",
            _HALF,
            "none",
            _ADAPTIVE,
            _CLAMP,
            "average",
            _align(True, -1),
            {"aligned": True, "sampling_ratio": -1, "mode": "avg"},
        ),
        Convention(
            "torchvision-legacy",
            "torchvision.ops.roi_align(aligned=False)",
            "no half-pixel offset and boxes raised to 1 cell: shifted by half a cell",
            _NONE,
            "raised to 1 cell",
            _ADAPTIVE,
            _CLAMP,
            "average",
            _align(False, -1),
            {"aligned": False, "sampling_ratio": -1, "mode": "avg"},
        ),
        Convention(
            "detectron2",
            "detectron2 ROIAlignV2 (ROIAlign(aligned=True), sr=0)",
            "the same numbers as torchvision with aligned=True",
            _HALF,
            "none",
            _ADAPTIVE,
            _CLAMP,
            "average",
            _align(True, 0),
            {"aligned": True, "sampling_ratio": 0, "mode": "avg"},
        ),
        Convention(
            "mmcv",
            "mmcv.ops.RoIAlign (aligned=True, sampling_ratio=0, pool_mode='avg')",
            "the same numbers as torchvision with aligned=True",
            _HALF,
            "none",
            _ADAPTIVE,
            _CLAMP,
            "average",
            _align(True, 0),
            {"aligned": True, "sampling_ratio": 0, "mode": "avg"},
        ),
        Convention(
            "mmcv-max",
            "mmcv.ops.RoIAlign(pool_mode='max')",
            "max of the interpolated points instead of their average",
            _HALF,
            "none",
            _ADAPTIVE,
            _CLAMP + "; outside points take part as 0",
            "max of interpolated points",
            _align(True, 0, "max"),
            {"aligned": True, "sampling_ratio": 0, "mode": "max"},
        ),
        Convention(
            "onnx-10",
            "ONNX RoiAlign-10 (ONNX Runtime)",
            "no coordinate attribute: the legacy output_half_pixel model",
            _NONE,
            "raised to 1 cell",
            _ADAPTIVE,
            _CLAMP,
            "average",
            _onnx(None, 10),
            {"aligned": False, "sampling_ratio": 0, "mode": "avg"},
        ),
        Convention(
            "onnx-16",
            "ONNX RoiAlign-16 (coordinate_transformation_mode='half_pixel')",
            "torchvision aligned; spatial_scale is a float32 attribute",
            _HALF,
            "none",
            _ADAPTIVE,
            _CLAMP,
            "average",
            _onnx("half_pixel", 16),
            {"aligned": True, "sampling_ratio": 0, "mode": "avg"},
        ),
        Convention(
            "onnx-max",
            "ONNX RoiAlign-16 mode='max' (ONNX Runtime)",
            "max over points of the largest weighted corner w·v, not of the interpolated "
            "value (ORT's known behaviour)",
            _HALF,
            "none",
            _ADAPTIVE,
            _CLAMP,
            "max of max(w1·v1, …, w4·v4)",
            _onnx("half_pixel", 16, "max"),
        ),
        Convention(
            "caffe-roipool",
            "Caffe ROIPooling / torchvision.ops.roi_pool / ONNX MaxRoiPool",
            "the box rounded to whole cells, bins of whole cells, plain max",
            "none (rounded half away from zero)",
            "inclusive end cell (+1), at least 1",
            "every cell of the bin (floor / ceil edges)",
            "clipped to the map",
            "max of cells",
            _caffe,
            pool=True,
        ),
        Convention(
            "tensorpack",
            "tensorpack model_box.roi_align (crop_and_resize + 2×2 avg pool)",
            "2×2 points per bin via TensorFlow's crop_and_resize; the border is mirrored",
            _HALF,
            "none",
            "2 × 2 fixed",
            "mirror-padded by one cell, then extrapolation 0",
            "average",
            _tensorpack,
        ),
        Convention(
            "tf-crop-and-resize",
            "tf.image.crop_and_resize (box normalized by H − 1)",
            "corner-aligned: the box corners are the first and last samples; one sample "
            "per output, no averaging",
            "none (corners on cell centres)",
            "none",
            "1 per output cell, corner-aligned",
            "outside [0, H − 1]: extrapolation value (0)",
            "none (one sample)",
            _tf,
        ),
        Convention(
            "prroi",
            "Precise RoI Pooling (mmcv PrRoIPool)",
            "no sampling at all: the exact integral of the bilinear surface over each bin",
            _NONE,
            "none (inverted boxes: size 0, output 0)",
            "none: exact integral",
            "the surface fades to 0 one cell beyond the map",
            "integral / bin area",
            _prroi,
        ),
    )
}


def get_convention(name: str) -> Convention:
    """The convention called ``name``; the error lists the known names."""
    try:
        return CONVENTIONS[name]
    except KeyError:
        raise ParameterError(f"unknown convention {name!r}; known: {', '.join(CONVENTIONS)}") from None
