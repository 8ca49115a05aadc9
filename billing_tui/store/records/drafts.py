"""What callers hand the Store to create: patients, coverages, claims and their lines, ledger entries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


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
    mrn: str | None = None  # the EHR's medical record number (HL7 PID-3), when it sends one


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
