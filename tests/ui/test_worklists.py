"""The worklists: a denial and an unmatched claim from a real ERA land in their tabs; x closes
an item with a resolution; m posts an exception to the claim typed; Enter opens the account.

The ERAs are written with tests/store/era_builders.py against claims of the sample practice
that are billed and unpaid, and imported through the Store like any other file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from era_builders import Clp, Svc, claim_lines, era_835
from textual.widgets import TabbedContent
from ui_helpers import burst, settle

from billing_tui.domain.dates import format_date, local_date
from billing_tui.screens.account import AccountScreen
from billing_tui.screens.queue import QueueScreen
from billing_tui.screens.worklist_dialogs import (
    CandidateTable,
    CloseItemDialog,
    MatchDialog,
    describe_era_claim,
)
from billing_tui.screens.worklists import WorklistScreen, WorkTable
from billing_tui.store.models import Claim, WorkItem

# --------------------------------------------------------------------------- ERAs for the sample


def unpaid_claims(count: int) -> list[Claim]:
    """Billed claims of the sample that no payer has answered, one per patient."""
    claims, patients = [], set()
    query = Claim.select().where(
        Claim.status.in_(["submitted", "accepted"])
        & (Claim.insurance_balance_cents == Claim.charge_cents)
        & Claim.primary_claim.is_null()
    )
    for claim in query.order_by(Claim.id):
        if claim.patient_id not in patients:
            patients.add(claim.patient_id)
            claims.append(claim)
        if len(claims) == count:
            return claims
    raise AssertionError(f"the sample has only {len(claims)} unpaid claims")


def paid(claim: Claim, *, number: str | None = None, patient=None) -> Clp:
    """The payer pays 80% of each line and writes off the rest (CO-45)."""
    lines = []
    for line in claim_lines(claim.id):
        pays = line.charge_cents * 8 // 10
        adjustment = [("CO", "45", line.charge_cents - pays)]
        lines.append(Svc(line.code, line.charge_cents, pays, adjustment, date=line.dos_from))
    return Clp(
        number or claim.claim_number,
        "1",
        claim.charge_cents,
        sum(s.paid for s in lines),
        lines,
        icn=f"ICN{claim.id}",
        patient=patient or ("SAMPLE", "PAT", "M1"),
    )


def denied(claim: Claim) -> Clp:
    lines = [
        Svc(
            line.code,
            line.charge_cents,
            0,
            [("CO", "16", line.charge_cents)],
            date=line.dos_from,
            remarks=["N290"],
        )
        for line in claim_lines(claim.id)
    ]
    return Clp(claim.claim_number, "4", claim.charge_cents, 0, lines, icn=f"ICN{claim.id}")


def stray(claim: Claim) -> Clp:
    """The claim's answer under a claim number and a patient that are not ours: unmatched."""
    return paid(claim, number="ZZ4242", patient=("NOBODY", "NEMO", "NOPE1"))


def write_era(folder: Path, claims: list[Clp], trace: str = "TRACE1", name="era.835") -> Path:
    path = folder / name
    path.write_text(era_835(claims, trace=trace, payer_id="SMPL4"), encoding="ascii")
    return path


def import_answers(store, folder: Path) -> dict[str, Claim]:
    """One ERA that denies one claim and pays another under a number that is not ours."""
    denial, unmatched = unpaid_claims(2)
    result = store.remittances.import_file(write_era(folder, [denied(denial), stray(unmatched)]))
    assert [c.outcome for c in result.payments[0].claims] == ["denied", "exception"]
    return {"denied": denial, "unmatched": unmatched}


async def open_worklists(pilot, tab: str = "1") -> WorklistScreen:
    await settle(pilot)
    await pilot.press("f10")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, WorklistScreen)
    if tab != "1":
        await pilot.press(tab)
        await settle(pilot)
    return screen


def tab_label(screen: WorklistScreen, kind: str) -> str:
    return str(screen.query_one(TabbedContent).get_tab(kind).label)


# --------------------------------------------------------------------------- the lists


