"""Opening the database: a SQLite file (the default) or a postgresql:// URL, then migrations.

Every failure a person can cause here (a missing directory, a PostgreSQL that
is down, a database newer than this code) becomes a StoreError with one line
that says what to do; the CLI prints it and exits 2.
"""

from __future__ import annotations

import os
import re
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from peewee import (
    Database,
    DatabaseError,
    DatabaseProxy,
    OperationalError,
    PostgresqlDatabase,
    SqliteDatabase,
)

database = DatabaseProxy()
"""What every model is bound to; connect() points it at the database that was opened.

It lives here, not in models.py, so that opening the database and reading the
queue (plain SQL) does not have to create the 22 model classes at start-up.
"""

MIGRATIONS = Path(__file__).with_name("migrations")
HISTORY_TABLE = "schema_migration"

SQLITE_PRAGMAS = (
    ("journal_mode", "wal"),
    ("foreign_keys", 1),
    ("busy_timeout", 10_000),
    ("synchronous", "normal"),  # safe with WAL: a power cut loses at most the last commits
    ("cache_size", -32_000),  # 32 MB of page cache per connection
    ("temp_store", "memory"),
)


class StoreError(Exception):
    """Something about the database a person must fix; str() is one clear line."""


class DatabaseUnavailable(StoreError):
    pass


