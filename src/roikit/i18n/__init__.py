"""roikit's words: one gettext catalogue per language, and one rule for writing numbers.

Every sentence, title, label and message that roikit shows a person is looked
up here by a key: the walkthroughs, the figures, the worksheets and the
checker, the convention tables, the command line's errors and the explorer.
The English text is the source catalogue ``roikit.pot`` (``msgctxt`` is the
key, ``msgid`` the English); each other language is a ``<lang>.po`` beside it
whose ``msgstr`` are the translations, so a translator edits a .po file with
any gettext tool and never reads Python. :mod:`.numbers` holds the spelling of
numbers (decimals, the minus sign, ``=`` against ``≈``).

Adding a language is a new catalogue and one line: copy ``roikit.pot`` to
``<lang>.po``, translate every ``msgstr``, and add ``"<lang>": "<its name>"``
to :data:`LANGUAGE_NAMES`. Every surface (the walkthroughs, ``--lang`` of
the command line, the explorer's language menu) reads the languages from
there when it runs.

This package imports nothing of roikit: every layer above may use it.

Examples
--------
>>> text("en", "output.title"), text("ko", "output.title")
('Output', '출력')
>>> text("en", "pool.binsize.line", axis="width", size=5, bins=2, eq="=", b="2.5")
'bin width = 5 / 2 = 2.5 cells'
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import polib

__all__ = ["LANGS", "LANGUAGE_NAMES", "SEARCH_PATH", "catalogue", "has", "langs", "text"]

#: The languages roikit speaks, each with its name in itself (for menus); English first (the source).
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "ko": "한국어"}
#: Folders searched for ``<lang>.po`` before the package's own (a test adds a pseudo-locale here).
SEARCH_PATH: list[Path] = []

_SOURCE = "roikit.pot"


def langs() -> tuple[str, ...]:
    """The codes of the languages roikit speaks, read from :data:`LANGUAGE_NAMES` now."""
    return tuple(LANGUAGE_NAMES)


def __getattr__(name: str) -> object:
    # LANGS (the codes, as a tuple) follows LANGUAGE_NAMES, so registering a language is one line.
    if name == "LANGS":
        return langs()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _read(name: str) -> str:
    for folder in SEARCH_PATH:
        if (folder / name).is_file():
            return (folder / name).read_text(encoding="utf-8")
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """Every key of ``lang``'s catalogue and its text; untranslated or fuzzy entries are left out.

    English is the source catalogue itself. A key missing from another
    language falls back to English in :func:`text` (a test keeps every
    catalogue complete).
    """
    if lang == "en":
        return {e.msgctxt: e.msgid for e in polib.pofile(_read(_SOURCE))}
    return {
        e.msgctxt: e.msgstr
        for e in polib.pofile(_read(f"{lang}.po"))
        if e.msgstr and not e.obsolete and "fuzzy" not in e.flags
    }


def has(key: str) -> bool:
    """Whether ``key`` is in the source catalogue."""
    return key in catalogue("en")


def text(lang: str, key: str, /, **values: object) -> str:
    """The text of ``key`` in ``lang`` (English where it has none), filled with ``values``."""
    words = catalogue(lang) if lang in LANGUAGE_NAMES else {}
    return (words.get(key) or catalogue("en")[key]).format(**values)
