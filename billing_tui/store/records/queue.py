"""What the account queue reads: its rows, pages and cursors, and the payers to filter by."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ...domain.queue import Flag


@dataclass(frozen=True, slots=True)
class PayerRecord:
    id: int
    name: str
    payer_code: str
    kind: str
    timely_filing_days: int


@dataclass(frozen=True, slots=True)
class QueueRow:
    patient_id: int
    account_number: str
    last_name: str
    first_name: str
    dob: dt.date
    primary_payer: str
    insurance_balance: int
    patient_balance: int
    oldest_open_dos: dt.date | None
    age_bucket: str
    last_payment_date: dt.date | None
    next_follow_up: dt.date | None
    follow_up_due: bool
    flags: tuple[Flag, ...]

    @property
    def name(self) -> str:
        return f"{self.last_name}, {self.first_name}"

    @property
    def total_balance(self) -> int:
        return self.insurance_balance + self.patient_balance


@dataclass(frozen=True, slots=True)
class QueueCursor:
    """Where a page ended: the segment of the query and the sort key of its last row."""

    segment: int
    key: tuple


@dataclass(frozen=True, slots=True)
class QueuePage:
    rows: tuple[QueueRow, ...]
    next_cursor: QueueCursor | None  # None: nothing after this page
