"""Cell formatting shared by the table renderers."""

from __future__ import annotations

from typing import Any

from ..explain.common import fmt
from ..explain.trace import Table, Trace


def cell(value: Any) -> str:
    """A table cell as text: numbers through :func:`fmt`, strings as they are."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return fmt(value)


def is_winner(table: Table, r: int, c: int) -> bool:
    """Whether (r, c) is highlighted."""
    return (r, c) in table.highlight


def items(traces: Any) -> list[Trace]:
    """One trace or many, as a list."""
    return [traces] if isinstance(traces, Trace) else list(traces)
