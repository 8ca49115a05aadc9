"""X12 framing every outbound file shares: separators, clean data elements, ISA/GS/ST..SE/GE/IEA.

How a writer uses it (the 837P writer does exactly this; the 270 writer will too):

    body = Segments()
    body.add("BHT", "0019", "00", batch_id, date8(day), time4(now), "CH")
    body.add("SV1", ("HC", code, *modifiers), amount(cents), "UN", "1")  # a tuple is a composite
    text = interchange(Envelope(...), [Transaction("837", body)])

Rules it enforces so that no writer has to remember them:
- Data is uppercase ASCII from the X12 basic character set: accents are stripped
  (Núñez -> NUNEZ, Søndergaard -> SONDERGAARD) and anything else, separators
  included, becomes a space. A separator can therefore never appear inside data.
- Trailing empty elements (and trailing empty components of a composite) are dropped.
- ISA is fixed width (106 characters with its terminator); ISA13 = IEA02 and
  GS06 = GE02 carry the caller's control number, which the caller must never
  reuse (the store takes it from X12Interchange.id); ST02 = SE02 numbers the
  transactions 0001, 0002, ... within the group; SE01 counts ST through SE.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

ELEMENT, COMPONENT, REPETITION, SEGMENT = "*", ":", "^", "~"
TERMINATOR = SEGMENT + "\n"  # a newline after each terminator: readable, and receivers ignore it
MAX_CONTROL_NUMBER = 999_999_999  # ISA13 is 9 digits

# Letters that Unicode does not decompose into a base letter plus accents.
_FOLD = str.maketrans(
    {"Ø": "O", "ø": "O", "Æ": "AE", "æ": "AE", "Œ": "OE", "œ": "OE", "ß": "SS", "Đ": "D",
     "đ": "D", "Ł": "L", "ł": "L", "Þ": "TH", "þ": "TH", "Ð": "D", "ð": "D", "ı": "I",
     "‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"}
)  # fmt: skip
# The X12 basic character set less our four separators; everything else becomes a space.
_NOT_BASIC = re.compile(r"[^A-Z0-9 !\"&'()+,\-./;?=]+")
_SPACES = re.compile(r"  +")


@lru_cache(maxsize=65_536)  # names, payers and providers repeat across a batch
def clean(value: object, max_length: int | None = None) -> str:
    """One data element as X12 may carry it: uppercase basic ASCII, no separators, trimmed."""
    if value is None:
        return ""
    text = str(value)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(_FOLD))
        text = "".join(char for char in text if not unicodedata.combining(char))
    text = _NOT_BASIC.sub(" ", text.upper())
    text = _SPACES.sub(" ", text).strip()
    if max_length is not None:
        text = text[:max_length].rstrip()
    return text


def amount(cents: int) -> str:
    """Cents as an X12 decimal: 12345 -> 123.45, 12000 -> 120, 1250 -> 12.5, -500 -> -5."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    if not frac:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{frac:02d}".rstrip("0")


def date8(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def time4(moment: dt.datetime) -> str:
    return moment.strftime("%H%M")


Element = str | tuple[str, ...] | None


def segment(tag: str, elements: Sequence[Element]) -> str:
    """One segment without its terminator; a tuple element is a composite."""
    parts = [tag]
    for element in elements:
        if element.__class__ is tuple:
            components = list(element)
            while components and not components[-1]:
                components.pop()
            parts.append(COMPONENT.join(components))
        else:
            parts.append(element or "")
    while not parts[-1] and len(parts) > 1:
        parts.pop()
    return ELEMENT.join(parts)


class Segments:
    """The body of one transaction (everything between ST and SE), segment by segment."""

    __slots__ = ("lines",)

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, tag: str, *elements: Element) -> None:
        self.lines.append(segment(tag, elements))

    def __len__(self) -> int:
        return len(self.lines)


@dataclass(frozen=True, slots=True)
class Transaction:
    set_id: str  # ST01: 837, 270, ...
    body: Segments
    implementation: str = ""  # ST03, e.g. 005010X222A1 (defaults to the envelope's version)


@dataclass(frozen=True, slots=True)
class Envelope:
    """Who sends to whom, under which control number, in which version."""

    sender_id: str  # ISA06 and GS02
    receiver_id: str  # ISA08 and GS03
    control_number: int  # ISA13 = IEA02 and GS06 = GE02; never reused by the caller
    functional_code: str  # GS01: HC for 837, HS for 270
    version: str  # GS08: 005010X222A1, 005010X279A1, ...
    created: dt.datetime
    production: bool = False  # ISA15: P, else T (test)
    sender_qualifier: str = "ZZ"  # ISA05: mutually defined
    receiver_qualifier: str = "ZZ"  # ISA07
    acknowledgment: bool = False  # ISA14: ask for a TA1


def _isa_id(value: str) -> str:
    cleaned = clean(value, 15)
    if not cleaned:
        raise ValueError("an interchange sender or receiver id cannot be empty")
    return cleaned.ljust(15)


def interchange(envelope: Envelope, transactions: Iterable[Transaction]) -> str:
    """The whole file: ISA, one GS with each transaction as ST..SE, GE, IEA."""
    number = envelope.control_number
    if not 1 <= number <= MAX_CONTROL_NUMBER:
        raise ValueError(f"control number {number} does not fit ISA13 (1-{MAX_CONTROL_NUMBER})")
    created = envelope.created
    isa = ELEMENT.join(
        (
            "ISA", "00", " " * 10, "00", " " * 10,
            envelope.sender_qualifier, _isa_id(envelope.sender_id),
            envelope.receiver_qualifier, _isa_id(envelope.receiver_id),
            created.strftime("%y%m%d"), time4(created), REPETITION, "00501", f"{number:09d}",
            "1" if envelope.acknowledgment else "0", "P" if envelope.production else "T",
            COMPONENT,
        )
    )  # fmt: skip
    assert len(isa) + len(SEGMENT) == 106, "ISA is fixed width"
    out = [
        isa,
        segment(
            "GS",
            (
                envelope.functional_code,
                clean(envelope.sender_id, 15),
                clean(envelope.receiver_id, 15),
                date8(created),
                time4(created),
                str(number),
                "X",
                envelope.version,
            ),
        ),
    ]
    count = 0
    for count, transaction in enumerate(transactions, start=1):
        control = f"{count:04d}"
        out.append(
            segment(
                "ST",
                (transaction.set_id, control, transaction.implementation or envelope.version),
            )
        )
        out.extend(transaction.body.lines)
        out.append(segment("SE", (str(len(transaction.body) + 2), control)))
    if not count:
        raise ValueError("an interchange needs at least one transaction")
    out.append(segment("GE", (str(count), str(number))))
    out.append(segment("IEA", ("1", f"{number:09d}")))
    return TERMINATOR.join(out) + TERMINATOR
