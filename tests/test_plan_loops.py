"""The compiled plan loops give the vectorized definition's arrays, bit for bit, on any boxes."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from plan_reference import reference_axis, reference_bins, sample_range

from roikit.engine.plan import AlignAxis, _plan_align, _plan_align_axis
from roikit.engine.validate import check_boxes

FIELDS = [f.name for f in dataclasses.fields(AlignAxis) if f.name != "extent"]

coords = st.one_of(
    st.floats(-40, 80, width=32),
    st.sampled_from([0.0, -1.0, 0.5, 1e30, -1e30, 3e38, float("inf"), float("-inf"), float("nan")]),
)


def _both(lo, hi, dtype, scale, aligned, bins, extent, ratio):
    lo, hi = np.asarray(lo, dtype), np.asarray(hi, dtype)
    args = (dtype.type(scale), dtype.type(0.5 if aligned else 0.0), bins, extent, ratio, aligned, "y")
    return _plan_align_axis(lo, hi, *args), reference_axis(lo, hi, *args)


def _same(axis, ref):
    for name in FIELDS:
        got, want = getattr(axis, name), ref[name]
        assert got.dtype == want.dtype, name
        assert got.shape == want.shape, name
        # equal bit for bit, NaN where NaN
        np.testing.assert_array_equal(got, want, err_msg=name, strict=True)


@settings(max_examples=300, deadline=None)
@given(
    boxes=st.lists(st.tuples(coords, coords), min_size=0, max_size=6),
    dtype=st.sampled_from([np.dtype(np.float32), np.dtype(np.float64)]),
    scale=st.sampled_from([1.0, 0.25, 1 / 16, 3.0]),
    aligned=st.booleans(),
    bins=st.integers(1, 9),
    extent=st.integers(1, 60),
    ratio=st.sampled_from([-1, 0, 1, 2, 3, 5, -(10**400)]),
)
def test_compiled_axis_equals_the_vectorized_definition(boxes, dtype, scale, aligned, bins, extent, ratio):
    lo = [b[0] for b in boxes]
    hi = [b[1] for b in boxes]
    axis, ref = _both(lo, hi, dtype, scale, aligned, bins, extent, ratio)
    _same(axis, ref)
    # the cells a box reads (roikit.engine.execute.align_reads) are its taps' span
    reads = sample_range(len(lo), axis.sample_offsets, axis.inside, axis.low, axis.high)
    np.testing.assert_array_equal(reads[0], axis.span_start)
    np.testing.assert_array_equal(reads[1], axis.span_stop)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("aligned", [False, True])
def test_large_adaptive_grids_keep_only_their_window(dtype, aligned):
    # grids above SMALL_GRID samples per bin store a window around the map; boxes far off, across
    # and inside it, one flat (zero-size) box on the map's edge
    lo = [-5000.0, -20000.0, 3.0, 10.0, 59.0, 12.5]
    hi = [9000.0, -9000.0, 4000.0, 10.0, 59.0, 20000.0]
    axis, ref = _both(lo, hi, np.dtype(dtype), 1.0, aligned, 3, 60, -1)
    _same(axis, ref)
    assert (axis.grid > 64).sum() >= 4  # the windowed branch ran
    assert len(axis.coord) < axis.grid.sum() * 3  # and stored a window, not the grid


def test_float32_rounding_of_the_half():
    # sample numbers beyond 2**24 lose bits in float32 before the half is added (torchvision's
    # static_cast<T>(i + .5f)); the compiled loop must round them the same way
    lo, hi = [-(2.0**26) - 0.25], [60.0]
    axis, ref = _both(lo, hi, np.dtype(np.float64), 1.0, False, 1, 60, -1)
    _same(axis, ref)
    assert axis.sample_index[axis.inside].min() > 2**24


@settings(max_examples=200, deadline=None)
@given(
    boxes=st.lists(st.tuples(coords, coords, coords, coords), min_size=0, max_size=5),
    dtype=st.sampled_from([np.dtype(np.float32), np.dtype(np.float64)]),
    aligned=st.booleans(),
    bins=st.tuples(st.integers(1, 5), st.integers(1, 5)),
    extent=st.tuples(st.integers(1, 30), st.integers(1, 30)),
    ratio=st.sampled_from([-1, 0, 1, 2, 5]),
)
def test_compiled_bins_equal_the_vectorized_definition(boxes, dtype, aligned, bins, extent, ratio):
    # count, has_samples, zero_kind (max mode's first zero) and each form's work, for whole plans
    rows = np.array([(0.0, *b) for b in boxes], dtype).reshape(-1, 5)
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(rows).all(axis=1) & (rows[:, 3] >= rows[:, 1]) & (rows[:, 4] >= rows[:, 2])
    checked = check_boxes(rows[finite], 1, dtype)  # (what validation lets through)
    plan = _plan_align(checked, (1, 1, *extent), dtype, bins, 1.0, ratio, aligned)
    for name, want in reference_bins(plan.y, plan.x, *bins).items():
        got = getattr(plan, name)
        assert got.dtype == want.dtype and got.shape == want.shape, name
        np.testing.assert_array_equal(got, want, err_msg=name, strict=True)
    assert plan.zero_kind.flags.writeable is False
