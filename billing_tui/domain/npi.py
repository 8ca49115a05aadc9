"""National Provider Identifier: 10 digits, the last a Luhn check digit over "80840" + the first 9."""

from __future__ import annotations


def _luhn_sum(digits: str) -> int:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 0:  # doubled: the check digit is appended to the right
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total


def npi_check_digit(first_nine: str) -> str:
    """The check digit that completes a 9-digit NPI stem."""
    if len(first_nine) != 9 or not first_nine.isdigit():
        raise ValueError("an NPI stem is 9 digits")
    return str((10 - _luhn_sum("80840" + first_nine) % 10) % 10)


def is_valid_npi(npi: str | None) -> bool:
    """True for a 10-digit NPI whose check digit is right."""
    if not npi or len(npi) != 10 or not npi.isdigit():
        return False
    return npi_check_digit(npi[:9]) == npi[9]


def luhn_valid(number: str) -> bool:
    """Luhn check of a whole number, check digit included (card numbers)."""
    if not number.isdigit() or len(number) < 2:
        return False
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0
