"""Patient statements on Letter paper, a run of them in one PDF: StatementContent in, bytes out.

Each statement starts on a new page laid out for a standard #10 double-window envelope
(the practice shows through the upper window, the recipient through the lower one when
the page is tri-folded), with a remittance stub at the foot of its first page. A long
list of visits continues on further pages, each headed with the account and "Page N of
M". Core Helvetica in Windows-1252 as in receipt.py; the creation date is the first
statement's date, so the same statements give the same bytes.

Runs are tens of thousands of pages, so the drawing is lean: text at absolute positions
(pdf.text, not cell), widths summed from the core fonts' width tables instead of
get_string_width, and what repeats from statement to statement (messages, how-to-pay
lines, descriptions) measured once per run. A statement is laid out first (rows and
their heights, which is cheap arithmetic) so that its page count is known before its
first page is drawn.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import accumulate

from fpdf import FPDF
from fpdf.fonts import CORE_FONTS_CHARWIDTHS

from ..domain.dates import format_date
from ..domain.money import format_cents
from ..domain.statements import AGING_LABELS, StatementContent, StatementVisit
from .receipt import ENCODING, printable

# FPDF(**DOCUMENT): bench/statement_floor.py replays the drawing on the same blank document.
DOCUMENT = {"unit": "pt", "format": "letter"}
INCH = 72.0
PAGE_W, PAGE_H = 612.0, 792.0  # Letter, in points
LEFT, RIGHT = 36.0, 576.0  # 1/2 inch margins: every line of the table spans these
TOP, BOTTOM = 36.0, 756.0

# Where the two windows of a standard #10 double-window envelope fall on a tri-folded
# Letter page, as the rectangles that stay inside the windows however far the folded
# page slides in the envelope (PostalMethods' document guide for #10 double-window mail;
# USPS DMM 202 asks for 1/8" clear between the address and the window's edges, which the
# slack in these rectangles gives):
#   upper window (return address, the practice): 0.5" from the left, 0.5" from the top,
#     3.5" wide, 0.792" tall -> x 36-288 pt, y 36-93 pt;
#   lower window (the recipient): 0.5" from the left, 2.042" from the top, 3.5" wide,
#     0.875" tall -> x 36-288 pt, y 147-210 pt.
# Nothing else is printed in the left 4" of the page's top 3".
RETURN_WINDOW = (0.5 * INCH, 0.5 * INCH, 3.5 * INCH, 0.792 * INCH)  # x, y, width, height
ADDRESS_WINDOW = (0.5 * INCH, 2.042 * INCH, 3.5 * INCH, 0.875 * INCH)
CUT_Y = 8.25 * INCH  # the dashed line above the remittance stub
PAGE1_BOTTOM = CUT_Y - 14  # the statement's body ends above the stub on its first page
BOX_X = 4.5 * INCH  # the right-hand column of the first page: title, summary box
STUB_TEXT = "Please detach and return this part with your payment"

# The table: date, code and description from the left, money columns right-aligned.
ROW = 10.0  # a table row at 8 points
BASE = 7.5  # baseline below a row's top
HEAD_H = 22.0  # the column headings (two lines) and the rule under them
X_DATE, X_CODE, X_DESC, DESC_END = LEFT + 3, LEFT + 56, LEFT + 100, LEFT + 282
R_CHARGE, R_INS, R_ADJ, R_PAID, R_OWE = 370.0, 424.0, 478.0, 526.0, RIGHT - 3
LABEL_END = R_CHARGE - 52  # a total row's label ends where the charge column starts
CONTINUED_TABLE_Y = TOP + 28  # below a continuation page's heading
MAX_MESSAGE_LINES = 6
WHOLE_LABEL = "Paid and adjusted on the visit as a whole"
MAX_HOW_TO_PAY_LINES = 8


@dataclass(frozen=True, slots=True)
class StatementPdf:
    """The run's PDF, and how many pages each statement took, in the order given."""

    data: bytes = field(repr=False)
    pages: tuple[int, ...]


