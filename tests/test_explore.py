"""roikit explore: the API gives the CLI's JSON, refuses hostile queries, and the page follows drags.

The server runs in a background thread on 127.0.0.1 with a free port; the browser test
drives Debian's chromium with Playwright in a subprocess under a timeout, so a hang fails.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import needs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import roikit
from roikit.frontends.cli import app
from roikit.frontends.demo import DEMO_BOX, DEMO_MAP, DEMO_SCALE
from roikit.frontends.explore import ExploreServer


@pytest.fixture(scope="module")
def server():  # type: ignore[no-untyped-def]
    srv = ExploreServer(
        {
            "map": DEMO_MAP.tolist(),
            "box": list(DEMO_BOX),
            "op": "align",
            "output_size": "2",
            "spatial_scale": DEMO_SCALE,
            "lang": "en",
        }
    )
    srv.serve_in_background()
    yield srv
    srv.shutdown()
    srv.server_close()


def fetch(server, path: str, data: bytes | None = None):  # type: ignore[no-untyped-def]
    # an upload comes from the explorer's own page, as a browser's would: with its Origin
    headers = {"Origin": server.url.rstrip("/")} if data is not None else {}
    req = urllib.request.Request(
        server.url.rstrip("/") + path,
        data=data,
        method="POST" if data is not None else "GET",
        headers=headers,
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read(), r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers


@st.composite
def queries(draw):  # type: ignore[no-untyped-def]
    h, w = draw(st.integers(2, 7)), draw(st.integers(2, 7))
    m = np.random.default_rng(draw(st.integers(0, 10**6))).integers(-9, 10, (h, w))
    coord = st.floats(-2, 9, allow_nan=False).map(lambda v: round(v, 2))
    q = {
        "op": draw(st.sampled_from(["pool", "align"])),
        "map": "; ".join(" ".join(str(v) for v in r) for r in m),
        "box": ",".join(str(draw(coord)) for _ in range(4)),
        "output_size": str(draw(st.integers(1, 2))),
        "spatial_scale": draw(st.sampled_from(["1", "0.5"])),
        "lang": draw(st.sampled_from(["en", "ko"])),
    }
    if q["op"] == "align":
        q.update(
            mode=draw(st.sampled_from(["max", "avg"])),
            aligned=draw(st.sampled_from(["true", "false"])),
            sampling_ratio=str(draw(st.integers(-1, 3))),
        )
    return q


def cli_args(q: dict[str, str]) -> list[str]:
    args = [
        "explain",
        q["op"],
        "--map",
        q["map"],
        "--box",
        q["box"],
        "--output-size",
        q["output_size"],
        "--spatial-scale",
        q["spatial_scale"],
        "--lang",
        q["lang"],
        "--format",
        "json",
    ]
    if q["op"] == "align":
        args += [
            "--mode",
            q["mode"],
            "--sampling-ratio",
            q["sampling_ratio"],
            "--aligned" if q["aligned"] == "true" else "--not-aligned",
        ]
    return args


@settings(max_examples=25, deadline=None)
@given(queries())
def test_the_api_returns_exactly_the_cli_json(server, q) -> None:  # type: ignore[no-untyped-def]
    status, body, _ = fetch(server, "/api/explain?" + urlencode(q))
    result = CliRunner().invoke(app, cli_args(q))
    if result.exit_code == 0:
        assert status == 200 and body.decode("utf-8") == result.stdout
    else:  # the same refusal, with the same message
        assert status == 400 and json.loads(body)["error"] == result.stderr.split("error: ", 1)[1].strip()


def _without_words(doc: dict) -> dict:  # type: ignore[type-arg]
    bins = [{k: v for k, v in b.items() if k != "aggregation"} for b in doc["data"]["bins"]]
    return {
        "op": doc["op"],
        "params": doc["params"],
        "output": doc["output"],
        "data": {**doc["data"], "bins": bins},
    }


@settings(max_examples=25, deadline=None)
@given(queries())
def test_a_live_answer_is_the_walkthrough_without_its_words(server, q) -> None:  # type: ignore[no-untyped-def]
    status, body, _ = fetch(server, "/api/live?" + urlencode(q))
    full_status, full, _ = fetch(server, "/api/explain?" + urlencode(q))
    assert status == full_status
    if status != 200:  # the same refusal
        assert json.loads(body) == json.loads(full)
        return
    live, doc = json.loads(body), json.loads(full)
    assert sorted(live) == ["data", "lang", "op", "output", "params"]  # no steps, no map
    assert _without_words(live) == _without_words(doc) and live["lang"] == doc["lang"]
    assert all(b.get("aggregation") is None for b in live["data"]["bins"])


@pytest.mark.parametrize(
    "path,status",
    [
        ("/api/explain", 400),  # nothing given
        ("/api/explain?op=warp&map=1&box=0,0,1,1", 400),
        ("/api/explain?op=align&map=1%202%3B%203%20x&box=0,0,1,1", 400),
        ("/api/explain?op=align&map=1%202%3B%203%204&box=nan,0,1,1", 400),
        ("/api/explain?op=align&map=1%202%3B%203%204&box=0,0,1,1&sampling_ratio=1e9", 400),
        ("/api/explain?op=align&map=1%202%3B%203%204&box=0,0,1,1&sampling_ratio=100000", 400),
        ("/api/explain?op=align&map=1%202%3B%203%204&box=0,0,1,1&aligned=maybe", 400),
        ("/api/explain?op=align&map=1%202%3B%203%204&box=0,0,1,1&spatial_scale=-1", 400),
        ("/api/explain?op=align&map=" + "1%20" * 70000 + "&box=0,0,1,1", 414),
        ("/api/explain?op=align&map=" + "1%3B" * 20000 + "&box=0,0,1,1", 414),
        ("/api/explain?op=align&map=%2Fetc%2Fpasswd&box=0,0,1,1", 400),  # a file name is not a map
        ("/static/../../../etc/passwd", 404),
        ("/static/%2e%2e/server.py", 404),
        ("/static/index.html/../api.py", 404),
        ("/nope", 404),
        ("/api/export?op=pool&map=1%202%3B%203%204&box=0,0,1,1&format=exe", 400),
    ],
)
def test_hostile_queries_get_4xx_and_the_server_stays_up(server, path, status) -> None:  # type: ignore[no-untyped-def]
    got, body, headers = fetch(server, path)
    assert got == status, body[:300]
    assert headers["Content-Type"].startswith("application/json")
    assert "error" in json.loads(body) and b"Traceback" not in body
    ok, _, _ = fetch(
        server,
        "/api/explain?" + urlencode({"op": "pool", "map": "1 2; 3 4", "box": "0,0,1,1", "output_size": "1"}),
    )
    assert ok == 200


def test_a_file_name_never_reaches_the_disk(server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    secret = tmp_path / "m.csv"
    secret.write_text("1,2\n3,4\n")
    status, body, _ = fetch(
        server, "/api/explain?" + urlencode({"op": "pool", "map": str(secret), "box": "0,0,1,1"})
    )
    assert status == 400 and b"1,2" not in body


def test_sweep_is_a_staircase_for_pool_and_matches_the_ops(server) -> None:  # type: ignore[no-untyped-def]
    q = {
        "op": "align",
        "map": "; ".join(" ".join(str(v) for v in r) for r in DEMO_MAP.astype(int)),
        "box": ",".join(str(v) for v in DEMO_BOX),
        "spatial_scale": "0.5",
        "mode": "avg",
        "aligned": "false",
        "sampling_ratio": "2",
        "bin": "0,1",
    }
    status, body, _ = fetch(server, "/api/sweep?" + urlencode(q))
    sw = json.loads(body)
    assert status == 200 and sw["bin"] == [0, 1] and len(sw["shift_px"]) == 41
    shift = np.array(sw["shift_px"])
    boxes = np.column_stack(
        [
            np.zeros(41),
            DEMO_BOX[0] + shift,
            np.full(41, DEMO_BOX[1]),
            DEMO_BOX[2] + shift,
            np.full(41, DEMO_BOX[3]),
        ]
    )
    m = DEMO_MAP[None, None]
    np.testing.assert_array_equal(sw["pool"], roikit.roi_pool(m, boxes, 2, 0.5)[:, 0, 0, 1])
    align = roikit.roi_align(m, boxes, 2, 0.5, 2, False, "avg")[:, 0, 0, 1]
    np.testing.assert_array_equal(sw["align"], align)
    assert len(set(sw["pool"])) < len(set(sw["align"]))  # steps against a smooth curve


def test_uploading_a_map_file(server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import io

    buf = io.BytesIO()
    np.save(buf, np.arange(6.0).reshape(2, 3))
    status, body, _ = fetch(server, "/api/map?name=m.npy", buf.getvalue())
    assert status == 200 and json.loads(body)["map"] == [[0, 1, 2], [3, 4, 5]]
    status, body, _ = fetch(server, "/api/map?name=m.exe", b"MZ")
    assert status == 400
    buf = io.BytesIO()
    np.save(buf, np.zeros((300, 300)))  # more than the explorer's 256 x 256
    status, body, _ = fetch(server, "/api/map?name=big.npy", buf.getvalue())
    assert status == 413 and "65536" in json.loads(body)["error"]


def test_exports_and_the_command_line(server) -> None:  # type: ignore[no-untyped-def]
    q = urlencode({"op": "pool", "map": "1 2; 3 4", "box": "0,0,1,1", "output_size": "1"})
    status, body, _ = fetch(server, "/api/command?" + q)
    cmd = json.loads(body)["command"]
    assert cmd == (
        "roikit explain pool --map '1 2; 3 4' --box 0,0,1,1 --output-size 1,1 --spatial-scale 1 --lang en"
    )
    for fmt, head in (
        ("md", b"## RoI Pool"),
        ("latex", b"\\documentclass"),
        ("html", b"<!doctype html>"),
        ("json", b"{"),
        ("png", b"\x89PNG"),
        ("svg", b"<?xml"),
    ):
        status, body, headers = fetch(server, f"/api/export?{q}&format={fmt}")
        assert status == 200 and body.startswith(head) and "attachment" in headers["Content-Disposition"]


def test_the_command_prints_one_line_and_binds_only_its_host() -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "roikit", "explore", "--no-browser", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            assert line.startswith("roikit explore: http://127.0.0.1:") and line.endswith("/\n")
            url = line.split(": ", 1)[1].strip()
            with urllib.request.urlopen(url + "api/start", timeout=30) as r:
                assert json.loads(r.read())["box"] == list(DEMO_BOX)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    result = CliRunner().invoke(app, ["explore", "--no-browser", "--host", "203.0.113.7"])
    assert result.exit_code == 2 and result.stderr.startswith("roikit: error: --host 203.0.113.7")


@pytest.mark.browser
def test_the_page_follows_a_drag_and_every_control(server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    script = tmp_path / "drive.py"
    script.write_text(_DRIVER, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(script), needs.chromium(), server.url, str(tmp_path), needs.axe()],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "OK", proc.stdout
    print("\n".join(line for line in proc.stdout.splitlines() if "per second" in line))  # -rP shows it
    assert (tmp_path / "explore.png").stat().st_size > 10_000


_DRIVER = r"""
import sys
import numpy as np
import roikit
from roikit.frontends.demo import DEMO_MAP
from playwright.sync_api import sync_playwright

