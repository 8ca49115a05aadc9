"""A report of billing_tui.reports as a landscape Letter PDF: rows in, a file out.

The header says what, for which period and when; a bar chart comes first when the report
has one (fpdf2 rectangles, no plotting library), then the table: money and counts to the
right, long text wrapped to the report's widths, the headings again on every page, and a
totals row like the CLI table's "Total (N lines)". Core Helvetica in Windows-1252, so the
text stays extractable; the creation date is the day generated, so the same rows on the
same day give the same bytes. Also here, for the reports screen too: a cell's text, the
totals, and the chart's series, so the screen and the paper agree.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

from ..domain.dates import format_date
from ..domain.money import format_cents
from ..reports import Column, Report
from .output import write_atomically
from .receipt import ENCODING, printable

PAGE_W, PAGE_H = 792.0, 612.0  # Letter, landscape, in points
MARGIN = 36.0
LEFT, RIGHT, TOP = MARGIN, PAGE_W - MARGIN, MARGIN
BOTTOM = PAGE_H - MARGIN - 14  # the footer's line below
FOOTER_Y = PAGE_H - MARGIN - 6
TABLE_W = RIGHT - LEFT

TEXT_SIZES = (8.5, 8.0, 7.5, 7.0, 6.5, 6.0)  # the table's, largest that fits the page's width
PAD = 4.0  # inside a cell, each side
SPREAD = 36.0  # at most this more to each column of a narrow table: it reads easier
WRAP_CAP = 220.0  # a text column without a report width wraps past this (points)
ZEBRA = (242, 242, 242)
RULE = (120, 120, 120)

# The chart: bars a shade darker series by series (0-30 light, 120+ dark reads right, and
# stays readable printed in grey); one series is drawn in the middle shade.
LIGHT, DARK = (158, 202, 225), (8, 48, 107)
ONE_SERIES = (49, 130, 189)
GRID = (215, 215, 215)
CHART_SIZE = 7.5
LONE_BAR_H = 10.0  # one series: a bar a row
GROUP_BAR_H = 5.5  # several: a group of thinner bars a row
MIN_BAR_H = 2.5  # as thin as a bar gets to keep the chart to CHART_MAX_H
GROUP_GAP = 5.0
AXIS_H = 16.0  # the axis line, its ticks and their amounts
LEGEND_H = 14.0
CHART_MAX_H = (BOTTOM - TOP) * 0.62  # room left on the first page for the table to start


# --------------------------------------------------------------------------- shared with the screen


def cell_text(column: Column, row, *, short_dates: bool = False) -> str:
    """What a cell says: money with thousands commas, dates as MM/DD/YYYY (or MM/DD/YY),
    counts and text as they are; nothing for None."""
    value = getattr(row, column.attr)
    if value is None:
        return ""
    if column.kind == "money":
        return format_cents(int(value))
    if column.kind == "date":
        if isinstance(value, dt.datetime):
            value = value.date()
        return format_date(value, short=short_dates) if isinstance(value, dt.date) else str(value)
    return " ".join(str(value).split())


class Tally:
    """Rows counted and the money columns summed as the rows go by: the totals row."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.count = 0
        self.money = [c for c in report.columns if c.kind == "money"]
        self.sums = {c.key: 0 for c in self.money}

    def add(self, row) -> None:
        self.count += 1
        for column in self.money:
            self.sums[column.key] += int(getattr(row, column.attr) or 0)

    def add_all(self, rows: Iterable) -> Tally:
        for row in rows:
            self.add(row)
        return self

    @property
    def counted(self) -> str:
        """'6 lines', '1 claim'."""
        one, many = self.report.nouns
        return f"{self.count:,} {one if self.count == 1 else many}"

    @property
    def label(self) -> str:
        return f"Total ({self.counted})"

    def texts(self) -> dict[str, str]:
        """The totals row by column key: the label in the first column, then the sums
        (none when the report's rows carry their own total)."""
        texts = {c.key: "" for c in self.report.columns}
        if self.report.totals:
            texts.update({key: format_cents(total) for key, total in self.sums.items()})
        texts[self.report.columns[0].key] = self.label
        return texts


