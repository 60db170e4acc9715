"""Precise RoI Pooling: exact integrals by hand, a brute-force integral oracle, gradients."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import random_boxes
from roikit.ops.prroi import prroi_pool, prroi_pool_backward


def _surface(m: np.ndarray, y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Bilinear interpolation of m at (y, x), cell i at i, zero outside: sum of tents."""
    H, W = m.shape
    ty = np.maximum(0, 1 - np.abs(y[..., None] - np.arange(H)))  # (..., H)
    tx = np.maximum(0, 1 - np.abs(x[..., None] - np.arange(W)))  # (..., W)
    return np.einsum("...h,hw,...w->...", ty, m, tx)


def _brute_force(m, box, size, scale, n=600):  # type: ignore[no-untyped-def]
    x1, y1, x2, y2 = (v * scale for v in box)
    bw, bh = max(x2 - x1, 0) / size[1], max(y2 - y1, 0) / size[0]
    out = np.zeros(size)
    if bw == 0 or bh == 0:
        return out
    u = (np.arange(n) + 0.5) / n
    for p in range(size[0]):
        for q in range(size[1]):
            yy = y1 + (p + u) * bh
            xx = x1 + (q + u) * bw
            out[p, q] = _surface(m, yy[:, None], xx[None, :]).mean()
    return out


def test_constant_region_pools_to_the_constant() -> None:
    m = np.full((1, 1, 6, 6), 3.0)
    out = prroi_pool(m, np.array([[0, 0.0, 0.3, 4.7, 5.0]]), (2, 3))
    np.testing.assert_allclose(out, 3.0, rtol=0, atol=1e-12)


def test_linear_ramp_pools_to_its_exact_bin_means() -> None:
    # v(y, x) = 2y + x: bins of [0.5, 4.5] split in two (x) and [1, 4] in three (y);
    # each bin's mean is v at its centre: x centres 1.5, 3.5; y centres 1.5, 2.5, 3.5.
    r, c = np.mgrid[0:6, 0:6]
    m = (2.0 * r + c)[None, None]
    out = prroi_pool(m, np.array([[0, 0.5, 1.0, 4.5, 4.0]]), (3, 2))[0, 0]
    expected = 2 * np.array([1.5, 2.5, 3.5])[:, None] + np.array([1.5, 3.5])[None, :]
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("scale", [1.0, 0.5])
def test_matches_a_brute_force_integral_including_off_map_parts(rng, scale):  # type: ignore[no-untyped-def]
    m = rng.standard_normal((5, 6))
    boxes = random_boxes(rng, 12, 1, -3, 9)
    ours = prroi_pool(m[None, None], boxes, (2, 2), scale)
    for k, b in enumerate(boxes):
        np.testing.assert_allclose(ours[k, 0], _brute_force(m, b[1:], (2, 2), scale), atol=2e-5)


def test_input_gradient_adjoint(rng):  # type: ignore[no-untyped-def]
    x = rng.standard_normal((2, 3, 7, 6))
    boxes = random_boxes(rng, 15, 2, -2, 9)
    g = rng.standard_normal((15, 3, 2, 3))
    lhs = np.vdot(prroi_pool(x, boxes, (2, 3)), g)
    rhs = np.vdot(x, prroi_pool_backward(g, x, boxes, (2, 3))[0])
    assert lhs == pytest.approx(rhs, rel=1e-12)


@pytest.mark.parametrize("scale", [1.0, 0.7])
def test_box_gradient_matches_finite_differences(rng, scale):  # type: ignore[no-untyped-def]
    x = rng.standard_normal((1, 2, 7, 8))
    boxes = np.array([[0, 1.3, 0.7, 5.2, 4.9], [0, -1.4, 2.2, 3.1, 7.3], [0, 5.5, -0.6, 8.9, 3.3]])
    g = rng.standard_normal((3, 2, 2, 3))
    _, analytic = prroi_pool_backward(g, x, boxes, (2, 3), scale)
    eps, numeric = 1e-6, np.zeros((3, 4))
    for k in range(3):
        for j in range(4):
            bp, bm = boxes.copy(), boxes.copy()
            bp[k, j + 1] += eps
            bm[k, j + 1] -= eps
            numeric[k, j] = np.sum(
                g * (prroi_pool(x, bp, (2, 3), scale) - prroi_pool(x, bm, (2, 3), scale))
            ) / (2 * eps)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


def test_inverted_boxes_pool_to_zero_with_zero_gradients() -> None:
    x = np.ones((1, 1, 4, 4))
    boxes = np.array([[0, 3.0, 1.0, 1.0, 3.0]])
    assert np.all(prroi_pool(x, boxes, 2) == 0)
    gi, gb = prroi_pool_backward(np.ones((1, 1, 2, 2)), x, boxes, 2)
    assert np.all(gi == 0) and np.all(gb == 0)
