"""English at the site's root, Korean under ``ko/``: each page's language and its counterpart.

Every page gets ``lang="ko"`` or ``lang="en"`` on its ``<html>`` (screen
readers, fonts, the browser's hyphenation) and a link to the same page in
the other language. A page with no counterpart (the API reference is the
docstrings, in English) links to the nearest index above it.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

KO = "ko/"

#: The theme's own words on Korean pages (pydata-sphinx-theme ships no Korean catalogue, and the
#: site is one English build): its templates call ``_()``, which a page's context may override.
THEME_WORDS_KO = {
    "Search": "검색",
    "System Settings": "시스템 설정",
    "On this page": "이 쪽의 차례",
    "Light": "밝게",
    "Dark": "어둡게",
    "Color mode": "색 모드",
    "previous page": "이전 쪽",
    "next page": "다음 쪽",
    "previous": "이전",
    "next": "다음",
    "Site navigation": "사이트 탐색",
    "Section Navigation": "이 구역",
    "Home": "처음",
    "Breadcrumb": "현재 위치",
    "Skip to main content": "본문으로 건너뛰기",
    "Back to top": "맨 위로",
    "Expand Sidebar": "옆 목록 펼치기",
    "Collapse Sidebar": "옆 목록 접기",
}


def _korean(text: str, **variables: Any) -> str:
    out = THEME_WORDS_KO.get(text, text)
    return out % variables if variables else out


def counterpart(pagename: str, found: set[str]) -> str:
    """The page in the other language, or the nearest index above it, or that language's home."""
    other = pagename[len(KO) :] if pagename.startswith(KO) else KO + pagename
    # sphinx-gallery wants unique script names: the Korean gallery's end in "_ko".
    twin = other.removesuffix("_ko") if pagename.startswith(KO) else other + "_ko"
    parts = other.split("/")
    candidates = [other, twin] + ["/".join(parts[:i] + ["index"]) for i in range(len(parts) - 1, 0, -1)]
    for c in candidates:
        if c in found:
            return c
    return "index" if pagename.startswith(KO) else KO + "index"


def _sections(app: Sphinx, pagename: str) -> list[dict[str, Any]]:
    """The header's links: the top of the page's own language's table of contents."""
    home = KO + "index" if pagename.startswith(KO) else "index"
    links = []
    for doc in app.env.toctree_includes.get(home, []):
        if doc == KO + "index":
            continue
        folder = doc.rsplit("/", 1)[0] + "/" if doc.endswith("/index") else None
        current = pagename == doc or (folder is not None and pagename.startswith(folder))
        links.append({"title": app.env.titles[doc].astext(), "url": None, "doc": doc, "current": current})
    return links


def _context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    korean = pagename.startswith(KO)
    context["language"] = "ko" if korean else "en"
    if korean:
        context["_"] = _korean
    context["language_sections"] = [
        {**link, "url": context["pathto"](link["doc"])} for link in _sections(app, pagename)
    ]
    target = counterpart(pagename, set(app.env.found_docs))
    context["other_language"] = {
        "url": context["pathto"](target),
        "label": "English" if korean else "한국어",
        "lang": "en" if korean else "ko",
        "title": "Read this page in English" if korean else "이 쪽을 한국어로 읽기",
    }


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the page-context hook with Sphinx."""
    app.connect("html-page-context", _context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
