"""What a test needs beyond roikit's own dependencies, and what happens when it is missing.

Tests that need a framework (torch, torchvision, onnx, onnxruntime, tensorflow,
jax) are marked ``parity``; those that compile LaTeX ``latex``; those that drive
a browser ``browser``; those that start fresh interpreters ``subprocess``. When
what they need is missing they are skipped, with the reason in the summary,
unless the environment requires it: ``ROIKIT_REQUIRE_PARITY=1``,
``ROIKIT_REQUIRE_LATEX=1`` and ``ROIKIT_REQUIRE_BROWSER=1`` (``make test`` and CI
set all three) turn the missing tool into a failure, so nothing skips there.
"""

from __future__ import annotations

import importlib
import os
import shutil
from pathlib import Path
from types import ModuleType

import pytest

_ENV = {
    "parity": "ROIKIT_REQUIRE_PARITY",
    "latex": "ROIKIT_REQUIRE_LATEX",
    "browser": "ROIKIT_REQUIRE_BROWSER",
}


def required(kind: str) -> bool:
    """Whether the environment says tests of ``kind`` must run."""
    return os.environ.get(_ENV[kind]) == "1"


def _missing(kind: str, what: str) -> None:
    reason = f"{what} is not installed (make test installs it)"
    if required(kind):
        pytest.fail(f"{_ENV[kind]}=1 but {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def modules(kind: str, *names: str) -> tuple[ModuleType, ...]:
    """Import ``names`` for a test of ``kind``, or skip (or fail, when required) without them."""
    out = []
    for name in names:
        try:
            out.append(importlib.import_module(name))
        except ImportError:
            _missing(kind, name)
    return tuple(out)


def program(kind: str, *names: str) -> str:
    """The path of the first of ``names`` on PATH, or skip (or fail, when required)."""
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    _missing(kind, names[0])
    raise AssertionError  # not reached: _missing skips or fails


def chromium() -> str:
    """Debian's chromium, for the browser tests (Playwright's own download is never used)."""
    modules("browser", "playwright.sync_api")
    return program("browser", "chromium", "chromium-browser")


def axe() -> str:
    """axe-core's script (npm, pinned by package-lock.json), to check the explorer's page."""
    path = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
    if not path.is_file():
        _missing("browser", "axe-core (npm)")
    return str(path)


def pdflatex() -> str:
    """pdflatex, for the LaTeX tests."""
    return program("latex", "pdflatex")


def pdftotext() -> str:
    """poppler's pdftotext, to read a printed page back (LaTeX and browser tests)."""
    return program("latex", "pdftotext")


def pdfinfo() -> str:
    """poppler's pdfinfo, to count a printed document's pages and read its paper size."""
    return program("latex", "pdfinfo")
