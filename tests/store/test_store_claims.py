"""Claims in the Store: creation, the lifecycle, and the charges it posts and reverses."""

from __future__ import annotations

import datetime as dt

import pytest
from store_builders import TODAY

from billing_tui.domain.claims import ClaimStatus
from billing_tui.domain.queue import Flag
from billing_tui.store import StoreConflict, StoreRefused
from billing_tui.store.models import Claim, ClaimDiagnosis, ClaimStatusChange, ServiceLine
from billing_tui.store.records import ClaimDraft, LineDraft

DOS = dt.date(2026, 10, 1)


def claim_row(store, patient_id, claim_id):
    return next(c for c in store.accounts.get(patient_id).claims if c.id == claim_id)


def test_a_new_claim_is_a_draft_with_nothing_on_the_ledger(practice, store):
    pid = practice.patient()
    coverage = practice.coverage(pid)
    first = practice.claim(pid, 10_000, 2_550, coverage_id=coverage)
    second = practice.claim(pid, 7_500, dos=DOS - dt.timedelta(days=40))
    view = store.accounts.get(pid)
    assert [(c.id, c.claim_number, c.status) for c in view.claims] == [
        (first, "10000001-1", "draft"),
        (second, "10000001-2", "draft"),
    ]
    assert (view.claims[0].charge, view.claims[0].payer_name) == (12_550, "Medicare Part B")
    assert view.claims[1].payer_name == "Self-pay"
    assert view.claims[0].rendering == "Quill MD"
    assert view.ledger == ()
    assert store.ledger.balances(pid) == (0, 0)
    lines = list(
        ServiceLine.select().where(ServiceLine.claim == first).order_by(ServiceLine.line_number)
    )
    assert [(ln.line_number, ln.charge_cents, ln.line_control_number) for ln in lines] == [
        (1, 10_000, "10000001-1-1"),
        (2, 2_550, "10000001-1-2"),
    ]
    assert [d.code for d in ClaimDiagnosis.select().where(ClaimDiagnosis.claim == first)] == [
        "J069"
    ]
    assert store.verify().ok


def test_claim_refusals(practice, store):
    pid = practice.patient()
    other = practice.patient("Roe", "Rick")
    others_coverage = practice.coverage(other)
    line = LineDraft(dos_from=DOS, code="99213", charge=100)

    def draft(**changes) -> ClaimDraft:
        fields = {
            "patient_id": pid,
            "billing_provider_id": practice.billing_provider_id,
            "rendering_provider_id": practice.provider_id,
            "place_of_service": "11",
            "lines": (line,),
        }
        return ClaimDraft(**{**fields, **changes})

    for changes, message in (
        ({"lines": ()}, "at least one service line"),
        ({"lines": (line,) * 51}, "at most 50 service lines"),
        ({"diagnoses": ("J06.9",) * 13}, "at most 12 diagnoses"),
        ({"coverage_id": others_coverage}, "belongs to another account"),
        ({"patient_id": other + 100}, "no account"),
    ):
        with pytest.raises(StoreRefused, match=message):
            store.claims.create(draft(**changes))
    assert Claim.select().count() == 0
    assert store.claims.create(draft(lines=(line,) * 50, diagnoses=("J06.9",) * 12))


@pytest.mark.parametrize("insured", [True, False], ids=["insurance", "self-pay"])
def test_ready_posts_the_charges(practice, store, insured):
    pid = practice.patient()
    coverage = practice.coverage(pid) if insured else None
    claim_id = practice.claim(pid, 10_000, 2_550, coverage_id=coverage)
    store.claims.set_status(claim_id, "ready", "scrubbed")
    ledger = store.accounts.get(pid).ledger
    expected = [(10_000, 0), (2_550, 0)] if insured else [(0, 10_000), (0, 2_550)]
    assert [(e.insurance_delta, e.patient_delta) for e in ledger] == expected
    assert {(e.kind, e.claim_number, e.effective_date) for e in ledger} == {
        ("charge", "10000001-1", DOS)
    }
    balances = (12_550, 0) if insured else (0, 12_550)
    assert store.ledger.balances(pid) == balances
    row = claim_row(store, pid, claim_id)
    assert (row.status, row.insurance_balance, row.patient_balance) == ("ready", *balances)
    queue_row = store.queue.page().rows[0]
    assert (queue_row.insurance_balance, queue_row.patient_balance) == balances
    assert queue_row.oldest_open_dos == DOS and queue_row.age_bucket == "31-60"
    assert store.verify().ok


def test_void_reverses_the_charges(practice, store):
    pid = practice.patient()
    claim_id = practice.billed_claim(pid, 10_000, 2_550, coverage_id=practice.coverage(pid))
    store.claims.set_status(claim_id, "voided", "billed to the wrong patient")
    ledger = store.accounts.get(pid).ledger
    charges, reversals = ledger[:2], ledger[2:]
    assert [r.reverses for r in reversals] == [c.id for c in charges]
    assert [c.reversed_by for c in charges] == [r.id for r in reversals]
    assert all(r.description == "Reversal: billed to the wrong patient" for r in reversals)
    assert all(r.effective_date == TODAY for r in reversals)
    assert store.ledger.balances(pid) == (0, 0)
    row = claim_row(store, pid, claim_id)
    assert (row.status, row.insurance_balance, row.patient_balance) == ("voided", 0, 0)
    assert store.queue.page().rows[0].oldest_open_dos is None
    assert store.verify().ok


