"""Checking a learner's numbers against the walkthrough, step by step.

An answer is a JSON object with any of the step names of :data:`ANSWER_KEYS` (a
partial answer checks what is there). Steps are checked in order; the
first wrong one is explained: what the right number is and how it comes,
and, when the learner's number is the one a classic mistake gives, the
mistake by name (rounding half to even, floor instead of round, a missing
+1, bins that do not overlap, points at 1/3 and 2/3, weights on the wrong
corners, averaging instead of the max and the reverse, an off-map point
left out).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import permutations
from typing import Any

import numpy as np

from ..explain.trace import AlignBin, AlignData, PoolData, Trace, align_data, pool_data
from ..i18n import text
from ..i18n.numbers import fmt

__all__ = ["ANSWER_KEYS", "STEPS", "CheckResult", "check_answers", "key_of"]

#: The answer-file steps, in the order they are checked.
ANSWER_KEYS = {
    "pool": ("scaled", "rounded", "size", "bin_size", "rows", "cols", "output"),
    "align": ("scaled", "bin_size", "grid", "y", "x", "weights", "output"),
}
#: The former name of :data:`ANSWER_KEYS` (deprecated).
STEPS = ANSWER_KEYS
#: A number is right within this (learners write four decimals).
TOLERANCE = 5e-4


@dataclass(frozen=True)
class CheckResult:
    """Per checked step ``(name, right, message)``; ``first_wrong`` names the first wrong step."""

    steps: tuple[tuple[str, bool, str], ...]

    @property
    def first_wrong(self) -> str | None:
        """The first wrong step, or None when every step given is right."""
        return next((name for name, ok, _ in self.steps if not ok), None)

    def lines(self) -> list[str]:
        """Every step's verdict, up to and including the first wrong one."""
        out = []
        for _, ok, message in self.steps:
            out.append(message)
            if not ok:
                break
        return out


def key_of(trace: Trace) -> dict[str, Any]:
    """The answers of a walkthrough, in the answer-file format."""
    out = _pool_key(pool_data(trace)) if trace.op == "roi_pool" else _align_key(trace)
    out["output"] = [list(r) for r in trace.output]
    return out


def _pool_key(d: PoolData) -> dict[str, Any]:
    x, y = d.x, d.y
    return {
        "scaled": [x.scaled_start, y.scaled_start, x.scaled_end, y.scaled_end],
        "rounded": [x.start, y.start, x.end, y.end],
        "size": [x.size, y.size],
        "bin_size": [x.bin_size, y.bin_size],
        "rows": [[s, e - 1] for s, e in zip(y.bin_start, y.bin_end, strict=True)],
        "cols": [[s, e - 1] for s, e in zip(x.bin_start, x.bin_end, strict=True)],
    }


def _align_key(trace: Trace) -> dict[str, Any]:
    d = align_data(trace)
    x, y = d.x, d.y
    bins = {(b.ph, b.pw): b for b in d.bins}
    PH, PW = trace.params["output_size"]
    gx = int(x.grid)
    return {
        "scaled": [x.start, y.start, x.end, y.end],
        "bin_size": [x.bin_size, y.bin_size],
        "grid": [y.grid, x.grid],
        "y": [[p.y for p in bins[(ph, 0)].points[::gx]] if gx else [] for ph in range(PH)],
        "x": [[p.x for p in bins[(0, pw)].points[:gx]] for pw in range(PW)],
        "weights": {
            f"{ph},{pw}": next((p.weights for p in b.points if p.inside), None)
            for (ph, pw), b in bins.items()
        },
    }


def _same(a: Any, b: Any) -> bool:
    """Equal within TOLERANCE, for numbers, lists of them and dicts of them."""
    if isinstance(b, dict):
        return isinstance(a, dict) and all(k in a and _same(a[k], v) for k, v in b.items())
    if isinstance(b, (list, tuple)):
        return isinstance(a, (list, tuple)) and len(a) == len(b) and all(map(_same, a, b))
    if b is None:
        return a is None
    try:
        return math.isclose(float(a), float(b), abs_tol=TOLERANCE)
    except (TypeError, ValueError):
        return False


def _numbers(a: Any) -> str:
    if isinstance(a, dict):
        return "{" + ", ".join(f"{k}: {_numbers(v)}" for k, v in a.items()) + "}"
    if isinstance(a, (list, tuple)):
        return "[" + ", ".join(_numbers(v) for v in a) + "]"
    try:
        return fmt(float(a))
    except (TypeError, ValueError):
        return repr(a)


def _diagnose(
    step: str, got: Any, want: Any, trace: Trace, other_output: Any = None, inside_average: Any = None
) -> str | None:
    """The key of the classic mistake that gives ``got``, if one does."""
    if trace.op == "roi_pool":
        return _pool_mistake(step, got, pool_data(trace), trace.params["box"])
    return _align_mistake(step, got, want, trace, other_output, inside_average)


