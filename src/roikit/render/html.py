"""HTML rendering: a self-contained page (or a fragment for notebooks), figures inline.

The page needs no network: styles and the small hover script are inline and
the figures are inline SVG. Hovering (or focusing) an output cell highlights
its bin everywhere: the bin's cells in the map table, its outline and points
in the figure, and its worked step. It prints on A4 (a print stylesheet) and
reads on a phone (tables scroll sideways).
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from ..explain.trace import AlignBin, AlignData, PoolBin, PoolData, Step, Table, Trace, walk_data
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

__all__ = ["render_html"]

#: Light tints for the bins' cells in the map table (Okabe–Ito, very pale).
_TINTS = ("#d6e6f2", "#f7dccb", "#cfeadf", "#efdbe8", "#f9ecc7", "#dcecf7")

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 62em; margin: 2em auto; padding: 0 1em;
       line-height: 1.45; }
.roikit table { border-collapse: collapse; margin: 0.4em 0 1em; font-variant-numeric: tabular-nums; }
.roikit .scroll { overflow-x: auto; }
.roikit caption { text-align: left; font-style: italic; }
.roikit td, .roikit th { border: 1px solid #bbb; padding: 0.15em 0.5em; text-align: right; }
.roikit th { background: #f2f2f2; }
.roikit td.win { font-weight: bold; outline: 2px solid #000; outline-offset: -3px; }
.roikit td[data-out] { cursor: pointer; }
.roikit table.blank td { min-width: 5.5em; height: 2.2em; border-color: #555; }
.roikit pre { background: #f6f6f6; padding: 0.5em 0.8em; overflow-x: auto; white-space: pre; }
.roikit ul { margin: 0.2em 0; }
.roikit li { font-variant-numeric: tabular-nums; }
.roikit .var { font-family: "Cambria Math", "STIX Two Math", Georgia, serif; font-style: italic; }
.roikit figure { margin: 0.5em 0 1em; display: flex; flex-wrap: wrap; gap: 1em; }
.roikit figure svg { max-width: 100%; height: auto; }
.roikit .hl { outline: 3px solid #d55e00; outline-offset: -2px; }
.roikit section.step.hl { outline: none; background: #fff4e6; }
.roikit svg .hl path { stroke: #d55e00 !important; stroke-width: 4px !important; }
@media (max-width: 40em) { body { margin: 0.5em auto; font-size: 95%; } }
@page { size: A4; margin: 12mm; }
@media print {
  body { max-width: none; margin: 0; font-size: 9.5pt; line-height: 1.3; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  /* each walkthrough starts a page; the comparisons follow on the page they fit */
  .roikit section.op-roi_pool ~ section.op-roi_align,
  .roikit section.op-roi_align ~ section.op-roi_pool { break-before: page; }
  .roikit h2, .roikit h3 { break-after: avoid; margin: 0.5em 0 0.2em; }
  .roikit section.step, .roikit figure, .roikit table, .roikit pre, .roikit li { break-inside: avoid; }
  .roikit figure svg { max-height: 11cm; width: auto; }
  /* a handout: two columns of small type, one page per walkthrough */
  .roikit.handout { font-size: 7.2pt; line-height: 1.2; column-count: 2; column-gap: 6mm; }
  .roikit.handout h2 { font-size: 11pt; }
  .roikit.handout h3 { font-size: 8.5pt; }
  .roikit.handout ul { padding-left: 1.2em; }
  .roikit.handout td, .roikit.handout th { padding: 0 0.3em; }
  .roikit.handout figure svg { max-height: 4.2cm; max-width: 100%; }
  .roikit.handout section.trace > h2 + section.step { break-before: avoid; }
  .roikit.handout section.step { break-inside: auto; }
  .roikit.handout .scroll { overflow: visible; }
}
""".strip()

