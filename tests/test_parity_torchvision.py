"""Parity with the real torchvision 0.29.1 CPU kernels, forward and backward.

Marked ``parity``: without the frameworks the file is skipped, unless ROIKIT_REQUIRE_PARITY=1
(make test, CI) makes that a failure (tests/needs.py).
"""

from __future__ import annotations

import needs
import numpy as np
import pytest

torch, torchvision = needs.modules("parity", "torch", "torchvision")
import roikit
from conftest import random_boxes

pytestmark = pytest.mark.parity

DTYPES = [np.float32, np.float64]


def assert_close(ours: np.ndarray, ref: np.ndarray, dtype) -> None:  # type: ignore[no-untyped-def]
    tol = 1e-9 if dtype == np.float64 else 2e-5
    assert ours.dtype == ref.dtype
    scale = max(1.0, float(np.abs(ref).max(initial=0.0)))
    np.testing.assert_allclose(ours, ref, rtol=tol, atol=tol * scale)


def torchvision_accepts(boxes: np.ndarray, output_size, scale, sampling_ratio, aligned):  # type: ignore[no-untyped-def]
    """torchvision's CPU kernel raises when exactly one adaptive grid is negative."""
    if not aligned or sampling_ratio > 0:
        return np.ones(len(boxes), bool)
    dt = boxes.dtype.type
    s = dt(scale)
    h = (boxes[:, 4] * s - dt(0.5)) - (boxes[:, 2] * s - dt(0.5))
    w = (boxes[:, 3] * s - dt(0.5)) - (boxes[:, 1] * s - dt(0.5))
    gh = np.ceil(h / dt(output_size[0]))
    gw = np.ceil(w / dt(output_size[1]))
    return ~((gh < 0) & (gw > 0) | (gh > 0) & (gw < 0))