@dataclass(frozen=True, slots=True)
class Series:
    name: str  # the column's heading: "0-30", "Balance"
    values: tuple[int, ...]  # one per row, cents


@dataclass(frozen=True, slots=True)
class Chart:
    """What a report's chart shows: a label per row, a series per chart column."""

    labels: tuple[str, ...]
    series: tuple[Series, ...]
    label_columns: int  # how many of the report's columns make up a label


def chart_of(report: Report, rows: Sequence) -> Chart:
    """Each row labelled by its first column; where that does not tell the rows apart
    (denials: "reason", "payer"), by the text columns after it too: "reason: CO-16"."""
    first = report.columns[0]
    labels = [cell_text(first, row) for row in rows]
    used = 1
    for column in report.columns[1:]:
        if len(set(labels)) == len(labels) or column.kind != "text":
            break
        labels = [f"{a}: {cell_text(column, row)}" for a, row in zip(labels, rows, strict=True)]
        used += 1
    by_key = {c.key: c for c in report.columns}
    by_attr = {c.attr: c for c in report.columns}
    series = []
    for name in report.chart:
        column = by_key.get(name) or by_attr.get(name)
        attr = column.attr if column is not None else name
        heading = column.heading if column is not None else name
        series.append(Series(heading, tuple(int(getattr(r, attr) or 0) for r in rows)))
    return Chart(tuple(labels), tuple(series), used)


def nice_ticks(low: int, high: int, count: int = 4) -> list[int]:
    """Round steps (1, 2, 2.5 or 5 times a power of ten) from at or below low to at or above
    high, about count of them: the value axis."""
    low, high = min(low, 0), max(high, 0)
    if low == high:
        high = low + 100
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    step = max(int(step), 1)
    first = math.floor(low / step) * step
    last = math.ceil(high / step) * step
    return list(range(first, last + 1, step))


def tick_text(cents: int, step: int) -> str:
    """An axis amount: whole dollars with commas when the steps are whole dollars."""
    if step % 100 == 0:
        return f"{cents // 100:,}" if cents >= 0 else f"-{-cents // 100:,}"
    return format_cents(cents)


# --------------------------------------------------------------------------- the document


def write_report_pdf(
    report: Report,
    rows: Iterable,
    path: Path | str,
    *,
    title: str,
    period_text: str,
    practice_name: str = "",
    generated: dt.date | None = None,
) -> int:
    """Write the report to path (whole or not at all); the number of pages."""
    rows = list(rows)
    generated = generated or dt.date.today()
    pdf = _PagedPDF(f"{title} - {period_text}")
    pdf.core_fonts_encoding = ENCODING
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.c_margin = 0  # the cells' padding is PAD, drawn here
    pdf.set_compression(True)
    pdf.set_creator("billing-tui")
    pdf.set_title(printable(title))
    pdf.set_creation_date(dt.datetime.combine(generated, dt.time(), tzinfo=dt.UTC))
    _Writer(pdf, report, rows, title, period_text, practice_name, generated).write()
    write_atomically(Path(path), bytes(pdf.output()))
    return pdf.page_no()


class _PagedPDF(FPDF):
    """Landscape Letter whose every page ends with what it is and "Page n of m"."""

    def __init__(self, words: str) -> None:
        super().__init__(orientation="landscape", unit="pt", format="letter")
        self.words = printable(words)
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_font("Helvetica", size=7.5)
        self.set_text_color(0, 0, 0)
        self.set_xy(LEFT, FOOTER_Y)
        words = self.words
        while words and self.get_string_width(words) > TABLE_W - 100:
            words = words[:-4] + "..."
        self.cell(TABLE_W - 100, 10, words)
        # The count is filled in as the document closes; left-aligned at a fixed place, so
        # the number's width is no matter.
        self.set_xy(RIGHT - 60, FOOTER_Y)
        self.cell(60, 10, f"Page {self.page_no()} of {self.str_alias_nb_pages}")


