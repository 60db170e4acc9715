"""Markdown rendering: headings, bullet lines and pipe tables, winners in bold."""

from __future__ import annotations

from typing import Any

from ..explain.trace import Table
from ..i18n import text
from . import Bins, Item, collapsed_note, outline, title, visible_steps
from ._tables import cell, dedupe_maps, is_winner
from .figure_files import placed_in

__all__ = ["render_markdown"]


def _escape(s: str) -> str:
    return s.replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")


def _items(items: list[Item], depth: int = 0) -> list[str]:
    out: list[str] = []
    for item in items:
        out.append("  " * depth + f"- {_escape(item.text)}")
        out += _items(list(item.children), depth + 1)
    return out


def _table(t: Table) -> list[str]:
    out = [f"*{_escape(t.title)}*", ""] if t.title else []
    out.append("| | " + " | ".join(_escape(c) for c in t.col_labels) + " |")
    out.append("|---:|" + "---:|" * len(t.col_labels))
    for r, (label, row) in enumerate(zip(t.row_labels, t.values, strict=True)):
        cells = [
            f"**{_escape(cell(v))}**" if is_winner(t, r, c) else _escape(cell(v)) for c, v in enumerate(row)
        ]
        out.append(f"| {_escape(label)} | " + " | ".join(cells) + " |")
    return out + [""]


def render_markdown(traces: Any, bins: Bins = "auto", figures: list[list[str]] | None = None) -> str:
    """Render one trace or several as Markdown.

    ``figures`` names, per trace, the image files written beside the document
    (:func:`roikit.render.render_files` writes them); they are linked after the
    input step. Without them a walkthrough says how to get its figures.
    """
    out: list[str] = []
    for i, trace in enumerate(dedupe_maps(traces)):
        out += [f"## {_escape(title(trace))}", ""]
        hint = [f"*{_escape(text(trace.lang, 'doc.figures_hint'))}*"]
        for step, is_summary in visible_steps(trace, bins):
            out += [f"### {_escape(step.title)}", ""]
            out += _items(outline(step.lines))
            if step.lines:
                out.append("")
            if is_summary:
                out += [f"*{_escape(collapsed_note(trace, bins))}*", ""]
            for t in step.tables:
                out += _table(t)
            if step.code:
                out += ["```", *step.code, "```", ""]
            if figures is not None:
                links = [f"![{name}]({name})" for name in figures[i] if placed_in(name, step.key)]
            else:
                links = hint if step.key == "input" and trace.op in ("roi_pool", "roi_align") else []
            if links:
                out += [*links, ""]
    return "\n".join(out).rstrip() + "\n"