# Hover (or keyboard focus) on an output cell lights its bin in its own trace section.
_SCRIPT = """
document.querySelectorAll('.roikit section.trace').forEach(function (sec) {
  function mark(bin, on) {
    sec.querySelectorAll('[data-bins~="' + bin + '"], [data-step-bin="' + bin + '"], ' +
      '[id$="roikit-bin-' + bin + '"], [id*="roikit-pt-' + bin + '-"]').forEach(function (el) {
      el.classList.toggle('hl', on);
    });
  }
  sec.querySelectorAll('td[data-out]').forEach(function (td) {
    var bin = td.getAttribute('data-out');
    function on() { mark(bin, true); }
    function off() { mark(bin, false); }
    ['mouseenter', 'focus'].forEach(function (e) { td.addEventListener(e, on); });
    ['mouseleave', 'blur'].forEach(function (e) { td.addEventListener(e, off); });
  });
});
""".strip()

_VARS = re.compile(r"\b([lh])([xy])\b|\b([xy])([12])\b|\b([xy])_low\b")


def _typeset(line: str) -> str:
    """Escape a step line and set its variables as math: l<sub>y</sub>, x<sub>1</sub>, y<sub>low</sub>."""

    def sub(m: re.Match[str]) -> str:
        base, index = (
            (m.group(1), m.group(2))
            if m.group(1)
            else (m.group(3), m.group(4))
            if m.group(3)
            else (m.group(5), "low")
        )
        return f'<span class="var">{base}</span><sub>{index}</sub>'

    return _VARS.sub(sub, escape(line))


def _bins_of_cells(trace: Trace, rows: range, cols: range) -> dict[tuple[int, int], list[str]]:
    """Which bins read each shown map cell, from the trace's data (pool ranges, align neighbours).

    Only the cells of the table (``rows`` x ``cols``) are looked at, so a bin of
    a million cells costs no more than the table it is drawn in.
    """
    out: dict[tuple[int, int], list[str]] = {}
    for b in walk_data(trace).bins:
        cells: set[tuple[int, int]]
        if isinstance(b, PoolBin):
            (r0, r1), (c0, c1) = b.rows, b.cols
            shown_r = range(max(r0, rows.start), min(r1, rows.stop))
            shown_c = range(max(c0, cols.start), min(c1, cols.stop))
            cells = {(r, c) for r in shown_r for c in shown_c}
        else:
            cells = {rc for p in b.points if p.inside and p.cells for rc in p.cells}
        for rc in cells:
            out.setdefault(rc, []).append(f"{b.ph}-{b.pw}")
    return out


def _items(items: list[Item]) -> str:
    """A nested ``<ul>``: a derivation is a list inside its point's ``<li>``."""
    return (
        "<ul>"
        + "".join(
            f"<li>{_typeset(i.text)}{_items(list(i.children)) if i.children else ''}</li>" for i in items
        )
        + "</ul>"
    )


def _shared(tints: list[str]) -> str:
    """A cell's background: its bin's tint, or diagonal stripes of every bin that reads it.

    RoI Pool's bins share a cell where they overlap; the stripes show that on
    screen and on paper (print keeps backgrounds), not one bin's colour only.
    """
    if len(tints) == 1:
        return tints[0]
    stops = ", ".join(f"{t} {k * 8}px, {t} {(k + 1) * 8}px" for k, t in enumerate(tints))
    return f"repeating-linear-gradient(135deg, {stops})"


