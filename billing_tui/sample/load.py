"""Getting the sample practice into the database fast: raw executemany on SQLite, COPY on PostgreSQL.

Both load everything in one transaction, so a failure leaves the empty schema
as it was. On SQLite the bulk tables' indexes are dropped for the load and
re-created afterwards from the very SQL the migration used (read from
sqlite_master), and foreign keys, fsync and the WAL are off until it commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from peewee import Database, PostgresqlDatabase, SqliteDatabase

from ..store.accounts import FIRST_ACCOUNT_NUMBER
from ..store.db import write_lock
from . import reference
from .practice import Plan
from .tables import BULK_TABLES, CHUNK_TABLES, COLUMNS, REFERENCE_TABLES

SHARED_TABLES = ("app_user",)  # may already hold the user who runs `init`


def refuse_unless_empty(db: Database) -> None:
    if db.execute_sql('SELECT 1 FROM "patient" LIMIT 1').fetchone():
        raise ValueError(
            "this database already has patient accounts: sample data goes into a new, empty database"
        )
    for table in REFERENCE_TABLES + CHUNK_TABLES:
        if table in SHARED_TABLES:
            continue
        if db.execute_sql(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone():  # noqa: S608
            raise ValueError(
                f"this database already has data ({table}): "
                "sample data goes into a new, empty database"
            )


def loader_for(db: Database) -> SqliteLoader | PostgresLoader:
    if isinstance(db, SqliteDatabase):
        return SqliteLoader(db)
    if isinstance(db, PostgresqlDatabase):
        return PostgresLoader(db)
    raise ValueError(f"sample data cannot be loaded into a {type(db).__name__}")


class SqliteLoader:
    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db
        self.sql = {
            table: f'INSERT INTO "{table}" ({", ".join(columns)}) '  # noqa: S608
            f"VALUES ({', '.join('?' * len(columns))})"
            for table, columns in COLUMNS.items()
        }

    @contextmanager
    def loading(self) -> Iterator[SqliteLoader]:
        conn = self.db.connection()
        indexes = [
            (name, sql)
            for table, name, sql in conn.execute(
                "SELECT tbl_name, name, sql FROM sqlite_master "
                "WHERE type = 'index' AND sql IS NOT NULL ORDER BY tbl_name, name"
            )
            if table in BULK_TABLES
        ]
        saved = {
            pragma: conn.execute(f"PRAGMA {pragma}").fetchone()[0]
            for pragma in ("foreign_keys", "synchronous", "cache_size", "journal_mode", "threads")
        }
        # Outside any transaction, where these pragmas take effect. The data is
        # consistent by construction (tests run foreign_key_check on it), and a
        # crash mid-load rolls back to the empty schema from the rollback journal.
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -262144")  # 256 MB while the indexes are built
        conn.execute("PRAGMA threads = 2")  # sorter helpers for CREATE INDEX
        if saved["journal_mode"] == "wal":
            # Without the WAL each page is written once instead of twice; this
            # only succeeds while no other connection has the file open.
            conn.execute("PRAGMA journal_mode = DELETE")
        try:
            with write_lock(self.db):
                for name, _ in indexes:
                    conn.execute(f'DROP INDEX "{name}"')
                yield self
                for _, sql in indexes:
                    conn.execute(sql)
        finally:
            for pragma in ("journal_mode", "foreign_keys", "synchronous", "cache_size", "threads"):
                conn.execute(f"PRAGMA {pragma} = {saved[pragma]}")

    def insert(self, table: str, rows: Sequence[tuple]) -> None:
        if rows:
            self.db.connection().executemany(self.sql[table], rows)

    def set_batch_totals(self, totals: Sequence[tuple[int, int, int]]) -> None:
        self.db.connection().executemany(
            "UPDATE payment_batch SET control_total_cents = ?, posted_total_cents = ? WHERE id = ?",
            totals,
        )


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_field(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    return str(value)


def copy_text(rows: Sequence[tuple]) -> str:
    """Rows in COPY's text format (tab-separated, \\N for NULL, backslash escapes)."""
    text = "".join(
        ["\t".join(["\\N" if v is None else str(v) for v in row]) + "\n" for row in rows]
    )
    # Generated values never hold a tab, newline or backslash, so the fast join is
    # right when the separators add up; otherwise escape value by value.
    nulls = sum(row.count(None) for row in rows)
    if (
        text.count("\\") != nulls
        or text.count("\n") != len(rows)
        or text.count("\t") != len(rows) * (len(rows[0]) - 1)
        or "\r" in text
    ):
        text = "".join("\t".join(map(_copy_field, row)) + "\n" for row in rows)
    return text


