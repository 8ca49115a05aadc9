"""The account screen: tabs, adding a note with a follow-up, marking a follow-up done."""

from __future__ import annotations

import datetime as dt

from ui_helpers import TODAY, burst, queue_screen, settle

from billing_tui.screens.account import AccountScreen
from billing_tui.screens.note import AddNoteDialog
from billing_tui.screens.queue import QueueScreen
from billing_tui.widgets.account_tables import LedgerTable, NotesTable
from billing_tui.widgets.fields import Field


async def open_first_account(pilot) -> AccountScreen:
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, AccountScreen)
    return screen


async def test_the_account_shows_its_ledger_with_running_balances(app, ui_store):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_first_account(pilot)
        view = ui_store.accounts.get(screen.patient_id)
        ledger = screen.query_one(LedgerTable)
        assert ledger.records == list(view.ledger)
        assert ledger.cursor_row == len(view.ledger) - 1  # the latest entry
        for key, tab in (("2", "claims"), ("v", "coverages"), ("o", "notes"), ("l", "ledger")):
            await pilot.press(key)
            assert screen.query_one("TabbedContent").active == tab


async def test_adding_a_note_with_a_follow_up_saves_it(app, ui_store):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_first_account(pilot)
        before = len(ui_store.accounts.get(screen.patient_id).notes)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, AddNoteDialog)
        await pilot.press("c", "enter", "o", "enter")  # kind call, direction out
        await pilot.press(*"left message", "enter", *"asked for the EOB", "enter")
        await pilot.press(*"120126", "enter", "enter")  # follow-up 12/01/2026, assignee blank
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)
        notes = ui_store.accounts.get(screen.patient_id).notes
        assert len(notes) == before + 1
        note = notes[0]
        assert (note.kind, note.direction, note.outcome) == ("call", "out", "left message")
        assert note.text == "asked for the EOB"
        assert note.follow_up == dt.date(2026, 12, 1)
        assert screen.query_one("TabbedContent").active == "notes"
        assert screen.query_one(NotesTable).highlighted.id == note.id


async def test_a_follow_up_due_today_moves_the_account_to_the_top_of_the_queue(app, ui_store):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("end")  # the last account of the first page: no follow-up due
        await settle(pilot)
        account = queue_screen(pilot).table.highlighted
        assert not account.follow_up_due
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("enter", "enter", "enter", *"call back today", "enter")
        await pilot.press(*TODAY.strftime("%m%d%y"), "enter", "enter")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        due = [row for row in queue_screen(pilot).table.records if row.follow_up_due]
        assert account.patient_id in [row.patient_id for row in due]


async def test_an_unreadable_follow_up_date_says_so_and_saves_nothing(app, ui_store):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_first_account(pilot)
        before = len(ui_store.accounts.get(screen.patient_id).notes)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("enter", "enter", "enter", *"promised to pay", "enter")
        await pilot.press(*"13/45/26", "enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AddNoteDialog)
        assert app.focused.id == "follow-up"
        message = str(dialog.query_one("#message").render())
        assert "Follow-up" in message and "13/45/26" in message
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AddNoteDialog)
        assert len(ui_store.accounts.get(screen.patient_id).notes) == before
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)
        assert len(ui_store.accounts.get(screen.patient_id).notes) == before


async def test_a_note_typed_in_one_burst_lands_field_by_field(app, ui_store):
    """SSH delivers fast typing in bursts; every key must still reach its own field."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        patient_id = queue_screen(pilot).table.highlighted.patient_id
        await burst(
            pilot,
            "enter",
            "n",
            "e",
            "enter",
            "i",
            "enter",
            *"spoke with wife",
            "enter",
            *"will mail the EOB",
            "enter",
            *"12/01/26",
            "enter",
            "enter",
        )
        assert isinstance(app.screen, AccountScreen)
        note = ui_store.accounts.get(patient_id).notes[0]
        assert (note.kind, note.direction) == ("email", "in")
        assert (note.outcome, note.text) == ("spoke with wife", "will mail the EOB")
        assert note.follow_up == dt.date(2026, 12, 1)


async def test_f_marks_the_highlighted_follow_up_done(app, ui_store):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_first_account(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("enter", "enter", "enter", *"check the appeal", "enter")
        await pilot.press(*"12/15/26", "enter", "enter")
        await settle(pilot)
        note = ui_store.accounts.get(screen.patient_id).notes[0]
        assert not note.done
        await pilot.press("f")
        await settle(pilot)
        assert ui_store.accounts.get(screen.patient_id).notes[0].done
        assert not screen.check_action("follow_up_done", ())


async def test_every_field_of_the_note_dialog_is_one_line_without_a_blinking_cursor(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_first_account(pilot)
        await pilot.press("n")
        await settle(pilot)
        fields = list(app.screen.query(Field))
        assert fields and all(not f.cursor_blink and f.size.height == 1 for f in fields)
