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

import json
import math
import re
from dataclasses import dataclass
from itertools import permutations
from typing import Any

import numpy as np

from ..explain.trace import AlignBin, AlignData, PoolData, Trace, align_data, pool_data
from ..i18n import text
from ..i18n.numbers import fmt

__all__ = [
    "ANSWER_KEYS",
    "STEPS",
    "TOLERANCE",
    "CheckResult",
    "Verdict",
    "answer_file",
    "check_answers",
    "key_of",
]

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
class Verdict:
    """One checked step: right or not, the message, and the mistake named (a catalogue key)."""

    step: str
    right: bool
    message: str
    mistake: str | None = None
    shape: bool = False  #: the numbers are right, only their shape is not


@dataclass(frozen=True)
class CheckResult:
    """Every given step checked, in order, and what the answer left out.

    ``right`` is True only when at least one step was given and every given
    step is right: the command line's exit code (0, else 1).
    """

    verdicts: tuple[Verdict, ...]
    missing: tuple[str, ...] = ()  #: steps of the exercise the answer does not give
    unknown: tuple[str, ...] = ()  #: keys of the answer that are no step
    tolerance: float = TOLERANCE
    lang: str = "en"

    @property
    def steps(self) -> tuple[tuple[str, bool, str], ...]:
        """``(name, right, message)`` per checked step."""
        return tuple((v.step, v.right, v.message) for v in self.verdicts)

    @property
    def first_wrong(self) -> str | None:
        """The first wrong step, or None when every step given is right."""
        return next((v.step for v in self.verdicts if not v.right), None)

    @property
    def right(self) -> bool:
        """Whether some step was given and every given step is right."""
        return bool(self.verdicts) and all(v.right for v in self.verdicts)

    def lines(self) -> list[str]:
        """Every step's verdict, then what was not checked, the tolerance and the tally."""
        lang = self.lang
        out = [v.message for v in self.verdicts]
        if self.unknown:
            out.append(text(lang, "chk.unknown", keys=", ".join(self.unknown)))
        if self.missing and self.verdicts:
            out.append(text(lang, "chk.missing", steps=", ".join(self.missing)))
        if self.verdicts:
            out.append(text(lang, "chk.tolerance", tol=fmt(self.tolerance)))
            wrong = sum(not v.right for v in self.verdicts)
            out.append(
                text(lang, "chk.all")
                if not wrong
                else text(lang, "chk.tally", wrong=wrong, given=len(self.verdicts))
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        """The result for a grading script (``roikit check --format json``)."""
        return {
            "right": self.right,
            "steps": [
                {
                    "step": v.step,
                    "right": v.right,
                    "shape_only": v.shape,
                    "mistake": v.mistake,
                    "message": v.message,
                }
                for v in self.verdicts
            ],
            "missing": list(self.missing),
            "unknown": list(self.unknown),
            "tolerance": self.tolerance,
        }


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


def answer_file(key: dict[str, Any]) -> list[str]:
    r"""An answer file's lines: one step per line, a weights dict one bin per line (valid JSON).

    Examples
    --------
    >>> print("\n".join(answer_file({"size": [5, 6], "weights": {"0,0": [0.5, 0.5, 0, 0]}})))
    {
      "size": [5, 6],
      "weights": {
        "0,0": [0.5, 0.5, 0, 0]
      }
    }
    """
    out = ["{"]
    items = list(key.items())
    for i, (k, v) in enumerate(items):
        comma = "," if i + 1 < len(items) else ""
        if isinstance(v, dict):
            out.append(f"  {json.dumps(k)}: {{")
            inner = list(v.items())
            out += [
                f"    {json.dumps(b)}: {_numbers(w)}" + ("," if j + 1 < len(inner) else "")
                for j, (b, w) in enumerate(inner)
            ]
            out.append("  }" + comma)
        else:
            out.append(f"  {json.dumps(k)}: {_numbers(v)}{comma}")
    return [*out, "}"]


def _same(a: Any, b: Any) -> bool:
    """Equal within TOLERANCE, for numbers, lists of them and dicts of them."""
    if isinstance(b, dict):
        return isinstance(a, dict) and all(k in a and _same(a[k], v) for k, v in b.items())
    if isinstance(b, (list, tuple)):
        return isinstance(a, (list, tuple)) and len(a) == len(b) and all(map(_same, a, b))
    if b is None:
        return a is None
    if isinstance(a, bool):
        return False
    try:
        return math.isclose(float(a), float(b), abs_tol=TOLERANCE)
    except (TypeError, ValueError, OverflowError):
        return False


_NUMBER = re.compile(r"[-−+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _number_text(s: str) -> Any:
    """A string of numbers as the number or list it writes (``"2.7, 2, 6.5"``); else the string."""
    found = _NUMBER.findall(s)
    rest = _NUMBER.sub(" ", s)
    if not found or re.search(r"[^\s,;\[\]()]", rest):
        return s
    values = [float(v.replace("−", "-")) for v in found]
    return values[0] if len(values) == 1 and not re.search(r"[,;\[\]]", s) else values


def _parsed(a: Any) -> Any:
    """Numbers written as strings become numbers, at any depth."""
    if isinstance(a, str):
        return _number_text(a)
    if isinstance(a, (list, tuple)):
        return [_parsed(v) for v in a]
    if isinstance(a, dict):
        return {k: _parsed(v) for k, v in a.items()}
    return a


def _flat(a: Any) -> list[Any]:
    if isinstance(a, dict):
        return [v for k in sorted(a, key=_bin_of) for v in _flat(a[k])]
    if isinstance(a, (list, tuple)):
        return [v for x in a for v in _flat(x)]
    return [a]


def _bin_of(key: Any) -> tuple[int, ...]:
    """``"0,1"``, ``"(0, 1)"``, ``"0 1"`` or ``"0-1"`` as (0, 1); anything else sorts last."""
    found = re.findall(r"\d+", str(key))
    return tuple(int(v) for v in found) if len(found) == 2 else (1 << 30,)


def _shaped(flat: list[Any], like: Any) -> Any:
    """``flat`` poured into the shape of ``like`` (which holds exactly as many numbers)."""
    it = iter(flat)

    def pour(x: Any) -> Any:
        if isinstance(x, dict):
            return {k: pour(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [pour(v) for v in x]
        return next(it)

    return pour(like)


def _coerce(got: Any, want: Any) -> Any:
    """``got`` in the key's shape where that is unambiguous; else ``got`` as it came.

    Numeric strings are numbers; a flat list (or a list of bins in row-major
    order) takes the key's nesting when it holds the key's count of numbers;
    a weights dict may name a bin ``"0,1"``, ``"(0, 1)"`` or ``"0 1"``, and a
    list of bins (or a grid of them) is read in row-major order.
    """
    got = _parsed(got)
    if isinstance(want, dict):
        if isinstance(got, dict):
            bins = {_bin_of(k): v for k, v in got.items()}
            return {k: bins.get(_bin_of(k), got.get(k)) for k in want}
        if isinstance(got, list):
            keys = sorted(want, key=_bin_of)
            rows = got
            if len(rows) and all(isinstance(r, list) and r and isinstance(r[0], list) for r in rows):
                rows = [b for r in rows for b in r]  # a PH x PW grid of bins
            if len(rows) == len(keys):
                return dict(zip(keys, rows, strict=True))
        return got
    # Only a flat list is poured into the step's shape: a list nested some other way is the
    # learner's own shape, and gets the shape message instead.
    is_number = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)  # noqa: E731
    if isinstance(want, list) and isinstance(got, list) and all(map(is_number, got)):
        if len(got) == len(_flat(want)):
            return _shaped(got, want)
    return got


def _numbers(a: Any) -> str:
    """A value as JSON a learner may paste back: bins' keys quoted, the ASCII minus."""
    if a is None:
        return "null"
    if isinstance(a, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))}: {_numbers(v)}" for k, v in a.items()) + "}"
    if isinstance(a, (list, tuple)):
        return "[" + ", ".join(_numbers(v) for v in a) + "]"
    if isinstance(a, str):
        return json.dumps(a, ensure_ascii=False)
    try:
        return fmt(float(a)).replace("−", "-")
    except (TypeError, ValueError, OverflowError):
        return json.dumps(str(a), ensure_ascii=False)


