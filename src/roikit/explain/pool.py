"""RoI Pool worked out by hand, from the plan the op executes."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine.execute import make_pool_plan, run_pool, run_pool_winners
from ..engine.plan import PoolAxis, PoolPlan
from ..engine.validate import compute_dtype
from ..i18n import text
from ..i18n.numbers import fmt, given, minus, operand
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
from .trace import Step, Table, Trace

__all__ = ["explain_roi_pool"]


def _ranges(lang: str, axis: PoolAxis, name: str) -> list[str]:
    cells = text(lang, "axis.rows" if name == "y" else "axis.cols")
    label = text(lang, "axis.row" if name == "y" else "axis.col")
    start = int(axis.start[0])
    b = fmt(axis.bin_size[0])
    lines = []
    for i in range(axis.bin_start.shape[1]):
        lo, hi = int(axis.bin_start_raw[0, i]), int(axis.bin_end_raw[0, i])
        clo, chi = int(axis.bin_start[0, i]), int(axis.bin_end[0, i])
        common = dict(axis=label, i=i, i1=i + 1, b=b, start=operand(start), lo=lo, hi=hi)
        if hi > lo:
            line = text(lang, "pool.ranges.line", cells=cells, first=lo, last=hi - 1, **common)
        else:
            line = text(lang, "pool.ranges.empty_range", **common)
        if chi <= clo:
            line += text(lang, "pool.ranges.empty")
        elif (clo, chi) != (lo, hi):
            line += text(lang, "pool.ranges.clipped", cells=cells, first=clo, last=chi - 1)
        if i > 0 and chi > clo:
            prev_lo, prev_hi = int(axis.bin_start[0, i - 1]), int(axis.bin_end[0, i - 1])
            if prev_hi > clo and prev_hi > prev_lo:
                last = min(prev_hi, chi) - 1
                key = "pool.ranges.overlap_one" if last == clo else "pool.ranges.overlap"
                line += text(lang, key, cells=cells, cell=label, first=clo, last=last, j=i - 1)
        lines.append(line)
    return lines


def _cells_pooled(a: PoolAxis, p: int | None) -> tuple[int, int] | None:
    """First and last cell bin ``p`` pools on this axis (all bins when ``p`` is None)."""
    lo, hi = a.bin_start[0], a.bin_end[0]
    if p is not None:
        lo, hi = lo[p : p + 1], hi[p : p + 1]
    keep = hi > lo
    return (int(lo[keep].min()), int(hi[keep].max()) - 1) if keep.any() else None


def _signed(v: float, d: int = 4) -> str:
    """A shift with its sign: +0.4, −0.4 (a true minus sign), 0."""
    text_ = minus(v, d)
    return "+" + text_ if v > 0 and text_ != "0" else text_


def misalignment(x: PoolAxis, y: PoolAxis, scale: float) -> dict[str, Any]:
    """The two quantizations of RoI Pool, measured (the JSON contract of ``data["misalignment"]``).

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
            edges.append(
                {
                    "side": side,
                    "axis": name,
                    "box": float(box),
                    "pooled": int(pooled),
                    "shift": shift,
                    "shift_px": shift / scale,
                }
            )
        lo, hi = float(a.scaled_start[0]), float(a.scaled_end[0])
        P = a.bin_start.shape[1]
        for p in range(P):
            first, stop = int(a.bin_start[0, p]), int(a.bin_end[0, p])
            bins.append(
                {
                    "axis": name,
                    "bin": p,
                    "ideal": [lo + p * (hi - lo) / P, lo + (p + 1) * (hi - lo) / P],
                    "pooled": [first, stop - 1] if stop > first else None,
                }
            )
    return {"edges": edges, "bins": bins}


