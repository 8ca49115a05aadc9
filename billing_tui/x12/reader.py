"""A small generic X12 reader: separators from the ISA, then segments, elements, envelopes.

Every X12 importer starts here (the 271 reader now, the 835 importer next).
It knows the X12 syntax and the ISA/GS/ST envelopes, nothing of any one
transaction:

    for transaction in read_transactions(text, "271"):
        for segment in transaction.segments:      # ST .. SE exclusive
            if segment.id == "EB":
                code = segment.get(1)             # EB01; "" when absent
                kinds = segment.repeats(3)        # EB03 split on the repetition separator
                amount = segment.amount(7)        # EB07 as integer cents, or None

Separators are whatever the ISA declares: the element separator is the
character after "ISA", the component separator is ISA16, the segment
terminator the character after it, and ISA11 the repetition separator in
00501 and later. Line breaks after the terminator (one segment a line) or
none at all are both read.

Every problem is an X12Error naming the segment by its position in the file
(the ISA is segment 1), so a person can find it: "segment 14 (EB): ...".
The envelope is checked as it is read: ISA13 = IEA02, GS06 = GE02,
ST02 = SE02, and the counts IEA01 (groups), GE01 (transactions) and SE01
(segments from ST to SE).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import NamedTuple, Protocol

ISA_ELEMENTS = 16
_SEGMENT_ID = re.compile(r"[A-Z][A-Z0-9]{1,2}\Z")
_DECIMAL = re.compile(r"-?(\d+\.?\d*|\.\d+)\Z", re.ASCII)
_CONTROL = re.compile(r"\d{1,9}\Z", re.ASCII)
_LAYOUT = " \t\r\n"


class X12Error(ValueError):
    """Text that is not well-formed X12; says where (segment number and id) and what is wrong."""

    def __init__(self, message: str, segment: int | None = None, segment_id: str = "") -> None:
        self.segment = segment
        self.segment_id = segment_id
        self.reason = message
        if segment is None:
            where = "X12"
        else:
            where = f"segment {segment}" + (f" ({segment_id})" if segment_id else "")
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True, slots=True)
class Separators:
    element: str
    component: str
    repetition: str  # "" before 00501, which had none
    segment: str


class Segment(NamedTuple):
    """One segment: its id, its elements (elements[0] is XX01) and its position in the file.

    A named tuple rather than a frozen dataclass: an 835 holds hundreds of thousands
    of segments, and a tuple is made several times faster.
    """

    id: str
    elements: tuple[str, ...]
    number: int
    separators: Separators

    def get(self, position: int) -> str:
        """Element XXnn (1-based) as text; "" when the segment stops before it."""
        return self.elements[position - 1] if 0 < position <= len(self.elements) else ""

    def require(self, position: int, what: str) -> str:
        value = self.get(position)
        if not value:
            raise self.error(f"{self.id}{position:02d} ({what}) is missing")
        return value

    def components(self, position: int) -> tuple[str, ...]:
        """A composite element split on the component separator ("HC:99213:25" -> 3 parts)."""
        value = self.get(position)
        return tuple(value.split(self.separators.component)) if value else ()

    def repeats(self, position: int) -> tuple[str, ...]:
        """A repeating element split on the repetition separator (EB03 "30^98" -> 2 codes)."""
        value = self.get(position)
        if not value:
            return ()
        if not self.separators.repetition:
            return (value,)
        return tuple(value.split(self.separators.repetition))

    def amount(self, position: int) -> int | None:
        """A monetary element (X12 type R) as integer cents, rounded half up; None when empty."""
        value = self.get(position)
        if not value:
            return None
        cents = _plain_cents(value)
        if cents is not None:  # "125", "125.5", "-125.50": most amounts, without Decimal
            return cents
        number = self.decimal(position)
        return int((number * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def decimal(self, position: int) -> Decimal | None:
        """A decimal element (X12 type R) exactly; None when empty."""
        value = self.get(position)
        if not value:
            return None
        if not _DECIMAL.match(value):
            raise self.error(f"{self.id}{position:02d} {value!r} is not a number")
        try:
            return Decimal(value)
        except InvalidOperation:  # the pattern admits only numbers; kept for safety
            raise self.error(f"{self.id}{position:02d} {value!r} is not a number") from None

    def date(self, position: int) -> dt.date | None:
        """A CCYYMMDD element (X12 type DT) as a date; None when empty."""
        value = self.get(position)
        return parse_date8(value, self, position) if value else None

    def error(self, message: str) -> X12Error:
        return X12Error(message, self.number, self.id)

    def __str__(self) -> str:
        return self.separators.element.join((self.id, *self.elements))


_PLAIN_AMOUNT = re.compile(r"(-?)(\d{1,15})(?:\.(\d{0,2}))?\Z", re.ASCII)


def _plain_cents(value: str) -> int | None:
    """Cents of an amount with at most two decimals (exact, no rounding needed); else None."""
    match = _PLAIN_AMOUNT.match(value)
    if match is None:
        return None
    sign, whole, fraction = match.groups()
    cents = int(whole) * 100 + (int(fraction.ljust(2, "0")) if fraction else 0)
    return -cents if sign else cents


@functools.lru_cache(maxsize=4096)
def _date8(value: str) -> dt.date | None:
    """A valid CCYYMMDD as a date, None otherwise; remittances repeat the same few dates."""
    if len(value) != 8 or not value.isascii() or not value.isdigit():
        return None
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


def parse_date8(value: str, segment: Segment, position: int) -> dt.date:
    """CCYYMMDD as a date, or an X12Error naming the segment and element.

    The message leaves the value out: a date of birth is patient data.
    """
    date = _date8(value)
    if date is not None:
        return date
    if len(value) != 8 or not value.isascii() or not value.isdigit():
        raise segment.error(f"{segment.id}{position:02d} is not a date (CCYYMMDD)")
    raise segment.error(f"{segment.id}{position:02d} is not a date")


# --------------------------------------------------------------------------- separators


def find_separators(text: str) -> Separators:
    """The separators an interchange declares in its ISA (which must open the text)."""
    start = _start_of_isa(text)
    if not text.startswith("ISA", start):
        raise X12Error("the file does not start with an ISA segment; is it X12?", 1, "ISA")
    if len(text) < start + 4:
        raise X12Error("the file ends inside the ISA segment", 1, "ISA")
    element = text[start + 3]
    # The ISA's 16 elements are fixed in number, so the 16th separator finds ISA16
    # even when a sender did not pad the fields to their fixed widths.
    position = start + 3  # the separator before ISA01
    for _ in range(ISA_ELEMENTS - 1):
        position = text.find(element, position + 1)
        if position < 0:
            raise X12Error("the ISA segment is incomplete (fewer than 16 elements)", 1, "ISA")
    if position + 2 >= len(text):
        raise X12Error("the file ends inside the ISA segment", 1, "ISA")
    component, terminator = text[position + 1], text[position + 2]
    isa = text[start + 4 : position].split(element)
    repetition = isa[10] if len(isa) > 11 and isa[11] >= "00501" else ""
    separators = Separators(element, component, repetition, terminator)
    _check_separators(separators)
    return separators


def _start_of_isa(text: str) -> int:
    """Skip a byte-order mark and blank lines before the ISA."""
    start = 0
    while start < len(text) and (text[start] in " \t\r\n\ufeff"):
        start += 1
    return start


def _check_separators(separators: Separators) -> None:
    named = {
        "element separator": separators.element,
        "component separator (ISA16)": separators.component,
        "segment terminator": separators.segment,
    }
    if separators.repetition:
        named["repetition separator (ISA11)"] = separators.repetition
    for name, char in named.items():
        if char.isalnum() or char == " ":
            raise X12Error(f"the {name} {char!r} is a letter, digit or space", 1, "ISA")
    if len(set(named.values())) != len(named):
        raise X12Error(f"two separators are the same character: {named}", 1, "ISA")


# --------------------------------------------------------------------------- segments


def read_segments(text: str) -> Iterator[Segment]:
    """Every segment of the text, in order, numbered from 1 (the ISA)."""
    separators = find_separators(text)
    element = separators.element
    # Line breaks and indentation between segments are layout, not data: unless the ISA
    # made one of them a separator (a line break as the terminator is split away below).
    layout = "".join(c for c in _LAYOUT if c not in (element, separators.component))
    terminator = separators.segment
    start = _start_of_isa(text)
    known_ids: set[str] = set()  # ids already checked: a file uses a few dozen, many times
    number = 0
    while True:
        # One segment at a time (not text.split): an 835 of 10,000 claims would hold
        # 170,000 pieces at once.
        end = text.find(terminator, start)
        if end < 0:
            break
        raw = text[start:end].strip(layout)
        start = end + 1
        number += 1
        if not raw:
            raise X12Error("an empty segment (two terminators in a row)", number)
        parts = raw.split(element)
        seg_id = parts[0]
        if seg_id not in known_ids:
            if not _SEGMENT_ID.match(seg_id):
                raise X12Error(
                    f"{seg_id[:4]!r}... is not a segment id; are the separators the ISA "
                    f"declares ({element} {separators.component} {separators.segment}) used?",
                    number,
                )
            known_ids.add(seg_id)
        yield Segment(seg_id, tuple(parts[1:]), number, separators)
    tail = text[start:].strip(layout)  # what follows the last terminator
    if tail:
        seg_id = tail.split(element, 1)[0]
        raise X12Error(
            "the file ends in the middle of a segment (no terminator): truncated?",
            number + 1,
            seg_id if _SEGMENT_ID.match(seg_id) else "",
        )


# --------------------------------------------------------------------------- envelopes


@dataclass(frozen=True, slots=True)
class Transaction:
    """One ST..SE transaction set, with what its envelopes say about it."""

    header: Segment  # ST
    segments: tuple[Segment, ...]  # between ST and SE, both excluded
    trailer: Segment  # SE
    group: Segment = field(repr=False)  # its GS
    interchange: Segment = field(repr=False)  # its ISA

    @property
    def set_id(self) -> str:
        return self.header.get(1)

    @property
    def control_number(self) -> str:
        return self.header.get(2)

    @property
    def version(self) -> str:
        """The implementation guide: ST03, else GS08 (e.g. 005010X279A1)."""
        return self.header.get(3) or self.group.get(8)


@dataclass(frozen=True, slots=True)
class Interchange:
    header: Segment  # ISA
    transactions: tuple[Transaction, ...]
    groups: int

    @property
    def control_number(self) -> str:
        return self.header.get(13)

    @property
    def sender(self) -> str:
        return self.header.get(6).strip()

    @property
    def receiver(self) -> str:
        return self.header.get(8).strip()

    @property
    def test(self) -> bool:
        return self.header.get(15) == "T"


class TransactionConsumer(Protocol):
    """Reads one transaction's body as it goes by (see read_consumed)."""

    def feed(self, segment: Segment) -> None: ...

    def finish(self) -> object: ...


