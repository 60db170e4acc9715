"""Working buffers kept from one call to the next, one per calling thread.

A call that reads a copy of some of the map's cells (the channels-last copy of
:func:`roikit.engine.kernels.to_channels_last`) writes it into an array of the
map's shape, and a backward sums into a chunk-major buffer of that size
(:func:`roikit.engine.kernels.zeros_chunked`). Allocated afresh, such an
array costs its page faults every call: numpy asks the system for huge pages
for arrays of 4 MB and more, and touching one byte of a 2 MB page has the
system zero all of it. One box on a 256 x 200 x 336 map spent 1.5-3 ms of its
2 ms there on this project's VM; into a kept buffer the same copy takes
0.3-0.5 ms. Each thread keeps its own buffer (calls from several threads never
share one), up to ``roikit.budget.MAX_KEPT_BYTES``; :func:`release` frees the
calling thread's.

Examples
--------
>>> import numpy as np
>>> from roikit.engine import scratch
>>> a = scratch.take((2, 3), np.float32)
>>> a.shape, a.dtype
((2, 3), dtype('float32'))
>>> b = scratch.take((2, 3), np.float32)  # ``a`` is still alive: ``b`` is another buffer
>>> np.shares_memory(a, b)
False
>>> scratch.release()
"""

from __future__ import annotations

import math
import sys
import threading

import numpy as np

from . import budget

__all__ = ["release", "take"]

_local = threading.local()


def _unused_count() -> int:
    """sys.getrefcount of a kept buffer, seen from take(), that no array it returned still uses.

    Every array ``take`` returns is a view whose ``base`` is the buffer, so each adds one. The count
    of an unused one (the thread-local's reference, take's own, getrefcount's argument: 3 on CPython
    3.11) is measured here the way take sees it, not assumed, since interpreters count differently.
    """
    holder = threading.local()
    holder.buf = np.empty(1, np.uint8)
    buf = holder.buf
    return sys.getrefcount(buf)


_UNUSED = _unused_count()


def take(shape: tuple[int, ...], dtype: np.dtype | type) -> np.ndarray:
    """An uninitialised C-contiguous array of ``shape`` and ``dtype``, in the thread's kept buffer.

    The array is the caller's until it is dropped: while it (or any view of it)
    is alive, another ``take`` on the same thread gets a new buffer, so two
    arrays never share memory. Nothing in it is zeroed.
    """
    dtype = np.dtype(dtype)
    nbytes = math.prod(shape) * dtype.itemsize  # (np.prod's dispatch took 3 us of a one-box call)
    if nbytes > budget.MAX_KEPT_BYTES:  # (a larger one is the call's alone)
        return np.empty(shape, dtype)
    buf = getattr(_local, "buf", None)
    if buf is not None and sys.getrefcount(buf) > _UNUSED:
        return np.empty(shape, dtype)  # the kept one is in use (a nested call): a buffer of its own
    if buf is None or buf.nbytes < nbytes:
        _local.buf = buf = None  # (the old one is freed before the new one is allocated)
        _local.buf = buf = np.empty(max(nbytes, 1), np.uint8)
    return buf[:nbytes].view(dtype).reshape(shape)


def release() -> None:
    """Free the calling thread's kept buffer (the next call that needs one allocates it again)."""
    _local.buf = None
