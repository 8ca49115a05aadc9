"""The account queue's rules: work priority, flags, and the filters a specialist can set."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from .plans import is_missed

NO_OPEN_CHARGE_DAYS = 99_999
_BALANCE_CEILING = 10**11  # cents: $1,000,000,000, far above any account
_EPOCH = dt.date(1900, 1, 1)


def priority_key(total_balance: int, oldest_open_dos: dt.date | None) -> int:
    """One integer that sorts accounts largest balance first, then oldest open charge first.

    Stored beside the balances so that the queue is an index scan, never a sort
    of a million rows.
    """
    clamped = max(min(total_balance, _BALANCE_CEILING - 1), -_BALANCE_CEILING + 1)
    days = NO_OPEN_CHARGE_DAYS if oldest_open_dos is None else (oldest_open_dos - _EPOCH).days
    return (_BALANCE_CEILING - clamped) * 100_000 + days


def credit_priority_floor() -> int:
    """The smallest priority_key of an account in credit: every credit sorts at or after it."""
    return (_BALANCE_CEILING + 1) * 100_000


class Flag(StrEnum):
    """Why an account needs attention; each has a letter for the queue's narrow column."""

    DENIED = "D"  # a claim was denied and waits in the denial queue
    STATEMENT_DUE = "S"  # patient balance and no statement within the cycle
    PLAN_MISSED = "P"  # a payment plan's instalment is unpaid past its due date and grace days
    UNVERIFIED = "U"  # the primary coverage was never verified, or too long ago
    EXPIRED = "X"  # the primary coverage has ended
    CREDIT = "C"  # the account owes the patient money

    @property
    def label(self) -> str:
        return FLAG_LABELS[self]


FLAG_LABELS = {
    Flag.DENIED: "denied claim",
    Flag.STATEMENT_DUE: "statement due",
    Flag.PLAN_MISSED: "plan instalment missed",
    Flag.UNVERIFIED: "coverage unverified",
    Flag.EXPIRED: "coverage expired",
    Flag.CREDIT: "credit balance",
}


@dataclass(frozen=True, slots=True)
class QueuePolicy:
    """Settings the flags depend on (config.py reads them)."""

    statement_cycle_days: int = 30
    verification_stale_days: int = 30
    plan_grace_days: int = 5  # a plan instalment is missed this many days after its due date


def account_flags(
    *,
    insurance_balance: int,
    patient_balance: int,
    denied_claims: int,
    last_statement: dt.date | None,
    has_primary: bool,
    primary_verified: dt.date | None,
    primary_ends: dt.date | None,
    today: dt.date,
    policy: QueuePolicy,
    plan_next_due: dt.date | None = None,
) -> tuple[Flag, ...]:
    """plan_next_due: the active payment plan's first instalment not paid in full (None:
    no plan, or paid up); the account is flagged once today is past it and the grace days."""
    flags: list[Flag] = []
    if denied_claims:
        flags.append(Flag.DENIED)
    if patient_balance > 0 and (
        last_statement is None or (today - last_statement).days >= policy.statement_cycle_days
    ):
        flags.append(Flag.STATEMENT_DUE)
    if is_missed(plan_next_due, today, policy.plan_grace_days):
        flags.append(Flag.PLAN_MISSED)
    if has_primary:
        if primary_ends is not None and primary_ends < today:
            flags.append(Flag.EXPIRED)
        if (
            primary_verified is None
            or (today - primary_verified).days > policy.verification_stale_days
        ):
            flags.append(Flag.UNVERIFIED)
    if insurance_balance + patient_balance < 0:
        flags.append(Flag.CREDIT)
    return tuple(flags)


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """What narrows the queue; None means any."""

    age_bucket: str | None = None
    payer_id: int | None = None
    flag: Flag | None = None
    follow_up_due: bool = False

    @property
    def active(self) -> bool:
        return bool(self.age_bucket or self.payer_id or self.flag or self.follow_up_due)
