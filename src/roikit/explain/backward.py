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

from dataclasses import dataclass, fields
from fractions import Fraction
from typing import Any

import numpy as np

from ..engine.validate import check_real_array
from ..errors import InputError
from ..i18n import text
from ..i18n.numbers import Written, fmt, num, result
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
    Point,
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


Send = tuple[tuple[int, int], float]


@dataclass
class _Bin:
    """One bin's backward: the lines that say where its gradient goes, what they send, and what is lost."""

    lines: list[str]
    sends: list[tuple[tuple[int, int], float, Written]]  #: (cell, amount, amount as written)
    lost: float  #: the part of g that reaches no cell (off-map points, an empty bin)
    total: str = ""  #: the bin's last line: what it sends and what reaches no cell, adding up to g


def _pool_bin(lang: str, b: PoolBin, g: Written, gv: float) -> _Bin:
    if b.winner is None:
        return _Bin([text(lang, "backward.bin.none")], [], gv, text(lang, "backward.bin.nothing", g=g.text))
    r, q = b.winner
    return _Bin([text(lang, "backward.pool.send", r=r, q=q, g=g.text)], [(b.winner, gv, g)], 0.0)


def _point_sends(
    lang: str, k: int, p: Point, share: Written, share_true: float, dtype: Any
) -> tuple[list[str], list[tuple[tuple[int, int], float, Written]]]:
    """One point's line: its weights and what each neighbour receives, ``share × w``."""
    y, x = num(p.y, dtype, operand=True).text, num(p.x, dtype, operand=True).text
    if not p.inside:
        return [text(lang, "backward.point.off", n=k + 1, y=y, x=x, share=share.text)], []
    cells, _, ws = p.neighbours()
    parts, sends = [], []
    for (r, q), w in zip(cells, ws, strict=True):
        weight = num(w, dtype, operand=True)
        eq, amount = result(share.value * weight.value, share_true * w, dtype, operand=True)
        parts.append(
            text(lang, "backward.point.part", r=r, q=q, share=share.text, w=weight.text, eq=eq, v=amount.text)
        )
        sends.append(((r, q), share_true * w, amount))
    return [text(lang, "backward.point.head", n=k + 1, y=y, x=x) + " " + "; ".join(parts)], sends


def _nothing(lang: str, line: str, g: Written, gv: float) -> _Bin:
    return _Bin([text(lang, line, g=g.text)], [], gv, text(lang, "backward.bin.nothing", g=g.text))


def _align_bin(lang: str, b: AlignBin, mode: str, count: float, g: Written, gv: float, dtype: Any) -> _Bin:
    if mode == "max":
        if b.winner is None:
            return _nothing(lang, "backward.max.none", g, gv)
        winner_lines, winner_sends = _point_sends(lang, b.winner, b.points[b.winner], g, gv, dtype)
        head = text(lang, "backward.max.head", n=b.winner + 1, g=g.text)
        return _Bin([head, *winner_lines], winner_sends, 0.0, text(lang, "backward.max.total", g=g.text))
    if not b.points:
        return _nothing(lang, "backward.bin.none", g, gv)
    share_true = gv / count
    eq, share = result(g.value / Fraction(count), share_true, dtype, operand=True)
    lines = [text(lang, "backward.avg.head", g=g.text, n=fmt(count), eq=eq, share=share.text)]
    sends: list[tuple[tuple[int, int], float, Written]] = []
    for k, p in enumerate(b.points):
        more, mine = _point_sends(lang, k, p, share, share_true, dtype)
        lines += more
        sends += mine
    inside = sum(p.inside for p in b.points)
    off = len(b.points) - inside
    eq1, sent = result(inside * share.value, share_true * inside, dtype)
    if off == 0:
        total = text(lang, "backward.avg.total", k=inside, share=share.text, eq=eq1, v=sent.text, g=g.text)
        return _Bin(lines, sends, 0.0, total)
    eq2, lost = result(off * share.value, share_true * off, dtype)
    eq3, whole = result(sent.value + lost.value, gv, dtype)
    total = text(
        lang,
        "backward.avg.lost",
        k=inside,
        m=off,
        share=share.text,
        eq1=eq1,
        sent=sent.text,
        eq2=eq2,
        lost=lost.text,
        eq3=eq3,
        g=whole.text,
    )
    return _Bin(lines, sends, share_true * off, total)


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
    dtype = np.dtype(trace.params.get("dtype", "float64"))
    focus = tuple(data.focus or (0, 0))
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
    worked: list[_Bin] = []
    for b in bins:
        gv = float(g[b.ph, b.pw])
        gw = num(gv)
        if isinstance(b, PoolBin):
            out = _pool_bin(lang, b, gw, gv)
        else:
            out = _align_bin(lang, b, trace.params["mode"], align_data(trace).count, gw, gv, dtype)
        worked.append(out)
        if not pool and (b.ph, b.pw) != focus and len(bins) > 4:
            continue
        title = text(lang, "backward.bin.title", ph=b.ph, pw=b.pw, g=gw.text)
        lines = (*out.lines, out.total) if out.total else tuple(out.lines)
        steps.append(Step("backward.bin", title, lines, bin=(b.ph, b.pw)))
    steps.append(_map_step(lang, worked, g, grad_input, pool, dtype))
    steps.append(
        Step("backward.training", text(lang, "backward.training.title"), (text(lang, "backward.training"),))
    )
    params = {**trace.params, "grad": g.tolist()}
    return Trace(
        f"{trace.op}_backward",
        lang,
        params,
        trace.feature,
        trace.output,
        tuple(steps),
        _with_contributions(data, tuple(tuple((c, v) for c, v, _ in m.sends) for m in worked)),
        tuple(tuple(float(v) for v in row) for row in grad_input),
    )


