"""What a person may type into a patient or coverage record, and the value kept for it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing_tui.domain import validate
from billing_tui.domain.validate import FieldError

TODAY = dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    ("text", "dob"),
    [
        ("01/02/1960", dt.date(1960, 1, 2)),
        ("010260", dt.date(1960, 1, 2)),
        ("1/2/60", dt.date(1960, 1, 2)),
        ("112425", dt.date(2025, 11, 24)),  # two digits: the past, never 2125
        ("11/24/26", dt.date(2026, 11, 24)),  # born today
        ("1900-01-01", dt.date(1900, 1, 1)),
        ("02/29/2000", dt.date(2000, 2, 29)),
    ],
)
def test_a_date_of_birth_reads_as_typed(text, dob):
    assert validate.date_of_birth(text, TODAY) == dob


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "required"),
        ("11/25/2026", "future"),
        ("12/31/1899", "1900 or later"),
        ("02/30/1990", "no such date"),
        ("02/29/2001", "no such date"),
        ("13/01/1990", "no such date"),
        ("1/2", "not a date"),
        ("yesterday", "not a date"),
    ],
)
def test_a_date_of_birth_that_is_not_real_or_possible_is_refused(text, message):
    with pytest.raises(FieldError, match=message):
        validate.date_of_birth(text, TODAY)


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("62701", "62701"),
        ("62701-1234", "627011234"),
        ("627011234", "627011234"),
        (" 10001 ", "10001"),
    ],
)
def test_a_zip_code_is_5_or_9_digits_with_or_without_the_dash(text, digits):
    assert validate.zip_code(text) == digits


@pytest.mark.parametrize(
    "text",
    [
        "",
        "6270",
        "627012",
        "62701-123",
        "62701--1234",
        "6270a",
        "62701 1234",
        "00000",
        "６２７０１",
    ],
)
def test_other_zip_codes_are_refused(text):
    with pytest.raises(FieldError):
        validate.zip_code(text)


@pytest.mark.parametrize(
    "text",
    [
        "(217) 555-0100",
        "217-555-0100",
        "217.555.0100",
        "2175550100",
        "+1 217 555 0100",
        "1-217-555-0100",
    ],
)
def test_a_phone_number_is_ten_digits_punctuated_any_way(text):
    assert validate.phone(text) == "2175550100"


@pytest.mark.parametrize(
    "text",
    [
        "555-0100",
        "217555010",
        "21755501000",
        "217-555-010x",
        "017 555 0100",
        "217 155 0100",
        "2-1-7",
    ],
)
def test_other_phone_numbers_are_refused(text):
    with pytest.raises(FieldError):
        validate.phone(text)


def test_a_phone_number_may_be_left_blank_unless_required():
    assert validate.phone("  ") == ""
    with pytest.raises(FieldError, match="required"):
        validate.phone("", required=True)


@pytest.mark.parametrize(
    "text", ["jane.doe@example.com", "j+bills@mail.example.org", "O'Neil@example.co", "a@b.io"]
)
def test_sane_email_addresses_pass(text):
    assert validate.email(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "jane",
        "jane@",
        "@example.com",
        "jane@example",
        "jane doe@example.com",
        "jane@@example.com",
        "jane@example..com",
        ".jane@example.com",
        "jane.@example.com",
        "jane@-example.com",
        "jane@example.c0m",
        "x" * 75 + "@example.com",
    ],
)
def test_other_email_addresses_are_refused(text):
    with pytest.raises(FieldError):
        validate.email(text)


def test_states_are_the_two_letter_codes():
    assert validate.state(" il ") == "IL"
    assert validate.state("PR") == "PR"
    assert validate.state("DC") == "DC"
    for bad in ("", "ZZ", "Illinois", "I"):
        with pytest.raises(FieldError):
            validate.state(bad)


@pytest.mark.parametrize("text", ["1EG4-TE5-MK73", "1eg4te5mk73", "9AA0AA0AA00", "1EG4TE5MK73"])
def test_a_medicare_member_id_is_an_mbi(text):
    assert validate.member_id(text, "medicare") == text.upper().replace("-", "")


@pytest.mark.parametrize(
    "text",
    [
        "123456789A",  # an old HICN: retired since 2020
        "0EG4TE5MK73",  # starts with 0
        "1SG4TE5MK73",  # S reads as 5
        "1EG4TE5MK7",  # 10 characters
        "1EG4TE5MK733",
        "1EGATE5MK73",  # a letter where a digit goes
        "1EG4TE5MKZ3",
    ],
)
def test_other_medicare_ids_are_refused(text):
    with pytest.raises(FieldError, match="MBI"):
        validate.member_id(text, "medicare")


def test_other_payers_take_letters_and_digits_2_to_80():
    assert validate.member_id(" XYZ123456789 ", "commercial") == "XYZ123456789"
    assert validate.member_id("1EG4-TE5-MK73".replace("-", ""), "commercial") == "1EG4TE5MK73"
    for bad in ("", "A", "XYZ 123", "XYZ-123", "x" * 81, "ÅBC123"):
        with pytest.raises(FieldError):
            validate.member_id(bad, "commercial")


@pytest.mark.parametrize(
    "text", ["O'Brien", "Smith-Jones", "St. John", "de la Cruz", "José", "Nguyễn", "Mary Ann"]
)
def test_names_take_letters_spaces_apostrophes_hyphens_and_periods(text):
    assert validate.last_name(text) == text


def test_names_are_squeezed_and_limited_to_what_the_837_carries():
    assert validate.first_name("  Mary   Ann ") == "Mary Ann"
    assert validate.first_name("A" * 35) == "A" * 35
    with pytest.raises(FieldError, match="35"):
        validate.first_name("A" * 36)
    assert validate.last_name("B" * 60) == "B" * 60
    with pytest.raises(FieldError, match="60"):
        validate.last_name("B" * 61)
    assert validate.middle_name("") == ""
    with pytest.raises(FieldError, match="required"):
        validate.last_name("   ")


@pytest.mark.parametrize(
    "text", ["Smith2", "R2-D2", "-Smith", "'Brien", "Smith*", "Smith~", "Smith_J"]
)
def test_names_with_other_characters_are_refused(text):
    with pytest.raises(FieldError):
        validate.last_name(text)


def test_a_name_check_is_fast_even_on_a_pathological_name():
    """One mark per step: a long run of marks must not backtrack exponentially."""
    with pytest.raises(FieldError):
        validate.person_name("a" + ".-" * 25 + "!", "name", 60)


@pytest.mark.parametrize(("text", "code"), [("F", "F"), ("m", "M"), ("u", "U"), ("Female", "F")])
def test_sex_is_f_m_or_u(text, code):
    assert validate.sex(text) == code


@pytest.mark.parametrize("text", ["", "X", "fem", "FM"])
def test_other_sexes_are_refused(text):
    with pytest.raises(FieldError):
        validate.sex(text)


@pytest.mark.parametrize(
    ("text", "points"),
    [
        ("20", 2000),
        ("20%", 2000),
        ("12.5", 1250),
        ("0", 0),
        ("", 0),
        ("100", 10_000),
        (" 7.25 % ", 725),
    ],
)
def test_a_percent_reads_as_basis_points(text, points):
    assert validate.percent(text) == points


@pytest.mark.parametrize("text", ["101", "-5", "abc", "12.345", "20%%", "1e2"])
def test_other_percents_are_refused(text):
    with pytest.raises(FieldError):
        validate.percent(text)


@given(st.integers(min_value=0, max_value=10_000))
def test_a_percent_shown_reads_back_the_same(points):
    assert validate.percent(validate.format_percent(points)) == points


def test_amounts_read_as_cents_never_negative():
    assert validate.amount("1,234.56", "deductible") == 123_456
    assert validate.amount("$25", "copay") == 2_500
    assert validate.amount("", "copay") == 0
    with pytest.raises(FieldError, match="negative"):
        validate.amount("-5", "copay")
    with pytest.raises(FieldError, match="not an amount"):
        validate.amount("12.345", "copay")


def test_a_relationship_is_an_x12_code_or_its_word():
    assert [validate.relationship(t) for t in ("self", "Spouse", "19", "g8")] == [
        "18",
        "01",
        "19",
        "G8",
    ]
    with pytest.raises(FieldError):
        validate.relationship("cousin")


def test_a_coverage_cannot_end_before_it_starts():
    validate.coverage_dates(dt.date(2026, 1, 1), dt.date(2026, 1, 1))
    validate.coverage_dates(dt.date(2026, 1, 1), None)
    with pytest.raises(FieldError, match="end before it starts"):
        validate.coverage_dates(dt.date(2026, 1, 2), dt.date(2026, 1, 1))


def test_addresses_refuse_x12_delimiters():
    assert validate.address_line(" 1  Elm St ") == "1 Elm St"
    for bad in ("1 Elm St*", "1~Elm", "Apt: 2", "x" * 56):
        with pytest.raises(FieldError):
            validate.address_line(bad)


@given(st.text(max_size=40))
def test_no_reader_raises_anything_but_field_error(text):
    """Whatever is typed, a reader answers with a value or a message: never a traceback."""
    readers = [
        lambda t: validate.date_of_birth(t, TODAY),
        validate.zip_code,
        validate.phone,
        validate.email,
        validate.state,
        lambda t: validate.member_id(t, "medicare"),
        validate.member_id,
        validate.last_name,
        validate.sex,
        validate.percent,
        lambda t: validate.amount(t, "copay"),
        validate.group_number,
        validate.address_line,
    ]
    for read in readers:
        try:
            read(text)
        except FieldError as error:
            assert str(error) and not re.search(r"Traceback|Error\(", str(error))
