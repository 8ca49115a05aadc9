"""X12 framing: clean data elements, amounts, fixed-width ISA, counts and control numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from x12_rules import segments, violations

from billing_tui.x12.envelope import (
    Envelope,
    Segments,
    Transaction,
    amount,
    clean,
    interchange,
    segment,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Núñez", "NUNEZ"),
        ("Søndergaard", "SONDERGAARD"),
        ("Tomás Echeverría", "TOMAS ECHEVERRIA"),
        ("Zoë O’Brien", "ZOE O'BRIEN"),
        ("Straße", "STRASSE"),
        ("a*b:c^d~e", "A B C D E"),  # separators never survive into data
        ("  12  Elm   St #4 ", "12 ELM ST 4"),
        ("Łódź", "LODZ"),
        (None, ""),
        ("北京", ""),
    ],
)
def test_clean(raw, expected):
    assert clean(raw) == expected


def test_clean_cuts_to_the_element_length_without_a_trailing_space():
    assert clean("Larkspur Valley Medical", 9) == "LARKSPUR"


@given(st.text())
def test_clean_never_lets_a_separator_or_non_ascii_through(text):
    cleaned = clean(text)
    assert cleaned.isascii()
    assert not set(cleaned) & set("*:^~\n\r")
    assert cleaned == cleaned.upper() == cleaned.strip()


@pytest.mark.parametrize(
    ("cents", "text"),
    [(12345, "123.45"), (12000, "120"), (1250, "12.5"), (5, "0.05"), (0, "0"), (-500, "-5")],
)
def test_amount(cents, text):
    assert amount(cents) == text


def test_segment_drops_trailing_empties_and_joins_composites():
    assert segment("SV1", (("HC", "99213", "", ""), "150", "", "")) == "SV1*HC:99213*150"
    assert segment("OI", ("", "", "Y", "P", "", "Y")) == "OI***Y*P**Y"


def envelope(number: int = 123) -> Envelope:
    return Envelope(
        sender_id="SENDER",
        receiver_id="RECEIVER",
        control_number=number,
        functional_code="HC",
        version="005010X222A1",
        created=dt.datetime(2026, 11, 24, 9, 5),
    )


def body(n: int) -> Segments:
    made = Segments()
    for i in range(n):
        made.add("NTE", "ADD", f"NOTE {i}")
    return made


def test_interchange_counts_and_numbers():
    text = interchange(envelope(), [Transaction("837", body(3)), Transaction("837", body(1))])
    segs = segments(text)
    assert len(text.split("~")[0]) + 1 == 106
    assert segs[0][13] == "000000123" and segs[0][15] == "T"
    sts = [s for s in segs if s[0] in ("ST", "SE")]
    assert sts == [
        ["ST", "837", "0001", "005010X222A1"],
        ["SE", "5", "0001"],
        ["ST", "837", "0002", "005010X222A1"],
        ["SE", "3", "0002"],
    ]
    assert segs[-2:] == [["GE", "2", "123"], ["IEA", "1", "000000123"]]
    assert not [v for v in violations(text) if "HI" not in v and "CLM" not in v]


@pytest.mark.parametrize("number", [0, 1_000_000_000])
def test_control_numbers_must_fit_isa13(number):
    with pytest.raises(ValueError, match="ISA13"):
        interchange(envelope(number), [Transaction("837", body(1))])


def test_an_interchange_needs_a_transaction():
    with pytest.raises(ValueError, match="at least one"):
        interchange(envelope(), [])
