"""Small examples worked out on paper; the derivation is in each comment.

The map ``RAMP`` is ``v[r, c] = 4*r + c`` on 4x4 cells:

     0  1  2  3
     4  5  6  7
     8  9 10 11
    12 13 14 15

It is linear, so bilinear interpolation inside ``[0, 3]`` is exact:
``B(y, x) = 4*y + x``.
"""

from __future__ import annotations

import numpy as np

import roikit

RAMP = np.arange(16, dtype=np.float64).reshape(1, 1, 4, 4)


def test_roi_pool_by_hand() -> None:
    # Box (0.4, 0.6, 2.5, 2.5): x 0.4 -> 0, y 0.6 -> 1, 2.5 -> 3 (half away from zero).
    # Width 3-0+1 = 4 cells, height 3-1+1 = 3 cells; bins 2 wide and 1.5 tall.
    # Rows: bin 0 = [1 + floor(0), 1 + ceil(1.5)) = [1, 3); bin 1 = [1 + 1, 1 + 3) = [2, 4)
    # (row 2 is in both). Columns: [0, 2) and [2, 4).
    # Maxima: rows 1-2 x cols 0-1 -> v[2,1] = 9; cols 2-3 -> v[2,3] = 11;
    #         rows 2-3 x cols 0-1 -> v[3,1] = 13; cols 2-3 -> v[3,3] = 15.
    out = roikit.roi_pool(RAMP, np.array([[0, 0.4, 0.6, 2.5, 2.5]]), 2)
    np.testing.assert_array_equal(out[0, 0], [[9, 11], [13, 15]])


def test_roi_pool_rounding_is_c_rounding() -> None:
    # On a 6x6 ramp v = 6*r + c, box (0.5, 0.5, 2.5, 2.5) snaps to cells 1..3 (0.5 -> 1,
    # 2.5 -> 3), so the max is v[3, 3] = 21. numpy's round-half-even would give 0..2 and 14.
    ramp6 = np.arange(36.0).reshape(1, 1, 6, 6)
    assert roikit.roi_pool(ramp6, np.array([[0, 0.5, 0.5, 2.5, 2.5]]), 1)[0, 0, 0, 0] == 21


def test_roi_align_avg_on_a_linear_map_by_hand() -> None:
    # Box (0.5, 0.5, 2.5, 2.5), aligned=False: start 0.5, size 2, bins of 1 cell,
    # 2 samples per axis at 0.5 + p + (i + 0.5)/2: bin 0 -> 0.75, 1.25; bin 1 -> 1.75, 2.25.
    # Averages of 4y + x: y mean 1 or 2, x mean 1 or 2 -> [[5, 6], [9, 10]].
    out = roikit.roi_align(RAMP, np.array([[0, 0.5, 0.5, 2.5, 2.5]]), 2, sampling_ratio=2)
    np.testing.assert_allclose(out[0, 0], [[5, 6], [9, 10]], rtol=0, atol=1e-12)


def test_roi_align_max_on_a_linear_map_by_hand() -> None:
    # Same 16 samples; each bin's max is at its largest (y, x):
    # (1.25, 1.25) -> 6.25, (1.25, 2.25) -> 7.25, (2.25, 1.25) -> 10.25, (2.25, 2.25) -> 11.25.
    out = roikit.roi_align(RAMP, np.array([[0, 0.5, 0.5, 2.5, 2.5]]), 2, sampling_ratio=2, mode="max")
    np.testing.assert_allclose(out[0, 0], [[6.25, 7.25], [10.25, 11.25]], rtol=0, atol=1e-12)


