"""Reading 835 remittance advice (005010X221A1): text in, plain objects out, and the balancing checks.

    for remittance in read_835(text):            # one per ST..SE
        remittance.total_paid                     # BPR02, integer cents
        for claim in remittance.claims:           # CLP loops
            claim.claim_number, claim.status, claim.paid
            for line in claim.lines:              # SVC loops
                line.code, line.paid, line.control_number  # REF*6R

Any conforming 835 reads: any separators, with or without line breaks,
several ISA/GS/ST in one file (reader.py does the envelopes). Money is
integer cents throughout. Nothing here posts anything, matches a claim or
touches the database: balance_problems() says which claims (and whether the
payment as a whole) fail the equations of X12.md, so the importer can hold
those back and post the rest.

A positive CAS amount reduces payment, a negative one increases it; a
positive PLB amount is money withheld from this payment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from .reader import Segment, X12Error, read_consumed

VERSION = "005010X221A1"

# CLP02: how the payer processed the claim.
PROCESSED = {"1": "primary", "2": "secondary", "3": "tertiary"}
DENIED = "4"
FORWARDED = {"19": "primary", "20": "secondary", "21": "tertiary"}
REVERSAL = "22"
NOT_OURS = "23"
PREDETERMINATION = "25"
CLAIM_STATUSES = frozenset({*PROCESSED, DENIED, *FORWARDED, REVERSAL, NOT_OURS, PREDETERMINATION})
ADJUSTMENT_GROUPS = frozenset({"CO", "PR", "OA", "PI"})
PATIENT_RESPONSIBILITY = "PR"


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One CAS reason: group (CO, PR, OA, PI), CARC, amount in cents (positive reduces payment)."""

    group: str
    reason: str
    amount: int
    quantity: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ServicePayment:
    """One SVC loop (2110): a service line as the payer adjudicated it."""

    qualifier: str  # HC (CPT/HCPCS), AD (dental), ...
    code: str
    modifiers: tuple[str, ...]
    charge: int  # SVC02
    paid: int  # SVC03
    units: Decimal | None  # SVC05
    submitted_code: str | None  # SVC06, when the payer recoded the procedure
    service_from: dt.date | None  # DTM*472, or DTM*150
    service_to: dt.date | None  # DTM*151
    control_number: str | None  # REF*6R: the line item control number sent in the 837
    allowed: int | None  # AMT*B6
    adjustments: tuple[Adjustment, ...]
    remarks: tuple[str, ...]  # LQ*HE remark codes (RARC)
    segment: int  # where the SVC is in the file, for messages

    @property
    def adjusted(self) -> int:
        return sum(a.amount for a in self.adjustments)


@dataclass(frozen=True, slots=True)
class ClaimPayment:
    """One CLP loop (2100): a claim as the payer adjudicated it."""

    claim_number: str  # CLP01: our CLM01, echoed
    status: str  # CLP02
    charge: int  # CLP03
    paid: int  # CLP04
    patient_responsibility: int | None  # CLP05
    filing_indicator: str  # CLP06
    payer_claim_number: str  # CLP07, the payer's ICN
    frequency: str  # CLP09
    patient_last: str  # NM1*QC
    patient_first: str
    patient_id: str  # NM1*QC09: the member ID as the payer knows it
    statement_from: dt.date | None  # DTM*232
    statement_to: dt.date | None  # DTM*233
    adjustments: tuple[Adjustment, ...]  # claim-level CAS
    lines: tuple[ServicePayment, ...]
    remarks: tuple[str, ...]  # MOA/MIA remark codes
    segment: int

    @property
    def denied(self) -> bool:
        return self.status == DENIED

    @property
    def reversal(self) -> bool:
        return self.status == REVERSAL

    @property
    def forwarded(self) -> bool:
        return self.status in FORWARDED

    @property
    def all_adjustments(self) -> tuple[Adjustment, ...]:
        return self.adjustments + tuple(a for line in self.lines for a in line.adjustments)

    def patient_share(self) -> int:
        """What the payer says the patient owes: the PR-group adjustments, claim and lines."""
        return sum(a.amount for a in self.all_adjustments if a.group == PATIENT_RESPONSIBILITY)


@dataclass(frozen=True, slots=True)
class ProviderAdjustment:
    """One PLB reason: not tied to a claim line. A positive amount is withheld from this payment."""

    provider_id: str
    fiscal_period: dt.date | None
    reason: str  # WO overpayment recovery, L6 interest, FB forwarding balance, ...
    reference: str  # usually the original ICN for a recoupment
    amount: int
    segment: int


