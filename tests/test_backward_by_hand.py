"""The backward pass by hand: hand-derived gradients, and the backward ops' numbers on random cases."""

from __future__ import annotations

import json

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

import roikit
from roikit.frontends.cli import app
from roikit.frontends.demo import DEMO_BOX, DEMO_MAP, DEMO_SCALE


def lines(trace: roikit.Trace) -> list[str]:
    return [line for s in trace.steps for line in s.lines]


def test_pool_gradient_goes_to_each_bins_max_by_hand() -> None:
    # Maxima (worked out for the forward pass): bins (0, 0) and (0, 1) share the 9 at (4, 4),
    # (1, 0) has the 6 at (6, 3), (1, 1) the 8 at (6, 6). With g = 1 everywhere:
    t = roikit.explain_roi_pool_backward(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE)
    g = np.array(t.grad_input)
    want = np.zeros((8, 8))
    want[4, 4], want[6, 3], want[6, 6] = 2, 1, 1
    np.testing.assert_array_equal(g, want)
    assert lines(t).count("the max cell (4, 4) receives all of g: (4, 4) ← 1") == 2
    assert "(4, 4) receives from several: 1 + 1 = 2" in lines(t)
    # Every bin has a max on the map: all of g (4 × 1) reaches it.
    assert "Check: the map receives 4 in all, 0 reaches no cell, and 4 + 0 = 4, the sum of g." in lines(t)


def test_align_max_gradient_goes_to_the_winners_neighbours_by_hand() -> None:
    # Bin (0, 0)'s winner is point 2 at (y, x) = (2.8625, 3.4): weights 0.0825, 0.055, 0.5175,
    # 0.345 on (2, 3), (2, 4), (3, 3), (3, 4). With g = 2 they receive twice those.
    g = np.array([[2.0, 0.0], [0.0, 0.0]])
    t = roikit.explain_roi_align_backward(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE, grad=g)
    bin00 = next(s for s in t.steps if s.key == "backward.bin" and s.bin == (0, 0))
    assert bin00.lines == (
        "only point 2, the winner, passes g = 2 on, by its weights:",
        "point 2 at (y, x) = (2.8625, 3.4): (2, 3) ← 2 × 0.0825 = 0.165; (2, 4) ← 2 × 0.055 = 0.11; "
        "(3, 3) ← 2 × 0.5175 = 1.035; (3, 4) ← 2 × 0.345 = 0.69",
        "the winner's four weights add up to 1: it sends all of g = 2 to the map",
    )
    gi = np.array(t.grad_input)
    np.testing.assert_allclose(gi[2:4, 3:5], [[0.165, 0.11], [1.035, 0.69]], atol=1e-12)
    assert np.count_nonzero(gi) == 4


def test_align_avg_divides_by_the_count_by_hand() -> None:
    # One bin, 2 x 2 points: every point sends g × w / 4 to its neighbours; on a 3 x 3 map with
    # box (0, 0, 2, 2) the points sit at 0.5 and 1.5: each cell (r, c) collects its weights / 4.
    t = roikit.explain_roi_align_backward(np.zeros((3, 3)), (0, 0, 2, 2), 1, mode="avg")
    np.testing.assert_allclose(
        np.array(t.grad_input), [[0.0625, 0.125, 0.0625], [0.125, 0.25, 0.125], [0.0625, 0.125, 0.0625]]
    )
    # g / count = 1 / 4 = 0.25 per point; point 1 at (0.5, 0.5) has weights 0.25 on its four cells.
    assert "each of the 4 points gets g / 4 = 1 / 4 = 0.25 and passes it on by its weights:" in lines(t)
    assert (
        "point 1 at (y, x) = (0.5, 0.5): (0, 0) ← 0.25 × 0.25 = 0.0625; (0, 1) ← 0.25 × 0.25 = 0.0625; "
        "(1, 0) ← 0.25 × 0.25 = 0.0625; (1, 1) ← 0.25 × 0.25 = 0.0625"
    ) in lines(t)
    assert (
        "each point's weights add up to 1, so the 4 points send 4 × 0.25 = 1 to the map: all of g = 1"
        in lines(t)
    )


