"""The patient statement PDF, read back with pypdf: every part, every figure to the cent,
where the addresses fall for a window envelope, continuation pages, and runs of many."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass

import pytest
from pypdf import PdfReader
from statement_builders import (
    GUARANTOR,
    PRACTICE,
    REMIT_TO,
    STATEMENT_DATE,
    line,
    long_statement,
    replace,
    statement,
    visit,
)

from billing_tui.domain.money import parse_cents
from billing_tui.domain.statements import (
    AGING_LABELS,
    AccountItem,
    Party,
    PlanSummary,
    StatementError,
)
from billing_tui.pdf.statement import (
    ADDRESS_WINDOW,
    CUT_Y,
    PAGE_H,
    R_ADJ,
    R_CHARGE,
    R_INS,
    R_OWE,
    R_PAID,
    RETURN_WINDOW,
    STUB_TEXT,
    WIDTHS,
    statement_pdf,
    text_width,
)

MONEY = re.compile(r"-?\$?\d{1,3}(?:,\d{3})*\.\d{2}")
COLUMNS = {"charge": R_CHARGE, "insurance": R_INS, "adjusted": R_ADJ, "paid": R_PAID, "owes": R_OWE}
STYLES = {"/Helvetica": "", "/Helvetica-Bold": "B", "/Helvetica-Oblique": "I"}

FULL = statement(
    visit(
        "C-000481",
        dt.date(2026, 10, 2),
        line("99213", "Office visit, established patient", 15_000, 8_000, 3_000),
        line("36415", "Routine venipuncture", 1_500, 800, 200),
        patient_paid=2_000,
        visit_paid=500,  # a secondary payer's payment on the visit as a whole
        visit_adjusted=150,
    ),
    visit(
        "C-000502",
        dt.date(2026, 8, 16),
        line("99214", "Office visit, moderate complexity", 22_000),
        pending=12_000,
    ),
    visit(
        "C-000533",
        dt.date(2026, 6, 3),
        line("99212", "Office visit, straightforward", 9_500, 0, 1_900),
        payer="",
        provider="",
    ),
    items=(
        AccountItem(dt.date(2026, 11, 1), "Late fee", 2_500),
        AccountItem(dt.date(2026, 11, 2), "Courtesy credit", -1_000),
    ),
    plan=PlanSummary(5_000, dt.date(2026, 12, 1), 1, 20_000),
    amount_due=10_000,
    cycle=2,
)


@dataclass(frozen=True)
class Glyph:
    """A string as drawn: its text, left x and baseline y from the top, font and size."""

    text: str
    x: float
    y: float
    font: str
    size: float

    @property
    def right(self) -> float:
        return self.x + text_width(self.text, STYLES[self.font], self.size)


def read(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in read(data).pages]


def glyphs(page) -> list[Glyph]:
    found = []

    def visit_text(text, cm, tm, font, size):
        if text.strip() and font:
            found.append(Glyph(text.strip(), tm[4], PAGE_H - tm[5], font["/BaseFont"], size))

    page.extract_text(visitor_text=visit_text)
    return found


def rows(page) -> list[tuple[str, dict[str, int]]]:
    """The page's lines as (words at the left, {money column: cents})."""
    by_line: dict[float, list[Glyph]] = {}
    for glyph in glyphs(page):
        by_line.setdefault(round(glyph.y, 1), []).append(glyph)
    table = []
    for _, line_glyphs in sorted(by_line.items()):
        words, amounts = [], {}
        for glyph in sorted(line_glyphs, key=lambda g: g.x):
            column = [name for name, x in COLUMNS.items() if abs(glyph.right - x) < 0.5]
            if column and MONEY.fullmatch(glyph.text):
                amounts[column[0]] = parse_cents(glyph.text)
            else:
                words.append(glyph.text)
        table.append((" ".join(words), amounts))
    return table


def one_page_text(content) -> str:
    result = statement_pdf([content])
    assert result.pages == (1,)
    return page_texts(result.data)[0]


