"""RoI Pool worked out by hand, from the plan the op executes."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..ops import make_pool_plan, run_pool, run_pool_winners
from ..plan import PoolAxis
from .common import feature_map, fmt, one_box
from .lang import check_lang, text
from .trace import Step, Table, Trace

__all__ = ["explain_roi_pool"]


def prepare(feature: Any, box: Any, channel: int | None) -> tuple[np.ndarray, int, np.ndarray]:
    """Return the (1, C, H, W) float input, the channel, and the (1, 5) box."""
    inp, c = feature_map(feature, channel)
    if inp.dtype.kind in "iub":  # learners type integer maps; explain them in float64
        inp = inp.astype(np.float64)
    return inp, c, one_box(box, inp.dtype)


def input_step(lang: str, img: np.ndarray, box: Any, scale: float, size: tuple[int, int],
               channel: int, channels: int) -> Step:  # fmt: skip
    """The opening step: the map, the box and the parameters."""
    h, w = img.shape
    ch = text(lang, "input.channel", c=channel) if channels > 1 else ""
    coords = np.asarray(box, np.float64).ravel()[-4:]
    x1, y1, x2, y2 = (fmt(v) for v in coords)
    lines = [text(lang, "input.map", h=h, w=w, channel=ch),
             text(lang, "input.box", x1=x1, y1=y1, x2=x2, y2=y2, s=fmt(scale), ph=size[0],
                  pw=size[1])]  # fmt: skip
    # A big map is shown around the box only, so the walkthrough stays readable.
    with np.errstate(over="ignore", invalid="ignore"):
        rows = window(h, coords[[1, 3]] * scale)
        cols = window(w, coords[[0, 2]] * scale)
    if len(rows) < h or len(cols) < w:
        lines.append(text(lang, "input.window", r0=rows[0], r1=rows[-1], c0=cols[0], c1=cols[-1]))
    table = matrix_table(text(lang, "input.table"), img[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1],
                         rows, cols)  # fmt: skip
    return Step("input", text(lang, "input.title"), tuple(lines), (table,))


#: Tables show at most this many rows and columns.
MAX_TABLE = 16


def window(extent: int, around: np.ndarray, cap: int = MAX_TABLE) -> range:
    """At most ``cap`` consecutive indices of ``range(extent)``, covering ``around`` if they can."""
    if extent <= cap:
        return range(extent)
    finite = around[np.isfinite(around)]
    lo = int(np.clip(np.floor(finite.min()) - 1, 0, extent - 1)) if finite.size else 0
    hi = int(np.clip(np.ceil(finite.max()) + 1, 0, extent - 1)) if finite.size else 0
    start = lo if hi - lo + 1 <= cap else int(np.clip((lo + hi) // 2 - cap // 2, 0, extent - cap))
    start = min(start, extent - cap)
    return range(start, start + cap)


def matrix_table(title: str, m: np.ndarray, rows: Any = None, cols: Any = None,
                 highlight: tuple[tuple[int, int], ...] = ()) -> Table:  # fmt: skip
    """A table of ``m`` with row/column numbers as labels (ranges give the real indices)."""
    rows = rows if rows is not None else range(m.shape[0])
    cols = cols if cols is not None else range(m.shape[1])
    return Table(
        title,
        tuple(str(r) for r in rows),
        tuple(str(c) for c in cols),
        tuple(tuple(float(v) for v in row) for row in m),
        highlight,
    )


def _ranges(lang: str, axis: PoolAxis, name: str) -> list[str]:
    cells = text(lang, "axis.rows" if name == "y" else "axis.cols")
    label = text(lang, "axis.row" if name == "y" else "axis.col")
    start = int(axis.start[0])
    b = fmt(axis.bin_size[0])
    lines = []
    for i in range(axis.bin_start.shape[1]):
        lo, hi = int(axis.bin_start_raw[0, i]), int(axis.bin_end_raw[0, i])
        clo, chi = int(axis.bin_start[0, i]), int(axis.bin_end[0, i])
        common = dict(axis=label, i=i, i1=i + 1, b=b, start=start, lo=lo, hi=hi)
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


def snapped_extent(axis: PoolAxis) -> tuple[float, float]:
    """The region RoI Pool's cells cover on one axis: cell i is centred at i."""
    lo = float(axis.start[0]) - 0.5
    return lo, lo + float(axis.size[0])


