"""Named conventions: what each library computes for the same box, and why they differ.

Each :class:`Convention` is a preset over roikit's ops (nothing is
re-implemented here), with the library's defaults and the five things that
make the numbers differ: the pixel offset, the minimum box size, the
sampling grid, the border rule and the aggregation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import ParameterError, RoIError
from ..explain.common import fmt
from ..explain.trace import Step, Table, Trace
from .crop_resize import crop_and_resize, tensorpack_roi_align
from .onnx import onnx_roi_align
from .prroi import prroi_pool
from .roi_align import roi_align
from .roi_pool import roi_pool

__all__ = ["CONVENTIONS", "Convention", "compare_conventions", "get_convention"]

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


#: Each convention's one-line summary in Korean (the English one is ``Convention.summary``).
SUMMARY_KO: dict[str, str] = {
    "torchvision": "기준: 반 픽셀 보정, 적응형 격자, 평균",
    "torchvision-legacy": "반 픽셀 보정이 없고 박스를 최소 1칸으로 늘림: 반 칸 어긋남",
    "detectron2": "aligned=True인 torchvision과 같은 값",
    "mmcv": "aligned=True인 torchvision과 같은 값",
    "mmcv-max": "보간한 점들의 평균 대신 최댓값",
    "onnx-10": "좌표 속성이 없음: 예전 output_half_pixel 모델",
    "onnx-16": "aligned=True인 torchvision과 같음. spatial_scale은 float32 속성",
    "onnx-max": "점마다 보간 값이 아니라 가중치를 곱한 모서리 값 w·v 중 가장 큰 것의 최댓값 "
    "(ONNX Runtime의 알려진 동작)",
    "caffe-roipool": "박스를 정수 칸으로 반올림하고, 구간도 정수 칸, 단순 최댓값",
    "tensorpack": "TensorFlow crop_and_resize로 구간마다 2×2 점, 경계는 거울 반사",
    "tf-crop-and-resize": "모서리 정렬: 박스 모서리가 첫 점과 마지막 점, 출력 칸마다 점 하나, 평균 없음",
    "prroi": "샘플링 없음: 구간마다 이중 선형 보간 곡면의 정확한 적분",
}


def get_convention(name: str) -> Convention:
    """The convention called ``name``; the error lists the known names."""
    try:
        return CONVENTIONS[name]
    except KeyError:
        raise ParameterError(f"unknown convention {name!r}; known: {', '.join(CONVENTIONS)}") from None


def compare_conventions(
    feature: Any,
    box: Sequence[float],
    output_size: int | tuple[int, int],
    spatial_scale: float = 1.0,
    names: Sequence[str] | None = None,
    lang: str = "en",
) -> Trace:
    """Run one box through every convention; a trace with the outputs side by side.

    Examples
    --------
    >>> import numpy as np
    >>> t = compare_conventions(np.arange(36.0).reshape(6, 6), (1.3, 0.6, 4.2, 4.9), 2)
    >>> t.data["outputs"]["torchvision"] == t.data["outputs"]["detectron2"]
    True
    """
    from ..engine.validate import check_output_size, check_real_array, check_spatial_scale
    from ..explain.lang import check_lang, text
    from ..explain.pool import prepare

    lang = check_lang(lang)
    spatial_scale = check_spatial_scale(spatial_scale)
    feature = check_real_array(feature, "feature", "(H, W)").astype(np.float64)
    inp, _, boxes = prepare(feature, box, None)
    m = inp[0, 0]
    size = check_output_size(output_size)
    b = boxes[0, 1:]
    if names is not None and (
        not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names)
    ):
        raise ParameterError(f"names must be a list of convention names; got {names!r:.60}")
    selected = [get_convention(n) for n in (names or CONVENTIONS)]
    labels: list[str] = []
    rows: list[tuple[float | None, ...]] = []
    outputs: dict[str, list[list[float]] | None] = {}
    lines: list[str] = []
    bins = [f"({i}, {j})" for i in range(size[0]) for j in range(size[1])]
    for conv in selected:
        try:
            out = np.asarray(conv.run(m, b, size, spatial_scale), dtype=np.float64)
            values: list[float | None] = [float(v) for v in out.ravel()]
            outputs[conv.name] = [list(map(float, r)) for r in out]
        except RoIError as exc:  # e.g. tensorpack with a non-square output, a box beyond float32
            values = [None] * len(bins)
            outputs[conv.name] = None
            lines.append(f"{conv.name}: {exc}")
        labels.append(conv.name)
        rows.append(tuple(values))
    reasons = Table(
        text(lang, "conv.why.table"),
        tuple(c.name for c in selected),
        tuple(text(lang, "conv.cols").split("|")),
        tuple((c.offset, c.min_size, c.grid, c.border, c.aggregation) for c in selected),
    )
    summary = tuple(
        f"{c.name} ({c.library}): {SUMMARY_KO[c.name] if lang == 'ko' else c.summary}" for c in selected
    )
    box_line = text(
        lang,
        "conv.box",
        box=", ".join(fmt(v) for v in b),
        s=fmt(spatial_scale),
        h=m.shape[0],
        w=m.shape[1],
        ph=size[0],
        pw=size[1],
    )
    steps = (
        Step(
            "conventions.outputs",
            text(lang, "conv.title"),
            (box_line, *lines),
            (Table(text(lang, "conv.outputs"), tuple(labels), tuple(bins), tuple(rows)),),
        ),
        Step("conventions.reasons", text(lang, "conv.why"), summary, (reasons,)),
    )
    params = {
        "box": [float(v) for v in b],
        "spatial_scale": spatial_scale,
        "output_size": list(size),
        "conventions": [c.name for c in selected],
    }
    first = next((o for o in outputs.values() if o is not None), [])
    return Trace(
        "conventions",
        lang,
        params,
        tuple(tuple(map(float, r)) for r in m),
        tuple(tuple(r) for r in first),
        steps,
        {"outputs": outputs},
    )
