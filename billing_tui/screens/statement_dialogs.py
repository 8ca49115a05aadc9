"""Patient statements' dialogs, and what the statements screen shares with them: a statement
as text to read before it is mailed, and the folder its PDFs go to.

PrintRunDialog asks before a run prints; RunResultDialog says where the PDF went and
which accounts were held back, and why; MinimumBalanceDialog changes the screen's
minimum balance. AccountStatementsDialog lists one account's statements, newest first:
Enter or r reprints the highlighted one into the documents folder, n prints a statement
for the account now, and under the list is the statement the account would get next.
Each dialog makes its own Store call, so a refusal shows on its message line.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Static

from ..config import data_dir
from ..domain.dates import format_date
from ..domain.money import MoneyError, format_cents, parse_cents
from ..domain.statements import StatementContent
from ..store import StoreRefused
from ..store.records.statements import RunResult, StatementRecord
from ..widgets import columns as col
from ..widgets.fields import Field
from ..widgets.fitted_table import FittedTable
from ..widgets.key_bar import KeyBar
from ..widgets.typeahead import TypeAhead
from .errors import ReportsFailures
from .once import DismissOnce

if TYPE_CHECKING:
    from ..app import BillingApp
    from ..store import Store

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 78;
    max-width: 100%;
    height: auto;
    max-height: 100%;
    border: round $primary;
    border-title-style: bold;
    background: $surface;
    padding: 0 1;
}}
{name} .dialog-note {{ color: $text-muted; }}
{name} #message {{ height: auto; min-height: 1; }}
{name} #message.-error {{ color: $text-error; text-style: bold; }}
"""

HELD_LISTED = 200
"""Held-back accounts named in the run's result; the rest are counted (the CLI names 20)."""


# --------------------------------------------------------------------------- where PDFs go


def documents_folder(app: BillingApp) -> Path:
    """The settings' documents folder (letters, receipts, statements); without settings (the
    tests), the data directory's."""
    settings = app.settings
    return settings.documents if settings is not None else data_dir() / "documents"


def make_folder(folder: Path) -> Path:
    """The folder, made private to its owner (0700) when it is not there yet: statements are
    full of patient data."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def print_account(store: Store, folder: Path, account_number: str) -> RunResult:
    """On the store thread: one account's statement, now (a run of one)."""
    return store.statements.run(make_folder(folder), accounts=[account_number])


def print_statements(store: Store, folder: Path, **chosen) -> RunResult:
    """A statement run, on a thread of its own (asyncio.to_thread) rather than the app's store
    thread: a big run takes minutes, and every screen's reads would wait behind it. peewee
    gives the thread a connection of its own, closed here when the run is done."""
    try:
        return store.statements.run(make_folder(folder), **chosen)
    finally:
        store.db.close()


_printing: WeakKeyDictionary[App, str] = WeakKeyDictionary()


@contextmanager
def printing_statements(app: App, what: str):
    """While a run prints, no other run starts from this app (the statements screen's p and an
    account's n are off): a second run over the same accounts would be refused by the Store
    only once it had drawn every page."""
    _printing[app] = what
    try:
        yield
    finally:
        _printing.pop(app, None)


def statements_printing(app: App) -> str:
    """What is printing now in this app ('' when nothing is)."""
    return _printing.get(app, "")


def write_reprint(path: Path, data: bytes) -> Path:
    """In a thread: the reprinted statement's PDF, written whole or not at all."""
    from ..pdf.output import write_atomically

    make_folder(path.parent)
    write_atomically(path, data)
    return path


# --------------------------------------------------------------------------- the preview

MONEY = 9  # a money column: 99,999.99
DATE = 8  # MM/DD/YY
MONEY_HEADS = ("Charge", "Ins paid", "Adjusted", "You paid", "You owe")
AGING_HEADS = ("Current", "31-60", "61-90", "91-120", "Over 120")


