"""The claim editor: heads-down entry counted key by key, bad input refused at the field, the
scrubber's findings live, the lifecycle keys, and a claim changed by another session."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from ui_helpers import TODAY, Typist, burst, queue_screen, settle

from billing_tui.domain.claims import ClaimStatus
from billing_tui.screens.account import AccountScreen
from billing_tui.screens.claim_dialogs import ConflictDialog, HistoryDialog, ReasonDialog
from billing_tui.screens.claim_editor import ClaimEditor
from billing_tui.screens.help import HelpScreen
from billing_tui.store import Store
from billing_tui.store.models import Claim, Provider
from billing_tui.store.records import ClaimDraft, LineDraft
from billing_tui.widgets.claim_fields import DxField
from billing_tui.widgets.claim_findings import FindingsPanel


def editor(pilot) -> ClaimEditor:
    screen = pilot.app.screen
    assert isinstance(screen, ClaimEditor), type(screen).__name__
    return screen


def hint(screen: ClaimEditor) -> str:
    return str(screen.query_one("#hint").render())


def claim_count(store: Store, patient_id: int) -> int:
    return Claim.select().where(Claim.patient == patient_id).count()


async def new_claim_for_first_account(pilot) -> tuple[ClaimEditor, int]:
    await settle(pilot)
    patient_id = queue_screen(pilot).table.highlighted.patient_id
    await burst(pilot, "enter")
    await burst(pilot, "a")
    return editor(pilot), patient_id


# The office visit of the target: two diagnoses, three lines (the last charge typed over).
OFFICE_VISIT = [
    ("type", "J069"), ("press", "enter"), ("type", "I10"), ("press", "enter"),
    ("press", "enter"),  # a blank third diagnosis: on to the lines
    ("type", "112426"), ("press", "enter"), ("type", "99213"), ("press", "enter"),
    ("press", "enter"),  # no modifiers
    ("press", "1", "2", "enter"),  # pointers 1 and 2
    ("press", "enter", "enter"),  # 1 unit; the fee schedule's charge: the next line opens
    ("press", "enter"), ("type", "36415"), ("press", "enter", "enter", "enter", "enter", "enter"),
    ("press", "enter"), ("type", "87880"), ("press", "enter", "enter", "2", "enter", "enter"),
    ("type", "40.00"), ("press", "enter"),
]  # fmt: skip


async def test_a_two_diagnosis_three_line_office_claim_takes_at_most_45_keys(app, ui_store):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        patient_id = queue_screen(pilot).table.highlighted.patient_id
        before = claim_count(ui_store, patient_id)
        keys = Typist(pilot)
        keys.press("enter")  # open the account
        keys.press("a")  # a new claim; the header's defaults are taken as they are
        await keys.send()  # (a person looks up to see the claim open)
        screen = editor(pilot)
        for how, *what in OFFICE_VISIT:
            if how == "type":
                keys.type(what[0])
            else:
                keys.press(*what)
        keys.press("f4")  # save it, ready to send
        await keys.send()
        assert keys.other <= 45, keys.other
        assert screen.status == ClaimStatus.READY.value, hint(screen)
        assert claim_count(ui_store, patient_id) == before + 1
        claim = ui_store.claims.get(screen.claim_id)
        assert claim.status == "ready"
        assert claim.diagnoses == ("J069", "I10")
        assert claim.place_of_service == "11" and claim.frequency == "1"
        assert claim.coverage is not None and claim.coverage.priority == 1
        lines = [(ln.dos_from, ln.code, ln.pointers, ln.units, ln.charge) for ln in claim.lines]
        assert lines == [
            (TODAY, "99213", (1, 2), 1, 15000),
            (TODAY, "36415", (1,), 1, 1500),
            (TODAY, "87880", (2,), 1, 4000),
        ]
        assert claim.charge == 20500
        await burst(pilot, "escape")
        assert isinstance(app.screen, AccountScreen)
        assert claim.claim_number in [c.claim_number for c in app.screen.view.claims]


async def test_diagnoses_from_words_and_without_the_dot(app):
    async with app.run_test(size=(80, 24)) as pilot:
        screen, _ = await new_claim_for_first_account(pilot)
        await burst(pilot, *"e119", "enter")
        await burst(pilot, *"essential hypertension")
        suggestions = screen.query_one("#suggestions")
        assert suggestions.items and suggestions.items[0][0] == "I10"
        await burst(pilot, "enter")
        assert [f.value for f in screen.dx_fields[:3]] == ["E11.9", "I10", ""]
        assert app.focused.id == "dx-3"
        assert not suggestions.items  # closed once one is taken


async def test_an_unknown_or_non_billable_diagnosis_is_refused_at_the_field(app, ui_store):
    async with app.run_test(size=(80, 24)) as pilot:
        screen, patient_id = await new_claim_for_first_account(pilot)
        before = claim_count(ui_store, patient_id)
        await burst(pilot, *"J06", "enter")
        assert app.focused.id == "dx-1"
        assert "J06 is not billable" in hint(screen) and "J06.9" in hint(screen)
        assert "-invalid" in app.focused.classes
        await burst(pilot, "ctrl+u", *"Q99X9", "enter")
        assert app.focused.id == "dx-1"
        assert "not an ICD-10-CM code" in hint(screen)
        await burst(pilot, "ctrl+s")
        assert "Not saved" in hint(screen)
        assert claim_count(ui_store, patient_id) == before


@pytest.mark.parametrize(
    ("part", "typed", "said"),
    [
        ("dos", "13/45/26", "no such date"),
        ("dos", "next tues", "not a date"),
        ("charge", "12.345", "not an amount"),
        ("units", "two", "whole number"),
        ("pointers", "7", "the claim has 1 diagnoses"),
    ],
)
async def test_bad_line_input_gets_a_message_at_the_field_and_nothing_is_saved(
    app, ui_store, part, typed, said
):
    async with app.run_test(size=(80, 24)) as pilot:
        screen, patient_id = await new_claim_for_first_account(pilot)
        before = claim_count(ui_store, patient_id)
        await burst(pilot, *"J069", "enter", "enter")  # one diagnosis, then the first line
        await burst(pilot, "enter", *"99213", "enter")
        row = screen.grid.rows[0]
        screen.go(row.field(part))
        await settle(pilot)
        await burst(pilot, "ctrl+u", *typed, "enter")
        assert editor(pilot).cursor_field is row.field(part)
        assert said in hint(screen) and f"Line 1 {'DOS' if part == 'dos' else part}" in hint(screen)
        for key in ("ctrl+s", "f4"):
            await burst(pilot, key)
            assert "Not saved" in hint(screen)
            assert editor(pilot).cursor_field is row.field(part)
        assert claim_count(ui_store, patient_id) == before


async def test_a_bad_npi_on_the_rendering_provider_is_flagged_there_and_blocks_ready(app, ui_store):
    async with app.run_test(size=(80, 24)) as pilot:
        screen, patient_id = await new_claim_for_first_account(pilot)
        rendering = screen.header.pick("rendering").value
        # Another session mistypes the provider's NPI; the editor reads providers as it opens.
        Provider.update(npi=rendering.npi[:9] + str((int(rendering.npi[9]) + 1) % 10)).where(
            Provider.id == rendering.id
        ).execute()
        await burst(pilot, "escape")
        await burst(pilot, "a")
        screen = editor(pilot)
        before = claim_count(ui_store, patient_id)
        await burst(pilot, *"J069", "enter", "enter", "enter", *"99213", "enter")
        npi_findings = [s for s in screen.findings if s.finding.rule_id == "NPI-CHECK"]
        assert npi_findings and npi_findings[0].field == "header.rendering"
        assert "check digit" in npi_findings[0].finding.message
        assert "-invalid" in screen.header.pick("rendering").classes
        await burst(pilot, "f4")
        assert app.focused is screen.header.pick("rendering")
        assert "Not ready" in hint(screen) and "check digit" in hint(screen)
        assert claim_count(ui_store, patient_id) == before


async def test_the_findings_show_a_telehealth_mismatch_and_f3_goes_to_the_field(app):
    async with app.run_test(size=(80, 24)) as pilot:
        screen, _ = await new_claim_for_first_account(pilot)
        await burst(pilot, *"J069", "enter", "enter", "enter", *"99213", "enter", *"95", "enter")
        panel = screen.query_one(FindingsPanel)
        telehealth = [s for s in panel.findings if s.finding.rule_id == "TELEHEALTH-POS"]
        assert telehealth, [s.finding.rule_id for s in panel.findings]
        assert "02 or 10" in telehealth[0].finding.message
        assert "error" in str(screen.query_one("#totals-findings").render())
        panel.select(panel.findings.index(telehealth[0]))
        app.screen.set_focus(screen.dx_fields[0])
        await burst(pilot, "f3")
        assert screen.cursor_field is screen.grid.rows[0].field("modifiers")
        assert "02 or 10" in hint(screen)
        # The place of service is the other half: 10 (telehealth at home) and it is clean.
        app.screen.set_focus(screen.header.text("pos"))
        await burst(pilot, "ctrl+u", *"10", "enter")
        assert not [s for s in panel.findings if s.finding.rule_id.startswith("TELEHEALTH")]
        assert "Telehealth in the patient's home" in str(screen.query_one("#pos-name").render())


def a_draft_claim(store: Store) -> tuple[int, int]:
    """(claim id, patient id) of a draft in the sample practice."""
    row = Claim.select(Claim.id, Claim.patient).where(Claim.status == "draft").first()
    return row.id, row.patient_id


async def open_claim(app, pilot, claim_id: int) -> ClaimEditor:
    await settle(pilot)
    app.push_screen(ClaimEditor(claim_id=claim_id))
    await settle(pilot)
    return editor(pilot)


async def test_saving_a_claim_someone_else_changed_shows_both_and_overwrites_nothing(
    app, ui_store, sqlite_path
):
    claim_id, _ = a_draft_claim(ui_store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_claim(app, pilot, claim_id)
        mine = ui_store.claims.get(claim_id)
        # Another specialist, in another session, saves the claim with one line of theirs.
        other = Store.open(sqlite_path, username="tokafor", today=lambda: TODAY)
        try:
            theirs = ClaimDraft(
                patient_id=mine.patient.id,
                billing_provider_id=mine.billing_provider.id,
                rendering_provider_id=mine.rendering.id,
                place_of_service="11",
                diagnoses=mine.diagnoses,
                coverage_id=mine.coverage.id if mine.coverage else None,
                lines=(LineDraft(dos_from=mine.first_dos, code="99214", charge=22000),),
            )
            other.claims.update(claim_id, theirs, expected_version=mine.version)
        finally:
            other.close()
        row = screen.grid.rows[0]
        screen.go(row.field("units"))
        await burst(pilot, "ctrl+u", "3", "enter")
        await burst(pilot, "ctrl+s")
        dialog = app.screen
        assert isinstance(dialog, ConflictDialog)
        yours = str(dialog.query_one("#yours").render())
        theirs_text = str(dialog.query_one("#theirs").render())
        assert "Yours" in yours and "Theirs" in theirs_text
        assert "99214" in theirs_text and "220.00" in theirs_text
        saved = ui_store.claims.get(claim_id)
        assert [(ln.code, ln.charge) for ln in saved.lines] == [("99214", 22000)]
        await burst(pilot, "escape")  # keep editing: still mine on screen, still not saved
        await settle(pilot)
        assert editor(pilot).grid.rows[0].field("units").value == "3"
        await burst(pilot, "ctrl+s")
        assert isinstance(app.screen, ConflictDialog)
        await burst(pilot, "r")  # reload theirs
        await settle(pilot)
        screen = editor(pilot)
        assert [text.code for _, text in screen.form().used_lines] == ["99214"]
        assert screen.version == saved.version and not screen.dirty
        assert [(ln.code, ln.charge) for ln in ui_store.claims.get(claim_id).lines] == [
            ("99214", 22000)
        ]


async def test_a_sent_claim_is_read_only_and_its_status_moves_with_a_reason(app, ui_store):
    row = Claim.select(Claim.id).where(Claim.status == "submitted").first()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_claim(app, pilot, row.id)
        code = screen.grid.rows[0].field("code")
        screen.go(code)  # as Enter and the arrows move the cursor
        before = code.value
        await burst(pilot, "9", "backspace")
        assert code.value == before
        assert "submitted: read-only" in hint(screen) and "F7 builds a replacement" in hint(screen)
        assert not screen.check_action("save", ())
        await burst(pilot, "f6")
        assert type(app.screen).__name__ == "ChoiceDialog"
        await burst(pilot, "a", "enter")  # accepted
        await settle(pilot)
        assert isinstance(app.screen, ReasonDialog)
        await burst(pilot, "enter")  # a reason is required
        assert isinstance(app.screen, ReasonDialog)
        await burst(pilot, *"999 accepted by the clearinghouse", "enter")
        assert ui_store.claims.get(row.id).status == "accepted"
        assert screen.status == "accepted"
        await burst(pilot, "f5")
        assert isinstance(app.screen, HistoryDialog)
        latest = app.screen.history[-1]
        assert (latest.from_status, latest.to_status) == ("submitted", "accepted")
        assert latest.reason == "999 accepted by the clearinghouse"
        assert latest.user == "tester"


async def test_f7_builds_a_replacement_and_opens_it(app, ui_store):
    paid = (
        Claim.select(Claim.id, Claim.claim_number)
        .where((Claim.status == "paid") & Claim.payer_claim_number.is_null(False))
        .first()
    )
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_claim(app, pilot, paid.id)
        assert screen.check_action("build", ("replacement",))
        assert screen.check_action("build", ("void",))
        await burst(pilot, "f7")
        assert isinstance(app.screen, ReasonDialog)
        await burst(pilot, *"wrong units on line 1", "enter")
        screen = editor(pilot)
        assert screen.claim_id != paid.id
        built = ui_store.claims.get(screen.claim_id)
        assert built.frequency == "7" and built.status == "draft"
        assert "replacement" in str(screen.query_one("#claim-title").render())
        assert built.history[0].reason.startswith(f"replaces {paid.claim_number}")


async def test_f10_prints_the_cms1500_into_the_data_directory(app, ui_store, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    claim_id, _ = a_draft_claim(ui_store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_claim(app, pilot, claim_id)
        await burst(pilot, "f10")
        number = screen.detail.claim_number
        written = Path(tmp_path / "data" / "billing-tui" / "claims" / f"cms1500-{number}.pdf")
        assert written.read_bytes().startswith(b"%PDF")
        assert str(written) in hint(screen)


async def test_f7_on_the_queue_starts_a_claim_for_the_highlighted_account(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await burst(pilot, "down")
        patient_id = queue_screen(pilot).table.highlighted.patient_id
        await burst(pilot, "f7")
        screen = editor(pilot)
        assert screen.patient_id == patient_id and screen.claim_id is None
        assert app.focused is screen.query_one("#dx-1", DxField)
        await burst(pilot, "escape")
        assert app.screen is queue_screen(pilot)


async def test_enter_on_the_claims_tab_opens_the_claim(app, ui_store):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await burst(pilot, "enter", "2")
        account = app.screen
        assert isinstance(account, AccountScreen)
        await burst(pilot, "enter")
        screen = editor(pilot)
        assert screen.claim_id == account.view.claims[0].id
        assert screen.detail.claim_number in str(screen.query_one("#claim-title").render())


async def test_f1_lists_the_editors_keys_and_every_binding_has_an_id(app):
    from billing_tui.screens import claim_dialogs

    for owner in (
        ClaimEditor,
        claim_dialogs.ReasonDialog,
        claim_dialogs.HistoryDialog,
        claim_dialogs.ConflictDialog,
    ):
        for binding in owner.BINDINGS:
            assert binding.id and binding.description, (owner.__name__, binding.key)
    async with app.run_test(size=(80, 24)) as pilot:
        await new_claim_for_first_account(pilot)
        await burst(pilot, "f1")
        assert isinstance(app.screen, HelpScreen)
        ids = {action.binding.id for action in app.screen.actions}
        assert {"claim.save", "claim.ready", "claim.jump", "claim.delete"} <= ids
        assert "claim.replacement" not in ids  # a new claim has nothing to replace


async def test_the_editor_is_quiet_when_idle_and_its_fields_do_not_blink(app):
    async with app.run_test(size=(80, 24)) as pilot:
        screen, _ = await new_claim_for_first_account(pilot)
        fields = list(screen.query("ClaimField"))
        assert fields and not any(f.cursor_blink for f in fields)
        assert all(f.size.height == 1 for f in fields)
        assert screen.query_one("#dx-1").size.width >= 9


@pytest.fixture
def sqlite_path(ui_store) -> str:
    return ui_store.db.database


def test_dates_typed_every_way_read_the_same():
    from billing_tui.screens import claim_form as cf

    for typed in ("112426", "11/24/26", "2026-11-24", "11/24/2026"):
        assert cf.read_dos(typed, TODAY) == dt.date(2026, 11, 24)
    assert cf.read_pointers("12", 2) == (1, 2)
    assert cf.read_pointers("AB", 2) == (1, 2)
    assert cf.read_pointers("1,12", 12) == (1, 12)
    assert cf.read_modifiers("2595") == ("25", "95")
    with pytest.raises(ValueError):
        cf.read_pointers("1,1", 2)


async def test_keys_typed_into_a_closing_dialog_close_nothing_else(app):
    """Keys typed ahead into the "Unsaved changes" dialog as it closes reach it twice: its
    second dismiss must not close the screen beneath it (here it crashed the app)."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await burst(pilot, "f7")
        screen = editor(pilot)
        office = [*"J069", "enter", *"I10", "enter", "enter", *"112426", "enter",
                  *"99213", "enter", "enter", "1", "2", "enter", "enter", "enter"]  # fmt: skip
        await burst(pilot, *office, "escape")
        assert type(app.screen).__name__ == "ChoiceDialog"
        await burst(pilot, "d")
        await burst(pilot, "down", "f7", *office)  # "Keep editing", and the claim again
        assert app.is_running
        assert app.screen is screen


