"""The catalogues: every language has every key, with the same fields, translated from the current English."""

from __future__ import annotations

import string

import polib
import pytest

from roikit import i18n


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}


def _source() -> polib.POFile:
    return polib.pofile(i18n._read("roikit.pot"))


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGS if lang != "en"])
def test_every_catalogue_translates_every_key_of_the_current_english(lang: str) -> None:
    source = {e.msgctxt: e.msgid for e in _source()}
    po = polib.pofile(i18n._read(f"{lang}.po"))
    entries = {e.msgctxt: e for e in po if not e.obsolete}
    assert entries.keys() == source.keys()
    for key, entry in entries.items():
        # The msgid is the English the translation was made from: a stale one means the English changed.
        assert entry.msgid == source[key], f"{lang}.po {key}: translated from older English"
        assert entry.msgstr and "fuzzy" not in entry.flags, f"{lang}.po {key}: not translated"
        assert _fields(entry.msgstr) == _fields(entry.msgid), f"{lang}.po {key}: fields differ"


def test_the_source_catalogue_has_one_entry_per_key() -> None:
    keys = [e.msgctxt for e in _source()]
    assert len(keys) == len(set(keys)) and all(keys)


def test_text_falls_back_to_english_for_a_language_it_does_not_know() -> None:
    assert i18n.text("xx", "output.title") == "Output"
