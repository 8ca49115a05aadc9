"""The claim editor's fields as plain data: read what was typed into a draft for the Store and
into ClaimFacts for the scrubber. No Textual here, so the rules of each field test plainly.

Reading is lenient for the scrubber (a date that cannot be read is "no date",
and the scrubber says so) and strict for saving (FieldProblem names the field
and says what to type instead).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..domain import icd10
from ..domain.codes import is_procedure_code, place_of_service_name
from ..domain.dates import DateError, parse_date
from ..domain.money import MoneyError, parse_cents
from ..domain.scrubber import ClaimFacts, LineFacts
from ..store.claim_scrubbing import coverage_facts, person_facts, provider_facts
from ..store.records import (
    BillingProviderRecord,
    ClaimDraft,
    CoverageDetail,
    FeeRecord,
    LineDraft,
    PatientRecord,
    ProviderRecord,
    ReferringRecord,
)

MAX_DIAGNOSES = 12
MAX_LINES = 50
POINTER_LETTERS = "ABCDEFGHIJKL"  # the CMS-1500 writes pointers as letters A-L
_SEPARATORS = re.compile(r"[\s,;/+]+")
_ORIGINAL = re.compile(r"^[A-Za-z0-9\-]{1,50}$", re.ASCII)


class FieldProblem(ValueError):
    """A field that cannot be read; `field` is the scrubber's name for it (line.2.dos)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# --------------------------------------------------------------------------- one field each


def read_dos(text: str, today: dt.date) -> dt.date:
    """A date of service: 112426, 11/24/26 or 2026-11-24 (DateError otherwise)."""
    return parse_date(text, today=today)


def read_code(text: str) -> str:
    """A CPT/HCPCS code, upper case; ValueError when it is not shaped like one."""
    code = text.strip().upper()
    if not is_procedure_code(code):
        raise ValueError(f"{code[:8]!r} is not a CPT or HCPCS code (99213, G2012, 0001F)")
    return code


def read_modifiers(text: str) -> tuple[str, ...]:
    """Up to 4 two-character modifiers, apart or run together: "25 95", "25,95", "2595"."""
    found: list[str] = []
    for token in _SEPARATORS.split(text.strip().upper()):
        if not token:
            continue
        if len(token) > 2 and len(token) % 2 == 0 and token.isalnum():
            found.extend(token[i : i + 2] for i in range(0, len(token), 2))
        else:
            found.append(token)
    for modifier in found:
        if len(modifier) != 2 or not (modifier.isascii() and modifier.isalnum()):
            raise ValueError(f"modifier {modifier[:6]!r} must be two letters or digits")
    if len(found) > 4:
        raise ValueError(f"at most 4 modifiers ({len(found)} typed)")
    return tuple(found)


def parse_pointers(text: str, diagnoses: int) -> tuple[int, ...]:
    """Diagnosis pointers as typed: "1,2", "1 2", letters "AB", or "12" for 1 and 2 while the
    claim has at most 9 diagnoses (with 10 or more, "12" is pointer 12). Not range-checked."""
    pointers: list[int] = []
    for token in _SEPARATORS.split(text.strip().upper()):
        if not token:
            continue
        if token.isascii() and token.isalpha():
            for letter in token:
                if letter not in POINTER_LETTERS:
                    raise ValueError(f"pointer {letter!r}: use 1-12 or A-L")
                pointers.append(POINTER_LETTERS.index(letter) + 1)
        elif token.isascii() and token.isdigit():
            if len(token) > 1 and diagnoses <= 9:
                pointers.extend(int(digit) for digit in token)
            else:
                pointers.append(int(token))
        else:
            raise ValueError(f"pointer {token[:6]!r}: use 1-12 or A-L, e.g. 1,2")
    return tuple(pointers)


def read_pointers(text: str, diagnoses: int) -> tuple[int, ...]:
    """Up to 4 pointers, each naming one of the claim's diagnoses."""
    pointers = parse_pointers(text, diagnoses)
    if len(pointers) > 4:
        raise ValueError(f"at most 4 pointers ({len(pointers)} typed)")
    if len(set(pointers)) != len(pointers):
        raise ValueError("a pointer is typed twice")
    for pointer in pointers:
        if not 1 <= pointer <= max(diagnoses, 1):
            if diagnoses == 0:
                raise ValueError("enter the diagnoses first: pointers point at them")
            raise ValueError(f"pointer {pointer}: the claim has {diagnoses} diagnoses")
    return tuple(pointers)


def read_units(text: str) -> int:
    raw = text.strip()
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 9999:
        raise ValueError(f"units {raw[:8]!r}: a whole number from 1 to 9999")
    return int(raw)


def read_charge(text: str) -> int:
    """Cents; more than zero."""
    try:
        cents = parse_cents(text)
    except MoneyError as error:
        raise ValueError(str(error)) from None
    if cents <= 0:
        raise ValueError("the charge must be more than 0.00")
    if cents >= 100_000_000:
        raise ValueError("a line's charge is under 1,000,000.00")
    return cents


