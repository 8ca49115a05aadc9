"""Helpers for tests that send claims through the real Store: a practice the 837 accepts,
ready claims, a payer's adjudication posted to the ledger, and reading the database back.

Used by tests/store/test_submission.py, tests/store/test_claim_builders.py and
tests/x12/test_export_command.py; the Practice comes from tests/store/store_builders.py.
"""

from __future__ import annotations

import datetime as dt

from billing_tui.domain.claims import ClaimStatus
from billing_tui.domain.ledger import EntryKind
from billing_tui.store.models import (
    BillingProvider,
    Claim,
    ClaimStatusChange,
    ClaimSubmission,
    ServiceLine,
    X12Interchange,
)
from billing_tui.store.records import EntryDraft


def make_sendable(practice) -> None:
    """store_builders' billing provider lacks what an 837 needs: a phone and a ZIP+4."""
    BillingProvider.update(phone="2175550100", zip="627010001").where(
        BillingProvider.id == practice.billing_provider_id
    ).execute()


def insured_patient(practice, last: str = "Doe", payer: str = "Medicare Part B", **fields):
    """(patient id, coverage id): a patient who is their own subscriber."""
    patient_id = practice.patient(last=last)
    return patient_id, practice.coverage(patient_id, payer=payer, **fields)


def ready_claim(practice, patient_id: int, coverage_id: int, *charges: int, day: int = 1) -> int:
    """A claim for a visit on October `day` (a second one the same day would be a duplicate)."""
    claim_id = practice.claim(
        patient_id, *charges, coverage_id=coverage_id, dos=dt.date(2026, 10, day)
    )
    practice.store.claims.set_status(claim_id, ClaimStatus.READY.value, "scrubbed")
    return claim_id


def adjudicate(practice, claim_id: int, icn: str, *, paid_percent: int = 60) -> None:
    """The payer's answer, posted per line: paid, CO-45 write-down, 20% of allowed to the patient.

    Moves the claim to submitted and then paid, and records the payer's claim
    number (CLP07) as the 835 importer will; the Store has no call for that yet.
    """
    store = practice.store
    claim = Claim.get_by_id(claim_id)
    if claim.status == ClaimStatus.READY.value:
        store.claims.set_status(claim_id, ClaimStatus.SUBMITTED.value, "sent")
    lines = ServiceLine.select().where(
        (ServiceLine.claim == claim_id) & (ServiceLine.line_number > 0)
    )
    for line in lines:
        allowed = line.charge_cents * paid_percent // 100
        patient = allowed // 5
        common = {"patient_id": claim.patient_id, "claim_id": claim_id, "service_line_id": line.id}
        entries = [
            EntryDraft(kind=EntryKind.PAYMENT, insurance_delta=-(allowed - patient), **common),
            EntryDraft(
                kind=EntryKind.ADJUSTMENT,
                insurance_delta=-(line.charge_cents - allowed),
                group_code="CO",
                reason_code="45",
                **common,
            ),
            EntryDraft(
                kind=EntryKind.TRANSFER,
                insurance_delta=-patient,
                patient_delta=patient,
                group_code="PR",
                reason_code="2",
                **common,
            ),
        ]
        store.ledger.post([e for e in entries if e.insurance_delta or e.patient_delta])
    store.claims.set_status(claim_id, ClaimStatus.PAID.value, "ERA posted")
    Claim.update(payer_claim_number=icn).where(Claim.id == claim_id).execute()


def status(claim_id: int) -> str:
    return Claim.get_by_id(claim_id).status


def history(claim_id: int) -> list[tuple[str | None, str, str]]:
    return [
        (row.from_status, row.to_status, row.reason)
        for row in ClaimStatusChange.select()
        .where(ClaimStatusChange.claim == claim_id)
        .order_by(ClaimStatusChange.id)
    ]


def recorded() -> tuple[int, int]:
    """(interchanges, claim submissions) on file."""
    return X12Interchange.select().count(), ClaimSubmission.select().count()


def number(claim_id: int) -> str:
    return Claim.get_by_id(claim_id).claim_number
