"""Every way roikit may run a call gives torchvision's numbers, and the same bits in both layouts.

avg RoI Align has two forms (the direct sum, torchvision's, and the separable one) and two
layouts (planar, reading (N, C, H, W) as it is, and a channels-last copy of the cells the
boxes read); roikit picks per call and per box by the work. Here each is forced in turn
(``roikit.engine.execute.FORCE_FORM`` / ``FORCE_LAYOUT``) on random maps, boxes and
settings, with infinities and NaN among the values.
"""

from __future__ import annotations

import needs
import numpy as np
import pytest

torch, torchvision = needs.modules("parity", "torch", "torchvision")
import roikit
from roikit.engine import execute, kernels

pytestmark = pytest.mark.parity


@pytest.fixture
def forced():  # type: ignore[no-untyped-def]
    def force(form: str | None, layout: str | None) -> None:
        execute.FORCE_FORM, execute.FORCE_LAYOUT = form, layout

    # the cells a copy leaves out hold NaN: a kernel that reads one gives NaN where torchvision does not
    kernels.UNREAD_FILL = np.nan
    yield force
    execute.FORCE_FORM = execute.FORCE_LAYOUT = None
    kernels.UNREAD_FILL = None


def case(seed: int):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    dtype = (np.float32, np.float64)[seed % 2]
    N, C, H, W = (
        int(rng.integers(1, 3)),
        int(rng.integers(1, 24)),
        int(rng.integers(1, 40)),
        int(rng.integers(1, 40)),
    )
    feat = rng.standard_normal((N, C, H, W)).astype(dtype)
    if seed % 3 == 0:
        feat.flat[rng.integers(0, feat.size, 3)] = [np.inf, -np.inf, np.nan]
    K = int(rng.integers(1, 24))
    x1, y1 = rng.uniform(-6, W, K), rng.uniform(-6, H, K)
    boxes = np.column_stack(
        [rng.integers(0, N, K), x1, y1, x1 + rng.uniform(0, W, K), y1 + rng.uniform(0, H, K)]
    ).astype(dtype)
    size = (int(rng.integers(1, 8)), int(rng.integers(1, 8)))
    return (
        feat,
        boxes,
        size,
        float(rng.choice([1.0, 0.5, 0.25])),
        int(rng.integers(-1, 4)),
        bool(seed % 4 < 2),
    )


@pytest.mark.parametrize("seed", range(24))
def test_every_form_and_layout_gives_torchvisions_numbers(seed: int, forced) -> None:  # type: ignore[no-untyped-def]
    feat, boxes, size, scale, sr, aligned = case(seed)
    ref = torchvision.ops.roi_align(torch.from_numpy(feat), torch.from_numpy(boxes), size, scale, sr, aligned)
    ref = ref.numpy()
    got = {}
    for form in ("direct", "separable"):
        for layout in ("planar", "channels-last"):
            forced(form, layout)
            got[form, layout] = roikit.roi_align(feat, boxes, size, scale, sr, aligned, "avg")
    forced(None, None)
    got["auto"] = roikit.roi_align(feat, boxes, size, scale, sr, aligned, "avg")
    for form in ("direct", "separable"):  # a layout never changes a bit
        assert np.array_equal(got[form, "planar"], got[form, "channels-last"], equal_nan=True), form
    # the direct form sums as torchvision does: its bits where the map is finite
    finite = np.isfinite(ref)
    assert np.array_equal(got["direct", "planar"][finite], ref[finite])
    tol = 2e-5 if feat.dtype == np.float32 else 1e-9
    for key, out in got.items():
        assert np.array_equal(np.isnan(out), np.isnan(ref)), key
        np.testing.assert_allclose(
            out[finite], ref[finite], rtol=tol, atol=tol * max(1, np.abs(ref[finite]).max(initial=0))
        )


