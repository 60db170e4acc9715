"""The explorer's server left running on a shared machine: the findings of the reliability review.

Each test speaks HTTP to a real server on loopback (http.client), under a timeout.
"""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from roikit.frontends.cli import app
from roikit.frontends.demo import DEMO_BOX, DEMO_MAP, DEMO_SCALE
from roikit.frontends.explore import ExploreServer

START = {
    "map": DEMO_MAP.tolist(),
    "box": list(DEMO_BOX),
    "op": "align",
    "output_size": "2",
    "spatial_scale": DEMO_SCALE,
}


@pytest.fixture
def server() -> Iterator[ExploreServer]:
    srv = ExploreServer(START)
    srv.idle_timeout = 1.0
    srv.serve_in_background()
    yield srv
    srv.shutdown()
    srv.server_close()


def raw(server: ExploreServer, request: bytes, wait: float = 5.0) -> bytes:
    """Send bytes on one connection and read everything the server answers until it closes or waits."""
    host, port = server.server_address[:2]
    with socket.create_connection((host, port), timeout=wait) as s:
        s.sendall(request)
        out = b""
        try:
            while chunk := s.recv(65536):
                out += chunk
        except TimeoutError:
            pass
    return out


def host_of(server: ExploreServer) -> str:
    return server.url.split("/")[2]


def test_a_request_for_another_host_name_is_refused(server) -> None:  # type: ignore[no-untyped-def]
    # DNS rebinding: a page of evil.example resolved to 127.0.0.1 sends its own name as Host.
    answer = raw(
        server, f"GET /api/start HTTP/1.1\r\nHost: evil.example:{server.server_address[1]}\r\n\r\n".encode()
    )
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 421")
    assert "is not this server's address" in json.loads(body)["error"]
    ok = raw(
        server, f"GET /api/start HTTP/1.1\r\nHost: {host_of(server)}\r\nConnection: close\r\n\r\n".encode()
    )
    assert ok.startswith(b"HTTP/1.1 200")
    local = f"localhost:{server.server_address[1]}"  # a loopback server also answers to localhost
    assert raw(server, f"GET / HTTP/1.1\r\nHost: {local}\r\nConnection: close\r\n\r\n".encode()).startswith(
        b"HTTP/1.1 200"
    )


def _upload(
    server: ExploreServer, origin: str | None, body: bytes, ctype: str = "application/octet-stream"
) -> bytes:
    lines = ["POST /api/map?name=m.npy HTTP/1.1", f"Host: {host_of(server)}", f"Content-Type: {ctype}"]
    lines += [f"Content-Length: {len(body)}", "Connection: close"]
    if origin is not None:
        lines.append(f"Origin: {origin}")
    return raw(server, ("\r\n".join(lines) + "\r\n\r\n").encode() + body)


def test_an_upload_from_another_site_is_refused(server) -> None:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    np.save(buf, np.arange(4.0).reshape(2, 2))
    for origin in (None, "http://evil.example", "null"):
        answer = _upload(server, origin, buf.getvalue(), "text/plain")
        assert answer.startswith(b"HTTP/1.1 403"), (origin, answer[:80])
    assert _upload(server, server.url.rstrip("/"), buf.getvalue()).startswith(b"HTTP/1.1 200")


def test_an_unread_body_is_never_read_as_the_next_request(server) -> None:  # type: ignore[no-untyped-def]
    smuggled = f"GET /api/start HTTP/1.1\r\nHost: {host_of(server)}\r\n\r\n".encode()
    request = (
        f"POST /nowhere HTTP/1.1\r\nHost: {host_of(server)}\r\nOrigin: {server.url.rstrip('/')}\r\n"
        f"Content-Length: {len(smuggled)}\r\n\r\n"
    ).encode() + smuggled
    answer = raw(server, request)
    assert answer.count(b"HTTP/1.1 ") == 1 and answer.startswith(b"HTTP/1.1 404")


