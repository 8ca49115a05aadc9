"""Posting to the append-only ledger: entries, reversals, refusals, and the caches that follow."""

from __future__ import annotations

import datetime as dt

import peewee
import pytest
from store_builders import TODAY

from billing_tui.store import StoreRefused
from billing_tui.store.models import LedgerEntry, Payment, PaymentBatch, ServiceLine
from billing_tui.store.records import EntryDraft

DOS = dt.date(2026, 9, 1)


def test_each_kind_moves_the_balances(practice, store):
    pid = practice.patient()
    practice.coverage(pid)
    entries = [
        ("charge", 20_000, 0),
        ("payment", -12_000, 0),  # the payer paid
        ("adjustment", -3_000, 0),  # CO-45 contractual write-off
        ("transfer", -5_000, 5_000),  # PR-2 coinsurance: now the patient's
        ("payment", 0, -2_000),  # the patient paid part
        ("late_fee", 0, 500),
        ("adjustment", 0, -500),  # the late fee waived
        ("payment", 0, -4_000),  # overpaid: a credit
        ("refund", 0, 1_000),
    ]
    for kind, insurance, patient in entries:
        practice.post(pid, kind, insurance, patient)
    ledger = store.accounts.get(pid).ledger
    assert [(e.kind, e.insurance_delta, e.patient_delta) for e in ledger] == entries
    running = [(e.insurance_balance, e.patient_balance) for e in ledger]
    assert running[0] == (20_000, 0)
    assert running[3] == (0, 5_000)
    assert running[-1] == (0, 0)
    assert running[-2] == (0, -1_000)
    assert all(e.effective_date == TODAY for e in ledger)  # no date given: today
    assert store.ledger.balances(pid) == (0, 0)
    view = store.accounts.get(pid)
    assert (view.insurance_balance, view.patient_balance) == (0, 0)
    assert store.verify().ok


def test_entries_keep_their_codes_and_memo(practice, store):
    pid = practice.patient()
    claim_id = practice.billed_claim(pid, 10_000)
    line_id = ServiceLine.get(ServiceLine.claim == claim_id).id
    practice.post(
        pid,
        "adjustment",
        patient=-1_234,
        claim_id=claim_id,
        service_line_id=line_id,
        group_code="CO",
        reason_code="45",
        remark_codes="N130",
        memo="over fee schedule",
        effective_date=DOS,
    )
    line = store.accounts.get(pid).ledger[-1]
    assert (line.description, line.claim_number, line.effective_date) == (
        "CO-45 over fee schedule",
        "10000001-1",
        DOS,
    )
    assert LedgerEntry.get_by_id(line.id).remark_codes == "N130"
    assert LedgerEntry.get_by_id(line.id).user.username == "tester"


def test_a_reversal_is_the_exact_negative_and_links_both_ways(practice, store):
    pid = practice.patient()
    claim_id = practice.billed_claim(pid, 10_000, coverage_id=practice.coverage(pid))
    payment = practice.post(pid, "payment", insurance=-8_000, claim_id=claim_id, group_code="PI")
    assert store.accounts.get(pid).claims[0].insurance_balance == 2_000
    reversal = store.ledger.reverse(payment, "  posted to the wrong claim  ")
    by_id = {e.id: e for e in store.accounts.get(pid).ledger}
    assert (by_id[reversal].insurance_delta, by_id[reversal].patient_delta) == (8_000, 0)
    assert (by_id[reversal].kind, by_id[reversal].claim_number) == ("payment", "10000001-1")
    assert by_id[reversal].reverses == payment and by_id[payment].reversed_by == reversal
    assert by_id[reversal].description == "Reversal: posted to the wrong claim"
    assert by_id[reversal].effective_date == TODAY
    assert store.accounts.get(pid).claims[0].insurance_balance == 10_000
    assert store.ledger.balances(pid) == (10_000, 0)
    assert store.verify().ok


