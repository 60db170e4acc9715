"""RoI Align worked out by hand, from the plan the op executes.

:func:`explain_roi_align` is a list of steps, each built by a small function
from one :class:`AlignWalk`: the plan :func:`roikit.roi_align` runs, its
output and winners, and the typed records of the trace's ``data``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ..engine.budget import check_trace_bins, check_trace_points
from ..engine.cancel import checkpoint
from ..engine.execute import make_align_plan, run_align, run_align_winners
from ..engine.plan import AlignAxis, AlignPlan
from ..engine.validate import check_mode, compute_dtype
from ..i18n import text
from ..i18n.numbers import Written, fmt, given, minus, num, result, total
from ..ops.roi_align import roi_align
from .inputs import check_lang, check_scaled_box, focus_bin, prepare
from .steps import as_rows, convention_line, input_step, output_step, summary_step
from .trace import AlignAxisData, AlignBin, AlignData, Note, Point, Step, Table, Trace

__all__ = ["AlignWalk", "explain_roi_align"]

#: Above this many points per bin the average is written as a sum, not term by term.
_MAX_TERMS = 16
#: Points of a bin written out in full (the winner is always written out).
MAX_SHOWN = 16


def _axis_samples(a: AlignAxis, p: int) -> list[dict[str, Any]]:
    """Return the stored samples of bin ``p`` (box 0) on one axis, as plain numbers."""
    sl = a.samples(0, p)
    return [
        {
            "i": int(a.sample_index[j]),
            "coord": a.coord[j],
            "inside": bool(a.inside[j]),
            "low": int(a.low[j]),
            "high": int(a.high[j]),
            "w_low": a.w_low[j],
            "w_high": a.w_high[j],
            "flat": j,
        }
        for j in range(sl.start, sl.stop)
    ]


def _clamp_notes(lang: str, n: int, s: dict[str, Any], name: str, extent: int, dtype: Any) -> list[str]:
    """Under a point's line: a coordinate in [−1, 0) clamped to 0, or one at the last row or column."""
    what = text(lang, "axis.row" if name == "y" else "axis.col")
    if not s["inside"]:
        return []
    v = num(s["coord"], dtype, operand=True).text
    if s["coord"] < 0:
        return [text(lang, "align.bin.clamp_low", n=n, c=name, v=v, what=what)]
    if s["low"] == s["high"]:
        return [text(lang, "align.bin.clamp_high", n=n, c=name, v=v, last=extent - 1, what=what)]
    return []


def _bin_points(
    ys: list[dict[str, Any]], xs: list[dict[str, Any]], img: np.ndarray
) -> tuple[list[Point], list[tuple[int, int]]]:
    """Every point of one bin in row-major order, with its neighbours, weights and value.

    The products and the sum are the kernel's, in the plan's dtype and order.
    Returns the points and their positions in the plan's flat sample arrays.
    """
    points, flats = [], []
    for sy in ys:
        for sx in xs:
            inside = sy["inside"] and sx["inside"]
            common = dict(iy=sy["i"], ix=sx["i"], y=float(sy["coord"]), x=float(sx["coord"]), inside=inside)
            if inside:
                hy, ly, hx, lx = sy["w_low"], sy["w_high"], sx["w_low"], sx["w_high"]
                ws = (hy * hx, hy * lx, ly * hx, ly * lx)
                cells = (
                    (sy["low"], sx["low"]),
                    (sy["low"], sx["high"]),
                    (sy["high"], sx["low"]),
                    (sy["high"], sx["high"]),
                )
                vs = tuple(img[r, q] for r, q in cells)
                v = ws[0] * vs[0] + ws[1] * vs[1] + ws[2] * vs[2] + ws[3] * vs[3]
                point = Point(
                    **common,
                    value=float(v),
                    cells=tuple((int(r), int(q)) for r, q in cells),  # type: ignore[arg-type]
                    cell_values=tuple(float(q) for q in vs),
                    weights=tuple(float(w) for w in ws),
                    ly=float(ly),
                    hy=float(hy),
                    lx=float(lx),
                    hx=float(hx),
                )
            else:
                point = Point(**common, value=0.0)  # type: ignore[arg-type]
            points.append(point)
            flats.append((sy["flat"], sx["flat"]))
    return points, flats


