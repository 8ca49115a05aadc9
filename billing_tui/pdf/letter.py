"""A contact-log letter on Letter paper: domain.letters.Letter in, PDF bytes out.

A business letter for a #10 window envelope: the practice's letterhead at the top left
(where a double-window envelope's upper window shows it), the recipient's address block
where both a standard single-window #10 envelope and the double-window envelope of our
statements (pdf/statement.py) show it when the page is tri-folded, the date and account
at the top right, clear of both windows; then the title, salutation, paragraphs, an
optional table (a plan's schedule), the closing and the lines to sign or fill in. A long
letter continues on further pages, each headed with the title, account and page.

Core Helvetica in Windows-1252 as in receipt.py; the creation date is the letter's date,
so the same letter gives the same bytes.
"""

from __future__ import annotations

import datetime as dt

from fpdf import FPDF

from ..domain.dates import format_date
from ..domain.letters import Letter
from .receipt import ENCODING, printable

INCH = 72.0
PAGE_W, PAGE_H = 612.0, 792.0  # Letter, in points
LEFT, RIGHT = 1.0 * INCH, PAGE_W - 1.0 * INCH  # a business letter's 1" margins
TOP, BOTTOM = 0.5 * INCH, PAGE_H - 0.75 * INCH

# The recipient's block: inside the lower window of the statements' double-window
# envelope (x 0.5"-4.0", y 2.042"-2.917", already allowing for the folded page's slide)
# and inside a standard single-window #10 envelope's window (4.5" x 1.125", 7/8" from
# the envelope's left edge: x 0.875"-5.375", y about 2.042"-3.167" of a page folded in
# thirds), with the 1/8" USPS DMM 202 asks for between the address and the window's left edge.
ADDRESS_X, ADDRESS_Y = 1.0 * INCH, 2.042 * INCH + 4
ADDRESS_W, ADDRESS_H = 4.0 * INCH - ADDRESS_X, 0.875 * INCH - 6
# The letterhead: inside the double-window envelope's upper window (x 0.5"-4.0",
# y 0.5"-1.292"); a single-window envelope leaves it inside, which is as well.
HEAD_X, HEAD_Y, HEAD_W, HEAD_BOTTOM = 1.0 * INCH, 0.5 * INCH + 2, 4.0 * INCH - 1.0 * INCH, 93.0
# Date and account at the top right: right of both windows' reach at that height.
FACTS_X = 5.5 * INCH
BODY_Y = 3.375 * INCH  # the letter's text starts below the fold's window area

TEXT_SIZE, TEXT_LINE = 10.5, 14.0
PARAGRAPH_GAP = 7.0
ROW = 14.0
TABLE_COLUMNS = ((66.0, "R"), (86.0, "L"), (70.0, "R"))  # number, date, amount
TABLE_W = sum(width for width, _ in TABLE_COLUMNS)
TABLE_GAP = 24.0  # between two columns of a long schedule
HEADING_H = ROW + 3  # the headings and the rule under them
SINGLE_COLUMN_ROWS = 6  # more rows than this go down two columns
SIGNATURE_ROW = 34.0


def letter_pdf(letter: Letter) -> bytes:
    """The letter as a PDF document."""
    pdf = FPDF(unit="pt", format="letter")
    pdf.core_fonts_encoding = ENCODING
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.set_compression(True)
    pdf.set_creator("billing-tui")
    # The document's title says what and which account, never whose (it shows in viewers' tabs).
    pdf.set_title(printable(f"{letter.title}, account {letter.account_number}"))
    pdf.set_creation_date(dt.datetime.combine(letter.date, dt.time(), tzinfo=dt.UTC))
    _Writer(pdf, letter).write()
    return bytes(pdf.output())


