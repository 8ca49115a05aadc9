"""The statements screen and an account's statements, on the sample practice: the accounts due
in mailing order, the highlighted account's statement to the cent, the minimum balance, a run
printed (and a second one refused while it prints), a reprint, and refusals on the message
line. PDFs go to the documents folder of the data directory, under tmp_path here."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading

import pytest
from ui_helpers import burst, settle

from billing_tui.domain.money import format_cents
from billing_tui.domain.statements import (
    PLAN_BEHIND_MESSAGE,
    AccountItem,
    Party,
    PlanSummary,
    StatementContent,
    StatementLine,
    StatementVisit,
    aging,
)
from billing_tui.screens import statements as statements_screen
from billing_tui.screens.account import AccountScreen
from billing_tui.screens.queue import QueueScreen
from billing_tui.screens.statement_dialogs import (
    AccountStatementsDialog,
    MinimumBalanceDialog,
    PrintRunDialog,
    RunResultDialog,
    StatementPreview,
    preview_text,
)
from billing_tui.screens.statements import StatementsScreen
from billing_tui.store.models import Patient, Statement, StatementRun


@pytest.fixture(autouse=True)
def documents(tmp_path, monkeypatch):
    """The app has no settings in these tests: PDFs go to the data directory's documents."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data" / "billing-tui" / "documents"


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


def preview_of(screen) -> str:
    return str(screen.query_one(StatementPreview).query_one("Static").render())


async def open_statements(pilot) -> StatementsScreen:
    await settle(pilot)
    screen = StatementsScreen()
    pilot.app.push_screen(screen)
    await settle(pilot)
    assert pilot.app.screen is screen
    return screen


async def open_account_statements(pilot, patient_id: int) -> AccountStatementsDialog:
    await settle(pilot)
    dialog = AccountStatementsDialog(patient_id, "THE PATIENT")
    pilot.app.push_screen(dialog)
    await settle(pilot)
    assert pilot.app.screen is dialog
    return dialog


def without_address(candidates):
    """One of the accounts (billed to the patient, no guarantor) loses its street address."""
    homeless = next(
        (c for c in candidates if Patient.get_by_id(c.patient_id).guarantor_id is None), None
    )
    assert homeless is not None, "the sample has a candidate with no guarantor"
    Patient.update(address1="").where(Patient.id == homeless.patient_id).execute()
    return homeless


def recorded() -> int:
    return Statement.select().where(Statement.run.is_null(False)).count()


# --------------------------------------------------------------------------- the list


async def test_the_screen_lists_the_accounts_due_in_mailing_order(app, ui_store):
    due = ui_store.statements.candidates()
    assert len(due) > 10, "the sample practice has accounts due a statement"
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_statements(pilot)
        assert screen.table.records == due
        balances = format_cents(sum(c.patient_balance for c in due))
        assert text_of(screen, "#title-due") == f"{len(due)} due, {balances}"
        assert "≥ 5.00" in text_of(screen, "#title-text")
        first = due[0]
        assert first.name.upper() in text_of(screen, "#account-facts")
        assert text_of(screen, "#status-count") == f"1 of {len(due)}"
        row = str(screen.table.get_row_at(0)[0])
        assert first.account_number in row and format_cents(first.patient_balance) in row


async def test_the_preview_shows_the_highlighted_statement_to_the_cent(app, ui_store):
    due = ui_store.statements.candidates()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_statements(pilot)
        for row in (0, 1, 2):
            if row:
                await pilot.press("down")
                await settle(pilot)
            content = ui_store.statements.preview(due[row].patient_id)
            preview = screen.query_one(StatementPreview)
            assert preview.content == content
            text = preview_of(screen)
            assert f"Acct {content.account_number}" in text
            assert f"Amount due {format_cents(content.amount_due)}" in text
            assert f"Balance {format_cents(content.balance)}" in text
            assert content.recipient.name in text and content.cycle_label in text
            for visit in content.visits:
                assert visit.claim_number in text and format_cents(visit.patient_owes) in text
            aging = [line for line in text.splitlines() if line.startswith("Aging")]
            assert aging[0].split()[1:] == [format_cents(a) for a in content.aging]


