"""Parity with ONNX Runtime's RoiAlign (avg): a one-node model built with onnx.helper.

``half_pixel`` is ``aligned=True``; ``output_half_pixel`` is ``aligned=False``.
Marked ``parity``: without onnx and onnxruntime the file is skipped, unless
ROIKIT_REQUIRE_PARITY=1 (make test, CI) makes that a failure (tests/needs.py).
"""

from __future__ import annotations

import needs
import numpy as np
import pytest

onnx, ort = needs.modules("parity", "onnx", "onnxruntime")

from onnx import TensorProto, helper
from test_parity_torchvision import assert_close, hostile_boxes, torchvision_accepts

import roikit
from conftest import random_boxes

pytestmark = pytest.mark.parity

_ONNX_TYPE = {np.float32: TensorProto.FLOAT, np.float64: TensorProto.DOUBLE}


def ort_roi_align(x, boxes, output_size, scale, sampling_ratio, aligned):  # type: ignore[no-untyped-def]
    dtype = x.dtype.type
    node = helper.make_node(
        "RoiAlign",
        ["X", "rois", "batch_indices"],
        ["Y"],
        mode="avg",
        output_height=output_size[0],
        output_width=output_size[1],
        sampling_ratio=max(sampling_ratio, 0),
        spatial_scale=scale,
        coordinate_transformation_mode="half_pixel" if aligned else "output_half_pixel",
    )
    graph = helper.make_graph(
        [node],
        "roi_align",
        [
            helper.make_tensor_value_info("X", _ONNX_TYPE[dtype], ["N", "C", "H", "W"]),
            helper.make_tensor_value_info("rois", _ONNX_TYPE[dtype], ["K", 4]),
            helper.make_tensor_value_info("batch_indices", TensorProto.INT64, ["K"]),
        ],
        [helper.make_tensor_value_info("Y", _ONNX_TYPE[dtype], ["K", "C", "PH", "PW"])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 16)])
    onnx.checker.check_model(model)
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    (y,) = sess.run(
        None,
        {"X": x, "rois": np.ascontiguousarray(boxes[:, 1:]), "batch_indices": boxes[:, 0].astype(np.int64)},
    )
    return y


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("aligned", [False, True])
@pytest.mark.parametrize("sampling_ratio", [0, 1, 2])
@pytest.mark.parametrize(("output_size", "scale"), [((2, 2), 1.0), ((3, 5), 0.5)])
def test_roi_align_matches_onnxruntime(rng, dtype, aligned, sampling_ratio, output_size, scale):  # type: ignore[no-untyped-def]
    x = rng.standard_normal((2, 3, 9, 11)).astype(dtype)
    boxes = hostile_boxes(rng, 2, 9, 11, dtype)
    boxes = boxes[torchvision_accepts(boxes, output_size, scale, sampling_ratio, aligned)]
    ref = ort_roi_align(x, boxes, output_size, scale, sampling_ratio, aligned)
    assert_close(roikit.roi_align(x, boxes, output_size, scale, sampling_ratio, aligned), ref, dtype)


def test_onnxruntime_agrees_on_a_large_random_batch(rng):  # type: ignore[no-untyped-def]
    x = rng.standard_normal((2, 8, 40, 40)).astype(np.float32)
    boxes = random_boxes(rng, 300, 2, 0, 640).astype(np.float32)
    boxes[:, 3:] = np.maximum(boxes[:, 3:], boxes[:, 1:3])  # well-formed proposals
    ref = ort_roi_align(x, boxes, (7, 7), 1 / 16, 2, True)
    assert_close(roikit.roi_align(x, boxes, (7, 7), 1 / 16, 2, True), ref, np.float32)
