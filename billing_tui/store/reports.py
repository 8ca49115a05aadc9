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
from ..domain.ledger import AGE_BUCKETS, EntryKind
from .models import BillingProvider, Claim, LedgerEntry, Patient, Payer, PaymentBatch, WorkItem
from .practice_reports import PracticeReports, filtered, in_period
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


def sum_when(kind: EntryKind, amount):
    """SUM(CASE WHEN kind = ? THEN amount ELSE 0 END): zero for a claim without entries."""
    return fn.COALESCE(fn.SUM(Case(None, [(LedgerEntry.kind == kind.value, amount)], 0)), 0)


@dataclass(frozen=True, slots=True)
class Period:
    """--from and --to, either open; both days included."""

    start: dt.date | None = None
    end: dt.date | None = None

    def where(self, column):
        """A condition on a date column, or None when the period is open both ways."""
        return in_period(column, self.start, self.end)


@dataclass(frozen=True, slots=True)
class AgingRow:
    """What is owed, aged from the date of service: one payer's insurance balances, or the
    patients' own (responsibility 'patient'), or money on accounts with no visit."""

    payer: str
    responsibility: str  # insurance, patient, account (credits and charges with no visit)
    buckets: tuple[int, ...]  # cents per domain.ledger.AGE_BUCKETS: 0-30 ... 120+

    @property
    def total(self) -> int:
        return sum(self.buckets)

    # The buckets by name, for the report's columns.
    days_0_30 = property(lambda self: self.buckets[0])
    days_31_60 = property(lambda self: self.buckets[1])
    days_61_90 = property(lambda self: self.buckets[2])
    days_91_120 = property(lambda self: self.buckets[3])
    days_over_120 = property(lambda self: self.buckets[4])


@dataclass(frozen=True, slots=True)
class PatientAgingRow:
    """One account's patient balance by age, and what its insurance still owes, apart."""

    account_number: str
    patient: str
    buckets: tuple[int, ...]  # the patient's own balance per AGE_BUCKETS
    insurance: int

    @property
    def patient_total(self) -> int:
        return sum(self.buckets)

    @property
    def total(self) -> int:
        return self.patient_total + self.insurance

    days_0_30 = property(lambda self: self.buckets[0])
    days_31_60 = property(lambda self: self.buckets[1])
    days_61_90 = property(lambda self: self.buckets[2])
    days_91_120 = property(lambda self: self.buckets[3])
    days_over_120 = property(lambda self: self.buckets[4])


@dataclass(frozen=True, slots=True)
class ClaimStatusRow:
    status: str
    claims: int
    charge: int
    balance: int


def _age_bucket(as_of: dt.date):
    """column -> the AGE_BUCKETS index of its date on as_of, as SQL: date comparisons with
    the boundaries as parameters, the same on SQLite and PostgreSQL."""
    bounds = [as_of - dt.timedelta(days=high) for _, _, high in AGE_BUCKETS if high is not None]

    def bucket(column):
        case = [(column >= bound, n) for n, bound in enumerate(bounds)]
        return Case(None, case, len(bounds)).alias("bucket")

    return bucket


def _open_claim_balances(group, as_of: dt.date):
    """(group, bucket, insurance, patient) sums of the claims with a balance on as_of, by
    date of service: off the partial index of claims with a balance (schema 0006)."""
    bucket = _age_bucket(as_of)(Claim.first_dos)
    return (
        Claim.select(
            group,
            bucket,
            fn.SUM(Claim.insurance_balance_cents),
            fn.SUM(Claim.patient_balance_cents),
        )
        .where(
            ((Claim.insurance_balance_cents != 0) | (Claim.patient_balance_cents != 0))
            & (Claim.first_dos <= as_of)
        )
        .group_by(group, bucket)
        .tuples()
    )


