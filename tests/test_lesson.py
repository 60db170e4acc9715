"""The walkthrough as a lesson: every expected number here was worked out on paper.

The demo: an 8x8 map, the box (3.2, 4.6, 12.8, 13.6) at spatial_scale 0.5, so
(1.6, 2.3, 6.4, 6.8) on the map, 2x2 bins, 2x2 points per bin.
"""

from __future__ import annotations

import re

import needs
import numpy as np
import pytest

import roikit
from roikit.frontends.demo import DEMO_BOX, DEMO_MAP, DEMO_SCALE
from roikit.render import render


def steps(trace: roikit.Trace) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for s in trace.steps:
        out.setdefault(s.key, []).extend(s.lines)
    return out


def test_bilinear_weights_are_derived_for_the_first_point() -> None:
    # Bin (0, 0): y = 2.3 + 0.5 × 2.25 / 2 = 2.8625, x = 1.6 + 0.5 × 2.4 / 2 = 2.2.
    # Rows 2, 3: ly = 0.8625, hy = 0.1375. Columns 2, 3: lx = 0.2, hx = 0.8.
    # Map cells (2,2)=7, (2,3)=4, (3,2)=4, (3,3)=8. 0.77 + 0.11 + 2.76 + 1.38 = 5.02.
    trace = roikit.explain_roi_align(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE, mode="max")
    first = next(s for s in trace.steps if s.bin == (0, 0))
    assert first.title == "5. Bin (0, 0): bilinear interpolation at each point"
    assert list(first.lines[:10]) == [
        "point 1 at (y, x) = (2.8625, 2.2), bilinear interpolation worked out:",
        "  y = 2.8625 lies between rows 2 and 3: ly = 2.8625 − 2 = 0.8625, hy = 1 − ly = 1 − 0.8625 = 0.1375",
        "  x = 2.2 lies between columns 2 and 3: lx = 2.2 − 2 = 0.2, hx = 1 − lx = 1 − 0.2 = 0.8",
        "  each neighbour's weight is the area of the rectangle opposite it:",
        "  (2, 2) = 7: weight hy·hx = 0.1375 × 0.8 = 0.11",
        "  (2, 3) = 4: weight hy·lx = 0.1375 × 0.2 = 0.0275",
        "  (3, 2) = 4: weight ly·hx = 0.8625 × 0.8 = 0.69",
        "  (3, 3) = 8: weight ly·lx = 0.8625 × 0.2 = 0.1725",
        "  the four weights add up to 0.11 + 0.0275 + 0.69 + 0.1725 = 1",
        "  value = 7×0.11 + 4×0.0275 + 4×0.69 + 8×0.1725 = 5.02",
    ]
    # The first point's value again, as two linear interpolations: row 2 along x, 7 × 0.8 + 4 × 0.2
    # = 6.4; row 3, 4 × 0.8 + 8 × 0.2 = 4.8; along y, 6.4 × 0.1375 + 4.8 × 0.8625 = 0.88 + 4.14 = 5.02.
    assert first.lines[10].startswith(
        "  the same value as two linear interpolations: along x on row 2, 7 × 0.8 + 4 × 0.2 = 6.4; "
        "on row 3, 4 × 0.8 + 8 × 0.2 = 4.8; then along y, 6.4 × 0.1375 + 4.8 × 0.8625 = 5.02."
    )
    # The winner (point 2, x = 3.4: lx = 0.4) is its one line, then its weights worked out under it
    # (notes: a handout keeps the one line); points 3 and 4 are one line each.
    assert (
        first.lines[11]
        == "point 2 at (y, x) = (2.8625, 3.4): 4×0.0825 + 1×0.055 + 8×0.5175 + 2×0.345 = 5.215"
    )
    assert first.lines[12] == (
        "  y = 2.8625 lies between rows 2 and 3: ly = 2.8625 − 2 = 0.8625, hy = 1 − ly = 1 − 0.8625 = 0.1375"
    )
    assert first.lines[19] == "  the four weights add up to 0.0825 + 0.055 + 0.5175 + 0.345 = 1"
    assert first.notes == (10, *range(12, 20))  # the two interpolations, and the winner's derivation
    # point 3: y = 3.9875 (rows 3, 4: ly = 0.9875), x = 2.2; cells 4, 8, 3, 2
    assert "point 3 at (y, x) = (3.9875, 2.2): 4×0.01 + 8×0.0025 + 3×0.79 + 2×0.1975 = 2.825" in first.lines
    assert first.lines[-1] == "max of the 4 points = 5.215  ← point 2"


