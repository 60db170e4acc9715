"""roikit against the naive float64 loop oracle (tests/oracle.py), all modes."""

from __future__ import annotations

import numpy as np
import oracle
import pytest

import roikit
from conftest import random_boxes
from roikit.engine import plan as plan_module

CASES = [
    # (output_size, scale, sampling_ratio, aligned)
    ((2, 2), 1.0, 2, False),
    ((2, 2), 1.0, 2, True),
    ((3, 2), 0.5, -1, False),
    ((3, 2), 0.5, 0, True),
    ((1, 4), 1.0, 1, True),
    ((4, 3), 2.0, 3, False),
]


@pytest.mark.parametrize("mode", ["avg", "max"])
@pytest.mark.parametrize(("output_size", "scale", "sr", "aligned"), CASES)
def test_roi_align_matches_oracle(rng, mode, output_size, scale, sr, aligned):  # type: ignore[no-untyped-def]
    x = rng.standard_normal((2, 2, 7, 6))
    boxes = random_boxes(rng, 25, 2, -4, 10)
    ours = roikit.roi_align(x, boxes, output_size, scale, sr, aligned, mode)
    ref = oracle.roi_align(x, boxes, output_size, scale, sr, aligned, mode)
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)

    g = rng.standard_normal(ref.shape)
    ours_g = roikit.roi_align_backward(g, x, boxes, output_size, scale, sr, aligned, mode)
    ref_g = oracle.roi_align_backward(g, x, boxes, output_size, scale, sr, aligned, mode)
    np.testing.assert_allclose(ours_g, ref_g, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("output_size", "scale"), [((2, 2), 1.0), ((3, 4), 0.5), ((5, 5), 1.0)])
def test_roi_pool_matches_oracle(rng, output_size, scale):  # type: ignore[no-untyped-def]
    x = rng.standard_normal((2, 3, 6, 7))
    boxes = random_boxes(rng, 30, 2, -4, 11)
    ref = oracle.roi_pool(x, boxes, output_size, scale)
    np.testing.assert_array_equal(roikit.roi_pool(x, boxes, output_size, scale), ref)
    g = rng.standard_normal(ref.shape)
    np.testing.assert_allclose(
        roikit.roi_pool_backward(g, x, boxes, output_size, scale),
        oracle.roi_pool_backward(g, x, boxes, output_size, scale),
        rtol=1e-12,
        atol=1e-12,
    )


@pytest.mark.parametrize("aligned", [False, True])
def test_max_mode_ties_and_out_of_range_zeros_follow_first_wins(aligned):  # type: ignore[no-untyped-def]
    # Integer-valued maps with many zeros and negatives make ties between in-range
    # samples and out-of-range samples (worth 0) common; order decides the gradient.
    rng = np.random.default_rng(7)
    x = rng.integers(-2, 2, (1, 3, 5, 5)).astype(np.float64)
    x[:, :, 2:, :] = np.minimum(x[:, :, 2:, :], 0)
    boxes = random_boxes(rng, 60, 1, -7, 12)
    boxes[:, 1:] = np.round(boxes[:, 1:] * 2) / 2
    for sr in (1, 2, 3):
        ref = oracle.roi_align(x, boxes, (2, 2), 1.0, sr, aligned, "max")
        np.testing.assert_array_equal(roikit.roi_align(x, boxes, (2, 2), 1.0, sr, aligned, "max"), ref)
        g = rng.standard_normal(ref.shape)
        np.testing.assert_allclose(
            roikit.roi_align_backward(g, x, boxes, (2, 2), 1.0, sr, aligned, "max"),
            oracle.roi_align_backward(g, x, boxes, (2, 2), 1.0, sr, aligned, "max"),
            rtol=1e-12,
            atol=1e-12,
        )


@pytest.mark.parametrize("mode", ["avg", "max"])
def test_windowed_sampling_of_large_grids_equals_evaluating_every_sample(monkeypatch, mode):  # type: ignore[no-untyped-def]
    # Large adaptive grids keep only a window of samples near the map; evaluating
    # every sample instead (SMALL_GRID raised) must give the same numbers.
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, 2, 6, 5))
    boxes = np.array(
        [[0, -300, -250, 280, 350], [0, -900, 2, 4, 700], [0, -5, -5, 400, 3], [0, 3, 2, -500, -400]]
    )
    for aligned in (False, True):
        windowed = roikit.roi_align(x, boxes, (2, 3), 1.0, 0, aligned, mode)
        plan = roikit.engine.execute.make_align_plan(x, boxes, (2, 3), 1.0, 0, aligned)[2]
        assert plan.y.grid.max() > plan_module.SMALL_GRID  # the window is really used
        monkeypatch.setattr(plan_module, "SMALL_GRID", 10**6)
        plan_module.PLANS.clear()
        full = roikit.roi_align(x, boxes, (2, 3), 1.0, 0, aligned, mode)
        monkeypatch.undo()
        plan_module.PLANS.clear()
        np.testing.assert_allclose(windowed, full, rtol=1e-12, atol=1e-15)
