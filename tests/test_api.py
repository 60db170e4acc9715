"""Public API surface and the dtype policy."""

from __future__ import annotations

import types

import numpy as np
import pytest

import roikit


def test_all_lists_exactly_the_public_names() -> None:
    public = {
        name
        for name, value in vars(roikit).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType) and name != "annotations"
    }
    assert set(roikit.__all__) == public


def test_float16_computes_in_float32_and_returns_float16(rng) -> None:  # type: ignore[no-untyped-def]
    x = rng.standard_normal((1, 2, 6, 6)).astype(np.float16)
    boxes = np.array([[0, 0.5, 1.0, 4.5, 5.0]], np.float16)
    for op in (roikit.roi_align, roikit.roi_pool):
        out = op(x, boxes, 2)
        assert out.dtype == np.float16
        ref = op(x.astype(np.float32), boxes.astype(np.float32), 2)
        np.testing.assert_array_equal(out, ref.astype(np.float16))
    g = np.ones((1, 2, 2, 2), np.float16)
    assert roikit.roi_align_backward(g, x, boxes, 2).dtype == np.float16
    assert roikit.roi_pool_backward(g, x, boxes, 2).dtype == np.float16


def test_non_contiguous_input_is_handled(rng) -> None:  # type: ignore[no-untyped-def]
    x = rng.standard_normal((1, 6, 8, 3)).transpose(0, 3, 1, 2)  # (1, 3, 6, 8), not contiguous
    boxes = np.array([[0, 0.5, 1.0, 6.5, 5.0]])
    np.testing.assert_array_equal(
        roikit.roi_align(x, boxes, 2), roikit.roi_align(np.ascontiguousarray(x), boxes, 2)
    )


def test_the_old_name_of_compare_pool_align_still_works_and_says_it_is_old() -> None:
    m = np.arange(16.0).reshape(4, 4)
    pool, align = roikit.explain_roi_pool(m, (0, 0, 3, 3), 2), roikit.explain_roi_align(m, (0, 0, 3, 3), 2)
    with pytest.warns(DeprecationWarning, match=r"roikit.compare is now roikit.compare_pool_align"):
        old = roikit.compare(pool, align)
    assert old == roikit.compare_pool_align(pool, align)
