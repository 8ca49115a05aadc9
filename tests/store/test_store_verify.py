"""`verify` finds each kind of corruption, written behind the Store's back with raw SQL."""

from __future__ import annotations

from dataclasses import replace

import peewee
import pytest
from store_builders import TODAY, build_practice

from billing_tui.store import Store
from billing_tui.store.models import Patient, Payment, PaymentBatch, ServiceLine
from billing_tui.store.records import Violation
from billing_tui.store.verify import LISTED


@pytest.fixture(scope="module")
def built_books(module_db_url):
    """Two accounts with billed claims, payments, a transfer, a reversal and a balanced batch."""
    store = Store.open(module_db_url, username="tester", today=lambda: TODAY)
    try:
        practice = build_practice(store)
        first = practice.patient("Able", "Ann")
        second = practice.patient("Baker", "Bo")
        coverage = practice.coverage(first)
        first_claim = practice.billed_claim(first, 10_000, 5_000, coverage_id=coverage)
        second_claim = practice.billed_claim(second, 7_000)
        practice.post(first, "payment", insurance=-6_000, claim_id=first_claim)
        practice.post(first, "transfer", insurance=-1_000, patient=1_000, claim_id=first_claim)
        wrong = practice.post(second, "payment", patient=-700, claim_id=second_claim)
        store.ledger.reverse(wrong, "keyed 700 for 7000")
        with store.db.atomic():
            batch = PaymentBatch.create(
                kind="patient", deposit_date=TODAY, control_total_cents=7_000
            )
            payment = Payment.create(
                batch=batch, patient=second, method="check", amount_cents=7_000, received_date=TODAY
            )
            PaymentBatch.update(posted_total_cents=7_000).where(
                PaymentBatch.id == batch.id
            ).execute()
        practice.post(
            second, "payment", patient=-7_000, claim_id=second_claim, payment_id=payment.id
        )
    finally:
        store.close()
    ids = {
        "first": first,
        "second": second,
        "first_claim": first_claim,
        "second_claim": second_claim,
        "batch": batch.id,
        "payment": payment.id,
    }
    return module_db_url, ids, practice


@pytest.fixture
def store(built_books):
    """This module's store: the shared books, inside a transaction rolled back after the test.

    Each test corrupts the books its own way; the rollback undoes it for the next.
    """
    opened = Store.open(built_books[0], username="tester", today=lambda: TODAY)
    try:
        with opened.db.atomic() as transaction:
            assert opened.verify().ok  # the previous test's damage is gone
            yield opened
            transaction.rollback()
    finally:
        opened.close()


@pytest.fixture
def books(built_books, store) -> dict[str, int]:
    return built_books[1]


@pytest.fixture
def practice(built_books, store):
    return replace(built_books[2], store=store)


def raw(store, sql: str, *params) -> None:
    """SQL behind the Store's back; "?" stands for a parameter on either backend."""
    store.db.execute_sql(sql.replace("?", store.db.param), params)


def has(report, check: str, entity: str, entity_id: int | None, detail: str = "") -> bool:
    return any(
        (v.check, v.entity, v.entity_id) == (check, entity, entity_id) and detail in v.detail
        for v in report.violations
    )


def insert_entry(store, patient, kind, insurance, patient_delta, claim=None, reverses=None) -> int:
    """A ledger row written with raw SQL, as a buggy or hostile program might."""
    sql = (
        "INSERT INTO ledger_entry (patient_id, claim_id, kind, insurance_delta, patient_delta, "
        "effective_date, posted_at, reverses_id, group_code, reason_code, remark_codes, memo) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', '', '', 'raw') RETURNING id"
    )
    cursor = store.db.execute_sql(
        sql.replace("?", store.db.param),
        (patient, claim, kind, insurance, patient_delta, TODAY, TODAY, reverses),
    )
    return cursor.fetchone()[0]


def test_clean_books_verify(store, books):
    report = store.verify()
    assert report.ok and report.violations == () and report.truncated == 0
    assert report.counted["accounts"] == 2
    assert report.counted["claims"] == 2
    assert report.counted["batches"] == 1
    assert report.counted["payments"] == 1
    assert report.counted["reversals"] == 1
    assert report.counted["ledger entries"] == 8


def test_a_broken_cached_balance(store, books):
    raw(store, "UPDATE account_summary SET patient_balance_cents = patient_balance_cents + 1")
    report = store.verify()
    assert has(report, "cache", "account", books["first"], "patient_balance_cents: cached 1001")
    assert has(report, "cache", "account", books["second"], "patient_balance_cents")
    assert not report.ok


def test_a_broken_priority_key(store, books):
    raw(store, "UPDATE account_summary SET priority_key = 0")
    report = store.verify()
    assert has(report, "cache", "account", books["first"], "priority_key")


