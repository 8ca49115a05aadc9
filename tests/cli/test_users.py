"""`billing-tui user` and `audit` from the command line: the first administrator, who the
CLI acts as (--user, the OS login), disabled users, the audit trail's hash chain, and the
roles that backup and writing need. Real commands on a SQLite file, passwords on stdin."""

from __future__ import annotations

import io
import json
import sqlite3

import pytest
from store_builders import TODAY, build_practice

from billing_tui.cli import main
from billing_tui.store import Store
from billing_tui.store.models import Patient, User

PASSWORD = "Correct-horse-9"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def add_user(capsys, monkeypatch, db: str, *argv: str, password: str = PASSWORD):
    """`user add ...` with the password on stdin; argv may start with --user NAME."""
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    acting, rest = (list(argv[:2]), list(argv[2:])) if argv[:1] == ("--user",) else ([], argv)
    return run(capsys, "--db", db, *acting, "user", "add", *rest, "--password-stdin")


@pytest.fixture
def new_db(capsys, tmp_path) -> str:
    db = str(tmp_path / "billing.db")
    code, out, err = run(capsys, "--db", db, "init")
    assert code == 0, err
    assert "Database ready" in out
    return db


@pytest.fixture
def staffed(capsys, monkeypatch, new_db) -> str:
    """A new database with the administrator boss and the specialist kim (no OS login)."""
    code, _, err = add_user(capsys, monkeypatch, new_db, "boss", "--role", "admin")
    assert code == 0, err
    code, _, err = add_user(
        capsys, monkeypatch, new_db, "--user", "boss", "kim", "--role", "specialist"
    )
    assert code == 0, err
    return new_db


def audit_rows(capsys, db: str, *filters: str) -> list[dict]:
    code, out, err = run(
        capsys, "--db", db, "--user", "boss", "audit", "list", *filters, "--format", "json"
    )
    assert code == 0, err
    return json.loads(out)


# --------------------------------------------------------------------------- 1. first admin


def test_a_new_database_asks_for_the_first_administrator(capsys, new_db):
    code, out, err = run(capsys, "--db", new_db, "verify")
    assert code == 1
    assert "create the first administrator" in err
    assert out == ""


def test_the_first_admin_needs_no_user_and_then_adds_the_others(capsys, monkeypatch, new_db):
    code, out, err = add_user(capsys, monkeypatch, new_db, "boss", "--role", "admin")
    assert code == 0, err
    assert "Added boss (admin)" in out
    code, out, err = add_user(
        capsys, monkeypatch, new_db, "--user", "boss", "kim", "--role", "specialist"
    )
    assert code == 0, err
    assert "Added kim (specialist)" in out

    code, out, err = run(
        capsys, "--db", new_db, "--user", "boss", "user", "list", "--format", "json"
    )
    assert code == 0, err
    users = {u["username"]: u for u in json.loads(out)}
    assert set(users) == {"boss", "kim"}
    assert users["boss"]["role"] == "admin" and users["kim"]["role"] == "specialist"
    assert users["kim"]["status"] == "active" and users["kim"]["password"] == "set"
    code, out, _ = run(capsys, "--db", new_db, "--user", "boss", "user", "list")
    assert code == 0 and "boss" in out and "kim" in out

    code, out, err = run(capsys, "--db", new_db, "--user", "kim", "user", "list")
    assert code == 1
    assert "needs an administrator" in err
    assert "boss" not in out


def test_the_first_user_must_be_an_admin(capsys, monkeypatch, new_db):
    code, out, err = add_user(capsys, monkeypatch, new_db, "kim", "--role", "specialist")
    assert code == 1
    assert "the first user is an admin" in err
    assert "Added" not in out
    code, _, err = run(capsys, "--db", new_db, "verify")
    assert code == 1 and "create the first administrator" in err  # still nobody


def test_a_short_password_is_refused_and_nobody_is_added(capsys, monkeypatch, staffed):
    code, out, err = add_user(
        capsys,
        monkeypatch,
        staffed,
        "--user",
        "boss",
        "lee",
        "--role",
        "specialist",
        password="short1",
    )
    assert code == 1
    assert "at least 10 characters" in err
    assert "Added" not in out
    code, out, _ = run(
        capsys, "--db", staffed, "--user", "boss", "user", "list", "--format", "json"
    )
    assert code == 0
    assert [u["username"] for u in json.loads(out)] == ["boss", "kim"]


def test_a_short_first_password_leaves_the_database_new(capsys, monkeypatch, new_db):
    code, _, err = add_user(capsys, monkeypatch, new_db, "boss", "--role", "admin", password="abc")
    assert code == 1 and "at least 10 characters" in err
    code, _, err = run(capsys, "--db", new_db, "verify")
    assert code == 1 and "create the first administrator" in err


# --------------------------------------------------------------------------- 2. OS login


def test_the_os_login_acts_as_the_user_mapped_to_it(capsys, monkeypatch, new_db):
    assert add_user(capsys, monkeypatch, new_db, "boss", "--role", "admin")[0] == 0
    code, _, err = add_user(
        capsys,
        monkeypatch,
        new_db,
        "--user",
        "boss",
        "kim",
        "--role",
        "specialist",
        "--os-login",
        "tester",
    )
    assert code == 0, err

    code, out, err = run(capsys, "--db", new_db, "verify")  # no --user: the OS login 'tester'
    assert code == 0, err
    assert out.startswith("OK:")
    # Listing the users is refused, and the refusal names kim, done from the CLI by 'tester'.
    code, _, err = run(capsys, "--db", new_db, "user", "list")
    assert code == 1 and "needs an administrator" in err
    (row,) = audit_rows(capsys, new_db, "--action", "refused")
    assert row["user"] == "kim"
    assert "cli tester" in row["via"]