@dataclass(frozen=True, slots=True)
class Remittance:
    """One 835 transaction (ST..SE): one payment, with the claims it pays."""

    control_number: str  # ST02
    interchange_control: str  # ISA13
    handling: str  # BPR01: C payment and remittance, I remittance only, H notification, ...
    total_paid: int  # BPR02
    credit_debit: str  # BPR03
    method: str  # BPR04: ACH, CHK, BOP, FWT, NON
    payment_date: dt.date | None  # BPR16
    trace_number: str  # TRN02: the check or EFT trace number
    payer_tin: str  # TRN03
    payer_name: str  # N1*PR
    payer_id: str  # REF*2U, else N1*PR04
    payee_name: str  # N1*PE
    payee_id: str  # N1*PE04: NPI or TIN
    claims: tuple[ClaimPayment, ...]
    provider_adjustments: tuple[ProviderAdjustment, ...]
    segment: int  # the ST

    @property
    def key(self) -> tuple[str, str, str, int]:
        """What identifies the payment: re-importing it must change nothing."""
        payment_date = self.payment_date.isoformat() if self.payment_date else ""
        return (self.trace_number, self.payer_tin, payment_date, self.total_paid)

    @property
    def no_payment(self) -> bool:
        return self.handling == "H" or self.method == "NON"


@dataclass(frozen=True, slots=True)
class Problem:
    """A balancing equation that does not hold; `claim` is None for the payment as a whole."""

    message: str
    claim: ClaimPayment | None = None
    blocking: bool = True  # False: a warning (CLP05 against the PR adjustments)


def read_835(text: str) -> list[Remittance]:
    """Every 835 transaction in the text; X12Error (with the segment number) if malformed."""
    remittances = read_consumed(text, _RemittanceReader)
    if not remittances:
        raise X12Error("no 835 transaction in the file")
    return remittances


# --------------------------------------------------------------------------- balancing


def balance_problems(remittance: Remittance) -> list[Problem]:
    """The X12.md equations, in cents: line, claim, payment; CLP05 as a warning."""
    problems: list[Problem] = []
    for claim in remittance.claims:
        problems.extend(claim_problems(claim))
    if remittance.no_payment:
        if remittance.total_paid != 0:
            problems.append(
                Problem(f"BPR02 is {_money(remittance.total_paid)} on a notice with no payment")
            )
    else:
        paid = sum(claim.paid for claim in remittance.claims)
        withheld = sum(adjustment.amount for adjustment in remittance.provider_adjustments)
        if paid - withheld != remittance.total_paid:
            problems.append(
                Problem(
                    f"the payment does not balance: claims paid {_money(paid)} less provider "
                    f"adjustments {_money(withheld)} is {_money(paid - withheld)}, "
                    f"BPR02 says {_money(remittance.total_paid)}"
                )
            )
    return problems


def claim_problems(claim: ClaimPayment) -> list[Problem]:
    problems = []
    for line in claim.lines:
        if line.charge - line.adjusted != line.paid:
            problems.append(
                Problem(
                    f"claim {claim.claim_number}, line {line.code} (segment {line.segment}): "
                    f"charge {_money(line.charge)} less adjustments {_money(line.adjusted)} is "
                    f"{_money(line.charge - line.adjusted)}, paid says {_money(line.paid)}",
                    claim,
                )
            )
    adjusted = sum(a.amount for a in claim.all_adjustments)
    if claim.charge - adjusted != claim.paid:
        problems.append(
            Problem(
                f"claim {claim.claim_number} (segment {claim.segment}): charge "
                f"{_money(claim.charge)} less adjustments {_money(adjusted)} is "
                f"{_money(claim.charge - adjusted)}, CLP04 says {_money(claim.paid)}",
                claim,
            )
        )
    if claim.lines:
        # The lines' charges add up to the claim's. (What they pay need not: claim-level
        # adjustments come off the claim's payment, and the equations above hold them.)
        charged = sum(line.charge for line in claim.lines)
        if charged != claim.charge:
            problems.append(
                Problem(
                    f"claim {claim.claim_number} (segment {claim.segment}): its lines charge "
                    f"{_money(charged)}, CLP03 says {_money(claim.charge)}",
                    claim,
                )
            )
    share = claim.patient_share()
    stated = claim.patient_responsibility
    if stated is not None and stated != share:
        problems.append(
            Problem(
                f"claim {claim.claim_number}: CLP05 says the patient owes {_money(stated)}, "
                f"the PR adjustments add up to {_money(share)}",
                claim,
                blocking=False,
            )
        )
    return problems


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100:,}.{abs(cents) % 100:02d}"


