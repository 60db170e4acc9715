"""The README's Python example runs and prints exactly what the README shows."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import needs
import pytest

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def check_example(text: str) -> None:
    """Run the first ```python block of ``text`` and compare its output with the block after 'prints'."""
    code, shown = re.search(r"```python\n(.*?)```\s*\nprints\s*\n\n```text\n(.*?)```", text, re.S).groups()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    assert out.getvalue() == shown


def test_python_example_prints_what_the_readme_shows() -> None:
    check_example(README)


def test_walkthrough_excerpt_is_the_demo_output() -> None:
    from roikit.frontends.demo import demo_traces
    from roikit.render import render

    excerpt = re.search(r"An excerpt:\n\n```text\n(.*?)```", README, re.S).group(1)
    demo = render(demo_traces("en", "max"), "text", width=120)
    for line in excerpt.splitlines():
        if line != "...":  # an elision mark of the README's, not a line of the demo
            assert line in demo.splitlines(), line


def _readme_commands() -> list[list[str]]:
    import shlex

    block = re.search(r"Your own example.*?```console\n(.*?)```", README, re.S).group(1)
    joined = block.replace("\\\n", " ")
    return [shlex.split(line)[1:] for line in joined.splitlines() if line.startswith("roikit ")]


def test_every_readme_command_runs(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import numpy as np
    from typer.testing import CliRunner

    from roikit.frontends.cli import app

    monkeypatch.chdir(tmp_path)
    np.save("features.npy", np.random.default_rng(0).standard_normal((8, 100, 100)))
    commands = _readme_commands()
    assert len(commands) == 4
    for args in commands:
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
    assert Path("pool.md").read_text(encoding="utf-8").startswith("## RoI Pooling 손으로 계산하기")


@pytest.mark.parity
@pytest.mark.parametrize(
    ("section", "framework"), [("Use it in PyTorch", "torchvision"), ("Use it in JAX", "jax")]
)
def test_adapter_examples_print_what_the_readme_shows(section: str, framework: str) -> None:
    needs.modules("parity", framework)
    check_example(README.split(f"## {section}", 1)[1])
