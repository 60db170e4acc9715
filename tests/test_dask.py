"""roikit.dask: RoI features for a folder of maps, serial and on a 2-process Dask LocalCluster."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import roikit
from roikit.dask import PARTIAL, extract_roi_features

SETTINGS = {
    "output_size": 7,
    "spatial_scale": 1 / 16,
    "sampling_ratio": 2,
    "aligned": True,
    "progress": False,
}


def make_dataset(root: Path, images: int, channels: int = 64, seed: int = 0) -> tuple[Path, Path]:
    """A folder of (C, H, W) float32 maps of a 600×800 image at stride 16, with 20–40 boxes each."""
    rng = np.random.default_rng(seed)
    maps, boxes = root / "maps", root / "boxes"
    maps.mkdir(parents=True)
    boxes.mkdir()
    for i in range(images):
        np.save(maps / f"img{i:03d}.npy", rng.standard_normal((channels, 38, 50)).astype(np.float32))
        k = int(rng.integers(20, 41))
        xy, wh = rng.uniform(0, 700, (k, 2)), rng.uniform(8, 400, (k, 2))
        np.save(boxes / f"img{i:03d}.npy", np.concatenate([xy, xy + wh], 1).astype(np.float32))
    return maps, boxes


def outputs(folder: Path) -> dict[str, np.ndarray]:
    return {p.stem: np.load(p) for p in sorted(folder.glob("*.npy"))}


def test_serial_run_is_the_op_on_each_image(tmp_path: Path) -> None:
    maps, boxes = make_dataset(tmp_path, 3)
    run = extract_roi_features(maps, boxes, tmp_path / "out", **SETTINGS)
    assert run.written == ["img000", "img001", "img002"] and run.skipped == []
    for name, got in outputs(tmp_path / "out").items():
        b = np.load(boxes / f"{name}.npy")
        rois = np.concatenate([np.zeros((len(b), 1), np.float32), b], 1)
        want = roikit.roi_align(np.load(maps / f"{name}.npy")[None], rois, 7, 1 / 16, 2, True)
        assert got.dtype == np.float32 and np.array_equal(got, want), name
    assert run.boxes == sum(len(np.load(p)) for p in boxes.glob("*.npy"))


def test_roi_pool_and_boxes_as_a_mapping(tmp_path: Path) -> None:
    maps, boxes = make_dataset(tmp_path, 2)
    given = {p.stem: np.load(p) for p in boxes.glob("*.npy")}
    extract_roi_features(
        maps, given, tmp_path / "out", op="pool", output_size=3, spatial_scale=1 / 16, progress=False
    )
    for name, got in outputs(tmp_path / "out").items():
        rois = np.concatenate([np.zeros((len(given[name]), 1), np.float32), given[name]], 1)
        assert np.array_equal(got, roikit.roi_pool(np.load(maps / f"{name}.npy")[None], rois, 3, 1 / 16))


def test_a_second_run_skips_what_is_there_and_completes_the_rest(tmp_path: Path) -> None:
    maps, boxes = make_dataset(tmp_path, 4)
    out = tmp_path / "out"
    extract_roi_features(maps, boxes, out, **SETTINGS)
    stamp = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    (out / "img002.npy").unlink()  # as if the first run had stopped before it
    (out / f".img003.dead{PARTIAL}").write_bytes(b"\x93NUMPY half")  # a killed writer's leftover
    run = extract_roi_features(maps, boxes, out, **SETTINGS)
    assert run.written == ["img002"] and run.skipped == ["img000", "img001", "img003"]
    assert sorted(p.name for p in out.iterdir()) == [f"img00{i}.npy" for i in range(4)]
    assert all(out.joinpath(n).stat().st_mtime_ns == t for n, t in stamp.items() if n != "img002.npy")


def test_a_failed_write_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    maps, boxes = make_dataset(tmp_path, 1)
    real_save = np.save

    def save_half(f, array):  # type: ignore[no-untyped-def]
        real_save(f, array)
        f.truncate(100)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "save", save_half)
    with pytest.raises(OSError, match="No space left"):
        extract_roi_features(maps, boxes, tmp_path / "out", **SETTINGS)
    assert list((tmp_path / "out").iterdir()) == []


def test_clear_errors(tmp_path: Path) -> None:
    maps, boxes = make_dataset(tmp_path, 2)
    (boxes / "img001.npy").unlink()
    with pytest.raises(roikit.InputError, match=r"boxes: .*img001\.npy is missing"):
        extract_roi_features(maps, boxes, tmp_path / "out", **SETTINGS)
    np.save(boxes / "img001.npy", np.zeros((3, 5)))
    with pytest.raises(
        roikit.InputError, match=r"boxes for 'img001' have shape \(3, 5\); they must be \(L, 4\)"
    ):
        extract_roi_features(maps, boxes, tmp_path / "out", **SETTINGS)
    with pytest.raises(roikit.InputError, match="is not a folder"):
        extract_roi_features(tmp_path / "nowhere", boxes, tmp_path / "out", **SETTINGS)
    with pytest.raises(roikit.ParameterError, match="op must be 'align' or 'pool'; got 'max'"):
        extract_roi_features(maps, boxes, tmp_path / "out", op="max", progress=False)


@pytest.fixture(scope="module")
def client():  # type: ignore[no-untyped-def]
    import needs

    (distributed,) = needs.modules("parity", "distributed")  # make test installs the dask extra
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
    )
    c = distributed.Client(cluster, timeout=60)
    yield c
    c.close(timeout=30)
    cluster.close(timeout=30)


@pytest.mark.subprocess
def test_on_a_local_cluster_the_result_is_the_serial_one(tmp_path: Path, client) -> None:  # type: ignore[no-untyped-def]
    from roikit.dask import _host_threads, _threads_here

    maps, boxes = make_dataset(tmp_path, 12)
    serial = extract_roi_features(maps, boxes, tmp_path / "serial", **SETTINGS)
    run = extract_roi_features(maps, boxes, tmp_path / "dask", client=client, **SETTINGS)
    assert run.written == serial.written and run.boxes == serial.boxes
    a, b = outputs(tmp_path / "serial"), outputs(tmp_path / "dask")
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
    # roikit's threads shared out: 2 Dask threads on this machine, so each task gets cores // 2.
    shares = _host_threads(client)
    assert sum(shares.values()) == 2
    per_task = client.run(_threads_here, shares)
    assert set(per_task.values()) == {max(1, roikit.threads.get_num_threads() // 2)}


@pytest.mark.subprocess
def test_a_killed_worker_loses_nothing_and_leaves_no_partial_file(tmp_path: Path, client) -> None:  # type: ignore[no-untyped-def]
    maps, boxes = make_dataset(tmp_path, 40, channels=256)
    serial = extract_roi_features(maps, boxes, tmp_path / "serial", **SETTINGS)
    pids = client.run(os.getpid)
    victim = sorted(pids.values())[0]
    killed: list[float] = []

    def kill() -> None:  # once the first outputs are there, while the others are being computed
        while not any((tmp_path / "dask").glob("img*.npy")):
            time.sleep(0.005)
        os.kill(victim, signal.SIGKILL)
        killed.append(time.perf_counter())

    killer = threading.Thread(target=kill, daemon=True)
    killer.start()
    run = extract_roi_features(maps, boxes, tmp_path / "dask", client=client, **SETTINGS)
    end = time.perf_counter()
    killer.join(timeout=30)
    assert killed and killed[0] < end, "the worker was killed after the run"
    print(f"killed {end - killed[0]:.2f} s before the end; {len(run.written)} written")
    assert sorted(run.written + run.skipped) == serial.written
    a, b = outputs(tmp_path / "serial"), outputs(tmp_path / "dask")
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
    assert list((tmp_path / "dask").glob(f".*{PARTIAL}")) == []
    client.wait_for_workers(2, timeout=60)  # the nanny started a new one
