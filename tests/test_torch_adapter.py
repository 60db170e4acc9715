"""roikit.torch: torchvision's numbers and gradients, custom-op checks, compile, a Mask R-CNN step."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import needs
import numpy as np
import pytest

torch, torchvision = needs.modules("parity", "torch", "torchvision")

import roikit
import roikit.torch as rt

pytestmark = pytest.mark.parity


def data(dtype: torch.dtype, seed: int = 0):  # type: ignore[no-untyped-def]
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(2, 18, 14, 13, generator=g, dtype=dtype)
    corners = torch.rand(20, 4, generator=g, dtype=torch.float64) * 16 - 2
    # x1 < x2 and y1 < y2: torchvision's CPU kernel fails on inverted boxes with adaptive
    # sampling and aligned=True (roikit returns the defined 0 there; tested elsewhere).
    lo, hi = torch.minimum(corners[:, :2], corners[:, 2:]), torch.maximum(corners[:, :2], corners[:, 2:])
    corners = torch.cat([lo, hi + 0.1], 1)
    batch = torch.randint(0, 2, (20, 1), generator=g).to(torch.float64)
    boxes = torch.cat([batch, corners], 1).to(dtype)
    return x, boxes


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("sr", [-1, 0, 1, 2])
@pytest.mark.parametrize("aligned", [False, True])
def test_roi_align_matches_torchvision_forward_and_gradient(dtype, sr, aligned) -> None:  # type: ignore[no-untyped-def]
    x, boxes = data(dtype)
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == torch.float32 else dict(rtol=1e-10, atol=1e-12)
    a = x.clone().requires_grad_()
    b = x.clone().requires_grad_()
    ours = rt.roi_align(a, boxes, (3, 2), 0.8, sr, aligned)
    ref = torchvision.ops.roi_align(b, boxes, (3, 2), 0.8, sr, aligned)
    torch.testing.assert_close(ours, ref, **tol)
    g = torch.randn_like(ref)
    ours.backward(g)
    ref.backward(g)
    torch.testing.assert_close(a.grad, b.grad, **tol)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_list_boxes_and_pool_and_ps_ops_match_torchvision(dtype) -> None:  # type: ignore[no-untyped-def]
    x, boxes = data(dtype, 1)
    per_image = [boxes[boxes[:, 0] == i, 1:] for i in range(2)]
    order = torch.cat([torch.where(boxes[:, 0] == i)[0] for i in range(2)])
    torch.testing.assert_close(
        rt.roi_align(x, per_image, 2, 0.5, 2), torchvision.ops.roi_align(x, per_image, 2, 0.5, 2)
    )
    a, b = x.clone().requires_grad_(), x.clone().requires_grad_()
    ours, ref = rt.roi_pool(a, boxes, 3, 0.7), torchvision.ops.roi_pool(b, boxes, 3, 0.7)
    torch.testing.assert_close(ours, ref, rtol=0, atol=0)
    ours.sum().backward()
    ref.sum().backward()
    torch.testing.assert_close(a.grad, b.grad, rtol=0, atol=0)
    inside = boxes.clone()
    inside[:, 1:] = inside[:, 1:].clamp(1, 9)
    inside[:, 3:] = inside[:, 1:3] + 2  # boxes on the map: torchvision's adaptive grid is never empty
    torch.testing.assert_close(
        rt.ps_roi_align(x, inside, 3, 1.0, 2), torchvision.ops.ps_roi_align(x, inside, 3, 1.0, 2)
    )
    torch.testing.assert_close(
        rt.ps_roi_pool(x, inside, 3, 1.0), torchvision.ops.ps_roi_pool(x, inside, 3, 1.0)
    )
    _, mapping = torch.ops.roikit.ps_roi_align(x, inside, 1.0, 3, 3, 2)
    _, ref_mapping = torch.ops.torchvision.ps_roi_align(x, inside, 1.0, 3, 3, 2)
    assert torch.equal(mapping, ref_mapping)
    assert order.numel() == boxes.shape[0]


def test_roi_pool_argmax_is_torchvisions() -> None:
    x, boxes = data(torch.float32, 2)
    out, argmax = torch.ops.roikit.roi_pool(x, boxes, 0.7, 3, 3)
    ref, ref_argmax = torch.ops.torchvision.roi_pool(x, boxes, 0.7, 3, 3)
    assert torch.equal(out, ref) and torch.equal(argmax, ref_argmax)


def test_gradcheck_in_float64() -> None:
    x, boxes = data(torch.float64, 3)
    x = x[:, :2].clone().requires_grad_()
    assert torch.autograd.gradcheck(lambda t: rt.roi_align(t, boxes[:4], 2, 0.8, 2, True), (x,))
    assert torch.autograd.gradcheck(lambda t: rt.roi_pool(t, boxes[:4], 2, 0.8), (x,))
    y = torch.randn(2, 8, 10, 10, dtype=torch.float64, requires_grad=True)
    inside = torch.tensor([[0, 1.0, 1.5, 7, 8], [1, 2, 2, 6, 9]], dtype=torch.float64)
    assert torch.autograd.gradcheck(lambda t: rt.ps_roi_align(t, inside, 2, 1.0, 2), (y,))
    assert torch.autograd.gradcheck(lambda t: rt.ps_roi_pool(t, inside, 2, 1.0), (y,))


@pytest.mark.parametrize(
    "name,args",
    [
        ("roi_align", lambda x, b: (x, b, 0.8, 3, 2, 2, True)),
        ("roi_pool", lambda x, b: (x, b, 0.8, 3, 2)),
        ("ps_roi_align", lambda x, b: (x, b, 0.8, 3, 2, 2)),
        ("ps_roi_pool", lambda x, b: (x, b, 0.8, 3, 2)),
    ],
)
def test_opcheck(name, args) -> None:  # type: ignore[no-untyped-def]
    x, boxes = data(torch.float64, 4)
    torch.library.opcheck(getattr(torch.ops.roikit, name).default, args(x, boxes))


def test_torch_compile_fullgraph_traces_through() -> None:
    x, boxes = data(torch.float32, 5)

    def f(t: torch.Tensor) -> torch.Tensor:
        return (rt.roi_align(t, boxes, 2, 0.8, 2, True) * 2).sum() + rt.roi_pool(t, boxes, 2, 0.8).sum()

    compiled = torch.compile(f, fullgraph=True, backend="aot_eager")
    a, b = x.clone().requires_grad_(), x.clone().requires_grad_()
    torch.testing.assert_close(compiled(a), f(b))
    compiled(a).backward()
    f(b).backward()
    torch.testing.assert_close(a.grad, b.grad)


def test_half_precision_and_cuda_and_errors() -> None:
    x, boxes = data(torch.float32, 6)
    for dtype in (torch.float16, torch.bfloat16):
        out = rt.roi_align(x.to(dtype), boxes, 2, 0.8, 2)
        assert out.dtype == dtype
        torch.testing.assert_close(
            out.float(), rt.roi_align(x.to(dtype).float(), boxes, 2, 0.8, 2), rtol=1e-2, atol=1e-2
        )
    # Integer maps are refused as torchvision and the numpy API refuse them (they came back truncated).
    for dtype in (torch.uint8, torch.int64):
        with pytest.raises(roikit.DTypeError, match=f"input has dtype {dtype}; it must be float16, bfloat16"):
            rt.roi_align(x.to(dtype), boxes, 2, 0.8, 2)
    with pytest.raises(roikit.DTypeError, match="input has dtype torch.int32"):
        rt.roi_pool(x.to(torch.int32), boxes, 2, 0.8)


class _OnDevice:
    """A stand-in for a CUDA tensor on a machine without a GPU: only its device is read."""

    def __init__(self, shape: tuple[int, ...], device: str = "cuda") -> None:
        self.device, self.shape = torch.device(device), shape


@pytest.mark.parametrize(
    "op,route,args,forwarded",
    [
        ("_roi_align", "roi_align", (0.5, 3, 4, 2, True), (0.5, 3, 4, 2, True)),
        (
            "_roi_align_backward",
            "roi_align_backward",
            (0.5, 3, 4, 2, True),
            (0.5, 3, 4, 5, 6, 7, 8, 2, True),
        ),
        ("_roi_pool", "roi_pool", (0.5, 3, 4), (0.5, 3, 4)),
        ("_ps_roi_align", "ps_roi_align", (0.5, 3, 4, 2), (0.5, 3, 4, 2)),
    ],
)
def test_tensors_on_other_devices_go_to_torchvisions_kernels(op, route, args, forwarded, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls = []

    def kernel(*a):  # type: ignore[no-untyped-def]
        calls.append(a)
        return ("out", "argmax")

    monkeypatch.setitem(rt.ROUTES, route, lambda: kernel)
    x, rois, grad = _OnDevice((5, 6, 7, 8)), object(), object()
    fn = getattr(rt, op)._init_fn
    result = fn(grad, x, rois, *args) if "backward" in op else fn(x, rois, *args)
    assert result == "out" or result == ("out", "argmax")
    head = (grad, rois) if "backward" in op else (x, rois)
    assert calls == [(*head, *forwarded)]
    assert rt.routed(x) and not rt.routed(torch.zeros(1))


def test_roikit_uses_the_threads_torch_is_told_to(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    seen = []
    real = rt.align_ops.roi_align

    def spy(*a, **k):  # type: ignore[no-untyped-def]
        seen.append(roikit.threads.get_num_threads())
        return real(*a, **k)

    monkeypatch.setattr(rt.align_ops, "roi_align", spy)
    x, boxes = data(torch.float32, 6)
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)  # as in a DataLoader worker
        rt.roi_align(x, boxes, 2, 0.8, 2)
    finally:
        torch.set_num_threads(before)
    assert seen == [1]
    assert roikit.threads.get_num_threads() >= 1  # the limit ended with the call


def test_a_mask_rcnn_training_step_is_the_same_with_roikits_poolers() -> None:
    from torchvision.models.detection import maskrcnn_resnet50_fpn

    def step(swap: bool) -> tuple[dict[str, float], torch.Tensor]:
        torch.manual_seed(0)
        model = maskrcnn_resnet50_fpn(
            weights=None, weights_backbone=None, num_classes=3, min_size=160, max_size=160
        )
        if swap:
            old_box, old_mask = model.roi_heads.box_roi_pool, model.roi_heads.mask_roi_pool
            model.roi_heads.box_roi_pool = rt.MultiScaleRoIAlign(
                old_box.featmap_names, old_box.output_size, old_box.sampling_ratio
            )
            model.roi_heads.mask_roi_pool = rt.MultiScaleRoIAlign(
                old_mask.featmap_names, old_mask.output_size, old_mask.sampling_ratio
            )
        model.train()
        g = torch.Generator().manual_seed(1)
        images = [torch.rand(3, 160, 160, generator=g)]
        masks = torch.zeros(2, 160, 160, dtype=torch.uint8)
        masks[0, 20:80, 30:90] = 1
        masks[1, 90:150, 60:140] = 1
        targets = [
            {
                "boxes": torch.tensor([[30.0, 20, 90, 80], [60, 90, 140, 150]]),
                "labels": torch.tensor([1, 2]),
                "masks": masks,
            }
        ]
        losses = model(images, targets)
        total = sum(losses.values())
        total.backward()
        grad = model.roi_heads.box_head.fc6.weight.grad.clone()
        return {k: float(v.detach()) for k, v in losses.items()}, grad

    ref_losses, ref_grad = step(False)
    our_losses, our_grad = step(True)
    assert ref_losses.keys() == our_losses.keys()
    for k in ref_losses:
        assert our_losses[k] == pytest.approx(ref_losses[k], rel=1e-4, abs=1e-5), k
    torch.testing.assert_close(our_grad, ref_grad, rtol=1e-3, atol=1e-5)


def test_dataloader_workers_use_roikit_torch() -> None:
    code = textwrap.dedent("""
        import torch
        from torch.utils.data import DataLoader, Dataset
        import roikit.torch as rt

        class Crops(Dataset):
            def __len__(self):
                return 6
            def __getitem__(self, i):
                x = torch.arange(64.0).reshape(1, 1, 8, 8) + i
                return rt.roi_align(x, torch.tensor([[0.0, 1, 1, 6, 6]]), 2, 1.0, 2)

        if __name__ == "__main__":
            rt.roi_align(torch.zeros(1, 1, 4, 4), torch.tensor([[0.0, 0, 0, 2, 2]]), 1)  # used first
            serial = [Crops()[i] for i in range(6)]
            got = list(DataLoader(Crops(), batch_size=None, num_workers=2,
                                  multiprocessing_context="fork", timeout=120))
            assert all(torch.equal(a, b) for a, b in zip(serial, got))
            print("OK")
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0 and "OK" in proc.stdout, proc.stdout + proc.stderr


