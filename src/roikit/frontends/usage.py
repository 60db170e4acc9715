"""The command line's usage errors (a bad option, a missing value) in the reader's language.

Typer (through its vendored click) reports these in English; this module
reads what the error says, the option and its limit or choices, and writes
it again from the catalogue (``cli.usage.*``). A message of a shape it does
not know keeps Typer's English detail under the translated lead.
"""

from __future__ import annotations

import re
from typing import Any

from ..i18n import text

__all__ = ["usage_message"]

_LIMIT = re.compile(r"Input should be (less|greater) than or equal to (\S+)")
_CHOICE = re.compile(r"(?:Value error, )?('.*?') is not one of (.*?)\.?$")
_POSSIBLE = re.compile(r"\(Possible options: ([^)]*)\)")


def _option(exc: Any) -> str:
    """The option an error is about, by its longest name (``--format``, not ``-f``)."""
    names = getattr(getattr(exc, "param", None), "opts", None) or []
    return max(names, key=len) if names else "?"


def usage_message(exc: Any, lang: str) -> str:
    """``exc`` (a click usage error) as one line in ``lang``.

    Examples
    --------
    >>> class BadParameter(Exception):  # what Typer raises for ``--level 9``
    ...     message = "Input should be less than or equal to 3"
    ...     param = type("Param", (), {"opts": ["--level"]})()
    >>> usage_message(BadParameter(), "en")
    "Invalid value for '--level': it must be at most 3."
    >>> usage_message(BadParameter(), "ko")
    "'--level' 값이 잘못되었습니다: 3 이하여야 합니다."
    """
    kind = type(exc).__name__
    detail = str(getattr(exc, "message", "") or "")
    full = " ".join(exc.format_message().split()) if hasattr(exc, "format_message") else detail
    if kind == "MissingParameter":
        return text(lang, "cli.usage.missing", option=_option(exc))
    if kind == "NoSuchOption":
        option = getattr(exc, "option_name", None) or detail.rsplit(" ", 1)[-1]
        possible = _POSSIBLE.search(full)
        hint = text(lang, "cli.usage.possible", options=possible[1]) if possible else ""
        return text(lang, "cli.usage.no_option", option=option) + hint
    if kind == "BadParameter":
        option = _option(exc)
        if found := _LIMIT.search(detail):
            key = "cli.usage.at_most" if found[1] == "less" else "cli.usage.at_least"
            return text(lang, key, option=option, limit=found[2])
        if "valid integer" in detail:
            return text(lang, "cli.usage.integer", option=option)
        if "valid number" in detail:
            return text(lang, "cli.usage.number", option=option)
        if found := _CHOICE.search(detail):
            return text(lang, "cli.usage.choice", option=option, value=found[1], choices=found[2])
        return text(lang, "cli.usage.invalid", option=option, detail=detail)
    if found := re.match(r"Option '(.*)' requires an argument", detail):
        return text(lang, "cli.usage.needs_value", option=found[1])
    if found := re.match(r"Got unexpected extra arguments? \((.*)\)", detail):
        return text(lang, "cli.usage.extra", args=found[1])
    if found := re.match(r"No such command '(.*)'", detail):
        return text(lang, "cli.usage.no_command", command=found[1])
    return full
