"""`billing-tui export-837`: what went and what was held back, and bad input that changes nothing."""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "store"))  # store_builders
from pyx12_check import pyx12_errors  # noqa: E402
from sending import make_sendable  # noqa: E402
from store_builders import build_practice  # noqa: E402
from x12_rules import segments  # noqa: E402

from billing_tui.cli import main  # noqa: E402
from billing_tui.store import Store  # noqa: E402


@pytest.fixture
def database(tmp_path):
    """(path, [ready claim numbers], draft claim number), closed so the CLI opens it afresh."""
    path = str(tmp_path / "cli.db")
    store = Store.open(path, username="tester")  # the CLI's today: dates are relative to it
    practice = build_practice(store)
    make_sendable(practice)
    patient = practice.patient(last="Núñez")
    coverage = practice.coverage(patient, member_id="1EG4TE5MK72")
    visit = dt.date.today() - dt.timedelta(days=30)
    ready = [
        practice.billed_claim(patient, 12_500, coverage_id=coverage, dos=visit),
        practice.billed_claim(patient, 9_000, coverage_id=coverage, dos=visit + dt.timedelta(1)),
    ]
    draft = practice.claim(patient, coverage_id=coverage, dos=visit + dt.timedelta(2))
    numbers = [store.claims.get(i).claim_number for i in ready]
    draft_number = store.claims.get(draft).claim_number
    store.close()
    return path, numbers, draft_number


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def counts(path: str) -> tuple[int, int, int]:
    """(ready claims, submitted claims, interchanges)."""
    with sqlite3.connect(path) as raw:
        ready, submitted = (
            raw.execute("SELECT COUNT(*) FROM claim WHERE status = ?", (s,)).fetchone()[0]
            for s in ("ready", "submitted")
        )
        interchanges = raw.execute("SELECT COUNT(*) FROM x12_interchange").fetchone()[0]
    return ready, submitted, interchanges


def test_export_prints_what_went_and_marks_it_submitted(database, tmp_path, capsys):
    path, numbers, _ = database
    out = tmp_path / "claims.x12"
    code, stdout, stderr = run(
        capsys, "--db", path, "--user", "tester", "export-837", "--out", str(out)
    )
    assert (code, stderr) == (0, "")
    lines = stdout.splitlines()
    assert lines[0].split() == ["Sent", "Payer", "Freq", "Lines", "Charge"]
    assert [line.split()[0] for line in lines[2:4]] == numbers
    assert lines[2].split()[-3:] == ["1", "1", "125.00"]
    assert lines[-1] == (f"2 claims (215.00) written to {out} in interchange 1; 0 held back")
    assert pyx12_errors(out) == []
    assert segments(out.read_text())[0][15] == "P"
    assert counts(path) == (0, 2, 1)


def test_test_flag_and_named_claims_with_one_held_back(database, tmp_path, capsys):
    path, numbers, draft = database
    out = tmp_path / "claims.x12"
    code, stdout, _ = run(
        capsys, "--db", path, "export-837", "--out", str(out), "--test",
        "--claim", numbers[1], "--claim", draft,
    )  # fmt: skip
    assert code == 0
    assert "Held back" in stdout and f"{draft}" in stdout and "it is draft, not ready" in stdout
    assert stdout.splitlines()[-1].endswith("in interchange 1 (test); 1 held back")
    assert segments(out.read_text())[0][15] == "T"
    assert counts(path) == (1, 1, 1)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--claim", "NOPE-1"], "billing-tui: no claim NOPE-1"),
        (["--out", "/nonexistent-dir/x.x12"], "billing-tui: cannot write /nonexistent-dir/x.x12: "
                                              "the directory /nonexistent-dir does not exist"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_exit_1_and_changes_nothing(
    database, tmp_path, capsys, argv, message
):
    path, _, _ = database
    out = tmp_path / "claims.x12"
    code, stdout, stderr = run(capsys, "--db", path, "export-837", "--out", str(out), *argv)
    assert code == 1
    assert stderr.splitlines() == [message]
    assert stdout == ""
    assert not out.exists()
    assert counts(path) == (2, 0, 0)


def test_nothing_to_send_is_exit_1(database, tmp_path, capsys):
    path, _, draft = database
    first = tmp_path / "first.x12"
    assert run(capsys, "--db", path, "export-837", "--out", str(first))[0] == 0
    again = tmp_path / "again.x12"
    code, stdout, stderr = run(capsys, "--db", path, "export-837", "--out", str(again))
    assert (code, stdout, stderr) == (1, "", "billing-tui: nothing to send: no claim is ready\n")
    code, stdout, stderr = run(
        capsys, "--db", path, "export-837", "--out", str(again), "--claim", draft
    )
    assert code == 1 and "it is draft, not ready" in stdout
    assert stderr == "billing-tui: nothing to send: the claim was held back\n"
    assert not again.exists()
    assert counts(path) == (0, 2, 1)