def test_zero_copy_input() -> None:
    x = torch.rand(1, 2, 5, 5)
    shared = rt._np(x, "input")
    assert np.shares_memory(shared, x.numpy())


SCRIPT_WARNING = "ignore:`torch.jit.script` is deprecated:FutureWarning"


@pytest.mark.filterwarnings(SCRIPT_WARNING)
def test_the_modules_script_and_fx_trace_as_torchvisions_do() -> None:
    x, boxes = data(torch.float32, 6)
    listed = [boxes[boxes[:, 0] == i, 1:] for i in range(x.shape[0])]
    for module in (rt.RoIAlign(3, 0.8, 2, True), rt.RoIPool((2, 3), 0.8), rt.PSRoIAlign(2, 0.8, 2)):
        feat = x.repeat(1, 4, 1, 1) if isinstance(module, rt.PSRoIAlign) else x
        scripted = torch.jit.script(module)
        traced = torch.fx.symbolic_trace(module)
        want = module(feat, boxes)
        assert torch.equal(scripted(feat, boxes), want)
        assert torch.equal(scripted(feat, listed), module(feat, listed))  # boxes grouped by image
        assert torch.equal(traced(feat, boxes), want)
    pooler = rt.MultiScaleRoIAlign(["0", "1"], 7, 2)
    feats = {"0": torch.randn(1, 4, 32, 32), "1": torch.randn(1, 4, 16, 16)}
    bx = [torch.tensor([[1.0, 2, 60, 50], [3, 4, 20, 20.0], [0, 0, 120, 110]])]
    want = pooler(feats, bx, [(128, 128)])
    assert torch.equal(torch.jit.script(pooler)(feats, bx, [(128, 128)]), want)
    traced = torch.fx.symbolic_trace(rt.MultiScaleRoIAlign(["0", "1"], 7, 2))
    assert torch.equal(traced(feats, bx, [(128, 128)]), want)
    ref = torchvision.ops.MultiScaleRoIAlign(["0", "1"], 7, 2)(feats, bx, [(128, 128)])
    torch.testing.assert_close(want, ref, rtol=2e-5, atol=2e-5)


