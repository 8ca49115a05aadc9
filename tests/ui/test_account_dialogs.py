"""The patient side from the account, typed as a specialist types it: a payment plan (g),
a write-off or waiver (w) and the supervisor's approvals, collections (b), a letter or an
email (t)."""

from __future__ import annotations

import pytest
from ui_helpers import settle

from billing_tui.app import make_app
from billing_tui.config import EmailSettings, Settings
from billing_tui.screens.account import AccountScreen
from billing_tui.screens.approval_list import ApprovalsScreen
from billing_tui.screens.collections import CollectionsDialog
from billing_tui.screens.letters import LetterDialog
from billing_tui.screens.payment_plan import PlanDialog, PlanEndDialog
from billing_tui.screens.write_off import WriteOffDialog
from billing_tui.store.models import (
    AccountSummary,
    AdjustmentRequest,
    LedgerEntry,
    OutboundMessage,
    PaymentPlan,
    User,
)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        database="billing.db",
        documents=tmp_path / "documents",
        email=EmailSettings(outbox=tmp_path / "outbox", sender="billing@example.com"),
    )


@pytest.fixture
def app(ui_store, settings):
    return make_app(ui_store, settings)


def owing(minimum: int = 10_000) -> tuple[int, int]:
    """An account whose patient balance is at least `minimum`, with an address."""
    row = (
        AccountSummary.select()
        .where(AccountSummary.patient_balance_cents >= minimum)
        .order_by(AccountSummary.patient_balance_cents.desc())
        .first()
    )
    assert row is not None
    return row.patient_id, row.patient_balance_cents


def message(dialog) -> str:
    return str(dialog.query_one("#message").render())


def detail(dialog) -> str:
    return str(dialog.query_one("#detail").render())


def act_as(store, username: str, role: str) -> None:
    with store.db.atomic():
        User.get_or_create(username=username, defaults={"name": username, "role": role})
    store.session.username = username
    store.session._user_id = None


async def open_account(pilot, patient_id: int) -> AccountScreen:
    await settle(pilot)
    screen = AccountScreen(patient_id)
    pilot.app.push_screen(screen)
    await settle(pilot)
    return screen


async def test_a_plan_typed_in_shows_its_schedule_and_is_agreed(app, ui_store):
    patient_id, owed = owing()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_account(pilot, patient_id)
        await pilot.press("g")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PlanDialog)
        await pilot.press("enter", *"25.00", "enter", *"010127")  # total as owed
        await settle(pilot)
        assert "1  01/01/2027       25.00" in detail(dialog)
        await pilot.press("enter", "enter", *"2", "enter")  # monthly; 2 instalments
        await settle(pilot)
        assert "2 instalments of 25.00 make 50.00" in message(dialog)
        assert not PaymentPlan.select().exists()
        await pilot.press("backspace", "enter")  # as many as it takes: saves
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)
        plan = PaymentPlan.get()
        assert (plan.total_cents, plan.instalment_cents, plan.patient_id) == (
            owed,
            2_500,
            patient_id,
        )
        assert "Plan due 01/01/2027" in str(app.screen.query_one("#balances").render())
        await pilot.press("g")  # now the plan as it stands, to end it
        await settle(pilot)
        assert isinstance(app.screen, PlanEndDialog)
        await pilot.press("enter", "enter")  # no reason
        await settle(pilot)
        assert "why the plan ends" in message(app.screen)
        await pilot.press(*"patient asked", "enter")
        await settle(pilot)
    assert PaymentPlan.get().status == "cancelled"


async def test_a_write_off_under_the_limit_posts_and_over_it_waits_for_approval(app, ui_store):
    act_as(ui_store, "kduong", "specialist")
    patient_id, owed = owing(10_000)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_account(pilot, patient_id)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, WriteOffDialog)
        await pilot.press("enter", *"10.00", "enter", *"small balance", "enter")
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)
        assert AccountSummary.get_by_id(patient_id).patient_balance_cents == owed - 1_000
        await pilot.press("w")
        await settle(pilot)
        dialog = app.screen
        await pilot.press("h", "enter", *"60.00")  # hardship, over the 50.00 limit
        await settle(pilot)
        assert "wait for a supervisor" in detail(dialog)
        before = LedgerEntry.select().count()
        await pilot.press("enter", *"lost job", "enter")
        await settle(pilot)
        assert LedgerEntry.select().count() == before
        request = AdjustmentRequest.get(AdjustmentRequest.status == "pending")
        assert request.amount_cents == 6_000

        app.push_screen(ApprovalsScreen())
        await settle(pilot)
        approvals = app.screen
        assert [r.id for r in approvals.table.records] == [request.id]
        await pilot.press("a")  # a specialist: refused, in the Store's words
        await settle(pilot)
        assert "needs a supervisor" in str(approvals.query_one("#approvals-message").render())
        act_as(ui_store, "boss", "supervisor")
        await pilot.press("a")
        await settle(pilot)
        assert "approved and posted" in str(approvals.query_one("#approvals-message").render())
        assert approvals.table.records == []
    assert AccountSummary.get_by_id(patient_id).patient_balance_cents == owed - 7_000
    assert ui_store.verify().ok


async def test_collections_for_a_specialist_is_refused_with_the_reason(app, ui_store):
    act_as(ui_store, "kduong", "specialist")
    patient_id, _ = owing()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_account(pilot, patient_id)
        await pilot.press("b")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CollectionsDialog)
        await pilot.press(*"Acme Recovery", "enter", *"no answer", "enter")
        await settle(pilot)
        assert app.screen is dialog
        assert "needs a supervisor" in message(dialog)
        assert "Acme Recovery" in dialog.value("agency")  # what was typed stays


async def test_a_letter_prints_and_an_email_goes_to_the_outbox(app, ui_store, settings):
    patient_id, _ = owing()
    with ui_store.db.atomic():
        from billing_tui.store.models import Patient

        Patient.update(email="someone@example.com").where(Patient.id == patient_id).execute()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_account(pilot, patient_id)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, LetterDialog)
        await pilot.press("enter", "enter")  # balance reminder, as a letter
        await settle(pilot)
        (letter,) = settings.documents.glob("letter-balance-reminder-*.pdf")
        assert letter.read_bytes().startswith(b"%PDF")
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("enter", "e", "enter")  # as an email
        await settle(pilot)
    (eml,) = settings.email.outbox.glob("*.eml")
    assert b"Subject:" in eml.read_bytes()
    assert {m.channel for m in OutboundMessage.select()} == {"letter", "email"}