# --------------------------------------------------------------------------- reading


@dataclass
class _LineBuilder:
    svc: Segment
    dates: dict[str, dt.date] = field(default_factory=dict)
    control_number: str | None = None
    allowed: int | None = None
    adjustments: list[Adjustment] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)

    def build(self) -> ServicePayment:
        svc = self.svc
        procedure = svc.components(1)
        if len(procedure) < 2:
            raise svc.error("SVC01 must be a qualifier and a procedure code (HC:99213)")
        submitted = svc.components(6)
        return ServicePayment(
            qualifier=procedure[0],
            code=procedure[1],
            modifiers=tuple(m for m in procedure[2:6] if m),
            charge=_required_amount(svc, 2, "line charge"),
            paid=_required_amount(svc, 3, "line paid"),
            units=svc.decimal(5),
            submitted_code=submitted[1] if len(submitted) > 1 else None,
            service_from=self.dates.get("472") or self.dates.get("150"),
            service_to=self.dates.get("472") or self.dates.get("151"),
            control_number=self.control_number,
            allowed=self.allowed,
            adjustments=tuple(self.adjustments),
            remarks=tuple(self.remarks),
            segment=svc.number,
        )


@dataclass
class _ClaimBuilder:
    clp: Segment
    patient: Segment | None = None
    dates: dict[str, dt.date] = field(default_factory=dict)
    adjustments: list[Adjustment] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    lines: list[_LineBuilder] = field(default_factory=list)

    def build(self) -> ClaimPayment:
        clp = self.clp
        status = clp.require(2, "claim status")
        if status not in CLAIM_STATUSES:
            raise clp.error(f"CLP02 {status!r} is not a claim status code")
        patient = self.patient
        return ClaimPayment(
            claim_number=clp.require(1, "claim number"),
            status=status,
            charge=_required_amount(clp, 3, "claim charge"),
            paid=_required_amount(clp, 4, "claim paid"),
            patient_responsibility=clp.amount(5),
            filing_indicator=clp.get(6),
            payer_claim_number=clp.get(7),
            frequency=clp.get(9),
            patient_last=patient.get(3) if patient else "",
            patient_first=patient.get(4) if patient else "",
            patient_id=patient.get(9) if patient else "",
            statement_from=self.dates.get("232"),
            statement_to=self.dates.get("233"),
            adjustments=tuple(self.adjustments),
            lines=tuple(line.build() for line in self.lines),
            remarks=tuple(self.remarks),
            segment=clp.number,
        )


