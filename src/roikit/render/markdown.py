"""Markdown rendering: headings, bullet lines and pipe tables, winners in bold."""

from __future__ import annotations

from typing import Any

from ..explain.trace import Table
from . import Bins, collapsed_note, title, visible_steps
from ._cells import cell, is_winner, items

__all__ = ["render_markdown"]


def _escape(s: str) -> str:
    return s.replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")


def _table(t: Table) -> list[str]:
    out = [f"*{_escape(t.title)}*", ""]
    out.append("| | " + " | ".join(_escape(c) for c in t.col_labels) + " |")
    out.append("|---:|" + "---:|" * len(t.col_labels))
    for r, (label, row) in enumerate(zip(t.row_labels, t.values, strict=True)):
        cells = [f"**{_escape(cell(v))}**" if is_winner(t, r, c) else _escape(cell(v))
                 for c, v in enumerate(row)]  # fmt: skip
        out.append(f"| {_escape(label)} | " + " | ".join(cells) + " |")
    return out + [""]


def render_markdown(traces: Any, bins: Bins = "auto") -> str:
    """Render one trace or several as Markdown."""
    out: list[str] = []
    for trace in items(traces):
        out += [f"## {_escape(title(trace))}", ""]
        for step, is_summary in visible_steps(trace, bins):
            out += [f"### {_escape(step.title)}", ""]
            out += [f"- {_escape(line)}" for line in step.lines]
            if step.lines:
                out.append("")
            if is_summary:
                out += [f"*{_escape(collapsed_note(trace, bins))}*", ""]
            for t in step.tables:
                out += _table(t)
    return "\n".join(out).rstrip() + "\n"
