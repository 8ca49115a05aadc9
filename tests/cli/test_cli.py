"""The `billing-tui` command: exit codes, one-line errors, and the same Store underneath."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys

import pytest

from billing_tui.cli import main
from billing_tui.store import Store
from billing_tui.store.records import CoverageDraft, PatientDraft


@pytest.fixture
def practice(tmp_path):
    """A database with two accounts, closed again so the CLI opens it afresh."""
    path = str(tmp_path / "cli.db")
    store = Store.open(path, username="tester")
    from billing_tui.store.models import Payer

    payer = Payer.create(name="Medicare", payer_code="MCR01", kind="medicare")
    first = store.accounts.create_patient(
        PatientDraft(
            "Ana", "Núñez", dt.date(1971, 5, 6), "F", "1 Elm St", "Springfield", "IL", "62701"
        )
    )
    store.accounts.add_coverage(CoverageDraft(first, payer.id, "1EG4TE5MK72", dt.date(2020, 1, 1)))
    store.accounts.create_patient(
        PatientDraft(
            "Sean", "O'Brien", dt.date(1980, 2, 3), "M", "2 Oak St", "Springfield", "IL", "62701"
        )
    )
    store.close()
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_verify_passes_on_a_clean_database(practice, capsys):
    code, out, err = run(capsys, "--db", practice, "verify")
    assert code == 0, err
    assert out.startswith("OK: 2 accounts")


def test_verify_names_each_violation_and_exits_1(practice, capsys):
    with sqlite3.connect(practice) as raw:
        raw.execute("UPDATE account_summary SET patient_balance_cents = 999 WHERE patient_id = 1")
    code, out, _ = run(capsys, "--db", practice, "verify")
    assert code == 1
    assert "VIOLATION [cache] account 1: patient_balance_cents: cached 999, recomputed 0" in out
    assert out.splitlines()[-1].startswith("FAILED: 1 violation;")


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("/no/such/dir/x.db", "the database's directory does not exist: /no/such/dir"),
        ("mysql://root@localhost/x", "unknown database URL"),
        (
            "postgresql://billing:s3cret@127.0.0.1:1/x",
            "cannot connect to PostgreSQL at 127.0.0.1:1",
        ),
    ],
)
def test_a_database_that_cannot_be_opened_is_one_line_and_exit_2(target, message, capsys):
    code, out, err = run(capsys, "--db", target, "verify")
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and message in err
    assert "s3cret" not in err


def test_a_file_that_is_not_a_database(tmp_path, capsys):
    path = tmp_path / "notes.txt"
    path.write_text("not a database")
    code, _, err = run(capsys, "--db", str(path), "queue")
    assert code == 2
    assert "is not a billing-tui database" in err


def test_a_newer_schema_is_refused(practice, capsys):
    with sqlite3.connect(practice) as raw:
        raw.execute(
            "INSERT INTO schema_migration (name, applied) VALUES ('9999_future', '2030-01-01')"
        )
    code, _, err = run(capsys, "--db", practice, "queue")
    assert code == 2
    assert "newer billing-tui" in err and "9999_future" in err


def test_queue_search_formats(practice, capsys):
    code, out, _ = run(capsys, "--db", practice, "queue", "--search", "nunez", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert [r["patient"] for r in rows] == ["Núñez, Ana"]
    assert rows[0]["payer"] == "Medicare"
    code, out, _ = run(capsys, "--db", practice, "queue", "--search", "o'b", "--format", "csv")
    assert out.splitlines()[1].startswith('10000002,"O\'Brien, Sean"')
    code, out, _ = run(capsys, "--db", practice, "queue", "--search", "%_\\'\"")
    assert code == 0 and out.strip() == "No accounts."


def test_queue_bad_filter_is_usage_error(practice, capsys):
    code, _, err = run(capsys, "--db", practice, "queue", "--age", "12")
    assert code == 2 and "invalid choice: '12'" in err
    code, _, err = run(capsys, "--db", practice, "queue", "--payer", "Nobody")
    assert code == 2 and "matches 0 payers" in err


def test_note_then_account_shows_it(practice, capsys):
    code, out, err = run(
        capsys,
        "--db",
        practice,
        "note",
        "10000001",
        "Called about the balance",
        "--kind",
        "call",
        "--direction",
        "out",
    )
    assert code == 0, err
    store = Store.open(practice)
    try:
        view = store.accounts.get(store.accounts.find("10000001"))
    finally:
        store.close()
    assert [(n.kind, n.direction, n.text) for n in view.notes] == [
        ("call", "out", "Called about the balance")
    ]


def test_unknown_account_and_bad_follow_up(practice, capsys):
    code, _, err = run(capsys, "--db", practice, "account", "99999999")
    assert code == 1 and "no account '99999999'" in err
    code, _, err = run(capsys, "--db", practice, "note", "10000001", "x", "--follow-up", "13/45/26")
    assert code == 2 and "no such date" in err


def test_no_traceback_from_the_installed_command(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "billing_tui", "--db", str(tmp_path / "missing" / "x.db"), "verify"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("billing-tui: ")


def test_a_reader_that_stops_early_is_no_failure(tmp_path):
    """`billing-tui queue ... | head -1`: the closed pipe is not a traceback."""
    db = str(tmp_path / "x.db")
    assert main(["--db", db, "init", "--sample", "1500"]) == 0
    reader = subprocess.Popen(
        [sys.executable, "-m", "billing_tui", "--db", db, "queue", "--limit", "1500",
         "--format", "csv"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    reader.stdout.read(10)
    reader.stdout.close()  # the reader goes away, as head does
    _, err = reader.communicate()
    assert b"Traceback" not in err and reader.returncode == 0
