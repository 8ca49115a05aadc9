"""Posting payments by hand: a paper EOB typed claim by claim and counted key by key, denials,
batches that do not balance, bad amounts refused at the cell, the new-batch dialog. Real SQLite
(the ui_store fixture), and the ledger checked (`verify`) after each."""

from __future__ import annotations

import pytest
from ui_helpers import TODAY, Typist, burst, settle

from billing_tui.screens.batch import BatchScreen, ClaimMatches
from billing_tui.screens.batch_dialogs import (
    ControlTotalDialog,
    DenialDialog,
    Invalid,
    NewBatchDialog,
    denial_codes,
)
from billing_tui.screens.help import HelpScreen
from billing_tui.screens.posting import BatchTable, PostingScreen
from billing_tui.screens.queue import QueueScreen
from billing_tui.store.models import Claim, LedgerEntry, Payment, PaymentBatch
from billing_tui.store.records import BatchDraft
from billing_tui.widgets.eob_lines import EntryError, EobLines, parse_other, parse_share

# Sample claims (tests/ui/conftest.py's practice), both submitted, three lines each.
BLUEWATER_CLAIM = "10000010-1"  # Bluewater Health Plan: 99395 240.00, 36415 15.00, 80053 55.00
MEDICARE_CLAIM = "10000023-1"  # Medicare Part B: 99202 110.00, 36415 15.00, 84443 65.00
ONE_LINE_CLAIM = "10000020-1"  # Medicare Part B: one line, 45.00


def claim_id(store, number: str) -> int:
    (claim,) = [c for c in store.posting.find_claims(number) if c.claim_number == number]
    return claim.id


def payer_id(store, name: str) -> int:
    return next(p.id for p in store.accounts.payers() if p.name.startswith(name))


def open_batch(store, control: int, payer: str = "Medicare", check: str = "CHK1") -> int:
    draft = BatchDraft("insurance", TODAY, control, payer_id(store, payer), "check", check)
    return store.posting.open_batch(draft)


def message(screen) -> str:
    return str(screen.query_one("#message").render())


async def into_batch(pilot, batch_id: int) -> BatchScreen:
    await settle(pilot)
    pilot.app.push_screen(BatchScreen(batch_id))
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, BatchScreen)
    return screen


def batch_payments(batch_id: int) -> int:
    return Payment.select().where(Payment.batch == batch_id).count()


# --------------------------------------------------------------------------- the target


async def test_a_three_line_eob_takes_at_most_25_keys_beyond_what_is_read_off_the_paper(
    app, ui_store
):
    """From the queue: F9, open a batch for the check (payer, check number, today's deposit
    date, control total), find the claim by its number, type the three lines (allowed and the
    patient's share; CO-45 and paid are worked out), post it, and close the balanced batch.

    Counted as content: the check number, the control total, the claim number and the
    amounts (digits and dots). Counted as keys: everything else: F9, n, every Enter, the b
    that picks the payer from the list, the p that makes a share a copay, F10 and F8."""
    claim = claim_id(ui_store, BLUEWATER_CLAIM)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        keys = Typist(pilot)
        keys.press("f9", "n")  # posting, a new batch
        keys.press("enter", "enter")  # insurance, by check
        keys.press("b")  # the payer list opens at B: Bluewater Health Plan
        await keys.send()  # (a person looks at the list)
        keys.press("enter")  # take it; the cursor goes on to the check number
        await keys.send()  # (keys typed into a closing list may reach the list: see choice.py)
        keys.type("600123")
        keys.press("enter", "enter")  # the deposit date is today's
        keys.type("202.00")
        keys.press("enter")  # the batch opens, the cursor in its claim search
        await keys.send()  # (a person looks up to see the batch open)
        screen = app.screen
        assert isinstance(screen, BatchScreen), type(screen).__name__
        batch_id = screen.batch_id
        keys.type(BLUEWATER_CLAIM)
        keys.press("enter")
        keys.type("180")  # 99395: allowed 180.00 (CO-45 60.00)
        keys.press("enter")
        keys.type("20")
        keys.press("p")  # a 20.00 copay (PR-3): paid 160.00
        keys.press("enter")
        keys.type("10")  # 36415: allowed 10.00, no patient share: paid 10.00
        keys.press("enter", "enter")
        keys.type("40")  # 80053: allowed 40.00, 8.00 coinsurance (PR-2): paid 32.00
        keys.press("enter")
        keys.type("8")
        keys.press("f10")  # post the claim
        keys.press("f8")  # close the batch: 202.00 of 202.00
        await keys.send()  # the EOB in one burst: the keys wait for the claim, then the post
        assert keys.other <= 25, keys.other  # 18 today: 10 to open the batch, 8 for the EOB

        posted = ui_store.posting.claim_to_post(claim)
        assert posted.status == "paid"
        assert (posted.insurance_balance, posted.patient_balance) == (0, 2_800)
        by_line = [(ln.code, ln.insurance_balance, ln.patient_balance) for ln in posted.lines]
        assert by_line == [("99395", 0, 2_000), ("36415", 0, 0), ("80053", 0, 800)]
        adjustments = sorted(
            (e.group_code, e.reason_code, -e.insurance_delta)
            for e in LedgerEntry.select().where(
                (LedgerEntry.batch == batch_id) & (LedgerEntry.kind != "payment")
            )
        )
        assert adjustments == [
            ("CO", "45", 500), ("CO", "45", 1_500), ("CO", "45", 6_000),
            ("PR", "2", 800), ("PR", "3", 2_000),
        ]  # fmt: skip
        batch = ui_store.posting.batch(batch_id)
        assert (batch.payer, batch.check_number, batch.deposit_date) == (
            "Bluewater Health Plan", "600123", TODAY,
        )  # fmt: skip
        assert (batch.control_total, batch.posted, batch.status) == (20_200, 20_200, "closed")
        assert "closed" in message(screen) and not screen.lines.lines
        assert screen.search.disabled  # a closed batch takes no more EOBs
        assert ui_store.verify().ok


