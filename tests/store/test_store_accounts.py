"""Accounts in the Store: patients, coverages, notes and follow-ups, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from store_builders import PAYERS, TODAY

from billing_tui.domain.queue import Flag
from billing_tui.store import StoreRefused
from billing_tui.store.models import AuditLog, Coverage
from billing_tui.store.records import PatientDraft

DAY = dt.timedelta(days=1)


def test_new_patients_get_the_next_account_numbers(practice, store):
    assert store.today() == TODAY  # tests/conftest.py's day, which these tests count from
    first = practice.patient("O'Brien", "Mary", middle_name="Kate", phone="5551234567")
    second = practice.patient("Nuñez", "José", sex="M")
    view = store.accounts.get(first)
    assert view.patient.account_number == "10000001"
    assert store.accounts.get(second).patient.account_number == "10000002"
    assert view.patient.name == "O'Brien, Mary K."
    assert view.patient.address == "1 Elm St, Springfield, IL 62701"
    assert (view.patient.dob, view.patient.phone, view.patient.version) == (
        dt.date(1960, 1, 2),
        "5551234567",
        1,
    )
    assert (view.insurance_balance, view.patient_balance) == (0, 0)
    assert view.ledger == view.claims == view.notes == view.coverages == ()
    assert store.accounts.find(" 10000002 ") == second
    assert store.accounts.find("99999999") is None
    assert store.verify().ok


def test_an_account_number_can_be_given_but_not_taken_twice(practice, store):
    pid = practice.patient("Smith", "Al", account_number="A100")
    assert store.accounts.get(pid).patient.account_number == "A100"
    with pytest.raises(StoreRefused, match="A100 is taken"):
        practice.patient("Smith", "Bo", account_number="A100")
    # A non-numeric number does not disturb the sequence.
    assert store.accounts.get(practice.patient()).patient.account_number == "10000001"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"first_name": "  "}, "first name is required"),
        ({"last_name": ""}, "last name is required"),
        ({"sex": "X"}, "sex is F, M or U"),
    ],
)
def test_a_patient_needs_names_and_a_sex(store, changes, message):
    fields = {
        "first_name": "Jane",
        "last_name": "Doe",
        "dob": dt.date(1980, 5, 6),
        "sex": "F",
        "address1": "1 Elm St",
        "city": "Springfield",
        "state": "IL",
        "zip": "62701",
    }
    fields.update(changes)
    with pytest.raises(StoreRefused, match=message):
        store.accounts.create_patient(PatientDraft(**fields))
    assert store.queue.page().rows == ()


def test_get_an_unknown_account_is_refused(store):
    with pytest.raises(StoreRefused, match="no account"):
        store.accounts.get(12345)


def test_payers_are_listed_by_name(practice, store):
    assert [p.name for p in store.accounts.payers()] == sorted(name for name, _, _ in PAYERS)
    acme = next(p for p in store.accounts.payers() if p.name == "Acme Health")
    assert (acme.id, acme.payer_code, acme.kind) == (
        practice.payers["Acme Health"],
        "ACME1",
        "commercial",
    )


def test_coverages_and_the_primary_payer(practice, store):
    pid = practice.patient()
    practice.coverage(pid, "Acme Health", priority=2, member_id="ACM9", copay=2_500)
    assert store.queue.page().rows[0].primary_payer == "Self-pay"
    practice.coverage(pid, "Medicare Part B", member_id=" 1EG4TE5MK73 ", coinsurance_bp=2_000)
    view = store.accounts.get(pid)
    primary, secondary = view.coverages
    assert (primary.priority, primary.payer_id, primary.payer_name, primary.member_id) == (
        1,
        practice.payers["Medicare Part B"],
        "Medicare Part B",
        "1EG4TE5MK73",
    )
    assert primary.subscriber_name == "Doe, Jane"  # relationship 18: the patient
    assert (primary.coinsurance_bp, primary.verified_at, primary.active) == (2_000, None, True)
    assert (secondary.priority, secondary.payer_id, secondary.copay) == (
        2,
        practice.payers["Acme Health"],
        2_500,
    )
    row = store.queue.page().rows[0]
    assert row.primary_payer == "Medicare Part B"
    assert Flag.UNVERIFIED in row.flags and Flag.UNVERIFIED in view.flags
    assert store.verify().ok


def test_a_newer_primary_replaces_the_older_one(practice, store):
    pid = practice.patient()
    practice.coverage(pid, "Acme Health", start_date=dt.date(2019, 1, 1))
    practice.coverage(pid, "State Medicaid", start_date=dt.date(2024, 1, 1))
    practice.coverage(pid, "Medicare Part B", start_date=dt.date(2021, 1, 1))
    assert store.queue.page().rows[0].primary_payer == "State Medicaid"
    assert store.verify().ok


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"priority": 4}, "priority is 1"),
        ({"member_id": "  "}, "member ID"),
        ({"start_date": TODAY, "end_date": TODAY - DAY}, "cannot end before it starts"),
    ],
)
def test_coverage_refusals(practice, store, changes, message):
    pid = practice.patient()
    with pytest.raises(StoreRefused, match=message):
        practice.coverage(pid, **changes)
    assert store.accounts.get(pid).coverages == ()


def test_coverage_needs_a_real_patient_and_payer(practice, store):
    pid = practice.patient()
    with pytest.raises(StoreRefused, match="no account"):
        practice.coverage(pid + 100)
    practice.payers["Ghost"] = max(practice.payers.values()) + 100
    with pytest.raises(StoreRefused, match="no payer"):
        practice.coverage(pid, "Ghost")
    assert store.accounts.get(pid).coverages == ()


def test_verification_is_recorded_and_clears_the_flag(clocked_practice, clocked_store, clock):
    store = clocked_store
    pid = clocked_practice.patient()
    coverage_id = clocked_practice.coverage(pid)
    store.accounts.record_verification(coverage_id, "portal", "active, copay $25")
    (coverage,) = store.accounts.get(pid).coverages
    assert (coverage.verified_by, coverage.verified_how) == ("tester", "portal")
    assert coverage.verification_result == "active, copay $25"
    assert coverage.verified_at is not None
    clock.today = coverage.verified_at.date()  # the stamp is the wall clock's
    assert Flag.UNVERIFIED not in store.accounts.get(pid).flags
    assert Flag.UNVERIFIED not in store.queue.page().rows[0].flags
    clock.today = coverage.verified_at.date() + 91 * DAY
    assert Flag.UNVERIFIED in store.accounts.get(pid).flags
    assert Flag.UNVERIFIED in store.queue.page().rows[0].flags
    with pytest.raises(StoreRefused, match="no coverage"):
        store.accounts.record_verification(coverage_id + 1, "phone", "")
    assert store.verify().ok


def test_an_ended_coverage_is_flagged_expired_after_its_last_day(
    clocked_practice, clocked_store, clock
):
    pid = clocked_practice.patient()
    clocked_practice.coverage(pid, end_date=TODAY)
    assert Flag.EXPIRED not in clocked_store.queue.page().rows[0].flags
    clock.today = TODAY + DAY
    assert Flag.EXPIRED in clocked_store.queue.page().rows[0].flags
    assert Flag.EXPIRED in clocked_store.accounts.get(pid).flags


def test_notes_are_listed_newest_first(practice, store):
    pid = practice.patient()
    first = store.accounts.add_note(pid, "  Called, left voicemail  ", kind="call", direction="out")
    second = store.accounts.add_note(
        pid, "Patient called back", kind="call", direction="in", outcome="will pay"
    )
    notes = store.accounts.get(pid).notes
    assert [n.id for n in notes] == [second, first]
    assert notes[1].text == "Called, left voicemail"
    assert (notes[0].author, notes[0].kind, notes[0].direction, notes[0].outcome) == (
        "tester",
        "call",
        "in",
        "will pay",
    )
    assert notes[0].follow_up is None and notes[0].assignee == "" and not notes[0].done


@pytest.mark.parametrize(
    ("text", "options", "message"),
    [
        ("   ", {}, "needs some text"),
        ("hi", {"kind": "fax"}, "a note is one of"),
        ("hi", {"direction": "up"}, "direction is in, out or empty"),
        ("hi", {"follow_up": TODAY - DAY}, "cannot be in the past"),
        ("hi", {"follow_up": TODAY, "assignee": "nobody"}, "no user 'nobody'"),
    ],
)
def test_note_refusals(practice, store, text, options, message):
    pid = practice.patient()
    with pytest.raises(StoreRefused, match=message):
        store.accounts.add_note(pid, text, **options)
    assert store.accounts.get(pid).notes == ()


def test_a_note_needs_an_account(store):
    with pytest.raises(StoreRefused, match="no account"):
        store.accounts.add_note(999, "hello")


def test_follow_ups_move_as_they_are_done(practice, store):
    pid = practice.patient()
    later = store.accounts.add_note(pid, "call again", follow_up=TODAY + 10 * DAY)
    sooner = store.accounts.add_note(pid, "check EOB", follow_up=TODAY + 2 * DAY)
    store.accounts.add_note(pid, "no follow-up")
    assert store.accounts.get(pid).next_follow_up == TODAY + 2 * DAY
    assert store.queue.page().rows[0].next_follow_up == TODAY + 2 * DAY
    store.accounts.complete_follow_up(sooner)
    view = store.accounts.get(pid)
    assert view.next_follow_up == TODAY + 10 * DAY
    assert [n.done for n in view.notes if n.follow_up] == [True, False]  # newest first
    assert next(n for n in view.notes if n.id == later).assignee == "tester"
    store.accounts.complete_follow_up(sooner)  # twice is harmless
    store.accounts.complete_follow_up(later)
    assert store.accounts.get(pid).next_follow_up is None
    assert store.queue.page().rows[0].next_follow_up is None
    assert store.verify().ok


def test_completing_a_note_without_a_follow_up_is_refused(practice, store):
    pid = practice.patient()
    note = store.accounts.add_note(pid, "plain note")
    with pytest.raises(StoreRefused, match="no follow-up"):
        store.accounts.complete_follow_up(note)
    with pytest.raises(StoreRefused, match="no follow-up"):
        store.accounts.complete_follow_up(note + 1)


def test_a_follow_up_comes_due_on_its_day(clocked_practice, clocked_store, clock):
    store = clocked_store
    rich = clocked_practice.patient("Rich", "Rita")
    clocked_practice.post(rich, "charge", patient=90_000, effective_date=TODAY)
    quiet = clocked_practice.patient("Quiet", "Quinn")
    store.accounts.add_note(quiet, "call on Friday", follow_up=TODAY + 3 * DAY)
    assert [r.patient_id for r in store.queue.page().rows] == [rich, quiet]
    clock.today = TODAY + 3 * DAY
    rows = store.queue.page().rows
    assert [r.patient_id for r in rows] == [quiet, rich]
    assert rows[0].follow_up_due and not rows[1].follow_up_due


def test_changes_are_audited_in_a_hash_chain(practice, store):
    pid = practice.patient()
    store.accounts.add_note(pid, "hello")
    rows = list(AuditLog.select().order_by(AuditLog.id))
    assert [(r.action, r.entity, r.username) for r in rows] == [
        ("create", "patient", "tester"),
        ("create", "note", "tester"),
    ]
    assert rows[0].prev_hash == "" and rows[1].prev_hash == rows[0].hash
    assert all(len(r.hash) == 64 for r in rows)
    assert rows[1].patient_id == pid


def test_coverage_rows_keep_what_was_typed(practice, store):
    pid = practice.patient()
    coverage_id = practice.coverage(pid, group_number="G-77", deductible=150_000, oop_max=600_000)
    row = Coverage.get_by_id(coverage_id)
    assert (row.group_number, row.deductible_cents, row.oop_max_cents) == ("G-77", 150_000, 600_000)
