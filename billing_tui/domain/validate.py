"""What a person types into a patient or coverage record, checked and put in the form we store.

Each reader takes the text as typed and returns the value to keep (digits for
a phone or ZIP, upper case for a state, a date for a DOB), or raises
FieldError with a message that says what to type instead. The forms call
them as a field is left; the Store calls them again before it writes.
"""

from __future__ import annotations

import datetime as dt
import re

from .dates import DateError, parse_date
from .money import MoneyError, parse_cents


class FieldError(ValueError):
    """Text that cannot go into its field; the message says what would."""


# --------------------------------------------------------------------------- people

FIRST_NAME_MAX = 35  # NM104 of the 837
LAST_NAME_MAX = 60  # NM103
MIDDLE_NAME_MAX = 25  # NM105 allows 25
ADDRESS_MAX = 55  # N301/N302
CITY_MAX = 30  # N401
EMAIL_MAX = 80
EARLIEST_DOB = dt.date(1900, 1, 1)

SEXES = {"F": "female", "M": "male", "U": "unknown"}

# Letters of any alphabet, and the marks names carry: O'Brien, Smith-Jones, St. John.
# One mark per step keeps the match linear: "a" followed by many marks cannot backtrack.
_NAME = re.compile(r"^[^\W\d_]+(?:[ '\-.][^\W\d_]*)*$")
_SPACES = re.compile(r"\s+")
# X12's delimiters (* ~ : ^) would break the 837's segments; control characters break everything.
_UNSAFE = re.compile(r"[*~:^\x00-\x1f\x7f]")


def _squeeze(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def person_name(text: str, label: str, max_length: int, *, required: bool = True) -> str:
    """A name: letters, spaces, apostrophes, hyphens and periods, at most max_length."""
    name = _squeeze(text)
    if not name:
        if required:
            raise FieldError(f"the {label} is required")
        return ""
    if len(name) > max_length:
        raise FieldError(f"the {label} is at most {max_length} characters")
    if not _NAME.match(name):
        raise FieldError(
            f"the {label} takes letters, spaces, apostrophes, hyphens and periods, "
            "starting with a letter"
        )
    return name


def first_name(text: str) -> str:
    return person_name(text, "first name", FIRST_NAME_MAX)


def last_name(text: str) -> str:
    return person_name(text, "last name", LAST_NAME_MAX)


def middle_name(text: str) -> str:
    return person_name(text, "middle name", MIDDLE_NAME_MAX, required=False)


def sex(text: str) -> str:
    raw = text.strip().upper()
    for code, word in SEXES.items():
        if raw in (code, word.upper()):
            return code
    raise FieldError("sex is F (female), M (male) or U (unknown)")


def date_of_birth(text: str, today: dt.date) -> dt.date:
    """A real date, not in the future, not before 1900. Two-digit years go to the past."""
    if not text.strip():
        raise FieldError("the date of birth is required")
    try:
        dob = parse_date(text, today=today, prefer="past")
    except DateError as error:
        raise FieldError(str(error)) from None
    check_date_of_birth(dob, today)
    return dob


def check_date_of_birth(dob: dt.date, today: dt.date) -> None:
    if dob > today:
        raise FieldError("a date of birth cannot be in the future")
    if dob < EARLIEST_DOB:
        raise FieldError("a date of birth is 1900 or later")


def date(text: str, label: str, today: dt.date, *, required: bool = True) -> dt.date | None:
    """Any date as people type it (112426, 11/24/26, 2026-11-24); None when blank and allowed."""
    if not text.strip():
        if required:
            raise FieldError(f"the {label} is required")
        return None
    try:
        return parse_date(text, today=today)
    except DateError as error:
        raise FieldError(str(error)) from None


# --------------------------------------------------------------------------- where they live

US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "
    "NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY "
    # territories, and the military's "states" (Americas, Europe, Pacific)
    "AS GU MP PR VI UM FM MH PW AA AE AP".split()
)


def address_line(text: str, label: str = "address", *, required: bool = True) -> str:
    line = _squeeze(text)
    if not line:
        if required:
            raise FieldError(f"the {label} is required")
        return ""
    if len(line) > ADDRESS_MAX:
        raise FieldError(f"the {label} is at most {ADDRESS_MAX} characters")
    if _UNSAFE.search(line):
        raise FieldError(f"the {label} cannot hold * ~ : or ^")
    return line


def city(text: str) -> str:
    return person_name(text, "city", CITY_MAX)


def state(text: str) -> str:
    code = text.strip().upper()
    if not code:
        raise FieldError("the state is required")
    if code not in US_STATES:
        raise FieldError(f"{code[:10]!r} is not a US state: use the 2-letter code (IL, NY, PR)")
    return code


def zip_code(text: str) -> str:
    """5 or 9 digits, with or without the dash: '62701', '62701-1234', '627011234'. Digits back."""
    raw = text.strip()
    if not raw:
        raise FieldError("the ZIP code is required")
    if not re.fullmatch(r"\d{5}(?:-?\d{4})?", raw, re.ASCII):
        raise FieldError("a ZIP code is 5 or 9 digits: 62701 or 62701-1234")
    digits = raw.replace("-", "")
    if digits[:5] == "00000":
        raise FieldError("no ZIP code starts 00000")
    return digits


