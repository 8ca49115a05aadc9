"""Opening the database: bad targets give one clear line; a new file is private, WAL, with FKs."""

from __future__ import annotations

import os
import stat

import pytest
from store_builders import TODAY, build_practice

from billing_tui.store import DatabaseUnavailable, SchemaTooNew, Store, StoreError
from billing_tui.store.db import HISTORY_TABLE, redact


def open_error(target: str, **options) -> StoreError:
    with pytest.raises(StoreError) as caught:
        Store.open(target, today=lambda: TODAY, **options)
    message = str(caught.value)
    assert message and "\n" not in message and len(message) < 300, message
    assert "Traceback" not in message
    return caught.value


def test_a_directory_that_does_not_exist(tmp_path):
    missing = tmp_path / "no" / "such"
    error = open_error(str(missing / "billing.db"))
    assert isinstance(error, DatabaseUnavailable)
    assert str(error) == f"the database's directory does not exist: {missing}"
    assert not missing.exists()


def test_create_dirs_makes_the_directory_private(tmp_path):
    missing = tmp_path / "data" / "billing-tui"
    Store.open(str(missing / "billing.db"), create_dirs=True).close()
    assert stat.S_IMODE(missing.stat().st_mode) == 0o700
    assert (missing / "billing.db").exists()


def test_an_unwritable_directory(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("running as root: a 0500 directory is still writable")
        error = open_error(str(locked / "billing.db"))
        assert isinstance(error, DatabaseUnavailable)
        assert "not writable" in str(error) and str(locked) in str(error)
    finally:
        locked.chmod(0o700)


def test_a_path_that_is_a_directory(tmp_path):
    error = open_error(str(tmp_path))
    assert isinstance(error, DatabaseUnavailable)
    assert "is a directory" in str(error)


def test_a_file_that_is_not_sqlite(tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("Dear billing office,\n" * 200)
    error = open_error(str(junk))
    assert isinstance(error, DatabaseUnavailable)
    assert str(error) == f"{junk} is not a billing-tui database (not a SQLite file)"
    assert junk.read_text() == "Dear billing office,\n" * 200  # left alone


def test_a_postgresql_that_is_down_names_the_server_and_hides_the_password():
    error = open_error("postgresql://billing:s3cr3t-pw@127.0.0.1:1/practice")
    assert isinstance(error, DatabaseUnavailable)
    message = str(error)
    assert "127.0.0.1:1" in message and "PostgreSQL" in message
    assert "s3cr3t-pw" not in message


@pytest.mark.parametrize(
    "url",
    ["mysql://billing:s3cr3t-pw@db.example/practice", "sqlserver://db/practice", "http://x/y"],
)
def test_an_unknown_url_scheme(url):
    error = open_error(url)
    assert isinstance(error, DatabaseUnavailable)
    assert "unknown database URL" in str(error)
    assert "s3cr3t-pw" not in str(error)


def test_an_unreadable_postgresql_url():
    error = open_error("postgresql://billing:s3cr3t-pw@[::1/practice")
    assert isinstance(error, DatabaseUnavailable)
    assert "s3cr3t-pw" not in str(error)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u:pw@h:5432/db", "postgresql://u:***@h:5432/db"),
        ("postgresql://u@h/db", "postgresql://u@h/db"),
        ("/var/lib/billing.db", "/var/lib/billing.db"),
    ],
)
def test_redact(url, shown):
    assert redact(url) == shown


def test_a_database_from_a_newer_billing_tui_is_refused(db_url):
    store = Store.open(db_url)
    assert HISTORY_TABLE == "schema_migration"
    store.db.execute_sql(
        "INSERT INTO schema_migration (name, applied) VALUES ('9999_future', CURRENT_TIMESTAMP)"
    )
    store.close()
    error = open_error(db_url)
    assert isinstance(error, SchemaTooNew)
    assert "9999_future" in str(error) and "upgrade billing-tui" in str(error)


def test_a_new_sqlite_file_is_private(tmp_path):
    path = tmp_path / "billing.db"
    old_umask = os.umask(0o022)
    try:
        Store.open(str(path)).close()
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_existing_file_keeps_its_mode(tmp_path):
    path = tmp_path / "billing.db"
    Store.open(str(path)).close()
    path.chmod(0o640)
    Store.open(str(path)).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(sqlite_url):
    store = Store.open(sqlite_url)
    try:
        pragma = lambda name: store.db.execute_sql(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") >= 1_000
    finally:
        store.close()


@pytest.mark.parametrize("form", ["path", "url"])
def test_a_sqlite_url_opens_the_same_file(tmp_path, form):
    path = tmp_path / "billing.db"
    target = str(path) if form == "path" else f"sqlite:///{path}"
    store = Store.open(target, today=lambda: TODAY)
    try:
        build_practice(store).patient()
    finally:
        store.close()
    other = Store.open(f"sqlite:///{path}" if form == "path" else str(path))
    try:
        assert other.accounts.find("10000001") is not None
    finally:
        other.close()


def test_migrations_are_applied_once(db_url):
    from billing_tui.store.db import MIGRATIONS, migrate

    store = Store.open(db_url, today=lambda: TODAY)
    try:
        version = store.schema_version()
        assert version == max(p.stem for p in MIGRATIONS.glob("[0-9]*.py"))
        build_practice(store).patient("Keep", "Me")
    finally:
        store.close()
    store = Store.open(db_url, today=lambda: TODAY)
    try:
        assert store.schema_version() == version
        assert migrate(store.db) == []  # nothing left to apply
        assert store.accounts.find("10000001") is not None
        assert store.verify().ok
    finally:
        store.close()


def test_a_database_from_an_older_release_is_upgraded_keeping_its_rows(sqlite_url):
    """Apply 0001 only (as the first release did), add an account, then open with this code."""
    from playhouse.migrations import Runner

    from billing_tui.store.db import HISTORY_TABLE, MIGRATIONS, connect

    db = connect(sqlite_url)
    Runner(db, directory=str(MIGRATIONS), table_name=HISTORY_TABLE).up("0001_initial")
    db.execute_sql(
        "INSERT INTO patient (account_number, first_name, middle_name, last_name, dob, sex, "
        "address1, address2, city, state, zip, phone, email, contact_preference, search_last, "
        "search_first, created_at, version) VALUES ('10000001', 'Old', '', 'Row', '1970-01-01', "
        "'F', '1 A St', '', 'Town', 'NY', '10001', '', '', 'mail', 'row', 'old', "
        "'2026-01-01 00:00:00', 1)"
    )
    db.close()
    store = Store.open(sqlite_url, today=lambda: TODAY)
    try:
        assert store.schema_version() == "0007_interfaces"
        assert store.accounts.find("10000001") is not None
        columns = [c.name for c in store.db.get_columns("claim")]
        assert {"primary_claim_id", "forwarded_at"} <= set(columns)
        assert "reverses_id" in [c.name for c in store.db.get_columns("payment")]
        assert {"remittance_claim", "work_item", "batch_adjustment"} <= set(store.db.get_tables())
        assert {"statement_run", "late_fee", "adjustment_request", "collection_placement",
                "outbound_message"} <= set(store.db.get_tables())  # fmt: skip
        assert "category" in [c.name for c in store.db.get_columns("ledger_entry")]
        assert "plan_id" in [c.name for c in store.db.get_columns("payment")]
        assert "os_login" in [c.name for c in store.db.get_columns("app_user")]
        assert {"audit_head", "closed_day"} <= set(store.db.get_tables())
    finally:
        store.close()
