"""The patient's record from the keyboard: the patient form (e), coverages (i, Enter, x, u, k)
and registering a new patient from the queue (F8). Every check reads the Store back."""

from __future__ import annotations

import datetime as dt
import json

from textual.widgets import Label, Static
from ui_helpers import TODAY, burst, queue_screen, settle, shown_accounts

from billing_tui.screens.account import AccountScreen
from billing_tui.screens.choice import ChoiceDialog
from billing_tui.screens.coverage_form import CoverageForm
from billing_tui.screens.patient_conflict import PatientConflictDialog
from billing_tui.screens.patient_form import PatientForm
from billing_tui.screens.queue import QueueScreen
from billing_tui.store.models import AuditLog, Coverage, Patient
from billing_tui.widgets.account_header import AccountHeader
from billing_tui.widgets.coverage_cursor import CoverageCursor
from billing_tui.widgets.fields import Field

# Enter presses from the first field of the patient form to each field.
TO_ZIP = 9  # last, first, middle, dob, sex, address1, address2, city, state
TO_PHONE = 10


def audit_rows(patient_id: int, since: int) -> list[tuple[str, str, dict | None, dict | None]]:
    rows = (
        AuditLog.select()
        .where((AuditLog.patient_id == patient_id) & (AuditLog.id > since))
        .order_by(AuditLog.id)
    )
    return [
        (r.action, r.entity, json.loads(r.before or "null"), json.loads(r.after or "null"))
        for r in rows
    ]


def last_audit_id() -> int:
    return AuditLog.select(AuditLog.id).order_by(AuditLog.id.desc()).limit(1).scalar() or 0


def message(pilot) -> str:
    return str(pilot.app.screen.query_one("#message", Label).content)


async def open_account(pilot, account_number: str | None = None) -> AccountScreen:
    await settle(pilot)
    if account_number:
        await pilot.press(*account_number)
        await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, AccountScreen)
    return screen


def two_coverage_account(store) -> tuple[str, int]:
    """An account of the sample practice with a primary and a secondary."""
    row = (
        Coverage.select(Coverage.patient)
        .where((Coverage.active == True) & (Coverage.priority == 2))  # noqa: E712
        .order_by(Coverage.patient)
        .first()
    )
    patient = Patient.get_by_id(row.patient_id)
    return patient.account_number, patient.id


async def test_a_bad_zip_shows_its_message_at_the_field_and_nothing_is_saved(app, ui_store):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_account(pilot)
        before = ui_store.accounts.patient_details(screen.patient_id)
        mark = last_audit_id()
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, PatientForm)
        await burst(pilot, *["enter"] * TO_ZIP, *"1234", "enter")
        await settle(pilot)
        form = app.screen
        assert form.focused.id == "zip"  # Enter stays on a wrong field
        assert message(pilot).startswith("ZIP: a ZIP code is 5 or 9 digits")
        assert form.query_one("#zip-label").has_class("-invalid")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form  # not saved, not closed
        assert ui_store.accounts.patient_details(screen.patient_id) == before
        assert audit_rows(screen.patient_id, mark) == []
        # Escape asks before throwing the typing away; throwing it away leaves the record.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("t", "enter")
        await settle(pilot)
        assert app.screen is screen
        assert ui_store.accounts.patient_details(screen.patient_id) == before


