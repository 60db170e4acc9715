"""Every public function, every argument, hostile values: a result or a RoIError, nothing else.

For each function in ``roikit.__all__`` a valid call is known; the fuzzer
replaces one argument at a time with a hostile value (wrong types, strings,
complex and object arrays, NaN, inf, huge and negative numbers, wrong shapes,
empty arrays, ragged lists) and accepts only a normal return or a
:class:`roikit.RoIError`. Any other exception (TypeError, IndexError,
OverflowError, numba's TypingError, MemoryError, ...) fails the test.
"""

from __future__ import annotations

import inspect
import os
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import roikit

F32 = np.float32
MAP = np.arange(2 * 3 * 6 * 6, dtype=F32).reshape(2, 3, 6, 6)
BOXES = np.array([[0, 0.5, 0.5, 4.0, 3.5], [1, 1, 1, 5, 5]], F32)
GRAD = np.ones((2, 3, 2, 2), F32)
PS_MAP = np.ones((1, 8, 6, 6), F32)
PS_BOXES = (BOXES * np.array([0, 1, 1, 1, 1], F32)).astype(F32)
PS_GRAD = np.ones((2, 2, 2, 2), F32)
ROT = np.array([[0, 3, 3, 2, 2, 30]], F32)
NHWC = np.ones((1, 5, 5, 2), F32)
NORM = np.array([[0.1, 0.1, 0.9, 0.8]], F32)


def _trace_pool() -> roikit.Trace:
    return roikit.explain_roi_pool(MAP[0, 0], (0.5, 0.5, 4, 4), 2)


def _trace_align() -> roikit.Trace:
    return roikit.explain_roi_align(MAP[0, 0], (0.5, 0.5, 4, 4), 2)


# name -> (positional args, keyword args) of a valid call
VALID: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "roi_align": (
        (MAP, BOXES, 2),
        {"spatial_scale": 1.0, "sampling_ratio": 2, "aligned": True, "mode": "avg"},
    ),
    "roi_align_backward": (
        (GRAD, MAP, BOXES, 2),
        {"spatial_scale": 1.0, "sampling_ratio": 2, "aligned": False, "mode": "max"},
    ),
    "roi_pool": ((MAP, BOXES, 2), {"spatial_scale": 1.0}),
    "roi_pool_backward": ((GRAD, MAP, BOXES, 2), {"spatial_scale": 1.0}),
    "ps_roi_align": ((PS_MAP, PS_BOXES, 2), {"spatial_scale": 1.0, "sampling_ratio": 2}),
    "ps_roi_align_backward": ((PS_GRAD, PS_MAP, PS_BOXES, 2), {"spatial_scale": 1.0, "sampling_ratio": 2}),
    "ps_roi_pool": ((PS_MAP, PS_BOXES, 2), {"spatial_scale": 1.0}),
    "ps_roi_pool_backward": ((PS_GRAD, PS_MAP, PS_BOXES, 2), {"spatial_scale": 1.0}),
    "prroi_pool": ((MAP, BOXES, 2), {"spatial_scale": 1.0}),
    "prroi_pool_backward": ((GRAD, MAP, BOXES, 2), {"spatial_scale": 1.0}),
    "roi_align_rotated": (
        (MAP, ROT, 2),
        {
            "spatial_scale": 1.0,
            "sampling_ratio": 2,
            "aligned": True,
            "angle_unit": "degrees",
            "clockwise": False,
        },
    ),
    "roi_align_rotated_backward": (
        (np.ones((1, 3, 2, 2), F32), MAP, ROT, 2),
        {
            "spatial_scale": 1.0,
            "sampling_ratio": 2,
            "aligned": True,
            "angle_unit": "degrees",
            "clockwise": False,
        },
    ),
    "onnx_roi_align": (
        (MAP, BOXES[:, 1:], np.array([0, 1])),
        {
            "output_height": 2,
            "output_width": 2,
            "sampling_ratio": 2,
            "spatial_scale": 1.0,
            "mode": "avg",
            "coordinate_transformation_mode": "half_pixel",
            "opset": 16,
        },
    ),
    "onnx_max_roi_pool": ((MAP, BOXES, (2, 2)), {"spatial_scale": 1.0}),
    "crop_and_resize": ((NHWC, NORM, np.array([0]), 3), {"method": "bilinear", "extrapolation_value": 0.0}),
    "crop_and_resize_backward": (
        (np.ones((1, 3, 3, 2), F32), NHWC, NORM, np.array([0]), 3),
        {"method": "bilinear"},
    ),
    "tensorpack_roi_align": ((MAP, BOXES[:, 1:], np.array([0, 1]), 2), {}),
    "multiscale_roi_align": (
        ([MAP, MAP[:, :, ::2, ::2].copy()], [BOXES[:1, 1:] * 4], [(24, 24)], 2),
        {
            "sampling_ratio": 2,
            "canonical_scale": 224,
            "canonical_level": 4,
            "level_mapping": "torchvision",
            "aligned": False,
            "return_levels": False,
        },
    ),
    "assign_fpn_levels": (
        (BOXES[:, 1:] * 10, 2, 5),
        {"canonical_scale": 224, "canonical_level": 4, "level_mapping": "torchvision"},
    ),
    "explain_roi_align": (
        (MAP[0], (0.5, 0.5, 4, 4), 2),
        {
            "spatial_scale": 1.0,
            "sampling_ratio": 2,
            "aligned": False,
            "mode": "max",
            "channel": 1,
            "lang": "ko",
        },
    ),
    "explain_roi_pool": ((MAP[0], (0.5, 0.5, 4, 4), 2), {"spatial_scale": 1.0, "channel": 1, "lang": "en"}),
    "explain_roi_pool_backward": (
        (MAP[0], (0.5, 0.5, 4, 4), 2),
        {"spatial_scale": 1.0, "grad": np.ones((2, 2)), "channel": 1, "lang": "en", "bin": (1, 0)},
    ),
    "explain_roi_align_backward": (
        (MAP[0], (0.5, 0.5, 4, 4), 2),
        {
            "spatial_scale": 1.0,
            "sampling_ratio": 2,
            "aligned": False,
            "mode": "avg",
            "grad": 2.0,
            "channel": 1,
            "lang": "ko",
            "bin": (0, 1),
        },
    ),
    "compare_conventions": (
        (MAP[0, 0], (0.5, 0.5, 4, 4), 2),
        {"spatial_scale": 1.0, "names": None, "lang": "en"},
    ),
    "compare_pool_align": ((_trace_pool(), _trace_align()), {}),
}
#: Old public names kept as aliases that warn (tests/test_api.py checks them).
DEPRECATED = {"compare"}


