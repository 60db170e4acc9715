"""The wheel works on its own: built, checked as an index reads it, installed where the source is not.

``python -m build`` makes the sdist and the wheel, ``twine check --strict`` reads their metadata,
and a fresh virtual environment (in a temporary folder, run from another one) installs the wheel
with its figures extra and runs the commands a user runs first: ``--version``, ``demo``,
``explain``, ``practice``, and ``explore``, whose page and one API answer are fetched.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import pytest

import roikit

pytestmark = pytest.mark.subprocess

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, cwd: Path, timeout: float = 600) -> str:
    proc = subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, (args, proc.stdout[-2000:], proc.stderr[-2000:])
    return proc.stdout


def test_the_wheel_installs_and_runs_outside_the_source_tree(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(dist), str(ROOT), cwd=tmp_path)
    wheels, sdists = sorted(dist.glob("*.whl")), sorted(dist.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1
    assert wheels[0].name == f"roikit-{roikit.__version__}-py3-none-any.whl"
    run(sys.executable, "-m", "twine", "check", "--strict", *map(str, (*wheels, *sdists)), cwd=tmp_path)
    names = zipfile.ZipFile(wheels[0]).namelist()
    for needed in ("roikit/py.typed", "roikit/frontends/explore/static/explore.js", "roikit/i18n/ko.po"):
        assert needed in names, needed

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", str(venv), cwd=tmp_path)
    py, exe = venv / "bin" / "python", venv / "bin" / "roikit"
    run(str(py), "-m", "pip", "install", "-q", f"{wheels[0]}[figures]", cwd=tmp_path)
    away = tmp_path / "elsewhere"
    away.mkdir()
    where = run(str(py), "-c", "import roikit; print(roikit.__file__)", cwd=away).strip()
    assert str(venv) in where and str(ROOT) not in where  # the installed copy, not the source

    assert run(str(exe), "--version", cwd=away).strip() == f"roikit {roikit.__version__}"
    assert "RoI Pool, worked out by hand" in run(str(exe), "demo", cwd=away)
    out = run(
        str(exe),
        "explain",
        "pool",
        "--map",
        "1 2; 3 4",
        "--box",
        "0,0,1,1",
        "--output-size",
        "1",
        "--format",
        "json",
        cwd=away,
    )
    assert json.loads(out)["output"] == [[4.0]]
    assert run(str(exe), "practice", "align", "--seed", "1", cwd=away).strip()
    proc = subprocess.Popen(
        [str(exe), "explore", "--no-browser", "--port", "0"],
        cwd=away,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = proc.stdout.readline().split(": ", 1)[1].strip()  # type: ignore[union-attr]
        with urllib.request.urlopen(url, timeout=30) as r:
            assert b"explore.js" in r.read()
        with urllib.request.urlopen(url + "api/start", timeout=30) as r:
            start = json.load(r)
        query = f"api/live?op=pool&map_id={start['map_id']}&box=" + ",".join(map(str, start["box"]))
        with urllib.request.urlopen(url + query + "&output_size=2&spatial_scale=0.5", timeout=30) as r:
            assert len(json.load(r)["output"]) == 2
    finally:
        proc.terminate()
        proc.wait(20)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
