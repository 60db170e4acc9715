"""How roikit writes a number: the decimals it shows and the minus sign, in lines and tables alike."""

from __future__ import annotations

import math


def fmt(value: float | int | None, digits: int = 4) -> str:
    """Format a number for a worked example: at most ``digits`` decimals, no trailing zeros.

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
