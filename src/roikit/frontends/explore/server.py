"""The explorer's local web server: the standard library's threading HTTP server, no framework.

It binds to the host it is given (127.0.0.1 by default) and serves only its
own three static files and the API:

==========================  ====================================================
``GET /``                   the page
``GET /static/NAME``        ``explore.js`` or ``explore.css`` (nothing else)
``GET /api/explain?...``    the JSON of ``roikit explain --format json``
``GET /api/sweep?...``      one output value of both ops as the box slides
``GET /api/command?...``    the equivalent ``roikit explain`` command line
``GET /api/export?...``     ``format=md|latex|html|json|png|svg``, as a download
``GET /api/start``          the map (and its ``map_id``) and settings the page opens with
``POST /api/map?name=F``    a ``.npy`` / ``.csv`` / image file read as a map (and its id)
``POST /api/maps``          a map as JSON, kept: answers its ``map_id``
==========================  ====================================================

Bad queries get HTTP 400 with ``{"error": "..."}`` (the command line's
message); a request line over 64 KiB gets 414 and a body or a map over the
caps 413; anything else is 404. Nothing is ever answered with a traceback.

It is safe to leave running on a shared machine: a request whose ``Host`` is
not this server's address (DNS rebinding) gets 421; an upload needs the
page's own ``Origin`` (a cross-site form or ``text/plain`` POST gets 403); a
body the server does not read closes the connection (it is never parsed as
a next request); a chunked upload gets 411; an idle connection is closed
after :attr:`ExploreServer.idle_timeout` seconds; a file that cannot be read
is a 400, never a dropped connection. A question whose client leaves (a closed
tab) is given up between two bins (:attr:`ExploreServer.abandoned` counts them),
and each answer's kernels run on its own request thread, so that many students'
answers never queue behind each other's parts on the shared pool.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import json
import os
import select
import shutil
import signal
import socket
import tempfile
import threading
from collections import OrderedDict
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import numpy as np

from ...engine import budget
from ...engine.cancel import Cancelled, cancel_when
from ...engine.threads import limit_threads
from ...errors import RoIError
from ...i18n import text
from ..mapio import RequestError, message
from .api import QUESTIONS, page_words, query_lang, refusal

__all__ = ["ExploreServer", "is_loopback"]

_STATIC = {"explore.js": "text/javascript; charset=utf-8", "explore.css": "text/css; charset=utf-8"}
_EXPORTS = {
    "md": ("text/markdown; charset=utf-8", "md"),
    "latex": ("application/x-tex", "tex"),
    "html": ("text/html; charset=utf-8", "html"),
    "json": ("application/json", "json"),
    "png": ("image/png", "png"),
    "svg": ("image/svg+xml", "svg"),
}


def _static(name: str) -> bytes:
    return resources.files(__package__).joinpath("static").joinpath(name).read_bytes()


def _readable(conn: socket.socket) -> bool:
    """Whether ``conn`` has something to read (or its peer's close), without waiting.

    ``select.select`` refuses descriptors at or above ``FD_SETSIZE`` (1024) with a
    ValueError, which a busy server (or a long test run) reaches; ``poll`` has no such
    limit. Windows has no ``poll`` and no such limit on its ``select``.
    """
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(conn, select.POLLIN)
        return bool(poller.poll(0))
    readable, _, _ = select.select([conn], [], [], 0)
    return bool(readable)


class _Handler(BaseHTTPRequestHandler):
    server: ExploreServer  # type: ignore[assignment]
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        # The socket's timeout closes a connection that sends nothing (idle keep-alive or a
        # slow client): without it, every idle connection holds a thread forever.
        super().setup()
        self.connection.settimeout(self.server.idle_timeout)
        # Headers and body leave in two writes: with Nagle's algorithm the second waits for the
        # client's delayed ACK (about 40 ms on Linux), a third of a drag's frame budget.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _client_gone(self) -> bool:
        """Whether the client has closed its end (a readable socket with nothing to read).

        A client that sends its next request is still here; one that closed the tab or
        gave up on the answer is not, and the question it asked is abandoned.
        """
        try:
            return _readable(self.connection) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:  # reset by the peer
            return True

    def _from_here(self) -> bool:
        """Whether the request names this server as its host; else answered 421 and closed.

        A page on another site that rebinds its name to 127.0.0.1 sends its own name as
        Host: refusing it keeps the user's map and the API away from that page.
        """
        if self.headers.get("Host", "") in self.server.hosts:
            return True
        self.close_connection = True
        self._error(HTTPStatus.MISDIRECTED_REQUEST, self._words("host", host=self.headers.get("Host", "")))
        return False

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # quiet: the command prints its one line and nothing else

    # -- replies ------------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, ctype: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, doc: Any) -> None:
        text = doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False)
        self._send(status, text.encode("utf-8"), "application/json; charset=utf-8")

    def _error(self, status: int, text: str) -> None:
        self._json(status, {"error": text})

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # http.server's own refusals (an over-long request line, a bad method) as JSON too.
        self.close_connection = True
        self._error(code, message or HTTPStatus(code).phrase)

    def _query(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))

    def _words(self, key: str, query: dict[str, str] | None = None, /, **values: Any) -> str:
        """The server's own message ``explore.http.<key>``, in the query's language."""
        return text(
            query_lang(query if query is not None else self._query()), f"explore.http.{key}", **values
        )

    def _refuse(self, exc: RoIError, query: dict[str, str]) -> None:
        """A refused query: 413 for a map over the size limit, 400 otherwise, in its language."""
        too_big = isinstance(exc, RequestError) and exc.key in ("map.too_many", "map.cells")
        self._error(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE if too_big else HTTPStatus.BAD_REQUEST,
            refusal(exc, query_lang(query)),
        )

    # -- routes -------------------------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if not self._from_here():
            return
        if len(self.path) > budget.MAX_REQUEST_LINE_BYTES:
            self._error(
                HTTPStatus.REQUEST_URI_TOO_LONG, self._words("too_long", limit=budget.MAX_REQUEST_LINE_BYTES)
            )
            return
        route = urlsplit(self.path).path
        try:
            if route in ("/", "/index.html"):
                self._send(200, _static("index.html"), "text/html; charset=utf-8")
            elif route.startswith("/static/"):
                name = route[len("/static/") :]
                if name not in _STATIC:  # a fixed list: no path reaches another file
                    self._error(HTTPStatus.NOT_FOUND, self._words("not_found", path=route))
                    return
                self._send(200, _static(name), _STATIC[name])
            elif route == "/api/start":
                self._json(200, self.server.start)
            elif route.startswith("/api/"):
                self._api(route[len("/api/") :], self._query())
            else:
                self._error(HTTPStatus.NOT_FOUND, self._words("not_found", path=route))
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _api(self, name: str, query: dict[str, str]) -> None:
        try:
            if name not in QUESTIONS and name != "export":
                self._error(HTTPStatus.NOT_FOUND, self._words("not_found", query, path=f"/api/{name}"))
                return
            feature = self.server.map_of(query)
            # Each request has its own thread: an answer's kernels run on it alone. Split over
            # the shared pool as well, twenty students' answers queued behind each other's parts
            # (the sweep's p50 went from 87 to 185 ms under the load test).
            with limit_threads(1), cancel_when(self._client_gone):
                if name == "export":
                    self._export(query, feature)
                    return
                answer = QUESTIONS[name](query, feature)
            self._json(200, answer)
        except Cancelled:  # the client left: nobody reads an answer, and none is sent
            self.close_connection = True
            self.server.note_abandoned()
        except RoIError as exc:
            self._refuse(exc, query)
        except Exception as exc:  # a bug: still one JSON answer, never a dropped connection
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, self._words("internal", kind=type(exc).__name__))

    def _export(self, query: dict[str, str], feature: Any = None) -> None:
        from ...render import render_files
        from .api import walkthrough

        fmt = query.get("format", "")
        if fmt not in _EXPORTS:
            raise RequestError("explore.choice", name="format", value=fmt, choices=", ".join(_EXPORTS))
        trace = walkthrough(query, feature).trace
        ctype, ext = _EXPORTS[fmt]
        if fmt in ("png", "svg"):
            from ...render import figures
            from ...render.figure_files import to_bytes

            fig = (
                figures.pool_figure(trace) if trace.op == "roi_pool" else figures.align_figure(trace)
            ).figure
            body = to_bytes(fig, fmt)
        else:
            # One file: the figures of Markdown and LaTeX are left out of a single download.
            body = render_files([trace], fmt, Path(f"walkthrough.{ext}"))[0][1]
        self._send(200, body, ctype, {"Content-Disposition": f'attachment; filename="walkthrough.{ext}"'})

    def _keep(self, body: bytes, query: dict[str, str]) -> None:
        """``POST /api/maps``: a map as JSON (``{"map": [[...]]}``) kept by the server; answers its id."""
        from ..mapio import parse_inline_map

        try:
            doc = json.loads(body)
            rows = doc["map"] if isinstance(doc, dict) else None
            if not isinstance(rows, list):
                raise ValueError
            text_ = "; ".join(" ".join(repr(float(v)) for v in row) for row in rows)
        except (ValueError, KeyError, TypeError, RecursionError):
            self._error(HTTPStatus.BAD_REQUEST, self._words("map_json", query))
            return
        try:
            feature = parse_inline_map(text_, budget.MAX_EXPLORE_CELLS)
        except RoIError as exc:
            self._refuse(exc, query)
            return
        self._json(200, {"map_id": self.server.keep(feature)})

    def do_POST(self) -> None:  # noqa: N802
        # Every refusal before the body is read closes the connection: an unread body must
        # never be parsed as the next request on a keep-alive connection.
        self.close_connection = True
        if not self._from_here():
            return
        route = urlsplit(self.path).path
        query = self._query()
        if self.headers.get("Origin") not in self.server.origins:
            # A browser sends Origin with every POST; another site's form or fetch names its own.
            self._error(
                HTTPStatus.FORBIDDEN, self._words("origin", query, origin=self.headers.get("Origin", ""))
            )
            return
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self._error(HTTPStatus.LENGTH_REQUIRED, self._words("chunked", query))
            return
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if route not in ("/api/map", "/api/maps"):
            self._error(HTTPStatus.NOT_FOUND, self._words("not_found", path=route))
            return
        if length < 0 or length > budget.MAX_UPLOAD_BYTES:
            self._error(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                self._words("upload_size", query, mib=budget.MAX_UPLOAD_BYTES >> 20),
            )
            self.close_connection = True
            return
        body = self.rfile.read(length)
        self.close_connection = False  # the body is read: the connection may serve the next request
        if route == "/api/maps":
            self._keep(body, query)
            return
        suffix = Path(query.get("name", "map.txt")).suffix.lower() or ".txt"
        if suffix not in (".npy", ".csv", ".txt", ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff"):
            self._error(
                HTTPStatus.BAD_REQUEST,
                message(
                    query_lang(query),
                    "explore.choice",
                    name="name",
                    value=suffix,
                    choices=".npy, .csv, .txt, " + self._words("image", query),
                ),
            )
            return
        from ..mapio import load_map

        try:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / f"upload{suffix}"
                path.write_bytes(body)
                arr, _ = load_map(str(path), budget.MAX_EXPLORE_CELLS)
            if arr.ndim != 2:
                arr = arr[0]
            if arr.size > budget.MAX_EXPLORE_CELLS:
                raise RequestError("map.too_many", where="map", limit=budget.MAX_EXPLORE_CELLS)
            self._json(200, {"map": arr.tolist(), "map_id": self.server.keep(arr)})
        except RoIError as exc:
            self._refuse(exc, query)
        except Exception as exc:  # a file no reader copes with: one JSON answer, never a traceback
            self._error(HTTPStatus.BAD_REQUEST, self._words("unreadable", query, kind=type(exc).__name__))


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (or ``localhost``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


#: How many maps the server keeps for their ids (the oldest goes first).
MAX_KEPT_MAPS = 32
#: How many maps several workers share on disk (the oldest goes first).
MAX_SHARED_MAPS = 256


class ExploreServer(ThreadingHTTPServer):
    """The explorer's server on ``host:port`` (port 0: a free port); ``start`` opens the page.

    Examples
    --------
    >>> server = ExploreServer({"map": [[1, 2], [3, 4]], "box": [0, 0, 1, 1]})
    >>> server.url.startswith("http://127.0.0.1:")
    True
    >>> server.server_close()
    """

    daemon_threads = True
    allow_reuse_address = True
    #: Seconds a connection may send nothing before the server closes it.
    idle_timeout: float = 30.0
    #: Questions given up because their client left before the answer (counted for tests).
    abandoned: int = 0

    def __init__(
        self, start: dict[str, Any], host: str = "127.0.0.1", port: int = 0, names: tuple[str, ...] = ()
    ) -> None:
        super().__init__((host, port), _Handler)
        self.start = {**start, "words": page_words()}  # the page's labels come from the catalogue
        self._thread: threading.Thread | None = None
        bound = self.server_address[1]
        # The names a browser may use for this server: the bound address, localhost for a
        # loopback address, and the names given (``roikit explore --name``).
        own = {str(host), *names}
        if is_loopback(str(host)):
            own |= {"localhost", "127.0.0.1", "[::1]"}
        self.hosts = frozenset(f"{h}:{bound}" for h in own)
        self.origins = frozenset(f"http://{h}" for h in self.hosts)
        # Maps by id: a query names its map, so a map of any accepted size fits in a request line.
        self._maps: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._shared: Path | None = None  # with several workers: where the maps are shared
        self._parent: int | None = None  # in a worker: the process that started it
        if "map" in start:
            self.start["map_id"] = self.keep(np.asarray(start["map"], dtype=np.float64))

    def keep(self, feature: np.ndarray) -> str:
        """Keep a map and return its id (the same map, the same id)."""
        arr = np.ascontiguousarray(feature, dtype=np.float64)
        key = hashlib.sha256(repr(arr.shape).encode() + arr.tobytes()).hexdigest()[:16]
        self._remember(key, arr)
        if self._shared is not None:
            self._share(key, arr)
        return key

    def _remember(self, key: str, arr: np.ndarray) -> None:
        with self._lock:
            self._maps[key] = arr
            self._maps.move_to_end(key)
            while len(self._maps) > MAX_KEPT_MAPS:
                self._maps.popitem(last=False)

    def _share(self, key: str, arr: np.ndarray) -> None:
        """Write a map where every worker finds it (whole or not at all), keeping the newest few."""
        assert self._shared is not None
        final = self._shared / f"{key}.npy"
        if not final.exists():
            tmp = self._shared / f".{key}.{os.getpid()}.{threading.get_ident()}.npy"
            np.save(tmp, arr, allow_pickle=False)
            os.replace(tmp, final)
        files = sorted(self._shared.glob("*.npy"), key=lambda f: f.stat().st_mtime)
        for old in files[: max(len(files) - MAX_SHARED_MAPS, 0)]:
            old.unlink(missing_ok=True)

    def map_of(self, query: dict[str, str]) -> np.ndarray | None:
        """The map a query names by ``map_id`` (None: the query carries its own ``map``)."""
        key = query.get("map_id")
        if key is None:
            return None
        with self._lock:
            arr = self._maps.get(key)
            if arr is not None:
                self._maps.move_to_end(key)
        if arr is None and self._shared is not None and len(key) == 16 and key.isalnum():
            try:  # kept by another worker
                arr = np.load(self._shared / f"{key}.npy", allow_pickle=False)
                self._remember(key, arr)
            except (OSError, ValueError):
                arr = None
        if arr is None:
            raise RequestError("explore.map_id", id=key)
        return arr

    def note_abandoned(self) -> None:
        """Count a question given up because its client left."""
        with self._lock:
            self.abandoned += 1

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Say nothing: a connection that failed mid-request (a reset, a timeout) is the client's."""

    @property
    def url(self) -> str:
        """The page's address."""
        host, port = self.server_address[:2]
        return f"http://{host.decode() if isinstance(host, bytes) else host}:{port}/"

    def serve(self, workers: int = 1) -> None:
        """Serve until Ctrl-C or SIGTERM, from ``workers`` processes on this one socket.

        One process answers a student's page; a class needs more than one core's worth,
        and the GIL keeps one process on one core. The workers are forked children
        that accept on the same socket (the kernel spreads the connections); maps
        kept by one are shared through a private directory, so a map id works on
        every worker. A worker whose parent is gone stops within a second.
        """
        if workers <= 1:
            self.serve_forever()
            return
        self._shared = Path(tempfile.mkdtemp(prefix="roikit-explore-"))
        for key, arr in list(self._maps.items()):
            self._share(key, arr)
        parent, children = os.getpid(), []
        for _ in range(workers - 1):
            pid = os.fork()
            if pid == 0:  # a worker: serve, and never return into the caller's code
                self._parent = parent
                try:
                    self.serve_forever(poll_interval=0.5)
                finally:
                    os._exit(0)
            children.append(pid)

        def stop(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        previous = signal.signal(signal.SIGTERM, stop)  # SIGTERM stops the workers too
        try:
            self.serve_forever()
        finally:
            signal.signal(signal.SIGTERM, previous)
            for pid in children:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
            for pid in children:
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, 0)
            shutil.rmtree(self._shared, ignore_errors=True)

    def service_actions(self) -> None:
        """Between requests: a worker whose parent has gone stops (it must not serve alone)."""
        super().service_actions()
        if self._parent is not None and os.getppid() != self._parent:
            raise SystemExit(0)

    def serve_in_background(self) -> None:
        """Serve from a daemon thread (tests and notebooks); :meth:`shutdown` stops it."""
        self._thread = threading.Thread(target=self.serve_forever, name="roikit-explore", daemon=True)
        self._thread.start()
