"""What the Store hands to screens and the CLI: plain, frozen dataclasses, no peewee rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..domain.queue import Flag


@dataclass(frozen=True, slots=True)
class PayerRecord:
    id: int
    name: str
    payer_code: str
    kind: str
    timely_filing_days: int


@dataclass(frozen=True, slots=True)
class QueueRow:
    patient_id: int
    account_number: str
    last_name: str
    first_name: str
    dob: dt.date
    primary_payer: str
    insurance_balance: int
    patient_balance: int
    oldest_open_dos: dt.date | None
    age_bucket: str
    last_payment_date: dt.date | None
    next_follow_up: dt.date | None
    follow_up_due: bool
    flags: tuple[Flag, ...]

    @property
    def name(self) -> str:
        return f"{self.last_name}, {self.first_name}"

    @property
    def total_balance(self) -> int:
        return self.insurance_balance + self.patient_balance


@dataclass(frozen=True, slots=True)
class QueueCursor:
    """Where a page ended: the segment of the query and the sort key of its last row."""

    segment: int
    key: tuple


@dataclass(frozen=True, slots=True)
class QueuePage:
    rows: tuple[QueueRow, ...]
    next_cursor: QueueCursor | None  # None: nothing after this page


@dataclass(frozen=True, slots=True)
class GuarantorRecord:
    first_name: str
    last_name: str
    relationship: str
    address: str
    phone: str


@dataclass(frozen=True, slots=True)
class PatientRecord:
    id: int
    account_number: str
    first_name: str
    middle_name: str
    last_name: str
    dob: dt.date
    sex: str
    address1: str
    address2: str
    city: str
    state: str
    zip: str
    phone: str
    email: str
    contact_preference: str
    version: int
    guarantor: GuarantorRecord | None = None

    @property
    def name(self) -> str:
        middle = f" {self.middle_name[:1]}." if self.middle_name else ""
        return f"{self.last_name}, {self.first_name}{middle}"

    @property
    def address(self) -> str:
        street = ", ".join(part for part in (self.address1, self.address2) if part)
        return f"{street}, {self.city}, {self.state} {self.zip[:5]}"


@dataclass(frozen=True, slots=True)
class CoverageRecord:
    id: int
    priority: int
    payer_id: int
    payer_name: str
    member_id: str
    group_number: str
    relationship: str
    subscriber_name: str
    start_date: dt.date
    end_date: dt.date | None
    copay: int
    deductible: int
    deductible_met: int
    coinsurance_bp: int
    oop_max: int
    verified_at: dt.datetime | None
    verified_by: str
    verified_how: str
    verification_result: str
    active: bool


@dataclass(frozen=True, slots=True)
class LedgerLine:
    """One posted entry with the balances as they stood after it."""

    id: int
    posted_at: dt.datetime
    effective_date: dt.date
    kind: str
    claim_number: str
    description: str
    insurance_delta: int
    patient_delta: int
    insurance_balance: int
    patient_balance: int
    reverses: int | None
    reversed_by: int | None


@dataclass(frozen=True, slots=True)
class ClaimRow:
    id: int
    claim_number: str
    first_dos: dt.date
    status: str
    payer_name: str
    rendering: str
    charge: int
    insurance_balance: int
    patient_balance: int


@dataclass(frozen=True, slots=True)
class NoteRecord:
    id: int
    created_at: dt.datetime
    author: str
    kind: str
    direction: str
    outcome: str
    text: str
    follow_up: dt.date | None
    assignee: str
    done: bool


@dataclass(frozen=True, slots=True)
class AccountView:
    patient: PatientRecord
    insurance_balance: int
    patient_balance: int
    flags: tuple[Flag, ...]
    next_follow_up: dt.date | None
    coverages: tuple[CoverageRecord, ...]
    ledger: tuple[LedgerLine, ...]
    claims: tuple[ClaimRow, ...]
    notes: tuple[NoteRecord, ...]


@dataclass(frozen=True, slots=True)
class EntryDraft:
    """A ledger entry to post; deltas in cents, signed as domain.ledger describes."""

    patient_id: int
    kind: str
    insurance_delta: int = 0
    patient_delta: int = 0
    effective_date: dt.date | None = None
    claim_id: int | None = None
    service_line_id: int | None = None
    payment_id: int | None = None
    batch_id: int | None = None
    group_code: str = ""
    reason_code: str = ""
    remark_codes: str = ""
    memo: str = ""


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken invariant found by `billing-tui verify`."""

    check: str
    entity: str
    entity_id: int | None
    detail: str


@dataclass(frozen=True, slots=True)
class VerifyReport:
    violations: tuple[Violation, ...]
    counted: dict[str, int] = field(default_factory=dict)
    truncated: int = 0  # violations found beyond those listed

    @property
    def ok(self) -> bool:
        return not self.violations


@dataclass(frozen=True, slots=True)
class LineDraft:
    dos_from: dt.date
    code: str
    charge: int  # cents, for all units
    units: int = 1
    dos_to: dt.date | None = None
    modifiers: tuple[str, ...] = ()
    pointers: tuple[int, ...] = (1,)
    ndc: str | None = None


@dataclass(frozen=True, slots=True)
class ClaimDraft:
    patient_id: int
    billing_provider_id: int
    rendering_provider_id: int
    place_of_service: str
    lines: tuple[LineDraft, ...]
    diagnoses: tuple[str, ...] = ()
    coverage_id: int | None = None  # None: self-pay
    supervising_provider_id: int | None = None
    referring_provider_id: int | None = None
    frequency: str = "1"
    original_claim_number: str | None = None
    prior_authorization: str | None = None


@dataclass(frozen=True, slots=True)
class PatientDraft:
    first_name: str
    last_name: str
    dob: dt.date
    sex: str
    address1: str
    city: str
    state: str
    zip: str
    middle_name: str = ""
    address2: str = ""
    phone: str = ""
    email: str = ""
    contact_preference: str = "mail"
    account_number: str | None = None  # None: the next free number


@dataclass(frozen=True, slots=True)
class CoverageDraft:
    patient_id: int
    payer_id: int
    member_id: str
    start_date: dt.date
    priority: int = 1
    group_number: str = ""
    relationship: str = "18"
    subscriber_first: str = ""  # '' with relationship 18: the patient
    subscriber_last: str = ""
    subscriber_dob: dt.date | None = None
    end_date: dt.date | None = None
    copay: int = 0
    deductible: int = 0
    coinsurance_bp: int = 0
    oop_max: int = 0