def _money_row(width: int, date: str, label: str, amounts: Sequence[int | str]) -> str:
    """Date, label, then five money columns at the right; blank cells stay blank."""
    label_width = max(width - DATE - 1 - 5 * (MONEY + 1), 8)
    return _row(col.fit_text(date, DATE) + " " + col.fit_text(label, label_width), amounts)


def _line_row(width: int, label: str, amounts: Sequence[int | str]) -> str:
    """A service line under its visit: its text runs under the date too."""
    return _row(col.fit_text(label, max(width - 5 * (MONEY + 1), 8)), amounts)


def _row(left: str, amounts: Sequence[int | str]) -> str:
    cells = [left]
    for amount in amounts:
        text = col.money(amount, MONEY) if isinstance(amount, int) else amount
        cells.append(col.fit_text(text, MONEY, right=True))
    return " ".join(cells).rstrip()


def preview_text(
    content: StatementContent, width: int, heading: Style | None = None, detail: Style | None = None
) -> Text:
    """The statement as the patient will read it, in lines of at most `width` cells (the message
    wraps): who it goes to, the dates and the amount due, the cycle's message, each visit with
    its service lines, the account's other items, the aging and the payment plan."""
    c = content
    text = Text(end="")

    def add(line: str, style: Style | None = None) -> None:
        if text:
            text.append("\n")
        text.append(line, style)

    recipient = ", ".join((c.recipient.name, *c.recipient.lines))
    add(col.fit_text(f"To {recipient}", width).rstrip(), heading)
    add(
        f"{c.patient_name} · Acct {c.account_number} · Statement {format_date(c.statement_date)}"
        f" · Due {format_date(c.due_date)}"
    )
    add(
        f"Amount due {format_cents(c.amount_due)} · Balance {format_cents(c.balance)}"
        f" · Insurance still to pay {format_cents(c.insurance_pending)}",
        heading,
    )
    add(f"Cycle {c.cycle}, {c.cycle_label}: ", heading)
    text.append(" ".join(c.message.split()))
    add("")
    add(_money_row(width, "Date", "Visit", MONEY_HEADS), heading)
    for v in c.visits:
        figures = (v.charge, v.insurance_paid, v.adjustments, v.patient_paid, v.patient_owes)
        add(_money_row(width, col.short_date(v.dos), f"{v.claim_number} {v.payer or 'Self-pay'}",
                       figures))  # fmt: skip
        for line in v.lines:
            amounts = (line.charge, line.insurance_paid, line.adjustments)
            add(_line_row(width, f"  {line.code} {line.description}", amounts), detail)
        if v.visit_level_paid or v.visit_level_adjustments:
            amounts = ("", v.visit_level_paid or "", v.visit_level_adjustments or "")
            add(_line_row(width, "  On the visit as a whole", amounts), detail)
        if v.insurance_pending:
            waiting = f"  Waiting on {v.payer or 'insurance'}: {format_cents(v.insurance_pending)}"
            add(col.fit_text(waiting, width).rstrip(), detail)
    if len(c.visits) > 1:
        sums = [
            sum(getattr(v, name) for v in c.visits)
            for name in ("charge", "insurance_paid", "adjustments", "patient_paid", "patient_owes")
        ]
        add(_money_row(width, "", "All visits", sums), heading)
    if c.account_items:
        add("Other charges and credits", heading)
        for item in c.account_items:
            add(_money_row(width, col.short_date(item.date), item.description,
                           ("", "", "", "", item.amount)))  # fmt: skip
        add(_money_row(width, "", "Your balance", ("", "", "", "", c.balance)), heading)
    add("")
    add(_money_row(width, "", "", AGING_HEADS), heading)
    add(_money_row(width, "Aging", "", c.aging))
    if c.plan is not None:
        plan = c.plan
        next_due = f", next due {format_date(plan.next_due)}" if plan.next_due else ""
        add(
            f"Payment plan: instalment {format_cents(plan.instalment)}{next_due}"
            f" · {plan.overdue} overdue · {format_cents(plan.remaining)} left",
            heading,
        )
    return text


