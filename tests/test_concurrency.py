"""roikit from many threads, in forked / spawned workers and DataLoaders, on every numba layer.

Each scenario runs in a fresh Python process under a timeout, so a hang (the
OpenMP-after-fork deadlock) or an abort (numba's workqueue layer entered from
two threads) fails the test instead of stalling CI. Every scenario compares
its results with a serial run in the same process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import needs
import pytest

pytestmark = pytest.mark.subprocess

TIMEOUT = 150

# The work every scenario does: all kernel families, forward and backward.
WORK = """
import numpy as np
import roikit

def work(seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, 40, 24, 24)).astype(np.float32)
    b = np.column_stack([rng.integers(0, 2, 30), rng.uniform(-4, 28, (30, 4))]).astype(np.float32)
    g = rng.standard_normal((30, 40, 3, 3)).astype(np.float32)
    out = [
        roikit.roi_align(x, b, 3, 0.9, 2, True),
        roikit.roi_align(x, b, 3, 0.9, 2, False, mode="max"),
        roikit.roi_pool(x, b, 3, 0.9),
        roikit.roi_align_backward(g, x, b, 3, 0.9, 2, True),
        roikit.roi_align_backward(g, x, b, 3, 0.9, 2, False, mode="max"),
        roikit.roi_pool_backward(g, x, b, 3, 0.9),
    ]
    return np.concatenate([o.ravel() for o in out])
"""


def run_script(body: str, env: dict[str, str] | None = None) -> str:
    """Run WORK + ``body`` in a new interpreter; fail on a hang, a crash or a non-zero exit."""
    full_env = {**os.environ, **(env or {})}
    with tempfile.TemporaryDirectory() as tmp:
        # A file, not -c: spawned workers import the main module to find ``work``.
        script = Path(tmp) / "scenario.py"
        script.write_text(WORK + textwrap.dedent(body))
        try:
            proc = subprocess.run(
                [sys.executable, str(script)],
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                env=full_env,
                cwd=tmp,
            )
        except subprocess.TimeoutExpired as exc:
            pytest.fail(f"the scenario hung for {TIMEOUT} s\nstdout: {exc.stdout}\nstderr: {exc.stderr}")
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    assert "OK" in proc.stdout, proc.stdout + proc.stderr
    return proc.stdout


THREADS = """
from concurrent.futures import ThreadPoolExecutor
serial = [work(s) for s in range(16)]
with ThreadPoolExecutor(8) as ex:
    par = list(ex.map(work, range(16)))
