"""The ``roikit`` command line (Typer)."""

from __future__ import annotations

import numpy as np
import typer

import roikit

app = typer.Typer(help="RoI Pool and RoI Align, exact and worked out by hand.", no_args_is_help=True)

#: The demo's 8x8 feature map: easy-to-read values, max towards the lower right.
DEMO_MAP = (np.add.outer(np.arange(8), np.arange(8)) % 10).astype(np.float64)
#: The demo's RoI in image pixels (x1, y1, x2, y2): non-integer corners.
DEMO_BOX = (1.6, 2.3, 6.4, 6.8)


@app.command()
def demo() -> None:
    """Run RoI Pool and RoI Align on a small embedded example."""
    x = DEMO_MAP[None, None]
    boxes = np.array([[0, *DEMO_BOX]])
    np.set_printoptions(precision=4, suppress=True)
    print("feature map (8x8):")
    print(DEMO_MAP)
    print(f"RoI (x1, y1, x2, y2) = {DEMO_BOX}, output 2x2\n")
    print("RoI Pool:")
    print(roikit.roi_pool(x, boxes, 2)[0, 0])
    for mode in ("max", "avg"):
        print(f"\nRoI Align ({mode}, 2x2 samples per bin, aligned=False):")
        print(roikit.roi_align(x, boxes, 2, sampling_ratio=2, mode=mode)[0, 0])


@app.callback()
def _root() -> None:
    """RoI Pool and RoI Align, exact and worked out by hand."""


def main() -> None:
    """Entry point of the ``roikit`` script."""
    app()