def statement_pdf(
    contents: Iterable[StatementContent], *, title: str = "Patient statements"
) -> StatementPdf:
    """Every statement in one PDF, each from a new page."""
    pdf = FPDF(**DOCUMENT)
    pages = draw_statements(pdf, contents, title=title)
    return StatementPdf(bytes(pdf.output()), pages)


def draw_statements(
    pdf: FPDF, contents: Iterable[StatementContent], *, title: str = "Patient statements"
) -> tuple[int, ...]:
    """Draw the statements into a fresh FPDF(**DOCUMENT); the pages of each, in order."""
    pdf.core_fonts_encoding = ENCODING
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.set_compression(True)
    pdf.set_creator("billing-tui")
    pdf.set_title(printable(title))
    writer = _Writer(pdf)
    pages = []
    for content in contents:
        if not pages:
            stamp = dt.datetime.combine(content.statement_date, dt.time(), tzinfo=dt.UTC)
            pdf.set_creation_date(stamp)
        pages.append(writer.statement(content))
    if not pages:
        raise ValueError("there are no statements to print")
    return tuple(pages)


# --------------------------------------------------------------------------- text widths


def _width_table(style: str) -> tuple[int, ...]:
    """Glyph widths (thousandths of an em) by Windows-1252 byte, as fpdf2 measures them."""
    widths = CORE_FONTS_CHARWIDTHS["helvetica" + style]
    return tuple(widths.get(chr(code), 0) for code in range(256))


WIDTHS = {style: _width_table(style) for style in ("", "B", "I", "BI")}
WIDEST = {style: max(table) for style, table in WIDTHS.items()}

ELLIPSIS = "..."


def text_width(text: str, style: str, size: float) -> float:
    """The width in points of printable text in Helvetica of that style and size."""
    return sum(map(WIDTHS[style].__getitem__, text.encode(ENCODING))) * size * 0.001


def fit_text(text: str, style: str, size: float, width: float) -> str:
    """printable(text), cut with "..." where it would be wider than width points."""
    text = _clean(text)
    table = WIDTHS[style]
    limit = width * 1000 / size
    if len(text) * WIDEST[style] <= limit:  # fits however wide its letters: not measured
        return text
    codes = text.encode(ENCODING)
    if sum(map(table.__getitem__, codes)) <= limit:
        return text
    limit -= 3 * table[ord(".")]
    cut = 0
    for total in accumulate(map(table.__getitem__, codes)):
        if total > limit:
            break
        cut += 1
    return text[:cut].rstrip() + ELLIPSIS


def _money_units(text: str) -> int:
    """The width of an amount in thousandths of an em: Helvetica's figures and "$" are
    556, "." and "," 278, "-" 333, in every style (a test checks it)."""
    return 556 * len(text) - 278 * (text.count(".") + text.count(",")) - 223 * text.count("-")


def _clean(text: str) -> str:
    """printable(), skipping the work for the plain ASCII most text is."""
    if text.isascii() and text.isprintable() and "  " not in text and text.strip() == text:
        return text
    return printable(text)


class _Memo(dict):
    """A dict that fills itself: memo[key] is function(key), worked out once a run.
    Looking up what a run has already seen (amounts, dates, descriptions) costs a dict
    subscript, which is what keeps the writer's own time small beside fpdf2's."""

    __slots__ = ("function",)

    def __init__(self, function) -> None:
        super().__init__()
        self.function = function

    def __missing__(self, key):
        value = self[key] = self.function(key)
        return value


# --------------------------------------------------------------------------- layout

# Row kinds of the visits table; a row is (kind, height, *what it prints).
LINE, WHOLE, TOTAL, PENDING, ALL_VISITS, ITEMS_HEAD, ITEM, BALANCE = range(8)


