"""`billing-tui import-csv` and `export-csv` as a billing specialist runs them: the migration
round trip, the sample files, --check, exit codes, one line per problem, and a log that
holds no patient data."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from pg_schema import fresh_schema, pg_base_url

from billing_tui.cli import main
from billing_tui.domain import security

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"


@pytest.fixture(autouse=True)
def quick_passwords(monkeypatch):
    """`init --sample` hashes six passwords with scrypt; these tests are not about them."""
    monkeypatch.setattr(security, "hash_password", lambda password, *, salt=None: "test$")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(params=["sqlite", "postgresql"])
def two_databases(request, tmp_path):
    """Where a practice is, and where it moves to."""
    if request.param == "sqlite":
        yield str(tmp_path / "old.db"), str(tmp_path / "new.db")
        return
    base = pg_base_url()
    if base is None:
        pytest.skip("PostgreSQL tests need BILLING_TUI_TEST_PG")
    with fresh_schema(base) as old, fresh_schema(base) as new:
        yield old, new


@pytest.fixture
def practice(tmp_path, capsys) -> str:
    """`init --sample 0`: the sample practice's reference data, no accounts."""
    db = str(tmp_path / "practice.db")
    assert run(capsys, "--db", db, "init", "--sample", "0")[0] == 0
    return db


def rows_in(db: str, table: str) -> int:
    with sqlite3.connect(db) as raw:
        return raw.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608


def test_a_practice_moves_through_the_command_line(two_databases, tmp_path, capsys):
    old, new = two_databases
    assert run(capsys, "--db", old, "init", "--sample", "40", "--seed", "5")[0] == 0
    for kind in ("patients", "coverages", "claims"):
        code, out, _ = run(
            capsys, "--db", old, "export-csv", kind, "--out", tmp_path / f"{kind}.csv"
        )
        assert code == 0 and out.startswith(f"{kind}: ")
    assert run(capsys, "--db", new, "init", "--sample", "0")[0] == 0
    for kind, file in (("patients", "patients"), ("coverages", "coverages"),
                       ("charges", "claims")):  # fmt: skip
        code, out, err = run(capsys, "--db", new, "import-csv", kind, tmp_path / f"{file}.csv")
        assert code == 0, err
        assert " imported: " in out
    reports = [run(capsys, "--db", db, "report", "claims", "--format", "csv") for db in (old, new)]
    assert reports[0][0] == reports[1][0] == 0
    assert reports[0][1] == reports[1][1]
    assert reports[0][1].count("\n") > 40
    verified = [run(capsys, "--db", db, "verify") for db in (old, new)]
    assert [code for code, _, _ in verified] == [0, 0]

    # "OK: 40 accounts, 64 claims, 88 batches, ... balances total 1,926.39": the same
    # accounts, claims and total (the batches and entries are not carried over one by one).
    def figures(out: str) -> tuple[str, str, str]:
        accounts, claims, *_ = out.split(", ")
        return accounts, claims, out.rsplit("balances total ", 1)[1]

    assert figures(verified[0][1]) == figures(verified[1][1])


def test_the_sample_files_import_and_the_bad_one_is_reported(practice, capsys):
    for kind, said in (
        ("patients", "7 rows imported: 7 patients registered"),
        ("coverages", "7 rows imported: 6 coverages added, 1 put on file ended"),
        ("charges", "9 rows imported: 6 claims (9 service lines)"),
    ):
        code, out, err = run(
            capsys, "--db", practice, "import-csv", kind, SAMPLE_DATA / f"{kind}.csv"
        )
        assert (code, err) == (0, "")
        assert out == f"{SAMPLE_DATA / kind}.csv: {said}\n"
    before = {t: rows_in(practice, t) for t in ("claim", "service_line", "audit_log")}
    bad = SAMPLE_DATA / "bad_charges.csv"
    for check in (("--check",), ()):
        code, out, err = run(capsys, "--db", practice, "import-csv", "charges", bad, *check)
        assert code == 1 and out == ""
        lines = err.splitlines()
        assert lines[:3] == [
            f"{bad} line 2: charge: not an amount: '12.345' (use 1,234.56)",
            f"{bad} line 3: date_of_service: no such date",
            f"{bad} line 4: charge: cannot be negative (-225.00)",
        ]
        assert f"{bad} line 6: account_number: no account 10009999" in lines
        assert f"{bad} line 7: payer_code: no payer with the code SMPL9" in lines
        assert lines[-1] == (
            f"billing-tui: {bad}: 8 of 8 rows have a problem; nothing was imported"
            + (" (--check)" if check else "")
        )
        assert {t: rows_in(practice, t) for t in before} == before