class Poisoned:
    """An array-like whose conversion fails, as a CUDA tensor's does."""

    def __array__(self, *args: Any, **kwargs: Any) -> np.ndarray:
        raise TypeError("can't convert cuda:0 device type tensor to numpy")


def _matrix() -> np.ndarray:
    with warnings.catch_warnings():  # numpy discourages np.matrix; callers still pass it
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        return np.matrix([[1.0, 2.0]])


class Sub(np.ndarray):
    """An ndarray subclass (what astropy, xarray and friends hand over)."""


HOSTILE: list[Any] = [
    None,
    "abc",
    "",
    b"\x00",
    1j,
    True,
    -1,
    0,
    2**31,
    2**63,
    10**400,
    -(10**400),
    float("nan"),
    float("inf"),
    -float("inf"),
    1e308,
    5e-324,
    -0.0,
    3.5,
    [1, 2],
    [[1], [2, 3]],
    (1, 2, 3),
    {"a": 1},
    np.array([]),
    np.zeros((0, 5), F32),
    np.zeros((2, 2), F32),
    np.ones((1, 1, 1, 1), np.complex64),
    np.array([["a"]]),
    np.array([object()]),
    np.full((2, 5), np.nan, F32),
    np.full((2, 5), 1e38, F32),
    np.ones((2, 5), np.int64),
    np.ones((1, 3, 1, 1), np.float64),
    np.ones((1, 1, 2**12, 1), np.uint8),
    np.float16(2),
    np.int8(-3),
    object(),
    3.4e38,
    -3.4e38,
    1e30,
    -1e300,
    1e-320,
    65504.0,
    2**24 + 1,
    Poisoned(),
    [Poisoned()],
    [np.ones((1, 4), F32), Poisoned()],
    np.ma.masked_array(np.ones((2, 5), F32), mask=True),
    _matrix(),
    np.ones((2, 5), ">f4"),
    np.full((1, 3, 6, 6), np.nan, np.float16),
    np.full((1, 3, 6, 6), np.inf, F32),
    np.full((2, 5), 3e38, F32),
]

#: Layouts a caller may hand over: the same numbers, so the same result.
LAYOUTS: dict[str, Any] = {
    "big-endian": lambda a: a.astype(a.dtype.newbyteorder(">")),
    "fortran": lambda a: np.asfortranarray(a),
    "reversed strides": lambda a: a[::-1][::-1],
    "non-contiguous view": lambda a: np.repeat(a, 2, axis=-1)[..., ::2],
    "read-only": lambda a: _read_only(a),
    "subclass": lambda a: a.view(Sub),
}


def _read_only(a: np.ndarray) -> np.ndarray:
    b = a.copy()
    b.flags.writeable = False
    return b


CALLS = [(name, arg) for name, (args, kwargs) in VALID.items() for arg in [*range(len(args)), *kwargs]]


def test_every_public_function_is_fuzzed() -> None:
    public = {
        n for n in roikit.__all__ if callable(getattr(roikit, n)) and inspect.isfunction(getattr(roikit, n))
    }
    assert public - DEPRECATED == set(VALID)


