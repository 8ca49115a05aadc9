"""Backing up a SQLite database while sessions write to it, and restoring one of those backups.

Both directions go through SQLite's online backup API: a backup is one
consistent snapshot, WAL or not, and the live database is only ever changed by a
SQLite transaction. PostgreSQL has its own tools (pg_dump, pg_restore); a
postgresql:// target is refused before anything connects to it.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .db import (
    HISTORY_TABLE,
    StoreError,
    _known_migrations,
    connect,
    is_postgres,
    migrate,
    redact,
    schema_version,
    sqlite_path,
)

PAGES_PER_STEP = 4096  # 16 MB a step at SQLite's default page size
STEP_PAUSE = 0.002  # seconds between steps, so other sessions' commits and checkpoints get in
MAX_RESTARTS = 5  # then copy in one step (see _online_copy)
BUSY_SECONDS = 10  # as the Store's busy_timeout
SQLITE_HEADER = b"SQLite format 3\x00"

# Tables a practice fills in: rows in any of them mean a restore would lose someone's work.
# (Migrations seed some other tables, so "any row anywhere" would call every new database full.)
HOLDINGS = (
    ("patient", "accounts"),
    ("claim", "claims"),
    ("ledger_entry", "ledger entries"),
    ("payment_batch", "payment batches"),
    ("payer", "payers"),
    ("provider", "providers"),
)
FULL_DISK = (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)


class BackupError(StoreError):
    """A backup or restore that could not be done; the live database is as it was."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int  # bytes
    schema: str  # the last migration the copy holds


@dataclass(frozen=True)
class RestoreResult:
    path: Path  # the live database, now holding the backup's data
    source: Path
    schema: str  # after migrations
    upgraded_from: str | None  # the backup's schema, when migrations brought it up to date
    previous: Path | None  # the copy of what the live database held before


class _KeepsRestarting(Exception):
    pass


def backup(
    target: str, dest: str | os.PathLike, *, force: bool = False, now: dt.datetime | None = None
) -> BackupResult:
    """Copy the database at target to dest (a file, or an existing directory to name one in).

    The copy is written beside dest under a temporary name, checked, synced and
    renamed into place, so dest is either the old file or a whole checked backup.
    """
    if is_postgres(target):
        raise BackupError(f"for PostgreSQL use pg_dump: pg_dump -Fc -f FILE '{redact(target)}'")
    live = sqlite_path(target)
    _require_sqlite_file(live, "database")
    path = _destination(Path(dest).expanduser(), now or dt.datetime.now(), force=force)
    if _same_file(path, live):
        raise BackupError(f"the backup would overwrite the database itself: {path}")
    source = _open(live, "rw" if os.access(live, os.W_OK) else "ro")
    try:
        _applied(source, str(live))  # refuse a file that is not ours before writing anything
        schema = _write_copy(source, path)
    finally:
        source.close()
    return BackupResult(path, path.stat().st_size, schema)


def restore(
    target: str, source: str | os.PathLike, *, force: bool = False, now: dt.datetime | None = None
) -> RestoreResult:
    """Replace the database at target with the backup at source, then bring its schema up to date.

    A database that holds a practice's data is replaced only with force; whatever
    it held is first copied beside it (NAME.before-restore-YYYYMMDD-HHMMSS.db).
    """
    if is_postgres(target):
        raise BackupError(
            f"for PostgreSQL use pg_restore: pg_restore --clean --if-exists -d '{redact(target)}' FILE"
        )
    live = sqlite_path(target)
    src = Path(source).expanduser()
    backed_up = _check_backup(src)
    if _same_file(src, live):
        raise BackupError(f"{src} is the database itself")
    if not live.parent.is_dir():
        raise BackupError(f"the database's directory does not exist: {live.parent}")
    previous = None
    if live.exists() and live.stat().st_size > 0:
        _require_sqlite_file(live, "database")
        held = _holdings(live)
        if held and not force:
            raise BackupError(
                f"{live} holds {held}; restoring {src} would replace them: "
                "add --force (a copy of the current database is kept beside it)"
            )
        stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
        keep = live.with_name(f"{live.stem}.before-restore-{stamp}{live.suffix or '.db'}")
        previous = backup(str(live), _unused(keep)).path
    _copy_into(src, live)
    db = connect(str(live))
    try:
        applied = migrate(db)
        schema = schema_version(db)
    finally:
        db.close()
    return RestoreResult(live, src, schema, backed_up if applied else None, previous)


