"""A fresh PostgreSQL schema per test (or module), so store tests never see each other's rows."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

PG_ENV = "BILLING_TUI_TEST_PG"
SKIP_REASON = f"PostgreSQL tests need {PG_ENV}=postgresql://... (set by .ci/run)"


def pg_base_url() -> str | None:
    url = os.environ.get(PG_ENV, "")
    return url if url.startswith(("postgresql://", "postgres://")) else None


def _admin(base: str, sql: str) -> None:
    import psycopg2

    from billing_tui.store.db import _postgres

    db = _postgres(base)
    connection = psycopg2.connect(dbname=db.database, **db.connect_params)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


@contextmanager
def fresh_schema(base: str) -> Iterator[str]:
    """A postgresql:// URL whose search_path is a new, empty schema, dropped afterwards."""
    schema = f"bt_{uuid.uuid4().hex[:12]}"
    _admin(base, f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        from billing_tui.store.models import database

        if database.obj is not None and not database.obj.is_closed():
            database.obj.close()
        _admin(base, f'DROP SCHEMA "{schema}" CASCADE')
