"""LaTeX rendering: a complete document for pdflatex (Korean through kotex, as its catalogue says).

Unicode symbols of the step text become LaTeX commands, so the document needs
only packages of a standard TeX distribution.
"""

from __future__ import annotations

import re
from typing import Any

from ..explain.trace import Table
from ..i18n import text
from . import (
    Bins,
    Item,
    collapsed_note,
    handout_steps,
    outline,
    step_lines,
    step_tables,
    title,
    visible_steps,
)
from ._tables import cell, dedupe_maps, is_winner
from .figure_files import placed_in

__all__ = ["render_latex"]

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\^{}",
    "_": r"\_\allowbreak{}",  # sampling_ratio=-1 may break after its underscore, not overflow
    "%": r"\%",
    "~": r"\textasciitilde{}",
}
_SYMBOLS = {
    "×": r"$\times$",
    "−": r"$-$",
    "→": r"$\rightarrow$",
    "●": r"$\bullet$",
    "←": r"$\leftarrow$",
    "⌊": r"$\lfloor$",
    "⌋": r"$\rfloor$",
    "⌈": r"$\lceil$",
    "⌉": r"$\rceil$",
    "…": r"\ldots{}",
    "≤": r"$\leq$",
    "≥": r"$\geq$",
    "—": "---",
    "·": r"$\cdot$",
    "≈": r"$\approx$",
    "•": r"\textbullet{}",
}


def escape(s: str) -> str:
    """Escape LaTeX specials and turn the step text's symbols into commands.

    ``--`` stays two hyphens (``-{}-``): the T1 fonts would join them into an
    en dash, and a printed ``--level`` could not be typed back.
    """
    out = "".join(_SPECIAL.get(ch) or _SYMBOLS.get(ch) or ch for ch in s)
    return out.replace("--", "-{}-")


_VARS = re.compile(r"\b([lh])([xy])\b|\b([xy])([12])\b|\b([xy])\\_low\b")


def typeset(s: str) -> str:
    """:func:`escape`, with the walkthrough's variables in math mode: $l_y$, $x_1$, $y_{low}$."""

    def sub(m: re.Match[str]) -> str:
        if m.group(1):
            return f"${m.group(1)}_{m.group(2)}$"
        if m.group(3):
            return f"${m.group(3)}_{m.group(4)}$"
        return f"${m.group(5)}_{{\\mathrm{{low}}}}$"

    return _VARS.sub(sub, escape(s))


def _items(items: list[Item], spacing: str) -> list[str]:
    """A nested itemize: a derivation is a list inside its point's item."""
    out = [r"\begin{itemize}" + spacing]
    for item in items:
        out.append(rf"\item {typeset(item.text)}")
        if item.children:
            out += _items(list(item.children), spacing)
    return [*out, r"\end{itemize}"]


#: An empty cell of a blank table: room for a number, as tall as a line of handwriting.
_BLANK_CELL = r"\rule{0pt}{7mm}\hspace{16mm}"


def _table(t: Table, handout: bool = False) -> list[str]:
    if t.blank:
        return _blank_table(t)
    spec = "r|" + "r" * len(t.col_labels)
    out = [
        r"\begin{center}",
        rf"\textit{{{escape(t.title)}}}\\[2pt]",
        # a handout's column is narrow: its tables are a size smaller, their columns closer
        r"\scriptsize\setlength{\tabcolsep}{3pt}" if handout else r"\small",
        rf"\begin{{tabular}}{{{spec}}}",
        " & " + " & ".join(escape(c) for c in t.col_labels) + r" \\ \hline",
    ]
    for r, (label, row) in enumerate(zip(t.row_labels, t.values, strict=True)):
        cells = [
            rf"\textbf{{{escape(cell(v))}}}" if is_winner(t, r, c) else escape(cell(v))
            for c, v in enumerate(row)
        ]
        out.append(escape(label) + " & " + " & ".join(cells) + r" \\")
    return out + [r"\end{tabular}", r"\end{center}"]