def test_an_entry_is_reversed_at_most_once(practice, store):
    pid = practice.patient()
    charge = practice.post(pid, "charge", patient=5_000)
    reversal = store.ledger.reverse(charge, "duplicate")
    with pytest.raises(StoreRefused, match="already reversed"):
        store.ledger.reverse(charge, "again")
    with pytest.raises(StoreRefused, match="cannot itself be reversed"):
        store.ledger.reverse(reversal, "undo the undo")
    assert store.ledger.balances(pid) == (0, 0)
    assert len(store.accounts.get(pid).ledger) == 2


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reversal_needs_a_reason(practice, store, reason):
    pid = practice.patient()
    charge = practice.post(pid, "charge", patient=5_000)
    with pytest.raises(StoreRefused, match="needs a reason"):
        store.ledger.reverse(charge, reason)
    assert store.ledger.balances(pid) == (0, 5_000)


def test_reversing_an_unknown_entry_is_refused(store):
    with pytest.raises(StoreRefused, match="no ledger entry 77"):
        store.ledger.reverse(77, "typo")


def _bad_drafts(practice) -> tuple[int, dict[str, tuple[EntryDraft, str]]]:
    """An account with a billed claim, and one refused entry of each sort for it."""
    store = practice.store
    pid = practice.patient()
    other = practice.patient("Roe", "Rick")
    claim_id = practice.billed_claim(pid, 10_000)
    others_claim = practice.billed_claim(other, 5_000)
    others_line = ServiceLine.get(ServiceLine.claim == others_claim).id
    assert store.ledger.balances(pid) == (0, 10_000)

    def draft(**fields) -> EntryDraft:
        return EntryDraft(**{"patient_id": pid, "kind": "payment", "patient_delta": -100, **fields})

    return pid, {
        "nothing moves": (draft(patient_delta=0), "must move money"),
        "payment raises": (draft(patient_delta=100), "can only lower"),
        "charge lowers": (draft(kind="charge", insurance_delta=-5), "can only raise"),
        "claim charge by hand": (
            draft(kind="charge", patient_delta=100, claim_id=claim_id),
            "posted by billing the claim",
        ),
        "uneven transfer": (
            draft(kind="transfer", insurance_delta=-100, patient_delta=99),
            "must cancel",
        ),
        "unknown kind": (draft(kind="gift"), "gift"),
        "unknown account": (draft(patient_id=other + 1_000), "no account"),
        "another's claim": (draft(claim_id=others_claim), "another account"),
        "another claim's line": (
            draft(claim_id=claim_id, service_line_id=others_line),
            "another claim",
        ),
        "line without claim": (draft(service_line_id=others_line), "another claim"),
        "unknown payment": (draft(payment_id=999), "no payment 999"),
        "unknown batch": (draft(batch_id=999), "no batch 999"),
    }


@pytest.mark.parametrize(
    "bad",
    [
        "nothing moves",
        "payment raises",
        "charge lowers",
        "claim charge by hand",
        "uneven transfer",
        "unknown kind",
        "unknown account",
        "another's claim",
        "another claim's line",
        "line without claim",
        "unknown payment",
        "unknown batch",
    ],
)
def test_a_batch_with_one_bad_entry_posts_none_of_them(practice, store, bad):
    pid, drafts = _bad_drafts(practice)
    bad_draft, message = drafts[bad]
    entries_before = LedgerEntry.select().count()
    summary_before = store.queue.page().rows
    good = [
        EntryDraft(pid, "payment", patient_delta=-2_000),
        EntryDraft(pid, "transfer", insurance_delta=500, patient_delta=-500),
    ]
    with pytest.raises(StoreRefused, match=message):
        store.ledger.post([*good, bad_draft, good[0]])
    assert LedgerEntry.select().count() == entries_before
    assert store.ledger.balances(pid) == (0, 10_000)
    assert store.queue.page().rows == summary_before
    assert store.verify().ok
    assert len(store.ledger.post(good)) == 2  # the good ones alone go in


