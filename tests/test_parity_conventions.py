"""Parity of the other conventions with the real libraries (torchvision, onnxruntime)."""

from __future__ import annotations

import needs
import numpy as np
import pytest

onnx, ort, torch, torchvision = needs.modules("parity", "onnx", "onnxruntime", "torch", "torchvision")

from onnx import TensorProto, helper
from test_parity_torchvision import assert_close, hostile_boxes

import roikit
from conftest import random_boxes
from roikit.ops.onnx import onnx_max_roi_pool, onnx_roi_align
from roikit.ops.ps import ps_roi_align, ps_roi_align_backward, ps_roi_pool, ps_roi_pool_backward

pytestmark = pytest.mark.parity
_T = {np.float32: TensorProto.FLOAT, np.float64: TensorProto.DOUBLE}


# ----------------------------------------------------------------------------- ps_*


def _ps_valid(boxes, size, scale, sr):  # type: ignore[no-untyped-def]
    """torchvision divides 0 by 0 (NaN) where the adaptive grid is empty; roikit gives 0."""
    if sr > 0:
        return np.ones(len(boxes), bool)
    dt = boxes.dtype.type
    h = boxes[:, 4] * dt(scale) - boxes[:, 2] * dt(scale)
    w = boxes[:, 3] * dt(scale) - boxes[:, 1] * dt(scale)
    return (np.ceil(h / dt(size[0])) * np.ceil(w / dt(size[1]))) != 0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("sr", [-1, 1, 2])
@pytest.mark.parametrize(("size", "scale"), [((2, 2), 1.0), ((3, 2), 0.5)])
def test_ps_roi_align_matches_torchvision(rng, dtype, sr, size, scale):  # type: ignore[no-untyped-def]
    x = rng.standard_normal((2, 3 * size[0] * size[1], 9, 8)).astype(dtype)
    boxes = hostile_boxes(rng, 2, 9, 8, dtype)
    boxes = boxes[_ps_valid(boxes, size, scale, sr)]
    xt = torch.from_numpy(x).requires_grad_()
    ref = torchvision.ops.ps_roi_align(xt, torch.from_numpy(boxes), size, scale, sr)
    assert_close(ps_roi_align(x, boxes, size, scale, sr), ref.detach().numpy(), dtype)
    g = rng.standard_normal(ref.shape).astype(dtype)
    ref.backward(torch.from_numpy(g))
    assert_close(ps_roi_align_backward(g, x, boxes, size, scale, sr), xt.grad.numpy(), dtype)


def test_ps_roi_align_keeps_an_infinite_cell_infinite_like_torchvision() -> None:
    x = np.ones((1, 4, 6, 6))
    x[0, 0, 1, 1] = np.inf
    box = np.array([[0, 0.2, 0.3, 5.1, 5.6]])
    ref = torchvision.ops.ps_roi_align(torch.from_numpy(x), torch.from_numpy(box), 2, 1.0, 2).numpy()
    assert np.isinf(ref[0, 0, 0, 0])
    np.testing.assert_array_equal(ps_roi_align(x, box, 2, 1.0, 2), ref)


def test_ps_roi_align_empty_adaptive_grid_is_nan_in_torchvision_and_zero_here() -> None:
    x = np.ones((1, 4, 5, 5))
    box = np.array([[0, 2.0, 2.0, 2.0, 2.0]])
    ref = torchvision.ops.ps_roi_align(torch.from_numpy(x), torch.from_numpy(box), 2, 1.0, -1)
    assert torch.isnan(ref).all()
    np.testing.assert_array_equal(ps_roi_align(x, box, 2, 1.0, -1), 0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("size", "scale"), [((2, 2), 1.0), ((3, 2), 0.5)])
def test_ps_roi_pool_matches_torchvision(rng, dtype, size, scale):  # type: ignore[no-untyped-def]
    x = rng.standard_normal((2, 2 * size[0] * size[1], 9, 8)).astype(dtype)
    boxes = hostile_boxes(rng, 2, 9, 8, dtype)
    xt = torch.from_numpy(x).requires_grad_()
    ref = torchvision.ops.ps_roi_pool(xt, torch.from_numpy(boxes), size, scale)
    assert_close(ps_roi_pool(x, boxes, size, scale), ref.detach().numpy(), dtype)
    # torchvision's backward clips bins to [0, H] while its forward clips to [0, H-1]:
    # compare gradients on boxes whose bins stay clear of the last row and column.
    inner = random_boxes(rng, 30, 2, 0, 5.4 / scale).astype(dtype)
    xt = torch.from_numpy(x).requires_grad_()
    ref = torchvision.ops.ps_roi_pool(xt, torch.from_numpy(inner), size, scale)
    g = rng.standard_normal(ref.shape).astype(dtype)
    ref.backward(torch.from_numpy(g))
    assert_close(ps_roi_pool_backward(g, x, inner, size, scale), xt.grad.numpy(), dtype)


