"""roikit inside PyTorch: custom operators and modules that drop into torchvision models.

``pip install 'roikit[torch]'``. The functions and modules have
``torchvision.ops``' signatures and numbers; underneath they are custom
operators registered with :func:`torch.library.custom_op` under the
``roikit`` namespace, with torchvision's schemas:

* ``torch.ops.roikit.roi_align(input, rois, spatial_scale, pooled_height, pooled_width,
  sampling_ratio, aligned) -> Tensor``
* ``torch.ops.roikit.roi_pool(input, rois, spatial_scale, pooled_height, pooled_width)
  -> (Tensor output, Tensor argmax)``
* ``torch.ops.roikit.ps_roi_align(...) -> (Tensor output, Tensor channel_mapping)`` and
  ``torch.ops.roikit.ps_roi_pool(...)`` likewise

Each has a fake (meta) implementation, so ``torch.compile(fullgraph=True)``
and ``torch.export`` trace through it, and autograd on roikit's
deterministic backward (itself a custom operator). roikit computes on the
CPU; a tensor on any other device (CUDA) goes to torchvision's kernel of the
same schema (:data:`ROUTES`), so a model moved with ``.cuda()`` keeps
working. On the CPU, roikit's kernels use ``torch.get_num_threads()`` threads
(so a DataLoader worker, which torch gives one, runs one). float16 and
bfloat16 compute in float32 and return their dtype; integer maps are refused,
as torchvision and roikit's numpy API refuse them. Tensors are shared
with numpy without a copy where the layout allows.

Examples
--------
>>> import torch
>>> from roikit.torch import roi_align
>>> x = torch.arange(16.0).reshape(1, 1, 4, 4)
>>> roi_align(x, torch.tensor([[0.0, 0, 0, 2, 2]]), 1, sampling_ratio=1)
tensor([[[[5.]]]])
"""

from __future__ import annotations

from typing import Any, List, Optional, Union  # noqa: UP035 (TorchScript reads typing's names)

import numpy as np
import torch
import torchvision
from torch import Tensor
from torch.jit.annotations import BroadcastingList2
from torch.nn.modules.utils import _pair
from torchvision.ops import poolers as _poolers
from torchvision.ops._utils import convert_boxes_to_roi_format

from .engine import execute
from .engine.threads import limit_threads
from .errors import DTypeError, InputError
from .ops import ps as ps_ops
from .ops import roi_align as align_ops
from .ops import roi_pool as pool_ops
from .ops import rotated as rotated_ops
from .ops.poolers import assign_fpn_levels

__all__ = [
    "MultiScaleRoIAlign",
    "ROIPooler",
    "onnx_translations",
    "PSRoIAlign",
    "PSRoIPool",
    "RoIAlign",
    "RoIPool",
    "ps_roi_align",
    "ps_roi_pool",
    "roi_align",
    "roi_align_rotated",
    "roi_pool",
]

_FLOAT = (torch.float32, torch.float64)


#: What torchvision's ops accept (an integer map would come back truncated).
_ACCEPTED = (torch.float16, torch.bfloat16, torch.float32, torch.float64)


def _np(t: Tensor, name: str) -> np.ndarray:
    """A CPU tensor as numpy, without a copy when it is float32/64 and contiguous (or channels_last)."""
    if t.device.type != "cpu":  # not reached from the ops, which route other devices to torchvision
        raise InputError(f"{name} is on {t.device}; roikit computes on the CPU (move it with .cpu())")
    if t.dtype not in _ACCEPTED:
        raise DTypeError(
            f"{name} has dtype {t.dtype}; it must be float16, bfloat16, float32 or float64 "
            f"(convert integer images with .float())"
        )
    t = t.detach()
    if t.dtype not in _FLOAT:  # float16 and bfloat16 compute in float32
        t = t.to(torch.float32)
    if t.dim() == 4 and t.is_contiguous(memory_format=torch.channels_last):
        return t.numpy()  # an (N, C, H, W) view of NHWC memory: the kernels read it in place
    return t.contiguous().numpy()


def _out(a: np.ndarray, like: Tensor) -> Tensor:
    return torch.from_numpy(np.ascontiguousarray(a)).to(like.dtype)


def _rois(rois: Tensor, like: Tensor) -> np.ndarray:
    """Boxes in the dtype the features compute in (float64 stays float64, the rest float32)."""
    return _np(rois, "rois").astype(np.float64 if like.dtype == torch.float64 else np.float32)


# ----------------------------------------------------------------------------- devices, threads

#: torchvision's kernels for tensors roikit does not compute on (CUDA and any other non-CPU device):
#: the same schemas, so a model moved with ``.cuda()`` keeps working. A table, so that the routing
#: can be tested where no GPU exists.
ROUTES: dict[str, Any] = {
    "roi_align": lambda: torch.ops.torchvision.roi_align,
    "roi_align_backward": lambda: torch.ops.torchvision._roi_align_backward,
    "roi_pool": lambda: torch.ops.torchvision.roi_pool,
    "roi_pool_backward": lambda: torch.ops.torchvision._roi_pool_backward,
    "ps_roi_align": lambda: torch.ops.torchvision.ps_roi_align,
    "ps_roi_align_backward": lambda: torch.ops.torchvision._ps_roi_align_backward,
    "ps_roi_pool": lambda: torch.ops.torchvision.ps_roi_pool,
    "ps_roi_pool_backward": lambda: torch.ops.torchvision._ps_roi_pool_backward,
}


