"""Figures in the style of Figure 3 of the Mask R-CNN paper, drawn from a trace.

Every coordinate drawn comes from a :class:`~roikit.explain.Trace` (which
comes from the op's plan); nothing is recomputed here. The drawing uses the
plan's coordinates: cell ``i`` is centred at ``i`` and spans
``[i - 0.5, i + 0.5]`` (for ``aligned=True`` the plan has already subtracted
the half pixel), y grows downwards as in an image.

Each helper takes ``ax=None`` (a new figure is made) and returns a
:class:`Drawn` record of the artists it added. Colours are the Okabe–Ito
colour-blind-safe palette.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Rectangle

from .explain.common import fmt
from .explain.trace import Trace

__all__ = [
    "Drawn",
    "align_figure",
    "bilinear_figure",
    "pool_figure",
    "summary_figure",
]

# Okabe & Ito (2008), "Color Universal Design".
BLUE, ORANGE, SKY, GREEN, VERMILLION, PURPLE, YELLOW = (
    "#0072B2", "#E69F00", "#56B4E9", "#009E73", "#D55E00", "#CC79A7", "#F0E442")  # fmt: skip
#: Maps up to this many cells print their values; larger ones become a heat map.
MAX_VALUE_CELLS = 256


@dataclass
class Drawn:
    """What a figure helper drew, for callers (and tests) to inspect or restyle."""

    ax: Axes
    roi: list[Rectangle] = field(default_factory=list)
    bins: list[Rectangle] = field(default_factory=list)
    points: list[Any] = field(default_factory=list)
    winners: list[Any] = field(default_factory=list)
    arrows: list[FancyArrowPatch] = field(default_factory=list)
    labels: list[Any] = field(default_factory=list)
    cells: list[Rectangle] = field(default_factory=list)

    @property
    def figure(self) -> Figure:
        """The figure holding ``ax``."""
        return self.ax.figure  # type: ignore[return-value]


def _axes(ax: Axes | None, size: tuple[float, float] = (6.4, 6.4)) -> Axes:
    if ax is not None:
        return ax
    fig = Figure(figsize=size, layout="constrained")
    return fig.add_subplot()


def _begin(trace: Trace, op: str, name: str, ax: Axes | None,
           image: np.ndarray | None) -> tuple[Drawn, np.ndarray]:  # fmt: skip
    """Check the trace's kind, make the axes and draw the map under everything else."""
    if trace.op != op:
        kind = "RoI Align" if op == "roi_align" else "RoI Pool"
        raise ValueError(f"{name} needs a {kind} trace; got {trace.op!r}")
    drawn = Drawn(_axes(ax))
    m = np.array(trace.feature)
    _draw_map(drawn.ax, m, image, drawn)
    return drawn, m


def _draw_map(ax: Axes, m: np.ndarray, image: np.ndarray | None, drawn: Drawn) -> None:
    """Dashed cell grid, with values (small maps), a heat map, or the picture."""
    H, W = m.shape
    extent = (-0.5, W - 0.5, H - 0.5, -0.5)
    if image is not None:
        ax.imshow(image, extent=extent, cmap="gray" if image.ndim == 2 else None,
                  interpolation="nearest")  # fmt: skip
    elif H * W > MAX_VALUE_CELLS:
        ax.imshow(m, extent=extent, cmap="viridis", interpolation="nearest")
    else:
        for r in range(H):
            for c in range(W):
                drawn.labels.append(ax.text(c, r, fmt(m[r, c], 2), ha="center", va="center",
                                            fontsize=9, color="0.35"))  # fmt: skip
    if H * W <= 64 * 64:
        grid: dict[str, Any] = dict(color="0.55", linestyles="--", linewidth=0.7, zorder=1)
        ax.vlines(np.arange(W + 1) - 0.5, -0.5, H - 0.5, **grid)
        ax.hlines(np.arange(H + 1) - 0.5, -0.5, W - 0.5, **grid)