class _Arith:
    """One bin's numbers as the lines write them, in the plan's dtype."""

    def __init__(self, dtype: Any) -> None:
        self.dtype = dtype

    def num(self, v: float) -> Written:
        return num(v, self.dtype)

    def op(self, v: float) -> Written:
        """A number that goes on into further arithmetic: a coordinate, a fraction, a weight."""
        return num(v, self.dtype, operand=True)

    def pairs(self, p: Point) -> tuple[str, Fraction]:
        """``7×0.11 + 4×0.0275 + …`` (each neighbour's value times its weight) and its exact value."""
        _, vals, ws = p.neighbours()
        written = [(self.num(v), self.op(w)) for v, w in zip(vals, ws, strict=True)]
        expr = " + ".join(f"{v.operand}×{w.text}" for v, w in written)
        return expr, sum((v.value * w.value for v, w in written), Fraction(0))


def _derivation(
    lang: str,
    n: int,
    p: Point,
    sy: dict[str, Any],
    sx: dict[str, Any],
    H: int,
    W: int,
    a: _Arith,
    two_step: bool,
) -> list[str]:
    """Bilinear interpolation of one point, worked out: fractions, the four areas, their sum.

    ``two_step`` adds the same value as two linear interpolations (along x on
    the two rows, then along y), which is where the areas come from.
    """
    fy, fx = _fractions(sy, a), _fractions(sx, a)
    frac = {"ly": fy[0], "hy": fy[1], "lx": fx[0], "hx": fx[1]}
    lines = [text(lang, "align.derive.head", n=n, y=a.op(p.y).text, x=a.op(p.x).text)]
    lines += [
        _fraction_line(lang, c, s, f, extent, a) for c, s, f, extent in (("y", sy, fy, H), ("x", sx, fx, W))
    ]
    lines += _area_lines(lang, p, frac, a)
    if two_step:
        lines.append(Note(_two_step_line(lang, p, frac, a)))
    return lines


def _fractions(s: dict[str, Any], a: _Arith) -> tuple[Written, Written, str, str]:
    """``(l, h, sign of l, sign of h)`` of one coordinate, written: ``l = v − low``, ``h = 1 − l``."""
    if s["coord"] < 0 or s["low"] == s["high"]:  # clamped: l = 0 and h = 1, nothing to subtract
        return a.op(s["w_high"]), a.op(s["w_low"]), "=", "="
    v = a.op(s["coord"])
    eq, low = result(v.value - s["low"], s["w_high"], a.dtype, operand=True)
    eq2, high = result(1 - low.value, s["w_low"], a.dtype, operand=True)
    return low, high, eq, eq2


def _fraction_line(
    lang: str, c: str, s: dict[str, Any], f: tuple[Written, Written, str, str], extent: int, a: _Arith
) -> str:
    """Where one coordinate falls between two rows (or columns), and its two fractions."""
    lo, hi, eq, eq2 = f
    common = dict(
        c=c,
        v=a.op(s["coord"]).text,
        low=s["low"],
        high=s["high"],
        what=text(lang, "axis.rows" if c == "y" else "axis.cols"),
        one=text(lang, "axis.row" if c == "y" else "axis.col"),
        lo=lo.text,
        hi=hi.text,
        eq=eq,
        eq2=eq2,
    )
    if s["coord"] < 0:
        return text(lang, "align.derive.axis_low", **common)
    if s["low"] == s["high"]:
        return text(lang, "align.derive.axis_high", last=extent - 1, **common)
    return text(lang, "align.derive.axis", **common)


def _area_lines(lang: str, p: Point, frac: dict[str, Written], a: _Arith) -> list[str]:
    """The four weights as products of fractions, their sum, and the point's value."""
    cells, vals, ws = p.neighbours()
    names = ("hy·hx", "hy·lx", "ly·hx", "ly·lx")
    factors = (("hy", "hx"), ("hy", "lx"), ("ly", "hx"), ("ly", "lx"))
    lines = [text(lang, "align.derive.areas")]
    written = []
    for (r, q), v, w, name, (f1, f2) in zip(cells, vals, ws, names, factors, strict=True):
        eq, weight = result(frac[f1].value * frac[f2].value, w, a.dtype, operand=True)
        written.append(weight)
        lines.append(
            text(
                lang,
                "align.derive.weight",
                r=r,
                q=q,
                v=a.num(v).text,
                name=name,
                a=frac[f1].text,
                b=frac[f2].text,
                w=weight.text,
                eq=eq,
            )
        )
    eq, one = result(total(written), 1.0)
    lines.append(
        text(lang, "align.derive.sum", terms=" + ".join(w.text for w in written), total=one.text, eq=eq)
    )
    expr, value = _weighted(written, vals, a)
    eq, interpolated = result(value, p.value, a.dtype)
    lines.append(text(lang, "align.derive.value", expr=expr, v=interpolated.text, eq=eq))
    return lines


