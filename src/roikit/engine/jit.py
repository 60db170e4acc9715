"""How roikit compiles its kernels: numba, ``nogil``, cached on disk where a cache can be written.

numba keeps compiled code beside the source (``__pycache__``) or in
``NUMBA_CACHE_DIR``, else in the user's cache directory. On a read-only image
with no writable home none of them exists, and numba then refuses, at import,
to define a cached function at all. roikit looks first: where numba would
find no place, the cache goes to a private directory under the system's
temporary directory, and where not even that can be written, functions are
compiled without a cache (each process compiles again, about 3 s). Either way
``import roikit`` works.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numba
from numba import njit

__all__ = ["CACHE_DIR", "interruptible", "jit"]


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
        return True
    except OSError:
        return False


def _cache_dir() -> str | None:
    """Where the compiled kernels are kept: numba's own choice when it has one, else a fallback."""
    if numba.config.CACHE_DIR and _writable(Path(numba.config.CACHE_DIR)):
        return str(numba.config.CACHE_DIR)
    if _writable(Path(__file__).parent / "__pycache__"):
        return None  # numba's default, beside the source
    home = Path(os.path.expanduser("~"))
    if _writable(home / ".cache" / "numba"):
        return None  # numba's user-wide cache
    getuid = getattr(os, "getuid", lambda: 0)
    fallback = Path(tempfile.gettempdir()) / f"roikit-numba-{getuid()}"
    if _writable(fallback):
        numba.config.CACHE_DIR = str(fallback)
        return str(fallback)
    return ""  # nowhere: compile without a cache


#: The directory roikit set for numba's cache ("" when there is none, None for numba's own choice).
CACHE_DIR = _cache_dir()

#: The decorator of every compiled function: ``nogil`` (roikit's pool runs them in threads), cached
#: where a cache can be written.
jit = njit(cache=CACHE_DIR != "", nogil=True)


def interruptible(compiled: Callable[..., Any]) -> Callable[..., Any]:
    """``compiled`` called from Python, a Ctrl-C during it raised as ``KeyboardInterrupt``.

    numba builds the arrays a compiled function returns by calling back into
    Python; a Ctrl-C that lands in that callback comes out as a ``SystemError``
    ("returned a result with an exception set") whose cause is the
    ``KeyboardInterrupt``. The functions that return new arrays (the plan's
    loops) are called through this, so the user sees the interrupt they made.
    """

    @functools.wraps(compiled)
    def call(*args: Any) -> Any:
        try:
            return compiled(*args)
        except SystemError as error:
            cause: BaseException | None = error
            while cause is not None:
                if isinstance(cause, KeyboardInterrupt):
                    raise KeyboardInterrupt from error
                cause = cause.__cause__ or cause.__context__
            raise

    call.compiled = compiled  # type: ignore[attr-defined]
    return call