class SchemaTooNew(StoreError):
    pass


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unreadable database URL>"
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def is_postgres(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


def sqlite_path(target: str) -> Path:
    if target.startswith("sqlite:///"):
        return Path(target[len("sqlite:///") :])
    if "://" in target:
        raise DatabaseUnavailable(
            f"unknown database URL {redact(target)!r}: use a file path or postgresql://user@host/db"
        )
    return Path(target).expanduser()


def _prepare_sqlite_file(path: Path, *, create_dirs: bool) -> None:
    """Make sure the file can be opened; a new file is created private to its owner (0600)."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.exists():
        if not create_dirs:
            raise DatabaseUnavailable(f"the database's directory does not exist: {directory}")
        directory.mkdir(parents=True, mode=0o700, exist_ok=True)
    if not directory.is_dir():
        raise DatabaseUnavailable(f"not a directory: {directory}")
    if path.exists():
        if path.is_dir():
            raise DatabaseUnavailable(f"the database path is a directory: {path}")
        if not os.access(path, os.R_OK | os.W_OK):
            raise DatabaseUnavailable(f"cannot read and write the database file {path}")
        if not os.access(directory, os.W_OK):  # WAL needs its -wal and -shm files beside it
            raise DatabaseUnavailable(f"cannot write in the database's directory {directory}")
        return
    if not os.access(directory, os.W_OK | os.X_OK):
        raise DatabaseUnavailable(f"cannot create the database: {directory} is not writable")
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    except OSError as error:
        raise DatabaseUnavailable(f"cannot create the database {path}: {error.strerror}") from None
    os.close(fd)


def connect(target: str, *, create_dirs: bool = False) -> Database:
    """Open target (a path or URL), bind the models to it, and check that it answers."""
    if is_postgres(target):
        db = _postgres(target)
    else:
        path = sqlite_path(target)
        _prepare_sqlite_file(path, create_dirs=create_dirs)
        db = SqliteDatabase(str(path), pragmas=SQLITE_PRAGMAS, timeout=10)
    database.initialize(db)
    try:
        db.connect(reuse_if_open=True)
        db.execute_sql("SELECT 1")
    except (OperationalError, DatabaseError) as error:
        raise DatabaseUnavailable(_explain(target, error)) from None
    return db


def _postgres(url: str) -> PostgresqlDatabase:
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        raise DatabaseUnavailable(
            "PostgreSQL needs its driver: pip install 'billing-tui[postgresql]'"
        ) from None
    from playhouse.db_url import parse

    try:
        params = parse(url.replace("postgres://", "postgresql://", 1))
    except (ValueError, TypeError):
        raise DatabaseUnavailable(f"cannot read the database URL {redact(url)!r}") from None
    params.setdefault("connect_timeout", 5)
    params.setdefault("application_name", "billing-tui")
    name = params.pop("database", None) or "postgres"
    return PostgresqlDatabase(name, **params)


def _explain(target: str, error: Exception) -> str:
    first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
    if is_postgres(target):
        parts = urlsplit(target)
        where = f"{parts.hostname or 'localhost'}:{parts.port or 5432}"
        first_line = re.sub(r"password=\S+", "password=***", first_line)
        return f"cannot connect to PostgreSQL at {where} ({first_line}); is the server running?"
    if "not a database" in first_line:
        return f"{sqlite_path(target)} is not a billing-tui database (not a SQLite file)"
    return f"cannot open the database {sqlite_path(target)}: {first_line}"


BEGIN_ATTEMPTS = 4  # each waits up to busy_timeout (10 s) for the other writer


@contextmanager
def write_lock(db: Database):
    """A writer's transaction: IMMEDIATE on SQLite so two writers never deadlock on upgrade.

    SQLite takes the write lock at BEGIN IMMEDIATE, waiting up to busy_timeout for the
    writer before; should that still find the lock held (a checkpoint, a backup step, a
    burst of writers), BEGIN is tried again: nothing has been done yet, so it is safe.
    """
    if not isinstance(db, SqliteDatabase) or db.in_transaction():
        with db.atomic():
            yield
        return
    for attempt in range(1, BEGIN_ATTEMPTS + 1):
        transaction = db.atomic("IMMEDIATE")
        try:
            transaction.__enter__()
            break
        except OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                raise
            if attempt == BEGIN_ATTEMPTS:
                raise DatabaseUnavailable(
                    "the database stayed busy with another writer for too long; try again"
                ) from None
            time.sleep(0.05 * attempt)
    try:
        yield
    except BaseException:
        if not transaction.__exit__(*sys.exc_info()):
            raise
    else:
        transaction.__exit__(None, None, None)


def _known_migrations() -> list[str]:
    return sorted(p.stem for p in MIGRATIONS.glob("[0-9]*.py"))


def _applied_migrations(db: Database) -> list[str]:
    # Asked directly rather than through table_exists(), which on PostgreSQL looks
    # only in "public" and so would miss a schema chosen by the URL's search_path.
    try:
        cursor = db.execute_sql(f"SELECT name FROM {HISTORY_TABLE} ORDER BY name")  # noqa: S608
    except (OperationalError, DatabaseError) as error:
        if "schema_migration" in str(error):  # no such table: a new database
            return []
        raise
    return [name for (name,) in cursor.fetchall()]


def _current_schema(db: Database) -> str | None:
    if isinstance(db, PostgresqlDatabase):
        return db.execute_sql("SELECT current_schema()").fetchone()[0]
    return None


def migrate(db: Database) -> list[str]:
    """Apply pending migrations; refuse a database that a newer billing-tui has migrated.

    The up-to-date case (every start-up) costs one query; the migration
    runner is imported only when there is something to apply.
    """
    known = _known_migrations()
    try:
        applied = _applied_migrations(db)
    except (OperationalError, DatabaseError) as error:
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise DatabaseUnavailable(f"cannot read the database's schema: {first_line}") from None
    unknown = sorted(set(applied) - set(known))
    if unknown:
        raise SchemaTooNew(
            f"this database was upgraded by a newer billing-tui (schema {unknown[-1]}); "
            "upgrade billing-tui to open it"
        )
    if set(known) <= set(applied):
        return []
    from playhouse.migrations import Runner

    runner = Runner(
        db, directory=str(MIGRATIONS), table_name=HISTORY_TABLE, schema=_current_schema(db)
    )
    with write_lock(db):
        if isinstance(db, PostgresqlDatabase):
            # Two sessions starting on a new database must not both create it.
            db.execute_sql("SELECT pg_advisory_xact_lock(723150001)")
        pending = [m for m in runner.status() if not m.applied]
        return runner.up() if pending else []


def schema_version(db: Database) -> str:
    applied = _applied_migrations(db)
    return applied[-1] if applied else "none"