def test_an_unmapped_os_login_is_refused_by_name(capsys, monkeypatch, staffed):
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(name, "stranger")
    code, out, err = run(capsys, "--db", staffed, "verify")
    assert code == 1
    assert "'stranger' is not mapped" in err
    assert out == ""
    code, _, err = run(capsys, "--db", staffed, "--user", "kim", "verify")
    assert code == 0, err  # --user still works from any login


# --------------------------------------------------------------------------- 3. disabled


def test_a_disabled_user_is_refused_and_the_refusal_recorded(capsys, staffed):
    code, out, err = run(capsys, "--db", staffed, "--user", "boss", "user", "disable", "kim")
    assert code == 0, err
    assert "kim: disabled" in out
    code, out, _ = run(
        capsys, "--db", staffed, "--user", "boss", "user", "list", "--format", "json"
    )
    assert {u["username"]: u["status"] for u in json.loads(out)}["kim"] == "disabled"

    code, out, err = run(capsys, "--db", staffed, "--user", "kim", "verify")
    assert code == 1
    assert "disabled" in err
    assert out == ""
    refused = audit_rows(capsys, staffed, "--action", "refused")
    assert [(r["user"], r["action"]) for r in refused] == [("kim", "refused")]

    code, out, err = run(capsys, "--db", staffed, "--user", "boss", "user", "enable", "kim")
    assert code == 0, err
    assert "kim: enabled" in out
    code, out, err = run(capsys, "--db", staffed, "--user", "kim", "verify")
    assert code == 0, err
    assert out.startswith("OK:")


def test_the_last_administrator_cannot_be_disabled(capsys, staffed):
    code, out, err = run(capsys, "--db", staffed, "--user", "boss", "user", "disable", "boss")
    assert code == 1
    assert "last administrator" in err
    assert "disabled" not in out
    code, _, err = run(capsys, "--db", staffed, "--user", "boss", "verify")
    assert code == 0, err  # boss still works


# --------------------------------------------------------------------------- 4. audit trail


def test_audit_verify_finds_a_row_edited_in_the_file(capsys, staffed):
    code, out, err = run(capsys, "--db", staffed, "--user", "boss", "audit", "verify")
    assert code == 0, err
    assert out.startswith("OK: 2 audit rows, chain intact")

    with sqlite3.connect(staffed) as raw:
        raw.execute("DROP TRIGGER audit_log_no_update")
        raw.execute("UPDATE audit_log SET after = '{}' WHERE id = 2")
    raw.close()
    code, out, _ = run(capsys, "--db", staffed, "--user", "boss", "audit", "verify")
    assert code == 1
    assert "BROKEN at audit row 2" in out
    assert "checked 2 rows" in out


def test_audit_list_refuses_a_range_that_ends_before_it_starts(capsys, staffed):
    code, out, err = run(
        capsys,
        "--db",
        staffed,
        "--user",
        "boss",
        "audit",
        "list",
        "--from",
        "2026-12-05",
        "--to",
        "2026-12-01",
    )
    assert code == 2
    assert "--from is after --to" in err
    assert out == ""


def test_a_specialist_may_not_read_the_audit_trail(capsys, staffed):
    code, out, err = run(capsys, "--db", staffed, "--user", "kim", "audit", "list")
    assert code == 1
    assert "needs" in err
    assert out == ""


# --------------------------------------------------------------------------- 5. backup


def test_backup_needs_an_administrator(capsys, staffed, tmp_path):
    dest = tmp_path / "copy.db"
    code, out, err = run(capsys, "--db", staffed, "--user", "kim", "backup", str(dest))
    assert code == 1
    assert "needs an administrator" in err
    assert out == ""
    assert not dest.exists()

    code, out, err = run(capsys, "--db", staffed, "--user", "boss", "backup", str(dest))
    assert code == 0, err
    assert out.startswith(f"Backup written: {dest}")
    assert dest.is_file()
    assert [r["action"] for r in audit_rows(capsys, staffed, "--action", "backup")] == ["backup"]


# --------------------------------------------------------------------------- 6. support


@pytest.fixture
def account(sqlite_url) -> str:
    """One account, built by the enrolled supervisor 'tester'; sue is read-only support."""
    store = Store.open(sqlite_url, username="tester", today=lambda: TODAY)
    practice = build_practice(store)
    number = Patient.get_by_id(practice.patient("Cruz", "Ana")).account_number
    with store.db.atomic():
        User.create(username="sue", name="Sue", role="support")
    store.close()
    return number


def note_count(db: str) -> int:
    with sqlite3.connect(db) as raw:
        (count,) = raw.execute("SELECT COUNT(*) FROM note").fetchone()
    raw.close()
    return count


def test_a_support_user_cannot_add_a_note(capsys, sqlite_url, account):
    before = note_count(sqlite_url)
    code, out, err = run(capsys, "--db", sqlite_url, "--user", "sue", "note", account, "hello")
    assert code == 1
    assert "read-only" in err
    assert "Note added" not in out
    assert note_count(sqlite_url) == before

    code, out, err = run(capsys, "--db", sqlite_url, "--user", "sue", "account", account)
    assert code == 0, err  # reading is fine
    assert account in out
    code, out, err = run(capsys, "--db", sqlite_url, "note", account, "hello")  # as tester
    assert code == 0, err
    assert note_count(sqlite_url) == before + 1
