"""Terminal rendering with Rich: headings, step lines, tables with winners highlighted.

Winners are bracketed (``[9]``) so they stand out without colour too; on a
colour terminal they are also bold and reversed.
"""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.rule import Rule
from rich.table import Table as RichTable
from rich.text import Text

from ..explain.trace import Table, Trace
from . import Bins, collapsed_note, title, visible_steps
from ._cells import cell, is_winner, items

__all__ = ["print_trace", "render_text", "to_renderable"]


def _table(t: Table) -> RichTable:
    out = RichTable(show_edge=True, pad_edge=False)
    out.add_column("", style="dim", justify="right")
    for label in t.col_labels:
        out.add_column(label, justify="right")
    for r, (label, row) in enumerate(zip(t.row_labels, t.values, strict=True)):
        cells: list[Text] = [Text(label)]
        for c, v in enumerate(row):
            if is_winner(t, r, c):
                cells.append(Text(f"[{cell(v)}]", style="bold reverse"))
            else:
                cells.append(Text(cell(v)))
        out.add_row(*cells)
    return out


def to_renderable(traces: Trace | list[Trace], bins: Bins = "auto") -> RenderableType:
    """A Rich renderable of one trace or several, one after the other."""
    parts: list[RenderableType] = []
    for trace in items(traces):
        parts.append(Rule(Text(title(trace), style="bold")))
        for step, is_summary in visible_steps(trace, bins):
            parts.append(Text(step.title, style="bold underline"))
            for line in step.lines:
                parts.append(Text(line))
            if is_summary:
                parts.append(Text(collapsed_note(trace), style="italic"))
            for t in step.tables:
                parts.append(Text(t.title, style="italic"))
                parts.append(_table(t))
            parts.append(Text(""))
    return Group(*parts)


def render_text(traces: Any, bins: Bins = "auto", width: int = 100, color: bool = False) -> str:
    """Render to a string of fixed ``width``; ``color=False`` gives plain text."""
    buf = io.StringIO()
    console = Console(file=buf, width=width, color_system="standard" if color else None,
                      force_terminal=color, highlight=False)  # fmt: skip
    console.print(to_renderable(items(traces), bins))
    return buf.getvalue()


def print_trace(traces: Any, bins: Bins = "auto", console: Console | None = None) -> None:
    """Print to the terminal (colour only when the output is a terminal)."""
    (console or Console(highlight=False)).print(to_renderable(items(traces), bins))
