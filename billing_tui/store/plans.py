"""Payment plans in the store: agreeing one, its schedule and standing, ending it.

A plan is a row (total, instalment, start, frequency, how many); its schedule and how it
stands are domain.plans' work. The patient payments posted while it is active point at
it (Payment.plan, set by posting), and what it has been paid is those payments that were
not reversed. A plan completes by itself when its payments reach the total (and opens
again if a reversal takes it back under); a person cancels it, or breaks it when the
patient stops paying. The account summary keeps the next due date, for the queue's flag.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from peewee import JOIN, fn

from ..domain.dates import format_date
from ..domain.money import format_cents
from ..domain.plans import (
    Frequency,
    Instalment,
    PlanError,
    is_missed,
    next_due,
    schedule,
    standing,
)
from ..domain.queue import QueuePolicy
from ..domain.statements import PlanSummary
from .cache import active_plans, as_date, chunked, plan_paid, refresh_accounts
from .db import database
from .models import LedgerEntry, Note, Patient, PaymentPlan, User, utcnow
from .records.plans import InstalmentView, PlanView
from .session import Session, StoreConflict, StoreRefused

BACKDATE_DAYS = 60  # a plan agreed on the phone last month may start then, not earlier
AHEAD_DAYS = 365  # a start further ahead is a typing mistake


class Plans:
    def __init__(self, session: Session, policy: QueuePolicy) -> None:
        self._session = session
        self._policy = policy

    # ------------------------------------------------------------------ reading

    def get(self, plan_id: int) -> PlanView:
        views = self._views(PaymentPlan.id == plan_id)
        if not views:
            raise StoreRefused(f"no payment plan {plan_id}")
        return views[0]

    def current(self, patient_id: int) -> PlanView | None:
        """The account's active plan, if it has one."""
        views = self._views((PaymentPlan.patient == patient_id) & (PaymentPlan.status == "active"))
        return views[0] if views else None

    def plans_of(self, patient_id: int) -> list[PlanView]:
        """Every plan of the account, newest first."""
        return self._views(PaymentPlan.patient == patient_id)

    def _views(self, where) -> list[PlanView]:
        creator, ender = User.alias("creator"), User.alias("ender")
        query = (
            PaymentPlan.select(
                PaymentPlan, Patient.account_number, creator.username.alias("creator_name"),
                ender.username.alias("ender_name"), plan_paid(PaymentPlan.id).alias("paid"),
            )
            .join(Patient, on=(Patient.id == PaymentPlan.patient))
            .switch(PaymentPlan)
            .join(creator, JOIN.LEFT_OUTER, on=(creator.id == PaymentPlan.created_by))
            .switch(PaymentPlan)
            .join(ender, JOIN.LEFT_OUTER, on=(ender.id == PaymentPlan.ended_by))
            .where(where)
            .order_by(PaymentPlan.id.desc())
        )  # fmt: skip
        return [self._view(row) for row in query.objects()]

    def _view(self, row) -> PlanView:
        plan = _schedule_of(row.total_cents, row.instalment_cents, row.start_date,
                            row.frequency, row.instalments)  # fmt: skip
        today = self._session.today()
        now = standing(plan, int(row.paid), today, self._policy.plan_grace_days)
        active = row.status == "active"
        return PlanView(
            id=row.id,
            patient_id=row.patient_id,
            account_number=row.account_number,
            total=row.total_cents,
            instalment=row.instalment_cents,
            instalments=len(plan),
            start_date=as_date(row.start_date),
            frequency=row.frequency,
            status=row.status,
            paid=now.paid,
            remaining=now.remaining,
            # An ended plan is history: nothing is due on it any more.
            next_due=now.next_due if active else None,
            overdue=now.overdue if active else 0,
            behind=now.behind and active,
            schedule=tuple(
                InstalmentView(i.number, i.due, i.amount, i.paid, i.state.value)
                for i in now.instalments
            ),
            version=row.version,
            created_at=row.created_at,
            created_by=getattr(row, "creator_name", None) or "",
            end_reason=row.end_reason,
            ended_at=row.ended_at,
            ended_by=getattr(row, "ender_name", None) or "",
        )

    # ------------------------------------------------------------------ changing

    def create(
        self,
        patient_id: int,
        total: int,
        instalment: int,
        start_date: dt.date,
        frequency: str,
        instalments: int | None = None,
        note: str = "",
    ) -> int:
        """Agree a plan on the account; returns its id. The schedule must add up to the
        total, and the total be no more than what the patient owes."""
        try:
            plan = schedule(total, instalment, start_date, frequency, instalments)
        except PlanError as error:
            raise StoreRefused(str(error)) from None
        frequency = Frequency.parse(frequency)
        session = self._session
        today = session.today()
        if start_date < today - dt.timedelta(days=BACKDATE_DAYS):
            raise StoreRefused(
                f"a plan cannot start more than {BACKDATE_DAYS} days ago "
                f"({format_date(start_date)})"
            )
        if start_date > today + dt.timedelta(days=AHEAD_DAYS):
            raise StoreRefused(
                f"a plan starts within a year; {format_date(start_date)} is further ahead"
            )
        with session.writing():
            patient = self._locked_patient(patient_id)
            running = (
                PaymentPlan.select(PaymentPlan.id)
                .where((PaymentPlan.patient == patient_id) & (PaymentPlan.status == "active"))
                .scalar()
            )  # fmt: skip
            if running is not None:
                raise StoreRefused(
                    f"account {patient.account_number} already has an active payment plan "
                    f"({running}): cancel it first"
                )
            balance = int(
                LedgerEntry.select(fn.COALESCE(fn.SUM(LedgerEntry.patient_delta), 0))
                .where(LedgerEntry.patient == patient_id)
                .scalar()
            )
            if balance <= 0:
                raise StoreRefused(
                    f"the patient owes {format_cents(balance)}: nothing to put on a plan"
                )
            if total > balance:
                raise StoreRefused(
                    f"the plan's total {format_cents(total)} is more than "
                    f"the patient balance {format_cents(balance)}"
                )
            user = session.user_id()
            row = PaymentPlan.create(
                patient=patient_id, total_cents=total, instalment_cents=instalment,
                instalments=len(plan), start_date=start_date, frequency=frequency.value,
                created_by=user,
            )  # fmt: skip
            text = (
                f"Payment plan {row.id} agreed: {_describe(plan, frequency)}, "
                f"total {format_cents(total)}."
            )
            Note.create(patient=patient_id, kind="note", text=f"{text} {note.strip()}".strip(),
                        created_by=user)  # fmt: skip
            session.audit(
                "create", "payment_plan", row.id, patient_id=patient_id,
                after={"total": total, "instalment": instalment, "instalments": len(plan),
                       "start": start_date, "frequency": frequency.value, "note": note.strip()},
            )  # fmt: skip
            refresh_accounts([patient_id])
        return row.id

    def cancel(self, plan_id: int, reason: str, *, expected_version: int) -> None:
        """End an active plan by agreement (or because it was a mistake)."""
        self._end(plan_id, "cancelled", reason, expected_version)

    def break_plan(self, plan_id: int, reason: str, *, expected_version: int | None = None) -> None:
        """End an active plan the patient has stopped keeping: a person's decision, never
        the store's (a missed instalment only flags the account)."""
        self._end(plan_id, "broken", reason, expected_version)

    def _end(self, plan_id: int, status: str, reason: str, expected_version: int | None) -> None:
        reason = reason.strip()
        verb = {"cancelled": "cancelling", "broken": "breaking"}[status]
        if not reason:
            raise StoreRefused(f"{verb} a payment plan needs a reason")
        session = self._session
        with session.writing():
            row = PaymentPlan.get_or_none(PaymentPlan.id == plan_id)
            if row is None:
                raise StoreRefused(f"no payment plan {plan_id}")
            if expected_version is not None and row.version != expected_version:
                raise StoreConflict(f"payment plan {plan_id} was changed by someone else")
            if row.status != "active":
                raise StoreRefused(f"payment plan {plan_id} is {row.status}, not active")
            user = session.user_id()
            updated = (
                PaymentPlan.update(
                    status=status, ended_at=utcnow(), ended_by=user, end_reason=reason[:200],
                    version=PaymentPlan.version + 1,
                )
                .where((PaymentPlan.id == plan_id) & (PaymentPlan.version == row.version))
                .execute()
            )  # fmt: skip
            if not updated:
                raise StoreConflict(f"payment plan {plan_id} was changed by someone else")
            Note.create(patient=row.patient_id, kind="note", created_by=user,
                        text=f"Payment plan {plan_id} {status}: {reason}")  # fmt: skip
            session.audit(
                "cancel" if status == "cancelled" else "break", "payment_plan", plan_id,
                patient_id=row.patient_id, before={"status": row.status},
                after={"status": status, "reason": reason},
            )  # fmt: skip
            refresh_accounts([row.patient_id])

    def _locked_patient(self, patient_id: int) -> Patient:
        """The patient's row, locked until the transaction ends (FOR UPDATE on PostgreSQL;
        SQLite's IMMEDIATE transaction keeps other writers out): one plan at a time."""
        query = Patient.select().where(Patient.id == patient_id)
        if self._session.db.for_update:
            query = query.for_update()
        row = query.first()
        if row is None:
            raise StoreRefused(f"no account with id {patient_id}")
        return row