def phone(text: str, *, required: bool = False) -> str:
    """10 digits, punctuated any way ('(217) 555-0100', '217.555.0100', '+1 217 555 0100').
    Digits back; '' for none when it is not required."""
    if not text.strip():
        if required:
            raise FieldError("the phone number is required")
        return ""
    if re.search(r"[^\d\s()+.\-]", text, re.ASCII):
        raise FieldError("a phone number is 10 digits, like (217) 555-0100")
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]  # the country code
    if len(digits) != 10:
        raise FieldError("a phone number is 10 digits, like (217) 555-0100")
    # North American numbers: neither the area code nor the exchange starts with 0 or 1.
    if digits[0] in "01" or digits[3] in "01":
        raise FieldError("no US area code or exchange starts with 0 or 1")
    return digits


_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'+/=?_`{|}.\-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}$",
    re.ASCII,
)


def email(text: str) -> str:
    """A sane address (name@domain.tld), not an RFC 5322 parser; '' for none."""
    address = text.strip()
    if not address:
        return ""
    if len(address) > EMAIL_MAX:
        raise FieldError(f"an email address is at most {EMAIL_MAX} characters")
    local = address.partition("@")[0]
    if not _EMAIL.match(address) or local.startswith(".") or local.endswith(".") or ".." in address:
        raise FieldError("not an email address: use name@example.com")
    return address


# --------------------------------------------------------------------------- coverage

MEMBER_ID_MAX = 80  # NM109
GROUP_MAX = 50  # SBR03
RELATIONSHIPS = {"18": "self", "01": "spouse", "19": "child", "G8": "other"}
"""X12 individual relationship codes (SBR02/PAT01) and what the forms call them."""

# CMS's Medicare Beneficiary Identifier: 11 characters, C A AN N A AN N A A N N, where the
# letters exclude S, L, O, I, B and Z (they read as digits). Shown as 1EG4-TE5-MK73.
_MBI_ALPHA = "ACDEFGHJKMNPQRTUVWXY"
_MBI = re.compile(
    rf"^[1-9][{_MBI_ALPHA}][{_MBI_ALPHA}0-9][0-9][{_MBI_ALPHA}][{_MBI_ALPHA}0-9][0-9]"
    rf"[{_MBI_ALPHA}][{_MBI_ALPHA}][0-9][0-9]$"
)


def medicare_id(text: str) -> str:
    """An MBI, typed with or without its dashes, in any case; upper case without dashes back."""
    mbi = text.strip().upper().replace("-", "")
    if len(mbi) != 11 or not _MBI.match(mbi):
        raise FieldError(
            "a Medicare ID (MBI) is 11 characters like 1EG4-TE5-MK73 (no S, L, O, I, B or Z)"
        )
    return mbi


def member_id(text: str, payer_kind: str = "") -> str:
    """Letters and digits, 2 to 80, no spaces; a Medicare payer's must be an MBI."""
    if payer_kind == "medicare":
        return medicare_id(text)
    raw = text.strip()
    if not raw:
        raise FieldError("the member ID is required")
    if not raw.isascii() or not raw.isalnum():
        raise FieldError("a member ID is letters and digits only, no spaces or dashes")
    if not 2 <= len(raw) <= MEMBER_ID_MAX:
        raise FieldError(f"a member ID is 2 to {MEMBER_ID_MAX} letters and digits")
    return raw


def group_number(text: str) -> str:
    """Optional; letters, digits and dashes."""
    raw = text.strip()
    if raw and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9\-]*", raw, re.ASCII):
        raise FieldError("a group number is letters, digits and dashes")
    if len(raw) > GROUP_MAX:
        raise FieldError(f"a group number is at most {GROUP_MAX} characters")
    return raw


def relationship(text: str) -> str:
    """An X12 code (18, 01, 19, G8) or its word (self, spouse, child, other)."""
    raw = text.strip().upper()
    if raw in RELATIONSHIPS:
        return raw
    by_word = {word.upper(): code for code, word in RELATIONSHIPS.items()}
    if raw in by_word:
        return by_word[raw]
    raise FieldError("the relationship is self (18), spouse (01), child (19) or other (G8)")


MONEY_MAX = 10_000_000_00  # ten million dollars: anything more is a typo


def amount(text: str, label: str) -> int:
    """Money as typed (1,234.56, $25, blank for 0), in cents, never negative."""
    if not text.strip():
        return 0
    try:
        cents = parse_cents(text)
    except MoneyError as error:
        raise FieldError(str(error)) from None
    if cents < 0:
        raise FieldError(f"the {label} cannot be negative")
    if cents > MONEY_MAX:
        raise FieldError(f"the {label} is too large")
    return cents


def percent(text: str, label: str = "coinsurance") -> int:
    """20, 20% or 12.5 -> basis points (2000, 2000, 1250); blank for 0; at most 100%."""
    raw = text.strip().removesuffix("%").strip()
    if not raw:
        return 0
    match = re.fullmatch(r"(\d{1,3})(?:\.(\d{1,2}))?", raw, re.ASCII)
    if not match:
        raise FieldError(f"the {label} is a percent: 20, 20% or 12.5")
    points = int(match[1]) * 100 + int((match[2] or "").ljust(2, "0"))
    if points > 10_000:
        raise FieldError(f"the {label} is at most 100%")
    return points


def format_percent(basis_points: int) -> str:
    """2000 -> '20', 1250 -> '12.5'."""
    whole, part = divmod(basis_points, 100)
    return f"{whole}" if not part else f"{whole}.{part:02d}".rstrip("0")


def coverage_dates(start: dt.date, end: dt.date | None) -> None:
    if end is not None and end < start:
        raise FieldError("a coverage cannot end before it starts")


def deductible_met(met: int, deductible: int) -> None:
    if met > deductible:
        raise FieldError("the deductible met cannot be more than the deductible")
