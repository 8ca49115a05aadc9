"""Card entry, PCI-minded: brand and last 4 kept, the number checked and dropped, never echoed."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from billing_tui.domain.cards import (
    CardError,
    CardFacts,
    card_brand,
    check_auth_code,
    luhn_ok,
    read_card,
)

TEST_CARDS = (  # the networks' published test numbers
    ("4111111111111111", "Visa"),
    ("5555555555554444", "Mastercard"),
    ("2223003122003222", "Mastercard"),
    ("378282246310005", "Amex"),
    ("6011111111111117", "Discover"),
)


@pytest.mark.parametrize(("number", "brand"), TEST_CARDS)
def test_a_whole_test_number_gives_its_brand_and_last_4(number, brand):
    assert luhn_ok(number)
    assert card_brand(number) == brand
    assert read_card(number) == CardFacts(brand, number[-4:])


@pytest.mark.parametrize(
    ("prefix", "brand"),
    [
        ("4", "Visa"),
        ("51", "Mastercard"),
        ("55", "Mastercard"),
        ("2221", "Mastercard"),
        ("2720", "Mastercard"),
        ("2721", ""),
        ("2220", ""),
        ("56", ""),
        ("34", "Amex"),
        ("37", "Amex"),
        ("35", ""),  # JCB: not one we name
        ("6011", "Discover"),
        ("644", "Discover"),
        ("649", "Discover"),
        ("65", "Discover"),
        ("6012", ""),
        ("643", ""),
        ("", ""),
        ("abcd", ""),
    ],
)
def test_card_brand_reads_the_iin_prefix(prefix, brand):
    assert card_brand(prefix.ljust(16, "0") if prefix.isdigit() else prefix) == brand


def test_luhn_ok_wants_ascii_digits():
    assert not luhn_ok("4111111111111112")
    assert not luhn_ok("4111 1111 1111 1111")
    assert not luhn_ok("")
    assert not luhn_ok("٤١١١١١١١١١١١١١١١")  # Arabic-Indic digits are digits, not a card


@pytest.mark.parametrize(
    "typed", ["4111 1111 1111 1111", "4111-1111-1111-1111", " 4111 - 1111 1111-1111 "]
)
def test_spaces_and_dashes_are_fine(typed):
    assert read_card(typed) == CardFacts("Visa", "1111")


def test_a_luhn_failure_is_refused_without_echoing_the_number():
    with pytest.raises(CardError, match="fails its check digit") as caught:
        read_card("4111 1111 1111 1112")
    assert "4111" not in str(caught.value)
    assert "1112" not in str(caught.value)


def test_last_4_only_keeps_the_typed_brand():
    assert read_card("1111", "Visa") == CardFacts("Visa", "1111")
    assert read_card(" 4444 ", "mastercard") == CardFacts("Mastercard", "4444")
    assert read_card("0005", "American Express") == CardFacts("Amex", "0005")
    assert read_card("1234", "JCB") == CardFacts("JCB", "1234")
    assert read_card("1234") == CardFacts("", "1234")


def test_a_typed_brand_must_agree_with_the_number():
    assert read_card("4111111111111111", "VISA") == CardFacts("Visa", "1111")
    with pytest.raises(CardError, match="the number is a Visa, not a Mastercard"):
        read_card("4111111111111111", "Mastercard")
    with pytest.raises(CardError, match="the number is an Amex, not a Visa"):
        read_card("378282246310005", "visa")


def test_an_unknown_prefix_keeps_the_typed_brand():
    jcb = "3530111333300000"
    assert luhn_ok(jcb)
    assert read_card(jcb, "JCB") == CardFacts("JCB", "0000")
    assert read_card(jcb) == CardFacts("", "0000")


def test_a_number_in_the_brand_field_is_refused_not_kept():
    with pytest.raises(CardError, match="no digits") as caught:
        read_card("1111", "4111111111111111")
    assert "4111" not in str(caught.value)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "last 4 digits"),
        ("   ", "last 4 digits"),
        ("41x1", "digits only"),
        ("4111.1111.1111.1111", "digits only"),
        ("visa 1111", "digits only"),
        ("111", "3 digits is not a card number"),
        ("11111", "5 digits is not a card number"),
        ("41111111111", "11 digits"),
        ("4" * 20, "20 digits"),
        ("１２３４", "digits only"),  # full-width digits
    ],
)
def test_anything_else_is_refused_with_a_clear_message(typed, message):
    with pytest.raises(CardError, match=message):
        read_card(typed)


def test_card_error_is_a_value_error():
    assert issubclass(CardError, ValueError)


def test_card_facts_has_no_room_for_a_number():
    facts = read_card("4111111111111111")
    assert [field.name for field in dataclasses.fields(facts)] == ["brand", "last4"]
    assert not hasattr(facts, "__dict__")
    assert repr(facts) == "CardFacts(brand='Visa', last4='1111')"
    with pytest.raises(dataclasses.FrozenInstanceError):
        facts.last4 = "4111111111111111"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("typed", "code"), [("abc123", "ABC123"), (" 0 ", "0"), ("Z" * 12, "Z" * 12)]
)
def test_check_auth_code_upper_cases(typed, code):
    assert check_auth_code(typed) == code


@pytest.mark.parametrize("typed", ["", "  ", "A" * 13, "ABC-123", "AB 12", "ÄBC"])
def test_check_auth_code_refuses_anything_else(typed):
    with pytest.raises(CardError, match="1 to 12 letters and digits"):
        check_auth_code(typed)


# ------------------------------------------------------------------------------- properties

card_digits = st.text(alphabet="0123456789", min_size=13, max_size=19)


def with_check_digit(stem: str) -> str:
    return next(stem + d for d in "0123456789" if luhn_ok(stem + d))


valid_numbers = st.text(alphabet="0123456789", min_size=11, max_size=18).map(with_check_digit)


def runs_of_five(digits: str) -> set[str]:
    return {digits[i : i + 5] for i in range(len(digits) - 4)}


@given(card_digits)
def test_any_number_failing_luhn_is_refused_and_not_echoed(digits):
    assume(not luhn_ok(digits))
    with pytest.raises(CardError) as caught:
        read_card(digits)
    message = str(caught.value)
    assert not any(run in message for run in runs_of_five(digits))


@given(
    valid_numbers,
    st.sampled_from(["", " ", "-"]),
    st.sampled_from(["", "Visa", "Mastercard", "Amex", "Discover", "JCB"]),
)
def test_nothing_kept_or_said_holds_more_than_4_digits_of_the_number(digits, separator, brand):
    typed = separator.join(digits[i : i + 4] for i in range(0, len(digits), 4))
    try:
        facts = read_card(typed, brand)
    except CardError as error:
        said = [str(error)]
    else:
        assert facts.last4 == digits[-4:]
        said = [repr(facts), *(str(getattr(facts, f.name)) for f in dataclasses.fields(facts))]
    for text in said:
        assert not any(run in text for run in runs_of_five(digits))
