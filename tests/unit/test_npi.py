"""NPI check digits (Luhn over "80840" + the first nine digits) and card-number Luhn."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing_tui.domain.npi import is_valid_npi, luhn_valid, npi_check_digit


@pytest.mark.parametrize("npi", ["1234567893", "1245319599", "1679576722", "1003000126"])
def test_known_valid_npis(npi):
    assert is_valid_npi(npi)
    assert npi_check_digit(npi[:9]) == npi[9]


@pytest.mark.parametrize(
    "npi",
    [
        "1234567890",  # wrong check digit
        "1234567894",
        "123456789",  # 9 digits
        "12345678931",  # 11 digits
        "123456789X",
        "12345a7893",
        " 234567893",
        "",
        None,
        "１２３４５６７８９３",  # full-width digits are not an NPI
    ],
)
def test_invalid_npis(npi):
    assert not is_valid_npi(npi)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_exactly_one_check_digit_completes_a_stem(stem):
    valid = [d for d in "0123456789" if is_valid_npi(stem + d)]
    assert valid == [npi_check_digit(stem)]


@given(st.text(alphabet="0123456789", min_size=9, max_size=9), st.integers(0, 8), st.integers(1, 9))
def test_a_single_digit_typo_is_caught(stem, position, change):
    npi = stem + npi_check_digit(stem)
    typo = npi[:position] + str((int(npi[position]) + change) % 10) + npi[position + 1 :]
    assert not is_valid_npi(typo)


def test_npi_is_luhn_valid_with_the_80840_prefix():
    assert luhn_valid("80840" + "1234567893")


@pytest.mark.parametrize("stem", ["12345678", "1234567890", "12345678a", ""])
def test_check_digit_needs_a_nine_digit_stem(stem):
    with pytest.raises(ValueError, match="9 digits"):
        npi_check_digit(stem)


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("4111111111111111", True),  # the classic test Visa number
        ("4111111111111112", False),
        ("79927398713", True),
        ("79927398710", False),
        ("0", False),
        ("", False),
        ("4111-1111", False),
    ],
)
def test_luhn_valid(number, valid):
    assert luhn_valid(number) is valid
