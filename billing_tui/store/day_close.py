"""Closing the day: the day's deposits against their batches' control totals, by method and
batch, what is still unapplied, and who posted what; then the day closed, so nothing more
is posted with its date, until a supervisor reopens it with a reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN, fn

from ..domain.ledger import EntryKind
from ..domain.money import format_cents
from ..domain.security import Permission
from .models import ClosedDay, LedgerEntry, Payer, Payment, PaymentBatch, User, utcnow
from .session import Session, StoreRefused


@dataclass(frozen=True, slots=True)
class DayCloseRow:
    """One line of the day-close: a batch, a user's posting, or the day's total."""

    section: str  # batch, user, total
    label: str  # "1692 ins check Summit 601692", a username, "deposit"
    method: str
    control: int  # the batch's control total (the deposit slip); 0 for a user line
    posted: int  # applied to accounts
    unapplied: int  # control - posted
    lines: int  # ledger lines (user) or payments (batch)
    status: str  # open, closed


@dataclass(frozen=True, slots=True)
class DayStatus:
    day: dt.date
    closed: bool
    closed_by: str = ""
    reopened_by: str = ""
    reopen_reason: str = ""


def day_is_closed(day: dt.date | None) -> bool:
    if day is None:
        return False
    return (
        ClosedDay.select().where((ClosedDay.day == day) & ClosedDay.reopened_at.is_null()).exists()
    )


def refuse_if_closed(day: dt.date | None, what: str) -> None:
    """Posting dated on a closed day is refused (call inside the write transaction)."""
    if day_is_closed(day):
        raise StoreRefused(
            f"{day.strftime('%m/%d/%Y')} is closed: {what} dated that day needs a supervisor "
            "to reopen it (billing-tui reopen-day)"
        )


class DayClose:
    def __init__(self, session: Session) -> None:
        self._session = session

    def report(self, day: dt.date | None = None) -> list[DayCloseRow]:
        """The day's batches (by deposit date) with control, posted and unapplied, then each
        user's posting that day (ledger lines with the day as their date, not charges), then
        the total: the deposit, which must equal the batches' control totals."""
        day = day or self._session.today()
        rows = []
        payments = (
            Payment.select(Payment.batch, fn.COUNT(Payment.id))
            .join(PaymentBatch, on=(PaymentBatch.id == Payment.batch))
            .where(PaymentBatch.deposit_date == day)
            .group_by(Payment.batch)
            .tuples()
        )
        counts = dict(payments)
        batches = (
            PaymentBatch.select(
                PaymentBatch.id, PaymentBatch.kind, Payer.name, PaymentBatch.check_number,
                PaymentBatch.method, PaymentBatch.control_total_cents,
                PaymentBatch.posted_total_cents, PaymentBatch.status,
            )
            .join(Payer, JOIN.LEFT_OUTER, on=(Payer.id == PaymentBatch.payer))
            .where(PaymentBatch.deposit_date == day)
            .order_by(PaymentBatch.method, PaymentBatch.id)
            .tuples()
        )  # fmt: skip
        control = posted = 0
        for batch_id, kind, payer, check, method, batch_control, batch_posted, status in batches:
            reference = f" {check}" if check else ""
            rows.append(
                DayCloseRow(
                    section="batch",
                    label=f"{batch_id} {kind[:3]} {payer or 'patients'}{reference}",
                    method=method,
                    control=batch_control,
                    posted=batch_posted,
                    unapplied=batch_control - batch_posted,
                    lines=int(counts.get(batch_id, 0)),
                    status=status,
                )
            )
            control += batch_control
            posted += batch_posted
        le = LedgerEntry
        by_user = (
            le.select(User.username, fn.COUNT(le.id),
                      fn.SUM(fn.ABS(le.insurance_delta + le.patient_delta)))
            .join(User, JOIN.LEFT_OUTER, on=(User.id == le.user))
            .where((le.effective_date == day) & (le.kind != EntryKind.CHARGE.value))
            .group_by(User.username)
            .order_by(User.username)
            .tuples()
        )  # fmt: skip
        for username, count, amount in by_user:
            rows.append(
                DayCloseRow(
                    "user", username or "(system)", "", 0, int(amount or 0), 0, int(count), ""
                )  # fmt: skip
            )
        status = self.status(day)
        rows.append(
            DayCloseRow(
                "total",
                "deposit",
                "",
                control,
                posted,
                control - posted,
                sum(r.lines for r in rows if r.section == "batch"),
                "closed" if status.closed else "open",
            )  # fmt: skip
        )
        return rows

    def status(self, day: dt.date) -> DayStatus:
        row = ClosedDay.get_or_none(ClosedDay.day == day)
        if row is None:
            return DayStatus(day, False)
        names = dict(User.select(User.id, User.username).tuples())
        return DayStatus(
            day,
            row.reopened_at is None,
            names.get(row.closed_by_id, ""),
            names.get(row.reopened_by_id, "") if row.reopened_at else "",
            row.reopen_reason if row.reopened_at else "",
        )

    def close(self, day: dt.date) -> None:
        """Close a day: every batch deposited that day must be closed (balanced) first."""
        session = self._session
        if day > session.today():
            raise StoreRefused("a day is closed once it is over, not before")
        with session.writing():
            still_open = [
                b.id
                for b in PaymentBatch.select(PaymentBatch.id).where(
                    (PaymentBatch.deposit_date == day) & (PaymentBatch.status == "open")
                )
            ]
            if still_open:
                listed = ", ".join(str(b) for b in still_open[:5])
                raise StoreRefused(f"close its batches first: {listed} still open")
            existing = ClosedDay.get_or_none(ClosedDay.day == day)
            if existing is not None and existing.reopened_at is None:
                raise StoreRefused(f"{day.strftime('%m/%d/%Y')} is already closed")
            if existing is None:
                ClosedDay.create(day=day, closed_by=session.user_id())
            else:
                ClosedDay.update(
                    closed_at=utcnow(), closed_by=session.user_id(), reopened_at=None,
                    reopened_by=None, reopen_reason="",
                ).where(ClosedDay.day == day).execute()  # fmt: skip
            deposit = (
                PaymentBatch.select(fn.SUM(PaymentBatch.control_total_cents))
                .where(PaymentBatch.deposit_date == day)
                .scalar()
            )
            session.audit("close", "day", None,
                          after={"day": day.isoformat(), "deposit": format_cents(int(deposit or 0))})  # fmt: skip

    def reopen(self, day: dt.date, reason: str) -> None:
        reason = reason.strip()
        if not reason:
            raise StoreRefused("say why the day is reopened")
        session = self._session
        with session.writing(Permission.REOPEN_DAY, "reopening a closed day"):
            existing = ClosedDay.get_or_none(ClosedDay.day == day)
            if existing is None or existing.reopened_at is not None:
                raise StoreRefused(f"{day.strftime('%m/%d/%Y')} is not closed")
            ClosedDay.update(
                reopened_at=utcnow(), reopened_by=session.user_id(), reopen_reason=reason[:200]
            ).where(ClosedDay.day == day).execute()
            session.audit("reopen", "day", None, after={"day": day.isoformat(), "reason": reason})