def test_check_says_what_it_would_do_and_does_nothing(practice, capsys):
    code, out, _ = run(capsys, "--db", practice, "import-csv", "patients",
                       SAMPLE_DATA / "patients.csv", "--check")  # fmt: skip
    assert code == 0
    assert out.endswith(
        "patients.csv: 7 rows checked, no problems; importing it: 7 patients registered. "
        "Nothing was imported (--check)\n"
    )
    assert rows_in(practice, "patient") == 0


def test_a_file_that_does_not_fit_exits_1_before_anything(practice, tmp_path, capsys):
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("account_number,last_name,first,dob\n10000001,Doe,Jane,1970-01-01\n")
    code, out, err = run(capsys, "--db", practice, "import-csv", "patients", wrong)
    assert (code, out) == (1, "")
    assert err == (
        f"billing-tui: {wrong}: unknown column: first; missing columns: first_name, sex, "
        "address1, city, state, zip (nothing was imported; `billing-tui import-csv --help` "
        "lists the columns)\n"
    )
    code, _, err = run(capsys, "--db", practice, "import-csv", "charges", tmp_path / "none.csv")
    assert code == 1 and "none.csv: cannot read it (No such file or directory)" in err
    assert rows_in(practice, "patient") == 0


def test_usage_errors_exit_2(practice, tmp_path, capsys):
    code, _, err = run(capsys, "--db", practice, "import-csv", "payments", "x.csv")
    assert code == 2 and "invalid choice: 'payments'" in err
    code, _, err = run(capsys, "--db", practice, "export-csv", "ledger", "--out",
                       tmp_path / "no" / "ledger.csv")  # fmt: skip
    assert code == 2 and "is not a directory" in err
    code, out, _ = run(capsys, "--db", practice, "export-csv", "ledger", "--out",
                       tmp_path / "ledger.csv")  # fmt: skip
    assert code == 0 and out == f"ledger: 0 rows in {tmp_path / 'ledger.csv'}\n"


def test_the_help_lists_every_column(capsys):
    with pytest.raises(SystemExit):
        main(["import-csv", "--help"])
    out = capsys.readouterr().out
    assert "patients: account_number, mrn, last_name*," in out
    assert "moved_to_patient" in out and "coinsurance_percent" in out


def test_no_traceback_and_no_patient_data_in_the_log(practice, tmp_path, log_file):
    """The real command in a process of its own: the errors are one line each, and the log
    says what ran, not who was in the file."""
    bad = tmp_path / "patients.csv"
    bad.write_bytes(
        b"account_number,last_name,first_name,dob,sex,address1,city,state,zip\n"
        b"10000001,Zebulon-Quartz,Philippa,1961-02-30,F,12 Wren St,Harrow Bend,NY,12758\n"
        b"10000002,Zebulon-Quartz,Philippa,1961-02-03,F,12 Wren St,Harrow Bend,NY,1275\n"
    )
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(b"account_number,last_name\n10000003,Mu\xf1oz\n")
    for path, expected in ((bad, "line 2: dob: no such date"), (latin1, "not UTF-8 text")):
        result = subprocess.run(
            [sys.executable, "-m", "billing_tui", "--db", practice, "import-csv", "patients",
             str(path)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert expected in result.stderr
        assert result.stderr.splitlines()[-1].startswith("billing-tui: ")
        for detail in ("Zebulon", "Philippa", "1961", "Wren"):
            assert detail not in result.stderr
    log = log_file.read_text()
    assert "import-csv" in log
    for detail in ("Zebulon", "Philippa", "1961", "Wren"):
        assert detail not in log
