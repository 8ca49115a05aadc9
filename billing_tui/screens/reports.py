"""The reports: pick one (← →, or its digit), give the dates, Enter runs it on the store thread;
its rows in a table with their totals, its chart in text bars, p prints it to a PDF.

Any report of billing_tui.reports.REPORTS shows here without code of its own: the columns,
the totals and the chart come from its entry. The chart goes under the table in the lines
left, when they are enough, and scrolls (Tab reaches it); c shows it alone, on the whole
screen, and c again the table. A table wider than the screen scrolls: End shows its last
columns, Home its first.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, Static

from ..domain.dates import DateError, format_date, parse_date
from ..pdf.report import Tally, cell_text, chart_of, write_report_pdf
from ..reports import REPORTS, Column, Report
from ..store import Store
from ..store.reports import Period
from ..widgets import columns as col
from ..widgets.bar_chart import BarChart
from ..widgets.fields import Field
from ..widgets.fitted_table import FittedTable
from ..widgets.key_bar import KeyBar
from .errors import ReportsFailures
from .once import DismissOnce
from .statement_dialogs import documents_folder, make_folder

if TYPE_CHECKING:
    from ..app import BillingApp

NAMES = tuple(REPORTS)
SHOWN_ROWS = 5_000  # a DataTable holds every row: more than this, and the CLI is the tool
TEXT_FLOOR = 6  # a text column narrowed to fit keeps this much (or its heading)
TEXT_CAP = 30  # and is never wider than this, or the report's own width
NUMBERS = ("money", "count")
CHART_LINES = 6  # the least of a chart worth showing under the table: its legend and 5 bars


# --------------------------------------------------------------------------- on the store thread


@dataclass(frozen=True, slots=True)
class Reading:
    """A report's rows as read (the first SHOWN_ROWS) and the totals of all of them."""

    name: str
    period: Period
    rows: list
    tally: Tally

    @property
    def complete(self) -> bool:
        return len(self.rows) == self.tally.count


def read_report(store: Store, name: str, period: Period) -> Reading:
    """Runs on the store thread: the rows run to the end there, counted and summed."""
    report = REPORTS[name]
    tally = Tally(report)
    rows = []
    for row in report.rows(store, period):
        tally.add(row)
        if len(rows) < SHOWN_ROWS:
            rows.append(row)
    return Reading(name, period, rows, tally)


# --------------------------------------------------------------------------- the table


def fit_widths(
    columns: Sequence[Column],
    texts: Sequence[dict[str, str]],
    width: int,
    totals: dict[str, str] | None = None,
) -> dict[str, int]:
    """Each column as wide as its widest text (a text column at most TEXT_CAP or the report's
    width), the first wide enough for the totals' label where the columns after it have no
    total to run it on over. When they do not fit, the widest text column gives way first,
    down to TEXT_FLOOR; when even that would not fit, nothing is cut and the table scrolls.
    Money and counts are never cut."""
    totals = totals or {}
    widths, floors = {}, {}
    for n, column in enumerate(columns):
        total = len(totals.get(column.key, "")) if n else 0  # the label: below
        widest = max([len(column.heading), total, *(len(t[column.key]) for t in texts)])
        if column.kind == "text":
            widest = min(widest, max(column.width or TEXT_CAP, len(column.heading)))
            floors[column.key] = min(widest, max(len(column.heading), TEXT_FLOOR))
        else:
            floors[column.key] = widest
        widths[column.key] = widest
    if columns:
        first, label = columns[0].key, totals.get(columns[0].key, "")
        run_on = 0
        for column in columns[1:]:
            if totals.get(column.key):
                break
            run_on += 1 + widths[column.key]
        widths[first] = max(widths[first], len(label) - run_on)
        floors[first] = max(floors[first], min(widths[first], len(label) - run_on))
    gaps = len(columns) - 1
    if sum(floors.values()) + gaps > width:
        return widths
    over = sum(widths.values()) + gaps - width
    while over > 0:
        narrower = [c.key for c in columns if widths[c.key] > floors[c.key]]
        widest_key = max(narrower, key=lambda key: widths[key])
        widths[widest_key] -= 1
        over -= 1
    return widths


