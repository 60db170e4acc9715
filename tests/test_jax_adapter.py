"""roikit.jax: the numpy ops' numbers under jit, grad and vmap, and numerical gradients."""

from __future__ import annotations

import needs
import numpy as np
import pytest

jax, jnp = needs.modules("parity", "jax", "jax.numpy")

from jax.test_util import check_grads

import roikit
from roikit.jax import roi_align, roi_pool

RNG = np.random.default_rng(0)
X = RNG.standard_normal((2, 3, 9, 8)).astype(np.float32)
B = np.array([[0, 1.2, 0.5, 6.1, 5.9], [1, -1, 0, 4, 4.5], [0, 3, 3, 3.5, 7]], np.float32)


@pytest.mark.parametrize("mode", ["avg", "max"])
@pytest.mark.parametrize("sr,aligned", [(2, True), (0, False), (-1, True)])
def test_jit_and_grad_equal_the_numpy_ops(mode, sr, aligned) -> None:  # type: ignore[no-untyped-def]
    f = jax.jit(lambda x: roi_align(x, B, (3, 2), 0.9, sr, aligned, mode))
    np.testing.assert_array_equal(
        np.asarray(f(jnp.asarray(X))), roikit.roi_align(X, B, (3, 2), 0.9, sr, aligned, mode)
    )
    g = jax.grad(lambda x: (roi_align(x, B, (3, 2), 0.9, sr, aligned, mode) * 2.0).sum())(jnp.asarray(X))
    want = roikit.roi_align_backward(
        np.full((3, 3, 3, 2), 2.0, np.float32), X, B, (3, 2), 0.9, sr, aligned, mode
    )
    np.testing.assert_array_equal(np.asarray(g), want)
    gp = jax.jit(jax.grad(lambda x: roi_pool(x, B, 2, 0.9).sum()))(jnp.asarray(X))
    np.testing.assert_array_equal(
        np.asarray(gp), roikit.roi_pool_backward(np.ones((3, 3, 2, 2), np.float32), X, B, 2, 0.9)
    )


def test_vmap_over_feature_maps_and_over_box_sets() -> None:
    xs = np.stack([X, 2 * X + 1])
    got = jax.vmap(lambda x: roi_align(x, B, 2, 1.0, 2))(jnp.asarray(xs))
    for i in range(2):
        np.testing.assert_array_equal(np.asarray(got[i]), roikit.roi_align(xs[i], B, 2, 1.0, 2))
    moved = B.copy()
    moved[:, 1:] += 0.5  # the same boxes half a pixel on (the batch index stays)
    bs = np.stack([B, moved])
    got = jax.vmap(lambda b: roi_pool(jnp.asarray(X), b, 2))(jnp.asarray(bs))
    for i in range(2):
        np.testing.assert_array_equal(np.asarray(got[i]), roikit.roi_pool(X, bs[i], 2))
    grads = jax.vmap(jax.grad(lambda x: roi_align(x, B, 2, 1.0, 2).sum()))(jnp.asarray(xs))
    assert grads.shape == xs.shape


def test_numerical_gradients_in_float64() -> None:
    with jax.enable_x64(True):
        x = jnp.asarray(RNG.standard_normal((1, 2, 6, 6)))
        b = jnp.asarray(np.array([[0, 0.7, 1.1, 4.3, 4.9]]))
        check_grads(lambda t: roi_align(t, b, 2, 1.0, 2, True), (x,), order=1, modes=["rev"])
        check_grads(lambda t: roi_pool(t, b, 2, 1.0), (x,), order=1, modes=["rev"])


def test_errors_at_trace_time_name_the_argument() -> None:
    with pytest.raises(roikit.InputError, match=r"features must have shape \(N, C, H, W\)"):
        jax.jit(lambda x: roi_align(x, B, 2))(jnp.zeros((3, 4)))
    with pytest.raises(roikit.BoxError, match=r"boxes must have shape \(K, 5\)"):
        roi_align(jnp.asarray(X), jnp.zeros((3, 4)), 2)
    with pytest.raises(roikit.ParameterError, match="sampling_ratio is 100000"):
        roi_align(jnp.asarray(X), B, 2, sampling_ratio=100000)
    with pytest.raises(roikit.DTypeError, match="features has dtype int32"):
        roi_align(jnp.zeros((1, 1, 4, 4), jnp.int32), B, 2)


def test_half_precision_keeps_its_dtype() -> None:
    out = roi_align(jnp.asarray(X, jnp.bfloat16), B, 2, 1.0, 2)
    assert out.dtype == jnp.bfloat16


