"""What the command line writes and prints: never a clobbered file, never a traceback.

Each case is one the third reliability round found: ``-o`` replaced devices and
symbolic links with regular files, dropped an existing file's mode and hard
links, wrote every file 0600; long and non-UTF-8 names, a full stdout, an
ASCII terminal, a deep ``--answer`` and a port out of range gave tracebacks.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from roikit.frontends.cli import app

runner = CliRunner()
ARGS = ["explain", "pool", "--map", "1 2; 3 4", "--box", "0,0,1,1", "--output-size", "1"]


def one_line_error(result, contains: str) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("roikit: error: "), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert contains in result.stderr, result.stderr


def _roikit(*args: str, **kwargs) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def]
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE} | kwargs
    return subprocess.run([sys.executable, "-m", "roikit", *args], timeout=120, **streams)


@pytest.fixture
def umask_022():  # type: ignore[no-untyped-def]
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_new_file_gets_the_mode_the_umask_allows(tmp_path: Path, umask_022) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(app, [*ARGS, "--format", "md", "-o", str(tmp_path / "w.md")])
    assert result.exit_code == 0, result.output
    for f in tmp_path.iterdir():  # the document and its figure
        assert stat.S_IMODE(f.stat().st_mode) == 0o644, f
    os.umask(0o077)
    result = runner.invoke(app, [*ARGS, "-o", str(tmp_path / "private.txt")])
    assert stat.S_IMODE((tmp_path / "private.txt").stat().st_mode) == 0o600


def test_an_existing_file_keeps_its_mode_and_its_hard_links(tmp_path: Path) -> None:
    target = tmp_path / "w.txt"
    target.write_text("old")
    target.chmod(0o640)
    link = tmp_path / "link.txt"
    os.link(target, link)
    result = runner.invoke(app, [*ARGS, "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert link.read_text(encoding="utf-8") == target.read_text(encoding="utf-8") != "old"
    assert os.path.samefile(link, target)
    other = tmp_path / "alone.txt"
    other.write_text("old")
    other.chmod(0o604)
    runner.invoke(app, [*ARGS, "-o", str(other)])
    assert stat.S_IMODE(other.stat().st_mode) == 0o604 and other.read_text(encoding="utf-8") != "old"


def test_a_symbolic_link_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    target = tmp_path / "target.md"
    target.write_text("old")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    result = runner.invoke(app, [*ARGS, "-o", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert "RoI Pool" in target.read_text(encoding="utf-8")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".roikit-")]


def test_a_fifo_is_written_through_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    result = runner.invoke(app, [*ARGS, "-o", str(fifo)])
    reader.join(timeout=60)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert b"RoI Pool" in got[0]


@pytest.mark.skipif(os.geteuid() != 0, reason="making device nodes needs root (CI runs as root)")
def test_devices_are_written_through_never_replaced(tmp_path: Path) -> None:
    # Copies of /dev/null and /dev/full in a scratch folder: the real ones are never touched.
    null, full = tmp_path / "null", tmp_path / "full"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    assert runner.invoke(app, [*ARGS, "-o", str(null)]).exit_code == 0
    assert stat.S_ISCHR(os.stat(null).st_mode)
    result = runner.invoke(app, [*ARGS, "--format", "md", "-o", str(full)])
    one_line_error(result, "No space left on device")
    assert stat.S_ISCHR(os.stat(full).st_mode)
    # all or nothing: the figure beside the document was not left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full", "null"]


def test_nothing_is_written_when_one_file_cannot_be(tmp_path: Path) -> None:
    (tmp_path / "w-1-roi_pool.png").mkdir()  # where the figure would go
    result = runner.invoke(app, [*ARGS, "--format", "md", "-o", str(tmp_path / "w.md")])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
    assert not (tmp_path / "w.md").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w-1-roi_pool.png"]


def test_a_file_name_too_long_is_one_line(tmp_path: Path) -> None:
    for option in ("-o", "--figure"):
        name = "a" * 300 + (".md" if option == "-o" else ".png")
        one_line_error(runner.invoke(app, [*ARGS, option, str(tmp_path / name)]), "File name too long")
    one_line_error(runner.invoke(app, [*ARGS, "-o", str(tmp_path / ("d" * 300) / "w.md")]), "--output")


def test_a_name_that_is_not_utf8_is_written_with_plain_figure_names(tmp_path: Path) -> None:
    name = os.fsdecode(b"\xff\xfe.md")
    result = _roikit(*ARGS, "--format", "md", "-o", name, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(os.fsencode(tmp_path))) == [b"walkthrough-1-roi_pool.png", b"\xff\xfe.md"]
    result = runner.invoke(app, [*ARGS, "--format", "md", "-o", str(tmp_path / "my walk (1).md")])
    assert result.exit_code == 0
    # A link CommonMark reads: no spaces or parentheses in the figure's name.
    assert "![my_walk_1-1-roi_pool.png](my_walk_1-1-roi_pool.png)" in (tmp_path / "my walk (1).md").read_text(
        encoding="utf-8"
    )
    result = runner.invoke(app, [*ARGS, "--format", "latex", "-o", str(tmp_path / "walk#1~.tex")])
    assert "\\includegraphics[width=0.6\\linewidth]{walk_1-1-roi_pool.pdf}" in (
        tmp_path / "walk#1~.tex"
    ).read_text(encoding="utf-8")


def test_a_full_stdout_and_a_closed_pipe(tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:  # only written to: nothing can replace it
        result = _roikit("demo", stdout=full)
    assert result.returncode == 2
    assert (
        result.stderr.decode()
        == "roikit: error: cannot write to the standard output (No space left on device)\n"
    )
    proc = subprocess.run(
        f"{sys.executable} -m roikit demo | head -1", shell=True, capture_output=True, timeout=120
    )
    assert proc.returncode == 0 and proc.stderr == b"", proc.stderr
    assert proc.stdout.decode().count("\n") == 1


def test_a_terminal_that_cannot_show_the_text_gets_one_line_and_nothing_else() -> None:
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    for lang in ("ko", "en"):  # English uses ×, − and … too
        result = _roikit("demo", "--lang", lang, env=env)
        assert result.returncode == 2 and result.stdout == b""
        assert result.stderr.decode("ascii").startswith(
            "roikit: error: the terminal's encoding (ascii) cannot show this text; set PYTHONIOENCODING=utf-8"
        )
        assert result.stderr.count(b"\n") == 1


def test_a_deep_or_huge_answer_is_one_line() -> None:
    for deep in ("[" * 100_000, '{"output": ' + "[" * 5000 + "]" * 5000 + "}"):
        result = runner.invoke(app, ["check", "align", "--level", "1", "--seed", "0", "--answer", deep])
        one_line_error(result, "--answer must be a JSON object")
    result = runner.invoke(app, ["check", "pool", "--seed", "0", "--answer", "[" * 100_000])
    one_line_error(result, "--answer must be a JSON object")
    result = runner.invoke(app, ["check", "pool", "--seed", "0", "--answer", " " * (2 << 20) + "{}"])
    one_line_error(result, "--answer is larger than an answer can be")


@pytest.mark.parametrize("port", ["70000", "-1"])
def test_a_port_out_of_range_is_one_line(port: str) -> None:
    one_line_error(runner.invoke(app, ["explore", "--no-browser", "--port", port]), "--port")


def test_pool_backward_renders_in_every_format(tmp_path: Path) -> None:
    for fmt in ("text", "md", "latex", "html", "json"):
        result = runner.invoke(app, [*ARGS, "--backward", "--grad", "3", "--format", fmt])
        assert result.exit_code == 0, (fmt, result.output)
    result = runner.invoke(
        app, [*ARGS, "--backward", "--format", "html", "--handout", "-o", str(tmp_path / "h.html")]
    )
    assert result.exit_code == 0 and "<html" in (tmp_path / "h.html").read_text(encoding="utf-8")


def test_ctrl_c_exits_130_and_leaves_nothing_written(tmp_path: Path) -> None:
    # A walkthrough on a big map takes long enough to be interrupted in the middle.
    import numpy as np

    np.save(tmp_path / "big.npy", np.random.default_rng(0).random((2048, 2048)))
    args = ["explain", "align", "--map", "big.npy", "--box", "0,0,2047,2047", "--output-size", "64"]
    args += ["--sampling-ratio", "4", "--bins", "all", "--format", "html", "-o", "w.html"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "roikit", *args], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    time.sleep(3)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:  # it finished first on a fast machine: nothing to interrupt
        pytest.fail("the command finished before Ctrl-C; use a bigger map")
    assert proc.returncode == 130, err
    assert b"Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.npy"]