class StatementPreview(VerticalScroll, can_focus=False):
    """A statement as text, or a line saying why there is none. It never takes the focus (the
    arrows stay the list's); PageUp and PageDown on the list scroll it."""

    COMPONENT_CLASSES = {"statement-preview--heading", "statement-preview--detail"}
    DEFAULT_CSS = """
    StatementPreview {
        height: 1fr;
        padding: 0 0 0 1;
        scrollbar-size-vertical: 1;
        scrollbar-gutter: stable;
    }
    StatementPreview > .statement-preview--heading { text-style: bold; }
    StatementPreview > .statement-preview--detail { text-style: dim; }
    StatementPreview > Static { width: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.content: StatementContent | None = None
        self._note = ""
        self._width = 0

    def compose(self) -> ComposeResult:
        yield Static("", markup=False)

    def show(self, content: StatementContent) -> None:
        self.content, self._note = content, ""
        self._draw()
        self.scroll_home(animate=False)

    def say(self, note: str) -> None:
        """Instead of a statement: why there is none, or that it is on its way."""
        self.content, self._note = None, note
        self._draw()
        self.scroll_home(animate=False)

    def page(self, pages: int) -> None:
        if pages > 0:
            self.scroll_page_down(animate=False)
        else:
            self.scroll_page_up(animate=False)

    def on_resize(self) -> None:
        if self._text_width() != self._width:
            self._draw()

    def _text_width(self) -> int:
        return self.scrollable_content_region.width or 77

    def _draw(self) -> None:
        self._width = self._text_width()
        body = self.query_one(Static)
        if self.content is None:
            body.update(self._note)
            return
        heading = self.get_component_rich_style("statement-preview--heading", partial=True)
        detail = self.get_component_rich_style("statement-preview--detail", partial=True)
        body.update(preview_text(self.content, self._width, heading, detail))


def preview_bindings(prefix: str) -> list[Binding]:
    """PageUp/PageDown on a list scroll the preview under it, not the list (the list is a few
    rows high; the arrows and Home/End move in it)."""
    return [
        Binding(
            "pagedown",
            "screen.page_preview(1)",
            "Preview",
            show=False,  # the status line says so; F1 lists them
            id=f"{prefix}.preview_down",
            tooltip="scroll the statement down",
        ),
        Binding(
            "pageup",
            "screen.page_preview(-1)",
            "Preview up",
            show=False,
            id=f"{prefix}.preview_up",
            tooltip="scroll the statement up",
        ),
    ]


# --------------------------------------------------------------------------- the minimum


class MinimumBalanceDialog(DismissOnce, ModalScreen[int | None]):
    """The least patient balance that gets a statement, for this screen's list and run;
    dismisses with it in cents, or None when cancelled."""

    ACTIONS_NAME = "Minimum balance"
    AUTO_FOCUS = "#minimum"

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="statement_minimum.cancel", tooltip="keep it"),
        Binding(
            "enter",
            "save",
            "Apply",
            id="statement_minimum.apply",
            tooltip="list the accounts owing at least this",
        ),
    ]
    DEFAULT_CSS = (
        DIALOG_CSS.format(name="MinimumBalanceDialog")
        + """
    MinimumBalanceDialog > Vertical { width: 60; }
    """
    )

    def __init__(self, current: int, practice: int) -> None:
        super().__init__()
        self.current = current
        self.practice = practice

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Minimum patient balance"
            yield Static(
                f"Accounts owing at least this get a statement. The practice's minimum is "
                f"{format_cents(self.practice)}; this one is for this screen's list and run only.",
                classes="dialog-note",
                markup=False,
            )
            yield Field(format_cents(self.current, grouping=False), max_length=12, id="minimum")
            yield Label("", id="message")
        yield KeyBar()

    def action_save(self) -> None:
        typed = self.query_one("#minimum", Input).value
        message = self.query_one("#message", Label)
        try:
            cents = parse_cents(typed)
        except MoneyError as error:
            message.update(str(error).capitalize() + ".")
            message.add_class("-error")
            return
        if cents <= 0:
            message.update("The minimum must be more than 0.00.")
            message.add_class("-error")
            return
        self.dismiss(cents)

    def action_cancel(self) -> None:
        self.dismiss(None)


# --------------------------------------------------------------------------- a run


class Answer(TypeAhead, Static, can_focus=True):
    """A dialog's text that holds the focus, so that keys typed ahead of the dialog (the Enter
    after p) have a widget to reach, which runs the dialog's binding for them (see TypeAhead)."""


