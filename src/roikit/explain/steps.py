"""Steps every walkthrough shares: the input, the output, the summary of collapsed bins.

RoI Pool, RoI Align, the backward pass, the worksheets and the convention
comparison all open with the map and the box and close with the output
matrix; these builders write those steps once.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..i18n import text
from ..i18n.numbers import given, minus, num
from ..ops.conventions import get_convention
from .trace import Step, Table

__all__ = [
    "MAX_TABLE",
    "MAX_WINDOW",
    "as_rows",
    "convention_line",
    "input_step",
    "matrix_table",
    "output_step",
    "summary_step",
    "window",
]


def convention_line(lang: str, name: str) -> str:
    """The line that names the library convention a walkthrough's settings come from."""
    conv = get_convention(name)
    return text(lang, "input.convention", name=conv.name, library=conv.library)


def input_step(
    lang: str,
    img: np.ndarray,
    box: Any,
    scale: float,
    size: tuple[int, int],
    channel: int,
    channels: int,
    need: tuple[Any, Any],
    focus: tuple[int, int] | None,
    extra: list[str],
    source: str | None,
) -> Step:
    """The opening step: the map, the box and the parameters.

    ``need`` holds, per axis (rows, columns), the first and last cell the
    worked bin reads (``focus``; or the whole box): a big map is shown in a
    window that contains them.
    """
    h, w = img.shape
    ch = text(lang, "input.channel", c=channel) if channels > 1 else ""
    coords = np.asarray(box, np.float64).ravel()[-4:]
    x1, y1, x2, y2 = (given(v) for v in coords)
    lines = [text(lang, "input.map", h=h, w=w, channel=ch)]
    if source:
        lines.append(source)
    lines.append(text(lang, "input.box", x1=x1, y1=y1, x2=x2, y2=y2, s=given(scale), ph=size[0], pw=size[1]))
    lines += extra
    with np.errstate(over="ignore", invalid="ignore"):
        around = [
            need[0] if need[0] is not None else coords[[1, 3]] * scale,
            need[1] if need[1] is not None else coords[[0, 2]] * scale,
        ]
    rows, cols = window(h, np.asarray(around[0], float)), window(w, np.asarray(around[1], float))
    if len(rows) < h or len(cols) < w:
        what = (
            text(lang, "input.window.box")
            if focus is None
            else text(lang, "input.window.bin", ph=focus[0], pw=focus[1])
        )
        lines.append(text(lang, "input.window", r0=rows[0], r1=rows[-1], c0=cols[0], c1=cols[-1], what=what))
    table = matrix_table(
        text(lang, "input.table"), img[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1], rows, cols
    )
    return Step("input", text(lang, "input.title"), tuple(lines), (table,))


#: Tables show at least this many rows and columns of a big map...
MAX_TABLE = 16


#: ... and at most this many, however many cells the worked bin reads.
MAX_WINDOW = 48


def window(extent: int, around: np.ndarray, cap: int = MAX_TABLE) -> range:
    """Consecutive indices of ``range(extent)`` that cover ``around`` (first, last) if they can.

    The window has ``cap`` indices, or as many as ``around`` needs (up to
    ``MAX_WINDOW``), so a worked bin's cells are all on the page.
    """
    finite = around[np.isfinite(around)]
    lo = int(np.clip(np.floor(finite.min()) - 1, 0, extent - 1)) if finite.size else 0
    hi = int(np.clip(np.ceil(finite.max()) + 1, 0, extent - 1)) if finite.size else 0
    cap = min(max(cap, hi - lo + 1), MAX_WINDOW)
    if extent <= cap:
        return range(extent)
    start = lo if hi - lo + 1 <= cap else int(np.clip((lo + hi) // 2 - cap // 2, 0, extent - cap))
    start = min(start, extent - cap)
    return range(start, start + cap)


def matrix_table(
    title: str, m: np.ndarray, rows: Any = None, cols: Any = None, highlight: tuple[tuple[int, int], ...] = ()
) -> Table:
    """A table of ``m`` with row/column numbers as labels (ranges give the real indices).

    Each value is written as the lines write it (:func:`roikit.i18n.numbers.num`,
    with the noise of ``m``'s dtype set aside), so a number has one spelling on
    the page.
    """
    rows = rows if rows is not None else range(m.shape[0])
    cols = cols if cols is not None else range(m.shape[1])
    dtype = m.dtype if m.dtype in (np.float32, np.float64) else np.float64
    return Table(
        title,
        tuple(minus(r) for r in rows),
        tuple(minus(c) for c in cols),
        tuple(tuple(num(v, dtype).text for v in row) for row in m),
        highlight,
    )


def summary_step(lang: str, labels: list[str], cols: str | None, rows: list[tuple[Any, ...]]) -> Step:
    """What the collapsed bins add to the output grid (their cells, their winners), if anything.

    The values themselves are in the output step, so they are not repeated;
    ``cols=None`` (average mode: nothing to add) gives a step with no table.
    """
    tables = (
        ()
        if cols is None
        else (
            Table(
                text(lang, "align.summary.table"),
                tuple(labels),
                tuple(cols.split("|")),
                tuple(tuple(r) for r in rows),
            ),
        )
    )
    return Step("summary", text(lang, "align.summary.title"), (), tables)


def output_step(lang: str, out: np.ndarray) -> Step:
    """The output matrix."""
    return Step(
        "output",
        text(lang, "output.title"),
        (text(lang, "output.line", ph=out.shape[0], pw=out.shape[1]),),
        (matrix_table(text(lang, "output.table"), out),),
    )


def as_rows(m: np.ndarray) -> tuple[tuple[float, ...], ...]:
    """A 2-D array as rows of plain floats (a trace holds no numpy)."""
    return tuple(tuple(float(v) for v in row) for row in m)
