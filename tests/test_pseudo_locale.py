"""A third language is one catalogue and one line; no surface shows words outside the catalogue.

A pseudo-locale ``xx`` is made from ``roikit.pot``: every message wrapped in
``⟦…⟧`` and every letter accented (``Output`` -> ``⟦Óúţþúţ⟧``), code kept as a
translator keeps it (``aligned=True``, ``roikit compare``, ``--bins``). It is
registered the documented way, a ``xx.po`` beside the others and one entry in
``LANGUAGE_NAMES``, and then the demo, a walkthrough of each op, the backward
walkthroughs, the conventions, the worksheets and answer keys, the checker's
verdicts, the figures' texts, the explorer's words and the command line's
messages are rendered in it. Any plain ASCII word left in them did not come
from the catalogue, unless it is an identifier (:data:`IDENTIFIERS`, code,
the conventions' names and their libraries' calls, the answer-file keys).

Korean is held to the same rule, except for the English words its own
translations keep on purpose (``이중 선형 보간(bilinear interpolation)``).
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import polib
import pytest
from typer.testing import CliRunner

import roikit
from roikit import i18n
from roikit.frontends.cli import app
from roikit.frontends.demo import demo_traces
from roikit.frontends.explore.api import page_words
from roikit.ops.conventions import CONVENTIONS
from roikit.practice.check import ANSWER_KEYS, check_answers, key_of
from roikit.practice.exercise import answer_key, make_exercise, worksheet
from roikit.render import render

figures = pytest.importorskip("roikit.render.figures", reason="the figures extra draws the figures' texts")
from matplotlib.text import Text  # noqa: E402  (after the figures extra is known to be there)

_PLAIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ACCENTED = "áƀçđéƒĝĥíĵķĺɱñóþʠŕšţúṽŵẋýžÁƁÇĐÉƑĜĤÍĴĶĹṀÑÓÞɊŔŠŢÚṼŴẊÝŽ"
_ACCENT = str.maketrans(_PLAIN, _ACCENTED)

#: Code inside messages, which translators keep as it is: calls, keyword arguments, options,
#: dotted or snake_case names and quoted or bare roikit command lines.
CODE = re.compile(
    r"[A-Za-z_][\w.]*\([^()]*\)"  # roi_align(...)
    r"|[A-Za-z_]\w*=\S*"  # aligned=True, mode='max'
    r"|--[\w-]+"  # --bins
    r"|\b[A-Za-z]+(?:[_.][A-Za-z0-9]+)+\b"  # spatial_scale, torchvision.ops
    r"|'roikit[^']*'"  # 'roikit explain align'
    r"|\broikit(?: [a-z]+)*(?: --[\w-]+(?: [\w.,-]+)?)*"  # roikit check pool --level 1 --answer FILE
)
#: Words that are names in every language: the bilinear fractions' symbols and a unit.
IDENTIFIERS = {"ly", "hy", "lx", "hx", "px", "null"}  # null: JSON's, in an answer echoed back


def _pseudo(message: str) -> str:
    """``message`` accented outside its fields and its code, and wrapped."""
    out = []
    for literal, field, spec, conversion in string.Formatter().parse(message):
        last = 0
        for code in CODE.finditer(literal):
            out.append(_escape(literal[last : code.start()].translate(_ACCENT)) + _escape(code.group()))
            last = code.end()
        out.append(_escape(literal[last:].translate(_ACCENT)))
        if field is not None:
            out.append(
                "{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            )
    return "⟦" + "".join(out) + "⟧"


def _escape(literal: str) -> str:
    return literal.replace("{", "{{").replace("}", "}}")


@pytest.fixture
def pseudo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The language ``xx``, added as the i18n package documents: a catalogue and one line."""
    po = polib.POFile()
    for entry in polib.pofile(i18n._read("roikit.pot")):
        # A setting rather than words (the LaTeX package of the script) is kept as it is.
        kept = "not shown to readers" in entry.comment
        po.append(
            polib.POEntry(
                msgctxt=entry.msgctxt, msgid=entry.msgid, msgstr=entry.msgid if kept else _pseudo(entry.msgid)
            )
        )
    po.save(str(tmp_path / "xx.po"))
    monkeypatch.setattr(i18n, "SEARCH_PATH", [tmp_path])
    monkeypatch.setitem(i18n.LANGUAGE_NAMES, "xx", "Ƥšéúđó")
    i18n.catalogue.cache_clear()
    yield "xx"
    i18n.catalogue.cache_clear()


