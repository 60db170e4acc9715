"""The backward pass worked out by hand: where each output bin's gradient goes.

RoI Pool routes a bin's whole gradient to the single cell that won its max
(the first on ties, as torchvision). RoI Align spreads it bilinearly: in
average mode every sampling point sends ``g · w / count`` to each of its four
neighbours; in max mode only the winning point sends ``g · w``. The
accumulated gradient map is the backward op's
(:func:`roikit.roi_pool_backward`, :func:`roikit.roi_align_backward`); the
walkthrough writes out the contributions that add up to it.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import numpy as np

from ..engine.validate import check_real_array
from ..errors import InputError
from ..i18n import text
from ..i18n.numbers import fmt
from ..ops.roi_align import roi_align_backward
from ..ops.roi_pool import roi_pool_backward
from .align import explain_roi_align
from .inputs import prepare
from .pool import explain_roi_pool
from .steps import matrix_table
from .trace import (
    AlignBackwardData,
    AlignBin,
    AlignData,
    PoolBackwardData,
    PoolBin,
    PoolData,
    Step,
    Trace,
    align_data,
    walk_data,
)

__all__ = ["explain_roi_align_backward", "explain_roi_pool_backward"]


def _grad(grad: Any, shape: tuple[int, int]) -> np.ndarray:
    if grad is None:
        return np.ones(shape)
    g = check_real_array(grad, "grad", "of the output's shape").astype(np.float64)
    if g.ndim == 0:
        g = np.full(shape, float(g))
    if g.shape != shape:
        raise InputError(f"grad has shape {g.shape}; it must have the output's shape {shape}")
    return g


def grad_for_map(g: np.ndarray, dtype: np.dtype, channels: int) -> np.ndarray:
    """The gradient in the map's dtype, for every channel; refused if it does not fit."""
    if np.abs(g).max(initial=0) > np.finfo(dtype).max:
        raise InputError(f"grad holds {np.abs(g).max():g}, beyond the map's dtype {dtype}")
    return g[None, None].repeat(channels, 1).astype(dtype)


def _exact(v: float) -> str:
    """``v`` with as many decimals (4 to 10) as it needs to be written exactly, if it can be."""
    for d in range(4, 11):
        if float(fmt(v, d)) == v:
            return fmt(v, d)
    return fmt(v, 10)


Send = tuple[tuple[int, int], float, str]


def _contributions(trace: Trace, g: np.ndarray) -> list[list[Send]]:
    """Per bin, the ``(cell, amount, how)`` it sends, from the forward trace's own numbers."""
    data = trace.data
    out: list[list[Send]] = []
    if isinstance(data, PoolData):
        for pb in data.bins:
            gv = float(g[pb.ph, pb.pw])
            out.append([] if pb.winner is None else [(pb.winner, gv, "g")])
        return out
    data = align_data(trace)
    n = data.count
    for b in data.bins:
        gv = float(g[b.ph, b.pw])
        sends: list[Send] = []
        if trace.params["mode"] == "max":
            if b.winner is not None:
                cells, _, ws = b.points[b.winner].neighbours()
                sends += [(c, gv * w, f"{fmt(gv)} × {fmt(w)}") for c, w in zip(cells, ws, strict=True)]
        else:
            for p in b.points:
                if p.inside:
                    cells, _, ws = p.neighbours()
                    sends += [
                        (c, gv * w / n, f"{fmt(gv)} × {fmt(w)} / {fmt(n)}")
                        for c, w in zip(cells, ws, strict=True)
                    ]
        out.append(sends)
    return out


def _with_contributions(
    data: PoolData | AlignData, contributions: Any
) -> PoolBackwardData | AlignBackwardData:
    """The forward walkthrough's records, with where each bin's gradient goes."""
    kind = PoolBackwardData if isinstance(data, PoolData) else AlignBackwardData
    return kind(**{f.name: getattr(data, f.name) for f in fields(data)}, contributions=contributions)


