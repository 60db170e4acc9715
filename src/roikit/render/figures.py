"""Figures in the style of Figure 3 of the Mask R-CNN paper, drawn from a trace.

Every coordinate drawn comes from a :class:`~roikit.explain.Trace` (which
comes from the op's plan); nothing is recomputed here. The drawing uses the
plan's coordinates: cell ``i`` is centred at ``i`` and spans
``[i - 0.5, i + 0.5]`` (for ``aligned=True`` the plan has already subtracted
the half pixel, and the figure says so), y grows downwards as in an image.

Figures speak the trace's language. Where matplotlib's DejaVu Sans lacks the
language's letters (Korean), the figures use the NanumGothic font that the
``figures`` extra installs (the ``koreanize-matplotlib`` package's files, read
without importing it), else any installed font that has them (Debian's
fonts-nanum, Noto Sans CJK, UnDotum ...), falling back to DejaVu Sans for
symbols; with none, :class:`MissingFont` says what to install.

Each helper takes ``ax=None`` (a new figure is made) and returns a
:class:`Drawn` record of the artists it added. Colours are the Okabe–Ito
colour-blind-safe palette. Cell values sit in their cell's top-left corner
on a white halo, above every line, point and label, so nothing covers them.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Rectangle
from matplotlib.patheffects import withStroke

from ..explain.trace import (
    AlignBackwardData,
    AlignBin,
    Point,
    PoolBackwardData,
    PoolBin,
    Trace,
    align_data,
    pool_data,
)
from ..i18n import catalogue, text
from ..i18n.numbers import fmt, num, result

__all__ = [
    "Drawn",
    "MissingFont",
    "align_figure",
    "backward_figure",
    "bilinear_figure",
    "halfpixel_figure",
    "pool_figure",
    "summary_figure",
]

# Okabe & Ito (2008), "Color Universal Design".
BLUE, ORANGE, SKY, GREEN, VERMILLION, PURPLE, YELLOW = (
    "#0072B2",
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#F0E442",
)
#: One colour per bin (cycled): bins are told apart by colour, never by a tint over the map.
BIN_COLOURS = (BLUE, VERMILLION, GREEN, PURPLE, ORANGE, SKY)
#: Maps up to this many cells print their values; larger ones become a heat map.
MAX_VALUE_CELLS = 256
#: Outputs with more bins than this draw the points of one bin only, with a zoom on it.
MAX_FULL_BINS = 4
_HALO = [withStroke(linewidth=2.6, foreground="white")]
_VALUE_Z = 8  # cell values above everything else


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
    ideal: list[Rectangle] = field(default_factory=list)
    zoom: Axes | None = None
    #: each cell value's label with the lattice point (x, y) it names
    values: list[tuple[Any, tuple[float, float]]] = field(default_factory=list)
    #: where a point past the map's edge is read (clamped), one mark per such point
    clamps: list[Any] = field(default_factory=list)
    #: RoI Pool's worked bin from its first to its last cell's centre (what the table measures)
    spans: list[Rectangle] = field(default_factory=list)

    @property
    def figure(self) -> Figure:
        """The figure holding ``ax``."""
        return self.ax.figure  # type: ignore[return-value]


# ----------------------------------------------------------------------------- fonts


class MissingFont(ImportError):
    """No installed font has the letters of a language the figures are written in."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        super().__init__(
            f"figures in {lang!r} need a font with its letters: pip install 'roikit[figures]' (it "
            f"brings NanumGothic for Korean), or install a system font such as Debian's fonts-nanum or "
            f"fonts-noto-cjk"
        )


def _charmap(path: str) -> frozenset[int]:
    try:
        return frozenset(FT2Font(path).get_charmap())
    except (OSError, RuntimeError, ValueError):  # a font file matplotlib cannot read
        return frozenset()


def _candidates() -> Iterator[str]:
    """Font files that may have a language's letters: the extra's NanumGothic, then installed fonts.

    koreanize-matplotlib's files are used without importing it (its import
    would change matplotlib's fonts globally). Installed fonts whose names
    say CJK or Hangul come first, so the search rarely reads more than a few.
    """
    spec = importlib.util.find_spec("koreanize_matplotlib")
    if spec is not None and spec.submodule_search_locations:
        yield str(Path(list(spec.submodule_search_locations)[0]) / "fonts" / "NanumGothic.ttf")
    # Sans-serif fonts with Hangul first, most common first; then every other installed font.
    preferred = (
        "nanumgothic",
        "nanum gothic",
        "noto sans cjk",
        "noto sans kr",
        "source han sans",
        "malgun",
        "apple sd gothic",
        "undotum",
        "un dotum",
        "baekmuk dotum",
        "baekmuk gulim",
        "nanum",
        "noto serif cjk",
        "unbatang",
        "baekmuk",
    )

    def rank(f: Any) -> int:
        name = f.name.lower()
        return next((i for i, p in enumerate(preferred) if p in name), len(preferred))

    fonts = sorted(font_manager.fontManager.ttflist, key=rank)
    yield from dict.fromkeys(f.fname for f in fonts)


@functools.cache
def _families(lang: str) -> tuple[str, ...]:
    """The font families a figure in ``lang`` uses: one with the language's letters, then DejaVu Sans.

    The letters are those of the language's figure texts in its catalogue; when
    DejaVu Sans (matplotlib's own) has them all, nothing else is needed.
    """
    letters = {
        ord(ch)
        for key, words in catalogue(lang).items()
        if key.startswith("fig.")
        for ch in words
        if ch.isalpha()
    }
    dejavu = font_manager.findfont("DejaVu Sans", fallback_to_default=True)
    needed = letters - _charmap(dejavu)
    if not needed:
        return ("DejaVu Sans",)
    for path in _candidates():
        if needed <= _charmap(path):
            if path not in {f.fname for f in font_manager.fontManager.ttflist}:
                font_manager.fontManager.addfont(path)
            return (font_manager.FontProperties(fname=path).get_name(), "DejaVu Sans")
    raise MissingFont(lang)


