"""Payment plans: the schedule of instalments, and how a plan stands given what was paid.

Pure: the Store keeps the plan (total, instalment, start, frequency, how many) and the
payments that went to it; everything else (due dates, what each instalment has had,
what is overdue, whether the patient is behind) is worked out here from those facts.
Payments cover instalments in order: the first instalment is paid in full before any
money counts toward the second.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from .money import format_cents

MAX_INSTALMENTS = 120  # ten years of monthly instalments


class PlanError(ValueError):
    """A plan that does not add up, or cannot be scheduled; the message says why."""


class Frequency(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"

    @classmethod
    def parse(cls, value: str) -> Frequency:
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            choices = ", ".join(f.value for f in cls)
            raise PlanError(f"a plan is paid {choices}, not {str(value)[:20]!r}") from None


class InstalmentState(StrEnum):
    PAID = "paid"
    PARTLY_PAID = "partly paid"  # some of it paid, and not yet missed
    DUE = "due"  # nothing paid yet; not yet past its due date and the grace days
    MISSED = "missed"  # not paid in full by its due date and the grace days


@dataclass(frozen=True, slots=True)
class Instalment:
    number: int  # 1, 2, ...
    due: dt.date
    amount: int  # cents


def due_date(start: dt.date, frequency: Frequency, index: int) -> dt.date:
    """The due date of the instalment `index` (0: the first, on the start date).

    Monthly dates keep the start's day of the month, or the month's last day when it
    is shorter: a plan from Jan 31 falls due Feb 28 (or 29), Mar 31, Apr 30.
    """
    if frequency is Frequency.WEEKLY:
        return start + dt.timedelta(weeks=index)
    if frequency is Frequency.BIWEEKLY:
        return start + dt.timedelta(weeks=2 * index)
    months = start.month - 1 + index
    year, month = start.year + months // 12, months % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def schedule(
    total: int,
    instalment: int,
    start: dt.date,
    frequency: Frequency | str,
    count: int | None = None,
) -> tuple[Instalment, ...]:
    """The plan's instalments: `instalment` each, the last one whatever is left.

    Without count, as many as the total needs (ceil(total / instalment)); with count,
    the count must be what the total needs, else PlanError says what they make.
    """
    frequency = Frequency.parse(frequency) if not isinstance(frequency, Frequency) else frequency
    if total <= 0:
        raise PlanError(f"a plan's total must be more than 0.00, not {format_cents(total)}")
    if instalment <= 0:
        raise PlanError(f"an instalment must be more than 0.00, not {format_cents(instalment)}")
    if instalment > total:
        raise PlanError(
            f"an instalment of {format_cents(instalment)} is more than "
            f"the plan's total {format_cents(total)}"
        )
    needed = -(-total // instalment)
    if count is not None:
        if count < 1:
            raise PlanError("a plan needs at least 1 instalment")
        if not (count - 1) * instalment < total <= count * instalment:
            raise PlanError(
                f"{count} instalments of {format_cents(instalment)} make "
                f"{format_cents(count * instalment)}, not the plan's {format_cents(total)}"
            )
    if needed > MAX_INSTALMENTS:
        raise PlanError(
            f"{format_cents(total)} in instalments of {format_cents(instalment)} takes "
            f"{needed} instalments; a plan has at most {MAX_INSTALMENTS}: raise the instalment"
        )
    last = total - (needed - 1) * instalment
    return tuple(
        Instalment(n + 1, due_date(start, frequency, n), instalment if n + 1 < needed else last)
        for n in range(needed)
    )


# --------------------------------------------------------------------------- standing


@dataclass(frozen=True, slots=True)
class InstalmentStanding:
    number: int
    due: dt.date
    amount: int
    paid: int  # what the payments have covered of it, 0..amount
    state: InstalmentState


@dataclass(frozen=True, slots=True)
class Standing:
    instalments: tuple[InstalmentStanding, ...]
    paid: int  # every live payment to the plan (more than the total when overpaid)
    next_due: dt.date | None  # the first instalment not paid in full; None: paid up
    overdue: int  # what instalments due before today still lack
    remaining: int  # what the plan has left to collect
    behind: bool  # an instalment is missed: unpaid past its due date and the grace days


def covered(plan: tuple[Instalment, ...], paid: int) -> tuple[int, ...]:
    """What `paid` covers of each instalment, in order (the first is filled first)."""
    amounts = []
    left = max(paid, 0)
    for item in plan:
        take = min(left, item.amount)
        amounts.append(take)
        left -= take
    return tuple(amounts)


def next_due(plan: tuple[Instalment, ...], paid: int) -> dt.date | None:
    """The due date of the first instalment that `paid` does not cover in full.

    It does not depend on today: the account summary keeps it, and the queue flags
    the account once today is past it and the grace days (see is_missed).
    """
    for item, part in zip(plan, covered(plan, paid), strict=True):
        if part < item.amount:
            return item.due
    return None


def is_missed(due: dt.date | None, today: dt.date, grace_days: int) -> bool:
    """Whether an instalment due on `due`, still unpaid, is missed today."""
    return due is not None and due + dt.timedelta(days=grace_days) < today


def standing(plan: tuple[Instalment, ...], paid: int, today: dt.date, grace_days: int) -> Standing:
    """How the plan stands today, given every live payment made to it."""
    rows = []
    overdue = 0
    for item, part in zip(plan, covered(plan, paid), strict=True):
        if part == item.amount:
            state = InstalmentState.PAID
        elif is_missed(item.due, today, grace_days):
            state = InstalmentState.MISSED
        elif part:
            state = InstalmentState.PARTLY_PAID
        else:
            state = InstalmentState.DUE
        if item.due < today:
            overdue += item.amount - part
        rows.append(InstalmentStanding(item.number, item.due, item.amount, part, state))
    total = sum(item.amount for item in plan)
    upcoming = next_due(plan, paid)
    return Standing(
        instalments=tuple(rows),
        paid=paid,
        next_due=upcoming,
        overdue=overdue,
        remaining=max(total - paid, 0),
        behind=is_missed(upcoming, today, grace_days),
    )
