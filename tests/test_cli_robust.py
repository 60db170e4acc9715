"""The command line under hostile input: one line, exit code 2, nothing half-written, bounded cost.

Each failure the reliability review reproduced is a case here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from roikit import budget
from roikit.cli import app

runner = CliRunner()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args))


def one_line_error(result, contains: str) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("roikit: error: "), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert contains in result.stderr, result.stderr
    assert "Traceback" not in result.output


def test_an_inline_map_of_any_length_is_read() -> None:
    # 8x8 with decimals: over 300 characters, longer than a file name may be.
    m = "; ".join(" ".join(f"{r * 8 + c}.5" for c in range(8)) for r in range(8))
    assert len(m) > 300
    result = run("explain", "pool", "--map", m, "--box", "1,1,5,5", "--format", "json")
    assert result.exit_code == 0, result.output
    assert '"output"' in result.output


def test_a_huge_sampling_ratio_is_refused_at_once() -> None:
    result = run("explain", "align", "--map", "1 2; 3 4", "--box", "0,0,1,1",
                 "--sampling-ratio", "1000")  # fmt: skip
    one_line_error(result, "the walkthrough would record 4000000 sampling points; the budget is 131072")
    result = run("explain", "align", "--map", "1 2; 3 4", "--box", "0,0,1,1",
                 "--sampling-ratio", "100000")  # fmt: skip
    one_line_error(result, "sampling_ratio is 100000; at most 1024")


@pytest.mark.parametrize("args,contains", [
    (["explain", "align", "--bogus"], "No such option: --bogus"),
    (["explain", "align", "--map", "1 2; 3 4", "--box", "0,0,1,1", "--mode", "median"],
     "Invalid value for '--mode'"),
    (["explain", "align", "--map", "1 2; 3 4"], "Missing option '--box'"),
    (["demo", "--lang", "fr"], "Invalid value for '--lang'"),
    (["explain", "align", "--map", "1 2; 3 4", "--box", "0,0,1,1", "--spatial-scale", "x"],
     "Invalid value for '--spatial-scale'"),
])  # fmt: skip
def test_usage_errors_are_one_line(args: list[str], contains: str) -> None:
    one_line_error(run(*args), contains)


def test_usage_errors_are_one_line_from_the_real_script() -> None:
    proc = subprocess.run([sys.executable, "-m", "roikit", "explain", "align", "--nope"],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr == "roikit: error: No such option: --nope (Possible options: --bin, --bins)\n" \
        or proc.stderr.startswith("roikit: error: No such option: --nope")
    assert proc.stderr.count("\n") == 1


def test_a_box_beyond_float32_is_named() -> None:
    result = run("explain", "align", "--map", "1 2; 3 4", "--box", "0,0,1e39,1e39")
    one_line_error(result, "1e+39 (× spatial_scale 1) is beyond float32")
    result = run("explain", "pool", "--map", "1 2; 3 4", "--box", "0,0,1e30,1e30",
                 "--spatial-scale", "1e10")  # fmt: skip
    one_line_error(result, "is beyond float32")


def test_demo_output_and_figures_are_checked_before_anything_is_written(tmp_path: Path) -> None:
    one_line_error(run("demo", "-o", str(tmp_path)), "is a directory; give a file name")
    a_file = tmp_path / "f"
    a_file.write_text("x")
    one_line_error(run("demo", "--figures", str(a_file)), "is a file; give a folder")
    one_line_error(run("demo", "-o", str(tmp_path / "no" / "such.txt")), "does not exist")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]


def test_a_bad_figure_leaves_no_output_file_behind(tmp_path: Path) -> None:
    out = tmp_path / "walk.md"
    result = run("explain", "align", "--map", "1 2; 3 4", "--box", "0,0,1,1", "-o", str(out),
                 "--figure", str(tmp_path / "fig.bmp"))  # fmt: skip
    one_line_error(result, "must end in .png, .svg or .pdf")
    assert list(tmp_path.iterdir()) == []


def test_output_and_figure_are_written_together(tmp_path: Path) -> None:
    out, fig = tmp_path / "walk.md", tmp_path / "fig.svg"
    result = run("explain", "align", "--map", "1 2; 3 4", "--box", "0,0,1,1", "-o", str(out),
                 "--format", "md", "--figure", str(fig))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("#") and fig.read_text().lstrip().startswith("<?xml")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_big_npy_is_refused_before_it_is_loaded(tmp_path: Path) -> None:
    path = tmp_path / "big.npy"
    # A sparse file: 4097 x 4097 float64 declared in the header, nothing written.
    np.lib.format.open_memmap(path, mode="w+", dtype=np.float64, shape=(4097, 4097)).flush()
    result = run("explain", "pool", "--map", str(path), "--box", "0,0,1,1")
    one_line_error(result, f"4097 x 4097 = 16785409 values is more than a walkthrough can show; "
                           f"the limit is {budget.MAX_MAP_CELLS}")  # fmt: skip


def test_a_big_image_is_refused_from_its_header(tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    Image.new("1", (4100, 4100)).save(path)
    one_line_error(run("explain", "pool", "--map", str(path), "--box", "0,0,1,1"),
                   "4100 x 4100 = 16810000 values")  # fmt: skip


def test_a_decompression_bomb_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    Image.new("1", (3000, 3000)).save(path)
    old = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = 1000  # Pillow now calls a 9-megapixel image a bomb
    try:
        one_line_error(run("explain", "pool", "--map", str(path), "--box", "0,0,1,1"),
                       "the image is too large")  # fmt: skip
    finally:
        Image.MAX_IMAGE_PIXELS = old


def test_16_bit_and_float_images_are_read_exactly(tmp_path: Path) -> None:
    values = np.array([[0, 300, 65535], [1000, 40000, 7]], np.uint16)
    Image.fromarray(values).save(tmp_path / "deep.png")
    result = run("explain", "pool", "--map", str(tmp_path / "deep.png"), "--box", "0,0,2,1",
                 "--output-size", "1", "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "65535.0" in result.output  # 8-bit conversion would clip it to 255
    floats = np.array([[0.25, -3.5], [1e6, 2.0]], np.float32)
    Image.fromarray(floats, mode="F").save(tmp_path / "f.tif")
    result = run("explain", "pool", "--map", str(tmp_path / "f.tif"), "--box", "0,0,1,1",
                 "--output-size", "1", "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "1000000.0" in result.output and "-3.5" in result.output


def test_every_map_source_refuses_nan(tmp_path: Path) -> None:
    a = np.ones((3, 3))
    a[1, 2] = np.nan
    np.save(tmp_path / "m.npy", a)
    np.savetxt(tmp_path / "m.csv", a, delimiter=",")
    for path in ("m.npy", "m.csv"):
        one_line_error(run("explain", "pool", "--map", str(tmp_path / path), "--box", "0,0,1,1"),
                       "the map must hold finite numbers; value [1, 2] is nan")  # fmt: skip
    one_line_error(run("explain", "pool", "--map", "1 1 1; 1 1 nan; 1 1 1", "--box", "0,0,1,1"),
                   "the map must hold finite numbers; value [1, 2] is nan")  # fmt: skip


def test_file_contents_are_never_echoed(tmp_path: Path) -> None:
    path = tmp_path / "m.txt"
    path.write_text("1 2\npassword123 4\n")
    result = run("explain", "pool", "--map", str(path), "--box", "0,0,1,1")
    one_line_error(result, "row 1 value 0 is not a number")
    assert "password" not in result.output


@pytest.mark.parametrize("where", ["1,0", "0,1"])
def test_bin_just_outside_the_output_is_refused(where: str) -> None:
    result = run("explain", "align", "--map", "1 2; 3 4", "--box", "0,0,1,1", "--output-size", "1",
                 "--bin", where)  # fmt: skip
    one_line_error(result, f"--bin {where} is outside the 1x1 output")
