"""RoI Pool worked out by hand, from the plan the op executes.

:func:`explain_roi_pool` is a list of steps, each built by a small function
from one :class:`PoolWalk`: the plan :func:`roikit.roi_pool` runs, its output
and winners, and the typed records of the trace's ``data``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ..engine.cancel import checkpoint
from ..engine.execute import make_pool_plan, run_pool, run_pool_winners
from ..engine.plan import PoolAxis, PoolPlan
from ..engine.validate import compute_dtype
from ..i18n import text
from ..i18n.numbers import Written, fmt, given, minus, num, operand, ratio, result
from .inputs import check_lang, check_scaled_box, focus_bin, prepare
from .steps import (
    MAX_TABLE,
    as_rows,
    convention_line,
    input_step,
    matrix_table,
    output_step,
    summary_step,
    window,
)
from .trace import (
    Misalignment,
    MisalignmentBin,
    MisalignmentEdge,
    Note,
    PoolAxisData,
    PoolBin,
    PoolData,
    Step,
    Table,
    Trace,
)

__all__ = ["PoolWalk", "explain_roi_pool", "misalignment"]

#: Each box edge: its name, its axis and the plan's fields for its scaled and rounded values.
_EDGES = (
    ("x1", "x", "scaled_start", "start"),
    ("y1", "y", "scaled_start", "start"),
    ("x2", "x", "scaled_end", "end"),
    ("y2", "y", "scaled_end", "end"),
)


@dataclass(frozen=True)
class PoolWalk:
    """What every step of a RoI Pool walkthrough reads: the plan, the numbers, the language."""

    lang: str
    plan: PoolPlan
    box: np.ndarray  #: (5,) the box as the op got it: (batch, x1, y1, x2, y2)
    spatial_scale: float
    img: np.ndarray  #: the explained channel of the map (the plan's dtype)
    out: np.ndarray  #: (PH, PW) the op's output for it
    win: np.ndarray  #: (PH, PW) flat winning cell, -1 for an empty bin
    channel: int
    channels: int
    focus: tuple[int, int] | None

    def axis(self, name: str) -> PoolAxis:
        """The plan's axis ``"x"`` (columns) or ``"y"`` (rows)."""
        return self.plan.x if name == "x" else self.plan.y

    def scale_text(self) -> str:
        """``spatial_scale`` as the plan's dtype holds it, as written in the lines."""
        return given(np.float64(self.plan.dtype.type(self.spatial_scale)))

    def num(self, value: float) -> Written:
        """``value`` written by the page's rule, with the noise of the plan's dtype set aside."""
        return num(value, self.plan.dtype)

    def bin_size(self, a: PoolAxis) -> Written:
        """The bin size ``size / bins`` exactly (``2.5``, or a fraction ``10/7`` when it does not end)."""
        return ratio(int(a.size[0]), a.bin_start.shape[1])


def _build(
    feature: Any, box: Any, output_size: Any, spatial_scale: float, channel: Any, lang: str, bin_: Any
) -> PoolWalk:
    inp, c, boxes = prepare(feature, box, channel)
    check_scaled_box(boxes, spatial_scale, compute_dtype(inp.dtype))
    feat, _, plan = make_pool_plan(inp, boxes, output_size, spatial_scale)
    return PoolWalk(
        lang=lang,
        plan=plan,
        box=boxes[0],
        spatial_scale=spatial_scale,
        img=feat[0, c],
        out=run_pool(plan, feat)[0, c],
        win=run_pool_winners(plan, feat)[0, c],
        channel=c,
        channels=inp.shape[1],
        focus=focus_bin(bin_, plan.output_size),
    )


# ----------------------------------------------------------------------------- the records


def _axis_data(a: PoolAxis) -> PoolAxisData:
    return PoolAxisData(
        scaled_start=float(a.scaled_start[0]),
        scaled_end=float(a.scaled_end[0]),
        start=int(a.start[0]),
        end=int(a.end[0]),
        size=int(a.size[0]),
        bin_size=float(a.bin_size[0]),
        bin_start_raw=tuple(int(v) for v in a.bin_start_raw[0]),
        bin_end_raw=tuple(int(v) for v in a.bin_end_raw[0]),
        bin_start=tuple(int(v) for v in a.bin_start[0]),
        bin_end=tuple(int(v) for v in a.bin_end[0]),
    )