# --------------------------------------------------------------------------- for posting


def active_plan(patient_id: int) -> int | None:
    """The id of the account's active plan: a patient payment posted now counts toward it."""
    return (
        PaymentPlan.select(PaymentPlan.id)
        .where((PaymentPlan.patient == patient_id) & (PaymentPlan.status == "active"))
        .order_by(PaymentPlan.id)
        .scalar()
    )


def settle_plan(plan_id: int, session: Session) -> None:
    """After a payment to the plan or its reversal (inside the write transaction): an
    active plan its payments have paid in full is completed; a completed one that a
    reversal left short is active again (unless the account has agreed another since)."""
    row = (
        PaymentPlan.select(PaymentPlan, plan_paid(PaymentPlan.id).alias("paid"))
        .where(PaymentPlan.id == plan_id)
        .objects()
        .first()
    )
    paid = int(row.paid)
    if row.status == "active" and paid >= row.total_cents:
        change = {"status": "completed", "ended_at": utcnow(), "ended_by": session.user_id(),
                  "end_reason": "paid in full"}  # fmt: skip
    elif row.status == "completed" and paid < row.total_cents:
        if active_plan(row.patient_id) is not None:
            return
        change = {"status": "active", "ended_at": None, "ended_by": None, "end_reason": ""}
    else:
        return
    PaymentPlan.update(**change, version=PaymentPlan.version + 1).where(
        PaymentPlan.id == plan_id
    ).execute()
    session.audit(
        "complete" if change["status"] == "completed" else "reopen", "payment_plan", plan_id,
        patient_id=row.patient_id, before={"status": row.status},
        after={"status": change["status"], "paid": paid},
    )  # fmt: skip
    refresh_accounts([row.patient_id])


