"""`roikit check` as a grading script uses it: shapes it accepts, what it says, and its exit code.

The expected numbers are the exercises' own keys (tests/test_practice.py checks the keys
against the walkthroughs); the mistakes are written here from their definitions.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from roikit.frontends.cli import app
from roikit.i18n import text
from roikit.practice import answers, check_answers, make_exercise
from roikit.practice.check import answer_file

runner = CliRunner()


def check(op: str, level: int, seed: int, answer: object, *extra: str):  # type: ignore[no-untyped-def]
    return runner.invoke(
        app, ["check", op, "--level", str(level), "--seed", str(seed), "--answer", json.dumps(answer), *extra]
    )


def test_exit_codes_grade_right_wrong_and_unreadable() -> None:
    key = answers(make_exercise("pool", 2, 7))
    assert check("pool", 2, 7, key).exit_code == 0
    assert check("pool", 2, 7, {**key, "output": [[0, 0], [0, 0]]}).exit_code == 1
    empty = check("pool", 2, 7, {"nothing": 1})
    assert empty.exit_code == 2 and "--answer gives none of this exercise's steps" in empty.stderr
    assert runner.invoke(app, ["check", "pool", "--seed", "7", "--answer", "{oops"]).exit_code == 2


def test_numbers_as_strings_and_flat_lists_are_read_in_the_steps_shape() -> None:
    ex = make_exercise("pool", 2, 7)
    key = answers(ex)
    flat_output = [v for row in key["output"] for v in row]
    answer = {
        "scaled": ", ".join(str(v) for v in key["scaled"]),  # "2.7, 2, 6.5, 6.1", as a template invites
        "size": [str(v) for v in key["size"]],
        "rows": [v for r in key["rows"] for v in r],
        "output": flat_output,
    }
    result = check_answers(ex.trace(), answer)
    assert result.right, result.lines()


def test_weights_as_a_list_per_bin_or_a_grid_or_keyed_by_cell_are_right() -> None:
    ex = make_exercise("align", 2, 7)
    w = answers(ex)["weights"]
    in_order = [w[k] for k in sorted(w)]
    for shape in (in_order, [in_order[:2], in_order[2:]], {f"({k})": v for k, v in w.items()}):
        assert check_answers(ex.trace(), {"weights": shape}).right, shape


def test_right_numbers_in_a_shape_that_is_not_unambiguous_get_the_shape_as_json() -> None:
    ex = make_exercise("pool", 2, 7)
    rows = answers(ex)["rows"]
    odd = [rows[0], [rows[1]]]  # the right four numbers, nested wrong
    result = check_answers(ex.trace(), {"rows": odd})
    (verdict,) = result.verdicts
    assert not verdict.right and verdict.shape
    prefix = "each bin's rows (rows): the numbers are right, but write them in this shape: "
    assert verdict.message.startswith(prefix)
    assert json.loads(verdict.message[len(prefix) :]) == rows  # valid JSON to paste back


def test_a_wrong_answer_is_echoed_as_json_and_the_tolerance_is_stated() -> None:
    ex = make_exercise("align", 2, 7)
    key = answers(ex)
    bad = {k: [[9, 9, 9, 9]] * 4 for k in ["weights"]}
    result = check("align", 2, 7, bad)
    line = result.output.splitlines()[0]
    got = line[line.index("you wrote ") + len("you wrote ") : line.index(", the answer is")]
    want = line[line.index("the answer is ") + len("the answer is ") : line.index("}. ") + 1]
    assert json.loads(got) == {k: [9, 9, 9, 9] for k in sorted(key["weights"])}
    want_doc = json.loads(want)
    assert set(want_doc) == set(key["weights"])
    assert all(want_doc[k] == pytest.approx(list(v), abs=1e-9) for k, v in key["weights"].items())
    assert "within ±0.0005 of the answer" in result.output


def test_missing_and_unknown_steps_are_listed() -> None:
    key = answers(make_exercise("pool", 1, 3))
    result = check("pool", 1, 3, {"size": key["size"], "sizes": 1})
    assert "Not a step of this exercise, so not checked: sizes." in result.output
    assert "Not given, so not checked: scaled, rounded, bin_size, rows, cols, output." in result.output
    assert result.exit_code == 0  # every step given is right


def test_json_output_for_a_grading_script() -> None:
    key = answers(make_exercise("pool", 2, 7))
    result = check("pool", 2, 7, {**key, "size": [1, 1]}, "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert doc["right"] is False and doc["tolerance"] == 0.0005
    assert [s["step"] for s in doc["steps"]] == [
        "scaled",
        "rounded",
        "size",
        "bin_size",
        "rows",
        "cols",
        "output",
    ]
    assert [s["right"] for s in doc["steps"]] == [True, True, False, True, True, True, True]
    assert doc["steps"][2]["mistake"] is None and doc["missing"] == [] and doc["unknown"] == []


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_mistakes_the_review_found_unnamed_are_named(lang: str) -> None:
    # RoI Pool averaging each bin's cells instead of taking their max
    ex = next(e for s in range(50) if len({*map(tuple, (e := make_exercise("pool", 2, s)).map)}) > 1)
    t = ex.trace(lang)
    import numpy as np

    m = np.array(ex.map)
    means = [[0.0, 0.0], [0.0, 0.0]]
    for b in t.data.bins:
        means[b.ph][b.pw] = float(m[b.rows[0] : b.rows[1], b.cols[0] : b.cols[1]].mean())
    (v,) = check_answers(t, {"output": means}).verdicts
    assert v.mistake == "mistake.pool_avg" and text(lang, "mistake.pool_avg") in v.message
    # each bin's end written as the ceiling itself (exclusive), not the last row read
    key = answers(ex)
    exclusive = [[lo, hi + 1] for lo, hi in key["rows"]]
    (v,) = check_answers(t, {"rows": exclusive}).verdicts
    assert v.mistake == "mistake.exclusive_end"
    # bins not clipped to the map (level 3 reaches past it)
    ex3 = next(
        e
        for s in range(200)
        if (d := (e := make_exercise("pool", 3, s)).trace().data).y.bin_end_raw != d.y.bin_end
    )
    d = ex3.trace().data
    unclipped = [[lo, hi - 1] for lo, hi in zip(d.y.bin_start_raw, d.y.bin_end_raw, strict=True)]
    (v,) = check_answers(ex3.trace(lang), {"rows": unclipped}).verdicts
    assert v.mistake == "mistake.unclipped" and "clipped to the map" in text("en", "chk.how.pool.rows")
    # RoI Align points at the bins' edges, i / points, instead of the centres (i + 0.5) / points
    exa = make_exercise("align", 1, 2)
    ta = exa.trace(lang)
    y = ta.data.y
    edges = [[y.start + i * y.bin_size / 2 for i in range(2)]]
    (v,) = check_answers(ta, {"y": edges}).verdicts
    assert v.mistake == "mistake.edges" and text(lang, "mistake.edges") in v.message


def test_the_answer_file_of_a_sheet_is_valid_json_of_the_key() -> None:
    key = answers(make_exercise("align", 3, 2))
    parsed = json.loads("\n".join(answer_file(key)))
    assert set(parsed) == set(key)
    assert check_answers(make_exercise("align", 3, 2).trace(), parsed).right


def test_check_help_shows_every_default() -> None:
    result = runner.invoke(app, ["check", "--help"], env={"COLUMNS": "200"})
    for option in ("--level", "--seed", "--map", "--box", "--output-size", "--spatial-scale"):
        line = next(x for x in result.output.splitlines() if option in x)
        assert "default" in line, line
    for option in ("--sampling-ratio", "--aligned", "--mode", "--format", "--lang"):
        line = next(x for x in result.output.splitlines() if option in x)
        assert "default" in line, line