def test_posting_nothing_is_a_no_op(store):
    assert store.ledger.post([]) == []


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_entry SET patient_delta = 1 WHERE id = ?",
        "UPDATE ledger_entry SET memo = 'edited' WHERE id = ?",
        "DELETE FROM ledger_entry WHERE id = ?",
        "DELETE FROM ledger_entry WHERE id >= ?",
    ],
)
def test_the_database_refuses_to_edit_or_delete_an_entry(practice, store, sql):
    pid = practice.patient()
    entry = practice.post(pid, "charge", patient=5_000, memo="office visit")
    with pytest.raises(peewee.DatabaseError, match="append-only"):
        with store.db.atomic():
            store.db.execute_sql(sql.replace("?", store.db.param), (entry,))
    row = LedgerEntry.get_by_id(entry)
    assert (row.patient_delta, row.memo) == (5_000, "office visit")
    assert store.ledger.balances(pid) == (0, 5_000)
    # The connection is still good for the next posting.
    practice.post(pid, "payment", patient=-1_000)
    assert store.ledger.balances(pid) == (0, 4_000)


def test_account_summary_and_claim_caches_follow_postings(practice, store):
    pid = practice.patient()
    coverage = practice.coverage(pid)
    old = practice.billed_claim(
        pid, 10_000, coverage_id=coverage, dos=TODAY - dt.timedelta(days=100)
    )
    new = practice.billed_claim(pid, 5_000, coverage_id=coverage, dos=TODAY - dt.timedelta(days=10))
    row = store.queue.page().rows[0]
    assert (row.insurance_balance, row.patient_balance, row.oldest_open_dos, row.age_bucket) == (
        15_000,
        0,
        TODAY - dt.timedelta(days=100),
        "91-120",
    )
    assert row.last_payment_date is None
    paid = practice.post(
        pid, "payment", insurance=-10_000, claim_id=old, effective_date=TODAY - dt.timedelta(days=3)
    )
    row = store.queue.page().rows[0]
    # The old claim is paid off: the oldest open charge is now the new claim's.
    assert (row.insurance_balance, row.oldest_open_dos, row.age_bucket) == (
        5_000,
        TODAY - dt.timedelta(days=10),
        "0-30",
    )
    assert row.last_payment_date == TODAY - dt.timedelta(days=3)
    claims = {c.id: c for c in store.accounts.get(pid).claims}
    assert (claims[old].insurance_balance, claims[new].insurance_balance) == (0, 5_000)
    practice.post(pid, "transfer", insurance=-5_000, patient=5_000, claim_id=new)
    row = store.queue.page().rows[0]
    assert (row.insurance_balance, row.patient_balance) == (0, 5_000)
    assert store.accounts.get(pid).claims[0].patient_balance == 5_000
    store.ledger.reverse(paid, "check bounced")
    row = store.queue.page().rows[0]
    assert (row.insurance_balance, row.oldest_open_dos) == (10_000, TODAY - dt.timedelta(days=100))
    assert row.last_payment_date is None  # a reversed payment is no payment
    assert store.verify().ok


def test_payments_and_batches_link_entries(practice, store):
    pid = practice.patient()
    practice.post(pid, "charge", patient=5_000)
    with store.db.atomic():
        batch = PaymentBatch.create(kind="patient", deposit_date=TODAY, control_total_cents=3_000)
        payment = Payment.create(
            batch=batch,
            patient=pid,
            method="card",
            amount_cents=3_000,
            received_date=TODAY,
            card_brand="VISA",
            card_last4="1111",
            auth_code="A1B2C3",
        )
        PaymentBatch.update(posted_total_cents=3_000).where(PaymentBatch.id == batch.id).execute()
    practice.post(pid, "payment", patient=-3_000, payment_id=payment.id, batch_id=batch.id)
    assert store.ledger.balances(pid) == (0, 2_000)
    report = store.verify()
    assert report.ok
    assert report.counted["batches"] == 1 and report.counted["payments"] == 1
