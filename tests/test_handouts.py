"""Handouts: HTML with inline figures and hover linking, Markdown and LaTeX with figure files.

The browser test drives Debian's chromium through Playwright (pip's package; its own
browser download is never used). make test installs chromium and sets
ROIKIT_REQUIRE_BROWSER=1, which makes it mandatory; elsewhere it is skipped, with the
reason in the summary, when chromium is missing.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import needs
import pytest
from typer.testing import CliRunner

from roikit.frontends.cli import app
from roikit.frontends.demo import demo_traces
from roikit.render import render

runner = CliRunner()


def test_the_html_page_carries_its_figures_inline_and_loads_nothing() -> None:
    page = render(demo_traces("en"), "html")
    assert page.count("<svg") == 4  # RoI Pool, RoI Align, the bilinear close-up, the half-pixel row
    assert not re.search(r"<(link|img|iframe)\b|\bsrc=|url\(\s*['\"]?https?:", page)
    assert 'name="viewport"' in page and "@media print" in page
    # every id is unique: the figures' internal ids were prefixed per figure
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    # the map table's cells know their bins; the output cells are the hover targets
    assert 'data-bins="0-0 0-1"' in page  # column 4 is in bins (0, 0) and (0, 1)
    assert page.count('data-out="') == 4 + 4  # the RoI Pool and RoI Align outputs (2 x 2)


def test_markdown_written_to_a_file_links_figures_that_exist(tmp_path: Path) -> None:
    out = tmp_path / "walk.md"
    result = runner.invoke(app, ["demo", "--format", "md", "-o", str(out)])
    assert result.exit_code == 0, result.output
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", out.read_text(encoding="utf-8"))
    assert links == [
        "walk-1-roi_pool.png",
        "walk-2-roi_align.png",
        "walk-2-bilinear.png",
        "walk-2-halfpixel.png",
    ]
    for name in links:
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"


def test_markdown_on_stdout_says_how_to_get_the_figures() -> None:
    result = runner.invoke(app, ["demo", "--format", "md", "--mode", "avg"])
    assert "write this walkthrough to a file (-o walk.md)" in result.output


def test_a_blocked_figure_file_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "walk-1-roi_pool.png").mkdir()  # a folder where a figure would go
    result = runner.invoke(app, ["demo", "--format", "md", "-o", str(tmp_path / "walk.md")])
    assert result.exit_code == 2 and "is a directory" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["walk-1-roi_pool.png"]


def test_handout_needs_html_or_latex() -> None:
    result = runner.invoke(app, ["demo", "--handout", "--format", "md"])
    assert result.exit_code == 2
    assert result.stderr == (
        "roikit: error: --handout makes a printable sheet: use it with --format html or latex (not md)\n"
    )


@pytest.mark.latex
@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("handout", [False, True])
def test_latex_with_figures_compiles_and_the_handout_is_two_pages(tmp_path, lang, handout) -> None:  # type: ignore[no-untyped-def]
    args = ["demo", "--format", "latex", "--lang", lang, "-o", str(tmp_path / "d.tex")]
    result = runner.invoke(app, args + (["--handout"] if handout else []))
    assert result.exit_code == 0, result.output
    tex = (tmp_path / "d.tex").read_text(encoding="utf-8")
    # a handout keeps the input and the worked bin: the half-pixel row (step 1) is not on it
    assert tex.count("\\includegraphics") == (3 if handout else 4) and "$l_y$" in tex
    run = subprocess.run(
        [needs.pdflatex(), "-interaction=nonstopmode", "-halt-on-error", "d.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        errors="replace",  # pdflatex echoes bytes of the input in its own 8-bit form
        timeout=300,
    )
    log = (tmp_path / "d.log").read_text(encoding="utf-8", errors="replace")
    assert run.returncode == 0, log[-3000:]
    assert "Missing character" not in log
    pages = int(re.search(r"Output written on d\.pdf \((\d+) pages?", log).group(1))
    assert pages == 2 if handout else pages > 2
    if handout:
        _every_step_is_printed(tmp_path / "d.pdf", lang)


def _every_step_is_printed(pdf: Path, lang: str) -> None:
    """Every step of the demo's handout is on the printed pages, by its title (read back with pdftotext)."""
    import unicodedata

    from roikit.render import handout_steps

    words = subprocess.run(
        [needs.pdftotext(), str(pdf), "-"], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    printed = " ".join(unicodedata.normalize("NFKC", words).replace("\u2019", "'").split())
    for trace in demo_traces(lang):
        for step, _ in handout_steps(trace):
            # a browser may set a heading's number apart from its words: look for the words
            head = " ".join(re.sub(r"^\d+\.\s*", "", step.title).split()[:3])
            assert head in printed, step.title


@pytest.mark.latex
@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize(
    "args",
    [
        ["explain", "pool", "--box", "0.5,0.7,4.6,4.1"],
        ["explain", "align", "--box", "0.5,0.7,4.6,4.1"],
        ["practice", "align", "--level", "2", "--seed", "7", "--key"],  # an answer key to hand back
        ["practice", "pool", "--level", "3", "--seed", "2", "--key"],
    ],
)
def test_a_handout_of_one_walkthrough_is_one_page(tmp_path, lang, args) -> None:  # type: ignore[no-untyped-def]
    m = "1 2 3 4 5 6; 7 8 9 1 2 3; 4 5 6 7 8 9; 1 3 5 7 9 2; 2 4 6 8 1 3; 9 8 7 6 5 4"
    args = [*args, *(["--map", m] if args[0] == "explain" else []), "--format", "latex", "--handout"]
    result = runner.invoke(app, [*args, "--lang", lang, "-o", str(tmp_path / "h.tex")])
    assert result.exit_code == 0, result.output
    run = subprocess.run(
        [needs.pdflatex(), "-interaction=nonstopmode", "-halt-on-error", "h.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=300,
    )
    log = (tmp_path / "h.log").read_text(encoding="utf-8", errors="replace")
    assert run.returncode == 0, log[-3000:]
    assert "Output written on h.pdf (1 page" in log and "Overfull" not in log


_ONE_OP = ["--map", "1 2 3 4 5 6; 7 8 9 1 2 3; 4 5 6 7 8 9; 1 3 5 7 9 2; 2 4 6 8 1 3; 9 8 7 6 5 4"]


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize(
    "command,pages",
    [
        (["demo"], 2),
        (["explain", "pool", *_ONE_OP, "--box", "0.5,0.7,4.6,4.1"], 1),
        (["explain", "align", *_ONE_OP, "--box", "0.5,0.7,4.6,4.1"], 1),
    ],
)
def test_the_html_handout_prints_on_a4_with_every_step(tmp_path, lang, command, pages) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "h.html"
    result = runner.invoke(app, [*command, "--format", "html", "--handout", "--lang", lang, "-o", str(out)])
    assert result.exit_code == 0, result.output
    script = (
        "import sys\n"
        "from playwright.sync_api import sync_playwright\n"
        "with sync_playwright() as p:\n"
        "    b = p.chromium.launch(executable_path=sys.argv[1], args=['--no-sandbox', '--disable-gpu'])\n"
        "    pg = b.new_page()\n"
        "    pg.goto('file://' + sys.argv[2])\n"
        "    pg.pdf(path=sys.argv[3], prefer_css_page_size=True, print_background=True)\n"
        "    b.close()\n"
    )
    pdf = tmp_path / "h.pdf"
    subprocess.run(
        [sys.executable, "-c", script, needs.chromium(), str(out), str(pdf)], check=True, timeout=180
    )
    info = subprocess.run(
        [needs.pdfinfo(), str(pdf)], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    assert re.search(rf"Pages:\s+{pages}\n", info), info
    assert "(A4)" in info  # @page sets the paper, whatever the printer's default
    if command == ["demo"]:
        _every_step_is_printed(pdf, lang)


def test_a_cell_two_bins_share_shows_both_bins_colours() -> None:
    page = render(demo_traces("en")[0], "html")
    # RoI Pool's bins (0, 0) and (0, 1) share column 4 (the demo's step 5 says so)
    shared = re.findall(r'data-bins="0-0 0-1" style="background:([^"]+)"', page)
    assert shared and all(s.startswith("repeating-linear-gradient") for s in shared)
    assert "#d6e6f2" in shared[0] and "#f7dccb" in shared[0]  # the tints of bins (0, 0) and (0, 1)
    single = re.findall(r'data-bins="0-0" style="background:([^"]+)"', page)
    assert single and all(s == "#d6e6f2" for s in single)


@pytest.mark.browser
def test_hovering_an_output_cell_highlights_its_bin_in_the_browser(tmp_path: Path) -> None:
    out = tmp_path / "handout.html"
    result = runner.invoke(app, ["demo", "--format", "html", "--handout", "--lang", "ko", "-o", str(out)])
    assert result.exit_code == 0, result.output
    script = tmp_path / "drive.py"
    script.write_text(_DRIVER, encoding="utf-8")
    # In its own process under a timeout: a hung browser fails the test instead of CI.
    proc = subprocess.run(
        [sys.executable, str(script), needs.chromium(), str(out), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "OK", proc.stdout
    assert (tmp_path / "handout.png").stat().st_size > 10_000


_DRIVER = """
import sys
from playwright.sync_api import sync_playwright

chromium, page_file, folder = sys.argv[1:4]
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=chromium, args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"])
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    outside, errors = [], []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith("file:") else None)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("file://" + page_file)
    align = page.locator("section.trace").nth(1)  # RoI Align
    assert align.locator('.hl').count() == 0
    align.locator('td[data-out="0-1"]').hover()
    step = align.locator('section.step[data-step-bin="0-1"]')
    lit_svg = align.locator('[id$="roikit-bin-0-1"].hl')
    lit_points = align.locator('[id*="roikit-pt-0-1-"].hl')
    # the handout shows bin (0, 0) in full: bin (0, 1) lights its figure outline and points
    assert step.count() == 0 or "hl" in step.get_attribute("class")
    assert lit_svg.count() == 1, lit_svg.count()
    assert lit_points.count() == 4, lit_points.count()
    page.screenshot(path=folder + "/handout.png", full_page=True)
    page.mouse.move(0, 0)
    assert align.locator('.hl').count() == 0
    # the RoI Pool map table lights the cells of a bin
    pool = page.locator("section.trace").nth(0)
    pool.locator('td[data-out="0-0"]').hover()
    assert pool.locator('td[data-bins~="0-0"].hl').count() == 9  # rows 2..4 x columns 2..4
    assert outside == [], outside
    assert errors == [], errors
    browser.close()
print("OK")
"""


def test_the_page_is_the_same_on_every_run() -> None:
    # matplotlib's SVG ids are random unless salted: a page must not change between runs.
    assert render(demo_traces("en"), "html") == render(demo_traces("en"), "html")