@dataclass(slots=True)
class _Page:
    rows: list = field(default_factory=list)  # (y, row)
    table_y: float | None = None  # where the column headings go, if the table is on it
    end_y: float | None = None  # where aging, totals and how to pay go, if on it


class _Writer:
    """Lays out and draws statements into one FPDF; caches what repeats across a run."""

    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf
        self.text = pdf.text
        self.style = ""
        self.size = 0.0
        self.money = _Memo(format_cents)
        self.date = _Memo(format_date)
        self.fitters: dict[tuple, _Memo] = {}
        self.measures: dict[tuple, _Memo] = {}
        self.widths: _Memo | None = None  # of the current font, once it is wanted
        self.units = _Memo(_money_units)
        self.line_width = 0.0
        self.wraps: dict = {}
        # The table's cells, as the rows print them.
        self.fit_code = self.fitter("", 8, X_DESC - X_CODE - 4)
        self.fit_description = self.fitter("", 8, DESC_END - X_DESC)
        self.fit_note = self.fitter("I", 8, LABEL_END - X_CODE)
        self.fit_item = self.fitter("", 8, R_PAID - X_CODE - 50)

    def fitter(self, style: str, size: float, width: float) -> _Memo:
        """text -> the text fitted to width in that font, for one run."""
        key = (style, size, width)
        memo = self.fitters.get(key)
        if memo is None:
            memo = self.fitters[key] = _Memo(lambda text: fit_text(text, style, size, width))
        return memo

    def measure(self, style: str, size: float) -> _Memo:
        """text -> its width in that font, for one run."""
        key = (style, size)
        memo = self.measures.get(key)
        if memo is None:
            memo = self.measures[key] = _Memo(lambda text: text_width(text, style, size))
        return memo

    # ---------------------------------------------------------------- one statement

    def statement(self, c: StatementContent) -> int:
        message = self.wrap(c.message, *_message_font(c.cycle), RIGHT - LEFT - 16)
        message = message[:MAX_MESSAGE_LINES]
        message_h = _message_height(c.cycle, len(message))
        how_to_pay = self.how_to_pay(c)
        end_h = self.end_height(c, how_to_pay)
        pages = self.paginate(self.rows(c), TOP + 186 + message_h + 12, end_h)
        count = len(pages)
        for number, page in enumerate(pages, 1):
            self.pdf.add_page()
            if number == 1:
                self.first_page(c, count, message)
            else:
                self.continued_heading(c, number, count)
            if page.table_y is not None:
                self.table_heading(page.table_y)
            self.draw_rows(page.rows)
            if page.end_y is not None:
                self.end(c, page.end_y, how_to_pay)
            if number == 1:
                self.stub(c)
        return count

    def rows(self, c: StatementContent) -> list[list[tuple]]:
        """The table's rows, grouped so that a visit stays on one page when it can."""
        money = self.money
        groups = [self.visit_rows(visit) for visit in c.visits]
        if len(c.visits) > 1:
            charge = insurance = adjustments = paid = owes = 0
            for v in c.visits:
                charge += v.charge
                insurance += v.insurance_paid
                adjustments += v.adjustments
                paid += v.patient_paid
                owes += v.patient_owes
            sums = (charge, insurance, adjustments, paid, owes)
            groups.append([(ALL_VISITS, ROW + 6, *[money[cents] for cents in sums])])
        if c.account_items:  # what they do to the balance, which the visits alone are not
            tail: list[tuple] = [(ITEMS_HEAD, ROW + 4)]
            for item in c.account_items:
                description = self.fit_item[item.description]
                tail.append((ITEM, ROW, self.date[item.date], description, money[item.amount]))
            tail.append((BALANCE, ROW + 4, money[c.balance]))
            groups.append(tail)
        return groups

    def visit_rows(self, v: StatementVisit) -> list[tuple]:
        money, fit_code, fit_description = self.money, self.fit_code, self.fit_description
        dos = self.date[v.dos]
        rows = []
        charged = paid = adjusted = 0
        for line in v.lines:
            charged += line.charge
            paid += line.insurance_paid
            adjusted += line.adjustments
            rows.append(
                (
                    LINE,
                    ROW,
                    dos,
                    fit_code[line.code],
                    fit_description[line.description],
                    money[line.charge],
                    money[line.insurance_paid],
                    money[line.adjustments],
                )
            )
            dos = ""
        # Money posted to the visit as a whole gets a row, so that each column adds up.
        whole_charge = v.charge - charged
        whole_paid = v.insurance_paid - paid  # v.visit_level_paid, without summing again
        whole_adjusted = v.adjustments - adjusted  # v.visit_level_adjustments
        if whole_charge or whole_paid or whole_adjusted or not v.lines:
            rows.append(
                (
                    WHOLE,
                    ROW,
                    dos,
                    "Charged on the visit as a whole" if whole_charge else WHOLE_LABEL,
                    money[whole_charge] if whole_charge else "",
                    money[whole_paid] if whole_paid else "",
                    money[whole_adjusted] if whole_adjusted else "",
                )
            )
        # A claim number makes each label new: measured, not remembered.
        label = f"Visit total: claim {v.claim_number}, {v.payer or 'Self-pay'}"
        with_provider = _clean(f"{label}, {v.provider}") if v.provider else ""
        if with_provider and text_width(with_provider, "B", 8) <= LABEL_END - X_DATE:
            label = with_provider  # the provider too, when it fits
        else:
            label = fit_text(label, "B", 8, LABEL_END - X_DATE)
        rows.append(
            (
                TOTAL,
                ROW + 4,
                label,
                money[v.charge],
                money[v.insurance_paid],
                money[v.adjustments],
                money[v.patient_paid],
                money[v.patient_owes],
            )
        )
        if v.insurance_pending:
            waiting = f"Waiting on {v.payer or 'insurance'}: {money[v.insurance_pending]}"
            rows.append((PENDING, ROW, self.fit_note[waiting]))
        rows[-1] = (rows[-1][0], rows[-1][1] + 4, *rows[-1][2:])  # a gap before the next visit
        return rows

    def paginate(self, groups: list[list[tuple]], table_top: float, end_h: float) -> list[_Page]:
        """Rows placed on pages: a group (a visit) moves whole to the next page when it
        fits there, else it is split; aging, totals and how to pay come after the table."""
        page = _Page(table_y=table_top)
        pages = [page]
        y, bottom = table_top + HEAD_H, PAGE1_BOTTOM
        room = BOTTOM - CONTINUED_TABLE_Y - HEAD_H  # a continuation page's room for rows
        for group in groups:
            height = 0.0
            for row in group:
                height += row[1]
            if y + height > bottom and height <= room and page.rows:
                page = _Page(table_y=CONTINUED_TABLE_Y)
                pages.append(page)
                y, bottom = CONTINUED_TABLE_Y + HEAD_H, BOTTOM
            for row in group:
                if y + row[1] > bottom:
                    page = _Page(table_y=CONTINUED_TABLE_Y)
                    pages.append(page)
                    y, bottom = CONTINUED_TABLE_Y + HEAD_H, BOTTOM
                    if row[0] in (LINE, WHOLE) and not row[2]:  # a visit split: its date again
                        row = (row[0], row[1], group[0][2], *row[3:])
                page.rows.append((y, row))
                y += row[1]
        if y + 8 + end_h > bottom:
            page = _Page()
            pages.append(page)
            y = TOP + 20
        page.end_y = y + 8
        return pages

    # ---------------------------------------------------------------- drawing

    def font(self, style: str, size: float) -> None:
        if style != self.style or size != self.size:
            self.pdf.set_font("helvetica", style, size)
            self.style, self.size = style, size
            self.widths = None

    def right(self, x: float, y: float, text: str) -> None:
        """Printable text ending at x, in the current font."""
        widths = self.widths
        if widths is None:
            widths = self.widths = self.measure(self.style, self.size)
        self.text(x - widths[text], y, text)

    def fit(self, text: str, width: float) -> str:
        """The text in the current font, cut with "..." where it would be wider than width."""
        return self.fitter(self.style, self.size, width)[text]

    def wrap(self, text: str, style: str, size: float, width: float) -> list[str]:
        """Words in lines no wider than width (a word wider than that is cut)."""
        key = (text, style, size, width)
        lines = self.wraps.get(key)
        if lines is None:
            table = WIDTHS[style]
            limit = width * 1000 / size
            space = table[32]
            lines, line, used = [], [], 0
            for word in _clean(text).split(" "):
                w = sum(map(table.__getitem__, word.encode(ENCODING)))
                if line and used + space + w > limit:
                    lines.append(" ".join(line))
                    line, used = [], 0
                used += (space if line else 0) + w
                line.append(word)
            if line:
                lines.append(" ".join(line))
            lines = [fit_text(line, style, size, width) for line in lines]
            self.wraps[key] = lines
        return lines

    def first_page(self, c: StatementContent, pages: int, message: list[str]) -> None:
        pdf, text = self.pdf, self.text
        # The practice, for the upper window.
        x, y, w, _ = RETURN_WINDOW
        x += 2
        self.font("B", 11)
        text(x, y + 11, self.fit(c.practice.name, w - 4))
        self.font("", 8.5)
        y += 21.5
        for line in (*c.practice.lines[:3], c.practice.phone):
            if line:
                text(x, y, self.fit(line, w - 4))
                y += 10.5
        # The recipient, for the lower window.
        x, y, w, h = ADDRESS_WINDOW
        x += 2
        lines = [line for line in (c.recipient.name, *c.recipient.lines) if line][:5]
        leading = 12.0 if len(lines) <= 4 else 11.0
        self.font("", 10)
        y += 10
        for line in lines:
            text(x, y, self.fit(line, w - 4))
            y += leading
        # Title, page, phone and how firm this statement is: the right-hand column.
        self.font("B", 16)
        text(BOX_X, TOP + 14, "Patient statement")
        self.font("", 8.5)
        self.right(RIGHT, TOP + 14, f"Page 1 of {pages}")
        if c.practice.phone:
            text(BOX_X, TOP + 30, self.fit(f"Questions? Call {c.practice.phone}", RIGHT - BOX_X))
        if c.cycle == 2:
            self.pen(1)
            pdf.rect(BOX_X, TOP + 38, 62, 16)
            self.font("B", 10)
            text(BOX_X + 6, TOP + 50, "PAST DUE")
        elif c.cycle == 3:
            pdf.rect(BOX_X, TOP + 37, 100, 18, style="F")
            pdf.set_text_color(255)
            self.font("B", 12)
            text(BOX_X + 6, TOP + 50.5, "FINAL NOTICE")
            pdf.set_text_color(0)
        # The summary box.
        top = TOP + 62
        self.pen(0.75)
        pdf.set_fill_color(230)
        pdf.rect(BOX_X, top + 72, RIGHT - BOX_X, 22, style="F")
        pdf.set_fill_color(0)
        pdf.rect(BOX_X, top, RIGHT - BOX_X, 94)
        self.pen(0.4)
        for n in (1, 2, 3):
            pdf.line(BOX_X, top + 18 * n, RIGHT, top + 18 * n)
        values = (
            self.date[c.statement_date],
            self.fitter(*FACTS_FONT, 160)[c.account_number],
            self.fitter(*FACTS_FONT, 170)[c.patient_name],
            self.date[c.due_date],
        )
        self.facts(top, SUMMARY_LABELS, values)
        text(BOX_X + 6, top + 86, "Amount due")
        self.font("B", 13)
        self.right(RIGHT - 6, top + 87, "$" + self.money[c.amount_due])
        # The dunning message, firmer by cycle.
        y = TOP + 186
        style, size = _message_font(c.cycle)
        height = _message_height(c.cycle, len(message))
        if c.cycle > 1:
            self.pen(1 if c.cycle == 2 else 2.2)
            pdf.rect(LEFT, y, RIGHT - LEFT, height)
        self.font(style, size)
        y += size + 4
        for line in message:
            text(LEFT + 8, y, line)
            y += size + 3

    def continued_heading(self, c: StatementContent, number: int, pages: int) -> None:
        self.font("", 8.5)
        heading = (
            f"Patient statement, account {c.account_number}, {c.patient_name}, "
            f"{self.date[c.statement_date]} (continued)"
        )
        self.text(LEFT, TOP + 10, self.fit(heading, RIGHT - LEFT - 70))
        self.right(RIGHT, TOP + 10, f"Page {number} of {pages}")
        self.pen(0.75)
        self.pdf.line(LEFT, TOP + 15, RIGHT, TOP + 15)

    def table_heading(self, y: float) -> None:
        pdf = self.pdf
        pdf.set_fill_color(230)
        pdf.rect(LEFT, y, RIGHT - LEFT, HEAD_H - 3, style="F")
        pdf.set_fill_color(0)
        self.font("B", 7.5)
        for x, dy, title in HEADINGS:
            self.text(x, y + dy, title)

    def draw_rows(self, rows: list) -> None:
        # The hot loop of a run: money is right-aligned from its width, looked up.
        text, font, units, rule = self.text, self.font, self.units, self.rule
        em = 8 * 0.001  # the table's 8 points
        for y, row in rows:
            kind = row[0]
            base = y + BASE
            if kind == LINE:
                font("", 8)
                if row[2]:
                    text(X_DATE, base, row[2])
                text(X_CODE, base, row[3])
                text(X_DESC, base, row[4])
                text(R_CHARGE - units[row[5]] * em, base, row[5])
                text(R_INS - units[row[6]] * em, base, row[6])
                text(R_ADJ - units[row[7]] * em, base, row[7])
            elif kind == TOTAL:
                rule(0.4, LABEL_END + 4, y + 1, RIGHT)
                font("B", 8)
                base += 2
                text(X_DATE, base, row[2])
                text(R_CHARGE - units[row[3]] * em, base, row[3])
                text(R_INS - units[row[4]] * em, base, row[4])
                text(R_ADJ - units[row[5]] * em, base, row[5])
                text(R_PAID - units[row[6]] * em, base, row[6])
                text(R_OWE - units[row[7]] * em, base, row[7])
            elif kind == PENDING:
                font("I", 8)
                text(X_CODE, base, row[2])
            elif kind == WHOLE:
                font("", 8)
                if row[2]:
                    text(X_DATE, base, row[2])
                text(X_CODE, base, row[3])
                for x, amount in zip((R_CHARGE, R_INS, R_ADJ), row[4:7], strict=True):
                    if amount:
                        text(x - units[amount] * em, base, amount)
            elif kind == ITEM:
                font("", 8)
                text(X_DATE, base, row[2])
                text(X_CODE, base, row[3])
                text(R_OWE - units[row[4]] * em, base, row[4])
            elif kind == ALL_VISITS:
                rule(0.75, LEFT, y + 2, RIGHT)
                font("B", 8)
                base += 4
                text(X_DATE, base, "All visits")
                for x, amount in zip((R_CHARGE, R_INS, R_ADJ, R_PAID, R_OWE), row[2:], strict=True):
                    text(x - units[amount] * em, base, amount)
            elif kind == ITEMS_HEAD:
                font("B", 8)
                text(X_DATE, base + 3, "Other charges and credits on your account")
            else:  # BALANCE
                rule(0.75, LEFT, y + 2, RIGHT)
                font("B", 8)
                text(X_DATE, base + 4, "Your balance")
                text(R_OWE - units[row[2]] * em, base + 4, row[2])

    def rule(self, width: float, x1: float, y: float, x2: float) -> None:
        self.pen(width)
        self.pdf.line(x1, y, x2, y)

    def pen(self, width: float) -> None:
        if width != self.line_width:
            self.pdf.set_line_width(width)
            self.line_width = width

    def end_height(self, c: StatementContent, how_to_pay: list[str]) -> float:
        left = 13 + 10 * len(how_to_pay)
        right = 44 + (20 if c.plan is not None else 0)
        return 34 + max(left, right)

    def end(self, c: StatementContent, y: float, how_to_pay: list[str]) -> None:
        """Aging, the totals, the plan and how to pay, below the table."""
        pdf, text, right = self.pdf, self.text, self.right
        self.font("B", 8)
        text(LEFT, y + 8, "Your balance by the age of the charges")
        top = y + 11
        cell = (RIGHT - LEFT) / 5
        self.pen(0.5)
        pdf.rect(LEFT, top, RIGHT - LEFT, 17)
        for n in range(1, 5):
            pdf.line(LEFT + cell * n, top, LEFT + cell * n, top + 17)
        self.font("", 8)
        for n, (label, amount) in enumerate(zip(AGING_LABELS, c.aging, strict=True)):
            text(LEFT + cell * n + 5, top + 11.5, label)
            right(LEFT + cell * (n + 1) - 5, top + 11.5, self.money[amount])
        y = top + 23
        # The totals and the plan, at the right.
        x = BOX_X + 14
        self.font("", 9)
        text(x, y + 10, "Insurance still to pay")
        right(RIGHT - 3, y + 10, self.money[c.insurance_pending])
        text(x, y + 22.5, "Your balance")
        right(RIGHT - 3, y + 22.5, self.money[c.balance])
        self.pen(0.75)
        pdf.line(x, y + 27, RIGHT, y + 27)
        self.font("B", 10.5)
        text(x, y + 40, f"Amount due by {self.date[c.due_date]}")
        right(RIGHT - 3, y + 40, self.money[c.amount_due])
        plan = c.plan
        if plan is not None:
            self.font("", 8)
            next_due = f", next due {self.date[plan.next_due]}" if plan.next_due else ""
            text(x, y + 52, f"Payment plan: instalment {self.money[plan.instalment]}{next_due}")
            overdue = f"{plan.overdue} instalment{'' if plan.overdue == 1 else 's'} overdue"
            text(x, y + 62, f"{overdue}; {self.money[plan.remaining]} left on the plan")
        # How to pay, at the left.
        y += 10
        self.font("B", 8.5)
        text(LEFT, y, "How to pay")
        self.font("", 8)
        for line in how_to_pay:
            y += 10
            text(LEFT, y, line)

    def how_to_pay(self, c: StatementContent) -> list[str]:
        lines = c.how_to_pay or _default_how_to_pay(c)
        width = BOX_X - LEFT - 8
        wrapped = []
        for line in lines:
            wrapped.extend(self.wrap(line, "", 8, width))
        return wrapped[:MAX_HOW_TO_PAY_LINES]

    def stub(self, c: StatementContent) -> None:
        """The remittance stub below the cut line of the first page."""
        pdf, text, fit = self.pdf, self.text, self.fit
        self.pen(0.6)
        pdf.set_dash_pattern(dash=4, gap=3)
        pdf.line(18, CUT_Y, PAGE_W - 18, CUT_Y)
        pdf.set_dash_pattern()
        self.font("I", 8)
        text(STUB_TEXT_X, CUT_Y + 11, STUB_TEXT)
        # Who to pay, at the left.
        y = CUT_Y + 36
        self.font("", 8)
        text(LEFT, y, "Make your check payable to and mail it to:")
        self.font("B", 10)
        y += 16
        text(LEFT + 12, y, fit(c.remit_to.name, BOX_X - LEFT - 30))
        self.font("", 10)
        for line in c.remit_to.lines[:4]:
            y += 12
            text(LEFT + 12, y, fit(line, BOX_X - LEFT - 30))
        self.font("", 8)
        text(LEFT, y + 24, fit(f"Please write account {c.account_number} on your check.", 240))
        # What it is for, at the right.
        top = CUT_Y + 24
        self.pen(0.75)
        pdf.rect(BOX_X, top, RIGHT - BOX_X, 108)
        self.pen(0.4)
        for n in range(1, 6):
            pdf.line(BOX_X, top + 18 * n, RIGHT, top + 18 * n)
        values = (
            self.fitter(*FACTS_FONT, 170)[c.patient_name],
            self.fitter(*FACTS_FONT, 160)[c.account_number],
            self.date[c.statement_date],
            self.date[c.due_date],
            "$" + self.money[c.amount_due],
        )
        self.facts(top, STUB_LABELS, values)
        text(BOX_X + 6, top + 102.5, "Amount enclosed")
        text(RIGHT - 96, top + 102.5, "$")
        pdf.line(RIGHT - 86, top + 103.5, RIGHT - 8, top + 103.5)

    def facts(self, top: float, labels: tuple[str, ...], values: tuple[str, ...]) -> None:
        """Rows of 18 points in the right-hand column: a label, its value at the right."""
        # One font for both, so that each label and its value can be drawn in reading
        # order without switching fonts twice a row.
        text, right = self.text, self.right
        self.font(*FACTS_FONT)
        for n, (label, value) in enumerate(zip(labels, values, strict=True)):
            y = top + 12.5 + 18 * n
            text(BOX_X + 6, y, label)
            right(RIGHT - 6, y, value)