class _Visible(HTMLParser):
    """The text a reader sees in a page: not styles, scripts or the figures' SVG markup."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._hidden += tag in ("style", "script", "svg")
        self.parts += [v for k, v in attrs if k in ("alt", "title", "aria-label", "placeholder") and v]

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in ("style", "script", "svg")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def _html(page: str) -> str:
    parser = _Visible()
    parser.feed(page)
    return "\n".join(parser.parts)


def _latex(doc: str) -> str:
    body = doc[doc.index(r"\begin{document}") :].replace("-{}-", "--").replace(r"\_\allowbreak{}", "_")
    body = re.sub(r"\\begin\{tabular\}\{[^}]*\}|\\\\\[[0-9.]+pt\]|\{[0-9.]+(?:pt|mm)\}", " ", body)
    return re.sub(r"\\[a-zA-Z]+\*?(\{[a-z*]+\})?", " ", body)


def _all_formats(name: str, traces: list[roikit.Trace], out: dict[str, str]) -> None:
    out[name] = render(traces, "text")
    out[f"{name}.md"] = render(traces, "md")
    out[f"{name}.html"] = _html(render(traces, "html"))
    out[f"{name}.latex"] = _latex(render(traces, "latex"))


def _wrong_answers(trace: roikit.Trace) -> list[str]:
    """The checker's verdicts: every step right, then each step wrong in turn."""
    key = key_of(trace)
    lines = check_answers(trace, key).lines() + check_answers(trace, {}).lines()
    for step, value in key.items():
        wrong = [[0]] if isinstance(value, list) else {"0,0": [9, 9, 9, 9]} if isinstance(value, dict) else 99
        lines += check_answers(trace, {**key, step: wrong}).lines()
    return lines


def surfaces(lang: str) -> dict[str, str]:
    """Every surface's visible text in ``lang``, by name."""
    m = np.arange(36.0).reshape(6, 6)
    box = (0.4, 0.6, 4.5, 3.5)
    out: dict[str, str] = {}
    _all_formats("demo", demo_traces(lang), out)
    walks = {
        "pool": roikit.explain_roi_pool(m, box, 2, lang=lang),
        "pool 7x7": roikit.explain_roi_pool(m, box, 7, lang=lang),
        "pool off the map": roikit.explain_roi_pool(m, (-9, -9, -5, -5), 2, lang=lang),
        "align avg aligned": roikit.explain_roi_align(m, box, 2, lang=lang, mode="avg", aligned=True),
        "align max half off": roikit.explain_roi_align(m, (-2, -2, 2.5, 7.5), 2, sampling_ratio=3, lang=lang),
        "align 7x7": roikit.explain_roi_align(m, box, 7, lang=lang),
        "pool backward": roikit.explain_roi_pool_backward(m, box, 2, lang=lang),
        "align backward": roikit.explain_roi_align_backward(m, (-1, 0.6, 4.5, 3.5), 2, lang=lang),
        "conventions": roikit.compare_conventions(m, box, 2, lang=lang),
    }
    for name, trace in walks.items():
        _all_formats(name, [trace], out)
    for op in ("pool", "align"):
        for level in (1, 2, 3):
            ex = make_exercise(op, level, 3)
            _all_formats(f"sheet {op} {level}", [worksheet(ex, lang)], out)
            out[f"key {op} {level}"] = render([answer_key(ex, lang)], "text")
            out[f"check {op} {level}"] = "\n".join(_wrong_answers(ex.trace(lang)))
    pool, align = walks["pool"], roikit.explain_roi_align(m, box, 2, lang=lang)
    off = roikit.explain_roi_align(m, (-9, -9, -5, -5), 2, lang=lang)
    drawn = {
        "align figure": figures.align_figure(align),
        "align figure 7x7": figures.align_figure(walks["align 7x7"]),
        "bilinear figure": figures.bilinear_figure(align),
        "bilinear figure off the map": figures.bilinear_figure(off),
        "pool figure": figures.pool_figure(pool),
        "summary figure": figures.summary_figure(pool, align),
        "backward figure pool": figures.backward_figure(walks["pool backward"]),
        "backward figure align": figures.backward_figure(walks["align backward"]),
    }
    for name, d in drawn.items():
        out[name] = "\n".join(t.get_text() for t in d.figure.findobj(Text))
    words = page_words()
    out["explorer"] = " ".join(words["ui"][lang].values()) + " " + words["languages"][lang]
    runner = CliRunner()
    for args in (
        ["demo"],
        ["explain", "pool", "--map", "1 2; 3 4", "--box", "1,2"],
        ["explain", "align", "--map", "1 2; 3 4", "--box", "0,0,1,1", "--bin", "5,5"],
        ["practice", "align", "--level", "9"],
        ["check", "pool", "--answer", "[1]"],
    ):
        result = runner.invoke(app, [*args, "--lang", lang])
        out["cli " + " ".join(args[:2])] = result.stdout + result.stderr
    return {name: text.replace("\\_", "_") for name, text in out.items()}  # Markdown/LaTeX's \_


