"""`billing-tui report`: claims, denials and batches as JSON, CSV and a table, every amount exact."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from era_builders import submit
from peewee import fn
from store_builders import TODAY, build_practice

from billing_tui.cli import main
from billing_tui.domain.ledger import EntryKind
from billing_tui.store import Store
from billing_tui.store.models import AccountSummary, PaymentBatch, RemittanceImport, WorkItem
from billing_tui.store.records import EntryDraft

CLAIM_KEYS = "claim,status,account,payer,dos,charge,paid,patient_paid,adjusted,patient_resp,balance"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def noon(day: dt.date) -> dt.datetime:
    """A UTC stamp whose local date is `day` in every timezone from UTC-11 to UTC+11."""
    return dt.datetime.combine(day, dt.time(12, 0))


@pytest.fixture
def books(db_url):
    """Three claims and what happened to them, closed again so the CLI opens it afresh.

    Billed to Medicare, 1,234.50: the payer pays 800.00 from a check batch and
    writes off 300.00 (CO-45), the rest (134.50) moves to the patient (PR-1), who
    pays 100.00; a patient payment of 20.00 posted by mistake is reversed.
    Self-pay, 50.00: the patient pays 53.00 (a 3.00 credit). A draft: nothing posted.
    """
    store = Store.open(db_url, username="tester", today=lambda: TODAY)
    practice = build_practice(store)
    medicare = practice.payers["Medicare Part B"]
    ana = practice.patient("Nunez", "Ana")
    billed = practice.claim(
        ana, 100_000, 23_450, coverage_id=practice.coverage(ana), dos=dt.date(2026, 10, 1)
    )
    submit(practice, billed)
    sean = practice.patient("OBrien", "Sean")
    self_pay = practice.claim(sean, 5_000, dos=dt.date(2026, 10, 2))
    submit(practice, self_pay)
    practice.claim(sean, 7_500, dos=dt.date(2026, 10, 3))  # a draft: no ledger entries
    with store.db.atomic():
        check = PaymentBatch.create(
            kind="insurance", payer=medicare, method="check", check_number="CHK100",
            deposit_date=dt.date(2026, 11, 2), control_total_cents=100_000,
            posted_total_cents=80_000,
        )  # fmt: skip
        remittance = RemittanceImport.create(
            payer=medicare, payer_identifier="1999999999", trace_number="EFT77",
            payment_cents=5_000, file_name="pay.835", file_digest="0" * 64,
        )  # fmt: skip
        PaymentBatch.create(
            kind="insurance", payer=medicare, method="eft", check_number="EFT77",
            deposit_date=dt.date(2026, 11, 3), control_total_cents=5_000,
            posted_total_cents=5_000, status="closed", remittance=remittance,
        )  # fmt: skip
        PaymentBatch.create(
            kind="patient", method="cash", deposit_date=dt.date(2026, 11, 4),
            control_total_cents=1_000, posted_total_cents=1_300,
        )  # fmt: skip

    def entry(patient: int, claim: int, kind: EntryKind, insurance=0, patient_delta=0, **more):
        return EntryDraft(patient, kind.value, insurance, patient_delta, claim_id=claim, **more)

    store.ledger.post(
        [
            entry(ana, billed, EntryKind.PAYMENT, -80_000, batch_id=check.id),
            entry(ana, billed, EntryKind.ADJUSTMENT, -30_000, group_code="CO", reason_code="45",
                  batch_id=check.id),
            entry(ana, billed, EntryKind.TRANSFER, -13_450, 13_450, group_code="PR",
                  reason_code="1", batch_id=check.id),
            entry(ana, billed, EntryKind.PAYMENT, 0, -10_000),
            entry(sean, self_pay, EntryKind.PAYMENT, 0, -5_300),
        ]
    )  # fmt: skip
    (mistake,) = store.ledger.post([entry(ana, billed, EntryKind.PAYMENT, 0, -2_000)])
    store.ledger.reverse(mistake, "posted to the wrong account")
    store.close()
    return db_url, billed, ana


def test_claims_as_json_carry_every_amount(books, capsys):
    db, *_ = books
    code, out, err = run(capsys, "--db", db, "report", "claims", "--format", "json")
    assert (code, err) == (0, "")
    assert json.loads(out) == [
        {
            "claim": "10000001-1",
            "status": "submitted",
            "account": "10000001",
            "payer": "Medicare Part B",
            "dos": "2026-10-01",
            "charge": "1234.50",
            "paid": "800.00",
            "patient_paid": "100.00",  # the reversed 20.00 nets out
            "adjusted": "300.00",
            "patient_resp": "134.50",
            "balance": "34.50",
        },
        {
            "claim": "10000002-1",
            "status": "submitted",
            "account": "10000002",
            "payer": "",
            "dos": "2026-10-02",
            "charge": "50.00",
            "paid": "0.00",
            "patient_paid": "53.00",
            "adjusted": "0.00",
            "patient_resp": "0.00",
            "balance": "-3.00",
        },
        {
            "claim": "10000002-2",
            "status": "draft",
            "account": "10000002",
            "payer": "",
            "dos": "2026-10-03",
            "charge": "75.00",
            "paid": "0.00",
            "patient_paid": "0.00",
            "adjusted": "0.00",
            "patient_resp": "0.00",
            "balance": "0.00",
        },
    ]


def test_claims_as_csv_and_as_a_table_with_totals(books, capsys):
    db, *_ = books
    code, out, _ = run(capsys, "--db", db, "report", "claims", "--format", "csv")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == CLAIM_KEYS
    assert lines[1] == (
        "10000001-1,submitted,10000001,Medicare Part B,2026-10-01,"
        "1234.50,800.00,100.00,300.00,134.50,34.50"
    )
    assert len(lines) == 4

    code, out, _ = run(capsys, "--db", db, "report", "claims")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == [
        "Claim", "Status", "Account", "Payer", "DOS", "Charge", "Paid", "Pat", "paid",
        "Adjusted", "Pat", "resp", "Balance",
    ]  # fmt: skip
    assert "1,234.50" in lines[2] and lines[2].endswith("34.50")
    assert lines[-1].split() == [
        "Total", "(3", "claims)", "1,359.50", "800.00", "153.00", "300.00", "134.50", "31.50"
    ]  # fmt: skip
    # Amounts are right-aligned: each ends where its heading ends.
    assert lines[0].index("Balance") + len("Balance") == len(lines[2]) == len(lines[-1])


def test_denials(books, capsys):
    db, claim, patient = books
    today = dt.date.today()  # the CLI's store counts ages to the real today
    store = Store.open(db, username="tester")
    with store.db.atomic():
        WorkItem.create(
            kind="denial", claim=claim, patient=patient, reason="CO-197",
            opened_at=noon(dt.date(2026, 10, 1)), closed_at=noon(dt.date(2026, 10, 6)),
            resolution="authorization on file; resubmitted",
        )  # fmt: skip
        WorkItem.create(
            kind="denial", claim=claim, patient=patient, reason="CO-16 OA-A7 N290",
            opened_at=noon(today - dt.timedelta(days=10)),
        )  # fmt: skip
        WorkItem.create(kind="exception", reason="no claim 999-9", opened_at=noon(today))
    store.close()

    denied = (today - dt.timedelta(days=10)).isoformat()
    code, out, err = run(capsys, "--db", db, "report", "denial-list", "--format", "json")
    assert (code, err) == (0, "")
    common = {
        "claim": "10000001-1",
        "account": "10000001",
        "payer": "Medicare Part B",
        "dos": "2026-10-01",
        "charge": "1234.50",
    }
    assert json.loads(out) == [
        {
            **common,
            "reasons": "CO-197",
            "denied": "2026-10-01",
            "age_days": 5,  # to the day it was closed
            "status": "closed",
            "resolution": "authorization on file; resubmitted",
        },
        {
            **common,
            "reasons": "CO-16 OA-A7 N290",
            "denied": denied,
            "age_days": 10,
            "status": "open",
            "resolution": "",
        },
    ]
    code, out, _ = run(capsys, "--db", db, "report", "denial-list", "--format", "csv")
    assert out.splitlines()[0] == (
        "claim,account,payer,dos,charge,reasons,denied,age_days,status,resolution"
    )
    assert out.splitlines()[2].endswith(f",CO-16 OA-A7 N290,{denied},10,open,")
    code, out, _ = run(capsys, "--db", db, "report", "denial-list")
    assert out.splitlines()[-1].split() == ["Total", "(2", "denials)", "2,469.00"]


def test_denial_ages_count_to_the_stores_today(books):
    db, claim, patient = books
    store = Store.open(db, username="tester", today=lambda: TODAY)
    try:
        with store.db.atomic():
            WorkItem.create(kind="denial", claim=claim, patient=patient, reason="CO-50",
                            opened_at=noon(dt.date(2026, 11, 1)))  # fmt: skip
        (row,) = store.reports.denials()
    finally:
        store.close()
    assert (row.denied_on, row.age_days, row.status) == (dt.date(2026, 11, 1), 23, "open")


def test_batches(books, capsys):
    db, *_ = books
    code, out, err = run(capsys, "--db", db, "report", "batches", "--format", "json")
    assert (code, err) == (0, "")
    assert json.loads(out) == [
        {
            "batch": 1, "kind": "insurance", "source": "manual", "payer": "Medicare Part B",
            "method": "check", "check": "CHK100", "deposit_date": "2026-11-02",
            "control": "1000.00", "posted": "800.00", "unapplied": "200.00", "status": "open",
            "claims": 1,
        },
        {
            "batch": 2, "kind": "insurance", "source": "era", "payer": "Medicare Part B",
            "method": "eft", "check": "EFT77", "deposit_date": "2026-11-03",
            "control": "50.00", "posted": "50.00", "unapplied": "0.00", "status": "closed",
            "claims": 0,
        },
        {
            "batch": 3, "kind": "patient", "source": "manual", "payer": "",
            "method": "cash", "check": "", "deposit_date": "2026-11-04",
            "control": "10.00", "posted": "13.00", "unapplied": "-3.00", "status": "open",
            "claims": 0,
        },
    ]  # fmt: skip
    code, out, _ = run(capsys, "--db", db, "report", "batches", "--format", "csv")
    assert out.splitlines()[0] == (
        "batch,kind,source,payer,method,check,deposit_date,control,posted,unapplied,status,claims"
    )
    assert out.splitlines()[3] == "3,patient,manual,,cash,,2026-11-04,10.00,13.00,-3.00,open,0"
    code, out, _ = run(capsys, "--db", db, "report", "batches")
    assert out.splitlines()[-1].split() == [
        "Total", "(3", "batches)", "1,060.00", "863.00", "197.00"
    ]  # fmt: skip


@pytest.mark.parametrize(
    "name",
    ["claims", "denial-list", "batches", "claim-status", "aging", "aging-patients", "denials",
     "timely-filing", "productivity"],
)  # fmt: skip
def test_an_empty_database(name, sqlite_url, capsys):
    opened = Store.open(sqlite_url, username="tester")  # nothing in the books but its user
    opened.session.user_id()
    opened.close()
    code, out, _ = run(capsys, "--db", sqlite_url, "report", name, "--format", "json")
    assert (code, json.loads(out)) == (0, [])
    code, out, _ = run(capsys, "--db", sqlite_url, "report", name, "--format", "csv")
    assert (
        code == 0
        and len(out.splitlines()) == 1
        and out.startswith(
            ("claim,", "batch,", "status,", "payer,", "by,", "user,", "account,", "section,")
        )
    )
    code, out, _ = run(capsys, "--db", sqlite_url, "report", name)
    lines = out.splitlines()
    assert code == 0 and len(lines) == 3
    assert lines[-1].startswith("Total (0 ")
    assert lines[-1].endswith("0.00") or name in ("productivity", "denials")  # no money total


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["report", "nosuch"], "argument NAME: invalid choice: 'nosuch'"),
        (["report", "claims", "--from", "13/45/26"], "argument --from"),
        (["report", "claims", "--from", "2026-11-05", "--to", "2026-11-01"], "is after --to"),
        (["report", "claims", "--format", "xml"], "argument --format: invalid choice: 'xml'"),
        (["report"], "the following arguments are required: NAME"),
    ],
)
def test_an_unknown_report_or_format_is_exit_2(argv, message, sqlite_url, capsys):
    code, out, err = run(capsys, "--db", sqlite_url, *argv)
    assert code == 2
    assert out == ""
    assert message in err and "Traceback" not in err


def test_aging_totals_every_account_balance_and_ages_by_date_of_service(books, capsys):
    db, _, _ = books
    code, out, err = run(capsys, "--db", db, "report", "aging", "--to", "2026-11-24", "--format",
                         "json")  # fmt: skip
    assert code == 0, err
    rows = json.loads(out)
    # Medicare's claim: 1,234.50 - 800.00 paid - 300.00 written off - 134.50 moved to the
    # patient leaves Medicare owing nothing: no line for it.
    assert [r["responsibility"] for r in rows] == ["patient"]
    patients = next(r for r in rows if r["responsibility"] == "patient")
    # Ana owes 134.50 - 100.00 = 34.50; Sean paid 53.00 on 50.00: -3.00; both 31-60 days.
    assert (patients["days_31_60"], patients["total"]) == ("31.50", "31.50")
    store = Store.open(db, username="tester")
    try:
        recomputed = store.verify().balance_total  # from the ledger, entry by entry
        summaries = AccountSummary.select(
            fn.SUM(AccountSummary.insurance_balance_cents + AccountSummary.patient_balance_cents)
        ).scalar()
    finally:
        store.close()
    grand = sum(int(round(float(r["total"]) * 100)) for r in rows)
    assert grand == recomputed == summaries == 3_150


def test_aging_to_an_earlier_day_moves_the_buckets(books, capsys):
    db, _, _ = books
    code, out, _ = run(capsys, "--db", db, "report", "aging", "--to", "2026-10-15", "--format",
                       "json")  # fmt: skip
    (patients,) = json.loads(out)
    # On 10/15 nothing was posted yet but the two claims billed 10/01 and 10/02: the
    # charges are 0-30 days old (the self-pay 50.00 with the patient; Medicare's not yet).
    assert code == 0 and patients["days_0_30"] == patients["total"]


def test_claim_status_counts_and_a_period_by_date_of_service(books, capsys):
    db, _, _ = books
    code, out, _ = run(capsys, "--db", db, "report", "claim-status", "--format", "json")
    statuses = {r["status"]: r for r in json.loads(out)}
    assert code == 0 and statuses["draft"]["claims"] == 1 and statuses["draft"]["charge"] == "75.00"
    assert sum(r["claims"] for r in statuses.values()) == 3
    code, out, _ = run(capsys, "--db", db, "report", "claim-status", "--from", "2026-10-02",
                       "--to", "2026-10-02", "--format", "json")  # fmt: skip
    assert [r["claims"] for r in json.loads(out)] == [1]
    code, out, _ = run(capsys, "--db", db, "report", "claims", "--from", "2026-12-01",
                       "--format", "json")  # fmt: skip
    assert (code, json.loads(out)) == (0, [])  # an empty period: an empty report


def test_a_report_as_pdf_reads_back(books, tmp_path, capsys):
    from pypdf import PdfReader

    db, _, _ = books
    out = tmp_path / "aging.pdf"
    code, text, err = run(capsys, "--db", db, "report", "aging", "--to", "2026-11-24",
                          "--format", "pdf", "--out", str(out))  # fmt: skip
    assert code == 0, err
    assert "aging: 1 rows" in text and out.exists()
    page = PdfReader(out).pages[0].extract_text()
    assert "aging" in page.lower() and "31.50" in page
    code, _, err = run(capsys, "--db", db, "report", "aging", "--format", "pdf")
    assert code == 2 and "--out" in err
    code, _, err = run(capsys, "--db", db, "report", "aging", "--format", "pdf", "--out",
                       str(tmp_path / "missing" / "a.pdf"))  # fmt: skip
    assert code == 2 and "not a directory" in err
    code, _, err = run(capsys, "--db", db, "report", "aging", "--out", str(out))
    assert code == 2 and "--out is for --format pdf" in err
