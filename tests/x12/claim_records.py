"""Plain ClaimDetail records for the 837P writer's tests: no database, every field spelled out.

claim() builds a clean, sendable claim (patient = subscriber, Medicare, one office
visit); keyword arguments replace any ClaimDetail field, and the helpers below
build the parts the scenarios change (a dependent's coverage, an NP, COB).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from billing_tui.domain.npi import npi_check_digit
from billing_tui.store.records.account import PatientRecord
from billing_tui.store.records.claims import (
    Address,
    BillingProviderRecord,
    ClaimDetail,
    ClaimLine,
    CoverageDetail,
    LineAdjudication,
    PayerDetail,
    PriorPayer,
    ProviderRecord,
    ReferringRecord,
)

DOS = dt.date(2026, 10, 1)


def npi(stem: str) -> str:
    return stem + npi_check_digit(stem)


BILLING = BillingProviderRecord(
    id=1, name="Larkspur Valley Medical Group", npi=npi("165830472"), ein="364812907",
    taxonomy="193200000X",
    address=Address("1200 Larkspur Valley Pkwy", "Suite 300", "Maple Hollow", "NY", "127550142"),
    phone="8455550100",
)  # fmt: skip
MD = ProviderRecord(1, "Evelyn", "Hartwell", "MD", npi("174938201"), "207Q00000X", None)
NP = ProviderRecord(2, "Colleen", "Fitzgibbon", "NP", npi("150392817"), "363LF0000X", None)
NP_INCIDENT = ProviderRecord(3, "Marcus", "Delacroix-Bell", "NP", npi("161847302"), "", 1)
REFERRING = ReferringRecord(1, "Arturo", "Villaseñor", npi("110592384"))

MEDICARE = PayerDetail(1, "Medicare Part B (Sample MAC)", "SMPL1", "medicare", 365,
                       Address("PO Box 6703", "", "Harbor Point", "NJ", "077010703"))  # fmt: skip
COMMERCIAL = PayerDetail(3, "Bluewater Health Plan", "SMPL3", "commercial", 180,
                         Address("PO Box 44120", "", "Lakeshore", "OH", "440444120"))  # fmt: skip
MEDICAID = PayerDetail(2, "Medicaid (Sample State)", "SMPL2", "medicaid", 180,
                       Address("", "", "", "", ""))  # fmt: skip

PATIENT = PatientRecord(
    id=1, account_number="10000001", first_name="María José", middle_name="", last_name="Núñez",
    dob=dt.date(1950, 3, 4), sex="F", address1="12 Elm St", address2="Apt 4", city="Springfield",
    state="IL", zip="62701", phone="", email="", contact_preference="mail", version=1,
)  # fmt: skip


def coverage(payer: PayerDetail = MEDICARE, **fields) -> CoverageDetail:
    values = dict(
        id=payer.id, priority=1, payer=payer, member_id="1EG4TE5MK73", group_number="",
        relationship="18", subscriber_first=PATIENT.first_name,
        subscriber_last=PATIENT.last_name, subscriber_dob=PATIENT.dob, subscriber_sex="F",
        subscriber_address=Address(PATIENT.address1, "", PATIENT.city, PATIENT.state, PATIENT.zip),
        start_date=dt.date(2015, 1, 1), end_date=None, copay=0, deductible=0, deductible_met=0,
        coinsurance_bp=2000, oop_max=0, verified_at=None, active=True,
    )  # fmt: skip
    values.update(fields)
    return CoverageDetail(**values)


def line(n: int, code: str = "99213", charge: int = 15_000, **fields) -> ClaimLine:
    values = dict(
        id=n, line_number=n, dos_from=DOS, dos_to=DOS, code=code, modifiers=(), pointers=(1,),
        units=1, charge=charge, line_control_number=f"CL{n}", ndc=None,
    )  # fmt: skip
    values.update(fields)
    return ClaimLine(**values)


def claim(number: str = "10000001-1", **fields) -> ClaimDetail:
    lines = fields.pop("lines", (line(1), line(2, "36415", 1_500, pointers=(2, 1))))
    lines = tuple(replace(x, line_control_number=f"{number}-{x.line_number}") for x in lines)
    values = dict(
        id=int(number.replace("-", "")), claim_number=number, status="ready", version=1,
        patient=PATIENT, coverage=coverage(), billing_provider=BILLING, rendering=MD,
        supervising=None, referring=None, place_of_service="11", frequency="1",
        original_claim_number=None, payer_claim_number=None, prior_authorization=None,
        diagnoses=("E119", "I10"), lines=lines, charge=sum(x.charge for x in lines),
        insurance_balance=0, patient_balance=0, created_at=dt.datetime(2026, 10, 1, 9, 0),
        submitted_at=None, history=(),
    )  # fmt: skip
    values.update(fields)
    return ClaimDetail(**values)


def dependent_coverage(**fields) -> CoverageDetail:
    """A child on a parent's commercial plan."""
    values = dict(
        payer=COMMERCIAL, member_id="BWH000123456", group_number="55012", relationship="19",
        subscriber_first="Zoë", subscriber_last="Núñez-O'Brien",
        subscriber_dob=dt.date(1980, 6, 7), subscriber_sex="F",
    )  # fmt: skip
    values.update(fields)
    return coverage(**values)


def primary_adjudication(lines: tuple[ClaimLine, ...], payer=MEDICARE) -> PriorPayer:
    """What the primary did: each line allowed 60%, 20% of that to the patient, the rest CO-45."""
    adjudicated = []
    for x in lines:
        allowed = x.charge * 60 // 100
        patient = allowed // 5
        adjudicated.append(
            LineAdjudication(
                line_number=x.line_number, code=x.code, modifiers=x.modifiers, units=x.units,
                paid=allowed - patient,
                adjustments=(("CO", "45", x.charge - allowed), ("PR", "2", patient)),
            )
        )  # fmt: skip
    return PriorPayer(
        claim_id=99, coverage=coverage(payer, priority=1), paid=sum(a.paid for a in adjudicated),
        paid_date=dt.date(2026, 10, 20), claim_adjustments=(), lines=tuple(adjudicated),
    )  # fmt: skip
