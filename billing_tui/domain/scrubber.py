"""The claim scrubber: rules as data, checked before a claim may be ready, exported or printed.

Each rule has an id, a severity (an error blocks "ready"; a warning does not),
a message and the field it points at, so the editor can show it live and jump
there. The scrubber reads ClaimFacts, a plain picture of the claim that the
store builds from a saved claim and the editor from what is on screen.

Field names (what Finding.field holds, and what the editor jumps to):
  header.coverage, header.billing, header.rendering, header.supervising,
  header.referring, header.pos, header.frequency, header.original,
  header.prior_auth, patient, subscriber, dx.N (1-based), line.N.dos,
  line.N.code, line.N.modifiers, line.N.pointers, line.N.units, line.N.charge,
  claim.total
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"  # blocks ready, export and printing
    WARNING = "warning"  # shown, does not block


@dataclass(frozen=True, slots=True)
class Rule:
    id: str  # stable, e.g. "NPI-CHECK"; tests and the README refer to it
    severity: Severity
    message: str  # a template; format fields are filled per finding
    field: str  # the field it points at (a template too: "line.{line}.code")


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    severity: Severity
    message: str
    field: str

    @property
    def blocks(self) -> bool:
        return self.severity is Severity.ERROR


@dataclass(frozen=True, slots=True)
class PersonFacts:
    first_name: str
    last_name: str
    dob: dt.date | None
    sex: str
    address1: str
    city: str
    state: str
    zip: str


@dataclass(frozen=True, slots=True)
class ProviderFacts:
    npi: str
    credential: str  # MD, DO, NP, PA, LCSW, ...
    name: str


@dataclass(frozen=True, slots=True)
class CoverageFacts:
    payer_name: str
    payer_kind: str  # medicare, medicaid, commercial, self_pay
    timely_filing_days: int
    member_id: str
    relationship: str  # 18 self, 01 spouse, 19 child, G8 other
    subscriber: PersonFacts
    start_date: dt.date
    end_date: dt.date | None


@dataclass(frozen=True, slots=True)
class LineFacts:
    dos_from: dt.date | None  # None: not typed yet, or not a date
    dos_to: dt.date | None
    code: str
    modifiers: tuple[str, ...]
    pointers: tuple[int, ...]
    units: int
    charge: int  # cents


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """Everything the rules look at; no database behind it."""

    patient: PersonFacts
    coverage: CoverageFacts | None  # None: self-pay
    billing_npi: str
    rendering: ProviderFacts | None
    supervising: ProviderFacts | None
    referring_npi: str | None
    place_of_service: str
    frequency: str
    original_claim_number: str | None
    diagnoses: tuple[str, ...]  # as typed (with or without the dot)
    lines: tuple[LineFacts, ...]
    total: int  # the claim's charge as stored or shown (checked against the lines)
    known_codes: frozenset[str]  # CPT/HCPCS codes in the fee schedule
    already_billed: frozenset[tuple[dt.date, str]]  # (DOS, code) on other live claims
    first_billed: dt.date | None = None  # when it first went out (timely filing counts to it)


# def scrub(facts: ClaimFacts, today: dt.date) -> tuple[Finding, ...]
#     every finding, errors first, in field order (written with the rules, below)