# --------------------------------------------------------------------------- denials


async def test_a_denial_posts_no_money_and_the_claim_goes_to_the_denial_worklist(app, ui_store):
    claim = claim_id(ui_store, MEDICARE_CLAIM)
    batch_id = open_batch(ui_store, 0)
    before = ui_store.posting.claim_to_post(claim)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await into_batch(pilot, batch_id)
        await burst(pilot, *MEDICARE_CLAIM, "enter", *"100")  # an amount typed, then: denied
        await burst(pilot, "f6")
        assert isinstance(app.screen, DenialDialog)
        await burst(pilot, *"50 xx", "enter")
        assert isinstance(app.screen, DenialDialog)  # xx is no code: said, nothing posted
        assert "'XX' is neither a CARC" in str(app.screen.query_one("#message").render())
        await burst(pilot, "ctrl+u", *"co-50 n115", "enter", *"ICN778", "enter")
        assert app.screen is screen
        assert "on the denial worklist" in message(screen)
        assert app.focused is screen.search

    after = ui_store.posting.claim_to_post(claim)
    assert after.status == "denied"
    assert (after.insurance_balance, after.patient_balance) == (
        before.insurance_balance, before.patient_balance,
    )  # fmt: skip
    assert batch_payments(batch_id) == 0
    assert ui_store.posting.batch(batch_id).posted == 0
    (item,) = [i for i in ui_store.posting.worklist("denial") if i.claim_id == claim]
    assert item.reason == "CO-50 N115" and item.batch_id == batch_id
    assert ui_store.verify().ok


def test_denial_codes_read_as_a_person_types_them():
    assert denial_codes("16 n290") == ("CO-16", "N290")
    assert denial_codes("PR-96, MA130 co16") == ("PR-96", "CO-16", "MA130")
    for typed in ("", "N290", "XX-16", "16.5"):
        with pytest.raises(Invalid):
            denial_codes(typed)


# --------------------------------------------------------------------------- balancing


async def test_a_batch_that_does_not_balance_cannot_close_and_says_by_how_much(app, ui_store):
    batch_id = open_batch(ui_store, 20_000)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await into_batch(pilot, batch_id)
        # One line of 45.00 allowed 40.00, 0.00 to the patient: paid 40.00.
        await burst(pilot, *ONE_LINE_CLAIM, "enter", *"40", "enter", "enter", "f10")
        assert ui_store.posting.batch(batch_id).posted == 4_000
        await burst(pilot, "f8")
        said = message(screen)
        assert "Not closed" in said and "160.00 unapplied" in said, said
        assert "(posted 40.00 of 200.00)" in said
        assert ui_store.posting.batch(batch_id).status == "open"
        assert "Unapplied 160.00" in str(screen.query_one("#batch-money").render())

        await burst(pilot, "f7")  # the control total was mistyped: it is 40.00
        assert isinstance(app.screen, ControlTotalDialog)
        await burst(pilot, *"4o", "enter")
        assert isinstance(app.screen, ControlTotalDialog)  # not an amount: nothing changed
        assert ui_store.posting.batch(batch_id).control_total == 20_000
        await burst(pilot, "ctrl+u", *"40", "enter")
        assert app.screen is screen
        await burst(pilot, "f8")
        assert ui_store.posting.batch(batch_id).status == "closed"
        assert "CLOSED" in str(screen.query_one("#batch-title").render())
    assert ui_store.verify().ok