def hostile_boxes(rng: np.random.Generator, n: int, H: int, W: int, dtype) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Boxes outside the map, inverted, zero-size, huge, on exact halves, on the borders."""
    rows = [
        random_boxes(rng, 40, n, -6, max(H, W) + 6),
        random_boxes(rng, 10, n, -200, 200),
        np.array(
            [
                [0, 2.0, 2.0, 2.0, 2.0],  # zero size
                [0, 3.5, 1.5, 3.5, 5.0],  # zero width, half coordinates
                [0, 0.5, 2.5, 4.5, 6.5],  # exact halves: C rounding differs from numpy's
                [0, -1.0, -1.0, W, H],  # the [-1, extent] border itself
                [0, -1.5, -1.5, W + 0.5, H + 0.5],  # just past it
                [0, W - 1, H - 1, W, H],  # last cell
                [0, -30.0, -30.0, -20.0, -20.0],  # entirely outside
                [0, 7.0, 6.0, 1.0, 2.0],  # inverted
                [0, -100.0, -100.0, 100.0, 100.0],  # huge
            ]
        ),
    ]
    out = np.concatenate(rows)
    out[:, 0] = rng.integers(0, n, len(out))
    return out.astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("aligned", [False, True])
@pytest.mark.parametrize("sampling_ratio", [-1, 0, 1, 2, 3])
@pytest.mark.parametrize(("output_size", "scale"), [((2, 2), 1.0), ((3, 5), 0.5), ((7, 4), 0.25)])
def test_roi_align_matches_torchvision(rng, dtype, aligned, sampling_ratio, output_size, scale):  # type: ignore[no-untyped-def]
    x = rng.standard_normal((2, 3, 9, 11)).astype(dtype)
    boxes = hostile_boxes(rng, 2, 9, 11, dtype)
    boxes = boxes[torchvision_accepts(boxes, output_size, scale, sampling_ratio, aligned)]
    xt = torch.from_numpy(x).requires_grad_()
    ref = torchvision.ops.roi_align(xt, torch.from_numpy(boxes), output_size, scale, sampling_ratio, aligned)
    ours = roikit.roi_align(x, boxes, output_size, scale, sampling_ratio, aligned)
    assert_close(ours, ref.detach().numpy(), dtype)

    grad = rng.standard_normal(ref.shape).astype(dtype)
    ref.backward(torch.from_numpy(grad))
    ours_grad = roikit.roi_align_backward(grad, x, boxes, output_size, scale, sampling_ratio, aligned)
    assert_close(ours_grad, xt.grad.numpy(), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("output_size", "scale"), [((2, 2), 1.0), ((3, 5), 0.5), ((7, 7), 0.25)])
def test_roi_pool_matches_torchvision(rng, dtype, output_size, scale):  # type: ignore[no-untyped-def]
    x = rng.standard_normal((2, 3, 9, 11)).astype(dtype)
    boxes = hostile_boxes(rng, 2, 9, 11, dtype)
    xt = torch.from_numpy(x).requires_grad_()
    ref = torchvision.ops.roi_pool(xt, torch.from_numpy(boxes), output_size, scale)
    np.testing.assert_array_equal(roikit.roi_pool(x, boxes, output_size, scale), ref.detach().numpy())
    grad = rng.standard_normal(ref.shape).astype(dtype)
    ref.backward(torch.from_numpy(grad))
    assert_close(roikit.roi_pool_backward(grad, x, boxes, output_size, scale), xt.grad.numpy(), dtype)


def test_roi_pool_rounds_halves_away_from_zero_like_torchvision() -> None:
    # 2.5 -> 3 and 0.5 -> 1 in C; numpy's round would give 2 and 0 and a different max.
    x = np.arange(36, dtype=np.float32).reshape(1, 1, 6, 6)
    boxes = np.array([[0, 0.5, 0.5, 2.5, 2.5]], np.float32)
    ref = torchvision.ops.roi_pool(torch.from_numpy(x), torch.from_numpy(boxes), 1).numpy()
    ours = roikit.roi_pool(x, boxes, 1)
    assert ours[0, 0, 0, 0] == ref[0, 0, 0, 0] == x[0, 0, 3, 3]


@pytest.mark.parametrize("dtype", DTYPES)
def test_list_of_boxes_form_matches_torchvision(rng, dtype):  # type: ignore[no-untyped-def]
    x = rng.standard_normal((3, 2, 8, 8)).astype(dtype)
    per_image = [rng.uniform(-2, 10, (n, 4)).astype(dtype) for n in (3, 0, 4)]
    ref = torchvision.ops.roi_align(
        torch.from_numpy(x), [torch.from_numpy(b) for b in per_image], (2, 3), 1.0, 2, True
    ).numpy()
    assert_close(roikit.roi_align(x, per_image, (2, 3), 1.0, 2, True), ref, dtype)
    ref = torchvision.ops.roi_pool(
        torch.from_numpy(x), [torch.from_numpy(b) for b in per_image], (2, 3)
    ).numpy()
    np.testing.assert_array_equal(roikit.roi_pool(x, per_image, (2, 3)), ref)


def test_mixed_sign_degenerate_box_raises_in_torchvision_and_gives_zero_here() -> None:
    # Aligned, adaptive: height -3 gives gh = ceil(-1.5) = -1, width 4 gives gw = 2.
    x = np.ones((1, 1, 6, 6))
    box = np.array([[0, 1.0, 5.0, 5.0, 2.0]])
    with pytest.raises((RuntimeError, ValueError)):
        torchvision.ops.roi_align(torch.from_numpy(x), torch.from_numpy(box), 2, 1.0, 0, True)
    out = roikit.roi_align(x, box, 2, 1.0, 0, True)
    np.testing.assert_array_equal(out, np.zeros((1, 1, 2, 2)))
    np.testing.assert_array_equal(
        roikit.roi_align_backward(np.ones((1, 1, 2, 2)), x, box, 2, 1.0, 0, True), 0
    )


def test_empty_boxes_match_torchvision() -> None:
    x = np.ones((1, 4, 5, 5), np.float32)
    none = np.zeros((0, 5), np.float32)
    ref = torchvision.ops.roi_align(torch.from_numpy(x), torch.from_numpy(none), (2, 3))
    assert roikit.roi_align(x, none, (2, 3)).shape == tuple(ref.shape) == (0, 4, 2, 3)
    assert roikit.roi_pool(x, none, (2, 3)).shape == (0, 4, 2, 3)


@pytest.mark.parametrize("aligned", [False, True])
def test_gradients_match_torch_autograd_through_a_loss(rng, aligned):  # type: ignore[no-untyped-def]
    # A scalar loss with a non-trivial upstream gradient, differentiated by autograd.
    x = rng.standard_normal((2, 4, 12, 10))
    boxes = random_boxes(rng, 20, 2, -3, 14)
    boxes = boxes[torchvision_accepts(boxes, (4, 3), 0.7, 0, aligned)]
    xt = torch.from_numpy(x).requires_grad_()
    out = torchvision.ops.roi_align(xt, torch.from_numpy(boxes), (4, 3), 0.7, 0, aligned)
    (out**2).sum().backward()
    ours_out = roikit.roi_align(x, boxes, (4, 3), 0.7, 0, aligned)
    ours = roikit.roi_align_backward(2 * ours_out, x, boxes, (4, 3), 0.7, 0, aligned)
    np.testing.assert_allclose(ours, xt.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_maps_holding_infinities_and_nan_give_torchvision_s_numbers() -> None:
    # torchvision's arithmetic on non-finite maps: a zero weight times inf is NaN, and a sample off
    # the map reads cell (0, 0) with zero weights. roikit's separable form falls back to the direct
    # formula for such bins, so the same NaN, inf and numbers come out (float overflow of fp16
    # activations is where this happens).
    rng = np.random.default_rng(2024)
    for t in range(600):
        dtype = [np.float32, np.float64][t % 2]
        H, W = (int(v) for v in rng.integers(1, 6, 2))
        x = rng.standard_normal((1, 2, H, W)).astype(dtype)
        mask = rng.random(x.shape) < 0.15
        x[mask] = rng.choice([np.inf, -np.inf, np.nan], int(mask.sum()))
        xs = np.sort(rng.uniform(-2, W + 1, (3, 2)), axis=1)  # torchvision fails on inverted adaptive boxes
        ys = np.sort(rng.uniform(-2, H + 1, (3, 2)), axis=1)
        boxes = np.column_stack([np.zeros(3), xs[:, 0], ys[:, 0], xs[:, 1], ys[:, 1]]).astype(dtype)
        sr, aligned = int(rng.integers(0, 4)), bool(rng.random() < 0.5)
        size = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        ref = torchvision.ops.roi_align(
            torch.from_numpy(x), torch.from_numpy(boxes), size, 1.0, sr, aligned
        ).numpy()
        got = roikit.roi_align(x, boxes, size, 1.0, sr, aligned)
        assert np.array_equal(np.isnan(got), np.isnan(ref)), (t, got, ref)
        assert np.array_equal(np.isinf(got), np.isinf(ref)) and np.array_equal(
            got[np.isinf(got)], ref[np.isinf(ref)]
        )
        finite = np.isfinite(ref)
        assert_close(got[finite], ref[finite], dtype)
