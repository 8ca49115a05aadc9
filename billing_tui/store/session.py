"""What every part of the Store shares: the database, today's date, who is working (and what
their role lets them do), and the hash-chained audit trail."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from contextlib import contextmanager

from peewee import Database, IntegrityError, PostgresqlDatabase

from ..domain.security import Permission, may, who_may
from .db import write_lock

# One advisory lock serializes audited writers on PostgreSQL, as BEGIN IMMEDIATE does on
# SQLite: the audit chain has one end, and two writers must not both extend it.
AUDIT_CHAIN_LOCK = 723150002


def nobody_has_a_password(db: Database) -> bool:
    """A database never secured: nobody can sign in, so its first administrator needs nobody's
    permission. Plain SQL: the TUI asks at start-up, before any model class is needed."""
    return (
        db.execute_sql("SELECT 1 FROM app_user WHERE password_hash IS NOT NULL LIMIT 1").fetchone()
        is None
    )


class StoreConflict(Exception):
    """Someone else changed the record first; reload and try again."""


class StoreRefused(ValueError):
    """A change the rules do not allow; the message says why in a billing specialist's words."""


class PermissionRefused(StoreRefused):
    """The working user's role does not allow this; the refusal is in the audit trail."""

    def __init__(self, message: str, permission: Permission, what: str) -> None:
        super().__init__(message)
        self.permission = permission
        self.what = what
        self.recorded = False


