"""Exercises: small maps and "nice" boxes, the same for the same seed, and their sheets.

Levels:

1. One bin, and a box on whole cells after scaling (RoI Pool) or with
   one-decimal sampling points (RoI Align).
2. 2×2 bins and a fractional box: RoI Pool's bins overlap; one of RoI
   Align's points lies within a cell of the border.
3. A box partly outside the map; RoI Pool rounds an exact .5; RoI Align
   uses ``aligned=True`` and adaptive sampling.

Every number a learner writes (coordinates, weights, values, outputs) is a
decimal of at most four places: candidates are drawn from the seed and the
first one whose walkthrough has only such numbers is taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ParameterError
from ..explain import Trace, explain_roi_align, explain_roi_pool
from ..explain.steps import matrix_table
from ..explain.trace import Step, Table, WorksheetData, align_data, pool_data
from ..i18n import text
from ..i18n.numbers import fmt
from .check import TOLERANCE, answer_file, key_of

__all__ = ["Exercise", "answer_key", "answers", "example_seed", "make_exercise", "worksheet"]

LEVELS = (1, 2, 3)
_TRIES = 5000


@dataclass(frozen=True)
class Exercise:
    """One exercise: the map, the box and the settings (and how it was drawn)."""

    op: str  #: "pool" or "align"
    level: int
    seed: int
    map: tuple[tuple[float, ...], ...]
    box: tuple[float, float, float, float]
    output_size: tuple[int, int]
    spatial_scale: float
    sampling_ratio: int = 2
    aligned: bool = False
    mode: str = "max"

    def trace(self, lang: str = "en") -> Trace:
        """The full walkthrough (the answer key), from the op's own plan."""
        m = np.array(self.map)
        if self.op == "pool":
            return explain_roi_pool(m, self.box, self.output_size, self.spatial_scale, lang=lang)
        return explain_roi_align(
            m,
            self.box,
            self.output_size,
            self.spatial_scale,
            self.sampling_ratio,
            self.aligned,
            self.mode,
            lang=lang,
        )

    def options(self) -> list[str]:
        """The ``roikit check`` options that name this exercise's map, box and settings."""
        rows = "; ".join(" ".join(fmt(v) for v in r) for r in self.map)
        opts = [
            "--map",
            rows,
            "--box",
            ",".join(fmt(v) for v in self.box),
            "--output-size",
            f"{self.output_size[0]},{self.output_size[1]}",
            "--spatial-scale",
            fmt(self.spatial_scale),
        ]
        if self.op == "align":
            opts += [
                "--sampling-ratio",
                str(self.sampling_ratio),
                "--aligned" if self.aligned else "--not-aligned",
                "--mode",
                self.mode,
            ]
        return opts


def _short(v: float, places: int = 4) -> bool:
    return bool(np.isfinite(v)) and abs(v * 10**places - round(v * 10**places)) < 1e-6


def _nice(ex: Exercise) -> bool:
    """Every number of the walkthrough is a decimal of at most four places, and the level holds."""
    t = ex.trace()
    outs = [v for row in t.output for v in row]
    if not all(_short(v) for v in outs):
        return False
    m = np.array(ex.map)
    H, W = m.shape
    if ex.op == "pool":
        x, y = pool_data(t).x, pool_data(t).y
        if not all(
            _short(v, 2)
            for v in (
                x.scaled_start,
                x.scaled_end,
                y.scaled_start,
                y.scaled_end,
                x.bin_size,
                y.bin_size,
            )
        ):
            return False
        overlap = any(
            b1 < e0 for a in (x, y) for e0, b1 in zip(a["bin_end"][:-1], a["bin_start"][1:], strict=True)
        )
        half = any(abs(v - np.trunc(v)) == 0.5 for a in (x, y) for v in (a["scaled_start"], a["scaled_end"]))
        # Level 2 stays on the map: clipping is level 3's rule, and the sheet teaches it there.
        on_map = 0 <= min(x.start, y.start) and x.end <= W - 1 and y.end <= H - 1
        return {1: True, 2: overlap and on_map, 3: half}[ex.level]
    points = [p for b in align_data(t).bins for p in b.points]
    if not all(_short(v) for p in points for v in (p.y, p.x, p.value, *(p.weights or ()))):
        return False
    if ex.level == 2:  # a point within a cell of the border, and every point on the map
        near = any(min(p.y, p.x) < 1 or p.y > H - 2 or p.x > W - 2 for p in points)
        return near and all(p.inside for p in points)
    if ex.level == 3:  # partly outside, and still a point on the map
        return any(not p.inside for p in points) and any(p.inside for p in points)
    return True