def test_boxes_as_a_list_per_image_and_eager_errors_are_roikits() -> None:
    per_image = [jnp.asarray(B[B[:, 0] == i, 1:]) for i in range(2)]
    order = np.argsort(B[:, 0], kind="stable")
    want = roikit.roi_align(X, B[order], 3, 0.5, 2, True)
    np.testing.assert_array_equal(np.asarray(roi_align(jnp.asarray(X), per_image, 3, 0.5, 2, True)), want)
    np.testing.assert_array_equal(
        np.asarray(jax.jit(lambda x: roi_align(x, per_image, 3, 0.5, 2, True))(X)), want
    )
    with pytest.raises(roikit.BoxError, match=r"boxes\[1\] must have shape \(L, 4\)"):
        roi_align(jnp.asarray(X), [per_image[0], jnp.zeros((2, 5))], 2)
    bad = B.copy()
    bad[0, 0] = 7  # an image the batch does not have: roikit's own error, not XLA's INTERNAL
    import roikit.jax as rj

    with pytest.raises(roikit.BoxError, match="batch index"):
        roi_align(jnp.asarray(X), jnp.asarray(bad), 2)
    before = list(rj._RAISED)
    with pytest.raises(roikit.RoIError, match="the budget is"):  # found by the op itself
        roi_align(jnp.zeros((2, 64, 9, 8)), jnp.asarray(B), 4096)  # a 12 GiB output
    assert list(rj._RAISED) == before  # raised as it is: nothing kept for roikit_errors()


def test_eager_calls_are_the_numpy_ops_without_a_callback(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # An eager call has nothing to trace: it runs the numpy op itself (JAX's callback added 0.4 ms).
    import roikit.jax as rj

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("an eager call went through jax.pure_callback")

    monkeypatch.setattr(rj.jax, "pure_callback", refuse)
    for x in (jnp.asarray(X), jnp.asarray(X, jnp.float16)):
        got = roi_align(x, jnp.asarray(B), 3, 0.5, 2, True, "max")
        work = np.asarray(x, np.float32)  # (half computes in float32)
        want = roikit.roi_align(work, B, 3, 0.5, 2, True, "max")
        assert got.dtype == x.dtype
        np.testing.assert_array_equal(np.asarray(got), want.astype(got.dtype))
    np.testing.assert_array_equal(
        np.asarray(roi_pool(jnp.asarray(X), B, 2, 0.5)), roikit.roi_pool(X, B, 2, 0.5)
    )
    with pytest.raises(AssertionError, match="went through"):  # traced calls still do
        jax.jit(lambda x: roi_align(x, B, 2))(jnp.asarray(X))


def test_eager_gradients_compile_once() -> None:
    # The callbacks are made once per set of parameters: a new closure at every call would make JAX
    # compile again (an eager call took 14 ms that way).
    compiled: list[str] = []

    def listen(event: str, duration: float, **kwargs: object) -> None:
        if event == "/jax/core/compile/backend_compile_duration":
            compiled.append(event)

    grad = jax.grad(lambda x: (roi_align(x, B, 3, 0.5, 2, True) ** 2).sum())
    first = grad(jnp.asarray(X))
    jax.monitoring.register_event_duration_secs_listener(listen)
    try:
        again = grad(jnp.asarray(X))
    finally:
        jax.monitoring.unregister_event_duration_listener(listen)
    np.testing.assert_array_equal(np.asarray(again), np.asarray(first))
    assert not compiled


def test_forward_mode_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match="can't apply forward-mode autodiff"):
        jax.jvp(lambda x: roi_align(x, B, 2).sum(), (jnp.asarray(X),), (jnp.ones_like(X),))


def test_errors_found_inside_jit_are_roikits_own_with_roikit_errors() -> None:
    from roikit.jax import roikit_errors

    x = jnp.ones((1, 2, 8, 8))
    f = jax.jit(lambda x, b: roi_align(x, b, 2, 1.0, 2))
    nan_box = jnp.array([[0, 1.0, 1, jnp.nan, 5]])
    # Without the block: JAX's wrapper, whose text carries roikit's message.
    with pytest.raises(jax.errors.JaxRuntimeError, match=r"boxes\[0, 3\] is nan"):
        f(x, nan_box).block_until_ready()
    with pytest.raises(
        roikit.BoxError, match=r"^boxes\[0, 3\] is nan; box coordinates must be finite$"
    ) as info:
        with roikit_errors():
            f(x, nan_box).block_until_ready()
    assert isinstance(info.value.__cause__, jax.errors.JaxRuntimeError)
    with pytest.raises(
        roikit.BoxError, match=r"batch index boxes\[0, 0\] is 3.0; it must be an integer in \[0, 1\)"
    ):
        with roikit_errors():
            f(x, jnp.array([[3, 1.0, 1, 3, 5]])).block_until_ready()
    # Under grad too, and a good call in the block is untouched.
    grad = jax.jit(jax.grad(lambda x, b: roi_align(x, b, 2, 1.0, 2).sum()))
    with pytest.raises(roikit.BoxError, match="must be finite"), roikit_errors():
        grad(x, nan_box).block_until_ready()
    with roikit_errors():
        ok = f(x, jnp.array([[0, 1.0, 1, 3, 5]]))
    np.testing.assert_allclose(np.asarray(ok), 1.0)