def test_ps_roi_pool_backward_is_the_gradient_of_its_forward(rng):  # type: ignore[no-untyped-def]
    x = rng.standard_normal((1, 4, 6, 6))
    boxes = random_boxes(rng, 12, 1, -2, 8)
    g = rng.standard_normal((12, 1, 2, 2))
    lhs = np.vdot(ps_roi_pool(x, boxes, 2), g)
    rhs = np.vdot(x, ps_roi_pool_backward(g, x, boxes, 2))
    assert lhs == pytest.approx(rhs, rel=1e-12, abs=1e-12)


def test_ps_channels_must_divide() -> None:
    with pytest.raises(
        roikit.InputError,
        match="input has 5 channels; position-sensitive pooling with output_size 2x2 needs a multiple of 4",
    ):
        ps_roi_align(np.zeros((1, 5, 4, 4)), np.zeros((1, 5)), 2)


# ----------------------------------------------------------------------------- ONNX


def _ort(op: str, attrs: dict, inputs: dict, dtype, opset: int):  # type: ignore[no-untyped-def]
    names = list(inputs)
    node = helper.make_node(op, names, ["Y"], **attrs)
    infos = [
        helper.make_tensor_value_info(
            n, TensorProto.INT64 if v.dtype == np.int64 else _T[dtype], list(v.shape)
        )
        for n, v in inputs.items()
    ]
    out = helper.make_tensor_value_info("Y", _T[dtype], ["K", "C", "PH", "PW"])
    graph = helper.make_graph([node], op, infos, [out])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = min(model.ir_version, 10)
    onnx.checker.check_model(model)
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(None, inputs)[0]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    ("opset", "ctm"), [(10, "output_half_pixel"), (16, "half_pixel"), (16, "output_half_pixel")]
)  # opset 10 has no ctm
@pytest.mark.parametrize("mode", ["avg", "max"])
@pytest.mark.parametrize("sr", [0, 2])
def test_onnx_roi_align_matches_onnxruntime(rng, dtype, opset, mode, ctm, sr):  # type: ignore[no-untyped-def]
    x = rng.standard_normal((2, 3, 9, 8)).astype(dtype)
    boxes = random_boxes(rng, 40, 2, -3, 11).astype(dtype)
    boxes[:, 3:] = np.maximum(boxes[:, 3:], boxes[:, 1:3])  # ORT crashes on inverted aligned boxes
    rois, idx = np.ascontiguousarray(boxes[:, 1:]), boxes[:, 0].astype(np.int64)
    attrs = dict(mode=mode, output_height=3, output_width=2, sampling_ratio=sr, spatial_scale=0.7)
    if opset >= 16:
        attrs["coordinate_transformation_mode"] = ctm
    ref = _ort("RoiAlign", attrs, {"X": x, "rois": rois, "batch_indices": idx}, dtype, opset)
    ours = onnx_roi_align(x, rois, idx, 3, 2, sr, 0.7, mode, ctm if opset >= 16 else None, opset)
    assert_close(ours, ref, dtype)


def test_onnx_max_is_onnxruntimes_weighted_corner_max() -> None:
    x = np.full((1, 1, 4, 4), 10.0, np.float32)
    rois, idx = np.array([[1.0, 1.0, 3.0, 3.0]], np.float32), np.array([0])
    ref = _ort(
        "RoiAlign",
        dict(mode="max", output_height=1, output_width=1, sampling_ratio=1),
        {"X": x, "rois": rois, "batch_indices": idx},
        np.float32,
        16,
    )
    assert ref[0, 0, 0, 0] == 2.5 == onnx_roi_align(x, rois, idx, sampling_ratio=1, mode="max")[0, 0, 0, 0]
    # The max of interpolated samples (mmcv, roikit's roi_align mode="max") is 10.
    assert roikit.roi_align(x, np.array([[0, 1, 1, 3, 3]], np.float32), 1, 1.0, 1, True, "max") == 10