class _Writer:
    """Draws the report top to bottom; y is the top of the next thing drawn."""

    def __init__(self, pdf, report, rows, title, period_text, practice_name, generated) -> None:
        self.pdf: FPDF = pdf
        self.report: Report = report
        self.rows: list = rows
        self.title = title
        self.period_text = period_text
        self.practice_name = practice_name
        self.generated: dt.date = generated
        self.y = TOP
        self.columns = report.columns
        self.texts = [{c.key: cell_text(c, row) for c in self.columns} for row in rows]
        self.totals = Tally(report).add_all(rows).texts()
        self.size = TEXT_SIZES[0]
        self.widths: list[float] = []

    def write(self) -> None:
        self.new_page(first=True)
        if self.report.chart and self.rows:
            self.chart()
        self.table()

    # ---------------------------------------------------------------- pages

    def new_page(self, *, first: bool = False) -> None:
        self.pdf.add_page()
        self.y = TOP
        if first:
            if self.practice_name:
                self.text(LEFT, self.y, self.practice_name, 10, "B", 13)
                self.y += 13
            self.text(LEFT, self.y, self.title, 15, "B", 19)
            self.y += 20
            self.text(LEFT, self.y, self.period_text, 10, "", 13, RIGHT - LEFT - 160)
            generated = f"Generated {format_date(self.generated)}"
            self.text(RIGHT - 160, self.y, generated, 10, "", 13, 160, align="R")
            self.y += 16
        else:
            heading = f"{self.title} - {self.period_text} (continued)"
            self.text(LEFT, self.y, heading, 8.5, "", 12)
            self.y += 14
        self.rule(self.y, 0.6)
        self.y += 8

    # ---------------------------------------------------------------- the chart

    def chart(self) -> None:
        """One group of bars per row, a bar per chart column, from zero to the right (a
        credit to the left); the groups go on as many pages as they need, each page with its
        legend and axis."""
        chart = chart_of(self.report, self.rows)
        labels, series = chart.labels, chart.series
        many = len(series) > 1
        values = [v for s in series for v in s.values]
        ticks = nice_ticks(min(values), max(values))
        label_w = min(max(self.width(t, CHART_SIZE) for t in labels) + 8, 180)
        amount_w = 0 if many else max(self.width(format_cents(v), CHART_SIZE) for v in values)
        plot = _Plot(LEFT + label_w, RIGHT - amount_w - 6, ticks[0], ticks[-1])
        bar_h = GROUP_BAR_H if many else LONE_BAR_H
        fixed = LEGEND_H + AXIS_H + 4
        while bar_h > MIN_BAR_H and fixed + len(labels) * self.group_h(bar_h, series) > CHART_MAX_H:
            bar_h -= 0.5
        group_h = self.group_h(bar_h, series)
        start = 0
        while start < len(labels):
            end = min(start + max(int((BOTTOM - self.y - fixed) // group_h), 1), len(labels))
            if many:
                self.legend(series)
            else:
                self.caption(series[0], chart)
            top = self.y
            self.grid(ticks, plot, top, (end - start) * group_h)
            for index in range(start, end):
                self.y = top + (index - start) * group_h + GROUP_GAP / 2
                self.text(LEFT, self.y, labels[index], CHART_SIZE, "", bar_h * len(series),
                          label_w - 6)  # fmt: skip
                self.bars([s.values[index] for s in series], plot, bar_h, amounts=not many)
            self.y = top + (end - start) * group_h
            self.axis(ticks, plot)
            start = end
            if start < len(labels):
                self.new_page()
        self.y += 10

    @staticmethod
    def group_h(bar_h: float, series: Sequence[Series]) -> float:
        return bar_h * len(series) + GROUP_GAP

    def bars(self, values: list[int], plot: _Plot, bar_h: float, *, amounts: bool) -> None:
        """One row's bars, top to bottom in the series' order; y is the first bar's top."""
        zero = plot.x(0)
        for value, colour in zip(values, _shades(len(values)), strict=True):
            left, right = sorted((zero, plot.x(value)))
            if value:
                self.pdf.set_fill_color(*colour)
                self.pdf.rect(left, self.y, max(right - left, 0.5), bar_h, style="F")
            if amounts:
                self.text(max(right, zero) + 3, self.y, format_cents(value), CHART_SIZE, "",
                          bar_h)  # fmt: skip
            self.y += bar_h

    def grid(self, ticks: list[int], plot: _Plot, top: float, height: float) -> None:
        self.pdf.set_line_width(0.4)
        for tick in ticks:
            self.pdf.set_draw_color(*(RULE if tick == 0 else GRID))
            self.pdf.line(plot.x(tick), top, plot.x(tick), top + height)
        self.pdf.set_draw_color(0, 0, 0)

    def legend(self, series: Sequence[Series]) -> None:
        x = LEFT
        for s, colour in zip(series, _shades(len(series)), strict=True):
            self.pdf.set_fill_color(*colour)
            self.pdf.rect(x, self.y + 2.5, 8, 8, style="F")
            self.text(x + 11, self.y, s.name, CHART_SIZE + 0.5, "", 13)
            x += 11 + self.width(s.name, CHART_SIZE + 0.5) + 16
        self.y += LEGEND_H

    def caption(self, series: Series, chart: Chart) -> None:
        words = series.name
        if chart.label_columns == 1:
            words = f"{series.name} by {self.columns[0].heading.lower()}"
        self.text(LEFT, self.y, words, CHART_SIZE + 0.5, "B", 13)
        self.y += LEGEND_H

    def axis(self, ticks: list[int], plot: _Plot) -> None:
        pdf = self.pdf
        step = ticks[1] - ticks[0]
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.5)
        pdf.line(plot.left, self.y, plot.right, self.y)
        for tick in ticks:
            x = plot.x(tick)
            pdf.line(x, self.y, x, self.y + 3)
            self.text(x - 40, self.y + 3, tick_text(tick, step), CHART_SIZE - 0.5, "", 10, 80,
                      align="C")  # fmt: skip
        pdf.set_draw_color(0, 0, 0)
        self.y += AXIS_H

    # ---------------------------------------------------------------- the table

    def table(self) -> None:
        self.fit_columns()
        line = self.line_h
        if not self.fits(self.heading_h() + 3 * line):  # headings never end a page
            self.new_page()
        self.headings()
        if not self.rows:
            self.text(LEFT + PAD, self.y + 2, "Nothing for this period.", self.size, "I", line)
            self.y += line + 4
        for n, texts in enumerate(self.texts):
            lines = self.cell_lines(texts)
            height = max(len(c) for c in lines) * line + 3
            if not self.fits(height):
                self.new_page()
                self.headings()
            if n % 2:
                self.pdf.set_fill_color(*ZEBRA)
                self.pdf.rect(LEFT, self.y, sum(self.widths), height, style="F")
            self.draw_row(lines, "")
            self.y += height
        totals = self.cell_lines(self.totals)
        height = max(len(c) for c in totals) * line + 5
        if not self.fits(height):
            self.new_page()
            self.headings()
        self.rule(self.y, 0.6, sum(self.widths))
        self.y += 2
        self.draw_row(totals, "B")
        self.y += height

    @property
    def line_h(self) -> float:
        return self.size + 2.5

    def fit_columns(self) -> None:
        """Each column as wide as its widest text, a long text column wrapped; the largest
        type whose columns fit the page's width, then the text columns narrowed to fit."""
        for size in TEXT_SIZES:
            self.size = size
            self.widths = [self.natural_width(i) for i in range(len(self.columns))]
            if sum(self.widths) <= TABLE_W:
                spare = (TABLE_W - sum(self.widths)) / len(self.widths)
                self.widths = [w + min(spare, SPREAD) for w in self.widths]
                return
        wrappable = [i for i, c in enumerate(self.columns) if c.kind in ("text", "date")]
        over = sum(self.widths) - TABLE_W
        shrinkable = sum(self.widths[i] for i in wrappable) or 1.0
        for i in wrappable:
            self.widths[i] = max(self.widths[i] - over * self.widths[i] / shrinkable, 30.0)
        if sum(self.widths) > TABLE_W:  # still: every column shares the width
            scale = TABLE_W / sum(self.widths)
            self.widths = [w * scale for w in self.widths]

    def natural_width(self, index: int) -> float:
        column = self.columns[index]
        texts = [t[column.key] for t in self.texts]
        widest = max(
            [self.width(column.heading, self.size, "B"), self.width(self.totals[column.key],
             self.size, "B")] + [self.width(t, self.size) for t in texts]
        )  # fmt: skip
        if column.kind == "text":
            cap = self.width("n" * column.width, self.size) if column.width else WRAP_CAP
            heading = self.width(column.heading, self.size, "B")
            label = self.width(self.totals[column.key], self.size, "B") if index == 0 else 0
            widest = min(widest, max(cap, heading, label))
        return widest + 2 * PAD

    def heading_h(self) -> float:
        return self.line_h + 5

    def headings(self) -> None:
        self.draw_row([[c.heading] for c in self.columns], "B")
        self.y += self.line_h + 2
        self.rule(self.y, 0.6, sum(self.widths))
        self.y += 3

    def cell_lines(self, texts: dict[str, str]) -> list[list[str]]:
        """Each cell's lines: text wraps within its column, numbers never do."""
        out = []
        for column, width in zip(self.columns, self.widths, strict=True):
            text = printable(texts[column.key])
            if column.kind == "text" and text and self.width(text, self.size) > width - 2 * PAD:
                self.font(self.size)
                out.append(self.pdf.multi_cell(width - 2 * PAD, self.line_h, text,
                                               dry_run=True, output="LINES"))  # fmt: skip
            else:
                out.append([text])
        return out

    def draw_row(self, lines: list[list[str]], style: str) -> None:
        x = LEFT
        for index, (column, width, cell) in enumerate(
            zip(self.columns, self.widths, lines, strict=True)
        ):
            right = index > 0 and column.kind in ("money", "count")
            for n, text in enumerate(cell):
                y = self.y + 1.5 + n * self.line_h
                self.text(x + PAD, y, text, self.size, style, self.line_h, width - 2 * PAD,
                          align="R" if right else "L")  # fmt: skip
            x += width

    def fits(self, height: float) -> bool:
        return self.y + height <= BOTTOM

    # ---------------------------------------------------------------- drawing

    def font(self, size: float, style: str = "") -> None:
        self.pdf.set_font("Helvetica", style=style, size=size)

    def width(self, text: str, size: float, style: str = "") -> float:
        self.font(size, style)
        return self.pdf.get_string_width(printable(text))

    def rule(self, y: float, weight: float, width: float = TABLE_W) -> None:
        self.pdf.set_draw_color(0, 0, 0)
        self.pdf.set_line_width(weight)
        self.pdf.line(LEFT, y, LEFT + width, y)

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float,
        style: str,
        height: float,
        width: float | None = None,
        *,
        align: str = "L",
    ) -> None:
        self.font(size, style)
        text = printable(text)
        if width is None:
            width = self.pdf.get_string_width(text) + 1
        elif self.pdf.get_string_width(text) > width + 0.01:  # not for a rounding error
            while text and self.pdf.get_string_width(text + "...") > width:
                text = text[:-1]
            text = text.rstrip() + "..."
        self.pdf.set_xy(x, y)
        self.pdf.cell(width, height, text, align=align)


@dataclass(frozen=True, slots=True)
class _Plot:
    """Where the bars go across the page: amounts from low to high, left to right."""

    left: float
    right: float
    low: int
    high: int

    def x(self, cents: int) -> float:
        return self.left + (cents - self.low) * (self.right - self.left) / (self.high - self.low)


def _shades(count: int) -> list[tuple[int, int, int]]:
    if count == 1:
        return [ONE_SERIES]
    return [
        tuple(round(a + (b - a) * n / (count - 1)) for a, b in zip(LIGHT, DARK, strict=True))
        for n in range(count)
    ]  # type: ignore[misc]