def test_bilinear_weights_by_hand() -> None:
    # Map [[0, 10], [20, 40]], box (0, 0, 1, 1), one bin, 2x2 samples at 0.25 and 0.75.
    # (0.25, 0.25): weights .5625 .1875 .1875 .0625 -> 0 + 1.875 + 3.75 + 2.5 = 8.125
    # (0.25, 0.75): weights .1875 .5625 .0625 .1875 -> 0 + 5.625 + 1.25 + 7.5 = 14.375
    # (0.75, 0.25): weights .1875 .0625 .5625 .1875 -> 0 + 0.625 + 11.25 + 7.5 = 19.375
    # (0.75, 0.75): weights .0625 .1875 .1875 .5625 -> 0 + 1.875 + 3.75 + 22.5 = 28.125
    # avg = 70 / 4 = 17.5; max = 28.125.
    m = np.array([[[[0.0, 10.0], [20.0, 40.0]]]])
    box = np.array([[0, 0.0, 0.0, 1.0, 1.0]])
    assert roikit.roi_align(m, box, 1, sampling_ratio=2)[0, 0, 0, 0] == 17.5
    assert roikit.roi_align(m, box, 1, sampling_ratio=2, mode="max")[0, 0, 0, 0] == 28.125
    # The max's gradient goes to the winner's 4 neighbours with its weights.
    grad = roikit.roi_align_backward(np.ones((1, 1, 1, 1)), m, box, 1, sampling_ratio=2, mode="max")
    np.testing.assert_array_equal(grad[0, 0], [[0.0625, 0.1875], [0.1875, 0.5625]])


def test_border_rule_by_hand() -> None:
    # 2x2 map of 8s. Box x in (-3, 1), y in (0, 2), one bin, 2x2 samples, aligned=False:
    # x samples at -3 + 0.5*4/2 = -2 (beyond -1: worth 0) and -3 + 1.5*2 = 0 (inside);
    # y samples at 0.5 and 1.5 (inside). Sum = 8 + 8 + 0 + 0, count 4 -> 4.
    m = np.full((1, 1, 2, 2), 8.0)
    half_out = np.array([[0, -3.0, 0.0, 1.0, 2.0]])
    assert roikit.roi_align(m, half_out, 1, sampling_ratio=2)[0, 0, 0, 0] == 4
    # x = -1 exactly is still inside and reads column 0: box (-2, 0, 0, 2) has its one
    # sample at (1, -1) -> 8.
    on_edge = np.array([[0, -2.0, 0.0, 0.0, 2.0]])
    assert roikit.roi_align(m, on_edge, 1, sampling_ratio=1)[0, 0, 0, 0] == 8
    # In max mode the out-of-range samples are zeros that take part: a map of -8s gives 0.
    neg = -m
    out = roikit.roi_align(neg, half_out, 1, sampling_ratio=2, mode="max")
    assert out[0, 0, 0, 0] == 0


def test_roi_pool_box_outside_gives_zero_by_hand() -> None:
    # Cells -10..-8 are all clipped away: every bin is empty, so the output is 0.
    out = roikit.roi_pool(RAMP + 100, np.array([[0, -10.0, -10.0, -8.0, -8.0]]), 2)
    np.testing.assert_array_equal(out, 0)


def test_max_mode_nan_rules() -> None:
    # Every sample reads NaN and none lies outside: nothing beats the start value -FLT_MAX
    # (mmcv's), and no gradient flows. A sample outside (worth 0) wins over NaNs instead.
    nan_map = np.full((1, 1, 4, 4), np.nan)
    inside = np.array([[0, 0.5, 0.5, 2.5, 2.5]])
    out = roikit.roi_align(nan_map, inside, 1, sampling_ratio=2, mode="max")
    assert out[0, 0, 0, 0] == -np.finfo(np.float32).max
    grad = roikit.roi_align_backward(np.ones((1, 1, 1, 1)), nan_map, inside, 1, sampling_ratio=2, mode="max")
    assert np.all(grad == 0)
    reaching_out = np.array([[0, -6.0, 0.5, 2.5, 2.5]])
    assert roikit.roi_align(nan_map, reaching_out, 1, sampling_ratio=2, mode="max")[0, 0, 0, 0] == 0