class PrintRunDialog(DismissOnce, ModalScreen[bool | None]):
    """Before a run prints: how many statements, the balances they ask for, and where the PDF
    goes. Enter prints, Escape does not; dismisses with True to print."""

    ACTIONS_NAME = "Print statements"

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="statement_run.cancel", tooltip="print nothing"),
        Binding("enter", "confirm", "Print", id="statement_run.print", tooltip="print the run"),
    ]
    DEFAULT_CSS = DIALOG_CSS.format(name="PrintRunDialog")

    def __init__(self, statements: int, balances: int, minimum: int, folder: Path) -> None:
        super().__init__()
        self.statements = statements
        self.balances = balances
        self.minimum = minimum
        self.folder = folder

    def compose(self) -> ComposeResult:
        noun = "statement" if self.statements == 1 else "statements"
        with Vertical() as box:
            box.border_title = "Print statements"
            yield Answer(
                f"Print {self.statements:,} {noun}, for balances of {format_cents(self.balances)}"
                f" (each at least {format_cents(self.minimum)})?",
                id="what",
                markup=False,
            )
            yield Static(f"Into one PDF in {self.folder}", id="where", markup=False)
            yield Static(
                "Each is recorded on its account. An account that cannot get one (no mailing "
                "address, nothing owed) is held back and listed after the run.",
                classes="dialog-note",
                markup=False,
            )
        yield KeyBar()

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(None)


def run_summary(result: RunResult) -> str:
    """'Printed 29 statements on 31 pages, 1,545.26 due; 2 held back.'"""
    noun = "statement" if result.statements == 1 else "statements"
    pages = "page" if result.pages == 1 else "pages"
    held = f"; {len(result.held):,} held back" if result.held else "; none held back"
    return (
        f"Printed {result.statements:,} {noun} on {result.pages:,} {pages}, "
        f"{format_cents(result.total_due)} due{held}."
    )


class RunResultDialog(DismissOnce, ModalScreen[None]):
    """What a run printed, where the PDF is, and each account held back with the reason."""

    ACTIONS_NAME = "Statements printed"

    BINDINGS = [
        Binding("escape,enter", "close", "Close", id="statement_result.close", tooltip="close"),
    ]
    DEFAULT_CSS = (
        DIALOG_CSS.format(name="RunResultDialog")
        + """
    RunResultDialog #held { height: auto; max-height: 14; scrollbar-size-vertical: 1; }
    """
    )

    def __init__(self, result: RunResult) -> None:
        super().__init__()
        self.result = result
        self.AUTO_FOCUS = "#held" if result.held else "#summary"  # the held list scrolls

    def compose(self) -> ComposeResult:
        result = self.result
        with Vertical() as box:
            box.border_title = "Statements printed"
            yield Answer(run_summary(result), id="summary", markup=False)
            yield Static(f"PDF: {result.path}", id="path", markup=False)
            if result.held:
                lines = [f"{h.account_number}  {h.reason}" for h in result.held[:HELD_LISTED]]
                if len(result.held) > HELD_LISTED:
                    lines.append(f"… and {len(result.held) - HELD_LISTED:,} more")
                yield Label("Held back (no statement printed or recorded):", classes="dialog-note")
                with VerticalScroll(id="held"):
                    yield Static("\n".join(lines), markup=False)
        yield KeyBar()

    def action_close(self) -> None:
        self.dismiss(None)


# --------------------------------------------------------------------------- one account


