"""Load on the explorer: a class of clients dragging boxes on one ``roikit explore`` server.

The server runs as the command a teacher starts (``roikit explore --no-browser``,
in its own process, on loopback). Each client holds one keep-alive connection
and drags as the page does: one question in flight, the next asked when the
answer is in. A drag is ten live answers (``/api/live``, the box 0.1 px further
each time), then the release: the walkthrough (``/api/explain``) and the sweep
(``/api/sweep``). The report gives, per question, how many were answered and
their median and 99th-percentile latency, and every error (any answer but 200,
or a dropped connection). The exit code is 1 when there was an error.

Usage::

    python benchmarks/load_explore.py --clients 20 --seconds 20 --workers 1 2
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import threading
import time
from collections import defaultdict
from urllib.parse import urlencode, urlsplit

import numpy as np

#: One drag: this many live answers, then the release's walkthrough and sweep.
DRAG_STEPS = 10


def start_server(workers: int = 1, timeout: float = 60.0) -> tuple[subprocess.Popen[str], str]:
    """``roikit explore --workers N`` on a free loopback port; the process and the page's address."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "roikit", "explore", "--no-browser", "--port", "0", "--workers", str(workers)],
        stdout=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith("roikit explore: "):
            return proc, line.split(": ", 1)[1].strip()
        if not line and proc.poll() is not None:
            break
    proc.kill()
    proc.wait(10)
    proc.stdout.close()
    raise RuntimeError("roikit explore did not print its address")


def client(url: str, start: dict, until: float, seed: int, out: dict, errors: list) -> None:  # type: ignore[type-arg]
    """Drag until ``until``; append (question, seconds) to ``out`` and failures to ``errors``."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    rng = np.random.default_rng(seed)
    base = {
        "op": start["op"],
        "map_id": start["map_id"],
        "output_size": str(start["output_size"]),
        "spatial_scale": str(start["spatial_scale"]),
        "mode": "max",
        "aligned": "false",
        "sampling_ratio": "2",
        "lang": "en",
    }
    x1, y1, x2, y2 = start["box"]
    while time.monotonic() < until:
        dx, dy = rng.uniform(-2, 2, size=2)
        for step in range(DRAG_STEPS):
            shift = (step + 1) / DRAG_STEPS
            box = [x1 + dx * shift, y1 + dy * shift, x2 + dx * shift, y2 + dy * shift]
            ask(conn, "live", {**base, "box": ",".join(f"{v:.2f}" for v in box)}, out, errors)
        for name in ("explain", "sweep"):
            ask(conn, name, {**base, "box": ",".join(f"{v:.2f}" for v in box), "bin": "0,0"}, out, errors)
    conn.close()


def ask(conn: http.client.HTTPConnection, name: str, query: dict, out: dict, errors: list) -> None:  # type: ignore[type-arg]
    """One question on the client's connection, timed from the request to the last byte."""
    t0 = time.perf_counter()
    try:
        conn.request("GET", f"/api/{name}?{urlencode(query)}", headers={"Host": conn.host + f":{conn.port}"})
        resp = conn.getresponse()
        body = resp.read()
        if resp.status != 200:
            errors.append(f"{name}: {resp.status} {body[:200]!r}")
    except (OSError, http.client.HTTPException) as exc:
        errors.append(f"{name}: {type(exc).__name__}: {exc}")
        conn.close()  # the next request opens a new connection
        return
    out[name].append(time.perf_counter() - t0)


def run(clients: int, seconds: float, workers: int = 1) -> tuple[dict[str, list[float]], list[str]]:
    """Start a server, let ``clients`` drag for ``seconds``, stop it; the latencies and the errors."""
    proc, url = start_server(workers)
    try:
        parts = urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        conn.request("GET", "/api/start")
        start = json.loads(conn.getresponse().read())
        conn.close()
        out: dict[str, list[float]] = defaultdict(list)
        errors: list[str] = []
        until = time.monotonic() + seconds
        threads = [
            threading.Thread(target=client, args=(url, start, until, seed, out, errors), daemon=True)
            for seed in range(clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(seconds + 60)
        if any(t.is_alive() for t in threads):
            errors.append("a client was still waiting 60 s after the end")
        return dict(out), errors
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()


def report(
    latencies: dict[str, list[float]], errors: list[str], clients: int, seconds: float, workers: int = 1
) -> str:
    """The table: per question, answers, answers per second, p50 and p99 in ms; then the errors."""
    lines = [
        f"{clients} clients dragging for {seconds:g} s on the demo map (loopback), {workers} worker(s)",
        f"{'question':<10}{'answers':>9}{'per s':>8}{'p50 ms':>9}{'p99 ms':>9}",
    ]
    for name in ("live", "explain", "sweep"):
        ms = np.array(latencies.get(name, [np.nan])) * 1000
        lines.append(
            f"{name:<10}{len(latencies.get(name, [])):>9}{len(latencies.get(name, [])) / seconds:>8.1f}"
            f"{np.percentile(ms, 50):>9.1f}{np.percentile(ms, 99):>9.1f}"
        )
    lines.append(f"errors: {len(errors)}")
    lines += [f"  {e}" for e in errors[:20]]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="one run per count")
    args = parser.parse_args()
    failed = False
    for workers in args.workers:
        latencies, errors = run(args.clients, args.seconds, workers)
        print(report(latencies, errors, args.clients, args.seconds, workers), flush=True)
        failed |= bool(errors)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
