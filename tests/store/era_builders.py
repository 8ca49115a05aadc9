"""Claims that an 835 pays, and 835s that pay our claims: the ERA import tests' fixtures.

Claims are created through the Store as drafts, then marked submitted with their
charges posted, as exporting them would (rows straight into the models: an export
needs a clean, current claim, and the public samples bill 2010's visits).
"""

from __future__ import annotations

import datetime as dt

from store_builders import Practice

from billing_tui.domain.claims import ClaimStatus
from billing_tui.sample.era import ClaimAnswer, LineAnswer, write_835
from billing_tui.sample.era import Payment as EraPayment
from billing_tui.store.cache import refresh_accounts, refresh_claims
from billing_tui.store.models import Claim, Patient, ServiceLine
from billing_tui.store.records import ClaimDraft, LineDraft
from billing_tui.x12.x835 import read_835


def submit(practice: Practice, claim_id: int, number: str | None = None) -> None:
    """Mark a draft claim submitted, its charges on the ledger; optionally renumber it."""
    store = practice.store
    with store.db.atomic():
        claim = Claim.get_by_id(claim_id)
        store.claims._post_charges(claim)
        values = {"status": ClaimStatus.SUBMITTED.value}
        if number is not None:
            values["claim_number"] = number
        Claim.update(**values).where(Claim.id == claim_id).execute()
        if number is not None:
            for line in ServiceLine.select().where(ServiceLine.claim == claim_id):
                ServiceLine.update(line_control_number=f"{number}-{line.line_number}").where(
                    ServiceLine.id == line.id
                ).execute()
        refresh_claims([claim_id])
        refresh_accounts([claim.patient_id])


def claims_for_835(practice: Practice, path, *, numbered: bool = True) -> dict[int, int]:
    """One submitted claim per CLP of a sample 835 (reversals excepted): its patient, lines,
    dates and charges. numbered: our claim number is CLP01 (when CLP01 is not repeated).
    Returns {CLP segment: claim id}."""
    remittances = read_835(open(path, encoding="ascii").read())
    clps = [c for r in remittances for c in r.claims if c.status != "22"]
    counts: dict[str, int] = {}
    for c in clps:
        counts[c.claim_number] = counts.get(c.claim_number, 0) + 1
    made = {}
    for clp in clps:
        last = clp.patient_last or "Sample"
        first = clp.patient_first or "Pat"
        patient_id = practice.patient(last.title()[:60], first.title()[:35])
        coverage_id = practice.coverage(patient_id, member_id=clp.patient_id or "M1")
        dos = clp.statement_from or dt.date(2010, 1, 1)
        lines = tuple(
            LineDraft(
                dos_from=s.service_from or dos,
                code=(s.submitted_code or s.code)[:5],
                charge=s.charge,
                units=max(int(s.units or 1), 1),
            )
            for s in clp.lines
        ) or (LineDraft(dos_from=dos, code="99213", charge=clp.charge),)
        claim_id = practice.store.claims.create(
            ClaimDraft(
                patient_id=patient_id,
                billing_provider_id=practice.billing_provider_id,
                rendering_provider_id=practice.provider_id,
                place_of_service="11",
                lines=lines,
                diagnoses=("J06.9",),
                coverage_id=coverage_id,
            )
        )
        unique = counts[clp.claim_number] == 1 and len(clp.claim_number) <= 20
        submit(practice, claim_id, clp.claim_number if numbered and unique else None)
        made[clp.segment] = claim_id
    return made


# --------------------------------------------------------------------------- writing 835s

Clp = ClaimAnswer
Svc = LineAnswer


def era_835(claims: list[ClaimAnswer], **payment) -> str:
    """A conforming 835 with one payment (see billing_tui.sample.era.Payment's fields)."""
    return write_835([EraPayment(claims, **payment)])


def claim_lines(claim_id: int) -> list[ServiceLine]:
    return list(
        ServiceLine.select()
        .where((ServiceLine.claim == claim_id) & (ServiceLine.line_number > 0))
        .order_by(ServiceLine.line_number)
    )


def claim_number(claim_id: int) -> str:
    return Claim.get_by_id(claim_id).claim_number


def patient_of(claim_id: int) -> Patient:
    return Claim.get_by_id(claim_id).patient
