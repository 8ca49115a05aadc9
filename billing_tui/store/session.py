"""What every part of the Store shares: the database, today's date, who is working, and the audit trail."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from contextlib import contextmanager

from peewee import Database, IntegrityError

from .db import write_lock


class StoreConflict(Exception):
    """Someone else changed the record first; reload and try again."""


class StoreRefused(ValueError):
    """A change the rules do not allow; the message says why in a billing specialist's words."""


class Session:
    def __init__(self, db: Database, username: str, today: Callable[[], dt.date]) -> None:
        self.db = db
        self.username = username
        self.today = today
        self._user_id: int | None = None

    @contextmanager
    def writing(self):
        """One write transaction (IMMEDIATE on SQLite); everything in it lands or nothing does."""
        if not self.db.in_transaction():
            # The working user's row is made in a transaction of its own: made inside this
            # one, a rollback (an ERA preview, a refusal) would undo it and leave its id here.
            self.user_id()
        with write_lock(self.db):
            yield

    def user_id(self) -> int:
        """The working user's id, created as a specialist on first use (login comes with roles)."""
        if self._user_id is None:
            from .models import User

            row = User.get_or_none(User.username == self.username)
            if row is None:
                try:
                    with self.db.atomic():
                        row = User.create(
                            username=self.username, name=self.username, role="specialist"
                        )
                except IntegrityError:  # another session created it a moment ago
                    row = User.get(User.username == self.username)
            self._user_id = row.id
        return self._user_id

    def role(self) -> str:
        """The working user's role (domain.adjustments.Role): what the rules let them do."""
        from .models import User

        return User.select(User.role).where(User.id == self.user_id()).scalar() or "specialist"

    def audit(
        self,
        action: str,
        entity: str,
        entity_id: int | None,
        *,
        patient_id: int | None = None,
        before: dict | None = None,
        after: dict | None = None,
    ) -> None:
        """Append one audit row, chained to the previous row by hash. Call inside writing()."""
        from .models import AuditLog, utcnow

        previous = (
            AuditLog.select(AuditLog.hash).order_by(AuditLog.id.desc()).limit(1).scalar() or ""
        )
        at = utcnow()
        before_text = (
            json.dumps(before, sort_keys=True, default=str) if before is not None else None
        )
        after_text = json.dumps(after, sort_keys=True, default=str) if after is not None else None
        digest = hashlib.sha256(
            json.dumps(
                [
                    previous,
                    at.isoformat(),
                    self.username,
                    action,
                    entity,
                    entity_id,
                    patient_id,
                    before_text,
                    after_text,
                ]
            ).encode()
        ).hexdigest()
        AuditLog.create(
            at=at,
            user=self.user_id(),
            username=self.username,
            action=action,
            entity=entity,
            entity_id=entity_id,
            patient_id=patient_id,
            before=before_text,
            after=after_text,
            prev_hash=previous,
            hash=digest,
        )