def _table(t: Table, trace: Trace, step: Step) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in t.col_labels)
    is_map = step.key == "input"
    is_output = step.key == "output"
    shown = (
        (
            range(int(t.row_labels[0]), int(t.row_labels[-1]) + 1),
            range(int(t.col_labels[0]), int(t.col_labels[-1]) + 1),
        )
        if is_map and t.row_labels and t.col_labels
        else (range(0), range(0))
    )
    # Only a walkthrough knows which bins read a cell (a worksheet's map is bare).
    walk = is_map and isinstance(trace.data, (PoolData, AlignData))
    owners = _bins_of_cells(trace, *shown) if walk else {}
    all_bins: tuple[PoolBin | AlignBin, ...] = walk_data(trace).bins if walk else ()
    order = {f"{b.ph}-{b.pw}": i for i, b in enumerate(all_bins)}
    rows = []
    for r, (label, row) in enumerate(zip(t.row_labels, t.values, strict=True)):
        cells = []
        for c, v in enumerate(row):
            attrs = ' class="win"' if is_winner(t, r, c) else ""
            if is_map:
                names = owners.get((int(label), int(t.col_labels[c])), [])
                if names:
                    tints = [_TINTS[order[n] % len(_TINTS)] for n in names]
                    attrs += f' data-bins="{" ".join(names)}" style="background:{_shared(tints)}"'
            if is_output:
                attrs += f' data-out="{r}-{c}" tabindex="0"'
            cells.append(f"<td{attrs}>{escape(cell(v))}</td>")
        rows.append(f"<tr><th>{escape(label)}</th>{''.join(cells)}</tr>")
    kind = ' class="blank"' if t.blank else ""
    caption = f"<caption>{escape(t.title)}</caption>" if t.title else ""
    return (
        f'<div class="scroll"><table{kind}>{caption}<tr><th></th>{head}'
        f"</tr>" + "".join(rows) + "</table></div>"
    )


def _figures(trace: Trace, index: int, handout: bool) -> list[tuple[str, str]]:
    """``(name, inline svg)`` for each figure of the trace; none without matplotlib."""
    from .figure_files import available, figures_of, to_svg

    if not available():
        return []
    drawn = figures_of(trace, handout)
    return [(name, to_svg(fig, f"t{index}f{k}-")) for k, (name, fig) in enumerate(drawn)]


def _figure(svgs: list[str]) -> str:
    return "<figure>" + "".join(svgs) + "</figure>" if svgs else ""


def render_html(
    traces: Any, bins: Bins = "auto", standalone: bool = True, figures: bool = True, handout: bool = False
) -> str:
    """Render one trace or several as HTML (a full page unless ``standalone=False``).

    ``figures`` inlines each walkthrough's figures as SVG (when matplotlib is
    installed); ``handout`` keeps what fits a printed sheet: the map and
    figures, one bin worked in full, the output and the comparison.
    """
    traces = dedupe_maps(traces)
    body = [f'<div class="roikit{" handout" if handout else ""}">']
    for i, trace in enumerate(traces):
        body.append(f'<section class="trace op-{trace.op}" id="trace-{i}">')
        body.append(f"<h2>{escape(title(trace))}</h2>")
        shown = handout_steps(trace) if handout else visible_steps(trace, bins)
        svgs = _figures(trace, i, handout) if figures else []
        for step, is_summary in shown:
            data = f' data-step-bin="{step.bin[0]}-{step.bin[1]}"' if step.bin else ""
            body.append(f'<section class="step"{data}><h3>{escape(step.title)}</h3>')
            if lines := step_lines(step, handout):
                body.append(_items(outline(lines)))
            if is_summary:
                body.append(f"<p><em>{escape(collapsed_note(trace, bins))}</em></p>")
            body += [_table(t, trace, step) for t in step_tables(step, handout)]
            if step.code:
                body.append(f"<pre><code>{escape(chr(10).join(step.code))}</code></pre>")
            body.append(_figure([svg for name, svg in svgs if placed_in(name, step.key)]))
            body.append("</section>")
        body.append("</section>")
    body.append("</div>")
    script = f"<script>\n{_SCRIPT}\n</script>"
    if not standalone:
        return f"<style>{_STYLE}</style>" + "\n".join(body) + script
    lang = traces[0].lang if traces else "en"
    return (
        f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title(traces[0])) if traces else 'roikit'}</title>\n"
        f"<style>\n{_STYLE}\n</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + f"\n{script}\n</body>\n</html>\n"
    )
