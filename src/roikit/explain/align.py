"""RoI Align worked out by hand, from the plan the op executes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np

from ..engine.budget import check_trace_points
from ..engine.execute import make_align_plan, run_align, run_align_winners
from ..engine.plan import AlignAxis
from ..engine.validate import check_mode, compute_dtype
from ..i18n import text
from ..i18n.numbers import fmt, given, operand
from .inputs import check_lang, check_scaled_box, focus_bin, prepare
from .steps import as_rows, convention_line, input_step, output_step, summary_step
from .trace import Step, Trace

__all__ = ["explain_roi_align"]

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


def _clamp_notes(lang: str, s: dict[str, Any], name: str, extent: int) -> list[str]:
    what = text(lang, "axis.row" if name == "y" else "axis.col")
    if not s["inside"]:
        return []
    if s["coord"] < 0:
        return [text(lang, "align.bin.clamp_low", c=name, v=fmt(s["coord"]), what=what)]
    if s["low"] == s["high"]:
        return [text(lang, "align.bin.clamp_high", c=name, v=fmt(s["coord"]), last=extent - 1, what=what)]
    return []


def _bin_points(
    ys: list[dict[str, Any]], xs: list[dict[str, Any]], img: np.ndarray
) -> tuple[list[dict[str, Any]], list[tuple[int, int]]]:
    """Every point of one bin in row-major order, with its neighbours, weights and value.

    The products and the sum are the kernel's, in the plan's dtype and order.
    Returns the points and their positions in the plan's flat sample arrays.
    """
    points, flats = [], []
    for sy in ys:
        for sx in xs:
            inside = sy["inside"] and sx["inside"]
            pt: dict[str, Any] = {
                "iy": sy["i"],
                "ix": sx["i"],
                "y": float(sy["coord"]),
                "x": float(sx["coord"]),
                "inside": inside,
            }
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
                pt.update(
                    value=float(v),
                    cells=[list(cq) for cq in cells],
                    cell_values=[float(q) for q in vs],
                    weights=[float(w) for w in ws],
                    ly=float(ly),
                    hy=float(hy),
                    lx=float(lx),
                    hx=float(hx),
                )
            else:
                pt["value"] = 0.0
            points.append(pt)
            flats.append((sy["flat"], sx["flat"]))
    return points, flats


#: Decimals written when no precision up to 12 makes every sum exact (repeating decimals).
_APPROX_DIGITS = 6


def _digits(
    points: list[dict[str, Any]], derived: list[int], count: float | None, value: float
) -> tuple[int, bool]:
    """The fewest decimals (4 to 12) at which every written sum can be redone on paper.

    Returns ``(d, True)``; or ``(6, False)`` when no such precision exists
    (weights like 0.8402777…), and the walkthrough then writes ``≈``.

    At ``d`` decimals: each point's written terms add up to its written value,
    each derived weight is the product of its written factors, the written
    weights add up to 1, ``ly = y − low`` and ``hy = 1 − ly`` hold as written,
    and (with ``count``) the written points average to the bin's written value,
    each up to the rounding of the last written decimal.
    """
    numbers = [value] + [v for p in points for v in (p["y"], p["x"], p["value"], *p.get("weights", ()))]
    if not all(np.isfinite(numbers)):
        return 4, True
    for d in range(4, 13):

        def f(v: float, d: int = d) -> Decimal:
            return Decimal(fmt(v, d))

        half = Decimal(5) * Decimal(10) ** -(d + 1)
        ok = True
        for k, p in enumerate(points):
            if not p["inside"]:
                continue
            terms = sum(f(w) * f(v) for w, v in zip(p["weights"], p["cell_values"], strict=True))
            ok &= abs(terms - f(p["value"])) <= half
            if k in derived:
                ok &= abs(sum((f(w) for w in p["weights"]), Decimal(0)) - 1) <= half
                # (low cell, high cell, coordinate, fraction, complement) per axis
                rows = (p["cells"][0][0], p["cells"][2][0], p["y"], p["ly"], p["hy"])
                cols = (p["cells"][0][1], p["cells"][1][1], p["x"], p["lx"], p["hx"])
                for low_cell, high_cell, coord, frac, comp in (rows, cols):
                    ok &= f(comp) == 1 - f(frac)
                    if coord >= 0 and high_cell != low_cell:  # not clamped: frac = coord − low
                        ok &= abs(f(coord) - low_cell - f(frac)) <= half
                factors = ((p["hy"], p["hx"]), (p["hy"], p["lx"]), (p["ly"], p["hx"]), (p["ly"], p["lx"]))
                for w, (a, b) in zip(p["weights"], factors, strict=True):
                    ok &= abs(f(a) * f(b) - f(w)) <= half
        if count is not None:
            ok &= abs(sum(f(p["value"]) for p in points) / Decimal(count) - f(value)) <= half
        if ok:
            return d, True
    return _APPROX_DIGITS, False


def _pairs(p: dict[str, Any], d: int) -> str:
    """``7×0.11 + 4×0.0275 + …``: each neighbour's value times its own weight, in cell order."""
    return " + ".join(f"{fmt(v, d)}×{fmt(w, d)}" for v, w in zip(p["cell_values"], p["weights"], strict=True))


