"""What a search typed in the queue means, and how names are folded for searching."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing_tui.domain.search import (
    MAX_KEY,
    AccountSearch,
    ClaimSearch,
    DobSearch,
    NameSearch,
    code_key,
    parse_search,
    prefix_upper_bound,
    search_key,
)

TODAY = dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Nuñez", "nunez"),
        ("O'Brien", "obrien"),
        ("SMITH-JONES", "smithjones"),
        ("Ångström", "angstrom"),
        ("Zoë", "zoe"),
        ("de la Cruz", "delacruz"),
        ("Straße", "strasse"),
        ("Ｓｍｉｔｈ", "smith"),  # full-width letters from an IME
        ("  ", ""),
        ("%_\\'\"", ""),
    ],
)
def test_search_key_folds_accents_case_and_punctuation(text, key):
    assert search_key(text) == key


@given(st.text(max_size=50))
def test_search_key_is_idempotent_and_clean(text):
    key = search_key(text)
    assert search_key(key) == key
    assert all(ch.isalnum() for ch in key)
    assert key == key.casefold()


@pytest.mark.parametrize(
    ("text", "criteria"),
    [
        ("smith", (NameSearch("smith"),)),
        ("  Smith ", (NameSearch("smith"),)),
        ("Smith, Jo", (NameSearch("smith", "jo"),)),
        ("smith,jo", (NameSearch("smith", "jo"),)),
        ("smith,", (NameSearch("smith"),)),
        ("O'Brien, Mary Ann", (NameSearch("obrien", "maryann"),)),
        ("o'b", (NameSearch("ob"),)),
        ("Nuñez", (NameSearch("nunez"),)),
        ("de la cruz", (NameSearch("delacruz"), NameSearch("de", "lacruz"))),
        ("mary ann", (NameSearch("maryann"), NameSearch("mary", "ann"))),
        ("01/02/1960", (DobSearch(dt.date(1960, 1, 2)),)),
        ("1/2/60", (DobSearch(dt.date(1960, 1, 2)),)),
        ("1960-01-02", (DobSearch(dt.date(1960, 1, 2)),)),
        (
            "010260",
            (DobSearch(dt.date(1960, 1, 2)), AccountSearch("010260"), ClaimSearch("010260")),
        ),
        ("10000042", (AccountSearch("10000042"), ClaimSearch("10000042"))),
        ("1000", (AccountSearch("1000"), ClaimSearch("1000"))),
        ("10000001-2", (ClaimSearch("10000001-2"),)),
        ("10000001-", (ClaimSearch("10000001-"),)),
        ("c123", (ClaimSearch("C123"),)),
    ],
)
def test_parse_search(text, criteria):
    assert parse_search(text, today=TODAY) == criteria


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "%",
        "_",
        "%%",
        "\\",
        "'",
        '"',
        "''; DROP TABLE patient; --",  # becomes a harmless name prefix, checked below
        ",",
        ", jo",
        "12/34/56",  # looks like a date, is none
        "²²²²²²",
        "a" * (MAX_KEY + 1),
        "x" * 10_000,
        "1" * 10_000,
    ],
)
def test_junk_and_pastes_give_no_crash_and_sane_criteria(text):
    criteria = parse_search(text, today=TODAY)
    for criterion in criteria:
        match criterion:
            case NameSearch(last, first):
                assert last and last.isalnum() and len(last) <= MAX_KEY
                assert first == "" or (first.isalnum() and len(first) <= MAX_KEY)
            case AccountSearch(prefix) | ClaimSearch(prefix):
                assert prefix and len(prefix) <= MAX_KEY
                assert all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in prefix)
            case DobSearch(dob):
                assert dob <= TODAY


@pytest.mark.parametrize(
    ("text", "criteria"),
    [
        ("%", ()),
        ("_", ()),
        ("\\", ()),
        ('"', ()),
        ("x" * 10_000, ()),
        (
            "''; DROP TABLE patient; --",
            (NameSearch("droptablepatient"), NameSearch("drop", "tablepatient")),
        ),
        ("x%y", (NameSearch("xy"),)),
        ("李", (NameSearch("李"),)),
    ],
)
def test_junk_reads_as_nothing_or_as_plain_letters(text, criteria):
    assert parse_search(text, today=TODAY) == criteria


@given(st.text(max_size=300))
def test_parse_search_never_crashes(text):
    criteria = parse_search(text, today=TODAY)
    assert isinstance(criteria, tuple)
    assert len(criteria) <= 3


def test_code_key():
    assert code_key(" 10000001-2 ") == "10000001-2"
    assert code_key("c12%3_") == "C123"
    assert code_key("１２") == ""  # full-width digits never reach SQL as codes


@given(st.text(min_size=1, max_size=20), st.text(max_size=20))
def test_prefix_upper_bound_bounds_exactly_the_prefixed_strings(prefix, rest):
    upper = prefix_upper_bound(prefix)
    assert prefix <= prefix + rest < upper
