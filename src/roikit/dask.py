"""RoI features for a whole folder of feature maps, on a Dask cluster or in this process.

:func:`extract_roi_features` reads one ``.npy`` feature map per image, pools
that image's boxes with :func:`roikit.roi_align` (or :func:`roikit.roi_pool`)
and writes one ``.npy`` of features per image, as captioning and VQA
pipelines precompute them. With a ``distributed.Client`` each image is one
task on the cluster; without one the same function runs image by image here,
which is the reference the distributed run must equal bit for bit.

A run can be stopped and started again: an image whose output exists is
skipped, and an output appears only whole (written beside its final name
and renamed onto it, which is atomic), so a killed worker leaves no partial
file under a final name; the leftovers of a killed writer (``.*.partial.npy``)
are removed at the start and the end of a run. Dask runs a lost task again
on another worker. Workers read the maps by path, so on a multi-machine
cluster the folders must be on a file system every worker sees; the code is
the same, with ``Client("tcp://scheduler:8786")``.

Threads follow roikit's rule, shared out: each task uses roikit's thread
count on its machine (``ROIKIT_NUM_THREADS`` or the CPU count, see
:mod:`roikit.threads`) divided by the number of Dask threads on that machine,
at least one, so that the machine's cores are used once, not oversubscribed.

Needs ``pip install 'roikit[dask]'`` for a cluster (the serial run needs only
numpy).

Examples
--------
>>> import tempfile, pathlib, numpy as np
>>> from roikit.dask import extract_roi_features
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> for sub in ("maps", "boxes"):
...     (d / sub).mkdir()
>>> np.save(d / "maps" / "img0.npy", np.arange(32.0).reshape(2, 4, 4))
>>> np.save(d / "boxes" / "img0.npy", np.array([[0.0, 0.0, 3.0, 3.0]]))
>>> run = extract_roi_features(d / "maps", d / "boxes", d / "out", output_size=2, progress=False)
>>> run.written, np.load(d / "out" / "img0.npy").shape
(['img0'], (1, 2, 2, 2))
>>> extract_roi_features(d / "maps", d / "boxes", d / "out", output_size=2, progress=False).skipped
['img0']
"""

from __future__ import annotations

import os
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .engine import threads
from .errors import InputError, ParameterError
from .ops.roi_align import roi_align
from .ops.roi_pool import roi_pool

__all__ = ["Extraction", "extract_roi_features"]

#: What a writer leaves while an output is not yet whole; removed by the next run.
PARTIAL = ".partial.npy"


@dataclass
class Extraction:
    """What a run did: the images written and skipped (already there), and how long it took."""

    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    boxes: int = 0
    seconds: float = 0.0

    @property
    def images_per_second(self) -> float:
        """Images written per second of wall time."""
        return len(self.written) / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class _Settings:
    op: str
    output_size: int | tuple[int, int]
    spatial_scale: float
    sampling_ratio: int
    aligned: bool
    mode: str


def _features(fmap: np.ndarray, boxes: np.ndarray, s: _Settings) -> np.ndarray:
    rois = np.concatenate(
        [np.zeros((len(boxes), 1), fmap.dtype), boxes.astype(fmap.dtype, copy=False)], axis=1
    )
    if s.op == "pool":
        return roi_pool(fmap[None], rois, s.output_size, s.spatial_scale)
    return roi_align(
        fmap[None], rois, s.output_size, s.spatial_scale, s.sampling_ratio, s.aligned, mode=s.mode
    )