def _draw_roi(ax: Axes, trace: Trace, drawn: Drawn) -> None:
    """The RoI Align box as the plan has it (after scaling and the offset), solid."""
    x, y = trace.data["x"], trace.data["y"]
    roi = Rectangle((x["start"], y["start"]), x["end"] - x["start"], y["end"] - y["start"],
                    fill=False, edgecolor=BLUE, linewidth=2.6, zorder=3)  # fmt: skip
    ax.add_patch(roi)
    drawn.roi.append(roi)


def _frame(ax: Axes, H: int, W: int, xs: Sequence[float], ys: Sequence[float]) -> None:
    """Limits that show the map and everything drawn over it; y downwards."""
    finite_x = [v for v in xs if np.isfinite(v)]
    finite_y = [v for v in ys if np.isfinite(v)]
    x0 = min([-0.5, *finite_x]) - 0.3
    x1 = max([W - 0.5, *finite_x]) + 0.3
    y0 = min([-0.5, *finite_y]) - 0.3
    y1 = max([H - 0.5, *finite_y]) + 0.3
    ax.set_xlim(x0, x1)
    ax.set_ylim(y1, y0)
    ax.set_aspect("equal")
    ax.set_xlabel("x (cell centres at integers)")
    ax.set_ylabel("y")


def _pick_point(trace: Trace, bin_: tuple[int, int], point: int | None) -> tuple[dict, dict]:
    b = next(b for b in trace.data["bins"] if (b["ph"], b["pw"]) == tuple(bin_))
    if point is None:
        point = b["winner"] if b["winner"] is not None else next(
            (i for i, p in enumerate(b["points"]) if p["inside"]), 0)  # fmt: skip
    return b, b["points"][point] if b["points"] else {}


def align_figure(trace: Trace, ax: Axes | None = None, *, bin: tuple[int, int] = (0, 0),
                 point: int | None = None, image: np.ndarray | None = None) -> Drawn:  # fmt: skip
    """RoI Align as in the Mask R-CNN paper's Figure 3.

    The feature map as a dashed grid, the RoI (solid) split into its bins, every
    sampling point as a dot, arrows from one point to its four neighbouring
    cell centres labelled with the bilinear weights, and (max mode) each bin's
    winning point ringed.

    Parameters
    ----------
    trace : Trace
        From :func:`roikit.explain_roi_align`.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.
    bin, point : optional
        The point whose interpolation is shown (default: bin (0, 0)'s winner
        in max mode, else its first point on the map).
    image : ndarray, optional
        A picture to draw under the grid (when the map came from an image).

    Returns
    -------
    Drawn

    Examples
    --------
    >>> import numpy as np
    >>> from roikit import explain_roi_align
    >>> t = explain_roi_align(np.arange(36.0).reshape(6, 6), (0.6, 0.7, 4.2, 4.9), 2)
    >>> len(align_figure(t).points)  # 2 x 2 bins x 2 x 2 points
    16
    """
    drawn, m = _begin(trace, "roi_align", "align_figure", ax, image)
    ax = drawn.ax
    H, W = m.shape
    x, y = trace.data["x"], trace.data["y"]
    PH, PW = trace.params["output_size"]
    _draw_roi(ax, trace, drawn)
    for ph in range(PH):
        for pw in range(PW):
            rect = Rectangle((x["start"] + pw * x["bin_size"], y["start"] + ph * y["bin_size"]),
                             x["bin_size"], y["bin_size"], fill=False, edgecolor=BLUE,
                             linewidth=1.2, zorder=3)  # fmt: skip
            ax.add_patch(rect)
            drawn.bins.append(rect)
    xs, ys = [x["start"], x["end"]], [y["start"], y["end"]]
    for b in trace.data["bins"]:
        for i, p in enumerate(b["points"]):
            xs.append(p["x"])
            ys.append(p["y"])
            style: dict[str, Any] = (dict(color=VERMILLION) if p["inside"]
                                     else dict(facecolor="white", edgecolor="0.4"))  # fmt: skip
            drawn.points.append(ax.scatter([p["x"]], [p["y"]], s=42, zorder=5, **style))
            if b["winner"] == i:
                drawn.winners.append(ax.scatter([p["x"]], [p["y"]], s=190, facecolor="none",
                                                edgecolor=GREEN, linewidth=2.2, zorder=6))  # fmt: skip
    b, p = _pick_point(trace, bin, point)
    if p.get("inside"):
        for (r, c), w in zip(p["cells"], p["weights"], strict=True):
            arrow = FancyArrowPatch((p["x"], p["y"]), (c, r), arrowstyle="-|>", mutation_scale=11,
                                    color=ORANGE, linewidth=1.4, zorder=4,
                                    shrinkA=4, shrinkB=9)  # fmt: skip
            ax.add_patch(arrow)
            drawn.arrows.append(arrow)
            # Each label sits just beyond its cell centre, away from the point, so the
            # four labels (on the corners of a unit square) never overlap.
            dx, dy = c - p["x"], r - p["y"]
            norm = max(float(np.hypot(dx, dy)), 1e-9)
            drawn.labels.append(ax.text(c + 0.3 * dx / norm, r + 0.3 * dy / norm, fmt(w, 3),
                                        fontsize=8, color="black", ha="center", va="center",
                                        zorder=7, bbox=dict(boxstyle="round,pad=0.15", fc=YELLOW,
                                                            ec="none", alpha=0.9)))  # fmt: skip
    mode = trace.params["mode"]
    grid = f"{fmt(trace.data['y']['grid'])}×{fmt(trace.data['x']['grid'])}"
    ax.set_title(f"RoI Align ({mode}): {PH}×{PW} bins, {grid} sampling points per bin\n"
                 f"arrows: bilinear weights of bin {tuple(bin)}'s "
                 f"{'winning' if b['winner'] is not None else 'first'} point", fontsize=10)  # fmt: skip
    _frame(ax, H, W, xs, ys)
    return drawn