def _candidate(op: str, level: int, seed: int, rng: np.random.Generator) -> Exercise:
    n = 5 if level == 1 else 6
    m = rng.integers(0, 10, (n, n)).astype(float)
    tup = tuple(tuple(float(v) for v in r) for r in m)
    if op == "pool":
        if level == 1:
            x1, y1 = (int(v) for v in rng.integers(0, n - 2, 2))
            w, h = (int(v) for v in rng.integers(1, 3, 2))
            box, scale, size = (float(x1), float(y1), float(x1 + w), float(y1 + h)), 1.0, (1, 1)
        else:  # image coordinates in 0.2 steps: on the map (scale 0.5) in 0.1 steps
            lo, hi = (-3, 2 * n + 2) if level == 3 else (0, 2 * n - 2)
            x1, y1 = rng.integers(lo * 5, (hi - 4) * 5, 2) / 5
            w, h = rng.integers(20, 45, 2) / 5
            box, scale, size = (float(x1), float(y1), float(x1 + w), float(y1 + h)), 0.5, (2, 2)
        return Exercise(op, level, seed, tup, box, size, scale)
    if level == 1:  # start in 0.1 steps, size in 0.4 steps: points at start + size/4, + 3 size/4
        x1, y1 = rng.integers(0, (n - 3) * 10, 2) / 10
        w, h = rng.integers(3, 8, 2) * 0.4
        return Exercise(
            op,
            level,
            seed,
            tup,
            (float(x1), float(y1), float(x1 + w), float(y1 + h)),
            (1, 1),
            1.0,
            2,
            False,
            str(rng.choice(["max", "avg"])),
        )
    if level == 2:  # image coordinates in 0.2 steps (0.1 on the map), sizes in 0.8 steps on the map
        x1, y1 = rng.integers(0, (n - 3) * 10, 2) / 5
        w, h = rng.integers(2, 6, 2) * 1.6
        return Exercise(
            op,
            level,
            seed,
            tup,
            (float(x1), float(y1), float(x1 + w), float(y1 + h)),
            (2, 2),
            0.5,
            2,
            False,
            str(rng.choice(["max", "avg"])),
        )
    x1, y1 = rng.integers(-20, (n - 2) * 10, 2) / 10  # aligned, adaptive, partly outside
    w, h = rng.integers(2, 7, 2) * 0.8
    return Exercise(
        op,
        level,
        seed,
        tup,
        (float(x1), float(y1), float(x1 + w), float(y1 + h)),
        (2, 2),
        1.0,
        -1,
        True,
        str(rng.choice(["max", "avg"])),
    )


def make_exercise(op: str, level: int = 1, seed: int = 0) -> Exercise:
    """The exercise for ``op`` ("pool" or "align"), ``level`` (1 to 3) and ``seed``.

    Examples
    --------
    >>> ex = make_exercise("align", 2, seed=7)
    >>> ex == make_exercise("align", 2, seed=7), ex.output_size
    (True, (2, 2))
    """
    from ..engine.validate import check_choice, check_int

    op = check_choice(op, "op", ("pool", "align"))
    level = check_int(level, "level", low=1, high=3)
    seed = check_int(seed, "seed", low=0, high=2**32 - 1)
    rng = np.random.default_rng([seed, level, 0 if op == "pool" else 1])
    for _ in range(_TRIES):
        ex = _candidate(op, level, seed, rng)
        if _nice(ex):
            return ex
    raise ParameterError(f"no exercise found for {op}, level {level}, seed {seed}; try another seed")


def answers(ex: Exercise) -> dict[str, Any]:
    """The answer key in the answer-file format (see :data:`roikit.practice.ANSWER_KEYS`)."""
    return key_of(ex.trace())


def answer_key(ex: Exercise, lang: str = "en") -> Trace:
    """The answer key: the exercise's full walkthrough."""
    return ex.trace(lang)


def _blank(title: str, rows: list[str], cols: list[str]) -> Table:
    return Table(title, tuple(rows), tuple(cols), tuple(("",) * len(cols) for _ in rows), blank=True)


