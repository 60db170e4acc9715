"""What the command line writes: files all or none, never clobbering what is not a regular file.

A walkthrough written with ``-o`` comes with its figure files; they are
rendered in memory first and then written together, so a failure leaves
nothing half-written. The rules for each target:

* a regular file (new or existing) is written to a temporary file beside it
  and renamed over it once every file is ready; an existing file keeps its
  permission bits (and its owner, where the process may set it), a new one
  gets the ordinary mode the umask allows (``0o666 & ~umask``), as ``open``
  would give it;
* an existing file with other hard links is written in place, so every link
  sees the new content;
* a symbolic link is followed: its target is written, the link stays;
* a device or a FIFO (``/dev/null``, ``/dev/stdout``, a named pipe) is written
  through, never replaced by a regular file.

Every failure is an :class:`~roikit.frontends.mapio.RequestError` naming
the path and the reason, which the command line prints as one line.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .mapio import RequestError

__all__ = ["check_output_path", "shown", "write_all", "write_stdout"]


def shown(path: Path | str) -> str:
    """A path as a person can read it, even when its name is not valid UTF-8."""
    return os.fsdecode(os.fsencode(path)).encode("utf-8", "replace").decode("utf-8")


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def check_output_path(path: Path | None, option: str, suffixes: tuple[str, ...] = ()) -> None:
    """Refuse, before anything is computed or written, a file option that cannot be written.

    Examples
    --------
    >>> check_output_path(Path("walk.gif"), "--figure", (".png", ".svg", ".pdf"))
    Traceback (most recent call last):
    ...
    roikit.frontends.mapio.RequestError: --figure walk.gif must end in .png, .svg or .pdf
    """
    if path is None:
        return
    if suffixes and path.suffix.lower() not in suffixes:
        first, last = ", ".join(suffixes[:-1]), suffixes[-1]
        raise RequestError("file.suffix", option=option, path=shown(path), suffixes=first, last=last)
    try:
        if path.is_dir():
            raise RequestError("file.dir", option=option, path=shown(path))
        parent = path.parent
        if not parent.is_dir():
            raise RequestError("file.parent", option=option, path=shown(path), parent=shown(parent))
        os.stat(path) if path.exists() else os.stat(parent)  # a name too long fails here, early
        if len(os.fsencode(path.name)) > 255:
            raise OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG))
    except OSError as exc:
        raise RequestError("file.bad", option=option, path=shown(path), detail=_reason(exc)) from None


@dataclass
class _Target:
    path: Path  #: what the user named
    real: Path  #: the file written (a symlink followed)
    data: bytes
    kind: str  #: "new", "replace" (a regular file), "inplace" (hard-linked) or "stream" (device, FIFO)
    mode: int
    owner: tuple[int, int] | None = None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _target(path: Path, data: bytes, umask: int) -> _Target:
    real = Path(os.path.realpath(path))
    try:
        st = os.stat(real)
    except FileNotFoundError:
        return _Target(path, real, data, "new", 0o666 & ~umask)
    if stat.S_ISDIR(st.st_mode):
        raise RequestError("file.dir", option="--output", path=shown(path))
    if not stat.S_ISREG(st.st_mode):
        return _Target(path, real, data, "stream", 0)
    kind = "inplace" if st.st_nlink > 1 else "replace"
    return _Target(path, real, data, kind, stat.S_IMODE(st.st_mode), (st.st_uid, st.st_gid))


def _stage(t: _Target) -> str:
    """Write ``t`` to a temporary file beside its target; return the temporary name."""
    fd, tmp = tempfile.mkstemp(dir=t.real.parent, prefix=".roikit-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(t.data)
        os.chmod(tmp, t.mode)
        if t.owner is not None and hasattr(os, "chown"):
            try:
                os.chown(tmp, *t.owner)
            except OSError:  # only root may give a file away; keeping the mode is what matters
                pass
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def _write_through(t: _Target) -> None:
    # Devices and FIFOs are opened as they are (no truncation, no replacement); a hard-linked
    # file is truncated and rewritten so that every link sees the new content.
    with open(t.real, "r+b" if t.kind == "inplace" else "wb") as f:
        f.write(t.data)
        if t.kind == "inplace":
            f.truncate()


def write_all(files: list[tuple[Path, bytes]]) -> list[Path]:
    """Write every file or none; return the paths written (as the user named them).

    Regular files are staged first; devices and FIFOs are written next, then
    hard-linked files in place, and only then are the staged files renamed
    over their targets. A failure before the renames leaves every regular
    file as it was and no temporary file behind.
    """
    umask = _umask()
    targets = []
    staged: list[tuple[str, _Target]] = []
    try:
        targets = [_target(Path(p), data, umask) for p, data in files]
        for t in targets:
            if t.kind in ("new", "replace"):
                staged.append((_stage(t), t))
        for t in targets:
            if t.kind in ("stream", "inplace"):
                _write_through(t)
        for tmp, t in staged:
            os.replace(tmp, t.real)
        staged = []
    except OSError as exc:
        failed = getattr(exc, "filename", None) or (targets[-1].path if targets else "")
        raise RequestError("file.write", path=shown(failed), detail=_reason(exc)) from None
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return [t.path for t in targets]


def write_stdout(text: str) -> None:
    """Print ``text`` on stdout: refused in one line if the terminal cannot show it or takes no more.

    A closed pipe (``| head``) ends quietly, as a Unix filter does; a full
    device or another write error is an :class:`RequestError`. The text is
    checked against stdout's encoding before anything is written, so a
    terminal that cannot show a walkthrough gets none of it.
    """
    stream = sys.stdout
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        raise RequestError("stdout.encoding", encoding=encoding) from None
    try:
        stream.write(text)
        stream.flush()
    except BrokenPipeError:
        _silence_stdout()
    except OSError as exc:
        _silence_stdout()
        raise RequestError("stdout.write", detail=_reason(exc)) from None


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file descriptor (tests)
        pass
