"""Argument checks shared by the whole library, so every function words its errors alike.

The convention: an argument of the wrong *type* raises ``TypeError``, one of the right type
but outside its range raises ``ValueError``; each message names the argument and shows the
value it got. ``bool`` is never accepted as a number (``True`` is an ``int`` to Python, but a
width of ``True`` is a bug).
"""

from __future__ import annotations

import math
import numbers

__all__ = ["check_int", "check_number", "check_positive_int", "check_seed"]

SEED_LIMIT = 2**32
"""Seeds lie in ``[0, 2**32)``: what both NumPy's ``RandomState`` and ``torch.manual_seed``
accept."""


def check_int(
    name: str,
    value: object,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    allow_none: bool = False,
) -> int | None:
    """``value`` as an ``int`` in ``[minimum, maximum]`` (either bound optional).

    Example:
        >>> check_int("width", 3, minimum=1)
        3
        >>> check_int("width", 2.5)
        Traceback (most recent call last):
        ...
        TypeError: width must be an int, got float 2.5
    """
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        kind = "an int or None" if allow_none else "an int"
        raise TypeError(f"{name} must be {kind}, got {type(value).__name__} {value!r}")
    value = int(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be an int {_range(minimum, maximum)}, got {value}")
    return value


def check_positive_int(name: str, value: object, *, allow_none: bool = False) -> int | None:
    """``value`` as an ``int >= 1``.

    Example:
        >>> check_positive_int("epochs", 0)
        Traceback (most recent call last):
        ...
        ValueError: epochs must be an int >= 1, got 0
    """
    return check_int(name, value, minimum=1, allow_none=allow_none)


def check_seed(name: str, value: object, *, allow_none: bool = False) -> int | None:
    """``value`` as a seed, an ``int`` in ``[0, 2**32)``."""
    return check_int(name, value, minimum=0, maximum=SEED_LIMIT - 1, allow_none=allow_none)


def check_number(
    name: str,
    value: object,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    exclusive_minimum: bool = False,
    allow_none: bool = False,
) -> float | None:
    """``value`` as a finite ``float`` in ``[minimum, maximum]`` (``(minimum, maximum]`` with
    ``exclusive_minimum``); NaN and infinities are always rejected.

    Example:
        >>> check_number("lr", 0.01, minimum=0, exclusive_minimum=True)
        0.01
        >>> check_number("lr", float("nan"))
        Traceback (most recent call last):
        ...
        ValueError: lr must be a finite number, got nan
    """
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        kind = "a number or None" if allow_none else "a number"
        raise TypeError(f"{name} must be {kind}, got {type(value).__name__} {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    low_fails = minimum is not None and (value <= minimum if exclusive_minimum else value < minimum)
    if low_fails or (maximum is not None and value > maximum):
        bounds = _range(minimum, maximum, exclusive_minimum)
        raise ValueError(f"{name} must be a number {bounds}, got {value!r}")
    return value


def _range(minimum, maximum, exclusive_minimum: bool = False) -> str:
    low = ">" if exclusive_minimum else ">="
    if minimum is not None and maximum is not None:
        left = "(" if exclusive_minimum else "["
        return f"in {left}{minimum}, {maximum}]"
    if minimum is not None:
        return f"{low} {minimum}"
    return f"<= {maximum}"
