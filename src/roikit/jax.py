"""roikit inside JAX: ``roi_align`` and ``roi_pool`` under ``jit``, ``grad`` and ``vmap``.

``pip install 'roikit[jax]'``. The ops run roikit's kernels on the CPU
through :func:`jax.pure_callback` and are differentiable with respect to the
features through :func:`jax.custom_vjp` on roikit's deterministic backward
(boxes get a zero cotangent, as in torchvision). ``vmap`` maps over a batch
of feature maps or of box sets (the callback runs once per element). Shape
and dtype errors are raised at trace time and name the argument; boxes may
be a (K, 5) array or a list of (L_i, 4) arrays, one per image. Forward-mode
differentiation (``jax.jvp``, ``jacfwd``) is not supported: JAX refuses it
for a ``custom_vjp`` function with its own message.

Errors that depend on the boxes' values (a NaN coordinate, a batch index out
of range) can only be found when the kernels run. Called eagerly, the ops
raise roikit's own error; inside ``jax.jit`` JAX reports it as a
``JaxRuntimeError`` ("CpuCallback error ...") whose text carries roikit's
message. :func:`roikit_errors` turns such an error back into roikit's own
exception (``BoxError`` and the other :class:`roikit.RoIError` classes).

Called eagerly (no ``jit``, ``grad`` or ``vmap`` around it) an op is the numpy op
itself on the arrays' host memory. Traced, each call pays JAX's host callback on top of
the numpy op: one box on a 64 x 50 x 50 map took 0.37 ms under ``jit`` against the
numpy op's 0.12 ms (an empty ``pure_callback`` 0.04 ms; most of the rest is JAX
putting the callback's inputs on its CPU device), measured by hand on the Intel VM of 3 December 2026
(``make bench`` does not time it); eagerly, 0.21 ms.

Examples
--------
>>> import jax.numpy as jnp
>>> from roikit.jax import roi_align
>>> x = jnp.arange(16.0).reshape(1, 1, 4, 4)
>>> roi_align(x, jnp.array([[0.0, 0, 0, 2, 2]]), 1, sampling_ratio=1)[0, 0, 0, 0]
Array(5., dtype=float32)
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections import deque
from collections.abc import Iterator
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .engine.validate import (
    check_aligned,
    check_boxes,
    check_mode,
    check_output_size,
    check_sampling_ratio,
    check_spatial_scale,
)
from .errors import BoxError, DTypeError, InputError, RoIError
from .ops import roi_align as align_ops
from .ops import roi_pool as pool_ops

__all__ = ["roi_align", "roi_pool", "roikit_errors"]

# The last errors the kernels raised inside a callback (XLA's threads), so that roikit_errors()
# can raise the exception itself rather than JAX's wrapper, which keeps only its text.
_RAISED: deque[RoIError] = deque(maxlen=16)
_RAISED_LOCK = threading.Lock()


def _remember(fn: Any) -> Any:
    @functools.wraps(fn)
    def run(*args: Any) -> Any:
        try:
            return fn(*args)
        except RoIError as exc:
            with _RAISED_LOCK:
                _RAISED.append(exc)
            raise

    return run


@contextlib.contextmanager
def roikit_errors() -> Iterator[None]:
    """Raise roikit's own errors from jitted calls, instead of JAX's ``JaxRuntimeError``.

    Inside ``jax.jit`` an error found while the kernels run (a NaN box, a
    batch index out of range) reaches the caller as a ``JaxRuntimeError``
    that carries roikit's message as text. In this block such an error is
    raised as the roikit exception itself (``raise ... from`` JAX's).

    Examples
    --------
    >>> import jax, jax.numpy as jnp, roikit
    >>> f = jax.jit(lambda x, b: roi_align(x, b, 1))
    >>> try:
    ...     with roikit_errors():
    ...         f(jnp.ones((1, 1, 4, 4)), jnp.array([[0.0, 0, 0, jnp.nan, 2]])).block_until_ready()
    ... except roikit.BoxError as e:
    ...     print(e)
    boxes[0, 3] is nan; box coordinates must be finite
    """
    try:
        yield
    except jax.errors.JaxRuntimeError as exc:
        text = str(exc)
        with _RAISED_LOCK:
            found = next((e for e in reversed(_RAISED) if str(e) in text), None)
            if found is not None:
                _RAISED.remove(found)
        if found is None:
            raise
        raise found from exc


def _as_rois(boxes: Any, dtype: Any) -> Any:
    """A list of (L_i, 4) box arrays, one per image, as one (K, 5) array (the batch index first)."""
    if not isinstance(boxes, (list, tuple)):
        return boxes
    parts = []
    for i, b in enumerate(boxes):
        if not hasattr(b, "shape") or len(b.shape) != 2 or b.shape[1] != 4:
            got = getattr(b, "shape", b)
            raise BoxError(f"boxes[{i}] must have shape (L, 4) with rows (x1, y1, x2, y2); got {got!r:.60}")
        parts.append(jnp.concatenate([jnp.full((b.shape[0], 1), i, dtype), jnp.asarray(b, dtype)], axis=1))
    return jnp.concatenate(parts, axis=0) if parts else jnp.zeros((0, 5), dtype)


def _check(features: Any, boxes: Any) -> tuple[Any, Any]:
    """Shapes and dtypes, at trace time: (N, C, H, W) floats and (K, 5) boxes of their dtype.

    Concrete (not traced) boxes are also checked against the map here, so that an eager call
    raises roikit's own error; under ``jit`` such an error comes back through XLA's callback.
    """
    if hasattr(features, "dtype") and jnp.issubdtype(features.dtype, jnp.floating):
        boxes = _as_rois(
            boxes, jnp.float32 if features.dtype in (jnp.float16, jnp.bfloat16) else features.dtype
        )
    if not hasattr(features, "shape") or len(features.shape) != 4:
        got = getattr(features, "shape", features)
        raise InputError(f"features must have shape (N, C, H, W); got {got!r:.60}")
    if not jnp.issubdtype(features.dtype, jnp.floating):
        raise DTypeError(f"features has dtype {features.dtype}; it must be float16, float32 or float64")
    if not hasattr(boxes, "shape") or len(boxes.shape) != 2 or boxes.shape[1] != 5:
        raise BoxError(
            f"boxes must have shape (K, 5) with rows (batch_index, x1, y1, x2, y2); "
            f"got {getattr(boxes, 'shape', boxes)!r:.60}"
        )
    compute = jnp.float32 if features.dtype in (jnp.float16, jnp.bfloat16) else features.dtype
    rois = jnp.asarray(boxes).astype(compute)
    if not isinstance(rois, jax.core.Tracer):
        check_boxes(np.asarray(rois), int(features.shape[0]), np.dtype(compute))
    return features.astype(compute), rois


def _host(a: Any) -> np.ndarray:
    return np.asarray(a)


# params = (kind, PH, PW, spatial_scale, sampling_ratio, aligned, mode): static, hashable
@functools.partial(jax.custom_vjp, nondiff_argnums=(2,))
def _op(features: Any, boxes: Any, params: tuple[Any, ...]) -> Any:
    return _forward(features, boxes, params)


def _numpy_forward(params: tuple[Any, ...], f: Any, b: Any) -> np.ndarray:
    """The numpy op on host arrays: what a callback runs, and an eager call itself."""
    kind, ph, pw, scale, sr, aligned, mode = params
    f, b = _host(f), _host(b)
    if kind == "align":
        return align_ops.roi_align(f, b, (ph, pw), scale, sr, aligned, mode)
    return pool_ops.roi_pool(f, b, (ph, pw), scale)


def _numpy_backward(params: tuple[Any, ...], gg: Any, f: Any, b: Any) -> np.ndarray:
    kind, ph, pw, scale, sr, aligned, mode = params
    f, b = _host(f), _host(b)
    gg = _host(gg).astype(f.dtype)
    if kind == "align":
        return align_ops.roi_align_backward(gg, f, b, (ph, pw), scale, sr, aligned, mode)
    return pool_ops.roi_pool_backward(gg, f, b, (ph, pw), scale)


# The callbacks are made once per set of parameters: JAX caches what it compiles for a callback by
# the function itself, so a new closure at every call would compile again each time (an eager call
# took 14 ms that way, against 0.12 ms for the numpy op).
@functools.lru_cache(maxsize=256)
def _forward_callback(params: tuple[Any, ...]) -> Any:
    return _remember(functools.partial(_numpy_forward, params))


@functools.lru_cache(maxsize=256)
def _backward_callback(params: tuple[Any, ...]) -> Any:
    return _remember(functools.partial(_numpy_backward, params))


def _forward(features: Any, boxes: Any, params: tuple[Any, ...]) -> Any:
    _, ph, pw = params[:3]
    shape = jax.ShapeDtypeStruct((boxes.shape[0], features.shape[1], ph, pw), features.dtype)
    return jax.pure_callback(_forward_callback(params), shape, features, boxes, vmap_method="sequential")


def _fwd(features: Any, boxes: Any, params: tuple[Any, ...]) -> tuple[Any, Any]:
    return _forward(features, boxes, params), (features, boxes)


def _bwd(params: tuple[Any, ...], residuals: Any, g: Any) -> tuple[Any, Any]:
    features, boxes = residuals
    shape = jax.ShapeDtypeStruct(features.shape, features.dtype)
    run = _backward_callback(params)
    grad = jax.pure_callback(run, shape, g, features, boxes, vmap_method="sequential")
    return grad, jnp.zeros_like(boxes)


_op.defvjp(_fwd, _bwd)


def _run(features: Any, boxes: Any, params: tuple[Any, ...]) -> Any:
    """The op through JAX's callback when traced (jit, grad, vmap); called eagerly, the numpy op itself.

    An eager call has nothing to trace: going through ``pure_callback`` would only add JAX's
    dispatch (about 0.5 ms a call here) to the numpy op's time. Its errors are raised as they are
    (not remembered for :func:`roikit_errors`, which only callbacks need).
    """
    if isinstance(features, jax.core.Tracer) or isinstance(boxes, jax.core.Tracer):
        return _op(features, boxes, params)
    return jnp.asarray(_numpy_forward(params, features, boxes))


def roi_align(
    features: Any,
    boxes: Any,
    output_size: int | tuple[int, int],
    spatial_scale: float = 1.0,
    sampling_ratio: int = -1,
    aligned: bool = False,
    mode: str = "avg",
) -> Any:
    """:func:`roikit.roi_align` on JAX arrays (differentiable in ``features``).

    Parameters are those of :func:`roikit.roi_align`; ``features`` is
    ``(N, C, H, W)`` and ``boxes`` ``(K, 5)``. float16 and bfloat16 compute in
    float32 and return their dtype.
    """
    dtype = features.dtype if hasattr(features, "dtype") else None
    f, b = _check(features, boxes)
    ph, pw = check_output_size(output_size)
    params = (
        "align",
        ph,
        pw,
        check_spatial_scale(spatial_scale),
        check_sampling_ratio(sampling_ratio),
        check_aligned(aligned),
        check_mode(mode),
    )
    return _run(f, b, params).astype(dtype)


def roi_pool(
    features: Any, boxes: Any, output_size: int | tuple[int, int], spatial_scale: float = 1.0
) -> Any:
    """:func:`roikit.roi_pool` on JAX arrays (differentiable in ``features``)."""
    dtype = features.dtype if hasattr(features, "dtype") else None
    f, b = _check(features, boxes)
    ph, pw = check_output_size(output_size)
    params = ("pool", ph, pw, check_spatial_scale(spatial_scale), 0, False, "max")
    return _run(f, b, params).astype(dtype)