async def test_a_control_total_changed_meanwhile_shows_both_and_overwrites_nothing(app, ui_store):
    batch_id = open_batch(ui_store, 20_000)
    async with app.run_test(size=(80, 24)) as pilot:
        await into_batch(pilot, batch_id)
        await burst(pilot, "f7")
        dialog = app.screen
        assert isinstance(dialog, ControlTotalDialog)
        # Another specialist corrects the same batch first, in their own session.
        other = ui_store.posting.batch(batch_id)
        ui_store.posting.set_control_total(batch_id, 25_000, expected_version=other.version)
        await burst(pilot, "ctrl+u", *"30", "enter")
        assert app.screen is dialog
        said = str(dialog.query_one("#message").render())
        assert "Theirs: control 250.00" in said and "Yours: control 30.00" in said, said
        assert ui_store.posting.batch(batch_id).control_total == 25_000  # theirs stands
        await burst(pilot, "enter")  # saved again, knowingly: yours over theirs
        assert ui_store.posting.batch(batch_id).control_total == 3_000


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("typed", "part", "said"),
    [
        (["12x", "enter"], "allowed", "Allowed: not an amount: '12x'"),
        (["200", "enter"], "allowed", "Allowed 200.00 is more than the charge 110.00"),
        (["-5", "enter"], "allowed", "Allowed cannot be negative"),
        (
            ["100", "enter", "120", "enter"],
            "share",
            "Patient share 120.00 is more than the allowed",
        ),
        (["100", "enter", "20x", "enter"], "share", "'20x' is not an amount"),
        (["100", "enter", "20", "right", "90", "enter", "1", "enter"], "other", "group and reason"),
    ],
)
async def test_a_bad_amount_keeps_the_cursor_at_its_cell_and_posts_nothing(
    app, ui_store, typed, part, said
):
    claim = claim_id(ui_store, MEDICARE_CLAIM)
    batch_id = open_batch(ui_store, 10_000)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await into_batch(pilot, batch_id)
        await burst(pilot, *MEDICARE_CLAIM, "enter")
        keys = [k for text in typed for k in ([text] if text in ("enter", "right") else text)]
        await burst(pilot, *keys)
        lines = screen.query_one(EobLines)
        assert app.focused is lines
        assert (lines.row, lines.part) == (0, part)
        assert said in message(screen), message(screen)
        assert "-error" in screen.query_one("#message").classes
        await burst(pilot, "f10")
        assert (lines.row, lines.part) == (0, part)
        assert said in message(screen)
    assert batch_payments(batch_id) == 0
    assert ui_store.posting.claim_to_post(claim).status == "submitted"


async def test_paid_typed_over_asks_what_the_difference_is_and_posts_it_balanced(app, ui_store):
    """Medicare pays 2% less than allowed less coinsurance (sequestration, CO-253)."""
    claim = claim_id(ui_store, ONE_LINE_CLAIM)
    batch_id = open_batch(ui_store, 2_744)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await into_batch(pilot, batch_id)
        await burst(pilot, *ONE_LINE_CLAIM, "enter", *"35", "enter", *"7", "right")
        lines = screen.query_one(EobLines)
        assert lines.part == "paid" and lines.edit_text(lines.current, "paid") == "28.00"
        await burst(pilot, *"27.44", "enter")
        assert lines.part == "other" and lines.current.typed["other"] == "0.56 "
        assert "unexplained" in message(screen)
        await burst(pilot, "f10")  # the reason is not typed yet: nothing posts
        assert "Other: '0.56'" in message(screen) and batch_payments(batch_id) == 0
        await burst(pilot, *"co253", "enter", "f10", "f8")
        assert ui_store.posting.batch(batch_id).status == "closed", message(screen)
    entries = {
        (e.kind, e.group_code, e.reason_code): -e.insurance_delta
        for e in LedgerEntry.select().where(LedgerEntry.batch == batch_id)
    }
    assert entries == {
        ("payment", "", ""): 2_744,
        ("adjustment", "CO", "45"): 1_000,
        ("transfer", "PR", "2"): 700,
        ("adjustment", "CO", "253"): 56,
    }
    posted = ui_store.posting.claim_to_post(claim)
    assert (posted.status, posted.insurance_balance, posted.patient_balance) == ("paid", 0, 700)
    assert ui_store.verify().ok