def _answer_box(ex: Exercise, item: str, lang: str) -> Table:
    """The box a learner writes one item's numbers in, shaped like the answer."""
    PH, PW = ex.output_size
    w = lambda key, **kw: text(lang, "sheet.box." + key, **kw)  # noqa: E731
    bins = [w("bin", p=p, q=q) for p in range(PH) for q in range(PW)]
    title = ""  # the step's title says what to write
    if item in ("scaled", "rounded"):
        return _blank(title, [w(item)], ["x1", "y1", "x2", "y2"])
    if item in ("size", "bin_size"):
        return _blank(title, [w(item)], [w("width"), w("height")])
    if item == "grid":
        return _blank(title, [w("grid")], [w("rows"), w("cols")])
    if item == "ranges":
        axes = [w("row_bin", p=p) for p in range(PH)] + [w("col_bin", q=q) for q in range(PW)]
        return _blank(title, axes, [w("first"), w("last")])
    if item == "max":
        return _blank(title, bins, [w("max"), w("row"), w("col")])
    if item == "points":
        # a fixed sampling_ratio is given on the sheet; an adaptive grid gets room for enough points
        n = ex.sampling_ratio if ex.sampling_ratio > 0 else 4
        axes = [w("row_bin_y", p=p) for p in range(PH)] + [w("col_bin_x", q=q) for q in range(PW)]
        return _blank(title, axes, [w("point", i=i + 1) for i in range(n)])
    if item == "weights":
        return _blank(title, bins, ["y", "x", "hy·hx", "hy·lx", "ly·hx", "ly·lx"])
    if item == "value":
        return _blank(title, bins, [text(lang, f"mode.{ex.mode}")])
    return _blank(title, [str(p) for p in range(PH)], [str(q) for q in range(PW)])  # the output


#: The example answer file comes from another exercise of the same level: a seed no learner
#: is likely to be given next to theirs (the far end of the seeds).
def example_seed(seed: int) -> int:
    """The seed of the exercise whose answer file a sheet shows as an example."""
    return 2**32 - 1 - seed


def worksheet(ex: Exercise, lang: str = "en") -> Trace:
    """The exercise as a sheet: what is given, a box to fill in per step, and how to hand it in.

    Each item has a box shaped like its answer (a grid for the output, a row
    per bin for ranges, points and weights); the last part shows the command
    that checks the answer file and a filled-in answer file of another
    exercise, both as code to copy.
    """
    t = ex.trace(lang)
    PH, PW = ex.output_size
    lines = [
        text(lang, "sheet.task." + ex.op, level=ex.level, seed=ex.seed),
        text(
            lang,
            "input.box",
            x1=fmt(ex.box[0]),
            y1=fmt(ex.box[1]),
            x2=fmt(ex.box[2]),
            y2=fmt(ex.box[3]),
            s=fmt(ex.spatial_scale),
            ph=PH,
            pw=PW,
        ),
    ]
    if ex.op == "align":
        lines.append(
            text(
                lang,
                "sheet.settings",
                sr=ex.sampling_ratio,
                aligned=ex.aligned,
                mode=text(lang, f"mode.{ex.mode}"),
            )
        )
    lines.append(text(lang, "sheet.precision", tol=fmt(TOLERANCE)))
    steps = [
        Step(
            "input",
            text(lang, "sheet.given"),
            tuple(lines),
            (matrix_table(text(lang, "input.table"), np.array(ex.map)),),
        )
    ]
    keys = "sheet.pool." if ex.op == "pool" else "sheet.align."
    for item in SHEET_ITEMS[ex.op]:
        title = text(lang, keys + item, ph=PH, pw=PW, mode=text(lang, f"mode.{ex.mode}"))
        steps.append(Step(f"sheet.{item}", title, (), (_answer_box(ex, item, lang),)))
    other = make_exercise(ex.op, ex.level, example_seed(ex.seed))
    command = f"roikit check {ex.op} --level {ex.level} --seed {ex.seed} --answer answer.json"
    steps.append(
        Step(
            "sheet.answer",
            text(lang, "sheet.answer.title"),
            (text(lang, "sheet.answer.line"),),
            code=(command,),
        )
    )
    steps.append(
        Step(
            "sheet.example",
            text(lang, "sheet.example.title"),
            (text(lang, "sheet.example.line", level=other.level, seed=other.seed),),
            code=tuple(answer_file(key_of(other.trace()))),
        )
    )
    params = {
        "op": ex.op,
        "level": ex.level,
        "seed": ex.seed,
        "box": list(ex.box),
        "output_size": list(ex.output_size),
        "spatial_scale": ex.spatial_scale,
    }
    return Trace("worksheet", lang, params, t.feature, (), tuple(steps), WorksheetData())


#: The worksheet's items per op (text keys under sheet.pool. / sheet.align.); not the answer
#: file's keys (:data:`~roikit.practice.check.ANSWER_KEYS`), which a sheet lists below them.
SHEET_ITEMS = {
    "pool": ("scaled", "rounded", "size", "bin_size", "ranges", "max", "output"),
    "align": ("scaled", "bin_size", "grid", "points", "weights", "value", "output"),
}