async def test_leaving_a_field_by_tab_also_says_what_is_wrong(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_account(pilot)
        await pilot.press("e")
        await settle(pilot)
        await burst(pilot, *["enter"] * 3, *"13/45/99", "tab")  # the date of birth
        await settle(pilot)
        assert app.screen.focused.id != "dob"
        assert message(pilot) == "Date of birth: no such date: '13/45/99'"


async def test_a_good_edit_saves_refreshes_the_header_and_audits_before_and_after(app, ui_store):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_account(pilot)
        before = ui_store.accounts.patient_details(screen.patient_id)
        mark = last_audit_id()
        await pilot.press("e")
        await settle(pilot)
        await burst(pilot, *["enter"] * TO_PHONE, *"217.555.0142", "ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        after = ui_store.accounts.patient_details(screen.patient_id)
        assert after.phone == "2175550142"
        assert after.version == before.version + 1
        assert "(217) 555-0142" in str(screen.query_one("#contact").content)
        assert audit_rows(screen.patient_id, mark) == [
            ("update", "patient", {"phone": before.phone}, {"phone": "2175550142"})
        ]
        assert isinstance(screen.query_one(AccountHeader), AccountHeader)


async def test_escape_on_an_untouched_form_just_closes_it(app):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_account(pilot)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("enter", "enter", "escape")
        await settle(pilot)
        assert app.screen is screen


async def test_someone_elses_save_meanwhile_shows_both_and_overwrites_nothing(app, ui_store):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_account(pilot)
        pid = screen.patient_id
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        # A colleague saves a new email while this form is open.
        seen = ui_store.accounts.patient_details(pid)
        ui_store.accounts.update_patient(pid, {"email": "colleague@example.com"}, seen.version)
        await burst(pilot, *["enter"] * TO_PHONE, *"2175550142", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PatientConflictDialog)
        rows = app.screen.rows
        assert ("Email *", "colleague@example.com") in [(f"{r[0]} *", r[1]) for r in rows if r[3]]
        assert any(r[0] == "Phone" and r[2] == "2175550142" for r in rows)
        saved = ui_store.accounts.patient_details(pid)
        assert (saved.email, saved.phone) == ("colleague@example.com", seen.phone)
        # Keep mine: their email comes into the form, my phone stays; a second save is mine.
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is form
        assert form.query_one("#email", Field).value == "colleague@example.com"
        assert form.query_one("#phone", Field).value == "2175550142"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        saved = ui_store.accounts.patient_details(pid)
        assert (saved.email, saved.phone) == ("colleague@example.com", "2175550142")


async def test_taking_their_version_loads_it_into_the_form(app, ui_store):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_account(pilot)
        pid = screen.patient_id
        await pilot.press("e")
        await settle(pilot)
        seen = ui_store.accounts.patient_details(pid)
        ui_store.accounts.update_patient(pid, {"city": "Harbor Town"}, seen.version)
        await burst(pilot, *["enter"] * 7, *"Elsewhere", "ctrl+s")  # the city
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, PatientForm)
        assert app.screen.query_one("#city", Field).value == "Harbor Town"
        assert ui_store.accounts.patient_details(pid).city == "Harbor Town"


async def test_naming_a_guarantor(app, ui_store):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_account(pilot)
        pid = screen.patient_id
        assert ui_store.accounts.patient_details(pid).guarantor is None
        await pilot.press("e")
        await settle(pilot)
        # To "who pays" (after phone, email, prefers), someone else, then the guarantor.
        await burst(pilot, *["enter"] * 13, "s", "enter", *"Walker", "enter", *"Martha", "enter")
        await burst(pilot, "s", "enter", *"03/04/1970", "enter", "ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        guarantor = ui_store.accounts.patient_details(pid).guarantor
        assert (guarantor.last_name, guarantor.relationship) == ("Walker", "spouse")
        assert guarantor.dob == dt.date(1970, 3, 4)
        assert "Guarantor: WALKER, Martha (spouse)" in str(screen.query_one("#guarantor").content)


async def test_reordering_makes_the_secondary_primary_and_the_queue_follows(app, ui_store):
    account, pid = two_coverage_account(ui_store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_account(pilot, account)
        assert screen.patient_id == pid
        first, second = [c for c in screen.view.coverages if c.active][:2]
        await pilot.press("v", "down", "u")
        await settle(pilot)
        active = [c for c in ui_store.accounts.get(pid).coverages if c.active]
        assert [(c.id, c.priority) for c in active] == [(second.id, 1), (first.id, 2)]
        cursor = screen.query_one(CoverageCursor)
        assert cursor.highlighted.id == second.id and cursor.highlighted.priority == 1
        blocks = list(cursor.query(Static))
        assert [b.has_class("-highlight") for b in blocks][:2] == [True, False]
        assert str(blocks[0].content).startswith(f"Primary: {second.payer_name}")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        (row,) = [r for r in shown_accounts(pilot) if r.patient_id == pid]
        assert row.primary_payer == second.payer_name


async def test_the_coverage_keys_only_work_on_the_coverages_tab(app):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_account(pilot)
        assert screen.check_action("add_coverage", ()) is False
        assert screen.check_action("edit_patient", ()) is True
        await pilot.press("x", "i")  # nothing happens on the ledger
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("v")
        assert screen.check_action("add_coverage", ()) is True


async def test_adding_a_coverage_from_the_keyboard(app, ui_store):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_account(pilot)
        pid = screen.patient_id
        before = [c.id for c in screen.view.coverages]
        await pilot.press("v", "i")
        await settle(pilot)
        assert isinstance(app.screen, CoverageForm)
        await pilot.press("m")  # opens the payer list at the first "M": Medicaid
        await settle(pilot)
        await pilot.press("m", "enter")  # the next "M": Medicare
        await settle(pilot)
        await burst(pilot, "enter", "enter")  # payer chosen; order: secondary
        await burst(pilot, *"XYZ123", "enter")
        await settle(pilot)
        assert message(pilot).startswith("Member ID: a Medicare ID (MBI)")
        await burst(pilot, "ctrl+a", "ctrl+k", *"1EG4-TE5-MK73", "ctrl+s")
        await settle(pilot)
        assert message(pilot) == "Start date: the start date is required"
        await burst(pilot, *"010126", "enter", "enter", *"20", "ctrl+s")  # starts; ends; copay
        await settle(pilot)
        assert app.screen is screen
        coverages = ui_store.accounts.get(pid).coverages
        (new,) = [c for c in coverages if c.id not in before]
        assert (new.payer_name, new.member_id, new.priority) == (
            "Medicare Part B (Sample MAC)",
            "1EG4TE5MK73",
            2,
        )
        assert (new.start_date, new.copay, new.relationship) == (dt.date(2026, 1, 1), 2_000, "18")
        assert screen.query_one(CoverageCursor).highlighted.id == new.id


async def test_a_coverage_cannot_end_before_it_starts_and_ending_it_is_recorded(app, ui_store):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_account(pilot)
        coverage = screen.query_one(CoverageCursor).highlighted or screen.view.coverages[0]
        await pilot.press("v", "x")
        await settle(pilot)
        await burst(pilot, *"010100", "enter", *"plan terminated", "enter")
        await settle(pilot)
        assert message(pilot).startswith("Last day covered: a coverage cannot end before")
        await burst(
            pilot, "ctrl+a", "ctrl+k", *(TODAY + dt.timedelta(days=7)).strftime("%m%d%y"), "ctrl+s"
        )
        await settle(pilot)
        assert app.screen is screen
        details = ui_store.accounts.coverage_details(coverage.id)
        assert details.end_date == TODAY + dt.timedelta(days=7)
        (row,) = [
            r
            for r in AuditLog.select().where(
                (AuditLog.entity == "coverage") & (AuditLog.action == "end")
            )
        ]
        assert json.loads(row.after)["reason"] == "plan terminated"


async def test_recording_a_phone_verification(app, ui_store):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_account(pilot)
        await pilot.press("v", "k")
        await settle(pilot)
        await burst(pilot, "p", "enter", "a", "enter", *"ref 12345, deductible met", "enter")
        await settle(pilot)
        assert app.screen is screen
        coverage = ui_store.accounts.get(screen.patient_id).coverages[0]
        assert (coverage.verified_how, coverage.verified_by) == ("phone", "tester")
        assert coverage.verification_result == "Active: ref 12345, deductible met"


async def test_registering_a_new_patient_gives_the_next_account_number_and_opens_it(app, ui_store):
    highest = max(int(p.account_number) for p in Patient.select(Patient.account_number))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f8")
        await settle(pilot)
        assert isinstance(app.screen, PatientForm)
        # Typed as a fast typist sends it over SSH: all at once.
        await burst(
            pilot,
            *"Lovelace", "enter", *"Ada", "enter", "enter",
            *"121085", "enter", "f", "enter", *"12 Byron Way", "enter", "enter",
            *"Springfield", "enter", *"il", "enter", *"62704", "enter",
            *"2175550142", "ctrl+s",
        )  # fmt: skip
        screen = app.screen
        assert isinstance(screen, AccountScreen)
        details = ui_store.accounts.patient_details(screen.patient_id)
        assert int(details.account_number) == highest + 1
        assert (details.last_name, details.dob, details.sex) == (
            "Lovelace",
            dt.date(1985, 12, 10),
            "F",
        )
        assert (details.state, details.zip, details.phone) == ("IL", "62704", "2175550142")
        assert f"Acct {details.account_number}" in str(screen.query_one("#who").content)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert queue_screen(pilot) is app.screen


def test_every_key_of_the_forms_has_an_id_and_a_description():
    from billing_tui.screens.coverage_end import EndCoverageDialog
    from billing_tui.screens.coverage_verify import VerifyCoverageDialog
    from billing_tui.screens.patient_actions import PATIENT_BINDINGS

    bindings = [*PATIENT_BINDINGS, *PatientConflictDialog.BINDINGS]
    for form in (PatientForm, CoverageForm, EndCoverageDialog, VerifyCoverageDialog):
        bindings += form._merge_bindings().key_to_bindings.get("ctrl+s", [])
        bindings += form._merge_bindings().key_to_bindings.get("escape", [])
    assert len(bindings) == len(PATIENT_BINDINGS) + 2 + 8
    for binding in bindings:
        assert binding.id and binding.description, binding.key
        assert not binding.key.startswith(("alt+", "ctrl+shift+")), binding.key