def read_diagnosis(text: str) -> str:
    """A billable ICD-10-CM code, without its dot; ValueError with what is wrong."""
    code = icd10.normalize(text)
    if icd10.is_billable(code):
        return code
    if icd10.exists(code):
        more = [c for c, _ in icd10.suggest(code, 3)]
        hint = f": pick a more specific one ({', '.join(more)})" if more else ""
        raise ValueError(f"{icd10.display(code)} is not billable{hint}")
    raise ValueError(f"{text.strip()[:12]!r} is not an ICD-10-CM code")


def read_pos(text: str) -> str:
    code = text.strip()
    if place_of_service_name(code) is None:
        raise ValueError(f"{code[:4]!r} is not a place of service (11 office, 02, 10 telehealth)")
    return code


def read_frequency(text: str) -> str:
    code = text.strip()
    if code not in ("1", "7", "8"):
        raise ValueError("frequency is 1 (original), 7 (replacement) or 8 (void)")
    return code


def read_original(text: str, frequency: str) -> str | None:
    number = text.strip().upper()
    if not number:
        if frequency in ("7", "8"):
            raise ValueError("a replacement or void needs the payer's original claim number")
        return None
    if not _ORIGINAL.match(number):
        raise ValueError("the original claim number takes letters, digits and hyphens")
    return number


def read_prior_auth(text: str) -> str | None:
    number = text.strip().upper()
    if number and not _ORIGINAL.match(number):
        raise ValueError("the prior authorization takes letters, digits and hyphens")
    return number or None


# --------------------------------------------------------------------------- lines


@dataclass
class LineText:
    """One service line as typed."""

    dos: str = ""
    code: str = ""
    modifiers: str = ""
    pointers: str = "1"
    units: str = "1"
    charge: str = ""

    @property
    def blank(self) -> bool:
        """Nothing typed but the defaults: left out of the claim."""
        return not self.code.strip() and not self.charge.strip()


LINE_PARTS = ("dos", "code", "modifiers", "pointers", "units", "charge")


def line_problem(text: LineText, part: str, diagnoses: int, today: dt.date) -> str | None:
    """What is wrong with one field of a line, or None."""
    value = getattr(text, part)
    try:
        if part == "dos":
            read_dos(value, today)
        elif part == "code":
            read_code(value)
        elif part == "modifiers":
            read_modifiers(value)
        elif part == "pointers":
            read_pointers(value, diagnoses)
        elif part == "units":
            read_units(value)
        elif part == "charge":
            read_charge(value)
    except (ValueError, DateError) as error:
        return str(error)
    return None


def line_facts(text: LineText, diagnoses: int, today: dt.date) -> LineFacts:
    """The line as the scrubber sees it: what cannot be read is empty or zero."""
    dos = _lenient(lambda: read_dos(text.dos, today), None)
    try:
        modifiers = read_modifiers(text.modifiers)
    except ValueError:
        modifiers = tuple(text.modifiers.upper().split())
    return LineFacts(
        dos_from=dos,
        dos_to=dos,
        code=text.code.strip().upper(),
        modifiers=modifiers,
        pointers=_lenient(lambda: parse_pointers(text.pointers, diagnoses), ()),
        units=_lenient(lambda: read_units(text.units), 0),
        charge=charge_cents(text.charge),
    )


def charge_cents(text: str) -> int:
    """The charge as typed, 0 when it cannot be read (the totals add what they can)."""
    return _lenient(lambda: parse_cents(text), 0)


def _lenient(read, default):
    try:
        return read()
    except (ValueError, DateError):
        return default


def line_draft(text: LineText, number: int, diagnoses: int, today: dt.date) -> LineDraft:
    """The line for the Store; FieldProblem names the first field that cannot be read."""
    for part in LINE_PARTS:
        problem = line_problem(text, part, diagnoses, today)
        if problem:
            raise FieldProblem(f"line.{number}.{part}", f"Line {number}: {problem}")
    dos = read_dos(text.dos, today)
    return LineDraft(
        dos_from=dos,
        dos_to=dos,
        code=read_code(text.code),
        modifiers=read_modifiers(text.modifiers),
        pointers=read_pointers(text.pointers, diagnoses),
        units=read_units(text.units),
        charge=read_charge(text.charge),
    )


def fee_for(
    fees: Mapping[tuple[str, str], FeeRecord], code: str, modifiers: Sequence[str]
) -> FeeRecord | None:
    """The fee schedule's row for a code: priced with one of its modifiers if there is such a
    row (telehealth 95 rows), else the plain one; None for a code not in the schedule."""
    code = code.strip().upper()
    for modifier in modifiers:
        found = fees.get((code, modifier.upper()))
        if found is not None:
            return found
    return fees.get((code, ""))


# --------------------------------------------------------------------------- the header


@dataclass(frozen=True)
class Header:
    """The header as picked and typed (the typed parts still as text)."""

    coverage: CoverageDetail | None
    billing: BillingProviderRecord | None
    rendering: ProviderRecord | None
    supervising: ProviderRecord | None
    referring: ReferringRecord | None
    pos: str = "11"
    frequency: str = "1"
    original: str = ""
    prior_auth: str = ""


