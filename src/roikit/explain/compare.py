"""RoI Pool and RoI Align side by side, from two traces of the same box."""

from __future__ import annotations

import warnings

import numpy as np

from ..errors import ParameterError
from ..i18n import text
from ..i18n.numbers import DIGITS, fmt, given, num
from ..ops.roi_align import roi_align
from .trace import CompareData, ModesData, Note, Step, Table, Trace, align_data, pool_data

__all__ = ["compare", "compare_modes", "compare_pool_align"]


def compare_pool_align(pool: Trace, align: Trace) -> Trace:
    """Put the outputs of a RoI Pool trace and a RoI Align trace side by side.

    (``roikit compare`` on the command line is another thing: one box through
    every library's convention, :func:`roikit.compare_conventions`.)

    Examples
    --------
    >>> import numpy as np
    >>> from roikit import explain_roi_align, explain_roi_pool
    >>> m = np.arange(16.0).reshape(4, 4)
    >>> t = compare_pool_align(explain_roi_pool(m, (0.5, 0.5, 2.5, 2.5), 2),
    ...             explain_roi_align(m, (0.5, 0.5, 2.5, 2.5), 2, mode="avg"))
    >>> t.data.difference
    ((-5.0, -5.0), (-5.0, -5.0))
    """
    for name, trace, op in (("pool", pool, "roi_pool"), ("align", align, "roi_align")):
        if not isinstance(trace, Trace) or trace.op != op:
            raise ParameterError(
                f"{name} must be the Trace of roikit.explain_{op}; got {type(trace).__name__}"
            )
    if len(pool.output) != len(align.output) or len(pool.output[0]) != len(align.output[0]):
        raise ParameterError("pool and align must have the same output size to be compared")
    lang = align.lang
    p, a = np.array(pool.output), np.array(align.output)
    diff = a - p
    mode = align.params["mode"]
    labels, rows = [], []
    for ph in range(p.shape[0]):
        for pw in range(p.shape[1]):
            labels.append(f"({ph}, {pw})")
            rows.append((float(p[ph, pw]), float(a[ph, pw]), float(diff[ph, pw])))
    cols = (
        text(lang, "cmp.pool"),
        text(lang, "cmp.align", mode=text(lang, f"mode.{mode}")),
        text(lang, "cmp.diff"),
    )
    pd, ad = pool_data(pool), align_data(align)
    px, py, ax, ay = pd.x, pd.y, ad.x, ad.y
    worst = np.unravel_index(int(np.argmax(np.abs(diff))), diff.shape)  # the largest in size
    lines = (
        text(lang, "cmp.line1", xs=px.start, xe=px.end, ys=py.start, ye=py.end),
        text(
            lang,
            "cmp.line2",
            x1=num(ax.start).text,
            x2=num(ax.end).text,
            y1=num(ay.start).text,
            y2=num(ay.end).text,
            bw=num(ax.bin_size).text,
            bh=num(ay.bin_size).text,
            n=fmt(ad.count),
        ),
        text(lang, "cmp.line3", d=num(diff[worst]).text, ph=int(worst[0]), pw=int(worst[1])),
        text(lang, "cmp.line4", command="roikit explore"),
    )
    step = Step(
        "compare",
        text(lang, "cmp.title"),
        lines,
        # the bin-by-bin table repeats the two outputs above it: a handout leaves it out
        (Table(text(lang, "cmp.table"), tuple(labels), cols, tuple(rows), note=True),),
    )
    return Trace(
        "compare",
        lang,
        {"pool": pool.params, "align": align.params},
        pool.feature,
        align.output,
        (step,),
        CompareData(pool.output, align.output, tuple(tuple(float(v) for v in r) for r in diff)),
    )


def compare(pool: Trace, align: Trace) -> Trace:
    """Deprecated name of :func:`compare_pool_align` (it read as the conventions' comparison)."""
    warnings.warn(
        "roikit.compare is now roikit.compare_pool_align (roikit.compare_conventions compares the "
        "conventions); the old name will be removed",
        DeprecationWarning,
        stacklevel=2,
    )
    return compare_pool_align(pool, align)