def _write_whole(path: Path, array: np.ndarray) -> None:
    """Write ``array`` to ``path`` so that ``path`` never holds part of it."""
    tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex}{PARTIAL}")
    try:
        with open(tmp, "wb") as f:
            np.save(f, array)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _threads_here(host_threads: Mapping[str, int] | None, dask_worker: Any = None) -> int:
    """The threads one task gives roikit: its machine's count over the Dask threads sharing it.

    ``dask_worker`` is the worker when ``Client.run`` calls this (outside a task).
    """
    sharing = 1
    if host_threads:
        from distributed import get_worker

        host = (dask_worker or get_worker()).address.rsplit(":", 1)[0]
        sharing = max(1, host_threads.get(host, 1))
    return max(1, threads.get_num_threads() // sharing)


def extract_one(
    name: str, map_path: str, boxes: np.ndarray, out_path: str, settings: _Settings,
    host_threads: Mapping[str, int] | None = None,
) -> tuple[str, int, bool]:  # fmt: skip
    """One image's task: ``(name, boxes, written)``; ``written`` is False when its output existed."""
    out = Path(out_path)
    if out.exists():
        return name, len(boxes), False
    fmap = np.load(map_path, mmap_mode="r")
    if fmap.ndim != 3:
        raise InputError(f"{map_path} holds an array of shape {fmap.shape}; a feature map is (C, H, W)")
    with threads.limit_threads(_threads_here(host_threads)):
        features = _features(np.asarray(fmap), np.asarray(boxes), settings)
    _write_whole(out, features)
    return name, len(boxes), True


def _boxes_of(boxes: Path | str | Mapping[str, Any], names: Iterable[str]) -> dict[str, np.ndarray]:
    found = {}
    for name in names:
        if isinstance(boxes, Mapping):
            if name not in boxes:
                raise InputError(f"boxes has no entry for the map {name!r}")
            b = np.asarray(boxes[name])
        else:
            path = Path(boxes) / f"{name}.npy"
            if not path.is_file():
                raise InputError(f"boxes: {path} is missing (one (L, 4) .npy per map, with the map's name)")
            b = np.load(path)
        if b.ndim != 2 or b.shape[1] != 4:
            raise InputError(
                f"boxes for {name!r} have shape {b.shape}; they must be (L, 4) rows (x1, y1, x2, y2)"
            )
        found[name] = b
    return found


def _clean(out: Path) -> None:
    for leftover in out.glob(f".*{PARTIAL}"):
        leftover.unlink(missing_ok=True)


def _host_threads(client: Any) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for address, info in client.scheduler_info()["workers"].items():
        counts[address.rsplit(":", 1)[0]] += int(info.get("nthreads", 1))
    return dict(counts)


def _progress(total: int, show: bool) -> Any:
    from contextlib import nullcontext

    if not show:
        return nullcontext(None)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    return Progress(
        "RoI features", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=Console(stderr=True)
    )


def extract_roi_features(
    maps: Path | str,
    boxes: Path | str | Mapping[str, Any],
    out: Path | str,
    *,
    op: str = "align",
    output_size: int | tuple[int, int] = 7,
    spatial_scale: float = 1.0,
    sampling_ratio: int = -1,
    aligned: bool = False,
    mode: str = "avg",
    client: Any = None,
    progress: bool = True,
) -> Extraction:
    """Pool every image's boxes from its feature map and write one ``.npy`` of features per image.

    Parameters
    ----------
    maps : path
        A folder of ``NAME.npy`` feature maps, each ``(C, H, W)`` float16/32/64.
    boxes : path or mapping
        A folder of ``NAME.npy`` arrays ``(L, 4)`` of ``(x1, y1, x2, y2)`` in image pixels, or a
        mapping from ``NAME`` to such an array.
    out : path
        The folder for ``NAME.npy`` outputs ``(L, C, PH, PW)`` (created if missing). An output
        that exists is not computed again.
    op : {"align", "pool"}
        :func:`roikit.roi_align` or :func:`roikit.roi_pool`.
    output_size, spatial_scale, sampling_ratio, aligned, mode
        As in :func:`roikit.roi_align` (``roi_pool`` uses the first two).
    client : distributed.Client, optional
        Run one task per image on this client's cluster; without one, run here, image by image.
    progress : bool
        Show a progress bar on stderr.

    Returns
    -------
    Extraction
        The images written and skipped, the number of boxes, the wall time.
    """
    if op not in ("align", "pool"):
        raise ParameterError(f"op must be 'align' or 'pool'; got {op!r:.60}")
    maps, out = Path(maps), Path(out)
    if not maps.is_dir():
        raise InputError(f"maps: {maps} is not a folder of .npy feature maps")
    names = sorted(p.stem for p in maps.glob("*.npy") if not p.name.startswith("."))
    found = _boxes_of(boxes, names)
    out.mkdir(parents=True, exist_ok=True)
    _clean(out)
    settings = _Settings(op, output_size, float(spatial_scale), int(sampling_ratio), bool(aligned), mode)
    jobs = [(n, str(maps / f"{n}.npy"), found[n], str(out / f"{n}.npy")) for n in names]
    run, start = Extraction(), time.perf_counter()
    with _progress(len(jobs), progress) as bar:
        task = bar.add_task("features", total=len(jobs)) if bar is not None else None
        for name, count, written in _results(jobs, settings, client):
            (run.written if written else run.skipped).append(name)
            run.boxes += count
            if bar is not None:
                bar.advance(task)
    run.seconds = time.perf_counter() - start
    _clean(out)
    run.written.sort()
    run.skipped.sort()
    return run


def _results(jobs: list[tuple[str, str, np.ndarray, str]], settings: _Settings, client: Any) -> Iterator[Any]:
    if client is None:
        for job in jobs:
            yield extract_one(*job, settings)
        return
    from distributed import as_completed

    shares = _host_threads(client)
    futures = [
        client.submit(
            extract_one, *job, settings, shares, key=f"roikit-{job[0]}-{uuid.uuid4().hex[:8]}", retries=1
        )
        for job in jobs
    ]
    for future in as_completed(futures):
        yield future.result()
