"""Reports over the books (claims, denials, payment batches): one query each, streamed in id order.

Each report is an iterator of frozen rows: a million claims go to a CSV file
without being held in memory. Run it to the end before closing the Store.
Amounts are integer cents, signed as a billing specialist reads them: what was
paid or written off is positive, a reversal nets it out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from peewee import JOIN, Case, fn

from ..domain.dates import local_date
from ..domain.ledger import EntryKind
from .models import Claim, LedgerEntry, Patient, Payer, PaymentBatch, WorkItem
from .session import Session


@dataclass(frozen=True, slots=True)
class ClaimReportRow:
    claim_id: int
    claim_number: str
    status: str
    account_number: str
    payer: str  # "" for self-pay
    first_dos: dt.date
    charge: int
    paid: int  # by payers
    patient_paid: int
    adjusted: int  # contractual and other write-offs, not the patient's share
    patient_resp: int  # moved from the insurance balance to the patient's
    balance: int  # insurance + patient balance


@dataclass(frozen=True, slots=True)
class DenialReportRow:
    work_item_id: int
    claim_number: str
    account_number: str
    payer: str
    first_dos: dt.date | None
    charge: int
    reasons: str  # CARC/RARC codes as the payer sent them, e.g. "CO-16 OA-A7 N290"
    denied_on: dt.date
    closed_on: dt.date | None  # None: still open
    age_days: int  # from denied_on to closed_on, or to today while open
    resolution: str

    @property
    def status(self) -> str:
        return "open" if self.closed_on is None else "closed"


@dataclass(frozen=True, slots=True)
class BatchReportRow:
    batch_id: int
    kind: str  # insurance, patient
    source: str  # era, manual
    payer: str
    method: str
    check_number: str
    deposit_date: dt.date
    control_total: int
    posted: int
    status: str  # open, closed
    claims: int  # distinct claims with ledger entries in the batch

    @property
    def unapplied(self) -> int:
        return self.control_total - self.posted


def _sum_when(kind: EntryKind, amount):
    """SUM(CASE WHEN kind = ? THEN amount ELSE 0 END): zero for a claim without entries."""
    return fn.COALESCE(fn.SUM(Case(None, [(LedgerEntry.kind == kind.value, amount)], 0)), 0)


class Reports:
    def __init__(self, session: Session) -> None:
        self._session = session

    def claims(self) -> Iterator[ClaimReportRow]:
        """Every claim with its charge, what was paid and written off, and its balance.

        One pass: claims in id order, each joined to its own ledger entries through
        the (claim, id) index, so the groups come out already in order and SQLite
        streams them without sorting or materialising anything.
        """
        le = LedgerEntry
        query = (
            Claim.select(
                Claim.id,
                Claim.claim_number,
                Claim.status,
                Patient.account_number,
                Payer.name,
                Claim.first_dos,
                Claim.charge_cents,
                _sum_when(EntryKind.PAYMENT, le.insurance_delta),
                _sum_when(EntryKind.PAYMENT, le.patient_delta),
                _sum_when(EntryKind.ADJUSTMENT, le.insurance_delta + le.patient_delta),
                _sum_when(EntryKind.TRANSFER, le.patient_delta),
                Claim.insurance_balance_cents,
                Claim.patient_balance_cents,
            )
            .join(Patient, on=(Patient.id == Claim.patient))
            .switch(Claim)
            .join(Payer, JOIN.LEFT_OUTER, on=(Payer.id == Claim.payer))
            .switch(Claim)
            .join(le, JOIN.LEFT_OUTER, on=(le.claim == Claim.id))
            # Patient and payer are one row per claim, but PostgreSQL wants them named;
            # ordering by the same terms (claim id order) lets SQLite skip a sort.
            .group_by(Claim.id, Patient.id, Payer.id)
            .order_by(Claim.id, Patient.id, Payer.id)
            .tuples()
        )
        for (
            claim_id,
            number,
            status,
            account,
            payer,
            dos,
            charge,
            payments_insurance,
            payments_patient,
            adjustments,
            transfers_patient,
            insurance_balance,
            patient_balance,
        ) in query.iterator():
            yield ClaimReportRow(
                claim_id=claim_id,
                claim_number=number,
                status=status,
                account_number=account,
                payer=payer or "",
                first_dos=dos,
                charge=charge,
                # Payments and write-offs lower a balance: negated, they read as amounts.
                paid=-int(payments_insurance),
                patient_paid=-int(payments_patient),
                adjusted=-int(adjustments),
                patient_resp=int(transfers_patient),
                balance=insurance_balance + patient_balance,
            )

    def denials(self) -> Iterator[DenialReportRow]:
        """Every denial work item, open and closed, oldest first."""
        today = self._session.today()
        query = (
            WorkItem.select(
                WorkItem.id,
                Claim.claim_number,
                Patient.account_number,
                Payer.name,
                Claim.first_dos,
                Claim.charge_cents,
                WorkItem.reason,
                WorkItem.opened_at,
                WorkItem.closed_at,
                WorkItem.resolution,
            )
            .join(Claim, JOIN.LEFT_OUTER, on=(Claim.id == WorkItem.claim))
            .switch(WorkItem)
            .join(
                Patient,
                JOIN.LEFT_OUTER,
                on=(Patient.id == fn.COALESCE(WorkItem.patient, Claim.patient)),
            )
            .switch(WorkItem)
            .join(Payer, JOIN.LEFT_OUTER, on=(Payer.id == Claim.payer))
            .where(WorkItem.kind == "denial")
            .order_by(WorkItem.id)
            .tuples()
        )
        for (
            item_id,
            number,
            account,
            payer,
            dos,
            charge,
            reasons,
            opened_at,
            closed_at,
            resolution,
        ) in query.iterator():
            denied_on = local_date(opened_at)
            closed_on = local_date(closed_at) if closed_at is not None else None
            yield DenialReportRow(
                work_item_id=item_id,
                claim_number=number or "",
                account_number=account or "",
                payer=payer or "",
                first_dos=dos,
                charge=charge or 0,
                reasons=reasons,
                denied_on=denied_on,
                closed_on=closed_on,
                age_days=max(((closed_on or today) - denied_on).days, 0),
                resolution=resolution,
            )

    def batches(self) -> Iterator[BatchReportRow]:
        """Every payment batch with its control and posted totals and how many claims it paid."""
        le = LedgerEntry.alias("le")
        # ledger_entry.batch_id has no index: count every batch's claims in one pass
        # over the ledger rather than one scan per batch.
        claims = (
            le.select(le.batch, fn.COUNT(le.claim.distinct()).alias("n"))
            .where(le.batch.is_null(False))
            .group_by(le.batch)
            .alias("bc")
        )
        query = (
            PaymentBatch.select(
                PaymentBatch.id,
                PaymentBatch.kind,
                PaymentBatch.remittance,
                Payer.name,
                PaymentBatch.method,
                PaymentBatch.check_number,
                PaymentBatch.deposit_date,
                PaymentBatch.control_total_cents,
                PaymentBatch.posted_total_cents,
                PaymentBatch.status,
                fn.COALESCE(claims.c.n, 0),
            )
            .join(Payer, JOIN.LEFT_OUTER, on=(Payer.id == PaymentBatch.payer))
            .switch(PaymentBatch)
            .join(claims, JOIN.LEFT_OUTER, on=(claims.c.batch_id == PaymentBatch.id))
            .order_by(PaymentBatch.id)
            .tuples()
        )
        for (
            batch_id,
            kind,
            remittance_id,
            payer,
            method,
            check_number,
            deposit_date,
            control_total,
            posted,
            status,
            claim_count,
        ) in query.iterator():
            yield BatchReportRow(
                batch_id=batch_id,
                kind=kind,
                source="era" if remittance_id is not None else "manual",
                payer=payer or "",
                method=method,
                check_number=check_number,
                deposit_date=deposit_date,
                control_total=control_total,
                posted=posted,
                status=status,
                claims=int(claim_count),
            )