def bilinear_figure(trace: Trace, ax: Axes | None = None, *, bin: tuple[int, int] = (0, 0),
                    point: int | None = None) -> Drawn:  # fmt: skip
    """One sampling point between its four cell centres: the areas are the weights.

    The rectangle opposite each cell centre has the area of that cell's weight
    (``w1 = hy·hx`` for the top-left cell, and so on); the title gives the
    weighted sum.

    Examples
    --------
    >>> import numpy as np
    >>> from roikit import explain_roi_align
    >>> t = explain_roi_align(np.arange(36.0).reshape(6, 6), (0.6, 0.7, 4.2, 4.9), 2)
    >>> len(bilinear_figure(t).cells)
    4
    """
    ax = _axes(ax, (5.2, 5.2))
    drawn = Drawn(ax)
    b, p = _pick_point(trace, bin, point)
    if not p.get("inside"):
        ax.text(0.5, 0.5, "this point lies outside the map: worth 0", ha="center",
                transform=ax.transAxes)  # fmt: skip
        ax.set_axis_off()
        return drawn
    (r0, c0), _, _, (r1, c1) = p["cells"]
    y = min(max(p["y"], r0), r1)  # the clamped position the weights were taken at
    x = min(max(p["x"], c0), c1)
    w = p["weights"]
    colours = (SKY, ORANGE, GREEN, PURPLE)
    # The rectangle opposite corner k: top-left corner <-> bottom-right rectangle.
    spans = (((x, c1 if c1 > c0 else c0 + 1), (y, r1 if r1 > r0 else r0 + 1)),
             ((c0, x), (y, r1 if r1 > r0 else r0 + 1)),
             ((x, c1 if c1 > c0 else c0 + 1), (r0, y)),
             ((c0, x), (r0, y)))  # fmt: skip
    names = ("w1 = hy·hx", "w2 = hy·lx", "w3 = ly·hx", "w4 = ly·lx")
    for k, ((xa, xb), (ya, yb)) in enumerate(spans):
        rect = Rectangle((xa, ya), xb - xa, yb - ya, facecolor=colours[k], alpha=0.45,
                         edgecolor="black", linewidth=0.8)  # fmt: skip
        ax.add_patch(rect)
        drawn.cells.append(rect)
        if yb - ya >= 0.22 and xb - xa >= 0.3:
            drawn.labels.append(ax.text((xa + xb) / 2, (ya + yb) / 2, f"{names[k]}\n= {fmt(w[k])}",
                                        ha="center", va="center", fontsize=9))  # fmt: skip
        else:  # too thin to hold its label: outside the square, on the rectangle's side
            below, right = k < 2, k in (0, 2)
            drawn.labels.append(ax.text(x + (0.03 if right else -0.03),
                                        (yb + 0.06) if below else (ya - 0.06),
                                        f"{names[k]} = {fmt(w[k])}", fontsize=8,
                                        ha="left" if right else "right",
                                        va="top" if below else "bottom",
                                        color="black"))  # fmt: skip
    for k, ((r, c), v) in enumerate(zip(p["cells"], p["cell_values"], strict=True)):
        drawn.points.append(ax.scatter([c], [r], s=60, color=BLUE, zorder=5))
        right = k in (1, 3)
        drawn.labels.append(ax.text(c + (0.05 if right else -0.05), r, f"({r},{c}) = {fmt(v)}",
                                    ha="left" if right else "right", va="center", fontsize=9,
                                    color=BLUE))  # fmt: skip
    drawn.winners.append(ax.scatter([x], [y], s=70, color=VERMILLION, zorder=6))
    terms = " + ".join(f"{fmt(wk)}×{fmt(v)}" for wk, v in zip(w, p["cell_values"], strict=True))
    ax.set_title(f"bin {tuple(bin)}, point at (y, x) = ({fmt(p['y'])}, {fmt(p['x'])})\n"
                 f"{terms} = {fmt(p['value'])}", fontsize=10)  # fmt: skip
    ax.set_xlim(c0 - 0.7, max(c1, c0 + 1) + 0.7)
    ax.set_ylim(max(r1, r0 + 1) + 0.3, r0 - 0.3)
    ax.set_aspect("equal")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    return drawn


