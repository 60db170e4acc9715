"""A trace's figures as files or inline SVG, for the handouts (HTML, Markdown, LaTeX).

The figures are :mod:`roikit.figures` drawings of the trace (they compute
nothing); this module only picks which ones a trace gets and serializes them.
matplotlib is an optional dependency: without it a handout has no figures
and says so.
"""

from __future__ import annotations

import io
import re
from typing import Any

from ..explain.trace import Trace

__all__ = ["FIGURE_STEPS", "NOTE_FIGURES", "available", "figures_of", "placed_in", "to_bytes", "to_svg"]

#: The step a figure goes with, after that step's tables; every other figure goes with the input.
#: The half-pixel picture illustrates the projection step's table, so it sits beside it.
FIGURE_STEPS = {"halfpixel": "align.scale"}
#: Figures that illustrate a note (a "why"): a handout leaves them out with the note.
NOTE_FIGURES = frozenset({"halfpixel"})


def available() -> bool:
    """Whether matplotlib (the ``figures`` extra) is installed."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def figures_of(trace: Trace, handout: bool = False) -> list[tuple[str, Any]]:
    """``(name, Figure)`` for each figure of a walkthrough: none for comparisons.

    A handout leaves out the figures of its notes (:data:`NOTE_FIGURES`): they
    are never drawn, written or placed.
    """
    from . import figures

    drawers: list[tuple[str, Any]] = []
    if trace.op == "roi_pool":
        drawers = [("roi_pool", figures.pool_figure)]
    elif trace.op == "roi_align":
        drawers = [
            ("roi_align", figures.align_figure),
            ("bilinear", figures.bilinear_figure),
            ("halfpixel", figures.halfpixel_figure),
        ]
    return [(name, draw(trace).figure) for name, draw in drawers if not (handout and name in NOTE_FIGURES)]


def placed_in(name: str, step_key: str) -> bool:
    """Whether the figure ``name`` (``halfpixel``, or its file ``walk-2-halfpixel.png``) goes with the step.

    Examples
    --------
    >>> placed_in("walk-2-halfpixel.pdf", "align.scale"), placed_in("walk-2-bilinear.pdf", "input")
    (True, True)
    """
    kind = re.sub(r"\.\w+$", "", name).rsplit("-", 1)[-1]
    return FIGURE_STEPS.get(kind, "input") == step_key


def to_bytes(fig: Any, fmt: str) -> bytes:
    """The figure as PNG or PDF bytes (no timestamps, so files are reproducible)."""
    buf = io.BytesIO()
    meta = {
        "png": {"Software": None},
        "svg": {"Date": None},
        "pdf": {"Creator": None, "Producer": None, "CreationDate": None},
    }[fmt]
    fig.savefig(buf, format=fmt, dpi=110, metadata=meta)
    return buf.getvalue()


def to_svg(fig: Any, prefix: str) -> str:
    """The figure as an inline ``<svg>`` element; element ids get ``prefix`` to stay unique."""
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "roikit"}):  # the same ids on every run
        fig.savefig(buf, format="svg", metadata={"Date": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and doctype: it is inline
    # matplotlib's own ids (clip paths, glyphs) and roikit's gids both become unique per figure.
    svg = re.sub(r'id="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(
        r'(url\(#|xlink:href="#|href="#)([^")]+)', lambda m: f"{m.group(1)}{prefix}{m.group(2)}", svg
    )
    return svg.replace("<svg ", '<svg role="img" ', 1)
