"""HTML rendering: a self-contained page (or a fragment for notebooks)."""

from __future__ import annotations

from html import escape
from typing import Any

from ..explain.trace import Table
from . import Bins, collapsed_note, title, visible_steps
from ._cells import cell, is_winner, items

__all__ = ["render_html"]

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60em; margin: 2em auto; line-height: 1.45; }
.roikit table { border-collapse: collapse; margin: 0.4em 0 1em; font-variant-numeric: tabular-nums; }
.roikit caption { text-align: left; font-style: italic; }
.roikit td, .roikit th { border: 1px solid #bbb; padding: 0.15em 0.5em; text-align: right; }
.roikit th { background: #f2f2f2; }
.roikit td.win { font-weight: bold; background: #ffd966; }
.roikit ul { margin: 0.2em 0; }
""".strip()


def _table(t: Table) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in t.col_labels)
    rows = []
    for r, (label, row) in enumerate(zip(t.row_labels, t.values, strict=True)):
        cells = "".join(
            f'<td class="win">{escape(cell(v))}</td>' if is_winner(t, r, c)
            else f"<td>{escape(cell(v))}</td>" for c, v in enumerate(row)
        )  # fmt: skip
        rows.append(f"<tr><th>{escape(label)}</th>{cells}</tr>")
    return (f"<table><caption>{escape(t.title)}</caption><tr><th></th>{head}</tr>"
            + "".join(rows) + "</table>")  # fmt: skip


def render_html(traces: Any, bins: Bins = "auto", standalone: bool = True) -> str:
    """Render one trace or several as HTML (a full page unless ``standalone=False``)."""
    traces = items(traces)
    body = ['<div class="roikit">']
    for trace in traces:
        body.append(f"<h2>{escape(title(trace))}</h2>")
        for step, is_summary in visible_steps(trace, bins):
            body.append(f"<h3>{escape(step.title)}</h3>")
            if step.lines:
                body.append("<ul>" + "".join(f"<li>{escape(x)}</li>" for x in step.lines) + "</ul>")
            if is_summary:
                body.append(f"<p><em>{escape(collapsed_note(trace, bins))}</em></p>")
            body += [_table(t) for t in step.tables]
    body.append("</div>")
    if not standalone:
        return f"<style>{_STYLE}</style>" + "\n".join(body)
    lang = traces[0].lang if traces else "en"
    return (f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{escape(title(traces[0])) if traces else 'roikit'}</title>\n"
            f"<style>\n{_STYLE}\n</style>\n</head>\n<body>\n" + "\n".join(body)
            + "\n</body>\n</html>\n")  # fmt: skip