# --------------------------------------------------------------------------- for statements


def _active_standing(
    patient_ids: Iterable[int],
) -> Iterator[tuple[int, int, tuple[Instalment, ...], int]]:
    """(patient id, instalment, schedule, paid) of each account's active plan: one query
    per few hundred accounts, whatever their number."""
    for ids in chunked(sorted(set(patient_ids))):
        last = None
        rows = database.execute(active_plans(ids))
        for patient_id, _, total, instalment, count, start, frequency, paid in rows:
            if patient_id == last:
                continue  # never two active plans; were there, the first counts (as cache.py)
            last = patient_id
            plan = _schedule_of(total, instalment, start, frequency, count)
            yield patient_id, instalment, plan, int(paid)


def plan_summaries(patient_ids: list[int], as_of: dt.date) -> dict[int, PlanSummary]:
    """What a statement of `as_of` says of each account's active plan (accounts without
    one are left out). instalment is the plan's, or what the plan has left when less."""
    summaries = {}
    for patient_id, instalment, plan, paid in _active_standing(patient_ids):
        now = standing(plan, paid, as_of, 0)
        summaries[patient_id] = PlanSummary(
            instalment=min(instalment, now.remaining),
            next_due=now.next_due,
            overdue=now.overdue,
            remaining=now.remaining,
        )
    return summaries


def on_plan_in_good_standing(patient_ids: list[int], as_of: dt.date, grace_days: int) -> set[int]:
    """The accounts whose active plan has no missed instalment on `as_of`."""
    return {
        patient_id
        for patient_id, _, plan, paid in _active_standing(patient_ids)
        if not is_missed(next_due(plan, paid), as_of, grace_days)
    }


# --------------------------------------------------------------------------- helpers


def _schedule_of(total, instalment, start, frequency, count) -> tuple[Instalment, ...]:
    """A stored plan's schedule (count 0: a row from before the count was kept)."""
    return schedule(total, instalment, as_date(start), frequency, count or None)


def _describe(plan: tuple[Instalment, ...], frequency: Frequency) -> str:
    first, last = plan[0], plan[-1]
    text = f"{len(plan)} {frequency.value} instalment{'s' if len(plan) > 1 else ''} of "
    text += f"{format_cents(first.amount)} from {format_date(first.due)}"
    if len(plan) > 1 and last.amount != first.amount:
        text += f" (the last {format_cents(last.amount)})"
    return text