def _derivation(
    lang: str,
    n: int,
    p: dict[str, Any],
    sy: dict[str, Any],
    sx: dict[str, Any],
    H: int,
    W: int,
    d: int,
    eq: str,
) -> list[str]:
    """Bilinear interpolation of one point, worked out: fractions, the four areas, their sum."""
    lines = [text(lang, "align.derive.head", n=n, y=fmt(p["y"], d), x=fmt(p["x"], d))]
    for c, s, lo, hi, extent, axis in (
        ("y", sy, "ly", "hy", H, "axis.rows"),
        ("x", sx, "lx", "hx", W, "axis.cols"),
    ):
        common = dict(
            c=c,
            v=fmt(s["coord"], d),
            low=s["low"],
            high=s["high"],
            what=text(lang, axis),
            lo=fmt(p[lo], d),
            hi=fmt(p[hi], d),
        )
        if s["coord"] < 0:
            lines.append(text(lang, "align.derive.axis_low", **common))
        elif s["low"] == s["high"]:
            lines.append(text(lang, "align.derive.axis_high", last=extent - 1, **common))
        else:
            lines.append(text(lang, "align.derive.axis", **common))
    names = ("hy·hx", "hy·lx", "ly·hx", "ly·lx")
    factors = (("hy", "hx"), ("hy", "lx"), ("ly", "hx"), ("ly", "lx"))
    lines.append(text(lang, "align.derive.areas"))
    for (r, q), v, w, name, (a, b) in zip(
        p["cells"], p["cell_values"], p["weights"], names, factors, strict=True
    ):
        lines.append(
            text(
                lang,
                "align.derive.weight",
                r=r,
                q=q,
                v=fmt(v, d),
                name=name,
                a=fmt(p[a], d),
                b=fmt(p[b], d),
                w=fmt(w, d),
                eq=eq,
            )
        )
    lines.append(
        text(
            lang,
            "align.derive.sum",
            terms=" + ".join(fmt(w, d) for w in p["weights"]),
            total=fmt(float(sum(Decimal(fmt(w, d)) for w in p["weights"])), d),
            eq=eq,
        )
    )
    lines.append(text(lang, "align.derive.value", expr=_pairs(p, d), v=fmt(p["value"], d), eq=eq))
    return lines


