"""The statements screen, the run's confirmation and an account's statements at 80x24, on the
fixed practice and day. Look at each SVG before --snapshot-update."""

from __future__ import annotations

from pathlib import Path

import pytest
from ui_helpers import settle

from billing_tui.app import make_app
from billing_tui.config import Settings
from billing_tui.screens.statement_dialogs import AccountStatementsDialog
from billing_tui.screens.statements import StatementsScreen

SIZE = (80, 24)


@pytest.fixture
def documents_app(ui_store, tmp_path, monkeypatch):
    """The documents folder as a relative path: the same words on every run."""
    monkeypatch.chdir(tmp_path)
    return make_app(ui_store, Settings(database="billing.db", documents=Path("documents")))


async def open_statements(pilot) -> None:
    await settle(pilot)
    await pilot.app.push_screen(StatementsScreen())
    await settle(pilot)


def test_the_statements_due_with_a_preview(documents_app, ui_store, snap_compare):
    due = ui_store.statements.candidates()
    row = next(n for n, c in enumerate(due) if ui_store.statements.preview(c.patient_id).cycle == 3)

    async def final_notice(pilot):
        await open_statements(pilot)
        await pilot.press(*["down"] * row)  # the first final notice
        await settle(pilot)

    assert snap_compare(documents_app, terminal_size=SIZE, run_before=final_notice)


def test_the_run_s_confirmation(documents_app, snap_compare):
    async def confirm(pilot):
        await open_statements(pilot)
        await pilot.press("p")
        await settle(pilot)

    assert snap_compare(documents_app, terminal_size=SIZE, run_before=confirm)


def test_an_account_s_statements(documents_app, ui_store, snap_compare):
    candidate = next(c for c in ui_store.statements.candidates() if c.last_statement)

    async def statements(pilot):
        await settle(pilot)
        dialog = AccountStatementsDialog(candidate.patient_id, candidate.name.upper())
        await pilot.app.push_screen(dialog)
        await settle(pilot)

    assert snap_compare(documents_app, terminal_size=SIZE, run_before=statements)
