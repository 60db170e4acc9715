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
from roikit.frontends.cli import app

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
    result = run("explain", "align", "--map", "1 2; 3 4", "--box", "0,0,1,1", "--sampling-ratio", "1000")
    one_line_error(result, "the walkthrough would record 4000000 sampling points; the budget is 131072")
    result = run("explain", "align", "--map", "1 2; 3 4", "--box", "0,0,1,1", "--sampling-ratio", "100000")
    one_line_error(
        result,
        "--sampling-ratio 100000 is more than 1024 points per bin and axis "
        "(roikit.budget.MAX_SAMPLING_RATIO)",
    )


@pytest.mark.parametrize(
    "args,contains",
    [
        (["explain", "align", "--bogus"], "No such option: --bogus"),
        (
            ["explain", "align", "--map", "1 2; 3 4", "--box", "0,0,1,1", "--mode", "median"],
            "Invalid value for '--mode'",
        ),
        (["explain", "align", "--map", "1 2; 3 4"], "Missing option '--box'"),
        (["demo", "--lang", "fr"], "Invalid value for '--lang'"),
        (
            ["explain", "align", "--map", "1 2; 3 4", "--box", "0,0,1,1", "--spatial-scale", "x"],
            "Invalid value for '--spatial-scale'",
        ),
    ],
)
def test_usage_errors_are_one_line(args: list[str], contains: str) -> None:
    one_line_error(run(*args), contains)


def test_usage_errors_are_one_line_from_the_real_script() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "roikit", "explain", "align", "--nope"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert (
        proc.stderr == "roikit: error: No such option: --nope (Possible options: --bin, --bins)\n"
        or proc.stderr.startswith("roikit: error: No such option: --nope")
    )
    assert proc.stderr.count("\n") == 1


def test_a_box_beyond_float32_is_named() -> None:
    result = run("explain", "align", "--map", "1 2; 3 4", "--box", "0,0,1e39,1e39")
    one_line_error(result, "1e+39 (× spatial_scale 1) is beyond float32")
    result = run("explain", "pool", "--map", "1 2; 3 4", "--box", "0,0,1e30,1e30", "--spatial-scale", "1e10")
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
    result = run(
        "explain",
        "align",
        "--map",
        "1 2; 3 4",
        "--box",
        "0,0,1,1",
        "-o",
        str(out),
        "--figure",
        str(tmp_path / "fig.bmp"),
    )
    one_line_error(result, "must end in .png, .svg or .pdf")
    assert list(tmp_path.iterdir()) == []


def test_output_and_figure_are_written_together(tmp_path: Path) -> None:
    out, fig = tmp_path / "walk.md", tmp_path / "fig.svg"
    result = run(
        "explain",
        "align",
        "--map",
        "1 2; 3 4",
        "--box",
        "0,0,1,1",
        "-o",
        str(out),
        "--format",
        "md",
        "--figure",
        str(fig),
    )
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("#") and fig.read_text().lstrip().startswith("<?xml")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_big_npy_is_refused_before_it_is_loaded(tmp_path: Path) -> None:
    path = tmp_path / "big.npy"
    # A sparse file: 4097 x 4097 float64 declared in the header, nothing written.
    np.lib.format.open_memmap(path, mode="w+", dtype=np.float64, shape=(4097, 4097)).flush()
    result = run("explain", "pool", "--map", str(path), "--box", "0,0,1,1")
    one_line_error(
        result,
        f"4097 x 4097 = 16785409 values is more than a walkthrough can show; "
        f"the limit is {budget.MAX_MAP_CELLS}",
    )