def _misalignment_step(lang: str, mis: dict[str, Any], x: PoolAxis, y: PoolAxis, scale: float) -> Step:
    lines = [text(lang, "pool.mis.model"), text(lang, "pool.mis.edges")]
    if all(fmt(e["shift"]) == "0" for e in mis["edges"]):
        lines.append(text(lang, "pool.mis.noshift"))
    else:
        for e in mis["edges"]:
            cell = text(lang, "axis.col" if e["axis"] == "x" else "axis.row")
            lines.append(
                text(
                    lang,
                    "pool.mis.edge",
                    side=text(lang, f"side.{e['side']}"),
                    name=(
                        "x1"
                        if e["side"] == "left"
                        else "x2"
                        if e["side"] == "right"
                        else "y1"
                        if e["side"] == "top"
                        else "y2"
                    ),
                    box=fmt(e["box"]),
                    cell=cell,
                    pooled=e["pooled"],
                    shift=_signed(e["shift"]),
                    px=_signed(e["shift_px"]),
                )
            )
    lines.append(
        text(
            lang,
            "pool.mis.plus1",
            cells=text(lang, "axis.cols"),
            s=int(x.start[0]),
            e=int(x.end[0]),
            n=int(x.size[0]),
        )
    )
    widths = {
        "x": float(x.scaled_end[0] - x.scaled_start[0]),
        "y": float(y.scaled_end[0] - y.scaled_start[0]),
    }
    labels: list[str] = []
    rows: list[tuple[str, ...]] = []
    for b in sorted(mis["bins"], key=lambda b: (b["axis"] != "y", b["bin"])):
        axis = text(lang, "axis.row" if b["axis"] == "y" else "axis.col")
        labels.append(text(lang, "pool.mis.binlabel", axis=axis, p=b["bin"]))
        lo, hi = b["ideal"]
        if b["pooled"] is None:
            rows.append((f"[{fmt(lo)}, {fmt(hi)}]", "—", "—", "—"))
            continue
        first, last = b["pooled"]
        shifts = []
        for d in (first - lo, last - hi):
            shifts.append(f"{_signed(d)} ({_signed(d / scale)} px)")
        rows.append((f"[{fmt(lo)}, {fmt(hi)}]", f"{first}…{last}", *shifts))
    table = Table(
        text(lang, "pool.mis.table"),
        tuple(labels),
        tuple(text(lang, "pool.mis.cols").split("|")),
        tuple(rows),
    )
    uneven = next(((a, n) for n, a in (("x", x), ("y", y)) if int(a.size[0]) % a.bin_start.shape[1]), None)
    if uneven is not None:
        a, n = uneven
        P = a.bin_start.shape[1]
        lines.append(
            text(
                lang,
                "pool.mis.floor",
                cells=text(lang, "axis.cols" if n == "x" else "axis.rows"),
                size=int(a.size[0]),
                bins=P,
                each=int(a.size[0]) // P,
                dropped=int(a.size[0]) - P * (int(a.size[0]) // P),
            )
        )
    else:
        lines.append(text(lang, "pool.mis.floor_even"))
    lines.append(text(lang, "pool.mis.align"))
    lines.append(text(lang, "pool.mis.bins", w=fmt(widths["x"]), h=fmt(widths["y"])))  # the table
    return Step("pool.misalignment", text(lang, "pool.mis.title"), tuple(lines), (table,))


def _pool_check_step(lang: str, plan: PoolPlan, box: np.ndarray, scale: float, mis: dict[str, Any]) -> Step:
    PH, PW = plan.output_size
    lines = [
        text(lang, "check.pool", b=", ".join(fmt(v) for v in box), ph=PH, pw=PW, s=given(scale)),
        text(lang, "check.myths"),
    ]
    shared = _first_overlap(plan)
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
    half = next((e for e in mis["edges"] if abs(e["box"] - np.trunc(e["box"])) == 0.5), None)
    if half is not None:
        lines.append(
            text(lang, "myth.half", v=fmt(half["box"]), r=half["pooled"], even=int(np.round(half["box"])))
        )
    lines.append(text(lang, "myth.nodrop"))
    return Step("check", text(lang, "check.title"), tuple(lines))


def _first_overlap(plan: PoolPlan) -> tuple[str, int, int] | None:
    """(axis, cell, j): the first cell that bins j and j + 1 both read, if any."""
    for n, a in (("x", plan.x), ("y", plan.y)):
        for j in range(a.bin_start.shape[1] - 1):
            end, nxt = int(a.bin_end[0, j]), int(a.bin_start[0, j + 1])
            if nxt < end and int(a.bin_end[0, j + 1]) > nxt and end > int(a.bin_start[0, j]):
                return n, nxt, j
    return None


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
    lang : {"en", "ko"}
        Language of the step text.
    bin, convention, source
        As for :func:`roikit.explain_roi_align`: the bin worked out in full
        (the map is shown around its cells), the convention to name, and a
        line on where the map came from.

    Returns
    -------
    Trace
        Every step, with the numbers of the plan :func:`roikit.roi_pool` runs;
        ``trace.output`` equals ``roi_pool(...)[0, channel]``.

    Examples
    --------
    >>> import numpy as np
    >>> t = explain_roi_pool(np.arange(16.0).reshape(4, 4), (0.4, 0.6, 2.5, 2.5), 2)
    >>> t.output
    ((9.0, 11.0), (13.0, 15.0))
    >>> [s.key for s in t.steps][:3]
    ['input', 'pool.scale', 'pool.round']
    """
    lang = check_lang(lang)
    inp, c, boxes = prepare(feature, box, channel)
    check_scaled_box(boxes, spatial_scale, compute_dtype(inp.dtype))
    feat, _, plan = make_pool_plan(inp, boxes, output_size, spatial_scale)
    out = run_pool(plan, feat)[0, c]
    win = run_pool_winners(plan, feat)[0, c]
    img = feat[0, c]
    H, W = img.shape
    x, y = plan.x, plan.y
    PH, PW = plan.output_size
    s = given(np.float64(plan.dtype.type(spatial_scale)))

    focus = focus_bin(bin, plan.output_size)
    fy, fx = focus if focus is not None else (None, None)
    need = (_cells_pooled(y, fy), _cells_pooled(x, fx))
    extra = [] if convention is None else [convention_line(lang, convention)]
    steps = [
        input_step(
            lang, img, boxes[0], spatial_scale, plan.output_size, c, inp.shape[1], need, focus, extra, source
        )
    ]
    names = (
        ("x1", x, "scaled_start", "start"),
        ("y1", y, "scaled_start", "start"),
        ("x2", x, "scaled_end", "end"),
        ("y2", y, "scaled_end", "end"),
    )
    steps.append(
        Step(
            "pool.scale",
            text(lang, "pool.scale.title"),
            tuple(
                text(
                    lang,
                    "pool.scale.line",
                    name=n,
                    v=operand(boxes[0, 1 + i]),
                    s=s,
                    r=fmt(getattr(a, real)[0]),
                )
                for i, (n, a, real, _) in enumerate(names)
            ),
        )
    )
    round_lines = []
    for n, a, real, snapped in names:
        v = float(getattr(a, real)[0])
        r = int(getattr(a, snapped)[0])
        if abs(v - np.trunc(v)) == 0.5:
            round_lines.append(
                text(lang, "pool.round.half", name=n, real=fmt(v), rounded=r, even=int(np.round(v)))
            )
        else:
            round_lines.append(text(lang, "pool.round.line", name=n, real=fmt(v), rounded=r))
    steps.append(Step("pool.round", text(lang, "pool.round.title"), tuple(round_lines)))
    size_lines = []
    for a, axis_key in ((x, "axis.width"), (y, "axis.height")):
        raw = int(a.end[0] - a.start[0] + 1)
        key = "pool.size.line" if raw >= 1 else "pool.size.clamped"
        size_lines.append(
            text(
                lang,
                key,
                axis=text(lang, axis_key),
                end=int(a.end[0]),
                start=operand(a.start[0]),
                size=int(a.size[0]),
                raw=raw,
            )
        )
    steps.append(Step("pool.size", text(lang, "pool.size.title"), tuple(size_lines)))
    steps.append(
        Step(
            "pool.binsize",
            text(lang, "pool.binsize.title"),
            tuple(
                text(
                    lang,
                    "pool.binsize.line",
                    axis=text(lang, k),
                    size=int(a.size[0]),
                    bins=p,
                    b=fmt(a.bin_size[0]),
                )
                for a, k, p in ((x, "axis.width", PW), (y, "axis.height", PH))
            ),
        )
    )
    steps.append(
        Step(
            "pool.ranges",
            text(lang, "pool.ranges.title"),
            tuple(_ranges(lang, y, "y") + _ranges(lang, x, "x")),
        )
    )

    bins: list[dict[str, Any]] = []
    summary_rows: list[tuple[Any, ...]] = []
    summary_labels: list[str] = []
    for ph in range(PH):
        for pw in range(PW):
            r0, r1 = int(y.bin_start[0, ph]), int(y.bin_end[0, ph])
            c0, c1 = int(x.bin_start[0, pw]), int(x.bin_end[0, pw])
            cell = int(win[ph, pw])
            value = float(out[ph, pw])
            winner = None if cell < 0 else (cell // W, cell % W)
            # Every cell that holds the bin's max, in row-major order (the first one wins).
            ties = (
                [[int(r) + r0, int(q) + c0] for r, q in np.argwhere(img[r0:r1, c0:c1] == value)]
                if winner
                else []
            )
            bins.append(
                {
                    "ph": ph,
                    "pw": pw,
                    "rows": [r0, r1],
                    "cols": [c0, c1],
                    "winner": list(winner) if winner else None,
                    "value": value,
                    "ties": ties,
                }
            )
            label = f"({ph}, {pw})"
            summary_labels.append(label)
            summary_rows.append(
                (
                    f"{r0}…{r1 - 1}" if r1 > r0 else "—",
                    f"{c0}…{c1 - 1}" if c1 > c0 else "—",
                    f"({winner[0]}, {winner[1]})" if winner else "—",
                )
            )
            if r1 <= r0 or c1 <= c0:
                steps.append(
                    Step(
                        "pool.bin",
                        text(lang, "pool.bin.title_empty", ph=ph, pw=pw),
                        (text(lang, "pool.bin.empty"),),
                        bin=(ph, pw),
                    )
                )
                continue
            lines = [
                text(
                    lang,
                    "pool.bin.max",
                    v=fmt(value),
                    r=winner[0] if winner else "—",
                    c=winner[1] if winner else "—",
                )
            ]
            if len(ties) > 1:
                lines[0] += text(lang, "pool.bin.tie", n=len(ties))
            # A big bin is shown around its maximum.
            centre = np.array(winner if winner else (r0, c0), dtype=np.float64)
            rows = (
                range(r0, r1) if r1 - r0 <= MAX_TABLE else [r0 + i for i in window(r1 - r0, centre[:1] - r0)]
            )
            cols = (
                range(c0, c1) if c1 - c0 <= MAX_TABLE else [c0 + i for i in window(c1 - c0, centre[1:] - c0)]
            )
            if len(rows) < r1 - r0 or len(cols) < c1 - c0:
                lines.append(text(lang, "pool.bin.window", r0=rows[0], r1=rows[-1], c0=cols[0], c1=cols[-1]))
            shown = img[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
            hl = ((winner[0] - rows[0], winner[1] - cols[0]),) if winner else ()
            steps.append(
                Step(
                    "pool.bin",
                    text(lang, "pool.bin.title", ph=ph, pw=pw, r0=r0, r1=r1 - 1, c0=c0, c1=c1 - 1),
                    tuple(lines),
                    (
                        matrix_table(
                            text(lang, "pool.bin.table", ph=ph, pw=pw),
                            shown,
                            range(rows[0], rows[-1] + 1),
                            range(cols[0], cols[-1] + 1),
                            hl,
                        ),
                    ),
                    bin=(ph, pw),
                )
            )
    steps.append(summary_step(lang, summary_labels, text(lang, "pool.summary.cols"), summary_rows))
    steps.append(output_step(lang, out))
    mis = misalignment(x, y, spatial_scale)
    steps.append(_misalignment_step(lang, mis, x, y, spatial_scale))
    steps.append(_pool_check_step(lang, plan, boxes[0, 1:], spatial_scale, mis))

    data = {
        "x": _axis_data(x),
        "y": _axis_data(y),
        "bins": bins,
        "map_shape": [H, W],
        "misalignment": mis,
        "focus": list(focus) if focus else None,
    }
    params = {
        "box": [float(v) for v in boxes[0, 1:]],
        "spatial_scale": spatial_scale,
        "output_size": list(plan.output_size),
        "channel": c,
        "dtype": str(plan.dtype),
    }
    return Trace("roi_pool", lang, params, as_rows(img), as_rows(out), tuple(steps), data)


def _axis_data(a: PoolAxis) -> dict[str, Any]:
    return {
        "scaled_start": float(a.scaled_start[0]),
        "scaled_end": float(a.scaled_end[0]),
        "start": int(a.start[0]),
        "end": int(a.end[0]),
        "size": int(a.size[0]),
        "bin_size": float(a.bin_size[0]),
        "bin_start_raw": [int(v) for v in a.bin_start_raw[0]],
        "bin_end_raw": [int(v) for v in a.bin_end_raw[0]],
        "bin_start": [int(v) for v in a.bin_start[0]],
        "bin_end": [int(v) for v in a.bin_end[0]],
    }
