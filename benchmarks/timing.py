"""How every benchmark here times: interleaved rounds in a rotating order, fresh inputs, medians.

A call's time depends on what ran just before it on this kind of machine: a
roikit call right after a torchvision call (or a 2 ms sleep, or a numpy pass
over the map) measured up to twice its time right after another roikit call,
the same function in both places (a K=1 cell: 0.35 ms against 0.15 ms; a
K=16 one: 4.1 ms against 1.9 ms). In a fixed order the function that always
follows the reference pays that, round after round. So each round starts one
function further on: over the rounds every function follows every other
equally often, and the medians compare like with like.

    >>> t = interleaved({"a": lambda x: x + 1, "b": lambda x: x * 2}, lambda: 3, repeats=4)
    >>> sorted(t)
    ['a', 'b']
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")


def interleaved(
    fns: dict[str, Callable[[T], Any]], make: Callable[[], T], repeats: int, warm_up: bool = True
) -> dict[str, float]:
    """Median seconds of each ``fn(make())``, the functions run in turn on the same input each round.

    Every round draws a new input (untimed), so no cache of an earlier call
    helps; round ``r`` starts at function ``r mod len(fns)`` (see the module's
    note). With ``warm_up`` each function first runs once untimed (compiling,
    first allocations).
    """
    names = list(fns)
    if warm_up:
        first = make()
        for name in names:
            fns[name](first)
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        x = make()
        shift = r % len(names) if names else 0
        for name in names[shift:] + names[:shift]:
            t0 = time.perf_counter()
            fns[name](x)
            times[name].append(time.perf_counter() - t0)
    return {name: float(np.median(t)) for name, t in times.items()}
