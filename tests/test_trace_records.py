"""The typed trace: records read by attribute, and still as the dicts they export."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import roikit
from roikit.explain.trace import AlignBin, AlignData, Point, PoolBin, PoolData, align_data, pool_data


def test_pool_records_hold_the_numbers_by_hand() -> None:
    # 4x4 arange, box (0.4, 0.6, 2.5, 2.5): columns round to 0…3, rows to 1…3 (2.5 away from
    # zero), so size 4 x 3, bins 2 x 1.5; bin (0, 0) reads rows 1…2, columns 0…1: max 9 at (2, 1).
    t = roikit.explain_roi_pool(np.arange(16.0).reshape(4, 4), (0.4, 0.6, 2.5, 2.5), 2)
    d = pool_data(t)
    assert isinstance(d, PoolData) and isinstance(d.bins[0], PoolBin)
    assert (d.x.start, d.x.end, d.y.start, d.y.end) == (0, 3, 1, 3)
    assert (d.x.bin_size, d.y.bin_size) == (2.0, 1.5)
    b = d.bins[0]
    assert (b.rows, b.cols, b.winner, b.value) == ((1, 3), (0, 2), (2, 1), 9.0)


def test_align_records_hold_the_numbers_by_hand() -> None:
    # 3x3 arange, box (0, 0, 2, 2), aligned=False, one bin, 1x1 sampling: the point is the
    # bin's centre (1, 1), whose four neighbours are (1, 1), (1, 2), (2, 1), (2, 2) with
    # weights 1, 0, 0, 0; the value is cell (1, 1) = 4.
    t = roikit.explain_roi_align(np.arange(9.0).reshape(3, 3), (0, 0, 2, 2), 1, sampling_ratio=1)
    d = align_data(t)
    assert isinstance(d, AlignData) and isinstance(d.bins[0], AlignBin)
    (p,) = d.bins[0].points
    assert isinstance(p, Point) and (p.y, p.x, p.inside, p.value) == (1.0, 1.0, True, 4.0)
    cells, values, weights = p.neighbours()
    assert cells == ((1, 1), (1, 2), (2, 1), (2, 2)) and values == (4.0, 5.0, 7.0, 8.0)
    assert weights == (1.0, 0.0, 0.0, 0.0) and p.fractions() == (0.0, 1.0, 0.0, 1.0)


def test_an_off_map_point_says_so() -> None:
    t = roikit.explain_roi_align(np.ones((2, 2)), (-9, -9, -5, -5), 1, sampling_ratio=1)
    (p,) = align_data(t).bins[0].points
    assert not p.inside and p.value == 0.0
    with pytest.raises(ValueError, match=r"off the map: it has no neighbours"):
        p.neighbours()


def test_records_are_frozen() -> None:
    t = roikit.explain_roi_pool(np.arange(16.0).reshape(4, 4), (0, 0, 3, 3), 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        pool_data(t).bins[0].value = 0.0  # type: ignore[misc]


def test_item_syntax_reads_fields_only() -> None:
    t = roikit.explain_roi_align(np.arange(9.0).reshape(3, 3), (0, 0, 2, 2), 1, sampling_ratio=1)
    d = align_data(t)
    assert d["bins"][0]["points"][0]["value"] == 4.0 and "bins" in d and d.get("nope", 3) == 3
    with pytest.raises(KeyError, match="neighbours"):
        d.bins[0].points[0]["neighbours"]  # a method, not a field


def test_the_wrong_kind_of_trace_is_named() -> None:
    t = roikit.explain_roi_pool(np.arange(16.0).reshape(4, 4), (0, 0, 3, 3), 2)
    with pytest.raises(ValueError, match=r"a RoI Align walkthrough is needed; got the trace of 'roi_pool'"):
        align_data(t)
