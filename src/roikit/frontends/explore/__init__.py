"""``roikit explore``: drag the RoI on a local page and watch every bin, point and weight follow.

The page (:mod:`roikit.frontends.explore.server`) and the notebook widget
(:func:`roikit.frontends.explore.widget`) draw what the engine returns; every number
comes from the same trace as ``roikit explain --format json``, none is
computed in JavaScript.
"""

from __future__ import annotations

from .api import explain_json, sweep
from .server import ExploreServer
from .widget import widget

__all__ = ["ExploreServer", "explain_json", "sweep", "widget"]