def test_bilinear_derivation_in_korean_names_the_method() -> None:
    trace = roikit.explain_roi_align(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE, lang="ko")
    first = next(s for s in trace.steps if s.bin == (0, 0))
    assert first.title == "5. 구간 (0, 0): 점마다 이중 선형 보간(bilinear interpolation)"
    assert first.lines[1] == (
        "  y = 2.8625: 두 행 2, 3 사이. ly = 2.8625 − 2 = 0.8625, hy = 1 − ly = 1 − 0.8625 = 0.1375"
    )
    assert first.lines[4] == "  (2, 2) = 7: 가중치 hy·hx = 0.1375 × 0.8 = 0.11"


def test_misalignment_of_the_demo_box_by_hand() -> None:
    trace = roikit.explain_roi_pool(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE)
    mis = trace.data.misalignment
    # Edges: 1.6 → 2 (+0.4 cells = +0.8 px at scale 0.5), 6.4 → 6, 2.3 → 2, 6.8 → 7.
    got = [(e.side, e.pooled, round(e.shift, 9), round(e.shift_px, 9)) for e in mis.edges]
    assert got == [
        ("left", 2, 0.4, 0.8),
        ("right", 6, -0.4, -0.8),
        ("top", 2, -0.3, -0.6),
        ("bottom", 7, 0.2, 0.4),
    ]
    # Bins: w = 4.8 → [1.6, 4.0], [4.0, 6.4]; pooled (size 5, bin 2.5) columns 2…4 and 4…6.
    # h = 4.5 → [2.3, 4.55], [4.55, 6.8]; pooled (size 6, bin 3) rows 2…4 and 5…7.
    bins = {(b.axis, b.bin): ([round(v, 9) for v in b.ideal], b.pooled) for b in mis.bins}
    assert bins == {
        ("x", 0): ([1.6, 4.0], (2, 4)),
        ("x", 1): ([4.0, 6.4], (4, 6)),
        ("y", 0): ([2.3, 4.55], (2, 4)),
        ("y", 1): ([4.55, 6.8], (5, 7)),
    }
    lines = steps(trace)["pool.misalignment"]
    assert "left edge x1 = 1.6 → column 2: +0.4 cells (+0.8 image px)" in lines
    assert "right edge x2 = 6.4 → column 6: −0.4 cells (−0.8 image px)" in lines
    assert any("⌊5 / 2⌋ = 2 columns and drop the last 1" in line for line in lines)
    table = next(s for s in trace.steps if s.key == "pool.misalignment").tables[0]
    row = table.row_labels.index("column bin 1")
    assert table.values[row] == ("[4, 6.4]", "4…6", "0 (0 px)", "−0.4 (−0.8 px)")


def test_an_integer_box_reports_no_rounding_shift() -> None:
    # d2l's example: box (0, 10, 30, 30) at scale 0.1 is (0, 1, 3, 3): nothing to round.
    m = np.arange(16.0).reshape(4, 4)
    trace = roikit.explain_roi_pool(m, (0, 10, 30, 30), (2, 2), 0.1)
    assert all(abs(e.shift) < 1e-9 for e in trace.data.misalignment.edges)
    lines = steps(trace)["pool.misalignment"]
    assert "The box lies on whole cells already: rounding moves no edge." in lines
    # The +1 is explained as a convention, not as a cost of rounding.
    assert (
        "The +1 of step 3 is not rounding: Caffe counts the end cell as part of the box "
        "(x2 is an inclusive pixel index), so columns 0…3 are 3 − 0 + 1 = 4 cells."
    ) in lines


def test_the_window_contains_every_cell_the_worked_bin_reads() -> None:
    m = np.random.default_rng(0).integers(0, 10, (40, 50)).astype(float)
    # y: 4.1 + (i + 0.5) × 3.7286 / 4 = 4.57 … 7.36 reads rows 4…8; x: 5.78 … 9.58, columns 5…10.
    trace = roikit.explain_roi_align(m, (5.3, 4.1, 38.6, 30.2), 7, 1.0, 0)
    lines = steps(trace)["input"]
    assert (
        "The map is large: rows 3…18 and columns 4…19 are shown, with every cell bin (0, 0) reads."
    ) in lines
    # --bin 6,6: y from 26.47 to 29.73 (rows 26…30), x from 34.08 to 37.88 (columns 34…38)
    trace = roikit.explain_roi_align(m, (5.3, 4.1, 38.6, 30.2), 7, 1.0, 0, bin=(6, 6))
    table = next(s for s in trace.steps if s.key == "input").tables[0]
    rows, cols = [int(r) for r in table.row_labels], [int(c) for c in table.col_labels]
    assert rows[0] <= 26 and rows[-1] >= 30 and cols[0] <= 34 and cols[-1] >= 38