def read_interchanges(text: str) -> list[Interchange]:
    """Every interchange in the text (usually one), envelopes checked; X12Error if malformed."""
    reader = _EnvelopeReader()
    for segment in read_segments(text):
        reader.feed(segment)
    return reader.finish()


def read_consumed(
    text: str, consumer: Callable[[Segment, Segment, Segment], TransactionConsumer]
) -> list:
    """Each transaction's body fed, segment by segment, to consumer(ST, GS, ISA) instead
    of being kept: what each consumer's finish() made, in order, once the envelopes
    checked out. For big files (an 835 of 10,000 claims is 170,000 segments)."""
    reader = _EnvelopeReader(consumer)
    for segment in read_segments(text):
        reader.feed(segment)
    reader.finish()
    return reader.consumed


def read_transactions(text: str, set_id: str | None = None) -> Iterator[Transaction]:
    """Every transaction in the text (only those whose ST01 is set_id, when given)."""
    for interchange in read_interchanges(text):
        for transaction in interchange.transactions:
            if set_id is None or transaction.set_id == set_id:
                yield transaction


class _EnvelopeReader:
    """Checks the ISA/GS/ST nesting, control numbers and counts as the segments go by."""

    def __init__(self, consumer=None) -> None:
        self.consumer = consumer
        self.current = None  # the consumer of the open transaction
        self.count = 0  # segments fed to it
        self.consumed: list = []
        self.done: list[Interchange] = []
        self.isa: Segment | None = None
        self.gs: Segment | None = None
        self.st: Segment | None = None
        self.body: list[Segment] = []
        self.transactions: list[Transaction] = []
        self.in_group = 0  # transactions in the open group
        self.groups = 0
        self.last: Segment | None = None
        self.envelope = {
            "ISA": self._isa,
            "IEA": self._iea,
            "GS": self._gs,
            "GE": self._ge,
            "ST": self._st,
            "SE": self._se,
        }

    def feed(self, segment: Segment) -> None:
        self.last = segment
        handler = self.envelope.get(segment.id)
        if handler is not None:
            handler(segment)
        elif self.current is not None:
            self.current.feed(segment)
            self.count += 1
        elif self.st is not None:
            self.body.append(segment)
        elif segment.id == "TA1" and self.isa is not None and self.gs is None:
            pass  # an interchange acknowledgment riding along: not a transaction's business
        else:
            raise segment.error("a segment outside any transaction (ST .. SE)")

    def _isa(self, segment: Segment) -> None:
        if self.isa is not None:
            raise segment.error("an ISA inside an interchange: the IEA before it is missing")
        if len(segment.elements) != ISA_ELEMENTS:
            raise segment.error(f"the ISA has {len(segment.elements)} elements, not 16")
        control = segment.get(13)
        if not (len(control) == 9 and control.isascii() and control.isdigit()):
            raise segment.error(f"ISA13 {control!r} is not a 9-digit control number")
        self.isa, self.groups, self.transactions = segment, 0, []

    def _iea(self, segment: Segment) -> None:
        if self.isa is None or self.gs is not None:
            raise segment.error("an IEA without its ISA, or before the GE of a group")
        if segment.get(2) != self.isa.get(13):
            raise segment.error(f"IEA02 {segment.get(2)!r} is not ISA13 {self.isa.get(13)!r}")
        _count(segment, 1, self.groups, "functional groups")
        self.done.append(Interchange(self.isa, tuple(self.transactions), self.groups))
        self.isa = None

    def _gs(self, segment: Segment) -> None:
        if self.isa is None or self.gs is not None:
            raise segment.error("a GS outside an interchange, or before the GE of a group")
        if not _CONTROL.match(segment.get(6)):
            raise segment.error(f"GS06 {segment.get(6)!r} is not a control number")
        self.gs, self.in_group = segment, 0
        self.groups += 1

    def _ge(self, segment: Segment) -> None:
        if self.gs is None or self.st is not None:
            raise segment.error("a GE without its GS, or before the SE of a transaction")
        if segment.get(2) != self.gs.get(6):
            raise segment.error(f"GE02 {segment.get(2)!r} is not GS06 {self.gs.get(6)!r}")
        _count(segment, 1, self.in_group, "transactions")
        self.gs = None

    def _st(self, segment: Segment) -> None:
        if self.gs is None or self.st is not None:
            raise segment.error("an ST outside a group, or before the SE of a transaction")
        segment.require(1, "transaction set id")
        segment.require(2, "control number")
        self.st, self.body, self.count = segment, [], 0
        if self.consumer is not None:
            self.current = self.consumer(segment, self.gs, self.isa)

    def _se(self, segment: Segment) -> None:
        if self.st is None or self.gs is None or self.isa is None:
            raise segment.error("an SE without its ST")
        if segment.get(2) != self.st.get(2):
            raise segment.error(f"SE02 {segment.get(2)!r} is not ST02 {self.st.get(2)!r}")
        _count(segment, 1, len(self.body) + self.count + 2, "segments from ST to SE")
        if self.current is not None:
            self.consumed.append(self.current.finish())
            self.current = None
        self.transactions.append(Transaction(self.st, tuple(self.body), segment, self.gs, self.isa))
        self.in_group += 1
        self.st = None

    def finish(self) -> list[Interchange]:
        if self.isa is not None or not self.done:
            number = self.last.number if self.last else 1
            raise X12Error(
                "the file ends after this segment, before the interchange's IEA: truncated?",
                number,
                self.last.id if self.last else "",
            )
        return self.done


def _count(segment: Segment, position: int, actual: int, what: str) -> None:
    declared = segment.get(position)
    if declared != str(actual):
        raise segment.error(
            f"{segment.id}{position:02d} says {declared!r} {what}, there are {actual}"
        )
