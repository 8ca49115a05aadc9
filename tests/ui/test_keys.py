"""Keys: F1 lists every key of the screen, the command palette its actions, the keymap rebinds."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.widgets import DataTable, Input
from ui_helpers import settle

from billing_tui.app import make_app
from billing_tui.config import Settings
from billing_tui.screens.account import AccountScreen
from billing_tui.screens.help import HelpScreen
from billing_tui.screens.queue import QueueScreen


def help_lines(screen: HelpScreen) -> list[str]:
    table = screen.query_one(DataTable)
    return [
        " ".join(str(cell).strip() for cell in table.get_row_at(i)) for i in range(table.row_count)
    ]


def palette_prompts(palette: CommandPalette) -> list[str]:
    """The commands listed, without the key shown under each."""
    options = palette.query_one("CommandList").options
    return [str(option.prompt).splitlines()[0] for option in options]


async def test_f1_lists_the_keys_of_the_queue(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        lines = help_lines(app.screen)
        for expected in (
            "F2 filter by age of the oldest open charge queue.filter_age",
            "F5 only follow-ups due (on/off) queue.follow_ups_due",
            "Enter open the highlighted account queue.open",
            "PgDn a screenful down queue.page_down",
            "^q quit billing-tui app.quit",
            "^p search this screen's commands app.commands",
        ):
            assert expected in lines
        await pilot.press("escape")
        assert isinstance(app.screen, QueueScreen)


async def test_f1_on_the_account_lists_its_own_keys(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        lines = help_lines(app.screen)
        assert any(line.startswith("n add a note or contact") for line in lines)
        assert "4 o show the notes account.notes" in lines
        assert not any("filter by age" in line for line in lines)


async def test_the_command_palette_lists_the_screens_actions(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        assert not any(field.cursor_blink for field in app.screen.query(Input))  # bytes at idle
        await pilot.press(*"payer")
        await settle(pilot)
        prompts = palette_prompts(app.screen)
        assert "Queue: filter by primary payer" in prompts
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "ChoiceDialog"


async def test_the_palette_on_the_account_offers_adding_a_note(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+p", *"note")
        await settle(pilot)
        prompts = palette_prompts(app.screen)
        assert "Account: add a note or contact" in prompts
        assert not any(p.startswith("Queue:") for p in prompts)


async def test_settings_keymap_rebinds_by_binding_id(ui_store):
    app = make_app(ui_store, Settings(database="unused", keymap={"queue.filter_flag": "f8"}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f8")
        await settle(pilot)
        assert type(app.screen).__name__ == "ChoiceDialog"


async def test_every_binding_has_an_id_and_a_description():
    from billing_tui.app import BillingApp
    from billing_tui.screens import choice, errors, help, note

    for owner in (
        BillingApp,
        QueueScreen,
        AccountScreen,
        note.AddNoteDialog,
        choice.ChoiceDialog,
        errors.ErrorDialog,
        help.HelpScreen,
    ):
        for binding in owner.BINDINGS:
            assert binding.id and binding.description, (owner.__name__, binding.key)
            for key in binding.key.split(","):
                assert not key.startswith(("alt+", "ctrl+shift+")), key
                assert key not in ("ctrl+h", "ctrl+i", "ctrl+m"), key
