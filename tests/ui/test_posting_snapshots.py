"""Payment posting at 80x24: the batch list with an open batch on top, a batch with a paper EOB
half typed, the new-batch dialog refusing a control total. Look at each SVG (as a PNG) before
--snapshot-update."""

from __future__ import annotations

from ui_helpers import TODAY, settle

from billing_tui.store.records import BatchDraft

SIZE = (80, 24)


def _open_batches(pilot) -> None:
    """An insurance check (nothing posted yet) and a day's patient payments, both open."""
    store = pilot.app.store
    payer = next(p.id for p in store.accounts.payers() if p.name.startswith("Bluewater"))
    store.posting.open_batch(BatchDraft("patient", TODAY, 7_500))
    store.posting.open_batch(BatchDraft("insurance", TODAY, 20_200, payer, "check", "600123"))


def test_the_batch_list_open_batches_first(app, snap_compare):
    async def batches(pilot):
        await settle(pilot)
        _open_batches(pilot)
        await pilot.press("f9")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=batches)


def test_a_batch_with_an_eob_half_typed(app, snap_compare):
    async def half_typed(pilot):
        await settle(pilot)
        _open_batches(pilot)
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("enter")  # the check: the newest open batch
        await settle(pilot)
        await pilot.press(*"10000010-1", "enter")
        await settle(pilot)
        await pilot.press(*"180", "enter", *"20p", "enter", *"10", "enter", "enter", *"4")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=half_typed)


def test_the_new_batch_dialog_refusing_a_control_total(app, snap_compare):
    async def dialog(pilot):
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("enter", "e", "enter", "s")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*"EFT0042", "enter", "enter", *"12.345", "enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=dialog)
