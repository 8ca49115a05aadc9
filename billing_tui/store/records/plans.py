"""Payment plans as the CLI, the screens and the plan agreement letter see them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class InstalmentView:
    number: int  # 1, 2, ...
    due: dt.date
    amount: int  # cents; the last instalment may be smaller
    paid: int  # what the plan's payments cover of it, in order, 0..amount
    state: str  # domain.plans.InstalmentState: paid, partly paid, due, missed


@dataclass(frozen=True, slots=True)
class PlanView:
    """A plan, its schedule, and how it stands today (payments cover instalments in order)."""

    id: int
    patient_id: int
    account_number: str
    total: int
    instalment: int
    instalments: int
    start_date: dt.date
    frequency: str  # weekly, biweekly, monthly
    status: str  # active, completed, broken, cancelled
    paid: int  # the live (not reversed) payments made to the plan
    remaining: int  # what the plan has left to collect
    # How it stands today, while active (an ended plan: None, 0, False; its schedule's
    # states stay, as history).
    next_due: dt.date | None  # the first instalment not paid in full; None: paid up
    overdue: int  # what instalments due before today still lack
    behind: bool  # an instalment is unpaid past its due date and the grace days
    schedule: tuple[InstalmentView, ...]
    version: int  # optimistic locking: cancel and break say which version they saw
    created_at: dt.datetime
    created_by: str  # username
    end_reason: str  # why it ended: "paid in full", or the reason typed; "" while active
    ended_at: dt.datetime | None = None
    ended_by: str = ""  # username

    @property
    def active(self) -> bool:
        return self.status == "active"