def test_every_part_of_the_statement_prints():
    text = one_page_text(FULL)
    for expected in (
        *(PRACTICE.name, *PRACTICE.lines, PRACTICE.phone),
        *(GUARANTOR.name, *GUARANTOR.lines),
        "Patient statement",
        "Page 1 of 1",
        "Statement date 11/24/2026",
        "Account number A10027",
        "Patient Mateo Núñez",
        "Due date 12/15/2026",
        "Amount due $100.00",
        "PAST DUE",
        "PAST DUE: we have not received payment",
        "10/02/2026 99213 Office visit, established patient",
        "36415 Routine venipuncture",
        "Paid and adjusted on the visit as a whole",
        "Visit total: claim C-000481, Acme Health, Ann Lee MD",
        "Visit total: claim C-000533, Self-pay",
        "Waiting on Acme Health: 120.00",
        "11/01/2026 Late fee 25.00",
        "11/02/2026 Courtesy credit -10.00",
        *AGING_LABELS,
        "Insurance still to pay 120.00",
        "Amount due by 12/15/2026 100.00",
        "Payment plan: instalment 50.00, next due 12/01/2026",
        "1 instalment overdue; 200.00 left on the plan",
        "How to pay",
        "By phone: call (217) 555-0142",
        "PO Box 4410, Springfield, IL 62708-4410",
        STUB_TEXT,
        "Make your check payable to and mail it to:",
        *REMIT_TO.lines,
        "Amount enclosed $",
    ):
        assert expected in text, expected


def test_every_figure_agrees_to_the_cent_and_every_column_adds_up():
    page = read(statement_pdf([FULL]).data).pages[0]
    table = rows(page)
    labels = [label for label, _ in table]

    def row(starts: str) -> dict[str, int]:
        matches = [amounts for label, amounts in table if label.startswith(starts)]
        assert len(matches) == 1, (starts, labels)
        return matches[0]

    column_sums = {"charge": 0, "insurance": 0, "adjusted": 0, "paid": 0, "owes": 0}
    for v in FULL.visits:
        dos = f"{v.dos:%m/%d/%Y}"
        lines = [row(f"{dos} {v.lines[0].code}")] + [row(item.code) for item in v.lines[1:]]
        for statement_line, printed in zip(v.lines, lines, strict=True):
            assert printed == {
                "charge": statement_line.charge,
                "insurance": statement_line.insurance_paid,
                "adjusted": statement_line.adjustments,
            }
        total = row(f"Visit total: claim {v.claim_number}")
        assert total == {
            "charge": v.charge,
            "insurance": v.insurance_paid,
            "adjusted": v.adjustments,
            "paid": v.patient_paid,
            "owes": v.patient_owes,
        }
        if v.visit_level_paid or v.visit_level_adjustments:
            lines.append(row("Paid and adjusted on the visit as a whole"))
        for name in ("charge", "insurance", "adjusted"):  # the lines add up to the total
            assert sum(printed.get(name, 0) for printed in lines) == total[name]
        for name in column_sums:
            column_sums[name] += total[name]
    assert row("All visits") == column_sums
    items = [row(f"{item.date:%m/%d/%Y} {item.description}") for item in FULL.account_items]
    assert [printed["owes"] for printed in items] == [item.amount for item in FULL.account_items]
    # The table's last row (the owes column and the items), and the totals below it.
    balances = [amounts for label, amounts in table if label == "Your balance"]
    owed = column_sums["owes"] + sum(item.amount for item in FULL.account_items)
    assert balances == [{"owes": owed}, {"owes": owed}] and owed == FULL.balance

    text = page.extract_text()
    aging_line = next(line for line in text.splitlines() if line.startswith("Current"))
    assert [parse_cents(m) for m in MONEY.findall(aging_line)] == list(FULL.aging)
    for label, cents in (
        ("Insurance still to pay", FULL.insurance_pending),
        ("Amount due by 12/15/2026", FULL.amount_due),
        ("Amount due $", FULL.amount_due),
    ):
        found = [ln for ln in text.splitlines() if ln.startswith(label)]
        assert found and all(parse_cents(MONEY.findall(ln)[-1]) == cents for ln in found), label


