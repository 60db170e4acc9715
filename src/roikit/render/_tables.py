"""Table cells shared by the renderers, and the rule that a map already shown is not shown again."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..explain.trace import Table, Trace
from ..i18n.numbers import num


def cell(value: Any) -> str:
    """A table cell as text: a number by the rule of the lines (:func:`~roikit.i18n.numbers.num`).

    The walkthroughs write their tables' numbers themselves; numbers that reach
    a renderer as floats (a comparison's columns) get the same rule, so one
    number never appears in two spellings.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return num(value).text


def is_winner(table: Table, r: int, c: int) -> bool:
    """Whether (r, c) is highlighted."""
    return (r, c) in table.highlight


def dedupe_maps(traces: Any) -> list[Trace]:
    """One trace or many, as a list; a map already shown by an earlier trace is not shown again.

    The later trace keeps its input lines and says the map is the one above
    (the demo explains RoI Pool and RoI Align on the same map).
    """
    out: list[Trace] = []
    shown: list[Any] = []
    for trace in [traces] if isinstance(traces, Trace) else list(traces):
        step = next((s for s in trace.steps if s.key == "input"), None)
        table = step.tables[0] if step is not None and step.tables else None
        if step is not None and table is not None and table in shown:
            from ..i18n import text

            same = replace(step, lines=(*step.lines, text(trace.lang, "input.same_map")), tables=())
            trace = replace(trace, steps=tuple(same if s is step else s for s in trace.steps))
        elif table is not None:
            shown.append(table)
        out.append(trace)
    return out