@pytest.mark.parametrize("name", sorted(VALID))
def test_the_valid_calls_are_valid(name: str) -> None:
    args, kwargs = VALID[name]
    getattr(roikit, name)(*args, **kwargs)


def call_with(name: str, arg: int | str, value: Any) -> None:
    args, kwargs = VALID[name]
    args, kwargs = list(args), dict(kwargs)
    if isinstance(arg, int):
        args[arg] = value
    else:
        kwargs[arg] = value
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning is a leak too
        try:
            getattr(roikit, name)(*args, **kwargs)
        except roikit.RoIError as exc:
            assert str(exc), "an error needs a message"


@settings(max_examples=int(os.environ.get("ROIKIT_FUZZ_EXAMPLES", "6000")), deadline=None)
@given(st.sampled_from(CALLS), st.sampled_from(HOSTILE))
def test_hostile_arguments_give_a_result_or_a_roi_error(call: tuple[str, Any], value: Any) -> None:
    call_with(*call, value)


@settings(max_examples=max(int(os.environ.get("ROIKIT_FUZZ_EXAMPLES", "6000")) // 3, 20), deadline=None)
@given(st.sampled_from(sorted(VALID)), st.data())
def test_several_hostile_arguments_at_once(name: str, data: st.DataObject) -> None:
    args, kwargs = VALID[name]
    names = [*range(len(args)), *kwargs]
    picked = data.draw(st.lists(st.sampled_from(names), min_size=2, max_size=3, unique=True))
    args, kwargs = list(args), dict(kwargs)
    for arg in picked:
        value = data.draw(st.sampled_from(HOSTILE))
        if isinstance(arg, int):
            args[arg] = value
        else:
            kwargs[arg] = value
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            getattr(roikit, name)(*args, **kwargs)
        except roikit.RoIError as exc:
            assert str(exc)


ARRAY_ARGS = [
    (name, i)
    for name, (args, _) in VALID.items()
    for i, a in enumerate(args)
    if isinstance(a, np.ndarray) and a.dtype.kind == "f" and not name.startswith("explain")
]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, roikit.Trace):
        return a.to_json() == b.to_json()
    if isinstance(a, tuple):
        return all(_same(x, y) for x, y in zip(a, b, strict=True))
    return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize(("name", "arg"), ARRAY_ARGS)
def test_every_layout_and_byte_order_gives_the_same_numbers(name: str, arg: int, layout: str) -> None:
    args, kwargs = VALID[name]
    expected = getattr(roikit, name)(*args, **kwargs)
    changed = list(args)
    changed[arg] = LAYOUTS[layout](np.asarray(args[arg]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _same(getattr(roikit, name)(*changed, **kwargs), expected)


@pytest.mark.parametrize("name,arg", CALLS)
def test_each_argument_refuses_a_string_and_nan(name: str, arg: int | str) -> None:
    # Deterministic floor under the random search: every argument sees these two.
    for value in ("abc", float("nan"), None):
        call_with(name, arg, value)


# The public helpers of roikit.budget and roikit.threads: the same rule (a result or a RoIError).
HELPERS: dict[str, tuple[Any, tuple[Any, ...]]] = {
    "check_output_bytes": (roikit.budget, ("the output", (2, 3), 4)),
    "check_bins": (roikit.budget, (49, "output_size")),
    "check_sampling_ratio_budget": (roikit.budget, (2,)),
    "check_plan_samples": (roikit.budget, ("y", 100, "bins")),
    "check_evaluations": (roikit.budget, ("RoI Align", 1000)),
    "check_work": (roikit.budget, ("RoI Pool", 1000)),
    "check_trace_points": (roikit.budget, (16,)),
    "check_trace_bins": (roikit.budget, (4,)),
    "get_num_threads": (roikit.threads, ()),
    "set_num_threads": (roikit.threads, (roikit.threads.get_num_threads(),)),
    "limit_threads": (roikit.threads, (1,)),
}


def test_every_public_helper_is_fuzzed() -> None:
    public = {
        n
        for module in (roikit.budget, roikit.threads)
        for n in module.__all__
        if inspect.isfunction(getattr(module, n))
    }
    assert public == set(HELPERS)


@pytest.mark.parametrize("name", sorted(HELPERS))
def test_the_helpers_refuse_hostile_values_with_a_roi_error(name: str) -> None:
    module, args = HELPERS[name]
    threads_before = roikit.threads.get_num_threads()
    try:
        getattr(module, name)(*args)
        for i in range(len(args)):
            for value in HOSTILE:
                changed = list(args)
                changed[i] = value
                with warnings.catch_warnings():
                    warnings.simplefilter("error")
                    try:
                        getattr(module, name)(*changed)
                    except roikit.RoIError as exc:
                        assert str(exc)
    finally:
        roikit.threads.set_num_threads(threads_before)
