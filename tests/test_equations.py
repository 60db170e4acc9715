"""Every written equation holds, redone by a student with exact fractions, in every format.

The rule (:mod:`roikit.i18n.numbers`): ``=`` only where the written terms give
the written result exactly; otherwise ``≈``, and the result is the written
terms' value to the decimals it shows. :mod:`equations` parses every equation
of every line (text, Markdown, LaTeX, HTML, JSON), and of the figures' labels,
and redoes it with :class:`fractions.Fraction`.
"""

from __future__ import annotations

import numpy as np
import pytest
from equations import equations, false_equations, lines_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import roikit
from roikit.frontends.demo import DEMO_BOX, DEMO_MAP, DEMO_SCALE, demo_traces
from roikit.render import render

FORMATS = ("text", "md", "latex", "html", "json")


def _render(traces: list[roikit.Trace], fmt: str) -> list[str]:
    # Text is rendered wide: this test reads equations; the 80-column layout has its own test.
    document = render(traces, fmt, bins="all", **({"width": 10_000} if fmt == "text" else {}))
    return lines_of(fmt, document)


@st.composite
def walkthroughs(draw):  # type: ignore[no-untyped-def]
    """A map of small integers or one-decimal values, a box at one or two decimals, any settings."""
    h, w = draw(st.integers(2, 7)), draw(st.integers(2, 7))
    rng = np.random.default_rng(draw(st.integers(0, 10**6)))
    m = rng.integers(-9, 10, (h, w)).astype(float)
    if draw(st.booleans()):
        m = np.round(m / 4, 1)
    places = draw(st.sampled_from([1, 2]))
    scale = draw(st.sampled_from([1.0, 0.5, 0.25]))
    x1, y1 = (round(draw(st.floats(-2, n)), places) for n in (w, h))
    x2, y2 = (round(a + draw(st.floats(0, n)), places) for a, n in ((x1, w), (y1, h)))
    box = (x1 / scale, y1 / scale, x2 / scale, y2 / scale)
    size = draw(st.sampled_from([1, 2, 3, (2, 3)]))
    op = draw(st.sampled_from(["pool", "align", "pool_backward", "align_backward"]))
    lang = draw(st.sampled_from(["en", "ko"]))
    kwargs = {"lang": lang}
    if op.startswith("align"):
        kwargs |= {
            "sampling_ratio": draw(st.sampled_from([0, 1, 2, 3])),
            "aligned": draw(st.booleans()),
            "mode": draw(st.sampled_from(["avg", "max"])),
        }
    if op.endswith("backward"):
        kwargs["grad"] = rng.integers(-3, 4, (size, size) if isinstance(size, int) else size).astype(float)
    return getattr(roikit, f"explain_roi_{op}")(m, box, size, scale, **kwargs)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(walkthroughs(), st.sampled_from(FORMATS))
def test_every_equation_of_a_random_walkthrough_holds(trace: roikit.Trace, fmt: str) -> None:
    lines = _render([trace], fmt)
    assert false_equations(lines) == []


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_equation_of_the_demo_holds(lang: str, fmt: str) -> None:
    lines = _render(demo_traces(lang), fmt)
    found = [e for line in lines for e in equations(line)]
    assert len(found) > 90  # the demo's equations are all read, not skipped
    assert false_equations(lines) == []


def test_the_checker_reads_the_student_way() -> None:
    # The checker must be able to fail: each of these is false as written.
    assert false_equations(["bin width = 4 / 3 = 1.3333 cells"])
    assert false_equations(["average = (7.25 + 6.875 + 5.625 + 5.0625) / 4 = 6.2031"])
    assert false_equations(["weight hy·hx = 0.3125 × 0.35 = 0.10938"])
    assert false_equations(["(3, 0) receives 1 × 0.2613 / 4 = 0.0653125"])
    assert false_equations(["⌈7 × 1.4286⌉ + 1 = 11"])  # ⌈10.0002⌉ + 1 = 12
    assert false_equations(["sum ≈ 0.25 + 0.25 ≈ 1.000001"])
    # ... and these hold: exact, approximate to the shown decimals, and a name on the left.
    assert not false_equations(["bin width = 4 / 3 ≈ 1.3333 cells", "⌈7 × 10/7⌉ + 1 = 11"])
    assert not false_equations(["  ly = 2.8625 − 2 = 0.8625, hy = 1 − ly = 1 − 0.8625 = 0.1375"])
    assert not false_equations(
        ["point 3 at (y, x) = (3.9875, 2.2): 4×0.01 + 8×0.0025 + 3×0.79 + 2×0.1975 = 2.825"]
    )
    assert not false_equations(["height = 4 − (−1) + 1 = 6 cells", "g / 4 = 1 / 4 = 0.25"])


def test_the_checker_reads_every_kind_of_line() -> None:
    pairs = [e for line in ("a = 1 + 2 = 3", "(2, 2) = 7: w = 0.1 × 0.2 = 0.02") for e in equations(line)]
    assert pairs == [("1 + 2", "=", "3"), ("0.1 × 0.2", "=", "0.02")]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_figures_labels_hold_too(lang: str) -> None:
    figures = pytest.importorskip("roikit.render.figures", reason="the figures extra draws them")
    from matplotlib.text import Text

    pool = roikit.explain_roi_pool(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE, lang=lang)
    align = roikit.explain_roi_align(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE, lang=lang)
    odd = roikit.explain_roi_align(np.array([[7.0, 3.0], [0.0, -4.0]]), (0, 0, 0, 0), 2, 0.5, 3, lang=lang)
    drawn = [
        figures.bilinear_figure(align),
        figures.bilinear_figure(odd),
        figures.align_figure(align),
        figures.pool_figure(pool),
        figures.backward_figure(
            roikit.explain_roi_align_backward(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE, lang=lang)
        ),
    ]
    labels = [line for d in drawn for t in d.figure.findobj(Text) for line in t.get_text().splitlines()]
    found = [e for line in labels for e in equations(line)]
    assert len(found) >= 8
    assert false_equations(labels) == []