def test_the_patients_share_and_other_adjustments_read_as_typed():
    assert parse_share("") == ()
    assert parse_share("20") == (("PR", "2", 2000),)
    assert parse_share("20p") == (("PR", "3", 2000),)
    assert parse_share("50d+20.5c") == (("PR", "1", 5000), ("PR", "2", 2050))
    assert parse_share("15 96") == (("PR", "96", 1500),)
    assert parse_share("15 pr-1") == (("PR", "1", 1500),)
    assert parse_other("1.60 CO-253") == (("CO", "253", 160),)
    assert parse_other("5oa23+ 2 co45") == (("OA", "23", 500), ("CO", "45", 200))
    for bad in ("abc", "20 x", "12.345", "-5", "20q"):
        with pytest.raises(EntryError):
            parse_share(bad)
    for bad in ("1.60", "1.60 XX-1", "0 CO-45", "CO-45"):
        with pytest.raises(EntryError):
            parse_other(bad)


# --------------------------------------------------------------------------- the dialog


async def test_the_new_batch_dialog_opens_nothing_until_every_field_reads(app, ui_store):
    before = PaymentBatch.select().count()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await burst(pilot, "f9", "n")
        dialog = app.screen
        assert isinstance(dialog, NewBatchDialog)

        def said() -> str:
            return str(dialog.query_one("#message").render())

        await burst(pilot, "ctrl+s")
        assert "Pick the payer" in said() and app.focused.id == "payer"
        await burst(pilot, "m")  # the list opens at M: Medicaid, then Medicare
        await burst(pilot, "m", "enter")
        assert app.focused.id == "check"
        await burst(pilot, "enter")
        assert "check or EFT trace number" in said() and app.focused.id == "check"
        await burst(pilot, *"EFT99", "enter", "ctrl+u", *"13/45/26", "enter")
        assert "no such date" in said() and app.focused.id == "deposit"
        await burst(pilot, "ctrl+u", *"112326", "enter", *"1.2.3", "enter")
        assert "not an amount" in said() and app.focused.id == "control"
        await burst(pilot, "ctrl+u", *"-5", "enter")
        assert "cannot be negative" in said() and app.focused.id == "control"
        assert PaymentBatch.select().count() == before
        await burst(pilot, "ctrl+u", *"1,250.00", "enter")
        screen = app.screen
        assert isinstance(screen, BatchScreen)
        batch = ui_store.posting.batch(screen.batch_id)
        assert (batch.kind, batch.payer, batch.method, batch.check_number) == (
            "insurance", "Medicare Part B (Sample MAC)", "check", "EFT99",
        )  # fmt: skip
        assert (batch.deposit_date.isoformat(), batch.control_total) == ("2026-11-23", 125_000)
        await burst(pilot, "escape")  # back to the list: the new batch on top, open
        assert isinstance(app.screen, PostingScreen)
        table = app.screen.query_one(BatchTable)
        assert table.records[0].id == batch.id and table.highlighted.id == batch.id


async def test_a_patient_batch_needs_no_payer_and_shows_its_header(app, ui_store):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await burst(pilot, "f9", "n", "p", "enter")  # typed ahead of the list and the dialog
        assert app.focused.id == "deposit"  # no method, payer or check number for patients
        await burst(pilot, "enter", *"25", "enter")
        screen = app.screen
        assert isinstance(screen, BatchScreen)
        assert "Patient payments" in str(screen.query_one("#batch-title").render())
        assert "-patient" in screen.classes
        await burst(pilot, "f1")
        assert isinstance(app.screen, HelpScreen)
        ids = {action.binding.id for action in app.screen.actions}
        assert {"batch.control", "batch.close", "batch.back"} <= ids
        assert "batch.post" not in ids and "batch.deny" not in ids
    batch = ui_store.posting.batch(screen.batch_id)
    assert (batch.kind, batch.payer_id, batch.control_total) == ("patient", None, 2_500)