def test_a_chunked_upload_is_refused_as_json(server) -> None:  # type: ignore[no-untyped-def]
    request = (
        f"POST /api/map?name=m.csv HTTP/1.1\r\nHost: {host_of(server)}\r\n"
        f"Origin: {server.url.rstrip('/')}\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n1 2 3\r\n0\r\n\r\n"
    ).encode()
    head, _, body = raw(server, request).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 411")
    message = json.loads(body)["error"]
    assert "Content-Length" in message and "/tmp" not in message  # no temporary path echoed


def test_a_corrupt_image_is_a_json_answer_not_a_dropped_connection(server, capfd) -> None:  # type: ignore[no-untyped-def]
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    lines = [
        "POST /api/map?name=m.png HTTP/1.1",
        f"Host: {host_of(server)}",
        f"Origin: {server.url.rstrip('/')}",
    ]
    lines += [f"Content-Length: {len(png)}", "Connection: close"]
    head, _, body = raw(server, ("\r\n".join(lines) + "\r\n\r\n").encode() + png).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400") and json.loads(body)["error"]
    assert "Traceback" not in capfd.readouterr().err


def test_an_idle_connection_is_closed(server) -> None:  # type: ignore[no-untyped-def]
    host, port = server.server_address[:2]
    with socket.create_connection((host, port), timeout=10) as s:
        # the server hangs up on a connection that says nothing (else recv times out: an error)
        assert s.recv(1024) == b""