def _small_mask_rcnn():  # type: ignore[no-untyped-def]
    """An untrained 128-px Mask R-CNN with roikit's box and mask poolers, whose heads see boxes."""
    from torchvision.models.detection import maskrcnn_resnet50_fpn

    torch.manual_seed(0)
    model = maskrcnn_resnet50_fpn(
        weights=None, weights_backbone=None, num_classes=3, min_size=128, max_size=128
    )
    model.roi_heads.box_roi_pool = rt.MultiScaleRoIAlign(["0", "1", "2", "3"], 7, 2)
    model.roi_heads.mask_roi_pool = rt.MultiScaleRoIAlign(["0", "1", "2", "3"], 14, 2)
    model.rpn._post_nms_top_n["testing"], model.roi_heads.score_thresh = 50, 0.0  # boxes reach the heads
    model.eval()
    return model


@pytest.mark.filterwarnings(SCRIPT_WARNING)
@pytest.mark.filterwarnings(
    "ignore:RCNN always returns a \\(Losses, Detections\\) tuple in scripting:UserWarning"
)
def test_a_whole_mask_rcnn_with_roikits_poolers_scripts() -> None:
    model = _small_mask_rcnn()
    image = [torch.rand(3, 128, 128)]
    with torch.no_grad():
        eager = model(image)[0]
        scripted = torch.jit.script(model)(image)[1][0]
    assert eager["boxes"].shape[0] > 0
    for key in ("boxes", "scores", "labels", "masks"):
        torch.testing.assert_close(scripted[key], eager[key])


