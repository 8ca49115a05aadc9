"""The reports screen on the sample practice: ctrl+r from the queue opens it on aging, with the
payers in the table and in the chart under it; ← → and the digits pick another report (every report
of the catalog shows); the dates narrow it, and a date that cannot be read is said and
nothing is read; p prints the report into the documents folder. Then the aging view at
80x24, table and chart. Look at each SVG before --snapshot-update."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader
from ui_helpers import TODAY, settle

from billing_tui.app import make_app
from billing_tui.config import Settings
from billing_tui.domain.money import format_cents
from billing_tui.reports import REPORTS
from billing_tui.screens.reports import NAMES, ReportsScreen, ReportTable
from billing_tui.store.reports import Period
from billing_tui.widgets.fields import Field

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def documents(tmp_path, monkeypatch):
    """The app has no settings in most of these tests: PDFs go to the data directory's."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data" / "billing-tui" / "documents"


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


async def open_reports(pilot) -> ReportsScreen:
    await settle(pilot)
    screen = ReportsScreen()
    pilot.app.push_screen(screen)
    await settle(pilot)
    return screen


def count_store_calls(app) -> list:
    calls: list = []
    call_store = app.call_store

    async def counted(call, *args, **kwargs):
        calls.append(call)
        return await call_store(call, *args, **kwargs)

    app.call_store = counted
    return calls


async def type_dates(pilot, screen, start: str, end: str) -> None:
    for field_id, text in (("#reports-from", start), ("#reports-to", end)):
        field = screen.query_one(field_id, Field)
        field.focus()
        field.value = ""
        if text:
            await pilot.press(*text)
    await pilot.press("enter")
    await settle(pilot)


async def test_ctrl_r_opens_the_aging_with_its_payers_totals_and_chart(app, ui_store):
    rows = ui_store.reports.aging(TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        assert "aging" in text_of(screen, "#reports-pick")
        assert REPORTS["aging"].title in text_of(screen, "#reports-pick")
        shown = screen.table.records
        assert [r["payer"] for r in shown] == [r.payer for r in rows]
        assert shown[0]["total"] == format_cents(rows[0].total)
        totals = text_of(screen, "#reports-totals")
        assert f"Total ({len(rows)} lines)" in totals
        assert format_cents(sum(r.total for r in rows)) in totals
        assert not any(field.cursor_blink for field in screen.query(Field))
        # The chart under the table, in the lines left: its top, and it scrolls.
        assert screen.both and screen.query_one("#reports-chart").display
        chart = str(screen.chart.render())
        assert chart.startswith("Bars: a 0-30  b 31-60  c 61-90  d 91-120  e 120+")
        assert rows[0].payer in chart and "█" in chart
        assert screen.chart.labels == tuple(r.payer for r in rows)
        await pilot.press("c")  # the chart alone, on the whole screen
        await settle(pilot)
        assert (
            screen.query_one("#reports-chart").display
            and screen.query_one("#reports-chart").has_focus
        )
        assert not screen.table.display and not screen.query_one("#reports-totals").display
        await pilot.press("c")
        await settle(pilot)
        assert screen.table.display and screen.table.has_focus
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "QueueScreen"


async def test_right_and_the_digits_pick_another_report(app, ui_store):
    statuses = ui_store.reports.claim_status(Period(None, TODAY))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot)
        await pilot.press("right")
        await settle(pilot)
        assert "claim-status" in text_of(screen, "#reports-pick")
        assert [r["status"] for r in screen.table.records] == [r.status for r in statuses]
        assert [r["claims"] for r in screen.table.records] == [str(r.claims) for r in statuses]
        assert f"Total ({len(statuses)} statuses)" in text_of(screen, "#reports-totals")
        assert screen.chart.labels == tuple(r.status for r in statuses)
        await pilot.press("left")
        await settle(pilot)
        assert screen.reading.name == "aging"
        await pilot.press("3")
        await settle(pilot)
        assert screen.reading.name == NAMES[2]
        assert [c.label for c in screen.table.COLUMNS] == [
            c.heading for c in REPORTS[NAMES[2]].columns
        ]