class AccountStatementTable(FittedTable[StatementRecord]):
    """An account's statements, newest first; one kept without its content cannot be
    reprinted and says so."""

    ACTIONS_NAME = "Statements"
    COLUMNS = (
        col.Column("id", "No.", 6, right=True),
        col.Column("date", "Date", 10),
        col.Column("cycle", "Cycle", 12),
        col.Column("balance", "Balance", 10, right=True),
        col.Column("due", "Amount due", 10, right=True),
        col.Column("due_date", "Due by", 10),
        col.Column("pages", "Pages", 5, right=True),
        col.Column("copy", "Copy", 4, flex=1),
    )
    BINDINGS = [
        Binding(
            "enter",
            "select_cursor",
            "Reprint",
            show=False,  # r Reprint is on the bar
            id="account_statements.reprint_highlighted",
            tooltip="reprint the highlighted statement",
        ),
        *preview_bindings("account_statements"),
    ]
    DEFAULT_CSS = """
    AccountStatementTable { height: auto; max-height: 7; }
    """

    def key(self, record: StatementRecord) -> str:
        return str(record.id)

    def values(self, s: StatementRecord) -> dict[str, str]:
        return {
            "id": str(s.id),
            "date": format_date(s.statement_date),
            "cycle": s.cycle_label,
            "balance": col.money(s.balance, 10),
            "due": col.money(s.amount_due, 10),
            "due_date": format_date(s.due_date),
            "pages": str(s.pages),
            "copy": "kept" if s.reprintable else "none",
        }


def read_account_statements(
    store: Store, patient_id: int, account_number: str
) -> tuple[str, list[StatementRecord], StatementContent | None, str]:
    """Runs on the store thread: the account number, its statements, the next statement (or
    why it gets none) and why a run would not print it now ('' when it would)."""
    statements = store.statements
    if not account_number:
        account_number = store.accounts.patient_details(patient_id).account_number
    records = statements.statements_of(patient_id)
    (candidate,) = statements.candidates(accounts=[account_number])
    try:
        return account_number, records, statements.preview(patient_id), candidate.held
    except StoreRefused as refused:
        return account_number, records, None, str(refused)