async def test_a_denial_and_an_unmatched_claim_land_in_their_tabs(app, ui_store, tmp_path):
    claims = import_answers(ui_store, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_worklists(pilot)
        assert screen.kind == "denial"
        (item,) = screen.table.records
        assert item.claim_number == claims["denied"].claim_number
        assert "CO-16" in item.reason and "N290" in item.reason
        assert tab_label(screen, "denial") == "1 Denials (1)"
        assert tab_label(screen, "exception") == "2 Exceptions (1)"
        assert tab_label(screen, "secondary") == "3 Crossovers (0)"
        facts = str(screen.query_one("#item-facts").render())
        # Opened is the item's own stamp (the wall clock), aged against the store's today.
        opened = format_date(local_date(item.opened_at))
        assert claims["denied"].claim_number in facts and f"Opened {opened} (0 d)" in facts
        assert str(screen.query_one("#item-why").render()) == item.reason
        assert not screen.check_action("match", ())  # a denial has no ERA claim to match
        await pilot.press("2")
        await settle(pilot)
        (item,) = screen.table.records
        assert item.patient_id is None and item.claim_number == "ZZ4242"
        assert "matches no claim" in item.reason
        assert screen.check_action("match", ())
        line = str(screen.table.get_row_at(0)[0])
        assert "unmatched" in line and "ZZ4242" in line


async def test_x_closes_an_item_with_a_resolution(app, ui_store, tmp_path):
    import_answers(ui_store, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_worklists(pilot)
        (item,) = screen.table.records
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, CloseItemDialog)
        await pilot.press("enter")  # no resolution: the Store refuses, the dialog says so
        await settle(pilot)
        assert isinstance(app.screen, CloseItemDialog)
        assert "resolution" in str(app.screen.query_one("#message").render())
        await pilot.press(*"appealed with the records", "enter")
        await settle(pilot)
        assert app.screen is screen
        assert screen.table.records == []
        assert tab_label(screen, "denial") == "1 Denials (0)"
        row = WorkItem.get_by_id(item.id)
        assert row.closed_at is not None and row.resolution == "appealed with the records"
        await pilot.press("c")  # the closed items too
        await settle(pilot)
        (shown,) = screen.table.records
        assert shown.id == item.id and shown.resolution == "appealed with the records"
        assert str(screen.table.get_row_at(0)[0]).strip().startswith("done")
        assert not screen.check_action("close_item", ())


async def test_m_posts_an_unmatched_era_claim_to_the_claim_typed(app, ui_store, tmp_path):
    claims = import_answers(ui_store, tmp_path)
    target = claims["unmatched"]
    before = Claim.get_by_id(target.id).insurance_balance_cents
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_worklists(pilot, "2")
        (item,) = screen.table.records
        await pilot.press("m")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, MatchDialog)
        era = str(dialog.query_one("#era").render())
        assert "ZZ4242" in era and "NOBODY, NEMO" in era and "NOPE1" in era
        await pilot.press(*target.claim_number, "enter")
        await settle(pilot)
        assert [c.id for c in dialog.query_one(CandidateTable).records] == [target.id]
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert screen.table.records == []  # it left the open list
        assert tab_label(screen, "exception") == "2 Exceptions (0)"
        assert target.claim_number in str(screen.query_one("#status-text").render())
    after = Claim.get_by_id(target.id)
    assert after.insurance_balance_cents == before - target.charge_cents  # 80% paid, 20% CO-45
    assert WorkItem.get_by_id(item.id).closed_at is not None
    assert ui_store.verify().ok


async def test_the_match_typed_in_one_burst_posts_to_that_claim(app, ui_store, tmp_path):
    """m, the claim number, Enter, Enter: as fast as SSH delivers them."""
    claims = import_answers(ui_store, tmp_path)
    target = claims["unmatched"]
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_worklists(pilot, "2")
        await burst(pilot, "m", *target.claim_number, "enter", "enter")
        assert app.screen is screen
        assert screen.table.records == []
    assert Claim.get_by_id(target.id).insurance_balance_cents == 0
    assert ui_store.verify().ok


