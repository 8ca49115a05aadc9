"""The ERA import screen: a preview that posts nothing, then the posting with its batch; a file
that cannot be imported says why on the screen and posts nothing."""

from __future__ import annotations

from test_worklists import denied, paid, stray, unpaid_claims, write_era
from ui_helpers import burst, settle

from billing_tui.screens.era_import import EraImportScreen, PaymentsTable, QueuedClaimsTable
from billing_tui.screens.queue import QueueScreen
from billing_tui.store.models import Claim, LedgerEntry, PaymentBatch, WorkItem
from billing_tui.widgets.fields import Field


def entries() -> int:
    return LedgerEntry.select().count()


async def open_import(pilot) -> EraImportScreen:
    await settle(pilot)
    screen = EraImportScreen()
    await pilot.app.push_screen(screen)
    await settle(pilot)
    assert pilot.app.focused is screen.query_one("#path")
    return screen


def message(screen: EraImportScreen) -> str:
    return str(screen.query_one("#message").render())


def an_era(tmp_path):
    """An ERA that pays one claim, denies one and pays one claim number that is not ours."""
    payable, denial, unmatched = unpaid_claims(3)
    path = write_era(tmp_path, [paid(payable), denied(denial), stray(unmatched)])
    return path, payable, denial


async def test_enter_previews_and_posts_nothing_then_f10_posts(app, ui_store, tmp_path):
    path, payable, denial = an_era(tmp_path)
    before = entries()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_import(pilot)
        await pilot.press(*str(path), "enter")
        await settle(pilot)
        assert entries() == before
        assert screen.result is not None and screen.result.preview
        (payment,) = screen.query_one(PaymentsTable).records
        assert payment.status == "preview"
        assert (payment.count("posted"), payment.count("denied")) == (1, 1)
        assert payment.count("exception") == 1
        row = str(screen.query_one(PaymentsTable).get_row_at(0)[0])
        assert row.split()[0] == "TRACE1" and row.rstrip().endswith("preview")
        queued = screen.query_one(QueuedClaimsTable).records
        assert [(c.outcome, c.claim_number, c.matched_claim) for c in queued] == [
            ("denied", denial.claim_number, denial.claim_number),
            ("exception", "ZZ4242", ""),
        ]
        assert "CO-16" in queued[0].message and "matches no claim" in queued[1].message
        assert message(screen).startswith("Preview of era.835 (156.00): 1 posted, 1 denied")
        why = str(screen.query_one("#claim-why").render())
        assert denial.claim_number in why and "CO-16 N290" in why
        assert WorkItem.select().count() == 0

        await pilot.press("f10")
        await settle(pilot)
        assert entries() > before
        (payment,) = screen.result.payments
        assert payment.status == "posted"
        batch = PaymentBatch.get_by_id(payment.batch_id)
        assert batch.control_total_cents == payment.total_paid
        assert f"batch {batch.id}" in message(screen)
        row = str(screen.query_one(PaymentsTable).get_row_at(0)[0])
        assert row.rstrip().endswith(f"batch {batch.id}")
        assert Claim.get_by_id(payable.id).insurance_balance_cents == 0
        assert WorkItem.select().count() == 2  # the denial and the exception

        posted = entries()
        await pilot.press("f10")  # the same file again
        await settle(pilot)
        assert entries() == posted
        assert "already imported" in message(screen)
        assert "duplicate" in str(screen.query_one(PaymentsTable).get_row_at(0)[0])
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
    assert ui_store.verify().ok


async def test_a_file_that_is_no_835_says_why_and_posts_nothing(app, ui_store, tmp_path):
    junk = tmp_path / "junk.835"
    junk.write_text("ISA*this is not*an 835~\nGS*nothing~\n", encoding="ascii")
    before = entries()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_import(pilot)
        await pilot.press(*str(junk), "enter")
        await settle(pilot)
        text = message(screen)
        assert text.startswith("Not imported: junk.835") and "segment" in text
        assert screen.query_one("#message").has_class("-error")
        assert screen.result is None and not screen.has_class("-result")
        await pilot.press("f10")
        await settle(pilot)
        assert message(screen).startswith("Not imported: junk.835")
        assert app.screen is screen  # no error dialog, no crash
    assert entries() == before
    assert ui_store.verify().ok


async def test_a_path_that_is_not_there_says_so(app, tmp_path):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_import(pilot)
        await pilot.press(*str(tmp_path / "nope.835"), "enter")
        await settle(pilot)
        assert "nope.835: cannot read it" in message(screen)
        await pilot.press("ctrl+u")
        await pilot.press("enter")
        await settle(pilot)
        assert message(screen) == "Type the path of the 835 file first."


async def test_the_path_field_is_one_line_without_a_blinking_cursor(app, tmp_path):
    (tmp_path / "medicare-1120.835").write_text("", encoding="ascii")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_import(pilot)
        field = screen.query_one("#path", Field)
        assert not field.cursor_blink and field.size.height == 1
        await pilot.press(*f"{tmp_path}/med")
        await settle(pilot)
        assert field._suggestion == f"{tmp_path}/medicare-1120.835"
        await pilot.press("right", "enter")
        await settle(pilot)
        assert field.value == f"{tmp_path}/medicare-1120.835"
        assert "the file is empty" in message(screen)


async def test_escape_waits_while_a_file_posts(app):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_import(pilot)
        screen._busy = "post"
        assert not screen.check_action("back", ())
        assert not screen.check_action("post", ())
        screen._busy = ""
        assert screen.check_action("back", ())


async def test_a_preview_as_the_sessions_first_write_does_not_break_the_posting(
    app, ui_store, tmp_path
):
    path, _payable, _denial = an_era(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_import(pilot)
        await pilot.press(*str(path), "enter")
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        assert app.screen is screen  # not the error dialog
        assert screen.result is not None and screen.result.payments[0].status == "posted"


async def test_f10_typed_twice_posts_the_file_once(app, ui_store, tmp_path):
    path, _payable, _denial = an_era(tmp_path)
    batches = PaymentBatch.select().count()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_import(pilot)
        await burst(pilot, *str(path), "f10", "f10", "escape")
        assert PaymentBatch.select().count() == batches + 1
        assert app.screen is screen  # Escape is off while the file posts
        (payment,) = screen.result.payments
        assert payment.status == "posted"  # the second F10 came while it posted: ignored
    assert ui_store.verify().ok


async def test_f10_right_after_enter_posts_and_the_preview_is_dropped(app, ui_store, tmp_path):
    path, _payable, _denial = an_era(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_import(pilot)
        await burst(pilot, *str(path), "enter", "f10")
        (payment,) = screen.result.payments
        assert payment.status == "posted" and not screen.result.preview
        assert message(screen).startswith("Posted era.835")
        assert screen.check_action("back", ())
    assert ui_store.verify().ok
