"""The trace: a walkthrough as plain, frozen, JSON-serialisable data.

A :class:`Trace` holds the steps of one worked example (titles, lines of
text, tables of numbers) and the structured numbers behind them (``data``).
Renderers in :mod:`roikit.render` turn it into text, Markdown, LaTeX, HTML or
JSON; they format, they do not compute.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

Cell = float | str | None


@dataclass(frozen=True)
class Table:
    """A small labelled matrix; ``highlight`` marks winners as (row, col) positions."""

    title: str
    row_labels: tuple[str, ...]
    col_labels: tuple[str, ...]
    values: tuple[tuple[Cell, ...], ...]
    highlight: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Step:
    """One step of a walkthrough.

    ``bin`` is set on the per-bin steps, which renderers may collapse for big
    outputs (only the first is shown in full unless asked otherwise).
    """

    key: str
    title: str
    lines: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    bin: tuple[int, int] | None = None


@dataclass(frozen=True)
class Trace:
    """A worked example of RoI Pool or RoI Align, step by step.

    Attributes
    ----------
    op : {"roi_pool", "roi_align", "compare"}
        What was explained.
    lang : {"en", "ko"}
        Language of the step text.
    params : dict
        The call's arguments (box, spatial_scale, output_size, ...).
    feature : tuple of tuple of float
        The 2-D feature map that was explained.
    output : tuple of tuple of float
        The op's output for this box and channel (the same numbers as the op).
    steps : tuple of Step
        The walkthrough.
    data : dict
        Structured numbers (per-axis geometry, bins, samples, weights), for
        figures and JSON.
    grad_input : tuple of tuple of float, optional
        For the backward walkthroughs: the gradient with respect to the map,
        the backward op's numbers.
    """

    op: str
    lang: str
    params: dict[str, Any]
    feature: tuple[tuple[float, ...], ...]
    output: tuple[tuple[float, ...], ...]
    steps: tuple[Step, ...]
    data: dict[str, Any] = field(default_factory=dict)
    #: the backward walkthroughs' gradient with respect to the map (rows), else None
    grad_input: tuple[tuple[float, ...], ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the trace as plain dicts and lists (JSON-ready)."""
        return asdict(self)

    def to_json(self, indent: int | None = 2) -> str:
        """Return the trace as a JSON string (top-level ``output`` and ``steps``)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    def _repr_markdown_(self) -> str:
        from ..render.markdown import render_markdown

        return render_markdown(self)

    def _repr_html_(self) -> str:
        from ..render.html import render_html

        return render_html(self, standalone=False)

    def __str__(self) -> str:
        from ..render.text import render_text

        return render_text(self)
