"""A student's check of every written equation: the written numbers, redone with exact fractions.

:func:`equations` finds each ``left = right`` and ``left ≈ right`` in a line
(chains ``a = b = c`` give one pair per sign) where both sides are arithmetic
on written numbers: decimals with ``−`` or ``-``, ``×``, ``·``, ``/``, ``+``,
parentheses, ``⌊⌋`` and ``⌈⌉``. A side holding a letter (``hy·hx``, ``x1 ×
spatial_scale``) or a comma (a cell ``(2, 2)``, a list) is a name, not
arithmetic, and its pair is left out. :func:`false_equations` redoes each pair
with :class:`fractions.Fraction`: ``=`` must hold exactly; ``≈`` must give the
right side to the decimals it shows.

:func:`lines_of` turns a rendered document (text, Markdown, LaTeX, HTML, JSON)
back into the lines a reader sees, so every format can be checked.
"""

from __future__ import annotations

import json
import math
import re
from fractions import Fraction
from html.parser import HTMLParser

_ARITH = set("0123456789.+−-×·/()⌊⌋⌈⌉ \u00a0")
_RELATION = re.compile(r"(?<=\s)([=≈])(?=\s)")
_TOKEN = re.compile(r"\s*(\d+(?:\.\d+)?|[+−\-×·/()⌊⌋⌈⌉])")


class _Parser:
    """Recursive descent over + − (lowest), × · /, unary signs, then numbers, ( ), ⌊ ⌋, ⌈ ⌉."""

    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.i = 0

    def parse(self) -> Fraction:
        value = self.sum()
        if self.i != len(self.tokens):
            raise ValueError("trailing tokens")
        return value

    def peek(self) -> str | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise ValueError("unexpected end")
        self.i += 1
        return token

    def sum(self) -> Fraction:
        value = self.product()
        while self.peek() in ("+", "−", "-"):
            op = self.take()
            right = self.product()
            value = value + right if op == "+" else value - right
        return value

    def product(self) -> Fraction:
        value = self.unary()
        while self.peek() in ("×", "·", "/"):
            op = self.take()
            right = self.unary()
            value = value / right if op == "/" else value * right
        return value

    def unary(self) -> Fraction:
        if self.peek() in ("−", "-", "+"):
            sign = -1 if self.take() != "+" else 1
            return sign * self.unary()
        return self.atom()

    def atom(self) -> Fraction:
        token = self.take()
        for opening, closing, fn in (("(", ")", None), ("⌊", "⌋", math.floor), ("⌈", "⌉", math.ceil)):
            if token == opening:
                value = self.sum()
                if self.take() != closing:
                    raise ValueError("unbalanced")
                return Fraction(fn(value)) if fn else value
        if token[0].isdigit():
            return Fraction(token)
        raise ValueError(f"unexpected {token!r}")


def _tokens(text: str) -> list[str]:
    out, pos, text = [], 0, text.replace("\u00a0", " ")
    while pos < len(text.rstrip()):
        found = _TOKEN.match(text, pos)
        if not found:
            raise ValueError("not arithmetic")
        out.append(found.group(1))
        pos = found.end()
    return out


def evaluate(text: str) -> Fraction | None:
    """The exact value of ``text`` as written, or None when it is not arithmetic on numbers."""
    if not any(ch.isdigit() for ch in text) or any(ch not in _ARITH for ch in text):
        return None
    try:
        return _Parser(text).parse()
    except (ValueError, ZeroDivisionError):
        return None


def _longest(text: str, from_right: bool) -> str | None:
    """The longest arithmetic part of ``text`` that touches its right (or left) end."""
    cut = len(text)
    if from_right:
        while cut > 0 and text[cut - 1] in _ARITH:
            cut -= 1
        run = text[cut:]
        candidates = (run[i:] for i in range(len(run)))
    else:
        end = 0
        while end < len(text) and text[end] in _ARITH:
            end += 1
        run = text[:end]
        candidates = (run[:j] for j in range(len(run), 0, -1))
    for part in candidates:
        if part.strip() and evaluate(part) is not None:
            # A side must start (or end) at a word boundary: not "2" taken from "x2" or "(2, 2)".
            return part
    return None


