"""Benchmark roikit against torchvision and ONNX Runtime on the same data, in one run.

Workloads are those of DESIGN.md §5 (float32, 2 threads, boxes log-uniform in
size). Prints median times and the speed-up ratios, and checks that the
outputs agree (max abs difference against torchvision).

    python benchmarks/bench_ops.py [--repeats 7] [--threads 2]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


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


def timeit(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm-up (compilation, allocation)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def ort_session(w: Workload, threads: int):  # type: ignore[no-untyped-def]
    import onnxruntime as ort
    from onnx import TensorProto, helper

    node = helper.make_node(
        "RoiAlign", ["X", "rois", "batch_indices"], ["Y"], mode="avg",
        output_height=w.out, output_width=w.out, sampling_ratio=w.sampling_ratio,
        spatial_scale=w.scale, coordinate_transformation_mode="half_pixel",
    )
    graph = helper.make_graph(
        [node], "roialign",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, None),
         helper.make_tensor_value_info("rois", TensorProto.FLOAT, None),
         helper.make_tensor_value_info("batch_indices", TensorProto.INT64, None)],
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
    args = parser.parse_args()

    os.environ.setdefault("NUMBA_NUM_THREADS", str(args.threads))
    import numba
    import torch
    import torchvision

    import roikit

    numba.set_num_threads(args.threads)
    torch.set_num_threads(args.threads)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus, {args.threads} threads; "
          f"torch {torch.__version__}, torchvision {torchvision.__version__}, "
          f"numba {numba.__version__}, numpy {np.__version__}")
    header = (f"{'workload':<14}{'op':<16}{'torchvision':>12}{'onnxruntime':>12}"
              f"{'roikit':>10}{'vs tv':>8}{'vs ort':>8}{'max|diff|':>11}")
    print(header)
    print("-" * len(header))

    def row(name, op, tv, ort_t, ours, diff):  # type: ignore[no-untyped-def]
        ort_s = f"{ort_t * 1e3:10.1f}ms" if ort_t else f"{'-':>12}"
        ratio_ort = f"{ort_t / ours:7.1f}x" if ort_t else f"{'-':>8}"
        print(f"{name:<14}{op:<16}{tv * 1e3:10.1f}ms{ort_s}{ours * 1e3:8.1f}ms"
              f"{tv / ours:7.1f}x{ratio_ort}{diff:11.1e}")

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
        feeds = {"X": feat, "rois": np.ascontiguousarray(boxes[:, 1:]),
                 "batch_indices": boxes[:, 0].astype(np.int64)}
        t_ort = timeit(lambda: sess.run(None, feeds), args.repeats)
        t_tv = timeit(lambda: torchvision.ops.roi_align(ft, bt, size, **kw), args.repeats)
        t_rk = timeit(lambda: roikit.roi_align(feat, boxes, size, **kw), args.repeats)
        row(w.name, "align fwd", t_tv, t_ort, t_rk, diff)

        def tv_fb() -> None:
            x = ft.detach().requires_grad_()
            torchvision.ops.roi_align(x, bt, size, **kw).backward(gt)

        def rk_fb() -> None:
            roikit.roi_align(feat, boxes, size, **kw)
            roikit.roi_align_backward(grad, feat, boxes, size, **kw)

        x = ft.detach().requires_grad_()
        torchvision.ops.roi_align(x, bt, size, **kw).backward(gt)
        ours_grad = roikit.roi_align_backward(grad, feat, boxes, size, **kw)
        gdiff = float(np.abs(x.grad.numpy() - ours_grad).max())
        t_tv, t_rk = timeit(tv_fb, args.repeats), timeit(rk_fb, args.repeats)
        row(w.name, "align fwd+bwd", t_tv, 0.0, t_rk, gdiff)

        if w.name.startswith("W1"):
            ref = torchvision.ops.roi_pool(ft, bt, size, w.scale).numpy()
            pdiff = float(np.abs(ref - roikit.roi_pool(feat, boxes, size, w.scale)).max())
            t_tv = timeit(lambda: torchvision.ops.roi_pool(ft, bt, size, w.scale), args.repeats)
            t_rk = timeit(lambda: roikit.roi_pool(feat, boxes, size, w.scale), args.repeats)
            row(w.name, "pool fwd", t_tv, 0.0, t_rk, pdiff)


if __name__ == "__main__":
    main()