def header_problem(header: Header, part: str) -> str | None:
    try:
        if part == "pos":
            read_pos(header.pos)
        elif part == "frequency":
            read_frequency(header.frequency)
        elif part == "original":
            read_original(header.original, header.frequency.strip())
        elif part == "prior_auth":
            read_prior_auth(header.prior_auth)
        elif part == "billing" and header.billing is None:
            return "choose the billing provider"
        elif part == "rendering" and header.rendering is None:
            return "choose the rendering provider"
    except ValueError as error:
        return str(error)
    return None


HEADER_PARTS = ("billing", "rendering", "pos", "frequency", "original", "prior_auth")


# --------------------------------------------------------------------------- the whole claim


@dataclass(frozen=True)
class Form:
    """Everything on the editor's screen, as typed."""

    patient: PatientRecord
    header: Header
    diagnoses: tuple[str, ...]  # as typed, one per field (blanks included)
    lines: tuple[LineText, ...]

    @property
    def used_diagnoses(self) -> tuple[str, ...]:
        """The diagnosis fields up to the last one filled (a blank before it stays, and is
        flagged: the pointers count positions as the screen shows them)."""
        filled = [i for i, text in enumerate(self.diagnoses) if text.strip()]
        return self.diagnoses[: filled[-1] + 1] if filled else ()

    @property
    def used_lines(self) -> list[tuple[int, LineText]]:
        """(line number as shown, text) of every line that is not blank."""
        return [(n, text) for n, text in enumerate(self.lines, start=1) if not text.blank]

    def total(self) -> int:
        return sum(charge_cents(text.charge) for _, text in self.used_lines)


def draft(form: Form, today: dt.date) -> ClaimDraft:
    """The claim for the Store; FieldProblem for the first field that cannot be read."""
    header = form.header
    for part in HEADER_PARTS:
        problem = header_problem(header, part)
        if problem:
            raise FieldProblem(f"header.{part}", problem[0].upper() + problem[1:])
    diagnoses = []
    for n, text in enumerate(form.used_diagnoses, start=1):
        if not text.strip():
            raise FieldProblem(f"dx.{n}", f"Diagnosis {n} is blank: fill it or delete it (ctrl+y)")
        try:
            diagnoses.append(read_diagnosis(text))
        except ValueError as error:
            raise FieldProblem(f"dx.{n}", f"Diagnosis {n}: {error}") from None
    used = form.used_lines
    if not used:
        raise FieldProblem("line.1.code", "Type at least one service line")
    lines = tuple(line_draft(text, n, len(diagnoses), today) for n, text in used)
    assert header.billing is not None and header.rendering is not None  # checked above
    frequency = read_frequency(header.frequency)
    return ClaimDraft(
        patient_id=form.patient.id,
        billing_provider_id=header.billing.id,
        rendering_provider_id=header.rendering.id,
        place_of_service=read_pos(header.pos),
        lines=lines,
        diagnoses=tuple(diagnoses),
        coverage_id=header.coverage.id if header.coverage else None,
        supervising_provider_id=header.supervising.id if header.supervising else None,
        referring_provider_id=header.referring.id if header.referring else None,
        frequency=frequency,
        original_claim_number=read_original(header.original, frequency),
        prior_authorization=read_prior_auth(header.prior_auth),
    )


@dataclass(frozen=True)
class Reference:
    """What the scrubber needs beyond the form: the fee schedule's codes, what other claims
    already bill, and when this claim first went out."""

    known_codes: frozenset[str] = frozenset()
    already_billed: frozenset[tuple[dt.date, str]] = frozenset()
    first_billed: dt.date | None = None


def facts(form: Form, reference: Reference, today: dt.date) -> ClaimFacts:
    """The claim as the scrubber reads it, from what is on screen."""
    header = form.header
    diagnoses = form.used_diagnoses
    lines = tuple(line_facts(text, len(diagnoses), today) for _, text in form.used_lines)
    return ClaimFacts(
        patient=person_facts(form.patient),
        coverage=coverage_facts(header.coverage) if header.coverage else None,
        billing_npi=header.billing.npi if header.billing else "",
        rendering=provider_facts(header.rendering),
        supervising=provider_facts(header.supervising),
        referring_npi=header.referring.npi if header.referring else None,
        place_of_service=header.pos.strip(),
        frequency=header.frequency.strip(),
        original_claim_number=header.original.strip() or None,
        diagnoses=tuple(text.strip() for text in diagnoses),
        lines=lines,
        total=sum(line.charge for line in lines),
        known_codes=reference.known_codes,
        already_billed=reference.already_billed,
        first_billed=reference.first_billed,
    )


def screen_field(finding_field: str, used_lines: Sequence[int]) -> str:
    """A finding's field in screen terms: the scrubber counts the lines it was given (blank
    ones left out), the screen counts every row."""
    kind, _, rest = finding_field.partition(".")
    if kind != "line":
        return finding_field
    number, _, part = rest.partition(".")
    index = int(number) - 1
    if 0 <= index < len(used_lines):
        return f"line.{used_lines[index]}.{part}"
    return f"line.{len(used_lines) + 1}.{part}" if index >= 0 else finding_field