def _diagnose(
    step: str, got: Any, want: Any, trace: Trace, other_output: Any = None, inside_average: Any = None
) -> str | None:
    """The key of the classic mistake that gives ``got``, if one does."""
    if trace.op == "roi_pool":
        return _pool_mistake(step, got, trace)
    return _align_mistake(step, got, want, trace, other_output, inside_average)


def _pool_mistake(step: str, got: Any, trace: Trace) -> str | None:
    d, box = pool_data(trace), trace.params["box"]
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
        last = d.map_shape[0 if step == "rows" else 1] - 1
        floor_only = [[math.floor(p * b) + s, math.floor((p + 1) * b) + s - 1] for p in range(P)]
        clipped = [[min(max(lo, 0), last), min(max(hi, 0), last)] for lo, hi in floor_only]
        if _same(got, floor_only) or _same(got, clipped):
            return "mistake.nooverlap"
        if _same(got, [[lo, hi] for lo, hi in zip(a.bin_start, a.bin_end, strict=True)]):
            return "mistake.exclusive_end"
        if _same(got, [[lo, hi - 1] for lo, hi in zip(a.bin_start_raw, a.bin_end_raw, strict=True)]):
            return "mistake.unclipped"
    if step == "output":
        m = np.array(trace.feature, dtype=float)
        PH, PW = trace.params["output_size"]
        means = [[0.0] * PW for _ in range(PH)]
        for pb in d.bins:
            cells = m[pb.rows[0] : pb.rows[1], pb.cols[0] : pb.cols[1]]
            means[pb.ph][pb.pw] = float(cells.mean()) if cells.size else 0.0
        if _same(got, means) and not _same(means, [list(r) for r in trace.output]):
            return "mistake.pool_avg"
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
        edges = [[a.start + p * a.bin_size + i * a.bin_size / g for i in range(g)] for p in range(len(want))]
        spread = [
            [a.start + p * a.bin_size + i * a.bin_size / (g - 1) for i in range(g)] for p in range(len(want))
        ]
        if g and (_same(got, edges) or (g > 1 and _same(got, spread))):
            return "mistake.edges"
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
    """Check every step of ``answer`` (a dict of :data:`ANSWER_KEYS` names) against ``trace``.

    ``other`` is the same RoI Align in the other mode: with it an output that
    is the other mode's is named as that mistake. Numbers may be JSON numbers
    or numeric strings, and a flat list is read in the step's shape when it
    holds as many numbers; right numbers in another shape are said to be
    right, with the shape to use.

    Examples
    --------
    >>> import numpy as np
    >>> from roikit import explain_roi_pool
    >>> t = explain_roi_pool(np.arange(16.0).reshape(4, 4), (0.4, 0.6, 2.5, 2.5), 1)
    >>> r = check_answers(t, {"rounded": [0, 1, 2, 2], "size": "4, 3"})  # 2.5 rounded to even
    >>> r.first_wrong, r.right, [v.right for v in r.verdicts]
    ('rounded', False, [False, True])
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
    verdicts = []
    for step in ANSWER_KEYS[op]:
        if step not in answer:
            continue
        want = key[step]
        got = _coerce(answer[step], want)
        label = text(lang, f"chk.step.{step}")
        if _same(got, want):
            verdicts.append(
                Verdict(step, True, text(lang, "chk.right", label=label, step=step, v=_numbers(want)))
            )
            continue
        if _same(_flat(got), _flat(want)):
            message = text(lang, "chk.shape", label=label, step=step, want=_numbers(want))
            verdicts.append(Verdict(step, False, message, None, True))
            continue
        message = text(lang, "chk.wrong", label=label, step=step, got=_numbers(got), want=_numbers(want))
        # The classic mistake first (it says what the learner did), then the rule.
        mistake = _diagnose(step, got, want, trace, other_output, inside_average)
        if mistake is not None:
            message += " " + text(lang, mistake)
        message += " " + text(lang, f"chk.how.{op}.{step}")
        verdicts.append(Verdict(step, False, message, mistake))
    missing = tuple(k for k in ANSWER_KEYS[op] if k not in answer)
    unknown = tuple(str(k) for k in answer if k not in ANSWER_KEYS[op])
    return CheckResult(tuple(verdicts), missing, unknown, TOLERANCE, lang)


def _inside_average(b: AlignBin) -> float:
    """A bin's average over its points on the map only (the off-map mistake's number)."""
    values = [p.value for p in b.points if p.inside]
    return sum(values) / len(values) if values else 0.0
