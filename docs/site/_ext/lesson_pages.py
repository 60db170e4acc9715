"""Write the site's generated pages from roikit itself, before Sphinx reads the sources.

The lesson is not written twice: each page is what ``roikit demo``,
``roikit explain --backward``, ``roikit compare`` and ``roikit practice``
print for the demo's map and box, in each language, with their figures, so
the site cannot drift from the engine. The commands run as a user runs them
(``python -m roikit``), which is also a test of the front end.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

LOG = logging.getLogger(__name__)
LANGS = {"en": "", "ko": "ko/"}

# The demo's lesson splits at its level-2 headings, in this order, into these pages.
LESSON_PAGES = ("pool", "align", "max-avg", "pool-vs-align")


def _roikit(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "roikit", *args], capture_output=True, text=True, check=False, timeout=600
    )
    if done.returncode != 0:
        raise RuntimeError(f"roikit {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def _demo_inputs() -> tuple[str, str, str]:
    from roikit.frontends.demo import DEMO_BOX, DEMO_MAP, DEMO_SCALE

    rows = "; ".join(" ".join(f"{v:g}" for v in row) for row in DEMO_MAP)
    return rows, ",".join(f"{v:g}" for v in DEMO_BOX), f"{DEMO_SCALE:g}"


def _as_page(section: str) -> str:
    # A section of the lesson ("## ...", "### ...") becomes a page ("# ...", "## ...").
    return re.sub(r"^#(#+) ", r"\1 ", section, flags=re.MULTILINE)


def _lesson(out: Path, lang: str) -> None:
    _roikit("demo", "--format", "md", "--lang", lang, "-o", str(out / "lesson.md"))
    text = (out / "lesson.md").read_text(encoding="utf-8")
    sections = re.split(r"^(?=## )", text, flags=re.MULTILINE)[1:]
    if len(sections) != len(LESSON_PAGES):
        raise RuntimeError(
            f"the demo's lesson has {len(sections)} parts, the site expects {len(LESSON_PAGES)}"
        )
    for name, section in zip(LESSON_PAGES, sections, strict=True):
        (out / f"{name}.md").write_text(_as_page(section), encoding="utf-8")
    (out / "lesson.md").unlink()


def _backward(out: Path, lang: str) -> None:
    rows, box, scale = _demo_inputs()
    _roikit(
        "explain", "align", "--map", rows, "--box", box, "--spatial-scale", scale, "--backward",
        "--format", "md", "--lang", lang, "-o", str(out / "backward.md"),
    )  # fmt: skip
    page = out / "backward.md"
    page.write_text(_as_page(page.read_text(encoding="utf-8")), encoding="utf-8")


def _compare(out: Path, lang: str) -> None:
    rows, box, scale = _demo_inputs()
    text = _roikit(
        "compare", "--map", rows, "--box", box, "--spatial-scale", scale, "--format", "md", "--lang", lang
    )
    # The Conventions page gives the section its own heading; the tables keep theirs.
    body = text.split("\n", 1)[1] if text.startswith("## ") else text
    (out / "compare.md").write_text(body, encoding="utf-8")


def _practice(static: Path, lang: str) -> None:
    # The printable sheet and its key, linked from the Practice page (html_extra_path).
    for op in ("pool", "align"):
        stem = static / f"practice-{op}-{lang}"
        sheet = ("practice", op, "--level", "2", "--lang", lang, "--format", "html")
        _roikit(*sheet, "--handout", "-o", f"{stem}.html")
        _roikit(*sheet, "--key", "-o", f"{stem}-key.html")


def _font(static: Path) -> None:
    # Hangul in every browser, offline: the NanumGothic that the figures extra installs. Its
    # VTT source tables (TSI*, empty in this file) make browsers' font sanitizer refuse the whole
    # font, so they are dropped (fontTools comes with matplotlib); the glyphs are untouched.
    import koreanize_matplotlib
    from fontTools.ttLib import TTFont

    font = TTFont(Path(koreanize_matplotlib.__file__).parent / "fonts" / "NanumGothic.ttf")
    for tag in [t for t in font.keys() if t.startswith("TSI")]:
        del font[tag]
    (static / "fonts").mkdir(parents=True, exist_ok=True)
    font.save(static / "fonts" / "NanumGothic.ttf")


def generate(app: Sphinx, config: Any) -> None:
    """Write every generated page, sheet and font into the source folder (all git-ignored)."""
    src = Path(app.srcdir)
    extra = src / "_generated_extra"
    shutil.rmtree(extra, ignore_errors=True)
    extra.mkdir()
    _font(src / "_static" / "generated")
    for lang, prefix in LANGS.items():
        out = src / prefix / "learn" / "generated"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        LOG.info("roikit: writing the %s lesson pages", lang)
        _lesson(out, lang)
        _backward(out, lang)
        _compare(out, lang)
        _practice(extra, lang)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the generator with Sphinx."""
    # config-inited: before Sphinx checks html_extra_path and looks for the sources.
    app.connect("config-inited", generate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