class _RemittanceReader:
    """One ST..SE, read as its segments go by (read_consumed): no segment is kept."""

    def __init__(self, st: Segment, gs: Segment, isa: Segment) -> None:
        if st.get(1) != "835":
            raise st.error(f"a {st.get(1)} is not a remittance (835)")
        version = st.get(3) or gs.get(8)
        if version and version != VERSION:
            raise st.error(f"{version} is not {VERSION}, the 835 this reads")
        self.st, self.isa = st, isa
        self.bpr: Segment | None = None
        self.trn: Segment | None = None
        self.names: dict[str, Segment] = {}
        self.payer_ref = ""
        self.claims: list[ClaimPayment] = []
        self.plbs: list[ProviderAdjustment] = []
        self.claim: _ClaimBuilder | None = None
        self.line: _LineBuilder | None = None

    def _close_claim(self) -> None:
        # Each claim is built as soon as it ends, so its segments can go.
        if self.claim is not None:
            self.claims.append(self.claim.build())
        self.claim = self.line = None

    def feed(self, segment: Segment) -> None:
        sid = segment.id
        claim, line = self.claim, self.line
        if sid == "SVC":
            if claim is None:
                raise segment.error("SVC before any CLP")
            self.line = _LineBuilder(segment)
            claim.lines.append(self.line)
        elif sid == "CAS":
            if claim is None:
                raise segment.error("CAS before any CLP")
            (line.adjustments if line else claim.adjustments).extend(_adjustments(segment))
        elif sid == "DTM" and claim is not None:
            qualifier, date = segment.get(1), segment.date(2)
            if date is not None:
                (line.dates if line else claim.dates)[qualifier] = date
        elif sid == "CLP":
            self._close_claim()
            self.claim = _ClaimBuilder(segment)
        elif sid == "REF" and line is not None and segment.get(1) == "6R":
            line.control_number = segment.get(2)
        elif sid == "AMT" and line is not None and segment.get(1) == "B6":
            line.allowed = segment.amount(2)
        elif sid == "LQ" and line is not None and segment.get(1) == "HE":
            line.remarks.append(segment.get(2))
        elif sid == "NM1" and claim is not None and line is None and segment.get(1) == "QC":
            claim.patient = segment
        elif sid in ("MOA", "MIA") and claim is not None:
            positions = (3, 4, 5, 6, 7) if sid == "MOA" else (5, 20, 21, 22, 23)
            claim.remarks.extend(code for p in positions if (code := segment.get(p)))
        elif sid == "BPR":
            self.bpr = segment
        elif sid == "TRN" and self.trn is None:
            self.trn = segment
        elif sid == "N1" and claim is None:
            self.names.setdefault(segment.get(1), segment)
        elif sid == "REF" and claim is None and segment.get(1) == "2U":
            self.payer_ref = segment.get(2)
        elif sid == "LX":  # a new group of claims (2000)
            self._close_claim()
        elif sid == "PLB":
            self._close_claim()
            self.plbs.extend(_provider_adjustments(segment))

    def finish(self) -> Remittance:
        self._close_claim()
        bpr, trn = self.bpr, self.trn
        if bpr is None:
            raise self.st.error("the 835 has no BPR (payment) segment")
        if trn is None:
            raise self.st.error("the 835 has no TRN (trace number) segment")
        payer, payee = self.names.get("PR"), self.names.get("PE")
        return Remittance(
            control_number=self.st.get(2),
            interchange_control=self.isa.get(13),
            handling=bpr.require(1, "transaction handling code"),
            total_paid=_required_amount(bpr, 2, "total payment"),
            credit_debit=bpr.get(3),
            method=bpr.get(4),
            payment_date=bpr.date(16),
            trace_number=trn.require(2, "check or EFT trace number"),
            payer_tin=trn.get(3),
            payer_name=payer.get(2) if payer else "",
            payer_id=self.payer_ref or (payer.get(4) if payer else ""),
            payee_name=payee.get(2) if payee else "",
            payee_id=payee.get(4) if payee else "",
            claims=tuple(self.claims),
            provider_adjustments=tuple(self.plbs),
            segment=self.st.number,
        )


def _required_amount(segment: Segment, position: int, what: str) -> int:
    amount = segment.amount(position)
    if amount is None:
        raise segment.error(f"{segment.id}{position:02d} ({what}) is missing")
    return amount


def _adjustments(cas: Segment) -> list[Adjustment]:
    """CAS*group*reason*amount*quantity*reason*amount*quantity... (up to 6 reasons)."""
    group = cas.require(1, "adjustment group")
    if group not in ADJUSTMENT_GROUPS:
        raise cas.error(f"CAS01 {group!r} is not an adjustment group (CO, PR, OA or PI)")
    found = []
    for position in range(2, 20, 3):
        reason = cas.get(position)
        if not reason:
            continue
        amount = cas.amount(position + 1)
        if amount is None:
            raise cas.error(f"CAS{position + 1:02d} (amount for reason {reason}) is missing")
        found.append(Adjustment(group, reason, amount, cas.decimal(position + 2)))
    if not found:
        raise cas.error("CAS has no adjustment reason")
    return found


def _provider_adjustments(plb: Segment) -> list[ProviderAdjustment]:
    """PLB*provider*fiscal period*reason:reference*amount*reason:reference*amount..."""
    provider = plb.require(1, "provider identifier")
    period = plb.date(2)
    found = []
    for position in range(3, 15, 2):
        composite = plb.components(position)
        if not composite:
            continue
        amount = plb.amount(position + 1)
        if amount is None:
            raise plb.error(f"PLB{position + 1:02d} (amount) is missing")
        reference = composite[1] if len(composite) > 1 else ""
        found.append(
            ProviderAdjustment(provider, period, composite[0], reference, amount, plb.number)
        )
    if not found:
        raise plb.error("PLB has no adjustment")
    return found