@contextlib.contextmanager
def _language(lang: str) -> Iterator[None]:
    """Text made inside uses a font that has the language's letters (DejaVu Sans for symbols)."""
    with matplotlib.rc_context({"font.family": list(_families(lang))}):
        yield


# ----------------------------------------------------------------------------- shared pieces


def _new_axes(size: tuple[float, float] = (6.4, 6.4), columns: int = 1) -> list[Axes]:
    fig = Figure(figsize=size, layout="constrained")
    axes = fig.subplots(1, columns, squeeze=False, gridspec_kw={"width_ratios": [1.5] + [1] * (columns - 1)})[
        0
    ]
    return list(axes)


def _check(trace: Trace, op: str, name: str) -> None:
    if trace.op != op:
        kind = "RoI Align" if op == "roi_align" else "RoI Pool"
        raise ValueError(f"{name} needs a {kind} trace; got {trace.op!r}")


def _draw_map(
    ax: Axes,
    m: np.ndarray,
    image: np.ndarray | None,
    drawn: Drawn,
    rows: range | None = None,
    cols: range | None = None,
    lattice: bool = False,
) -> None:
    """Dashed cell grid, with values (small maps), a heat map, or the picture.

    ``rows`` / ``cols`` limit the values written (a zoom writes its window only).
    ``lattice`` draws the map as Figure 3 does: each value a dot at the point
    bilinear interpolation reads it (cell (r, c) at x = c, y = r), the dashed
    lines through those points; :func:`_place_values` then moves each label
    off the points and arrows drawn over it. Otherwise the grid is the cells'
    borders and each value sits at its cell's centre (RoI Pool reads areas).
    """
    H, W = m.shape
    extent = (-0.5, W - 0.5, H - 0.5, -0.5)
    rows = rows if rows is not None else range(H)
    cols = cols if cols is not None else range(W)
    if image is not None:
        ax.imshow(image, extent=extent, cmap="gray" if image.ndim == 2 else None, interpolation="nearest")
    elif len(rows) * len(cols) > MAX_VALUE_CELLS:
        ax.imshow(m, extent=extent, cmap="Greys", interpolation="nearest", alpha=0.55)
    else:
        for r in rows:
            for c in cols:
                label = ax.text(
                    c,
                    r,
                    num(m[r, c]).text,
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    color="0.2",
                    zorder=_VALUE_Z,
                    path_effects=_HALO,
                )
                drawn.labels.append(label)
                drawn.values.append((label, (float(c), float(r))))
        if lattice:
            ax.scatter(
                [c for r in rows for c in cols], [r for r in rows for c in cols], s=5, color="0.35", zorder=2
            )
    if len(rows) * len(cols) <= 64 * 64:
        grid: dict[str, Any] = dict(color="0.6", linestyles="--", linewidth=0.6, zorder=1)
        at = 0.0 if lattice else 0.5  # a lattice's lines pass through the values; else cell borders
        ax.vlines(
            np.arange(cols.start, cols.stop + (0 if lattice else 1)) - at,
            rows.start - 0.5,
            rows.stop - 0.5,
            **grid,
        )
        ax.hlines(
            np.arange(rows.start, rows.stop + (0 if lattice else 1)) - at,
            cols.start - 0.5,
            cols.stop - 0.5,
            **grid,
        )


#: Where a value's label may sit around its lattice point, in cells: the four diagonals.
_VALUE_SPOTS = ((-0.24, -0.22), (0.24, -0.22), (-0.24, 0.24), (0.24, 0.24))
#: A label moves off its usual spot when a point or a weight label is nearer than this (cells).
_VALUE_ROOM = 0.3


def _place_values(drawn: Drawn, ax: Axes) -> None:
    """Move each value's label to the diagonal spot farthest from the points and arrow labels.

    Figure 3 puts the values on the lattice and the points between them; a
    point or a weight label near a lattice point would otherwise cover its
    value. The spots are measured in data units against every drawn point,
    clamp mark and weight label of this axes.
    """
    obstacles: list[tuple[float, float]] = []
    for dot in drawn.points + drawn.winners + drawn.clamps:
        if dot.axes is ax:
            obstacles += [tuple(xy) for xy in np.asarray(dot.get_offsets(), dtype=float)]
    values = {id(label) for label, _ in drawn.values}
    obstacles += [t.get_position() for t in drawn.labels if t.axes is ax and id(t) not in values]

    def room(x: float, y: float) -> float:
        return min((float(np.hypot(x - ox, y - oy)) for ox, oy in obstacles), default=np.inf)

    for label, (x, y) in drawn.values:
        if label.axes is not ax:
            continue
        # Every label keeps the same corner of its point (upper left) unless something is
        # drawn there: a reader learns where to look once.
        dx, dy = _VALUE_SPOTS[0]
        if room(x + dx, y + dy) < _VALUE_ROOM:
            dx, dy = max(_VALUE_SPOTS, key=lambda spot: room(x + spot[0], y + spot[1]))  # noqa: B023
        label.set_position((x + dx, y + dy))


def _reach(extent: int) -> float:
    """How far beyond the map a drawing extends: a box farther out is cut at this margin."""
    return 2.0 * extent + 2.0


def _frame(trace: Trace, ax: Axes, H: int, W: int, xs: Sequence[float], ys: Sequence[float]) -> None:
    """Limits that show the map and what is drawn over it, within a margin of the map; y downwards.

    A box a million cells away would shrink the map to a dot (or overflow the
    drawing's transform), so coordinates are kept within :func:`_reach` of the
    map and the title says when something was cut.
    """
    margin = _reach(max(H, W))
    lo_x, hi_x, lo_y, hi_y = -0.5 - margin, W - 0.5 + margin, -0.5 - margin, H - 0.5 + margin
    fx = [v for v in xs if np.isfinite(v)]
    fy = [v for v in ys if np.isfinite(v)]
    cut = len(fx) < len(xs) or len(fy) < len(ys) or any(not lo_x <= v <= hi_x for v in fx)
    cut = cut or any(not lo_y <= v <= hi_y for v in fy)
    fx = [min(max(v, lo_x), hi_x) for v in fx]
    fy = [min(max(v, lo_y), hi_y) for v in fy]
    ax.set_xlim(min([-0.5, *fx]) - 0.3, max([W - 0.5, *fx]) + 0.3)
    ax.set_ylim(max([H - 0.5, *fy]) + 0.3, min([-0.5, *fy]) - 0.3)
    if cut:
        ax.text(
            0.5,
            0.01,
            text(trace.lang, "fig.cut"),
            transform=ax.transAxes,
            ha="center",
            va="bottom",
            fontsize=7.5,
            color="0.3",
            zorder=_VALUE_Z,
            path_effects=_HALO,
        )
    ax.set_aspect("equal")
    ax.set_xlabel(text(trace.lang, "fig.x"))
    ax.set_ylabel(text(trace.lang, "fig.y"))


