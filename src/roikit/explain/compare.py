"""RoI Pool and RoI Align side by side, from two traces of the same box."""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from .common import fmt
from .lang import text
from .trace import Step, Table, Trace

__all__ = ["compare"]


def compare(pool: Trace, align: Trace) -> Trace:
    """Put the outputs of a RoI Pool trace and a RoI Align trace side by side.

    Examples
    --------
    >>> import numpy as np
    >>> from roikit import explain_roi_align, explain_roi_pool
    >>> m = np.arange(16.0).reshape(4, 4)
    >>> t = compare(explain_roi_pool(m, (0.5, 0.5, 2.5, 2.5), 2),
    ...             explain_roi_align(m, (0.5, 0.5, 2.5, 2.5), 2, mode="avg"))
    >>> t.data["difference"]
    [[-5.0, -5.0], [-5.0, -5.0]]
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
    cols = (text(lang, "cmp.pool"), text(lang, "cmp.align", mode=text(lang, f"mode.{mode}")),
            text(lang, "cmp.diff"))  # fmt: skip
    px, py, ax, ay = pool.data["x"], pool.data["y"], align.data["x"], align.data["y"]
    worst = np.unravel_index(int(np.argmax(np.abs(diff))), diff.shape)
    lines = (
        text(lang, "cmp.line1", xs=px["start"], xe=px["end"], ys=py["start"], ye=py["end"]),
        text(lang, "cmp.line2", x1=fmt(ax["start"]), x2=fmt(ax["end"]), y1=fmt(ay["start"]),
             y2=fmt(ay["end"]), bw=fmt(ax["bin_size"]), bh=fmt(ay["bin_size"]),
             n=fmt(align.data["count"])),
        text(lang, "cmp.line3", d=fmt(diff[worst]), ph=int(worst[0]), pw=int(worst[1])),
    )  # fmt: skip
    step = Step("compare", text(lang, "cmp.title"), lines,
                (Table(text(lang, "cmp.title"), tuple(labels), cols, tuple(rows)),))  # fmt: skip
    return Trace("compare", lang, {"pool": pool.params, "align": align.params}, pool.feature,
                 align.output, (step,),
                 {"pool": pool.output, "align": align.output, "difference": diff.tolist()})  # fmt: skip
