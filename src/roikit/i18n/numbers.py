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