def _bin_rect(trace: Trace, ph: int, pw: int) -> tuple[float, float, float, float]:
    """(x0, y0, width, height) of RoI Align bin (ph, pw), as the plan has it."""
    d = align_data(trace)
    x, y = d.x, d.y
    return (x.start + pw * x.bin_size, y.start + ph * y.bin_size, x.bin_size, y.bin_size)


def _pick_point(trace: Trace, bin_: Sequence[int], point: int | None) -> tuple[AlignBin, Point | None]:
    """The bin ``bin_`` and its point ``point`` (default: the winner, else the first on the map)."""
    b = next(b for b in align_data(trace).bins if (b.ph, b.pw) == tuple(bin_))
    if point is None:
        point = b.winner if b.winner is not None else next((i for i, p in enumerate(b.points) if p.inside), 0)
    return b, b.points[point] if b.points else None


def _points(ax: Axes, b: AlignBin, drawn: Drawn) -> None:
    """A bin's sampling points (hollow when off the map) and its winner, ringed."""
    for i, p in enumerate(b.points):
        style: dict[str, Any] = (
            dict(color=VERMILLION, alpha=0.9) if p.inside else dict(facecolor="white", edgecolor="0.4")
        )
        dot = ax.scatter([p.x], [p.y], s=30, zorder=5, **style)
        dot.set_gid(f"roikit-pt-{b.ph}-{b.pw}-{i}")
        drawn.points.append(dot)
        if p.inside and p.cells is not None and p.ly is not None and p.lx is not None:
            # Where the point is read: its low neighbour plus its fractions. A point within a
            # cell past the edge is read on the edge (clamped): drawn there, tied to the point.
            ry, rx = p.cells[0][0] + p.ly, p.cells[0][1] + p.lx
            if abs(ry - p.y) > 1e-6 or abs(rx - p.x) > 1e-6:
                ax.plot([p.x, rx], [p.y, ry], linestyle=":", color="0.3", linewidth=1.0, zorder=5)
                drawn.clamps.append(ax.scatter([rx], [ry], marker="x", s=36, color="0.15", zorder=6))
        if b.winner == i:
            drawn.winners.append(
                ax.scatter([p.x], [p.y], s=150, facecolor="none", edgecolor=GREEN, linewidth=2.2, zorder=6)
            )


def _arrows(ax: Axes, p: Point, drawn: Drawn) -> None:
    """Arrows from a point to its four neighbours' centres, as wide as their weights."""
    cells, _, weights = p.neighbours()
    for (r, c), w in zip(cells, weights, strict=True):
        arrow = FancyArrowPatch(
            (p.x, p.y),
            (c, r),
            arrowstyle="-|>",
            mutation_scale=10,
            color=ORANGE,
            linewidth=0.8 + 3.2 * w,
            zorder=4,
            shrinkA=3,
            shrinkB=0,
        )
        ax.add_patch(arrow)
        drawn.arrows.append(arrow)
        # The label sits just past the cell centre the arrow points at (the four centres are
        # a unit square apart, so labels never meet, and the arrow stays visible however short).
        dx, dy = c - p.x, r - p.y
        norm = max(float(np.hypot(dx, dy)), 1e-9)
        drawn.labels.append(
            ax.text(
                c + 0.17 * dx / norm,
                r + 0.17 * dy / norm,
                num(w, operand=True).text,
                fontsize=7.5,
                ha="center",
                va="center",
                zorder=7,
                bbox=dict(boxstyle="round,pad=0.12", fc=YELLOW, ec="none", alpha=0.92),
            )
        )


# ----------------------------------------------------------------------------- RoI Align


