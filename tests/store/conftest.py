"""Store-test fixtures: a small practice (providers, payers), a Store whose today can move,
and a database shared by a module's read-only tests (built once per backend)."""

from __future__ import annotations

import os
import uuid
from urllib.parse import quote

import pytest
from store_builders import TODAY, Clock, Practice, build_practice

from billing_tui.store import Store

PG_ENV = "BILLING_TUI_TEST_PG"  # as in tests/conftest.py


@pytest.fixture
def practice(store) -> Practice:
    return build_practice(store)


@pytest.fixture
def clock() -> Clock:
    return Clock(TODAY)


@pytest.fixture
def clocked_store(db_url, clock):
    opened = Store.open(db_url, username="tester", today=clock)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def clocked_practice(clocked_store) -> Practice:
    return build_practice(clocked_store)


def _pg_admin(base: str, sql: str) -> None:
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


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_db_url(request, tmp_path_factory):
    """Like db_url, but one database for the whole module: for tests that only read."""
    if request.param == "sqlite":
        yield str(tmp_path_factory.mktemp("shared") / "billing.db")
        return
    base = os.environ.get(PG_ENV, "")
    if not base.startswith(("postgresql://", "postgres://")):
        pytest.skip(f"PostgreSQL tests need {PG_ENV}=postgresql://... (set by .ci/run)")
    schema = f"bt_{uuid.uuid4().hex[:12]}"
    _pg_admin(base, f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        from billing_tui.store.models import database

        if database.obj is not None and not database.obj.is_closed():
            database.obj.close()
        _pg_admin(base, f'DROP SCHEMA "{schema}" CASCADE')