assert all(np.array_equal(a, b) for a, b in zip(serial, par))
print("OK")
"""


def test_eight_threads_at_once_give_the_serial_results() -> None:
    run_script(THREADS)


@pytest.mark.parametrize("layer", ["workqueue", "omp", "tbb"])
def test_threads_on_every_numba_threading_layer(layer: str) -> None:
    # roikit never enters numba's threading layer, so the layer numba would pick is irrelevant.
    run_script(
        THREADS + f"\nimport numba\nassert numba.config.THREADING_LAYER == {layer!r}\n",
        env={"NUMBA_THREADING_LAYER": layer},
    )


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_worker_processes_after_use_in_the_parent(method: str) -> None:
    run_script(
        f"""
    import multiprocessing as mp
    if __name__ == "__main__":
        expected = [work(s) for s in range(6)]  # use every kernel in the parent first
        with mp.get_context({method!r}).Pool(3) as pool:
            got = pool.map(work, range(6))
        assert all(np.array_equal(a, b) for a, b in zip(expected, got))
        print("OK")
    """.replace("\n    ", "\n")
    )


@pytest.mark.parity
def test_torch_dataloader_with_fork_workers() -> None:
    needs.modules("parity", "torch")
    run_script(
        """
    import torch
    from torch.utils.data import DataLoader, Dataset

    class Crops(Dataset):
        def __len__(self):
            return 8
        def __getitem__(self, i):
            return torch.from_numpy(work(i))

    if __name__ == "__main__":
        expected = [work(i) for i in range(8)]
        loader = DataLoader(Crops(), batch_size=None, num_workers=2,
                            multiprocessing_context="fork", timeout=120)
        got = [t.numpy() for t in loader]
        assert all(np.array_equal(a, b) for a, b in zip(expected, got))
        print("OK")
    """.replace("\n    ", "\n")
    )


def test_threads_inside_forked_workers() -> None:
    # A forked child whose parent had a running pool starts its own and uses it.
    run_script(
        """
    import multiprocessing as mp
    from concurrent.futures import ThreadPoolExecutor

    def threaded(seed):
        with ThreadPoolExecutor(4) as ex:
            return list(ex.map(work, range(seed, seed + 4)))

    if __name__ == "__main__":
        expected = [[work(s) for s in range(i, i + 4)] for i in range(3)]
        threaded(0)
        with mp.get_context("fork").Pool(3) as pool:
            got = pool.map(threaded, range(3))
        for e, g in zip(expected, got):
            assert all(np.array_equal(a, b) for a, b in zip(e, g))
        print("OK")
    """.replace("\n    ", "\n")
    )


def test_thread_count_does_not_change_results() -> None:
    run_script(
        """
    from roikit import threads
    from roikit.engine import execute
    for form in (None, "direct", "separable"):  # avg's two forms, forward and backward
        execute.FORCE_FORM = form
        threads.set_num_threads(1)
        one = work(3)
        threads.set_num_threads(5)
        five = work(3)
        assert np.array_equal(one, five), form
    print("OK")
    """.replace("\n    ", "\n")
    )


def test_changing_the_thread_count_never_fails_a_running_call() -> None:
    # One thread flips the count as fast as it can while eight threads compute: every call must
    # succeed with the serial numbers (before, 27 % failed with "cannot schedule new futures").
    run_script(
        """
    import threading
    from concurrent.futures import ThreadPoolExecutor
    from roikit import threads
    serial = {s: work(s) for s in range(8)}
    stop = threading.Event()
    def flip():
        while not stop.is_set():
            threads.set_num_threads(2)
            threads.set_num_threads(3)
    flipper = threading.Thread(target=flip)
    flipper.start()
    try:
        with ThreadPoolExecutor(8) as ex:
            got = list(ex.map(work, [s % 8 for s in range(48)]))
    finally:
        stop.set()
        flipper.join()
    assert all(np.array_equal(g, serial[s % 8]) for s, g in enumerate(got))
    assert threading.active_count() < 40, threading.active_count()
    print("OK")
    """.replace("\n    ", "\n")
    )


def test_an_invalid_thread_count_in_the_environment_is_refused_by_name() -> None:
    for value in ("0", "-2", "abc", "2.5", ""):
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                "import numpy as np, roikit; roikit.roi_pool(np.zeros((1,1,2,2)), [[0,0,0,1,1]], 1)",
            ],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            env={**os.environ, "ROIKIT_NUM_THREADS": value},
        )
        assert proc.returncode == 1, (value, proc.stderr)
        assert f"ROIKIT_NUM_THREADS is {value!r}; it must be a positive integer" in proc.stderr, proc.stderr


def test_limit_threads_holds_for_its_own_thread_only() -> None:
    import threading

    import numpy as np

    import roikit
    from roikit.engine import threads

    rng = np.random.default_rng(5)
    feat = rng.standard_normal((2, 8, 40, 40))
    boxes = np.column_stack(
        [rng.integers(0, 2, 64), rng.uniform(0, 20, (64, 2)), rng.uniform(20, 39, (64, 2))]
    )
    want = roikit.roi_align(feat, boxes, 7, 1.0, 2, True, "avg")
    seen: dict[str, object] = {}

    def limited() -> None:
        with threads.limit_threads(1):
            seen["inside"] = threads.get_num_threads()
            seen["out"] = roikit.roi_align(feat, boxes, 7, 1.0, 2, True, "avg")
        seen["after"] = threads.get_num_threads()

    t = threading.Thread(target=limited)
    t.start()
    t.join(60)
    assert seen["inside"] == 1 and np.array_equal(seen["out"], want)  # type: ignore[arg-type]
    assert seen["after"] == threads.get_num_threads()  # the limit ends with its block
    with pytest.raises(roikit.RoIError, match="limit_threads needs a positive integer; got 0"):
        with threads.limit_threads(0):
            pass
