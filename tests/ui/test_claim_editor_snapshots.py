"""The claim editor at 80x24: a claim typed in with a finding, diagnosis suggestions from words,
a sent claim's history. Look at each SVG (as a PNG) before --snapshot-update."""

from __future__ import annotations

from ui_helpers import settle

from billing_tui.store.models import Claim

SIZE = (80, 24)


async def _new_claim(pilot) -> None:
    await settle(pilot)
    await pilot.press("f7")
    await settle(pilot)


def test_a_claim_typed_in_with_a_telehealth_finding(app, snap_compare):
    async def typed(pilot):
        await _new_claim(pilot)
        await pilot.press(*"J069", "enter", *"I10", "enter", "enter")
        await pilot.press(*"112426", "enter", *"99213", "enter", *"95", "enter", "1", "2")
        await pilot.press("enter", "enter", "enter", "enter", *"36415", "enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=typed)


def test_diagnosis_suggestions_from_words(app, snap_compare):
    async def words(pilot):
        await _new_claim(pilot)
        await pilot.press(*"strep throat")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=words)


def test_a_sent_claims_history(app, snap_compare):
    async def history(pilot):
        await settle(pilot)
        claim = Claim.select().where(Claim.status == "paid").order_by(Claim.id).first()
        from billing_tui.screens.claim_editor import ClaimEditor

        pilot.app.push_screen(ClaimEditor(claim_id=claim.id))
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=history)