chromium, url, folder, axe = sys.argv[1:5]
tid = lambda name: f'[data-testid="{name}"]'


def box(page):
    return [float(page.input_value(tid(f"box-{k}"))) for k in ("x1", "y1", "x2", "y2")]


def outputs(page):
    cells = page.locator('[data-testid^="out-"]')
    n = cells.count()
    vals = {cells.nth(i).get_attribute("data-testid"): float(cells.nth(i).get_attribute("data-value"))
            for i in range(n)}
    side = int(round(n ** 0.5))
    return np.array([[vals[f"out-{i}-{j}"] for j in range(side)] for i in range(side)])


def version(page):
    return int(page.locator(".rk").get_attribute("data-version") or 0)


def settle(page, old):
    page.wait_for_function("old => Number(document.querySelector('.rk').dataset.version) > old", arg=old)


def drag_rate(page, cells, seconds=2.0):
    '''Drag the box right by ``cells`` in small pointer moves; the live answers drawn per second.

    Also checks that the output and the sweep's marker moved before the release, and puts the
    box back where it was.'''
    import time
    roi = page.locator(tid("roi")).bounding_box()
    c00, c01 = (page.locator(tid(f"cell-0-{c}")).bounding_box() for c in (0, 1))
    cell_px = c01["x"] - c00["x"]
    x, y = roi["x"] + roi["width"] / 2, roi["y"] + roi["height"] / 2
    first = page.locator(tid("out-0-0")).get_attribute("data-value")
    marker = page.locator(tid("sweep-now")).get_attribute("x1")
    page.mouse.move(x, y)
    page.mouse.down()
    live0 = int(page.locator(".rk").get_attribute("data-live") or 0)
    n = int(seconds * 60)
    started = time.monotonic()
    for k in range(n):  # as fast as Playwright moves the mouse (about 30 moves a second here)
        page.mouse.move(x + (k + 1) * cells * cell_px / n, y)
        page.wait_for_timeout(1)
    elapsed = time.monotonic() - started
    live = int(page.locator(".rk").get_attribute("data-live") or 0) - live0
    moving = page.locator(tid("out-0-0")).get_attribute("data-value")
    assert live > 0 and moving != first, (live, first, moving)  # it moved before the release
    assert page.locator(tid("sweep-now")).get_attribute("x1") != marker  # so did the sweep's marker
    old = version(page)
    page.mouse.move(x, y)  # back where it started: the rest of the test keeps its box
    page.mouse.up()
    settle(page, old)
    return live / elapsed


