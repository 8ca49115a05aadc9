"""A patient's payment receipt on Letter paper: Receipt in, PDF bytes out.

One page for any ordinary payment (a long list of applied lines continues on
the next page, headings repeated). Core Helvetica only, in Windows-1252 so
names like Núñez and signs like € print; the text stays extractable. The
creation date is the date received, so the same receipt gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from fpdf import FPDF

from ..domain.dates import format_date
from ..domain.money import format_cents
from ..domain.receipts import Receipt, ReceiptLine

PAGE_W, PAGE_H = 612.0, 792.0  # Letter, in points
MARGIN = 54.0  # 3/4 inch
LEFT, RIGHT = MARGIN, PAGE_W - MARGIN
BOTTOM = PAGE_H - MARGIN
ROW = 16.0
SECOND_COLUMN = LEFT + 260  # account and patient, beside receipt number and date
# Applied-to table: date of service, claim, description, amount (widths in points).
COLUMNS = (("Date of service", 84.0, "L"), ("Claim", 96.0, "L"), ("Description", 244.0, "L"))
AMOUNT_W = RIGHT - LEFT - sum(width for _, width, _ in COLUMNS)
TAIL_H = 110.0  # credit, balance, posted by and the thank-you line after the table
ENCODING = "windows-1252"
# Letters outside Windows-1252 that Unicode does not decompose to a base letter.
_LETTERS = str.maketrans({"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i"})


def receipt_pdf(receipt: Receipt) -> bytes:
    """The receipt as a PDF document."""
    pdf = FPDF(unit="pt", format="letter")
    pdf.core_fonts_encoding = ENCODING
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.set_compression(True)
    pdf.set_creator("billing-tui")
    pdf.set_title(printable(f"Payment receipt {receipt.number}"))
    pdf.set_creation_date(dt.datetime.combine(receipt.received_date, dt.time(), tzinfo=dt.UTC))
    pdf.add_page()
    _Writer(pdf, receipt).write()
    return bytes(pdf.output())


def printable(text: str) -> str:
    """Text the core fonts can show: Windows-1252 kept, other letters stripped of accents, else "?"."""
    out = []
    for char in " ".join(text.split()).translate(_LETTERS):
        try:
            char.encode(ENCODING)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char)
            char = "".join(c for c in base if not unicodedata.combining(c))
            char = char.encode(ENCODING, "replace").decode(ENCODING) or "?"
        out.append(char)
    return "".join(out)


class _Writer:
    """Draws one receipt top to bottom; y is the top of the next line."""

    def __init__(self, pdf: FPDF, receipt: Receipt) -> None:
        self.pdf = pdf
        self.receipt = receipt
        self.y = MARGIN

    def write(self) -> None:
        self.header()
        self.facts()
        self.payment()
        self.applied_table()
        self.tail()

    # ---------------------------------------------------------------- pieces

    def header(self) -> None:
        r = self.receipt
        self.text(LEFT, r.practice_name, size=15, style="B", height=20)
        for line in (*r.practice_address, r.practice_phone):
            if line.strip():
                self.text(LEFT, line, size=10, height=13)
        self.y += 10
        self.rule(0.8)
        self.y += 14
        self.text(LEFT, "Payment receipt", size=18, style="B", height=28)

    def facts(self) -> None:
        r = self.receipt
        pairs = (
            (("Receipt", r.number), ("Account", r.account_number)),
            (("Date", format_date(r.received_date)), ("Patient", r.patient_name)),
        )
        for (label_a, value_a), (label_b, value_b) in pairs:
            self.label_value(LEFT, label_a, value_a, right=SECOND_COLUMN - 8)
            self.label_value(SECOND_COLUMN, label_b, value_b)
            self.y += ROW
        self.y += 12

    def payment(self) -> None:
        r = self.receipt
        self.pdf.set_xy(LEFT, self.y)
        self.font(11)
        self.pdf.cell(120, 22, "Amount received")
        self.font(16, "B")
        self.pdf.cell(140, 22, format_cents(r.amount))
        self.y += 24
        self.label_value(LEFT, "Paid by", r.method_line, label_w=120)
        self.y += ROW + 16

    def applied_table(self) -> None:
        lines = self.receipt.applied
        if not lines:
            return
        self.text(LEFT, "Applied to", size=11, style="B", height=ROW + 2)
        self.table_heading()
        for line in lines:
            if self.y + ROW > BOTTOM:
                self.next_page()
                self.text(LEFT, "Applied to (continued)", size=11, style="B", height=ROW + 2)
                self.table_heading()
            self.table_row(line)
        self.rule(0.5)
        self.y += 3
        self.pdf.set_xy(LEFT, self.y)
        self.font(10, "B")
        self.pdf.cell(RIGHT - LEFT - AMOUNT_W, ROW, "Total applied")
        self.pdf.cell(AMOUNT_W, ROW, format_cents(self.receipt.applied_total), align="R")
        self.y += ROW + 12

    def table_heading(self) -> None:
        self.pdf.set_xy(LEFT, self.y)
        self.font(9, "B")
        for title, width, align in COLUMNS:
            self.pdf.cell(width, ROW, title, align=align)
        self.pdf.cell(AMOUNT_W, ROW, "Amount", align="R")
        self.y += ROW
        self.rule(0.5)
        self.y += 2

    def table_row(self, line: ReceiptLine) -> None:
        self.pdf.set_xy(LEFT, self.y)
        self.font(10)
        cells = (format_date(line.dos), line.claim, line.description)
        for text, (_, width, align) in zip(cells, COLUMNS, strict=True):
            self.pdf.cell(width, ROW, self.fit(text, width - 6), align=align)
        self.pdf.cell(AMOUNT_W, ROW, format_cents(line.amount), align="R")
        self.y += ROW

    def tail(self) -> None:
        r = self.receipt
        if self.y + TAIL_H > BOTTOM:
            self.next_page()
        if r.credit:
            self.amount_line("Left as a credit on the account", format_cents(r.credit))
        label, amount = r.balance_line
        self.amount_line(label, amount, style="B")
        if r.posted_by.strip():
            self.y += 6
            self.label_value(LEFT, "Posted by", r.posted_by, label_w=120)
            self.y += ROW
        self.y += 24
        self.text(LEFT, "Thank you for your payment.", size=11, style="I", height=ROW)

    # ---------------------------------------------------------------- drawing

    def next_page(self) -> None:
        """A further page, headed so that it still says whose receipt it is if it comes loose."""
        r = self.receipt
        self.pdf.add_page()
        self.y = MARGIN
        heading = f"Payment receipt {r.number}, {format_date(r.received_date)}, account {r.account_number} (continued)"
        self.text(LEFT, heading, size=9, height=ROW)
        self.y += 10

    def font(self, size: float, style: str = "") -> None:
        self.pdf.set_font("Helvetica", style=style, size=size)

    def text(self, x: float, text: str, *, size: float, style: str = "", height: float) -> None:
        self.pdf.set_xy(x, self.y)
        self.font(size, style)
        self.pdf.cell(RIGHT - x, height, self.fit(text, RIGHT - x))
        self.y += height

    def label_value(
        self, x: float, label: str, value: str, *, label_w: float = 60, right: float = RIGHT
    ) -> None:
        self.pdf.set_xy(x, self.y)
        self.font(10)
        self.pdf.cell(label_w, ROW, label)
        self.font(10, "B")
        width = right - x - label_w
        self.pdf.cell(width, ROW, self.fit(value, width))

    def amount_line(self, label: str, amount: str, *, style: str = "") -> None:
        self.pdf.set_xy(LEFT, self.y)
        self.font(11, style)
        self.pdf.cell(RIGHT - LEFT - AMOUNT_W, ROW + 2, label)
        self.pdf.cell(AMOUNT_W, ROW + 2, amount, align="R")
        self.y += ROW + 4

    def rule(self, width: float) -> None:
        self.pdf.set_line_width(width)
        self.pdf.line(LEFT, self.y, RIGHT, self.y)

    def fit(self, text: str, width: float) -> str:
        """The text in the current font, cut with "..." where it would overrun its cell."""
        text = printable(text)
        if self.pdf.get_string_width(text) <= width:
            return text
        while text and self.pdf.get_string_width(text + "...") > width:
            text = text[:-1]
        return text.rstrip() + "..."