async def test_a_finding_stays_listed_when_f4_takes_the_cursor_back_to_its_field(app):
    """The findings of the field being typed in wait until the cursor leaves it; back in
    that field (F4 refused, F3), they are listed again: the panel never says clean while
    an error remains."""
    async with app.run_test(size=(80, 24)) as pilot:
        screen, _ = await new_claim_for_first_account(pilot)
        await burst(pilot, *"J069", "enter", "enter", *"112426", "enter", *"99213", "enter")
        await burst(pilot, *"95", "enter", "enter", "enter", "enter")  # telehealth modifier, POS 11
        await burst(pilot, "f4")
        assert screen.status == ClaimStatus.DRAFT.value
        assert screen.cursor_field is screen.grid.rows[0].field("modifiers")
        shown = [s.finding.message for s in screen.panel.findings]
        assert any("modifier 95" in message for message in shown), shown
        assert "error" in str(screen.query_one("#totals-findings").render())


async def test_a_claim_longer_than_the_screen_scrolls_with_the_cursor(app):
    async with app.run_test(size=(80, 24)) as pilot:
        screen, _ = await new_claim_for_first_account(pilot)
        await burst(pilot, *"J069", "enter", "enter")
        for _ in range(14):  # the DOS as it comes, a venipuncture, its defaults
            await burst(pilot, "enter", *"36415", "enter", "enter", "enter", "enter", "enter")
        grid = screen.grid
        assert len(screen.form().used_lines) == 14
        row = grid.row_of(screen.cursor_field)
        assert row is not None and row.number == 15  # the next line, ready
        assert grid.top > 0 and grid.top <= row.number - 1 < grid.top + grid.size.height
        await burst(pilot, "left")  # Left and Right move along the line
        assert screen.cursor_field is row.field("dos")
        await burst(pilot, "right", "right")
        assert screen.cursor_field is row.field("modifiers")
        for _ in range(14):
            await burst(pilot, "up")
        assert grid.top == 0 and screen.cursor_field is grid.rows[0].field("modifiers")
        assert "Line 1:" in hint(screen)


