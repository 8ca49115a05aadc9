"""Reports as PDF files: the rows of a sample practice's Store, written and read back with pypdf
(what it says, page by page), a report with no rows, every report of the catalog."""

from __future__ import annotations

import datetime as dt

import pytest
from pypdf import PdfReader

from billing_tui.domain.money import format_cents
from billing_tui.pdf.report import chart_of, nice_ticks, tick_text, write_report_pdf
from billing_tui.reports import REPORTS
from billing_tui.sample import generate
from billing_tui.store import Store
from billing_tui.store.reports import Period

TODAY = dt.date(2026, 11, 24)
TO_TODAY = Period(None, TODAY)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("reports") / "b.db"
    store = Store.open(str(path), username="tester", today=lambda: TODAY)
    generate(store.db, 60, seed=4, as_of=TODAY)
    try:
        yield store
    finally:
        store.close()


def rows_of(store, name: str, period: Period = TO_TODAY) -> list:
    return list(REPORTS[name].rows(store, period))


def write(tmp_path, name: str, rows: list, **kwargs) -> tuple[int, list[str]]:
    """Write the report; its page count and each page's text."""
    report = REPORTS[name]
    path = tmp_path / f"{name}.pdf"
    kwargs.setdefault("period_text", "To 11/24/2026")
    pages = write_report_pdf(report, rows, path, title=report.title, generated=TODAY, **kwargs)
    texts = [page.extract_text() for page in PdfReader(path).pages]
    assert len(texts) == pages
    for n, text in enumerate(texts, 1):
        assert f"Page {n} of {pages}" in text
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left
    return pages, texts


def test_aging_says_what_when_and_the_grand_total(store, tmp_path):
    rows = rows_of(store, "aging")
    payers = [r.payer for r in rows if r.responsibility == "insurance"]
    assert len(payers) >= 2
    pages, texts = write(tmp_path, "aging", rows, practice_name="Sample Family Practice")
    text = "\n".join(texts)
    assert pages == 1
    for words in (
        REPORTS["aging"].title,
        "Sample Family Practice",
        "To 11/24/2026",
        "Generated 11/24/2026",
        "Owed by",
        "0-30",
        "91-120",
        "120+",
        payers[0],
        f"Total ({len(rows)} lines)",
        format_cents(sum(r.total for r in rows)),
        format_cents(sum(r.days_0_30 for r in rows)),
    ):
        assert words in text, words


def test_claim_status_lists_each_status_with_its_totals(store, tmp_path):
    rows = rows_of(store, "claim-status")
    pages, texts = write(tmp_path, "claim-status", rows)
    text = "\n".join(texts)
    assert pages == 1
    assert "Claims by status" in text and "Balance by status" in text  # the chart's caption
    for row in rows:
        assert row.status in text
    assert f"Total ({len(rows)} statuses)" in text
    assert format_cents(sum(r.charge for r in rows)) in text
    assert format_cents(sum(r.balance for r in rows)) in text


def test_a_report_with_no_rows_still_prints_its_zero_totals(store, tmp_path):
    empty = Period(dt.date(2001, 1, 1), dt.date(2001, 1, 31))
    assert rows_of(store, "claim-status", empty) == []
    pages, texts = write(tmp_path, "claim-status", [], period_text="01/01/2001 to 01/31/2001")
    assert pages == 1
    text = texts[0]
    assert "Total (0 statuses)" in text and "0.00" in text
    assert "Nothing for this period." in text
    assert "Status" in text and "Balance" in text


def test_a_long_report_repeats_its_headings_on_every_page(store, tmp_path):
    rows = rows_of(store, "claims")
    pages, texts = write(tmp_path, "claims", rows)
    assert pages > 1
    for text in texts:
        assert "Claim" in text and "Pat resp" in text and "Balance" in text
    assert "(continued)" in texts[1]
    # Every claim is there once, and the total is on the last page only.
    numbers = [line.split()[0] for text in texts for line in text.splitlines() if line]
    assert all(numbers.count(r.claim_number) == 1 for r in rows)
    assert f"Total ({len(rows)} claims)" in texts[-1]
    assert format_cents(sum(r.balance for r in rows)) in texts[-1]


def test_credits_chart_left_of_zero_and_total_as_they_are(tmp_path):
    from billing_tui.store.reports import AgingRow

    rows = [
        AgingRow("Bluewater Health Plan", "insurance", (120_000, 5_000, 0, 0, 2_500)),
        AgingRow("No visit (credits, fees)", "account", (-4_000, 0, 0, 0, -75_000)),
    ]
    pages, texts = write(tmp_path, "aging", rows)
    assert pages == 1
    assert "-790.00" in texts[0] and "-750.00" in texts[0]  # the credit's total and bucket
    assert format_cents(127_500 - 79_000) in texts[0]  # the grand total nets the credit
    assert "-1,000" in texts[0].replace("\n", " ")  # the axis reaches below zero


def test_the_same_rows_on_the_same_day_give_the_same_bytes(store, tmp_path):
    rows = rows_of(store, "aging")
    report = REPORTS["aging"]
    for name in ("a.pdf", "b.pdf"):
        write_report_pdf(report, rows, tmp_path / name, title="Aging", period_text="x",
                         generated=TODAY)  # fmt: skip
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_every_report_of_the_catalog_prints(store, tmp_path, name):
    rows = rows_of(store, name)
    pages, texts = write(tmp_path, name, rows)
    one, many = REPORTS[name].nouns
    assert f"Total ({len(rows):,} {one if len(rows) == 1 else many})" in texts[-1]
    assert REPORTS[name].columns[-1].heading in texts[0]


def test_a_chart_tells_rows_apart_by_the_text_columns_it_needs(store):
    chart = chart_of(REPORTS["aging"], rows_of(store, "aging"))
    assert chart.label_columns == 1 and [s.name for s in chart.series][:2] == ["0-30", "31-60"]
    denials = rows_of(store, "denials")
    if denials:
        chart = chart_of(REPORTS["denials"], denials)
        assert chart.label_columns == 2
        assert len(set(chart.labels)) == len(chart.labels)
        assert chart.labels[0].startswith("reason: ")


def test_axis_ticks_are_round_amounts_around_zero():
    assert nice_ticks(0, 183_000) == [0, 50_000, 100_000, 150_000, 200_000]
    assert nice_ticks(-2_000, 9_000)[0] <= -2_000 and 0 in nice_ticks(-2_000, 9_000)
    assert nice_ticks(0, 0) == [0, 25, 50, 75, 100]
    assert tick_text(150_000, 50_000) == "1,500" and tick_text(25, 25) == "0.25"


def test_the_pdf_writer_imports_no_textual():
    import subprocess
    import sys

    code = "import sys, billing_tui.pdf.report; print('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=True)  # fmt: skip
    assert result.stdout.strip() == "False"
