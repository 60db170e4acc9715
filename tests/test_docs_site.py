"""The documentation site: built as ``make docs`` builds it, then read in chromium from disk.

The build runs Sphinx with warnings as errors, which also runs every gallery
script and executes the notebook; a broken example, a failing cell or a bad
reference fails it. The browser walk (tests/site_driver.py) follows every
internal link from both home pages with every request off the disk refused.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import needs
import numpy as np
import pytest

import roikit
from roikit.frontends.demo import DEMO_BOX, DEMO_MAP, DEMO_SCALE

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    needs.modules("browser", "sphinx", "pydata_sphinx_theme", "numpydoc", "myst_nb", "sphinx_gallery")
    out = tmp_path_factory.mktemp("site")
    # One build per process, serialised across xdist workers: the build writes its generated
    # pages into docs/site/ (git-ignored), which two builds at once would fight over.
    import fcntl

    lock = ROOT / "build" / ".docs-build.lock"
    lock.parent.mkdir(exist_ok=True)
    with lock.open("w") as fd:
        fcntl.flock(fd, fcntl.LOCK_EX)
        done = subprocess.run(
            [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", "-q", "docs/site", str(out)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNING:" not in done.stderr.replace("[IPKernelApp] WARNING", ""), done.stderr
    return out


@pytest.fixture(scope="module")
def walk(site: Path) -> dict:  # type: ignore[type-arg]
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "site_driver.py"), needs.chromium(), str(site)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _text(path: Path) -> str:
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))


def test_every_section_is_built_in_both_languages(site: Path) -> None:
    for prefix in ("", "ko/"):
        for page in ("index", "learn/index", "practice", "gallery/index", "conventions", "api/index",
                     "performance", "explorer", "dask"):  # fmt: skip
            assert (site / f"{prefix}{page}.html").is_file(), prefix + page
        for page in ("pool", "align", "max-avg", "pool-vs-align", "backward"):
            assert (site / f"{prefix}learn/generated/{page}.html").is_file(), prefix + page
    for page in ("numpy", "explain", "torch", "jax", "figures", "trace"):
        assert (site / "api" / f"{page}.html").is_file(), page


def test_the_lesson_pages_carry_the_ops_numbers(site: Path) -> None:
    # The generated pages are roikit's own walkthrough: their output tables hold the op's values.
    x, rois = DEMO_MAP[None, None], np.array([[0, *DEMO_BOX]])
    pool = roikit.roi_pool(x, rois, 2, DEMO_SCALE)[0, 0]
    align = roikit.roi_align(x, rois, 2, DEMO_SCALE, sampling_ratio=2, mode="max")[0, 0]
    titles = [("", "RoI Pool, worked out by hand", "RoI Align (max)"),
              ("ko/", "RoI Pooling 손으로 계산하기", "RoI Align (최대 풀링)")]  # fmt: skip
    for prefix, pool_title, align_title in titles:
        text = _text(site / f"{prefix}learn/generated/pool.html")
        assert pool_title in text
        assert all(f" {v:g} " in text for v in pool.ravel()), pool
        text = _text(site / f"{prefix}learn/generated/align.html")
        assert align_title in text
        assert all(f"{v:.4f}".rstrip("0") in text for v in align.ravel()), align
    assert "aligned=True" in _text(site / "learn/generated/align.html")


def test_the_notebook_ran_at_build_time(site: Path) -> None:
    text = _text(site / "notebooks" / "lesson.html")
    out = roikit.roi_align(DEMO_MAP[None, None], np.array([[0, *DEMO_BOX]]), 2, DEMO_SCALE, sampling_ratio=2,
                           mode="max")[0, 0]  # fmt: skip
    assert str(out).split("\n")[0].strip("[ ") in text  # the printed op output, as the cell printed it
    html = (site / "notebooks" / "lesson.html").read_text(encoding="utf-8")
    assert "output traceback" not in html and "output error" not in html and "output stderr" not in html
    assert "True" in text  # the widget's kernel side answered the page's question


def test_no_broken_link_and_nothing_from_outside(walk: dict) -> None:  # type: ignore[type-arg]
    assert len(walk["pages"]) > 40, sorted(walk["pages"])
    assert walk["broken"] == []
    assert walk["outside"] == []
    assert walk["errors"] == []


def test_every_image_loads(walk: dict) -> None:  # type: ignore[type-arg]
    failed = [(name, src) for name, p in walk["pages"].items() for src, ok in p["images"] if not ok]
    assert failed == []
    for gallery in ("gallery/index.html", "ko/gallery/index.html"):
        images = walk["pages"][gallery]["images"]
        assert len(images) >= 6 and all(ok for _, ok in images), images
    for name, p in walk["pages"].items():
        if "/gallery/plot_" in "/" + name:
            assert any("sphx_glr_plot_" in src for src, _ in p["images"]), name


def test_every_page_has_its_language_and_a_switch(walk: dict) -> None:  # type: ignore[type-arg]
    for name, p in walk["pages"].items():
        if name.startswith("practice-"):  # the printable sheets: standalone pages of their own
            continue
        korean = name.startswith("ko/")
        assert p["lang"] == ("ko" if korean else "en"), name
        # The header is drawn twice (wide screens, and the narrow screens' menu): one link each.
        assert p["switch"] and all(link == p["switch"][0] for link in p["switch"]), name
        target, lang = p["switch"][0]
        assert lang == ("en" if korean else "ko"), name
        assert ("/ko/" in target) != korean, (name, target)


def test_korean_pages_draw_hangul_in_the_shipped_font(walk: dict) -> None:  # type: ignore[type-arg]
    korean = {n: p for n, p in walk["pages"].items() if n.startswith("ko/")}
    assert len(korean) >= 15
    for name, p in korean.items():
        assert p["hangul"], name
        assert p["nanumLoaded"] and p["nanum"], name
        assert p["body"].startswith('"NanumGothic"') or p["body"].startswith("NanumGothic"), p["body"]


def test_search_finds_both_languages(walk: dict) -> None:  # type: ignore[type-arg]
    english, korean = walk["search"]["bilinear"], walk["search"]["이중 선형 보간"]
    assert any(u.endswith("learn/generated/align.html") and "/ko/" not in u for u in english), english
    assert any(u.endswith("ko/learn/generated/align.html") for u in korean), korean


def test_korean_pages_speak_korean_in_the_theme_too(site: Path) -> None:
    korean = (site / "ko" / "learn" / "generated" / "align.html").read_text(encoding="utf-8")
    english = (site / "learn" / "generated" / "align.html").read_text(encoding="utf-8")
    for en, ko in (
        ("On this page", "이 쪽의 차례"),
        ("Section Navigation", "이 구역"),
        ("Skip to main content", "본문으로"),
    ):
        assert en in english and en not in korean and ko in korean, en