def test_the_gradient_of_off_map_points_is_said_to_reach_no_cell() -> None:
    # Box (−3, −3, −1.5, −1.5) with 2 × 2 points: x, y = −3 + (i + 0.5) × 1.5 / 2 = −2.625, −1.875,
    # all below −1: every point is off the map, so g = 1 reaches no cell.
    t = roikit.explain_roi_align_backward(np.ones((3, 3)), (-3, -3, -1.5, -1.5), 1, mode="avg")
    assert np.array(t.grad_input).sum() == 0
    assert "point 1 at (y, x) = (−2.625, −2.625): off the map, its share 0.25 reaches no cell" in lines(t)
    assert (
        "the 0 points on the map send 0 × 0.25 = 0; the 4 off the map lose 4 × 0.25 = 1; "
        "together 0 + 1 = 1, the bin's g"
    ) in lines(t)
    assert "Check: the map receives 0 in all, 1 reaches no cell, and 0 + 1 = 1, the sum of g." in " ".join(
        lines(t)
    )


@st.composite
def cases(draw):  # type: ignore[no-untyped-def]
    h, w = draw(st.integers(2, 7)), draw(st.integers(2, 7))
    rng = np.random.default_rng(draw(st.integers(0, 10**6)))
    m = rng.integers(-5, 6, (h, w)).astype(float)  # whole numbers: ties happen
    coord = st.floats(-2, 9, allow_nan=False).map(lambda v: round(v, 2))
    box = tuple(draw(coord) for _ in range(4))
    size = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    g = rng.integers(-3, 4, size).astype(float)
    return m, box, size, g


@given(cases(), st.sampled_from(["avg", "max"]), st.integers(-1, 2), st.booleans())
def test_the_walkthrough_is_the_backward_ops_and_its_parts_add_up(case, mode, sr, aligned) -> None:  # type: ignore[no-untyped-def]
    m, box, size, g = case
    rows = np.array([[0, *box]])
    t = roikit.explain_roi_align_backward(m, box, size, 1.0, sr, aligned, mode, grad=g)
    op = roikit.roi_align_backward(g[None, None], m[None, None], rows, size, 1.0, sr, aligned, mode)
    np.testing.assert_array_equal(np.array(t.grad_input), op[0, 0])
    added = np.zeros_like(m)
    for part in t.data.contributions:
        for (r, c), v in part:
            added[r, c] += v
    np.testing.assert_allclose(added, op[0, 0], atol=1e-9)
    tp = roikit.explain_roi_pool_backward(m, box, size, 1.0, g)
    np.testing.assert_array_equal(
        np.array(tp.grad_input), roikit.roi_pool_backward(g[None, None], m[None, None], rows, size)[0, 0]
    )


def test_cli_backward_json_has_a_top_level_grad_input() -> None:
    result = CliRunner().invoke(
        app,
        [
            "explain",
            "pool",
            "--map",
            "1 2; 3 4",
            "--box",
            "0,0,1,1",
            "--output-size",
            "1",
            "--backward",
            "--grad",
            "3",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["op"] == "roi_pool_backward" and doc["grad_input"] == [[0.0, 0.0], [0.0, 3.0]]


def test_the_backward_figure_outlines_where_the_worked_bin_sends() -> None:
    from roikit import figures

    t = roikit.explain_roi_align_backward(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE, mode="max", lang="ko")
    d = figures.backward_figure(t)
    # bin (0, 0)'s winner (2.8625, 3.4) sends to (2, 3), (2, 4), (3, 3), (3, 4): outlined at (col, row)
    centres = sorted((c.get_x() + 0.45, c.get_y() + 0.45) for c in d.cells)
    assert centres == [(3.0, 2.0), (3.0, 3.0), (4.0, 2.0), (4.0, 3.0)]
    assert "구간 (0, 0)의 기울기를 받는 칸" in d.ax.get_title()
    p = roikit.explain_roi_pool_backward(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE)
    d = figures.backward_figure(p)
    assert [(c.get_x() + 0.45, c.get_y() + 0.45) for c in d.cells] == [(4.0, 4.0)] and len(d.arrows) == 1
