"""A walkthrough asked for in words: the options of ``roikit explain`` or the explorer's query.

The command line and the explorer's HTTP API both turn their text options
into a trace here, so they give the same trace (hence the same JSON) and
the same errors for the same request. Errors are
:class:`~roikit.frontends.mapio.RequestError` (localized through
:mod:`roikit.i18n`) or the API's :class:`~roikit.RoIError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..explain.trace import Trace
from .mapio import (
    Phrase,
    RequestError,
    parse_box,
    parse_inline_map,
    parse_numbers,
    parse_output_size,
    picture_map,
)

__all__ = ["Walkthrough", "build_walkthrough", "option_names", "parse_bins"]

#: The walkthrough's own RoI Align defaults (Figure 3 of the Mask R-CNN paper).
DEFAULTS: dict[str, Any] = {"sampling_ratio": 2, "aligned": False, "mode": "max"}
#: How each setting is spelled on the command line (errors name the option).
option_names = {"sampling_ratio": "--sampling-ratio", "aligned": "--aligned/--not-aligned", "mode": "--mode"}


@dataclass(frozen=True)
class Walkthrough:
    """A built walkthrough: the trace, the picture under it (if any) and the bins to show."""

    trace: Trace
    picture: np.ndarray | None
    bins: Any  # "auto", "all" or (row, col)


def parse_bins(bins: str, bin_: str | None) -> Any:
    """``--bins auto|all`` or ``--bin i,j`` as the renderers take them."""
    if bin_ is not None:
        i, j = parse_numbers(bin_, "--bin", (2,))
        return int(i), int(j)
    if bins not in ("auto", "all"):
        raise RequestError("bins.word", bins=bins)
    return bins


def settings(op: str, convention: str | None, user_options: dict[str, Any]) -> dict[str, Any]:
    """RoI Align's settings: the walkthrough's defaults, a convention's, and the options user_options.

    An option that does not apply (any of them for RoI Pool) or that contradicts
    the convention is refused: it would otherwise be silently ignored or win.
    """
    from ..engine import budget
    from ..ops.conventions import CONVENTIONS

    if op == "pool":
        for key in user_options:
            raise RequestError("option.pool", option=option_names[key])
    sr = user_options.get("sampling_ratio")
    if isinstance(sr, int) and sr > budget.MAX_SAMPLING_RATIO:
        raise RequestError("sampling_ratio.max", value=sr, limit=budget.MAX_SAMPLING_RATIO)
    if convention is None:
        return {**DEFAULTS, **user_options}
    if convention not in CONVENTIONS:
        raise RequestError("convention.unknown", name=convention, known=", ".join(CONVENTIONS))
    conv = CONVENTIONS[convention]
    if op == "pool" and not conv.pool:
        raise RequestError("convention.align", name=convention)
    if op == "align" and conv.pool:
        raise RequestError("convention.pool", name=convention)
    if op == "align" and conv.explain is None:
        raise RequestError("convention.none", name=convention, summary=Phrase(f"conv.summary.{convention}"))
    align_settings = dict(conv.explain or {})
    for key, value in user_options.items():
        if key in align_settings and align_settings[key] != value:
            raise RequestError(
                "convention.contradicts",
                option=option_names[key],
                value=value,
                name=convention,
                key=key,
                setting=align_settings[key],
            )
    return align_settings


def build_walkthrough(
    op: str,
    feature: np.ndarray,
    image_path: Path | None,
    box: str,
    output_size: str = "2",
    spatial_scale: float = 1.0,
    *,
    user_options: dict[str, Any] | None = None,
    convention: str | None = None,
    channel: int | None = None,
    lang: str = "en",
    bins: str = "auto",
    bin_: str | None = None,
    backward: bool = False,
    grad: str | None = None,
    steps: bool = True,
) -> Walkthrough:
    """Check the text options against the map and build the trace.

    ``user_options`` holds the RoI Align settings the user set (``sampling_ratio``,
    ``aligned``, ``mode``); the others come from the convention or the
    walkthrough's defaults. ``backward`` explains the backward pass with the
    upstream gradient ``grad`` (inline rows of the output's shape, or one
    number; default all ones). ``steps=False`` builds the numbers without the
    step text (the explorer's live answers; not for the backward pass).
    """
    from ..explain import (
        explain_roi_align,
        explain_roi_align_backward,
        explain_roi_pool,
        explain_roi_pool_backward,
    )

    source, picture = None, None
    if image_path is not None:
        feature, picture, source = picture_map(feature, image_path, spatial_scale, lang)
    coords = parse_box(box, spatial_scale)
    size = parse_output_size(output_size, feature.shape[-2:])
    selected = parse_bins(bins, bin_)
    if isinstance(selected, tuple) and not (0 <= selected[0] < size[0] and 0 <= selected[1] < size[1]):
        raise RequestError("bin.outside", bin=bin_, ph=size[0], pw=size[1])
    align_settings = settings(op, convention, dict(user_options or {}))
    walk_kwargs: dict[str, Any] = dict(
        channel=channel,
        lang=lang,
        convention=convention,
        source=source,
        bin=selected if isinstance(selected, tuple) else None,
    )
    if grad is not None and not backward:
        raise RequestError("grad.alone")
    if backward:
        del walk_kwargs["convention"], walk_kwargs["source"]
        # Read a few more values than fit, so that a wrong shape is named as a shape.
        g: Any = None if grad is None else parse_inline_map(grad, 4 * size[0] * size[1] + 16, "--grad")
        if g is not None and g.size == 1:
            g = float(g.ravel()[0])
        elif g is not None and g.shape != size:
            raise RequestError("grad.shape", shape=f"{g.shape[0]}x{g.shape[1]}", ph=size[0], pw=size[1])
        if op == "pool":
            trace = explain_roi_pool_backward(feature, coords, size, spatial_scale, g, **walk_kwargs)
        else:
            trace = explain_roi_align_backward(
                feature, coords, size, spatial_scale, grad=g, **walk_kwargs, **align_settings
            )
    elif op == "pool":
        trace = explain_roi_pool(feature, coords, size, spatial_scale, steps=steps, **walk_kwargs)
    else:
        trace = explain_roi_align(
            feature, coords, size, spatial_scale, steps=steps, **walk_kwargs, **align_settings
        )
    return Walkthrough(trace, picture, selected)
