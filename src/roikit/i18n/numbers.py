"""How roikit writes a number, and when it may write "=": one rule for every line, table and figure.

A student redoes each line with a pencil, so the rule is about the *written*
numbers:

1. A number whose value is a short decimal (at most :data:`MAX_EXACT`
   decimals, once the float's last-bit noise is set aside) is written out
   exactly: ``6.203125``, ``0.109375``, ``2.4``. Any other number (``4 / 3``,
   a point at a third of a bin) is *approximate*: :data:`DIGITS` decimals, or
   :data:`OPERAND_DIGITS` for the numbers that go on into further arithmetic
   (coordinates, fractions, weights, shares of a gradient), so that a result
   computed from them is right to its own shown decimals. A number is a
   function of its value and its role alone, so it is written the same way
   wherever it appears.
2. A line says ``=`` only when its written terms, computed exactly
   (:class:`fractions.Fraction`), give its written result. Otherwise it says
   ``≈``, and the written result is what the written terms give, to the
   decimals it shows (:func:`result`): the op's own number wherever the two
   agree, which is almost always.
3. Negative numbers take the true minus sign (U+2212), and a negative
   operand inside a formula is put in parentheses: ``2 − (−3) + 1``.
4. A ratio whose decimal does not end can be written as the fraction itself
   (:func:`ratio`: ``10/7``), so that a floor or a ceiling of it is exact.

:func:`fmt`, :func:`minus` and :func:`operand` write a number with fixed
decimals, for what is not arithmetic (a box coordinate, an axis label).

Examples
--------
>>> num(6.203125).text, num(1 / 3).text, num(-2.5).operand
('6.203125', '0.3333', '(−2.5)')
>>> relation(num(0.3125).value * num(0.35).value, num(0.109375))
'='
>>> relation(Fraction(4, 3), num(4 / 3))
'≈'
"""

from __future__ import annotations

import decimal
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

__all__ = [
    "DIGITS",
    "MAX_EXACT",
    "OPERAND_DIGITS",
    "Written",
    "fmt",
    "given",
    "minus",
    "num",
    "operand",
    "ratio",
    "relation",
    "result",
    "total",
]

#: Decimals of the longest number written out exactly (``0.065390625``, a weight over 4, has 9).
MAX_EXACT = 10


#: Decimals of an approximate result (a value, a sum, an average, a bin size).
DIGITS = 4
#: Decimals of an approximate number that goes on into further arithmetic (a coordinate, a weight).
OPERAND_DIGITS = 6


@dataclass(frozen=True)
class Written:
    """A number as written: its text (true minus), the exact value of that text, and whether it is exact."""

    text: str
    value: Fraction
    exact: bool

    @property
    def operand(self) -> str:
        """The text inside a formula: a negative number in parentheses."""
        return f"({self.text})" if self.text.startswith("−") else self.text

    def __str__(self) -> str:
        return self.text


def _tolerance(v: float, dtype: np.dtype) -> tuple[float, int]:
    """How far a float may sit from the decimal it stands for, and the digits its dtype can hold."""
    if np.dtype(dtype) == np.float32:
        return 2 * float(np.finfo(np.float32).eps) * abs(v), 6
    return 8 * float(np.finfo(np.float64).eps) * abs(v), 15


def _true_minus(text: str) -> str:
    text = "0" if text in ("-0", "") else text
    return "−" + text[1:] if text.startswith("-") else text


def _value(text: str) -> Fraction:
    return Fraction(text.replace("−", "-"))


def num(value: float | int, dtype: np.dtype | type = np.float64, operand: bool = False) -> Written:
    """``value`` written by the rule: exact when it is a short decimal, else rounded.

    ``dtype`` is the precision the value was computed in (a float32 plan's
    numbers carry float32 noise, which is set aside the same way);
    ``operand=True`` gives an approximate number :data:`OPERAND_DIGITS`
    decimals instead of :data:`DIGITS`.

    Examples
    --------
    >>> [num(v).text for v in (2.0, 0.1 + 0.2, 0.21752499999999998, 10 / 7, -0.0)]
    ['2', '0.3', '0.217525', '1.4286', '0']
    >>> num(np.float32(2.8625), np.float32).text, num(1 / 3, operand=True).text
    ('2.8625', '0.333333')
    >>> num(3e30).text, num(-1e30).text
    ('3e+30', '−1e+30')
    """
    return _num(float(value), dtype, operand)


# A walkthrough writes the same few numbers hundreds of times (a bin edge, a weight, a cell's value),
# and a number's text depends on its value, dtype and role alone: written once, kept (Written is frozen).
@functools.lru_cache(maxsize=1 << 16)
def _num(v: float, dtype: np.dtype | type, operand: bool) -> Written:
    if not math.isfinite(v):
        text = "−inf" if v < 0 else str(v)
        return Written(text, Fraction(0), False)
    tol, significant = _tolerance(v, np.dtype(dtype))
    if abs(v) >= 10.0**significant:
        # Beyond the digits the dtype holds, a whole number's last digits are noise: write it
        # in scientific notation (3e+30, not a 31-digit integer a figure cannot hold).
        text = _true_minus(f"{v:.{significant}g}")
        return Written(text, _value(text), abs(float(_value(text)) - v) <= tol)
    for d in range(MAX_EXACT + 1):
        r = round(v, d)
        if abs(v - r) <= tol:
            text = f"{r:.{d}f}"
            if len(text.lstrip("-").replace(".", "").lstrip("0")) <= significant:
                text = _true_minus(text.rstrip("0").rstrip(".") if "." in text else text)
                return Written(text, _value(text), True)
            break
    d = OPERAND_DIGITS if operand else DIGITS
    text = _true_minus(f"{v:.{d}f}".rstrip("0").rstrip("."))
    return Written(text, _value(text), False)


