"""Maps written as text: inline rows on the command line, and CSV or whitespace files.

One reader for both, with the dialects people really write:

* inline rows: ``"1 2 3; 4 5 6"`` (rows split by ``;`` or new lines, values by
  spaces or commas);
* files: one row per line, values split by commas, spaces or tabs; or the
  spreadsheet dialect of many European locales, values split by ``;`` with
  decimal commas (``1,5;2,5``);
* a UTF-8 byte order mark (spreadsheets' "CSV UTF-8") is dropped, and the true
  minus sign that roikit itself prints (U+2212) reads as a minus.

Anything else is refused with one line that says where and why, never read as
something else: digits other than ASCII 0-9 (full-width, Arabic-Indic),
``1_000``, empty values (``1,,2``), and decimal commas between spaces (``1,5 2,5``
could be two numbers or four). The text is checked character by character and
parsed by numpy's C reader, so a large file costs seconds, not minutes.
"""

from __future__ import annotations

import io
import re

import numpy as np

from ..errors import RoIError

__all__ = ["TextMapError", "count_values", "parse_text_map"]

#: What a number may be written with (after the minus sign is normalized).
_NUMBER = re.compile(
    r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?(?:nan|inf|infinity)",
    re.IGNORECASE | re.ASCII,
)
#: Every character a map's text may hold: digits, signs, points, exponents, separators, nan/inf.
_ALLOWED = frozenset("0123456789.+-eE,; \t\r\nnNaAiIfFtTyY")
_TRANSLATE = {0x2212: "-", 0x00A0: " ", 0xFEFF: None}  # true minus, no-break space, byte order mark
_EMPTY = re.compile(r"(^|\n)[ \t]*[,;]|[,;][ \t]*(\n|$)|[,;][ \t]*[,;]")
_DECIMAL_COMMA = re.compile(r"[0-9],[0-9]")
_SPACED = re.compile(r"[0-9.][ \t]+[-+.0-9]")  # two values split by white space alone


class TextMapError(RoIError):
    """A text map cannot be read; ``key`` and ``values`` name the message (``cli.map.*``)."""

    def __init__(self, key: str, /, **values: object) -> None:
        self.key, self.values = key, values
        super().__init__(f"{key}: {values}")


def _rows_and_separator(text: str, inline: bool) -> tuple[list[str], str]:
    """The rows of ``text`` and the dialect: ``"semicolon"`` (``;`` between values) or ``"plain"``."""
    lines = [line for line in text.split("\n") if line.strip()]
    if ";" in text and not inline:
        # A field that is one number means ";" separates values (CSV); "1 2; 3 4" is rows.
        fields = [f.strip() for f in lines[0].split(";")] if lines else []
        if all(f and len(f.split()) == 1 and f.count(",") <= 1 for f in fields):
            return lines, "semicolon"
    if ";" in text or inline:
        rows = [r for line in lines for r in line.split(";") if r.strip()]
        return rows, "plain"
    return lines, "plain"


def _first_bad(rows: list[str], dialect: str) -> tuple[int, int, str]:
    """Row, value and text of the first value that is not a number (the slow path, for the message)."""
    for i, row in enumerate(rows):
        values = row.split(";") if dialect == "semicolon" else row.replace(",", " ").split()
        for j, v in enumerate(values):
            v = v.strip()
            if dialect == "semicolon":
                v = v.replace(",", ".")
            if not _NUMBER.fullmatch(v):
                return i, j, v
    return 0, 0, ""


_SEPARATOR_BYTES = np.zeros(256, dtype=bool)
_SEPARATOR_BYTES[list(b" \t\r\n,;")] = True


def count_values(data: bytes | str) -> int:
    r"""How many values ``data`` holds: runs of bytes between separators, counted in C.

    A file is counted on its raw bytes before it is decoded or parsed, so a
    huge line is refused at the cost of one scan.

    Examples
    --------
    >>> count_values("1 2, 3;4\n\n5")
    5
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if not raw:
        return 0
    sep = _SEPARATOR_BYTES[np.frombuffer(raw, dtype=np.uint8)]
    return int(np.count_nonzero(~sep[1:] & sep[:-1]) + (not sep[0]))


def parse_text_map(text: str, *, inline: bool, max_cells: int) -> np.ndarray:
    r"""The 2-D map written in ``text`` (at most ``max_cells`` values), or :class:`TextMapError`.

    ``inline`` text (the command line's ``--map "1 2; 3 4"``) splits rows at
    ``;`` too; a file's rows are its lines.

    Examples
    --------
    >>> parse_text_map("1 2; 3 4", inline=True, max_cells=16)
    array([[1., 2.],
           [3., 4.]])
    >>> parse_text_map("1,5;2,5\n3,5;4,5\n", inline=False, max_cells=16)
    array([[1.5, 2.5],
           [3.5, 4.5]])
    >>> parse_text_map("1 \N{MINUS SIGN}2", inline=True, max_cells=16)
    array([[ 1., -2.]])
    """
    text = text.translate(_TRANSLATE).replace("\r\n", "\n").replace("\r", "\n")
    if count_values(text) > max_cells:
        raise TextMapError("map.too_many", limit=max_cells)
    odd = set(text) - _ALLOWED
    rows, dialect = _rows_and_separator(text, inline)
    if not rows:
        raise TextMapError("map.empty")
    if odd:
        i, j, bad = _first_bad(rows, dialect)
        raise TextMapError("map.token", i=i, j=j, bad=bad, chars=" ".join(sorted(odd))[:20])
    if _EMPTY.search("\n".join(rows)):
        i = next(k for k, r in enumerate(rows) if _EMPTY.search(r))
        raise TextMapError("map.empty_value", i=i)
    if dialect == "semicolon":
        body = "\n".join(r.replace(",", ".").replace(";", " ") for r in rows)
    else:
        if any(_DECIMAL_COMMA.search(r) and _SPACED.search(r) for r in rows):
            raise TextMapError("map.decimal_comma")
        body = "\n".join(r.replace(",", " ") for r in rows)
    try:
        arr = np.loadtxt(io.StringIO(body), dtype=np.float64, comments=None, ndmin=2)
    except ValueError:
        widths = sorted(
            {len(r.split(";") if dialect == "semicolon" else r.replace(",", " ").split()) for r in rows}
        )
        if len(widths) > 1:
            raise TextMapError("map.ragged", widths=widths) from None
        i, j, bad = _first_bad(rows, dialect)
        raise TextMapError("map.token", i=i, j=j, bad=bad, chars="") from None
    if arr.size > max_cells:
        raise TextMapError("map.too_many", limit=max_cells)
    return arr