def test_voiding_a_draft_posts_nothing(practice, store):
    pid = practice.patient()
    claim_id = practice.claim(pid, 10_000)
    store.claims.set_status(claim_id, "voided")
    assert store.accounts.get(pid).ledger == ()
    assert store.verify().ok


def test_a_claims_charge_comes_off_only_with_the_claim(practice, store):
    pid = practice.patient()
    claim_id = practice.billed_claim(pid, 10_000, 2_550)
    charge = store.accounts.get(pid).ledger[0]
    with pytest.raises(StoreRefused, match="voiding the claim or sending it back to draft"):
        store.ledger.reverse(charge.id, "line billed in error")
    with pytest.raises(StoreRefused, match="posted by billing the claim"):
        practice.post(pid, "charge", patient=500, claim_id=claim_id)
    assert store.ledger.balances(pid) == (0, 12_550)
    assert store.verify().ok


def test_void_after_rebilling_reverses_only_the_live_charges(practice, store):
    pid = practice.patient()
    claim_id = practice.billed_claim(pid, 10_000, 2_550)
    store.claims.set_status(claim_id, "draft")
    store.claims.set_status(claim_id, "ready")
    store.claims.set_status(claim_id, "voided")
    ledger = store.accounts.get(pid).ledger
    assert len(ledger) == 8  # billed, taken off, billed again, voided: two lines each time
    reversed_ids = [e.reverses for e in ledger if e.reverses]
    assert sorted(reversed_ids) == sorted(e.id for e in ledger if e.reverses is None)
    assert len(set(reversed_ids)) == 4  # none reversed twice
    assert store.ledger.balances(pid) == (0, 0)
    assert store.verify().ok


def test_back_to_draft_takes_the_charges_off_and_ready_again_puts_them_back_once(practice, store):
    pid = practice.patient()
    claim_id = practice.billed_claim(pid, 10_000, coverage_id=practice.coverage(pid))
    store.claims.set_status(claim_id, "draft", "fix the diagnosis")
    assert store.ledger.balances(pid) == (0, 0)
    assert claim_row(store, pid, claim_id).insurance_balance == 0
    assert store.verify().ok
    store.claims.set_status(claim_id, "ready")
    assert store.ledger.balances(pid) == (10_000, 0)
    assert store.verify().ok


@pytest.mark.parametrize(
    ("path", "target"),
    [((), "paid"), ((), "submitted"), (("voided",), "ready"), (("ready", "submitted"), "draft")],
)
def test_illegal_moves_are_refused_and_change_nothing(practice, store, path, target):
    pid = practice.patient()
    claim_id = practice.claim(pid, 10_000)
    for status in path:
        store.claims.set_status(claim_id, status)
    before = (Claim.get_by_id(claim_id).version, store.accounts.get(pid).ledger)
    with pytest.raises(StoreRefused, match=f"cannot become {ClaimStatus(target).label}"):
        store.claims.set_status(claim_id, target)
    assert (Claim.get_by_id(claim_id).version, store.accounts.get(pid).ledger) == before
    assert store.verify().ok


def test_an_unknown_claim_or_status_is_refused(practice, store):
    with pytest.raises(StoreRefused, match="no claim 42"):
        store.claims.set_status(42, "ready")
    claim_id = practice.claim(practice.patient(), 10_000)
    with pytest.raises(StoreRefused, match="no claim status 'sent'"):
        store.claims.set_status(claim_id, "sent")


def test_a_stale_version_is_a_conflict(practice, store):
    pid = practice.patient()
    claim_id = practice.claim(pid, 10_000)
    assert Claim.get_by_id(claim_id).version == 1
    store.claims.set_status(claim_id, "ready", expected_version=1)
    assert Claim.get_by_id(claim_id).version == 2
    # Someone else's screen still holds version 1.
    with pytest.raises(StoreConflict, match="10000001-1 was changed by someone else"):
        store.claims.set_status(claim_id, "voided", expected_version=1)
    row = claim_row(store, pid, claim_id)
    assert (row.status, row.patient_balance) == ("ready", 10_000)
    assert Claim.get_by_id(claim_id).version == 2
    store.claims.set_status(claim_id, "submitted", expected_version=2)
    assert Claim.get_by_id(claim_id).version == 3


def test_status_history_records_every_move(practice, store):
    pid = practice.patient()
    claim_id = practice.claim(pid, 10_000)
    store.claims.set_status(claim_id, "ready", "scrubbed clean")
    store.claims.set_status(claim_id, "submitted")
    history = [
        (h.from_status, h.to_status, h.reason, h.user.username)
        for h in ClaimStatusChange.select()
        .where(ClaimStatusChange.claim == claim_id)
        .order_by(ClaimStatusChange.id)
    ]
    assert history == [
        (None, "draft", "created", "tester"),
        ("draft", "ready", "scrubbed clean", "tester"),
        ("ready", "submitted", "", "tester"),
    ]


def test_a_denied_claim_flags_the_account(practice, store):
    pid = practice.patient()
    claim_id = practice.billed_claim(pid, 10_000, coverage_id=practice.coverage(pid))
    store.claims.set_status(claim_id, "submitted")
    store.claims.set_status(claim_id, "denied", "CO-50 not medically necessary")
    assert Flag.DENIED in store.accounts.get(pid).flags
    assert Flag.DENIED in store.queue.page().rows[0].flags
    store.claims.set_status(claim_id, "appealed")
    assert Flag.DENIED not in store.queue.page().rows[0].flags
    assert store.verify().ok
