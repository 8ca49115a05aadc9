"""Changing a patient's record through the Store: demographics with optimistic locking, the
guarantor, coverages (add, change, end, reorder), registering, and the audit rows they write."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from store_builders import TODAY

from billing_tui.domain.queue import QueueFilter
from billing_tui.store import Store, StoreConflict, StoreRefused
from billing_tui.store.models import AccountSummary, AuditLog, Guarantor, Patient
from billing_tui.store.patients import CoverageConflict, PatientConflict
from billing_tui.store.records import PatientDraft
from billing_tui.store.records.patients import GuarantorDetails

MBI = "1EG4TE5MK73"


def audit_rows(patient_id: int, since: int = 0) -> list[tuple[str, str, dict | None, dict | None]]:
    rows = (
        AuditLog.select()
        .where((AuditLog.patient_id == patient_id) & (AuditLog.id > since))
        .order_by(AuditLog.id)
    )
    return [
        (
            r.action,
            r.entity,
            json.loads(r.before) if r.before else None,
            json.loads(r.after) if r.after else None,
        )
        for r in rows
    ]


def last_audit_id() -> int:
    return AuditLog.select(AuditLog.id).order_by(AuditLog.id.desc()).limit(1).scalar() or 0


def parent(**fields) -> GuarantorDetails:
    values = {
        "last_name": "Doe",
        "first_name": "John",
        "relationship": "parent",
        "address1": "1 Elm St",
        "city": "Springfield",
        "state": "IL",
        "zip": "62701",
        "phone": "2175550100",
        **fields,
    }
    return GuarantorDetails(**values)


def primary_payer(patient_id: int) -> int | None:
    return AccountSummary.get(AccountSummary.patient == patient_id).primary_payer_id


def priorities(store: Store, patient_id: int) -> list[tuple[str, int, bool]]:
    return [(c.payer_name, c.priority, c.active) for c in store.accounts.get(patient_id).coverages]


# --------------------------------------------------------------------------- demographics


def test_a_good_edit_saves_bumps_the_version_and_audits_only_what_changed(practice):
    accounts = practice.store.accounts
    pid = practice.patient()
    before = accounts.patient_details(pid)
    mark = last_audit_id()
    version = accounts.update_patient(
        pid,
        {"zip": "62702-1234", "phone": "(217) 555-0199", "city": "Springfield"},  # city unchanged
        before.version,
    )
    after = accounts.patient_details(pid)
    assert version == after.version == before.version + 1
    assert (after.zip, after.phone) == ("627021234", "2175550199")
    assert audit_rows(pid, mark) == [
        (
            "update",
            "patient",
            {"zip": "62701", "phone": ""},
            {"zip": "627021234", "phone": "2175550199"},
        )
    ]


def test_a_new_name_keeps_the_search_keys_in_step(practice):
    accounts = practice.store.accounts
    pid = practice.patient(last="Doe", first="Jane")
    accounts.update_patient(
        pid,
        {"last_name": "O'Brien-Núñez", "first_name": "Mary Ann"},
        accounts.patient_details(pid).version,
    )
    row = Patient.get_by_id(pid)
    assert (row.search_last, row.search_first) == ("obriennunez", "maryann")
    found = practice.store.queue.page("o'brien-nunez, mary", QueueFilter(), None, 10)
    assert [r.patient_id for r in found.rows] == [pid]
    assert practice.store.queue.page("doe, jane", QueueFilter(), None, 10).rows == ()


def test_saving_over_an_old_version_is_a_conflict_that_writes_nothing(practice):
    accounts = practice.store.accounts
    pid = practice.patient()
    seen = accounts.patient_details(pid)
    accounts.update_patient(pid, {"phone": "2175550111"}, seen.version)  # someone else, first
    mark = last_audit_id()
    with pytest.raises(PatientConflict) as caught:
        accounts.update_patient(pid, {"zip": "62799"}, seen.version)
    assert caught.value.theirs.phone == "2175550111"
    assert caught.value.theirs.version == seen.version + 1
    now = accounts.patient_details(pid)
    assert (now.zip, now.phone, now.version) == ("62701", "2175550111", seen.version + 1)
    assert audit_rows(pid, mark) == []


def test_a_save_from_another_connection_meanwhile_is_a_conflict(practice):
    """The colleague's save runs on its own thread, so its own connection and transaction."""
    from concurrent.futures import ThreadPoolExecutor

    accounts = practice.store.accounts
    pid = practice.patient()
    mine = accounts.patient_details(pid)
    with ThreadPoolExecutor(max_workers=1) as colleague:
        colleague.submit(
            accounts.update_patient, pid, {"email": "jd@example.com"}, mine.version
        ).result()
    with pytest.raises(StoreConflict):
        accounts.update_patient(pid, {"email": "jane@example.com"}, mine.version)
    assert accounts.patient_details(pid).email == "jd@example.com"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"zip": "6270"}, "ZIP"),
        ({"phone": "555-0100"}, "10 digits"),
        ({"email": "jane@"}, "email"),
        ({"state": "ZZ"}, "not a US state"),
        ({"dob": dt.date(2027, 1, 1)}, "future"),
        ({"dob": dt.date(1899, 12, 31)}, "1900"),
        ({"last_name": "Smith2"}, "letters"),
        ({"first_name": ""}, "required"),
        ({"sex": "X"}, "F"),
        ({"contact_preference": "pigeon"}, "contact preference"),
        ({"contact_preference": "email"}, "no email address"),
        ({"account_number": "1"}, "cannot be changed"),
    ],
)
def test_a_bad_value_is_refused_and_nothing_changes(practice, changes, message):
    accounts = practice.store.accounts
    pid = practice.patient()
    seen = accounts.patient_details(pid)
    mark = last_audit_id()
    with pytest.raises(StoreRefused, match=message):
        accounts.update_patient(pid, changes, seen.version)
    assert accounts.patient_details(pid) == seen
    assert audit_rows(pid, mark) == []