def test_a_copy_of_the_cells_read_holds_them_as_the_whole_copy_does() -> None:
    rng = np.random.default_rng(0)
    feat = rng.standard_normal((2, 5, 30, 40)).astype(np.float32)
    boxes = np.array([[0, 2, 3, 9, 11], [1, 30, 20, 38, 28], [1, 31, 2, 33, 4]], np.float32)
    _, _, plan = execute.make_align_plan(feat, boxes, 3, 1.0, 2, False)
    r = execute.align_reads(plan)
    lo, hi, cells = kernels.row_spans(2, 30, *r)
    part = kernels.to_channels_last(feat, (lo, hi))
    whole = kernels.to_channels_last(feat)
    for n in range(2):
        for h in range(30):
            assert np.array_equal(part[n, h, lo[n, h] : hi[n, h]], whole[n, h, lo[n, h] : hi[n, h]])
    assert cells == int((hi - lo).sum()) < 0.2 * 2 * 30 * 40  # the boxes' cells, not the map's
    for k, (b, y0, y1, x0, x1) in enumerate(zip(*r, strict=True)):  # every cell a box reads is held
        assert (lo[b, y0:y1] <= x0).all() and (hi[b, y0:y1] >= x1).all(), k


@pytest.mark.parametrize("seed", range(12))
def test_the_sample_kernels_read_only_their_samples_rows(seed: int, forced) -> None:  # type: ignore[no-untyped-def]
    # the direct form and max mode copy only their samples' neighbour rows (the rest is NaN here):
    # the same numbers as from a copy of the whole map
    feat, boxes, size, scale, sr, aligned = case(seed)
    calls = {
        "direct": lambda: roikit.roi_align(feat, boxes, size, scale, sr, aligned, "avg"),
        "max": lambda: roikit.roi_align(feat, boxes, size, scale, sr, aligned, "max"),
        "winners": lambda: np.stack(
            execute.run_align_winners(execute.make_align_plan(feat, boxes, size, scale, sr, aligned)[2], feat)
        ),
    }
    forced("direct", "channels-last")
    for name, call in calls.items():
        old = execute.SPAN_SHARE, execute.WHOLE_COPY_ABOVE
        try:
            execute.WHOLE_COPY_ABOVE = np.inf  # the samples' rows, however much work per cell
            some = call()
            execute.SPAN_SHARE = -1.0  # the whole map every time
            whole = call()
        finally:
            execute.SPAN_SHARE, execute.WHOLE_COPY_ABOVE = old
        assert np.array_equal(some, whole, equal_nan=True), name


def test_a_small_box_names_its_cells_in_one_entry() -> None:
    # 14 samples down a 25-row box touch about all of its rows: one entry (the box's spans) names
    # the same cells as 14 (working those out cost a small call 32 us against 8)
    feat = np.zeros((1, 4, 50, 50), np.float32)
    boxes = np.array([[0, 3.2, 4.1, 30.5, 28.2]], np.float32)
    _, _, plan = execute.make_align_plan(feat, boxes, 7, 1.0, 2, True)
    reads = execute.sample_reads(plan)
    assert len(reads[0]) == 1
    for got, want in zip(reads, execute.align_reads(plan), strict=True):
        np.testing.assert_array_equal(got, want)
    y = plan.y
    rows = set(y.low[y.inside].tolist()) | set((y.high[y.inside]).tolist())
    assert len(rows) >= 0.5 * int(y.span_stop[0] - y.span_start[0])


def test_a_large_box_with_two_samples_a_bin_copies_only_its_samples_rows() -> None:
    feat = np.zeros((1, 4, 200, 300), np.float32)
    boxes = np.array([[0, 10.3, 5.2, 290.1, 195.7]], np.float32)
    _, _, plan = execute.make_align_plan(feat, boxes, 7, 1.0, 2, True)
    _, _, box_cells = kernels.row_spans(1, 200, *execute.align_reads(plan))
    lo, hi, sample_cells = kernels.row_spans(1, 200, *execute.sample_reads(plan))
    # 14 samples down the box, two neighbour rows each, across the box's columns
    assert (hi > lo).sum() == 28
    assert sample_cells == 28 * (hi - lo).max() < 0.2 * box_cells
    for row in plan.y.low[plan.y.inside]:
        assert hi[0, row] > lo[0, row] and hi[0, row + 1] > lo[0, row + 1]


