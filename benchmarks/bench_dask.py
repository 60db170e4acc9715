"""RoI features for a folder of maps: a serial loop against a Dask LocalCluster, images per second.

The dataset is what a captioning or VQA pipeline precomputes: one stride-16
feature map of a 600×800 image per file (256×38×50 float32, 1.9 MB) and 36
boxes per image, pooled to 7×7 (aligned, 2×2 samples). The serial loop is
``extract_roi_features`` without a client (roikit's own threads, all
cores); the cluster is 2 worker processes × 1 thread on this machine (each
task then gets one roikit thread: the cores shared out). Both write the
same files (checked); runs interleave, with a fresh output folder each,
and the medians are compared.

    python benchmarks/bench_dask.py [--images 96] [--repeats 3] [--workers 2]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
from pathlib import Path

import numpy as np


def dataset(root: Path, images: int) -> tuple[Path, Path]:
    rng = np.random.default_rng(0)
    maps, boxes = root / "maps", root / "boxes"
    maps.mkdir()
    boxes.mkdir()
    for i in range(images):
        np.save(maps / f"img{i:04d}.npy", rng.standard_normal((256, 38, 50)).astype(np.float32))
        xy, wh = rng.uniform(0, 700, (36, 2)), rng.uniform(16, 400, (36, 2))
        np.save(boxes / f"img{i:04d}.npy", np.concatenate([xy, xy + wh], 1).astype(np.float32))
    return maps, boxes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=int, default=96)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()

    from distributed import Client, LocalCluster

    from roikit.dask import extract_roi_features

    settings = {
        "output_size": 7,
        "spatial_scale": 1 / 16,
        "sampling_ratio": 2,
        "aligned": True,
        "progress": False,
    }
    root = Path(tempfile.mkdtemp(prefix="roikit-bench-dask-"))
    try:
        maps, boxes = dataset(root, args.images)
        extract_roi_features(maps, boxes, root / "warm", **settings)  # compile the kernels once
        cluster = LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=40,
        )
        with cluster, Client(cluster) as client:
            extract_roi_features(maps, boxes, root / "warm-dask", client=client, **settings)
            serial, dask = [], []
            for r in range(args.repeats):
                a = extract_roi_features(maps, boxes, root / f"s{r}", **settings)
                b = extract_roi_features(maps, boxes, root / f"d{r}", client=client, **settings)
                serial.append(a.images_per_second)
                dask.append(b.images_per_second)
                for name in a.written:  # the same bytes from both
                    assert np.array_equal(
                        np.load(root / f"s{r}" / f"{name}.npy"), np.load(root / f"d{r}" / f"{name}.npy")
                    )
                shutil.rmtree(root / f"s{r}")
                shutil.rmtree(root / f"d{r}")
        s, d = statistics.median(serial), statistics.median(dask)
        mb = args.images * 256 * 38 * 50 * 4 / 1e6
        print(f"RoI features, {args.images} images ({mb:.0f} MB of maps), 36 boxes each, 256 channels, 7x7:")
        print(f"  serial loop (roikit threads)       {s:7.1f} images/s")
        cluster_name = f"Dask LocalCluster {args.workers} proc x 1 thread"
        print(f"  {cluster_name} {d:7.1f} images/s  ({d / s:.2f}x the serial loop)")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
