"""roikit's own thread pool: parallel kernels that are safe in threads, forked workers and Ctrl-C.

numba's ``parallel=True`` runs on a process-wide threading layer. The OpenMP
layer hangs a process forked after it was used (``multiprocessing`` pools and
torch DataLoader workers fork by default on Linux before Python 3.14), and
the ``workqueue`` layer aborts the process when two threads enter it at once.
So no kernel in :mod:`roikit.engine.kernels` is ``parallel``: every kernel is a
serial ``nogil`` function over a range of its outer loop (boxes, or channel
chunks for the deterministic backward), and this module splits that range
over a :class:`~concurrent.futures.ThreadPoolExecutor`.

* Threads: the pool is shared and thread-safe; any number of user threads may
  call roikit at once, each call waits only for its own parts. Changing the
  thread count never disturbs a running call: the old pool is released, not
  shut down, and lives until the calls that hold it are done.
* Fork: :func:`os.register_at_fork` drops the pool (whose threads do not exist
  in the child) so a forked child starts a fresh one on its first call.
* Ctrl-C: a compiled kernel cannot be interrupted, so a call from the main
  thread never runs a large one itself (one of at most :data:`SMALL_WORK`
  operations, about a millisecond, runs inline on any thread). Its work is cut into parts of bounded cost
  (about :data:`PART_COST` operations each), pool threads run them, and the main
  thread waits in Python, where a SIGINT raises :class:`KeyboardInterrupt` at
  once; the parts not yet started are dropped and the call returns as soon as
  the running ones end (a fraction of a second), leaving the pool ready.
* Determinism: parts write disjoint outputs (forward: their boxes; backward:
  their channel chunks), so the result does not depend on the thread count.

The thread count is ``ROIKIT_NUM_THREADS`` if set (a positive integer; anything
else is an error naming the value), else the CPUs this process may use;
:func:`set_num_threads` changes it at run time.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from contextvars import ContextVar
from typing import Any

import numpy as np

from ..errors import ParameterError

__all__ = ["get_num_threads", "limit_threads", "set_num_threads"]

#: Parts per thread at least: boxes differ in cost, so a few more parts than threads balance the load.
_PARTS_PER_THREAD = 8
#: The cost (kernel operations) of one part at most, where the caller says what its items cost:
#: about 10-30 ms of work, the time a Ctrl-C may wait for the parts already running.
PART_COST = 2**25
#: A call whose parts cost this much in all (about a millisecond) runs inline, even on the main thread.
SMALL_WORK = 2**20
#: How often (seconds) a waiting main thread looks up from its wait: a SIGINT is seen within this.
_POLL = 0.05

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_num_threads: int | None = None
#: A cap on the thread count for the calls of one thread (or task), set by :func:`limit_threads`.
_limit: ContextVar[int | None] = ContextVar("roikit_thread_limit", default=None)


def _threads_from_env() -> int | None:
    env = os.environ.get("ROIKIT_NUM_THREADS")
    if env is None:
        return None
    try:
        value = int(env.strip())
    except ValueError:
        value = 0
    if value < 1:
        raise ParameterError(
            f"ROIKIT_NUM_THREADS is {env!r}; it must be a positive integer (unset it to use every CPU)"
        )
    return value


def _default_threads() -> int:
    env = _threads_from_env()
    if env is not None:
        return env
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return max(os.cpu_count() or 1, 1)


def get_num_threads() -> int:
    """The number of threads a kernel call may use.

    Examples
    --------
    >>> get_num_threads() >= 1
    True
    """
    global _num_threads
    if _num_threads is None:
        _num_threads = _default_threads()
    cap = _limit.get()
    return _num_threads if cap is None else min(cap, _num_threads)


def limit_threads(n: int) -> contextlib.AbstractContextManager[None]:
    """Use at most ``n`` threads for the kernel calls made in this block, by this thread only.

    A server that answers many requests at once runs each on its own thread;
    splitting each answer's kernels over the pool as well only makes the
    answers queue behind each other, so it calls the ops inside
    ``limit_threads(1)``. Other threads keep their count.

    Examples
    --------
    >>> with limit_threads(1):
    ...     get_num_threads()
    1
    """
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ParameterError(f"limit_threads needs a positive integer; got {n!r:.60}")
    return _limited(int(n))  # checked now, not when the block is entered


@contextlib.contextmanager
def _limited(n: int) -> Iterator[None]:
    token = _limit.set(n)
    try:
        yield
    finally:
        _limit.reset(token)


def set_num_threads(n: int) -> None:
    """Use ``n`` threads (``n >= 1``) from the next kernel call on; calls already running keep theirs.

    Examples
    --------
    >>> old = get_num_threads()
    >>> set_num_threads(1); get_num_threads()
    1
    >>> set_num_threads(old)
    """
    global _num_threads
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ParameterError(f"set_num_threads needs a positive integer; got {n!r:.60}")
    with _lock:
        _num_threads = int(n)


def _get_pool(workers: int) -> ThreadPoolExecutor:
    """A pool of at least ``workers`` threads; a smaller one is released (its running calls finish)."""
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size < workers:
            # The old pool is not shut down: calls that hold it finish on it, and its idle
            # threads exit once nothing refers to it any more.
            _pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="roikit")
            _pool_size = workers
        return _pool


def _after_fork_in_child() -> None:
    # The parent's pool threads do not exist here; its lock may be held by one of them.
    global _pool, _pool_size, _lock
    _pool = None
    _pool_size = 0
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _edges(n: int, threads: int, cost: Sequence[float] | np.ndarray | None) -> list[int]:
    """Part boundaries over ``range(n)``: balanced, and each part at most :data:`PART_COST` if known."""
    parts = min(n, max(threads * _PARTS_PER_THREAD, 1))
    if cost is None:
        return [n * i // parts for i in range(parts + 1)]
    c = np.cumsum(np.maximum(np.asarray(cost, dtype=np.float64), 1.0))
    total = float(c[-1])
    parts = int(min(n, max(parts, np.ceil(total / PART_COST))))
    # Cut where the cumulative cost crosses each multiple of total / parts.
    cuts = np.searchsorted(c, np.arange(1, parts) * (total / parts), side="left") + 1
    return [0, *sorted({int(v) for v in cuts if 0 < v < n}), n]


@contextlib.contextmanager
def _interrupts_held(main: bool, caught: list[int]) -> Iterator[None]:
    """Hold a Ctrl-C back until the block ends, noting it in ``caught`` (main thread, Python's handler).

    A ``KeyboardInterrupt`` raised inside ``ThreadPoolExecutor.submit`` can
    leave a worker thread started but not registered for shutdown: it then
    waits for work forever and the process hangs at exit (seen once in about
    thirty interrupted calls). So the pool is made and the parts are handed
    out with the signal only noted; the caller raises it once it can clean up.
    """
    if not main or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield  # (another handler is the caller's own: leave it alone)
        return
    signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def parallel_range(
    kernel: Callable[..., Any], n: int, *args: Any, cost: Sequence[float] | np.ndarray | None = None
) -> None:
    """Run ``kernel(*args, lo, hi)`` over parts ``[lo, hi)`` of ``range(n)``, in parallel.

    ``kernel`` must be a ``nogil`` compiled function whose parts write
    disjoint memory; ``cost`` (optional, one number per item) lets parts be cut
    to a bounded cost. From the main thread the parts run on the pool while
    the main thread waits, so Ctrl-C interrupts the call within a part's time;
    from any other thread the caller takes parts too. With one thread, off the
    main thread, everything runs inline and no pool is started.
    """
    if n <= 0:
        return
    # A small call runs on the caller's thread: handing it to the pool costs more than it saves,
    # and a Ctrl-C waits no longer than for one part of a large call. (The cost's own sum:
    # np.sum's dispatch costs a small call more than the sum.)
    small = cost is not None and float(np.asarray(cost).sum()) <= SMALL_WORK
    threads = min(get_num_threads(), n)  # (also where a bad ROIKIT_NUM_THREADS is refused)
    main = threading.current_thread() is threading.main_thread()
    if small or (threads <= 1 and not main):
        kernel(*args, 0, n)
        return
    edges = _edges(n, threads, cost)
    parts = len(edges) - 1
    taken = itertools.count()  # next() on a count is atomic under the GIL
    stop = threading.Event()

    def work() -> None:
        i = next(taken)
        while i < parts and not stop.is_set():
            kernel(*args, edges[i], edges[i + 1])
            i = next(taken)

    helpers = max(min(threads, parts) - (0 if main else 1), 1)
    held: list[int] = []
    with _interrupts_held(main, held):
        pool = _get_pool(max(get_num_threads(), 1))
        futures: list[Future[None]] = [pool.submit(work) for _ in range(helpers)]
    try:
        if held:
            raise KeyboardInterrupt  # the Ctrl-C that came while the parts were handed out
        if not main:
            work()
            # Every part is done or running: a helper still queued behind other callers' work (a
            # server answering many requests at once) is cancelled instead of waited for.
            for f in futures:
                f.cancel()
            futures = [f for f in futures if not f.cancelled()]
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=_POLL, return_when=FIRST_EXCEPTION)
            for f in done:
                f.result()  # a kernel's exception, raised here
    except BaseException:
        # Ctrl-C (or an error): no new part starts; the running ones end before the call returns,
        # so nothing writes into the caller's arrays afterwards.
        stop.set()
        for f in futures:
            f.cancel()
        wait(futures)
        raise