# --------------------------------------------------------------------------- backing up


def _destination(dest: Path, now: dt.datetime, *, force: bool) -> Path:
    if dest.is_dir():
        return _unused(dest / f"billing-{now:%Y%m%d-%H%M%S}.db")
    if not dest.parent.is_dir():
        raise BackupError(f"the backup's directory does not exist: {dest.parent}")
    if not (dest.exists() or dest.is_symlink()):
        return dest
    if not force:
        raise BackupError(f"{dest} already exists; add --force to replace it")
    if not dest.is_file() or not _is_sqlite(dest):
        raise BackupError(f"{dest} exists and is not a SQLite database; not replacing it")
    if Path(f"{dest}-wal").exists():
        # A -wal beside the old file would be replayed onto the new one: it is someone's live database.
        raise BackupError(f"{dest} is a database in use (it has a -wal file); not replacing it")
    return dest


def _write_copy(source: sqlite3.Connection, path: Path) -> str:
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    except OSError as error:
        raise BackupError(_write_failure(path, error)) from None
    os.close(fd)  # mkstemp made it 0600: a backup holds patient data
    partial = Path(name)
    try:
        copy = sqlite3.connect(partial, timeout=BUSY_SECONDS)
        try:
            _online_copy(source, copy)
            # One self-contained file: no -wal to carry along, and it opens on read-only media.
            copy.execute("PRAGMA journal_mode=DELETE")
            applied = _applied(copy, "the copy")
        finally:
            copy.close()
        _fsync(partial)
        os.replace(partial, path)
    except (sqlite3.Error, OSError) as error:
        raise BackupError(_write_failure(path, error)) from None
    finally:
        for leftover in (partial, Path(f"{partial}-journal")):
            leftover.unlink(missing_ok=True)
    _fsync(path.parent, best_effort=True)
    return applied[-1] if applied else "none"


def _online_copy(source: sqlite3.Connection, copy: sqlite3.Connection) -> None:
    """Copy in steps with a pause between them; if writers keep restarting it, in one step.

    Another connection's commit sends the next step back to page 1, so under a
    steady stream of writes a large database might never finish. One step is one
    read transaction for the whole copy; in WAL mode (the Store's) writers carry on
    meanwhile and only the checkpoint waits for it.
    """
    remaining: int | None = None
    restarts = 0

    def between_steps(status: int, left: int, total: int) -> None:
        nonlocal remaining, restarts
        if remaining is not None and left >= remaining:
            restarts += 1
            if restarts > MAX_RESTARTS:
                raise _KeepsRestarting
        remaining = left
        if left:
            time.sleep(STEP_PAUSE)  # sqlite3's own sleep= is only for a busy database

    try:
        source.backup(copy, pages=PAGES_PER_STEP, progress=between_steps)
    except _KeepsRestarting:
        source.backup(copy, pages=-1)


def _write_failure(path: Path, error: Exception) -> str:
    detail = _first_line(error)
    if (isinstance(error, OSError) and error.errno in FULL_DISK) or "disk is full" in detail:
        return f"cannot write the backup {path}: no space left for it ({detail})"
    if isinstance(error, sqlite3.Error) and "disk I/O error" in detail:
        return f"cannot write the backup {path}: disk I/O error (is the disk full?)"
    if isinstance(error, OSError):
        return f"cannot write the backup {path}: {error.strerror or detail}"
    return f"cannot write the backup {path}: {detail}"


# --------------------------------------------------------------------------- restoring


def _check_backup(src: Path) -> str:
    """The backup's schema, once it is known to be a whole billing-tui database this code can open."""
    _require_sqlite_file(src, "backup")
    conn = _open(src, "ro")
    try:
        applied = _applied(conn, str(src))
    finally:
        conn.close()
    newer = sorted(set(applied) - set(_known_migrations()))
    if newer:
        raise BackupError(
            f"{src} was made by a newer billing-tui (schema {newer[-1]}); upgrade billing-tui to restore it"
        )
    return applied[-1] if applied else "none"