def _backward(trace: Trace, g: np.ndarray, grad_input: np.ndarray) -> Trace:
    lang = trace.lang
    pool = trace.op == "roi_pool"
    data = walk_data(trace)
    focus = tuple(data.focus or (0, 0))
    sends = _contributions(trace, g)
    steps = [s for s in trace.steps if s.key == "input"]
    steps.append(
        Step(
            "backward.grad",
            text(lang, "backward.grad.title"),
            (text(lang, "backward.grad.line"),),
            (matrix_table(text(lang, "backward.grad.table"), g),),
        )
    )
    rule = "backward.rule.pool" if pool else f"backward.rule.{trace.params['mode']}"
    steps.append(Step("backward.rule", text(lang, "backward.rule.title"), (text(lang, rule),)))
    bins: tuple[PoolBin | AlignBin, ...] = data.bins
    for b, mine in zip(bins, sends, strict=True):
        if not pool and (b.ph, b.pw) != focus and len(data.bins) > 4:
            continue
        lines = (
            [text(lang, "backward.bin.none")]
            if not mine
            else [text(lang, "backward.bin.send", r=c[0], q=c[1], how=how, v=_exact(v)) for c, v, how in mine]
        )
        steps.append(
            Step(
                "backward.bin",
                text(lang, "backward.bin.title", ph=b.ph, pw=b.pw, g=fmt(float(g[b.ph, b.pw]))),
                tuple(lines),
                bin=(b.ph, b.pw),
            )
        )
    # Every cell that receives from several bins (or points): its sum, written out.
    received: dict[tuple[int, int], list[float]] = {}
    for mine in sends:
        for c, v, _ in mine:
            received.setdefault(c, []).append(v)
    sums = [
        text(
            lang,
            "backward.sum",
            r=c[0],
            q=c[1],
            terms=" + ".join(_exact(v) for v in vs),
            v=_exact(float(grad_input[c])),
        )
        for c, vs in sorted(received.items())
        if len(vs) > 1
    ]
    winners = tuple((r, q) for r, q in received) if pool else ()
    steps.append(
        Step(
            "backward.map",
            text(lang, "backward.map.title"),
            (text(lang, "backward.map.line"), *sums[:24]),
            (matrix_table(text(lang, "backward.map.table"), grad_input, highlight=winners),),
        )
    )
    params = {**trace.params, "grad": g.tolist()}
    return Trace(
        f"{trace.op}_backward",
        lang,
        params,
        trace.feature,
        trace.output,
        tuple(steps),
        _with_contributions(data, tuple(tuple((c, v) for c, v, _ in m) for m in sends)),
        tuple(tuple(float(v) for v in row) for row in grad_input),
    )


def explain_roi_pool_backward(
    feature: Any,
    box: Any,
    output_size: int | tuple[int, int],
    spatial_scale: float = 1.0,
    grad: Any = None,
    *,
    channel: int | None = None,
    lang: str = "en",
    bin: tuple[int, int] | None = None,
) -> Trace:
    """RoI Pool's backward pass by hand: each bin's gradient goes to its max cell.

    Parameters
    ----------
    feature, box, output_size, spatial_scale, channel, lang, bin
        As for :func:`roikit.explain_roi_pool`.
    grad : array of the output's shape, or a number, optional
        The upstream gradient (default: all ones).

    Returns
    -------
    Trace
        ``trace.grad_input`` equals ``roi_pool_backward(...)[0, channel]``.

    Examples
    --------
    >>> import numpy as np
    >>> t = explain_roi_pool_backward(np.arange(16.0).reshape(4, 4), (0, 0, 3, 3), 2)
    >>> t.grad_input[3]  # each bin's max is its bottom-right cell
    (0.0, 1.0, 0.0, 1.0)
    """
    trace = explain_roi_pool(feature, box, output_size, spatial_scale, channel=channel, lang=lang, bin=bin)
    g = _grad(grad, np.array(trace.output).shape)
    inp, c, boxes = prepare(feature, box, channel)
    gi = roi_pool_backward(grad_for_map(g, inp.dtype, inp.shape[1]), inp, boxes, output_size, spatial_scale)[
        0, c
    ]
    return _backward(trace, g, np.asarray(gi, np.float64))


def explain_roi_align_backward(
    feature: Any,
    box: Any,
    output_size: int | tuple[int, int],
    spatial_scale: float = 1.0,
    sampling_ratio: int = 2,
    aligned: bool = False,
    mode: str = "max",
    grad: Any = None,
    *,
    channel: int | None = None,
    lang: str = "en",
    bin: tuple[int, int] | None = None,
) -> Trace:
    """RoI Align's backward pass by hand: each bin's gradient spread bilinearly.

    Average mode: every sampling point sends ``g · w / count`` to each of its
    four neighbours; max mode: the winning point sends ``g · w``.

    Returns
    -------
    Trace
        ``trace.grad_input`` equals ``roi_align_backward(...)[0, channel]``.

    Examples
    --------
    >>> import numpy as np
    >>> t = explain_roi_align_backward(np.zeros((3, 3)), (0, 0, 2, 2), 1, sampling_ratio=1,
    ...                                mode="avg")
    >>> t.grad_input[1]  # the single point at (1, 1) sends everything to cell (1, 1)
    (0.0, 1.0, 0.0)
    """
    trace = explain_roi_align(
        feature,
        box,
        output_size,
        spatial_scale,
        sampling_ratio,
        aligned,
        mode,
        channel=channel,
        lang=lang,
        bin=bin,
    )
    g = _grad(grad, np.array(trace.output).shape)
    inp, c, boxes = prepare(feature, box, channel)
    gi = roi_align_backward(
        grad_for_map(g, inp.dtype, inp.shape[1]),
        inp,
        boxes,
        output_size,
        spatial_scale,
        sampling_ratio,
        aligned,
        mode,
    )[0, c]
    return _backward(trace, g, np.asarray(gi, np.float64))