def _bin(w: PoolWalk, ph: int, pw: int) -> PoolBin:
    checkpoint()  # a server gives up here when its client has gone
    y, x = w.plan.y, w.plan.x
    r0, r1 = int(y.bin_start[0, ph]), int(y.bin_end[0, ph])
    c0, c1 = int(x.bin_start[0, pw]), int(x.bin_end[0, pw])
    cell, value = int(w.win[ph, pw]), float(w.out[ph, pw])
    W = w.img.shape[1]
    winner = None if cell < 0 else (cell // W, cell % W)
    # Every cell that holds the bin's max, in row-major order (the first one wins).
    ties = (
        [(int(r) + r0, int(q) + c0) for r, q in np.argwhere(w.img[r0:r1, c0:c1] == value)] if winner else []
    )
    return PoolBin(ph, pw, (r0, r1), (c0, c1), winner, value, tuple(ties))


def misalignment(x: PoolAxis, y: PoolAxis, scale: float) -> Misalignment:
    """The two quantizations of RoI Pool, measured.

    ``edges``: each box edge (scaled to cells) against the cell it was
    rounded to; ``shift = pooled − box`` in cells and ``shift_px`` in image
    pixels. ``bins``: per axis and bin, the ideal continuous bin of the box
    as given, ``[x1 + p·w/P, x1 + (p+1)·w/P]`` with ``w = x2 − x1`` (in cells,
    the bins RoI Align uses unrounded), and the first and last cell RoI Pool
    reads for it (``None`` for an empty bin).
    """
    edges, bins = [], []
    for name, a, sides in (("x", x, ("left", "right")), ("y", y, ("top", "bottom"))):
        for side, box, pooled in (
            (sides[0], a.scaled_start[0], a.start[0]),
            (sides[1], a.scaled_end[0], a.end[0]),
        ):
            shift = float(pooled) - float(box)
            edges.append(MisalignmentEdge(side, name, float(box), int(pooled), shift, shift / scale))  # type: ignore[arg-type]
        lo, hi = float(a.scaled_start[0]), float(a.scaled_end[0])
        P = a.bin_start.shape[1]
        for p in range(P):
            first, stop = int(a.bin_start[0, p]), int(a.bin_end[0, p])
            ideal = (lo + p * (hi - lo) / P, lo + (p + 1) * (hi - lo) / P)
            bins.append(MisalignmentBin(name, p, ideal, (first, stop - 1) if stop > first else None))  # type: ignore[arg-type]
    return Misalignment(tuple(edges), tuple(bins))


# ----------------------------------------------------------------------------- the steps


def _input(w: PoolWalk, convention: str | None, source: str | None) -> Step:
    fy, fx = w.focus if w.focus is not None else (None, None)
    need = (_cells_pooled(w.plan.y, fy), _cells_pooled(w.plan.x, fx))
    extra = [] if convention is None else [convention_line(w.lang, convention)]
    return input_step(
        w.lang,
        w.img,
        w.box,
        w.spatial_scale,
        w.plan.output_size,
        w.channel,
        w.channels,
        need,
        w.focus,
        extra,
        source,
    )


def _scale_step(w: PoolWalk) -> Step:
    scale = w.num(w.plan.dtype.type(w.spatial_scale))
    lines = []
    for i, (n, a, real, _) in enumerate(_EDGES):
        v = num(w.box[1 + i])
        sign, r = result(v.value * scale.value, getattr(w.axis(a), real)[0], w.plan.dtype)
        lines.append(text(w.lang, "pool.scale.line", name=n, v=v.operand, s=scale.text, eq=sign, r=r.text))
    return Step("pool.scale", text(w.lang, "pool.scale.title"), tuple(lines))


def _round_step(w: PoolWalk) -> Step:
    lines = []
    for n, a, real, snapped in _EDGES:
        v = float(getattr(w.axis(a), real)[0])
        r = int(getattr(w.axis(a), snapped)[0])
        real_text, r_text = w.num(v).text, minus(r)
        if abs(v - np.trunc(v)) == 0.5:
            even = minus(int(np.round(v)))
            key = "pool.round.half" if int(np.round(v)) != r else "pool.round.half_same"
            lines.append(text(w.lang, key, name=n, real=real_text, rounded=r_text, even=even))
        else:
            lines.append(text(w.lang, "pool.round.line", name=n, real=real_text, rounded=r_text))
    return Step("pool.round", text(w.lang, "pool.round.title"), tuple(lines))


def _size_step(w: PoolWalk) -> Step:
    lines = []
    for a, axis_key in ((w.plan.x, "axis.width"), (w.plan.y, "axis.height")):
        raw = int(a.end[0] - a.start[0] + 1)
        key = "pool.size.line" if raw >= 1 else "pool.size.clamped"
        lines.append(
            text(
                w.lang,
                key,
                axis=text(w.lang, axis_key),
                end=minus(int(a.end[0])),
                start=operand(a.start[0]),
                size=int(a.size[0]),
                raw=raw,
            )
        )
    return Step("pool.size", text(w.lang, "pool.size.title"), tuple(lines))


def _binsize_step(w: PoolWalk) -> Step:
    PH, PW = w.plan.output_size
    lines = []
    for a, k, p in ((w.plan.x, "axis.width", PW), (w.plan.y, "axis.height", PH)):
        exact = w.bin_size(a)
        sign, b = result(exact.value, a.bin_size[0], w.plan.dtype)
        key = "pool.binsize.line" if "/" not in exact.text else "pool.binsize.fraction"
        lines.append(
            text(
                w.lang,
                key,
                axis=text(w.lang, k),
                size=int(a.size[0]),
                bins=p,
                eq=sign,
                b=b.text,
                f=exact.text,
            )
        )
    return Step("pool.binsize", text(w.lang, "pool.binsize.title"), tuple(lines))


def _range_bin_size(axis: PoolAxis) -> str:
    """The bin size as the floor/ceil lines write it: the exact ratio, whenever the plan's float agrees.

    torchvision takes ``floor(p * bin)`` of a float ``bin``; on the rare edge
    where the float product falls on the other side of a whole number, the
    lines write the float's own decimals instead, so that they still add up.
    """
    start, size, P = int(axis.start[0]), int(axis.size[0]), axis.bin_start.shape[1]
    exact = ratio(size, P)
    plan_edges = [(int(axis.bin_start_raw[0, i]), int(axis.bin_end_raw[0, i])) for i in range(P)]

    def agrees(b: Fraction) -> bool:
        return all(
            (math.floor(i * b) + start, math.ceil((i + 1) * b) + start) == edges
            for i, edges in enumerate(plan_edges)
        )

    if agrees(exact.value):
        return exact.text
    b = float(axis.bin_size[0])
    for d in range(4, 18):
        candidate = f"{b:.{d}f}".rstrip("0").rstrip(".")
        if agrees(Fraction(candidate)):
            return candidate
    return repr(b)


def _ranges(lang: str, axis: PoolAxis, name: str) -> list[str]:
    cells = text(lang, "axis.rows" if name == "y" else "axis.cols")
    label = text(lang, "axis.row" if name == "y" else "axis.col")
    start = int(axis.start[0])
    b = _range_bin_size(axis)
    lines = []
    for i in range(axis.bin_start.shape[1]):
        lo, hi = int(axis.bin_start_raw[0, i]), int(axis.bin_end_raw[0, i])
        clo, chi = int(axis.bin_start[0, i]), int(axis.bin_end[0, i])
        common = dict(axis=label, i=i, i1=i + 1, b=b, start=operand(start), lo=minus(lo), hi=minus(hi))
        if hi > lo:
            line = text(lang, "pool.ranges.line", cells=cells, first=minus(lo), last=minus(hi - 1), **common)
        else:
            line = text(lang, "pool.ranges.empty_range", **common)
        if chi <= clo:
            line += text(lang, "pool.ranges.empty")
        elif (clo, chi) != (lo, hi) and chi - clo == 1:
            line += text(lang, "pool.ranges.clipped_one", cell=label, first=minus(clo))
        elif (clo, chi) != (lo, hi):
            line += text(lang, "pool.ranges.clipped", cells=cells, first=minus(clo), last=minus(chi - 1))
        if i > 0 and chi > clo:
            prev_lo, prev_hi = int(axis.bin_start[0, i - 1]), int(axis.bin_end[0, i - 1])
            if prev_hi > clo and prev_hi > prev_lo:
                last = min(prev_hi, chi) - 1
                key = "pool.ranges.overlap_one" if last == clo else "pool.ranges.overlap"
                line += text(lang, key, cells=cells, cell=label, first=clo, last=last, j=i - 1)
        lines.append(line)
    return lines


def _ranges_step(w: PoolWalk) -> Step:
    lines = _ranges(w.lang, w.plan.y, "y") + _ranges(w.lang, w.plan.x, "x")
    return Step("pool.ranges", text(w.lang, "pool.ranges.title"), tuple(lines))


def _bin_step(w: PoolWalk, b: PoolBin) -> Step:
    checkpoint()  # a server gives up here when its client has gone
    """One bin worked out: its cells (a window around the max for a big bin), its max and ties."""
    (r0, r1), (c0, c1), winner = b.rows, b.cols, b.winner
    if r1 <= r0 or c1 <= c0:
        return Step(
            "pool.bin",
            text(w.lang, "pool.bin.title_empty", ph=b.ph, pw=b.pw),
            (text(w.lang, "pool.bin.empty"),),
            bin=(b.ph, b.pw),
        )
    line = text(
        w.lang,
        "pool.bin.max",
        v=w.num(b.value).text,
        r=winner[0] if winner else "—",
        c=winner[1] if winner else "—",
    )
    if len(b.ties) > 1:
        line += text(w.lang, "pool.bin.tie", n=len(b.ties))
    lines = [line]
    # A big bin is shown around its maximum.
    centre = np.array(winner if winner else (r0, c0), dtype=np.float64)
    rows = range(r0, r1) if r1 - r0 <= MAX_TABLE else [r0 + i for i in window(r1 - r0, centre[:1] - r0)]
    cols = range(c0, c1) if c1 - c0 <= MAX_TABLE else [c0 + i for i in window(c1 - c0, centre[1:] - c0)]
    if len(rows) < r1 - r0 or len(cols) < c1 - c0:
        lines.append(text(w.lang, "pool.bin.window", r0=rows[0], r1=rows[-1], c0=cols[0], c1=cols[-1]))
    shown = w.img[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    hl = ((winner[0] - rows[0], winner[1] - cols[0]),) if winner else ()
    table = matrix_table(
        text(w.lang, "pool.bin.table", ph=b.ph, pw=b.pw),
        shown,
        range(rows[0], rows[-1] + 1),
        range(cols[0], cols[-1] + 1),
        hl,
    )
    title = text(w.lang, "pool.bin.title", ph=b.ph, pw=b.pw, r0=r0, r1=r1 - 1, c0=c0, c1=c1 - 1)
    return Step("pool.bin", title, tuple(lines), (table,), bin=(b.ph, b.pw))


def _summary(w: PoolWalk, bins: list[PoolBin]) -> Step:
    """What the collapsed bins add to the output: the cells each read and where its max is."""
    labels = [f"({b.ph}, {b.pw})" for b in bins]
    rows = [
        (
            f"{b.rows[0]}…{b.rows[1] - 1}" if b.rows[1] > b.rows[0] else "—",
            f"{b.cols[0]}…{b.cols[1] - 1}" if b.cols[1] > b.cols[0] else "—",
            f"({b.winner[0]}, {b.winner[1]})" if b.winner else "—",
        )
        for b in bins
    ]
    return summary_step(w.lang, labels, text(w.lang, "pool.summary.cols"), rows)


def _signed(v: Written) -> str:
    """A shift with its sign: +0.4, −0.4 (a true minus sign), 0."""
    return "+" + v.text if v.value > 0 else v.text


def _edge_lines(w: PoolWalk, mis: Misalignment) -> list[str]:
    lang = w.lang
    if all(e.shift == 0 for e in mis.edges):
        return [text(lang, "pool.mis.noshift")]
    names = {"left": "x1", "right": "x2", "top": "y1", "bottom": "y2"}
    return [
        text(
            lang,
            "pool.mis.edge",
            side=text(lang, f"side.{e.side}"),
            name=names[e.side],
            box=w.num(e.box).text,
            cell=text(lang, "axis.col" if e.axis == "x" else "axis.row"),
            pooled=e.pooled,
            shift=_signed(w.num(e.shift)),
            px=_signed(w.num(e.shift_px)),
        )
        for e in mis.edges
    ]


def _ideal_table(w: PoolWalk, mis: Misalignment) -> Table:
    labels: list[str] = []
    rows: list[tuple[str, ...]] = []
    for b in sorted(mis.bins, key=lambda b: (b.axis != "y", b.bin)):
        labels.append(
            text(
                w.lang,
                "pool.mis.binlabel",
                axis=text(w.lang, "axis.row" if b.axis == "y" else "axis.col"),
                p=b.bin,
            )
        )
        lo, hi = b.ideal
        ideal = f"[{w.num(lo).text}, {w.num(hi).text}]"
        if b.pooled is None:
            rows.append((ideal, "—", "—", "—"))
            continue
        first, last = b.pooled
        shifts = [
            text(w.lang, "pool.mis.shift", cells=_signed(w.num(d)), px=_signed(w.num(d / w.spatial_scale)))
            for d in (first - lo, last - hi)
        ]
        rows.append((ideal, f"{minus(first)}…{minus(last)}", *shifts))
    return Table(
        text(w.lang, "pool.mis.table"),
        tuple(labels),
        tuple(text(w.lang, "pool.mis.cols").split("|")),
        tuple(rows),
    )


def _floor_line(w: PoolWalk) -> str:
    """Why floor and ceil: no cell is dropped (and what rounding both ends down would drop)."""
    x, y = w.plan.x, w.plan.y
    uneven = next(((a, n) for n, a in (("x", x), ("y", y)) if int(a.size[0]) % a.bin_start.shape[1]), None)
    if uneven is None:
        return text(w.lang, "pool.mis.floor_even")
    a, n = uneven
    P, size = a.bin_start.shape[1], int(a.size[0])
    return text(
        w.lang,
        "pool.mis.floor",
        cells=text(w.lang, "axis.cols" if n == "x" else "axis.rows"),
        size=size,
        bins=P,
        each=size // P,
        dropped=size - P * (size // P),
    )


def _misalignment_step(w: PoolWalk, mis: Misalignment) -> Step:
    x, y = w.plan.x, w.plan.y
    lines = [Note(text(w.lang, "pool.mis.model")), text(w.lang, "pool.mis.edges"), *_edge_lines(w, mis)]
    lines.append(
        Note(
            text(
                w.lang,
                "pool.mis.plus1",
                cells=text(w.lang, "axis.cols"),
                s=operand(int(x.start[0])),
                first=minus(int(x.start[0])),
                e=minus(int(x.end[0])),
                n=int(x.size[0]),
            )
        )
    )
    # Quantization 2: the ideal bins are defined (and tabulated below) before anything refers to them.
    sizes = []
    for a in (x, y):
        x1, x2 = w.num(a.scaled_start[0]), w.num(a.scaled_end[0])
        sign, size = result(x2.value - x1.value, float(a.scaled_end[0]) - float(a.scaled_start[0]))
        sizes.append(dict(a=x2.operand, b=x1.operand, eq=sign, v=size.text, x1=x1.text))
    lines.append(
        text(
            w.lang,
            "pool.mis.bins",
            x1=sizes[0]["x1"],
            x2=sizes[0]["a"],
            xs=sizes[0]["b"],
            eqw=sizes[0]["eq"],
            w=sizes[0]["v"],
            y1=sizes[1]["x1"],
            y2=sizes[1]["a"],
            ys=sizes[1]["b"],
            eqh=sizes[1]["eq"],
            h=sizes[1]["v"],
        )
    )
    lines += [Note(_floor_line(w)), Note(text(w.lang, "pool.mis.align"))]
    return Step("pool.misalignment", text(w.lang, "pool.mis.title"), tuple(lines), (_ideal_table(w, mis),))


def _first_overlap(plan: PoolPlan) -> tuple[str, int, int] | None:
    """(axis, cell, j): the first cell that bins j and j + 1 both read, if any."""
    for n, a in (("x", plan.x), ("y", plan.y)):
        for j in range(a.bin_start.shape[1] - 1):
            end, nxt = int(a.bin_end[0, j]), int(a.bin_start[0, j + 1])
            if nxt < end and int(a.bin_end[0, j + 1]) > nxt and end > int(a.bin_start[0, j]):
                return n, nxt, j
    return None


def _check_step(w: PoolWalk, mis: Misalignment) -> Step:
    """The library call that gives these numbers, and the misconceptions this box disproves."""
    lang, (PH, PW) = w.lang, w.plan.output_size
    lines = [
        text(
            lang, "check.pool", b=", ".join(fmt(v) for v in w.box[1:]), ph=PH, pw=PW, s=given(w.spatial_scale)
        ),
        text(lang, "check.myths"),
    ]
    shared = _first_overlap(w.plan)
    if shared is not None:
        n, cell, j = shared
        lines.append(
            text(
                lang,
                "myth.overlap",
                what=text(lang, "axis.col" if n == "x" else "axis.row"),
                cell=cell,
                j=j,
                j1=j + 1,
            )
        )
    half = next(
        (e for e in mis.edges if abs(e.box - np.trunc(e.box)) == 0.5 and int(np.round(e.box)) != e.pooled),
        None,
    )
    if half is not None:
        lines.append(
            text(
                lang,
                "myth.half",
                v=w.num(half.box).text,
                r=minus(half.pooled),
                even=minus(int(np.round(half.box))),
            )
        )
    lines.append(text(lang, "myth.nodrop"))
    return Step("check", text(lang, "check.title"), tuple(lines))


def _cells_pooled(a: PoolAxis, p: int | None) -> tuple[int, int] | None:
    """First and last cell bin ``p`` pools on this axis (all bins when ``p`` is None)."""
    lo, hi = a.bin_start[0], a.bin_end[0]
    if p is not None:
        lo, hi = lo[p : p + 1], hi[p : p + 1]
    keep = hi > lo
    return (int(lo[keep].min()), int(hi[keep].max()) - 1) if keep.any() else None


def explain_roi_pool(
    feature: Any,
    box: Any,
    output_size: int | tuple[int, int],
    spatial_scale: float = 1.0,
    *,
    channel: int | None = None,
    lang: str = "en",
    bin: tuple[int, int] | None = None,
    convention: str | None = None,
    source: str | None = None,
    steps: bool = True,
) -> Trace:
    """Work out RoI Pool by hand for one box on one feature map.

    Parameters
    ----------
    feature : array of shape (H, W), or (C, H, W) with ``channel``
        The feature map. Integer maps are explained in float64.
    box : 4 numbers
        ``(x1, y1, x2, y2)`` in image pixels.
    output_size : int or (int, int)
        Bins ``PH, PW``.
    spatial_scale : float, default 1.0
        Factor from image pixels to feature cells.
    channel : int, optional
        Which channel of a 3-D ``feature`` to explain.
    lang : str, default "en"
        Language of the step text (one of :data:`roikit.i18n.LANGS`).
    bin, convention, source
        As for :func:`roikit.explain_roi_align`: the bin worked out in full
        (the map is shown around its cells), the convention to name, and a
        line on where the map came from.
    steps : bool, default True
        False: the numbers only (``trace.steps`` empty), with the same
        output, params and data (what a drawing that follows a drag needs).

    Returns
    -------
    Trace
        Every step, with the numbers of the plan :func:`roikit.roi_pool` runs;
        ``trace.output`` equals ``roi_pool(...)[0, channel]``; ``trace.data``
        is a :class:`~roikit.explain.trace.PoolData`.

    Examples
    --------
    >>> import numpy as np
    >>> t = explain_roi_pool(np.arange(16.0).reshape(4, 4), (0.4, 0.6, 2.5, 2.5), 2)
    >>> t.output
    ((9.0, 11.0), (13.0, 15.0))
    >>> [s.key for s in t.steps][:3]
    ['input', 'pool.scale', 'pool.round']
    >>> t.data.bins[0].winner  # rows 1…2, columns 0…1: the max 9 is at (2, 1)
    (2, 1)
    """
    lang = check_lang(lang)
    return _walk(feature, box, output_size, spatial_scale, channel, lang, bin, convention, source, steps)


def _walk(
    feature: Any,
    box: Any,
    output_size: Any,
    spatial_scale: float,
    channel: Any,
    lang: str,
    bin: Any,
    convention: str | None,
    source: str | None,
    words: bool = True,
) -> Trace:
    w = _build(feature, box, output_size, spatial_scale, channel, lang, bin)
    PH, PW = w.plan.output_size
    bins = [_bin(w, ph, pw) for ph in range(PH) for pw in range(PW)]
    mis = misalignment(w.plan.x, w.plan.y, spatial_scale)
    steps = (
        [
            _input(w, convention, source),
            _scale_step(w),
            _round_step(w),
            _size_step(w),
            _binsize_step(w),
            _ranges_step(w),
            *(_bin_step(w, b) for b in bins),
            _summary(w, bins),
            output_step(w.lang, w.out),
            _misalignment_step(w, mis),
            _check_step(w, mis),
        ]
        if words
        else []
    )
    data = PoolData(_axis_data(w.plan.x), _axis_data(w.plan.y), tuple(bins), tuple(w.img.shape), mis, w.focus)  # type: ignore[arg-type]
    params = {
        "box": [float(v) for v in w.box[1:]],
        "spatial_scale": spatial_scale,
        "output_size": list(w.plan.output_size),
        "channel": w.channel,
        "dtype": str(w.plan.dtype),
    }
    return Trace("roi_pool", w.lang, params, as_rows(w.img), as_rows(w.out), tuple(steps), data)