class _Writer:
    """Draws one letter top to bottom; y is the top of the next line."""

    def __init__(self, pdf: FPDF, letter: Letter) -> None:
        self.pdf = pdf
        self.letter = letter
        self.y = BODY_Y
        self.page = 0

    def write(self) -> None:
        self.pdf.add_page()
        self.page = 1
        self.letterhead()
        self.facts()
        self.address()
        self.body()

    # ---------------------------------------------------------------- the first page's top

    def letterhead(self) -> None:
        x = self.letter
        self.y = HEAD_Y
        self.line(HEAD_X, x.practice_name, 12.5, "B", 15.0, HEAD_W)
        rest = [line for line in (*x.practice_address, x.practice_phone) if line.strip()]
        step = min(10.5, (HEAD_BOTTOM - self.y) / max(len(rest), 1))
        for text in rest:
            self.line(HEAD_X, text, min(9.0, step - 1.5), "", step, HEAD_W)

    def facts(self) -> None:
        x = self.letter
        self.y = HEAD_Y + 2
        for label, value in (
            ("Date", format_date(x.date)),
            ("Account", x.account_number),
            ("Patient", x.patient_name),
        ):
            self.pdf.set_xy(FACTS_X, self.y)
            self.font(9)
            self.pdf.cell(46, 13, label)
            self.font(9, "B")
            width = RIGHT - FACTS_X - 46
            self.pdf.cell(width, 13, self.fit(value, width))
            self.y += 13

    def address(self) -> None:
        """The recipient's block, in a size that fits the window without cutting a line."""
        x = self.letter
        lines = [x.recipient_name, *x.recipient_address]
        size = 10.0
        while size > 7.5 and (
            len(lines) * size * 1.2 > ADDRESS_H
            or max(self.width(text, size) for text in lines) > ADDRESS_W
        ):
            size -= 0.5
        self.y = ADDRESS_Y
        for text in lines:
            self.line(ADDRESS_X, text, size, "", size * 1.2, ADDRESS_W)

    # ---------------------------------------------------------------- the body

    def body(self) -> None:
        x = self.letter
        self.y = BODY_Y
        self.line(LEFT, x.title, 14, "B", 20.0)
        self.y += 8
        self.paragraph(x.salutation)
        for text in x.paragraphs:
            self.paragraph(text)
        if x.table_rows:
            self.table()
        for text in x.final_paragraphs:
            self.paragraph(text)
        self.closing()
        if x.signature_lines:
            self.signatures()

    def paragraph(self, text: str) -> None:
        self.font(TEXT_SIZE)
        lines = self.pdf.multi_cell(
            RIGHT - LEFT, TEXT_LINE, printable(text), dry_run=True, output="LINES"
        )
        # A short paragraph keeps together; a longer one never leaves one line behind.
        self.room(len(lines) * TEXT_LINE if len(lines) <= 3 else 2 * TEXT_LINE)
        for text_line in lines:
            self.room(TEXT_LINE)
            self.line(LEFT, text_line, TEXT_SIZE, "", TEXT_LINE)
        self.y += PARAGRAPH_GAP

    def table(self) -> None:
        """The rows down one column, or down two side by side (a long schedule), a page's
        share at a time, the headings over each column on every page."""
        rows = list(self.letter.table_rows)
        groups = 2 if len(rows) > SINGLE_COLUMN_ROWS else 1
        self.room(HEADING_H + 2 * ROW)
        while rows:
            fit = max(int((BOTTOM - self.y - HEADING_H) // ROW), 1)
            take = rows[: fit * groups]
            rows = rows[len(take) :]
            per_column = -(-len(take) // groups)
            top = self.y
            for group in range(groups):
                self.y = top
                x = LEFT + group * (TABLE_W + TABLE_GAP)
                self.table_heading(x)
                for row in take[group * per_column : (group + 1) * per_column]:
                    self.pdf.set_xy(x, self.y)
                    self.font(TEXT_SIZE - 0.5)
                    for text, (width, align) in zip(row, TABLE_COLUMNS, strict=False):
                        self.pdf.cell(width, ROW, self.fit(text, width - 8), align=align)
                    self.y += ROW
            self.y = top + HEADING_H + per_column * ROW
            if rows:
                self.next_page()
        self.y += PARAGRAPH_GAP + 4

    def table_heading(self, x: float) -> None:
        self.pdf.set_xy(x, self.y)
        self.font(TEXT_SIZE - 1, "B")
        for text, (width, align) in zip(self.letter.table_headings, TABLE_COLUMNS, strict=False):
            self.pdf.cell(width, ROW, self.fit(text, width - 8), align=align)
        self.y += ROW
        self.pdf.set_line_width(0.5)
        self.pdf.line(x, self.y, x + TABLE_W, self.y)
        self.y += HEADING_H - ROW

    def closing(self) -> None:
        x = self.letter
        self.room(TEXT_LINE * (2 + len(x.sender_lines)) + 22)
        self.y += 4
        self.line(LEFT, x.closing, TEXT_SIZE, "", TEXT_LINE)
        self.y += 22  # room to sign
        for text in x.sender_lines:
            self.line(LEFT, text, TEXT_SIZE, "", TEXT_LINE)
        self.y += 14

    def signatures(self) -> None:
        """Each row's labels side by side, each under a rule to write on; the lines keep
        together, on a page of their own if need be (a form is signed on one sheet)."""
        x = self.letter
        self.room(TEXT_LINE * bool(x.form_title) + SIGNATURE_ROW * len(x.signature_lines))
        if x.form_title:
            self.line(LEFT, x.form_title, TEXT_SIZE, "B", TEXT_LINE)
        for row in x.signature_lines:
            widths = _shares(len(row), RIGHT - LEFT)
            left = LEFT
            rule_y = self.y + 22
            self.pdf.set_line_width(0.6)
            for label, width in zip(row, widths, strict=True):
                self.pdf.line(left, rule_y, left + width - 18, rule_y)
                self.pdf.set_xy(left, rule_y + 1)
                self.font(8)
                self.pdf.cell(width - 18, 10, self.fit(label, width - 18))
                left += width
            self.y += SIGNATURE_ROW

    # ---------------------------------------------------------------- pages

    def fits(self, height: float) -> bool:
        return self.y + height <= BOTTOM

    def room(self, height: float) -> None:
        """A new page unless what comes next (of that height) fits on this one."""
        if not self.fits(height):
            self.next_page()

    def next_page(self) -> None:
        """A further page, headed so that it still says which letter it is if it comes loose."""
        x = self.letter
        self.pdf.add_page()
        self.page += 1
        self.y = TOP
        heading = f"{x.title}, account {x.account_number}, {format_date(x.date)}: page {self.page}"
        self.line(LEFT, heading, 8.5, "", 12.0)
        self.pdf.set_line_width(0.4)
        self.pdf.line(LEFT, self.y + 2, RIGHT, self.y + 2)
        self.y += 16

    # ---------------------------------------------------------------- drawing

    def font(self, size: float, style: str = "") -> None:
        self.pdf.set_font("Helvetica", style=style, size=size)

    def line(
        self,
        x: float,
        text: str,
        size: float,
        style: str,
        height: float,
        width: float | None = None,
    ) -> None:
        width = RIGHT - x if width is None else width
        self.pdf.set_xy(x, self.y)
        self.font(size, style)
        self.pdf.cell(width, height, self.fit(text, width))
        self.y += height

    def width(self, text: str, size: float, style: str = "") -> float:
        self.font(size, style)
        return self.pdf.get_string_width(printable(text))

    def fit(self, text: str, width: float) -> str:
        """The text in the current font, cut with "..." where it would overrun its cell."""
        text = printable(text)
        if self.pdf.get_string_width(text) <= width:
            return text
        while text and self.pdf.get_string_width(text + "...") > width:
            text = text[:-1]
        return text.rstrip() + "..."


def _shares(count: int, width: float) -> list[float]:
    """How a row of fill-in lines shares the width: a signature beside a short date."""
    if count == 1:
        return [width * 0.64]
    if count == 2:
        return [width * 0.64, width * 0.36]
    return [width / count] * count
