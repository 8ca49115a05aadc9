"""A Store that refuses or fails shows a dialog a person can act on, never a traceback."""

from __future__ import annotations

from ui_helpers import settle

from billing_tui.screens.errors import ErrorDialog
from billing_tui.screens.queue import QueueScreen
from billing_tui.store import DatabaseUnavailable, StoreConflict, StoreRefused


def refuse(error: Exception):
    def call(*args, **kwargs):
        raise error

    return call


async def test_a_failed_account_read_becomes_a_dialog(app, ui_store, monkeypatch):
    monkeypatch.setattr(ui_store.accounts, "get", refuse(DatabaseUnavailable("the server is down")))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert app.screen.title_text == "Database unavailable"
        assert "The server is down." in app.screen.message
        await pilot.press("enter")
        await pilot.press("escape")  # back from the account that could not open
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)


async def test_a_failed_search_becomes_a_dialog_and_the_queue_still_works(app, ui_store):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        real_page = ui_store.queue.page
        ui_store.queue.page = refuse(StoreConflict("someone else changed it"))
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert app.screen.title_text == "Changed by someone else"
        ui_store.queue.page = real_page
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert app.screen.table.row_count == 50


async def test_a_refused_note_keeps_the_dialog_and_says_why(app, ui_store, monkeypatch):
    monkeypatch.setattr(ui_store.accounts, "add_note", refuse(StoreRefused("no user 'bob'")))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("enter", "enter", "enter", *"hello", "enter", "enter", *"bob", "enter")
        await settle(pilot)
        message = str(app.screen.query_one("#message").render())
        assert type(app.screen).__name__ == "AddNoteDialog"
        assert "Not saved: no user 'bob'" in message


async def test_an_unexpected_error_shows_its_kind_not_its_text(app, ui_store, monkeypatch):
    monkeypatch.setattr(ui_store.accounts, "get", refuse(KeyError("SMITH, JOHN 01/02/1960")))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert "KeyError" in app.screen.message
        assert "SMITH" not in app.screen.message  # patient data never goes on an error
