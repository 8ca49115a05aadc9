"""The account ledger's rules: entry kinds, how each moves the two balances, aging.

An entry carries two signed deltas in cents: what it does to the insurance
balance (waiting on a payer) and to the patient balance (the patient owes it).
Charges raise a balance, payments and adjustments lower it, a transfer moves
money between the two (its deltas cancel), and a reversal is the exact negative
of the entry it reverses. Balance = the sum of the deltas, always recomputable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class EntryKind(StrEnum):
    CHARGE = "charge"
    PAYMENT = "payment"  # money received, from a payer or the patient
    ADJUSTMENT = "adjustment"  # contractual and other write-offs, waivers, bad debt
    TRANSFER = "transfer"  # between the insurance and the patient balance
    REFUND = "refund"  # money paid back out; raises the balance from a credit
    LATE_FEE = "late_fee"


PAYER_GROUPS = frozenset({"CO", "OA", "PI"})
"""The CAS groups of a payer's write-offs (PR is the patient's share: a transfer)."""


class LedgerError(ValueError):
    """A posting the ledger's rules refuse."""


@dataclass(frozen=True, slots=True)
class Deltas:
    insurance: int
    patient: int


def check_deltas(kind: EntryKind, insurance: int, patient: int, group: str = "") -> None:
    """Refuse an entry whose deltas do not fit its kind; reversals are checked by the caller.

    One exception to "an adjustment only lowers": a payer's own negative adjustment
    (a CAS group, e.g. OA-94 when a payer pays more than the charge) raises the
    insurance balance by what the payer paid beyond it, so that the line balances."""
    if insurance == 0 and patient == 0:
        raise LedgerError("an entry must move money")
    if kind is EntryKind.TRANSFER:
        if insurance + patient != 0:
            raise LedgerError("a transfer moves money between balances; its deltas must cancel")
    elif kind in (EntryKind.CHARGE, EntryKind.LATE_FEE, EntryKind.REFUND):
        if insurance < 0 or patient < 0:
            raise LedgerError(f"a {kind} can only raise a balance")
    elif kind is EntryKind.ADJUSTMENT and group in PAYER_GROUPS and patient == 0:
        return
    elif kind in (EntryKind.PAYMENT, EntryKind.ADJUSTMENT):
        if insurance > 0 or patient > 0:
            raise LedgerError(f"a {kind} can only lower a balance")


def charge_deltas(charge: int, to_insurance: bool) -> Deltas:
    """A visit's charge raises the insurance balance when its claim bills a payer, the
    patient's when it is self-pay."""
    return Deltas(charge, 0) if to_insurance else Deltas(0, charge)


def reversal_of(insurance: int, patient: int) -> Deltas:
    return Deltas(-insurance, -patient)


AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("91-120", 91, 120),
    ("120+", 121, None),
)
"""A/R aging buckets, in days from the date of service of the oldest open charge."""


def age_bucket(date_of_service: dt.date | None, today: dt.date) -> str:
    """The bucket label for a charge's date of service; '' when nothing is open."""
    if date_of_service is None:
        return ""
    days = max((today - date_of_service).days, 0)
    for label, low, high in AGE_BUCKETS:
        if high is None or days <= high:
            if days >= low:
                return label
    return AGE_BUCKETS[-1][0]


def bucket_dos_range(label: str, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The dates of service (inclusive) that fall in a bucket today: (earliest, latest)."""
    for name, low, high in AGE_BUCKETS:
        if name == label:
            latest = today - dt.timedelta(days=low) if low else None
            earliest = today - dt.timedelta(days=high) if high is not None else None
            return earliest, latest
    raise ValueError(f"unknown age bucket {label!r}")