def _weighted(weights: list[Written], vals: tuple[float, ...], a: _Arith) -> tuple[str, Fraction]:
    """``7×0.11 + …`` with the weights as written in the lines above, and its exact value."""
    values = [a.num(v) for v in vals]
    expr = " + ".join(f"{v.operand}×{w.text}" for v, w in zip(values, weights, strict=True))
    return expr, sum((v.value * w.value for v, w in zip(values, weights, strict=True)), Fraction(0))


def _two_step_line(lang: str, p: Point, frac: dict[str, Written], a: _Arith) -> str:
    """The point's value as two linear interpolations: along x on each row, then along y."""
    cells, vals, _ = p.neighbours()
    v00, v01, v10, v11 = (a.num(v) for v in vals)
    hx, lx, hy, ly = frac["hx"], frac["lx"], frac["hy"], frac["ly"]
    _, _, lx_true, hx_true = p.fractions()
    top_true, bottom_true = vals[0] * hx_true + vals[1] * lx_true, vals[2] * hx_true + vals[3] * lx_true
    eq1, top = result(v00.value * hx.value + v01.value * lx.value, top_true, a.dtype, operand=True)
    eq2, bottom = result(v10.value * hx.value + v11.value * lx.value, bottom_true, a.dtype, operand=True)
    eq3, value = result(top.value * hy.value + bottom.value * ly.value, p.value, a.dtype)
    return text(
        lang,
        "align.derive.twostep",
        r0=cells[0][0],
        r1=cells[2][0],
        a=v00.operand,
        b=v01.operand,
        c=v10.operand,
        d=v11.operand,
        hx=hx.text,
        lx=lx.text,
        hy=hy.text,
        ly=ly.text,
        top=top.operand,
        bottom=bottom.operand,
        eq1=eq1,
        eq2=eq2,
        eq3=eq3,
        v=value.text,
    )


