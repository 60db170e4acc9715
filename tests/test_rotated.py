"""Rotated RoI Align: properties (no runnable detectron2 here), gradients and errors."""

from __future__ import annotations

import numpy as np
import pytest

import roikit
from conftest import random_boxes
from roikit.ops.rotated import roi_align_rotated, roi_align_rotated_backward


def _rotated_from_corners(boxes: np.ndarray, angle: float) -> np.ndarray:
    b, x1, y1, x2, y2 = boxes.T
    return np.column_stack([b, (x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1, np.full(len(b), angle)])


@pytest.mark.parametrize("sr", [0, 1, 2])
@pytest.mark.parametrize("scale", [1.0, 0.5])
def test_angle_zero_is_aligned_roi_align(rng, sr, scale):  # type: ignore[no-untyped-def]
    x = rng.standard_normal((2, 3, 9, 11))
    boxes = random_boxes(rng, 30, 2, -3, 13)
    boxes[:, 3:] = np.maximum(boxes[:, 3:], boxes[:, 1:3])  # rotated boxes have sizes >= 0
    ours = roi_align_rotated(x, _rotated_from_corners(boxes, 0.0), (3, 2), scale, sr)
    ref = roikit.roi_align(x, boxes, (3, 2), scale, sr, aligned=True)
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)


def test_ninety_degrees_is_the_op_on_the_transposed_map(rng):  # type: ignore[no-untyped-def]
    # At 90 degrees counter-clockwise a sample (yy, xx) of the box frame lands at
    # (cy - xx, cx + yy): the angle-0 op on M.T with (cx, cy) swapped and the
    # width axis reversed.
    m = rng.standard_normal((1, 2, 8, 10))
    rois = np.array([[0, 4.3, 3.1, 4.0, 2.5, 90.0], [0, 2.0, 6.2, 3.0, 5.0, 90.0]])
    ours = roi_align_rotated(m, rois, (2, 3), 1.0, 2)
    swapped = rois.copy()
    swapped[:, [1, 2]] = rois[:, [2, 1]]
    swapped[:, 5] = 0.0
    ref = roi_align_rotated(m.transpose(0, 1, 3, 2), swapped, (2, 3), 1.0, 2)[..., ::-1]
    np.testing.assert_allclose(ours, ref, rtol=1e-9, atol=1e-12)


def test_mmcv_radians_and_clockwise(rng):  # type: ignore[no-untyped-def]
    x = rng.standard_normal((1, 2, 9, 9))
    deg = np.array([[0, 4.2, 4.7, 5.0, 3.0, 30.0]])
    rad = deg.copy()
    rad[0, 5] = np.deg2rad(30.0)
    a = roi_align_rotated(x, deg, 2, 1.0, 2)
    np.testing.assert_allclose(roi_align_rotated(x, rad, 2, 1.0, 2, angle_unit="radians"), a, atol=1e-12)
    cw = deg.copy()
    cw[0, 5] = -30.0
    np.testing.assert_allclose(roi_align_rotated(x, cw, 2, 1.0, 2, clockwise=True), a, atol=1e-12)
    # mmcv's aligned=False: no -0.5 shift and sizes raised to 1 cell, like legacy roi_align.
    legacy = roi_align_rotated(x, np.array([[0, 4.0, 4.0, 0.2, 0.4, 0.0]]), 1, 1.0, 1, aligned=False)
    assert legacy[0, 0, 0, 0] == pytest.approx(x[0, 0, 4, 4])


def test_rotated_gradients(rng):  # type: ignore[no-untyped-def]
    x = rng.standard_normal((1, 2, 6, 7))
    rois = np.array([[0, 3.1, 2.9, 4.0, 3.0, 33.0], [0, 1.0, 5.0, 6.0, 2.0, -70.0]])
    g = rng.standard_normal((2, 2, 2, 2))
    analytic = roi_align_rotated_backward(g, x, rois, 2, 1.0, 2)
    eps, numeric = 1e-6, np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += eps
        xm[idx] -= eps
        numeric[idx] = np.sum(
            g * (roi_align_rotated(xp, rois, 2, 1.0, 2) - roi_align_rotated(xm, rois, 2, 1.0, 2))
        ) / (2 * eps)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)
    lhs = np.vdot(roi_align_rotated(x, rois, 2, 1.0, 0), g)
    rhs = np.vdot(x, roi_align_rotated_backward(g, x, rois, 2, 1.0, 0))
    assert lhs == pytest.approx(rhs, rel=1e-12)


def test_rotated_errors() -> None:
    x = np.zeros((1, 1, 4, 4))
    with pytest.raises(
        roikit.BoxError,
        match=r"rois\[0, 3\] is -1.0; rotated boxes need a "
        "non-negative width",
    ):
        roi_align_rotated(x, np.array([[0, 1, 1, -1.0, 1, 0]]), 2)
    with pytest.raises(roikit.BoxError, match=r"rois\[0, 4\] is nan; box coordinates must be finite"):
        roi_align_rotated(x, np.array([[0, 1, 1, 1, np.nan, 0]]), 2)
    with pytest.raises(roikit.BoxError, match=r"rois must have shape \(K, 6\)"):
        roi_align_rotated(x, np.zeros((1, 5)), 2)
    with pytest.raises(
        roikit.BoxError, match=r"batch index rois\[0, 0\] is 1.0; it must be an integer in \[0, 1\)"
    ):
        roi_align_rotated(x, np.array([[1, 1, 1, 1, 1, 0.0]]), 2)
    with pytest.raises(roikit.ParameterError, match="angle_unit must be 'degrees' or 'radians'"):
        roi_align_rotated(x, np.zeros((1, 6)), 2, angle_unit="grad")
    with pytest.raises(roikit.ParameterError, match="pass a positive sampling_ratio"):
        roi_align_rotated(x, np.array([[0, 1, 1, 1e6, 1e6, 0.0]]), 2)
    huge = roi_align_rotated(x, np.array([[0, 1, 1, 1e6, 1e6, 0.0]]), 2, sampling_ratio=2)
    assert huge.shape == (1, 1, 2, 2)