def routed(input: Tensor) -> bool:
    """Whether a call on ``input`` goes to torchvision's kernel (its device is not the CPU)."""
    return input.device.type != "cpu"


def _host_threads() -> Any:
    """The threads torch is told to use, for roikit's kernels (a DataLoader worker: one)."""
    return limit_threads(max(int(torch.get_num_threads()), 1))


def _sizes(input: Tensor) -> tuple[int, int, int, int]:
    n, c, h, w = input.shape
    return int(n), int(c), int(h), int(w)


# ----------------------------------------------------------------------------- RoI Align


@torch.library.custom_op("roikit::roi_align", mutates_args=())
def _roi_align(
    input: Tensor,
    rois: Tensor,
    spatial_scale: float,
    pooled_height: int,
    pooled_width: int,
    sampling_ratio: int,
    aligned: bool,
) -> Tensor:
    if routed(input):
        return ROUTES["roi_align"]()(
            input, rois, spatial_scale, pooled_height, pooled_width, sampling_ratio, aligned
        )
    return _align_on_cpu(
        input, rois, spatial_scale, pooled_height, pooled_width, sampling_ratio, aligned, "avg"
    )


def _align_on_cpu(
    input: Tensor, rois: Tensor, scale: float, ph: int, pw: int, sr: int, aligned: bool, mode: str
) -> Tensor:
    x = _np(input, "input")
    with _host_threads():
        out = align_ops.roi_align(x, _rois(rois, input), (ph, pw), scale, sr, aligned, mode)
    return _out(out, input)


def _align_grad_on_cpu(
    grad: Tensor,
    input: Tensor,
    rois: Tensor,
    scale: float,
    ph: int,
    pw: int,
    sr: int,
    aligned: bool,
    mode: str,
) -> Tensor:
    x = _np(input, "input")
    g = _np(grad, "grad").astype(x.dtype, copy=False)
    with _host_threads():
        out = align_ops.roi_align_backward(g, x, _rois(rois, input), (ph, pw), scale, sr, aligned, mode)
    return _out(out, input)


@_roi_align.register_fake
def _align_fake(
    input: Tensor,
    rois: Tensor,
    spatial_scale: float,
    pooled_height: int,
    pooled_width: int,
    sampling_ratio: int,
    aligned: bool,
) -> Tensor:
    return input.new_empty((rois.shape[0], input.shape[1], pooled_height, pooled_width))


@torch.library.custom_op("roikit::roi_align_backward", mutates_args=())
def _roi_align_backward(
    grad: Tensor,
    input: Tensor,
    rois: Tensor,
    spatial_scale: float,
    pooled_height: int,
    pooled_width: int,
    sampling_ratio: int,
    aligned: bool,
) -> Tensor:
    if routed(input):
        n, c, h, w = _sizes(input)
        return ROUTES["roi_align_backward"]()(
            grad, rois, spatial_scale, pooled_height, pooled_width, n, c, h, w, sampling_ratio, aligned
        )
    args = (spatial_scale, pooled_height, pooled_width, sampling_ratio, aligned)
    return _align_grad_on_cpu(grad, input, rois, *args, "avg")


@_roi_align_backward.register_fake
def _align_grad_fake(
    grad: Tensor,
    input: Tensor,
    rois: Tensor,
    spatial_scale: float,
    pooled_height: int,
    pooled_width: int,
    sampling_ratio: int,
    aligned: bool,
) -> Tensor:
    return torch.empty_like(input)


def _align_setup(ctx: Any, inputs: tuple[Any, ...], output: Any) -> None:
    input, rois, *params = inputs
    ctx.save_for_backward(input, rois)
    ctx.params = params


