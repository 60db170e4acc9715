"""LaTeX rendering: a complete document for pdflatex (Korean through kotex).

Unicode symbols of the step text become LaTeX commands, so the document needs
only packages of a standard TeX distribution.
"""

from __future__ import annotations

from typing import Any

from ..explain.trace import Table
from . import Bins, collapsed_note, title, visible_steps
from ._cells import cell, is_winner, items

__all__ = ["render_latex"]

_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
            "#": r"\#", "^": r"\^{}", "_": r"\_", "%": r"\%", "~": r"\~{}"}  # fmt: skip
_SYMBOLS = {"×": r"$\times$", "−": r"$-$", "→": r"$\rightarrow$", "←": r"$\leftarrow$",
            "⌊": r"$\lfloor$", "⌋": r"$\rfloor$", "⌈": r"$\lceil$", "⌉": r"$\rceil$",
            "…": r"\ldots{}", "≤": r"$\leq$", "≥": r"$\geq$", "—": "---", "·": r"$\cdot$",
            "≈": r"$\approx$", "•": r"\textbullet{}"}  # fmt: skip


def escape(s: str) -> str:
    """Escape LaTeX specials and turn the step text's symbols into commands."""
    return "".join(_SPECIAL.get(ch) or _SYMBOLS.get(ch) or ch for ch in s)


def _table(t: Table) -> list[str]:
    spec = "r|" + "r" * len(t.col_labels)
    out = [r"\begin{center}", rf"\textit{{{escape(t.title)}}}\\[2pt]", r"\small",
           rf"\begin{{tabular}}{{{spec}}}",
           " & " + " & ".join(escape(c) for c in t.col_labels) + r" \\ \hline"]  # fmt: skip
    for r, (label, row) in enumerate(zip(t.row_labels, t.values, strict=True)):
        cells = [rf"\textbf{{{escape(cell(v))}}}" if is_winner(t, r, c) else escape(cell(v))
                 for c, v in enumerate(row)]  # fmt: skip
        out.append(escape(label) + " & " + " & ".join(cells) + r" \\")
    return out + [r"\end{tabular}", r"\end{center}"]


def render_latex(traces: Any, bins: Bins = "auto") -> str:
    """Render one trace or several as a complete LaTeX document."""
    traces = items(traces)
    korean = any(t.lang == "ko" for t in traces)
    out = [r"\documentclass[11pt]{article}", r"\usepackage[T1]{fontenc}",
           r"\usepackage[utf8]{inputenc}", r"\usepackage{amssymb}",
           r"\usepackage[margin=2cm]{geometry}"]  # fmt: skip
    if korean:
        out.append(r"\usepackage{kotex}")
    out += [r"\setlength{\parindent}{0pt}", r"\begin{document}"]
    for trace in traces:
        out.append(rf"\section*{{{escape(title(trace))}}}")
        for step, is_summary in visible_steps(trace, bins):
            out.append(rf"\subsection*{{{escape(step.title)}}}")
            if step.lines:
                out.append(r"\begin{itemize}")
                out += [rf"\item {escape(line)}" for line in step.lines]
                out.append(r"\end{itemize}")
            if is_summary:
                out.append(rf"\textit{{{escape(collapsed_note(trace, bins))}}}")
            for t in step.tables:
                out += _table(t)
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"
