"""The trace: a walkthrough as plain, frozen, JSON-serialisable data.

A :class:`Trace` holds the steps of one worked example (titles, lines of
text, tables of numbers) and the structured numbers behind them (``data``,
one of the typed records below). Renderers in :mod:`roikit.render` turn it
into text, Markdown, LaTeX, HTML or JSON; figures draw it; the checker and the
explorer read it. They all read the records by attribute; they format, they
do not compute.

The records are the JSON contract of ``roikit explain --format json``:
``docs/trace.schema.json`` is generated from them (``tools/trace_schema.py``)
and every JSON output is validated against it by the tests. For code written
against the earlier dictionaries, a record also reads as one
(``trace.data["x"]["start"]``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Literal

__all__ = [
    "AlignAxisData",
    "AlignBin",
    "AlignBackwardData",
    "AlignData",
    "Cell",
    "CompareData",
    "ConventionsData",
    "MisalignmentBin",
    "MisalignmentEdge",
    "Misalignment",
    "ModesData",
    "Note",
    "Point",
    "PoolAxisData",
    "PoolBackwardData",
    "PoolBin",
    "PoolData",
    "Record",
    "Step",
    "Table",
    "Trace",
    "TraceData",
    "WorksheetData",
    "align_data",
    "pool_data",
    "walk_data",
]

Cell = float | str | None
Rows = tuple[tuple[float, ...], ...]


class Record:
    """A frozen record that also reads as the dictionary it exports (``record["key"]``).

    The item syntax is kept for code written when ``Trace.data`` was a dict; it
    reads fields only (never methods), and a missing field is a KeyError.
    """

    __dataclass_fields__: ClassVar[dict[str, Any]]

    def __getitem__(self, key: str) -> Any:
        if key not in self.__dataclass_fields__:
            raise KeyError(key)
        return getattr(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        """The field ``key``, or ``default`` when the record has none."""
        return getattr(self, key) if key in self.__dataclass_fields__ else default

    def __contains__(self, key: str) -> bool:
        return key in self.__dataclass_fields__


@dataclass(frozen=True)
class Table:
    """A small labelled matrix; ``highlight`` marks winners as (row, col) positions.

    A ``blank`` table is a box to write in (a worksheet's answer): its empty
    cells are drawn with room for a number.
    """

    title: str
    row_labels: tuple[str, ...]
    col_labels: tuple[str, ...]
    values: tuple[tuple[Cell, ...], ...]
    highlight: tuple[tuple[int, int], ...] = ()
    blank: bool = False
    note: bool = False  #: an illustration of a "why" (the full document's): a handout leaves it out


class Note(str):
    """A step line that explains why (a paragraph of the full document); a handout leaves it out.

    Examples
    --------
    >>> s = Step("k", "title", ("x = 1", Note("why: because")))
    >>> s.notes, type(s.lines[1]) is str
    ((1,), True)
    """

    __slots__ = ()


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
    #: text to copy exactly (a command, a JSON file), after the tables: never wrapped or typeset
    code: tuple[str, ...] = ()
    #: the indices of lines that explain why (the full document's): a handout leaves them out
    notes: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        # A builder marks a line as a note by writing it as Note(...); the step keeps plain
        # strings and the note's index, so the trace stays plain data.
        marked = {i for i, line in enumerate(self.lines) if isinstance(line, Note)}
        if marked:
            object.__setattr__(self, "notes", tuple(sorted(marked | set(self.notes))))
            object.__setattr__(self, "lines", tuple(str(line) for line in self.lines))


# ----------------------------------------------------------------------------- RoI Pool


@dataclass(frozen=True)
class PoolAxisData(Record):
    """One axis of a RoI Pool walkthrough (x: columns, y: rows), from the plan."""

    scaled_start: float  #: the box's start times spatial_scale, before rounding
    scaled_end: float
    start: int  #: rounded half away from zero
    end: int  #: rounded; inclusive
    size: int  #: ``max(end - start + 1, 1)``
    bin_size: float  #: ``size / bins``
    bin_start_raw: tuple[int, ...]  #: ``floor(p * bin_size) + start`` per bin, before clipping
    bin_end_raw: tuple[int, ...]  #: ``ceil((p + 1) * bin_size) + start``, before clipping
    bin_start: tuple[int, ...]  #: clipped to the map
    bin_end: tuple[int, ...]  #: clipped to the map; a bin covers ``[bin_start, bin_end)``


@dataclass(frozen=True)
class PoolBin(Record):
    """One RoI Pool bin: the cells it reads, its maximum and where it is."""

    ph: int
    pw: int
    rows: tuple[int, int]  #: ``[first, stop)`` of the rows read
    cols: tuple[int, int]  #: ``[first, stop)`` of the columns read
    winner: tuple[int, int] | None  #: (row, column) of the max, the first in row-major order
    value: float
    ties: tuple[tuple[int, int], ...]  #: every cell holding the max, in row-major order


@dataclass(frozen=True)
class MisalignmentEdge(Record):
    """One box edge against the cell RoI Pool rounded it to."""

    side: Literal["left", "right", "top", "bottom"]
    axis: Literal["x", "y"]
    box: float  #: the edge on the map (cells)
    pooled: int  #: the cell it was rounded to
    shift: float  #: ``pooled - box`` in cells
    shift_px: float  #: the same shift in image pixels


@dataclass(frozen=True)
class MisalignmentBin(Record):
    """One bin of one axis: the ideal continuous bin against the whole cells RoI Pool reads."""

    axis: Literal["x", "y"]
    bin: int
    ideal: tuple[float, float]  #: ``[x1 + p w / P, x1 + (p + 1) w / P]`` (RoI Align's bin, unrounded)
    pooled: tuple[int, int] | None  #: first and last cell read (None: an empty bin)


@dataclass(frozen=True)
class Misalignment(Record):
    """RoI Pool's two quantizations, measured: the box edges, then the bins."""

    edges: tuple[MisalignmentEdge, ...]
    bins: tuple[MisalignmentBin, ...]


@dataclass(frozen=True)
class PoolData(Record):
    """The numbers behind a RoI Pool walkthrough."""

    x: PoolAxisData
    y: PoolAxisData
    bins: tuple[PoolBin, ...]  #: row-major
    map_shape: tuple[int, int]
    misalignment: Misalignment
    focus: tuple[int, int] | None  #: the bin worked out in full (None: every bin is)


# ----------------------------------------------------------------------------- RoI Align


@dataclass(frozen=True)
class AlignAxisData(Record):
    """One axis of a RoI Align walkthrough, from the plan (no rounding anywhere)."""

    start: float  #: ``x1 * spatial_scale - offset``
    end: float
    size: float  #: ``end - start``, raised to 1 when not aligned
    bin_size: float
    grid: float  #: sampling points per bin on this axis
    edges: tuple[float, ...]  #: where each bin starts (and the last one ends)


@dataclass(frozen=True)
class Point(Record):
    """One sampling point, with its four neighbours and bilinear weights when it is on the map.

    ``cells``, ``cell_values`` and ``weights`` are in the order ``(y_low, x_low),
    (y_low, x_high), (y_high, x_low), (y_high, x_high)``; the weights are
    ``hy·hx, hy·lx, ly·hx, ly·lx``.
    """

    iy: int  #: the point's number within the bin, along y
    ix: int
    y: float
    x: float
    inside: bool  #: within ``[-1, H] x [-1, W]`` (else worth 0)
    value: float
    cells: tuple[tuple[int, int], ...] | None = None
    cell_values: tuple[float, ...] | None = None
    weights: tuple[float, ...] | None = None
    ly: float | None = None
    hy: float | None = None
    lx: float | None = None
    hx: float | None = None

    def neighbours(self) -> tuple[tuple[tuple[int, int], ...], tuple[float, ...], tuple[float, ...]]:
        """``(cells, cell_values, weights)`` of a point on the map (a ValueError off it)."""
        if self.cells is None or self.cell_values is None or self.weights is None:
            raise ValueError(f"point ({self.y}, {self.x}) is off the map: it has no neighbours")
        return self.cells, self.cell_values, self.weights

    def fractions(self) -> tuple[float, float, float, float]:
        """``(ly, hy, lx, hx)`` of a point on the map (a ValueError off it)."""
        if self.ly is None or self.hy is None or self.lx is None or self.hx is None:
            raise ValueError(f"point ({self.y}, {self.x}) is off the map: it has no fractions")
        return self.ly, self.hy, self.lx, self.hx


@dataclass(frozen=True)
class AlignBin(Record):
    """One RoI Align bin: its points, its value and (max mode) the winning point."""

    ph: int
    pw: int
    value: float
    points: tuple[Point, ...]  #: row-major (iy, then ix)
    winner: int | None  #: index into ``points`` of the max (None: avg mode, or a point off the map won)
    aggregation: str | None  #: the bin's last line (its max or its average), as written


@dataclass(frozen=True)
class AlignData(Record):
    """The numbers behind a RoI Align walkthrough."""

    map_shape: tuple[int, int]
    x: AlignAxisData
    y: AlignAxisData
    count: float  #: points per bin, the divisor of the average
    bins: tuple[AlignBin, ...]
    offset: float  #: 0.5 when aligned (the half-pixel shift), else 0
    focus: tuple[int, int] | None


# ----------------------------------------------------------------------------- backward, comparisons

#: Per bin (row-major), each ``(cell, amount)`` the bin's gradient sends to the map.
Contributions = tuple[tuple[tuple[tuple[int, int], float], ...], ...]


@dataclass(frozen=True)
class PoolBackwardData(PoolData):
    """A RoI Pool walkthrough's numbers, and where each bin's gradient goes."""

    contributions: Contributions = ()


@dataclass(frozen=True)
class AlignBackwardData(AlignData):
    """A RoI Align walkthrough's numbers, and where each bin's gradient goes."""

    contributions: Contributions = ()


@dataclass(frozen=True)
class CompareData(Record):
    """RoI Pool and RoI Align of one box, side by side."""

    pool: Rows
    align: Rows
    difference: Rows  #: align - pool


@dataclass(frozen=True)
class ModesData(Record):
    """RoI Align's two aggregations of one box."""

    max: Rows
    avg: Rows


@dataclass(frozen=True)
class ConventionsData(Record):
    """One box through every convention: each one's output (None where it refused the box)."""

    outputs: dict[str, Rows | None]


@dataclass(frozen=True)
class WorksheetData(Record):
    """A worksheet has no numbers beyond its map: the answers are its key's."""


TraceData = (
    PoolData
    | AlignData
    | PoolBackwardData
    | AlignBackwardData
    | CompareData
    | ModesData
    | ConventionsData
    | WorksheetData
)


def pool_data(trace: Trace) -> PoolData:
    """The records of a RoI Pool walkthrough (forward or backward); a ValueError for any other trace."""
    if not isinstance(trace.data, PoolData):
        raise ValueError(f"a RoI Pool walkthrough is needed; got the trace of {trace.op!r}")
    return trace.data


def align_data(trace: Trace) -> AlignData:
    """The records of a RoI Align walkthrough (forward or backward); a ValueError for any other trace."""
    if not isinstance(trace.data, AlignData):
        raise ValueError(f"a RoI Align walkthrough is needed; got the trace of {trace.op!r}")
    return trace.data


def walk_data(trace: Trace) -> PoolData | AlignData:
    """The records of a RoI Pool or RoI Align walkthrough (forward or backward), else a ValueError."""
    if not isinstance(trace.data, (PoolData, AlignData)):
        raise ValueError(f"a RoI Pool or RoI Align walkthrough is needed; got the trace of {trace.op!r}")
    return trace.data


@dataclass(frozen=True)
class Trace:
    """A worked example of RoI Pool or RoI Align, step by step.

    Attributes
    ----------
    op : {"roi_pool", "roi_align", "roi_pool_backward", "roi_align_backward", "compare", "modes", \
"conventions", "worksheet"}
        What was explained.
    lang : str
        Language of the step text (one of :data:`roikit.i18n.LANGS`).
    params : dict
        The call's arguments (box, spatial_scale, output_size, ...).
    feature : tuple of tuple of float
        The 2-D feature map that was explained.
    output : tuple of tuple of float
        The op's output for this box and channel (the same numbers as the op).
    steps : tuple of Step
        The walkthrough.
    data : TraceData
        Structured numbers (per-axis geometry, bins, points, weights, winners,
        misalignment, focus): one of :class:`PoolData`, :class:`AlignData`,
        :class:`PoolBackwardData`, :class:`AlignBackwardData`,
        :class:`CompareData`, :class:`ModesData`, :class:`ConventionsData`,
        :class:`WorksheetData`.
    grad_input : tuple of tuple of float, optional
        For the backward walkthroughs: the gradient with respect to the map,
        the backward op's numbers.
    """

    op: str
    lang: str
    params: dict[str, Any]
    feature: Rows
    output: Rows
    steps: tuple[Step, ...]
    data: TraceData = field(default_factory=WorksheetData)
    #: the backward walkthroughs' gradient with respect to the map (rows), else None
    grad_input: Rows | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the trace as plain dicts and lists (JSON-ready)."""
        return asdict(self)

    def to_json(self, indent: int | None = 2) -> str:
        """Return the trace as a JSON string (top-level ``output`` and ``steps``)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    # The one upward import of the package (the layer contract names it): a trace displays itself
    # in a notebook through its renderers, lazily, as pandas objects do.
    def _repr_markdown_(self) -> str:
        from ..render.markdown import render_markdown

        return render_markdown(self)

    def _repr_html_(self) -> str:
        from ..render.html import render_html

        return render_html(self, standalone=False)

    def __str__(self) -> str:
        from ..render.text import render_text

        return render_text(self)