def test_saving_what_is_already_there_writes_nothing(practice):
    accounts = practice.store.accounts
    pid = practice.patient()
    seen = accounts.patient_details(pid)
    mark = last_audit_id()
    assert (
        accounts.update_patient(pid, {"zip": "62701", "state": "il"}, seen.version) == seen.version
    )
    assert audit_rows(pid, mark) == []


# --------------------------------------------------------------------------- the guarantor


def test_a_guarantor_is_named_changed_and_removed_with_an_audit_row_each(practice):
    accounts = practice.store.accounts
    pid = practice.patient()
    mark = last_audit_id()
    version = accounts.set_guarantor(pid, parent())
    assert accounts.patient_details(pid).guarantor == parent()
    assert accounts.get(pid).patient.guarantor.last_name == "Doe"
    version = accounts.set_guarantor(pid, parent(phone="217-555-0122"), expected_version=version)
    assert accounts.patient_details(pid).guarantor.phone == "2175550122"
    accounts.set_guarantor(pid, None, expected_version=version)
    assert accounts.patient_details(pid).guarantor is None
    rows = audit_rows(pid, mark)
    assert [(action, entity) for action, entity, *_ in rows] == [
        ("create", "guarantor"),
        ("update", "guarantor"),
        ("remove", "guarantor"),
    ]
    assert rows[0][3]["relationship"] == "parent"
    assert rows[1][2:] == ({"phone": "2175550100"}, {"phone": "2175550122"})
    assert rows[2][2]["last_name"] == "Doe" and rows[2][3] is None
    assert accounts.patient_details(pid).version == 4


def test_demographics_and_guarantor_save_together_as_one_version(practice):
    accounts = practice.store.accounts
    pid = practice.patient()
    seen = accounts.patient_details(pid)
    version = accounts.update_patient(pid, {"city": "Decatur"}, seen.version, guarantor=parent())
    assert version == seen.version + 1
    saved = accounts.patient_details(pid)
    assert (saved.city, saved.guarantor.first_name) == ("Decatur", "John")


def test_a_guarantor_shared_by_two_accounts_is_copied_not_changed_for_both(practice):
    accounts = practice.store.accounts
    first, second = practice.patient(first="Ann"), practice.patient(first="Bob")
    accounts.set_guarantor(first, parent())
    shared = Patient.get_by_id(first).guarantor_id
    Patient.update(guarantor=shared).where(Patient.id == second).execute()  # a family, say
    accounts.set_guarantor(second, parent(address1="9 Oak Ave"))
    assert accounts.patient_details(first).guarantor.address1 == "1 Elm St"
    assert accounts.patient_details(second).guarantor.address1 == "9 Oak Ave"
    assert Patient.get_by_id(second).guarantor_id != shared
    assert Guarantor.select().count() == 2