@pytest.mark.parametrize("dtype", [np.float32])  # ORT's CPU MaxRoiPool is float32 only
def test_onnx_max_roi_pool_matches_onnxruntime(rng, dtype):  # type: ignore[no-untyped-def]
    x = rng.standard_normal((2, 3, 9, 8)).astype(dtype)
    boxes = hostile_boxes(rng, 2, 9, 8, dtype)
    boxes = boxes[(boxes[:, 3] >= boxes[:, 1]) & (boxes[:, 4] >= boxes[:, 2])]
    ref = _ort("MaxRoiPool", dict(pooled_shape=[3, 2], spatial_scale=0.5), {"X": x, "rois": boxes}, dtype, 16)
    np.testing.assert_array_equal(onnx_max_roi_pool(x, boxes, (3, 2), 0.5), ref)


def test_onnx_argument_errors() -> None:
    x = np.zeros((1, 1, 4, 4), np.float32)
    r = np.zeros((1, 4), np.float32)
    with pytest.raises(roikit.ParameterError, match="does not exist in opset 10"):
        onnx_roi_align(x, r, np.array([0]), coordinate_transformation_mode="half_pixel", opset=10)
    with pytest.raises(roikit.BoxError, match=r"batch_indices must have shape \(1,\)"):
        onnx_roi_align(x, r, np.array([0, 0]))
    with pytest.raises(roikit.BoxError, match="batch_indices must be integers"):
        onnx_roi_align(x, r, np.array([0.0]))
    with pytest.raises(roikit.ParameterError, match="coordinate_transformation_mode must be"):
        onnx_roi_align(x, r, np.array([0]), coordinate_transformation_mode="asymmetric")


# ----------------------------------------------------------------------------- FPN


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("sr", [-1, 2])
def test_multiscale_roi_align_matches_torchvision(rng, dtype, sr):  # type: ignore[no-untyped-def]
    from collections import OrderedDict

    from roikit.ops.poolers import multiscale_roi_align

    feats = [rng.standard_normal((2, 3, 64 // 2**i, 60 // 2**i)).astype(dtype) for i in range(4)]
    image_sizes = [(256, 240), (250, 230)]
    sizes = np.exp(rng.uniform(np.log(4), np.log(400), (30, 2)))
    x1y1 = rng.uniform(-20, 240, (30, 2))
    per_image = [np.column_stack([x1y1, x1y1 + sizes])[i::2].astype(dtype) for i in range(2)]
    per_image[1][0, 2] = per_image[1][0, 0] - 5  # x inverted: negative area, no level, zeros
    m = torchvision.ops.MultiScaleRoIAlign(["p2", "p3", "p4", "p5"], (3, 2), sr)
    x = OrderedDict((f"p{i + 2}", torch.from_numpy(f)) for i, f in enumerate(feats))
    ref = m(x, [torch.from_numpy(b) for b in per_image], image_sizes).numpy()
    ours, levels = multiscale_roi_align(feats, per_image, image_sizes, (3, 2), sr, return_levels=True)
    assert_close(ours, ref, dtype)
    tv_levels = m.map_levels([torch.from_numpy(b) for b in per_image]).numpy()
    assigned = levels >= 0
    np.testing.assert_array_equal(levels[assigned], tv_levels[assigned])
    assert len(set(levels[assigned])) >= 3  # the boxes really spread over the pyramid
    assert (~assigned).sum() == 1 and np.all(ours[~assigned] == 0)


def test_fpn_level_rules_by_hand() -> None:
    from roikit.ops.poolers import assign_fpn_levels

    # sqrt(area) = 112: log2(112/224) = -1 -> level 3 -> index 1 (k_min 2) in both rules.
    # sqrt(area) = 223.99998: torchvision's +1e-6 after the log gives floor(4 - 1.5e-7 + 1e-6)
    # = 4; detectron2's +1e-8 inside the log gives floor(4 + log2(0.99999993)) = 3.
    b = np.array([[0, 0, 112, 112], [0, 0, 223.99998, 224.0]], np.float64)
    np.testing.assert_array_equal(assign_fpn_levels(b, 2, 5, level_mapping="torchvision"), [1, 2])
    np.testing.assert_array_equal(assign_fpn_levels(b, 2, 5, level_mapping="detectron2"), [1, 1])
