"""Posting by hand: batches and control totals, paper EOBs, patient payments, reversals,
refunds and credits, and resolving an ERA exception; `verify` after each."""

from __future__ import annotations

import datetime as dt

import pytest
from era_builders import Clp, Svc, claim_lines, claim_number, era_835, submit

from billing_tui.store import StoreRefused
from billing_tui.store.models import Claim, LedgerEntry, Payment
from billing_tui.store.records import (
    BatchDraft,
    EobPosting,
    LinePosting,
    PatientPaymentDraft,
)

DOS = dt.date(2026, 10, 1)
TODAY = dt.date(2026, 11, 24)


@pytest.fixture
def billed(practice):
    patient = practice.patient("Doe", "Jane")
    coverage = practice.coverage(patient, member_id="MBR123")
    claim_id = practice.claim(patient, 10_000, 6_000, 4_000, dos=DOS, coverage_id=coverage)
    submit(practice, claim_id)
    return claim_id


def insurance_batch(practice, control: int, check: str = "CHK100") -> int:
    draft = BatchDraft("insurance", TODAY, control, practice.payers["Medicare Part B"], "check",
                       check)  # fmt: skip
    return practice.store.posting.open_batch(draft)


def eob(claim_id: int, *paid_and_adjustments) -> EobPosting:
    lines = claim_lines(claim_id)
    return EobPosting(
        claim_id,
        tuple(LinePosting(line.id, paid, tuple(adjustments))
              for line, (paid, adjustments) in zip(lines, paid_and_adjustments, strict=True)),
    )  # fmt: skip


def test_a_paper_eob_posts_line_by_line_and_the_batch_closes_when_it_balances(practice, billed):
    posting = practice.store.posting
    batch = insurance_batch(practice, 15_000)
    payment = posting.post_eob(batch, eob(
        billed,
        (7_000, [("CO", "45", 2_000), ("PR", "1", 1_000)]),
        (4_800, [("CO", "45", 1_200)]),
        (3_200, [("CO", "45", 800)]),
    ))  # fmt: skip
    claim = Claim.get_by_id(billed)
    assert claim.status == "paid"
    assert (claim.insurance_balance_cents, claim.patient_balance_cents) == (0, 1_000)
    view = posting.batch(batch)
    assert (view.posted, view.unapplied, view.payments) == (15_000, 0, 1)
    assert Payment.get_by_id(payment).amount_cents == 15_000
    posting.close_batch(batch)
    assert posting.batch(batch).status == "closed"
    with pytest.raises(StoreRefused, match="is closed"):
        posting.post_eob(
            batch, eob(billed, (1, []), (0, [("CO", "45", 1)]), (0, [("CO", "45", 1)]))
        )
    assert practice.store.verify().ok


def test_a_batch_that_does_not_balance_says_by_how_much(practice, billed):
    posting = practice.store.posting
    batch = insurance_batch(practice, 20_000)
    posting.post_eob(batch, eob(billed, (8_000, [("CO", "45", 2_000)]), (0, []), (0, [])))
    with pytest.raises(
        StoreRefused, match=r"does not balance: 120.00 unapplied \(posted 80.00 of 200.00\)"
    ):
        posting.close_batch(batch)
    view = posting.batch(batch)
    posting.set_control_total(batch, 8_000, expected_version=view.version)
    posting.close_batch(batch)
    assert Claim.get_by_id(billed).status == "partial"
    assert practice.store.verify().ok


def test_a_denial_by_hand_posts_no_money_and_queues_the_claim(practice, billed):
    posting = practice.store.posting
    batch = insurance_batch(practice, 0)
    assert posting.post_eob(batch, EobPosting(billed, denied=True,
                                               denial_reasons=("CO-16", "N290"))) is None  # fmt: skip
    claim = Claim.get_by_id(billed)
    assert (claim.status, claim.insurance_balance_cents) == ("denied", 20_000)
    (item,) = posting.worklist("denial")
    assert item.reason == "CO-16 N290" and item.claim_id == billed
    with pytest.raises(StoreRefused, match="reason codes"):
        posting.post_eob(batch, EobPosting(billed, denied=True))
    posting.close_work_item(item.id, "appealed with the referral")
    assert posting.worklist("denial") == []
    assert practice.store.verify().ok