@pytest.mark.subprocess
def test_binding_every_address_warns() -> None:
    import subprocess
    import sys

    with subprocess.Popen(
        [sys.executable, "-m", "roikit", "explore", "--no-browser", "--port", "0", "--host", "0.0.0.0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            warning = proc.stderr.readline()  # type: ignore[union-attr]
            assert warning.startswith("roikit explore: 0.0.0.0 is reachable from other machines")
            assert proc.stdout.readline().startswith("roikit explore: http://0.0.0.0:")  # type: ignore[union-attr]
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def test_a_name_given_is_allowed() -> None:
    srv = ExploreServer(START, "127.0.0.1", 0, names=("class.local",))
    try:
        assert f"class.local:{srv.server_address[1]}" in srv.hosts
        assert f"http://class.local:{srv.server_address[1]}" in srv.origins
    finally:
        srv.server_close()
    help_text = CliRunner().invoke(app, ["explore", "--help"], env={"COLUMNS": "200"}).output
    assert "--name" in help_text and "0.0.0.0 only when you mean it" in help_text


def test_one_query_costs_at_most_an_interactive_answer(server) -> None:  # type: ignore[no-untyped-def]
    import urllib.error
    import urllib.request
    from urllib.parse import urlencode

    big = np.arange(180 * 180.0).reshape(180, 180) % 7
    rows = "; ".join(" ".join(str(int(v)) for v in r) for r in big[:40, :40])
    query = urlencode({"map": rows, "box": "0,0,39,39", "output_size": "180", "op": "align"})
    with pytest.raises(urllib.error.HTTPError) as err:  # refused before any work is done
        urllib.request.urlopen(server.url + "api/explain?" + query, timeout=30)
    assert err.value.code == 400
    assert "at most 1024 bins a query" in json.loads(err.value.read())["error"]


@pytest.mark.parametrize("side", [64, 256])
def test_a_map_of_any_accepted_size_is_named_by_its_id(server, side) -> None:  # type: ignore[no-untyped-def]
    import urllib.error
    import urllib.request
    from urllib.parse import urlencode

    feature = np.random.default_rng(side).standard_normal((side, side)).astype(np.float32)
    body = json.dumps({"map": feature.tolist()}).encode()
    req = urllib.request.Request(
        server.url + "api/maps", data=body, headers={"Origin": server.url.rstrip("/")}, method="POST"
    )
    with urllib.request.urlopen(req, timeout=60) as r:
        map_id = json.load(r)["map_id"]
    query = urlencode({"op": "align", "map_id": map_id, "box": "1.3,2.1,20.7,18.4", "output_size": "7"})
    assert len(query) < 200  # the request line no longer grows with the map
    with urllib.request.urlopen(server.url + "api/explain?" + query, timeout=60) as r:
        doc = json.load(r)
    assert np.array_equal(np.array(doc["feature"], dtype=np.float32), feature)
    import roikit

    box = np.array([[0, 1.3, 2.1, 20.7, 18.4]])  # the server keeps a JSON map as float64
    # the walkthrough's default aggregation is the max
    want = roikit.roi_align(feature.astype(np.float64)[None, None], box, 7, 1.0, 2, False, "max")
    assert np.allclose(doc["output"], want[0, 0], rtol=1e-6, atol=1e-6)
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(server.url + "api/explain?" + query.replace(map_id, "0" * 16), timeout=30)
    assert err.value.code == 400 and "not a map this server keeps" in json.loads(err.value.read())["error"]


def test_the_start_names_its_map() -> None:
    srv = ExploreServer(START)
    try:
        assert srv.start["map_id"] == srv.keep(DEMO_MAP)  # the same map, the same id
        assert np.array_equal(srv.map_of({"map_id": srv.start["map_id"]}), DEMO_MAP)
        assert srv.map_of({"map": "1 2; 3 4"}) is None  # a query may still carry its map
    finally:
        srv.server_close()


@pytest.mark.subprocess
def test_a_question_whose_client_leaves_is_given_up(server) -> None:  # type: ignore[no-untyped-def]
    # 32 x 32 bins on a 256 x 256 map: seconds of steps. The client asks, then closes its end.
    import subprocess
    import sys
    import time

    map_id = server.keep(np.random.default_rng(0).standard_normal((256, 256)))
    query = f"op=align&map_id={map_id}&box=3.3,5.7,200.2,180.9&output_size=32"
    request = f"GET /api/explain?{query} HTTP/1.1\r\nHost: {host_of(server)}\r\n\r\n".encode()
    # The same question with 2 x 2 bins first, answered: it compiles the kernels the big one runs
    # (from an empty numba cache on a loaded 2-core machine the whole test took 18 s, close to the
    # wait below; it failed once so, most likely for that), so that what is timed here is the giving up alone.
    small = request.replace(b"output_size=32", b"output_size=2").replace(
        b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"
    )
    assert raw(server, small, wait=120).startswith(b"HTTP/1.1 200")
    # The client is another process. As a thread of this one it was kept from running while the
    # server's thread worked in Python: after the Dask or the concurrency tests had run in this
    # process (as in CI's serial run), its 0.3 s sleep lasted the whole second of the answer, so it
    # closed only after the server had answered, and the test failed about one run in two.
    host, port = server.server_address[:2]
    client = (
        "import socket, sys, time\n"
        "with socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5) as s:\n"
        "    s.sendall(sys.stdin.buffer.read())\n"
        "    time.sleep(0.3)  # the server has started on it\n"
    )
    subprocess.run([sys.executable, "-c", client, host, str(port)], input=request, timeout=60, check=True)
    deadline = time.monotonic() + 20
    while server.abandoned == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.abandoned == 1
    # a client that stays gets its answer, and nothing more is counted
    answer = raw(
        server,
        f"GET /api/live?{query.replace('32', '2')} HTTP/1.1\r\nHost: {host_of(server)}\r\n"
        "Connection: close\r\n\r\n".encode(),
    )
    assert answer.startswith(b"HTTP/1.1 200") and server.abandoned == 1


@pytest.mark.subprocess
def test_a_client_on_a_descriptor_above_1024_is_still_watched(server) -> None:  # type: ignore[no-untyped-def]
    # select.select refuses descriptors >= FD_SETSIZE (1024) with a ValueError: once a long-running
    # server (or a long test run, as in CI) held that many, every question was a 500 and a client that
    # left was never seen leaving. Holding 1100 descriptors puts the next connection above 1024.
    import os
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert hard == resource.RLIM_INFINITY or hard >= 1200, f"this machine allows only {hard} descriptors"
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        assert max(held) >= 1024
        test_a_question_whose_client_leaves_is_given_up(server)
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_the_checkpoint_is_silent_outside_a_server() -> None:
    from roikit.engine.cancel import Cancelled, cancel_when
    from roikit.explain import explain_roi_align

    feat = np.arange(16.0).reshape(4, 4)
    assert explain_roi_align(feat, (0, 0, 3, 3), 2).output  # no check set: never cancelled
    with cancel_when(lambda: True), pytest.raises(Cancelled):
        explain_roi_align(feat, (0, 0, 3, 3), 2)
    calls = []
    with cancel_when(lambda: calls.append(1) or False):  # type: ignore[func-returns-value]
        explain_roi_align(feat, (0, 0, 3, 3), 2)
    assert len(calls) >= 4  # asked at least once per bin


@pytest.mark.subprocess
def test_a_class_of_twenty_dragging_for_twenty_seconds() -> None:
    # The load test of benchmarks/load_explore.py, bounded: `roikit explore --workers 2` in its own
    # processes, 20 keep-alive clients dragging as the page does. Errors fail; the latencies are reported
    # (`pytest -rP` shows them; `make bench` prints them too), never asserted.
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "load_explore.py"
    spec = importlib.util.spec_from_file_location("load_explore", path)
    assert spec is not None and spec.loader is not None
    load = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(load)
    latencies, errors = load.run(clients=20, seconds=20.0, workers=2)  # a class: a worker per core
    print(load.report(latencies, errors, 20, 20.0, workers=2))
    assert errors == []
    assert all(len(latencies.get(name, [])) > 20 for name in ("live", "explain", "sweep")), latencies.keys()


@pytest.mark.subprocess
def test_workers_share_the_maps_and_stop_with_their_parent() -> None:
    import http.client
    import subprocess
    import sys
    import time

    proc = subprocess.Popen(
        [sys.executable, "-m", "roikit", "explore", "--no-browser", "--port", "0", "--workers", "3"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().split(": ", 1)[1].strip()
        host, port = url.split("/")[2].split(":")

        def ask(method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
            conn = http.client.HTTPConnection(host, int(port), timeout=30)  # a new connection each time
            headers = {"Origin": f"http://{host}:{port}", "Content-Type": "application/json"}
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            out = resp.status, resp.read()
            conn.close()
            return out

        feature = np.random.default_rng(3).standard_normal((40, 40)).round(3)
        status, body = ask("POST", "/api/maps", json.dumps({"map": feature.tolist()}).encode())
        assert status == 200
        map_id = json.loads(body)["map_id"]
        # whichever worker accepts the connection knows the map
        for _ in range(30):
            status, body = ask("GET", f"/api/live?op=pool&map_id={map_id}&box=1,2,30,33&output_size=3")
            assert status == 200, body
            want = __import__("roikit").roi_pool(feature[None, None], np.array([[0, 1, 2, 30, 33]]), 3)
            assert json.loads(body)["output"] == want[0, 0].tolist()
        pids = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
        assert len(pids) == 2  # two forked workers beside the parent
    finally:
        proc.terminate()
        proc.wait(20)
        if proc.stdout is not None:
            proc.stdout.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # SIGTERM to the parent stops its workers too
        alive = [p for p in pids if Path(f"/proc/{p}").exists() and "Z" not in _state(p)]
        if not alive:
            break
        time.sleep(0.1)
    assert alive == []
    with pytest.raises(OSError):
        socket.create_connection((host, int(port)), timeout=2).close()


def _state(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return "Z"