FACTS_FONT = ("", 9.0)  # the summary box's and the stub's labels and values
SUMMARY_LABELS = ("Statement date", "Account number", "Patient", "Due date")
STUB_LABELS = ("Patient", "Account number", "Statement date", "Due date", "Amount due")


# Column headings: (x, baseline below the band's top, title, right-aligned at x).
_HEADINGS = (
    (X_DATE, 15.5, "Date", False),
    (X_CODE, 15.5, "Code", False),
    (X_DESC, 15.5, "Description", False),
    (R_CHARGE, 15.5, "Charge", True),
    (R_INS, 7.5, "Insurance", True),
    (R_INS, 15.5, "paid", True),
    (R_ADJ, 15.5, "Adjustments", True),
    (R_PAID, 7.5, "You", True),
    (R_PAID, 15.5, "paid", True),
    (R_OWE, 7.5, "You", True),
    (R_OWE, 15.5, "owe", True),
)
HEADINGS = tuple(
    (x - text_width(title, "B", 7.5) if right else x, dy, title)
    for x, dy, title, right in _HEADINGS
)
STUB_TEXT_X = (PAGE_W - text_width(STUB_TEXT, "I", 8)) / 2


def _message_font(cycle: int) -> tuple[str, float]:
    return {1: ("", 9.0), 2: ("B", 9.0), 3: ("B", 10.0)}[cycle]


def _message_height(cycle: int, lines: int) -> float:
    size = _message_font(cycle)[1]
    return 8 + lines * (size + 3)


def _default_how_to_pay(c: StatementContent) -> tuple[str, ...]:
    """What a statement says when the policy gives no lines: the practice's phone and the
    remit-to address, which the stub also carries."""
    remit = c.remit_to
    address = ", ".join(line for line in remit.lines if line)
    lines = []
    if c.practice.phone:
        lines.append(f"By phone: call {c.practice.phone} to pay by card.")
    mail = f"By mail: send a check payable to {remit.name} with the stub below"
    lines.append(f"{mail} to {address}." if address else f"{mail}.")
    lines.append("In person: at the front desk at your next visit.")
    return tuple(lines)
