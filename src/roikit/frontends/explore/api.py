"""The explorer's API, independent of HTTP: a query (text options) in, JSON out.

:func:`explain_json` returns exactly what ``roikit explain --format json``
prints for the same options (both go through :mod:`roikit.frontends.request`);
:func:`sweep` slides the box along x and returns one output value of RoI
Pool and RoI Align for every position, computed by the ops. Bad options
raise :class:`~roikit.RoIError` with the command line's message.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ...engine import budget
from ...errors import RoIError
from ...explain.trace import walk_data
from ...i18n import LANGUAGE_NAMES, langs, text
from ..mapio import RequestError, parse_inline_map, parse_numbers
from ..request import Walkthrough, build_walkthrough

__all__ = [
    "page_words",
    "QUESTIONS",
    "command_line",
    "explain_json",
    "live_json",
    "refusal",
    "query_lang",
    "sweep",
    "walkthrough",
]

_BOOL = {"true": True, "false": False, "1": True, "0": False}


def _get(query: Mapping[str, str], key: str, default: str | None = None) -> str | None:
    value = query.get(key, default)
    return None if value is None else str(value)


def walkthrough(
    query: Mapping[str, str], feature: np.ndarray | None = None, *, steps: bool = True
) -> Walkthrough:
    """The walkthrough a query asks for (the same checks and messages as the command line).

    ``feature`` is the map when the caller keeps it (the server's map ids); else
    the query's ``map`` text is read. ``steps=False``: the numbers without the step text.
    """
    op = _get(query, "op", "align")
    if op not in ("pool", "align"):
        raise RequestError("explore.op", op=op)
    if feature is None:
        text = _get(query, "map")
        if not text:
            raise RequestError("explore.missing", name="map")
        feature = parse_inline_map(text, budget.MAX_EXPLORE_CELLS)
    box = _get(query, "box")
    if not box:
        raise RequestError("explore.missing", name="box")
    size = _get(query, "output_size", "2") or "2"
    # One query answers a drag: its cost is bounded (a 180 × 180 output took a minute and 1 GB).
    # Read by the command line's parser (its messages); the walkthrough checks the rest.
    sizes = parse_numbers(size, "--output-size", (1, 2))
    if sizes[0] * sizes[-1] > budget.MAX_EXPLORE_BINS:
        raise RequestError("explore.bins", size=size, limit=budget.MAX_EXPLORE_BINS)
    user_options: dict[str, Any] = {}
    if op == "align":
        if (v := _get(query, "mode")) is not None:
            if v not in ("max", "avg"):
                raise RequestError("explore.choice", name="mode", value=v, choices="max, avg")
            user_options["mode"] = v
        if (v := _get(query, "aligned")) is not None:
            if v.lower() not in _BOOL:
                raise RequestError("explore.choice", name="aligned", value=v, choices="true, false")
            user_options["aligned"] = _BOOL[v.lower()]
        if (v := _get(query, "sampling_ratio")) is not None:
            try:
                user_options["sampling_ratio"] = int(v)
            except ValueError:
                raise RequestError("explore.number", name="sampling_ratio", value=v) from None
    try:
        scale = float(_get(query, "spatial_scale", "1") or "1")
    except ValueError:
        raise RequestError("explore.number", name="spatial_scale", value=query["spatial_scale"]) from None
    lang = _get(query, "lang", "en") or "en"
    if lang not in langs():
        raise RequestError("explore.choice", name="lang", value=lang, choices=", ".join(langs()))
    return build_walkthrough(
        op,
        feature,
        None,
        box,
        size,
        scale,
        user_options=user_options,
        lang=lang,
        bin_=_get(query, "bin"),
        steps=steps,
    )


def explain_json(query: Mapping[str, str], feature: np.ndarray | None = None) -> str:
    """The JSON of ``roikit explain --format json`` for the same options.

    Examples
    --------
    >>> import json
    >>> doc = json.loads(explain_json({"op": "pool", "map": "1 2; 3 4", "box": "0,0,1,1",
    ...                                "output_size": "1"}))
    >>> doc["output"]
    [[4.0]]
    """
    from ...render import render

    return render([walkthrough(query, feature).trace], "json")


def live_json(query: Mapping[str, str], feature: np.ndarray | None = None) -> str:
    """What a drag redraws: the trace of :func:`explain_json` without its step text and map.

    The same ``op``, ``lang``, ``params``, ``output`` and ``data`` (bins, points,
    weights, winners), from the same plan; the steps and the bins' aggregation
    lines are left out (words are most of the cost) and so is the map, which the
    page already holds. Compact
    JSON: the page asks for one of these at every move of the pointer.

    Examples
    --------
    >>> import json
    >>> q = {"op": "align", "map": "1 2; 3 4", "box": "0,0,1,1", "output_size": "1"}
    >>> live, full = json.loads(live_json(q)), json.loads(explain_json(q))
    >>> sorted(live), live["output"] == full["output"]
    (['data', 'lang', 'op', 'output', 'params'], True)
    >>> live["data"]["bins"][0]["points"] == full["data"]["bins"][0]["points"]
    True
    """
    import json
    from dataclasses import is_dataclass

    def fields(obj: Any) -> Any:  # a record as its fields, read in place (asdict copies them all first)
        if is_dataclass(obj):
            return vars(obj)
        raise TypeError(type(obj).__name__)

    t = walkthrough(query, feature, steps=False).trace
    doc = {"op": t.op, "lang": t.lang, "params": t.params, "output": t.output, "data": t.data}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), default=fields)


def sweep(query: Mapping[str, str], feature: np.ndarray | None = None, steps: int = 41) -> dict[str, Any]:
    """One output value as the box slides along x by −1…+1 feature cells, for both ops.

    RoI Pool jumps in steps (its rounding); RoI Align moves smoothly. The
    values come from :func:`roikit.roi_pool` and :func:`roikit.roi_align` on
    all the shifted boxes at once, with the query's settings.
    """
    from ...ops.roi_align import roi_align
    from ...ops.roi_pool import roi_pool

    walk = walkthrough(query, feature, steps=False)  # the numbers only: the sweep needs no words
    t = walk.trace
    ph, pw = tuple(walk_data(t).focus or (0, 0))
    if (b := _get(query, "bin")) is not None:
        ph, pw = (int(float(v)) for v in b.split(","))
    m = np.array(t.feature)[None, None]
    scale = float(t.params["spatial_scale"])
    shift_px = np.linspace(-1.0, 1.0, steps) / scale
    x1, y1, x2, y2 = t.params["box"]
    boxes = np.column_stack(
        [np.zeros(steps), x1 + shift_px, np.full(steps, y1), x2 + shift_px, np.full(steps, y2)]
    )
    size = tuple(t.params["output_size"])
    pool = roi_pool(m, boxes, size, scale)[:, 0, ph, pw]
    align_settings: dict[str, Any] = (
        t.params if t.op == "roi_align" else {"sampling_ratio": 2, "aligned": False, "mode": "max"}
    )
    align = roi_align(
        m,
        boxes,
        size,
        scale,
        int(align_settings["sampling_ratio"]),
        bool(align_settings["aligned"]),
        str(align_settings["mode"]),
    )[:, 0, ph, pw]
    return {"bin": [ph, pw], "shift_px": shift_px.tolist(), "pool": pool.tolist(), "align": align.tolist()}


def command_line(query: Mapping[str, str], feature: np.ndarray | None = None) -> str:
    """The ``roikit explain`` command that gives the same walkthrough."""
    t = walkthrough(query, feature).trace
    op = "pool" if t.op == "roi_pool" else "align"
    rows = "; ".join(" ".join(f"{v:g}" for v in row) for row in t.feature)
    words = [
        "roikit",
        "explain",
        op,
        "--map",
        rows,
        "--box",
        ",".join(f"{v:g}" for v in t.params["box"]),
        "--output-size",
        ",".join(str(v) for v in t.params["output_size"]),
        "--spatial-scale",
        f"{t.params['spatial_scale']:g}",
        "--lang",
        t.lang,
    ]
    if op == "align":
        words += [
            "--sampling-ratio",
            str(t.params["sampling_ratio"]),
            "--aligned" if t.params["aligned"] else "--not-aligned",
            "--mode",
            t.params["mode"],
        ]
    return " ".join(shlex.quote(w) for w in words)


#: The page's own words (labels and titles), each ``explore.ui.<name>`` in the catalogue.
PAGE_WORDS = (
    "op",
    "pool",
    "align",
    "mode",
    "max",
    "avg",
    "box",
    "size",
    "sr",
    "scale",
    "aligned",
    "snap",
    "lang",
    "output",
    "sweep",
    "shift",
    "exports",
    "command",
    "map",
    "apply",
    "file",
    "steps",
    "kinks",
    "keys",
    "point",
    "poolbins",
    "edges",
    "pick",
)


def page_words() -> dict[str, Any]:
    """Every language's name, and the page's words in each: the script holds no words of its own.

    Examples
    --------
    >>> w = page_words()
    >>> w["languages"]["ko"], w["ui"]["ko"]["steps"]
    ('한국어', '손으로 계산하기')
    """
    return {
        "languages": {lang: LANGUAGE_NAMES[lang] for lang in langs()},
        "ui": {lang: {k: text(lang, f"explore.ui.{k}") for k in PAGE_WORDS} for lang in langs()},
    }


#: The questions the page asks, by name: the server's ``/api/<name>`` routes and the
#: notebook widget's requests both answer through this table.
#: Each takes the query and, optionally, the map the caller keeps (None: the query's ``map``).
QUESTIONS: dict[str, Callable[..., Any]] = {
    "explain": explain_json,
    "live": live_json,
    "sweep": sweep,
    "command": lambda query, feature=None: {"command": command_line(query, feature)},
}


def query_lang(query: Mapping[str, str]) -> str:
    """The language a query asks for; English when it names none or an unknown one."""
    lang = query.get("lang")
    return lang if lang in langs() else "en"


def refusal(exc: RoIError, lang: str) -> str:
    """The message of a refused query: the command line's, in ``lang`` where it has one."""
    return exc.localized(lang) if isinstance(exc, RequestError) else str(exc)
