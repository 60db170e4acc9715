"""The text renderer's line breaks: a formula, a command and a JSON line break only where a reader expects."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from typer.testing import CliRunner

from roikit.frontends.cli import app
from roikit.render.text import wrap_line

#: A line that ends with one of these reads as a formula cut in two.
DANGLING = ("=", "≈", "+", "×", "·", "−", "/", "←", "→", "(", "[", "⌊", "⌈")


def _rejoin(pieces: list[str], indent: int) -> str:
    return " ".join([pieces[0], *(p[indent + 2 :] for p in pieces[1:])])


def test_an_equation_breaks_before_its_equals_sign_and_never_inside_a_term() -> None:
    line = (
        "  y = 2.8625 lies between rows 2 and 3: ly = 2.8625 − 2 = 0.8625, hy = 1 − ly = 1 − 0.8625 = 0.1375"
    )
    pieces = wrap_line(line, 80)
    assert pieces == [
        "  y = 2.8625 lies between rows 2 and 3: ly = 2.8625 − 2 = 0.8625, hy = 1 − ly",
        "    = 1 − 0.8625 = 0.1375",
    ]


def test_a_command_stays_on_one_line() -> None:
    line = (
        "Write your answers in a file (any of them will do), then run: "
        "roikit check align --level 1 --seed 3 --answer FILE"
    )
    pieces = wrap_line(line, 70)
    assert "roikit check align --level 1 --seed 3 --answer FILE" in pieces[-1]
    assert all(cell_len(p) <= 70 for p in pieces)


def test_a_call_breaks_between_its_arguments_and_prose_brackets_anywhere() -> None:
    call = (
        "torchvision.ops.roi_align(x, boxes, output_size=(2, 2), spatial_scale=0.5, "
        "sampling_ratio=2, aligned=False)"
    )
    for piece in wrap_line(call, 50)[:-1]:
        assert piece.endswith(","), piece
    prose = "A sentence (with a long remark in brackets that goes on for quite a while) ends here."
    assert wrap_line(prose, 40)[0] == "A sentence (with a long remark in"


def test_a_json_line_breaks_only_after_a_comma() -> None:
    line = '{"scaled": "…", "bin_size": "…", "grid": "…", "y": "…", "x": "…", "weights": "…", "output": "…"}'
    pieces = wrap_line(line, 60)
    assert len(pieces) == 2 and pieces[0].endswith(",")


WORDS = st.sampled_from(
    ["a", "bin", "=", "≈", "+", "×", "−", "0.1375", "(2, 3)", "roikit", "--seed", "칸", "x1"]
)


@given(st.lists(WORDS, min_size=1, max_size=40), st.integers(0, 4), st.integers(10, 60))
def test_wrapping_loses_nothing_and_leaves_no_dangling_operator(words, indent, width) -> None:  # type: ignore[no-untyped-def]
    line = " " * indent + " ".join(words)
    pieces = wrap_line(line, width)
    assert _rejoin(pieces, indent) == line
    for piece in pieces[:-1]:
        assert not piece.endswith(tuple(f" {d}" for d in ("=", "≈", "+", "×", "−"))), pieces


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize(
    "command",
    [
        ["demo"],
        ["practice", "align", "--level", "2"],
        ["compare", "--map", "1 2 3; 4 5 6; 7 8 9", "--box", "0.3,0.2,2.6,1.9"],
    ],
)
def test_every_line_of_the_text_output_fits_80_columns_and_no_formula_dangles(lang, command) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(app, [*command, "--lang", lang], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) > 20
    for line in lines:
        assert cell_len(line) <= 80, line
        assert not line.rstrip().endswith(DANGLING), line
    # a continuation is indented under its line, so a formula that goes on reads as one
    text = "\n".join(lines)
    assert not re.search(r"\n= ", text)


def test_a_points_derivation_is_a_list_inside_the_points_item_in_every_document_format() -> None:
    from roikit.frontends.demo import demo_traces
    from roikit.render import render

    traces = demo_traces("en", "max")
    md = render(traces, "md")
    assert "(2.8625, 2.2), bilinear interpolation worked out:\n  - y = 2.8625 lies" in md
    html = render(traces, "html")
    assert "worked out:<ul><li>y = 2.8625 lies" in html.replace("\n", "")
    assert "<ul><ul>" not in html  # a list holds only items
    latex = render(traces, "latex")
    assert "worked out:\n\\begin{itemize}\n\\item y = 2.8625 lies" in latex