def test_the_collapsed_note_names_the_bin_shown() -> None:
    m = np.random.default_rng(1).standard_normal((20, 20))
    trace = roikit.explain_roi_align(m, (1, 1, 18, 18), 7, bin=(3, 3))
    text = render(trace, "md", bins=(3, 3))
    assert "Bin (3, 3) is worked out in full above" in text
    assert "### 5. Bin (3, 3)" in text and "### 5. Bin (0, 0)" not in text


def test_average_mode_has_no_winner_column() -> None:
    m = np.random.default_rng(1).standard_normal((20, 20))
    trace = roikit.explain_roi_align(m, (1, 1, 18, 18), 7, mode="avg")
    summary = next(s for s in trace.steps if s.key == "summary")
    assert summary.tables == ()


def test_settings_and_the_library_call_are_said_out_loud() -> None:
    trace = roikit.explain_roi_align(
        DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE, sampling_ratio=-1, aligned=True, mode="avg"
    )
    lines = steps(trace)
    assert lines["input"][2] == (
        "Settings: an adaptive grid of sampling points per bin (worked out in step 3), combined by "
        "their average, aligned=True."
    )
    assert lines["input"][3] == (
        "torchvision.ops.roi_align only averages; its defaults are sampling_ratio=-1 (adaptive) "
        "and aligned=False."
    )
    assert lines["check"][0] == (
        "torchvision.ops.roi_align(x, torch.tensor([[0., 3.2, 4.6, 12.8, 13.6]]), output_size=(2, "
        "2), spatial_scale=0.5, sampling_ratio=-1, aligned=True) gives this output, with x the map "
        "as a (1, 1, H, W) tensor; detectron2's ROIAlign((2, 2), 0.5, -1, aligned=True) gives the "
        "same."
    )


@pytest.mark.parity
def test_the_library_call_really_gives_the_output() -> None:
    # Run the call the walkthrough prints (parsed from its own line) through torchvision.
    torch, torchvision = needs.modules("parity", "torch", "torchvision")

    trace = roikit.explain_roi_align(
        DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE, sampling_ratio=-1, aligned=True, mode="avg"
    )
    call = steps(trace)["check"][0].split(" gives this output")[0]
    # As a learner would make it: torch.tensor of the map's numbers, float32 like the boxes.
    x = torch.tensor(DEMO_MAP.tolist())[None, None]
    got = eval(call, {"torchvision": torchvision, "torch": torch, "x": x})  # noqa: S307
    np.testing.assert_allclose(got[0, 0].numpy(), np.array(trace.output), rtol=0, atol=1e-5)
    pool = roikit.explain_roi_pool(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE)
    call = steps(pool)["check"][0].split(" gives this output")[0]
    got = eval(call, {"torchvision": torchvision, "torch": torch, "x": x})  # noqa: S307
    np.testing.assert_array_equal(got[0, 0].numpy(), np.array(pool.output))


def test_repeating_decimals_are_written_as_approximate() -> None:
    # A zero-size box at (0, 0) with 3 x 3 points per bin: the bin is 1/2 cell (raised to 1,
    # over 2 bins), points at 1/12, 3/12, 5/12: weights like (11/12)² = 0.840277… repeat.
    m = np.array([[7.0, 3.0], [0.0, -4.0]])
    trace = roikit.explain_roi_align(m, (0, 0, 0, 0), 2, 0.5, 3, False, "avg")
    first = next(s for s in trace.steps if s.bin == (0, 0))
    # Weights go on into the value, so they keep 6 decimals; the value itself has 4:
    # 7×0.840278 + 3×0.076389 − 4×0.006944 = 6.083337, which is 6.0833 to 4 decimals.
    assert "  (0, 0) = 7: weight hy·hx = 0.916667 × 0.916667 ≈ 0.840278" in first.lines
    assert "  value = 7×0.840278 + 3×0.076389 + 0×0.076389 + (−4)×0.006944 ≈ 6.0833" in first.lines
    assert not any(" = 6.0833" in line for line in first.lines)