class PostgresLoader:
    def __init__(self, db: PostgresqlDatabase) -> None:
        self.db = db

    @contextmanager
    def loading(self) -> Iterator[PostgresLoader]:
        sql = self.db.execute_sql
        with self.db.atomic():
            sql("SET LOCAL synchronous_commit = off")
            sql("SET LOCAL maintenance_work_mem = '256MB'")
            # The bulk tables' foreign keys and secondary indexes go for the load and
            # come back from their own definitions: one check per key instead of one
            # per row. (Primary keys and constraint-backed indexes stay.)
            bulk = list(BULK_TABLES)
            foreign_keys = sql(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) "
                "ORDER BY 1, 2",
                (bulk,),
            ).fetchall()
            indexes = sql(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i "
                "WHERE indrelid = ANY(%s::regclass[]) AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
                (bulk,),
            ).fetchall()
            for table, name, _ in foreign_keys:
                sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _ in indexes:
                sql(f"DROP INDEX {name}")
            yield self
            for _, definition in indexes:
                sql(definition)
            for table, name, definition in foreign_keys:
                sql(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            # Rows came with their ids: move each sequence past them.
            for table, columns in COLUMNS.items():
                if columns[0] == "id":
                    sql(
                        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
                        f'(SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"), false)'
                    )
            # Statistics now rather than whenever autovacuum gets to it.
            sql("ANALYZE " + ", ".join(f'"{table}"' for table in COLUMNS))

    def insert(self, table: str, rows: Sequence[tuple]) -> None:
        if rows:
            self.db.cursor().copy_expert(
                f'COPY "{table}" ({", ".join(COLUMNS[table])}) FROM STDIN',
                io.StringIO(copy_text(rows)),
            )

    def set_batch_totals(self, totals: Sequence[tuple[int, int, int]]) -> None:
        from psycopg2.extras import execute_values

        execute_values(
            self.db.cursor(),
            "UPDATE payment_batch SET control_total_cents = t.c, posted_total_cents = t.p "
            "FROM (VALUES %s) AS t (c, p, id) WHERE payment_batch.id = t.id",
            totals,
            page_size=1000,
        )


def last_ids(db: Database) -> dict[str, int]:
    """The highest id in each table the generator fills (0 for an empty table)."""
    return {
        table: db.execute_sql(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"').fetchone()[0]  # noqa: S608
        for table, columns in COLUMNS.items()
        if columns[0] == "id"
    }


def insert_reference(
    loader, *, seed: int, as_of: dt.date, accounts: int, admin_login: str | None = None
) -> Plan:
    """Write the users, providers, payers and fee schedule; returns the plan the chunks follow.

    Every sample user signs in with reference.SAMPLE_PASSWORD; the sample admin is mapped
    to admin_login (the OS login that made the sample), so that its CLI works at once."""
    from ..domain.security import hash_password

    db = loader.db
    ids = last_ids(db)
    stamp = f"{as_of - dt.timedelta(days=900)} 08:00:00"
    users = dict(db.execute_sql("SELECT username, id FROM app_user").fetchall())
    mapped = {login for (login,) in db.execute_sql("SELECT os_login FROM app_user").fetchall()}
    new_users = []
    for username, name, role in reference.USERS:
        if username not in users:
            ids["app_user"] += 1
            users[username] = ids["app_user"]
            login = admin_login if role == "admin" and admin_login not in mapped else None
            salt = hashlib.sha256(f"{seed}:{username}".encode()).digest()[:16]
            password = hash_password(reference.SAMPLE_PASSWORD, salt=salt)
            new_users.append(
                (users[username], username, name, role, password, 1, 0, None, stamp, login)
            )
    loader.insert("app_user", new_users)

    billing_provider = ids["billing_provider"] + 1
    loader.insert("billing_provider", [(billing_provider, *reference.BILLING_PROVIDER)])
    providers = {spec.key: ids["provider"] + n for n, spec in enumerate(reference.PROVIDERS, 1)}
    loader.insert(
        "provider",
        [
            (providers[p.key], p.first_name, p.last_name, p.credential, p.npi, p.taxonomy,
             providers.get(p.supervising), 1)
            for p in reference.PROVIDERS
        ],
    )  # fmt: skip
    referring = tuple(ids["referring_provider"] + n for n in range(1, len(reference.REFERRING) + 1))
    loader.insert(
        "referring_provider",
        [(rid, *names) for rid, names in zip(referring, reference.REFERRING, strict=True)],
    )
    payers = {spec.key: ids["payer"] + n for n, spec in enumerate(reference.PAYERS, 1)}
    loader.insert(
        "payer",
        [
            (payers[p.key], p.name, p.code, p.kind, p.timely_filing_days, *p.address, p.phone)
            for p in reference.PAYERS
        ],
    )
    loader.insert(
        "fee_schedule",
        [(ids["fee_schedule"] + n, *fee) for n, fee in enumerate(reference.FEES, 1)],
    )
    return Plan(
        seed=seed,
        as_of=as_of,
        accounts=accounts,
        first_account_number=FIRST_ACCOUNT_NUMBER,
        last_ids=ids,
        specialists=tuple(users[u] for u, _, role in reference.USERS if role == "specialist"),
        supervisor=next(users[u] for u, _, role in reference.USERS if role == "supervisor"),
        billing_provider=billing_provider,
        providers=providers,
        referring=referring,
        payers=payers,
    )
