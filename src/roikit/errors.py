"""The errors roikit raises for bad input.

Every error is a :class:`RoIError` (a :class:`ValueError`), so callers can catch
one class. Wrong types and dtypes are also :class:`TypeError`, as numpy does
for dtype problems. Messages name the argument, the offending row where there
is one, the value, and the rule it broke.
"""

from __future__ import annotations

__all__ = ["BoxError", "DTypeError", "InputError", "ParameterError", "RoIError"]


class RoIError(ValueError):
    """Base class of every input error raised by roikit."""


class InputError(RoIError):
    """The feature map (``input``) or ``grad_output`` has the wrong shape."""


class BoxError(RoIError):
    """A box, or its batch index, breaks a rule (shape, finiteness, range)."""


class ParameterError(RoIError):
    """``output_size``, ``spatial_scale``, ``sampling_ratio`` or ``mode`` is invalid."""


class DTypeError(RoIError, TypeError):
    """An argument has a type or dtype the op does not accept."""
