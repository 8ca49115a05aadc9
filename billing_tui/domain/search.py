"""What a search typed in the account queue means: a name, an account, a claim or a date of birth."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from .dates import DateError, parse_date

MAX_KEY = 64
"""No name, account or claim number is longer; a longer search matches nothing."""


def search_key(text: str) -> str:
    """Fold a name for searching: no accents, no case, letters and digits only ("O'Brien" -> "obrien")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(
        ch for ch in decomposed.casefold() if ch.isalnum() and not unicodedata.combining(ch)
    )


def code_key(text: str) -> str:
    """Fold an account or claim number: upper case, letters, digits and '-' only."""
    return "".join(ch for ch in text.upper() if ch.isascii() and (ch.isalnum() or ch == "-"))


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string that starts with prefix (for an index range)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


@dataclass(frozen=True, slots=True)
class NameSearch:
    last_prefix: str
    first_prefix: str = ""


@dataclass(frozen=True, slots=True)
class DobSearch:
    dob: dt.date


@dataclass(frozen=True, slots=True)
class AccountSearch:
    prefix: str


@dataclass(frozen=True, slots=True)
class ClaimSearch:
    prefix: str


Criterion = NameSearch | DobSearch | AccountSearch | ClaimSearch

_DATE_LIKE = re.compile(r"^\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}$")


def parse_search(text: str, *, today: dt.date | None = None) -> tuple[Criterion, ...]:
    """The ways to read a search, most specific first; () when it can match nothing.

    "smith" -> last name; "smith, jo" -> last and first; "de la cruz" -> the
    whole as a last name, or "de" + first "lacruz"; "01/02/1960" -> date of
    birth; "1000123" -> account number (and a date of birth if it is one);
    "C123" -> claim number.
    """
    raw = text.strip()
    if not raw or len(raw) > 4 * MAX_KEY:
        return ()
    criteria: list[Criterion] = []
    compact = raw.replace(" ", "")
    if _DATE_LIKE.match(compact) or (compact.isdigit() and len(compact) in (6, 8)):
        try:
            criteria.append(DobSearch(parse_date(compact, today=today, prefer="past")))
        except DateError:
            pass
    if _DATE_LIKE.match(compact):
        return tuple(criteria)
    code = code_key(compact)
    if any(ch.isdigit() for ch in code) and len(code) <= MAX_KEY:
        if code.isdigit():
            criteria.append(AccountSearch(code))
        criteria.append(ClaimSearch(code))
        return tuple(criteria)
    if "," in raw:
        last, _, first = raw.partition(",")
        last_key, first_key = search_key(last), search_key(first)
        if last_key and len(last_key) <= MAX_KEY and len(first_key) <= MAX_KEY:
            criteria.append(NameSearch(last_key, first_key))
        return tuple(criteria)
    whole = search_key(raw)
    if not whole or len(whole) > MAX_KEY:
        return tuple(criteria)
    criteria.append(NameSearch(whole))
    words = [search_key(w) for w in raw.split()]
    words = [w for w in words if w]
    if len(words) >= 2:
        criteria.append(NameSearch(words[0], "".join(words[1:])))
    return tuple(criteria)
