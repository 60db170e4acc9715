"""Terminal rendering with Rich: headings, step lines, tables with winners highlighted.

Winners are bracketed (``[9]``) so they stand out without colour too; on a
colour terminal they are also bold and reversed.
"""

from __future__ import annotations

import io
import re
from typing import Any

from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.rule import Rule
from rich.table import Table as RichTable
from rich.text import Text

from ..explain.trace import Table, Trace
from . import Bins, collapsed_note, title, visible_steps
from ._tables import cell, dedupe_maps, is_winner

__all__ = ["print_trace", "render_text", "to_renderable"]

#: A cell holding words, not a number with its unit (``+0.4 (+0.8 px)``): left-aligned.
_WORDS = re.compile(r"[^\W\d_]{3,}|[\uac00-\ud7a3]")


#: The width of a cell to write a number in (a worksheet's answer box).
BLANK_WIDTH = 10


def _text(t: Table, r: int, c: int) -> str:
    v = cell(t.values[r][c])
    return f"[{v}]" if is_winner(t, r, c) else v


def _table(t: Table, cols: range, wrap: bool = False) -> RichTable:
    # Row labels are names (a convention, a bin): never shortened. Numbers never wrap; only a
    # column of words wider than the terminal (a convention's border rule) wraps, at spaces.
    # A blank table is a box to write in: every cell has room for a number, rows ruled apart.
    out = RichTable(show_edge=True, pad_edge=False, show_lines=t.blank)
    widest = max((cell_len(x) for x in t.row_labels), default=0)
    out.add_column("", style="dim", justify="right", no_wrap=True, min_width=widest)
    for c in cols:
        words = any(isinstance(v, str) and _WORDS.search(v) for v in (row[c] for row in t.values))
        out.add_column(
            t.col_labels[c],
            justify="left" if words else "right",
            no_wrap=not wrap,
            min_width=BLANK_WIDTH if t.blank else None,
        )
    for r, label in enumerate(t.row_labels):
        cells: list[Text] = [Text(label)]
        for c in cols:
            cells.append(Text(_text(t, r, c), style="bold reverse" if is_winner(t, r, c) else ""))
        out.add_row(*cells)
    return out


def _tables(t: Table, width: int) -> list[RichTable]:
    """The table, split into column blocks that fit ``width``: numbers are never elided."""

    def need(c: int) -> int:  # the column's widest entry, in terminal cells, + padding + border
        entries = [t.col_labels[c]] + [_text(t, r, c) for r in range(len(t.values))]
        return max(cell_len(e) for e in entries) + 3

    label = max((cell_len(x) for x in t.row_labels), default=0) + 3
    blocks: list[range] = []
    start, used = 0, label
    for c in range(len(t.col_labels)):
        if c > start and used + need(c) > width:
            blocks.append(range(start, c))
            start, used = c, label
        used += need(c)
    blocks.append(range(start, len(t.col_labels)))
    return [_table(t, b, wrap=len(b) == 1 and label + need(b[0]) > width) for b in blocks]


#: A space next to these is never a line break: ``0.1375 × 0.8`` and ``2.8625 − 2`` stay whole.
_TIGHT = set("×·/−←→")
#: A line may break before these (they start the next line), never after them.
_LEADS = {"+", "=", "≈"}
_OPEN, _CLOSE = "([{⌊⌈", ")]}⌋⌉"
#: A command the reader types, kept on one line: ``roikit check align --level 1 --answer FILE``.
#: A call's bracket follows a name or a bracket (``roi_align(``, ``f(x)(``); prose's follows a space.
_CALL = re.compile(r"[A-Za-z0-9_\])]\(")
_COMMAND = re.compile(r"\broikit(?: [a-z]+)+(?: --[\w-]+(?: (?!--)[^\s]+)?)*")