def test_much_work_per_cell_copies_the_whole_map_without_working_out_spans() -> None:
    feat = np.zeros((1, 8, 20, 20), np.float32)
    many = np.tile(np.array([[0, 0.5, 0.5, 19.0, 19.0]], np.float32), (64, 1))
    _, _, plan = execute.make_align_plan(feat, many, 7, 1.0, 2, True)
    work = float(execute.align_max_cost(plan, 8).sum())
    assert work > execute.WHOLE_COPY_ABOVE * feat.size  # 64 boxes over the whole of a small map
    for reads in (execute.sample_reads(plan), execute.align_reads(plan)):
        assert execute.Layout(feat, reads, work, planar_kernels=False).spans is None
    one = many[:1] * np.float32([1, 0.2, 0.2, 0.2, 0.2])  # a small box in a corner
    _, _, small = execute.make_align_plan(feat, one, 7, 1.0, 2, True)
    few = float(execute.align_max_cost(small, 8).sum())
    layout = execute.Layout(feat, execute.sample_reads(small), few, planar_kernels=False)
    _, hi, _ = kernels.row_spans(1, 20, *execute.sample_reads(small))
    assert layout.spans is not None and np.array_equal(layout.spans[1], hi)  # the samples' rows


def test_no_op_works_out_spans_with_much_work_per_cell(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Every copy in (to channels-last) and out (the gradient) follows the same rule: with much work
    # per cell the rows' spans are not worked out (kernels.row_spans is their cost).
    rng = np.random.default_rng(4)
    feat = rng.standard_normal((1, 8, 20, 20)).astype(np.float32)
    many = np.tile(np.array([[0, 0.5, 0.5, 19.0, 19.0]], np.float32), (64, 1))
    g = rng.standard_normal((64, 8, 7, 7)).astype(np.float32)
    _, _, plan = execute.make_align_plan(feat, many, 7, 1.0, 2, True)
    calls = {
        "align max": lambda b: roikit.roi_align(feat, b, 7, 1.0, 2, True, "max"),
        "align max backward": lambda b: roikit.roi_align_backward(
            g[: len(b)], feat, b, 7, 1.0, 2, True, "max"
        ),
        "align avg backward": lambda b: roikit.roi_align_backward(g[: len(b)], feat, b, 7, 1.0, 2, True),
        "pool": lambda b: roikit.roi_pool(feat, b * np.float32([1, 1, 1, 1.05, 1.05]), 7),
        "pool backward": lambda b: roikit.roi_pool_backward(g[: len(b)], feat, b, 7),
        "winners": lambda b: execute.run_align_winners(
            execute.make_align_plan(feat, b, 7, 1.0, 2, True)[2], feat
        ),
    }
    want = {name: call(many) for name, call in calls.items()}
    asked: list[str] = []
    spans = kernels.row_spans
    monkeypatch.setattr(kernels, "row_spans", lambda *a: asked.append("") or spans(*a))
    for name, call in calls.items():
        np.testing.assert_array_equal(np.stack(call(many)), np.stack(want[name]), err_msg=name)
        assert not asked, name
        call(many[:1] * np.float32([1, 0.2, 0.2, 0.2, 0.2]))
        assert asked, name  # a small box does work them out
        asked.clear()
    assert float(execute.align_max_cost(plan, 8).sum()) > execute.WHOLE_COPY_ABOVE * feat.size


def test_channels_last_tensors_are_read_in_place() -> None:
    import roikit.torch as rtorch

    x = torch.randn(2, 16, 20, 24).contiguous(memory_format=torch.channels_last)
    b = torch.tensor([[0, 1.5, 2.0, 15.0, 17.0], [1, 3.0, 1.0, 22.0, 9.5]])
    assert np.shares_memory(rtorch._np(x, "input"), x.numpy())
    want = torchvision.ops.roi_align(x.contiguous(), b, 5, 1.0, 2, True)
    torch.testing.assert_close(rtorch.roi_align(x, b, 5, 1.0, 2, True), want, rtol=2e-5, atol=2e-5)


def test_the_pool_op_returns_torchvisions_argmax_from_one_pass() -> None:
    import roikit.torch  # noqa: F401 (registers the ops)

    rng = np.random.default_rng(3)
    x = torch.from_numpy(rng.standard_normal((2, 8, 30, 31)).astype(np.float32))
    x[1, 2, 4, 4] = float("nan")
    b = torch.tensor(
        np.column_stack([rng.integers(0, 2, 20), rng.uniform(0, 15, (20, 2)), rng.uniform(15, 30, (20, 2))]),
        dtype=torch.float32,
    )
    ours = torch.ops.roikit.roi_pool(x, b, 1.0, 6, 5)
    ref = torch.ops.torchvision.roi_pool(x, b, 1.0, 6, 5)
    assert torch.equal(ours[1], ref[1])
    assert torch.equal(ours[0].nan_to_num(7.0), ref[0].nan_to_num(7.0))


@pytest.mark.parametrize("seed", range(12))
def test_a_gradient_assembled_from_the_cells_read_is_the_whole_one(seed: int) -> None:
    feat, boxes, size, scale, sr, aligned = case(seed)
    feat = np.nan_to_num(feat, posinf=3.0, neginf=-3.0)
    grad = np.random.default_rng(seed).standard_normal((len(boxes), feat.shape[1], *size)).astype(feat.dtype)
    calls = [
        lambda: roikit.roi_align_backward(grad, feat, boxes, size, scale, sr, aligned, "avg"),
        lambda: roikit.roi_align_backward(grad, feat, boxes, size, scale, sr, aligned, "max"),
        lambda: roikit.roi_pool_backward(grad, feat, boxes, size, scale),
    ]
    for call in calls:
        some = call()
        old, execute.SPAN_SHARE = execute.SPAN_SHARE, -1.0  # never: the whole map every time
        try:
            whole = call()
        finally:
            execute.SPAN_SHARE = old
        assert np.array_equal(some, whole)


def test_row_spans_of_a_few_boxes_equal_those_of_many() -> None:
    # up to 16 boxes take a slice each, more go through ufunc.at: the same spans (the same boxes
    # repeated four times cover the same cells)
    rng = np.random.default_rng(3)
    for _ in range(50):
        k = int(rng.integers(1, 6))
        r0, c0 = rng.integers(0, 20, k), rng.integers(0, 30, k)
        r1, c1 = r0 + rng.integers(-1, 8, k), c0 + rng.integers(-1, 8, k)
        batch = rng.integers(0, 2, k)
        few = kernels.row_spans(2, 30, batch, r0, np.minimum(r1, 30), c0, c1)
        many = kernels.row_spans(2, 30, *(np.tile(v, 4) for v in (batch, r0, np.minimum(r1, 30), c0, c1)))
        for a, b in zip(few, many, strict=True):
            np.testing.assert_array_equal(a, b)


def test_boxes_run_in_two_forms_only_when_that_saves_enough(monkeypatch) -> None:
    # two boxes whose forms differ: one pass per form unless MIXED_FORMS_BELOW says mixing saves
    # too little, then the better single form for both
    feat = np.random.default_rng(2).standard_normal((1, 4, 60, 60)).astype(np.float32)
    boxes = np.array([[0, 0, 0, 59, 50], [0, 2, 2, 3, 3]], np.float32)  # large: direct; small: separable
    _, _, plan = execute.make_align_plan(feat, boxes, 4, 1.0, 2, False)
    direct = plan.direct_work * execute.direct_speed(plan) < plan.avg_work
    assert direct.any() and not direct.all()  # the case mixes forms
    calls: list[str] = []

    def counted(name: str):  # type: ignore[no-untyped-def]
        real = getattr(kernels, name)

        def run(*args, **kwargs):  # type: ignore[no-untyped-def]
            calls.append(name)
            return real(*args, **kwargs)

        return run

    for name in ("align_avg_forward", "align_avg_direct_forward"):
        monkeypatch.setattr(kernels, name, counted(name))
    monkeypatch.setattr(execute, "FORCE_LAYOUT", "channels-last")
    got = {}
    for share in (10.0, 0.0):  # always worth mixing; never
        monkeypatch.setattr(execute, "MIXED_FORMS_BELOW", share)
        calls.clear()
        got[share] = roikit.roi_align(feat, boxes, 4, 1.0, 2, False)
        assert len(calls) == (2 if share else 1), (share, calls)
    np.testing.assert_allclose(got[0.0], got[10.0], rtol=2e-5, atol=2e-5)  # the same op either way


def test_a_gradient_is_read_in_place_when_the_kernels_can() -> None:
    g = np.ones((3, 2, 4, 4), np.float32)
    assert execute.kernel_input(g, np.dtype(np.float32)) is g  # no copy of a large upstream gradient
    frozen = g.copy()
    frozen.setflags(write=False)
    assert execute.kernel_input(frozen, np.dtype(np.float32)).flags.writeable  # one specialization
    strided = np.ones((3, 2, 4, 8), np.float32)[..., ::2]
    assert execute.kernel_input(strided, np.dtype(np.float32)).flags.c_contiguous
    assert execute.kernel_input(g.astype(np.float16), np.dtype(np.float32)).dtype == np.float32


@pytest.mark.parametrize("chunk", [kernels.CHUNK, kernels.WIDE_CHUNK])
@pytest.mark.parametrize("shape", [(2, 5, 3, 40), (1, 37, 4, 300), (2, 300, 3, 20)])
def test_both_copies_move_every_value_of_short_and_long_rows(
    shape: tuple[int, int, int, int], chunk: int
) -> None:
    # Short and long rows, few and many channels (a partial last gradient chunk with 37 and 300
    # channels, in chunks of 32 and of 64), whole rows and spans; the chunk-major gradient goes back
    # row by row.
    rng = np.random.default_rng(sum(shape))
    N, C, H, W = shape
    feat = rng.standard_normal(shape).astype(np.float32)
    np.testing.assert_array_equal(kernels.to_channels_last(feat), feat.transpose(0, 2, 3, 1))
    lo = rng.integers(0, W // 2, (N, H))
    hi = lo + rng.integers(0, W // 2, (N, H))
    part = kernels.to_channels_last(feat, (lo, hi))
    buf = kernels.zeros_chunked(shape, np.float32, chunk=chunk)
    assert buf.shape == (-(-C // chunk), N, H, W, chunk)
    for c in range(C):
        buf[c // chunk, ..., c % chunk] = feat[:, c]
    np.testing.assert_array_equal(kernels.from_chunked(buf, C), feat)
    some = kernels.from_chunked(buf, C, (lo, hi))
    for n in range(N):
        for h in range(H):
            cols = slice(lo[n, h], hi[n, h])
            np.testing.assert_array_equal(part[n, h, cols], feat[n, :, h, cols].T)
            np.testing.assert_array_equal(some[n, :, h, cols], feat[n, :, h, cols])
            assert not some[n, :, h, : lo[n, h]].any() and not some[n, :, h, hi[n, h] :].any()


@pytest.mark.parametrize("seed", range(24))
def test_both_backward_forms_give_torchvisions_gradient(seed: int, forced) -> None:  # type: ignore[no-untyped-def]
    # the direct backward (each sample's share on its four neighbours) and the separable one
    # (A_y.T @ G @ A_x): torchvision's gradient up to rounding, the same bits call after call
    feat, boxes, size, scale, sr, aligned = case(seed)
    feat = np.nan_to_num(feat, posinf=3.0, neginf=-3.0)
    grad = np.random.default_rng(seed).standard_normal((len(boxes), feat.shape[1], *size)).astype(feat.dtype)
    x = torch.from_numpy(feat).requires_grad_()
    torchvision.ops.roi_align(x, torch.from_numpy(boxes), size, scale, sr, aligned).backward(
        torch.from_numpy(grad)
    )
    ref = x.grad.numpy()
    tol = 2e-5 if feat.dtype == np.float32 else 1e-9
    for form in ("direct", "separable"):
        forced(form, None)
        got = roikit.roi_align_backward(grad, feat, boxes, size, scale, sr, aligned)
        again = roikit.roi_align_backward(grad, feat, boxes, size, scale, sr, aligned)
        assert np.array_equal(got, again), form
        np.testing.assert_allclose(
            got, ref, rtol=tol, atol=tol * max(1, np.abs(ref).max(initial=0)), err_msg=form
        )


def test_the_direct_forms_speed_follows_its_bins_samples() -> None:
    # 2 x 2 samples a bin take the direct kernel's fast path; other grids its general loop
    feat = np.zeros((1, 4, 60, 60), np.float32)
    boxes = np.array([[0, 0, 0, 8, 8], [0, 0, 0, 30, 30], [0, 0, 0, 8, 30]], np.float32)
    _, _, plan = execute.make_align_plan(feat, boxes, 4, 1.0, 0, False)  # grids 2x2, 8x8, 2x8
    np.testing.assert_array_equal(
        execute.direct_speed(plan),
        [execute.DIRECT_SPEED, execute.DIRECT_SPEED_GENERAL, execute.DIRECT_SPEED_GENERAL],
    )


@pytest.mark.parametrize("form", ["direct", "separable", None])
def test_every_element_of_a_new_output_is_written(form: str | None) -> None:
    # The outputs are np.empty (conftest fills them with NaN in the tests): boxes off the map, empty,
    # inverted or with no samples must still give finite values (0 where nothing is read).
    assert np.isnan(execute.OUTPUT_FILL)
    rng = np.random.default_rng(9)
    feat = rng.standard_normal((2, 5, 9, 11)).astype(np.float32)
    boxes = np.array(
        [[0, 1, 1, 6, 7], [1, 30, 30, 40, 40], [0, -9, -9, -5, -5], [1, 4, 4, 4, 4], [0, 6, 2, 1, 5]],
        np.float32,
    )
    execute.FORCE_FORM = form
    try:
        outs = [
            roikit.roi_align(feat, boxes, 3, 1.0, sr, al, m)
            for sr in (0, 2)
            for al in (False, True)
            for m in ("avg", "max")
        ]
    finally:
        execute.FORCE_FORM = None
    outs += [
        roikit.roi_pool(feat, boxes, 3),
        execute.run_pool_both(execute.make_pool_plan(feat, boxes, 3)[2], feat)[0],
    ]
    for out in outs:
        assert np.isfinite(out).all()


@pytest.mark.parametrize("form", ["direct", "separable"])
@pytest.mark.parametrize("layout", ["planar", "channels-last"])
def test_a_bin_count_beyond_float32_gives_zero_not_nan(form: str, layout: str, forced) -> None:  # type: ignore[no-untyped-def]
    # Found by hypothesis: adaptive grids of 5.3e21 x 6.4e16 samples make the bins' count
    # 3.4028237e38, inf in float32. Each bin's in-range samples sum to a finite value, and that sum
    # over inf is 0; the direct kernels took their zero as count - count (NaN) for the off-map
    # samples, and gave NaN for the first bin.
    x = np.array([[[[0.12573022]]]], np.float32)
    boxes = np.array([[0, 0.5, 1.5, 3.2248723e16, 1.3189761e22]], np.float32)
    forced(form, layout)
    out = roikit.roi_align(x, boxes, (5, 1), spatial_scale=2.0, sampling_ratio=0, aligned=True)
    count = execute.make_align_plan(x, boxes, (5, 1), 2.0, 0, True)[2].count[0]
    assert count > np.finfo(np.float32).max  # (inf once the kernels take it in float32)
    np.testing.assert_array_equal(out, np.zeros((1, 1, 5, 1), np.float32))
