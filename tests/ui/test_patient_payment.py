"""Taking a patient's payment at the desk: a card kept as its last 4, a receipt PDF, a reversal."""

from __future__ import annotations

import pytest
from ui_helpers import settle

from billing_tui.screens.account import AccountScreen
from billing_tui.screens.patient_payment import PatientPaymentDialog, PaymentsDialog
from billing_tui.store.models import AccountSummary, Payment
from billing_tui.widgets.key_bar import KeyBar


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # receipts go to the current directory
    return tmp_path


def owing(store) -> tuple[int, int]:
    """An account with a patient balance: its id and that balance."""
    row = (
        AccountSummary.select()
        .where(AccountSummary.patient_balance_cents > 0)
        .order_by(AccountSummary.patient_balance_cents.desc())
        .first()
    )
    assert row is not None, "the sample practice has an account with a patient balance"
    return row.patient_id, row.patient_balance_cents


def balance(store, patient_id: int) -> int:
    return AccountSummary.get_by_id(patient_id).patient_balance_cents


async def open_account(pilot, patient_id: int) -> AccountScreen:
    await settle(pilot)
    screen = AccountScreen(patient_id)
    pilot.app.push_screen(screen)
    await settle(pilot)
    assert pilot.app.screen is screen
    return screen


async def pay_by_card(pilot, card: str) -> None:
    await pilot.press("p")
    await settle(pilot)
    assert isinstance(pilot.app.screen, PatientPaymentDialog)
    await pilot.press(*"10.00", "enter", "d", "enter")  # amount, method card
    await pilot.press(*card, "enter", "enter")  # card number, brand blank
    await pilot.press(*"ab12c", "enter")  # auth code: posts
    await settle(pilot)


async def test_a_card_payment_keeps_only_the_last_4_and_writes_a_receipt(app, ui_store, in_tmp):
    patient_id, owed = owing(ui_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_account(pilot, patient_id)
        before = Payment.select().count()
        await pay_by_card(pilot, "4111 1111 1111 1111")
        assert isinstance(app.screen, AccountScreen)
        assert Payment.select().count() == before + 1
        payment = Payment.select().order_by(Payment.id.desc()).first()
        assert payment.patient_id == patient_id
        assert (payment.method, payment.amount_cents) == ("card", 1000)
        assert (payment.card_brand, payment.card_last4, payment.auth_code) == (
            "Visa",
            "1111",
            "AB12C",
        )
        row = " ".join(str(value) for value in payment.__data__.values())
        assert "4111111111111111" not in row.replace(" ", "")
        assert balance(ui_store, patient_id) == owed - min(owed, 1000)
        receipt = in_tmp / f"receipt-R-{payment.id:06d}.pdf"
        assert receipt.exists()
        assert receipt.read_bytes().startswith(b"%PDF")
    assert ui_store.verify().ok


async def test_a_card_number_that_fails_its_check_digit_is_refused(app, ui_store, in_tmp):
    patient_id, owed = owing(ui_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_account(pilot, patient_id)
        before = Payment.select().count()
        await pilot.press("p")
        await settle(pilot)
        await pilot.press(*"10.00", "enter", "d", "enter", *"4111 1111 1111 1112", "enter")
        dialog = app.screen
        assert isinstance(dialog, PatientPaymentDialog)
        assert dialog.focused.id == "card"
        message = str(dialog.query_one("#message").render())
        assert "fails its check digit" in message
        await pilot.press("ctrl+s")  # saving from anywhere checks it again
        await settle(pilot)
        assert app.screen is dialog
        assert Payment.select().count() == before
        assert balance(ui_store, patient_id) == owed
        assert not list(in_tmp.glob("receipt-*.pdf"))


async def test_letters_in_the_amount_stay_at_the_amount(app, ui_store):
    patient_id, _ = owing(ui_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_account(pilot, patient_id)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press(*"ten", "enter")
        dialog = app.screen
        assert isinstance(dialog, PatientPaymentDialog)
        assert dialog.focused.id == "amount"
        assert "not an amount" in str(dialog.query_one("#message").render())


async def test_a_card_payment_without_an_auth_code_is_refused(app, ui_store):
    patient_id, _ = owing(ui_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_account(pilot, patient_id)
        before = Payment.select().count()
        await pilot.press("p")
        await settle(pilot)
        await pilot.press(*"5", "enter", "d", "enter", *"1111", "enter", *"visa", "enter")
        await pilot.press("ctrl+s")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PatientPaymentDialog)
        assert dialog.focused.id == "auth"
        assert Payment.select().count() == before


async def test_a_cash_payment_posts_on_enter_from_the_method(app, ui_store, in_tmp):
    patient_id, owed = owing(ui_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_account(pilot, patient_id)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press(*"2.50", "enter", "c", "enter")
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)
        payment = Payment.select().order_by(Payment.id.desc()).first()
        assert (payment.method, payment.amount_cents) == ("cash", 250)
        assert balance(ui_store, patient_id) == owed - 250


async def test_reversing_from_the_payments_dialog_restores_the_balance(app, ui_store, in_tmp):
    patient_id, owed = owing(ui_store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_account(pilot, patient_id)
        await pay_by_card(pilot, "4111111111111111")
        paid = Payment.select().order_by(Payment.id.desc()).first()
        assert balance(ui_store, patient_id) < owed
        await pilot.press("y")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PaymentsDialog)
        assert dialog.highlighted.id == paid.id  # newest first
        await pilot.press("p")  # the receipt again
        await settle(pilot)
        assert (in_tmp / f"receipt-R-{paid.id:06d}.pdf").exists()
        await pilot.press("r", *"wrong account", "enter")
        await settle(pilot)
        assert balance(ui_store, patient_id) == owed
        assert ui_store.posting.payment(paid.id).reversed_by is not None
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert screen.view.patient is not None
    assert ui_store.verify().ok


async def test_refunding_an_overpayment_credit(app, ui_store, in_tmp):
    patient_id, owed = owing(ui_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_account(pilot, patient_id)
        await pilot.press("p")
        await settle(pilot)
        amount = f"{(owed + 500) / 100:.2f}"
        await pilot.press(*amount, "enter", "k", "enter", *"1001", "enter")
        await settle(pilot)
        assert ui_store.posting.credit(patient_id) == 500
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, PaymentsDialog)
        await pilot.press("f", "k", "enter", *"2002", "enter", *"overpaid", "enter")
        await settle(pilot)
        assert ui_store.posting.credit(patient_id) == 0
    assert ui_store.verify().ok


async def test_the_account_key_bar_keeps_to_80_columns_on_the_ledger_and_claims(app, ui_store):
    patient_id, _ = owing(ui_store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_account(pilot, patient_id)
        for tab in "12":
            await pilot.press(tab)
            await settle(pilot)
            assert len(str(screen.query_one(KeyBar).render()).rstrip()) <= 80
