"""`billing-tui plan`: create a payment plan and print its schedule, show it, cancel it;
refusals exit 1 and bad arguments exit 2, with one line on stderr and nothing changed."""

from __future__ import annotations

import datetime as dt

import pytest
from store_builders import build_practice

from billing_tui.cli import main
from billing_tui.store import Store
from billing_tui.store.models import PaymentPlan
from billing_tui.store.records import PatientPaymentDraft

# The CLI's today is the real one: dates are set from it.
TODAY = dt.date.today()
START = TODAY + dt.timedelta(days=7)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def books(db_url):
    """Two self-pay accounts owing 300.00 and 250.00, closed so the CLI opens it afresh."""
    store = Store.open(db_url, username="tester")
    practice = build_practice(store)
    numbers = []
    for last, amount in (("Poe", 30_000), ("Roe", 25_000)):
        patient = practice.patient(last, "Pat")
        practice.billed_claim(patient, amount)
        numbers.append(store.accounts.get(patient).patient.account_number)
    store.close()
    return db_url, numbers


def plans(url: str) -> list[tuple]:
    store = Store.open(url, username="tester")
    try:
        return list(
            PaymentPlan.select(PaymentPlan.id, PaymentPlan.status, PaymentPlan.total_cents)
            .order_by(PaymentPlan.id)
            .tuples()
        )
    finally:
        store.close()


def schedule_rows(out: str) -> list[list[str]]:
    """The schedule table's rows: number, due, amount, paid, state."""
    return [line.split(None, 4) for line in out.splitlines() if line.strip()[:1].isdigit()]


def test_create_prints_the_schedule(books, capsys):
    url, (poe, _) = books
    code, out, err = run(
        capsys, "--db", url, "plan", poe, "--total", "300", "--instalment", "125.50",
        "--start", START.isoformat(),
    )  # fmt: skip
    assert code == 0, err
    assert f"Payment plan 1 created on account {poe}." in out
    assert f"3 monthly instalments of 125.50 from {START:%m/%d/%Y}" in out
    assert "Total 300.00  Paid 0.00  Remaining 300.00" in out
    rows = schedule_rows(out)
    assert [row[0] for row in rows] == ["1", "2", "3"]
    assert [row[2] for row in rows] == ["125.50", "125.50", "49.00"]
    assert all(row[-1] == "due" for row in rows)
    assert plans(url) == [(1, "active", 30_000)]


def test_show_gives_each_instalments_state(books, capsys):
    url, (poe, _) = books
    assert run(capsys, "--db", url, "plan", poe, "--total", "300.00", "--instalment", "100",
               "--start", START.isoformat(), "--frequency", "weekly", "--instalments", "3",
               "--note", "agreed on the phone")[0] == 0  # fmt: skip
    store = Store.open(url, username="tester")
    patient = store.accounts.find(poe)
    store.posting.post_patient_payment(None, PatientPaymentDraft(patient, 15_000, "cash", TODAY))
    store.close()
    code, out, err = run(capsys, "--db", url, "plan", poe)
    assert code == 0, err
    assert "Plan 1 (active)" in out and "3 weekly instalments of 100.00" in out
    assert "Paid 150.00  Remaining 150.00" in out
    assert f"Next due {START + dt.timedelta(days=7):%m/%d/%Y}" in out
    assert schedule_rows(out) == [
        ["1", f"{START:%m/%d/%Y}", "100.00", "100.00", "paid"],
        ["2", f"{START + dt.timedelta(days=7):%m/%d/%Y}", "100.00", "50.00", "partly paid"],
        ["3", f"{START + dt.timedelta(days=14):%m/%d/%Y}", "100.00", "0.00", "due"],
    ]