def _holdings(live: Path) -> str:
    """What the live database holds, in words ("20 accounts, 34 claims"), or "" when nothing."""
    conn = _open(live, "rw")
    try:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
        counts = [
            (conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0], words)  # noqa: S608
            for table, words in HOLDINGS
            if table in tables
        ]
    except sqlite3.Error as error:
        raise BackupError(f"cannot read the database {live}: {_first_line(error)}") from None
    finally:
        conn.close()
    return ", ".join(f"{count:,} {words}" for count, words in counts if count)


def _copy_into(src: Path, live: Path) -> None:
    """Copy the backup into the live database through SQLite, not by renaming a file over it.

    Sessions may have the live database open, and in WAL mode its -wal and -shm
    files belong to the file they sit beside: a file renamed into its place could
    have the old -wal replayed onto it, and open sessions would keep writing to
    the old inode. The backup API takes SQLite's locks, writes the new content as
    one transaction (a failure part-way rolls back to the old database) and keeps
    the live database in WAL mode. The backup is not being written to, so one
    step is as safe as many and holds the write lock for the shortest time.
    """
    created = not live.exists()
    if created:  # private to its owner, as the Store creates it
        try:
            os.close(os.open(live, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except OSError as error:
            raise BackupError(f"cannot create the database {live}: {error.strerror}") from None
    source = _open(src, "ro")
    try:
        dest = sqlite3.connect(live, timeout=BUSY_SECONDS)
        try:
            source.backup(dest, pages=-1)
        finally:
            dest.close()
    except sqlite3.Error as error:
        if created:
            live.unlink(missing_ok=True)
        raise BackupError(
            f"cannot restore into {live}: {_first_line(error)}; the database is unchanged"
        ) from None
    finally:
        source.close()


# --------------------------------------------------------------------------- both


def _open(path: Path, mode: str) -> sqlite3.Connection:
    """A connection that never creates the file (mode=rw or ro), unlike sqlite3.connect(path)."""
    # mode=rw rather than ro for the live database: a read-only connection cannot
    # remove the -wal and -shm files it creates, so it would leave them behind.
    uri = f"{path.resolve().as_uri()}?mode={mode}"
    try:
        return sqlite3.connect(uri, uri=True, timeout=BUSY_SECONDS)
    except sqlite3.Error as error:
        raise BackupError(f"cannot open {path}: {_first_line(error)}") from None


def _applied(conn: sqlite3.Connection, name: str) -> list[str]:
    """The migrations a whole billing-tui database has had; BackupError for anything else."""
    try:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check(5)")]
        if problems != ["ok"]:
            raise BackupError(f"{name} fails SQLite's integrity check: {problems[0]}")
        if not conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (HISTORY_TABLE,)
        ).fetchone():
            raise BackupError(
                f"{name} is a SQLite file but not a billing-tui database (no {HISTORY_TABLE} table)"
            )
        query = f"SELECT name FROM {HISTORY_TABLE} ORDER BY name"  # noqa: S608
        return [migration for (migration,) in conn.execute(query)]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{name} is damaged: {_first_line(error)}") from None


def _require_sqlite_file(path: Path, what: str) -> None:
    if not path.exists():
        raise BackupError(f"no {what} at {path}")
    if not path.is_file():
        raise BackupError(f"the {what} {path} is not a file")
    try:
        sqlite = _is_sqlite(path)
    except OSError as error:
        raise BackupError(f"cannot read the {what} {path}: {error.strerror}") from None
    if not sqlite:
        raise BackupError(f"the {what} {path} is not a SQLite database")


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(len(SQLITE_HEADER)) == SQLITE_HEADER


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _unused(path: Path) -> Path:
    """path, or path with -2, -3 ... before its suffix: two backups in one second both land."""
    candidate, number = path, 1
    while candidate.exists() or candidate.is_symlink():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


def _fsync(path: Path, *, best_effort: bool = False) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        if not best_effort:  # a directory cannot be synced on every platform
            raise


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