def _misalignment(lang: str, x: PoolAxis, y: PoolAxis) -> Step:
    # round() picks the nearest cell centre, so cell i covers [i - 0.5, i + 0.5).
    sides = []
    for axis, (lo_side, hi_side) in ((x, ("side.left", "side.right")),
                                     (y, ("side.top", "side.bottom"))):  # fmt: skip
        real_lo, real_hi = float(axis.scaled_start[0]), float(axis.scaled_end[0])
        snap_lo, snap_hi = snapped_extent(axis)
        for side, real, snap, grows in ((lo_side, real_lo, snap_lo, -1),
                                        (hi_side, real_hi, snap_hi, 1)):  # fmt: skip
            shift = snap - real
            shift_text = fmt(shift) if shift <= 0 else "+" + fmt(shift)
            effect = ("pool.mis.same" if shift == 0
                      else "pool.mis.gain" if shift * grows > 0 else "pool.mis.lose")  # fmt: skip
            sides.append(text(lang, "pool.mis.side", side=text(lang, side), real=fmt(real),
                              snapped=fmt(snap), shift=shift_text,
                              effect=text(lang, effect)))  # fmt: skip
    lens = []
    for axis in (x, y):
        real_lo, real_hi = float(axis.scaled_start[0]), float(axis.scaled_end[0])
        snap_lo, snap_hi = snapped_extent(axis)
        lens.append((max(real_hi - real_lo, 0.0), snap_hi - snap_lo,
                     max(min(real_hi, snap_hi) - max(real_lo, snap_lo), 0.0)))  # fmt: skip
    area = lens[0][0] * lens[1][0]
    snapped = lens[0][1] * lens[1][1]
    inter = lens[0][2] * lens[1][2]
    intro = text(lang, "pool.mis.intro", x1=fmt(x.scaled_start[0]), x2=fmt(x.scaled_end[0]),
                 y1=fmt(y.scaled_start[0]), y2=fmt(y.scaled_end[0]), xs=int(x.start[0]),
                 xe=int(x.end[0]), ys=int(y.start[0]), ye=int(y.end[0]),
                 sx1=fmt(snapped_extent(x)[0]), sx2=fmt(snapped_extent(x)[1]),
                 sy1=fmt(snapped_extent(y)[0]), sy2=fmt(snapped_extent(y)[1]))  # fmt: skip
    area_line = text(lang, "pool.mis.area", a=fmt(area), b=fmt(snapped), lost=fmt(area - inter),
                     gained=fmt(snapped - inter))  # fmt: skip
    return Step("pool.misalignment", text(lang, "pool.mis.title"), (intro, *sides, area_line))