def _places(value: Fraction) -> int | None:
    """Decimals of ``value``'s terminating decimal, or None when it does not terminate."""
    q, twos, fives = value.denominator, 0, 0
    while q % 2 == 0:
        q, twos = q // 2, twos + 1
    while q % 5 == 0:
        q, fives = q // 5, fives + 1
    return max(twos, fives) if q == 1 else None


def ratio(p: int | Fraction, q: int | Fraction) -> Written:
    """The exact ratio ``p / q``: as a decimal when it ends within :data:`MAX_EXACT` places, else ``p/q``.

    Examples
    --------
    >>> ratio(5, 2).text, ratio(10, 7).text, ratio(-6, 4).text
    ('2.5', '10/7', '−1.5')
    """
    value = Fraction(p) / Fraction(q)
    places = _places(value)
    if places is not None and places <= MAX_EXACT:
        with decimal.localcontext() as ctx:
            ctx.prec = 60
            text = f"{decimal.Decimal(value.numerator) / decimal.Decimal(value.denominator):f}"
        text = _true_minus(text.rstrip("0").rstrip(".") if "." in text else text)
        return Written(text, value, True)
    sign = "−" if value < 0 else ""
    return Written(f"{sign}{abs(value.numerator)}/{value.denominator}", value, True)


def _half_unit(text: str) -> Fraction:
    decimals = len(text.split(".")[1]) if "." in text else 0
    return Fraction(1, 2 * 10**decimals)


def relation(terms: Fraction, written: Written) -> str:
    """``=`` when the written terms (their exact value ``terms``) give ``written`` exactly, else ``≈``."""
    return "=" if terms == written.value else "≈"


def result(
    terms: Fraction, value: float | int, dtype: np.dtype | type = np.float64, operand: bool = False
) -> tuple[str, Written]:
    """The sign and the written result of a line whose written terms are worth ``terms``.

    The result is ``value`` written by the rule (the op's number). When the
    written terms do not give it to its last decimal (they were rounded), the
    line writes what the terms give instead: the rule is about what a reader
    can redo.

    Examples
    --------
    >>> sign, r = result(Fraction("0.3125") * Fraction("0.35"), 0.109375)
    >>> sign, r.text
    ('=', '0.109375')
    >>> sign, r = result(Fraction(4, 3), 4 / 3)
    >>> sign, r.text
    ('≈', '1.3333')
    """
    written = num(value, dtype, operand)
    if terms == written.value:
        return "=", written
    if abs(terms - written.value) <= _half_unit(written.text):
        return "≈", written
    d = max(
        OPERAND_DIGITS if operand else DIGITS, len(written.text.split(".")[1]) if "." in written.text else 0
    )
    text = _true_minus(f"{float(terms):.{d}f}".rstrip("0").rstrip("."))
    return "≈", Written(text, _value(text), False)


def total(numbers: Sequence[Written]) -> Fraction:
    """The exact sum of written numbers."""
    return sum((n.value for n in numbers), Fraction(0))


# ----------------------------------------------------------------------------- fixed decimals


def fmt(value: float | int | None, digits: int = 4) -> str:
    """Format a number with at most ``digits`` decimals, no trailing zeros (ASCII minus).

    Examples
    --------
    >>> fmt(3.7), fmt(2.0), fmt(0.1500001), fmt(-0.0), fmt(1 / 3)
    ('3.7', '2', '0.15', '0', '0.3333')
    """
    if value is None:
        return ""
    v = float(value)
    if math.isnan(v) or math.isinf(v):
        return str(v)
    text = f"{v:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def given(value: float | int, digits: int = 4) -> str:
    """A number the user gave (a box coordinate, ``spatial_scale``): :func:`fmt`, never a false 0.

    Examples
    --------
    >>> given(0.25), given(1e-320), given(-3e-9)
    ('0.25', '1e-320', '-3e-09')
    """
    text = fmt(value, digits)
    if text == "0" and value != 0:
        return f"{float(value):.4g}"
    return text


def minus(value: float | int, digits: int = 4) -> str:
    """:func:`fmt` with a true minus sign (U+2212), as the walkthrough writes negatives.

    Examples
    --------
    >>> minus(-3.785), minus(2.0), minus(-0.00001)
    ('−3.785', '2', '0')
    """
    text = fmt(value, digits)
    return "−" + text[1:] if text.startswith("-") else text


def operand(value: float | int, digits: int = 4) -> str:
    """A number written inside a formula: negatives in parentheses with a true minus, ``(−2)``.

    Examples
    --------
    >>> operand(-2.0), operand(1.5)
    ('(−2)', '1.5')
    """
    text = minus(value, digits)
    return f"({text})" if text.startswith("−") else text
