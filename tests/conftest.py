"""Shared fixtures: a Store on a real SQLite file, and on the real PostgreSQL when configured.

Set BILLING_TUI_TEST_PG to a postgresql:// URL (.ci/run does) to run the store
tests on PostgreSQL too; each test gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import datetime as dt

import pytest
from pg_schema import SKIP_REASON, fresh_schema, pg_base_url

from billing_tui.store import Store
from billing_tui.store.session import Session

TODAY = dt.date(2026, 11, 24)


@pytest.fixture(autouse=True, scope="session")
def enrolled_as_supervisor():
    """A user a test's Store enrolls ('tester') is a supervisor: most tests are about the
    books, not about roles, and reverse and void freely. tests/store/test_security.py and
    the role tests name specialists and support users explicitly."""
    with pytest.MonkeyPatch.context() as patch:  # session-wide: module fixtures enroll too
        patch.setattr(Session, "ENROLL_ROLE", "supervisor")
        yield


@pytest.fixture(autouse=True)
def os_login(monkeypatch) -> str:
    """The tests run as the OS login 'tester': the CLI acts as the user of that name (the
    stores below create it) or, on a sample practice, as the sample admin mapped to it."""
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(name, "tester")
    monkeypatch.delenv("BILLING_TUI_USER", raising=False)
    return "tester"


@pytest.fixture(autouse=True)
def log_file(monkeypatch, tmp_path_factory):
    """The CLI's log goes to a directory of the test's own (not tmp_path, whose files some
    tests count), never the person's data directory."""
    path = tmp_path_factory.mktemp("log") / "billing-tui.log"
    monkeypatch.setenv("BILLING_TUI_LOG", str(path))
    return path


@pytest.fixture
def pg_url():
    """A postgresql:// URL whose search_path is a fresh, empty schema."""
    base = pg_base_url()
    if base is None:
        pytest.skip(SKIP_REASON)
    with fresh_schema(base) as url:
        yield url


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
