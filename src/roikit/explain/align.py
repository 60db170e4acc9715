"""RoI Align worked out by hand, from the plan the op executes."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..budget import check_trace_points
from ..ops import make_align_plan, run_align, run_align_winners
from ..plan import AlignAxis
from .common import fmt
from .lang import check_lang, text
from .pool import _rows, input_step, output_step, prepare, summary_step
from .trace import Step, Table, Trace

__all__ = ["explain_roi_align"]

#: Above this many points per bin the average is written as a sum, not term by term.
_MAX_TERMS = 16
#: Points of a bin written out in full (the winner is always written out).
MAX_SHOWN = 16


def _axis_samples(a: AlignAxis, p: int) -> list[dict[str, Any]]:
    """Return the stored samples of bin ``p`` (box 0) on one axis, as plain numbers."""
    sl = a.samples(0, p)
    return [
        {"i": int(a.sample_index[j]), "coord": a.coord[j], "inside": bool(a.inside[j]),
         "low": int(a.low[j]), "high": int(a.high[j]), "w_low": a.w_low[j],
         "w_high": a.w_high[j], "flat": j}
        for j in range(sl.start, sl.stop)
    ]  # fmt: skip


def _clamp_notes(lang: str, s: dict[str, Any], name: str, extent: int) -> list[str]:
    what = text(lang, "axis.row" if name == "y" else "axis.col")
    if not s["inside"]:
        return []
    if s["coord"] < 0:
        return [text(lang, "align.bin.clamp_low", c=name, v=fmt(s["coord"]), what=what)]
    if s["low"] == s["high"]:
        return [text(lang, "align.bin.clamp_high", c=name, v=fmt(s["coord"]), last=extent - 1,
                     what=what)]  # fmt: skip
    return []


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
    from .._validate import check_mode

    lang = check_lang(lang)
    mode = check_mode(mode)
    inp, c, boxes = prepare(feature, box, channel)
    feat, _, plan = make_align_plan(inp, boxes, output_size, spatial_scale, sampling_ratio,
                                    aligned)  # fmt: skip
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
    s = fmt(np.float64(plan.dtype.type(spatial_scale)))

    steps = [input_step(lang, img, boxes[0], spatial_scale, plan.output_size, c, inp.shape[1])]
    minus = " − 0.5" if aligned else ""
    scale_lines = [text(lang, "align.scale.offset" if aligned else "align.scale.legacy")]
    for i, (n, a, attr) in enumerate((("x1", x, "start"), ("y1", y, "start"),
                                      ("x2", x, "end"), ("y2", y, "end"))):  # fmt: skip
        scale_lines.append(text(lang, "align.scale.line", name=n, v=fmt(boxes[0, 1 + i]), s=s,
                                minus=minus, r=fmt(getattr(a, attr)[0])))  # fmt: skip
    steps.append(Step("align.scale", text(lang, "align.scale.title"), tuple(scale_lines)))

    size_lines = []
    for a, key in ((x, "axis.width"), (y, "axis.height")):
        raw = a.end[0] - a.start[0]
        common = dict(axis=text(lang, key), end=fmt(a.end[0]), start=fmt(a.start[0]))
        if raw != a.size[0]:
            size_lines.append(text(lang, "align.size.raised", raw=fmt(raw), **common))
        else:
            size_lines.append(text(lang, "align.size.line", size=fmt(a.size[0]), **common))
    for a, key, p in ((x, "axis.width", PW), (y, "axis.height", PH)):
        size_lines.append(text(lang, "align.size.bin", axis=text(lang, key), size=fmt(a.size[0]),
                               bins=p, b=fmt(a.bin_size[0])))  # fmt: skip
    steps.append(Step("align.size", text(lang, "align.size.title"), tuple(size_lines)))

    if plan.sampling_ratio > 0:
        grid_lines = [text(lang, "align.grid.fixed", sr=plan.sampling_ratio, gh=fmt(gh),
                           gw=fmt(gw))]  # fmt: skip
    else:
        grid_lines = [text(lang, "align.grid.adaptive", ph=PH, pw=PW,
                           h=fmt(y.size[0] / plan.dtype.type(PH)), gh=fmt(gh),
                           w=fmt(x.size[0] / plan.dtype.type(PW)), gw=fmt(gw))]  # fmt: skip
    has = bool(plan.has_samples[0])
    grid_lines.append(text(lang, "align.grid.count", gh=fmt(gh), gw=fmt(gw),
                           n=fmt(plan.count[0])) if has
                      else text(lang, "align.grid.none", gh=fmt(gh), gw=fmt(gw)))  # fmt: skip
    steps.append(Step("align.grid", text(lang, "align.grid.title"), tuple(grid_lines)))

    samples = {"y": [_axis_samples(y, p) for p in range(PH)],
               "x": [_axis_samples(x, p) for p in range(PW)]}  # fmt: skip
    if has:
        coord_lines = []
        for name, a, grid, bins, key in (("y", y, gh, PH, "axis.row"), ("x", x, gw, PW, "axis.col")):
            coord_lines.append(text(lang, "align.coords.formula", c=name, start=fmt(a.start[0]),
                                    b=fmt(a.bin_size[0]), g=fmt(grid)))  # fmt: skip
            for p in range(bins):
                pts = samples[name][p]
                vals = ", ".join(fmt(q["coord"]) for q in pts)
                if len(pts) < grid:
                    vals += text(lang, "align.coords.more", n=fmt(grid), m=len(pts))
                coord_lines.append(text(lang, "align.coords.line", axis=text(lang, key), p=p,
                                        c=name, values=vals))  # fmt: skip
        steps.append(Step("align.coords", text(lang, "align.coords.title"), tuple(coord_lines)))

    bins_data, summary_rows, labels = [], [], []
    cols = tuple(text(lang, "align.bin.cols").split("|"))
    for ph in range(PH):
        for pw in range(PW):
            value = float(out[ph, pw])
            labels.append(f"({ph}, {pw})")
            if not has:
                steps.append(Step("align.bin", text(lang, "align.bin.title", ph=ph, pw=pw),
                                  (text(lang, "align.bin.nosamples"),), bin=(ph, pw)))  # fmt: skip
                bins_data.append({"ph": ph, "pw": pw, "value": value, "points": [],
                                  "winner": None})  # fmt: skip
                summary_rows.append((value, "—"))
                continue
            points: list[dict[str, Any]] = []
            rows: list[tuple[Any, ...]] = []
            lines: list[str] = []
            notes: list[str] = []
            labels_shown: list[int] = []
            winner_flat = None
            if win_y[ph, pw] >= 0:
                winner_flat = (int(win_y[ph, pw]), int(win_x[ph, pw]))
            win_row = None
            for sy in samples["y"][ph]:
                for sx in samples["x"][pw]:
                    num = len(points) + 1
                    inside = sy["inside"] and sx["inside"]
                    pt = {"iy": sy["i"], "ix": sx["i"], "y": float(sy["coord"]),
                          "x": float(sx["coord"]), "inside": inside}  # fmt: skip
                    if (sy["flat"], sx["flat"]) == winner_flat:
                        win_row = num - 1
                    shown = num <= MAX_SHOWN or (sy["flat"], sx["flat"]) == winner_flat
                    if not inside:
                        pt["value"] = 0.0
                        if shown:
                            labels_shown.append(num)
                            rows.append((pt["y"], pt["x"], text(lang, "align.bin.outside", h=H,
                                                                w=W), "—", 0.0))  # fmt: skip
                            lines.append(text(lang, "align.bin.arith_out", n=num, y=fmt(pt["y"]),
                                              x=fmt(pt["x"]), h=H, w=W))  # fmt: skip
                    else:
                        hy, ly, hx, lx = sy["w_low"], sy["w_high"], sx["w_low"], sx["w_high"]
                        # The kernel's products and sum, in the plan's dtype and order.
                        ws = (hy * hx, hy * lx, ly * hx, ly * lx)
                        cells = ((sy["low"], sx["low"]), (sy["low"], sx["high"]),
                                 (sy["high"], sx["low"]), (sy["high"], sx["high"]))  # fmt: skip
                        vs = tuple(img[r, q] for r, q in cells)
                        v = ws[0] * vs[0] + ws[1] * vs[1] + ws[2] * vs[2] + ws[3] * vs[3]
                        pt.update(value=float(v), cells=[list(cq) for cq in cells],
                                  cell_values=[float(q) for q in vs],
                                  weights=[float(w) for w in ws])  # fmt: skip
                        if shown:
                            labels_shown.append(num)
                            rows.append((pt["y"], pt["x"],
                                         ", ".join(f"({r},{q})={fmt(val)}" for (r, q), val in
                                                   zip(cells, vs, strict=True)),
                                         ", ".join(fmt(w) for w in ws), float(v)))  # fmt: skip
                            expr = " + ".join(f"{fmt(w)}×{fmt(val)}"
                                              for w, val in zip(ws, vs, strict=True))  # fmt: skip
                            lines.append(text(lang, "align.bin.arith", n=num, y=fmt(pt["y"]),
                                              x=fmt(pt["x"]), expr=expr, v=fmt(v)))  # fmt: skip
                            notes += (_clamp_notes(lang, sy, "y", H)
                                      + _clamp_notes(lang, sx, "x", W))  # fmt: skip
                    points.append(pt)
            count = fmt(plan.count[0])
            if mode == "max":
                if win_y[ph, pw] == -1:
                    agg = text(lang, "align.bin.max_zero", n=count)
                    summary_rows.append((value, text(lang, "align.summary.outside")))
                elif win_row is None:
                    agg = text(lang, "align.bin.max_none", v=fmt(value))
                    summary_rows.append((value, "—"))
                else:
                    agg = text(lang, "align.bin.max", n=count, v=fmt(value), k=win_row + 1)
                    summary_rows.append((value, text(lang, "align.bin.point", n=win_row + 1)))
            else:
                on_map = [p["value"] for p in points if p["inside"]]
                if len(points) <= _MAX_TERMS and len(points) == plan.count[0]:
                    terms = " + ".join(fmt(p["value"]) for p in points)
                    agg = text(lang, "align.bin.avg", terms=terms, n=count, v=fmt(value))
                else:
                    agg = text(lang, "align.bin.avg_long", k=len(on_map), n=count, v=fmt(value))
                summary_rows.append((value, "—"))
            if len(labels_shown) < len(points):
                lines.append(text(lang, "align.bin.more", n=len(points) - len(labels_shown),
                                  count=count))  # fmt: skip
            hl = (((labels_shown.index(win_row + 1), len(cols) - 1),)
                  if win_row is not None and win_row + 1 in labels_shown else ())  # fmt: skip
            table = Table(text(lang, "align.bin.table", ph=ph, pw=pw),
                          tuple(text(lang, "align.bin.point", n=i) for i in labels_shown),
                          cols, tuple(rows), hl)  # fmt: skip
            steps.append(Step("align.bin", text(lang, "align.bin.title", ph=ph, pw=pw),
                              tuple(lines + list(dict.fromkeys(notes)) + [agg]), (table,),
                              bin=(ph, pw)))  # fmt: skip
            bins_data.append({"ph": ph, "pw": pw, "value": value, "points": points,
                              "winner": win_row})  # fmt: skip
    steps.append(summary_step(lang, labels, text(lang, "align.summary.cols"), summary_rows))
    steps.append(output_step(lang, out))

    data = {
        "map_shape": [H, W],
        "x": _axis_data(x), "y": _axis_data(y),
        "count": float(plan.count[0]), "bins": bins_data,
    }  # fmt: skip
    params = {"box": [float(v) for v in boxes[0, 1:]], "spatial_scale": spatial_scale,
              "output_size": list(plan.output_size), "sampling_ratio": plan.sampling_ratio,
              "aligned": plan.aligned, "mode": mode, "channel": c, "dtype": str(plan.dtype)}  # fmt: skip
    return Trace("roi_align", lang, params, _rows(img), _rows(out), tuple(steps), data)


def _axis_data(a: AlignAxis) -> dict[str, Any]:
    return {"start": float(a.start[0]), "end": float(a.end[0]), "size": float(a.size[0]),
            "bin_size": float(a.bin_size[0]), "grid": float(a.grid[0])}  # fmt: skip
