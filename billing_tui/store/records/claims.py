"""A claim in full, as the editor, the scrubber, the 837P writer and the CMS-1500 read it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .account import PatientRecord


@dataclass(frozen=True, slots=True)
class Address:
    line1: str
    line2: str
    city: str
    state: str
    zip: str


@dataclass(frozen=True, slots=True)
class BillingProviderRecord:
    id: int
    name: str
    npi: str
    ein: str
    taxonomy: str
    address: Address
    phone: str


@dataclass(frozen=True, slots=True)
class ProviderRecord:
    """A rendering or supervising provider."""

    id: int
    first_name: str
    last_name: str
    credential: str
    npi: str
    taxonomy: str
    supervising_id: int | None
    active: bool = True

    @property
    def name(self) -> str:
        return f"{self.last_name}, {self.first_name} {self.credential}".strip()


@dataclass(frozen=True, slots=True)
class ReferringRecord:
    id: int
    first_name: str
    last_name: str
    npi: str

    @property
    def name(self) -> str:
        return f"{self.last_name}, {self.first_name}"


@dataclass(frozen=True, slots=True)
class PayerDetail:
    id: int
    name: str
    payer_code: str
    kind: str  # medicare, medicaid, commercial, self_pay
    timely_filing_days: int
    address: Address


@dataclass(frozen=True, slots=True)
class CoverageDetail:
    id: int
    priority: int
    payer: PayerDetail
    member_id: str
    group_number: str
    relationship: str  # X12: 18 self, 01 spouse, 19 child, G8 other
    subscriber_first: str
    subscriber_last: str
    subscriber_dob: dt.date | None
    subscriber_sex: str
    subscriber_address: Address
    start_date: dt.date
    end_date: dt.date | None
    copay: int
    deductible: int
    deductible_met: int
    coinsurance_bp: int
    oop_max: int
    verified_at: dt.datetime | None
    active: bool


@dataclass(frozen=True, slots=True)
class ClaimLine:
    id: int
    line_number: int
    dos_from: dt.date
    dos_to: dt.date
    code: str
    modifiers: tuple[str, ...]
    pointers: tuple[int, ...]
    units: int
    charge: int
    line_control_number: str
    ndc: str | None


@dataclass(frozen=True, slots=True)
class LineAdjudication:
    """What an earlier payer did with one line: for the next payer's COB loops (2430)."""

    line_number: int
    code: str
    modifiers: tuple[str, ...]
    units: int
    paid: int
    adjustments: tuple[tuple[str, str, int], ...]  # (group, CARC, cents), as CAS carries them


@dataclass(frozen=True, slots=True)
class PriorPayer:
    """The primary's adjudication that a secondary claim reports (2320/2330B/2430)."""

    claim_id: int
    coverage: CoverageDetail
    paid: int
    paid_date: dt.date | None
    claim_adjustments: tuple[tuple[str, str, int], ...]
    lines: tuple[LineAdjudication, ...]

    @property
    def patient_responsibility(self) -> int:
        return sum(
            amount for line in self.lines for group, _, amount in line.adjustments if group == "PR"
        ) + sum(amount for group, _, amount in self.claim_adjustments if group == "PR")


@dataclass(frozen=True, slots=True)
class StatusChangeRecord:
    at: dt.datetime
    from_status: str | None
    to_status: str
    user: str
    reason: str


@dataclass(frozen=True, slots=True)
class ClaimDetail:
    id: int
    claim_number: str
    status: str
    version: int
    patient: PatientRecord
    coverage: CoverageDetail | None  # None: self-pay
    billing_provider: BillingProviderRecord
    rendering: ProviderRecord
    supervising: ProviderRecord | None
    referring: ReferringRecord | None
    place_of_service: str
    frequency: str
    original_claim_number: str | None
    payer_claim_number: str | None
    prior_authorization: str | None
    diagnoses: tuple[str, ...]  # ICD-10-CM without dots, in pointer order
    lines: tuple[ClaimLine, ...]
    charge: int
    insurance_balance: int
    patient_balance: int
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    history: tuple[StatusChangeRecord, ...]
    primary_claim_id: int | None = None
    prior_payers: tuple[PriorPayer, ...] = ()

    @property
    def first_dos(self) -> dt.date:
        return min(line.dos_from for line in self.lines)

    @property
    def line_total(self) -> int:
        return sum(line.charge for line in self.lines)


@dataclass(frozen=True, slots=True)
class FeeRecord:
    code: str
    modifier: str
    description: str
    charge: int


@dataclass(frozen=True, slots=True)
class ClaimChoices:
    """What the editor offers to pick from: providers, referrers, and the account's coverages."""

    billing_providers: tuple[BillingProviderRecord, ...]
    providers: tuple[ProviderRecord, ...]
    referring: tuple[ReferringRecord, ...]
    coverages: tuple[CoverageDetail, ...]
