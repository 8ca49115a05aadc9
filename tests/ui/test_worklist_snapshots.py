"""The worklists, the match dialog and the ERA import preview at 80x24, on the fixed practice
and day. Look at each SVG before --snapshot-update."""

from __future__ import annotations

import datetime as dt

import pytest
from test_worklists import denied, import_answers, paid, stray, unpaid_claims, write_era
from ui_helpers import settle

from billing_tui.screens.era_import import EraImportScreen
from billing_tui.store.models import WorkItem

SIZE = (80, 24)
OPENED = dt.datetime(2026, 11, 17, 12, 0)  # UTC noon: the same local date almost anywhere


@pytest.fixture
def worked(ui_store, tmp_path):
    """A denial and an unmatched ERA claim, opened a week before the practice's today."""
    claims = import_answers(ui_store, tmp_path)
    WorkItem.update(opened_at=OPENED).execute()
    return claims


async def open_worklists(pilot):
    await settle(pilot)
    await pilot.press("f10")
    await settle(pilot)


def test_the_denials(app, worked, snap_compare):
    assert snap_compare(app, terminal_size=SIZE, run_before=open_worklists)


def test_matching_an_era_exception(app, worked, snap_compare):
    async def match(pilot):
        await open_worklists(pilot)
        await pilot.press("2", "m")
        await settle(pilot)
        await pilot.press(*worked["unmatched"].claim_number, "enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=match)


def test_the_era_import_preview(app, ui_store, tmp_path, monkeypatch, snap_compare):
    payable, denial, unmatched = unpaid_claims(3)
    write_era(tmp_path, [paid(payable), denied(denial), stray(unmatched)])
    monkeypatch.chdir(tmp_path)  # a relative path: the same on every run

    async def preview(pilot):
        await settle(pilot)
        await pilot.app.push_screen(EraImportScreen())
        await settle(pilot)
        await pilot.press(*"era.835", "enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=preview)
