"""Walkthroughs, renderers and figures on extreme boxes and maps: a result or a RoIError, no warning.

The third reliability round found 302 raw errors here (a KeyError in the HTML of
RoI Pool's backward pass, ``LinAlgError: Singular matrix`` drawing boxes of
1e20, ``Maximum allowed size exceeded`` zooming into bins near 1e30).
"""

from __future__ import annotations

import os
import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import roikit
from roikit.render import render

EXTREME = [0.0, 0.5, -0.5, 1.0, 3.0, 7.5, -3.0, 1e6, -1e6, 1e12, 1e20, -1e20, 1e30, -1e30, 3e38, -3e38, 1e300]
COORD = st.one_of(st.sampled_from(EXTREME), st.floats(-3, 10, allow_nan=False))


@st.composite
def walkthroughs(draw: st.DrawFn) -> roikit.Trace:
    H, W = draw(st.integers(1, 8)), draw(st.integers(1, 8))
    scale = draw(st.sampled_from([1.0, 0.5, 0.25, 1e-3, 16.0]))
    m = np.array(draw(st.lists(st.integers(-9, 9), min_size=H * W, max_size=H * W)), float).reshape(H, W)
    if draw(st.booleans()):
        m = m * draw(st.sampled_from([1.0, 1e30, 1e-30]))
    box = tuple(draw(COORD) for _ in range(4))
    size = (draw(st.integers(1, 8)), draw(st.integers(1, 8)))
    kind = draw(st.sampled_from(["pool", "align", "pool backward", "align backward"]))
    align = dict(
        sampling_ratio=draw(st.sampled_from([0, 1, 2, 3])),
        aligned=draw(st.booleans()),
        mode=draw(st.sampled_from(["max", "avg"])),
    )
    lang = draw(st.sampled_from(["en", "ko"]))
    if kind == "pool":
        return roikit.explain_roi_pool(m, box, size, scale, lang=lang)
    if kind == "align":
        return roikit.explain_roi_align(m, box, size, scale, **align, lang=lang)
    if kind == "pool backward":
        return roikit.explain_roi_pool_backward(m, box, size, scale, lang=lang)
    return roikit.explain_roi_align_backward(m, box, size, scale, **align, lang=lang)


@settings(max_examples=max(int(os.environ.get("ROIKIT_FUZZ_EXAMPLES", "6000")) // 100, 10), deadline=None)
@given(st.data())
def test_every_format_and_figure_of_an_extreme_walkthrough(data: st.DataObject) -> None:
    import roikit.figures as figures

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            trace = data.draw(walkthroughs())
        except roikit.RoIError as exc:
            assert str(exc)
            return
        for fmt in ("text", "md", "latex", "html", "json"):
            assert render(trace, fmt)
        if trace.grad_input is not None:
            drawn = [figures.backward_figure(trace)]
        elif trace.op == "roi_pool":
            drawn = [figures.pool_figure(trace)]
        else:
            drawn = [figures.align_figure(trace), figures.bilinear_figure(trace)]
        for d in drawn:
            d.figure.savefig(os.devnull, format="png")


def test_a_bin_with_a_negative_height_is_enlarged_and_its_arrows_stay_in_its_panel() -> None:
    # found by the test above: aligned=True keeps the box's negative height (y1 = 7.5 below y2 = -0.5),
    # the zoom took the bin for off the map and drew the point's arrows far outside its empty panel,
    # so constrained layout collapsed the axes (a warning)
    import roikit.figures as figures

    t = roikit.explain_roi_align(
        np.zeros((6, 8)), (0, 0.5, 0, 0), (1, 5), 16.0, sampling_ratio=1, aligned=True, mode="max"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = figures.align_figure(t)
        d.figure.savefig(os.devnull, format="png")
        assert render(t, "html")
    assert d.zoom is not None and d.zoom.axison  # the cells around the bin, not "off the map"
    bottom, top = sorted(d.zoom.get_ylim())
    assert bottom <= 3.5 <= top  # the bin's one point, at the middle of its rows 7.5 .. -0.5
