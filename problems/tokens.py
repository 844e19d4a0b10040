"""Lines and numbers of instance files, read strictly.

Every reader splits its text with :func:`numbered_lines` and converts tokens with
:func:`to_integer`, :func:`to_float` or :func:`to_decimal`, so that all formats agree on what
a line and a number are:

* Lines end at ``\\n``, ``\\r\\n`` or ``\\r`` only. (``str.splitlines`` also breaks at ``\\v``,
  ``\\f``, ``\\x1c``-``\\x1e``, ``\\x85``, ``\\u2028`` and ``\\u2029``, which would put every later
  error on the wrong line.)
* Numbers are ASCII decimal: an optional sign, digits ``0-9``, for floats and decimals an
  optional point and exponent. ``1_000``, ``²``, ``١٢``, ``inf``, ``nan`` and ``0x10`` are not
  numbers. A number is refused before it is converted when it would be huge (more than
  :data:`MAX_DIGITS` significant digits, or an exponent beyond :data:`MAX_EXPONENT`), so a
  million-digit token costs nothing.

The converters raise :class:`ValueError` with a short reason (``'x' is not an integer``,
``'1e400' is out of range``); readers wrap it with the file and line.
"""

from __future__ import annotations

import re
from decimal import Decimal

LINE_BREAK = re.compile(r"\r\n|\r|\n")
INTEGER = re.compile(r"[+-]?[0-9]+")
NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
MAX_DIGITS = 30
"""Most significant digits a number may have (int64 needs 19, a double about 17)."""
MAX_EXPONENT = 300
"""Largest decimal exponent of a float or decimal token, after normalisation (doubles end near 308)."""


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` (a leading byte-order mark dropped), broken at ``\\n``, ``\\r\\n``, ``\\r`` only."""
    return LINE_BREAK.split(text.removeprefix("\ufeff"))


def numbered_lines(text: str, comment: str | None = "#") -> list[tuple[int, str]]:
    """Non-blank lines, stripped, with their 1-based line numbers; lines starting with ``comment``
    are skipped (``None`` keeps them)."""
    lines = []
    for number, raw in enumerate(split_lines(text), start=1):
        stripped = raw.strip()
        if stripped and not (comment and stripped.startswith(comment)):
            lines.append((number, stripped))
    return lines


def is_integer(token: str) -> bool:
    """True for an ASCII decimal integer token such as ``12``, ``-3``, ``+007``."""
    return INTEGER.fullmatch(token) is not None


def is_number(token: str) -> bool:
    """True for an ASCII decimal number token such as ``12``, ``-0.5``, ``1e3``, ``.25``."""
    return NUMBER.fullmatch(token) is not None


def _significant_digits(mantissa: str) -> int:
    digits = mantissa.lstrip("+-").replace(".", "").lstrip("0")
    return len(digits)


def to_integer(token: str) -> int:
    """``token`` as an ``int``.

    Raises:
        ValueError: not an ASCII integer, or more than :data:`MAX_DIGITS` significant digits.
    """
    if not is_integer(token):
        raise ValueError(f"{_shown(token)} is not an integer")
    if _significant_digits(token) > MAX_DIGITS:
        raise ValueError(f"{_shown(token)} is out of range")
    sign = "-" if token.startswith("-") else ""
    return int(sign + (token.lstrip("+-").lstrip("0") or "0"))  # leading zeros count towards int()'s digit limit


def _exponent_in_range(token: str) -> bool:
    """True when the number's magnitude lies within ``10**±MAX_EXPONENT`` (or it is zero)."""
    mantissa, _, exponent = token.lower().partition("e")
    digits = mantissa.lstrip("+-")
    whole, _, fraction = digits.partition(".")
    if _significant_digits(mantissa) > MAX_DIGITS + 10:
        return False
    if not (whole + fraction).strip("0"):
        return True  # zero, whatever its exponent
    if whole.lstrip("0"):
        magnitude = len(whole.lstrip("0")) - 1
    else:
        magnitude = -(len(fraction) - len(fraction.lstrip("0")) + 1)
    if exponent and len(exponent.lstrip("+-").lstrip("0")) > 6:
        return False
    return abs(magnitude + (int(exponent) if exponent else 0)) <= MAX_EXPONENT


def to_float(token: str) -> float:
    """``token`` as a finite ``float``.

    Raises:
        ValueError: not an ASCII decimal number, or its magnitude beyond ``1e300`` (or a
            non-zero value below ``1e-300``).
    """
    if not is_number(token):
        raise ValueError(f"{_shown(token)} is not a number")
    if not _exponent_in_range(token):
        raise ValueError(f"{_shown(token)} is out of range")
    return float(token)


def to_decimal(token: str) -> Decimal:
    """``token`` as an exact finite :class:`~decimal.Decimal` (for data scaled to integers).

    Raises:
        ValueError: not an ASCII decimal number, or its magnitude beyond ``1e300``.
    """
    if not is_number(token):
        raise ValueError(f"{_shown(token)} is not a number")
    if not _exponent_in_range(token):
        raise ValueError(f"{_shown(token)} is out of range")
    value = Decimal(token)
    return value if value else Decimal(0)  # 0e999999 is plain zero


def _shown(token: str) -> str:
    """``repr`` of a token, shortened to 40 characters for messages."""
    return repr(token if len(token) <= 40 else token[:37] + "...")
