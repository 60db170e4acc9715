"""Walk the built documentation site in chromium and report what a reader would meet, as JSON.

Run by tests/test_docs_site.py in a subprocess (under a timeout): ``python
site_driver.py CHROMIUM SITE_DIR``. It opens every page reachable from the two
home pages from disk, follows every internal link, and reports broken links
and anchors, requests that left the disk, images that did not load, each
page's language and language switch, whether Korean pages drew Hangul in the
shipped font, and what the search page finds.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse


def local(url: str, root: str) -> Path | None:
    """The file a file:// URL inside the site names, or None for anything else."""
    if not url.startswith(root):
        return None
    return Path(unquote(urlparse(url).path))


def main() -> None:
    """Walk the site named on the command line; print the report."""
    from playwright.sync_api import sync_playwright  # here: pytest imports this file without a browser

    chromium, site = sys.argv[1], Path(sys.argv[2]).resolve()
    root = site.as_uri() + "/"

    report: dict = {"pages": {}, "broken": [], "outside": [], "errors": [], "search": {}}

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on(
            "request",
            lambda r: (
                None if r.url.startswith(("file:", "data:", "blob:")) else report["outside"].append(r.url)
            ),
        )
        page.on("pageerror", lambda e: report["errors"].append(f"{page.url}: {e}"))
        page.route("http*://**", lambda route: route.abort())

        queue, seen = [root + "index.html", root + "ko/index.html"], set()
        anchors: dict[str, set[str]] = {}
        wanted: list[tuple[str, str, str]] = []  # (from page, target page, fragment)
        while queue:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            page.goto(url)
            page.evaluate("document.fonts.ready.then(() => 0)")
            page.wait_for_load_state("load")
            info = page.evaluate(
                """() => ({
                    lang: document.documentElement.lang,
                    title: document.title,
                    ids: [...document.querySelectorAll('[id]')].map((e) => e.id),
                    links: [...document.querySelectorAll('a[href]')].map((a) => a.href),
                    switch: [...document.querySelectorAll('a.roikit-language')]
                        .map((a) => [a.href, a.hreflang]),
                    images: [...document.images].map((i) => [i.currentSrc || i.src,
                                                              i.complete && i.naturalWidth > 0]),
                    hangul: /[\\uac00-\\ud7a3]/.test(document.body.innerText),
                    nanum: document.fonts.check('16px NanumGothic', '한'),
                    nanumLoaded: [...document.fonts].some((f) => f.family === 'NanumGothic'
                                                               && f.status === 'loaded'),
                    body: getComputedStyle(document.body).fontFamily,
                })"""
            )
            name = url[len(root) :]
            anchors[url] = set(info.pop("ids"))
            links = info.pop("links")
            report["pages"][name] = info
            for link in links:
                target, fragment = urldefrag(link)
                path = local(target, root)
                if path is None:
                    continue
                if not path.exists():
                    report["broken"].append([name, link])
                    continue
                if path.suffix == ".html":
                    queue.append(target)
                    if fragment:
                        wanted.append((name, target, unquote(fragment)))
        for name, target, fragment in wanted:
            if target in anchors and fragment not in anchors[target]:
                report["broken"].append([name, f"{target}#{fragment}"])

        for query in ("bilinear", "이중 선형 보간"):
            page.goto(root + "search.html?q=" + query)
            page.wait_for_selector("#search-results .search-summary", timeout=30_000)
            report["search"][query] = page.evaluate(
                "[...document.querySelectorAll('#search-results ul.search li a')].map((a) => a.href)"
            )
        browser.close()

    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
