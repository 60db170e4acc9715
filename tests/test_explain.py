"""The walkthrough shows the op's numbers: its output is the op's output, bit for bit."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import roikit
from roikit.render import visible_steps


@st.composite
def examples(draw):  # type: ignore[no-untyped-def]
    h, w = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    m = np.random.default_rng(draw(st.integers(0, 10**6))).integers(-9, 10, (h, w)).astype(float)
    coord = st.floats(-4, 12, allow_nan=False).map(lambda v: round(v, 2))  # partly outside too
    box = tuple(draw(coord) for _ in range(4))
    size = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    return m, box, size, draw(st.sampled_from([0.5, 1.0, 2.0]))


@given(examples())
def test_pool_walkthrough_output_is_the_op_output(example):  # type: ignore[no-untyped-def]
    m, box, size, scale = example
    trace = roikit.explain_roi_pool(m, box, size, scale)
    op = roikit.roi_pool(m[None, None], np.array([[0, *box]]), size, scale)[0, 0]
    np.testing.assert_array_equal(np.array(trace.output), op)
    for b in trace.data.bins:  # the named winner cell holds the bin's value
        if b.winner is not None:
            assert m[tuple(b.winner)] == b.value


@given(examples(), st.integers(-1, 3), st.booleans(), st.sampled_from(["avg", "max"]))
def test_align_walkthrough_output_is_the_op_output(example, sr, aligned, mode):  # type: ignore[no-untyped-def]
    m, box, size, scale = example
    trace = roikit.explain_roi_align(m, box, size, scale, sr, aligned, mode)
    op = roikit.roi_align(m[None, None], np.array([[0, *box]]), size, scale, sr, aligned, mode)
    np.testing.assert_array_equal(np.array(trace.output), op[0, 0])
    for b in trace.data.bins:
        points = [p.value for p in b.points]
        if mode == "max" and b.winner is not None:  # the marked point holds the bin's value
            assert points[b.winner] == b.value
        if mode == "avg" and points and len(points) == trace.data.count:
            assert sum(points) / trace.data.count == pytest.approx(b.value, abs=1e-12)


def test_channel_of_a_3d_map_is_explained(rng):  # type: ignore[no-untyped-def]
    stack = rng.standard_normal((3, 6, 7))
    trace = roikit.explain_roi_align(stack, (0.5, 1.2, 5.5, 4.7), 2, channel=2, mode="avg")
    op = roikit.roi_align(stack[None], np.array([[0, 0.5, 1.2, 5.5, 4.7]]), 2, 1.0, 2)[0, 2]
    np.testing.assert_array_equal(np.array(trace.output), op)
    assert np.array(trace.feature).shape == (6, 7)


def test_float32_maps_are_explained_in_float32(rng):  # type: ignore[no-untyped-def]
    m = rng.standard_normal((5, 5)).astype(np.float32)
    trace = roikit.explain_roi_align(m, (0.3, 0.7, 3.9, 4.1), 2, mode="avg")
    op = roikit.roi_align(m[None, None], np.array([[0, 0.3, 0.7, 3.9, 4.1]], np.float32), 2, sampling_ratio=2)
    np.testing.assert_array_equal(np.array(trace.output, np.float32), op[0, 0])
    assert trace.params["dtype"] == "float32"


def test_pool_walkthrough_by_hand() -> None:
    # The demo box: (3.2, 4.6, 12.8, 13.6) x 0.5 = (1.6, 2.3, 6.4, 6.8) -> cells 2, 2, 6, 7.
    trace = roikit.explain_roi_pool(np.arange(64.0).reshape(8, 8), (3.2, 4.6, 12.8, 13.6), 2, 0.5)
    steps = {s.key: s for s in trace.steps}
    assert steps["pool.round"].lines == ("x1: 1.6 → 2", "y1: 2.3 → 2", "x2: 6.4 → 6", "y2: 6.8 → 7")
    assert steps["pool.size"].lines == ("width = 6 − 2 + 1 = 5 cells", "height = 7 − 2 + 1 = 6 cells")
    # Columns: bins of 2.5 cells -> [2, 5) and [4, 7): column 4 is in both.
    assert steps["pool.ranges"].lines[3].endswith("columns 4…6  (shares column 4 with bin 0: bins overlap)")
    # v = 8r + c is largest in the bin's last row and column.
    assert trace.output == ((36.0, 38.0), (60.0, 62.0))


def test_half_coordinates_explain_c_rounding() -> None:
    trace = roikit.explain_roi_pool(np.zeros((6, 6)), (0.5, 2.5, 3.0, 4.0), 1)
    lines = {s.key: s for s in trace.steps}["pool.round"].lines
    assert lines[0] == (
        "x1: 0.5 → 1 (the fraction is exactly .5: C's round goes away from zero; "
        "numpy's round, half to even, would give 0)"
    )
    assert lines[1] == (
        "y1: 2.5 → 3 (the fraction is exactly .5: C's round goes away from zero; "
        "numpy's round, half to even, would give 2)"
    )


def test_odd_halves_and_negative_halves_by_hand() -> None:
    # 1.5 rounds to 2 both ways (floor would give 1); -0.5 goes to -1 in C, to 0 in numpy.
    trace = roikit.explain_roi_pool(np.zeros((6, 6)), (1.5, -0.5, 3.0, 4.0), 1)
    lines = {s.key: s for s in trace.steps}["pool.round"].lines
    assert lines[0] == (
        "x1: 1.5 → 2 (the fraction is exactly .5: C's round goes away from zero; "
        "numpy's round, half to even, gives 2 too)"
    )
    assert lines[1] == (
        "y1: −0.5 → −1 (the fraction is exactly .5: C's round goes away from "
        "zero; numpy's round, half to even, would give 0)"
    )
    size = {s.key: s for s in trace.steps}["pool.size"].lines
    assert size == ("width = 3 − 2 + 1 = 2 cells", "height = 4 − (−1) + 1 = 6 cells")


def test_a_one_cell_box_by_hand() -> None:
    # (2.2, 2.2, 2.4, 2.4) rounds to cell 2 on both ends: 2 − 2 + 1 = 1 cell, not 0.
    m = np.arange(25.0).reshape(5, 5)
    trace = roikit.explain_roi_pool(m, (2.2, 2.2, 2.4, 2.4), 1)
    size = {s.key: s for s in trace.steps}["pool.size"].lines
    assert size == ("width = 2 − 2 + 1 = 1 cells", "height = 2 − 2 + 1 = 1 cells")
    assert trace.output == ((12.0,),)  # cell (2, 2) = 5·2 + 2


def test_align_border_rules_are_explained() -> None:
    # aligned=True on a 3x3 map: y = -0.5 + (0.5) * 1 / 1 -> 0? use a box starting at -0.8.
    trace = roikit.explain_roi_align(np.ones((3, 3)), (-4.0, -0.6, 0.4, 3.2), 1, 1.0, 2)
    text = "\n".join(line for s in trace.steps for line in s.lines)
    # x samples at -4 + 1.1 = -2.9 (outside) and -4 + 3.3 = -0.7 (clamped to 0);
    # y samples at -0.6 + 0.95 = 0.35 and -0.6 + 2.85 = 2.25 (>= H-1 = 2: last row).
    assert "is outside [−1, 3] × [−1, 3]: worth 0, but it still counts" in text
    # Point 2 (0.35, −0.7) is the first on the map, worked out in full; point 4 (2.25, −0.7) gets
    # its two notes right under its own line.
    assert "  x = −0.7 lies in [−1, 0): it is clamped to 0, so columns 0 and 1 with lx = 0, hx = 1" in text
    assert "  (point 4) x = −0.7 lies in [−1, 0): clamped to 0, so it reads column 0" in text
    assert "  (point 4) y = 2.25 ≥ 2: both neighbours are row 2" in text
    assert trace.output == ((1.0,),)  # max: the in-range points are 1 and beat the zeros


def test_big_outputs_collapse_to_the_first_bin_and_a_summary(rng):  # type: ignore[no-untyped-def]
    trace = roikit.explain_roi_align(rng.standard_normal((20, 20)), (1, 1, 18, 18), 7)
    shown = visible_steps(trace, "auto")
    assert [s.bin for s, _ in shown if s.bin is not None] == [(0, 0)]
    assert any(flag for _, flag in shown)  # the summary carries the "collapsed" note
    assert len([s for s, _ in visible_steps(trace, "all") if s.bin is not None]) == 49
    assert [s.bin for s, _ in visible_steps(trace, (3, 4)) if s.bin is not None] == [(3, 4)]
    summary = next(s for s in trace.steps if s.key == "summary").tables[0]
    assert len(summary.values) == 49


def test_trace_is_json_serialisable_with_output_and_steps() -> None:
    trace = roikit.explain_roi_align(np.arange(16.0).reshape(4, 4), (0.5, 0.5, 2.5, 2.5), 2)
    doc = json.loads(trace.to_json())
    assert doc["output"] == [list(r) for r in trace.output]
    assert [s["key"] for s in doc["steps"]][:2] == ["input", "align.scale"]
    assert doc["params"]["mode"] == "max"


def test_explain_rejects_bad_arguments() -> None:
    with pytest.raises(roikit.BoxError, match=r"box must be 4 numbers \(x1, y1, x2, y2\); got 3"):
        roikit.explain_roi_pool(np.zeros((4, 4)), (1, 2, 3), 2)
    with pytest.raises(roikit.ParameterError, match="lang must be 'en' or 'ko'; got 'fr'"):
        roikit.explain_roi_pool(np.zeros((4, 4)), (1, 2, 3, 3), 2, lang="fr")
    with pytest.raises(roikit.ParameterError, match=r"channel is 3; the feature map has 2"):
        roikit.explain_roi_align(np.zeros((2, 4, 4)), (1, 2, 3, 3), 2, channel=3)
    with pytest.raises(roikit.InputError, match="feature must be a 2-D map"):
        roikit.explain_roi_align(np.zeros(4), (1, 2, 3, 3), 2)
    with pytest.raises(roikit.BoxError, match="boxes\\[0, 1\\] is nan"):
        roikit.explain_roi_align(np.zeros((4, 4)), (np.nan, 2, 3, 3), 2)


def test_big_maps_bins_and_grids_stay_readable() -> None:
    from roikit.render import render

    m = np.random.default_rng(0).integers(0, 10, (40, 50)).astype(float)
    align = roikit.explain_roi_align(m, (5.3, 4.1, 38.6, 30.2), 7, 1.0, 0, mode="max")
    text = render(align, "text", width=110)
    assert len(text.splitlines()) < 250
    assert (
        "The map is large: rows 3…18 and columns 4…19 are shown, with every cell bin (0, 0) reads."
    ) in text
    # The first bin has a 4 x 5 adaptive grid: 16 points written out, 4 summarized, and
    # the winner is written out wherever it falls.
    first = next(s for s in align.steps if s.bin == (0, 0))
    shown = len([line for line in first.lines if line.startswith("point ")])
    assert shown in (16, 17)
    assert f"… and {20 - shown} more points, not written out; the bin's value uses all 20." in first.lines
    pool = roikit.explain_roi_pool(m, (5.3, 4.1, 48.6, 39.2), 2)
    bin_step = next(s for s in pool.steps if s.bin == (0, 0))
    assert bin_step.lines[-1].startswith("The bin is large: rows ")
    table = bin_step.tables[0]
    assert len(table.values) == 16 and len(table.values[0]) == 16 and table.highlight
    r, c = table.highlight[0]
    assert float(table.values[r][c]) == pool.output[0][0]  # the highlighted cell is the bin's max
