"""The patient's record at 80x24: the patient form, the coverage form, the coverages with their
cursor. Look at each SVG (as a PNG) before --snapshot-update."""

from __future__ import annotations

from ui_helpers import settle

SIZE = (80, 24)


async def _open_account(pilot) -> None:
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


def test_the_patient_form_with_a_wrong_zip(app, snap_compare):
    async def edit(pilot):
        await _open_account(pilot)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press(*["enter"] * 9, *"1234", "enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=edit)


def test_the_coverage_form(app, snap_compare):
    async def edit(pilot):
        await _open_account(pilot)
        await pilot.press("v", "enter")
        await settle(pilot)
        await pilot.press("enter", "ctrl+a", "ctrl+k", *"SCI-197", "enter")  # the member ID
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=edit)


def test_the_coverages_with_their_cursor(app, snap_compare):
    async def coverages(pilot):
        await settle(pilot)
        await pilot.press(*"10000008", "enter")  # a Medicare primary with a secondary
        await settle(pilot)
        await pilot.press("v", "down")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=coverages)