def test_a_bad_guarantor_is_refused(practice):
    pid = practice.patient()
    with pytest.raises(StoreRefused, match="guarantor: a ZIP code"):
        practice.store.accounts.set_guarantor(pid, parent(zip="1234"))
    with pytest.raises(StoreRefused, match="guarantor is the parent"):
        practice.store.accounts.set_guarantor(pid, parent(relationship="uncle"))
    assert practice.store.accounts.patient_details(pid).guarantor is None


# --------------------------------------------------------------------------- registering


def new_patient(**fields) -> PatientDraft:
    values = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "dob": dt.date(1985, 12, 10),
        "sex": "F",
        "address1": "12 Byron Way",
        "city": "Springfield",
        "state": "il",
        "zip": "62704",
        "phone": "217 555 0142",
        **fields,
    }
    return PatientDraft(**values)


def test_registering_gives_the_next_account_number_and_a_place_in_the_queue(practice):
    accounts = practice.store.accounts
    existing = practice.patient()
    number = int(accounts.patient_details(existing).account_number)
    pid = accounts.register_patient(new_patient(), parent(last_name="Lovelace"))
    details = accounts.patient_details(pid)
    assert int(details.account_number) == number + 1
    assert (details.state, details.phone, details.guarantor.last_name) == (
        "IL",
        "2175550142",
        "Lovelace",
    )
    assert AccountSummary.get_or_none(AccountSummary.patient == pid) is not None
    rows = audit_rows(pid)
    assert [(a, e) for a, e, *_ in rows] == [("create", "patient"), ("create", "guarantor")]
    assert rows[0][3]["account_number"] == details.account_number
    assert rows[0][3]["zip"] == "62704"
    found = practice.store.queue.page("lovelace", QueueFilter(), None, 10)
    assert [r.patient_id for r in found.rows] == [pid]


def test_registering_refuses_bad_fields_and_writes_nothing(practice):
    before = Patient.select().count()
    with pytest.raises(StoreRefused, match="ZIP"):
        practice.store.accounts.register_patient(new_patient(zip="ABCDE"))
    with pytest.raises(StoreRefused, match="future"):
        practice.store.accounts.register_patient(new_patient(dob=TODAY + dt.timedelta(days=1)))
    assert Patient.select().count() == before


# --------------------------------------------------------------------------- coverages


def coverage_values(practice, payer: str = "Acme Health", **fields) -> dict:
    return {
        "payer_id": practice.payers[payer],
        "member_id": MBI if payer == "Medicare Part B" else "XYZ123456",
        "start_date": dt.date(2025, 1, 1),
        **fields,
    }


def test_a_new_coverage_goes_in_at_its_priority_and_the_rest_move_down(practice):
    accounts = practice.store.accounts
    pid = practice.patient()
    accounts.new_coverage(pid, coverage_values(practice, "Acme Health"), 1)
    mark = last_audit_id()
    medicare = accounts.new_coverage(pid, coverage_values(practice, "Medicare Part B"), 1)
    assert priorities(practice.store, pid) == [
        ("Medicare Part B", 1, True),
        ("Acme Health", 2, True),
    ]
    assert primary_payer(pid) == practice.payers["Medicare Part B"]
    rows = audit_rows(pid, mark)
    assert [(a, e) for a, e, *_ in rows] == [("create", "coverage"), ("reorder", "coverages")]
    assert rows[0][3]["member_id"] == MBI and rows[0][3]["priority"] == 1
    details = accounts.coverage_details(medicare)
    # Self: the subscriber is the patient.
    assert (details.subscriber_last, details.subscriber_dob) == ("Doe", dt.date(1960, 1, 2))
    assert details.subscriber_zip == "62701"


