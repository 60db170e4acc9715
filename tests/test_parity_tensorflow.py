"""Parity with TensorFlow's crop_and_resize, and tensorpack's RoI Align built on it.

Marked ``parity``: without the frameworks the file is skipped, unless ROIKIT_REQUIRE_PARITY=1
(make test, CI) makes that a failure (tests/needs.py).
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import needs
import numpy as np
import pytest

(tf,) = needs.modules("parity", "tensorflow")

import roikit
from roikit.ops.crop_resize import crop_and_resize, crop_and_resize_backward, tensorpack_roi_align

pytestmark = pytest.mark.parity


def _boxes(rng, k):  # type: ignore[no-untyped-def]
    b = rng.uniform(-0.4, 1.4, (k, 4)).astype(np.float32)  # flipped and outside ones too
    b[0] = [0.2, 0.3, 0.2, 0.3]  # a point
    b[1] = [0.0, 0.0, 1.0, 1.0]  # the whole image
    return b


@pytest.mark.parametrize("method", ["bilinear", "nearest"])
@pytest.mark.parametrize("crop", [(1, 1), (2, 3), (7, 5)])
@pytest.mark.parametrize("image_dtype", [np.float32, np.float64, np.uint8])
def test_crop_and_resize_matches_tensorflow(rng, method, crop, image_dtype):  # type: ignore[no-untyped-def]
    image = (rng.uniform(0, 255, (3, 9, 7, 2))).astype(image_dtype)
    boxes = _boxes(rng, 40)
    idx = rng.integers(0, 3, 40).astype(np.int32)
    ref = tf.image.crop_and_resize(image, boxes, idx, crop, method=method, extrapolation_value=-7.5).numpy()
    ours = crop_and_resize(image, boxes, idx, crop, method, -7.5)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, ref, rtol=1e-6, atol=1e-4)


@pytest.mark.parametrize("method", ["bilinear", "nearest"])
def test_crop_and_resize_gradient_matches_tensorflow(rng, method):  # type: ignore[no-untyped-def]
    image = rng.standard_normal((2, 8, 9, 3)).astype(np.float32)
    boxes = _boxes(rng, 25)
    idx = rng.integers(0, 2, 25).astype(np.int32)
    g = rng.standard_normal((25, 4, 3, 3)).astype(np.float32)
    x = tf.Variable(image)
    with tf.GradientTape() as tape:
        out = tf.image.crop_and_resize(x, boxes, idx, (4, 3), method=method)
        loss = tf.reduce_sum(out * g)
    ref = tf.convert_to_tensor(tape.gradient(loss, x)).numpy()
    np.testing.assert_allclose(
        crop_and_resize_backward(g, image, boxes, idx, (4, 3), method), ref, rtol=1e-5, atol=1e-5
    )


def _tensorpack_in_tf(featuremap, boxes, resolution):  # type: ignore[no-untyped-def]
    """tensorpack's model_box.roi_align, written with TensorFlow ops."""
    image = tf.pad(featuremap, [[0, 0], [0, 0], [1, 1], [1, 1]], mode="SYMMETRIC")
    boxes = boxes + 1
    x0, y0, x1, y1 = tf.split(boxes, 4, axis=1)
    n = 2 * resolution
    sw, sh = (x1 - x0) / n, (y1 - y0) / n
    h1 = tf.cast(tf.shape(image)[2] - 1, tf.float32)
    w1 = tf.cast(tf.shape(image)[3] - 1, tf.float32)
    nx0 = (x0 + sw / 2 - 0.5) / w1
    ny0 = (y0 + sh / 2 - 0.5) / h1
    nw, nh = sw * (n - 1) / w1, sh * (n - 1) / h1
    tf_boxes = tf.concat([ny0, nx0, ny0 + nh, nx0 + nw], axis=1)
    crops = tf.image.crop_and_resize(
        tf.transpose(image, [0, 2, 3, 1]), tf_boxes, tf.zeros([tf.shape(boxes)[0]], tf.int32), [n, n]
    )
    pooled = tf.nn.avg_pool2d(crops, [1, 2, 2, 1], [1, 2, 2, 1], padding="SAME")
    return tf.transpose(pooled, [0, 3, 1, 2]).numpy()


@pytest.mark.parametrize("resolution", [1, 2, 7])
def test_tensorpack_roi_align_matches_its_tensorflow_construction(rng, resolution):  # type: ignore[no-untyped-def]
    fm = rng.standard_normal((1, 3, 10, 12)).astype(np.float32)
    b = rng.uniform(-2, 12, (30, 4)).astype(np.float32)
    ref = _tensorpack_in_tf(fm, b, resolution)
    ours = tensorpack_roi_align(fm, b, np.zeros(30, np.int64), resolution)
    np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-5)


def test_tensorpack_equals_aligned_roi_align_inside_the_map(rng):  # type: ignore[no-untyped-def]
    fm = rng.standard_normal((1, 2, 12, 12)).astype(np.float32)
    b = np.sort(rng.uniform(1, 10, (20, 2, 2)), axis=1).reshape(20, 4)[:, [0, 2, 1, 3]]
    b = b.astype(np.float32)
    ours = tensorpack_roi_align(fm, b, np.zeros(20, np.int64), 3)
    ref = roikit.roi_align(fm, np.column_stack([np.zeros(20), b]).astype(np.float32), 3, 1.0, 2, True)
    np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-5)


def test_crop_and_resize_errors() -> None:
    img = np.zeros((2, 4, 4, 1), np.float32)
    with pytest.raises(roikit.BoxError, match=r"box_indices\[1\] is 2; it must be in \[0, 2\)"):
        crop_and_resize(img, np.zeros((2, 4)), np.array([0, 2]), 2)
    with pytest.raises(roikit.BoxError, match=r"boxes\[0, 2\] is nan"):
        crop_and_resize(img, np.array([[0, 0, np.nan, 1]]), np.array([0]), 2)
    with pytest.raises(roikit.InputError, match=r"image must have shape \(N, H, W, D\)"):
        crop_and_resize(img[0], np.zeros((1, 4)), np.array([0]), 2)
    with pytest.raises(roikit.ParameterError, match="crop_size must be positive; got 0"):
        crop_and_resize(img, np.zeros((1, 4)), np.array([0]), 0)
    with pytest.raises(roikit.ParameterError, match="method must be 'bilinear' or 'nearest'"):
        crop_and_resize(img, np.zeros((1, 4)), np.array([0]), 2, method="area")
