"""Dates as people type them (112426, 11/24/26, 2026-11-24) and as the screens show them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

# ASCII digits only: str.isdigit() and \d also accept "²" and other scripts' digits.
_SLASHED = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$", re.ASCII)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", re.ASCII)


class DateError(ValueError):
    """Text that is not a date we can read without guessing."""


def _century(two_digit: int, today: dt.date, prefer: str, month: int, day: int) -> int:
    """Pick the century for a two-digit year: the past for birth dates, else the nearest."""
    candidates = [today.year // 100 * 100 + two_digit + delta for delta in (-100, 0, 100)]
    if prefer == "past":
        past = [
            y
            for y in candidates
            if _safe_date(y, month, day) and _safe_date(y, month, day) <= today
        ]
        return max(past) if past else candidates[0]
    return min(candidates, key=lambda y: abs(y - today.year))


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(
    text: str,
    *,
    today: dt.date | None = None,
    prefer: Literal["past", "nearest"] = "nearest",
) -> dt.date:
    """Read MMDDYY, MMDDYYYY, M/D/YY, MM/DD/YYYY or YYYY-MM-DD.

    Two-digit years go to the nearest century, or to the past one when
    prefer="past" (dates of birth).
    """
    today = today or dt.date.today()
    raw = text.strip()
    if match := _ISO.match(raw):
        year, month, day = (int(g) for g in match.groups())
    elif match := _SLASHED.match(raw):
        month, day, year_text = int(match[1]), int(match[2]), match[3]
        year = (
            int(year_text)
            if len(year_text) == 4
            else _century(int(year_text), today, prefer, month, day)
        )
    elif raw.isascii() and raw.isdigit() and len(raw) in (6, 8):
        month, day = int(raw[:2]), int(raw[2:4])
        year = int(raw[4:]) if len(raw) == 8 else _century(int(raw[4:]), today, prefer, month, day)
    else:
        raise DateError(f"not a date: {raw[:20]!r} (type 112426, 11/24/26 or 2026-11-24)")
    date = _safe_date(year, month, day)
    if date is None:
        raise DateError(f"no such date: {raw[:20]!r}")
    return date


def format_date(value: dt.date | None, *, short: bool = False) -> str:
    """11/24/2026, or 11/24/26 when short; '' for no date."""
    if value is None:
        return ""
    return value.strftime("%m/%d/%y" if short else "%m/%d/%Y")


def days_between(earlier: dt.date, later: dt.date) -> int:
    return (later - earlier).days


def local_date(stamp: dt.datetime) -> dt.date:
    """The local date of a stamp taken in UTC (a person counts days in local dates)."""
    return stamp.replace(tzinfo=dt.UTC).astimezone().date()
