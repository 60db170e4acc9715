"""Benchmark roikit against torchvision and ONNX Runtime on the same data, in one run.

Workloads are those of DESIGN.md §5 (float32, 2 threads, boxes log-uniform in
size). Prints median times and the speed-up ratios, and checks that the
outputs agree (max abs difference against torchvision).

Every timed call gets fresh box coordinates (a detector sees new boxes at
every step), so no plan or result cache carries over between timed calls; the
forward and backward of one step share their boxes, as in training. The time
to build roikit's plan is reported on its own line (it is included in the op
times). The implementations of one row run interleaved, round by round on the
same fresh boxes, each round starting one further on (``timing.py``). Last,
the cold start: the first ``roi_align`` call and a whole
``roikit demo`` in fresh processes with an empty numba cache.

    python benchmarks/bench_ops.py [--repeats 7] [--threads 2] [--no-cold]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from timing import interleaved


@dataclass(frozen=True)
class Workload:
    name: str
    n: int
    c: int
    hw: int
    k: int
    out: int
    sampling_ratio: int
    scale: float
    box_min: float
    box_max: float


WORKLOADS = [
    Workload("W1 box head", 2, 256, 50, 512, 7, 2, 1 / 16, 16, 800),
    Workload("W2 mask head", 2, 256, 100, 256, 14, 2, 1 / 8, 16, 800),
    Workload("W3 adaptive", 1, 256, 200, 128, 7, 0, 1 / 4, 64, 800),
]


def make_data(w: Workload, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    feat = rng.standard_normal((w.n, w.c, w.hw, w.hw)).astype(np.float32)
    image = w.hw / w.scale
    size = np.exp(rng.uniform(np.log(w.box_min), np.log(w.box_max), (w.k, 2)))
    centre = rng.uniform(0, image, (w.k, 2))
    x1y1 = centre - size / 2
    x2y2 = centre + size / 2
    batch = rng.integers(0, w.n, w.k)
    boxes = np.column_stack([batch, x1y1, x2y2]).astype(np.float32)
    return feat, boxes


class FreshBoxes:
    """New box coordinates for every timed call: the base boxes moved by a random sub-pixel shift."""

    def __init__(self, boxes: np.ndarray, seed: int = 7) -> None:
        self.base = boxes
        self.rng = np.random.default_rng(seed)

    def __call__(self) -> np.ndarray:
        shift = self.rng.uniform(-0.5, 0.5, (len(self.base), 4)).astype(np.float32)
        out = self.base.copy()
        out[:, 1:] += shift
        return out


def timeit(fn: Callable[[np.ndarray], object], fresh: FreshBoxes, repeats: int) -> float:
    """Median time of ``fn(boxes)`` alone, each call with boxes it has never seen (made untimed)."""
    return interleaved({"fn": fn}, fresh, repeats)["fn"]


_COLD_OP = """
import time
t0 = time.perf_counter()
import numpy as np, roikit
t1 = time.perf_counter()
x = np.random.default_rng(0).standard_normal((1, 8, 16, 16)).astype(np.float32)
roikit.roi_align(x, np.array([[0, 1, 1, 9, 9]], np.float32), 2)
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def cold_start(repeats: int = 3) -> tuple[float, float, float]:
    """Median (import, first roi_align call, whole ``roikit demo``) in fresh processes, empty cache."""
    imports, calls, demos = [], [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "NUMBA_CACHE_DIR": cache}
            out = subprocess.run(
                [sys.executable, "-c", _COLD_OP], env=env, check=True, capture_output=True, text=True
            ).stdout.split()
            imports.append(float(out[0]))
            calls.append(float(out[1]))
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "NUMBA_CACHE_DIR": cache}
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "roikit", "demo"], env=env, check=True, capture_output=True)
            demos.append(time.perf_counter() - t0)
    return float(np.median(imports)), float(np.median(calls)), float(np.median(demos))


