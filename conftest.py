"""Doctests of the adapters need their framework: without it they are not collected, unless required.

(``make test`` sets ``ROIKIT_REQUIRE_PARITY=1``, and then a missing framework is a collection error.)
"""

from __future__ import annotations

import importlib.util
import os

collect_ignore = [
    path
    for module, path in (("torch", "src/roikit/torch.py"), ("jax", "src/roikit/jax.py"))
    if importlib.util.find_spec(module) is None and os.environ.get("ROIKIT_REQUIRE_PARITY") != "1"
]
