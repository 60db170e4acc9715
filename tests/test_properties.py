"""Property tests (hypothesis): shapes, constants, crops, and hostile boxes never crash."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import roikit

dtypes = st.sampled_from([np.float32, np.float64])
sizes = st.tuples(st.integers(1, 5), st.integers(1, 5))


def _boxes(draw, n: int, k: int, bound: float, dtype) -> np.ndarray:  # type: ignore[no-untyped-def]
    coord = st.floats(-bound, bound, allow_nan=False, allow_infinity=False, width=32)
    rows = [[draw(st.integers(0, n - 1))] + [draw(coord) for _ in range(4)] for _ in range(k)]
    return np.array(rows, dtype=dtype).reshape(k, 5)


@st.composite
def problems(draw, bound: float = 30.0):  # type: ignore[no-untyped-def]
    dtype = draw(dtypes)
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    h, w = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    k = draw(st.integers(0, 5))
    x = np.random.default_rng(draw(st.integers(0, 2**31))).standard_normal((n, c, h, w))
    return x.astype(dtype), _boxes(draw, n, k, bound, dtype)


@given(
    problems(),
    sizes,
    st.sampled_from([0.25, 0.5, 1.0, 2.0]),
    st.integers(-1, 3),
    st.booleans(),
    st.sampled_from(["avg", "max"]),
)
def test_roi_align_shape_dtype_and_finiteness(problem, size, scale, sr, aligned, mode):  # type: ignore[no-untyped-def]
    x, boxes = problem
    out = roikit.roi_align(x, boxes, size, scale, sr, aligned, mode)
    assert out.shape == (boxes.shape[0], x.shape[1], *size)
    assert out.dtype == x.dtype
    assert np.isfinite(out).all()
    grad = roikit.roi_align_backward(np.ones_like(out), x, boxes, size, scale, sr, aligned, mode)
    assert grad.shape == x.shape and np.isfinite(grad).all()


@given(problems(), sizes, st.sampled_from([0.5, 1.0, 3.0]))
def test_roi_pool_shape_dtype_and_finiteness(problem, size, scale):  # type: ignore[no-untyped-def]
    x, boxes = problem
    out = roikit.roi_pool(x, boxes, size, scale)
    assert out.shape == (boxes.shape[0], x.shape[1], *size) and out.dtype == x.dtype
    assert np.isfinite(out).all()


@given(
    problems(bound=float(np.finfo(np.float32).max)),
    sizes,
    st.integers(-1, 2),
    st.booleans(),
    st.sampled_from(["avg", "max"]),
)
def test_hostile_finite_boxes_never_crash(problem, size, sr, aligned, mode):  # type: ignore[no-untyped-def]
    # Coordinates up to the float32 maximum: scaled by 2 they overflow to inf in float32.
    x, boxes = problem
    for op_out in (
        roikit.roi_align(x, boxes, size, 2.0, sr, aligned, mode),
        roikit.roi_pool(x, boxes, size, 2.0),
    ):
        assert op_out.shape == (boxes.shape[0], x.shape[1], *size)
        assert not np.isnan(op_out).any()


@given(st.floats(-5, 5), st.integers(3, 9), st.integers(3, 9), st.data())
def test_constant_region_pools_to_the_constant(value, h, w, data):  # type: ignore[no-untyped-def]
    x = np.full((1, 2, h, w), value)
    # A box whose samples all fall on the map (aligned=False: within [0, W-1] x [0, H-1]).
    x1 = data.draw(st.floats(0, w - 1))
    y1 = data.draw(st.floats(0, h - 1))
    x2 = data.draw(st.floats(x1, w - 1))
    y2 = data.draw(st.floats(y1, h - 1))
    box = np.array([[0, x1, y1, x2, y2]])
    sr = data.draw(st.integers(-1, 3))
    np.testing.assert_allclose(roikit.roi_align(x, box, (2, 3), 1.0, sr), value, atol=1e-12)
    np.testing.assert_allclose(roikit.roi_align(x, box, (2, 3), 1.0, sr, mode="max"), value, atol=1e-12)
    assert (roikit.roi_pool(x, box, (2, 3)) == value).all()


@given(st.integers(1, 4), st.integers(1, 4), st.data())
def test_aligned_one_pixel_bins_with_one_sample_equal_a_crop(ph, pw, data):  # type: ignore[no-untyped-def]
    x = np.random.default_rng(data.draw(st.integers(0, 999))).standard_normal((1, 2, 8, 8))
    y0 = data.draw(st.integers(0, 8 - ph))
    x0 = data.draw(st.integers(0, 8 - pw))
    box = np.array([[0, x0, y0, x0 + pw, y0 + ph]], dtype=np.float64)
    out = roikit.roi_align(x, box, (ph, pw), 1.0, 1, aligned=True)
    np.testing.assert_allclose(out[0], x[0, :, y0 : y0 + ph, x0 : x0 + pw], rtol=0, atol=1e-14)


@pytest.mark.parametrize("mode", ["avg", "max"])
@pytest.mark.parametrize("aligned", [False, True])
def test_a_box_a_million_times_the_map_stays_small(mode, aligned):  # type: ignore[no-untyped-def]
    # 8x8 map, box 8e6 cells wide: adaptive sampling asks for 4e6 x 4e6 samples per bin;
    # only those that can land on the map are planned, so memory stays at a few MiB.
    x = np.ones((1, 1, 8, 8))
    box = np.array([[0, -4e6, -4e6, 4e6, 4e6]])
    tracemalloc.start()
    out = roikit.roi_align(x, box, 2, 1.0, 0, aligned, mode)
    grad = roikit.roi_align_backward(np.ones_like(out), x, box, 2, 1.0, 0, aligned, mode)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 4 * 2**20
    # About 10 samples per axis land on the map out of 4e6: the average is tiny but
    # positive; in max mode an in-range sample (value 1) beats the outside zeros.
    if mode == "avg":
        assert 0 < out.max() < 1e-10 and grad.sum() > 0
    else:
        assert out.shape == (1, 1, 2, 2) and set(np.unique(out)) <= {0.0, 1.0}


def test_a_bin_whose_count_overflows_is_zero_in_every_form_and_layout() -> None:
    # Found by the hostile-boxes test: a box 1.7e38 cells tall scaled by 2 has an adaptive grid
    # beyond float32 (count inf) and no sample on its y axis; its bin is 0, as in torchvision,
    # in both forms and both layouts (a running sum started from count - count was NaN).
    from roikit.engine import execute

    x = np.array([[[[0.12573022]]]], np.float32)
    box = np.array([[0, 0, -1.7014118e38, 0, 0]], np.float32)
    try:
        for form in ("direct", "separable"):
            for layout in ("planar", "channels-last"):
                execute.FORCE_FORM, execute.FORCE_LAYOUT = form, layout
                assert roikit.roi_align(x, box, 1, 2.0, 0, False).ravel().tolist() == [0.0], (form, layout)
    finally:
        execute.FORCE_FORM = execute.FORCE_LAYOUT = None
