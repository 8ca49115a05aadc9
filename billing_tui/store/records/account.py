"""An account as the account screen shows it: demographics, coverages, ledger, claims, notes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ...domain.queue import Flag


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
    plan_next_due: dt.date | None = None  # the active payment plan's next instalment