def test_a_big_image_is_refused_from_its_header(tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    Image.new("1", (4100, 4100)).save(path)
    one_line_error(
        run("explain", "pool", "--map", str(path), "--box", "0,0,1,1"), "4100 x 4100 = 16810000 values"
    )


def test_a_decompression_bomb_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    Image.new("1", (3000, 3000)).save(path)
    old = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = 1000  # Pillow now calls a 9-megapixel image a bomb
    try:
        one_line_error(
            run("explain", "pool", "--map", str(path), "--box", "0,0,1,1"), "the image is too large"
        )
    finally:
        Image.MAX_IMAGE_PIXELS = old


def test_16_bit_and_float_images_are_read_exactly(tmp_path: Path) -> None:
    values = np.array([[0, 300, 65535], [1000, 40000, 7]], np.uint16)
    Image.fromarray(values).save(tmp_path / "deep.png")
    result = run(
        "explain",
        "pool",
        "--map",
        str(tmp_path / "deep.png"),
        "--box",
        "0,0,2,1",
        "--output-size",
        "1",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    assert "65535.0" in result.output  # 8-bit conversion would clip it to 255
    floats = np.array([[0.25, -3.5], [1e6, 2.0]], np.float32)
    Image.fromarray(floats, mode="F").save(tmp_path / "f.tif")
    result = run(
        "explain",
        "pool",
        "--map",
        str(tmp_path / "f.tif"),
        "--box",
        "0,0,1,1",
        "--output-size",
        "1",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    assert "1000000.0" in result.output and "-3.5" in result.output


def test_every_map_source_refuses_nan(tmp_path: Path) -> None:
    a = np.ones((3, 3))
    a[1, 2] = np.nan
    np.save(tmp_path / "m.npy", a)
    np.savetxt(tmp_path / "m.csv", a, delimiter=",")
    for path in ("m.npy", "m.csv"):
        one_line_error(
            run("explain", "pool", "--map", str(tmp_path / path), "--box", "0,0,1,1"),
            "the map must hold finite numbers; value [1, 2] is nan",
        )
    one_line_error(
        run("explain", "pool", "--map", "1 1 1; 1 1 nan; 1 1 1", "--box", "0,0,1,1"),
        "the map must hold finite numbers; value [1, 2] is nan",
    )


def test_file_contents_are_never_echoed(tmp_path: Path) -> None:
    path = tmp_path / "m.txt"
    path.write_text("1 2\npassword123 4\n")
    result = run("explain", "pool", "--map", str(path), "--box", "0,0,1,1")
    one_line_error(result, "row 1 value 0 is not a number")
    assert "password" not in result.output


@pytest.mark.parametrize("where", ["1,0", "0,1"])
def test_bin_just_outside_the_output_is_refused(where: str) -> None:
    result = run(
        "explain", "align", "--map", "1 2; 3 4", "--box", "0,0,1,1", "--output-size", "1", "--bin", where
    )
    one_line_error(result, f"--bin {where} is outside the 1x1 output")


@pytest.mark.parametrize("option", [["--sampling-ratio", "3"], ["--aligned"], ["--mode", "avg"]])
def test_a_roi_align_option_is_refused_for_roi_pool(option: list[str]) -> None:
    result = run("explain", "pool", "--map", "1 2; 3 4", "--box", "0,0,1,1", *option)
    one_line_error(result, "does not apply to RoI Pool")


def test_a_contradicting_option_is_refused_with_a_convention() -> None:
    result = run(
        "explain",
        "align",
        "--map",
        "1 2; 3 4",
        "--box",
        "0,0,1,1",
        "--convention",
        "torchvision",
        "--mode",
        "max",
    )
    one_line_error(result, "--mode max contradicts --convention torchvision, which uses mode=avg")
    result = run(
        "explain",
        "align",
        "--map",
        "1 2; 3 4",
        "--box",
        "0,0,1,1",
        "--convention",
        "detectron2",
        "--sampling-ratio",
        "2",
    )
    one_line_error(
        result, "--sampling-ratio 2 contradicts --convention detectron2, which uses sampling_ratio=0"
    )


def test_a_pool_convention_with_explain_align_points_to_explain_pool() -> None:
    result = run("explain", "align", "--map", "1 2; 3 4", "--box", "0,0,1,1", "--convention", "caffe-roipool")
    one_line_error(result, "use 'roikit explain pool --convention caffe-roipool'")


def test_the_convention_is_named_and_its_settings_shown() -> None:
    result = run(
        "explain",
        "align",
        "--map",
        "1 2; 3 4",
        "--box",
        "0,0,1,1",
        "--output-size",
        "1",
        "--convention",
        "detectron2",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    import json

    doc = json.loads(result.output)
    lines = doc["steps"][0]["lines"]
    assert any(line.startswith("Convention detectron2 (detectron2 ROIAlignV2") for line in lines)
    assert doc["params"]["aligned"] is True and doc["params"]["sampling_ratio"] == 0
    assert doc["params"]["mode"] == "avg"
    result = run(
        "explain",
        "pool",
        "--map",
        "1 2; 3 4",
        "--box",
        "0,0,1,1",
        "--output-size",
        "1",
        "--convention",
        "caffe-roipool",
    )
    assert result.exit_code == 0 and "Convention caffe-roipool" in result.output


def test_help_shows_every_default() -> None:
    result = run("explain", "--help")
    flat = " ".join(result.output.replace("│", " ").split())
    for default in (
        "[default: 2, as in Figure 3; torchvision's is -1]",
        "[default: max]",
        "[default: not aligned, as torchvision]",
        "[default: text]",
        "[default: en]",
        "[default: auto]",
    ):
        assert default in flat, default


def test_a_picture_at_a_smaller_scale_is_averaged_into_the_feature_map(tmp_path: Path) -> None:
    # A 48 x 64 picture, a white 8 x 8 square at rows 16…23, columns 24…31. At scale 1/8 the
    # map is 6 x 8 blocks; the square is block (2, 3) exactly: grey 255 there, 0 elsewhere.
    a = np.zeros((48, 64, 3), np.uint8)
    a[16:24, 24:32] = 255
    Image.fromarray(a).save(tmp_path / "p.png")
    result = run(
        "explain",
        "pool",
        "--map",
        str(tmp_path / "p.png"),
        "--box",
        "24,16,31,23",
        "--spatial-scale",
        "0.125",
        "--output-size",
        "1",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    import json

    doc = json.loads(result.output)
    feature = np.array(doc["feature"])
    assert feature.shape == (6, 8) and feature[2, 3] == 255 and feature.sum() == 255
    assert doc["output"] == [[255.0]]  # the box, given in the picture's pixels, is on the square
    assert "averaged over 8 × 8 blocks" in doc["steps"][0]["lines"][1]


def test_a_picture_scale_without_a_whole_stride_is_refused(tmp_path: Path) -> None:
    Image.new("L", (16, 16)).save(tmp_path / "p.png")
    one_line_error(
        run(
            "explain", "pool", "--map", str(tmp_path / "p.png"), "--box", "0,0,4,4", "--spatial-scale", "0.3"
        ),
        "1/s must be a whole number",
    )


def test_the_grey_rule_is_stated_for_a_colour_picture(tmp_path: Path) -> None:
    # Pillow's L: (299 R + 587 G + 114 B) / 1000, rounded: pure red 255 → 76.
    a = np.zeros((4, 4, 3), np.uint8)
    a[..., 0] = 255
    Image.fromarray(a).save(tmp_path / "red.png")
    result = run(
        "explain", "pool", "--map", str(tmp_path / "red.png"), "--box", "0,0,1,1", "--output-size", "1"
    )
    assert result.exit_code == 0, result.output
    assert "0.299 R + 0.587 G + 0.114 B" in result.output and "76" in result.output


@pytest.mark.parametrize(
    "args,expected",
    [
        (
            ["explain", "align", "--map", "1 2; 3 x", "--box", "0,0,1,1"],
            "roikit: 오류: --map: 행 1의 'x': 숫자가 아닙니다 (숫자는 0-9, 소수점, e, +, −로 씁니다)\n",
        ),
        (
            ["explain", "align", "--map", "1 2; 3 4", "--box", "0,0,1"],
            "roikit: 오류: --box: 숫자가 4개 필요합니다. 받은 값 '0,0,1'에는 3개\n",
        ),
        (
            ["explain", "pool", "--map", "1 2; 3 4", "--box", "0,0,1,1", "--mode", "max"],
            "roikit: 오류: --mode: RoI Pooling에는 쓰지 않는 옵션입니다 (RoI Pooling은 박스를 정수 칸으로 "
            "반올림하고 구간마다 최댓값을 고릅니다). RoI Align 옵션입니다\n",
        ),
        (
            [
                "explain",
                "align",
                "--map",
                "1 2; 3 4",
                "--box",
                "0,0,1,1",
                "--output-size",
                "1",
                "--bin",
                "1,0",
            ],
            "roikit: 오류: --bin 1,0: 1x1 출력 밖입니다\n",
        ),
    ],
)
def test_command_line_errors_are_korean_under_lang_ko(args: list[str], expected: str) -> None:
    result = run(*args, "--lang", "ko")
    assert result.exit_code == 2 and result.stderr == expected


def test_refusals_and_usage_errors_are_korean_under_lang_ko() -> None:
    result = run(
        "explain", "align", "--map", "1 2; 3 4", "--box", "0,0,1,1", "--spatial-scale", "-1", "--lang", "ko"
    )
    assert result.stderr == "roikit: 오류: --spatial-scale: 0보다 큰 유한한 수여야 합니다. 받은 값 -1\n"
    result = run("explain", "align", "--lang", "ko", "--nope")
    assert result.stderr.startswith("roikit: 오류: 그런 옵션이 없습니다: --nope")


def test_compare_speaks_korean() -> None:
    result = run(
        "compare",
        "--map",
        "1 2 3 4; 5 6 7 8; 9 10 11 12; 13 14 15 16",
        "--box",
        "0.5,0.5,2.5,2.5",
        "--lang",
        "ko",
        "--format",
        "md",
    )
    assert result.exit_code == 0, result.output
    for words in (
        "박스 하나, 모든 구현 방식",
        "값이 다른 이유",
        "반 픽셀 보정이 없고",
        "박스 (0.5, 0.5, 2.5, 2.5) × spatial\\_scale 1, 4 × 4 맵, 출력 2 × 2 구간",
    ):
        assert words in result.output, words
    assert "Why they differ" not in result.output