def test_bad_eobs_change_nothing(practice, billed):
    posting = practice.store.posting
    batch = insurance_batch(practice, 100)
    other_patient = practice.patient("Roe", "Rick")
    other = practice.claim(other_patient, 5_000, dos=DOS)
    submit(practice, other)
    before = LedgerEntry.select().count()
    cases = [
        (EobPosting(billed, (LinePosting(claim_lines(other)[0].id, 100),)), "not a line of claim"),
        (eob(billed, (-100, []), (0, []), (0, [])), "negative payment"),
        (EobPosting(billed), "nothing to post"),
        (eob(billed, (100, [("XX", "45", 5)]), (0, []), (0, [])), "not an adjustment group"),
    ]
    for posting_, message in cases:
        with pytest.raises(StoreRefused, match=message):
            posting.post_eob(batch, posting_)
    draft = practice.claim(other_patient, 5_000, dos=DOS)
    with pytest.raises(StoreRefused, match="is draft"):
        posting.post_eob(batch, EobPosting(draft, (LinePosting(claim_lines(draft)[0].id, 100),)))
    assert LedgerEntry.select().count() == before
    with pytest.raises(StoreRefused, match="needs its payer"):
        posting.open_batch(BatchDraft("insurance", TODAY, 100, None, "check", "1"))
    with pytest.raises(StoreRefused, match="check or EFT trace number"):
        posting.open_batch(BatchDraft("insurance", TODAY, 100, practice.payers["Medicare Part B"]))
    with pytest.raises(StoreRefused, match="cannot be negative"):
        posting.open_batch(BatchDraft("patient", TODAY, -1))


# --------------------------------------------------------------------------- patient payments


@pytest.fixture
def owing(practice):
    """Two visits the patient owes on: 30.00 (older) and 50.00 (newer)."""
    patient = practice.patient("Poe", "Pat")
    older = practice.claim(patient, 3_000, dos=dt.date(2026, 8, 1))
    newer = practice.claim(patient, 5_000, dos=dt.date(2026, 9, 1))
    submit(practice, older)
    submit(practice, newer)
    return patient, older, newer


def pay(store, patient, amount, batch=None, **fields) -> int:
    draft = PatientPaymentDraft(patient, amount, fields.pop("method", "cash"), TODAY, **fields)
    return store.posting.post_patient_payment(batch, draft)


def test_a_patient_payment_goes_to_the_oldest_balance_first(practice, owing):
    store = practice.store
    patient, older, newer = owing
    batch = store.posting.open_batch(BatchDraft("patient", TODAY, 4_000))
    payment = store.posting.post_patient_payment(
        batch,
        PatientPaymentDraft(
            patient, 4_000, "card", TODAY, card_brand="Visa", card_last4="1111", auth_code="ab12cd"
        ),  # fmt: skip
    )
    assert Claim.get_by_id(older).patient_balance_cents == 0
    assert Claim.get_by_id(newer).patient_balance_cents == 4_000
    record = store.posting.payment(payment)
    assert [(a.claim_id, a.amount) for a in record.applied] == [(older, 3_000), (newer, 1_000)]
    assert (record.card_last4, record.auth_code) == ("1111", "AB12CD")
    assert store.posting.batch(batch).unapplied == 0
    assert store.verify().ok


def test_a_payment_to_a_chosen_visit_and_an_overpayment_becomes_a_credit(practice, owing):
    store = practice.store
    patient, older, newer = owing
    payment = pay(store, patient, 6_000, method="check", check_number="2041", claim_ids=(newer,))
    assert Claim.get_by_id(newer).patient_balance_cents == 0
    assert Claim.get_by_id(older).patient_balance_cents == 3_000
    assert store.posting.credit(patient) == 1_000
    applied = store.posting.payment(payment).applied
    assert [(a.claim_id, a.amount) for a in applied] == [(newer, 5_000), (None, 1_000)]
    assert store.verify().ok


def test_bad_patient_payments_are_refused(practice, owing):
    store = practice.store
    patient, *_ = owing
    before = LedgerEntry.select().count()
    for fields, message in [
        ({"amount": 0}, "more than 0.00"),
        ({"method": "barter"}, "cash, check or card"),
        ({"method": "check"}, "check number"),
        ({"method": "card", "card_last4": "11"}, "last 4 digits"),
        ({"method": "card", "card_last4": "1111"}, "authorization code"),
    ]:
        amount = fields.pop("amount", 1_000)
        with pytest.raises(StoreRefused, match=message):
            pay(store, patient, amount, **fields)
    assert LedgerEntry.select().count() == before


def test_reversing_a_patient_payment_undoes_every_entry(practice, owing):
    store = practice.store
    patient, older, newer = owing
    batch = store.posting.open_batch(BatchDraft("patient", TODAY, 9_000))
    payment = pay(store, patient, 9_000, batch=batch)
    store.posting.close_batch(batch)
    with pytest.raises(StoreRefused, match="needs a reason"):
        store.posting.reverse_payment(payment, " ")
    reversal = store.posting.reverse_payment(payment, "check bounced")
    assert Claim.get_by_id(older).patient_balance_cents == 3_000
    assert Claim.get_by_id(newer).patient_balance_cents == 5_000
    assert store.posting.credit(patient) == 0
    record = store.posting.payment(payment)
    assert record.reversed_by == reversal
    assert Payment.get_by_id(reversal).amount_cents == -9_000
    view = store.posting.batch(batch)
    assert (view.status, view.unapplied) == ("open", 9_000)  # reopened: the money is unapplied
    with pytest.raises(StoreRefused, match="already reversed"):
        store.posting.reverse_payment(payment, "again")
    assert store.verify().ok


