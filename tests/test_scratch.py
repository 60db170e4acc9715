"""The working buffer each thread keeps between calls: reused, never shared, never read stale."""

from __future__ import annotations

import threading

import numpy as np
import oracle
import pytest

import roikit
from roikit.engine import budget, execute, kernels, scratch


def _address(a: np.ndarray) -> int:
    return int(a.__array_interface__["data"][0])


@pytest.fixture(autouse=True)
def _fresh_buffer():  # type: ignore[no-untyped-def]
    scratch.release()
    yield
    scratch.release()


def test_a_dropped_array_s_memory_serves_the_next_call() -> None:
    a = scratch.take((3, 40), np.float32)
    assert a.shape == (3, 40) and a.dtype == np.float32 and a.flags.c_contiguous
    where = _address(a)
    del a
    b = scratch.take((2, 5, 5), np.float64)  # smaller, another dtype: the same buffer
    assert _address(b) == where


def test_an_array_still_alive_is_never_handed_out_again() -> None:
    a = scratch.take((100,), np.float32)
    view = a[10:20]
    del a  # (a view keeps the buffer in use)
    b = scratch.take((100,), np.float32)
    assert not np.shares_memory(view, b)


def test_a_larger_request_replaces_the_kept_buffer() -> None:
    small = scratch.take((10,), np.float32)
    del small
    big = scratch.take((1000, 10), np.float64)
    big[:] = 1.0  # all of it is usable
    assert big.nbytes == 80_000


def test_a_buffer_beyond_the_limit_is_the_call_s_own(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(budget, "MAX_KEPT_BYTES", 1000)
    small = scratch.take((10,), np.float32)
    where = _address(small)
    del small
    big = scratch.take((1000,), np.float32)  # 4000 bytes: not kept, and the kept one stays
    del big
    assert _address(scratch.take((10,), np.float32)) == where


def test_threads_keep_buffers_of_their_own() -> None:
    mine = scratch.take((256,), np.float32)
    where = _address(mine)
    del mine
    seen: list[int] = []
    t = threading.Thread(target=lambda: seen.append(_address(scratch.take((256,), np.float32))))
    t.start()
    t.join(timeout=30)
    assert seen and seen[0] != where  # the main thread still keeps its own, untouched
    assert _address(scratch.take((256,), np.float32)) == where


def test_the_copy_of_some_cells_lands_in_the_kept_buffer() -> None:
    feat = np.arange(2 * 3 * 20 * 30, dtype=np.float32).reshape(2, 3, 20, 30)
    lo, hi, _ = kernels.row_spans(
        2, 20, np.array([1]), np.array([4]), np.array([9]), np.array([5]), np.array([12])
    )
    first = kernels.to_channels_last(feat, (lo, hi))
    where = _address(first)
    del first
    second = kernels.to_channels_last(feat, (lo, hi))
    assert _address(second) == where
    assert np.array_equal(second[1, 4:9, 5:12], feat[1, :, 4:9, 5:12].transpose(1, 2, 0))


def test_a_call_after_another_on_a_different_map_reads_none_of_its_cells() -> None:
    # The first call fills the kept buffer with every cell of one map; the second, on another map,
    # copies only the cells its small boxes read. Had a kernel read any other cell, it would get the
    # first map's values there, not the second's.
    rng = np.random.default_rng(3)
    first = rng.standard_normal((1, 8, 60, 60))
    roikit.roi_align(first, np.array([[0, 0, 0, 59, 59.0]]), 7, 1.0, 2, True)
    second = rng.standard_normal((1, 8, 60, 60))
    boxes = np.array([[0, 3.2, 4.1, 9.7, 8.8], [0, 40.5, 44.0, 51.0, 50.3]])
    _, _, plan = execute.make_align_plan(second, boxes, 3, 1.0, 2, True)
    layout = execute.Layout(second, execute.align_reads(plan), float(plan.avg_work.sum() * 8), True)
    assert layout.spans is not None  # (the second call copies its boxes' cells only)
    for form in ("direct", "separable"):
        execute.FORCE_FORM, execute.FORCE_LAYOUT = form, "channels-last"
        try:
            got = roikit.roi_align(second, boxes, 3, 1.0, 2, True)
        finally:
            execute.FORCE_FORM = execute.FORCE_LAYOUT = None
        np.testing.assert_allclose(
            got, oracle.roi_align(second, boxes, (3, 3), 1.0, 2, True), rtol=1e-12, atol=1e-12
        )


def test_a_gradient_after_another_holds_none_of_its_sums() -> None:
    # The first backward leaves its sums over a whole map in the kept buffer; the second zeroes
    # only the cells its boxes read, so any other cell it copied out would hold the first's sums.
    rng = np.random.default_rng(4)
    feat = rng.standard_normal((1, 40, 60, 60))
    whole = np.array([[0, 0, 0, 59, 59.0]])
    roikit.roi_align_backward(rng.standard_normal((1, 40, 5, 5)), feat, whole, 5, 1.0, 2, True)
    boxes = np.array([[0, 3.2, 4.1, 9.7, 8.8], [0, 40.5, 44.0, 51.0, 50.3]])
    grad = rng.standard_normal((2, 40, 3, 3))
    got = roikit.roi_align_backward(grad, feat, boxes, 3, 1.0, 2, True)
    want = oracle.roi_align_backward(grad, feat, boxes, (3, 3), 1.0, 2, True)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
