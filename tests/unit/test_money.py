"""Money as people type it, as the screens show it, and rounded once, half up."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing_tui.domain.money import MoneyError, format_cents, parse_cents, split_half_up


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1,234.5", 123_450),
        ("$12", 1_200),
        ("-3.10", -310),
        ("(4.00)", -400),
        ("($4.00)", -400),
        ("-$5", -500),
        ("+7", 700),
        ("0", 0),
        ("0.01", 1),
        (".5", 50),
        ("5.", 500),
        ("  12.34  ", 1_234),
        ("1 234.00", 123_400),
        ("1,234,567.89", 123_456_789),
        ("1234567.89", 123_456_789),
    ],
)
def test_parse_cents_reads_what_people_type(text, cents):
    assert parse_cents(text) == cents


@pytest.mark.parametrize(
    "text",
    [
        "12.345",  # a fraction of a cent
        "1.2.3",
        "",
        "   ",
        "abc",
        "1,23",  # a comma that is not a thousands separator
        "12,34",
        "1,2345",
        "$",
        "-",
        ".",
        "()",
        "--5",
        "$-5",
        "1e3",
        "12abc",
        "(4.00",
        "(-4.00)",  # a sign inside accounting parentheses: which one was meant?
    ],
)
def test_parse_cents_refuses_ambiguous_text(text):
    with pytest.raises(MoneyError, match="not an amount"):
        parse_cents(text)


def test_parse_cents_error_message_is_short_even_for_a_long_paste():
    with pytest.raises(MoneyError) as caught:
        parse_cents("9" * 10_000 + "x")
    assert len(str(caught.value)) < 80
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("cents", "kwargs", "text"),
    [
        (0, {}, "0.00"),
        (1, {}, "0.01"),
        (12_345, {}, "123.45"),
        (-500, {}, "-5.00"),
        (-1, {}, "-0.01"),
        (123_456_789, {}, "1,234,567.89"),
        (123_456_789, {"grouping": False}, "1234567.89"),
        (-123_456, {"symbol": "$"}, "-$1,234.56"),
        (100, {"symbol": "$"}, "$1.00"),
    ],
)
def test_format_cents(cents, kwargs, text):
    assert format_cents(cents, **kwargs) == text


@given(st.integers(min_value=-(10**13), max_value=10**13))
def test_format_then_parse_gives_the_same_cents(cents):
    assert parse_cents(format_cents(cents)) == cents
    assert parse_cents(format_cents(cents, symbol="$", grouping=False)) == cents


@pytest.mark.parametrize(
    ("cents", "basis_points", "expected"),
    [
        (10_001, 2_000, 2_000),  # 2000.2 -> 2000
        (10_000, 2_000, 2_000),
        (250, 5_000, 125),
        (1, 5_000, 1),  # 0.5 rounds up
        (3, 5_000, 2),  # 1.5 rounds up
        (5, 1_000, 1),  # 0.5 rounds up
        (4, 1_000, 0),  # 0.4 rounds down
        (-1, 5_000, -1),  # half up in magnitude: -0.5 -> -1
        (-3, 5_000, -2),
        (12_345, 0, 0),
        (12_345, 10_000, 12_345),
        (99_999, 3_333, 33_330),  # 33329.6667 -> 33330
    ],
)
def test_split_half_up(cents, basis_points, expected):
    assert split_half_up(cents, basis_points) == expected


@given(st.integers(-(10**12), 10**12), st.integers(0, 10_000))
def test_split_half_up_is_within_half_a_cent(cents, basis_points):
    exact = cents * basis_points / 10_000
    result = split_half_up(cents, basis_points)
    assert abs(result * 10_000 - cents * basis_points) <= 5_000
    assert split_half_up(-cents, basis_points) == -result  # symmetric about zero
    assert abs(result - exact) <= 0.5 + 1e-6 * max(1, abs(exact))