def _align_grad(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
    input, rois = ctx.saved_tensors
    return (_roi_align_backward(grad, input, rois, *ctx.params), None, None, None, None, None, None)


_roi_align.register_autograd(_align_grad, setup_context=_align_setup)


# mmcv's max mode (pool_mode='max'): the max of each bin's interpolated points, with roikit's
# deterministic backward. torchvision has no such op, so no other device is routed.
@torch.library.custom_op("roikit::roi_align_max", mutates_args=())
def _roi_align_max(
    input: Tensor,
    rois: Tensor,
    spatial_scale: float,
    pooled_height: int,
    pooled_width: int,
    sampling_ratio: int,
    aligned: bool,
) -> Tensor:
    return _align_on_cpu(
        input, rois, spatial_scale, pooled_height, pooled_width, sampling_ratio, aligned, "max"
    )


@torch.library.custom_op("roikit::roi_align_max_backward", mutates_args=())
def _roi_align_max_backward(
    grad: Tensor,
    input: Tensor,
    rois: Tensor,
    spatial_scale: float,
    pooled_height: int,
    pooled_width: int,
    sampling_ratio: int,
    aligned: bool,
) -> Tensor:
    args = (spatial_scale, pooled_height, pooled_width, sampling_ratio, aligned)
    return _align_grad_on_cpu(grad, input, rois, *args, "max")


_roi_align_max.register_fake(_align_fake)
_roi_align_max_backward.register_fake(_align_grad_fake)


def _align_max_grad(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
    input, rois = ctx.saved_tensors
    return (_roi_align_max_backward(grad, input, rois, *ctx.params), None, None, None, None, None, None)


_roi_align_max.register_autograd(_align_max_grad, setup_context=_align_setup)


# detectron2's ROIAlignRotated (rois (K, 6): batch, cx, cy, w, h, angle in degrees, counter-
# clockwise), with roikit's deterministic backward. torchvision has no such op: CPU only.
@torch.library.custom_op("roikit::roi_align_rotated", mutates_args=())
def _roi_align_rotated(
    input: Tensor,
    rois: Tensor,
    spatial_scale: float,
    pooled_height: int,
    pooled_width: int,
    sampling_ratio: int,
    aligned: bool,
) -> Tensor:
    x = _np(input, "input")
    with _host_threads():
        out = rotated_ops.roi_align_rotated(
            x, _rois(rois, input), (pooled_height, pooled_width), spatial_scale, sampling_ratio, aligned
        )
    return _out(out, input)


@torch.library.custom_op("roikit::roi_align_rotated_backward", mutates_args=())
def _roi_align_rotated_backward(
    grad: Tensor,
    input: Tensor,
    rois: Tensor,
    spatial_scale: float,
    pooled_height: int,
    pooled_width: int,
    sampling_ratio: int,
    aligned: bool,
) -> Tensor:
    x = _np(input, "input")
    g = _np(grad, "grad").astype(x.dtype, copy=False)
    size = (pooled_height, pooled_width)
    with _host_threads():
        out = rotated_ops.roi_align_rotated_backward(
            g, x, _rois(rois, input), size, spatial_scale, sampling_ratio, aligned
        )
    return _out(out, input)


_roi_align_rotated.register_fake(_align_fake)
_roi_align_rotated_backward.register_fake(_align_grad_fake)


def _align_rotated_grad(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
    input, rois = ctx.saved_tensors
    return (_roi_align_rotated_backward(grad, input, rois, *ctx.params), None, None, None, None, None, None)


_roi_align_rotated.register_autograd(_align_rotated_grad, setup_context=_align_setup)


# ----------------------------------------------------------------------------- RoI Pool


@torch.library.custom_op("roikit::roi_pool", mutates_args=())
def _roi_pool(
    input: Tensor, rois: Tensor, spatial_scale: float, pooled_height: int, pooled_width: int
) -> tuple[Tensor, Tensor]:
    if routed(input):
        out, argmax = ROUTES["roi_pool"]()(input, rois, spatial_scale, pooled_height, pooled_width)
        return out, argmax
    x = _np(input, "input")
    with _host_threads():
        feat, _, plan = execute.make_pool_plan(
            x, _rois(rois, input), (pooled_height, pooled_width), spatial_scale
        )
        # torchvision's op returns the argmax too (row * W + col of each bin's max, -1 if empty): one pass
        out, argmax = execute.run_pool_both(plan, feat)
    return _out(out, input), torch.from_numpy(argmax.astype(np.int32))


@_roi_pool.register_fake
def _(
    input: Tensor, rois: Tensor, spatial_scale: float, pooled_height: int, pooled_width: int
) -> tuple[Tensor, Tensor]:
    shape = (rois.shape[0], input.shape[1], pooled_height, pooled_width)
    return input.new_empty(shape), input.new_empty(shape, dtype=torch.int32)


@torch.library.custom_op("roikit::roi_pool_backward", mutates_args=())
def _roi_pool_backward(
    grad: Tensor, input: Tensor, rois: Tensor, spatial_scale: float, pooled_height: int, pooled_width: int
) -> Tensor:
    if routed(input):  # torchvision's backward reads its forward's argmax
        _, argmax = ROUTES["roi_pool"]()(input, rois, spatial_scale, pooled_height, pooled_width)
        n, c, h, w = _sizes(input)
        return ROUTES["roi_pool_backward"]()(
            grad, rois, argmax, spatial_scale, pooled_height, pooled_width, n, c, h, w
        )
    x = _np(input, "input")
    with _host_threads():
        out = pool_ops.roi_pool_backward(
            _np(grad, "grad").astype(x.dtype, copy=False),
            x,
            _rois(rois, input),
            (pooled_height, pooled_width),
            spatial_scale,
        )
    return _out(out, input)


@_roi_pool_backward.register_fake
def _(
    grad: Tensor, input: Tensor, rois: Tensor, spatial_scale: float, pooled_height: int, pooled_width: int
) -> Tensor:
    return torch.empty_like(input)


def _pool_setup(ctx: Any, inputs: tuple[Any, ...], output: Any) -> None:
    input, rois, *params = inputs
    ctx.save_for_backward(input, rois)
    ctx.params = params


def _pool_grad(ctx: Any, grad: Tensor, grad_argmax: Tensor | None) -> tuple[Any, ...]:
    input, rois = ctx.saved_tensors
    return (_roi_pool_backward(grad, input, rois, *ctx.params), None, None, None, None)


_roi_pool.register_autograd(_pool_grad, setup_context=_pool_setup)


# ----------------------------------------------------------------------------- position-sensitive


def _mapping(shape: tuple[int, int, int, int]) -> Tensor:
    """The channel_mapping torchvision returns: input channel (c * PH + ph) * PW + pw per output."""
    K, C, PH, PW = shape
    c = np.arange(C)[:, None, None] * PH * PW + np.arange(PH)[None, :, None] * PW + np.arange(PW)
    return torch.from_numpy(np.broadcast_to(c, shape).astype(np.int32).copy())


@torch.library.custom_op("roikit::ps_roi_align", mutates_args=())
def _ps_roi_align(
    input: Tensor,
    rois: Tensor,
    spatial_scale: float,
    pooled_height: int,
    pooled_width: int,
    sampling_ratio: int,
) -> tuple[Tensor, Tensor]:
    if routed(input):
        out, mapping = ROUTES["ps_roi_align"]()(
            input, rois, spatial_scale, pooled_height, pooled_width, sampling_ratio
        )
        return out, mapping
    with _host_threads():
        out = ps_ops.ps_roi_align(
            _np(input, "input"),
            _rois(rois, input),
            (pooled_height, pooled_width),
            spatial_scale,
            sampling_ratio,
        )
    return _out(out, input), _mapping(out.shape)


@_ps_roi_align.register_fake
def _(
    input: Tensor,
    rois: Tensor,
    spatial_scale: float,
    pooled_height: int,
    pooled_width: int,
    sampling_ratio: int,
) -> tuple[Tensor, Tensor]:
    shape = (rois.shape[0], input.shape[1] // (pooled_height * pooled_width), pooled_height, pooled_width)
    return input.new_empty(shape), input.new_empty(shape, dtype=torch.int32)


@torch.library.custom_op("roikit::ps_roi_align_backward", mutates_args=())
def _ps_roi_align_backward(
    grad: Tensor,
    input: Tensor,
    rois: Tensor,
    spatial_scale: float,
    pooled_height: int,
    pooled_width: int,
    sampling_ratio: int,
) -> Tensor:
    if routed(input):
        _, mapping = ROUTES["ps_roi_align"]()(
            input, rois, spatial_scale, pooled_height, pooled_width, sampling_ratio
        )
        n, c, h, w = _sizes(input)
        return ROUTES["ps_roi_align_backward"]()(
            grad, rois, mapping, spatial_scale, pooled_height, pooled_width, sampling_ratio, n, c, h, w
        )
    x = _np(input, "input")
    with _host_threads():
        out = ps_ops.ps_roi_align_backward(
            _np(grad, "grad").astype(x.dtype, copy=False),
            x,
            _rois(rois, input),
            (pooled_height, pooled_width),
            spatial_scale,
            sampling_ratio,
        )
    return _out(out, input)


@_ps_roi_align_backward.register_fake
def _(
    grad: Tensor,
    input: Tensor,
    rois: Tensor,
    spatial_scale: float,
    pooled_height: int,
    pooled_width: int,
    sampling_ratio: int,
) -> Tensor:
    return torch.empty_like(input)


def _ps_align_grad(ctx: Any, grad: Tensor, grad_mapping: Tensor | None) -> tuple[Any, ...]:
    input, rois = ctx.saved_tensors
    return (_ps_roi_align_backward(grad, input, rois, *ctx.params), None, None, None, None, None)


_ps_roi_align.register_autograd(_ps_align_grad, setup_context=_pool_setup)


@torch.library.custom_op("roikit::ps_roi_pool", mutates_args=())
def _ps_roi_pool(
    input: Tensor, rois: Tensor, spatial_scale: float, pooled_height: int, pooled_width: int
) -> tuple[Tensor, Tensor]:
    if routed(input):
        out, mapping = ROUTES["ps_roi_pool"]()(input, rois, spatial_scale, pooled_height, pooled_width)
        return out, mapping
    with _host_threads():
        out = ps_ops.ps_roi_pool(
            _np(input, "input"), _rois(rois, input), (pooled_height, pooled_width), spatial_scale
        )
    return _out(out, input), _mapping(out.shape)


@_ps_roi_pool.register_fake
def _(
    input: Tensor, rois: Tensor, spatial_scale: float, pooled_height: int, pooled_width: int
) -> tuple[Tensor, Tensor]:
    shape = (rois.shape[0], input.shape[1] // (pooled_height * pooled_width), pooled_height, pooled_width)
    return input.new_empty(shape), input.new_empty(shape, dtype=torch.int32)


@torch.library.custom_op("roikit::ps_roi_pool_backward", mutates_args=())
def _ps_roi_pool_backward(
    grad: Tensor, input: Tensor, rois: Tensor, spatial_scale: float, pooled_height: int, pooled_width: int
) -> Tensor:
    if routed(input):
        _, mapping = ROUTES["ps_roi_pool"]()(input, rois, spatial_scale, pooled_height, pooled_width)
        n, c, h, w = _sizes(input)
        return ROUTES["ps_roi_pool_backward"]()(
            grad, rois, mapping, spatial_scale, pooled_height, pooled_width, n, c, h, w
        )
    x = _np(input, "input")
    with _host_threads():
        out = ps_ops.ps_roi_pool_backward(
            _np(grad, "grad").astype(x.dtype, copy=False),
            x,
            _rois(rois, input),
            (pooled_height, pooled_width),
            spatial_scale,
        )
    return _out(out, input)


@_ps_roi_pool_backward.register_fake
def _(
    grad: Tensor, input: Tensor, rois: Tensor, spatial_scale: float, pooled_height: int, pooled_width: int
) -> Tensor:
    return torch.empty_like(input)


def _ps_pool_grad(ctx: Any, grad: Tensor, grad_mapping: Tensor | None) -> tuple[Any, ...]:
    input, rois = ctx.saved_tensors
    return (_ps_roi_pool_backward(grad, input, rois, *ctx.params), None, None, None, None)


_ps_roi_pool.register_autograd(_ps_pool_grad, setup_context=_pool_setup)


# ----------------------------------------------------------------------------- functions


# The functions and modules are written as torchvision's are, so that ``torch.jit.script`` and
# ``torch.fx.symbolic_trace`` take them: TorchScript types (``BroadcastingList2``, ``List``,
# ``Union``), no Python-only calls, and the custom ops called through ``torch.ops.roikit``.
# A scripted model runs in a Python process (the ops' kernels are Python); it cannot be
# loaded by libtorch alone.


@torch.fx.wrap  # a leaf in FX graphs, as torchvision's op is
def roi_align(
    input: Tensor,
    boxes: Union[Tensor, list[Tensor]],  # noqa: UP007 (TorchScript reads typing's names)
    output_size: BroadcastingList2[int],
    spatial_scale: float = 1.0,
    sampling_ratio: int = -1,
    aligned: bool = False,
    mode: str = "avg",
) -> Tensor:
    """``torchvision.ops.roi_align`` on roikit (CPU): the same signature and numbers.

    ``mode="max"`` is mmcv's max mode (each bin's largest interpolated point), with
    roikit's deterministic backward; CPU only, and it has no ONNX export (ONNX's
    ``RoiAlign`` max takes the largest weighted corner instead).
    """
    rois = boxes
    size = _pair(output_size)
    if not isinstance(rois, torch.Tensor):
        rois = convert_boxes_to_roi_format(rois)
    if mode == "max":
        return torch.ops.roikit.roi_align_max(
            input, rois, float(spatial_scale), size[0], size[1], int(sampling_ratio), bool(aligned)
        )
    if mode != "avg":
        raise ValueError("mode must be 'avg' or 'max'; got '" + mode + "'")
    return torch.ops.roikit.roi_align(
        input, rois, float(spatial_scale), size[0], size[1], int(sampling_ratio), bool(aligned)
    )


@torch.fx.wrap  # a leaf in FX graphs, as the other ops are
def roi_align_rotated(
    input: Tensor,
    rois: Tensor,
    output_size: BroadcastingList2[int],
    spatial_scale: float = 1.0,
    sampling_ratio: int = 0,
    aligned: bool = True,
) -> Tensor:
    """detectron2's ``ROIAlignRotated`` on roikit (CPU), differentiable in ``input``.

    ``rois`` is ``(K, 6)`` rows ``(batch_index, cx, cy, w, h, angle)`` in image pixels, the angle
    in degrees, counter-clockwise; the numbers are :func:`roikit.roi_align_rotated`'s.
    """
    size = _pair(output_size)
    return torch.ops.roikit.roi_align_rotated(
        input, rois, float(spatial_scale), size[0], size[1], int(sampling_ratio), bool(aligned)
    )


@torch.fx.wrap  # a leaf in FX graphs, as torchvision's op is
def roi_pool(
    input: Tensor,
    boxes: Union[Tensor, list[Tensor]],  # noqa: UP007
    output_size: BroadcastingList2[int],
    spatial_scale: float = 1.0,
) -> Tensor:
    """``torchvision.ops.roi_pool`` on roikit (CPU)."""
    rois = boxes
    size = _pair(output_size)
    if not isinstance(rois, torch.Tensor):
        rois = convert_boxes_to_roi_format(rois)
    return torch.ops.roikit.roi_pool(input, rois, float(spatial_scale), size[0], size[1])[0]


@torch.fx.wrap  # a leaf in FX graphs, as torchvision's op is
def ps_roi_align(
    input: Tensor,
    boxes: Union[Tensor, list[Tensor]],  # noqa: UP007
    output_size: BroadcastingList2[int],
    spatial_scale: float = 1.0,
    sampling_ratio: int = -1,
) -> Tensor:
    """``torchvision.ops.ps_roi_align`` on roikit (CPU)."""
    rois = boxes
    size = _pair(output_size)
    if not isinstance(rois, torch.Tensor):
        rois = convert_boxes_to_roi_format(rois)
    return torch.ops.roikit.ps_roi_align(
        input, rois, float(spatial_scale), size[0], size[1], int(sampling_ratio)
    )[0]


@torch.fx.wrap  # a leaf in FX graphs, as torchvision's op is
def ps_roi_pool(
    input: Tensor,
    boxes: Union[Tensor, list[Tensor]],  # noqa: UP007
    output_size: BroadcastingList2[int],
    spatial_scale: float = 1.0,
) -> Tensor:
    """``torchvision.ops.ps_roi_pool`` on roikit (CPU)."""
    rois = boxes
    size = _pair(output_size)
    if not isinstance(rois, torch.Tensor):
        rois = convert_boxes_to_roi_format(rois)
    return torch.ops.roikit.ps_roi_pool(input, rois, float(spatial_scale), size[0], size[1])[0]


@torch.fx.wrap
def _multiscale_roi_align(
    x_filtered: list[Tensor],
    boxes: list[Tensor],
    output_size: list[int],
    sampling_ratio: int,
    scales: Optional[list[float]],  # noqa: UP045 (TorchScript reads typing.Optional)
    mapper: Optional[_poolers.LevelMapper],  # noqa: UP045
) -> Tensor:
    """The multiscale pooling of torchvision (``_multiscale_roi_align``) on roikit's op."""
    if scales is None or mapper is None:
        raise ValueError("scales and mapper should not be None")
    rois = _poolers._convert_to_roi_format(boxes)
    if len(x_filtered) == 1:
        return roi_align(x_filtered[0], rois, output_size, scales[0], sampling_ratio)
    levels = mapper(boxes)
    first = x_filtered[0]
    result = torch.zeros(
        (rois.shape[0], first.shape[1], output_size[0], output_size[1]),
        dtype=first.dtype,
        device=first.device,
    )
    tracing_results = []
    for level, (feature, scale) in enumerate(zip(x_filtered, scales)):  # noqa: B905 (TorchScript)
        idx = torch.where(levels == level)[0]
        pooled = roi_align(feature, rois[idx], output_size, scale, sampling_ratio)
        if torchvision._is_tracing():
            tracing_results.append(pooled.to(first.dtype))
        else:
            result[idx] = pooled.to(result.dtype)
    if torchvision._is_tracing():
        result = _poolers._onnx_merge_levels(levels, tracing_results)
    return result


# ----------------------------------------------------------------------------- modules


class RoIAlign(torchvision.ops.RoIAlign):
    """``torchvision.ops.RoIAlign`` computed by roikit; ``mode="max"`` is mmcv's max mode."""

    def __init__(
        self,
        output_size: BroadcastingList2[int],
        spatial_scale: float,
        sampling_ratio: int,
        aligned: bool = False,
        mode: str = "avg",
    ) -> None:
        super().__init__(output_size, spatial_scale, sampling_ratio, aligned)
        self.mode = mode

    def forward(self, input: Tensor, rois: Tensor | list[Tensor]) -> Tensor:
        """The op on ``input`` for ``rois`` (a (K, 5) tensor or a list of (L, 4) ones)."""
        return roi_align(
            input, rois, self.output_size, self.spatial_scale, self.sampling_ratio, self.aligned, self.mode
        )


class RoIPool(torchvision.ops.RoIPool):
    """``torchvision.ops.RoIPool`` computed by roikit."""

    def forward(self, input: Tensor, rois: Tensor | list[Tensor]) -> Tensor:
        """The op on ``input`` for ``rois`` (a (K, 5) tensor or a list of (L, 4) ones)."""
        return roi_pool(input, rois, self.output_size, self.spatial_scale)


class PSRoIAlign(torchvision.ops.PSRoIAlign):
    """``torchvision.ops.PSRoIAlign`` computed by roikit."""

    def forward(self, input: Tensor, rois: Tensor | list[Tensor]) -> Tensor:
        """The op on ``input`` for ``rois`` (a (K, 5) tensor or a list of (L, 4) ones)."""
        return ps_roi_align(input, rois, self.output_size, self.spatial_scale, self.sampling_ratio)


class PSRoIPool(torchvision.ops.PSRoIPool):
    """``torchvision.ops.PSRoIPool`` computed by roikit."""

    def forward(self, input: Tensor, rois: Tensor | list[Tensor]) -> Tensor:
        """The op on ``input`` for ``rois`` (a (K, 5) tensor or a list of (L, 4) ones)."""
        return ps_roi_pool(input, rois, self.output_size, self.spatial_scale)


class MultiScaleRoIAlign(torchvision.ops.MultiScaleRoIAlign):
    """``torchvision.ops.MultiScaleRoIAlign`` computed by roikit: a drop-in for a detection model.

    ``model.roi_heads.box_roi_pool = roikit.torch.MultiScaleRoIAlign(["0", "1", "2", "3"], 7, 2)``.
    The level of each box and the scales are torchvision's own (its helpers); the module
    scripts and FX-traces as torchvision's does.
    """

    def forward(
        self,
        x: dict[str, Tensor],
        boxes: list[Tensor],
        image_shapes: list[tuple[int, int]],
    ) -> Tensor:
        """Pool every box from its pyramid level, as torchvision's module does."""
        x_filtered = _poolers._filter_input(x, self.featmap_names)
        if self.scales is None or self.map_levels is None:  # type: ignore[has-type]
            self.scales, self.map_levels = _poolers._setup_scales(
                x_filtered, image_shapes, self.canonical_scale, self.canonical_level
            )
        return _multiscale_roi_align(
            x_filtered, boxes, self.output_size, self.sampling_ratio, self.scales, self.map_levels
        )


def _assign_levels(extent: Tensor, lo: int, hi: int, canonical_size: float, canonical_level: int) -> Tensor:
    """detectron2's level of each box, from (K, 4) boxes whose area is the box's."""
    found = assign_fpn_levels(
        extent.detach().cpu().numpy(), lo, hi, canonical_size, canonical_level, "detectron2"
    )
    return torch.from_numpy(found)


# A scripted pooler calls this in Python (numpy), as it calls roikit's kernels. TorchScript reads an
# ignored function's signature from its annotations, which must be types, not this module's strings.
_assign_levels.__annotations__ = {
    "extent": Tensor, "lo": int, "hi": int, "canonical_size": float, "canonical_level": int, "return": Tensor
}  # fmt: skip
_levels = torch.jit.ignore(_assign_levels)


def _rotated_rois(boxes: list[Tensor]) -> Tensor:
    """One (L_i, 5) tensor of rotated boxes per image as (K, 6) rows, the batch index first."""
    parts: list[Tensor] = []
    for i in range(len(boxes)):
        b = boxes[i]
        if b.dim() != 2 or b.size(1) != 5:
            raise ValueError(
                "box_lists["
                + str(i)
                + "] must have shape (L, 5) rows (cx, cy, w, h, angle); got "
                + str(b.shape)
            )
        parts.append(torch.cat([torch.full((b.size(0), 1), float(i), dtype=b.dtype, device=b.device), b], 1))
    return torch.cat(parts, 0)


class ROIPooler(torch.nn.Module):
    """detectron2's ``ROIPooler`` on roikit: each box pooled from the FPN level that suits its size.

    The same arguments as detectron2's: ``pooler_type`` is ``"ROIAlign"`` (aligned off),
    ``"ROIAlignV2"`` (aligned on, detectron2's default for Mask R-CNN), ``"ROIPool"`` or
    ``"ROIAlignRotated"`` (boxes (L_i, 5) of ``(cx, cy, w, h, angle)``, a box's area ``w * h``);
    ``scales`` are the levels' spatial scales, finest first (``1/4, 1/8, ...``, powers of
    two); a box of area ``A`` goes to level ``floor(canonical_level + log2(sqrt(A) /
    canonical_box_size + 1e-8))``, clamped to the pyramid (detectron2's
    ``assign_boxes_to_levels``, :func:`roikit.assign_fpn_levels` with
    ``level_mapping="detectron2"``). ``forward(x, box_lists)`` takes the levels' features and
    one (L_i, 4) tensor of boxes per image (or objects with a ``.tensor``, as detectron2's
    ``Boxes``), and returns (sum L_i, C, output, output), in the boxes' order.

    Examples
    --------
    >>> import torch
    >>> pooler = ROIPooler(7, (1 / 4, 1 / 8), 2, "ROIAlignV2")
    >>> x = [torch.rand(1, 8, 64, 64), torch.rand(1, 8, 32, 32)]
    >>> pooler(x, [torch.tensor([[4.0, 4, 60, 60], [0, 0, 250, 250]])]).shape
    torch.Size([2, 8, 7, 7])
    """

    def __init__(
        self,
        output_size: Any,
        scales: Any,
        sampling_ratio: int,
        pooler_type: str,
        canonical_box_size: int = 224,
        canonical_level: int = 4,
    ) -> None:
        super().__init__()
        if pooler_type not in ("ROIAlign", "ROIAlignV2", "ROIPool", "ROIAlignRotated"):
            raise ValueError(
                "pooler_type must be 'ROIAlign', 'ROIAlignV2', 'ROIPool' or 'ROIAlignRotated'; "
                f"got {pooler_type!r}"
            )
        levels = [-np.log2(float(s)) for s in scales]
        if not levels or any(abs(v - round(v)) > 1e-6 for v in levels) or levels != sorted(levels):
            raise ValueError(
                f"scales must be powers of 1/2, finest first (1/4, 1/8, ...); got {tuple(scales)}"
            )
        self.output_size = _pair(output_size)
        self.scales = [float(s) for s in scales]
        self.sampling_ratio = int(sampling_ratio)
        self.pooler_type = pooler_type
        self.canonical_box_size = float(canonical_box_size)
        self.canonical_level = int(canonical_level)
        self.min_level, self.max_level = int(round(levels[0])), int(round(levels[-1]))

    def forward(self, x: list[Tensor], box_lists: list[Tensor]) -> Tensor:
        """Pool every box of every image from its level."""
        if len(x) != len(self.scales):
            raise ValueError(f"x has {len(x)} levels; the pooler was built for {len(self.scales)} scales")
        boxes = box_lists
        if not torch.jit.is_scripting():  # detectron2's Boxes / RotatedBoxes hold a .tensor
            boxes = [getattr(b, "tensor", b) for b in box_lists]
        rotated = self.pooler_type == "ROIAlignRotated"
        rois = _rotated_rois(boxes) if rotated else convert_boxes_to_roi_format(boxes)
        if len(self.scales) == 1:
            levels = torch.zeros(rois.shape[0], dtype=torch.int64)
        else:
            # The level follows the area; a rotated box's is w * h, the area of (0, 0, w, h).
            extent = (
                rois[:, 1:] if not rotated else torch.cat([torch.zeros_like(rois[:, 3:5]), rois[:, 3:5]], 1)
            )
            levels = _levels(
                extent, self.min_level, self.max_level, self.canonical_box_size, self.canonical_level
            )
        first = x[0]
        out = first.new_zeros((rois.shape[0], first.shape[1], self.output_size[0], self.output_size[1]))
        for level in range(len(x)):
            feature, scale = x[level], self.scales[level]
            idx = torch.where(levels == level)[0]
            if self.pooler_type == "ROIPool":
                pooled = roi_pool(feature, rois[idx], self.output_size, scale)
            elif rotated:
                pooled = roi_align_rotated(feature, rois[idx], self.output_size, scale, self.sampling_ratio)
            else:
                aligned = self.pooler_type == "ROIAlignV2"
                pooled = roi_align(feature, rois[idx], self.output_size, scale, self.sampling_ratio, aligned)
            where: List[Optional[Tensor]] = [idx]  # noqa: UP006, UP045 (TorchScript reads typing's names)
            out = out.index_put(where, pooled.to(out.dtype))
        return out


# ----------------------------------------------------------------------------- ONNX export
# roikit's ops export as the standard ONNX operators torchvision's export to: RoiAlign (opset 16:
# ``coordinate_transformation_mode`` from ``aligned``) and MaxRoiPool. The TorchScript-based
# exporter finds the symbolics registered here; the torch.export-based one (``dynamo=True``)
# takes ``custom_translation_table=roikit.torch.onnx_translations()`` (needs onnxscript).


def _split_rois(g: Any, rois: Any) -> tuple[Any, Any]:
    """(K, 5) rois as ONNX's (K, 4) boxes and (K,) int64 batch indices."""
    index = g.op("Gather", rois, g.op("Constant", value_t=torch.tensor([0])), axis_i=1)
    batch = g.op("Cast", g.op("Squeeze", index, g.op("Constant", value_t=torch.tensor([1]))), to_i=7)
    coords = g.op("Gather", rois, g.op("Constant", value_t=torch.tensor([1, 2, 3, 4])), axis_i=1)
    return coords, batch


def _roi_align_symbolic(
    g: Any, input: Any, rois: Any, spatial_scale: Any, ph: Any, pw: Any, ratio: Any, aligned: Any
) -> Any:
    from torch.onnx import symbolic_helper as sh

    coords, batch = _split_rois(g, rois)
    return g.op(
        "RoiAlign",
        input,
        coords,
        batch,
        spatial_scale_f=sh._maybe_get_const(spatial_scale, "f"),
        output_height_i=sh._maybe_get_const(ph, "i"),
        output_width_i=sh._maybe_get_const(pw, "i"),
        sampling_ratio_i=sh._maybe_get_const(ratio, "i"),
        coordinate_transformation_mode_s="half_pixel"
        if sh._maybe_get_const(aligned, "b")
        else "output_half_pixel",
        mode_s="avg",
    )


def _roi_pool_symbolic(g: Any, input: Any, rois: Any, spatial_scale: Any, ph: Any, pw: Any) -> Any:
    from torch.onnx import symbolic_helper as sh

    pooled = g.op(
        "MaxRoiPool",
        input,
        rois,
        pooled_shape_i=(sh._maybe_get_const(ph, "i"), sh._maybe_get_const(pw, "i")),
        spatial_scale_f=sh._maybe_get_const(spatial_scale, "f"),
    )
    return pooled, None  # ONNX's MaxRoiPool has no argmax, as in torchvision's export


_NO_ONNX_MAX = (
    "roikit::roi_align_max (mode='max', mmcv's max of the interpolated points) has no ONNX operator: "
    "ONNX's RoiAlign mode='max' takes each point's largest weighted corner instead "
    "(roikit.onnx_roi_align computes that); export mode='avg'"
)


def _roi_align_max_symbolic(g: Any, *args: Any) -> Any:
    raise torch.onnx.errors.SymbolicValueError(_NO_ONNX_MAX, args[0])


if hasattr(torch.onnx, "register_custom_op_symbolic"):
    torch.onnx.register_custom_op_symbolic("roikit::roi_align", _roi_align_symbolic, 16)
    torch.onnx.register_custom_op_symbolic("roikit::roi_align_max", _roi_align_max_symbolic, 16)
    torch.onnx.register_custom_op_symbolic("roikit::roi_pool", _roi_pool_symbolic, 16)


def onnx_translations() -> dict[Any, Any]:
    """The ``custom_translation_table`` for ``torch.onnx.export(..., dynamo=True)`` (needs onnxscript).

    ``roikit::roi_align`` becomes ONNX ``RoiAlign`` (opset 18). ``roi_pool`` is not in the
    table: torch.export keeps its argmax output, which ONNX's ``MaxRoiPool`` does not have,
    so that export stops naming the op; the TorchScript-based exporter exports it.

    Examples
    --------
    >>> import torch, roikit.torch
    >>> model = roikit.torch.RoIAlign(2, 1.0, 2, True)
    >>> args = (torch.rand(1, 3, 8, 8), torch.tensor([[0.0, 1, 1, 6, 6]]))
    >>> program = torch.onnx.export(model, args, dynamo=True, verbose=False,  # doctest: +SKIP
    ...                             custom_translation_table=roikit.torch.onnx_translations())
    """
    from onnxscript import INT64, opset18

    op: Any = opset18  # its stubs type attributes as tensors; they are Python values here

    def roi_align(
        input: Any, rois: Any, spatial_scale: float, ph: int, pw: int, ratio: int, aligned: bool
    ) -> Any:
        batch = op.Cast(op.Squeeze(op.Slice(rois, [0], [1], [1]), [1]), to=INT64.dtype)
        coords = op.Slice(rois, [1], [5], [1])
        return op.RoiAlign(
            input,
            coords,
            batch,
            coordinate_transformation_mode="half_pixel" if aligned else "output_half_pixel",
            mode="avg",
            output_height=ph,
            output_width=pw,
            sampling_ratio=ratio,
            spatial_scale=spatial_scale,
        )

    def roi_align_max(*args: Any) -> Any:
        raise RuntimeError(_NO_ONNX_MAX)

    return {
        torch.ops.roikit.roi_align.default: roi_align,
        torch.ops.roikit.roi_align_max.default: roi_align_max,
    }