class AccountStatementsDialog(DismissOnce, ReportsFailures, ModalScreen[bool]):
    """One account's statements and its next one. Dismisses with True when it printed a
    statement (the account's last statement date moved)."""

    ACTIONS_NAME = "Account statements"
    AUTO_FOCUS = "AccountStatementTable"
    app: BillingApp

    BINDINGS = [
        Binding(
            "escape", "close", "Close", id="account_statements.close", tooltip="close the list"
        ),
        Binding(
            "r",
            "reprint",
            "Reprint",
            id="account_statements.reprint",
            tooltip="reprint the highlighted statement",
        ),
        Binding(
            "n",
            "print_now",
            "Print now",
            id="account_statements.print_now",
            tooltip="print this account's statement now",
        ),
    ]
    DEFAULT_CSS = (
        DIALOG_CSS.format(name="AccountStatementsDialog")
        + """
    AccountStatementsDialog > Vertical { height: 100%; }
    AccountStatementsDialog #next { height: auto; text-style: bold; background: $boost; }
    AccountStatementsDialog #next.-held { color: $text-warning; }
    """
    )

    def __init__(self, patient_id: int, patient_name: str, account_number: str = "") -> None:
        super().__init__()
        self.patient_id = patient_id
        self.patient_name = patient_name
        self.account_number = account_number
        self.printed = False
        self._described: StatementRecord | None = None  # the statement the message is about
        self._loaded = False
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = f"Statements: {self.patient_name}".rstrip(": ")
            yield AccountStatementTable()
            yield Static("", id="next", markup=False)
            yield StatementPreview()
            yield Static("Reading the statements…", id="message", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self._load()

    @property
    def table(self) -> AccountStatementTable:
        return self.query_one(AccountStatementTable)

    @property
    def highlighted(self) -> StatementRecord | None:
        tables = self.query(AccountStatementTable)  # none before compose
        return tables.first().highlighted if tables else None

    @work(exclusive=True, group="account-statements", exit_on_error=False)
    async def _load(self, message: str = "", *, error: bool = False) -> None:
        number, records, content, held = await self.app.call_store(
            read_account_statements, self.app.store, self.patient_id, self.account_number
        )
        self.account_number = number
        self._loaded = True
        self.table.show(records, 0)  # newest first: a new one is on top
        self._described = self.highlighted  # the message below is about what was just done
        preview = self.query_one(StatementPreview)
        heading = self.query_one("#next", Static)
        if content is None:
            preview.say(f"No statement for this account: {held}.")
            heading.update("Next statement: none")
        else:
            preview.show(content)
            when = f"not now: {held}" if held else "a run would print it now"
            heading.update(f"Next statement ({when})")
        heading.set_class(bool(held), "-held")
        if not message:
            message = "No statements yet." if not records else self._about(self.table.highlighted)
        self._say(message, error=error)
        self.refresh_bindings()

    def _about(self, record: StatementRecord | None) -> str:
        if record is None:
            return ""
        if not record.reprintable:
            return f"Statement {record.id} was recorded without its content: no reprint."
        run = f" (run {record.run_id}, {record.file_name})" if record.run_id else ""
        return f"Statement {record.id} by {record.created_by or 'unknown'}{run}"

    def _say(self, message: str, *, error: bool = False) -> None:
        line = self.query_one("#message", Static)
        line.update(message)
        line.set_class(error, "-error")

    @on(DataTable.RowHighlighted, "AccountStatementTable")
    def _highlighted(self) -> None:
        record = self.highlighted
        if self._loaded and not self._busy and record != self._described:
            self._described = record
            self._say(self._about(record))
        self.refresh_bindings()

    @on(DataTable.RowSelected, "AccountStatementTable")
    def _selected(self) -> None:
        self.action_reprint()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reprint":
            record = self.highlighted
            return (not self._busy and record is not None and record.reprintable) or None
        if action == "print_now":
            return (self._loaded and not self._busy and not statements_printing(self.app)) or None
        return True

    def action_page_preview(self, pages: int) -> None:
        self.query_one(StatementPreview).page(pages)

    def action_reprint(self) -> None:
        record = self.table.highlighted
        if record is None or self._busy:
            return
        if not record.reprintable:
            self._say(self._about(record), error=True)
            return
        self._busy = True
        self.refresh_bindings()
        self._reprint(record.id)

    @work(group="statement-reprint", exit_on_error=False)
    async def _reprint(self, statement_id: int) -> None:
        path = documents_folder(self.app) / f"statement-{statement_id}-{self.account_number}.pdf"
        self._say(f"Reprinting statement {statement_id}…")
        try:
            data = await self.app.call_store(self.app.store.statements.reprint, statement_id)
            await asyncio.to_thread(write_reprint, path, data)
        except StoreRefused as refused:
            self._say(f"Not reprinted: {refused}.", error=True)
            return
        except OSError as error:
            self._say(f"Not reprinted: cannot write {path}: {error.strerror or error}.", error=True)
            return
        finally:
            self._busy = False
            self.refresh_bindings()
        self._say(f"Reprinted statement {statement_id}: {path}")

    def action_print_now(self) -> None:
        if self._busy or not self._loaded or statements_printing(self.app):
            return
        self._busy = True
        self.refresh_bindings()
        self._print_now()

    @work(group="statement-print-now", exit_on_error=False)
    async def _print_now(self) -> None:
        folder = documents_folder(self.app)
        self._say(f"Printing a statement for account {self.account_number}…")
        try:
            with printing_statements(self.app, f"account {self.account_number}'s statement"):
                result = await self.app.call_store(
                    print_account, self.app.store, folder, self.account_number
                )
        except StoreRefused as refused:
            self._say(f"Not printed: {refused}.", error=True)
            return
        except OSError as error:
            self._say(f"Not printed: cannot write in {folder}: {error.strerror or error}.",
                      error=True)  # fmt: skip
            return
        finally:
            self._busy = False
        self.printed = True
        self._load(f"{run_summary(result)} {result.path}")

    def action_close(self) -> None:
        self.dismiss(self.printed)