async def test_every_report_of_the_catalog_shows(app, ui_store):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot)
        for name in NAMES:
            report = REPORTS[name]
            rows = list(report.rows(ui_store, Period(None, TODAY)))
            assert screen.reading.name == name
            assert len(screen.table.records) == len(rows), name
            one, many = report.nouns
            label = f"Total ({len(rows):,} {one if len(rows) == 1 else many})"
            assert label in text_of(screen, "#reports-totals"), name
            assert not screen.query_one("#reports-message").has_class("-error")
            await pilot.press("right")
            await settle(pilot)
        assert screen.reading.name == NAMES[0]  # round again


async def test_the_dates_narrow_the_report(app, ui_store):
    period = Period(dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    statuses = ui_store.reports.claim_status(period)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot)
        await pilot.press("2")
        await settle(pilot)
        await type_dates(pilot, screen, "01/01/26", "063026")
        assert screen.reading.period == period
        assert [r["claims"] for r in screen.table.records] == [str(r.claims) for r in statuses]
        assert "01/01/2026 to 06/30/2026" in text_of(screen, "#reports-message")
        # In a date field the arrows move along the date; they pick no report.
        await pilot.press("left", "left")
        await settle(pilot)
        assert screen.reading.name == "claim-status"
        assert screen.query_one("#reports-to", Field).cursor_position == 4


@pytest.mark.parametrize(
    ("start", "end", "said"),
    [
        ("13/45/2026", "", "From: no such date"),
        ("", "yesterday", "To: not a date"),
        ("12/01/2026", "11/01/2026", "From 12/01/2026 is after To 11/01/2026"),
    ],
)
async def test_a_date_that_cannot_be_read_is_said_and_nothing_is_read(app, start, end, said):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot)
        calls = count_store_calls(app)
        await type_dates(pilot, screen, start, end)
        message = screen.query_one("#reports-message")
        assert said in str(message.render()) and "Nothing was read" in str(message.render())
        assert message.has_class("-error")
        assert calls == []
        assert screen.reading is None and screen.table.records == []
        await pilot.press("right")  # still in the field: the arrow moves along the date
        await settle(pilot)
        assert calls == []
        screen.query_one(ReportTable).focus()
        await pilot.press("right")  # another report, the same dates: still nothing read
        await settle(pilot)
        assert calls == [] and message.has_class("-error")


async def test_p_prints_the_report_into_the_documents_folder(ui_store, tmp_path):
    folder = tmp_path / "docs"
    app = make_app(ui_store, Settings(database="billing.db", documents=folder))
    rows = ui_store.reports.aging(TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot)
        await pilot.press("p")
        await settle(pilot)
        path = folder / "report-aging-2026-11-24.pdf"
        assert path.exists()
        said = text_of(screen, "#reports-message")
        assert said.startswith(f"PDF written (1 page): {path.name} in ") and str(folder) in said
        text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
        assert REPORTS["aging"].title in text and "To 11/24/2026" in text
        assert rows[0].payer in text and format_cents(sum(r.total for r in rows)) in text
        assert folder.stat().st_mode & 0o777 == 0o700  # patient data: the owner's only


async def test_without_settings_the_pdf_goes_to_the_data_directory(app, documents):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot)
        await pilot.press("right")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        path = documents / "report-claim-status-2026-11-24.pdf"
        said = text_of(screen, "#reports-message")
        assert path.exists() and f"{path.name} in {documents}" in said


def test_every_binding_has_an_id_and_a_tooltip():
    for owner in (ReportsScreen, ReportTable):
        for binding in owner.BINDINGS:
            assert binding.id and binding.description and binding.tooltip, binding.key


# --------------------------------------------------------------------------- at 80x24


def test_the_aging_at_80x24(app, snap_compare):
    async def aging(pilot):
        await open_reports(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=aging)


def test_the_aging_chart_at_80x24(app, snap_compare):
    async def chart(pilot):
        await open_reports(pilot)
        await pilot.press("c")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=chart)


def test_a_report_path_is_only_the_name_and_the_dates():
    from billing_tui.screens.reports import pdf_name

    period = Period(dt.date(2026, 1, 1), None)
    assert pdf_name("claims", period, TODAY) == "report-claims-2026-01-01-to-2026-11-24.pdf"
    assert Path(pdf_name("aging", Period(), TODAY)).name == "report-aging-2026-11-24.pdf"