def equations(line: str) -> list[tuple[str, str, str]]:
    """Every ``(left, relation, right)`` of ``line`` whose two sides are arithmetic."""
    parts = _RELATION.split(line)
    segments, relations = parts[0::2], parts[1::2]
    out = []
    for k, relation in enumerate(relations):
        before, after = segments[k], segments[k + 1]
        left, right = _longest(before, True), _longest(after, False)
        if left is None or right is None:
            continue
        # The text around each side, with the side's own spaces counted as outside it.
        head = before[: len(before) - len(left.lstrip())]
        tail = after[len(right.rstrip()) :]
        # The side must be the whole operand: not the "2" of "(2, 2)" or of "x2", nor a list.
        if head.rstrip().endswith(".") or (head and (head[-1].isalnum() or head[-1] == "_")):
            continue
        # "x × s − 0.5 = …": a sign after a name is the name's operator, not a negative number.
        if (
            left.lstrip()[0] in "+−-"
            and head.rstrip()
            and (head.rstrip()[-1].isalnum() or head.rstrip()[-1] == "_")
        ):
            continue
        # A side cut out of a longer formula with names in it ("g / 4 = …") is not the whole side.
        if head.rstrip().endswith(tuple("×·/+−-(⌊⌈")) or tail.lstrip().startswith(tuple("×·/+−-)⌋⌉")):
            continue
        if tail.lstrip().startswith((",", ")")) and "(" not in right:
            continue
        if head.rstrip().endswith("(") and not left.strip().startswith("("):
            continue
        out.append((left.strip(), relation, right.strip()))
    return out


def decimals(text: str) -> int:
    """Decimals written in the last number of ``text``."""
    numbers = re.findall(r"\d+(?:\.(\d+))?", text)
    return len(numbers[-1]) if numbers else 0


def false_equations(lines: list[str]) -> list[str]:
    """Each written equation that its own numbers do not satisfy, with what they give."""
    bad = []
    for line in lines:
        for left, relation, right in equations(line):
            lv, rv = evaluate(left), evaluate(right)
            assert lv is not None and rv is not None
            if relation == "=" and lv != rv:
                bad.append(f"{line!r}: {left} = {float(lv)!r}, not {right}")
            if relation == "≈":
                unit = Fraction(1, 10 ** decimals(right))
                if abs(lv - rv) > unit / 2:
                    bad.append(f"{line!r}: {left} ≈ {float(lv)!r}, which is not {right} to its decimals")
    return bad


# ----------------------------------------------------------------------------- formats


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.current: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hidden += tag in ("style", "script", "svg")
        if tag in ("li", "p", "tr", "h1", "h2", "h3", "br", "caption", "div"):
            self.flush()

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("style", "script", "svg")
        if tag in ("li", "p", "td", "th", "tr", "h1", "h2", "h3", "caption", "div"):
            self.flush() if tag not in ("td", "th") else self.current.append(" | ")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.current.append(data)

    def flush(self) -> None:
        text = "".join(self.current).strip()
        if text:
            self.lines.append(" ".join(text.split()))
        self.current = []


_LATEX = {
    r"$\times$": "×",
    r"$-$": "−",
    r"$\lfloor$": "⌊",
    r"$\rfloor$": "⌋",
    r"$\lceil$": "⌈",
    r"$\rceil$": "⌉",
    r"$\cdot$": "·",
    r"$\approx$": "≈",
    r"$\rightarrow$": "→",
    r"$\leftarrow$": "←",
    r"$\leq$": "≤",
    r"$\geq$": "≥",
    r"\ldots{}": "…",
    r"\_": "_",
    r"\{": "{",
    r"\}": "}",
    r"\%": "%",
    r"\&": "&",
    r"\#": "#",
}


def _latex_line(line: str) -> str:
    for command, symbol in _LATEX.items():
        line = line.replace(command, symbol)
    line = re.sub(r"\$([lhxy])_\{?\\?(?:mathrm\{)?([a-z0-9]+)\}?\}?\$", r"\1\2", line)
    line = re.sub(r"\\(?:item|textbf|textit|section\*|subsection\*)\s?", "", line)
    return line.replace("{", "").replace("}", "").replace("\\\\", "")


def lines_of(fmt: str, document: str) -> list[str]:
    """The lines a reader sees in ``document`` (a rendering in ``fmt``)."""
    if fmt == "json":
        docs = json.loads(document)
        docs = docs if isinstance(docs, list) else [docs]
        return [line for d in docs for s in d["steps"] for line in (s["title"], *s["lines"])]
    if fmt == "html":
        parser = _Text()
        parser.feed(document)
        parser.flush()
        return parser.lines
    if fmt == "latex":
        return [_latex_line(line) for line in document.splitlines()]
    if fmt == "md":
        return [
            line.replace("\\_", "_").replace("\\*", "*").replace("\\|", "|") for line in document.splitlines()
        ]
    return document.splitlines()
