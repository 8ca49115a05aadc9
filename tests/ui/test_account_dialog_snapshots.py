"""The patient-side dialogs at 80x24 on the fixed practice and day: a plan with its schedule,
a write-off over the approval limit, and the approvals waiting. Look at each SVG before
--snapshot-update."""

from __future__ import annotations

import datetime as dt

from ui_helpers import settle

from billing_tui.screens.account import AccountScreen
from billing_tui.screens.approval_list import ApprovalsScreen
from billing_tui.store.models import AccountSummary, AdjustmentRequest

SIZE = (80, 24)


def owing() -> int:
    return (
        AccountSummary.select(AccountSummary.patient)
        .where(AccountSummary.patient_balance_cents >= 10_000)
        .order_by(AccountSummary.patient_balance_cents.desc(), AccountSummary.patient)
        .scalar()
    )


def on_account(*keys: str):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.push_screen(AccountScreen(owing()))
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)

    return run_before


def test_a_plan_with_its_schedule(app, snap_compare):
    keys = ("g", "enter", *"40.00", "enter", *"010127", "enter")
    assert snap_compare(app, terminal_size=SIZE, run_before=on_account(*keys))


def test_a_write_off_over_the_approval_limit(app, snap_compare):
    keys = ("w", "h", "enter", *"75.00", "enter", *"lost their job")
    assert snap_compare(app, terminal_size=SIZE, run_before=on_account(*keys))


def test_the_approvals_waiting(app, ui_store, snap_compare):
    patient_id = owing()
    ui_store.users.act_as("kduong")  # a specialist asks; the supervisor's screen shows them
    for amount, reason in ((7_500, "lost their job"), (6_000, "long-time patient")):
        ui_store.adjustments.write_off(patient_id, amount, category="hardship", reason=reason)
    ui_store.users.act_as("abrennan")
    with ui_store.db.atomic():  # the requests' stamps are the wall clock's: fix them
        AdjustmentRequest.update(requested_at=dt.datetime(2026, 11, 24, 15, 0)).execute()

    async def run_before(pilot):
        await settle(pilot)
        pilot.app.push_screen(ApprovalsScreen())
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