def pool_figure(trace: Trace, ax: Axes | None = None, *, image: np.ndarray | None = None) -> Drawn:
    """RoI Pool's quantization: the real RoI (dashed) against the RoI snapped to cells (solid).

    Each bin is a translucent rectangle over its cell range (overlapping bins
    show as darker bands), each bin's maximum cell is outlined, and the strips
    gained or lost by rounding are hatched.

    Examples
    --------
    >>> import numpy as np
    >>> from roikit import explain_roi_pool
    >>> t = explain_roi_pool(np.arange(36.0).reshape(6, 6), (0.6, 0.7, 4.2, 4.9), 2)
    >>> d = pool_figure(t)
    >>> len(d.roi), len(d.bins), len(d.winners)
    (2, 4, 4)
    """
    drawn, m = _begin(trace, "roi_pool", "pool_figure", ax, image)
    ax = drawn.ax
    H, W = m.shape
    x, y = trace.data["x"], trace.data["y"]
    real = (x["scaled_start"], y["scaled_start"], x["scaled_end"], y["scaled_end"])
    snap = (x["start"] - 0.5, y["start"] - 0.5, x["start"] - 0.5 + x["size"],
            y["start"] - 0.5 + y["size"])  # fmt: skip
    # Strips between the real and the snapped edges: gained (snapped wider) or lost.
    # (real edge, snapped edge, vertical strip?, low side?): a low edge that moves
    # down, or a high edge that moves up, gains a strip.
    for edge, snapped, vertical, low in ((real[0], snap[0], True, True),
                                         (real[2], snap[2], True, False),
                                         (real[1], snap[1], False, True),
                                         (real[3], snap[3], False, False)):  # fmt: skip
        if edge == snapped:
            continue
        inner, outer = min(edge, snapped), max(edge, snapped)
        gained = snapped < edge if low else snapped > edge
        colour, hatch = (GREEN, "//") if gained else (VERMILLION, "\\\\")
        if vertical:
            rect = Rectangle((inner, min(real[1], snap[1])), outer - inner,
                             max(real[3], snap[3]) - min(real[1], snap[1]))  # fmt: skip
        else:
            rect = Rectangle((min(real[0], snap[0]), inner),
                             max(real[2], snap[2]) - min(real[0], snap[0]), outer - inner)  # fmt: skip
        rect.set(facecolor="none", edgecolor=colour, hatch=hatch, linewidth=0, alpha=0.8, zorder=2)
        ax.add_patch(rect)
        drawn.cells.append(rect)
    colours = (SKY, ORANGE, GREEN, PURPLE, YELLOW, BLUE, VERMILLION)
    for i, b in enumerate(trace.data["bins"]):
        (r0, r1), (c0, c1) = b["rows"], b["cols"]
        rect = Rectangle((c0 - 0.5, r0 - 0.5), max(c1 - c0, 0), max(r1 - r0, 0),
                         facecolor=colours[i % len(colours)], alpha=0.22, edgecolor="none",
                         zorder=2)  # fmt: skip
        ax.add_patch(rect)
        drawn.bins.append(rect)
        if b["winner"] is not None:
            r, c = b["winner"]
            win = Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, edgecolor="black", linewidth=2.4,
                            zorder=4)  # fmt: skip
            ax.add_patch(win)
            drawn.winners.append(win)
    for (x0, y0, x1, y1), line in ((real, "--"), (snap, "-")):
        rect = Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, linewidth=2.4, zorder=5,
                         linestyle=line, edgecolor=BLUE)  # fmt: skip
        ax.add_patch(rect)
        drawn.roi.append(rect)
    PH, PW = trace.params["output_size"]
    ax.set_title(f"RoI Pool: box (dashed) rounded to cells (solid), {PH}×{PW} bins\n"
                 "outlined: each bin's max; hatched: strips gained (green) or lost (red)",
                 fontsize=10)  # fmt: skip
    _frame(ax, H, W, [real[0], real[2], snap[0], snap[2]], [real[1], real[3], snap[1], snap[3]])
    return drawn