class Reports(PracticeReports):
    def __init__(self, session: Session) -> None:
        self._session = session

    def practice_name(self) -> str:
        """The billing provider's name, for a report's heading."""
        return (
            BillingProvider.select(BillingProvider.name).order_by(BillingProvider.id).scalar() or ""
        )

    def aging(self, as_of: dt.date | None = None) -> list[AgingRow]:
        """A/R on as_of (default today) in AGE_BUCKETS by date of service: each payer's
        insurance balances, then every patient balance, then money on accounts with no
        visit (a credit, a fee). Their grand total is the sum of every account's balance.

        Two grouped scans (claims with a balance, entries with no claim); the buckets are
        date comparisons with the boundaries as parameters, the same SQL on both databases.
        """
        as_of = as_of or self._session.today()
        bucket = _age_bucket(as_of)
        owed = _open_claim_balances(Claim.payer, as_of)
        names = dict(Payer.select(Payer.id, Payer.name).tuples())
        width = len(AGE_BUCKETS)
        insurance: dict[str, list[int]] = {}
        patient = [0] * width
        for payer_id, n, ins, pat in owed:
            if ins:
                name = names.get(payer_id, "Self-pay") if payer_id else "Self-pay"
                insurance.setdefault(name, [0] * width)[n] += int(ins)
            patient[n] += int(pat or 0)
        entry_bucket = bucket(LedgerEntry.effective_date)
        loose = (
            LedgerEntry.select(
                entry_bucket,
                fn.SUM(LedgerEntry.insurance_delta + LedgerEntry.patient_delta),
            )
            .where(LedgerEntry.claim.is_null() & (LedgerEntry.effective_date <= as_of))
            .group_by(entry_bucket)
            .tuples()
        )
        account = [0] * width
        for n, amount in loose:
            account[n] += int(amount or 0)
        rows = [AgingRow(name, "insurance", tuple(b)) for name, b in sorted(insurance.items())]
        if any(patient):
            rows.append(AgingRow("Patients", "patient", tuple(patient)))
        if any(account):
            rows.append(AgingRow("No visit (credits, fees)", "account", tuple(account)))
        return rows

    def aging_by_patient(self, as_of: dt.date | None = None) -> list[PatientAgingRow]:
        """Each account that owes (or is owed) anything on as_of: the patient's own balance
        in AGE_BUCKETS by date of service, and what insurance still owes on it, apart.
        Money on the account with no visit is aged by its date. Largest patient balance first.
        """
        as_of = as_of or self._session.today()
        bucket = _age_bucket(as_of)
        width = len(AGE_BUCKETS)
        owed: dict[int, list[int]] = {}  # patient -> patient buckets + [insurance]
        for patient_id, n, ins, pat in _open_claim_balances(Claim.patient, as_of):
            figures = owed.setdefault(patient_id, [0] * (width + 1))
            figures[n] += int(pat or 0)
            figures[width] += int(ins or 0)
        entry_bucket = bucket(LedgerEntry.effective_date)
        for patient_id, n, ins, pat in (
            LedgerEntry.select(LedgerEntry.patient, entry_bucket,
                               fn.SUM(LedgerEntry.insurance_delta),
                               fn.SUM(LedgerEntry.patient_delta))
            .where(LedgerEntry.claim.is_null() & (LedgerEntry.effective_date <= as_of))
            .group_by(LedgerEntry.patient, entry_bucket)
            .tuples()
        ):  # fmt: skip
            figures = owed.setdefault(patient_id, [0] * (width + 1))
            figures[n] += int(pat or 0)
            figures[width] += int(ins or 0)
        owed = {p: f for p, f in owed.items() if any(f)}
        ids = sorted(owed)
        names: dict[int, tuple[str, str]] = {}
        for i in range(0, len(ids), 900):
            part = ids[i : i + 900]
            for pid, account, last, first in (
                Patient.select(Patient.id, Patient.account_number, Patient.last_name,
                               Patient.first_name)
                .where(Patient.id.in_(part))
                .tuples()
            ):  # fmt: skip
                names[pid] = (account, f"{last.upper()}, {first}")
        rows = [
            PatientAgingRow(*names[pid], tuple(f[:width]), f[width])
            for pid, f in owed.items()
            if pid in names
        ]
        rows.sort(key=lambda r: (-r.patient_total, r.account_number))
        return rows

    def claim_status(self, period: Period | None = None) -> list[ClaimStatusRow]:
        """How many claims are in each status, what they charged and what is still owed on
        them; the period is by date of service."""
        query = (
            Claim.select(
                Claim.status,
                fn.COUNT(Claim.id),
                fn.SUM(Claim.charge_cents),
                fn.SUM(Claim.insurance_balance_cents + Claim.patient_balance_cents),
            )
            .group_by(Claim.status)
            .order_by(Claim.status)
        )
        query = filtered(query, (period or Period()).where(Claim.first_dos))
        return [
            ClaimStatusRow(status, int(n), int(charge or 0), int(balance or 0))
            for status, n, charge, balance in query.tuples()
        ]

    def claims(self, period: Period | None = None) -> Iterator[ClaimReportRow]:
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
                sum_when(EntryKind.PAYMENT, le.insurance_delta),
                sum_when(EntryKind.PAYMENT, le.patient_delta),
                sum_when(EntryKind.ADJUSTMENT, le.insurance_delta + le.patient_delta),
                sum_when(EntryKind.TRANSFER, le.patient_delta),
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
        query = filtered(query, (period or Period()).where(Claim.first_dos))
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

    def denials(self, period: Period | None = None) -> Iterator[DenialReportRow]:
        """Every denial work item, open and closed, oldest first; the period is by the date
        of service of the claim denied."""
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
        query = filtered(query, (period or Period()).where(Claim.first_dos))
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

    def batches(self, period: Period | None = None) -> Iterator[BatchReportRow]:
        """Every payment batch with its control and posted totals and how many claims it paid;
        the period is by deposit date."""
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
        query = filtered(query, (period or Period()).where(PaymentBatch.deposit_date))
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
