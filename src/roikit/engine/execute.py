"""Running a plan: validate a call, build (or reuse) its plan, execute it with the kernels.

The public ops (:mod:`roikit.ops`) and the walkthroughs (:mod:`roikit.explain`)
both run RoI Pool and RoI Align through these functions, so a walkthrough's
numbers are the op's numbers: the same validation, the same plan, the same
kernel.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import budget, kernels, threads
from .budget import check_evaluations, check_output_bytes, check_work
from .plan import AlignAxis, AlignPlan, PoolPlan, plan_roi_align, plan_roi_pool
from .validate import (
    CheckedBoxes,
    check_aligned,
    check_boxes,
    check_input,
    check_output_size,
    check_sampling_ratio,
    check_scale_fits,
    check_spatial_scale,
    compute_dtype,
)

__all__ = [
    "Boxes",
    "align_reads",
    "sample_reads",
    "box_rounds",
    "channels_last",
    "direct_args",
    "direct_speed",
    "in_dtype",
    "kernel_input",
    "chunked_gradient",
    "run_backward",
    "make_align_plan",
    "make_pool_plan",
    "prepare",
    "run_align",
    "run_align_winners",
    "run_pool",
    "run_pool_both",
    "run_pool_winners",
    "taps",
    "max_args",
    "max_backward_args",
    "align_avg_cost",
    "align_max_cost",
    "checked_cost",
    "pool_cost",
    "pool_reads",
]

Boxes = Any  # (K, 5) array-like, or a list of (L_i, 4) arrays


def prepare(
    input: Any, boxes: Boxes, output_size: Any, spatial_scale: Any
) -> tuple[np.ndarray, np.dtype, CheckedBoxes, tuple[int, int], float]:
    """Check the arguments every op shares; return (features, input dtype, boxes, size, scale)."""
    arr = check_input(input)
    size = check_output_size(output_size)
    scale = check_spatial_scale(spatial_scale)
    check_scale_fits(scale, compute_dtype(arr.dtype))
    checked = check_boxes(boxes, arr.shape[0], arr.dtype)
    shape = (checked.batch.shape[0], arr.shape[1], *size)
    check_output_bytes("the output", shape, compute_dtype(arr.dtype).itemsize)
    # The input is not copied here: the kernels read it in place (float16 is converted to float32, a
    # copy the budget checks first), after the call's work has been checked.
    input_dtype = arr.dtype
    dtype = compute_dtype(input_dtype)
    if input_dtype != dtype:
        check_output_bytes("the working copy of input", arr.shape, dtype.itemsize)
        arr = arr.astype(dtype)
    return arr, input_dtype, checked, size, scale


#: The planar kernels' time per unit of work against a channels-last copy's time per element
#: copied (plus the channels-last kernel's time for the same work): below this work per copied
#: element the planar kernels read the (N, C, H, W) input as it is. Measured on this machine
#: (1.5, then 1.0, until a speed grid run in a rotating order found the channels-last kernels
#: faster in all but 3 of 96 cells, the planar ones winning by at most 1.3x, losing by up to 1.6x;
#: then 0.3, until the copy went into a kept buffer: on the 32 grid cells of 1 and 16 boxes, timed
#: interleaved on the AMD VM, 0.1 took 0.75 of torchvision's time (geometric mean), 0.3 took 0.90,
#: 0.03 and 0 about 0.75; planar still wins for a wide, thin box with few samples on a large map).
PLANAR_BELOW = 0.1
#: Tests set this to "planar" or "channels-last" to run one family of kernels on every call,
#: and FORCE_FORM to "direct" or "separable" for avg RoI Align's form.
FORCE_LAYOUT: str | None = None
FORCE_FORM: str | None = None
#: The direct form's time per unit of work against the separable form's, for a box whose bins hold
#: 2 x 2 samples (one pass over the channels sums a bin's 16 neighbours), measured on W1 of
#: ``make bench``; and for any other box (the general loop, sample by sample), measured on the
#: speed grid of 2 December 2026 with adaptive sampling, where the direct form was not faster even
#: with a third less work.
DIRECT_SPEED = 0.45
DIRECT_SPEED_GENERAL = 0.9
#: Boxes run in two forms (two passes over the pool, each waiting for its slowest part) only when
#: that is modelled to take at most this share of the better single form's time.
MIXED_FORMS_BELOW = 0.75
#: The direct backward's time per unit of work against the separable backward's (measured on W1
#: and W2 of ``make bench``): it adds four neighbours per sample into the gradient buffer.
DIRECT_BACKWARD_SPEED = 0.45
#: Relayout only the cells the boxes read when they are at most this share of the map; above it
#: one pass over the whole map costs less than working out and following the rows' spans.
SPAN_SHARE = 0.5
#: Above this much work per element of the map, a whole-map copy is a small part of the call
#: (W1 of ``make bench`` has 80): :class:`Layout` then does not work out the rows' spans (on W1
#: that took 0.3 ms and saved nothing).
WHOLE_COPY_ABOVE = 8.0


def cell_spans(
    shape: tuple[int, ...], reads: tuple[np.ndarray, ...], work: float = 0.0
) -> tuple[tuple[np.ndarray, np.ndarray] | None, int]:
    """The rows' column spans of the cells ``reads`` names, and how many cells a copy then holds.

    The spans are None (and the count the whole map's) when the cells are more than
    :data:`SPAN_SHARE` of the map: one pass over all of it costs less then; and, without working
    them out, when the call's ``work`` is above :data:`WHOLE_COPY_ABOVE` per element of the map.
    """
    N, C, H, W = shape
    cells = N * H * W
    if cells and not work > WHOLE_COPY_ABOVE * cells * C:
        lo, hi, need = kernels.row_spans(N, H, *reads)
        if need <= SPAN_SHARE * cells:
            return (lo, hi), int(need)
    return None, cells


class Layout:
    """How a call reads its features: planar (as they are) or a channels-last copy of some cells.

    ``reads`` is ``(batch, row_start, row_stop, col_start, col_stop)`` per box: the
    cells the call reads. A channels-last copy then holds only those cells when they
    are a small share of the map (the cost follows the boxes, not the map); an input
    already channels-last in memory is read in place, and the planar kernels are
    chosen when the work is small against the copy it would need.
    """

    def __init__(self, feat: np.ndarray, reads: tuple[np.ndarray, ...], work: float, planar_kernels: bool):
        N, C, H, W = feat.shape
        self.feat = feat
        self.in_place = bool(feat.transpose(0, 2, 3, 1).flags.c_contiguous) and C > 1
        self.spans: tuple[np.ndarray, np.ndarray] | None = None
        cells = N * H * W
        if not self.in_place:
            self.spans, cells = cell_spans(feat.shape, reads, work)
        if FORCE_LAYOUT is not None:
            self.planar = planar_kernels and FORCE_LAYOUT == "planar" and feat.flags.c_contiguous
        else:
            # (the planar kernels read whole rows: a C-contiguous input; any other goes through the copy)
            planar_ok = planar_kernels and not self.in_place and feat.flags.c_contiguous
            self.planar = planar_ok and work < PLANAR_BELOW * cells * C

    def channels_last(self) -> np.ndarray:
        """The (N, H, W, C) features (a copy of the cells read, or the input itself)."""
        check_output_bytes("the working copy of input", self.feat.shape, self.feat.dtype.itemsize)
        return kernels.to_channels_last(self.feat, self.spans)


def channels_last(
    feat: np.ndarray, reads: tuple[np.ndarray, ...] | None = None, work: float = 0.0
) -> np.ndarray:
    """The (N, H, W, C) features the kernels read (only the cells ``reads`` names, if given).

    ``work`` is the call's, for :class:`Layout`'s rule: with much work per element the whole map.
    """
    if reads is None:
        check_output_bytes("the working copy of input", feat.shape, feat.dtype.itemsize)
        return kernels.to_channels_last(feat)
    return Layout(feat, reads, work, planar_kernels=False).channels_last()


def align_reads(plan: AlignPlan) -> tuple[np.ndarray, ...]:
    """The cells each box of a RoI Align plan reads: its samples' neighbours, on both axes."""
    # a box's taps span exactly the neighbours of its in-range samples
    y, x = plan.y, plan.x
    return (plan.batch, y.span_start, y.span_stop, x.span_start, x.span_stop)


def sample_reads(plan: AlignPlan) -> tuple[np.ndarray, ...]:
    """The cells the direct and max kernels read: each in-range sample's two neighbour rows.

    In the form of :func:`align_reads` (one entry per y sample, rows ``[low, high + 1)``, the
    box's columns), so only the rows the samples touch are copied: with 2 samples a bin, a large
    box reads a few of its rows (the separable form reads every row between a bin's samples).
    """
    y, x = plan.y, plan.x
    per_box = np.diff(y.sample_offsets[:: y.bins])  # (K,) samples of each box
    if 2 * int(per_box.sum()) >= int(np.maximum(y.span_stop - y.span_start, 0).sum()):
        # the samples' rows are about all the boxes' rows (small boxes): the boxes' spans name the
        # same cells in one entry a box (one box's 14 entries took 32 us to work out, its one 8 us)
        return align_reads(plan)
    box = np.repeat(np.arange(len(per_box)), per_box)[y.inside]
    return (plan.batch[box], y.low[y.inside], y.high[y.inside] + 1, x.span_start[box], x.span_stop[box])


def pool_reads(plan: PoolPlan) -> tuple[np.ndarray, ...]:
    """The cells each box of a RoI Pool plan reads: from its first bin's start to its last bin's end."""
    y, x = plan.y, plan.x
    return (
        plan.batch,
        y.bin_start.min(axis=1),
        y.bin_end.max(axis=1),
        x.bin_start.min(axis=1),
        x.bin_end.max(axis=1),
    )


def make_align_plan(
    input: Any,
    boxes: Boxes,
    output_size: Any,
    spatial_scale: Any = 1.0,
    sampling_ratio: Any = -1,
    aligned: Any = False,
) -> tuple[np.ndarray, np.dtype, AlignPlan]:
    """Validate RoI Align arguments and return (features, input dtype, plan)."""
    feat, dtype, checked, size, scale = prepare(input, boxes, output_size, spatial_scale)
    ratio = check_sampling_ratio(sampling_ratio)
    plan = plan_roi_align(checked, feat.shape, feat.dtype, size, scale, ratio, check_aligned(aligned))
    return feat, dtype, plan


def make_pool_plan(
    input: Any, boxes: Boxes, output_size: Any, spatial_scale: Any = 1.0
) -> tuple[np.ndarray, np.dtype, PoolPlan]:
    """Validate RoI Pool arguments and return (features, input dtype, plan)."""
    feat, dtype, checked, size, scale = prepare(input, boxes, output_size, spatial_scale)
    return feat, dtype, plan_roi_pool(checked, feat.shape, feat.dtype, size, scale)


def kernel_input(arr: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``arr`` as the kernels read it: C-contiguous, writeable, in ``dtype``; copied only when it is not.

    An upstream gradient can hold hundreds of megabytes (K x C x PH x PW): read it in place.
    """
    out = np.ascontiguousarray(arr, dtype=dtype)
    return out if out.flags.writeable else out.copy()  # (one compiled specialization: writeable)


def in_dtype(result: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """A result computed in float32 or float64, returned in the input's dtype.

    float16 inputs compute in float32: a value beyond float16's range (a
    gradient that sums past 65504, or the ``-FLT_MAX`` of a max-mode bin whose
    points are all NaN) becomes ``±inf``, as a cast to float16 does, silently.
    """
    with np.errstate(over="ignore"):
        return result.astype(dtype, copy=False)


def taps(axis: AlignAxis) -> tuple[np.ndarray, ...]:
    """The separable kernels' arguments for one axis: the rows of ``A_y`` or ``A_x``."""
    return axis.tap_offsets, axis.tap_start, axis.tap_weight, axis.span_start, axis.span_stop


def direct_args(plan: AlignPlan | None) -> tuple[np.ndarray, ...]:
    """The samples the avg kernel falls back on for a non-finite bin (empty: no fallback)."""
    if plan is None:
        none, flag = np.zeros(0, np.int64), np.zeros(0, np.bool_)
        weights = np.zeros(0, np.float64)
        axis = (none, flag, none, none, weights, weights)
        return (*axis, *axis, np.ones(1, np.float64), np.zeros((0, 1, 1), np.int8))
    # A count beyond float32 (a box of 1e37 cells, adaptive grid) is inf there, as in torchvision's
    # float32 kernel: the bin's average is then 0.
    with np.errstate(over="ignore"):
        count = plan.count.astype(plan.dtype)
    return (*_samples(plan.y, False), *_samples(plan.x, False), count, plan.zero_kind)


def _samples(axis: AlignAxis, with_index: bool) -> tuple[np.ndarray, ...]:
    head = (axis.sample_offsets, axis.sample_index) if with_index else (axis.sample_offsets,)
    return (*head, axis.inside, axis.low, axis.high, axis.w_low, axis.w_high)


def max_backward_args(plan: AlignPlan, feat: np.ndarray) -> tuple[Any, ...]:
    """The max-mode backward's arguments: the batch, each sample's neighbours and weights, the winners."""
    win_y, win_x = run_align_winners(plan, feat)
    y, x = plan.y, plan.x
    return (plan.batch, y.low, y.high, y.w_low, y.w_high, x.low, x.high, x.w_low, x.w_high, win_y, win_x)


def max_args(plan: AlignPlan, channels: int) -> tuple[Any, ...]:
    """The max-mode kernels' plan arguments, after checking their cost."""
    # max mode interpolates every stored point of every bin in every channel: check that first.
    check_evaluations("max-mode RoI Align", float(align_max_cost(plan, 1).sum()) * channels / 4)
    return (plan.batch, plan.has_samples, plan.zero_kind, *_samples(plan.y, True), *_samples(plan.x, False))


# ----------------------------------------------------------------------------- what a call costs
# Per box, the operations its kernel does (cells read x channels, or multiply-adds): the thread
# pool cuts parts of bounded cost from them (so Ctrl-C is never far away), and their sum is checked
# against roikit.budget.MAX_WORK before anything runs.


def pool_cost(plan: PoolPlan, channels: int) -> np.ndarray:
    """RoI Pool (forward, winners, backward): every cell of every bin, in every channel."""
    rows = np.maximum(plan.y.bin_end - plan.y.bin_start, 0).sum(axis=1, dtype=np.float64)
    cols = np.maximum(plan.x.bin_end - plan.x.bin_start, 0).sum(axis=1, dtype=np.float64)
    return (rows * cols + np.prod(plan.output_size)) * channels


def align_avg_cost(plan: AlignPlan, channels: int) -> np.ndarray:
    """Separable avg RoI Align: the row taps over the box's columns, then the column taps."""
    return plan.avg_work * channels


def align_max_cost(plan: AlignPlan, channels: int) -> np.ndarray:
    """Max-mode RoI Align (and avg's direct form): four neighbours of every stored point of every bin."""
    return plan.direct_work * channels


def checked_cost(what: str, cost: np.ndarray) -> np.ndarray:
    """``cost`` (per box) after checking its sum against the work budget."""
    check_work(what, float(cost.sum()))
    return cost


#: Tests set this (to NaN) to fill every new output before the kernels run: an element no kernel
#: writes then shows.
OUTPUT_FILL: float | None = None


def _output(plan: AlignPlan | PoolPlan, channels: int) -> np.ndarray:
    """A new (K, C, PH, PW) output, not zeroed: the kernels write every element of it.

    (Zeroing W1's 25.7 MB output first took about 0.3 ms of its forward: calloc's fresh pages.)
    """
    out = np.empty((plan.num_boxes, channels, *plan.output_size), plan.dtype)
    if OUTPUT_FILL is not None:
        out.fill(OUTPUT_FILL)
    return out


def chunked_gradient(
    feat: np.ndarray,
    dtype: np.dtype,
    kernel: Any,
    *args: Any,
    what: str,
    cost: np.ndarray,
    reads: tuple[np.ndarray, ...] | None = None,
) -> np.ndarray:
    """Run a backward ``kernel(*args, buffer)`` on a chunk-major gradient buffer; return (N, C, H, W).

    ``cost`` is the forward's per-box cost: it is checked against the work
    budget, and each channel chunk (a work item, visiting every box) costs its
    share of it. ``reads`` (the cells each box reads, as for :class:`Layout`)
    lets the result be assembled from those cells alone.
    """
    check_work(f"the backward of {what}", float(cost.sum()))
    # the cells the boxes read are the only ones the backward writes
    spans = None if reads is None else cell_spans(feat.shape, reads, float(cost.sum()))[0]
    buf = kernels.zeros_chunked(feat.shape, feat.dtype, spans)
    run_backward(kernel, *args, buf, cost=cost * buf.shape[-1] / max(feat.shape[1], 1), items=buf.shape[0])
    return in_dtype(kernels.from_chunked(buf, feat.shape[1], spans), dtype)


def avg_backward(plan: AlignPlan, grad: np.ndarray) -> tuple[Any, tuple[Any, ...], np.ndarray]:
    """Avg RoI Align's backward kernel, its arguments and its per-box cost: the form with less work.

    One form for every box (each is a pass over the channel chunks): the direct
    one (each sample's share of its bin's gradient on its four neighbours) when
    its work, weighed by :data:`DIRECT_BACKWARD_SPEED`, is below the separable
    one's (``A_y.T @ G @ A_x`` over the box's rows and columns).
    """
    C = grad.shape[1]
    separable = align_avg_cost(plan, C)
    direct = align_max_cost(plan, C)
    if FORCE_FORM is not None:
        use_direct = FORCE_FORM == "direct"
    else:
        # (and within the work budget: a call the separable form may run is never refused for the other)
        total = float(direct.sum())
        use_direct = total * DIRECT_BACKWARD_SPEED < float(separable.sum()) and total <= budget.MAX_WORK
    if use_direct:
        return kernels.align_avg_direct_backward, (grad, plan.batch, *direct_args(plan)[:-1]), direct
    return kernels.align_avg_backward, (grad, plan.batch, *taps(plan.y), *taps(plan.x)), separable


def direct_speed(plan: AlignPlan) -> np.ndarray:
    """Per box, the direct form's time per unit of work against the separable form's."""
    two_by_two = (plan.y.grid == 2) & (plan.x.grid == 2)
    return np.where(two_by_two, DIRECT_SPEED, DIRECT_SPEED_GENERAL)


def box_rounds(cost: np.ndarray) -> list[tuple[int, int]]:
    """Consecutive ranges of boxes, each costing about one part (``roikit.threads.PART_COST``) per item.

    A backward work item (a channel chunk) visits every box; run in rounds of
    box ranges, each round stays short, so Ctrl-C is never far away, and every
    gradient cell still sums its boxes in order (the rounds go in order).
    """
    K = len(cost)
    if K == 0:
        return []
    c = np.cumsum(np.maximum(np.asarray(cost, dtype=np.float64), 1.0))
    rounds = int(min(K, max(1, np.ceil(c[-1] / threads.PART_COST))))
    cuts = np.searchsorted(c, np.arange(1, rounds) * (c[-1] / rounds), side="left") + 1
    edges = [0, *sorted({int(v) for v in cuts if 0 < v < K}), K]
    return list(zip(edges[:-1], edges[1:], strict=True))


def run_backward(kernel: Any, *args: Any, cost: np.ndarray, items: int) -> None:
    """Run a backward ``kernel(*args[:-1], k0, k1, args[-1])`` in rounds of box ranges.

    ``cost`` is what each box costs one of the kernel's ``items`` work items
    (channel chunks, or output channels).
    """
    *head, out = args
    for k0, k1 in box_rounds(cost):
        kernel(*head, k0, k1, out, cost=np.full(items, float(cost[k0:k1].sum())))


def run_align(plan: AlignPlan, feat: np.ndarray, mode: str, corners: bool = False) -> np.ndarray:
    """Execute a RoI Align plan on (N, C, H, W) features of the plan's dtype.

    ``mode`` is ``"avg"`` or ``"max"``; ``corners=True`` (max only) takes each
    point's largest weighted corner instead of its interpolated value, ONNX
    Runtime's max (see :func:`roikit.onnx_roi_align`).
    """
    out = _output(plan, feat.shape[1])
    if out.size == 0:
        return out
    C = feat.shape[1]
    if mode == "avg":
        separable = checked_cost("RoI Align", align_avg_cost(plan, C))
        # Box by box, the form that does less work: the direct one (torchvision's, sample by sample)
        # when the bins hold few samples and the box many columns, else the separable one.
        direct = align_max_cost(plan, C)
        direct_time = direct * direct_speed(plan)
        auto = direct_time < separable
        mixed, all_direct, all_separable = (
            float(np.minimum(direct_time, separable).sum()),
            float(direct_time.sum()),
            float(separable.sum()),
        )
        if auto.any() and not auto.all() and mixed > MIXED_FORMS_BELOW * min(all_direct, all_separable):
            auto[:] = all_direct < all_separable  # one form for every box: mixing saves too little
        use_direct = np.full(len(direct), FORCE_FORM == "direct") if FORCE_FORM else auto
        cost = np.where(use_direct, direct, separable)
        reads = sample_reads(plan) if use_direct.all() else align_reads(plan)
        layout = Layout(feat, reads, float(cost.sum()), planar_kernels=True)
        planar = layout.planar
        last = None if planar else layout.channels_last()
        samples = direct_args(plan)
        for form, which in (
            ("direct", use_direct.nonzero()[0]),  # (flatnonzero's wrapping costs more than these)
            ("separable", (~use_direct).nonzero()[0]),
        ):
            if not len(which):
                continue
            if form == "direct":
                args = (plan.batch, *samples[:-1], which, out)
                kernel = (
                    kernels.align_avg_direct_forward_planar if planar else kernels.align_avg_direct_forward
                )
            else:
                args = (plan.batch, *taps(plan.y), *taps(plan.x), *samples, which, out)
                kernel = kernels.align_avg_forward_planar if planar else kernels.align_avg_forward
            if planar:
                kernel(feat, *args, cost=np.repeat(cost[which] / C, C))
            else:
                kernel(last, *args, cost=cost[which])
        return out
    none = np.empty((0, 1, 1, 1), np.int64)
    cost = align_max_cost(plan, C)
    args = max_args(plan, C)  # its cost is checked before the copy
    kernels.align_max_forward(
        channels_last(feat, sample_reads(plan), float(cost.sum())), *args, out, none, none, corners, cost=cost
    )
    return out


def run_pool(plan: PoolPlan, feat: np.ndarray) -> np.ndarray:
    """Execute a RoI Pool plan on features of the plan's dtype (no validation)."""
    out = _output(plan, feat.shape[1])
    if out.size == 0:
        return out
    y, x = plan.y, plan.x
    cost = checked_cost("RoI Pool", pool_cost(plan, feat.shape[1]))
    last = channels_last(feat, pool_reads(plan), float(cost.sum()))
    kernels.pool_forward(last, plan.batch, y.bin_start, y.bin_end, x.bin_start, x.bin_end, out, cost=cost)
    return out


def run_align_winners(plan: AlignPlan, feat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Winning sample of every max-mode bin: positions in the plan's y / x sample arrays.

    Returns two int64 arrays of shape (K, C, PH, PW): -1 where an out-of-range
    sample (worth 0) wins, -2 where nothing won (no samples, or all NaN).
    """
    shape = (plan.num_boxes, feat.shape[1], *plan.output_size)
    check_output_bytes("the winning samples (two arrays) of max-mode RoI Align", shape, 2 * 8)
    # (written whole by the kernel: -2 for a box with no samples)
    win_y, win_x = np.empty(shape, np.int64), np.empty(shape, np.int64)
    if win_y.size:
        args = max_args(plan, feat.shape[1])
        cost = align_max_cost(plan, shape[1])
        last = channels_last(feat, sample_reads(plan), float(cost.sum()))
        values = np.empty(shape, plan.dtype)  # (written whole by the kernel, then dropped)
        kernels.align_max_forward(last, *args, values, win_y, win_x, False, cost=cost)
    return win_y, win_x


def run_pool_winners(plan: PoolPlan, feat: np.ndarray) -> np.ndarray:
    """Winning cell ``row * W + col`` of every RoI Pool bin, -1 for empty bins."""
    return run_pool_both(plan, feat)[1]


def run_pool_both(plan: PoolPlan, feat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """RoI Pool's output and its winners in one pass (what torchvision's op returns)."""
    out = _output(plan, feat.shape[1])
    win = np.full(out.shape, -1, np.int64)
    if win.size:
        y, x = plan.y, plan.x
        cost = checked_cost("RoI Pool", pool_cost(plan, feat.shape[1]))
        last = channels_last(feat, pool_reads(plan), float(cost.sum()))
        kernels.pool_winners(
            last, plan.batch, y.bin_start, y.bin_end, x.bin_start, x.bin_end, out, win, cost=cost
        )
    return out, win
