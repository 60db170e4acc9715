"""One box through every library's convention: the outputs side by side, and why they differ.

The conventions themselves are :data:`roikit.CONVENTIONS` (presets over the
ops, :mod:`roikit.ops.conventions`); this module runs them and writes the
comparison as a :class:`~roikit.explain.Trace`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..engine.budget import check_trace_bins
from ..engine.validate import check_output_size, check_real_array, check_spatial_scale
from ..errors import ParameterError, RoIError
from ..i18n import text
from ..i18n.numbers import fmt, given
from ..ops.conventions import CONVENTIONS, REASONS, get_convention
from .inputs import check_lang, prepare
from .trace import ConventionsData, Step, Table, Trace

__all__ = ["compare_conventions"]


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
    lang = check_lang(lang)
    spatial_scale = check_spatial_scale(spatial_scale)
    feature = check_real_array(feature, "feature", "(H, W)").astype(np.float64)
    inp, _, boxes = prepare(feature, box, None)
    m = inp[0, 0]
    size = check_output_size(output_size)
    check_trace_bins(size[0] * size[1])  # a column per bin in the table
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
        tuple(tuple(c.words(lang)[r] for r in REASONS) for c in selected),
    )
    summary = tuple(f"{c.name} ({c.library}): {c.words(lang)['summary']}" for c in selected)
    box_line = text(
        lang,
        "conv.box",
        box=", ".join(fmt(v) for v in b),
        s=given(spatial_scale),
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
        ConventionsData({k: None if v is None else tuple(tuple(r) for r in v) for k, v in outputs.items()}),
    )
