"""Card payments, PCI-minded: a card is kept as its brand and last 4 digits, never its number or CVV.

A person may type the whole number off the card or only its last 4 digits. The
whole number is checked (length, Luhn check digit, brand from its IIN prefix)
and then dropped: nothing here keeps it, and no error message repeats it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .npi import luhn_valid

BRANDS = ("Visa", "Mastercard", "Amex", "Discover")

# What people type in the brand field, folded to the names we print.
_BRAND_ALIASES = {
    "visa": "Visa",
    "mastercard": "Mastercard",
    "master card": "Mastercard",
    "mc": "Mastercard",
    "amex": "Amex",
    "american express": "Amex",
    "discover": "Discover",
}

_SEPARATORS = str.maketrans("", "", " -")
_SHORTEST, _LONGEST = 12, 19
_AUTH_CODE_MAX = 12


class CardError(ValueError):
    """A card entry we cannot accept; the message never repeats the card number."""


@dataclass(frozen=True, slots=True)
class CardFacts:
    """All we keep of a card: its brand ("" when unknown) and its last 4 digits."""

    brand: str
    last4: str


def _ascii_digits(text: str) -> bool:
    # str.isdigit() is also true for "²" and Arabic-Indic digits, which no card prints.
    return text.isascii() and text.isdigit()


def luhn_ok(digits: str) -> bool:
    """True when a card number (ASCII digits only, check digit last) passes the Luhn check."""
    return _ascii_digits(digits) and luhn_valid(digits)


def card_brand(digits: str) -> str:
    """The brand a card number's IIN prefix names: "Visa", "Mastercard", "Amex", "Discover" or ""."""
    digits = digits.translate(_SEPARATORS)
    if not _ascii_digits(digits):
        return ""
    two, three, four = (int(digits[:n]) if len(digits) >= n else -1 for n in (2, 3, 4))
    if digits.startswith("4"):
        return "Visa"
    if 51 <= two <= 55 or 2221 <= four <= 2720:
        return "Mastercard"
    if two in (34, 37):
        return "Amex"
    if four == 6011 or 644 <= three <= 649 or two == 65:
        return "Discover"
    return ""


def _typed_brand(brand: str) -> str:
    name = " ".join(brand.split())
    if any(char.isdigit() for char in name):
        # Most likely the number went into the wrong field: refuse it rather than keep it.
        raise CardError("a card brand is a name, like Visa: it has no digits")
    return _BRAND_ALIASES.get(name.lower(), name)


def _a(brand: str) -> str:
    return f"an {brand}" if brand[:1].upper() in "AEIOU" else f"a {brand}"


def read_card(text: str, brand: str = "") -> CardFacts:
    """Read a card as typed: only its last 4 digits, or the whole number (spaces and dashes allowed).

    With the whole number the brand comes from it, and a typed brand must agree;
    with the last 4 only the brand is what was typed ("" if nothing was).
    """
    typed = _typed_brand(brand)
    compact = text.strip().translate(_SEPARATORS)
    if not compact:
        raise CardError("enter the card's last 4 digits, or the whole card number")
    if not _ascii_digits(compact):
        raise CardError("a card number is digits only (spaces and dashes are fine)")
    if len(compact) == 4:
        return CardFacts(typed, compact)
    if not _SHORTEST <= len(compact) <= _LONGEST:
        raise CardError(
            f"{len(compact)} digits is not a card number: enter only the last 4 digits, "
            f"or the whole number ({_SHORTEST} to {_LONGEST} digits)"
        )
    if not luhn_ok(compact):
        raise CardError(
            "the card number fails its check digit: retype it, or enter only the last 4 digits"
        )
    from_number = card_brand(compact)
    if from_number and typed and from_number.lower() != typed.lower():
        raise CardError(f"the number is {_a(from_number)}, not {_a(typed)}")
    return CardFacts(from_number or typed, compact[-4:])


def check_auth_code(text: str) -> str:
    """An authorization code as the terminal printed it: 1 to 12 letters and digits, upper-cased."""
    code = text.strip().upper()
    if not (1 <= len(code) <= _AUTH_CODE_MAX and code.isascii() and code.isalnum()):
        raise CardError(f"an authorization code is 1 to {_AUTH_CODE_MAX} letters and digits")
    return code