def _pool_mistake(step: str, got: Any, d: PoolData, box: Any) -> str | None:
    x, y = d.x, d.y
    raw = [x.scaled_start, y.scaled_start, x.scaled_end, y.scaled_end]
    if step == "scaled" and _same(got, box):
        return "mistake.noscale"
    if step == "rounded":
        if _same(got, [float(np.round(v)) for v in raw]):
            return "mistake.half_even"
        if _same(got, [math.floor(v) for v in raw]):
            return "mistake.floor_box"
    if step == "size" and _same(got, [x.end - x.start, y.end - y.start]):
        return "mistake.plus1"
    if step == "bin_size" and _same(
        got,
        [(x.end - x.start) / len(x.bin_start), (y.end - y.start) / len(y.bin_start)],
    ):
        return "mistake.plus1"
    if step in ("rows", "cols"):
        a = y if step == "rows" else x
        P, b, s = len(a.bin_start), a.bin_size, a.start
        floor_only = [[math.floor(p * b) + s, math.floor((p + 1) * b) + s - 1] for p in range(P)]
        if _same(got, floor_only):
            return "mistake.nooverlap"
    return None


def _align_mistake(
    step: str, got: Any, want: Any, trace: Trace, other_output: Any, inside_average: Any
) -> str | None:
    d = align_data(trace)
    x, y = d.x, d.y
    if step == "scaled":
        off = d.offset
        shifted = [x.start, y.start, x.end, y.end]
        if off and _same(got, [v + off for v in shifted]):
            return "mistake.no_half"
        if not off and _same(got, [v - 0.5 for v in shifted]):
            return "mistake.half_not_aligned"
    if step in ("y", "x"):
        a = y if step == "y" else x
        g = int(a.grid)
        thirds = [
            [a.start + p * a.bin_size + (i + 1) * a.bin_size / (g + 1) for i in range(g)]
            for p in range(len(want))
        ]
        if g and _same(got, thirds):
            return "mistake.thirds"
    if step == "weights" and isinstance(got, dict):
        for k, w in want.items():
            if w is not None and k in got and not _same(got[k], w):
                if any(_same(list(p), got[k]) for p in permutations(w)):
                    return "mistake.corners"
    if step == "output":
        if other_output is not None and _same(got, other_output):
            return "mistake.avg_for_max" if trace.params["mode"] == "max" else "mistake.max_for_avg"
        if inside_average is not None and not _same(inside_average, want) and _same(got, inside_average):
            return "mistake.offmap"
    return None


def check_answers(trace: Trace, answer: dict[str, Any], other: Trace | None = None) -> CheckResult:
    """Check ``answer`` (a dict of :data:`ANSWER_KEYS` names) against the walkthrough ``trace``.

    ``other`` is the same RoI Align in the other mode: with it an output that
    is the other mode's is named as that mistake.

    Examples
    --------
    >>> import numpy as np
    >>> from roikit import explain_roi_pool
    >>> t = explain_roi_pool(np.arange(16.0).reshape(4, 4), (0.4, 0.6, 2.5, 2.5), 1)
    >>> r = check_answers(t, {"rounded": [0, 1, 2, 2]})  # 2.5 rounded to even
    >>> r.first_wrong
    'rounded'
    """
    lang = trace.lang
    op = "pool" if trace.op == "roi_pool" else "align"
    key = key_of(trace)
    other_output = None if other is None else [list(r) for r in other.output]
    inside_average = None
    if isinstance(trace.data, AlignData) and trace.params["mode"] == "avg":
        bins = trace.data.bins
        rows = range(trace.params["output_size"][0])
        inside_average = [[_inside_average(b) for b in bins if b.ph == ph] for ph in rows]
    results = []
    for step in ANSWER_KEYS[op]:
        if step not in answer:
            continue
        got, want = answer[step], key[step]
        if _same(got, want):
            label = text(lang, f"chk.step.{step}")
            results.append((step, True, text(lang, "chk.right", label=label, step=step, v=_numbers(want))))
            continue
        message = text(
            lang,
            "chk.wrong",
            label=text(lang, f"chk.step.{step}"),
            step=step,
            got=_numbers(got),
            want=_numbers(want),
        )
        # The classic mistake first (it says what the learner did), then the rule.
        mistake = _diagnose(step, got, want, trace, other_output, inside_average)
        if mistake is not None:
            message += " " + text(lang, mistake)
        message += " " + text(lang, f"chk.how.{op}.{step}")
        results.append((step, False, message))
    if not results:
        results.append(("none", False, text(lang, "chk.empty", steps=", ".join(ANSWER_KEYS[op]))))
    return CheckResult(tuple(results))


def _inside_average(b: AlignBin) -> float:
    """A bin's average over its points on the map only (the off-map mistake's number)."""
    values = [p.value for p in b.points if p.inside]
    return sum(values) / len(values) if values else 0.0