def floor_and_parts(
    w: Workload,
    feat: np.ndarray,
    fresh: FreshBoxes,
    size: tuple[int, int],
    kw: dict,
    t_op: float,
    repeats: int,
) -> None:
    """The machine's floor for this workload, and where roikit's forward spends its time.

    The floor is writing the output's bytes once (fresh memory, as the op gets)
    plus reading the input once; the parts are the plan, the relayout of the
    features, and the kernels (on a plan built beforehand).
    """
    from roikit.engine import execute

    shape = (w.k, w.c, *size)
    t_write = timeit(lambda b: np.empty(shape, np.float32).fill(1.0), fresh, repeats)
    t_read = timeit(lambda b: feat.max(), fresh, repeats)
    floor = t_write + t_read
    print(
        f"{'':<14}{'(floor)':<16}{'':>24}{floor * 1e3:8.1f}ms  write the output {t_write * 1e3:.1f} ms + "
        f"read the input {t_read * 1e3:.1f} ms: roikit's forward is {t_op / floor:.1f}x the floor"
    )
    plans = {}

    def plan(b: np.ndarray) -> None:
        plans["p"] = execute.make_align_plan(feat, b, size, w.scale, w.sampling_ratio, True)[2]

    t_plan = timeit(plan, fresh, repeats)
    p = plans["p"]
    t_relayout = timeit(lambda b: execute.channels_last(feat, execute.align_reads(p)), fresh, repeats)
    t_run = timeit(lambda b: execute.run_align(p, feat, "avg"), fresh, repeats)
    print(
        f"{'':<14}{'(where it goes)':<16}{'':>24}  plan {t_plan * 1e3:.1f} ms, "
        f"relayout {t_relayout * 1e3:.1f} ms, "
        f"kernels and output {max(t_run - t_relayout, 0) * 1e3:.1f} ms (of which writing the output "
        f"{t_write * 1e3:.1f} ms)"
    )