def _names() -> list[str]:
    """The conventions' names and their libraries' calls: names in every language."""
    return sorted({*CONVENTIONS, *(c.library for c in CONVENTIONS.values())}, key=len, reverse=True)


def leftovers(texts: dict[str, str], allowed: set[str]) -> dict[str, list[str]]:
    """Each plain ASCII word not allowed, with the surfaces it is on."""
    found: dict[str, list[str]] = {}
    keys = {k for steps in ANSWER_KEYS.values() for k in steps}
    for surface, text in texts.items():
        for name in _names():
            text = text.replace(name, " ")
        for word in re.findall(r"[A-Za-z]{2,}", CODE.sub(" ", text)):
            if word not in allowed | IDENTIFIERS | keys:
                found.setdefault(word, []).append(surface)
    return {w: sorted(set(s))[:3] for w, s in found.items()}


def test_a_pseudo_locale_leaves_no_english_on_any_surface(pseudo: str) -> None:
    texts = surfaces(pseudo)
    assert all(texts.values()) and "⟦" in texts["demo"] and "⟦" in texts["cli explain pool"]
    assert leftovers(texts, set()) == {}


def test_korean_leaves_no_english_beyond_its_own_translations() -> None:
    po = polib.pofile(i18n._read("ko.po"))
    kept = {w for e in po for w in re.findall(r"[A-Za-z]{2,}", re.sub(r"\{[^}]*\}", " ", e.msgstr))}
    assert leftovers(surfaces("ko"), kept) == {}


def test_the_check_itself_finds_english(pseudo: str) -> None:
    # A word that skipped the catalogue is found, and code and names are not.
    texts = {"x": "⟦Óúţþúţ⟧ window aligned=True roikit compare torchvision.ops.roi_align(aligned=True) ly"}
    assert leftovers(texts, set()) == {"window": ["x"]}


def test_the_new_language_is_a_choice_everywhere(pseudo: str) -> None:
    assert "xx" in i18n.LANGS and i18n.text("xx", "output.title") == "⟦Óúţþúţ⟧"
    assert page_words()["languages"]["xx"] == "Ƥšéúđó"
    result = CliRunner().invoke(
        app, ["explain", "pool", "--map", "1 2; 3 4", "--box", "0,0,1,1", "--lang", "xx"]
    )
    assert result.exit_code == 0 and "⟦" in result.stdout
    doc = json.loads(
        CliRunner()
        .invoke(
            app, ["explain", "pool", "--map", "1 2; 3 4", "--box", "0,0,1,1", "-f", "json", "--lang", "xx"]
        )
        .stdout
    )
    assert doc["lang"] == "xx" and doc["steps"][0]["title"].startswith("⟦")
    # The LaTeX package of a catalogue is a setting, copied, not translated: none for xx.
    assert r"\usepackage{kotex}" not in render(
        [roikit.explain_roi_pool(np.eye(2), (0, 0, 1, 1), 1, lang="xx")], "latex"
    )
