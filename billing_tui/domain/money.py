"""Money is integer cents end to end; this module parses what people type and formats at the edge."""

from __future__ import annotations

import re

_AMOUNT = re.compile(
    r"^(?P<sign>[-+]?)\$?(?P<whole>\d{1,3}(?:,\d{3})+|\d*)(?:\.(?P<frac>\d{0,2}))?$"
)


class MoneyError(ValueError):
    """An amount a person typed that cannot be read as an exact number of cents."""


def parse_cents(text: str) -> int:
    """Read "1,234.5", "$12", "-3.10", "(4.00)" as integer cents; refuse "12.345" and "1.2.3"."""
    raw = text.strip().replace(" ", "")
    negative = False
    if raw.startswith("(") and raw.endswith(")"):
        negative, raw = True, raw[1:-1]
    if raw.startswith("-$"):
        raw = "-" + raw[2:]
    match = _AMOUNT.match(raw)
    # "(-4.00)" has two signs: which one the person meant is a guess, so refuse it.
    if (
        not match
        or not (match.group("whole") or match.group("frac"))
        or (negative and match["sign"])
    ):
        raise MoneyError(f"not an amount: {text.strip()[:20]!r} (use 1,234.56)")
    whole = int(match.group("whole").replace(",", "") or "0")
    frac = (match.group("frac") or "").ljust(2, "0")
    cents = whole * 100 + int(frac)
    if match.group("sign") == "-":
        negative = True
    return -cents if negative else cents


def format_cents(cents: int, *, symbol: str = "", grouping: bool = True) -> str:
    """12345 -> "123.45"; -500 -> "-5.00"; grouping adds thousands commas."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    whole_text = f"{whole:,}" if grouping else str(whole)
    return f"{sign}{symbol}{whole_text}.{frac:02d}"


def split_half_up(cents: int, percent_basis_points: int) -> int:
    """cents x rate, rounded half up once, at the cent: 10001 x 20.00% -> 2000."""
    product = cents * percent_basis_points
    quotient, remainder = divmod(abs(product), 10_000)
    if remainder * 2 >= 10_000:
        quotient += 1
    return quotient if product >= 0 else -quotient