def test_a_coverage_that_ends_before_the_new_one_starts_is_replaced(practice):
    accounts = practice.store.accounts
    pid = practice.patient()
    old = accounts.new_coverage(
        pid,
        coverage_values(
            practice, "State Medicaid", member_id="MCD1", end_date=dt.date(2025, 12, 31)
        ),
        1,
    )
    accounts.new_coverage(pid, coverage_values(practice, start_date=dt.date(2026, 1, 1)), 1)
    assert priorities(practice.store, pid) == [
        ("Acme Health", 1, True),
        ("State Medicaid", 1, False),
    ]
    assert accounts.coverage_details(old).active is False


def test_at_most_three_coverages_and_no_gaps(practice):
    accounts = practice.store.accounts
    pid = practice.patient()
    with pytest.raises(StoreRefused, match="priority is 1 to 1"):
        accounts.new_coverage(pid, coverage_values(practice), 2)
    for priority in (1, 2, 3):
        accounts.new_coverage(pid, coverage_values(practice), priority)
    with pytest.raises(StoreRefused, match="three coverages"):
        accounts.new_coverage(pid, coverage_values(practice), 1)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"member_id": "123456789A"}, "MBI"),
        ({"end_date": dt.date(2024, 12, 31)}, "end before it starts"),
        ({"relationship": "01"}, "subscriber's name"),
        ({"deductible": 10_000, "deductible_met": 20_000}, "deductible met"),
        ({"coinsurance_bp": 12_000}, "100%"),
        ({"copay": -100}, "negative"),
        ({"subscriber_zip": "1"}, "ZIP"),
    ],
)
def test_a_bad_coverage_is_refused(practice, fields, message):
    pid = practice.patient()
    with pytest.raises(StoreRefused, match=message):
        practice.store.accounts.new_coverage(
            pid, coverage_values(practice, "Medicare Part B", **fields), 1
        )
    assert practice.store.accounts.get(pid).coverages == ()


def test_changing_a_coverage_audits_the_changed_fields_and_the_queue_follows_the_payer(practice):
    accounts = practice.store.accounts
    pid = practice.patient()
    cid = accounts.new_coverage(pid, coverage_values(practice, copay=2_500), 1)
    mark = last_audit_id()
    accounts.update_coverage(
        cid,
        {
            "payer_id": practice.payers["Medicare Part B"],
            "member_id": "1eg4-te5-mk73",
            "copay": 2_500,
        },
    )
    details = accounts.coverage_details(cid)
    assert (details.payer_kind, details.member_id) == ("medicare", MBI)
    assert primary_payer(pid) == practice.payers["Medicare Part B"]
    assert audit_rows(pid, mark) == [
        (
            "update",
            "coverage",
            {"payer_id": practice.payers["Acme Health"], "member_id": "XYZ123456"},
            {"payer_id": practice.payers["Medicare Part B"], "member_id": MBI},
        )
    ]


def test_a_coverage_change_that_breaks_a_rule_is_refused(practice):
    accounts = practice.store.accounts
    pid = practice.patient()
    cid = accounts.new_coverage(pid, coverage_values(practice), 1)
    with pytest.raises(StoreRefused, match="MBI"):  # the member ID no longer fits the new payer
        accounts.update_coverage(cid, {"payer_id": practice.payers["Medicare Part B"]})
    with pytest.raises(StoreRefused, match="end before it starts"):
        accounts.update_coverage(cid, {"end_date": dt.date(2024, 1, 1)})
    assert accounts.coverage_details(cid).payer_kind == "commercial"


def test_a_coverage_changed_by_someone_else_meanwhile_is_a_conflict(practice):
    accounts = practice.store.accounts
    pid = practice.patient()
    cid = accounts.new_coverage(pid, coverage_values(practice, group_number="G1"), 1)
    accounts.update_coverage(cid, {"group_number": "G2"})
    with pytest.raises(CoverageConflict) as caught:
        accounts.update_coverage(cid, {"group_number": "G3"}, expected={"group_number": "G1"})
    assert caught.value.theirs.group_number == "G2"
    assert accounts.coverage_details(cid).group_number == "G2"