def test_pool_ties_go_to_the_first_cell_in_row_major_order() -> None:
    # Whole numbers with ties: bin (0, 0) covers rows 0…1, columns 0…1 of a map whose max 5
    # sits at (0, 1) and (1, 0); the first in row-major order is (0, 1).
    m = np.array([[1, 5, 2, 2], [5, 3, 2, 2], [0, 0, 7, 7], [0, 0, 7, 7]], float)
    trace = roikit.explain_roi_pool(m, (0, 0, 3, 3), 2)
    bins = {(b.ph, b.pw): b.winner for b in roikit.explain.trace.pool_data(trace).bins}
    assert bins[(0, 0)] == (0, 1) and bins[(0, 1)] == (0, 2) and bins[(1, 1)] == (2, 2)
    assert (
        "max = 5, at (row 0, column 1). The maximum appears 2 times; the first in row-major "
        "order wins." in steps(trace)["pool.bin"]
    )


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parity
def test_pool_backward_on_ties_matches_torchvision_and_the_oracle(seed: int) -> None:
    import oracle

    torch, torchvision = needs.modules("parity", "torch", "torchvision")

    rng = np.random.default_rng(seed)
    x = rng.integers(0, 3, (2, 3, 7, 7)).astype(np.float64)  # many ties
    boxes = np.column_stack([rng.integers(0, 2, 12), rng.uniform(-1, 8, (12, 4))])
    g = rng.standard_normal((12, 3, 3, 3))
    ours = roikit.roi_pool_backward(g, x, boxes, 3)
    np.testing.assert_allclose(ours, oracle.roi_pool_backward(g, x, boxes, (3, 3)), atol=1e-12)
    xt = torch.tensor(x, requires_grad=True)
    torchvision.ops.roi_pool(xt, torch.tensor(boxes), 3).backward(torch.tensor(g))
    np.testing.assert_allclose(ours, xt.grad.numpy(), atol=1e-12)


def test_a_wide_map_is_wrapped_never_elided_at_80_columns() -> None:
    # 16 columns of 6-character values do not fit 80 columns: the table is split into column
    # blocks, every value is printed and Rich's "…" never replaces a number.
    m = np.arange(16 * 16, dtype=float).reshape(16, 16) * 1000 + 0.25
    trace = roikit.explain_roi_pool(m, (0, 0, 15, 15), 1)
    text = render(trace, "text", width=80)
    assert all(len(line) <= 80 for line in text.splitlines())
    for v in m.ravel():
        assert f"{v:g}" in text, v
    # Rich marks a cut cell with "…" right before the border (ranges like 0…15 are fine).
    assert not re.search(r"…\s*[│┃]", text)


def test_the_demo_fits_about_300_lines_and_says_each_number_once() -> None:
    from roikit.frontends.demo import demo_traces

    text = render(demo_traces("en"), "text", width=100)
    # 430 lines before each number was said once; the "why"s of aligned=True, of the bilinear
    # weights and of the number of points, and the library calls of both modes, add about 50.
    assert len(text.splitlines()) <= 390
    assert text.count("max of the 4 points = 5.215  ← point 2") == 1
    assert text.count("average = (5.02 + 5.215 + 2.825 + 4.81) / 4 = 4.4675") == 1
    assert text.count("│7 │ 5 │ 2 │ 4 │ 1 │ 3 │ 5 │ 1 │ 4│") == 1  # the map's last row, once


def test_negative_numbers_have_one_spelling_in_lines_and_tables() -> None:
    # demo bin (0, 0): RoI Align (max) 5.215 against RoI Pool's 9, so Align − Pool = −3.785,
    # written with the true minus of the misalignment lines, in the sentence and in the table
    pool = roikit.explain_roi_pool(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE)
    align = roikit.explain_roi_align(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE, mode="max")
    out = render(roikit.compare_pool_align(pool, align), "text", width=100)
    assert "largest in size in bin (0, 0): −3.785." in out
    assert re.search(r"│\(0, 0\) │\s+9 │\s+5\.215 │\s+−3\.785│", out), out
    assert not re.search(r"-\d", out)  # no ASCII hyphen before a digit anywhere
