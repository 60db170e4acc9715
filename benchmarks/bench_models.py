"""End to end: Faster / Mask R-CNN on the CPU with torchvision's poolers and with roikit's.

What an engineer can expect from swapping the poolers: the whole step's time,
torchvision's poolers against roikit's, interleaved (the two models take
turns on the same inputs) and medians, at 1 and 2 threads, with the share of
the step torchvision's poolers' forward takes (timed by hooks on the pooler
modules; a training step's pooler backward runs in autograd, outside them). Untrained
weights (``weights=None``), a fixed seed, ``rpn`` and ``roi_heads`` settings
chosen so that the heads see boxes as a trained model would (1000 proposals
at test time, 512 sampled per image in training). A last row is a workload
where the pooler is all the work: RoI features for 512 boxes over a
precomputed 4-level pyramid (as for captioning or VQA features).

    python benchmarks/bench_models.py [--repeats 5] [--size 512]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from timing import interleaved


def swapped(model: Any) -> Any:
    """The same model with roikit's poolers (same settings)."""
    import copy

    import roikit.torch as rt

    m = copy.deepcopy(model)
    for name in ("box_roi_pool", "mask_roi_pool"):
        old = getattr(m.roi_heads, name, None)
        if old is not None:
            setattr(
                m.roi_heads,
                name,
                rt.MultiScaleRoIAlign(old.featmap_names, old.output_size, old.sampling_ratio),
            )
    return m


class PoolerClock:
    """Time spent inside a model's pooler modules (forward hooks)."""

    def __init__(self, model: Any) -> None:
        self.total = 0.0
        for name in ("box_roi_pool", "mask_roi_pool"):
            module = getattr(model.roi_heads, name, None)
            if module is not None:
                module.register_forward_pre_hook(self._start)
                module.register_forward_hook(self._stop)

    def _start(self, *args: Any) -> None:
        self._t0 = time.perf_counter()

    def _stop(self, *args: Any) -> None:
        self.total += time.perf_counter() - self._t0


def alternating(steps: dict[str, Callable[[], Any]], repeats: int) -> dict[str, float]:
    """Median seconds of each step, the steps taking turns (each round starting one further on)."""
    return interleaved({k: (lambda _, step=step: step()) for k, step in steps.items()}, lambda: None, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--size", type=int, default=512)
    args = parser.parse_args()
    import torch
    import torchvision
    from torchvision.models.detection import fasterrcnn_resnet50_fpn, maskrcnn_resnet50_fpn

    import roikit
    import roikit.torch as rt

    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}; images {args.size}x{args.size}")
    print(f"{'model':<34}{'threads':>8}{'torchvision':>13}{'roikit':>10}{'speed-up':>10}{'pooler fwd':>14}")
    torch.manual_seed(0)
    image = [torch.rand(3, args.size, args.size)]
    target = [
        {
            "boxes": torch.tensor([[40.0, 50, 300, 280], [200, 120, 480, 460]]),
            "labels": torch.tensor([1, 2]),
            "masks": torch.zeros(2, args.size, args.size, dtype=torch.uint8).index_fill_(
                1, torch.arange(60, 250), 1
            ),
        }
    ]
    kw = dict(weights=None, weights_backbone=None, num_classes=3, min_size=args.size, max_size=args.size)
    for threads in (1, 2):
        torch.set_num_threads(threads)
        roikit.threads.set_num_threads(threads)
        for name, build, train in (
            ("Faster R-CNN inference", fasterrcnn_resnet50_fpn, False),
            ("Mask R-CNN inference", maskrcnn_resnet50_fpn, False),
            ("Mask R-CNN training step", maskrcnn_resnet50_fpn, True),
        ):
            tv = build(**kw)
            tv.roi_heads.score_thresh = 0.0  # untrained scores: let the boxes through to the heads
            rk = swapped(tv)
            clock_tv = PoolerClock(tv)

            def step(model: Any) -> Callable[[], Any]:
                if train:
                    model.train()
                    return lambda: sum(model(image, target).values()).backward()
                model.eval()

                def infer() -> Any:
                    with torch.no_grad():
                        return model(image)

                return infer

            t = alternating({"tv": step(tv), "rk": step(rk)}, args.repeats)
            runs = args.repeats + 1
            share = clock_tv.total / runs / t["tv"]
            ratio = t["tv"] / t["rk"]
            print(f"{name:<34}{threads:>8}{t['tv']:>11.2f} s{t['rk']:>8.2f} s{ratio:>9.2f}x{share:>13.0%}")
    # A workload that is all pooling: RoI features over a precomputed pyramid.
    torch.set_num_threads(2)
    roikit.threads.set_num_threads(2)
    feats = {str(i): torch.randn(1, 256, 128 // 2**i, 128 // 2**i) for i in range(4)}
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 400, (512, 2))
    wh = np.exp(rng.uniform(np.log(16), np.log(400), (512, 2)))
    boxes = [torch.tensor(np.column_stack([xy, np.minimum(xy + wh, 511)]), dtype=torch.float32)]
    tvp = torchvision.ops.MultiScaleRoIAlign(list(feats), 7, 2)
    rkp = rt.MultiScaleRoIAlign(list(feats), 7, 2)
    t = alternating(
        {"tv": lambda: tvp(feats, boxes, [(512, 512)]), "rk": lambda: rkp(feats, boxes, [(512, 512)])},
        args.repeats,
    )
    tv_ms, rk_ms = t["tv"] * 1e3, t["rk"] * 1e3
    label = "RoI features, 512 boxes, FPN"
    print(f"{label:<34}{2:>8}{tv_ms:>10.1f}ms{rk_ms:>7.1f}ms{tv_ms / rk_ms:>9.2f}x{'100%':>14}")


if __name__ == "__main__":
    main()