def test_the_addresses_fall_inside_the_envelope_windows():
    # The windows as documented, in inches from the page's top left corner.
    assert [v / 72 for v in ADDRESS_WINDOW] == pytest.approx([0.5, 2.042, 3.5, 0.875])
    assert [v / 72 for v in RETURN_WINDOW] == pytest.approx([0.5, 0.5, 3.5, 0.792])
    page = read(statement_pdf([FULL]).data).pages[0]
    drawn = glyphs(page)
    for window, expected in (
        (ADDRESS_WINDOW, [GUARANTOR.name, *GUARANTOR.lines]),
        (RETURN_WINDOW, [PRACTICE.name, *PRACTICE.lines, PRACTICE.phone]),
    ):
        x, y, w, h = window
        inside = [g for g in drawn if x - 1 < g.x < x + w and y - 12 < g.y < y + h + 12]
        assert [g.text for g in inside] == expected  # and nothing else shows through
        for g in inside:
            # Helvetica's capitals rise 0.718 em and its descenders fall 0.207 em.
            assert x <= g.x and g.right <= x + w
            assert y <= g.y - 0.718 * g.size and g.y + 0.207 * g.size <= y + h
    # The statement's body is above the cut line, the stub below it.
    below = {g.text for g in drawn if g.y > CUT_Y}
    above = {g.text for g in drawn if g.y < CUT_Y}
    assert {STUB_TEXT, "Amount enclosed", *REMIT_TO.lines} <= below
    assert {"How to pay", "Amount due by 12/15/2026", "Your balance"} <= above - below


def test_a_long_statement_continues_with_headings_and_page_numbers():
    content = long_statement(45)
    result = statement_pdf([content])
    count = result.pages[0]
    assert 2 <= count <= 3
    texts = page_texts(result.data)
    assert len(texts) == count
    assert f"Page 1 of {count}" in texts[0]
    for number, text in enumerate(texts[1:], 2):
        assert f"Page {number} of {count}" in text
        assert "Patient statement, account A20001, Ana Lucía Peña, 11/24/2026 (continued)" in text
        assert "Description" in text  # the table's headings, repeated
    assert STUB_TEXT in texts[0] and "Amount enclosed" in texts[0]
    assert all(STUB_TEXT not in text and "Amount enclosed" not in text for text in texts[1:])
    every = "\n".join(texts)
    for v in content.visits:  # each visit once, none split from its total
        assert every.count(f"claim {v.claim_number}") == 1
    assert "Amount due by 12/15/2026" in texts[-1]


def test_a_visit_longer_than_a_page_is_split_and_still_adds_up():
    lines = [line(f"8{n:04d}", f"Laboratory test {n}", 1_000, 500, 100) for n in range(90)]
    content = statement(
        visit("C-000001", dt.date(2026, 9, 1), *lines),
        items=tuple(AccountItem(dt.date(2026, 10, 1), f"Late fee {n}", 100) for n in range(80)),
    )
    result = statement_pdf([content])
    reader = read(result.data)
    assert result.pages == (len(reader.pages),) and len(reader.pages) >= 3
    table = [row for page in reader.pages for row in rows(page)]
    printed = [amounts for label, amounts in table if "Laboratory test" in label]
    assert len(printed) == 90
    assert all(p == {"charge": 1_000, "insurance": 500, "adjusted": 100} for p in printed)
    total = [amounts for label, amounts in table if label.startswith("Visit total")]
    assert total == [
        {"charge": 90_000, "insurance": 45_000, "adjusted": 9_000, "paid": 0, "owes": 36_000}
    ]
    assert sum(label.startswith("10/01/2026 Late fee") for label, _ in table) == 80
    # The page that goes on with the visit starts with its date again.
    second = page_texts(result.data)[1]
    assert re.search(r"\(continued\).*\n(.*\n){0,8}09/01/2026 8\d{4} Laboratory test", second)


def test_several_statements_in_one_pdf_and_the_pages_of_each():
    short = replace(FULL, account_number="A10001")
    run = [short, long_statement(45, account="A20002"), replace(FULL, account_number="A10003")]
    result = statement_pdf(run)
    assert result.pages[0] == 1 and result.pages[2] == 1 and result.pages[1] >= 2
    texts = page_texts(result.data)
    assert len(texts) == sum(result.pages)
    first_pages = [0, 1, 1 + result.pages[1]]
    for index, content in zip(first_pages, run, strict=True):
        assert f"Account number {content.account_number}" in texts[index]
        assert STUB_TEXT in texts[index]
    assert sum(STUB_TEXT in text for text in texts) == 3


def test_the_same_statements_give_the_same_bytes():
    run = [FULL, long_statement(45)]
    first, second = statement_pdf(run), statement_pdf(run)
    assert first.data == second.data
    assert first.data.startswith(b"%PDF")
    later = statement_pdf([replace(FULL, statement_date=dt.date(2026, 12, 24))])
    assert read(later.data).metadata.creation_date.date() == dt.date(2026, 12, 24)