def test_a_claim_charge_that_is_not_the_sum_of_its_lines(store, books):
    raw(store, "UPDATE claim SET charge_cents = 14999 WHERE id = ?", books["first_claim"])
    report = store.verify()
    assert has(report, "charge", "claim", books["first_claim"], "14999 != sum of its lines 15000")
    assert not has(report, "charge", "claim", books["second_claim"])


def test_a_service_line_changed_under_its_claim(store, books):
    line = ServiceLine.get(ServiceLine.claim == books["second_claim"]).id
    raw(store, "UPDATE service_line SET charge_cents = 7001 WHERE id = ?", line)
    report = store.verify()
    assert has(report, "charge", "claim", books["second_claim"], "7000 != sum of its lines 7001")


def test_a_broken_claim_balance(store, books):
    raw(store, "UPDATE claim SET insurance_balance_cents = 0 WHERE id = ?", books["first_claim"])
    report = store.verify()
    assert has(report, "cache", "claim", books["first_claim"], "recomputed 8000/1000")


def test_a_batch_total_that_is_not_the_sum_of_its_payments(store, books):
    raw(store, "UPDATE payment SET amount_cents = 6999 WHERE id = ?", books["payment"])
    report = store.verify()
    assert has(report, "total", "batch", books["batch"], "batch total 7000 != sum of payments 6999")
    assert has(
        report, "payment", "payment", books["payment"], "applied 7000 exceeds the amount 6999"
    )


def test_a_broken_batch_total(store, books):
    raw(store, "UPDATE payment_batch SET posted_total_cents = 700 WHERE id = ?", books["batch"])
    report = store.verify()
    assert report.violations == (
        Violation("total", "batch", books["batch"], "batch total 700 != sum of payments 7000"),
    )


def test_a_missing_summary_row(store, books):
    raw(store, "DELETE FROM account_summary WHERE patient_id = ?", books["second"])
    report = store.verify()
    assert report.violations == (
        Violation("cache", "account", books["second"], "account has no summary row"),
    )


def test_an_entry_on_another_patients_claim(store, books):
    entry = insert_entry(store, books["first"], "charge", 0, 500, claim=books["second_claim"])
    report = store.verify()
    assert has(report, "orphan", "ledger_entry", entry, "belongs to another account")
    # The raw row also left the caches behind.
    assert has(report, "cache", "account", books["first"], "patient_balance_cents")


def test_an_entry_that_does_not_fit_its_kind(store, books):
    entry = insert_entry(store, books["first"], "payment", 0, 500)
    report = store.verify()
    assert has(report, "kind", "ledger_entry", entry, "can only lower")


def test_a_reversal_that_is_not_the_exact_negative(store, books):
    charge = insert_entry(store, books["first"], "charge", 0, 500)
    reversal = insert_entry(store, books["first"], "charge", 0, -400, reverses=charge)
    report = store.verify()
    assert has(report, "reversal", "ledger_entry", reversal, f"exact negative of entry {charge}")


def test_a_reversal_of_a_reversal(store, books):
    charge = insert_entry(store, books["first"], "charge", 0, 500)
    reversal = insert_entry(store, books["first"], "charge", 0, -500, reverses=charge)
    again = insert_entry(store, books["first"], "charge", 0, 500, reverses=reversal)
    report = store.verify()
    assert has(report, "reversal", "ledger_entry", again, "reverses a reversal")
    assert not has(report, "reversal", "ledger_entry", reversal)


def test_charges_on_a_draft_claim(practice, store, books):
    draft = practice.claim(books["first"], 2_000)
    insert_entry(store, books["first"], "charge", 2_000, 0, claim=draft)
    report = store.verify()
    assert has(
        report, "charges", "claim", draft, "draft claim: 2000 in charges on the ledger, expected 0"
    )


def test_the_database_refuses_an_orphan_entry(store, books):
    with pytest.raises(peewee.IntegrityError):
        with store.db.atomic():
            insert_entry(store, books["second"] + 1_000, "charge", 0, 500)
    assert store.verify().ok


def test_many_violations_are_counted_beyond_those_listed(store, books):
    with store.db.atomic():
        Patient.insert_many(
            [
                {
                    "account_number": f"X{n}",
                    "first_name": "Bulk",
                    "last_name": "Row",
                    "dob": TODAY,
                    "sex": "U",
                    "address1": "",
                    "city": "",
                    "state": "",
                    "zip": "",
                    "search_last": "row",
                    "search_first": "bulk",
                }
                for n in range(LISTED + 25)
            ]
        ).execute()
    report = store.verify()
    assert len(report.violations) == LISTED
    assert report.truncated == 25
    assert report.counted["accounts violations"] == LISTED + 25
    assert {v.detail for v in report.violations} == {"account has no summary row"}
