"""Renderers: pure functions of a :class:`~roikit.explain.Trace`. They format; they never compute.

``bins`` selects the per-bin steps to show: ``"auto"`` (all of them up to 4
bins, otherwise the first one in full and the rest in the summary table),
``"all"``, or a ``(row, col)`` pair.
"""

from __future__ import annotations

from typing import Any

from ..explain.trace import Step, Trace

__all__ = ["FORMATS", "render", "visible_steps"]

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


def title(trace: Trace) -> str:
    """The document title of a trace, in its language."""
    from ..explain.lang import text

    if trace.op == "roi_align":
        return text(trace.lang, "doc.roi_align", mode=text(trace.lang, f"mode.{trace.params['mode']}"))
    return text(trace.lang, f"doc.{trace.op}")


def collapsed_note(trace: Trace, bins: Bins = "auto") -> str:
    """The line under the summary table when bins are collapsed: it names the bin shown."""
    from ..explain.lang import text

    shown = next(s.bin for s, _ in visible_steps(trace, bins) if s.bin is not None)
    return text(trace.lang, "summary.collapsed", first=f"({shown[0]}, {shown[1]})")


def render(traces: Any, fmt: str = "text", bins: Bins = "auto", **kwargs: Any) -> str:
    """Render one trace or a list of traces in ``fmt`` (one of :data:`FORMATS`)."""
    items = [traces] if isinstance(traces, Trace) else list(traces)
    if fmt == "text":
        from .text import render_text

        return render_text(items, bins=bins, **kwargs)
    if fmt == "md":
        from .markdown import render_markdown

        return render_markdown(items, bins=bins)
    if fmt == "latex":
        from .latex import render_latex

        return render_latex(items, bins=bins)
    if fmt == "html":
        from .html import render_html

        return render_html(items, bins=bins)
    if fmt == "json":
        import json

        docs = [t.to_dict() for t in items]
        return json.dumps(docs[0] if len(docs) == 1 else docs, ensure_ascii=False, indent=2)
    raise ValueError(f"format must be one of {', '.join(FORMATS)}; got {fmt!r}")
