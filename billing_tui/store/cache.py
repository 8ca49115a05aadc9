"""The cached totals (claim balances, account summaries, batch totals) and how to recompute them.

One definition serves both uses: posting refreshes the rows it touched, and
`billing-tui verify` recomputes every row with the same queries and compares.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from peewee import Case, fn

from ..domain.claims import ClaimStatus
from ..domain.ledger import EntryKind
from ..domain.plans import next_due, schedule
from ..domain.queue import priority_key
from .bulk import among, insert_rows, update_rows
from .db import database
from .models import (
    AccountSummary,
    BatchAdjustment,
    Claim,
    Coverage,
    LedgerEntry,
    Note,
    Patient,
    Payment,
    PaymentBatch,
    PaymentPlan,
    ServiceLine,
    Statement,
)

CHUNK = 500  # ids per IN (...) list, well under SQLite's variable limit


def chunked(ids: Iterable[int], size: int = CHUNK) -> Iterator[list[int]]:
    batch: list[int] = []
    for item in ids:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# --------------------------------------------------------------------------- claims


def recomputed_claims(claim_ids: list[int] | None = None):
    """(claim id, charge = sum of lines, insurance balance, patient balance) from the source rows."""
    line_total = ServiceLine.select(fn.COALESCE(fn.SUM(ServiceLine.charge_cents), 0)).where(
        (ServiceLine.claim == Claim.id) & (ServiceLine.line_number > 0)  # retired lines: < 0
    )
    ledger = LedgerEntry.alias("le")
    insurance = ledger.select(fn.COALESCE(fn.SUM(ledger.insurance_delta), 0)).where(
        ledger.claim == Claim.id
    )
    patient = ledger.select(fn.COALESCE(fn.SUM(ledger.patient_delta), 0)).where(
        ledger.claim == Claim.id
    )
    query = Claim.select(
        Claim.id,
        line_total.alias("charge"),
        insurance.alias("insurance"),
        patient.alias("patient"),
        Claim.charge_cents,
        Claim.insurance_balance_cents,
        Claim.patient_balance_cents,
    )
    if claim_ids is not None:
        query = query.where(among(Claim.id, claim_ids))
    return query.order_by(Claim.id).tuples()


def refresh_claims(claim_ids: Iterable[int]) -> None:
    for ids in chunked(sorted(set(claim_ids))):
        update_rows(
            Claim,
            ("charge_cents", "insurance_balance_cents", "patient_balance_cents"),
            [
                (charge, insurance, patient, claim_id)
                for claim_id, charge, insurance, patient, *cached in database.execute(
                    recomputed_claims(ids)
                )
                if (charge, insurance, patient) != tuple(cached)
            ],
        )


# --------------------------------------------------------------------------- accounts


@dataclass(frozen=True, slots=True)
class SummaryFacts:
    """An account summary as recomputed from the ledger, claims, notes, coverages and plans."""

    patient_id: int
    insurance_balance_cents: int
    patient_balance_cents: int
    oldest_open_dos: dt.date | None
    last_payment_date: dt.date | None
    next_follow_up: dt.date | None
    last_statement_date: dt.date | None
    denied_claims: int
    primary_payer_id: int | None
    primary_verified: dt.date | None
    primary_ends: dt.date | None
    plan_next_due: dt.date | None

    @property
    def priority_key(self) -> int:
        return priority_key(
            self.insurance_balance_cents + self.patient_balance_cents, self.oldest_open_dos
        )

    def as_row(self) -> dict:
        return {
            "patient": self.patient_id,
            "insurance_balance_cents": self.insurance_balance_cents,
            "patient_balance_cents": self.patient_balance_cents,
            "oldest_open_dos": self.oldest_open_dos,
            "priority_key": self.priority_key,
            "last_payment_date": self.last_payment_date,
            "next_follow_up": self.next_follow_up,
            "last_statement_date": self.last_statement_date,
            "denied_claims": self.denied_claims,
            "primary_payer": self.primary_payer_id,
            "primary_verified": self.primary_verified,
            "primary_ends": self.primary_ends,
            "plan_next_due": self.plan_next_due,
        }


SUMMARY_FIELDS = tuple(f for f in SummaryFacts.__slots__ if f != "patient_id")


def as_date(value) -> dt.date | None:
    """SQLite hands back dates from aggregates as text; PostgreSQL as dates."""
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


def recomputed_summaries(patient_ids: list[int] | None = None) -> Iterator[SummaryFacts]:
    """Each account's summary (all accounts when patient_ids is None), in patient order.

    Correlated subqueries: a few index lookups per account, the same whether
    one account is refreshed or a million are verified.
    """
    le = LedgerEntry.alias("le")
    reversal = LedgerEntry.alias("rev")
    insurance = le.select(fn.COALESCE(fn.SUM(le.insurance_delta), 0)).where(
        le.patient == Patient.id
    )
    patient = le.select(fn.COALESCE(fn.SUM(le.patient_delta), 0)).where(le.patient == Patient.id)
    cl = Claim.alias("cl")
    oldest = cl.select(fn.MIN(cl.first_dos)).where(
        (cl.patient == Patient.id) & ((cl.insurance_balance_cents + cl.patient_balance_cents) > 0)
    )
    # Counted over the account's claims rather than filtered by status: a status
    # predicate tempts SQLite (no statistics) to walk every denied claim per account.
    denied = cl.select(
        fn.COALESCE(fn.SUM(Case(None, [(cl.status == ClaimStatus.DENIED.value, 1)], 0)), 0)
    ).where(cl.patient == Patient.id)
    pay = LedgerEntry.alias("pay")
    last_payment = pay.select(fn.MAX(pay.effective_date)).where(
        (pay.patient == Patient.id)
        & (pay.kind == EntryKind.PAYMENT.value)
        # "+ 0": without statistics SQLite would walk the reverses index (nearly
        # every entry has no reverses) instead of the account's own entries.
        & (pay.reverses + 0).is_null()
        & ~fn.EXISTS(reversal.select(reversal.id).where(reversal.reverses == pay.id))
    )
    nt = Note.alias("nt")
    follow_up = nt.select(fn.MIN(nt.follow_up)).where(
        (nt.patient == Patient.id) & nt.follow_up.is_null(False) & nt.follow_up_done_at.is_null()
    )
    st = Statement.alias("st")
    last_statement = st.select(fn.MAX(st.statement_date)).where(st.patient == Patient.id)
    query = Patient.select(
        Patient.id,
        insurance.alias("insurance"),
        patient.alias("patient"),
        oldest.alias("oldest"),
        last_payment.alias("last_payment"),
        follow_up.alias("follow_up"),
        last_statement.alias("last_statement"),
        denied.alias("denied"),
    )
    if patient_ids is not None:
        query = query.where(among(Patient.id, patient_ids))
    primaries = _current_primaries(patient_ids)
    primary = next(primaries, None)
    plans = _plan_next_dues(patient_ids)
    plan = next(plans, None)
    for row in database.execute(query.order_by(Patient.id)):  # raw rows: _facts converts
        while primary is not None and primary[0] < row[0]:
            primary = next(primaries, None)
        while plan is not None and plan[0] < row[0]:
            plan = next(plans, None)
        facts = primary[1] if primary is not None and primary[0] == row[0] else (None, None, None)
        plan_due = plan[1] if plan is not None and plan[0] == row[0] else None
        yield _facts(row, facts, plan_due)


def _facts(row, primary, plan_next_due: dt.date | None) -> SummaryFacts:
    pid, insurance, patient, oldest, last_payment, follow_up, last_statement, denied = row
    payer_id, verified, ends = primary
    return SummaryFacts(
        patient_id=pid,
        insurance_balance_cents=int(insurance),
        patient_balance_cents=int(patient),
        oldest_open_dos=as_date(oldest),
        last_payment_date=as_date(last_payment),
        next_follow_up=as_date(follow_up),
        last_statement_date=as_date(last_statement),
        denied_claims=int(denied),
        primary_payer_id=payer_id,
        primary_verified=as_date(verified),
        primary_ends=as_date(ends),
        plan_next_due=plan_next_due,
    )


def _current_primaries(patient_ids: list[int] | None) -> Iterator[tuple[int, tuple]]:
    """(patient id, (payer id, verified at, end date)) of each current primary, in patient order.

    The current primary is the active priority-1 coverage that started last
    (ties: the one entered last), so the cache does not depend on today's date.
    """
    query = (
        Coverage.select(Coverage.patient, Coverage.payer, Coverage.verified_at, Coverage.end_date)
        .where((Coverage.priority == 1) & (Coverage.active == True))  # noqa: E712
        .order_by(Coverage.patient, Coverage.start_date, Coverage.id)
        .tuples()
    )
    if patient_ids is not None:
        query = query.where(among(Coverage.patient, patient_ids))
    pending: tuple[int, tuple] | None = None
    for patient_id, payer_id, verified_at, end_date in database.execute(query):
        if pending is not None and pending[0] != patient_id:
            yield pending
        pending = (patient_id, (payer_id, verified_at, end_date))  # later rows win
    if pending is not None:
        yield pending


def plan_paid(plan_id_column):
    """What a plan has been paid: its payments that were not reversed (a subquery)."""
    paid = Payment.alias("pp")
    reversal = Payment.alias("ppr")
    return paid.select(fn.COALESCE(fn.SUM(paid.amount_cents), 0)).where(
        (paid.plan == plan_id_column)
        # "+ 0": else SQLite walks the reverses index (nearly every payment), not the plan's.
        & (paid.reverses + 0).is_null()
        & ~fn.EXISTS(reversal.select(reversal.id).where(reversal.reverses == paid.id))
    )


def active_plans(patient_ids: list[int] | None):
    """(patient id, plan id, total, instalment, instalments, start, frequency, paid) of each
    active plan, in patient order (all accounts' when patient_ids is None)."""
    query = PaymentPlan.select(
        PaymentPlan.patient,
        PaymentPlan.id,
        PaymentPlan.total_cents,
        PaymentPlan.instalment_cents,
        PaymentPlan.instalments,
        PaymentPlan.start_date,
        PaymentPlan.frequency,
        plan_paid(PaymentPlan.id),
    ).where(PaymentPlan.status == "active")
    if patient_ids is not None:
        query = query.where(among(PaymentPlan.patient, patient_ids))
    return query.order_by(PaymentPlan.patient, PaymentPlan.id).tuples()


def _plan_next_dues(patient_ids: list[int] | None) -> Iterator[tuple[int, dt.date | None]]:
    """(patient id, the due date of the active plan's first instalment not paid in full).

    From the plan and its live payments only, never today's date, so that verify
    recomputes the same date any day. An account has at most one active plan (the
    Store refuses a second); were there two, the first would count.
    """
    last = None
    for patient_id, _, total, instalment, count, start, frequency, paid in database.execute(
        active_plans(patient_ids)
    ):
        if patient_id == last:
            continue
        last = patient_id
        plan = schedule(total, instalment, as_date(start), frequency, count or None)
        yield patient_id, next_due(plan, int(paid))


_refresh_later: ContextVar[set[int] | None] = ContextVar("refresh_later", default=None)


@contextmanager
def accounts_refreshed_at_end() -> Iterator[None]:
    """Inside it, refresh_accounts() notes the accounts, and they are refreshed once when
    the block ends (in the same transaction): for a bulk import made of one-account Store
    calls, whose refreshes would cost more than the work. Left by an exception, nothing is
    refreshed: the transaction around it is rolling back."""
    noted: set[int] = set()
    token = _refresh_later.set(noted)
    try:
        yield
    finally:
        _refresh_later.reset(token)
    refresh_accounts(noted)


def refresh_accounts(patient_ids: Iterable[int]) -> None:
    """Recompute and store the summary of each account (insert it if it is new)."""
    noted = _refresh_later.get()
    if noted is not None:
        noted.update(patient_ids)
        return
    for ids in chunked(sorted(set(patient_ids))):
        rows = [facts.as_row() for facts in recomputed_summaries(ids)]
        existing = {
            pid
            for (pid,) in AccountSummary.select(AccountSummary.patient)
            .where(among(AccountSummary.patient, ids))
            .tuples()
        }
        fields = [k for k in rows[0] if k != "patient"] if rows else []
        update_rows(
            AccountSummary,
            fields,
            [
                (*(row[f] for f in fields), row["patient"])
                for row in rows
                if row["patient"] in existing
            ],
            key="patient",
        )
        insert_rows(
            AccountSummary,
            ["patient", *fields],
            [
                (row["patient"], *(row[f] for f in fields))
                for row in rows
                if row["patient"] not in existing
            ],
        )


# --------------------------------------------------------------------------- batches


def _posted_by_batch(batch_id: int | None = None) -> dict[int, int]:
    """Each batch's posted total: its payments (reversals count negative) less the
    provider-level adjustments withheld from it. Control total - posted = unapplied."""
    posted: dict[int, int] = {}
    payments = Payment.select(Payment.batch, fn.SUM(Payment.amount_cents)).where(
        Payment.batch.is_null(False)
    )
    withheld = BatchAdjustment.select(BatchAdjustment.batch, fn.SUM(BatchAdjustment.amount_cents))
    if batch_id is not None:
        payments = payments.where(Payment.batch == batch_id)
        withheld = withheld.where(BatchAdjustment.batch == batch_id)
    for batch, total in payments.group_by(Payment.batch).tuples():
        posted[batch] = int(total)
    for batch, total in withheld.group_by(BatchAdjustment.batch).tuples():
        posted[batch] = posted.get(batch, 0) - int(total)
    return posted


def recomputed_batches() -> Iterator[tuple[int, int, int]]:
    """(batch id, posted total recomputed, the cached posted total)."""
    posted = _posted_by_batch()
    cached = PaymentBatch.select(PaymentBatch.id, PaymentBatch.posted_total_cents)
    for batch_id, stored in cached.order_by(PaymentBatch.id).tuples().iterator():
        yield batch_id, posted.get(batch_id, 0), stored


def refresh_batch(batch_id: int) -> None:
    total = _posted_by_batch(batch_id).get(batch_id, 0)
    PaymentBatch.update(posted_total_cents=total).where(PaymentBatch.id == batch_id).execute()