def explain_roi_pool(
    feature: Any,
    box: Any,
    output_size: int | tuple[int, int],
    spatial_scale: float = 1.0,
    *,
    channel: int | None = None,
    lang: str = "en",
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
    feat, _, plan = make_pool_plan(inp, boxes, output_size, spatial_scale)
    out = run_pool(plan, feat)[0, c]
    win = run_pool_winners(plan, feat)[0, c]
    img = feat[0, c]
    H, W = img.shape
    x, y = plan.x, plan.y
    PH, PW = plan.output_size
    s = fmt(np.float64(plan.dtype.type(spatial_scale)))

    steps = [input_step(lang, img, boxes[0], spatial_scale, plan.output_size, c, inp.shape[1])]
    names = (("x1", x, "scaled_start", "start"), ("y1", y, "scaled_start", "start"),
             ("x2", x, "scaled_end", "end"), ("y2", y, "scaled_end", "end"))  # fmt: skip
    steps.append(Step("pool.scale", text(lang, "pool.scale.title"), tuple(
        text(lang, "pool.scale.line", name=n, v=fmt(boxes[0, 1 + i]), s=s,
             r=fmt(getattr(a, real)[0]))
        for i, (n, a, real, _) in enumerate(names))))  # fmt: skip
    round_lines = []
    for n, a, real, snapped in names:
        v = float(getattr(a, real)[0])
        r = int(getattr(a, snapped)[0])
        if abs(v - np.trunc(v)) == 0.5:
            round_lines.append(text(lang, "pool.round.half", name=n, real=fmt(v), rounded=r,
                                    even=int(np.round(v))))  # fmt: skip
        else:
            round_lines.append(text(lang, "pool.round.line", name=n, real=fmt(v), rounded=r))
    steps.append(Step("pool.round", text(lang, "pool.round.title"), tuple(round_lines)))
    size_lines = []
    for a, axis_key in ((x, "axis.width"), (y, "axis.height")):
        raw = int(a.end[0] - a.start[0] + 1)
        key = "pool.size.line" if raw >= 1 else "pool.size.clamped"
        size_lines.append(text(lang, key, axis=text(lang, axis_key), end=int(a.end[0]),
                               start=int(a.start[0]), size=int(a.size[0]), raw=raw))  # fmt: skip
    steps.append(Step("pool.size", text(lang, "pool.size.title"), tuple(size_lines)))
    steps.append(Step("pool.binsize", text(lang, "pool.binsize.title"), tuple(
        text(lang, "pool.binsize.line", axis=text(lang, k), size=int(a.size[0]), bins=p,
             b=fmt(a.bin_size[0]))
        for a, k, p in ((x, "axis.width", PW), (y, "axis.height", PH)))))  # fmt: skip
    steps.append(Step("pool.ranges", text(lang, "pool.ranges.title"),
                      tuple(_ranges(lang, y, "y") + _ranges(lang, x, "x"))))  # fmt: skip

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
            bins.append({"ph": ph, "pw": pw, "rows": [r0, r1], "cols": [c0, c1],
                         "winner": list(winner) if winner else None, "value": value})  # fmt: skip
            label = f"({ph}, {pw})"
            summary_labels.append(label)
            summary_rows.append((f"{r0}…{r1 - 1}" if r1 > r0 else "—",
                                 f"{c0}…{c1 - 1}" if c1 > c0 else "—", value,
                                 f"({winner[0]}, {winner[1]})" if winner else "—"))  # fmt: skip
            if r1 <= r0 or c1 <= c0:
                steps.append(Step("pool.bin", text(lang, "pool.bin.title_empty", ph=ph, pw=pw),
                                  (text(lang, "pool.bin.empty"),), bin=(ph, pw)))  # fmt: skip
                continue
            block = img[r0:r1, c0:c1]
            lines = [text(lang, "pool.bin.max", v=fmt(value), r=winner[0] if winner else "—",
                          c=winner[1] if winner else "—")]  # fmt: skip
            ties = int(np.sum(block == value))
            if ties > 1:
                lines[0] += text(lang, "pool.bin.tie", n=ties)
            # A big bin is shown around its maximum.
            centre = np.array(winner if winner else (r0, c0), dtype=np.float64)
            rows = range(r0, r1) if r1 - r0 <= MAX_TABLE else [r0 + i for i in window(
                r1 - r0, centre[:1] - r0)]  # fmt: skip
            cols = range(c0, c1) if c1 - c0 <= MAX_TABLE else [c0 + i for i in window(
                c1 - c0, centre[1:] - c0)]  # fmt: skip
            if len(rows) < r1 - r0 or len(cols) < c1 - c0:
                lines.append(text(lang, "pool.bin.window", r0=rows[0], r1=rows[-1], c0=cols[0],
                                  c1=cols[-1]))  # fmt: skip
            shown = img[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
            hl = ((winner[0] - rows[0], winner[1] - cols[0]),) if winner else ()
            steps.append(Step(
                "pool.bin",
                text(lang, "pool.bin.title", ph=ph, pw=pw, r0=r0, r1=r1 - 1, c0=c0, c1=c1 - 1),
                tuple(lines),
                (matrix_table(text(lang, "pool.bin.table", ph=ph, pw=pw), shown,
                              range(rows[0], rows[-1] + 1), range(cols[0], cols[-1] + 1), hl),),
                bin=(ph, pw),
            ))  # fmt: skip
    steps.append(summary_step(lang, summary_labels, text(lang, "pool.summary.cols"), summary_rows))
    steps.append(output_step(lang, out))
    steps.append(_misalignment(lang, x, y))

    data = {
        "x": _axis_data(x), "y": _axis_data(y), "bins": bins, "map_shape": [H, W],
    }  # fmt: skip
    params = {"box": [float(v) for v in boxes[0, 1:]], "spatial_scale": spatial_scale,
              "output_size": list(plan.output_size), "channel": c, "dtype": str(plan.dtype)}  # fmt: skip
    return Trace("roi_pool", lang, params, _rows(img), _rows(out), tuple(steps), data)


def summary_step(lang: str, labels: list[str], cols: str, rows: list[tuple[Any, ...]]) -> Step:
    """The compact per-bin table shown when bins are collapsed."""
    table = Table(text(lang, "align.summary.table"), tuple(labels), tuple(cols.split("|")),
                  tuple(tuple(r) for r in rows))  # fmt: skip
    return Step("summary", text(lang, "align.summary.title"), (), (table,))


def output_step(lang: str, out: np.ndarray) -> Step:
    """The output matrix."""
    return Step("output", text(lang, "output.title"),
                (text(lang, "output.line", ph=out.shape[0], pw=out.shape[1]),),
                (matrix_table(text(lang, "output.table"), out),))  # fmt: skip


def _rows(m: np.ndarray) -> tuple[tuple[float, ...], ...]:
    return tuple(tuple(float(v) for v in row) for row in m)


def _axis_data(a: PoolAxis) -> dict[str, Any]:
    return {
        "scaled_start": float(a.scaled_start[0]), "scaled_end": float(a.scaled_end[0]),
        "start": int(a.start[0]), "end": int(a.end[0]), "size": int(a.size[0]),
        "bin_size": float(a.bin_size[0]),
        "bin_start_raw": [int(v) for v in a.bin_start_raw[0]],
        "bin_end_raw": [int(v) for v in a.bin_end_raw[0]],
        "bin_start": [int(v) for v in a.bin_start[0]], "bin_end": [int(v) for v in a.bin_end[0]],
    }  # fmt: skip
