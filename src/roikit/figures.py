"""Figures of a walkthrough (matplotlib), in the style of Figure 3 of the Mask R-CNN paper.

``import roikit.figures`` (or ``roikit.figures`` after ``import roikit``) is
:mod:`roikit.render.figures`: :func:`align_figure`, :func:`bilinear_figure`,
:func:`halfpixel_figure`, :func:`pool_figure`, :func:`summary_figure` and
:func:`backward_figure` draw a trace and return what they drew. It needs the ``figures`` extra
(``pip install 'roikit[figures]'``).

Examples
--------
>>> import numpy as np, roikit.figures
>>> t = roikit.explain_roi_pool(np.arange(16.0).reshape(4, 4), (0.4, 0.6, 2.5, 2.5), 2)
>>> len(roikit.figures.pool_figure(t).bins)
4
"""

from __future__ import annotations

from .render.figures import (
    Drawn,
    MissingFont,
    align_figure,
    backward_figure,
    bilinear_figure,
    halfpixel_figure,
    pool_figure,
    summary_figure,
)

__all__ = [
    "Drawn",
    "MissingFont",
    "align_figure",
    "backward_figure",
    "bilinear_figure",
    "halfpixel_figure",
    "pool_figure",
    "summary_figure",
]