async def test_fast_arrows_end_on_the_last_account_s_preview(app, ui_store):
    due = ui_store.statements.candidates()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_statements(pilot)
        await burst(pilot, *["down"] * 9)
        assert screen.table.highlighted == due[9]
        assert screen.query_one(StatementPreview).content.account_number == due[9].account_number


async def test_m_changes_the_minimum_and_the_list_follows(app, ui_store):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_statements(pilot)
        await pilot.press("m")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, MinimumBalanceDialog)
        await pilot.press(*"0", "enter")  # typing replaces the selected 5.00
        await settle(pilot)
        assert app.screen is dialog and "more than 0.00" in text_of(dialog, "#message")
        await pilot.press("backspace", *"100", "enter")
        await settle(pilot)
        assert app.screen is screen
        assert screen.min_balance == 10_000
        assert screen.table.records == ui_store.statements.candidates(min_balance=10_000)
        assert all(c.patient_balance >= 10_000 for c in screen.table.records)
        assert "≥ 100.00" in text_of(screen, "#title-text")
        assert "Minimum balance now 100.00" in text_of(screen, "#status-text")


async def test_enter_opens_the_account_and_escape_goes_back(app, ui_store):
    due = ui_store.statements.candidates()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_statements(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen) and app.screen.patient_id == due[1].patient_id
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and screen.table.highlighted == due[1]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)


# --------------------------------------------------------------------------- a run


async def test_p_prints_the_run_and_holds_back_an_account_without_an_address(
    app, ui_store, documents
):
    due = ui_store.statements.candidates()
    homeless = without_address(due[1:])
    row = due.index(homeless)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_statements(pilot)
        await pilot.press(*["down"] * row)
        await settle(pilot)
        assert "no mailing address" in preview_of(screen)
        assert "HELD" in text_of(screen, "#account-facts")
        assert str(screen.table.get_row_at(row)[0]).rstrip().endswith("held")
        await pilot.press("p")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PrintRunDialog)
        balances = format_cents(sum(c.patient_balance for c in due))
        assert f"Print {len(due)} statements, for balances of {balances}" in text_of(
            dialog, "#what"
        )
        assert str(documents) in text_of(dialog, "#where")
        await pilot.press("enter")
        await settle(pilot)
        result = app.screen
        assert isinstance(result, RunResultDialog)
        run = StatementRun.get()
        assert result.result.path.exists() and result.result.path.parent == documents
        assert result.result.path.read_bytes().startswith(b"%PDF")
        assert documents.stat().st_mode & 0o777 == 0o700
        assert f"Printed {len(due) - 1} statements" in text_of(result, "#summary")
        held = str(result.query_one("#held").query_one("Static").render())
        assert f"{homeless.account_number}  no mailing address on the account" in held
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert [c.patient_id for c in screen.table.records] == [homeless.patient_id]
        assert "Printed" in text_of(screen, "#status-text")
    rows = list(Statement.select().where(Statement.run == run.id))
    assert len(rows) == run.statements == len(due) - 1
    assert {r.patient_id for r in rows} == {c.patient_id for c in due} - {homeless.patient_id}
    assert ui_store.verify().ok


