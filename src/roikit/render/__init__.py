"""Renderers: pure functions of a :class:`~roikit.explain.Trace`. They format; they never compute.

``bins`` selects the per-bin steps to show: ``"auto"`` (all of them up to 4
bins, otherwise the first one in full and the rest in the summary table),
``"all"``, or a ``(row, col)`` pair.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..explain.trace import Step, Table, Trace

__all__ = ["FORMATS", "handout_steps", "render", "render_files", "visible_steps"]

FORMATS = ("text", "md", "latex", "html", "json")
Bins = str | tuple[int, int]


def visible_steps(trace: Trace, bins: Bins = "auto") -> list[tuple[Step, bool]]:
    """The steps to show, each with a flag: True on the summary when bins were collapsed."""
    per_bin = [s for s in trace.steps if s.bin is not None]
    if bins == "all" or (bins == "auto" and len(per_bin) <= 4):
        keep = {s.bin for s in per_bin}
    elif bins == "auto":
        keep = {per_bin[0].bin}
    else:
        keep = {tuple(bins)}  # type: ignore[arg-type]
    collapsed = len(keep) < len(per_bin)
    out = []
    for s in trace.steps:
        if s.bin is not None and s.bin not in keep:
            continue
        if s.key == "summary" and not collapsed:
            continue
        out.append((s, s.key == "summary"))
    return out


def handout_steps(trace: Trace) -> list[tuple[Step, bool]]:
    """The steps of a one-sheet handout: every step, with one bin worked in full.

    The worked bin is the trace's (``bin=``), else (0, 0); the other bins are
    in the output table. A step's ``notes`` (the longer "why"s) are the full
    document's: a handout leaves them out.
    """
    focus = tuple(getattr(trace.data, "focus", None) or (0, 0))
    per_bin = [s for s in trace.steps if s.bin is not None]
    return [
        (s, s.key == "summary")
        for s in trace.steps
        if (s.bin is None or s.bin == focus) and (s.key != "summary" or len(per_bin) > 1)
    ]


def step_lines(step: Step, handout: bool = False) -> tuple[str, ...]:
    """A step's lines; a handout leaves out its notes (the longer "why"s)."""
    return tuple(x for i, x in enumerate(step.lines) if not (handout and i in step.notes))


def step_tables(step: Step, handout: bool = False) -> tuple[Table, ...]:
    """A step's tables; a handout leaves out the ones that illustrate a note."""
    return tuple(t for t in step.tables if not (handout and t.note))


@dataclass(frozen=True)
class Item:
    """One line of a step as a list item, with the lines indented under it."""

    text: str
    children: tuple[Item, ...] = ()


def outline(lines: Sequence[str]) -> list[Item]:
    """A step's lines as a nested list: two more leading spaces is one level deeper.

    The explainer indents a point's derivation under the point; a document
    renderer writes that as a list inside the point's item.

    Examples
    --------
    >>> [(i.text, [c.text for c in i.children]) for i in outline(["point 1", "  y = 2", "  x = 3", "max"])]
    [('point 1', ['y = 2', 'x = 3']), ('max', [])]
    """

    def build(items: list[tuple[int, str]]) -> list[Item]:
        out: list[Item] = []
        i = 0
        while i < len(items):
            depth, line = items[i]
            j = i + 1
            while j < len(items) and items[j][0] > depth:
                j += 1
            out.append(Item(line, tuple(build(items[i + 1 : j]))))
            i = j
        return out

    return build([((len(x) - len(x.lstrip(" "))) // 2, x.strip()) for x in lines])


def title(trace: Trace) -> str:
    """The document title of a trace, in its language."""
    from ..i18n import text

    if trace.op == "roi_align":
        return text(trace.lang, "doc.roi_align", mode=text(trace.lang, f"mode.{trace.params['mode']}"))
    return text(trace.lang, f"doc.{trace.op}")


def collapsed_note(trace: Trace, bins: Bins = "auto") -> str:
    """The line under the summary table when bins are collapsed: it names the bin shown."""
    from ..i18n import text

    shown = next(s.bin for s, _ in visible_steps(trace, bins) if s.bin is not None)
    return text(trace.lang, "summary.collapsed", first=f"({shown[0]}, {shown[1]})")


def render(traces: Any, fmt: str = "text", bins: Bins = "auto", **kwargs: Any) -> str:
    """Render one trace or a list of traces in ``fmt`` (one of :data:`FORMATS`).

    Keyword arguments go to the format's renderer: ``width`` (text);
    ``figures`` (md, latex: the figure files to link per trace; html: inline
    them), ``handout`` (html, latex).
    """
    items = [traces] if isinstance(traces, Trace) else list(traces)
    if fmt == "text":
        from .text import render_text

        return render_text(items, bins=bins, **kwargs)
    if fmt == "md":
        from .markdown import render_markdown

        return render_markdown(items, bins=bins, **kwargs)
    if fmt == "latex":
        from .latex import render_latex

        return render_latex(items, bins=bins, **kwargs)
    if fmt == "html":
        from .html import render_html

        return render_html(items, bins=bins, **kwargs)
    if fmt == "json":
        import json

        docs = [t.to_dict() for t in items]
        return json.dumps(docs[0] if len(docs) == 1 else docs, ensure_ascii=False, indent=2)
    raise ValueError(f"format must be one of {', '.join(FORMATS)}; got {fmt!r}")


def render_files(
    traces: Any, fmt: str, path: Any, bins: Bins = "auto", handout: bool = False
) -> list[tuple[Any, bytes]]:
    """The document for ``path`` and the figure files it links, as ``(path, bytes)`` pairs.

    Markdown links PNG figures and LaTeX includes PDF figures, written beside
    the document as ``<stem>-<n>-<name>.<ext>``; HTML carries its figures
    inline, text and JSON have none. The caller writes all the files or none.
    """
    from pathlib import Path

    from .figure_files import available, figures_of, to_bytes

    items = [traces] if isinstance(traces, Trace) else list(traces)
    path = Path(path)
    files: list[tuple[Any, bytes]] = []
    kwargs: dict[str, Any] = {"handout": handout} if fmt in ("html", "latex") else {}
    if fmt in ("md", "latex") and available():
        ext = "png" if fmt == "md" else "pdf"
        names: list[list[str]] = []
        # Figure files get a plain ASCII name, so the links and \includegraphics that name them
        # work in every Markdown viewer and in pdflatex whatever the document is called.
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", path.stem).strip("_") or "walkthrough"
        for i, trace in enumerate(items):
            mine = []
            for name, fig in figures_of(trace, handout):
                file = path.with_name(f"{stem}-{i + 1}-{name}.{ext}")
                files.append((file, to_bytes(fig, ext)))
                mine.append(file.name)
            names.append(mine)
        kwargs["figures"] = names
    document = render(items, fmt, bins=bins, **kwargs)
    return [(path, document.encode("utf-8")), *files]
