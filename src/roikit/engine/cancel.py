"""Giving up on work nobody waits for: a check that long pure-Python loops call between items.

The explorer's server answers each request on a thread; when the browser has
gone (a closed tab, a drag that moved on), a walkthrough of a thousand bins
would still be built for nobody. The server runs the question inside
:func:`cancel_when` with a check that raises when the client has left, and
the loops that cost the most (the walkthroughs' bins) call :func:`checkpoint`
between items. Outside such a block a checkpoint does nothing, so a library
call is never cancelled. The check belongs to the thread (or task) that set it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar

__all__ = ["Cancelled", "cancel_when", "checkpoint"]

_check: ContextVar[Callable[[], bool] | None] = ContextVar("roikit_cancel_check", default=None)


class Cancelled(Exception):  # noqa: N818 (what happened, as concurrent.futures names it)
    """Raised by :func:`checkpoint` when the block's check says the work is no longer wanted."""


def checkpoint() -> None:
    """Raise :class:`Cancelled` if the enclosing :func:`cancel_when` check says so; else nothing."""
    check = _check.get()
    if check is not None and check():
        raise Cancelled


@contextlib.contextmanager
def cancel_when(check: Callable[[], bool]) -> Iterator[None]:
    """Within this block, :func:`checkpoint` raises :class:`Cancelled` once ``check()`` is true.

    Examples
    --------
    >>> with cancel_when(lambda: True):
    ...     try:
    ...         checkpoint()
    ...     except Cancelled:
    ...         print("given up")
    given up
    >>> checkpoint()  # outside: nothing
    """
    token = _check.set(check)
    try:
        yield
    finally:
        _check.reset(token)