async def test_a_second_p_while_the_run_prints_is_refused(app, ui_store, monkeypatch):
    started, release = threading.Event(), threading.Event()
    real = statements_screen.print_statements

    def slow_run(*args, **kwargs):
        started.set()
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(statements_screen, "print_statements", slow_run)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_statements(pilot)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("enter")
        assert await asyncio.to_thread(started.wait, 10)
        await pilot.pause()
        assert "Printing" in text_of(screen, "#status-text")
        assert not screen.check_action("print_run", ())
        await pilot.press("p", "escape", "down")  # p and Esc are off; the list still answers
        await pilot.pause()
        assert app.screen is screen and screen.table.cursor_row == 1
        release.set()
        await settle(pilot)
        assert isinstance(app.screen, RunResultDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
    assert StatementRun.select().count() == 1


# --------------------------------------------------------------------------- one account


async def test_the_account_dialog_prints_one_then_reprints_it(app, ui_store, documents):
    candidate = ui_store.statements.candidates()[0]
    before = len(ui_store.statements.statements_of(candidate.patient_id))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_account_statements(pilot, candidate.patient_id)
        content = ui_store.statements.preview(candidate.patient_id)
        assert dialog.query_one(StatementPreview).content == content
        assert "a run would print it now" in text_of(dialog, "#next")
        await pilot.press("n")
        await settle(pilot)
        message = text_of(dialog, "#message")
        assert f"Printed 1 statement on 1 page, {format_cents(content.amount_due)} due" in message
        newest = dialog.table.records[0]
        assert len(dialog.table.records) == before + 1 and newest.reprintable
        assert newest.amount_due == content.amount_due
        assert "within 30 days" in text_of(dialog, "#next")
        await pilot.press("r")
        await settle(pilot)
        path = documents / f"statement-{newest.id}-{candidate.account_number}.pdf"
        assert path.read_bytes().startswith(b"%PDF")
        assert text_of(dialog, "#message") == f"Reprinted statement {newest.id}: {path}"
        await pilot.press("n")  # again: within the cycle
        await settle(pilot)
        refused = dialog.query_one("#message")
        assert "a statement went out on 11/24/2026, within 30 days" in str(refused.render())
        assert refused.has_class("-error")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
    assert len(ui_store.statements.statements_of(candidate.patient_id)) == before + 1


async def test_a_refused_print_and_a_reprint_without_content_say_why(app, ui_store):
    candidate = without_address([c for c in ui_store.statements.candidates() if c.last_statement])
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_account_statements(pilot, candidate.patient_id)
        assert "no mailing address" in preview_of(dialog)
        old = dialog.table.highlighted
        assert old is not None and not old.reprintable  # the sample's, kept without content
        assert "recorded without its content" in text_of(dialog, "#message")
        assert not dialog.check_action("reprint", ())
        await pilot.press("enter")  # Enter on the list says why there is no reprint
        await settle(pilot)
        assert "recorded without its content" in text_of(dialog, "#message")
        await pilot.press("n")
        await settle(pilot)
        message = dialog.query_one("#message")
        assert "Not printed" in str(message.render()) and "no mailing address" in str(
            message.render()
        )
        assert message.has_class("-error") and app.screen is dialog
    assert recorded() == 0


async def test_keys_typed_in_one_burst_change_the_minimum_then_print(app, ui_store):
    """m, the amount, Enter, then p and Enter: as fast as SSH delivers them."""
    due = ui_store.statements.candidates(min_balance=10_000)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_statements(pilot)
        await burst(pilot, "m", *"100", "enter", "p", "enter")
        assert isinstance(app.screen, RunResultDialog)
        assert app.screen.result.statements == len(due)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and screen.table.records == []
    printed = {s.patient_id for s in Statement.select().where(Statement.run.is_null(False))}
    assert printed == {c.patient_id for c in due}


async def test_the_list_holds_a_window_counts_the_rest_and_the_run_prints_them_all(
    app, ui_store, monkeypatch
):
    monkeypatch.setattr(statements_screen, "LISTED", 10)
    due = ui_store.statements.candidates()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_statements(pilot)
        assert screen.table.records == due[:10]
        balances = format_cents(sum(c.patient_balance for c in due))
        assert text_of(screen, "#title-due") == f"{len(due)} due, {balances}"
        assert text_of(screen, "#status-count") == f"1 of 10 · {len(due) - 10} more"
        await pilot.press("p")
        await settle(pilot)
        assert f"Print {len(due)} statements" in text_of(app.screen, "#what")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.result.statements == len(due)
    assert recorded() == len(due)


# --------------------------------------------------------------------------- the preview's text


def test_the_preview_text_lines_up_every_figure_of_a_statement():
    """A statement with what the sample has none of: insurance still to pay, money on the
    visit as a whole, a late fee and a payment plan."""
    office = StatementLine("99214", "Office visit, established patient", 20_000, 12_000, 4_000)
    lab = StatementLine("80053", "Comprehensive metabolic panel", 5_000, 0, 0)
    first = StatementVisit(
        "A1-1", dt.date(2026, 8, 3), "Ann Lee MD", "Acme Health", (office, lab),
        25_000, 12_500, 5_000, 1_000, 4_000, 2_500,
    )  # fmt: skip
    second = StatementVisit(
        "A1-2", dt.date(2026, 11, 2), "Ann Lee MD", "", (lab,), 5_000, 0, 0, 0, 0, 5_000
    )
    fee = AccountItem(dt.date(2026, 11, 10), "Late fee", 1_500)
    owed = [(first.dos, 2_500), (second.dos, 5_000), (fee.date, 1_500)]
    content = StatementContent(
        practice=Party("Made-up Clinic", ("1 Main St", "Town, ST 00001")),
        remit_to=Party("Made-up Clinic", ("1 Main St", "Town, ST 00001")),
        recipient=Party("Rosa Nunez", ("48 Oak Ave", "Town, ST 00001")),
        patient_name="Mateo Nunez",
        account_number="A1",
        statement_date=dt.date(2026, 11, 24),
        due_date=dt.date(2026, 12, 15),
        cycle=2,
        message=PLAN_BEHIND_MESSAGE,
        visits=(first, second),
        account_items=(fee,),
        aging=aging(owed, dt.date(2026, 11, 24)),
        balance=9_000,
        amount_due=3_000,
        how_to_pay=(),
        plan=PlanSummary(3_000, dt.date(2026, 12, 1), 1, 9_000),
    )
    lines = preview_text(content, 77).plain.splitlines()
    assert all(len(line) <= 77 for line in lines if not line.startswith("Cycle"))
    assert "Amount due 30.00 · Balance 90.00 · Insurance still to pay 40.00" in lines
    money = [line.split()[-5:] for line in lines]
    assert ["250.00", "125.00", "50.00", "10.00", "25.00"] in money  # the first visit
    assert ["300.00", "125.00", "50.00", "10.00", "75.00"] in money  # all visits
    assert any("visit as a whole" in line and line.split()[-2:] == ["5.00", "10.00"]
               for line in lines)  # fmt: skip
    assert "  Waiting on Acme Health: 40.00" in lines
    assert any(line.startswith("11/10/26 Late fee") and line.endswith("15.00") for line in lines)
    assert any(line.startswith("Aging") and line.split()[1:] == [
        "65.00", "0.00", "0.00", "25.00", "0.00"] for line in lines)  # fmt: skip
    assert lines[-1] == (
        "Payment plan: instalment 30.00, next due 12/01/2026 · 1 overdue · 90.00 left"
    )
    narrow = preview_text(content, 72).plain.splitlines()  # in the account's dialog
    assert all(len(line) <= 72 for line in narrow if line.startswith(("Date", "08/", "11/")))


async def test_a_big_run_from_the_screen_draws_in_a_second_process(
    app, ui_store, documents, monkeypatch
):
    """The TUI replaces stdout and runs the store on a thread: the drawing process must
    not care (a multiprocessing spawn failed there)."""
    import billing_tui.pdf.statement_printer as printer

    monkeypatch.setattr(printer, "BACKGROUND_AT", 2)
    due = ui_store.statements.candidates()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_statements(pilot)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await settle(pilot)
        result = app.screen
        assert isinstance(result, RunResultDialog)
        assert result.result.statements == len(due)
        assert result.result.path.read_bytes().startswith(b"%PDF")