def _bin_lines(
    lang: str,
    points: list[dict[str, Any]],
    win_row: int | None,
    win_code: int,
    value: float,
    plan: Any,
    mode: str,
    H: int,
    W: int,
    ys: list[dict[str, Any]],
    xs: list[dict[str, Any]],
) -> tuple[list[str], str]:
    """The lines of one worked bin, and its aggregation line."""
    count = float(plan.count[0])
    shown = [k for k in range(len(points)) if k < MAX_SHOWN or k == win_row]
    first = next((k for k in shown if points[k]["inside"]), None)
    derived = [k for k in (first, win_row if mode == "max" else None) if k is not None]
    derived = list(dict.fromkeys(derived))
    every = len(points) == count and len(points) <= _MAX_TERMS
    d, exact = _digits(
        [points[k] for k in shown],
        [shown.index(k) for k in derived],
        count if mode == "avg" and every else None,
        value,
    )
    eq = "=" if exact else "≈"  # never claim an equality the written numbers do not satisfy
    lines: list[str] = []
    notes: list[str] = []
    for k in shown:
        p = points[k]
        sy, sx = ys[k // len(xs)], xs[k % len(xs)]
        if not p["inside"]:
            lines.append(
                text(lang, "align.bin.arith_out", n=k + 1, y=fmt(p["y"], d), x=fmt(p["x"], d), h=H, w=W)
            )
        elif k in derived:
            lines += _derivation(lang, k + 1, p, sy, sx, H, W, d, eq)
        else:
            lines.append(
                text(
                    lang,
                    "align.bin.arith",
                    n=k + 1,
                    y=fmt(p["y"], d),
                    x=fmt(p["x"], d),
                    expr=_pairs(p, d),
                    v=fmt(p["value"], d),
                    eq=eq,
                )
            )
            notes += _clamp_notes(lang, sy, "y", H) + _clamp_notes(lang, sx, "x", W)
    if len(shown) < len(points):
        lines.append(text(lang, "align.bin.more", n=len(points) - len(shown), count=fmt(count)))
    n = fmt(count)
    if mode == "max":
        if win_code == -1:
            agg = text(lang, "align.bin.max_zero", n=n)
        elif win_row is None:
            agg = text(lang, "align.bin.max_none", v=fmt(value, d))
        else:
            agg = text(lang, "align.bin.max", n=n, v=fmt(value, d), k=win_row + 1)
    elif every:
        terms = " + ".join(fmt(p["value"], d) for p in points)
        agg = text(lang, "align.bin.avg", terms=terms, n=n, v=fmt(value, d), eq=eq)
    else:
        agg = text(lang, "align.bin.avg_long", k=sum(p["inside"] for p in points), n=n, v=fmt(value, d))
    return lines + list(dict.fromkeys(notes)) + [agg], agg


def _cells_read(samples: list[dict[str, Any]]) -> tuple[int, int] | None:
    """First and last cell the in-range samples of one bin read on one axis."""
    cells = [c for s in samples if s["inside"] for c in (s["low"], s["high"])]
    return (min(cells), max(cells)) if cells else None


def _settings_line(lang: str, plan: Any, mode: str) -> str:
    """The settings, and how they differ from torchvision's defaults (said out loud)."""
    grid = (
        text(lang, "align.settings.adaptive")
        if plan.sampling_ratio <= 0
        else f"{plan.sampling_ratio} × {plan.sampling_ratio}"
    )
    line = text(lang, "align.settings", mode=text(lang, f"mode.{mode}"), grid=grid, aligned=plan.aligned)
    if mode == "max":
        line += " " + text(lang, "align.settings.max")
    return line


def _check_step(
    lang: str,
    plan: Any,
    mode: str,
    box: np.ndarray,
    scale: float,
    samples: dict[str, list[list[dict[str, Any]]]],
    bins: list[dict[str, Any]],
) -> Step:
    """The library calls that give these numbers, and the misconceptions this box disproves."""
    PH, PW = plan.output_size
    b = ", ".join(fmt(v) for v in box)
    sr, aligned = plan.sampling_ratio, plan.aligned
    common = dict(ph=PH, pw=PW, s=given(scale), sr=sr, sr0=max(sr, 0), a=aligned, b=b)
    if mode == "avg":
        lines = [
            text(lang, "check.align.torchvision", **common),
            text(
                lang,
                "check.align.onnx",
                sr0=common["sr0"],
                ctm="half_pixel" if aligned else "output_half_pixel",
            ),
        ]
    else:
        lines = [text(lang, "check.align.mmcv", **common), text(lang, "check.align.nomax")]
    lines.append(text(lang, "check.myths"))
    x = samples["x"][0]
    if len(x) >= 2 and plan.has_samples[0]:
        lo = float(plan.x.start[0])
        lines.append(
            text(
                lang,
                "myth.points",
                values=", ".join(fmt(p["coord"]) for p in x[:4]),
                lo=fmt(lo),
                hi=fmt(lo + float(plan.x.bin_size[0])),
                g=fmt(plan.x.grid[0]),
            )
        )
    off = next((bd for bd in bins if any(not p["inside"] for p in bd["points"])), None)
    if off is not None:
        lines.append(text(lang, f"myth.offmap.{mode}", ph=off["ph"], pw=off["pw"], n=fmt(plan.count[0])))
    lines.append(text(lang, "myth.norounding"))
    return Step("check", text(lang, "check.title"), tuple(lines))


def _winner_label(lang: str, win_code: int, win_row: int | None) -> str:
    if win_code == -1:
        return text(lang, "align.summary.outside")
    return "—" if win_row is None else text(lang, "align.bin.point", n=win_row + 1)


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
    mode = check_mode(mode)
    inp, c, boxes = prepare(feature, box, channel)
    check_scaled_box(boxes, spatial_scale, compute_dtype(inp.dtype))
    feat, _, plan = make_align_plan(inp, boxes, output_size, spatial_scale, sampling_ratio, aligned)
    # Every point of every bin is recorded (with its neighbours and weights): check that first.
    ny = np.diff(plan.y.sample_offsets)
    nx = np.diff(plan.x.sample_offsets)
    check_trace_points(int(ny.sum()) * int(nx.sum()))
    out = run_align(plan, feat, mode)[0, c]
    # Winners come from the op's own max kernel (-2 everywhere in avg mode).
    win_y = win_x = np.full(plan.output_size, -2, np.int64)
    if mode == "max":
        win_y, win_x = (w[0, c] for w in run_align_winners(plan, feat))
    img = feat[0, c]
    H, W = img.shape
    x, y = plan.x, plan.y
    PH, PW = plan.output_size
    gh, gw = float(y.grid[0]), float(x.grid[0])
    s = given(np.float64(plan.dtype.type(spatial_scale)))

    samples = {"y": [_axis_samples(y, p) for p in range(PH)], "x": [_axis_samples(x, p) for p in range(PW)]}
    focus = focus_bin(bin, plan.output_size)
    need: tuple[tuple[int, int] | None, tuple[int, int] | None]
    if focus is None:  # every bin is shown: the cells the whole box reads
        need = tuple(  # type: ignore[assignment]
            (int(a.span_start[0]), int(a.span_stop[0]) - 1) if a.span_stop[0] > a.span_start[0] else None
            for a in (y, x)
        )
    else:
        need = (_cells_read(samples["y"][focus[0]]), _cells_read(samples["x"][focus[1]]))
    extra = [_settings_line(lang, plan, mode)]
    if convention is not None:
        extra.append(convention_line(lang, convention))
    steps = [
        input_step(
            lang, img, boxes[0], spatial_scale, plan.output_size, c, inp.shape[1], need, focus, extra, source
        )
    ]
    minus = " − 0.5" if aligned else ""
    scale_lines = [text(lang, "align.scale.offset" if aligned else "align.scale.legacy")]
    for i, (n, a, attr) in enumerate(
        (("x1", x, "start"), ("y1", y, "start"), ("x2", x, "end"), ("y2", y, "end"))
    ):
        scale_lines.append(
            text(
                lang,
                "align.scale.line",
                name=n,
                v=operand(boxes[0, 1 + i]),
                s=s,
                minus=minus,
                r=fmt(getattr(a, attr)[0]),
            )
        )
    steps.append(Step("align.scale", text(lang, "align.scale.title"), tuple(scale_lines)))

    size_lines = []
    for a, key in ((x, "axis.width"), (y, "axis.height")):
        raw = a.end[0] - a.start[0]
        common = dict(axis=text(lang, key), end=fmt(a.end[0]), start=operand(a.start[0]))
        if raw != a.size[0]:
            size_lines.append(text(lang, "align.size.raised", raw=fmt(raw), **common))
        else:
            size_lines.append(text(lang, "align.size.line", size=fmt(a.size[0]), **common))
    for a, key, p in ((x, "axis.width", PW), (y, "axis.height", PH)):
        size_lines.append(
            text(
                lang,
                "align.size.bin",
                axis=text(lang, key),
                size=fmt(a.size[0]),
                bins=p,
                b=fmt(a.bin_size[0]),
            )
        )
    steps.append(Step("align.size", text(lang, "align.size.title"), tuple(size_lines)))

    if plan.sampling_ratio > 0:
        grid_lines = [text(lang, "align.grid.fixed", sr=plan.sampling_ratio, gh=fmt(gh), gw=fmt(gw))]
    else:
        grid_lines = [
            text(
                lang,
                "align.grid.adaptive",
                ph=PH,
                pw=PW,
                h=fmt(y.size[0] / plan.dtype.type(PH)),
                gh=fmt(gh),
                w=fmt(x.size[0] / plan.dtype.type(PW)),
                gw=fmt(gw),
            )
        ]
    has = bool(plan.has_samples[0])
    grid_lines.append(
        text(lang, "align.grid.count", gh=fmt(gh), gw=fmt(gw), n=fmt(plan.count[0]))
        if has
        else text(lang, "align.grid.none", gh=fmt(gh), gw=fmt(gw))
    )
    steps.append(Step("align.grid", text(lang, "align.grid.title"), tuple(grid_lines)))

    if has:
        coord_lines = []
        for name, a, grid, bins, key in (("y", y, gh, PH, "axis.row"), ("x", x, gw, PW, "axis.col")):
            coord_lines.append(
                text(
                    lang,
                    "align.coords.formula",
                    c=name,
                    start=fmt(a.start[0]),
                    b=fmt(a.bin_size[0]),
                    g=fmt(grid),
                )
            )
            for p in range(bins):
                pts = samples[name][p]
                vals = ", ".join(fmt(q["coord"]) for q in pts)
                if len(pts) < grid:
                    vals += text(lang, "align.coords.more", n=fmt(grid), m=len(pts))
                coord_lines.append(
                    text(lang, "align.coords.line", axis=text(lang, key), p=p, c=name, values=vals)
                )
        steps.append(Step("align.coords", text(lang, "align.coords.title"), tuple(coord_lines)))

    bins_data, summary_rows, labels = [], [], []
    for ph in range(PH):
        for pw in range(PW):
            value = float(out[ph, pw])
            labels.append(f"({ph}, {pw})")
            if not has:
                steps.append(
                    Step(
                        "align.bin",
                        text(lang, "align.bin.title", ph=ph, pw=pw),
                        (text(lang, "align.bin.nosamples"),),
                        bin=(ph, pw),
                    )
                )
                bins_data.append(
                    {"ph": ph, "pw": pw, "value": value, "points": [], "winner": None, "aggregation": None}
                )
                summary_rows.append(("—",))
                continue
            winner_flat = (int(win_y[ph, pw]), int(win_x[ph, pw])) if win_y[ph, pw] >= 0 else None
            points, flats = _bin_points(samples["y"][ph], samples["x"][pw], img)
            win_row = flats.index(winner_flat) if winner_flat in flats else None
            lines, agg = _bin_lines(
                lang,
                points,
                win_row,
                win_y[ph, pw],
                value,
                plan,
                mode,
                H,
                W,
                samples["y"][ph],
                samples["x"][pw],
            )
            summary_rows.append((_winner_label(lang, win_y[ph, pw], win_row),))
            steps.append(
                Step("align.bin", text(lang, "align.bin.title", ph=ph, pw=pw), tuple(lines), bin=(ph, pw))
            )
            bins_data.append(
                {"ph": ph, "pw": pw, "value": value, "points": points, "winner": win_row, "aggregation": agg}
            )
    steps.append(
        summary_step(lang, labels, text(lang, "align.summary.cols") if mode == "max" else None, summary_rows)
    )
    steps.append(output_step(lang, out))
    steps.append(_check_step(lang, plan, mode, boxes[0, 1:], spatial_scale, samples, bins_data))

    data = {
        "map_shape": [H, W],
        "x": _axis_data(x),
        "y": _axis_data(y),
        "count": float(plan.count[0]),
        "bins": bins_data,
        "offset": 0.5 if plan.aligned else 0.0,
        "focus": list(focus) if focus else None,
    }
    params = {
        "box": [float(v) for v in boxes[0, 1:]],
        "spatial_scale": spatial_scale,
        "output_size": list(plan.output_size),
        "sampling_ratio": plan.sampling_ratio,
        "aligned": plan.aligned,
        "mode": mode,
        "channel": c,
        "dtype": str(plan.dtype),
    }
    return Trace("roi_align", lang, params, as_rows(img), as_rows(out), tuple(steps), data)


def _axis_data(a: AlignAxis) -> dict[str, Any]:
    # edges: where each bin starts (and the last one ends), for drawings that compute nothing
    with np.errstate(over="ignore", invalid="ignore"):  # a box beyond the float range: inf and nan edges
        edges = [float(a.start[0] + p * a.bin_size[0]) for p in range(a.bins + 1)]
    return {
        "start": float(a.start[0]),
        "end": float(a.end[0]),
        "size": float(a.size[0]),
        "bin_size": float(a.bin_size[0]),
        "grid": float(a.grid[0]),
        "edges": edges,
    }
