"""Users: who may sign in, with what role; logins, lock-outs, and the CLI's acting user.

Every change here is in the audit trail (the password hash never is), and every refusal
too: a wrong password, a locked or disabled user, someone without the right to manage users.
"""

from __future__ import annotations

import datetime as dt

from peewee import IntegrityError

from ..domain.security import (
    LockoutPolicy,
    Permission,
    Role,
    SecurityError,
    check_password,
    check_username,
    hash_password,
    password_matches,
)
from .models import User, utcnow
from .records.users import SignedIn, UserRecord
from .session import Session, StoreRefused, nobody_has_a_password

WRONG = "wrong username or password"


class LoginRefused(StoreRefused):
    """A login that did not succeed; the message is safe to show (it never says which part
    of 'username or password' was wrong)."""


class Users:
    def __init__(self, session: Session, lockout: LockoutPolicy | None = None) -> None:
        self._session = session
        self._lockout = lockout or LockoutPolicy()

    # ----------------------------------------------------------------- reading

    def list(self) -> list[UserRecord]:
        self._session.require(Permission.USERS, "listing the users")
        return [_record(u) for u in User.select().order_by(User.username)]

    def exist(self) -> bool:
        return User.select().exists()

    def get(self, username: str) -> UserRecord | None:
        row = User.get_or_none(User.username == username.strip().lower())
        return _record(row) if row is not None else None

    def mapped_to(self, os_login: str) -> str | None:
        """The username the OS login acts as: the user mapped to it, else the same name."""
        found = User.select(User.username).where(User.os_login == os_login).scalar()
        if found is None:
            found = (
                User.select(User.username)
                .where((User.username == os_login.lower()) & User.os_login.is_null())
                .scalar()
            )
        return found

    def needs_first_admin(self) -> bool:
        """A database never secured: nobody has a password, so nobody can sign in. (Users
        from before logins existed have none.) Its first administrator needs no one's
        permission; once anyone has a password, only an administrator adds users."""
        return nobody_has_a_password(self._session.db)

    # ----------------------------------------------------------------- signing in

    def login(self, username: str, password: str) -> SignedIn:
        """Check a password; on success the session works as that user. LoginRefused if not.

        Five wrong passwords in a row lock the user for 15 minutes; the lock ends by itself.
        Unknown usernames cost the same hash as known ones and get the same message."""
        session = self._session
        name = username.strip().lower()
        row = User.get_or_none(User.username == name)
        matches = password_matches(password, row.password_hash if row else None)
        now = utcnow()
        # A refusal is raised after the transaction: its audit row (and the count of
        # failures) must be committed, not rolled back with it.
        with session.recording():
            row = User.get_or_none(User.username == name)  # again, inside the transaction
            refusal = self._refusal(row, name, matches, now)
            if refusal is None:
                User.update(failed_logins=0, locked_until=None, last_login_at=now).where(
                    User.id == row.id
                ).execute()
                session.become(row.id, row.username)
                session.audit("login", "user", row.id)
        if refusal is not None:
            raise refusal
        return SignedIn(row.id, row.username, row.name, row.role)

    def _refusal(
        self, row: User | None, name: str, matches: bool, now: dt.datetime
    ) -> LoginRefused | None:
        """Why this login fails (recorded, counted), or None when it succeeds."""
        session = self._session
        if row is None:
            # Not the name typed: a password typed into the username field would be kept.
            session.audit("login_failed", "user", None, after={"reason": "unknown user"},
                          as_user=(None, "(unknown)"))  # fmt: skip
            return LoginRefused(WRONG)
        as_user = (row.id, row.username)
        if row.locked_until is not None and row.locked_until > now:
            session.audit("login_failed", "user", row.id, after={"reason": "locked"},
                          as_user=as_user)  # fmt: skip
            return LoginRefused(_locked_message(row.locked_until, now))
        if not row.active:
            session.audit("login_failed", "user", row.id, after={"reason": "disabled"},
                          as_user=as_user)  # fmt: skip
            return LoginRefused(f"{row.username} is disabled; ask an administrator")
        if matches:
            return None
        expired = row.locked_until is not None  # (and past, or it would have refused above)
        failures = (0 if expired else row.failed_logins) + 1
        locked = self._lockout.locked_until(failures, now)
        User.update(failed_logins=failures, locked_until=locked).where(User.id == row.id).execute()
        session.audit("login_failed", "user", row.id,
                      after={"reason": "wrong password", "failures": failures,
                             "locked_until": locked}, as_user=as_user)  # fmt: skip
        if locked is not None:
            return LoginRefused(f"{WRONG}; {_locked_message(locked, now)}")
        return LoginRefused(WRONG)

    def check_password(self, password: str) -> bool:
        """Unlocking an idle screen: the working user's own password (wrong ones count)."""
        try:
            self.login(self._session.username, password)
        except LoginRefused:
            return False
        return True

    def act_as(self, username: str) -> SignedIn:
        """The CLI: work as this (already authenticated: by the OS login) user, if they may."""
        session = self._session
        name = username.strip().lower()
        row = User.get_or_none(User.username == name)
        if row is None:
            raise StoreRefused(
                f"there is no billing-tui user {name!r}: an administrator adds one with "
                f"`billing-tui user add {name} --role specialist`"
            )
        problem = ""
        if not row.active:
            problem = f"{row.username} is disabled"
        elif row.locked_until is not None and row.locked_until > utcnow():
            problem = f"{row.username} is locked after failed logins; {_locked_message(row.locked_until, utcnow())}"
        if problem:
            with session.recording():
                session.audit("refused", "user", row.id, after={"reason": problem},
                              as_user=(row.id, row.username))  # fmt: skip
            raise StoreRefused(problem)
        session.become(row.id, row.username)
        return SignedIn(row.id, row.username, row.name, row.role)

    # ----------------------------------------------------------------- administration

    def add(
        self,
        username: str,
        name: str,
        role: str,
        password: str | None = None,
        *,
        os_login: str | None = None,
    ) -> int:
        """A new user. Only an administrator adds users, except the very first
        administrator of a new database."""
        session = self._session
        try:
            username = check_username(username)
            role = Role(role)
        except SecurityError as error:
            raise StoreRefused(str(error)) from None
        except ValueError:
            raise StoreRefused(
                f"unknown role {role!r}: one of {', '.join(r.value for r in Role)}"
            ) from None
        name = name.strip() or username
        if password is not None:
            _check_password(password, username)
        first = self.needs_first_admin()
        if first and (role != Role.ADMIN or password is None):
            raise StoreRefused(
                "this database has no administrator yet: the first user is an admin, "
                "with a password"
            )
        if os_login is not None:
            os_login = os_login.strip() or None
        # The first admin has nobody to be checked against: the new admin is the author.
        with session.recording() if first else session.writing(Permission.USERS, "adding a user"):
            try:
                with session.db.atomic():
                    row = User.create(
                        username=username,
                        name=name[:100],
                        role=role.value,
                        password_hash=hash_password(password) if password else None,
                        password_changed_at=utcnow() if password else None,
                        os_login=os_login,
                    )
            except IntegrityError:
                taken = User.select().where(User.username == username).exists()
                raise StoreRefused(
                    f"there is already a user {username!r}"
                    if taken
                    else f"the OS login {os_login!r} is already mapped to another user"
                ) from None
            if first:
                session.become(row.id, username)
            session.audit("create", "user", row.id, after=_audited(row))
        return row.id

    def set_password(self, username: str, password: str, *, current: str | None = None) -> None:
        """An administrator sets anyone's password (and so unlocks them); a user changes
        their own by giving the current one."""
        session = self._session
        row = self._existing(username)
        _check_password(password, row.username)
        own = row.id == session.user_id()
        if own and current is not None:
            if not password_matches(current, row.password_hash):
                with session.recording():
                    session.audit("refused", "user", row.id,
                                  after={"reason": "wrong current password"})  # fmt: skip
                raise StoreRefused("the current password is wrong")
            with session.recording():  # every role may change its own password
                self._store_password(row, password)
            return
        with session.writing(Permission.USERS, "setting another user's password"):
            self._store_password(row, password)

    def _store_password(self, row: User, password: str) -> None:
        User.update(
            password_hash=hash_password(password),
            password_changed_at=utcnow(),
            failed_logins=0,
            locked_until=None,
        ).where(User.id == row.id).execute()
        self._session.audit("password", "user", row.id)

    def update(
        self,
        username: str,
        *,
        role: str | None = None,
        name: str | None = None,
        active: bool | None = None,
        os_login: str | None = None,
    ) -> None:
        """Change a user's role, name, OS login or whether they may sign in (admins only).
        Nobody disables or demotes the last active administrator."""
        session = self._session
        row = self._existing(username)
        changes: dict = {}
        if role is not None:
            try:
                changes["role"] = Role(role).value
            except ValueError:
                raise StoreRefused(f"unknown role {role!r}") from None
        if name is not None:
            changes["name"] = name.strip()[:100] or row.username
        if active is not None:
            changes["active"] = active
        if os_login is not None:
            changes["os_login"] = os_login.strip() or None
        if not changes:
            return
        with session.writing(Permission.USERS, "changing a user"):
            before = _audited(row)
            losing_admin = (
                row.role == Role.ADMIN
                and row.active
                and (changes.get("role", row.role) != Role.ADMIN or not changes.get("active", True))
            )
            if losing_admin:
                others = (
                    User.select()
                    .where(User.role == Role.ADMIN, User.active, User.id != row.id)
                    .count()
                )
                if others == 0:
                    raise StoreRefused(f"{row.username} is the last administrator")
            try:
                User.update(**changes).where(User.id == row.id).execute()
            except IntegrityError:
                raise StoreRefused(
                    f"the OS login {changes.get('os_login')!r} is already mapped to another user"
                ) from None
            after = _audited(User.get_by_id(row.id))
            session.audit("update", "user", row.id, before=before, after=after)

    def disable(self, username: str) -> None:
        self.update(username, active=False)

    def enable(self, username: str) -> None:
        self.update(username, active=True)

    def _existing(self, username: str) -> User:
        row = User.get_or_none(User.username == username.strip().lower())
        if row is None:
            raise StoreRefused(f"there is no user {username.strip()!r}")
        return row


def _check_password(password: str, username: str) -> None:
    try:
        check_password(password, username)
    except SecurityError as error:
        raise StoreRefused(str(error)) from None


def _locked_message(until: dt.datetime, now: dt.datetime) -> str:
    minutes = max(1, round((until - now).total_seconds() / 60))
    return f"locked for {minutes} more minute{'s' if minutes != 1 else ''} after failed logins"


def _audited(row: User) -> dict:
    """A user as the audit trail keeps them: never the password hash."""
    return {
        "username": row.username,
        "name": row.name,
        "role": row.role,
        "active": bool(row.active),
        "os_login": row.os_login,
        "has_password": row.password_hash is not None,
    }


def _record(row: User) -> UserRecord:
    return UserRecord(
        id=row.id,
        username=row.username,
        name=row.name,
        role=row.role,
        active=bool(row.active),
        has_password=row.password_hash is not None,
        os_login=row.os_login,
        locked_until=row.locked_until,
        failed_logins=row.failed_logins,
        last_login_at=row.last_login_at,
    )
