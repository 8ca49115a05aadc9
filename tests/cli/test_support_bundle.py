"""`billing-tui support-bundle`: a zip of versions, settings without secrets, the log's tail,
the database's counts and timings, and not one piece of a patient's data in any of it."""

from __future__ import annotations

import logging
import sqlite3
import zipfile

import pytest

from billing_tui import logs
from billing_tui.cli import main

MEMBERS = {"versions.txt", "config.txt", "log-tail.txt", "database.txt", "timings.txt"}
SMTP_PASSWORD = "Smtp-s3cret-4417"
PG_PASSWORD = "Pg-s3cret-9051"
API_TOKEN = "tok-77f1a0c2"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def environment(tmp_path, monkeypatch):
    """Config, data directory and log under tmp_path; the log handler removed afterwards."""
    config = tmp_path / "config.toml"
    config.write_text(
        f'database = "postgresql://billing:{PG_PASSWORD}@db.example/billing"\n\n'
        f'[email]\nsmtp_host = "mail.example"\nsmtp_user = "billing"\n'
        f'smtp_password = "{SMTP_PASSWORD}"\n\n'
        f'[clearinghouse]\napi_token = """\n{API_TOKEN}\n"""\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("BILLING_TUI_CONFIG", str(config))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("BILLING_TUI_LOG", str(tmp_path / "logs" / "billing-tui.log"))
    monkeypatch.delenv("BILLING_TUI_DB", raising=False)
    monkeypatch.delenv("BILLING_TUI_SMTP_PASSWORD", raising=False)
    yield tmp_path
    _close_log()


def _close_log() -> None:
    logger = logging.getLogger(logs.LOGGER_NAME)
    for handler in list(logger.handlers):
        if not isinstance(handler, logging.NullHandler):
            logger.removeHandler(handler)
            handler.close()


@pytest.fixture
def practice(environment, capsys):
    """A sample practice of 30 accounts, and a log with some timings in it."""
    path = str(environment / "billing.db")
    assert main(["--db", path, "init", "--sample", "30"]) == 0
    logs.setup()
    for name in ("queue", "queue", "verify"):
        with logs.timed(name):
            pass
    with pytest.raises(KeyError), logs.timed("account"):
        raise KeyError("never in the log")
    capsys.readouterr()
    return path


def bundle(path) -> dict[str, str]:
    with zipfile.ZipFile(path) as opened:
        return {name: opened.read(name).decode("utf-8") for name in opened.namelist()}


def patient_data(path: str) -> list[str]:
    """Every sample patient's name, DOB (two ways), account number and member ID."""
    connection = sqlite3.connect(path)
    try:
        found = []
        for first, last, dob, account in connection.execute(
            "SELECT first_name, last_name, dob, account_number FROM patient"
        ):
            year, month, day = str(dob)[:10].split("-")
            found += [f"{first} {last}", f"{last}, {first}", account]
            found += [f"{year}-{month}-{day}", f"{month}/{day}/{year}"]
        found += [member for (member,) in connection.execute("SELECT member_id FROM coverage")]
    finally:
        connection.close()
    return [item for item in found if item]


def test_the_bundle_has_each_member_and_the_counts(practice, environment, capsys):
    out = environment / "support.zip"
    code, stdout, err = run(capsys, "--db", practice, "support-bundle", "--out", str(out))
    assert code == 0, err
    assert err == ""
    assert stdout.strip() == f"Support bundle written: {out} ({out.stat().st_size:,} bytes)"
    assert out.stat().st_mode & 0o077 == 0  # private: it describes the practice's setup
    assert not [p for p in environment.iterdir() if p.name.endswith(".partial")]
    members = bundle(out)
    assert set(members) == MEMBERS

    database = members["database.txt"].splitlines()
    assert "kind SQLite" in database
    assert "patient 30" in database
    assert "account_summary 30" in database
    assert any(line.startswith("schema version 0") for line in database)
    assert any(line.startswith("file size ") for line in database)

    versions = members["versions.txt"]
    for name in ("billing-tui ", "Python ", "textual ", "peewee ", "fpdf2 ", "sqlite3 library "):
        assert name in versions
    assert "PostgreSQL server" not in versions

    assert "timing queue" in members["log-tail.txt"]
    assert "failed account KeyError after" in members["log-tail.txt"]
    assert "never in the log" not in members["log-tail.txt"]
    timings = members["timings.txt"].splitlines()
    assert sum("  queue  " in line for line in timings) == 2
    assert "verify  1  " in members["timings.txt"]


def test_secrets_are_masked(practice, environment, capsys):
    out = environment / "support.zip"
    assert run(capsys, "--db", practice, "support-bundle", "--out", str(out))[0] == 0
    config = bundle(out)["config.txt"]
    assert "email.smtp_password = ***" in config  # the effective settings
    assert 'smtp_password = "***"' in config  # the file's text
    assert 'api_token = "***"' in config
    assert "postgresql://billing:***@db.example/billing" in config
    assert 'smtp_host = "mail.example"' in config  # the rest of the file is there
    for member, text in bundle(out).items():
        for secret in (SMTP_PASSWORD, PG_PASSWORD, API_TOKEN):
            assert secret not in text, (member, secret)


def test_no_patient_data_in_any_member(practice, environment, capsys):
    out = environment / "support.zip"
    assert run(capsys, "--db", practice, "support-bundle", "--out", str(out))[0] == 0
    sensitive = patient_data(practice)
    assert len(sensitive) > 30 * 5  # the check reads the practice it means to
    for member, text in bundle(out).items():
        leaked = [item for item in sensitive if item in text]
        assert not leaked, f"{member} holds patient data"


def test_a_secret_the_lines_cannot_mask_leaves_the_file_out(environment, capsys):
    (environment / "config.toml").write_text(
        f'[email]\nsmtp_host = "mail.example"\nextra = {{ smtp_password = "{SMTP_PASSWORD}" }}\n',
        encoding="utf-8",
    )
    out = environment / "support.zip"
    db = str(environment / "billing.db")
    assert run(capsys, "--db", db, "init")[0] == 0
    assert run(capsys, "--db", db, "support-bundle", "--out", str(out))[0] == 0
    config = bundle(out)["config.txt"]
    assert SMTP_PASSWORD not in config
    assert "the file's text is left out" in config


def test_a_database_that_cannot_be_opened_still_gets_a_bundle(environment, capsys):
    url = f"postgresql://billing:{PG_PASSWORD}@127.0.0.1:1/billing"
    out = environment / "support.zip"
    code, _, err = run(capsys, "--db", url, "support-bundle", "--out", str(out))
    assert code == 0, err
    members = bundle(out)
    assert "cannot open it: cannot connect to PostgreSQL" in members["database.txt"]
    assert "database = 'postgresql://billing:***@127.0.0.1:1/billing'" in members["config.txt"]
    assert all(PG_PASSWORD not in text for text in members.values())
    assert "(no log at " in members["log-tail.txt"]
    assert members["timings.txt"] == "(no timings in the log)\n"


def test_a_missing_sqlite_file_is_not_created(environment, capsys):
    db = environment / "nowhere.db"
    out = environment / "support.zip"
    assert run(capsys, "--db", str(db), "support-bundle", "--out", str(out))[0] == 0
    assert f"there is no database file at {db}" in bundle(out)["database.txt"]
    assert not db.exists()


@pytest.mark.parametrize("where", ["missing/support.zip", "."])
def test_an_unwritable_out_exits_2_and_leaves_nothing(practice, environment, capsys, where):
    before = sorted(environment.rglob("*"))
    out = environment / where
    code, stdout, err = run(capsys, "--db", practice, "support-bundle", "--out", str(out))
    assert code == 2
    assert stdout == ""
    assert err.startswith(f"billing-tui: cannot write the support bundle {out}: ")
    assert len(err.splitlines()) == 1
    assert sorted(environment.rglob("*")) == before


def test_on_postgresql_the_server_version_and_counts(pg_url, environment, capsys):
    assert run(capsys, "--db", pg_url, "init", "--sample", "5")[0] == 0
    out = environment / "support.zip"
    code, _, err = run(capsys, "--db", pg_url, "support-bundle", "--out", str(out))
    assert code == 0, err
    members = bundle(out)
    assert "PostgreSQL server " in members["versions.txt"]
    assert "psycopg2 " in members["versions.txt"]
    database = members["database.txt"].splitlines()
    assert "kind PostgreSQL" in database
    assert "patient 5" in database
