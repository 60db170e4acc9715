"""Practice: exercises with short decimals, keys that pass, and every classic mistake named."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import needs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from roikit.frontends.cli import app
from roikit.i18n import text
from roikit.practice import ANSWER_KEYS, answer_key, answers, check_answers, make_exercise, worksheet
from roikit.practice.check import answer_file
from roikit.practice.exercise import example_seed
from roikit.render import render

runner = CliRunner()
NUMBER = re.compile(r"-?\d+\.(\d+)")


def test_the_same_seed_gives_the_same_exercise() -> None:
    assert make_exercise("pool", 2, 11) == make_exercise("pool", 2, 11)
    assert make_exercise("pool", 2, 11) != make_exercise("pool", 2, 12)
    a = runner.invoke(app, ["practice", "align", "--level", "3", "--seed", "4", "--format", "md"])
    b = runner.invoke(app, ["practice", "align", "--level", "3", "--seed", "4", "--format", "md"])
    assert a.exit_code == 0 and a.output == b.output


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["pool", "align"]), st.sampled_from([1, 2, 3]), st.integers(0, 10**6))
def test_every_number_of_every_exercise_is_a_short_decimal(op, level, seed) -> None:  # type: ignore[no-untyped-def]
    ex = make_exercise(op, level, seed)
    key = answer_key(ex)
    for s in key.steps:
        if s.key in ("check",):
            continue  # the library call repeats the box as given
        for line in s.lines:
            for decimals in NUMBER.findall(line):
                assert len(decimals) <= 4, line
    assert " ≈ " not in " ".join(line for s in key.steps for line in s.lines)
    t = ex.trace()
    if level == 1:
        assert ex.output_size == (1, 1)
    else:
        assert ex.output_size == (2, 2)
    if op == "pool" and level == 2:  # overlapping bins
        x, y = t.data.x, t.data.y
        assert any(b < e for a in (x, y) for e, b in zip(a.bin_end[:-1], a.bin_start[1:], strict=True))
    if op == "align" and level == 3:
        assert ex.aligned and ex.sampling_ratio == -1
        assert any(not p.inside for b in t.data.bins for p in b.points)


@pytest.mark.parametrize("op", ["pool", "align"])
@pytest.mark.parametrize("level", [1, 2, 3])
def test_the_key_passes_the_check(op: str, level: int, tmp_path: Path) -> None:
    ex = make_exercise(op, level, 1)
    assert set(answers(ex)) == set(ANSWER_KEYS[op])
    assert answer_key(ex) == ex.trace()
    path = tmp_path / "a.json"
    path.write_text(json.dumps(answers(ex)))
    result = runner.invoke(app, ["check", op, "--level", str(level), "--seed", "1", "--answer", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("Every step you gave is right.")


def first_wrong(ex, answer, lang="en"):  # type: ignore[no-untyped-def]
    t = ex.trace(lang)
    other = None
    if ex.op == "align":
        from roikit import explain_roi_align

        other = explain_roi_align(
            np.array(ex.map),
            ex.box,
            ex.output_size,
            ex.spatial_scale,
            ex.sampling_ratio,
            ex.aligned,
            "avg" if ex.mode == "max" else "max",
        )
    r = check_answers(t, answer, other)
    wrong = next((v for v in r.verdicts if not v.right), None)
    return r.first_wrong, wrong.message if wrong else r.lines()[-1]


def seed_where(op, level, cond):  # type: ignore[no-untyped-def]
    return next(ex for s in range(400) if cond(ex := make_exercise(op, level, s)))


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_pool_mistakes_are_named(lang: str) -> None:
    # A box with an exact .5 after scaling (level 3): numpy's round-half-even disagrees.
    ex = seed_where(
        "pool",
        3,
        lambda e: any(
            abs(v * 0.5 - np.trunc(v * 0.5)) == 0.5 and np.round(v * 0.5) != np.trunc(v * 0.5) + np.sign(v)
            for v in e.box
        ),
    )
    key = answers(ex)
    bad = copy.deepcopy(key)
    bad["rounded"] = [float(np.round(v)) for v in key["scaled"]]
    assert first_wrong(ex, bad, lang) == ("rounded", first_wrong(ex, bad, lang)[1])
    assert text(lang, "mistake.half_even") in first_wrong(ex, bad, lang)[1]
    ex = make_exercise("pool", 2, 3)
    key = answers(ex)
    for step, value, mistake in (
        ("scaled", list(ex.box), "mistake.noscale"),
        ("rounded", [float(np.floor(v)) for v in key["scaled"]], "mistake.floor_box"),
        (
            "size",
            [key["rounded"][2] - key["rounded"][0], key["rounded"][3] - key["rounded"][1]],
            "mistake.plus1",
        ),
    ):
        bad = {**key, step: value}
        if bad[step] == key[step]:
            continue  # this exercise happens to make the mistake harmless
        got, line = first_wrong(ex, bad, lang)
        assert got == step and text(lang, mistake) in line, line
    # Floor for both ends: the overlapping column or row is cut (level 2 always overlaps).
    t = ex.trace()
    for step, a in (("rows", t.data.y), ("cols", t.data.x)):
        floor_only = [
            [
                int(np.floor(p * a.bin_size)) + a.start,
                int(np.floor((p + 1) * a.bin_size)) + a.start - 1,
            ]
            for p in range(2)
        ]
        if floor_only != key[step]:
            got, line = first_wrong(ex, {step: floor_only}, lang)
            assert got == step and text(lang, "mistake.nooverlap") in line
            break
    else:
        pytest.fail("level 2 should have an overlap")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_align_mistakes_are_named(lang: str) -> None:
    ex = make_exercise("align", 2, 8)
    key = answers(ex)
    t = ex.trace()
    y = t.data.y
    thirds = [[y.start + p * y.bin_size + (i + 1) * y.bin_size / 3 for i in range(2)] for p in range(2)]
    got, line = first_wrong(ex, {"y": thirds}, lang)
    assert got == "y" and text(lang, "mistake.thirds") in line
    w = key["weights"]["0,0"]
    swapped = {**key["weights"], "0,0": list(reversed(w))}
    if list(reversed(w)) != w:
        got, line = first_wrong(ex, {"weights": swapped}, lang)
        assert got == "weights" and text(lang, "mistake.corners") in line
    from roikit import explain_roi_align

    other_mode = "avg" if ex.mode == "max" else "max"
    other = explain_roi_align(np.array(ex.map), ex.box, 2, ex.spatial_scale, 2, False, other_mode)
    got, line = first_wrong(ex, {"output": [list(r) for r in other.output]}, lang)
    name = "mistake.avg_for_max" if ex.mode == "max" else "mistake.max_for_avg"
    assert got == "output" and text(lang, name) in line
    # aligned=True: forgetting the -0.5 (level 3), and subtracting it when not aligned (level 1)
    ex3 = make_exercise("align", 3, 2)
    k3 = answers(ex3)
    got, line = first_wrong(ex3, {"scaled": [v + 0.5 for v in k3["scaled"]]}, lang)
    assert got == "scaled" and text(lang, "mistake.no_half") in line
    ex1 = make_exercise("align", 1, 2)
    got, line = first_wrong(ex1, {"scaled": [v - 0.5 for v in answers(ex1)["scaled"]]}, lang)
    assert got == "scaled" and text(lang, "mistake.half_not_aligned") in line
    # average mode with a point off the map: leaving it out of the count
    ex3 = seed_where("align", 3, lambda e: e.mode == "avg")
    t3 = ex3.trace()
    out = [
        [
            sum(p.value for p in b.points if p.inside) / max(sum(p.inside for p in b.points), 1)
            for b in t3.data.bins
            if b.ph == ph
        ]
        for ph in range(2)
    ]
    if not np.allclose(out, t3.output):
        got, line = first_wrong(ex3, {"output": out}, lang)
        assert got == "output" and text(lang, "mistake.offmap") in line, line


def test_check_checks_every_step_given_and_its_exit_code_grades() -> None:
    ex = make_exercise("pool", 2, 3)
    key = answers(ex)
    bad = {**key, "size": [key["size"][0] + 1, key["size"][1]], "output": [[0, 0], [0, 0]]}
    result = runner.invoke(app, ["check", "pool", "--level", "2", "--seed", "3", "--answer", json.dumps(bad)])
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("the box on the map (scaled): right")
    assert lines[1].startswith("the rounded box (rounded): right")
    assert lines[2].startswith(f"the box size (size): you wrote [{key['size'][0] + 1:g}, {key['size'][1]:g}]")
    # every step given is checked, not only up to the first wrong one; then the tally
    assert lines[3].startswith("the bin size (bin_size): right")
    assert lines[6].startswith("the output (output): you wrote [[0, 0], [0, 0]]")
    assert lines[-2:] == [
        "A number counts as right within ±0.0005 of the answer (give 4 decimals, or the exact value).",
        "Wrong: 2 of the 7 steps you gave.",
    ]
    assert result.exit_code == 1  # a grading script can tell


def test_check_errors_are_one_line() -> None:
    result = runner.invoke(app, ["check", "pool", "--answer", "{}"])
    assert result.exit_code == 2 and "name the exercise" in result.stderr
    result = runner.invoke(app, ["check", "pool", "--seed", "1", "--answer", "[1, 2"])
    assert result.exit_code == 2 and "--answer must be a JSON object" in result.stderr


@pytest.mark.latex
@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("op", ["pool", "align"])
def test_latex_sheets_fit_one_a4_page(tmp_path: Path, lang: str, op: str) -> None:
    (tmp_path / "s.tex").write_text(render(worksheet(make_exercise(op, 3, 5), lang), "latex"))
    run = subprocess.run(
        [needs.pdflatex(), "-interaction=nonstopmode", "-halt-on-error", "s.tex"],
        cwd=tmp_path,
        capture_output=True,
        timeout=300,
    )
    log = (tmp_path / "s.log").read_text(errors="replace")
    assert run.returncode == 0, log[-2000:]
    # one sheet, front and back: the answer boxes take the room a hand needs
    assert re.search(r"Output written on s\.pdf \([12] pages?", log), log[-500:]
    _copies_right(tmp_path / "s.pdf", op, lang)


def _copies_right(pdf: Path, op: str, lang: str) -> None:
    """The printed sheet's command and answer file copy out of the PDF as they were written."""
    words = subprocess.run(
        [needs.pdftotext(), "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=60
    )
    printed = words.stdout
    assert f"roikit check {op} --level 3 --seed 5 --answer answer.json" in printed
    example = printed[printed.index("{") : printed.rindex("}") + 1]
    assert json.loads(example) == json.loads(
        "\n".join(answer_file(answers(make_exercise(op, 3, example_seed(5)))))
    )
    for step in worksheet(make_exercise(op, 3, 5), lang).steps:
        copied = unicodedata.normalize("NFKC", printed).replace("\u2019", "'")  # TeX sets an apostrophe as ’
        assert " ".join(step.title.split()[:3]) in " ".join(copied.split()), step.title


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_html_sheets_print_on_one_a4_page(tmp_path: Path, lang: str) -> None:
    page = tmp_path / "s.html"
    page.write_text(render(worksheet(make_exercise("align", 3, 5), lang), "html"), encoding="utf-8")
    script = (
        f"from playwright.sync_api import sync_playwright\n"
        f"with sync_playwright() as p:\n"
        f"    b = p.chromium.launch(executable_path={needs.chromium()!r},\n"
        f"                          args=['--no-sandbox', '--disable-gpu'])\n"
        f"    pg = b.new_page()\n"
        f"    pg.goto('file://{page}')\n"
        f"    pg.pdf(path='{tmp_path / 's.pdf'}', format='A4')\n"
        f"    b.close()\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
    pdf = (tmp_path / "s.pdf").read_bytes()
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) <= 2
    _copies_right(tmp_path / "s.pdf", "align", lang)
