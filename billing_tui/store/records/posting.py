"""Payment posting as the posting screens and the CLI see it: batches, claims to post,
payments, worklists, and what an 835 import did."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class BatchDraft:
    """A batch to open: an insurance check or EFT, or a day's patient payments."""

    kind: str  # insurance, patient
    deposit_date: dt.date
    control_total: int  # cents, typed from the paper
    payer_id: int | None = None
    method: str = "check"  # check, eft (insurance); mixed (patient)
    check_number: str = ""


@dataclass(frozen=True, slots=True)
class BatchView:
    id: int
    kind: str
    source: str  # manual, era
    payer_id: int | None
    payer: str
    method: str
    check_number: str
    deposit_date: dt.date
    control_total: int
    posted: int  # applied to accounts, net of provider-level adjustments
    status: str  # open, closed
    version: int
    claims: int = 0
    payments: int = 0

    @property
    def unapplied(self) -> int:
        """Money received and not yet posted to an account (negative: posted too much)."""
        return self.control_total - self.posted

    @property
    def balanced(self) -> bool:
        return self.unapplied == 0


@dataclass(frozen=True, slots=True)
class PostingLine:
    """A service line as the posting screen shows it: its charge and what is still open."""

    id: int
    line_number: int
    dos: dt.date
    code: str
    modifiers: tuple[str, ...]
    units: int
    charge: int
    insurance_balance: int
    patient_balance: int


@dataclass(frozen=True, slots=True)
class ClaimToPost:
    id: int
    claim_number: str
    patient_id: int
    account_number: str
    patient_name: str
    payer: str
    status: str
    first_dos: dt.date
    charge: int
    insurance_balance: int
    patient_balance: int
    version: int
    secondary: bool
    lines: tuple[PostingLine, ...] = ()


@dataclass(frozen=True, slots=True)
class LinePosting:
    """What a paper EOB says for one line. Adjustments are (group, CARC, cents)."""

    line_id: int
    paid: int
    adjustments: tuple[tuple[str, str, int], ...] = ()
    remarks: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EobPosting:
    """One claim of a paper EOB: its lines, or a denial with its reasons."""

    claim_id: int
    lines: tuple[LinePosting, ...] = ()
    claim_adjustments: tuple[tuple[str, str, int], ...] = ()
    denied: bool = False
    denial_reasons: tuple[str, ...] = ()  # "CO-16", "N290": CARCs with their group, RARCs
    payer_claim_number: str = ""
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class PatientPaymentDraft:
    patient_id: int
    amount: int
    method: str  # cash, check, card
    received_date: dt.date
    check_number: str = ""
    card_brand: str = ""
    card_last4: str = ""
    auth_code: str = ""
    claim_ids: tuple[int, ...] = ()  # the visits chosen; () = oldest open balance first
    memo: str = ""


@dataclass(frozen=True, slots=True)
class AppliedTo:
    claim_id: int | None  # None: left on the account as a credit
    claim_number: str
    dos: dt.date | None
    amount: int


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    id: int
    batch_id: int | None
    patient_id: int | None
    payer: str
    method: str
    amount: int
    received_date: dt.date
    check_number: str
    card_brand: str
    card_last4: str
    auth_code: str
    memo: str
    reversed_by: int | None
    reverses: int | None
    applied: tuple[AppliedTo, ...] = ()
    account_number: str = ""
    patient_name: str = ""


@dataclass(frozen=True, slots=True)
class WorkItemRow:
    id: int
    kind: str  # denial, exception, secondary, inbound
    opened_at: dt.datetime
    reason: str
    patient_id: int | None
    account_number: str
    patient_name: str
    claim_id: int | None
    claim_number: str
    payer: str
    amount: int  # the claim's charge, or the 835 claim's paid amount for an exception
    batch_id: int | None
    remittance_claim_id: int | None
    closed_at: dt.datetime | None = None
    resolution: str = ""
    inbound_message_id: int | None = None  # an inbound item's HL7 message


@dataclass(frozen=True, slots=True)
class EraClaimOutcome:
    """What one CLP did, or would do in a preview."""

    segment: int
    claim_number: str  # CLP01
    status_code: str
    outcome: str  # posted, denied, forwarded, reversal, exception
    paid: int
    matched_claim: str  # our claim number, '' when unmatched
    message: str = ""


@dataclass(frozen=True, slots=True)
class EraPaymentOutcome:
    """One ST..SE: its batch (or why it was skipped) and its claims."""

    trace_number: str
    payer: str
    total_paid: int
    status: str  # posted, duplicate, preview
    batch_id: int | None
    claims: tuple[EraClaimOutcome, ...] = ()
    provider_adjustments: int = 0  # net PLB (positive: withheld)
    message: str = ""

    def count(self, outcome: str) -> int:
        return sum(1 for claim in self.claims if claim.outcome == outcome)


@dataclass(frozen=True, slots=True)
class EraImportResult:
    file_name: str
    payments: tuple[EraPaymentOutcome, ...] = field(default_factory=tuple)
    preview: bool = False

    @property
    def duplicates(self) -> int:
        return sum(1 for p in self.payments if p.status == "duplicate")

    def count(self, outcome: str) -> int:
        return sum(p.count(outcome) for p in self.payments if p.status != "duplicate")
