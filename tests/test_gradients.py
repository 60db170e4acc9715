"""Backward ops: central finite differences (float64) and the adjoint identity."""

from __future__ import annotations

import numpy as np
import pytest

import roikit
from conftest import random_boxes

ALIGN_CASES = [  # (sampling_ratio, aligned, mode): the grid is fixed for finite differences
    (2, False, "avg"),
    (2, True, "avg"),
    (3, True, "max"),
    (1, False, "max"),
]


def _numeric_grad(f, x: np.ndarray, g: np.ndarray, eps: float = 1e-6) -> np.ndarray:  # type: ignore[no-untyped-def]
    out = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += eps
        xm[idx] -= eps
        out[idx] = np.sum(g * (f(xp) - f(xm))) / (2 * eps)
    return out


@pytest.mark.parametrize(("sr", "aligned", "mode"), ALIGN_CASES)
def test_roi_align_backward_matches_finite_differences(rng, sr, aligned, mode):  # type: ignore[no-untyped-def]
    x = rng.standard_normal((2, 2, 5, 6))
    boxes = random_boxes(rng, 6, 2, -2, 7)
    g = rng.standard_normal((6, 2, 2, 3))
    f = lambda v: roikit.roi_align(v, boxes, (2, 3), 1.0, sr, aligned, mode)  # noqa: E731
    analytic = roikit.roi_align_backward(g, x, boxes, (2, 3), 1.0, sr, aligned, mode)
    np.testing.assert_allclose(analytic, _numeric_grad(f, x, g), rtol=1e-6, atol=1e-7)


def test_roi_pool_backward_matches_finite_differences(rng):  # type: ignore[no-untyped-def]
    x = rng.standard_normal((2, 2, 5, 6))
    boxes = random_boxes(rng, 6, 2, -2, 7)
    g = rng.standard_normal((6, 2, 3, 2))
    f = lambda v: roikit.roi_pool(v, boxes, (3, 2), 0.9)  # noqa: E731
    np.testing.assert_allclose(
        roikit.roi_pool_backward(g, x, boxes, (3, 2), 0.9), _numeric_grad(f, x, g), rtol=1e-6, atol=1e-7
    )


@pytest.mark.parametrize("sr", [-1, 1, 2])
@pytest.mark.parametrize("aligned", [False, True])
@pytest.mark.parametrize("mode", ["avg", "max"])
def test_roi_align_adjoint_identity(rng, sr, aligned, mode):  # type: ignore[no-untyped-def]
    # For fixed boxes (and, in max mode, fixed winners) the op is linear in x:
    # <op(x), g> == <x, op_T(g)>.
    x = rng.standard_normal((3, 4, 11, 9))
    boxes = random_boxes(rng, 40, 3, -6, 16)
    g = rng.standard_normal((40, 4, 3, 4))
    lhs = np.vdot(roikit.roi_align(x, boxes, (3, 4), 0.8, sr, aligned, mode), g)
    rhs = np.vdot(x, roikit.roi_align_backward(g, x, boxes, (3, 4), 0.8, sr, aligned, mode))
    assert lhs == pytest.approx(rhs, rel=1e-12, abs=1e-12)


def test_roi_pool_adjoint_identity(rng):  # type: ignore[no-untyped-def]
    x = rng.standard_normal((3, 4, 11, 9))
    boxes = random_boxes(rng, 40, 3, -6, 16)
    g = rng.standard_normal((40, 4, 2, 5))
    lhs = np.vdot(roikit.roi_pool(x, boxes, (2, 5), 0.8), g)
    rhs = np.vdot(x, roikit.roi_pool_backward(g, x, boxes, (2, 5), 0.8))
    assert lhs == pytest.approx(rhs, rel=1e-12, abs=1e-12)


def test_backward_is_deterministic_bit_for_bit(rng):  # type: ignore[no-untyped-def]
    x = rng.standard_normal((2, 70, 16, 16)).astype(np.float32)
    boxes = random_boxes(rng, 300, 2, -2, 18).astype(np.float32)
    g = rng.standard_normal((300, 70, 2, 2)).astype(np.float32)
    first = roikit.roi_align_backward(g, x, boxes, 2, 1.0, 2, True)
    for _ in range(3):
        again = roikit.roi_align_backward(g, x, boxes, 2, 1.0, 2, True)
        np.testing.assert_array_equal(again, first)


@pytest.mark.parametrize(
    "backward",
    [
        lambda g, x, b: roikit.roi_align_backward(g, x, b, (2, 3), 0.5, 2, True),
        lambda g, x, b: roikit.roi_align_backward(g, x, b, (2, 3), 0.5, 0, False),
        lambda g, x, b: roikit.roi_align_backward(g, x, b, (2, 3), 0.5, 2, True, mode="max"),
        lambda g, x, b: roikit.roi_pool_backward(g, x, b, (2, 3), 0.5),
        lambda g, x, b: roikit.roi_align_rotated_backward(  # (batch, cx, cy, w, h, angle)
            g, x, np.column_stack([b[:, :3], np.abs(b[:, 3:]), np.linspace(-40, 40, len(b))]), (2, 3), 0.5, 2
        ),
    ],
    ids=["align-avg-sr2", "align-avg-adaptive", "align-max", "pool", "rotated"],
)
@pytest.mark.parametrize("form", ["direct", "separable", None])
def test_the_gradient_is_the_same_bits_at_every_chunk_width(rng, monkeypatch, backward, form):  # type: ignore[no-untyped-def]
    # The kernels read a work item's channel count off the buffer: a width they did not expect
    # (7: partial chunks everywhere; 1; wider than the map's 70 channels) changes no sum.
    from roikit.engine import execute, kernels

    x = rng.standard_normal((2, 70, 12, 13)).astype(np.float32)
    boxes = random_boxes(rng, 30, 2, -2, 30).astype(np.float32)
    g = rng.standard_normal((30, 70, 2, 3)).astype(np.float32)
    monkeypatch.setattr(execute, "FORCE_FORM", form)
    widths = {}
    for width in (32, 64, 7, 1, 128):
        monkeypatch.setattr(kernels, "chunk_width", lambda C, threads, width=width: width)
        widths[width] = backward(g, x, boxes)
    for width, grad in widths.items():
        np.testing.assert_array_equal(grad, widths[32], err_msg=f"chunk width {width}")
    assert np.abs(widths[32]).sum() > 0


def test_a_chunk_of_64_channels_only_where_every_thread_still_gets_one() -> None:
    from roikit.engine.kernels import CHUNK, WIDE_CHUNK, chunk_width

    assert (CHUNK, WIDE_CHUNK) == (32, 64)
    assert chunk_width(256, 2) == 64  # 4 chunks for 2 threads
    assert chunk_width(128, 2) == 64
    assert chunk_width(64, 2) == 32  # one chunk of 64 would leave a thread idle
    assert chunk_width(64, 1) == 64
    assert chunk_width(256, 8) == 32
    assert chunk_width(1, 1) == 64