def test_ending_the_primary_in_the_past_makes_the_secondary_primary(practice):
    accounts = practice.store.accounts
    pid = practice.patient()
    primary = accounts.new_coverage(pid, coverage_values(practice, "Medicare Part B"), 1)
    accounts.new_coverage(pid, coverage_values(practice), 2)
    mark = last_audit_id()
    accounts.end_coverage(primary, dt.date(2026, 10, 31), "retired from Medicare Part B")
    assert priorities(practice.store, pid) == [
        ("Acme Health", 1, True),
        ("Medicare Part B", 1, False),
    ]
    assert primary_payer(pid) == practice.payers["Acme Health"]
    rows = audit_rows(pid, mark)
    assert rows[0] == (
        "end",
        "coverage",
        {"end_date": None, "active": True},
        {"end_date": "2026-10-31", "active": False, "reason": "retired from Medicare Part B"},
    )
    assert rows[1][:2] == ("reorder", "coverages")


def test_ending_a_coverage_later_keeps_it_in_place_until_then(practice):
    accounts = practice.store.accounts
    pid = practice.patient()
    cid = accounts.new_coverage(pid, coverage_values(practice), 1)
    accounts.end_coverage(cid, dt.date(2026, 12, 31), "plan year ends")
    assert priorities(practice.store, pid) == [("Acme Health", 1, True)]
    assert AccountSummary.get(AccountSummary.patient == pid).primary_ends == dt.date(2026, 12, 31)
    with pytest.raises(StoreRefused, match="end before it starts"):
        accounts.end_coverage(cid, dt.date(2024, 1, 1), "typo")
    with pytest.raises(StoreRefused, match="why"):
        accounts.end_coverage(cid, dt.date(2026, 12, 31), "  ")


def test_reordering_renumbers_in_one_go_and_the_queue_follows(practice):
    accounts = practice.store.accounts
    pid = practice.patient()
    first = accounts.new_coverage(pid, coverage_values(practice, "Medicare Part B"), 1)
    second = accounts.new_coverage(pid, coverage_values(practice), 2)
    mark = last_audit_id()
    accounts.reorder_coverages(pid, [second, first])
    assert priorities(practice.store, pid) == [
        ("Acme Health", 1, True),
        ("Medicare Part B", 2, True),
    ]
    assert primary_payer(pid) == practice.payers["Acme Health"]
    found = practice.store.queue.page(
        "doe", QueueFilter(payer_id=practice.payers["Acme Health"]), None, 10
    )
    assert pid in [r.patient_id for r in found.rows]
    assert audit_rows(pid, mark) == [
        (
            "reorder",
            "coverages",
            {f"coverage {second}": 2, f"coverage {first}": 1},
            {f"coverage {second}": 1, f"coverage {first}": 2},
        )
    ]


def test_reordering_a_list_that_is_not_the_active_coverages_is_refused(practice):
    accounts = practice.store.accounts
    pid = practice.patient()
    first = accounts.new_coverage(pid, coverage_values(practice), 1)
    second = accounts.new_coverage(pid, coverage_values(practice), 2)
    with pytest.raises(StoreConflict, match="changed"):
        accounts.reorder_coverages(pid, [second])
    with pytest.raises(StoreRefused, match="one place"):
        accounts.reorder_coverages(pid, [second, second, first])
    assert [c.id for c in accounts.get(pid).coverages] == [first, second]


def test_two_specialists_registering_at_once_get_different_account_numbers(practice):
    """Two threads, two connections: on PostgreSQL both may pick the same next number, and
    the one that loses takes the number after it."""
    from concurrent.futures import ThreadPoolExecutor

    accounts = practice.store.accounts

    def register(first: str) -> list[str]:
        ids = [
            accounts.register_patient(new_patient(first_name=first + "abcde"[n])) for n in range(5)
        ]
        return [accounts.patient_details(i).account_number for i in ids]

    with ThreadPoolExecutor(max_workers=2) as pool:
        numbers = [n for batch in pool.map(register, ["Ann", "Bob"]) for n in batch]
    first = min(int(n) for n in numbers)
    assert sorted(int(n) for n in numbers) == list(range(first, first + 10))


def test_a_typed_account_number_that_is_taken_is_refused(practice):
    taken = practice.store.accounts.patient_details(practice.patient()).account_number
    with pytest.raises(StoreRefused, match=f"account number {taken} is taken"):
        practice.store.accounts.register_patient(new_patient(account_number=taken))
