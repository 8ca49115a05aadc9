"""The audit trail: reading it with filters (supervisors) and checking its hash chain.

Each row's hash covers the previous row's hash and the row's own fields
(session.AuditRow), and audit_head remembers the chain's last row and length. An edited
row no longer matches its hash; an inserted or deleted row breaks the link of the row
after it; deleted newest rows no longer reach the head.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from peewee import JOIN

from ..domain.security import Permission
from .models import AuditHead, AuditLog, Patient
from .records.users import AuditFilter, AuditRecord, ChainReport
from .session import AuditRow, Session

CHUNK = 5_000


class AuditTrail:
    def __init__(self, session: Session) -> None:
        self._session = session

    def page(
        self, where: AuditFilter | None = None, *, before_id: int | None = None, limit: int = 50
    ) -> list[AuditRecord]:
        """The newest rows that match, newest first; before_id pages further back."""
        self._session.require(Permission.AUDIT, "reading the audit trail")
        where = where or AuditFilter()
        query = (
            AuditLog.select(
                AuditLog.id,
                AuditLog.at,
                AuditLog.username,
                AuditLog.via,
                AuditLog.action,
                AuditLog.entity,
                AuditLog.entity_id,
                AuditLog.patient_id,
                Patient.account_number,
                AuditLog.before,
                AuditLog.after,
            )
            .join(Patient, on=(AuditLog.patient_id == Patient.id), join_type=JOIN.LEFT_OUTER)
            .order_by(AuditLog.id.desc())
            .limit(limit)
        )
        if where.username:
            query = query.where(AuditLog.username == where.username.strip().lower())
        if where.action:
            query = query.where(AuditLog.action == where.action.strip().lower())
        if where.account_number:
            query = query.where(Patient.account_number == where.account_number.strip().upper())
        if where.on_or_after is not None:
            query = query.where(AuditLog.at >= where.on_or_after)
        if where.on_or_before is not None:
            query = query.where(AuditLog.at < where.on_or_before + dt.timedelta(days=1))
        if before_id is not None:
            query = query.where(AuditLog.id < before_id)
        return [AuditRecord(*row) for row in query.tuples()]

    def actions(self) -> list[str]:
        """The actions that occur, for the screen's filter."""
        self._session.require(Permission.AUDIT, "reading the audit trail")
        return [a for (a,) in AuditLog.select(AuditLog.action).distinct().tuples()]

    def verify(self) -> ChainReport:
        """Walk the whole chain; report the first row that does not hold."""
        self._session.require(Permission.AUDIT, "checking the audit trail")
        previous = ""
        rows = 0
        last_id = 0
        for row in _rows():
            rows += 1
            if row.prev_hash != previous:
                return ChainReport(rows, previous, row.id, _link_problem(row.id, last_id))
            expected = AuditRow(
                at=row.at,
                username=row.username,
                action=row.action,
                entity=row.entity,
                entity_id=row.entity_id,
                patient_id=row.patient_id,
                before=row.before,
                after=row.after,
                via=row.via,
            ).digest(previous)
            if row.hash != expected:
                return ChainReport(
                    rows, previous, row.id, f"row {row.id} was changed after it was written"
                )
            previous = row.hash
            last_id = row.id
        head = AuditHead.get_or_none(AuditHead.id == 1)
        if head is not None and (
            head.last_id != last_id or head.last_hash != previous or head.rows != rows
        ):
            if head.rows > rows or head.last_id > last_id:
                problem = (
                    f"the trail ends at row {last_id} but it had reached row {head.last_id} "
                    f"({head.rows - rows} newest rows deleted)"
                )
            else:
                problem = f"rows after {head.last_id} were added outside billing-tui"
            return ChainReport(rows, previous, last_id or None, problem)
        return ChainReport(rows, previous)


def _rows() -> Iterator[AuditLog]:
    """Every row in id order, a chunk at a time (a keyset walk: memory stays flat)."""
    after = 0
    while True:
        chunk = list(
            AuditLog.select().where(AuditLog.id > after).order_by(AuditLog.id).limit(CHUNK)
        )
        if not chunk:
            return
        yield from chunk
        after = chunk[-1].id


def _link_problem(row_id: int, previous_id: int) -> str:
    if previous_id:
        return (
            f"row {row_id} does not follow row {previous_id}: "
            "a row between them was deleted, or one was inserted"
        )
    return f"row {row_id} is not the first row: rows before it were deleted"