def align_figure(
    trace: Trace,
    ax: Axes | None = None,
    *,
    bin: Sequence[int] | None = None,
    point: int | None = None,
    image: np.ndarray | None = None,
) -> Drawn:
    """RoI Align as in the Mask R-CNN paper's Figure 3.

    The feature map as a dashed grid, the RoI (solid) split into its bins, the
    sampling points as dots, arrows from one point to its four neighbouring
    cell centres (as wide as the bilinear weights, labelled with them) and, in
    max mode, each bin's winning point ringed. Above 3×3 bins only the worked
    bin's points are drawn, and a second panel enlarges that bin. With
    ``aligned=True`` the box before the −0.5 shift is drawn dashed.

    Parameters
    ----------
    trace : Trace
        From :func:`roikit.explain_roi_align`; its language is the figure's.
    ax : matplotlib Axes, optional
        Where to draw (no zoom panel then); a new figure when omitted.
    bin, point : optional
        The worked bin (default: the trace's, else (0, 0)) and the point
        whose interpolation is shown (default: the winner in max mode, else
        the first point on the map).
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
    _check(trace, "roi_align", "align_figure")
    with _language(trace.lang):
        return _align_figure(trace, ax, bin, point, image)


def _align_figure(
    trace: Trace, ax: Axes | None, bin_: Sequence[int] | None, point: int | None, image: np.ndarray | None
) -> Drawn:
    lang = trace.lang
    PH, PW = trace.params["output_size"]
    big = PH * PW > MAX_FULL_BINS
    d = align_data(trace)
    focus = tuple(bin_ if bin_ is not None else d.focus or (0, 0))
    axes = [ax] if ax is not None else _new_axes((11, 5.6) if big else (6.4, 6.4), 2 if big else 1)
    drawn = Drawn(axes[0])
    main = axes[0]
    m = np.array(trace.feature)
    H, W = m.shape
    _draw_map(main, m, image, drawn, lattice=True)
    x, y = d.x, d.y
    roi = Rectangle(
        (x.start, y.start),
        x.end - x.start,
        y.end - y.start,
        fill=False,
        edgecolor=BLUE,
        linewidth=2.4,
        zorder=3,
    )
    main.add_patch(roi)
    drawn.roi.append(roi)
    offset = d.offset
    if offset:  # the box before the half-pixel shift, and a note that says so
        before = Rectangle(
            (x.start + offset, y.start + offset),
            x.end - x.start,
            y.end - y.start,
            fill=False,
            edgecolor="0.35",
            linestyle="--",
            linewidth=1.4,
            zorder=3,
        )
        main.add_patch(before)
        drawn.roi.append(before)
    for ph in range(PH):
        for pw in range(PW):
            worked = (ph, pw) == focus and big
            rect = Rectangle(
                _bin_rect(trace, ph, pw)[:2],
                *_bin_rect(trace, ph, pw)[2:],
                fill=False,
                edgecolor=VERMILLION if worked else BLUE,
                linewidth=2.4 if worked else 1.0,
                zorder=3,
            )
            rect.set_gid(f"roikit-bin-{ph}-{pw}")  # an id a web page can highlight
            main.add_patch(rect)
            drawn.bins.append(rect)
            if not big:  # a small output names its bins; a big one names the worked bin in the title
                x0, y0, _, _ = _bin_rect(trace, ph, pw)
                drawn.labels.append(
                    main.text(
                        x0 + 0.05,
                        y0 + 0.05,
                        f"({ph}, {pw})",
                        fontsize=6.5,
                        color=BLUE,
                        ha="left",
                        va="top",
                        zorder=_VALUE_Z,
                        path_effects=_HALO,
                        clip_on=True,  # a bin far off the map is cut with the drawing, name and all
                        in_layout=False,
                    )
                )
    xs, ys = [x.start, x.end], [y.start, y.end]
    for b in d.bins:
        if big and (b.ph, b.pw) != focus:
            continue
        _points(main, b, drawn)
        xs += [p.x for p in b.points]
        ys += [p.y for p in b.points]
    b, p = _pick_point(trace, focus, point)
    target = main
    if big and ax is None:
        drawn.zoom = axes[1]
        if _zoom(trace, axes[1], m, image, focus, b, drawn):
            target = axes[1]  # else the point's arrows stay on the map (a panel with no cells to point at)
    if p is not None and p.inside:
        _arrows(target, p, drawn)
    which = text(lang, "fig.which.winning" if b.winner is not None else "fig.which.first")
    grid = f"{fmt(y.grid)}×{fmt(x.grid)}"
    title = [
        text(
            lang, "fig.align.title", mode=text(lang, f"mode.{trace.params['mode']}"), ph=PH, pw=PW, grid=grid
        ),
        text(lang, "fig.align.arrows", bin=tuple(focus), which=which),
    ]
    if big:
        title.append(text(lang, "fig.align.worked", bin=tuple(focus)))
    if drawn.clamps:
        title.append(text(lang, "fig.align.clamp"))
    if offset:
        title.append(text(lang, "fig.align.shift"))
        # The box does not move: the coordinates do. The top axis counts pixel edges, the
        # image's own coordinates, so the shift is read off the axes (edge e is at e − 0.5).
        to_edges: Any = lambda v: v + offset  # noqa: E731
        to_coords: Any = lambda v: v - offset  # noqa: E731
        top = main.secondary_xaxis("top", functions=(to_edges, to_coords))
        top.set_xlabel(text(lang, "fig.align.edges"), fontsize=8)
    main.set_title("\n".join(title), fontsize=9.5, pad=6 + (14 if offset else 0))  # room for the top axis
    _frame(trace, main, H, W, xs + [x.start + offset], ys + [y.start + offset])
    handles = [
        Line2D(
            [],
            [],
            color=VERMILLION,
            marker="o",
            linestyle="none",
            markersize=5,
            label=text(lang, "fig.align.point"),
        ),
        Line2D(
            [],
            [],
            color=GREEN,
            marker="o",
            markerfacecolor="none",
            linestyle="none",
            markersize=9,
            markeredgewidth=2,
            label=text(lang, "fig.align.winner"),
        ),
    ]
    if any(not p.inside for b in d.bins for p in b.points):
        handles.append(
            Line2D(
                [],
                [],
                color="0.4",
                marker="o",
                markerfacecolor="white",
                linestyle="none",
                markersize=5,
                label=text(lang, "fig.align.off"),
            )
        )
    if drawn.clamps:
        handles.append(
            Line2D(
                [],
                [],
                color="0.15",
                marker="x",
                linestyle="none",
                markersize=6,
                label=text(lang, "fig.align.read"),
            )
        )
    if trace.params["mode"] == "avg":
        handles = [h for h in handles if h.get_label() != text(lang, "fig.align.winner")]
    main.legend(
        handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.09), ncol=2, fontsize=7.5, frameon=False
    )
    for axes_ in {id(a): a for a in (main, target)}.values():
        _place_values(drawn, axes_)
    return drawn


def _cells_near(a: float, b: float, extent: int) -> range | None:
    """The cells from one before the lower of ``a, b`` to two after the higher that lie on the map.

    None when none do. (The edges come in either order: aligned=True keeps a box's negative
    size, so a bin's far edge can lie before its near one.)
    """
    if not (np.isfinite(a) and np.isfinite(b)):
        return None
    lo, hi = min(a, b), max(a, b)
    if hi < -1 or lo > extent:
        return None
    first = int(min(max(np.floor(lo) - 1, 0), extent - 1))
    stop = int(min(max(np.ceil(hi) + 2, first + 1), extent))
    return range(first, stop)


def _zoom(
    trace: Trace,
    ax: Axes,
    m: np.ndarray,
    image: np.ndarray | None,
    focus: tuple[int, ...],
    b: AlignBin,
    drawn: Drawn,
) -> bool:
    """The worked bin enlarged: its cells with their values, its points and its winner.

    Returns False (and says so in the panel) when the bin lies off the map.
    """
    x0, y0, bw, bh = _bin_rect(trace, *focus)
    H, W = m.shape
    rows, cols = _cells_near(y0, y0 + bh, H), _cells_near(x0, x0 + bw, W)
    if rows is None or cols is None:  # the worked bin is off the map: nothing to enlarge
        ax.text(
            0.5,
            0.5,
            text(trace.lang, "fig.align.zoom_off", bin=tuple(focus)),
            ha="center",
            va="center",
            transform=ax.transAxes,
            fontsize=9,
        )
        ax.set_axis_off()
        return False
    _draw_map(ax, m, image, drawn, rows, cols, lattice=True)
    rect = Rectangle((x0, y0), bw, bh, fill=False, edgecolor=VERMILLION, linewidth=2.4, zorder=3)
    ax.add_patch(rect)
    _points(ax, b, drawn)
    ax.set_xlim(cols.start - 0.5, cols.stop - 0.5)
    ax.set_ylim(rows.stop - 0.5, rows.start - 0.5)
    ax.set_aspect("equal")
    ax.set_title(text(trace.lang, "fig.align.zoom", bin=tuple(focus)), fontsize=9.5)
    return True


def bilinear_figure(
    trace: Trace, ax: Axes | None = None, *, bin: Sequence[int] | None = None, point: int | None = None
) -> Drawn:
    """One sampling point between its four cell centres: the areas are the weights.

    Each corner (cell centre) and the rectangle opposite it share a colour, and
    the rectangle's area is that corner's weight (``hy·hx`` for the top-left
    cell, and so on); the figure defines ``ly = y − y_low``, ``hy = 1 − ly``
    (the same for x), writes each weight as its product and says that the four
    areas add up to 1.

    Examples
    --------
    >>> import numpy as np
    >>> from roikit import explain_roi_align
    >>> t = explain_roi_align(np.arange(36.0).reshape(6, 6), (0.6, 0.7, 4.2, 4.9), 2)
    >>> len(bilinear_figure(t).cells)
    4
    """
    _check(trace, "roi_align", "bilinear_figure")
    with _language(trace.lang):
        return _bilinear_figure(trace, ax, bin, point)


def _bilinear_figure(trace: Trace, ax: Axes | None, bin_: Sequence[int] | None, point: int | None) -> Drawn:
    lang = trace.lang
    if ax is None:
        # The square has a fixed 2.7 x 1.7 window and the lists hang below it in axes
        # coordinates, which the layout cannot see: pin the square to the top and size
        # the figure to it, so no band of blank paper sits above the title.
        ax = _new_axes((5.8, 5.4))[0]
        ax.set_anchor("N")
    drawn = Drawn(ax)
    focus = tuple(bin_ if bin_ is not None else align_data(trace).focus or (0, 0))
    _, p = _pick_point(trace, focus, point)
    if p is None or not p.inside:
        ax.text(0.5, 0.5, text(lang, "fig.outside"), ha="center", transform=ax.transAxes)
        ax.set_axis_off()
        return drawn
    cells, values, w = p.neighbours()
    ly, hy, lx, hx = p.fractions()
    (r0, c0), _, _, (r1, c1) = cells
    y = min(max(p.y, r0), r1)  # the clamped position the weights were taken at
    x = min(max(p.x, c0), c1)
    # The numbers as the walkthrough writes them, and "=" only where they add up (i18n.numbers).
    dtype = np.dtype(trace.params.get("dtype", "float64"))
    op = lambda v: num(v, dtype, operand=True)  # noqa: E731
    wy, wx = op(y), op(x)
    eq_ly, w_ly = result(wy.value - r0, ly, dtype, operand=True)
    eq_hy, w_hy = result(1 - w_ly.value, hy, dtype, operand=True)
    eq_lx, w_lx = result(wx.value - c0, lx, dtype, operand=True)
    eq_hx, w_hx = result(1 - w_lx.value, hx, dtype, operand=True)
    written_factors = ((w_hy, w_hx), (w_hy, w_lx), (w_ly, w_hx), (w_ly, w_lx))
    weights = [
        result(a.value * b.value, wk, dtype, operand=True)
        for (a, b), wk in zip(written_factors, w, strict=True)
    ]
    vals = [num(v, dtype) for v in values]
    colours = (SKY, ORANGE, GREEN, PURPLE)
    r_hi, c_hi = (r1 if r1 > r0 else r0 + 1), (c1 if c1 > c0 else c0 + 1)
    # The rectangle opposite corner k: top-left corner <-> bottom-right rectangle.
    spans = (((x, c_hi), (y, r_hi)), ((c0, x), (y, r_hi)), ((x, c_hi), (r0, y)), ((c0, x), (r0, y)))
    names = ("hy·hx", "hy·lx", "ly·hx", "ly·lx")
    for k, ((xa, xb), (ya, yb)) in enumerate(spans):
        rect = Rectangle(
            (xa, ya), xb - xa, yb - ya, facecolor=colours[k], alpha=0.45, edgecolor="black", linewidth=0.8
        )
        ax.add_patch(rect)
        drawn.cells.append(rect)
        if yb - ya >= 0.22 and xb - xa >= 0.3:  # room for the weight inside its own area
            drawn.labels.append(
                ax.text(
                    (xa + xb) / 2,
                    (ya + yb) / 2,
                    f"{names[k]}\n{weights[k][1].text}",
                    ha="center",
                    va="center",
                    fontsize=8.5,
                )
            )
        # ... and always in the coloured list under the square, as its product.
        (r, c), v = cells[k], values[k]
        row = -0.13 - 0.055 * k  # one line per corner, led by a square of the corner's colour
        ax.text(0.0, row, "■", transform=ax.transAxes, ha="left", va="top", fontsize=11, color=colours[k])
        drawn.labels.append(
            ax.text(
                0.05,
                row,
                f"({r}, {c}) = {vals[k].text}: {names[k]} = {written_factors[k][0].text} × "
                f"{written_factors[k][1].text} {weights[k][0]} {weights[k][1].text}",
                transform=ax.transAxes,
                ha="left",
                va="top",
                fontsize=8.5,
            )
        )
    for k, ((r, c), v) in enumerate(zip(cells, values, strict=True)):
        drawn.points.append(ax.scatter([c], [r], s=90, color=colours[k], edgecolor="black", zorder=5))
        right, below = k in (1, 3), k in (2, 3)  # each corner's label outside the square
        drawn.labels.append(
            ax.text(
                c + (0.08 if right else -0.08),
                r + (0.08 if below else -0.08),
                f"({r}, {c}) = {num(v, dtype).text}",
                ha="left" if right else "right",
                va="top" if below else "bottom",
                fontsize=9,
                color="black",
                path_effects=_HALO,
            )
        )
    drawn.winners.append(ax.scatter([x], [y], s=80, color=VERMILLION, zorder=6))
    terms = " + ".join(f"{v.operand}×{wk.text}" for (_, wk), v in zip(weights, vals, strict=True))
    sign, value = result(
        sum((v.value * wk.value for (_, wk), v in zip(weights, vals, strict=True)), Fraction(0)),
        p.value,
        dtype,
    )
    ax.set_title(
        text(lang, "fig.bilinear.title", bin=tuple(focus), y=op(p.y).text, x=op(p.x).text)
        + "\n"
        + text(lang, "fig.bilinear.value", terms=terms, eq=sign, v=value.text),
        fontsize=9.5,
    )
    ax.text(
        0.0,
        -0.36,
        text(
            lang,
            "fig.bilinear.fractions",
            y=wy.text,
            r0=r0,
            ly=w_ly.text,
            hy=w_hy.text,
            x=wx.text,
            c0=c0,
            lx=w_lx.text,
            hx=w_hx.text,
            eq1=eq_ly,
            eq2=eq_hy,
            eq3=eq_lx,
            eq4=eq_hx,
        ),
        transform=ax.transAxes,
        ha="left",
        va="top",
        fontsize=8.5,
    )
    ax.set_xlim(c0 - 0.85, c_hi + 0.85)
    ax.set_ylim(r_hi + 0.35, r0 - 0.35)
    ax.set_aspect("equal")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    return drawn


# ----------------------------------------------------------------------------- RoI Pool


def pool_figure(
    trace: Trace, ax: Axes | None = None, *, bin: Sequence[int] | None = None, image: np.ndarray | None = None
) -> Drawn:
    """RoI Pool's two quantizations: ideal bins (dashed) over the cells RoI Pool reads (solid).

    Each bin has its own colour: its ideal continuous bin (the one RoI Align
    uses) dashed, the whole cells RoI Pool pools for it solid, so the
    bin-level misalignment shows as the gap between the two. Every maximum
    is outlined: the chosen cell of each bin thick (a cell that is the max of
    several bins says so), a tied maximum that was not chosen dotted. Bins
    are outlines, never tints, so they stay visible over any map. Above 3×3
    bins only the worked bin (``bin``, else the trace's, else (0, 0)) gets its
    ideal bin, its tie marks and labels; the others are thin outlines with
    their maxima.

    Examples
    --------
    >>> import numpy as np
    >>> from roikit import explain_roi_pool
    >>> t = explain_roi_pool(np.arange(36.0).reshape(6, 6), (0.6, 0.7, 4.2, 4.9), 2)
    >>> d = pool_figure(t)
    >>> len(d.bins), len(d.ideal), len(d.winners)
    (4, 4, 4)
    """
    _check(trace, "roi_pool", "pool_figure")
    with _language(trace.lang):
        return _pool_figure(trace, ax, bin, image)


def _pool_figure(
    trace: Trace, ax: Axes | None, bin_: Sequence[int] | None, image: np.ndarray | None
) -> Drawn:
    lang = trace.lang
    PH, PW = trace.params["output_size"]
    big = PH * PW > MAX_FULL_BINS
    data = pool_data(trace)
    focus = tuple(bin_ if bin_ is not None else data.focus or (0, 0))
    drawn = Drawn(ax if ax is not None else _new_axes()[0])
    ax = drawn.ax
    m = np.array(trace.feature)
    H, W = m.shape
    _draw_map(ax, m, image, drawn)
    ideal = {(b.axis, b.bin): b.ideal for b in data.misalignment.bins}
    n = len(data.bins)
    inset = 0.06 if n <= 16 else 0.0  # overlapping bins' edges side by side, not on top
    xs, ys = [], []
    winners: dict[tuple[int, int], list[str]] = {}
    for i, b in enumerate(data.bins):
        worked = not big or (b.ph, b.pw) == focus
        colour = BIN_COLOURS[i % len(BIN_COLOURS)] if not big else VERMILLION if worked else BLUE
        (r0, r1), (c0, c1) = b.rows, b.cols
        d = inset * ((i % 4) + 1) / 4
        rect = Rectangle(
            (c0 - 0.5 + d, r0 - 0.5 + d),
            max(c1 - c0 - 2 * d, 0),
            max(r1 - r0 - 2 * d, 0),
            fill=False,
            edgecolor=colour,
            linewidth=2.4 if big and worked else 0.9 if big else 1.8,
            zorder=4 if worked else 3,
        )
        rect.set_gid(f"roikit-bin-{b.ph}-{b.pw}")
        ax.add_patch(rect)
        drawn.bins.append(rect)
        if b.winner is not None:
            winners.setdefault(b.winner, []).append(f"({b.ph}, {b.pw})")
        if not worked:
            continue
        (ix0, ix1), (iy0, iy1) = ideal[("x", b.pw)], ideal[("y", b.ph)]
        dashed = Rectangle(
            (ix0, iy0),
            ix1 - ix0,
            iy1 - iy0,
            fill=False,
            edgecolor=colour,
            linestyle="--",
            linewidth=1.3,
            zorder=3,
        )
        ax.add_patch(dashed)
        drawn.ideal.append(dashed)
        if (b.ph, b.pw) == focus and r1 > r0 and c1 > c0:
            # The misalignment table measures a bin from its first to its last cell's centre
            # (cell i's value at i): dotted, so the gap to the dashed bin is the table's shift.
            span = Rectangle(
                (c0, r0),
                c1 - 1 - c0,
                r1 - 1 - r0,
                fill=False,
                edgecolor=colour,
                linestyle=":",
                linewidth=1.6,
                zorder=4,
            )
            ax.add_patch(span)
            drawn.spans.append(span)
        xs += [ix0, ix1, c0 - 0.5, c1 - 0.5]
        ys += [iy0, iy1, r0 - 0.5, r1 - 0.5]
        for cell in b.ties[1:]:
            r, c = cell
            tie = Rectangle(
                (c - 0.42, r - 0.42),
                0.84,
                0.84,
                fill=False,
                edgecolor="black",
                linestyle=":",
                linewidth=1.5,
                zorder=4,
            )
            ax.add_patch(tie)
            drawn.cells.append(tie)
    for (r, c), names in winners.items():
        win = Rectangle(
            (c - 0.46, r - 0.46), 0.92, 0.92, fill=False, edgecolor="black", linewidth=2.6, zorder=4
        )
        ax.add_patch(win)
        drawn.winners.append(win)
        if len(names) > 1 and (not big or f"({focus[0]}, {focus[1]})" in names):  # several bins' max
            drawn.labels.append(
                ax.text(
                    c,
                    r + 0.46,
                    text(lang, "fig.pool.shared", bins=", ".join(names))
                    if len(names) <= 3
                    else text(lang, "fig.pool.shared_many", n=len(names)),
                    ha="center",
                    va="top",
                    fontsize=7,
                    zorder=7,
                    bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.9),
                )
            )
    ax.set_title(text(lang, "fig.pool.title", ph=PH, pw=PW), fontsize=10)
    handles = [
        Line2D([], [], color="0.2", linestyle="--", label=text(lang, "fig.pool.ideal")),
        Line2D([], [], color="0.2", label=text(lang, "fig.pool.cells")),
        Line2D([], [], color="0.2", linestyle=":", label=text(lang, "fig.pool.span", bin=tuple(focus))),
        Line2D(
            [],
            [],
            color="black",
            linewidth=2.6,
            marker="s",
            markerfacecolor="none",
            linestyle="none",
            markersize=9,
            label=text(lang, "fig.pool.max"),
        ),
    ]
    if any(len(b.ties) > 1 for b in data.bins if not big or (b.ph, b.pw) == focus):
        handles.append(
            Line2D(
                [],
                [],
                color="black",
                linestyle=":",
                marker="s",
                linewidth=0,
                markerfacecolor="none",
                markersize=9,
                label=text(lang, "fig.pool.tie"),
            )
        )
    ax.legend(
        handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.09), ncol=2, fontsize=8, frameon=False
    )
    _frame(trace, ax, H, W, xs, ys)
    return drawn


# ----------------------------------------------------------------------------- both outputs


def _matrix(ax: Axes, m: np.ndarray, title: str, drawn: Drawn, lo: float, hi: float) -> None:
    ax.imshow(m, cmap="viridis", interpolation="nearest", vmin=lo, vmax=hi)
    for r in range(m.shape[0]):
        for c in range(m.shape[1]):
            light = hi > lo and (m[r, c] - lo) / (hi - lo) < 0.5
            drawn.labels.append(
                ax.text(
                    c,
                    r,
                    num(m[r, c]).text,
                    ha="center",
                    va="center",
                    fontsize=10,
                    color="white" if light else "black",
                )
            )
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
    _check(pool, "roi_pool", "summary_figure")
    _check(align, "roi_align", "summary_figure")
    with _language(align.lang):
        lang = align.lang
        if axes is None:
            fig = Figure(figsize=(12, 4.2), layout="constrained")
            axes = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.6, 1, 1]})
        drawn = Drawn(axes[0])
        m = np.array(align.feature)
        _draw_map(axes[0], m, None, drawn)
        x, y = align_data(align).x, align_data(align).y
        roi = Rectangle(
            (x.start, y.start),
            x.end - x.start,
            y.end - y.start,
            fill=False,
            edgecolor=BLUE,
            linewidth=2.4,
            zorder=3,
        )
        axes[0].add_patch(roi)
        drawn.roi.append(roi)
        axes[0].set_title(text(lang, "fig.summary.input"), fontsize=10)
        _frame(align, axes[0], m.shape[0], m.shape[1], [x.start, x.end], [y.start, y.end])
        outputs = np.array(pool.output), np.array(align.output)
        lo = float(min(o.min() for o in outputs))  # one colour scale for both outputs
        hi = float(max(o.max() for o in outputs))
        _matrix(axes[1], outputs[0], text(lang, "fig.summary.pool"), drawn, lo, hi)
        _matrix(
            axes[2],
            outputs[1],
            text(lang, "fig.summary.align", mode=text(lang, f"mode.{align.params['mode']}")),
            drawn,
            lo,
            hi,
        )
    return drawn


def backward_figure(trace: Trace, ax: Axes | None = None) -> Drawn:
    """The gradient with respect to the map, and where the worked bin's gradient went.

    Each cell shows its gradient (a light-to-dark scale, the value written in
    the corner); the cells that receive from the worked bin are outlined, with
    an arrow from the bin's point (RoI Align) or the bin's outline (RoI Pool).

    Examples
    --------
    >>> import numpy as np
    >>> from roikit import explain_roi_pool_backward
    >>> t = explain_roi_pool_backward(np.arange(16.0).reshape(4, 4), (0, 0, 3, 3), 2)
    >>> len(backward_figure(t).cells)  # bin (0, 0) sends everything to one cell
    1
    """
    if trace.grad_input is None:
        raise ValueError(f"backward_figure needs a backward trace; got {trace.op!r}")
    with _language(trace.lang):
        lang = trace.lang
        drawn = Drawn(ax if ax is not None else _new_axes()[0])
        ax = drawn.ax
        g = np.array(trace.grad_input)
        H, W = g.shape
        top = float(np.abs(g).max()) or 1.0
        ax.imshow(
            g,
            cmap="Oranges" if g.min() >= 0 else "RdBu_r",
            vmin=-top if g.min() < 0 else 0,
            vmax=top,
            extent=(-0.5, W - 0.5, H - 0.5, -0.5),
            interpolation="nearest",
        )
        if H * W <= MAX_VALUE_CELLS:
            _draw_map(ax, g, None, drawn)
        data = trace.data
        if not isinstance(data, (PoolBackwardData, AlignBackwardData)):
            raise ValueError(f"backward_figure needs a backward trace; got {trace.op!r}")
        focus = tuple(data.focus or (0, 0))
        bins: tuple[PoolBin | AlignBin, ...] = data.bins
        index = next(i for i, b in enumerate(bins) if (b.ph, b.pw) == focus)
        received = data.contributions[index]
        if isinstance(data, PoolBackwardData):
            (r0, r1), (c0, c1) = data.bins[index].rows, data.bins[index].cols
            rect = Rectangle(
                (c0 - 0.5, r0 - 0.5),
                max(c1 - c0, 0),
                max(r1 - r0, 0),
                fill=False,
                edgecolor=BLUE,
                linewidth=2.2,
                zorder=3,
            )
            ax.add_patch(rect)
            drawn.bins.append(rect)
            sources = [((r0 + r1 - 1) / 2, (c0 + c1 - 1) / 2)]
        else:
            sources = [(p.y, p.x) for p in data.bins[index].points if p.inside]
            for y, x in sources:
                drawn.points.append(ax.scatter([x], [y], s=30, color=VERMILLION, zorder=5))
        for (r, c), _ in received:
            cell = Rectangle(
                (c - 0.45, r - 0.45), 0.9, 0.9, fill=False, edgecolor="black", linewidth=1.6, zorder=4
            )
            ax.add_patch(cell)
            drawn.cells.append(cell)
        if isinstance(data, PoolBackwardData) and received:
            (r, c), _ = received[0]
            arrow = FancyArrowPatch(
                (sources[0][1], sources[0][0]),
                (c, r),
                arrowstyle="-|>",
                mutation_scale=12,
                color=BLUE,
                linewidth=1.6,
                zorder=6,
                shrinkA=9,  # start and stop beside the values the arrow joins, not on them
                shrinkB=9,
            )
            ax.add_patch(arrow)
            drawn.arrows.append(arrow)
        ax.set_title(text(lang, "fig.backward.title", ph=focus[0], pw=focus[1]), fontsize=10)
        _frame(trace, ax, H, W, [], [])
    return drawn


def _position(label: str) -> float:
    return float(label.replace("−", "-"))


def halfpixel_figure(trace: Trace, ax: Axes | None = None) -> Drawn:
    """What aligned=True shifts, on one row of cells: the walkthrough's half-pixel table as a picture.

    Pixels 0 and 1 are drawn between their edges with their values at the
    coordinates bilinear interpolation reads them (cell i at i); below them
    the box from pixel edge 0 to edge 2 with aligned=True and with
    aligned=False, and each box's sampling points for 2 bins of one point.
    The positions are the table's own columns; the figure computes none.

    Examples
    --------
    >>> import numpy as np
    >>> from roikit import explain_roi_align
    >>> d = halfpixel_figure(explain_roi_align(np.arange(16.0).reshape(4, 4), (0, 0, 2, 2), 2))
    >>> len(d.roi), len(d.points)  # the two boxes, and their two points each
    (2, 4)
    """
    _check(trace, "roi_align", "halfpixel_figure")
    table = next(t for s in trace.steps if s.key == "align.scale" for t in s.tables)
    cols = [_position(c) for c in table.col_labels]
    values, edges, *boxes = table.values
    boxes_rows, point_rows = boxes[:2], boxes[2:]
    with _language(trace.lang):
        lang = trace.lang
        drawn = Drawn(ax if ax is not None else _new_axes((6.4, 3.2))[0])
        ax = drawn.ax
        halo = [withStroke(linewidth=3, foreground="white")]
        at = lambda row: [x for x, v in zip(cols, row, strict=True) if v]  # noqa: E731
        edge_x, value_x = at(edges), at(values)
        for i, (lo, hi) in enumerate(zip(edge_x, edge_x[1:], strict=False)):
            cell = Rectangle((lo, 2.6), hi - lo, 0.8, facecolor=SKY, alpha=0.25, edgecolor="0.3")
            ax.add_patch(cell)
            drawn.cells.append(cell)
            ax.text(
                (lo + hi) / 2,
                3.25,
                text(lang, "fig.halfpixel.pixel", i=i),
                ha="center",
                fontsize=9,
                path_effects=halo,
            )
        for x, label in zip(value_x, (v for v in values if v), strict=True):
            ax.plot([x], [2.85], "o", color="black", markersize=5)
            ax.text(x, 2.68, str(label), ha="center", va="top", fontsize=8, path_effects=halo)
        for x, label in zip(edge_x, (v for v in edges if v), strict=True):
            ax.axvline(x, color="0.5", linestyle="--", linewidth=0.8, zorder=0)
            ax.text(x, 3.55, str(label), ha="center", fontsize=8, color="0.3", path_effects=halo)
        for y, row, points, colour in zip((1.8, 0.8), boxes_rows, point_rows, (GREEN, ORANGE), strict=True):
            lo, hi = at(row)
            bar = Rectangle((lo, y - 0.15), hi - lo, 0.3, facecolor=colour, alpha=0.35, edgecolor=colour)
            ax.add_patch(bar)
            drawn.roi.append(bar)
            for x in at(points):
                drawn.points.append(ax.scatter([x], [y], s=40, color=colour, edgecolor="black", zorder=3))
                ax.axvline(x, ymin=0, ymax=1, color=colour, linestyle=":", linewidth=0.8, zorder=0)
        for y, label in zip((1.8, 0.8), table.row_labels[2:4], strict=True):
            ax.text(cols[0] - 0.55, y, label, ha="right", va="center", fontsize=8)
        ax.set_xlim(cols[0] - 2.1, cols[-1] + 0.5)
        ax.set_ylim(0.3, 3.9)
        ax.set_yticks([])
        ax.set_xticks(cols, [c for c in table.col_labels])
        ax.set_xlabel(text(lang, "fig.halfpixel.axis"))
        ax.set_title(text(lang, "fig.halfpixel.title"), fontsize=10)
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
        return drawn