class _Pooled(torch.nn.Module):
    """A small model: a conv, roikit's RoIAlign on it, and a multi-level pooler."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, 3, padding=1)
        self.align = rt.RoIAlign((3, 2), 0.5, 2, True)

    def forward(self, x: torch.Tensor, rois: torch.Tensor) -> torch.Tensor:
        return self.align(self.conv(x), rois).relu()


def _legacy_export(model, args, f) -> None:  # type: ignore[no-untyped-def]
    import warnings

    with warnings.catch_warnings():  # torch deprecates its TorchScript-based exporter, and says so
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(model, args, f, opset_version=16, dynamo=False)


def _onnx_run(model_bytes_or_path, *inputs):  # type: ignore[no-untyped-def]
    import onnxruntime as ort

    session = ort.InferenceSession(model_bytes_or_path, providers=["CPUExecutionProvider"])
    feeds = {i.name: v.numpy() for i, v in zip(session.get_inputs(), inputs, strict=True)}
    return session.run(None, feeds)[0]


@pytest.mark.filterwarnings(
    "ignore:You are using the legacy TorchScript-based ONNX export:DeprecationWarning"
)
@pytest.mark.parametrize("aligned", [True, False])
def test_onnx_export_with_the_torchscript_exporter_runs_in_onnxruntime(aligned) -> None:  # type: ignore[no-untyped-def]
    import io

    model = _Pooled().eval()
    model.align.aligned = aligned
    x = torch.rand(2, 3, 24, 20)
    rois = torch.tensor([[0, 1.0, 2, 30, 40], [1, 4.5, 3, 17, 12], [0, -3, -2, 8, 9]])
    f = io.BytesIO()
    _legacy_export(model, (x, rois), f)
    import onnx

    graph = onnx.load_from_string(f.getvalue()).graph
    assert "RoiAlign" in [n.op_type for n in graph.node]
    np.testing.assert_allclose(_onnx_run(f.getvalue(), x, rois), model(x, rois).detach().numpy(), atol=1e-5)
    pool = rt.RoIPool((2, 3), 0.5).eval()
    f = io.BytesIO()
    _legacy_export(pool, (x, rois), f)
    np.testing.assert_allclose(_onnx_run(f.getvalue(), x, rois), pool(x, rois).numpy(), atol=1e-6)


@pytest.mark.parametrize("aligned", [True, False])
def test_onnx_export_with_the_dynamo_exporter_runs_in_onnxruntime(aligned, tmp_path) -> None:  # type: ignore[no-untyped-def]
    model = _Pooled().eval()
    model.align.aligned = aligned
    x = torch.rand(2, 3, 24, 20)
    rois = torch.tensor([[0, 1.0, 2, 30, 40], [1, 4.5, 3, 17, 12], [0, -3, -2, 8, 9]])
    program = torch.onnx.export(
        model, (x, rois), dynamo=True, verbose=False, custom_translation_table=rt.onnx_translations()
    )
    path = str(tmp_path / "model.onnx")
    program.save(path)
    np.testing.assert_allclose(_onnx_run(path, x, rois), model(x, rois).detach().numpy(), atol=1e-5)


@pytest.mark.filterwarnings(SCRIPT_WARNING)
def test_rotated_roi_align_and_the_rotated_pooler() -> None:
    rng = np.random.default_rng(5)
    x = [
        torch.from_numpy(rng.standard_normal((2, 3, 64 // 2**i, 64 // 2**i))).double() for i in range(3)
    ]  # fmt: skip
    boxes = [
        torch.tensor([[30.0, 30, 50, 20, 30], [120, 120, 240, 200, -60], [20, 25, 12, 9, 90]]).double(),
        torch.tensor([[60.0, 50, 100, 80, 10]]).double(),
    ]
    pooler = rt.ROIPooler(4, (1 / 4, 1 / 8, 1 / 16), 0, "ROIAlignRotated")
    out = pooler(x, boxes)
    rois = torch.cat([torch.cat([torch.full((len(b), 1), float(i)), b], 1) for i, b in enumerate(boxes)])
    wh = rois[:, 3:5].numpy()
    levels = roikit.assign_fpn_levels(np.concatenate([0 * wh, wh], 1), 2, 4, 224, 4, "detectron2")
    assert len(set(levels.tolist())) > 1  # several levels, by the area w * h
    for k, level in enumerate(levels):  # each box against the numpy op on its level
        want = roikit.roi_align_rotated(
            x[level].numpy(), rois[k : k + 1].numpy(), 4, (1 / 4, 1 / 8, 1 / 16)[level], 0
        )
        np.testing.assert_allclose(out[k : k + 1].numpy(), want, rtol=1e-12, atol=1e-12)
    # The op's gradient is roikit's backward, checked by finite differences in float64.
    feat = torch.from_numpy(rng.standard_normal((1, 2, 9, 11))).requires_grad_()
    small = torch.tensor([[0, 5.0, 4, 6, 4, 30], [0, 3, 6, 8, 3, -75]], dtype=torch.float64)
    assert torch.autograd.gradcheck(lambda t: rt.roi_align_rotated(t, small, 3, 1.0, 2), (feat,))
    scripted = torch.jit.script(rt.ROIPooler(4, (1 / 4, 1 / 8, 1 / 16), 0, "ROIAlignRotated"))
    torch.testing.assert_close(scripted(x, boxes), out)
    with pytest.raises(
        ValueError, match=r"box_lists\[0\] must have shape \(L, 5\) rows \(cx, cy, w, h, angle\)"
    ):
        pooler(x, [torch.zeros(2, 4).double()])


def test_multiscale_roi_align_exports_with_the_dynamo_exporter(tmp_path) -> None:  # type: ignore[no-untyped-def]
    class Pyramid(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.pool = rt.MultiScaleRoIAlign(["0", "1"], 3, 2)

        def forward(self, f0: torch.Tensor, f1: torch.Tensor, boxes: torch.Tensor) -> torch.Tensor:
            return self.pool({"0": f0, "1": f1}, [boxes], [(64, 64)])

    model = Pyramid().eval()
    f0, f1 = torch.rand(1, 4, 16, 16), torch.rand(1, 4, 8, 8)
    boxes = torch.tensor([[1.0, 2, 30, 40], [4.5, 3, 60, 62], [0, 0, 10, 10]])  # both levels used
    program = torch.onnx.export(
        model, (f0, f1, boxes), dynamo=True, verbose=False, custom_translation_table=rt.onnx_translations()
    )
    path = str(tmp_path / "pyramid.onnx")
    program.save(path)
    np.testing.assert_allclose(_onnx_run(path, f0, f1, boxes), model(f0, f1, boxes).numpy(), atol=1e-6)


def test_a_whole_mask_rcnn_with_roikits_poolers_exports_to_onnx() -> None:
    import io
    import warnings

    import onnx
    import onnxruntime as ort

    model = _small_mask_rcnn()
    image = torch.rand(3, 128, 128)
    with torch.no_grad():
        eager = model([image])[0]
    f = io.BytesIO()
    with warnings.catch_warnings():  # the tracer's warnings on torchvision's detection code, and the
        warnings.simplefilter("ignore")  # exporter's own deprecation: as with torchvision's poolers
        torch.onnx.export(model, ([image],), f, opset_version=16, dynamo=False)
    ops = {n.op_type for n in onnx.load_from_string(f.getvalue()).graph.node}
    assert "RoiAlign" in ops and not any("roikit" in op for op in ops), ops
    options = ort.SessionOptions()
    options.log_severity_level = 3  # the masks' loop output has a dynamic first dimension; ORT warns
    session = ort.InferenceSession(f.getvalue(), options, providers=["CPUExecutionProvider"])
    boxes, labels, scores, masks = session.run(None, {session.get_inputs()[0].name: image.numpy()})
    assert len(boxes) == len(eager["boxes"]) > 0
    # As close as torchvision's own poolers' export (measured: 1.8e-3 px, 6e-7, 1.1e-3 on this model).
    np.testing.assert_array_equal(labels, eager["labels"].numpy())
    np.testing.assert_allclose(boxes, eager["boxes"].numpy(), atol=5e-3)
    np.testing.assert_allclose(scores, eager["scores"].numpy(), atol=1e-5)
    np.testing.assert_allclose(masks, eager["masks"].numpy(), atol=5e-3)


@pytest.mark.filterwarnings(SCRIPT_WARNING)
def test_max_mode_is_mmcvs_with_roikits_backward_and_no_onnx_export() -> None:
    x, boxes = data(torch.float64, 6)
    module = rt.RoIAlign(3, 0.8, 2, True, mode="max")
    out = module(x, boxes)
    want = roikit.roi_align(x.numpy(), boxes.numpy(), 3, 0.8, 2, True, "max")
    np.testing.assert_array_equal(out.numpy(), want)
    assert torch.equal(torch.jit.script(module)(x, boxes), out)
    xr = x.clone().requires_grad_()
    assert torch.autograd.gradcheck(lambda t: rt.roi_align(t, boxes, 3, 0.8, 2, True, "max"), (xr,))
    with pytest.raises(ValueError, match="mode must be 'avg' or 'max'; got 'mean'"):
        rt.roi_align(x, boxes, 3, mode="mean")
    with pytest.raises(Exception, match="has no ONNX operator: ONNX's RoiAlign mode='max' takes"):
        torch.onnx.export(
            module.float().eval(),
            (x.float(), boxes.float()),
            dynamo=True,
            verbose=False,
            custom_translation_table=rt.onnx_translations(),
        )


@pytest.mark.filterwarnings(SCRIPT_WARNING)
@pytest.mark.parametrize("pooler_type", ["ROIAlign", "ROIAlignV2", "ROIPool"])
def test_the_detectron2_style_pooler(pooler_type) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(4)
    x = [
        torch.from_numpy(rng.standard_normal((2, 3, 64 // 2**i, 64 // 2**i)).astype(np.float32))
        for i in range(3)
    ]
    boxes = [
        torch.tensor([[4.0, 4, 60, 60], [0, 0, 250, 250], [10, 20, 40, 33]]),
        torch.tensor([[1.0, 2, 120, 90]]),
    ]
    pooler = rt.ROIPooler(5, (1 / 4, 1 / 8, 1 / 16), 2, pooler_type)
    out = pooler(x, boxes)
    rois = torch.cat([torch.cat([torch.full((len(b), 1), float(i)), b], 1) for i, b in enumerate(boxes)])
    levels = roikit.assign_fpn_levels(rois[:, 1:].numpy(), 2, 4, 224, 4, "detectron2")
    assert len(set(levels.tolist())) > 1  # the boxes use several levels
    for k, level in enumerate(levels):  # each box as its own call on its level
        feat, scale = x[level], (1 / 4, 1 / 8, 1 / 16)[level]
        if pooler_type == "ROIPool":
            want = torchvision.ops.roi_pool(feat, rois[k : k + 1], 5, scale)
        else:
            want = torchvision.ops.roi_align(feat, rois[k : k + 1], 5, scale, 2, pooler_type == "ROIAlignV2")
        torch.testing.assert_close(out[k : k + 1], want, rtol=2e-5, atol=2e-5)
    if pooler_type == "ROIAlignV2":  # the numpy pyramid op with detectron2's mapping agrees
        ref = roikit.multiscale_roi_align(
            [f.numpy() for f in x], rois.numpy(), [(256, 256)], 5, 2, level_mapping="detectron2", aligned=True
        )
        np.testing.assert_allclose(out.numpy(), ref, rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(torch.jit.script(pooler)(x, boxes), out)  # it scripts, as detectron2's does
    feats = [f.clone().requires_grad_() for f in x]
    pooler(feats, boxes).sum().backward()
    assert all(f.grad is not None for f in feats) and sum(float(f.grad.abs().sum()) for f in feats) > 0
    with pytest.raises(
        ValueError, match="pooler_type must be 'ROIAlign', 'ROIAlignV2', 'ROIPool' or 'ROIAlignR"
    ):
        rt.ROIPooler(5, (1 / 4,), 2, "ROIAlignRotate")
    with pytest.raises(ValueError, match="scales must be powers of 1/2, finest first"):
        rt.ROIPooler(5, (1 / 8, 1 / 4), 2, "ROIAlign")