def totals_line(
    columns: Sequence[col.Column], widths: dict[str, int], totals: dict[str, str]
) -> Text:
    """The totals under the table's columns; the label ("Total (19 lines)") runs on over the
    columns after the first that have no total."""
    if not columns:
        return Text("", end="")
    label = totals.get(columns[0].key, "")
    room, rest = widths[columns[0].key], list(columns[1:])
    while rest and not totals.get(rest[0].key) and room < len(label):
        room += 1 + widths[rest[0].key]
        rest.pop(0)
    first = col.Column(columns[0].key, "", room)
    return col.line([first, *rest], {**widths, first.key: room}, totals)


class ReportTable(FittedTable[dict[str, str]]):
    """A report's rows, one line each, its columns fitted to what they hold."""

    ACTIONS_NAME = "Report"
    BINDINGS = [
        Binding(
            "end",
            "scroll_end",
            "Last columns",
            show=False,
            id="reports.last_columns",
            tooltip="the table's last columns, when it is wider than the screen",
        ),
        Binding(
            "home",
            "scroll_home",
            "First columns",
            show=False,
            id="reports.first_columns",
            tooltip="back to the table's first columns",
        ),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.report_columns: tuple[Column, ...] = ()
        self.totals: dict[str, str] = {}

    def values(self, record: dict[str, str]) -> dict[str, str]:
        return record

    def set_rows(
        self, columns: Sequence[Column], records: list[dict[str, str]], totals: dict[str, str]
    ) -> None:
        self.report_columns = tuple(columns)
        self.totals = totals
        self.records = records
        self._refit(self.size.width or 80)
        self.show(records)
        self.scroll_x = 0

    def _refit(self, width: int) -> bool:
        widths = fit_widths(
            self.report_columns, self.records, self.usable_width(width), self.totals
        )
        if widths == self._widths:
            return False
        self._widths = widths
        # This table's own columns (FittedTable's are a class's): money and counts to the
        # right, but the first column, which labels the totals too.
        self.COLUMNS = tuple(
            col.Column(c.key, c.heading, widths[c.key], right=n > 0 and c.kind in NUMBERS)
            for n, c in enumerate(self.report_columns)
        )
        return True

    def on_resize(self, event: events.Resize) -> None:
        if self._refit(event.size.width):
            self.show(self.records, self.cursor_row)

    @property
    def line_width(self) -> int:
        return sum(self._widths.values()) + max(len(self._widths) - 1, 0)

    def totals_line(self) -> Text:
        return totals_line(self.COLUMNS, self._widths, self.totals)

    def cut_texts(self, record: dict[str, str]) -> list[str]:
        """The record's texts cut to fit their columns, whole: 'How: claims filed with...'."""
        return [
            f"{c.label}: {record[c.key]}"
            for c in self.COLUMNS
            if len(record[c.key]) > self._widths[c.key]
        ]


# --------------------------------------------------------------------------- the screen


def period_words(period: Period) -> str:
    start, end = period.start, period.end
    if start and end:
        return f"{format_date(start)} to {format_date(end)}"
    if start:
        return f"From {format_date(start)}"
    if end:
        return f"To {format_date(end)}"
    return "All dates"


def pdf_name(name: str, period: Period, today: dt.date) -> str:
    end = (period.end or today).isoformat()
    dates = f"{period.start.isoformat()}-to-{end}" if period.start else end
    return f"report-{name}-{dates}.pdf"


def _pick_bindings() -> list[Binding]:
    """A digit for each of the first ten reports: 1 is the first, 0 the tenth."""
    return [
        Binding(
            str((n + 1) % 10),
            f"pick({n})",
            name,
            show=False,
            id=f"reports.pick_{name.replace('-', '_')}",
            tooltip=f"the {name} report",
        )
        for n, name in enumerate(NAMES[:10])
    ]


class ReportsScreen(DismissOnce, ReportsFailures, Screen[None]):
    ACTIONS_NAME = "Reports"
    AUTO_FOCUS = "ReportTable"
    app: BillingApp

    BINDINGS = [
        Binding("escape", "back", "Back", id="reports.back", tooltip="back to the queue"),
        Binding(
            "right",
            "next_report",
            "Report",
            key_display="← →",
            priority=True,  # over the table's own (it scrolls with Home and End)
            id="reports.next",
            tooltip="the next report",
        ),
        Binding(
            "left",
            "previous_report",
            "Previous report",
            show=False,
            priority=True,
            id="reports.previous",
            tooltip="the report before",
        ),
        Binding(
            "enter",
            "run",
            "Run",
            id="reports.run",
            tooltip="run the report for the dates typed",
        ),
        Binding(
            "c",
            "toggle_chart",
            "Chart",
            id="reports.chart",
            tooltip="the chart alone, or the table again",
        ),
        Binding("p", "pdf", "PDF", id="reports.pdf", tooltip="print the report to a PDF file"),
        Binding(
            "tab",
            "app.focus_next",
            "Next",
            show=False,
            id="reports.focus_next",
            tooltip="to the next date, or the table",
        ),
        *_pick_bindings(),
    ]

    DEFAULT_CSS = """
    ReportsScreen #reports-pick { height: 1; background: $boost; text-wrap: nowrap;
                                  text-overflow: ellipsis; }
    ReportsScreen #reports-dates { height: 1; }
    ReportsScreen #reports-dates Label { width: auto; padding: 0 1 0 0; }
    ReportsScreen #reports-dates Field { width: 12; margin: 0 2 0 0; }
    ReportsScreen #reports-dates #reports-hint { color: $text-muted; }
    ReportsScreen #reports-body { height: 1fr; }
    ReportsScreen #reports-body ReportTable { height: 1fr; }
    ReportsScreen #reports-body.-short ReportTable { height: auto; }
    ReportsScreen #reports-chart { height: 1fr; display: none; scrollbar-size-vertical: 1; }
    ReportsScreen #reports-body.-both #reports-chart { display: block; }
    ReportsScreen #reports-body.-chart #reports-chart { display: block; }
    ReportsScreen #reports-body.-chart ReportTable { display: none; }
    ReportsScreen #reports-body.-chart #reports-totals { display: none; }
    ReportsScreen #reports-totals { height: 1; text-style: bold; background: $boost; }
    ReportsScreen #reports-message { height: 1; }
    ReportsScreen #reports-message.-error { color: $text-error; text-style: bold; }
    """

    def __init__(self, name: str | None = None) -> None:
        super().__init__()
        self.index = NAMES.index(name) if name in NAMES else 0
        self.reading: Reading | None = None
        self.show_chart = False  # c: the chart alone, the whole body
        self.both = False  # the table, its totals and the chart under them
        self._row = 0  # the highlighted row the message line speaks of

    @property
    def report(self) -> Report:
        return REPORTS[NAMES[self.index]]

    def compose(self) -> ComposeResult:
        yield Static("", id="reports-pick", markup=False)
        with Horizontal(id="reports-dates"):
            yield Label("From")
            yield Field(id="reports-from", max_length=10, placeholder="any day")
            yield Label("To")
            yield Field(format_date(self.app.store.today()), id="reports-to", max_length=10,
                        placeholder="today")  # fmt: skip
            yield Label("blank: no limit", id="reports-hint")
        with Vertical(id="reports-body"):
            yield ReportTable()
            yield Static("", id="reports-totals", markup=False)
            with VerticalScroll(id="reports-chart"):
                yield BarChart()
        yield Static("", id="reports-message", markup=False)
        yield KeyBar()

    @property
    def has_chart(self) -> bool:
        return bool(self.report.chart and self.reading and self.reading.rows)

    @property
    def table(self) -> ReportTable:
        return self.query_one(ReportTable)

    @property
    def chart(self) -> BarChart:
        return self.query_one(BarChart)

    def on_mount(self) -> None:
        self.watch(self.table, "scroll_x", self._show_totals, init=False)
        self.action_run()

    def say(self, text: str, *, error: bool = False) -> None:
        line = self.query_one("#reports-message", Static)
        line.update(text)
        line.set_class(error, "-error")

    # ---------------------------------------------------------------- keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("next_report", "previous_report"):
            # In a date field the arrows move along the date.
            return not isinstance(self.focused, Input)
        if action == "toggle_chart":
            return self.has_chart
        if action == "pdf":
            return self.reading is not None or None
        return True

    def action_back(self) -> None:
        self.dismiss(None)

    def action_next_report(self) -> None:
        self.action_pick((self.index + 1) % len(NAMES))

    def action_previous_report(self) -> None:
        self.action_pick((self.index - 1) % len(NAMES))

    def action_pick(self, index: int) -> None:
        if 0 <= index < len(NAMES):
            self.index = index
            self.action_run()

    def action_run(self) -> None:
        self._show_pick()
        period = self._period()
        if period is None:
            self._clear()
            return
        self.reading = None  # p and c wait for the report picked
        self.refresh_bindings()
        self.say(f"Reading {NAMES[self.index]}...")
        self._read(NAMES[self.index], period)

    def action_toggle_chart(self) -> None:
        self.show_chart = not self.show_chart
        self._arrange()
        if self.reading is not None:
            self.say(self._summary(self.reading))
        shown = self.query_one("#reports-chart") if self.show_chart else self.table
        if not isinstance(self.focused, Input):
            shown.focus()

    def action_pdf(self) -> None:
        reading = self.reading
        if reading is None:
            return
        if not reading.complete:
            self.say(
                f"{reading.tally.count:,} rows are too many to print from here: "
                f"billing-tui report {reading.name} --format csv writes them all.",
                error=True,
            )
            return
        self._write_pdf(reading)

    # ---------------------------------------------------------------- reading

    def _period(self) -> Period | None:
        """The dates typed, or None (and why, on the message line) when they cannot be read."""
        today = self.app.store.today()
        dates = []
        for which, field_id in (("From", "reports-from"), ("To", "reports-to")):
            text = self.query_one(f"#{field_id}", Input).value.strip()
            try:
                dates.append(parse_date(text, today=today) if text else None)
            except DateError as error:
                self.say(f"{which}: {error}. Nothing was read.", error=True)
                return None
        start, end = dates
        if start and end and start > end:
            self.say(f"From {format_date(start)} is after To {format_date(end)}. Nothing was read.",
                     error=True)  # fmt: skip
            return None
        return Period(start, end)

    @work(exclusive=True, group="reports", exit_on_error=False)
    async def _read(self, name: str, period: Period) -> None:
        reading = await self.app.call_store(read_report, self.app.store, name, period)
        if name != NAMES[self.index]:
            return  # another report was picked while this one was read
        self.reading = reading
        report = REPORTS[name]
        texts = [{c.key: cell_text(c, row, short_dates=True) for c in report.columns}
                 for row in reading.rows]  # fmt: skip
        self.table.set_rows(report.columns, texts, reading.tally.texts())
        self._row = 0
        if report.chart:
            chart = chart_of(report, reading.rows)
            self.chart.show(chart.labels, [(s.name, s.values) for s in chart.series])
        else:
            self.chart.show((), ())
        self._show_totals()
        self._arrange()
        self.say(self._summary(reading))
        self.refresh_bindings()

    def _summary(self, reading: Reading) -> str:
        words = f"{reading.tally.counted}, {period_words(reading.period).lower()}."
        if not reading.complete:
            words += f" The first {SHOWN_ROWS:,} are shown; the totals are of all of them."
        if self.table.line_width > self.table.usable_width(self.table.size.width):
            words += " End shows the last columns."
        if self.check_action("toggle_chart", ()):
            words += " c: the table." if self.show_chart else " c: the chart alone."
        return words

    def _clear(self) -> None:
        self.reading = None
        self.table.set_rows(self.report.columns, [], {})
        self.chart.show((), ())
        self.query_one("#reports-totals", Static).update("")
        self._arrange()
        self.refresh_bindings()

    # ---------------------------------------------------------------- showing

    def _show_pick(self) -> None:
        name = NAMES[self.index]
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        line.append(f"◂ {self.index + 1}/{len(NAMES)} ")
        line.append(name, "bold")
        line.append(" ▸ ")
        line.append(self.report.title)
        self.query_one("#reports-pick", Static).update(line)

    def _show_totals(self, _scroll_x: float | None = None) -> None:
        if self.reading is None:
            return
        line = self.table.totals_line()
        self.query_one("#reports-totals", Static).update(line[int(self.table.scroll_x) :])

    def _arrange(self) -> None:
        """The table with its totals, and under them the chart in the lines left (it scrolls)
        when that is CHART_LINES or more; else the table alone, or (c) the chart alone."""
        body = self.query_one("#reports-body")
        has_chart = self.has_chart
        table_lines = 1 + len(self.table.records)
        room = body.size.height - 1  # the totals line
        chart_alone = has_chart and self.show_chart
        self.both = has_chart and not chart_alone and room - table_lines >= CHART_LINES
        body.set_class(self.both, "-both")
        body.set_class(table_lines <= room, "-short")  # the totals right under the table
        body.set_class(chart_alone, "-chart")
        focused = self.focused
        if focused is None or (not isinstance(focused, Input) and not focused.display):
            chart_only = body.has_class("-chart")
            (self.query_one("#reports-chart") if chart_only else self.table).focus()
        self.refresh_bindings()

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self._arrange)

    @on(DataTable.RowHighlighted, "ReportTable")
    def _say_cut_text(self, event: DataTable.RowHighlighted) -> None:
        """A text cut to fit its column is said whole on the message line, for the row
        the cursor moves to."""
        if event.cursor_row == self._row or self.reading is None:
            return
        self._row = event.cursor_row
        record = self.table.highlighted
        cut = self.table.cut_texts(record) if record is not None else []
        self.say(" · ".join(cut) if cut else self._summary(self.reading))

    @on(Input.Changed)
    def _dates_changed(self, event: Input.Changed) -> None:
        if event.input.has_focus:
            self.say("Enter runs the report for these dates.")

    # ---------------------------------------------------------------- the PDF

    @work(exclusive=True, group="reports-pdf", exit_on_error=False)
    async def _write_pdf(self, reading: Reading) -> None:
        report = REPORTS[reading.name]
        today = self.app.store.today()
        folder = documents_folder(self.app)
        path = folder / pdf_name(reading.name, reading.period, today)
        self.say(f"Writing {path.name}...")
        practice = await self.app.call_store(self.app.store.reports.practice_name)
        try:
            pages = await asyncio.to_thread(_print, report, reading, path, today, practice)
        except OSError as error:
            self.say(f"No PDF: cannot write in {folder}: {error.strerror or error}.", error=True)
            return
        # The name first: at 80 columns a long folder would push it off the line.
        self.say(f"PDF written ({pages} page{'' if pages == 1 else 's'}): {path.name} in {folder}")


def _print(report: Report, reading: Reading, path: Path, today: dt.date, practice: str) -> int:
    """In a thread of its own: the PDF, into the documents folder (made private if new)."""
    make_folder(path.parent)
    return write_report_pdf(
        report,
        reading.rows,
        path,
        title=report.title or reading.name,
        period_text=period_words(reading.period),
        practice_name=practice,
        generated=today,
    )
