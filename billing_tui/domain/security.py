"""Who may do what, and how a password is kept: roles and their permissions, the scrypt
hash, the lock-out rule. Pure rules; the Store enforces them on every call, whatever
the caller (a screen, the CLI, the browser through `serve`).

HIPAA's access-control safeguard in four roles: a specialist works the accounts; a
supervisor also undoes and forgives (reversals, voids, write-offs above the limit,
collections) and reads the audit trail; an admin also manages the users; support looks at
everything and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    SPECIALIST = "specialist"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    SUPPORT = "support"  # read-only: remote support looks without changing anything


class Permission(StrEnum):
    WRITE = "change the books"
    REVERSE = "reverse a posting"
    VOID = "void a claim"
    APPROVE = "approve a write-off or waiver above the limit"
    COLLECTIONS = "send an account to collections or recall it"
    REOPEN_DAY = "reopen a closed day"
    AUDIT = "read the audit trail"
    USERS = "manage the users"
    BACKUP = "back up or restore the database"


_SPECIALIST = frozenset({Permission.WRITE})
_SUPERVISOR = _SPECIALIST | {
    Permission.REVERSE,
    Permission.VOID,
    Permission.APPROVE,
    Permission.COLLECTIONS,
    Permission.REOPEN_DAY,
    Permission.AUDIT,
}
PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.SPECIALIST: _SPECIALIST,
    Role.SUPERVISOR: _SUPERVISOR,
    Role.ADMIN: _SUPERVISOR | {Permission.USERS, Permission.BACKUP},
    Role.SUPPORT: frozenset(),
}
ROLE_LABELS = {
    Role.SPECIALIST: "billing specialist",
    Role.SUPERVISOR: "supervisor",
    Role.ADMIN: "administrator",
    Role.SUPPORT: "read-only support",
}


def may(role: str, permission: Permission) -> bool:
    try:
        return permission in PERMISSIONS[Role(role)]
    except ValueError:  # a role this version does not know grants nothing
        return False


def who_may(permission: Permission) -> str:
    """'a supervisor or an administrator': for a refusal's message."""
    roles = [ROLE_LABELS[r] for r in Role if permission in PERMISSIONS[r]]
    if not roles:
        return "nobody"
    named = [f"an {r}" if r[0] in "aeiou" else f"a {r}" for r in roles]
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " or " + named[-1]


# ------------------------------------------------------------------------- users and passwords

USERNAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")
MIN_PASSWORD = 10
MAX_PASSWORD = 256


class SecurityError(ValueError):
    """A username or password the rules refuse; the message says why."""


def check_username(username: str) -> str:
    name = username.strip().lower()
    if not 2 <= len(name) <= 64:
        raise SecurityError("a username is 2 to 64 characters")
    if not set(name) <= USERNAME_CHARS or not name[0].isalnum():
        raise SecurityError("a username is letters, digits, '.', '_' and '-', starting with one")
    return name


def check_password(password: str, username: str = "") -> None:
    if len(password) < MIN_PASSWORD:
        raise SecurityError(f"a password is at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise SecurityError(f"a password is at most {MAX_PASSWORD} characters")
    if username and username.lower() in password.lower():
        raise SecurityError("a password must not contain the username")
    if len(set(password)) < 4:
        raise SecurityError("a password needs more than three different characters")


# scrypt with N=2**14, r=8, p=1 (the parameters RFC 7914 suggests for interactive logins):
# about 40 ms and 16 MB here, slow for a guesser, well inside the half-second login budget.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
_SCRYPT_MEMORY = 64 * 1024 * 1024


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """The stored form of a password. salt: only the sample practice passes one (its rows are
    the same for the same seed); everyone else gets 16 random bytes."""
    salt = salt if salt is not None else os.urandom(16)  # what secrets.token_bytes does
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str | None) -> bool:
    """Whether password is the one hashed in stored; always pays the hash, known user or not."""
    try:
        scheme, n, r, p, salt, digest = (stored or "").split("$")
        if scheme != "scrypt":
            raise ValueError(scheme)
        params = (int(n), int(r), int(p))
        salt_bytes, expected = bytes.fromhex(salt), bytes.fromhex(digest)
    except ValueError:
        # No usable hash (a user without a password, a user that does not exist): still
        # spend the time, so the answer's speed does not tell which usernames exist.
        _scrypt(password, b"\0" * 16, SCRYPT_N, SCRYPT_R, SCRYPT_P)
        return False
    return hmac.compare_digest(_scrypt(password, salt_bytes, *params), expected)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_SCRYPT_MEMORY, dklen=32
    )


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """After `attempts` wrong passwords in a row a user is locked for `minutes`."""

    attempts: int = 5
    minutes: int = 15

    def locked_until(self, failures: int, now: dt.datetime) -> dt.datetime | None:
        if failures >= self.attempts:
            return now + dt.timedelta(minutes=self.minutes)
        return None


def mask_id(value: str | None, keep: int = 4) -> str:
    """An SSN or member ID as lists show it: its last `keep` characters ('*****6789').
    Only the account screen shows one whole."""
    if not value:
        return ""
    shown = value[-keep:] if len(value) > keep else value[-2:]
    return "*" * max(len(value) - len(shown), 3) + shown
