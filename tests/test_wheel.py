"""The wheel works on its own: built, checked as an index reads it, installed where the source is not.

``python -m build`` makes the sdist and the wheel, ``twine check --strict`` reads their metadata,
and a fresh virtual environment (in a temporary folder, run from another one) installs the wheel
with its figures extra and runs the commands a user runs first: ``--version``, ``demo``,
``explain``, ``practice``, and ``explore``, whose page and one API answer are fetched; a second
fresh environment installs the wheel with the torch, jax and dask extras and runs an op through
each adapter (and a scripted module) from there.
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


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from the source tree and checked as a package index reads it."""
    tmp_path = tmp_path_factory.mktemp("dist")
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(dist), str(ROOT), cwd=tmp_path)
    wheels, sdists = sorted(dist.glob("*.whl")), sorted(dist.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1
    assert wheels[0].name == f"roikit-{roikit.__version__}-py3-none-any.whl"
    run(sys.executable, "-m", "twine", "check", "--strict", *map(str, (*wheels, *sdists)), cwd=tmp_path)
    return wheels[0]


def test_the_wheel_carries_its_files_and_metadata(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    names = archive.namelist()
    for needed in ("roikit/py.typed", "roikit/frontends/explore/static/explore.js", "roikit/i18n/ko.po",
                   "roikit/dask.py", f"roikit-{roikit.__version__}.dist-info/licenses/LICENSE"):  # fmt: skip
        assert needed in names, needed
    meta = archive.read(f"roikit-{roikit.__version__}.dist-info/METADATA").decode()
    for line in ("License-Expression: MIT", "License-File: LICENSE", "Requires-Python: >=3.10",
                 "Classifier: Natural Language :: Korean", "Classifier: Typing :: Typed"):  # fmt: skip
        assert line in meta, line
    extras = {line.split(": ", 1)[1] for line in meta.splitlines() if line.startswith("Provides-Extra: ")}
    assert {"figures", "torch", "jax", "notebook", "dask", "docs"} <= extras, extras


def test_the_wheel_installs_and_runs_outside_the_source_tree(wheel: Path, tmp_path: Path) -> None:
    wheels = [wheel]

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


# What each adapter must do once installed from the wheel with its extra, away from the source.
_ADAPTERS = """
import numpy as np, torch, torchvision, jax.numpy as jnp
import roikit, roikit.torch, roikit.jax, roikit.dask
assert roikit.__file__.startswith(sys.argv[1]), roikit.__file__
x = torch.arange(64.0).reshape(1, 1, 8, 8)
b = torch.tensor([[0, 0.5, 1.0, 6.2, 7.5]])
ours = roikit.torch.roi_align(x, b, 2, 1.0, 2, True)
assert torch.equal(ours, torchvision.ops.roi_align(x, b, 2, 1.0, 2, True)), ours
jb = jnp.asarray(b.numpy())
j = jax.jit(lambda m: roikit.jax.roi_align(m, jb, 2, 1.0, 2, True))(jnp.asarray(x.numpy()))
assert np.allclose(np.asarray(j), ours.numpy(), atol=1e-5)
scripted = torch.jit.script(roikit.torch.RoIAlign(2, 1.0, 2, True))
assert torch.equal(scripted(x, b), ours)
print("adapters ok")
"""


def test_the_wheel_with_the_torch_jax_and_dask_extras(wheel: Path, tmp_path: Path) -> None:
    # torch==2.14.1 / torchvision==0.29.1 come from the machine's disk (pinned by the extra).
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", str(venv), cwd=tmp_path)
    py = venv / "bin" / "python"
    run(str(py), "-m", "pip", "install", "-q", f"{wheel}[torch,jax,dask]", cwd=tmp_path, timeout=1200)
    away = tmp_path / "elsewhere"
    away.mkdir()
    script = away / "adapters.py"
    script.write_text("import sys, jax\n" + _ADAPTERS, encoding="utf-8")
    assert run(str(py), str(script), str(venv), cwd=away).strip().endswith("adapters ok")