def _blank_table(t: Table) -> list[str]:
    """A box to write in: every cell ruled, with room for a number."""
    spec = "|r|" + "c|" * len(t.col_labels)
    out = [
        r"\begin{center}",
        *([rf"\textit{{{escape(t.title)}}}\\[2pt]"] if t.title else []),
        rf"\begin{{tabular}}{{{spec}}}",
        r"\hline",
        " & " + " & ".join(escape(c) for c in t.col_labels) + r" \\ \hline",
    ]
    for label, row in zip(t.row_labels, t.values, strict=True):
        cells = [escape(cell(v)) if cell(v) else _BLANK_CELL for v in row]
        out.append(escape(label) + " & " + " & ".join(cells) + r" \\ \hline")
    return out + [r"\end{tabular}", r"\end{center}"]


def render_latex(
    traces: Any, bins: Bins = "auto", figures: list[list[str]] | None = None, handout: bool = False
) -> str:
    """Render one trace or several as a complete LaTeX document.

    ``figures`` names, per trace, the PDF figures written beside the document
    (:func:`roikit.render.render_files`), included after the input step.
    ``handout`` keeps the map, the figures, one bin worked in full, the output
    and the comparison, in a compact layout for a printed sheet (A4).
    """
    traces = dedupe_maps(traces)
    # Each language's catalogue names the package that typesets its script (Korean: kotex).
    packages = dict.fromkeys(text(t.lang, "latex.package") for t in traces)
    # A handout is two columns of small type: a printed sheet, front and back.
    options, margin = ("10pt,a4paper,twocolumn", "1cm") if handout else ("11pt,a4paper", "2cm")
    out = [
        rf"\documentclass[{options}]{{article}}",
        r"\usepackage{cmap}",  # before fontenc: text copied from the PDF keeps its letters (fi, --)
        r"\usepackage[T1]{fontenc}",
        r"\usepackage[utf8]{inputenc}",
        r"\usepackage{amssymb}",
        r"\usepackage{graphicx}",
        rf"\usepackage[margin={margin}]{{geometry}}",
    ]
    out += [rf"\usepackage{{{p}}}" for p in packages if p != "none"]
    out += [r"\setlength{\parindent}{0pt}", r"\begin{document}"]
    if handout:
        # Small type, and lists without the space between items a page of prose would want.
        out += [
            r"\footnotesize",
            r"\makeatletter",
            r"\def\@listi{\leftmargin\leftmargini\topsep1pt\parsep0pt\itemsep0pt}\let\@listI\@listi",
            r"\def\@listii{\leftmargin\leftmarginii\topsep0pt\parsep0pt\itemsep0pt}",
            r"\makeatother",
        ]
    heading = "sub" if handout else ""
    for i, trace in enumerate(traces):
        # A handout's headings are a size smaller: the sheet is for the steps, not their titles.
        out.append(rf"\{heading}section*{{{escape(title(trace))}}}")
        shown = handout_steps(trace) if handout else visible_steps(trace, bins)
        for step, is_summary in shown:
            out.append(rf"\{heading}subsection*{{{escape(step.title)}}}")
            if lines := step_lines(step, handout):
                out += _items(outline(lines), r"\itemsep0pt" if handout else "")
            if is_summary:
                out.append(rf"\textit{{{escape(collapsed_note(trace, bins))}}}")
            names = [n for n in figures[i] if placed_in(n, step.key)] if figures is not None else []
            for t in step_tables(step, handout):
                out += _table(t, handout)  # a handout keeps the map as a table: the figure's labels are small
            if step.code:
                out += [r"\begin{verbatim}", *step.code, r"\end{verbatim}"]
            if names:
                width = 0.55 if handout else 0.48 if len(names) > 1 else 0.6
                out.append(r"\begin{center}")
                out += [rf"\includegraphics[width={width}\linewidth]{{{name}}}" for name in names]
                out.append(r"\end{center}")
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"
