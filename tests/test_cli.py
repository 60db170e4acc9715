"""The command line through Typer's CliRunner: examples, files, formats and clear errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import roikit
from roikit.frontends.cli import app

runner = CliRunner()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args))


def test_demo_runs_with_no_arguments() -> None:
    result = run("demo")
    assert result.exit_code == 0, result.output
    assert "RoI Pool, worked out by hand" in result.output
    assert "RoI Align (max), worked out by hand" in result.output
    # Average mode shares steps 1 to 4 and every point with max mode: only the aggregation
    # lines and the output are shown again, side by side.
    assert "RoI Align (average), worked out by hand" not in result.output
    assert "RoI Align: max or average" in result.output
    assert "bin (0, 0): average = (5.02 + 5.215 + 2.825 + 4.81) / 4 = 4.4675" in result.output
    assert "RoI Pool vs RoI Align" in result.output


def test_demo_in_korean_with_one_mode() -> None:
    result = run("demo", "--lang", "ko", "--mode", "avg")
    assert result.exit_code == 0
    assert "RoI Align (평균 풀링) 손으로 계산하기" in result.output
    assert "최댓값 풀링) 손으로" not in result.output


def test_readme_example_inline_map_json() -> None:
    # README: roikit explain align --map "1 2 3 4; 5 6 7 8; 9 10 11 12; 13 14 15 16" ...
    result = run(
        "explain",
        "align",
        "--map",
        "1 2 3 4; 5 6 7 8; 9 10 11 12; 13 14 15 16",
        "--box",
        "0.5,0.5,2.5,2.5",
        "--output-size",
        "2",
        "--mode",
        "avg",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    # v = 4r + c + 1 is linear: bin averages are 4*1 + 1 + 1 = 6, 7, 10, 11.
    assert doc["output"] == [[6.0, 7.0], [10.0, 11.0]]
    assert doc["steps"][0]["key"] == "input"


def test_readme_example_pool_markdown_to_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "pool.md"
    result = run(
        "explain",
        "pool",
        "--map",
        "1 2 3 4; 5 6 7 8; 9 10 11 12; 13 14 15 16",
        "--box",
        "0.4,0.6,2.5,2.5",
        "--output-size",
        "2",
        "--format",
        "md",
        "--lang",
        "ko",
        "-o",
        str(out),
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("## RoI Pooling 손으로 계산하기")
    # rows 1…3 (0.6 → 1, 2.5 → 3), columns 0…3 of 4r + c + 1: bin (0, 0) is rows 1…2,
    # columns 0…1, whose max is 4·2 + 1 + 1 = 10, marked in its table
    assert "| 2 | 9 | **10** |" in text


@pytest.mark.parametrize("suffix", [".npy", ".csv", ".txt", ".png"])
def test_map_files(tmp_path, suffix) -> None:  # type: ignore[no-untyped-def]
    m = np.arange(36, dtype=np.uint8).reshape(6, 6) * 7
    path = tmp_path / f"map{suffix}"
    if suffix == ".npy":
        np.save(path, m.astype(float))
    elif suffix == ".csv":
        np.savetxt(path, m, delimiter=",", fmt="%d")
    elif suffix == ".txt":
        np.savetxt(path, m, fmt="%d")
    else:
        from PIL import Image

        Image.fromarray(m, mode="L").save(path)
    result = run("explain", "pool", "--map", str(path), "--box", "1,1,4,4", "--format", "json")
    assert result.exit_code == 0, result.output
    expected = roikit.roi_pool(m.astype(float)[None, None], np.array([[0, 1, 1, 4, 4.0]]), 2)
    assert json.loads(result.output)["output"] == expected[0, 0].tolist()


def test_3d_npy_with_channel(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "stack.npy"
    np.save(path, np.stack([np.zeros((4, 4)), np.full((4, 4), 3.0)]))
    result = run(
        "explain", "align", "--map", str(path), "--channel", "1", "--box", "0,0,3,3", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["output"] == [[3.0, 3.0], [3.0, 3.0]]


@pytest.mark.parametrize("fmt", ["text", "md", "latex", "html", "json"])
def test_every_format_is_written(tmp_path, fmt) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / f"out.{fmt}"
    result = run(
        "explain",
        "align",
        "--map",
        "1 2; 3 4",
        "--box",
        "0,0,1,1",
        "--output-size",
        "1",
        "--format",
        fmt,
        "-o",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 100


def test_bin_selection() -> None:
    m = "; ".join(" ".join(str((r * 3 + c) % 10) for c in range(10)) for r in range(10))
    result = run(
        "explain",
        "align",
        "--map",
        m,
        "--box",
        "0.5,0.5,9,9",
        "--output-size",
        "4",
        "--format",
        "md",
        "--bin",
        "2,3",
    )
    assert result.exit_code == 0, result.output
    assert "### 5. Bin (2, 3)" in result.output and "### 5. Bin (0, 0)" not in result.output
    result = run(
        "explain",
        "align",
        "--map",
        m,
        "--box",
        "0.5,0.5,9,9",
        "--output-size",
        "4",
        "--format",
        "md",
        "--bins",
        "all",
    )
    assert result.output.count("### 5. Bin") == 16


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--map", "1 2 3; 4 5", "--box", "0,0,1,1"],
            "--map: rows have different lengths [2, 3]; every row needs the same number of values",
        ),
        (
            ["--map", "1 2; 3 x", "--box", "0,0,1,1"],
            "--map: row 1 has 'x', which is not a number (numbers are written with the digits 0-9, a decimal "
            "point, e, + and −)",
        ),
        (["--map", "1 2; 3 4", "--box", "0,0,1"], "--box needs 4 number(s); got 3 in '0,0,1'"),
        (["--map", "1 2; 3 4", "--box", "0,nan,1,1"], "--box must be finite numbers; got '0,nan,1,1'"),
        (
            ["--map", "1 2; 3 nan", "--box", "0,0,1,1"],
            "--map: the map must hold finite numbers; value [1, 1] is nan",
        ),
        (
            ["--map", "missing.npy", "--box", "0,0,1,1"],
            "--map 'missing.npy' is not a file, and not inline numbers like '1 2; 3 4'",
        ),
        (
            ["--map", "1 2; 3 4", "--box", "0,0,1,1", "--output-size", "20,20"],
            "--output-size 20x20 is larger than the 2x2 feature map; a walkthrough needs at most 2 x 2 bins",
        ),
        (
            ["--map", "1 2; 3 4", "--box", "0,0,1,1", "--output-size", "0"],
            "--output-size needs positive whole numbers; got '0'",
        ),
        (
            ["--map", "1 2; 3 4", "--box", "0,0,1,1", "--spatial-scale", "0"],
            "--spatial-scale 0 must be positive and finite",
        ),
        (
            ["--map", "1 2; 3 4", "--box", "0,0,1,1", "--output-size", "1", "--bin", "3,3"],
            "--bin 3,3 is outside the 1x1 output",
        ),
    ],
)
def test_bad_input_gets_one_line_and_exit_code_2(args, message) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(app, ["explain", "align", *args])
    assert result.exit_code == 2
    assert result.stderr == f"roikit: error: {message}\n"
    assert "Traceback" not in result.output


def test_unreadable_files_get_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad_png = tmp_path / "bad.png"
    bad_png.write_bytes(b"not a png")
    result = run("explain", "pool", "--map", str(bad_png), "--box", "0,0,1,1")
    assert result.exit_code == 2 and "cannot read the image" in result.stderr
    bad_npy = tmp_path / "bad.npy"
    bad_npy.write_bytes(b"nope")
    result = run("explain", "pool", "--map", str(bad_npy), "--box", "0,0,1,1")
    assert result.exit_code == 2 and "cannot read it as a .npy file" in result.stderr


def test_unknown_op_is_a_usage_error() -> None:
    result = run("explain", "warp", "--map", "1", "--box", "0,0,1,1")
    assert result.exit_code == 2


def test_version_is_the_packages() -> None:
    import importlib.metadata

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"roikit {roikit.__version__}\n"
    assert importlib.metadata.version("roikit") == roikit.__version__  # one source: __init__.py
