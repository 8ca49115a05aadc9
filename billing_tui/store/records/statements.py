"""Statement runs and statements as the CLI and the screens see them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class StatementCandidate:
    """An account a statement run would print, or hold back (held says why)."""

    patient_id: int
    account_number: str
    name: str
    patient_balance: int
    last_statement: dt.date | None
    held: str = ""


@dataclass(frozen=True, slots=True)
class Held:
    account_number: str
    reason: str


@dataclass(frozen=True, slots=True)
class RunResult:
    run_id: int
    path: Path
    statements: int
    pages: int
    total_due: int
    held: tuple[Held, ...]


@dataclass(frozen=True, slots=True)
class StatementRecord:
    """A statement that went out, as listed on the account."""

    id: int
    statement_date: dt.date
    cycle: int
    cycle_label: str
    balance: int
    amount_due: int
    due_date: dt.date
    pages: int
    run_id: int | None
    file_name: str
    created_by: str
    reprintable: bool  # False for statements recorded without their content (sample data)