def test_names_with_accents_print_and_other_letters_come_close():
    content = replace(
        FULL,
        patient_name="Zoë Núñez-Ibáñez",
        recipient=Party("Łukasz Wójcik", ("12 Calle del Sol", "Coral Haven, FL 33401")),
    )
    text = one_page_text(content)
    assert "Patient Zoë Núñez-Ibáñez" in text
    assert "Lukasz Wójcik" in text  # Ł is not in Windows-1252: its base letter prints


def test_a_final_notice_is_firmer_than_a_reminder():
    def message_fonts(cycle: int) -> set[str]:
        content = replace(FULL, cycle=cycle, message=FULL.message.replace("PAST DUE", "Note"))
        page = read(statement_pdf([content]).data).pages[0]
        return {g.font for g in glyphs(page) if g.text.startswith("Note:")}

    assert message_fonts(1) == {"/Helvetica"}
    assert message_fonts(3) == {"/Helvetica-Bold"}
    assert "FINAL NOTICE" in one_page_text(replace(FULL, cycle=3))
    reminder = one_page_text(replace(FULL, cycle=1, message="Thank you."))
    assert "FINAL NOTICE" not in reminder and "PAST DUE" not in reminder


def test_how_to_pay_lines_print_as_given():
    lines = ("Pay online at pay.example.com.", "Call us: (217) 555-0142.")
    text = one_page_text(replace(FULL, how_to_pay=lines))
    assert all(line in text for line in lines)
    assert "By phone: call" not in text


def test_long_text_is_cut_to_its_column():
    content = statement(
        visit(
            "C-000900",
            dt.date(2026, 11, 2),
            line("99213", "Office visit " + "with a very long description " * 8, 15_000),
            payer="Bluewater Health Plan of the Greater Springfield Metropolitan Area",
        ),
        patient="Maximiliana Bartholomew-Featherstonehaugh Castellanos de la Vega",
    )
    page = read(statement_pdf([content]).data).pages[0]
    drawn = {g.text: g for g in glyphs(page)}
    description = next(g for text, g in drawn.items() if text.startswith("Office visit with"))
    assert description.text.endswith("...")
    assert description.right <= R_CHARGE - 40
    name = next(g for text, g in drawn.items() if text.startswith("Maximiliana"))
    assert name.text.endswith("...") and name.right <= R_OWE + 3


def test_a_visit_with_no_lines_still_shows_its_date_and_its_money():
    content = statement(
        visit("C-000777", dt.date(2026, 11, 3), visit_paid=0, visit_adjusted=0),
        items=(AccountItem(dt.date(2026, 11, 5), "Late fee", 2_500),),
    )
    text = one_page_text(content)
    assert "11/03/2026 Paid and adjusted on the visit as a whole" in text
    assert "Late fee 25.00" in text


def test_no_card_number_or_card_field_is_printed():
    text = "".join(page_texts(statement_pdf([FULL, long_statement(45)]).data))
    assert not re.search(r"\d{12,}", text.replace(" ", "").replace("-", ""))
    for word in ("Card number", "Expir", "CVV", "Security code"):
        assert word.lower() not in text.lower()


def test_a_statement_that_does_not_add_up_is_refused_before_printing():
    with pytest.raises(StatementError, match="balance"):
        replace(FULL, balance=FULL.balance + 1)
    with pytest.raises(StatementError, match="no mailing address"):
        replace(FULL, recipient=Party("Rosa Núñez", ()))


def test_an_empty_run_is_refused():
    with pytest.raises(ValueError, match="no statements"):
        statement_pdf([])


def test_amounts_are_one_width_in_every_style():
    # The writer right-aligns money with one rule for every style of Helvetica.
    widths = {char: 556 for char in b"0123456789$"} | {ord("."): 278, ord(","): 278, ord("-"): 333}
    for char, width in widths.items():
        assert {table[char] for table in WIDTHS.values()} == {width}


def test_statement_dates_lead_the_run():
    later = replace(long_statement(45), statement_date=STATEMENT_DATE + dt.timedelta(days=3))
    result = statement_pdf([later, FULL])
    assert read(result.data).metadata.creation_date.date() == later.statement_date
