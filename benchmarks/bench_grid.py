"""The speed grid: roikit against torchvision on every cell, and how roikit's time scales.

Cells: K boxes x map x channels x output size x sampling ratio (2, or adaptive),
float32, boxes log-uniform from 2 cells to half the map, a fresh set of boxes
at every timed call. Within a cell the implementations run interleaved, round
by round on the same boxes, each round starting one implementation further on
(``timing.py``: what runs just before a call changes its time here), and the
medians are compared: the ratio is
torchvision's time over roikit's (above 1: roikit is faster). Columns: the
forward through the numpy op; forward and backward through the numpy ops;
forward and backward through ``roikit.torch`` (autograd). The summary names
every cell below 1.

``--scaling FILE`` also draws roikit's and torchvision's forward time against
K, channels, output size and box size, on log axes, at 1 and 2 threads (a PNG).

    python benchmarks/bench_grid.py [--repeats 5] [--quick] [--scaling docs/figures/scaling.png]
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
from timing import interleaved

KS = (1, 16, 128, 512, 2048)
MAPS = ((50, 50), (100, 100), (200, 336))
CHANNELS = (64, 256)
OUTPUTS = (7, 14)
RATIOS = (2, 0)


def boxes_for(
    rng: np.random.Generator, k: int, h: int, w: int, lo: float = 2.0, hi: float | None = None
) -> np.ndarray:
    """K boxes on an (h, w) map at scale 1: sizes log-uniform in [lo, hi] cells, centres uniform."""
    hi = hi or max(min(h, w) / 2, lo * 1.01)
    size = np.exp(rng.uniform(np.log(lo), np.log(hi), (k, 2)))
    centre = rng.uniform(0, [w, h], (k, 2))
    return np.column_stack([np.zeros(k), centre - size / 2, centre + size / 2]).astype(np.float32)


def grid_cell(
    k: int, hw: tuple[int, int], c: int, out: int, sr: int, repeats: int, backward: bool
) -> dict[str, float]:
    import torch
    import torchvision

    import roikit
    import roikit.torch as rtorch

    rng = np.random.default_rng(k * 7 + c + out + sr)
    feat = rng.standard_normal((1, c, *hw)).astype(np.float32)
    ft = torch.from_numpy(feat)
    grad = rng.standard_normal((k, c, out, out)).astype(np.float32)
    gt = torch.from_numpy(grad)
    kw: dict[str, Any] = dict(spatial_scale=1.0, sampling_ratio=sr, aligned=True)

    def tv_fb(b: np.ndarray) -> None:
        x = ft.detach().requires_grad_()
        torchvision.ops.roi_align(x, torch.from_numpy(b), out, **kw).backward(gt)

    def rk_fb(b: np.ndarray) -> None:
        roikit.roi_align(feat, b, out, **kw)
        roikit.roi_align_backward(grad, feat, b, out, **kw)

    def ad_fb(b: np.ndarray) -> None:
        x = ft.detach().requires_grad_()
        rtorch.roi_align(x, torch.from_numpy(b), out, **kw).backward(gt)

    fns: dict[str, Callable[[np.ndarray], Any]] = {
        "tv": lambda b: torchvision.ops.roi_align(ft, torch.from_numpy(b), out, **kw),
        "rk": lambda b: roikit.roi_align(feat, b, out, **kw),
    }
    if backward:
        fns |= {"tv_fb": tv_fb, "rk_fb": rk_fb, "ad_fb": ad_fb}
    return interleaved(fns, lambda: boxes_for(rng, k, *hw), repeats)


def run_grid(repeats: int, quick: bool) -> list[tuple[tuple[Any, ...], dict[str, float]]]:
    ks = (1, 16, 512) if quick else KS
    maps = (MAPS[0], MAPS[2]) if quick else MAPS
    rows = []
    header = f"{'K':>5} {'map':>8} {'C':>4} {'out':>4} {'sr':>3} {'tv fwd':>9}" + (
        f"{'fwd':>7}{'fwd+bwd':>8}{'torch':>8}"
    )
    print(header)
    print("-" * len(header))
    for k, hw, c, out, sr in itertools.product(ks, maps, CHANNELS, OUTPUTS, RATIOS):
        t = grid_cell(k, hw, c, out, sr, repeats, backward=not quick)
        ratios = [t["tv"] / t["rk"]]
        if "tv_fb" in t:
            ratios += [t["tv_fb"] / t["rk_fb"], t["tv_fb"] / t["ad_fb"]]
        cells = "".join(f"{r:>7.1f}x" for r in ratios)
        print(
            f"{k:>5} {hw[0]:>4}x{hw[1]:<3} {c:>4} {out:>4} {sr:>3} {t['tv'] * 1e3:>7.2f}ms {cells}",
            flush=True,
        )
        rows.append(((k, hw, c, out, sr), t))
    slow = [(key, t["tv"] / t["rk"]) for key, t in rows if t["tv"] < t["rk"]]
    print(f"cells where roikit's forward is slower than torchvision's: {len(slow)} of {len(rows)}")
    for key, r in slow:
        print(f"  K={key[0]} map={key[1][0]}x{key[1][1]} C={key[2]} out={key[3]} sr={key[4]}: {r:.2f}x")
    return rows


def scaling(path: str, repeats: int) -> None:
    """roikit's and torchvision's forward time against K, C, output size and box size; 1 and 2 threads."""
    import matplotlib
    import matplotlib.ticker

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import torch
    import torchvision

    import roikit

    base = dict(k=128, hw=(100, 100), c=128, out=7, box=16.0)
    sweeps = {
        "boxes K": ("k", (4, 16, 64, 256, 1024)),
        "channels C": ("c", (16, 32, 64, 128, 256)),
        "output size": ("out", (3, 5, 7, 10, 14)),
        "box size (cells)": ("box", (4.0, 8.0, 16.0, 32.0, 64.0)),
    }
    fig, axes = plt.subplots(1, 4, figsize=(16, 4), constrained_layout=True)
    for ax, (title, (key, values)) in zip(axes, sweeps.items(), strict=True):
        curves: dict[str, list[float]] = {
            "roikit, 1 thread": [],
            "roikit, 2 threads": [],
            "torchvision, 2 threads": [],
        }
        for v in values:
            p = {**base, key: v}
            rng = np.random.default_rng(0)
            feat = rng.standard_normal((1, p["c"], *p["hw"])).astype(np.float32)
            ft = torch.from_numpy(feat)
            make = lambda: boxes_for(rng, p["k"], *p["hw"], lo=p["box"] * 0.9, hi=p["box"] * 1.1)  # noqa: E731
            for threads, label in ((1, "roikit, 1 thread"), (2, "roikit, 2 threads")):
                roikit.threads.set_num_threads(threads)
                t = interleaved(
                    {"rk": lambda b: roikit.roi_align(feat, b, p["out"], 1.0, 2, True)}, make, repeats
                )
                curves[label].append(t["rk"])
            torch.set_num_threads(2)
            t = interleaved(
                {"tv": lambda b: torchvision.ops.roi_align(ft, torch.from_numpy(b), p["out"], 1.0, 2, True)},
                make,
                repeats,
            )
            curves["torchvision, 2 threads"].append(t["tv"])
        for label, ts in curves.items():
            ax.loglog(values, np.array(ts) * 1e3, "o-", label=label)
        # Ticks at the measured values, written plainly (log axes otherwise label every minor tick).
        ax.set_xticks(values, [f"{v:g}" for v in values])
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.yaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
        ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set_xlabel(title)
        ax.set_ylabel("forward time (ms)")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend()
    fig.suptitle(
        f"RoI Align forward, float32, sampling_ratio 2; otherwise K={base['k']}, C={base['c']}, "
        f"100x100 map, 7x7 output, 16-cell boxes"
    )
    fig.savefig(path, dpi=100)
    roikit.threads.set_num_threads(2)
    print(f"scaling plot: {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="fewer cells, forward only")
    parser.add_argument("--scaling", metavar="FILE", help="also draw the scaling plot to FILE (PNG)")
    args = parser.parse_args()
    import torch

    import roikit

    roikit.threads.set_num_threads(args.threads)
    torch.set_num_threads(args.threads)
    run_grid(args.repeats, args.quick)
    if args.scaling:
        # (its calls are short: more rounds a point cost seconds and keep single points out of noise)
        scaling(args.scaling, max(args.repeats, 25))


if __name__ == "__main__":
    main()
