"""Shared fixtures, the test lanes, and the guard that makes a run fail when parity tests did not run.

Tests marked ``latex`` or ``browser`` get their tool checked here before they
run (see :mod:`needs`: skipped when it is missing, a failure when the
environment requires it). ``make test`` sets ``ROIKIT_REQUIRE_PARITY=1``: the
session then fails unless tests marked ``parity`` (against the real
torchvision, onnxruntime and TensorFlow) ran and passed.
"""

from __future__ import annotations

import os

import needs
import numpy as np
import pytest
from hypothesis import settings

from roikit.engine import execute

# Every new output of the ops starts as NaN in the tests (np.empty in use): an element that no
# kernel writes shows as NaN where torchvision, the oracle or a hand-derived number does not.
execute.OUTPUT_FILL = np.nan

# No deadline: the first call of a kernel includes its compilation.
settings.register_profile("roikit", deadline=None, max_examples=60)
settings.load_profile("roikit")

_parity = {"passed": 0, "other": 0}


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("latex"):
        needs.pdflatex()
    if item.get_closest_marker("browser"):
        needs.chromium()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "parity" in report.keywords and report.when == "call":
        _parity["passed" if report.passed else "other"] += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("ROIKIT_REQUIRE_PARITY") != "1":
        return
    if session.config.option.collectonly:
        return
    if _parity["passed"] == 0:
        print(
            "\nROIKIT_REQUIRE_PARITY=1 but no parity test passed: torchvision/onnxruntime parity did not run"
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def random_boxes(
    rng: np.random.Generator, k: int, n: int, lo: float, hi: float, dtype=np.float64
) -> np.ndarray:
    """(K, 5) boxes with corners uniform in [lo, hi]: some inverted, some outside."""
    corners = rng.uniform(lo, hi, (k, 4))
    return np.column_stack([rng.integers(0, n, k), corners]).astype(dtype)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)
