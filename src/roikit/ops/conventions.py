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
from ..i18n import text
from .crop_resize import crop_and_resize, tensorpack_roi_align
from .onnx import onnx_roi_align
from .prroi import prroi_pool
from .roi_align import roi_align
from .roi_pool import roi_pool

__all__ = ["CONVENTIONS", "REASONS", "Convention", "get_convention"]

Run = Callable[[np.ndarray, np.ndarray, tuple[int, int], float], np.ndarray]


#: The five columns of a convention's "why" table, in order.
REASONS = ("offset", "min_size", "grid", "border", "aggregation")


@dataclass(frozen=True)
class Convention:
    """A library's way of pooling a box, as a preset over roikit's ops.

    The words (a one-line summary, and the five things that make the numbers
    differ) are catalogue keys, written in the reader's language by
    :func:`roikit.compare_conventions`; the attributes ``summary``,
    ``offset``, ``min_size``, ``grid``, ``border`` and ``aggregation`` give
    the English.
    """

    name: str
    library: str  #: the call or class in that library (a name, never translated)
    reasons: tuple[str, str, str, str, str]  #: catalogue keys of the five :data:`REASONS`
    run: Run = field(repr=False, compare=False)
    #: keyword arguments of :func:`roikit.explain_roi_align`, when the walkthrough applies
    explain: dict[str, Any] | None = None
    pool: bool = False  #: the walkthrough is RoI Pool's

    def words(self, lang: str) -> dict[str, str]:
        """The summary and the five reasons, in ``lang``."""
        keys = (f"conv.summary.{self.name}", *self.reasons)
        return {name: text(lang, key) for name, key in zip(("summary", *REASONS), keys, strict=True)}

    @property
    def summary(self) -> str:
        """One line: how it differs from torchvision's aligned RoI Align (English)."""
        return self.words("en")["summary"]

    @property
    def offset(self) -> str:
        """The pixel offset (English)."""
        return self.words("en")["offset"]

    @property
    def min_size(self) -> str:
        """The minimum box size (English)."""
        return self.words("en")["min_size"]

    @property
    def grid(self) -> str:
        """The sampling grid (English)."""
        return self.words("en")["grid"]

    @property
    def border(self) -> str:
        """What is read beyond the map (English)."""
        return self.words("en")["border"]

    @property
    def aggregation(self) -> str:
        """How a bin's samples become one number (English)."""
        return self.words("en")["aggregation"]


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


# The reasons most conventions share: torchvision's aligned RoI Align, and its legacy offset.
_ALIGNED = ("conv.offset.half", "conv.min.none", "conv.grid.adaptive", "conv.border.clamp", "conv.agg.avg")
_LEGACY = ("conv.offset.none", "conv.min.one", "conv.grid.adaptive", "conv.border.clamp", "conv.agg.avg")

CONVENTIONS: dict[str, Convention] = {
    c.name: c
    for c in (
        Convention(
            "torchvision",
            "torchvision.ops.roi_align(aligned=True)",
            _ALIGNED,
            _align(True, -1),
            {"aligned": True, "sampling_ratio": -1, "mode": "avg"},
        ),
        Convention(
            "torchvision-legacy",
            "torchvision.ops.roi_align(aligned=False)",
            _LEGACY,
            _align(False, -1),
            {"aligned": False, "sampling_ratio": -1, "mode": "avg"},
        ),
        Convention(
            "detectron2",
            "detectron2 ROIAlignV2 = ROIAlign(aligned=True), sampling_ratio=0",
            _ALIGNED,
            _align(True, 0),
            {"aligned": True, "sampling_ratio": 0, "mode": "avg"},
        ),
        Convention(
            "mmcv",
            "mmcv.ops.RoIAlign(aligned=True, sampling_ratio=0, pool_mode='avg')",
            _ALIGNED,
            _align(True, 0),
            {"aligned": True, "sampling_ratio": 0, "mode": "avg"},
        ),
        Convention(
            "mmcv-max",
            "mmcv.ops.RoIAlign(pool_mode='max')",
            (
                "conv.offset.half",
                "conv.min.none",
                "conv.grid.adaptive",
                "conv.border.clamp_max",
                "conv.agg.max_points",
            ),
            _align(True, 0, "max"),
            {"aligned": True, "sampling_ratio": 0, "mode": "max"},
        ),
        Convention(
            "onnx-10",
            "ONNX RoiAlign-10 (ONNX Runtime)",
            _LEGACY,
            _onnx(None, 10),
            {"aligned": False, "sampling_ratio": 0, "mode": "avg"},
        ),
        Convention(
            "onnx-16",
            "ONNX RoiAlign-16 (coordinate_transformation_mode='half_pixel')",
            _ALIGNED,
            _onnx("half_pixel", 16),
            {"aligned": True, "sampling_ratio": 0, "mode": "avg"},
        ),
        Convention(
            "onnx-max",
            "ONNX RoiAlign-16 mode='max' (ONNX Runtime)",
            _ALIGNED[:4] + ("conv.agg.max_corners",),
            _onnx("half_pixel", 16, "max"),
        ),
        Convention(
            "caffe-roipool",
            "Caffe ROIPooling / torchvision.ops.roi_pool / ONNX MaxRoiPool",
            (
                "conv.offset.rounded",
                "conv.min.inclusive",
                "conv.grid.cells",
                "conv.border.clip",
                "conv.agg.max_cells",
            ),
            _caffe,
            pool=True,
        ),
        Convention(
            "tensorpack",
            "tensorpack model_box.roi_align",
            ("conv.offset.half", "conv.min.none", "conv.grid.fixed", "conv.border.mirror", "conv.agg.avg"),
            _tensorpack,
        ),
        Convention(
            "tf-crop-and-resize",
            "tf.image.crop_and_resize",
            (
                "conv.offset.corners",
                "conv.min.none",
                "conv.grid.corners",
                "conv.border.extrapolate",
                "conv.agg.one",
            ),
            _tf,
        ),
        Convention(
            "prroi",
            "mmcv PrRoIPool",
            (
                "conv.offset.none",
                "conv.min.inverted",
                "conv.grid.integral",
                "conv.border.fade",
                "conv.agg.integral",
            ),
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
