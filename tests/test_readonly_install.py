"""roikit imports and runs where numba can write no cache (a read-only image, no writable home).

Run as root, the tests cannot make a directory unwritable, so each numba cache location is made
impossible instead: every ``__pycache__`` of a copy of the package is a file, HOME is /dev/null.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.subprocess

ROIKIT = Path(__file__).resolve().parents[1] / "src" / "roikit"
RUN = """
import sys
{patch}
import numpy as np, roikit
out = roikit.roi_align(np.arange(16.0, dtype=np.float32).reshape(1, 1, 4, 4),
                       np.array([[0, 0, 0, 2, 2]], np.float32), 1, sampling_ratio=1)
print(repr(roikit.engine.jit.CACHE_DIR), float(out[0, 0, 0, 0]))
"""


def run_read_only(tmp_path: Path, patch: str = "") -> list[str]:
    copy = tmp_path / "site"
    shutil.copytree(ROIKIT, copy / "roikit", ignore=shutil.ignore_patterns("__pycache__"))
    for folder in [copy / "roikit", *(p for p in (copy / "roikit").rglob("*") if p.is_dir())]:
        (folder / "__pycache__").touch()  # a file: numba cannot cache beside the source
    env = {**os.environ, "HOME": "/dev/null", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(copy)}
    env.pop("NUMBA_CACHE_DIR", None)
    proc = subprocess.run(
        [sys.executable, "-c", RUN.format(patch=patch)], env=env, capture_output=True, text=True, timeout=240
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.split()


def test_the_cache_moves_to_a_private_temporary_directory(tmp_path: Path) -> None:
    where, value = run_read_only(tmp_path, f"import tempfile; tempfile.tempdir = {str(tmp_path / 'tmp')!r}")
    assert where == repr(str(tmp_path / "tmp" / f"roikit-numba-{os.getuid()}")) and value == "5.0"
    assert any((tmp_path / "tmp").rglob("*.nbi"))  # the kernels were cached there


def test_without_any_writable_place_it_compiles_without_a_cache(tmp_path: Path) -> None:
    (tmp_path / "nowhere").touch()  # a file: no directory can be made under it
    where, value = run_read_only(
        tmp_path, f"import tempfile; tempfile.tempdir = {str(tmp_path / 'nowhere')!r}"
    )
    assert where == "''" and value == "5.0"
