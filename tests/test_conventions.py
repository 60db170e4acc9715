"""The registry of conventions, `roikit compare` and `explain --convention`."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import roikit
from roikit.explain.conventions import compare_conventions
from roikit.frontends.cli import app
from roikit.frontends.demo import DEMO_BOX, DEMO_MAP, DEMO_SCALE
from roikit.ops.conventions import CONVENTIONS, get_convention

REQUIRED = {
    "torchvision",
    "torchvision-legacy",
    "detectron2",
    "mmcv",
    "mmcv-max",
    "onnx-10",
    "onnx-16",
    "onnx-max",
    "caffe-roipool",
    "tensorpack",
    "tf-crop-and-resize",
    "prroi",
}


def test_registry_names_and_descriptions() -> None:
    assert REQUIRED <= set(CONVENTIONS)
    for c in CONVENTIONS.values():
        assert c.summary and c.offset and c.grid and c.border and c.aggregation


def test_compare_runs_each_convention_through_its_op() -> None:
    t = compare_conventions(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE)
    out = {k: np.array(v) for k, v in t.data.outputs.items()}
    box = np.array([[0, *DEMO_BOX]])
    x = DEMO_MAP[None, None]
    np.testing.assert_array_equal(out["torchvision"], roikit.roi_align(x, box, 2, DEMO_SCALE, -1, True)[0, 0])
    np.testing.assert_array_equal(out["torchvision-legacy"], roikit.roi_align(x, box, 2, DEMO_SCALE)[0, 0])
    np.testing.assert_array_equal(out["caffe-roipool"], roikit.roi_pool(x, box, 2, DEMO_SCALE)[0, 0])
    np.testing.assert_array_equal(
        out["mmcv-max"], roikit.roi_align(x, box, 2, DEMO_SCALE, 0, True, "max")[0, 0]
    )
    # Same numbers under different names (docs/design.md, "The conventions"):
    for same in ("detectron2", "mmcv", "onnx-16"):
        np.testing.assert_array_equal(out[same], out["torchvision"])
    np.testing.assert_array_equal(out["onnx-10"], out["torchvision-legacy"])
    # ...and genuinely different ones:
    for other in (
        "torchvision-legacy",
        "mmcv-max",
        "onnx-max",
        "caffe-roipool",
        "tensorpack",
        "tf-crop-and-resize",
        "prroi",
    ):
        assert not np.array_equal(out[other], out["torchvision"]), other


def test_tf_convention_puts_the_box_corners_on_the_first_and_last_samples() -> None:
    m = np.arange(25.0).reshape(5, 5)
    out = np.array(
        compare_conventions(m, (1, 1, 3, 3), 3, names=["tf-crop-and-resize"]).data.outputs[
            "tf-crop-and-resize"
        ]
    )
    # Corners (1, 1) and (3, 3) are cells 6 and 18; the middle sample is cell (2, 2) = 12.
    np.testing.assert_allclose(out, [[6, 7, 8], [11, 12, 13], [16, 17, 18]])


def test_tensorpack_needs_a_square_output() -> None:
    t = compare_conventions(DEMO_MAP, DEMO_BOX, (2, 3), DEMO_SCALE)
    assert t.data.outputs["tensorpack"] is None
    assert "tensorpack: tensorpack's roi_align makes square outputs only" in t.steps[0].lines


def test_unknown_convention() -> None:
    with pytest.raises(roikit.ParameterError, match="unknown convention 'caffe'; known: torchvision, "):
        get_convention("caffe")


def test_cli_compare_json() -> None:
    result = CliRunner().invoke(
        app, ["compare", "--map", "1 2 3 4; 5 6 7 8; 9 10 11 12", "--box", "0.5,0.5,3,2", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert set(doc["data"]["outputs"]) == set(CONVENTIONS)
    assert doc["steps"][1]["key"] == "conventions.reasons"


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("torchvision", {"aligned": True, "sampling_ratio": -1, "mode": "avg"}),
        ("mmcv-max", {"aligned": True, "sampling_ratio": 0, "mode": "max"}),
        ("onnx-10", {"aligned": False, "sampling_ratio": 0, "mode": "avg"}),
    ],
)
def test_explain_with_a_convention_uses_its_defaults(name, params) -> None:  # type: ignore[no-untyped-def]
    args = [
        "explain",
        "align",
        "--map",
        "1 2 3; 4 5 6; 7 8 9",
        "--box",
        "0.2,0.4,2.5,2.1",
        "--convention",
        name,
        "--format",
        "json",
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)["params"]
    assert {k: got[k] for k in params} == params


def test_an_option_that_contradicts_the_convention_is_refused() -> None:
    # A convention fixes its settings; an explicit option that differs would silently change
    # what the walkthrough claims to show, so it is refused (one that agrees is accepted).
    args = [
        "explain",
        "align",
        "--map",
        "1 2 3; 4 5 6; 7 8 9",
        "--box",
        "0.2,0.4,2.5,2.1",
        "--convention",
        "torchvision",
        "--format",
        "json",
    ]
    result = CliRunner().invoke(app, [*args, "--sampling-ratio", "3"])
    assert result.exit_code == 2
    assert "--sampling-ratio 3 contradicts --convention torchvision" in result.stderr
    result = CliRunner().invoke(app, [*args, "--sampling-ratio", "-1"])
    assert json.loads(result.output)["params"]["sampling_ratio"] == -1


@pytest.mark.parametrize(
    ("op", "name", "message"),
    [
        ("pool", "torchvision", "--convention torchvision is a RoI Align convention"),
        ("align", "onnx-max", "--convention onnx-max has no RoI Align walkthrough"),
        ("align", "nope", "--convention nope is not a known convention; known: torchvision, "),
    ],
)
def test_explain_convention_errors(op, name, message) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(
        app, ["explain", op, "--map", "1 2; 3 4", "--box", "0,0,1,1", "--convention", name]
    )
    assert result.exit_code == 2 and message in result.stderr