def _bin_lines(
    lang: str,
    points: list[Point],
    win_row: int | None,
    win_code: int,
    value: float,
    plan: Any,
    mode: str,
    H: int,
    W: int,
    ys: list[dict[str, Any]],
    xs: list[dict[str, Any]],
    two_step: bool = False,
) -> tuple[list[str], str]:
    """The lines of one worked bin, and its aggregation line.

    The first point on the map is worked out in full, and in max mode the
    winner too; the others are written as one line each.
    """
    a = _Arith(plan.dtype)
    count = float(plan.count[0])
    shown = [k for k in range(len(points)) if k < MAX_SHOWN or k == win_row]
    first = next((k for k in shown if points[k]["inside"]), None)
    derived = list(dict.fromkeys(k for k in (first, win_row if mode == "max" else None) if k is not None))
    every = len(points) == count and len(points) <= _MAX_TERMS
    lines: list[str] = []
    off_said = False
    for k in shown:
        p = points[k]
        sy, sx = ys[k // len(xs)], xs[k % len(xs)]
        if not p.inside:
            key = "align.bin.arith_out_short" if off_said else "align.bin.arith_out"
            lines.append(text(lang, key, n=k + 1, y=a.op(p.y).text, x=a.op(p.x).text, h=H, w=W))
            off_said = True
        elif k == first:
            lines += _derivation(lang, k + 1, p, sy, sx, H, W, a, two_step)
        else:
            expr, terms = a.pairs(p)
            eq, v = result(terms, p.value, a.dtype)
            y, x = a.op(p.y).text, a.op(p.x).text
            lines.append(text(lang, "align.bin.arith", n=k + 1, y=y, x=x, expr=expr, v=v.text, eq=eq))
            if k in derived:
                # The winner's weights worked out under its one line: the full document's (a
                # handout works out the first point only); its value is the line above.
                lines += [Note(x) for x in _derivation(lang, k + 1, p, sy, sx, H, W, a, False)[1:-1]]
            lines += _clamp_notes(lang, k + 1, sy, "y", H, a.dtype) + _clamp_notes(
                lang, k + 1, sx, "x", W, a.dtype
            )
    if len(shown) < len(points):
        lines.append(text(lang, "align.bin.more", n=len(points) - len(shown), count=fmt(count)))
    agg = _aggregation(lang, points, win_row, win_code, value, mode, count, every, a)
    return lines + [agg], agg


def _aggregation(
    lang: str,
    points: list[Point],
    win_row: int | None,
    win_code: int,
    value: float,
    mode: str,
    count: float,
    every: bool,
    a: _Arith,
) -> str:
    """A bin's last line: its max (and which point gave it) or its average."""
    n = fmt(count)
    v = a.num(value).text
    if mode == "max":
        if win_code == -1:
            return text(lang, "align.bin.max_zero", n=n)
        if win_row is None:
            return text(lang, "align.bin.max_none", v=v)
        return text(lang, "align.bin.max", n=n, v=v, k=win_row + 1)
    if every:
        written = [a.num(p.value) for p in points]
        eq, r = result(total(written) / Fraction(count), value, a.dtype)
        terms = " + ".join(w.text for w in written)
        return text(lang, "align.bin.avg", terms=terms, n=n, v=r.text, eq=eq)
    return text(lang, "align.bin.avg_long", k=sum(p.inside for p in points), n=n, v=v)


def _cells_read(samples: list[dict[str, Any]]) -> tuple[int, int] | None:
    """First and last cell the in-range samples of one bin read on one axis."""
    cells = [c for s in samples if s["inside"] for c in (s["low"], s["high"])]
    return (min(cells), max(cells)) if cells else None


def _settings_lines(lang: str, plan: Any, mode: str) -> list[str]:
    """The settings, how they differ from torchvision's defaults, and where the max comes from."""
    key = "align.settings.adaptive" if plan.sampling_ratio <= 0 else "align.settings"
    grid = f"{plan.sampling_ratio} × {plan.sampling_ratio}"
    lines = [
        text(lang, key, mode=text(lang, f"mode.{mode}"), grid=grid, aligned=plan.aligned),
        Note(text(lang, "align.settings.libraries")),
    ]
    if mode == "max":
        lines.append(text(lang, "align.settings.max"))
    return lines


def _check_step(w: AlignWalk, bins: list[_Bin]) -> Step:
    """The library calls that give these numbers, and the misconceptions this box disproves."""
    lang, plan, mode = w.lang, w.plan, w.mode
    PH, PW = plan.output_size
    sr, aligned = plan.sampling_ratio, plan.aligned
    common = dict(
        ph=PH,
        pw=PW,
        s=given(w.spatial_scale),
        sr=sr,
        sr0=max(sr, 0),
        a=aligned,
        b=", ".join(fmt(v) for v in w.box[1:]),
    )
    if mode == "avg":
        ctm = "half_pixel" if aligned else "output_half_pixel"
        lines = [
            text(lang, "check.align.torchvision", **common),
            text(lang, "check.align.onnx", sr0=common["sr0"], ctm=ctm),
        ]
        if sr > 0:
            lines.append(text(lang, "check.align.defaults", values=default_average(w)))
    else:
        lines = [
            text(lang, "check.align.mmcv", **common),
            text(lang, "check.align.nomax", command="roikit compare"),
        ]
    lines.append(text(lang, "check.myths"))
    x = w.samples["x"][0]
    if len(x) >= 2 and w.has_samples:
        lo = float(plan.x.start[0])
        lines.append(
            text(
                lang,
                "myth.points",
                values=", ".join(num(p["coord"], plan.dtype, operand=True).text for p in x[:4]),
                lo=num(lo, plan.dtype).text,
                hi=num(lo + float(plan.x.bin_size[0]), plan.dtype).text,
                g=fmt(plan.x.grid[0]),
            )
        )
    off = next((b.record for b in bins if any(not p.inside for p in b.record.points)), None)
    if off is not None:
        lines.append(text(lang, f"myth.offmap.{mode}", ph=off.ph, pw=off.pw, n=fmt(plan.count[0])))
    lines.append(text(lang, "myth.norounding"))
    return Step("check", text(lang, "check.title"), tuple(lines))


def default_average(w: AlignWalk) -> str:
    """What torchvision's defaults (``sampling_ratio=-1``, adaptive) give for the same box, by rows."""
    PH, PW = w.plan.output_size
    out = roi_align(w.img[None, None], w.box[None], (PH, PW), w.spatial_scale, -1, w.plan.aligned, "avg")[
        0, 0
    ]
    return "; ".join(", ".join(num(v, w.plan.dtype).text for v in row) for row in out)


def _winner_label(lang: str, win_code: int, win_row: int | None) -> str:
    if win_code == -1:
        return text(lang, "align.summary.outside")
    return "—" if win_row is None else text(lang, "align.bin.point", n=win_row + 1)


@dataclass(frozen=True)
class AlignWalk:
    """What every step of a RoI Align walkthrough reads: the plan, the numbers, the language."""

    lang: str
    mode: str
    plan: AlignPlan
    box: np.ndarray  #: (5,) the box as the op got it: (batch, x1, y1, x2, y2)
    spatial_scale: float
    img: np.ndarray  #: the explained channel of the map (the plan's dtype)
    out: np.ndarray  #: (PH, PW) the op's output for it
    win_y: np.ndarray  #: (PH, PW) winning sample's position in the plan's y samples (max mode)
    win_x: np.ndarray
    samples: dict[str, list[list[dict[str, Any]]]]  #: per axis and bin, the stored samples
    channel: int
    channels: int
    focus: tuple[int, int] | None

    @property
    def has_samples(self) -> bool:
        """Whether the grid has points at all (a zero-size aligned box with adaptive sampling has none)."""
        return bool(self.plan.has_samples[0])

    def scale_text(self) -> str:
        """``spatial_scale`` as the plan's dtype holds it, as written in the lines."""
        return given(np.float64(self.plan.dtype.type(self.spatial_scale)))


@dataclass(frozen=True)
class _Bin:
    """A bin's record for the trace, and what its step needs to write it."""

    record: AlignBin
    win_code: int  #: the kernel's winner code: a position, -1 (a point off the map won) or -2 (none)


def _build(
    feature: Any,
    box: Any,
    output_size: Any,
    spatial_scale: float,
    sampling_ratio: Any,
    aligned: Any,
    mode: Any,
    channel: Any,
    lang: str,
    bin_: Any,
) -> AlignWalk:
    mode = check_mode(mode)
    inp, c, boxes = prepare(feature, box, channel)
    check_scaled_box(boxes, spatial_scale, compute_dtype(inp.dtype))
    feat, _, plan = make_align_plan(inp, boxes, output_size, spatial_scale, sampling_ratio, aligned)
    # Every point of every bin is recorded (with its neighbours and weights): check that first.
    check_trace_points(int(np.diff(plan.y.sample_offsets).sum()) * int(np.diff(plan.x.sample_offsets).sum()))
    check_trace_bins(plan.output_size[0] * plan.output_size[1])
    # Winners come from the op's own max kernel (-2 everywhere in avg mode).
    win_y = win_x = np.full(plan.output_size, -2, np.int64)
    if mode == "max":
        win_y, win_x = (w[0, c] for w in run_align_winners(plan, feat))
    PH, PW = plan.output_size
    samples = {
        "y": [_axis_samples(plan.y, p) for p in range(PH)],
        "x": [_axis_samples(plan.x, p) for p in range(PW)],
    }
    return AlignWalk(
        lang=lang,
        mode=mode,
        plan=plan,
        box=boxes[0],
        spatial_scale=spatial_scale,
        img=feat[0, c],
        out=run_align(plan, feat, mode)[0, c],
        win_y=win_y,
        win_x=win_x,
        samples=samples,
        channel=c,
        channels=inp.shape[1],
        focus=focus_bin(bin_, plan.output_size),
    )


def _bin(w: AlignWalk, ph: int, pw: int, words: bool = True) -> _Bin:
    checkpoint()  # a server gives up here when its client has gone
    value = float(w.out[ph, pw])
    code = int(w.win_y[ph, pw])
    if not w.has_samples:
        return _Bin(AlignBin(ph, pw, value, (), None, None), code)
    points, flats = _bin_points(w.samples["y"][ph], w.samples["x"][pw], w.img)
    winner_flat = (int(w.win_y[ph, pw]), int(w.win_x[ph, pw])) if code >= 0 else None
    win_row = flats.index(winner_flat) if winner_flat in flats else None
    if not words:  # the numbers only: the aggregation line is text, and text is the costly part
        return _Bin(AlignBin(ph, pw, value, tuple(points), win_row, None), code)
    _, agg = _bin_lines(
        w.lang,
        points,
        win_row,
        code,
        value,
        w.plan,
        w.mode,
        w.img.shape[0],
        w.img.shape[1],
        w.samples["y"][ph],
        w.samples["x"][pw],
    )
    return _Bin(AlignBin(ph, pw, value, tuple(points), win_row, agg), code)


def _input(w: AlignWalk, convention: str | None, source: str | None) -> Step:
    y, x = w.plan.y, w.plan.x
    need: tuple[tuple[int, int] | None, tuple[int, int] | None]
    if w.focus is None:  # every bin is shown: the cells the whole box reads
        need = tuple(  # type: ignore[assignment]
            (int(a.span_start[0]), int(a.span_stop[0]) - 1) if a.span_stop[0] > a.span_start[0] else None
            for a in (y, x)
        )
    else:
        need = (_cells_read(w.samples["y"][w.focus[0]]), _cells_read(w.samples["x"][w.focus[1]]))
    extra = _settings_lines(w.lang, w.plan, w.mode)
    if convention is not None:
        extra.append(convention_line(w.lang, convention))
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


def _scale_step(w: AlignWalk) -> Step:
    aligned, x, y = w.plan.aligned, w.plan.x, w.plan.y
    a = _Arith(w.plan.dtype)
    scale = a.num(w.plan.dtype.type(w.spatial_scale))
    offset = Fraction(1, 2) if aligned else Fraction(0)
    lines = [text(w.lang, "align.scale.offset" if aligned else "align.scale.legacy")]
    for i, (n, axis, attr) in enumerate(
        (("x1", x, "start"), ("y1", y, "start"), ("x2", x, "end"), ("y2", y, "end"))
    ):
        v = num(w.box[1 + i])
        sign, r = result(v.value * scale.value - offset, getattr(axis, attr)[0], w.plan.dtype)
        lines.append(
            text(
                w.lang,
                "align.scale.line",
                name=n,
                v=v.operand,
                s=scale.text,
                minus=" − 0.5" if aligned else "",
                eq=sign,
                r=r.text,
            )
        )
    lines.append(Note(text(w.lang, "align.scale.why")))
    return Step("align.scale", text(w.lang, "align.scale.title"), tuple(lines), (_half_pixel_table(w.lang),))


def _half_pixel_table(lang: str) -> Table:
    """One row of cells: pixel edges, cell values and a box from edge 0 to edge 2, as bilinear reads them.

    Its rows, in order: the cell values, the pixel edges, the box with
    aligned=True and with aligned=False, and each box's sampling points for 2
    bins of one point (:func:`roikit.figures.halfpixel_figure` draws them).
    """
    cols = ("−0.5", "0", "0.5", "1", "1.5", "2")
    cell = lambda i: text(lang, "align.halfpixel.cell", i=i)  # noqa: E731
    edge = lambda i: text(lang, "align.halfpixel.edge", i=i)  # noqa: E731
    # 2 bins of width 1, one point at each bin's centre: (−0.5 + 0.5, 0.5 + 0.5) and (0 + 0.5, 1 + 0.5)
    dot = text(lang, "align.halfpixel.point")
    rows = (
        ("", cell(0), "", cell(1), "", ""),
        (edge(0), "", edge(1), "", edge(2), ""),
        ("x1", "", "", "", "x2", ""),
        ("", "x1", "", "", "", "x2"),
        ("", dot, "", dot, "", ""),
        ("", "", dot, "", dot, ""),
    )
    keys = ("values", "edges", "true", "false", "points_true", "points_false")
    labels = tuple(text(lang, f"align.halfpixel.{k}") for k in keys)
    return Table(text(lang, "align.halfpixel.table"), labels, cols, rows, note=True)


def _size_step(w: AlignWalk) -> Step:
    lang, x, y = w.lang, w.plan.x, w.plan.y
    a = _Arith(w.plan.dtype)
    PH, PW = w.plan.output_size
    lines = []
    sizes = {}
    for axis, key in ((x, "axis.width"), (y, "axis.height")):
        end, start = a.num(axis.end[0]), a.num(axis.start[0])
        raw = float(axis.end[0]) - float(axis.start[0])
        eq, raw_text = result(end.value - start.value, raw, w.plan.dtype)
        common = dict(axis=text(lang, key), end=end.text, start=start.operand, eq=eq)
        if float(axis.size[0]) != raw:
            lines.append(text(lang, "align.size.raised", raw=raw_text.text, **common))
            sizes[key] = a.num(axis.size[0])
        else:
            lines.append(text(lang, "align.size.line", size=raw_text.text, **common))
            sizes[key] = raw_text
    for axis, key, p in ((x, "axis.width", PW), (y, "axis.height", PH)):
        eq, b = result(sizes[key].value / p, axis.bin_size[0], w.plan.dtype)
        lines.append(
            text(lang, "align.size.bin", axis=text(lang, key), size=sizes[key].text, bins=p, eq=eq, b=b.text)
        )
    return Step("align.size", text(lang, "align.size.title"), tuple(lines))


def _ceiling_text(value: float, grid: float, dtype: Any) -> str:
    """``value`` written so that its ceiling is the plan's ``grid`` (more decimals where noise decides it)."""
    written = num(value, dtype)
    if math.ceil(written.value) == grid:
        return written.text
    for d in range(5, 18):
        candidate = f"{value:.{d}f}".rstrip("0").rstrip(".")
        if math.ceil(Fraction(candidate)) == grid:
            return minus(float(candidate), d) if value < 0 else candidate
    return repr(value)


def _grid_step(w: AlignWalk) -> Step:
    lang, plan = w.lang, w.plan
    PH, PW = plan.output_size
    gh, gw = fmt(plan.y.grid[0]), fmt(plan.x.grid[0])
    if plan.sampling_ratio > 0:
        lines = [text(lang, "align.grid.fixed", sr=plan.sampling_ratio, gh=gh, gw=gw)]
    else:
        lines = [
            text(
                lang,
                "align.grid.adaptive",
                h=_ceiling_text(float(plan.y.bin_size[0]), float(plan.y.grid[0]), plan.dtype),
                gh=gh,
                w=_ceiling_text(float(plan.x.bin_size[0]), float(plan.x.grid[0]), plan.dtype),
                gw=gw,
            )
        ]
    if w.has_samples:
        lines.append(text(lang, "align.grid.count", gh=gh, gw=gw, n=fmt(plan.count[0])))
    else:
        lines.append(text(lang, "align.grid.none", gh=gh, gw=gw))
    lines.append(Note(text(lang, "align.grid.why")))
    return Step("align.grid", text(lang, "align.grid.title"), tuple(lines))


def _coords_step(w: AlignWalk) -> Step:
    lang, plan = w.lang, w.plan
    PH, PW = plan.output_size
    ar = _Arith(plan.dtype)
    lines = []
    for name, a, bins, key in (("y", plan.y, PH, "axis.row"), ("x", plan.x, PW, "axis.col")):
        grid = float(a.grid[0])
        start, b = ar.num(a.start[0]), ar.num(a.bin_size[0])
        lines.append(text(lang, "align.coords.formula", c=name, start=start.text, b=b.text, g=fmt(grid)))
        for p in range(bins):
            pts = w.samples[name][p]
            vals = ", ".join(ar.op(q["coord"]).text for q in pts)
            if len(pts) < grid:
                vals += text(lang, "align.coords.more", n=fmt(grid), m=len(pts))
            lines.append(text(lang, "align.coords.line", axis=text(lang, key), p=p, c=name, values=vals))
    return Step("align.coords", text(lang, "align.coords.title"), tuple(lines))


def _bin_step(w: AlignWalk, b: _Bin) -> Step:
    checkpoint()  # a server gives up here when its client has gone
    r = b.record
    title = text(w.lang, "align.bin.title", ph=r.ph, pw=r.pw)
    if not w.has_samples:
        return Step("align.bin", title, (text(w.lang, "align.bin.nosamples"),), bin=(r.ph, r.pw))
    lines, _ = _bin_lines(
        w.lang,
        list(r.points),
        r.winner,
        b.win_code,
        r.value,
        w.plan,
        w.mode,
        w.img.shape[0],
        w.img.shape[1],
        w.samples["y"][r.ph],
        w.samples["x"][r.pw],
        two_step=(r.ph, r.pw) == (w.focus or (0, 0)),  # once per page, in the bin worked in full
    )
    return Step("align.bin", title, tuple(lines), bin=(r.ph, r.pw))


def _summary(w: AlignWalk, bins: list[_Bin]) -> Step:
    """The collapsed bins' winners (max mode; the values themselves are in the output)."""
    labels = [f"({b.record.ph}, {b.record.pw})" for b in bins]
    rows = [
        ("—",) if not w.has_samples else (_winner_label(w.lang, b.win_code, b.record.winner),) for b in bins
    ]
    return summary_step(w.lang, labels, text(w.lang, "align.summary.cols") if w.mode == "max" else None, rows)


def explain_roi_align(
    feature: Any,
    box: Any,
    output_size: int | tuple[int, int],
    spatial_scale: float = 1.0,
    sampling_ratio: int = 2,
    aligned: bool = False,
    mode: str = "max",
    *,
    channel: int | None = None,
    lang: str = "en",
    bin: tuple[int, int] | None = None,
    convention: str | None = None,
    source: str | None = None,
    steps: bool = True,
) -> Trace:
    """Work out RoI Align by hand for one box on one feature map.

    The defaults follow Figure 3 of the Mask R-CNN paper as the study notes
    read it: 2x2 points per bin, max-pooled. ``mode="avg"`` is what
    torchvision, detectron2 and ONNX compute.

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
    sampling_ratio : int, default 2
        Points per bin along each axis; ``<= 0`` is adaptive.
    aligned : bool, default False
        Half-pixel offset (see :func:`roikit.roi_align`).
    mode : {"max", "avg"}, default "max"
        How each bin's points are combined.
    channel : int, optional
        Which channel of a 3-D ``feature`` to explain.
    lang : {"en", "ko"}
        Language of the step text.
    bin : (int, int), optional
        The bin worked out in full; the map is shown around the cells it
        reads. By default bin (0, 0) when there are more than 4 bins.
    convention : str, optional
        The name of the library convention these settings come from (see
        :data:`roikit.CONVENTIONS`); the walkthrough names it.
    source : str, optional
        One line saying where the map came from (the command line uses it
        for pictures).
    steps : bool, default True
        False: the numbers only (``trace.steps`` empty, no aggregation
        lines), with the same output, params and data: what a drawing that
        follows a drag needs, at a tenth of the cost.

    Returns
    -------
    Trace
        ``trace.output`` equals ``roi_align(...)[0, channel]``.

    Examples
    --------
    >>> import numpy as np
    >>> t = explain_roi_align(np.arange(16.0).reshape(4, 4), (0.5, 0.5, 2.5, 2.5), 2,
    ...                       mode="avg")
    >>> t.output
    ((5.0, 6.0), (9.0, 10.0))
    """
    lang = check_lang(lang)
    args = (feature, box, output_size, spatial_scale, sampling_ratio, aligned, mode, channel, lang, bin)
    return _walk(args, convention, source, steps)


def _walk(args: tuple[Any, ...], convention: str | None, source: str | None, words: bool = True) -> Trace:
    w = _build(*args)
    spatial_scale = w.spatial_scale
    PH, PW = w.plan.output_size
    bins = [_bin(w, ph, pw, words) for ph in range(PH) for pw in range(PW)]
    steps = (
        [
            _input(w, convention, source),
            _scale_step(w),
            _size_step(w),
            _grid_step(w),
            *([_coords_step(w)] if w.has_samples else []),
            *(_bin_step(w, b) for b in bins),
            _summary(w, bins),
            output_step(w.lang, w.out),
            _check_step(w, bins),
        ]
        if words
        else []
    )
    plan = w.plan
    data = AlignData(
        map_shape=tuple(w.img.shape),  # type: ignore[arg-type]
        x=_axis_data(plan.x),
        y=_axis_data(plan.y),
        count=float(plan.count[0]),
        bins=tuple(b.record for b in bins),
        offset=0.5 if plan.aligned else 0.0,
        focus=w.focus,
    )
    params = {
        "box": [float(v) for v in w.box[1:]],
        "spatial_scale": spatial_scale,
        "output_size": list(plan.output_size),
        "sampling_ratio": plan.sampling_ratio,
        "aligned": plan.aligned,
        "mode": w.mode,
        "channel": w.channel,
        "dtype": str(plan.dtype),
    }
    return Trace("roi_align", w.lang, params, as_rows(w.img), as_rows(w.out), tuple(steps), data)


def _axis_data(a: AlignAxis) -> AlignAxisData:
    # edges: where each bin starts (and the last one ends), for drawings that compute nothing
    with np.errstate(over="ignore", invalid="ignore"):  # a box beyond the float range: inf and nan edges
        edges = tuple(float(a.start[0] + p * a.bin_size[0]) for p in range(a.bins + 1))
    return AlignAxisData(
        float(a.start[0]), float(a.end[0]), float(a.size[0]), float(a.bin_size[0]), float(a.grid[0]), edges
    )
