"""Each screen at 80x24 on the fixed practice and day. Look at the SVG before --snapshot-update."""

from __future__ import annotations

from ui_helpers import settle

SIZE = (80, 24)


def test_the_queue(app, snap_compare):
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_the_queue_with_a_search(app, snap_compare):
    async def search(pilot):
        await settle(pilot)
        await pilot.press(*"mor", "down")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=search)


def test_the_account_ledger(app, snap_compare):
    async def open_account(pilot):
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=open_account)


def test_the_add_note_dialog(app, snap_compare):
    async def add_note(pilot):
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("enter", "enter", *"left message", "enter", *"asked for the EOB")
        await pilot.press("enter", *"13/45/26", "enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=add_note)


def test_the_keys_of_the_queue(app, snap_compare):
    async def keys(pilot):
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=keys)