# --------------------------------------------------------------------------- finding, backing out


async def test_a_name_lists_its_claims_and_escape_asks_before_dropping_what_was_typed(
    app, ui_store
):
    batch_id = open_batch(ui_store, 10_000)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await burst(pilot, "f9")
        assert isinstance(app.screen, PostingScreen)
        await burst(pilot, "enter")  # the new batch is the first (open first)
        screen = app.screen
        assert isinstance(screen, BatchScreen) and screen.batch_id == batch_id
        await burst(pilot, *"harrison", "enter")
        matches = screen.query_one(ClaimMatches)
        assert app.focused is matches and len(matches.records) == 2
        assert MEDICARE_CLAIM in [c.claim_number for c in matches.records]
        await burst(pilot, "down", "enter", *"100")
        assert screen.claim.claim_number == matches.records[1].claim_number
        await burst(pilot, "escape")
        assert "Discard the amounts typed" in message(screen)
        await burst(pilot, "n")  # any key but y keeps them (and does nothing else)
        assert screen.claim is not None and screen.lines.current.typed["allowed"] == "100"
        assert "Kept" in message(screen)
        await burst(pilot, "escape", "y")
        assert screen.claim is None and app.focused is screen.search
        await burst(pilot, "escape")
        assert isinstance(app.screen, PostingScreen)
        await burst(pilot, "escape")
        assert isinstance(app.screen, QueueScreen)
    assert batch_payments(batch_id) == 0


async def test_a_claim_not_found_or_not_sent_is_said_and_the_keys_after_it_dropped(app, ui_store):
    batch_id = open_batch(ui_store, 100)
    draft = Claim.select().where(Claim.status == "draft").first()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await into_batch(pilot, batch_id)
        await burst(pilot, *"nosuch", "enter", *"12", "enter")
        assert "No claim matches 'nosuch'" in message(screen)
        assert screen.search.value == "nosuch"  # the keys typed after it were for a claim
        assert app.focused is screen.search
        await burst(pilot, "ctrl+u", *draft.claim_number, "enter")
        assert f"claim {draft.claim_number} is draft" in message(screen).lower()
        assert screen.claim is None and app.focused is screen.search
    assert batch_payments(batch_id) == 0


def test_every_posting_binding_has_an_id_and_a_tooltip():
    from billing_tui.screens import batch_dialogs

    owners = (
        PostingScreen, BatchTable, BatchScreen, ClaimMatches, EobLines,
        batch_dialogs.NewBatchDialog, batch_dialogs.ControlTotalDialog,
        batch_dialogs.DenialDialog,
    )  # fmt: skip
    for owner in owners:
        for binding in owner.BINDINGS:
            assert binding.id and binding.tooltip, (owner.__name__, binding.key)


async def test_the_posting_screens_are_quiet_when_idle(app, ui_store):
    """No blinking cursor (bytes on the wire every half second) and one-line fields."""
    from textual.widgets import Input

    batch_id = open_batch(ui_store, 100)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await into_batch(pilot, batch_id)
        await burst(pilot, *MEDICARE_CLAIM, "enter", "f6")
        for shown in (screen, app.screen):
            fields = list(shown.query(Input))
            assert fields and not any(f.cursor_blink for f in fields)
            assert all(f.size.height == 1 for f in fields)
        assert screen.query_one(EobLines).size.width == 80


async def test_a_patient_batch_lists_its_payments(app, ui_store):
    import datetime as dt

    from billing_tui.store.models import AccountSummary, Patient
    from billing_tui.store.records import BatchDraft, PatientPaymentDraft

    owing = AccountSummary.select().where(AccountSummary.patient_balance_cents > 500).first()
    account = Patient.get_by_id(owing.patient_id).account_number
    batch = ui_store.posting.open_batch(BatchDraft("patient", dt.date(2026, 11, 24), 500))
    ui_store.posting.post_patient_payment(
        batch,
        PatientPaymentDraft(
            owing.patient_id, 500, "check", dt.date(2026, 11, 24), check_number="3301"
        ),  # fmt: skip
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await into_batch(pilot, batch)
        await settle(pilot)
        note = str(screen.query_one("#patient-note").render())
        assert "one payment, 5.00 posted" in note
        assert account in note and "check 3301" in note
