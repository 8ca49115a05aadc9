"""`billing-tui statements`, `statement`, `late-fees`, `write-off`, `waive-fee`, `approvals`
and `collections` from the command line: output, exit codes, and bad input changing nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from era_builders import submit
from pypdf import PdfReader
from store_builders import TODAY, build_practice

from billing_tui.cli import main
from billing_tui.store import Store
from billing_tui.store.models import Patient, Statement, User


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def books(sqlite_url, tmp_path):
    """Two accounts that owe (one with no mailing address), one that owes nothing."""
    store = Store.open(sqlite_url, username="tester", today=lambda: TODAY)
    practice = build_practice(store)
    numbers = {}
    for last, charge in (("Owes", 12_345), ("Nowhere", 5_000), ("Even", 0)):
        pid = practice.patient(last, "Pat")
        if charge:
            submit(practice, practice.claim(pid, charge, dos=dt.date(2026, 10, 1)))
        numbers[last] = Patient.get_by_id(pid).account_number
    with store.db.atomic():
        Patient.update(address1="").where(Patient.account_number == numbers["Nowhere"]).execute()
        User.create(username="boss", name="Boss", role="supervisor")
        # The CLI acts as tester (the OS login): a specialist here, whom the limits apply to.
        User.update(role="specialist").where(User.username == "tester").execute()
    store.close()
    out = tmp_path / "out"
    out.mkdir()
    return sqlite_url, numbers, out


def test_a_run_prints_the_pdf_and_names_who_was_held_back(capsys, books):
    db, numbers, out = books
    code, text, err = run(capsys, "--db", db, "statements", "--out", str(out))
    assert code == 0, err
    assert "Printed 1 statement on 1 pages, 123.45 due:" in text
    assert f"{numbers['Nowhere']}: no mailing address on the account" in text
    (pdf,) = out.glob("statements-*.pdf")
    assert numbers["Owes"] in PdfReader(pdf).pages[0].extract_text()
    code, text, _ = run(capsys, "--db", db, "account", numbers["Owes"])
    assert code == 0 and "Statements" in text and "123.45" in text
    statement_id = Statement.select(Statement.id).scalar()
    again = out / "again.pdf"
    code, text, _ = run(capsys, "--db", db, "statement", str(statement_id), "--out", str(again))
    assert code == 0 and again.exists()
    assert PdfReader(again).pages[0].extract_text() == PdfReader(pdf).pages[0].extract_text()


def test_check_lists_what_would_print_and_prints_nothing(capsys, books):
    db, numbers, out = books
    code, text, _ = run(capsys, "--db", db, "statements", "--out", str(out), "--check")
    assert code == 0
    assert numbers["Owes"] in text and "1 statements due, 1 held back" in text
    assert f"{numbers['Nowhere']}         50.00  held: no mailing address" in text
    assert list(out.iterdir()) == []


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (("--min-balance", "0"), 2, "must be more than 0.00"),
        (("--min-balance", "12.345"), 2, "not an amount"),
        (("--account", "Even"), 1, "no account 'EVEN'"),
        (("--account", "{Even}"), 1, "the patient balance is 0.00"),
        (("--account", "{Nowhere}"), 1, "no mailing address"),
        (("--min-balance", "1000.00"), 1, "no statement to print"),
    ],
)
def test_bad_input_is_refused_in_one_line_and_prints_nothing(capsys, books, argv, code, message):
    db, numbers, out = books
    argv = tuple(a.format(**numbers) for a in argv)
    got, text, err = run(capsys, "--db", db, "statements", "--out", str(out), *argv)
    assert got == code
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) <= 3
    assert list(out.iterdir()) == []


def test_an_unwritable_out_is_refused(capsys, books, tmp_path):
    db, numbers, out = books
    code, _, err = run(capsys, "--db", db, "statements", "--out", str(tmp_path / "nope"))
    assert code == 1 and "does not exist; nothing printed" in err


def test_a_write_off_over_the_limit_waits_then_a_supervisor_approves_it(capsys, books):
    db, numbers, out = books
    code, text, err = run(
        capsys, "--db", db, "write-off", numbers["Owes"], "100.00", "--reason", "hardship",
        "--category", "hardship",
    )  # fmt: skip
    assert code == 0 and "waits for a supervisor's approval" in text, err
    code, text, _ = run(capsys, "--db", db, "approvals")
    assert "100.00" in text and "hardship" in text
    code, _, err = run(capsys, "--db", db, "approvals", "--approve", "1")
    assert code == 1 and "needs a supervisor" in err
    code, text, _ = run(capsys, "--db", db, "--user", "boss", "approvals", "--approve", "1")
    assert code == 0 and "approved and posted" in text
    code, text, _ = run(capsys, "--db", db, "account", numbers["Owes"])
    assert "Patient 23.45" in text


def test_collections_needs_a_final_notice_and_late_fees_are_off_by_default(capsys, books):
    db, numbers, out = books
    code, _, err = run(
        capsys, "--db", db, "--user", "boss", "collections", numbers["Owes"], "--agency", "Acme",
        "--reason", "no answer",
    )  # fmt: skip
    assert code == 1 and "no final notice" in err
    code, _, err = run(capsys, "--db", db, "collections", numbers["Owes"])
    assert code == 2 and "--agency" in err
    code, text, _ = run(capsys, "--db", db, "late-fees")
    assert code == 0 and "Late fees are off" in text
    code, _, err = run(capsys, "--db", db, "waive-fee", numbers["Owes"], "--reason", "x")
    assert code == 1 and "no late fee to waive" in err