async def test_a_claim_the_store_will_not_pay_keeps_the_dialog_open(app, ui_store, tmp_path):
    import_answers(ui_store, tmp_path)
    voided = Claim.get(Claim.status == "voided")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_worklists(pilot, "2")
        await pilot.press("m")
        await settle(pilot)
        await pilot.press(*voided.claim_number, "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, MatchDialog)
        assert "Not posted" in str(dialog.query_one("#message").render())
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert len(screen.table.records) == 1
    assert ui_store.verify().ok


async def test_enter_opens_the_account_and_says_so_for_an_unmatched_claim(app, ui_store, tmp_path):
    claims = import_answers(ui_store, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_worklists(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)
        assert app.screen.patient_id == claims["denied"].patient_id
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("2", "enter")
        await settle(pilot)
        assert app.screen is screen
        status = screen.query_one("#status-text")
        assert "matches no account" in str(status.render()) and status.has_class("-error")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)


async def test_the_worklists_open_oldest_first_and_age_in_days(app, ui_store, tmp_path):
    import_answers(ui_store, tmp_path)
    first, second = unpaid_claims(4)[2:]
    ui_store.remittances.import_file(
        write_era(tmp_path, [denied(first), denied(second)], trace="TRACE2", name="two.835")
    )
    items = list(WorkItem.select().where(WorkItem.kind == "denial").order_by(WorkItem.id))
    WorkItem.update(opened_at=dt.datetime(2026, 11, 4, 15, 0)).where(
        WorkItem.id == items[0].id
    ).execute()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_worklists(pilot)
        assert [i.id for i in screen.table.records] == [i.id for i in items]
        assert str(screen.table.get_row_at(0)[0]).lstrip().startswith("20 ")
        assert tab_label(screen, "denial") == "1 Denials (3)"


def test_what_the_era_said_reads_as_lines():
    detail = (
        '{"claim": "ZZ1", "status": "1", "charge": 25000, "paid": 20000, "icn": "ICN9",'
        ' "patient": ["DOE", "JANE", "MBR1"], "adjustments": [],'
        ' "lines": [{"code": "99213", "modifiers": ["25"], "charge": 25000, "paid": 20000,'
        ' "date": "2026-10-01", "control": null, "adjustments": [["CO", "45", 5000]],'
        ' "remarks": ["N1"]}]}'
    )
    lines = describe_era_claim(detail)
    assert lines[0] == "ERA claim ZZ1 · processed as primary (1) · payer claim ICN9"
    assert lines[1] == "Patient DOE, JANE · member ID MBR1"
    assert lines[2] == "Charge 250.00 · paid 200.00"
    assert lines[3].split() == "10/01/26 99213 25 250.00 paid 200.00 CO-45 50.00 N1".split()


async def test_every_worklist_binding_has_an_id_and_a_description():
    from billing_tui.screens.era_import import EraImportScreen

    owners = (WorklistScreen, WorkTable, CloseItemDialog, MatchDialog, CandidateTable)
    for owner in (*owners, EraImportScreen):
        for binding in owner.BINDINGS:
            assert binding.id and binding.description and binding.tooltip, binding
            for key in binding.key.split(","):
                assert not key.startswith(("alt+", "ctrl+shift+")), key
                assert key not in ("ctrl+h", "ctrl+i", "ctrl+m"), key


async def test_typing_on_the_list_of_claims_searches_again(app, ui_store, tmp_path):
    claims = import_answers(ui_store, tmp_path)
    target = claims["unmatched"]
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_worklists(pilot, "2")
        await pilot.press("m")
        await settle(pilot)
        dialog = app.screen
        await pilot.press(*claims["denied"].claim_number, "enter")
        await settle(pilot)
        candidates = dialog.query_one(CandidateTable)
        assert app.focused is candidates
        assert [c.id for c in candidates.records] == [claims["denied"].id]
        await burst(pilot, *target.claim_number, "enter")
        assert dialog.query_one("#find").value == target.claim_number
        assert [c.id for c in candidates.records] == [target.id]
        assert app.focused is candidates
        await pilot.press("up")
        search = dialog.query_one("#find")
        assert app.focused is search
        assert not search.cursor_blink and search.size.height == 1
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen


# --------------------------------------------------------------------------- inbound HL7


def sample_messages(folder: Path) -> tuple[Path, Path]:
    """Charges that arrive before their patient's registration, and the registration."""
    msh = "MSH|^~\\&|EHR|CLINIC|BILLING|LV|20261120093000||{}|{}|P|2.5.1"
    pid = (
        "PID|1||EHR777^^^EHR^MR||QUILLFEATHER^ROBIN||19750412|F|||12 Elm St^^Maple Hollow^NY^12755"
    )
    ft1 = (
        "FT1|1|||20261118||CG|99213^Visit^CPT4|||1|150.00|||||11|||J06.9|1749382010^HARTWELL^EVELYN"
    )
    charges = folder / "early.hl7"
    charges.write_text("\r".join((msh.format("DFT^P03^DFT_P03", "D777"), pid, ft1)) + "\r")
    in1 = "IN1|1||SMPL3|Bluewater|||||||||||||SEL|||||||||||||||||||BWH777001"
    registration = folder / "a04.hl7"
    registration.write_text("\r".join((msh.format("ADT^A04^ADT_A01", "A777"), pid, in1)) + "\r")
    return charges, registration


async def test_r_imports_a_failed_hl7_message_once_its_patient_is_registered(
    app, ui_store, tmp_path
):
    charges, registration = sample_messages(tmp_path)
    (failed,) = ui_store.inbound.import_file(charges).receipts
    assert failed.code == "AE"
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_worklists(pilot, "4")
        assert screen.kind == "inbound"
        assert tab_label(screen, "inbound") == "4 Inbound (1)"
        (item,) = screen.table.records
        assert item.reason.startswith("AE PID-3: no account has medical record number EHR777")
        assert item.reason.endswith("DFT^P03 D777, early.hl7 #1")
        await pilot.press("r")  # the patient is not registered yet: refused again
        await settle(pilot)
        assert "Still refused" in str(screen.query_one("#status-text").render())
        assert len(screen.table.records) == 1
        (registered,) = ui_store.inbound.import_file(registration).receipts
        assert registered.code == "AA"
        await pilot.press("r")
        await settle(pilot)
        assert "imported: claim " in str(screen.query_one("#status-text").render())
        assert screen.table.records == [] and tab_label(screen, "inbound") == "4 Inbound (0)"
    assert Claim.select().where(Claim.patient == registered.patient_id).count() == 1