async def test_pasted_text_goes_into_the_cell(app):
    from textual import events

    async with app.run_test(size=(80, 24)) as pilot:
        screen, _ = await new_claim_for_first_account(pilot)
        await burst(pilot, *"J069", "enter", "enter", "enter")  # on line 1's code
        screen.grid.post_message(events.Paste("99213\nignored"))
        await settle(pilot)
        code = screen.grid.rows[0].field("code")
        assert code.value == "99213"
        assert "Office visit" in screen.grid.rows[0].what


async def test_a_claim_of_many_lines_opens_whole_and_lines_insert_and_delete(app, ui_store):
    """A 20-line draft opens with every line (more than a screenful); Ctrl+N inserts a line
    above the cursor's, Ctrl+Y deletes the cursor's; the lines renumber and save."""
    claim_id, _ = a_draft_claim(ui_store)
    mine = ui_store.claims.get(claim_id)
    codes = ["99213", "36415", "87880", "85025"] * 5
    draft = ClaimDraft(
        patient_id=mine.patient.id,
        billing_provider_id=mine.billing_provider.id,
        rendering_provider_id=mine.rendering.id,
        place_of_service="11",
        diagnoses=mine.diagnoses,
        coverage_id=mine.coverage.id if mine.coverage else None,
        lines=tuple(LineDraft(dos_from=mine.first_dos, code=c, charge=1000 + n)
                    for n, c in enumerate(codes)),
    )  # fmt: skip
    ui_store.claims.update(claim_id, draft, expected_version=mine.version)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_claim(app, pilot, claim_id)
        grid = screen.grid
        assert [text.code for _, text in screen.form().used_lines] == codes
        assert len(grid.rows) == 21  # and a blank one after them
        screen.go(grid.rows[2].field("code"))
        await burst(pilot, "ctrl+n")  # a new line 3; the old third line is now line 4
        assert screen.cursor_field is grid.rows[2].field("dos")
        assert grid.rows[3].field("code").value == "87880" and grid.rows[3].number == 4
        await burst(pilot, "ctrl+u", *"112426", "enter", *"99214", "enter")
        screen.go(grid.rows[0].field("code"))
        await burst(pilot, "ctrl+y")  # the first line goes; the others move up
        assert [text.code for _, text in screen.form().used_lines][:3] == [
            "36415",
            "99214",
            "87880",
        ]
        assert [row.number for row in grid.rows[:3]] == [1, 2, 3]
        screen.go(grid.rows[19].field("code"))  # far below the screen: the lines scroll to it
        await settle(pilot)
        assert grid.top > 0
        await burst(pilot, "ctrl+s")
        saved = ui_store.claims.get(claim_id)
        assert [ln.code for ln in saved.lines][:3] == ["36415", "99214", "87880"]
        assert len(saved.lines) == 20