def _map_step(
    lang: str, worked: list[_Bin], g: np.ndarray, grad_input: np.ndarray, pool: bool, dtype: Any
) -> Step:
    """Each cell's sum of what it receives, the gradient map, and the total checked against g."""
    received: dict[tuple[int, int], list[Written]] = {}
    for b in worked:
        for c, _, amount in b.sends:
            received.setdefault(c, []).append(amount)
    sums = []
    for c, amounts in sorted(received.items()):
        if len(amounts) < 2:
            continue
        eq, v = result(sum((a.value for a in amounts), Fraction(0)), float(grad_input[c]), dtype)
        sums.append(
            text(
                lang,
                "backward.sum",
                r=c[0],
                q=c[1],
                terms=" + ".join(a.text for a in amounts),
                eq=eq,
                v=v.text,
            )
        )
    lost = sum(b.lost for b in worked)
    into, off = num(float(grad_input.sum()), dtype), num(lost, dtype)
    eq, whole = result(into.value + off.value, float(g.sum()), dtype)
    check = text(lang, "backward.map.check", into=into.text, off=off.text, eq=eq, total=whole.text)
    if lost:
        check += " " + text(lang, "backward.map.offmap")
    winners = tuple((r, q) for r, q in received) if pool else ()
    more = [text(lang, "backward.sum.more", n=len(sums) - 24)] if len(sums) > 24 else []
    return Step(
        "backward.map",
        text(lang, "backward.map.title"),
        (text(lang, "backward.map.line"), *sums[:24], *more, check),
        (
            matrix_table(
                text(lang, "backward.map.table"),
                grad_input.astype(dtype) if dtype == np.float32 else grad_input,
                highlight=winners,
            ),
        ),
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
    return _pool_backward(feature, box, output_size, spatial_scale, grad, channel, lang, bin)


def _pool_backward(
    feature: Any,
    box: Any,
    output_size: Any,
    spatial_scale: float,
    grad: Any,
    channel: Any,
    lang: str,
    bin: Any,
) -> Trace:
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
    args = (feature, box, output_size, spatial_scale, sampling_ratio, aligned, mode, grad, channel, lang, bin)
    return _align_backward(*args)


def _align_backward(
    feature: Any,
    box: Any,
    output_size: Any,
    spatial_scale: float,
    sampling_ratio: Any,
    aligned: Any,
    mode: Any,
    grad: Any,
    channel: Any,
    lang: str,
    bin: Any,
) -> Trace:
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
