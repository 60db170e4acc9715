"""The resource budget: every failure issue 9 reproduced is refused up front, with its cost named.

Each refused call is also checked to allocate almost nothing before it refuses
(tracemalloc peak), so a refusal is never a MemoryError in disguise.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import roikit
from roikit import budget

X = np.random.default_rng(0).random((1, 1, 64, 64)).astype(np.float32)
M = np.array([[0, 0, 0, 63, 63]], np.float32)


def refused(call: Callable[[], Any], message: str) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(roikit.ParameterError, match=message):
            call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 << 20, f"{peak / 2**20:.0f} MiB allocated before refusing"


@pytest.mark.parametrize("ratio", [10**7, 2**31, 10**4])
def test_a_huge_sampling_ratio_is_refused(ratio: int) -> None:
    for mode in ("avg", "max"):
        refused(
            lambda m=mode: roikit.roi_align(X, M, 7, sampling_ratio=ratio, mode=m),
            rf"sampling_ratio is {ratio}; at most 1024 \(roikit.budget.MAX_SAMPLING_RATIO\)",
        )
    refused(
        lambda: roikit.roi_align_backward(np.zeros((1, 1, 7, 7), np.float32), X, M, 7, sampling_ratio=ratio),
        "sampling_ratio is",
    )
    refused(lambda: roikit.explain_roi_align(X[0, 0], M[0, 1:], 7, sampling_ratio=ratio), "sampling_ratio is")


def test_an_output_of_16_gib_is_refused_before_allocation() -> None:
    x = np.zeros((1, 1024, 8, 8), np.float32)
    boxes = np.zeros((4096, 5), np.float32)
    refused(
        lambda: roikit.roi_align(x, boxes, 32),
        r"the output of shape \(4096, 1024, 32, 32\) would take 16 GiB; the budget is 4 GiB",
    )
    refused(lambda: roikit.roi_pool(x, boxes, 32), "would take 16 GiB")
    refused(
        lambda: roikit.ps_roi_align(np.zeros((1, 4096, 8, 8), np.float32), boxes, 32), "the budget is 4 GiB"
    )


def test_a_wide_output_size_is_refused_by_the_plan_budget() -> None:
    refused(
        lambda: roikit.roi_align(X, M, (1, 2**24), sampling_ratio=1),
        r"the plan would hold 1.68e\+07 bins along x .* the budget is 4194304",
    )
    refused(lambda: roikit.roi_pool(X, M, (1, 2**24)), r"the plan would hold 1.68e\+07 bins")


def test_max_mode_work_is_bounded() -> None:
    # The review's case: 10**4 x 10**4 points per bin, refused by the ratio cap; here a
    # legal ratio with many boxes and channels: 64 * 196 * 64**2 points * 128 channels.
    x = np.zeros((1, 128, 64, 64), np.float32)
    boxes = np.tile(M, (64, 1))
    refused(
        lambda: roikit.roi_align(x, boxes, 14, sampling_ratio=64, mode="max"),
        r"max-mode RoI Align would interpolate 6.58e\+09 values \(points x channels\)",
    )


def test_max_mode_work_message_names_the_cost() -> None:
    old = budget.MAX_EVALUATIONS
    budget.MAX_EVALUATIONS = 1000
    try:
        # 1 box, 2x2 bins of 2x2 points, 1 channel: 16 interpolations are fine, 4 channels x ... not
        roikit.roi_align(X, M, 2, sampling_ratio=2, mode="max")
        refused(
            lambda: roikit.roi_align(np.zeros((1, 80, 8, 8), np.float32), M, 2, sampling_ratio=2, mode="max"),
            r"max-mode RoI Align would interpolate 1.28e\+03 values \(points x channels\); "
            r"the budget is 1e\+03",
        )
    finally:
        budget.MAX_EVALUATIONS = old


def test_the_walkthrough_has_its_own_budget() -> None:
    refused(
        lambda: roikit.explain_roi_align(X[0, 0], M[0, 1:], 7, sampling_ratio=100),
        r"the walkthrough would record 490000 sampling points; the budget is 131072",
    )


def test_legitimate_large_work_stays_inside_the_budget() -> None:
    # A box a million times the map, adaptive sampling: planned by windows, well inside.
    huge = np.array([[0, -3e6, -3e6, 3e6, 3e6]], np.float32)
    out = roikit.roi_align(X, huge, 7, sampling_ratio=0)
    assert out.shape == (1, 1, 7, 7) and np.isfinite(out).all()
    # The W3 benchmark box head: 128 boxes up to 800 px at scale 1/4 on 200x200.
    x = np.zeros((1, 8, 200, 200), np.float32)
    boxes = np.array([[0, 0, 0, 800, 800]] * 128, np.float32)
    assert roikit.roi_align(x, boxes, 7, 0.25, 0, True).shape == (128, 8, 7, 7)


@pytest.mark.parametrize("scale", [10**400, -(10**400), 1e308, 1e-320])
def test_a_spatial_scale_beyond_the_dtype_is_refused(scale: float) -> None:
    with pytest.raises(roikit.ParameterError, match="spatial_scale"):
        roikit.roi_align(X, M, 2, spatial_scale=scale)


# ----------------------------------------------------------------------------- the third round's cases
# Each case used 1 to 8 GB (or minutes) before; now it runs in bounded memory or is refused up front.


def peak_mib(call: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def test_roi_pool_has_a_work_budget() -> None:
    # A 1 GiB map with 10,000 full-map boxes is inside every byte limit but would run for minutes.
    x = np.broadcast_to(np.float32(0), (1, 256, 1024, 1024))
    boxes = np.tile(np.float32([0, 0, 0, 1023, 1023]), (10_000, 1))
    refused(lambda: roikit.roi_pool(x, boxes, 1), r"RoI Pool would take 2.68e\+12 operations .*MAX_WORK")
    refused(
        lambda: roikit.roi_pool_backward(np.ones((10_000, 256, 1, 1), np.float32), x, boxes, 1), "MAX_WORK"
    )


def test_rotated_roi_align_keeps_its_memory_bounded() -> None:
    small = np.zeros((1, 1, 8, 8), np.float32)

    def many_samples() -> None:  # sampling_ratio 1024, 32 boxes: a million samples a box (3.8 GB before)
        roikit.roi_align_rotated(
            small, np.tile(np.float32([0, 4, 4, 4, 4, 30]), (32, 1)), 1, sampling_ratio=1024
        )

    def many_samples_backward() -> None:  # 5 GB before
        rois = np.tile(np.float32([0, 2, 2, 2, 2, 30]), (5, 1))
        roikit.roi_align_rotated_backward(
            np.zeros((5, 1, 1, 1), np.float32), small[..., :4, :4], rois, 1, sampling_ratio=1024
        )

    def wide_adaptive() -> None:  # one box 1e7 wide, adaptive (4.4 GB and 33 s before)
        roikit.roi_align_rotated(small, np.float32([[0, 4, 4, 1e7, 4, 30]]), 7)

    assert peak_mib(many_samples) < 16
    assert peak_mib(many_samples_backward) < 16
    assert peak_mib(wide_adaptive) < 64
    # wider still: refused, by the plan's side or by the samples' work
    refused(
        lambda: roikit.roi_align_rotated(small, np.float32([[0, 4, 4, 1e9, 4, 30]]), 7), "MAX_PLAN_SAMPLES"
    )
    refused(
        lambda: roikit.roi_align_rotated(X, np.float32([[0, 4, 4, 1e6, 1e6, 30]]), 7),
        "pass a positive sampling_ratio",
    )


def test_a_rotated_output_of_16_million_bins_costs_its_output_not_its_samples() -> None:
    # 8 GB before (every sample stored); now the output (64 MB) and one row of bin starts.
    def wide_output() -> None:
        roikit.roi_align_rotated(X, np.float32([[0, 4, 4, 4, 4, 30]]), (1, 2**24), sampling_ratio=2)

    assert peak_mib(wide_output) < 3 * 64 + 32


@pytest.mark.parametrize(
    "call",
    [
        lambda: roikit.crop_and_resize(
            np.zeros((1, 8, 8, 1), np.float32), np.float32([[0, 0, 1, 1]]), [0], (1, 2**24)
        ),
        lambda: roikit.prroi_pool(X, M, (1, 2**24)),
        lambda: roikit.compare_conventions(np.zeros((4, 7)), (0, 0, 6, 3), (1, 2**24)),
    ],
    ids=["crop_and_resize", "prroi", "compare_conventions"],
)
def test_an_output_of_16_million_bins_is_refused_or_small(call: Callable[[], Any]) -> None:
    # (1, 2**24) outputs took 3.3 to 8 GB of plan before; now the plan budget refuses them up front.
    refused(call, r"MAX_PLAN_SAMPLES|MAX_TRACE_BINS")


def test_the_plan_cache_is_bounded_in_bytes() -> None:
    from roikit.engine import plan

    plan.PLANS.clear()
    rng = np.random.default_rng(1)
    for _ in range(8):  # 2.7 GB of cached plans after 8 such calls before
        boxes = np.column_stack([np.zeros(4096), rng.uniform(0, 30, (4096, 4))]).astype(np.float32)
        roikit.roi_align(X[:, :, :32, :32], boxes, 2, sampling_ratio=16)
        assert plan.PLANS.nbytes <= budget.MAX_PLAN_CACHE_BYTES
    assert len(plan.PLANS) >= 1


def test_the_working_copy_of_the_input_is_budgeted() -> None:
    # A broadcast view of 6 GB would be copied whole: refused with its size, not a MemoryError.
    huge = np.broadcast_to(np.float32(1), (1, 1, 40000, 40000))
    refused(
        lambda: roikit.roi_align(
            huge.astype(np.float64, copy=False) if False else huge[..., ::1, ::1], M, 2, sampling_ratio=1
        ),
        "the working copy of input",
    )


def test_a_backward_the_separable_form_can_run_is_never_refused_for_the_direct_one(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # sampling_ratio 2 on boxes of about 13 cells: the direct backward has more work but is chosen
    # for its speed; with the budget between the two forms' work the call runs, in the separable form.
    from roikit.engine import execute

    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 8, 40, 40)).astype(np.float32)
    boxes = np.array([[0, 1.5, 2.5, 14.0, 15.0], [0, 20.0, 21.0, 33.5, 34.0]], np.float32)
    g = rng.standard_normal((2, 8, 7, 7)).astype(np.float32)
    _, _, plan = execute.make_align_plan(x, boxes, 7, 1.0, 2, True)
    direct, separable = float(plan.direct_work.sum()) * 8, float(plan.avg_work.sum()) * 8
    assert separable < direct and direct * execute.DIRECT_BACKWARD_SPEED < separable
    assert execute.avg_backward(plan, g)[0] is execute.kernels.align_avg_direct_backward
    monkeypatch.setattr(roikit.budget, "MAX_WORK", int(separable))
    assert execute.avg_backward(plan, g)[0] is execute.kernels.align_avg_backward
    got = roikit.roi_align_backward(g, x, boxes, 7, 1.0, 2, True)
    monkeypatch.setattr(execute, "FORCE_FORM", "separable")
    np.testing.assert_array_equal(got, roikit.roi_align_backward(g, x, boxes, 7, 1.0, 2, True))


def test_the_max_backwards_winners_are_budgeted(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # The max-mode backward keeps two int64 winners per output element (four times a float32
    # output): with a limit the output fits under and they do not, they are refused by name.
    x = np.ones((1, 8, 16, 16), np.float32)
    boxes = np.array([[0, 1, 1, 12, 12]] * 64, np.float32)
    size = 64 * 8 * 7 * 7 * 4
    monkeypatch.setattr(budget, "MAX_OUTPUT_BYTES", 2 * size)
    grad = roikit.roi_align(x, boxes, 7, sampling_ratio=2, mode="max")
    refused(
        lambda: roikit.roi_align_backward(grad, x, boxes, 7, sampling_ratio=2, mode="max"),
        r"the winning samples \(two arrays\) of max-mode RoI Align of shape \(64, 8, 7, 7\)",
    )