def ort_session(w: Workload, threads: int):  # type: ignore[no-untyped-def]
    import onnxruntime as ort
    from onnx import TensorProto, helper

    node = helper.make_node(
        "RoiAlign",
        ["X", "rois", "batch_indices"],
        ["Y"],
        mode="avg",
        output_height=w.out,
        output_width=w.out,
        sampling_ratio=w.sampling_ratio,
        spatial_scale=w.scale,
        coordinate_transformation_mode="half_pixel",
    )
    graph = helper.make_graph(
        [node],
        "roialign",
        [
            helper.make_tensor_value_info("X", TensorProto.FLOAT, None),
            helper.make_tensor_value_info("rois", TensorProto.FLOAT, None),
            helper.make_tensor_value_info("batch_indices", TensorProto.INT64, None),
        ],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 16)])
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-cold", action="store_true", help="skip the cold-start processes")
    args = parser.parse_args()

    import numba
    import torch
    import torchvision

    import roikit
    import roikit.torch as rtorch
    from roikit.engine.execute import make_align_plan

    roikit.threads.set_num_threads(args.threads)
    torch.set_num_threads(args.threads)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cpus, {args.threads} threads; "
        f"torch {torch.__version__}, torchvision {torchvision.__version__}, "
        f"numba {numba.__version__}, numpy {np.__version__}"
    )
    header = (
        f"{'workload':<14}{'op':<16}{'torchvision':>12}{'onnxruntime':>12}"
        f"{'roikit':>10}{'vs tv':>8}{'vs ort':>8}{'max|diff|':>11}"
    )
    print(header)
    print("-" * len(header))

    def row(name, op, tv, ort_t, ours, diff):  # type: ignore[no-untyped-def]
        ort_s = f"{ort_t * 1e3:10.1f}ms" if ort_t else f"{'-':>12}"
        ratio_ort = f"{ort_t / ours:7.1f}x" if ort_t else f"{'-':>8}"
        print(
            f"{name:<14}{op:<16}{tv * 1e3:10.1f}ms{ort_s}{ours * 1e3:8.1f}ms"
            f"{tv / ours:7.1f}x{ratio_ort}{diff:11.1e}"
        )

    for w in WORKLOADS:
        feat, boxes = make_data(w)
        ft, bt = torch.from_numpy(feat), torch.from_numpy(boxes)
        kw = dict(spatial_scale=w.scale, sampling_ratio=w.sampling_ratio, aligned=True)
        size = (w.out, w.out)
        grad = np.random.default_rng(1).standard_normal((w.k, w.c, w.out, w.out)).astype(np.float32)
        gt = torch.from_numpy(grad)

        ref = torchvision.ops.roi_align(ft, bt, size, **kw).numpy()
        ours = roikit.roi_align(feat, boxes, size, **kw)
        diff = float(np.abs(ref - ours).max())

        sess = ort_session(w, args.threads)
        fresh = FreshBoxes(boxes)

        def ort_fwd(b: np.ndarray) -> None:
            sess.run(
                None,
                {
                    "X": feat,
                    "rois": np.ascontiguousarray(b[:, 1:]),
                    "batch_indices": b[:, 0].astype(np.int64),
                },
            )

        t = interleaved(
            {
                "ort": ort_fwd,
                "tv": lambda b: torchvision.ops.roi_align(ft, torch.from_numpy(b), size, **kw),
                "rk": lambda b: roikit.roi_align(feat, b, size, **kw),
                "plan": lambda b: make_align_plan(feat, b, size, w.scale, w.sampling_ratio, True),
            },
            fresh,
            args.repeats,
        )
        row(w.name, "align fwd", t["tv"], t["ort"], t["rk"], diff)
        t_fwd, t_plan = t["rk"], t["plan"]

        def tv_fb(b: np.ndarray) -> None:
            x = ft.detach().requires_grad_()
            torchvision.ops.roi_align(x, torch.from_numpy(b), size, **kw).backward(gt)

        def rk_fb(b: np.ndarray) -> None:  # one training step: forward and backward share the boxes
            roikit.roi_align(feat, b, size, **kw)
            roikit.roi_align_backward(grad, feat, b, size, **kw)

        x = ft.detach().requires_grad_()
        torchvision.ops.roi_align(x, bt, size, **kw).backward(gt)
        ours_grad = roikit.roi_align_backward(grad, feat, boxes, size, **kw)
        gdiff = float(np.abs(x.grad.numpy() - ours_grad).max())

        def adapter_fb(b: np.ndarray) -> None:  # the same step through roikit.torch's autograd
            x = ft.detach().requires_grad_()
            rtorch.roi_align(x, torch.from_numpy(b), size, **kw).backward(gt)

        x = ft.detach().requires_grad_()
        rtorch.roi_align(x, bt, size, **kw).backward(gt)
        adiff = float(np.abs(x.grad.numpy() - ours_grad).max())
        t = interleaved({"tv": tv_fb, "rk": rk_fb, "adapter": adapter_fb}, fresh, args.repeats)
        row(w.name, "align fwd+bwd", t["tv"], 0.0, t["rk"], gdiff)
        row(w.name, "torch adapter", t["tv"], 0.0, t["adapter"], adiff)
        print(f"{'':<14}{'(roikit plan)':<16}{'':>24}{t_plan * 1e3:8.1f}ms  of the forward above")

        if w.name.startswith("W1"):
            floor_and_parts(w, feat, fresh, size, kw, t_fwd, args.repeats)
            ref = torchvision.ops.roi_pool(ft, bt, size, w.scale).numpy()
            pdiff = float(np.abs(ref - roikit.roi_pool(feat, boxes, size, w.scale)).max())
            t = interleaved(
                {
                    "tv": lambda b: torchvision.ops.roi_pool(ft, torch.from_numpy(b), size, w.scale),
                    "rk": lambda b: roikit.roi_pool(feat, b, size, w.scale),
                },
                fresh,
                args.repeats,
            )
            row(w.name, "pool fwd", t["tv"], 0.0, t["rk"], pdiff)

    if not args.no_cold:
        imp, first, demo = cold_start()
        print(
            f"cold start (fresh process, empty numba cache, median of 3): import roikit "
            f"{imp:.2f} s, first roi_align call {first:.2f} s, whole `roikit demo` {demo:.2f} s"
        )


if __name__ == "__main__":
    main()
