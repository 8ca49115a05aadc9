"""Dates as billing specialists type them; two-digit years and impossible dates."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing_tui.domain.dates import DateError, days_between, format_date, parse_date

TODAY = dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    "text",
    [
        "112426",
        "11/24/26",
        "2026-11-24",
        "11242026",
        "11/24/2026",
        "11-24-26",
        "11.24.26",
        " 112426 ",
    ],
)
def test_the_same_day_typed_every_way(text):
    assert parse_date(text, today=TODAY) == dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    ("text", "prefer", "expected"),
    [
        ("1/2/60", "past", dt.date(1960, 1, 2)),  # a date of birth
        ("1/2/60", "nearest", dt.date(2060, 1, 2)),
        ("010260", "past", dt.date(1960, 1, 2)),
        ("11/24/26", "past", dt.date(2026, 11, 24)),  # today is not the future
        ("11/25/26", "past", dt.date(1926, 11, 25)),  # tomorrow is, for a birth date
        ("11/25/26", "nearest", dt.date(2026, 11, 25)),
        ("1/2/27", "past", dt.date(1927, 1, 2)),
        ("1/2/27", "nearest", dt.date(2027, 1, 2)),
        ("12/31/99", "nearest", dt.date(1999, 12, 31)),  # 27 years back, not 73 ahead
        ("12/31/75", "nearest", dt.date(2075, 12, 31)),
        ("12/31/76", "nearest", dt.date(1976, 12, 31)),  # 50 years either way: the past
        ("1/1/77", "nearest", dt.date(1977, 1, 1)),
        ("022924", "nearest", dt.date(2024, 2, 29)),
        ("1/2/1960", "nearest", dt.date(1960, 1, 2)),  # four digits: no guessing
    ],
)
def test_two_digit_years(text, prefer, expected):
    assert parse_date(text, today=TODAY, prefer=prefer) == expected


@pytest.mark.parametrize(
    "text",
    [
        "02/30/2026",
        "2/29/2026",
        "2026-02-29",
        "13/01/2026",
        "00/10/2026",
        "000000",
        "12/34/56",
        "123456",  # 12/34/56
    ],
)
def test_impossible_dates_are_refused(text):
    with pytest.raises(DateError, match="no such date"):
        parse_date(text, today=TODAY)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "1124",
        "1124262",
        "112426789",
        "11/24",
        "2026/11",
        "11//24/26",
        "1-2-3-4",
        "²²²²²²",
        "١١٢٤٢٦",
    ],
)
def test_text_that_is_not_a_date_is_refused(text):
    with pytest.raises(DateError, match="not a date"):
        parse_date(text, today=TODAY)


def test_error_message_is_short_for_a_long_paste():
    with pytest.raises(DateError) as caught:
        parse_date("1" * 10_000, today=TODAY)
    assert len(str(caught.value)) < 100


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_formatted_dates_read_back(date):
    assert parse_date(format_date(date), today=TODAY) == date
    assert parse_date(date.isoformat(), today=TODAY) == date
    short = parse_date(format_date(date, short=True), today=TODAY, prefer="past")
    assert short.month == date.month and short.day == date.day
    assert short.year % 100 == date.year % 100
    assert short <= TODAY


def test_format_date():
    assert format_date(dt.date(2026, 1, 2)) == "01/02/2026"
    assert format_date(dt.date(2026, 1, 2), short=True) == "01/02/26"
    assert format_date(None) == ""


def test_days_between():
    assert days_between(dt.date(2026, 1, 1), dt.date(2026, 3, 1)) == 59
    assert days_between(TODAY, TODAY) == 0