def uncovered(page):
    '''No sampling point's dot lies on a value of the map (the values a point reads stay legible).'''
    return page.evaluate('''() => {
      const dots = [...document.querySelectorAll('.pt:not(.stale)')].map((e) => e.getBoundingClientRect());
      const bad = [];
      for (const v of document.querySelectorAll('[data-testid^="val-"]')) {
        const r = v.getBoundingClientRect();
        for (const d of dots) {
          const cx = d.x + d.width / 2, cy = d.y + d.height / 2;
          if (cx > r.left && cx < r.right && cy > r.top && cy < r.bottom) bad.push(v.dataset.testid);
        }
      }
      return bad;
    }''')


def serious(page):
    '''axe-core's serious and critical findings on the page as it is.'''
    page.add_script_tag(path=axe)
    return page.evaluate('''async () => (await axe.run(document)).violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', '))''')


with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=chromium, args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"])
    page = browser.new_page(viewport={"width": 1300, "height": 950})
    errors, outside = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(url) else None)
    page.goto(url)
    page.wait_for_function("document.querySelector('.rk') && "
                           "Number(document.querySelector('.rk').dataset.version) > 0")
    m = DEMO_MAP[None, None]

    # the page writes the engine's numbers as the walkthrough does: bin (0, 0)'s winner has the
    # weights 0.0825, 0.055, 0.5175, 0.345 (float32 noise not shown)
    page.locator(tid("pt-0-0-1")).hover()
    labels = [page.locator(tid(f"nb-{k}")).text_content() for k in range(4)]
    assert labels == ["4×0.0825", "1×0.055", "8×0.5175", "2×0.345"], labels
    page.mouse.move(0, 0)

    # drag the RoI by a measured distance: the box inputs move by that many cells / scale
    before = box(page)
    roi = page.locator(tid("roi")).bounding_box()
    c00 = page.locator(tid("cell-0-0")).bounding_box()
    c01 = page.locator(tid("cell-0-1")).bounding_box()
    cell_px = c01["x"] - c00["x"]
    old = version(page)
    x, y = roi["x"] + roi["width"] / 2, roi["y"] + roi["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 2 * cell_px, y + 1 * cell_px, steps=8)
    page.mouse.up()
    settle(page, old)
    after = box(page)
    moved = np.array(after) - np.array(before)
    assert np.allclose(moved, [4, 2, 4, 2], atol=0.06), moved  # 2 and 1 cells at scale 0.5
    got = outputs(page)
    want = roikit.roi_align(m, np.array([[0, *after]]), 2, 0.5, 2, False, "max")[0, 0]
    assert np.array_equal(got, want), (got, want)

    # live: while the mouse is down bins, points and outputs follow the box, before the release;
    # the rate is reported, never asserted (speed is make bench's)
    print(f"live updates while dragging, demo map: {drag_rate(page, 1.0):.1f} per second")
    assert uncovered(page) == [], uncovered(page)

    # type a box
    old = version(page)
    page.fill(tid("box-x2"), "10.4")
    page.press(tid("box-x2"), "Enter")
    settle(page, old)
    assert box(page)[2] == 10.4
    def check(pool=False, mode="max", sr=2, aligned=False):
        b = np.array([[0, *box(page)]])
        if pool:
            want = roikit.roi_pool(m, b, 2, 0.5)[0, 0]
        else:
            want = roikit.roi_align(m, b, 2, 0.5, sr, aligned, mode)[0, 0]
        assert np.array_equal(outputs(page), want), (outputs(page), want)
    check()

    # every control
    for action, kwargs in ((lambda: page.select_option(tid("mode"), "avg"), dict(mode="avg")),
                           (lambda: page.check(tid("aligned")), dict(mode="avg", aligned=True)),
                           (lambda: (page.fill(tid("sampling-ratio"), "0"),
                                     page.press(tid("sampling-ratio"), "Enter")),
                            dict(mode="avg", aligned=True, sr=0)),
                           (lambda: page.select_option(tid("op"), "pool"), dict(pool=True))):
        old = version(page)
        action()
        settle(page, old)
        check(**kwargs)
    page.select_option(tid("lang"), "ko")
    page.wait_for_function("document.querySelector('[data-testid=steps]').textContent.includes('입력')")

    # hovering an output cell lights its bin on the map and its step
    old = version(page)
    page.select_option(tid("op"), "align")
    settle(page, old)
    page.locator(tid("out-0-1")).hover()
    lit = page.locator('.hl[data-bin]')
    mine = page.locator('[data-bin="0-1"]')  # the bin's outline, its points and its winner
    assert mine.count() >= 2 and lit.count() == mine.count(), (lit.count(), mine.count())
    assert page.locator('.hl[data-bin="0-1"]').count() == mine.count()
    page.mouse.move(0, 0)

    # every sampling point is reachable by the pointer (drawn over the box) and shows its weights
    old = version(page)
    page.select_option(tid("lang"), "en")
    settle(page, old)
    import json, urllib.request
    for name in ("pt-0-0-0", "pt-1-1-0"):
        page.locator(tid(name)).hover()
        labels = page.locator('[data-testid^="nb-"]')
        assert labels.count() == 4, labels.count()
        weights = [float(labels.nth(k).get_attribute("data-weight")) for k in range(4)]
        assert abs(sum(weights) - 1) < 1e-6, weights
        boxes = [labels.nth(k).bounding_box() for k in range(4)]
        for a in range(4):  # the four labels never overlap
            for b in range(a + 1, 4):
                A, B = boxes[a], boxes[b]
                assert (A["x"] + A["width"] <= B["x"] or B["x"] + B["width"] <= A["x"]
                        or A["y"] + A["height"] <= B["y"] or B["y"] + B["height"] <= A["y"]), (A, B)
        assert "hy·hx" in page.inner_text(tid("closeup"))
        page.mouse.move(0, 0)
    # the weights shown are the trace's: the API answers the same numbers for the same box
    settings = {"op": "align", "box": ",".join(map(str, box(page))), "output_size": "2",
                "spatial_scale": "0.5", "mode": "avg", "aligned": "true", "sampling_ratio": "0"}
    q = "&".join(f"{k}={v}" for k, v in settings.items())
    mapq = ";".join(" ".join(str(int(v)) for v in r) for r in DEMO_MAP)
    with urllib.request.urlopen(url + "api/explain?" + q + "&map=" + urllib.request.quote(mapq)) as r:
        doc = json.load(r)
    page.locator(tid("pt-0-0-0")).hover()
    shown = [float(page.locator(tid(f"nb-{k}")).get_attribute("data-weight")) for k in range(4)]
    point = doc["data"]["bins"][0]["points"][0]
    assert shown == point["weights"], shown
    # the close-up draws each weight as the area opposite its neighbour, as the static figure does
    for k in range(4):
        rect = page.locator(tid(f"area-{k}"))
        w, h = (float(rect.get_attribute(a)) for a in ("width", "height"))
        assert float(rect.get_attribute("data-weight")) == point["weights"][k]
        assert abs(w * h - point["weights"][k]) < 1e-9, (k, w * h, point["weights"][k])
    page.mouse.move(0, 0)

    # a click on an output value sweeps that value, and the sweep names it
    page.locator(tid("out-1-0")).click()
    page.wait_for_function("document.querySelector('[data-testid=sweep-bin]').textContent === '(1, 0)'")

    # RoI Pool's bins over RoI Align's, on demand: the engine's rounded bins for the same box
    assert page.locator(tid("edge-tick")).count() == 9  # pixel edges 0..8 of the 8-wide map
    old = version(page)
    page.check(tid("pool-bins"))
    settle(page, old)
    pq = {"op": "pool", "box": ",".join(map(str, box(page))), "output_size": "2", "spatial_scale": "0.5"}
    with urllib.request.urlopen(url + "api/live?" + "&".join(f"{k}={v}" for k, v in pq.items())
                                + "&map=" + urllib.request.quote(mapq)) as r:
        pool_doc = json.load(r)
    for b in pool_doc["data"]["bins"]:
        rect = page.locator(tid(f"poolbin-{b['ph']}-{b['pw']}"))
        got = [float(rect.get_attribute(k)) for k in ("x", "y", "width", "height")]
        (r0, r1), (c0, c1) = b["rows"], b["cols"]
        want = [c0 - 0.5, r0 - 0.5, c1 - c0, r1 - r0]
        assert got == want, (got, want)
    assert "steps" not in pool_doc and "feature" not in pool_doc  # the numbers only
    print(f"live updates while dragging with RoI Pool's bins: {drag_rate(page, 1.0):.1f} per second")
    old = version(page)
    page.uncheck(tid("pool-bins"))
    settle(page, old)

    # axe-core: no serious or critical finding, in either language; at 200 % zoom (half the
    # width, twice the pixels) the page reflows without scrolling sideways and the numbers stay
    # as large as at 100 %
    assert serious(page) == [], serious(page)
    old = version(page)
    page.select_option(tid("lang"), "ko")
    settle(page, old)
    assert serious(page) == [], serious(page)
    val_px = page.locator(tid("val-0-0")).bounding_box()["height"]
    zoomed = browser.new_page(viewport={"width": 650, "height": 475}, device_scale_factor=2)
    zoomed.goto(url)
    zoomed.wait_for_function("Number(document.querySelector('.rk')?.dataset.version) > 0")
    assert zoomed.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert zoomed.locator(tid("val-0-0")).bounding_box()["height"] >= 0.9 * val_px
    assert serious(zoomed) == [], serious(zoomed)
    zoomed.screenshot(path=folder + "/explore-200.png", full_page=True)
    zoomed.close()
    old = version(page)
    page.select_option(tid("lang"), "en")
    settle(page, old)

    # the keyboard moves the box: 0.1 px, Shift 1 px; R switches to resizing
    for key, delta in (("ArrowRight", [0.1, 0, 0.1, 0]), ("Shift+ArrowDown", [0, 1, 0, 1]),
                       ("r", None), ("ArrowRight", [0, 0, 0.1, 0])):
        before, old = box(page), version(page)
        page.locator(tid("map")).focus()
        page.keyboard.press(key)
        if delta is None:
            continue
        settle(page, old)
        assert np.allclose(np.array(box(page)) - before, delta, atol=1e-9), (key, box(page), before)

    # the sweep states its range in image pixels and marks the box as it is
    page.wait_for_function("document.querySelectorAll('[data-testid=sweep-tick]').length === 3")
    ticks = [t.text_content() for t in page.locator(tid("sweep-tick")).all()]
    assert ticks == ["-2", "0", "2"], ticks  # ±1 cell at spatial_scale 0.5
    assert page.locator(tid("sweep-now")).count() == 1

    # no "other bins" step: the page works every bin out
    assert "The other bins" not in page.inner_text(tid("steps"))

    # a 64 x 64 float map, uploaded: the server keeps it and every query names it by its id
    big = np.random.default_rng(64).standard_normal((64, 64)).astype(np.float32)
    np.save(folder + "/feat64.npy", big)
    old = version(page)
    page.set_input_files(tid("map-file"), folder + "/feat64.npy")
    settle(page, old)
    assert page.locator(tid("error")).inner_text() == ""
    assert page.locator('[data-testid^="cell-"]').count() == 64 * 64
    b = np.array([[0, *box(page)]])
    want = roikit.roi_align(big.astype(np.float64)[None, None], b, 2, 0.5, 2, False, "max")[0, 0]
    old = version(page)
    page.select_option(tid("mode"), "max")
    page.fill(tid("sampling-ratio"), "2"); page.press(tid("sampling-ratio"), "Enter")
    page.wait_for_timeout(300)
    page.uncheck(tid("aligned"))
    page.wait_for_function("old => Number(document.querySelector('.rk').dataset.version) > old + 2", arg=old)
    assert np.allclose(outputs(page), want, rtol=1e-6, atol=1e-6), (outputs(page), want)
    page.screenshot(path=folder + "/explore.png")

    # a 32 x 32 map with a 7 x 7 output: the drag is still followed (rate reported)
    np.save(folder + "/feat32.npy", np.random.default_rng(32).standard_normal((32, 32)).astype(np.float32))
    old = version(page)
    page.set_input_files(tid("map-file"), folder + "/feat32.npy")
    settle(page, old)
    old = version(page)
    page.fill(tid("box-x2"), "40"); page.fill(tid("box-y2"), "40"); page.press(tid("box-y2"), "Enter")
    settle(page, old)
    old = version(page)
    page.fill(tid("output-size"), "7"); page.press(tid("output-size"), "Enter")
    settle(page, old)
    # an answer for the earlier settings may be drawn first (it bumps the version too): wait for
    # the 7 x 7 one, which must come (the wait fails after its timeout otherwise)
    page.wait_for_function("document.querySelectorAll('[data-testid^=\"out-\"]').length === 49",
                           timeout=30_000)
    assert page.locator('[data-testid^="out-"]').count() == 49
    print(f"live updates while dragging, 32 x 32 map, 7 x 7 output: {drag_rate(page, 2.0):.1f} per second")
    assert errors == [], errors
    assert outside == [], outside
    browser.close()
print("OK")
"""


def test_the_notebook_widget_answers_with_the_api() -> None:
    from roikit.frontends.explore import explain_json, widget

    w = widget(DEMO_MAP, DEMO_BOX, 2, DEMO_SCALE, lang="ko")
    assert w.start["box"] == list(DEMO_BOX) and w.start["lang"] == "ko"
    assert "export async function mount" in w._esm and "export default" in w._esm
    params = {"op": "align", "map": "1 2 3; 4 5 6; 7 8 9", "box": "0.2,0.3,1.9,1.7", "mode": "avg"}
    w.request = {"id": 7, "kind": "explain", "params": params}
    assert w.response == {"id": 7, "ok": True, "body": explain_json(params)}
    w.request = {"id": 8, "kind": "explain", "params": {**params, "box": "0,0,1"}}
    assert w.response == {"id": 8, "ok": False, "body": "--box needs 4 number(s); got 3 in '0,0,1'"}
    w.request = {"id": 9, "kind": "sweep", "params": params}
    assert w.response["ok"] and len(w.response["body"]["align"]) == 41
    # a refusal speaks the query's language, and an unknown question is named
    w.request = {"id": 10, "kind": "explain", "params": {**params, "box": "0,0,1", "lang": "ko"}}
    body = w.response["body"]
    assert w.response["ok"] is False and "--box" in body and "'0,0,1'" in body
    assert any("\uac00" <= ch <= "\ud7a3" for ch in body), body
    w.request = {"id": 11, "kind": "figure", "params": params}
    assert w.response == {"id": 11, "ok": False, "body": "unknown request 'figure'"}