def test_reversing_an_insurance_payment_reopens_the_claim(practice, billed):
    store = practice.store
    batch = insurance_batch(practice, 10_000)
    payment = store.posting.post_eob(batch, eob(
        billed, (8_000, [("CO", "45", 2_000)]), (2_000, [("CO", "45", 4_000)]),
        (0, [("CO", "45", 4_000)]),
    ))  # fmt: skip
    assert Claim.get_by_id(billed).status == "paid"
    store.posting.reverse_payment(payment, "posted to the wrong claim")
    claim = Claim.get_by_id(billed)
    assert (claim.status, claim.insurance_balance_cents) == ("accepted", 20_000)
    assert store.verify().ok


def test_a_credit_is_refunded_or_moved_to_another_visit(practice, owing):
    store = practice.store
    patient, older, newer = owing
    pay(store, patient, 12_000, claim_ids=(older,))  # 90.00 left over
    assert store.posting.credit(patient) == 9_000
    store.posting.move_credit(patient, newer, 5_000, "patient asked")
    assert Claim.get_by_id(newer).patient_balance_cents == 0
    assert store.posting.credit(patient) == 4_000
    with pytest.raises(StoreRefused, match="credit is 40.00"):
        store.posting.refund_credit(patient, 5_000, method="check", reason="refund")
    store.posting.refund_credit(patient, 4_000, method="check", reason="overpaid",
                                check_number="5001")  # fmt: skip
    assert store.posting.credit(patient) == 0
    refund = LedgerEntry.get(LedgerEntry.kind == "refund")
    assert refund.patient_delta == 4_000 and "check 5001" in refund.memo
    assert store.verify().ok


# --------------------------------------------------------------------------- ERA exceptions


def test_an_unmatched_era_claim_is_posted_by_hand_to_the_claim_a_person_chose(practice, billed):
    store = practice.store
    lines = claim_lines(billed)
    clp = Clp("OLD-NUMBER-7", "1", 20_000, 16_000, [
        Svc(line.code, line.charge_cents, line.charge_cents * 8 // 10,
            [("CO", "45", line.charge_cents // 5)], date=DOS)
        for line in lines
    ], patient=("SOMEONE", "ELSE", "Z9"))  # fmt: skip
    (payment,) = store.remittances.import_bytes(era_835([clp]).encode(), "era.x12").payments
    assert payment.claims[0].outcome == "exception"
    assert store.posting.batch(payment.batch_id).unapplied == 16_000
    (item,) = store.posting.worklist("exception")
    assert "OLD-NUMBER-7" in store.remittances.era_claim(item.id)
    store.remittances.resolve_exception(item.id, billed)
    claim = Claim.get_by_id(billed)
    assert (claim.status, claim.insurance_balance_cents) == ("paid", 0)
    view = store.posting.batch(payment.batch_id)
    assert (view.unapplied, view.status) == (0, "closed")
    assert store.posting.worklist("exception") == []
    with pytest.raises(StoreRefused, match="already resolved"):
        store.remittances.resolve_exception(item.id, billed)
    assert (
        claim_number(billed)
        in store.posting.worklist("exception", include_closed=True)[0].resolution
    )
    assert store.verify().ok


def test_a_receipt_says_what_was_paid_how_and_what_is_left(practice, owing):
    from billing_tui.pdf.receipt import receipt_pdf

    store = practice.store
    patient, older, newer = owing
    batch = store.posting.open_batch(BatchDraft("patient", TODAY, 4_000))
    payment = pay(store, patient, 4_000, batch=batch, method="card", card_brand="Visa",
                  card_last4="1111", auth_code="A1")  # fmt: skip
    receipt = store.posting.receipt(payment)
    assert (receipt.amount, receipt.method, receipt.card_last4) == (4_000, "card", "1111")
    assert [(line.claim, line.amount) for line in receipt.applied] == [
        (claim_number(older), 3_000), (claim_number(newer), 1_000)
    ]  # fmt: skip
    assert receipt.balance_after == 4_000  # 80.00 owed, 40.00 paid
    assert receipt_pdf(receipt).startswith(b"%PDF")
    (listed,) = store.posting.batch_payments(batch)
    assert (listed.id, listed.account_number, listed.patient_name) == (
        payment,
        receipt.account_number,
        "Poe, Pat",
    )