def test_cancel_then_no_active_plan(books, capsys):
    url, (poe, _) = books
    run(capsys, "--db", url, "plan", poe, "--total", "300", "--instalment", "100",
        "--start", START.isoformat())  # fmt: skip
    code, out, err = run(capsys, "--db", url, "plan", poe, "--cancel", "paid by the guarantor")
    assert (code, err) == (0, "")
    assert f"Payment plan 1 on account {poe} cancelled." in out
    code, out, err = run(capsys, "--db", url, "plan", poe)
    assert code == 0, err
    assert f"Account {poe} has no active payment plan." in out
    assert "cancelled" in out and "paid by the guarantor" in out
    assert plans(url) == [(1, "cancelled", 30_000)]


def test_break(books, capsys):
    url, (poe, _) = books
    run(capsys, "--db", url, "plan", poe, "--total", "300", "--instalment", "100",
        "--start", START.isoformat())  # fmt: skip
    code, out, _ = run(capsys, "--db", url, "plan", poe, "--break", "stopped paying")
    assert code == 0 and "ended as broken" in out
    assert plans(url) == [(1, "broken", 30_000)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--total", "250", "--instalment", "50", "--instalments", "4"),
         "4 instalments of 50.00 make 200.00, not the plan's 250.00"),
        (("--total", "300.01", "--instalment", "50"),
         "the plan's total 300.01 is more than the patient balance 300.00"),
        (("--total", "300", "--instalment", "400"),
         "an instalment of 400.00 is more than the plan's total 300.00"),
    ],
)  # fmt: skip
def test_refused_plans_exit_1_and_change_nothing(books, capsys, args, message):
    url, (poe, _) = books
    code, out, err = run(capsys, "--db", url, "plan", poe, *args, "--start", START.isoformat())
    assert (code, out) == (1, "")
    assert err == f"billing-tui: {message}\n"
    assert plans(url) == []


def test_refusals_of_an_account(books, capsys):
    url, (poe, roe) = books
    code, _, err = run(capsys, "--db", url, "plan", "99999999")
    assert (code, err) == (1, "billing-tui: no account '99999999'\n")
    code, _, err = run(capsys, "--db", url, "plan", roe, "--cancel", "why")
    assert (code, err) == (1, f"billing-tui: account {roe} has no active payment plan\n")
    run(capsys, "--db", url, "plan", poe, "--total", "100", "--instalment", "50",
        "--start", START.isoformat())  # fmt: skip
    code, _, err = run(capsys, "--db", url, "plan", poe, "--total", "100", "--instalment", "50",
                       "--start", START.isoformat())  # fmt: skip
    assert code == 1 and "already has an active payment plan" in err
    assert len(err.splitlines()) == 1
    assert plans(url) == [(1, "active", 10_000)]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--total", "3x0", "--instalment", "50", "--start", "2026-12-01"), "not an amount"),
        (("--total", "-300", "--instalment", "50", "--start", "2026-12-01"), "more than 0.00"),
        (("--total", "300", "--instalment", "50", "--start", "13/45/2026"), "no such date"),
        (("--total", "300", "--instalment", "50"), "a new plan needs --start"),
        (("--total", "300",), "needs --instalment and --start"),
        (("--frequency", "weekly",), "needs --total and --instalment and --start"),
        (("--total", "300", "--instalment", "50", "--start", "2026-12-01", "--frequency",
          "yearly"), "invalid choice"),
        (("--total", "300", "--instalment", "50", "--start", "2026-12-01", "--instalments",
          "0"), "at least 1"),
        (("--total", "300", "--instalment", "50", "--start", "2026-12-01", "--cancel", "x"),
         "either create a plan"),
        (("--cancel", "x", "--break", "y"), "not allowed with argument"),
    ],
)  # fmt: skip
def test_bad_arguments_exit_2_and_change_nothing(books, capsys, args, words):
    url, (poe, _) = books
    code, _, err = run(capsys, "--db", url, "plan", poe, *args)
    assert code == 2
    assert words in err.splitlines()[-1] and err.splitlines()[-1].startswith("billing-tui: ")
    assert plans(url) == []
