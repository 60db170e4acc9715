"""roikit's own thread pool: parallel kernels that are safe in threads and forked workers.

numba's ``parallel=True`` runs on a process-wide threading layer. The OpenMP
layer hangs a process forked after it was used (``multiprocessing`` pools and
torch DataLoader workers fork by default on Linux before Python 3.14), and
the ``workqueue`` layer aborts the process when two threads enter it at once.
So no kernel in :mod:`roikit.engine.kernels` is ``parallel``: every kernel is a
serial ``nogil`` function over a range of its outer loop (boxes, or channel
chunks for the deterministic backward), and this module splits that range
over a :class:`~concurrent.futures.ThreadPoolExecutor`.

* Threads: the pool is shared and thread-safe; any number of user threads may
  call roikit at once, each call waits only for its own parts.
* Fork: :func:`os.register_at_fork` drops the pool (whose threads do not exist
  in the child) so a forked child starts a fresh one on its first call.
* Determinism: parts write disjoint outputs (forward: their boxes; backward:
  their channel chunks), so the result does not depend on the thread count.

The thread count is ``ROIKIT_NUM_THREADS`` if set, else the CPUs this process
may run on; :func:`set_num_threads` changes it at run time.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

__all__ = ["get_num_threads", "parallel_range", "set_num_threads"]

#: Parts per thread: boxes differ in cost, so a few more parts than threads balance the load.
_PARTS_PER_THREAD = 8

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_num_threads: int | None = None


def _default_threads() -> int:
    env = os.environ.get("ROIKIT_NUM_THREADS", "").strip()
    if env:
        try:
            value = int(env)
        except ValueError:
            value = 0
        if value >= 1:
            return value
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return max(os.cpu_count() or 1, 1)


def get_num_threads() -> int:
    """The number of threads a kernel call may use (including the calling thread).

    Examples
    --------
    >>> get_num_threads() >= 1
    True
    """
    global _num_threads
    if _num_threads is None:
        _num_threads = _default_threads()
    return _num_threads


def set_num_threads(n: int) -> None:
    """Use ``n`` threads (``n >= 1``) from the next kernel call on; 1 runs everything inline."""
    global _num_threads, _pool
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        from ..errors import ParameterError

        raise ParameterError(f"set_num_threads needs a positive integer; got {n!r}")
    with _lock:
        old, _pool = _pool, None
        _num_threads = n
    if old is not None:
        old.shutdown(wait=False)


def _get_pool(workers: int) -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="roikit")
        return _pool


def _after_fork_in_child() -> None:
    # The parent's pool threads do not exist here; its lock may be held by one of them.
    global _pool, _lock
    _pool = None
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def parallel_range(kernel: Callable[..., Any], n: int, *args: Any) -> None:
    """Run ``kernel(*args, lo, hi)`` over parts ``[lo, hi)`` of ``range(n)``, in parallel.

    ``kernel`` must be a ``nogil`` compiled function whose parts write
    disjoint memory. The calling thread works too: it and up to
    ``get_num_threads() - 1`` pool threads take parts until none are left,
    so a call never waits on a busy pool (parts still queued when the caller
    is done are cancelled). With one thread, or one item, everything runs
    inline and no pool is started.
    """
    threads = min(get_num_threads(), n)
    if threads <= 1:
        if n > 0:
            kernel(*args, 0, n)
        return
    parts = min(n, threads * _PARTS_PER_THREAD)
    edges = [n * i // parts for i in range(parts + 1)]
    taken = itertools.count()  # next() on a count is atomic under the GIL

    def work() -> None:
        i = next(taken)
        while i < parts:
            kernel(*args, edges[i], edges[i + 1])
            i = next(taken)

    pool = _get_pool(get_num_threads() - 1)
    helpers: list[Future[None]] = [pool.submit(work) for _ in range(threads - 1)]
    try:
        work()
    finally:
        for f in helpers:
            if not f.cancel():
                f.result()