class Session:
    ENROLL_ROLE = "specialist"  # what an enrolled user becomes (the tests' conftest raises it)

    def __init__(
        self,
        db: Database,
        username: str,
        today: Callable[[], dt.date],
        *,
        enroll: bool = True,
        via: str = "",
    ) -> None:
        self.db = db
        self.username = username
        self.today = today
        self.via = via
        # enroll: an unknown username becomes a specialist on first use (the library's and
        # the tests' convenience). The CLI and the TUI pass False: there a user must exist.
        self.enroll = enroll
        self._user_id: int | None = None
        self._signed_in = False

    @property
    def signed_in(self) -> bool:
        """Whether someone is working: after a login (or the CLI's acting user); a library
        session that enrolls its user is trusted from the start."""
        return self.enroll or self._signed_in

    def become(self, user_id: int, username: str) -> None:
        """After a login: the session works as this user from now on."""
        self._user_id = user_id
        self.username = username
        self._signed_in = True

    @contextmanager
    def writing(self, permission: Permission = Permission.WRITE, what: str = ""):
        """One write transaction (IMMEDIATE on SQLite); everything in it lands or nothing does.

        The working user's role must allow `permission` (read-only support is refused every
        write here, whatever the caller); a refusal is recorded after the rollback.
        """
        outermost = not self.db.in_transaction()
        if outermost:
            # The working user's row is made in a transaction of its own: made inside this
            # one, a rollback (an ERA preview, a refusal) would undo it and leave its id here.
            self.user_id()
        self.require(permission, what)
        try:
            with write_lock(self.db):
                if outermost:
                    self._lock_chain()
                yield
        except PermissionRefused as refusal:
            if outermost and not refusal.recorded:
                self._record_refusal(refusal)
            raise

    @contextmanager
    def recording(self):
        """A transaction that only appends to the audit trail (an account opened, a failed
        login): allowed to every role, read-only support included."""
        outermost = not self.db.in_transaction()
        with write_lock(self.db):
            if outermost:
                self._lock_chain()
            yield

    def _lock_chain(self) -> None:
        if isinstance(self.db, PostgresqlDatabase):
            self.db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (AUDIT_CHAIN_LOCK,))

    def user_id(self) -> int:
        """The working user's id (see enroll)."""
        if self._user_id is None:
            from .models import User

            row = User.get_or_none(User.username == self.username)
            if row is None:
                if not self.enroll:
                    raise StoreRefused(f"there is no billing-tui user {self.username!r}")
                try:
                    with self.db.atomic():
                        row = User.create(
                            username=self.username, name=self.username, role=self.ENROLL_ROLE
                        )
                except IntegrityError:  # another session created it a moment ago
                    row = User.get(User.username == self.username)
            self._user_id = row.id
        return self._user_id

    def role(self) -> str:
        """The working user's role (domain.security.Role); a disabled user has none."""
        from .models import User

        row = User.select(User.role, User.active).where(User.id == self.user_id()).tuples().first()
        if row is None or not row[1]:
            return ""
        return row[0]

    def may(self, permission: Permission) -> bool:
        return may(self.role(), permission)

    def require(self, permission: Permission, what: str = "") -> None:
        """Refuse (PermissionRefused) unless the working user's role allows permission.

        Outside a transaction the refusal is recorded at once; inside one, writing()
        records it once the transaction has rolled back (a refusal must not roll back
        its own record)."""
        role = self.role()
        if may(role, permission):
            return
        doing = what or permission.value
        if not role:
            message = f"{self.username} is disabled: nothing can be changed under that name"
        elif permission is Permission.WRITE:
            message = f"{self.username} has read-only access ({role}): nothing can be changed"
        else:
            message = f"{doing[0].upper()}{doing[1:]} needs {who_may(permission)}"
        refusal = PermissionRefused(message, permission, doing)
        if not self.db.in_transaction():
            self._record_refusal(refusal)
        raise refusal

    def _record_refusal(self, refusal: PermissionRefused) -> None:
        with self.recording():
            self.audit(
                "refused", "permission", None, after={"permission": refusal.permission.name,
                                                      "what": refusal.what}
            )  # fmt: skip
        refusal.recorded = True

    def audit(
        self,
        action: str,
        entity: str,
        entity_id: int | None,
        *,
        patient_id: int | None = None,
        before: dict | None = None,
        after: dict | None = None,
        as_user: tuple[int | None, str] | None = None,
    ) -> None:
        """Append one audit row, chained to the previous row by hash. Call inside writing()
        or recording(). as_user, (id or None, username), names someone other than the
        working user: the username a failed login tried."""
        from .models import AuditHead, AuditLog, utcnow

        head = AuditHead.get_or_none(AuditHead.id == 1)
        previous = head.last_hash if head is not None else ""
        row = AuditRow(
            at=utcnow(),
            username=as_user[1] if as_user else self.username,
            action=action,
            entity=entity,
            entity_id=entity_id,
            patient_id=patient_id,
            before=_json(before),
            after=_json(after),
            via=self.via,
        )
        digest = row.digest(previous)
        created = AuditLog.create(
            at=row.at,
            user=as_user[0] if as_user else self.user_id(),
            username=row.username,
            action=action,
            entity=entity,
            entity_id=entity_id,
            patient_id=patient_id,
            before=row.before,
            after=row.after,
            prev_hash=previous,
            hash=digest,
            via=row.via,
        )
        if head is None:
            AuditHead.create(id=1, last_id=created.id, last_hash=digest, rows=1)
        else:
            AuditHead.update(last_id=created.id, last_hash=digest, rows=AuditHead.rows + 1).where(
                AuditHead.id == 1
            ).execute()

    def audit_many(
        self, rows: list[tuple[str, str, int | None, int | None, dict | None, dict | None]]
    ) -> None:
        """Append many audit rows at once, chained as audit() chains them: rows are
        (action, entity, entity_id, patient_id, before, after). For bulk writes (an
        EHR's batch of charges), where one audit() per row would cost more than the work."""
        if not rows:
            return
        from .bulk import insert_rows_with_ids
        from .models import AuditHead, AuditLog, utcnow

        head = AuditHead.get_or_none(AuditHead.id == 1)
        previous = head.last_hash if head is not None else ""
        user_id = self.user_id()
        at = utcnow()
        values = []
        for action, entity, entity_id, patient_id, before, after in rows:
            row = AuditRow(
                at=at, username=self.username, action=action, entity=entity,
                entity_id=entity_id, patient_id=patient_id, before=_json(before),
                after=_json(after), via=self.via,
            )  # fmt: skip
            digest = row.digest(previous)
            values.append((at, user_id, self.username, action, entity, entity_id, patient_id,
                           row.before, row.after, previous, digest, self.via))  # fmt: skip
            previous = digest
        ids = insert_rows_with_ids(
            AuditLog,
            ("at", "user", "username", "action", "entity", "entity_id", "patient_id", "before",
             "after", "prev_hash", "hash", "via"),
            values,
        )  # fmt: skip
        if head is None:
            AuditHead.create(id=1, last_id=ids[-1], last_hash=previous, rows=len(ids))
        else:
            AuditHead.update(
                last_id=ids[-1], last_hash=previous, rows=AuditHead.rows + len(ids)
            ).where(AuditHead.id == 1).execute()


def _json(value: dict | None) -> str | None:
    return json.dumps(value, sort_keys=True, default=str) if value is not None else None


class AuditRow:
    """The fields an audit row's hash covers, and the hash: one definition for the writer
    and for `audit verify`."""

    __slots__ = ("at", "username", "action", "entity", "entity_id", "patient_id", "before",
                 "after", "via")  # fmt: skip

    def __init__(self, *, at, username, action, entity, entity_id, patient_id, before, after,
                 via) -> None:  # fmt: skip
        self.at = at
        self.username = username
        self.action = action
        self.entity = entity
        self.entity_id = entity_id
        self.patient_id = patient_id
        self.before = before
        self.after = after
        self.via = via

    def digest(self, previous: str) -> str:
        fields = [
            previous,
            self.at.isoformat(),
            self.username,
            self.action,
            self.entity,
            self.entity_id,
            self.patient_id,
            self.before,
            self.after,
        ]
        if self.via:  # rows from before `via` existed hash as they did
            fields.append(self.via)
        return hashlib.sha256(json.dumps(fields).encode()).hexdigest()
