"""Our own adjustments of a patient balance: late fees, waivers, write-offs, bad debt, and
who may post them. Pure rules; the Store applies them.

A specialist may write off or waive up to the approval limit; above it the adjustment
waits for a supervisor (or an admin), who approves or declines it. Sending an account to
collections is a supervisor's decision, and only after a final notice went out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from .money import format_cents
from .security import Permission, Role, may

SUPERVISING = frozenset({Role.SUPERVISOR, Role.ADMIN})


class Category(StrEnum):
    """What an adjustment or fee of ours is; kept on its ledger entries for the reports."""

    LATE_FEE = "late_fee"
    WAIVER = "waiver"  # a late fee (or other charge of ours) forgiven
    SMALL_BALANCE = "small_balance"
    HARDSHIP = "hardship"
    COURTESY = "courtesy"  # professional or prompt-pay courtesy
    BAD_DEBT = "bad_debt"  # sent to collections

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    Category.LATE_FEE: "late fee",
    Category.WAIVER: "waiver",
    Category.SMALL_BALANCE: "small-balance write-off",
    Category.HARDSHIP: "hardship write-off",
    Category.COURTESY: "courtesy adjustment",
    Category.BAD_DEBT: "bad debt (collections)",
}
WRITE_OFF_CATEGORIES = (Category.SMALL_BALANCE, Category.HARDSHIP, Category.COURTESY)


class AdjustmentError(ValueError):
    """An adjustment the rules refuse; the message says why."""


@dataclass(frozen=True, slots=True)
class FeePolicy:
    """Late fees and the approval limit (config.py reads [late_fees] and [adjustments])."""

    late_fee: int = 0  # cents; 0: no late fees
    days_past_due: int = 30  # a statement's amount still unpaid this long after its due date
    approval_limit: int = 5_000  # cents: write-offs and waivers above it need a supervisor

    def __post_init__(self) -> None:
        if self.late_fee < 0 or self.approval_limit < 0:
            raise ValueError("the late fee and the approval limit cannot be negative")
        if self.days_past_due < 0:
            raise ValueError("days past due cannot be negative")


def is_supervising(role: str) -> bool:
    return may(role, Permission.APPROVE)


def needs_approval(amount: int, role: str, policy: FeePolicy) -> bool:
    """A write-off or waiver above the limit waits for a supervisor unless one posts it."""
    return amount > policy.approval_limit and not is_supervising(role)


def check_adjustment(amount: int, patient_balance: int, reason: str) -> None:
    """An adjustment lowers what the patient owes, by a reason, and by no more than that."""
    if amount <= 0:
        raise AdjustmentError("an adjustment must be more than 0.00")
    if not reason.strip():
        raise AdjustmentError("an adjustment needs a reason")
    if amount > patient_balance:
        raise AdjustmentError(
            f"the patient owes {format_cents(max(patient_balance, 0))}: "
            f"an adjustment of {format_cents(amount)} would leave a credit"
        )


def check_collections(role: str, final_notice: dt.date | None, patient_balance: int) -> None:
    """Only a supervisor sends an account to collections, and only after a final notice."""
    if not may(role, Permission.COLLECTIONS):
        raise AdjustmentError("sending an account to collections needs a supervisor")
    if final_notice is None:
        raise AdjustmentError("the account has had no final notice; send one first")
    if patient_balance <= 0:
        raise AdjustmentError("the patient owes nothing: nothing to send to collections")


def late_fee_due(
    *,
    due_date: dt.date,
    amount_due: int,
    paid_since: int,
    today: dt.date,
    on_plan_in_good_standing: bool,
    policy: FeePolicy,
) -> bool:
    """Whether a statement earns its late fee: the fee is set, the statement's amount is
    still unpaid `days_past_due` days after its due date, and the patient is not keeping
    a payment plan. A statement earns at most one fee (the Store enforces it)."""
    if policy.late_fee <= 0 or on_plan_in_good_standing:
        return False
    if (today - due_date).days < policy.days_past_due:
        return False
    return paid_since < amount_due
