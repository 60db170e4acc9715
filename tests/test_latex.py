"""The LaTeX output compiles with pdflatex (a standard TeX Live), in English and Korean.

Marked ``latex``: make test installs TeX Live (apt) and sets ROIKIT_REQUIRE_LATEX=1,
which makes these tests mandatory; elsewhere they are skipped, with the reason in the
summary, when pdflatex is missing (see tests/needs.py).
"""

from __future__ import annotations

import subprocess

import needs
import pytest

from roikit.explain.conventions import compare_conventions
from roikit.frontends.demo import DEMO_BOX, DEMO_MAP, DEMO_SCALE, demo_traces
from roikit.render import render

pytestmark = pytest.mark.latex


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_latex_compiles(tmp_path, lang) -> None:  # type: ignore[no-untyped-def]
    doc = render([*demo_traces(lang), compare_conventions(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE)], "latex")
    (tmp_path / "walk.tex").write_text(doc, encoding="utf-8")
    run = subprocess.run(
        [needs.pdflatex(), "-interaction=nonstopmode", "-halt-on-error", "walk.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        errors="replace",  # pdflatex echoes bytes of the input in its own 8-bit form
        timeout=300,
    )
    log = (tmp_path / "walk.log").read_text(encoding="utf-8", errors="replace")
    assert run.returncode == 0, log[-3000:]
    assert (tmp_path / "walk.pdf").stat().st_size > 10_000
    assert "Missing character" not in log


def test_an_approximate_walkthrough_compiles(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Repeating decimals are written with ≈; a box off the map brings the [−1, 0) clamp lines.
    import numpy as np

    from roikit import explain_roi_align

    trace = explain_roi_align(np.array([[7.0, 3.0], [0.0, -4.0]]), (-0.6, 0, 0, 0), 2, 0.5, 3)
    doc = render(trace, "latex")
    assert "\\approx" in doc
    (tmp_path / "a.tex").write_text(doc, encoding="utf-8")
    run = subprocess.run(
        [needs.pdflatex(), "-interaction=nonstopmode", "-halt-on-error", "a.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        errors="replace",  # pdflatex echoes bytes of the input in its own 8-bit form
        timeout=300,
    )
    log = (tmp_path / "a.log").read_text(encoding="utf-8", errors="replace")
    assert run.returncode == 0, log[-3000:]
    assert "Missing character" not in log
