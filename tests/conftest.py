"""Shared fixtures: a Store on a real SQLite file, and on the real PostgreSQL when configured.

Set BILLING_TUI_TEST_PG to a postgresql:// URL (.ci/run does) to run the store
tests on PostgreSQL too; each test gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from urllib.parse import quote

import pytest

from billing_tui.store import Store

TODAY = dt.date(2026, 11, 24)
PG_ENV = "BILLING_TUI_TEST_PG"


def pg_base_url() -> str | None:
    url = os.environ.get(PG_ENV, "")
    return url if url.startswith(("postgresql://", "postgres://")) else None


def _pg_schema_url(base: str, schema: str) -> str:
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options={quote(f'-csearch_path={schema}')}"


def _pg_admin(base: str, sql: str) -> None:
    import psycopg2

    from billing_tui.store.db import _postgres

    params = _postgres(base).connect_params
    name = _postgres(base).database
    connection = psycopg2.connect(dbname=name, **params)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


@pytest.fixture
def pg_url():
    """A postgresql:// URL whose search_path is a fresh, empty schema."""
    base = pg_base_url()
    if base is None:
        pytest.skip(f"PostgreSQL tests need {PG_ENV}=postgresql://... (set by .ci/run)")
    schema = f"bt_{uuid.uuid4().hex[:12]}"
    _pg_admin(base, f'CREATE SCHEMA "{schema}"')
    try:
        yield _pg_schema_url(base, schema)
    finally:
        from billing_tui.store.models import database

        if database.obj is not None and not database.obj.is_closed():
            database.obj.close()
        _pg_admin(base, f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return str(tmp_path / "billing.db")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """Each store test runs on a SQLite file, and on PostgreSQL when BILLING_TUI_TEST_PG is set."""
    if request.param == "sqlite":
        return str(tmp_path / "billing.db")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(db_url):
    opened = Store.open(db_url, username="tester", today=lambda: TODAY)
    try:
        yield opened
    finally:
        opened.close()
