"""Golden files: the demo walkthrough in every format and both languages.

Regenerate after an intended change with ``ROIKIT_UPDATE_SNAPSHOTS=1 make test``
and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from roikit.frontends.demo import demo_traces
from roikit.render import render

SNAPSHOTS = Path(__file__).parent / "snapshots"
EXT = {"text": "txt", "md": "md", "latex": "tex", "html": "html", "json": "json"}


def check_snapshot(path: Path, got: str) -> None:
    """Compare with the golden file; in update mode rewrite it and fail, so no run passes unseen."""
    if os.environ.get("ROIKIT_UPDATE_SNAPSHOTS") == "1":
        path.write_text(got, encoding="utf-8")
        pytest.fail(f"{path.name} rewritten: review the diff, then run without ROIKIT_UPDATE_SNAPSHOTS")
    assert got == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("fmt", list(EXT))
def test_demo_matches_snapshot(fmt: str, lang: str) -> None:
    # HTML without its inline SVG figures: they are tested as figures (test_figures.py).
    extra = {"text": {"width": 100}, "html": {"figures": False}}.get(fmt, {})
    got = render(demo_traces(lang), fmt, **extra)
    check_snapshot(SNAPSHOTS / f"demo_{lang}.{EXT[fmt]}", got)


def test_big_output_snapshot_shows_one_bin_and_a_summary() -> None:
    import numpy as np

    from roikit import explain_roi_align

    m = (np.add.outer(np.arange(12), 2 * np.arange(12)) % 7).astype(float)
    trace = explain_roi_align(m, (0.7, 1.3, 10.6, 11.2), 7, sampling_ratio=1, mode="avg")
    got = render(trace, "md")
    check_snapshot(SNAPSHOTS / "align_7x7_en.md", got)
    assert got.count("### 5. Bin") == 1 and "--bins all" in got
