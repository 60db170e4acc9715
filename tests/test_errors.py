"""Every bad input gets a clear error naming the argument, the row and the value."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import roikit
from roikit import BoxError, DTypeError, InputError, ParameterError, RoIError

X = np.zeros((2, 3, 8, 8), np.float32)
B = np.array([[0, 1, 1, 4, 4], [1, 2, 2, 6, 6]], np.float32)
OPS = [roikit.roi_align, roikit.roi_pool]


def test_error_hierarchy() -> None:
    for cls in (BoxError, DTypeError, InputError, ParameterError):
        assert issubclass(cls, RoIError)
    assert issubclass(RoIError, ValueError)
    assert issubclass(DTypeError, TypeError)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize(
    ("input", "error", "message"),
    [
        (
            np.zeros((2, 3, 8, 8), np.int64),
            DTypeError,
            "input has dtype int64; it must be float16, float32 or float64",
        ),
        (np.zeros((2, 3, 8, 8), np.complex64), DTypeError, "input has dtype complex64"),
        (np.zeros((2, 3, 8, 8), bool), DTypeError, "input has dtype bool"),
        (
            np.zeros((3, 8, 8), np.float32),
            InputError,
            "input must have shape (N, C, H, W); got 3 dimension(s) with shape (3, 8, 8)",
        ),
        (np.zeros((2, 3, 0, 8), np.float32), InputError, "feature map height and width must be positive"),
        ("not an array", DTypeError, "input has dtype <U12"),
    ],
)
def test_bad_input(op, input, error, message):  # type: ignore[no-untyped-def]
    with pytest.raises(error, match=re.escape(message)):
        op(input, B, 2)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize(
    ("boxes", "error", "message"),
    [
        (
            np.zeros((2, 4), np.float32),
            BoxError,
            "boxes must have shape (K, 5) with rows (batch_index, x1, y1, x2, y2), or be a list "
            "of (L, 4) arrays; got shape (2, 4)",
        ),
        (
            np.array([[0, 1, 1, np.nan, 4]], np.float32),
            BoxError,
            "boxes[0, 3] is nan; box coordinates must be finite",
        ),
        (
            np.array([[0, 1, 1, 2, 2], [0, 1, -np.inf, 2, 2]], np.float32),
            BoxError,
            "boxes[1, 2] is -inf; box coordinates must be finite",
        ),
        (
            np.array([[0.5, 1, 1, 2, 2]], np.float32),
            BoxError,
            "batch index boxes[0, 0] is 0.5; it must be an integer in [0, 2) because input has 2 image(s)",
        ),
        (
            np.array([[0, 1, 1, 2, 2], [2, 1, 1, 2, 2]], np.float32),
            BoxError,
            "batch index boxes[1, 0] is 2.0; it must be an integer in [0, 2)",
        ),
        (np.array([[-1, 1, 1, 2, 2]], np.float32), BoxError, "batch index boxes[0, 0] is -1.0"),
        (np.array([[np.nan, 1, 1, 2, 2]], np.float32), BoxError, "batch index boxes[0, 0] is nan"),
        (
            np.array([[0, 1, 1, 2, 2]], np.float64),
            DTypeError,
            "boxes has dtype float64 but input has dtype float32; pass boxes of the input's dtype",
        ),
        (np.array([["a", "b", "c", "d", "e"]]), DTypeError, "boxes has dtype <U1"),
        (
            [np.zeros((1, 5), np.float32)],
            BoxError,
            "boxes[0] must have shape (L, 4) with rows (x1, y1, x2, y2); got shape (1, 5)",
        ),
        (
            [np.zeros((1, 4), np.float32)] * 3,
            BoxError,
            "boxes is a list of 3 per-image arrays but input has 2 image(s)",
        ),
        (
            [np.zeros((1, 4), np.float32), np.array([[1, 2, np.inf, 3]], np.float32)],
            BoxError,
            "boxes[1][0, 2] is inf; box coordinates must be finite",
        ),
        (
            [np.zeros((1, 4), np.float64)],
            DTypeError,
            "boxes[0] has dtype float64 but input has dtype float32",
        ),
    ],
)
def test_bad_boxes(op, boxes, error, message):  # type: ignore[no-untyped-def]
    with pytest.raises(error, match=re.escape(message)):
        op(X, boxes, 2)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"output_size": 0}, "output_size must be positive; got 0"),
        ({"output_size": (2, -1)}, "output_size must be positive; got (2, -1)"),
        ({"output_size": (2,)}, "output_size must be an int or a (height, width) pair; got (2,)"),
        ({"output_size": 2.5}, "output_size must hold integers; got 2.5"),
        ({"output_size": True}, "output_size must hold integers; got True"),
        (
            {"output_size": 10**6},
            "output_size 1000000x1000000 asks for 1e+12 bins per box; at most 16777216 (2**24, "
            "roikit.budget.MAX_BINS) are allowed",
        ),
        ({"spatial_scale": 0.0}, "spatial_scale is 0.0; it must be positive and finite"),
        ({"spatial_scale": -0.5}, "spatial_scale is -0.5; it must be positive and finite"),
        ({"spatial_scale": float("nan")}, "spatial_scale is nan; it must be positive and finite"),
        ({"spatial_scale": float("inf")}, "spatial_scale is inf; it must be positive and finite"),
        ({"spatial_scale": "1/16"}, "spatial_scale must be a real number; got '1/16'"),
    ],
)
def test_bad_common_parameters(op, kwargs, message):  # type: ignore[no-untyped-def]
    args = {"output_size": 2, **kwargs}
    with pytest.raises(ParameterError, match=re.escape(message)):
        op(X, B, **args)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sampling_ratio": 1.5}, "sampling_ratio must be an integer (<= 0 for adaptive); got 1.5"),
        ({"sampling_ratio": "2"}, "sampling_ratio must be an integer (<= 0 for adaptive); got '2'"),
        ({"sampling_ratio": True}, "sampling_ratio must be an integer"),
        ({"mode": "mean"}, "mode must be 'avg' or 'max'; got 'mean'"),
        ({"aligned": "yes"}, "aligned must be True or False; got 'yes'"),
    ],
)
def test_bad_align_parameters(kwargs, message):  # type: ignore[no-untyped-def]
    with pytest.raises(ParameterError, match=re.escape(message)):
        roikit.roi_align(X, B, 2, **kwargs)


def test_bad_grad_output() -> None:
    with pytest.raises(
        InputError,
        match=re.escape("grad_output has shape (2, 3, 2, 3); the op's output has shape (2, 3, 2, 2)"),
    ):
        roikit.roi_align_backward(np.zeros((2, 3, 2, 3), np.float32), X, B, 2)
    with pytest.raises(
        DTypeError,
        match=re.escape("grad_output has dtype float64 but input has dtype float32; they must match"),
    ):
        roikit.roi_pool_backward(np.zeros((2, 3, 2, 2)), X, B, 2)
    with pytest.raises(ParameterError, match="mode must be 'avg' or 'max'"):
        roikit.roi_align_backward(np.zeros((2, 3, 2, 2), np.float32), X, B, 2, mode="sum")


def test_numpy_integer_parameters_are_accepted() -> None:
    out = roikit.roi_align(X, B, (np.int64(2), np.int32(3)), np.float32(0.5), np.int8(2))
    assert out.shape == (2, 3, 2, 3)


def test_integer_boxes_are_accepted() -> None:
    assert roikit.roi_pool(X, B.astype(np.int64), 2).shape == (2, 3, 2, 2)


# ----------------------------------------------------------------------------- the third round's cases


def test_documented_modules_import_and_are_the_engine_s() -> None:
    import importlib

    import roikit.budget
    import roikit.threads
    from roikit.threads import set_num_threads

    import roikit.figures

    assert roikit.budget is importlib.import_module("roikit.engine.budget")
    assert roikit.threads is importlib.import_module("roikit.engine.threads")
    assert set_num_threads is roikit.threads.set_num_threads
    assert roikit.figures.align_figure is importlib.import_module("roikit.render.figures").align_figure
    old = roikit.budget.MAX_WORK
    try:  # a limit raised through the public module is the limit the engine applies
        roikit.budget.MAX_WORK = 1
        with pytest.raises(roikit.ParameterError, match="MAX_WORK"):
            roikit.roi_pool(np.ones((1, 1, 4, 4), np.float32), np.float32([[0, 0, 0, 3, 3]]), 1)
    finally:
        roikit.budget.MAX_WORK = old


def test_big_endian_input_is_read_and_masked_input_refused() -> None:
    x = np.arange(16, dtype=">f4").reshape(1, 1, 4, 4)
    assert roikit.roi_align(x, np.array([[0, 0, 0, 2, 2]], ">f4"), 1, sampling_ratio=1)[0, 0, 0, 0] == 5
    masked = np.ma.masked_greater(x.astype(np.float32), 10)
    with pytest.raises(roikit.DTypeError, match=r"input is a masked array; roikit's ops do not read masks"):
        roikit.roi_pool(masked, np.float32([[0, 0, 0, 3, 3]]), 1)


def test_a_box_list_item_that_cannot_be_converted_names_its_place() -> None:
    class OnTheGPU:
        def __array__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            raise TypeError("can't convert cuda:0 device type tensor to numpy")

    x = np.ones((2, 1, 4, 4), np.float32)
    with pytest.raises(
        roikit.DTypeError, match=r"boxes\[1\] must be an array of shape \(L, 4\); could not convert"
    ):
        roikit.roi_align(x, [np.float32([[0, 0, 1, 1]]), OnTheGPU()], 2)


def test_python_list_boxes_take_the_input_s_dtype() -> None:
    x = np.arange(64, dtype=np.float32).reshape(1, 1, 8, 8)
    listed = roikit.roi_align(x, [[0, 1.0, 1, 6, 7]], 2, sampling_ratio=2)
    typed = roikit.roi_align(x, np.float32([[0, 1, 1, 6, 7]]), 2, sampling_ratio=2)
    assert np.array_equal(listed, typed)
    with pytest.raises(roikit.BoxError, match=r"boxes\[0, 3\] is beyond the range of float32"):
        roikit.roi_align(x, [[0, 0, 0, 1e300, 2]], 2)


def test_messages_name_the_argument_the_user_passed() -> None:
    x = np.ones((1, 1, 8, 8), np.float32)
    with pytest.raises(roikit.ParameterError, match=r"^output_height is 0; it must be in \[1, inf\]$"):
        roikit.onnx_roi_align(x, np.float32([[0, 0, 4, 4]]), np.array([0]), 0, 2)
    with pytest.raises(roikit.ParameterError, match="^output_width must be an integer; got 2.5$"):
        roikit.onnx_roi_align(x, np.float32([[0, 0, 4, 4]]), np.array([0]), 2, 2.5)
    levels = [np.ones((1, 1, 4, 4), np.float32), np.ones((1, 1, 8, 8), np.float32)]  # coarsest first
    with pytest.raises(
        roikit.InputError, match="features must go from the finest level to the coarsest"
    ) as exc:
        roikit.multiscale_roi_align(levels, [np.float32([[0, 0, 10, 10]])], [(32, 32)], 2)
    assert "k_max" not in str(exc.value)


def test_float16_max_mode_on_nan_is_minus_inf_without_a_warning() -> None:
    x = np.full((1, 1, 4, 4), np.nan, np.float16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = roikit.roi_align(x, np.float16([[0, 0, 0, 2, 2]]), 2, mode="max")
    # -FLT_MAX (mmcv's start value, what a bin of NaN points gives) is beyond float16: -inf
    assert out.dtype == np.float16 and np.all(out == -np.inf)


def test_rotated_boxes_beyond_float32_are_refused_not_zero() -> None:
    x = np.ones((1, 1, 4, 4), np.float32)
    with pytest.raises(roikit.BoxError, match=r"rois\[0, 3\] is beyond the range of float32"):
        roikit.roi_align_rotated(x, np.array([[0, 2, 2, 1e300, 2, 0]]), 2)