def _breaks(line: str) -> list[int]:
    """Where ``line`` may break (indices of spaces), so that no term of an equation is cut.

    A break never falls inside a product, quotient or difference (``a × b``),
    after ``=``, ``≈`` or ``+`` (those begin the next line instead), inside
    an interval's, a floor's or a call's brackets except after a comma (a long
    call breaks between its arguments; a round bracket after a space or a
    letter of prose is prose), or inside a
    ``roikit`` command.
    """
    kept = {i for m in _COMMAND.finditer(line) for i in range(m.start(), m.end())}
    depth, out = 0, []
    for i, ch in enumerate(line):
        if ch in _OPEN and (depth or ch != "(" or _CALL.match(line, max(i - 1, 0))):
            depth += 1
        elif ch in _CLOSE:
            depth = max(depth - 1, 0)
        if ch != " " or i == 0 or line[i - 1] == " " or i + 1 >= len(line) or i in kept:
            continue
        before, after = line[:i].split(" ")[-1], line[i + 1 :].split(" ")[0]
        if before in _TIGHT or after in _TIGHT or before in _LEADS:
            continue
        if depth and not before.endswith(","):
            continue
        out.append(i)
    return out


def wrap_line(line: str, width: int) -> list[str]:
    """``line`` cut at its allowed breaks into pieces of at most ``width`` cells (as far as it can be).

    Continuation pieces keep the line's indent and two more spaces, so a
    formula that goes on reads as one.

    Examples
    --------
    >>> wrap_line("  hy = 1 − ly = 0.1375", 14)
    ['  hy = 1 − ly', '    = 0.1375']
    """
    indent = len(line) - len(line.lstrip(" "))
    pad = " " * (indent + 2)
    out: list[str] = []
    start, last = 0, None
    for b in [*_breaks(line), len(line)]:
        piece = line[start:b] if not out else pad + line[start:b]
        if cell_len(piece) > width and last is not None:
            out.append(line[start:last] if not out else pad + line[start:last])
            start, last = last + 1, b
        else:
            last = b
    out.append(line[start:] if not out else pad + line[start:])
    return out


def _lines(line: str, width: int, style: str = "") -> Text:
    return Text("\n".join(wrap_line(line, width)), style=style, no_wrap=True, overflow="fold")


def to_renderable(traces: Trace | list[Trace], bins: Bins = "auto", width: int = 100) -> RenderableType:
    """A Rich renderable of one trace or several, one after the other, for ``width`` columns."""
    parts: list[RenderableType] = []
    for trace in dedupe_maps(traces):
        parts.append(Rule(Text(title(trace), style="bold")))
        for step, is_summary in visible_steps(trace, bins):
            parts.append(_lines(step.title, width, "bold underline"))
            for line in step.lines:
                parts.append(_lines(line, width))
            if is_summary:
                parts.append(_lines(collapsed_note(trace, bins), width, "italic"))
            for t in step.tables:
                if t.title:
                    parts.append(Text(t.title, style="italic"))
                parts.extend(_tables(t, width))
            # Code is copied as it is: never wrapped (a terminal folds what it must).
            parts.extend(Text("  " + line, no_wrap=True, overflow="ignore") for line in step.code)
            parts.append(Text(""))
    return Group(*parts)


def render_text(traces: Any, bins: Bins = "auto", width: int = 100, color: bool = False) -> str:
    """Render to a string of fixed ``width``; ``color=False`` gives plain text."""
    buf = io.StringIO()
    console = Console(
        file=buf,
        width=width,
        color_system="standard" if color else None,
        force_terminal=color,
        highlight=False,
    )
    console.print(to_renderable(dedupe_maps(traces), bins, width))
    return buf.getvalue()


def print_trace(traces: Any, bins: Bins = "auto", console: Console | None = None) -> None:
    """Print to the terminal (colour only when the output is a terminal)."""
    console = console or Console(highlight=False)
    console.print(to_renderable(dedupe_maps(traces), bins, console.width))


def terminal_text(traces: Any, bins: Bins = "auto") -> str:
    """The text :func:`print_trace` would print, as a string: the terminal's width, colour if it has any.

    The command line prints this string itself, so that it can refuse a
    terminal whose encoding cannot show it before anything is printed.
    """
    console = Console(highlight=False)
    return render_text(traces, bins, width=console.width, color=console.is_terminal)
