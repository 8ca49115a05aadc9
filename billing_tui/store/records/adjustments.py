"""Late fees, write-offs and waivers (and the supervisor's approvals), collection placements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LateFeeCandidate:
    """A statement left unpaid past its due date: the fee it earns (or earned)."""

    patient_id: int
    account_number: str
    statement_id: int
    statement_date: dt.date
    due_date: dt.date
    amount_due: int
    paid_since: int
    fee: int


@dataclass(frozen=True, slots=True)
class LateFeeRecord:
    id: int
    statement_id: int
    statement_date: dt.date
    assessed_on: dt.date
    amount: int
    waiver: str  # "", "pending", "waived"


@dataclass(frozen=True, slots=True)
class AdjustmentOutcome:
    """What became of a write-off or waiver: posted now, or waiting for a supervisor."""

    request_id: int
    status: str  # posted, pending, approved
    amount: int
    entries: tuple[int, ...]  # the ledger entries posted (none while pending)
    message: str


@dataclass(frozen=True, slots=True)
class AdjustmentRequestRow:
    id: int
    patient_id: int
    account_number: str
    kind: str  # write_off, waiver
    category: str
    amount: int
    reason: str
    status: str
    requested_at: dt.datetime
    requested_by: str
    decided_by: str
    decision_note: str


@dataclass(frozen=True, slots=True)
class PlacementRecord:
    id: int
    patient_id: int
    account_number: str
    agency: str
    amount: int
    reason: str
    placed_at: dt.datetime
    placed_by: str
    recalled_at: dt.datetime | None
    recall_reason: str

    @property
    def active(self) -> bool:
        return self.recalled_at is None