def _matrix(ax: Axes, m: np.ndarray, title: str, drawn: Drawn, lo: float, hi: float) -> None:
    ax.imshow(m, cmap="viridis", interpolation="nearest", vmin=lo, vmax=hi)
    for r in range(m.shape[0]):
        for c in range(m.shape[1]):
            light = hi > lo and (m[r, c] - lo) / (hi - lo) < 0.5
            drawn.labels.append(ax.text(c, r, fmt(m[r, c], 3), ha="center", va="center",
                                        fontsize=10, color="white" if light else "black"))  # fmt: skip
    ax.set_title(title, fontsize=10)
    ax.set_xticks(range(m.shape[1]))
    ax.set_yticks(range(m.shape[0]))


def summary_figure(pool: Trace, align: Trace, axes: Sequence[Axes] | None = None) -> Drawn:
    """The input map with the box, the RoI Pool output and the RoI Align output, side by side.

    Examples
    --------
    >>> import numpy as np
    >>> from roikit import explain_roi_align, explain_roi_pool
    >>> m = np.arange(36.0).reshape(6, 6)
    >>> d = summary_figure(explain_roi_pool(m, (0.6, 0.7, 4.2, 4.9), 2),
    ...                    explain_roi_align(m, (0.6, 0.7, 4.2, 4.9), 2))
    >>> len(d.figure.axes)
    3
    """
    if axes is None:
        fig = Figure(figsize=(12, 4.2), layout="constrained")
        axes = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.6, 1, 1]})
    drawn = Drawn(axes[0])
    m = np.array(align.feature)
    _draw_map(axes[0], m, None, drawn)
    x, y = align.data["x"], align.data["y"]
    _draw_roi(axes[0], align, drawn)
    axes[0].set_title("input and RoI", fontsize=10)
    _frame(axes[0], m.shape[0], m.shape[1], [x["start"], x["end"]], [y["start"], y["end"]])
    outputs = np.array(pool.output), np.array(align.output)
    lo = float(min(o.min() for o in outputs))  # one colour scale for both outputs
    hi = float(max(o.max() for o in outputs))
    _matrix(axes[1], outputs[0], "RoI Pool output", drawn, lo, hi)
    _matrix(axes[2], outputs[1], f"RoI Align ({align.params['mode']}) output", drawn, lo, hi)
    return drawn