def _average_calls(avg: Trace) -> list[str]:
    """The library calls that give the averages, and what torchvision's defaults give instead."""
    p, lang = avg.params, avg.lang
    PH, PW = p["output_size"]
    sr, aligned = p["sampling_ratio"], p["aligned"]
    common = dict(
        ph=PH, pw=PW, s=given(p["spatial_scale"]), sr=sr, a=aligned, b=", ".join(given(v) for v in p["box"])
    )
    ctm = "half_pixel" if aligned else "output_half_pixel"
    lines = [
        text(lang, "modes.calls", **common),
        Note(text(lang, "check.align.onnx", sr0=max(sr, 0), ctm=ctm)),
    ]
    if sr > 0:
        m = np.array(avg.feature, dtype=np.dtype(p.get("dtype", "float64")))
        box = np.array([[0.0, *p["box"]]], m.dtype)
        out = roi_align(m[None, None], box, (PH, PW), p["spatial_scale"], -1, aligned, "avg")[0, 0]
        written = [[num(v, m.dtype) for v in row] for row in out]
        values = "; ".join(", ".join(w.text for w in row) for row in written)
        if not all(w.exact for row in written for w in row):
            values += text(lang, "numbers.rounded", digits=DIGITS)
        lines.append(Note(text(lang, "check.align.defaults", values=values)))
    return lines


def compare_modes(max_trace: Trace, avg_trace: Trace) -> Trace:
    """The two aggregations of one RoI Align walkthrough, side by side.

    Steps 1 to 4 and the points of every bin are the same in both traces; this
    trace shows only what differs: each bin's aggregation line (as written in
    the two traces) and the two outputs.

    Examples
    --------
    >>> import numpy as np
    >>> from roikit import explain_roi_align
    >>> m, box = np.arange(16.0).reshape(4, 4), (0.5, 0.5, 2.5, 2.5)
    >>> t = compare_modes(explain_roi_align(m, box, 1), explain_roi_align(m, box, 1, mode="avg"))
    >>> t.output  # bin (0, 0): max 10 of the points 5, 6, 9, 10; their average 7.5
    ((10.0, 7.5),)
    """
    for name, trace, mode in (("max_trace", max_trace, "max"), ("avg_trace", avg_trace, "avg")):
        if not isinstance(trace, Trace) or trace.op != "roi_align" or trace.params["mode"] != mode:
            raise ParameterError(f"{name} must be a RoI Align trace in mode {mode!r}")
    same = ("box", "spatial_scale", "output_size", "sampling_ratio", "aligned", "channel")
    if (
        any(max_trace.params[k] != avg_trace.params[k] for k in same)
        or max_trace.feature != avg_trace.feature
    ):
        raise ParameterError("max_trace and avg_trace must explain the same map, box and settings")
    lang = max_trace.lang
    lines = [text(lang, "modes.line")]
    labels, rows = [], []
    for bm, ba in zip(align_data(max_trace).bins, align_data(avg_trace).bins, strict=True):
        labels.append(f"({bm.ph}, {bm.pw})")
        rows.append((bm.value, ba.value))
        if ba.aggregation is not None:  # the max lines are in the max walkthrough already
            lines.append(text(lang, "modes.bin", ph=ba.ph, pw=ba.pw, agg=ba.aggregation))
    lines += _average_calls(avg_trace)
    cols = (text(lang, "mode.max"), text(lang, "mode.avg"))
    step = Step(
        "modes",
        text(lang, "modes.title"),
        tuple(lines),
        (Table(text(lang, "modes.table"), tuple(labels), cols, tuple(rows), note=True),),  # repeats the lines
    )
    out = tuple(tuple(r) for r in rows)
    return Trace(
        "modes",
        lang,
        {"max": max_trace.params, "avg": avg_trace.params},
        max_trace.feature,
        out,
        (step,),
        ModesData(max_trace.output, avg_trace.output),
    )
