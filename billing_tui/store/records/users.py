"""Users and the audit trail, as the Store hands them out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: int
    username: str
    name: str
    role: str
    active: bool
    has_password: bool
    os_login: str | None
    locked_until: dt.datetime | None  # UTC; None or past: not locked
    failed_logins: int
    last_login_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class SignedIn:
    user_id: int
    username: str
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    at: dt.datetime  # UTC
    username: str
    via: str
    action: str
    entity: str
    entity_id: int | None
    patient_id: int | None
    account_number: str | None
    before: str | None  # JSON text
    after: str | None


@dataclass(frozen=True, slots=True)
class AuditFilter:
    username: str = ""
    account_number: str = ""
    action: str = ""
    on_or_after: dt.date | None = None
    on_or_before: dt.date | None = None


@dataclass(frozen=True, slots=True)
class ChainReport:
    rows: int
    last_hash: str
    broken_id: int | None = None  # the first row that does not hold
    problem: str = ""  # what is wrong with it, in one line

    @property
    def ok(self) -> bool:
        return not self.problem
