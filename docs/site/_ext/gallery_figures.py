"""A sphinx-gallery image scraper for roikit's figures.

roikit draws on its own ``Figure`` objects, not through pyplot (so that
drawing never changes a user's pyplot state), which sphinx-gallery's
matplotlib scraper cannot see: it lists pyplot's figures. This one saves
every figure the example holds in a variable (a ``Figure``, or what a
``roikit.figures`` function returned, whose ``.figure`` is one).
"""

from __future__ import annotations

import weakref
from typing import Any

from matplotlib.figure import Figure
from sphinx_gallery.scrapers import figure_rst

_SAVED: weakref.WeakSet[Figure] = weakref.WeakSet()


def _figures(namespace: dict[str, Any]) -> list[Figure]:
    found = []
    for value in namespace.values():
        fig = value if isinstance(value, Figure) else getattr(value, "figure", None)
        if isinstance(fig, Figure) and fig not in _SAVED and fig not in found:
            found.append(fig)
    return found


def scrape(block: Any, block_vars: dict[str, Any], gallery_conf: dict[str, Any], **kwargs: Any) -> str:
    """Save the example's new figures as its images; return their reStructuredText."""
    paths = []
    # The iterator hands out as many paths as asked for (it grows), hence strict=False.
    figures, names = _figures(block_vars["example_globals"]), block_vars["image_path_iterator"]
    for fig, path in zip(figures, names, strict=False):
        fig.savefig(path, dpi=110)
        _SAVED.add(fig)
        paths.append(path)
    return figure_rst(paths, gallery_conf["src_dir"])
