"""Patient statements: the accounts a run would print now, in mailing order, and under them
the highlighted account's statement as the patient will read it.

p prints the run (after a dialog that says how many and for how much) into one PDF in
the documents folder, on a thread of its own: the list and the preview keep answering
while it draws, and p is off until it is done. m changes the minimum balance, r reads
the list again, Enter opens the account. The list holds the first LISTED accounts; the
rest are counted, and the run prints them all.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.style import Style
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static

from ..domain.dates import format_date
from ..domain.money import format_cents
from ..domain.statements import StatementContent
from ..store import StoreRefused
from ..store.records.statements import RunResult, StatementCandidate
from ..widgets import columns as col
from ..widgets.fitted_table import FittedTable
from ..widgets.key_bar import KeyBar
from ..widgets.typeahead import replay
from .errors import ReportsFailures
from .once import DismissOnce
from .statement_dialogs import (
    MinimumBalanceDialog,
    PrintRunDialog,
    RunResultDialog,
    StatementPreview,
    documents_folder,
    preview_bindings,
    print_statements,
    printing_statements,
    run_summary,
    statements_printing,
)

if TYPE_CHECKING:
    from ..app import BillingApp
    from ..store.statements import Statements

LISTED = 200
"""Accounts held in the list; a run prints every account due, listed or not."""

PREVIEWS_KEPT = 64
"""Previews kept while the list is on screen: arrowing back over them asks the Store nothing."""


@dataclass(frozen=True, slots=True)
class Due:
    """How many accounts a run would print, and their patient balances."""

    accounts: int
    balances: int


def count_due(statements: Statements, min_balance: int) -> Due:
    """Runs on the store thread: every account due, counted there (the rows never reach the
    screen)."""
    due = statements.candidates(min_balance=min_balance)
    return Due(len(due), sum(c.patient_balance for c in due))


class StatementTable(FittedTable[StatementCandidate]):
    """The accounts due a statement, in mailing order; one the run will hold back says 'held'."""

    COLUMNS = (
        col.Column("account", "Account", 8),
        col.Column("patient", "Patient", 12, flex=1),
        col.Column("balance", "Pt balance", 10, right=True),
        col.Column("last", "Last stmt", 10),
        col.Column("held", "Held", 4),
    )
    ACTIONS_NAME = "Statements due"
    # Enter is the table's own (see WorkTable): typed ahead, it reaches the table in order.
    BINDINGS = [
        Binding(
            "enter",
            "select_cursor",
            "Open",
            id="statements.open",
            tooltip="open the highlighted account",
        ),
        *preview_bindings("statements"),
    ]
    COMPONENT_CLASSES = {"statement-table--held"}
    DEFAULT_CSS = """
    StatementTable { height: 9; }
    StatementTable > .statement-table--held { color: $text-warning; text-style: bold; }
    """

    def key(self, record: StatementCandidate) -> str:
        return str(record.patient_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "select_cursor":
            return self.highlighted is not None or None
        return True

    def values(self, c: StatementCandidate) -> dict[str, str]:
        return {
            "account": c.account_number,
            "patient": c.name.upper(),
            "balance": col.money(c.patient_balance, 10),
            "last": format_date(c.last_statement) or "never",
            "held": "held" if c.held else "",
        }

    def cell_styles(self, c: StatementCandidate) -> dict[str, Style]:
        return {"held": self.component_style("statement-table--held")} if c.held else {}

    def mark_held(self, patient_id: int, reason: str) -> None:
        """The Store will not state this account (found on previewing it): say so on its row."""
        for row, record in enumerate(self.records):
            if record.patient_id == patient_id and record.held != reason:
                record = self.records[row] = dataclasses.replace(record, held=reason)
                line = col.line(
                    self.COLUMNS, self._widths, self.values(record), self.cell_styles(record)
                )
                self.update_cell(str(patient_id), "row", line)
                return


class StatementsScreen(DismissOnce, ReportsFailures, Screen[None]):
    """The run to come: who gets a statement, and what the highlighted one says."""

    ACTIONS_NAME = "Statements"
    AUTO_FOCUS = "StatementTable"
    app: BillingApp

    BINDINGS = [
        Binding("escape", "back", "Back", id="statements.back", tooltip="back to the queue"),
        Binding(
            "p",
            "print_run",
            "Print",
            id="statements.print",
            tooltip="print all the accounts due, in one PDF",
        ),
        Binding(
            "m",
            "minimum",
            "Minimum",
            id="statements.minimum",
            tooltip="change the minimum patient balance",
        ),
        Binding("r", "reload", "Refresh", id="statements.refresh", tooltip="read the list again"),
    ]

    DEFAULT_CSS = """
    StatementsScreen #title { height: 1; background: $boost; text-style: bold; }
    StatementsScreen #title-text { width: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }
    StatementsScreen #title-due { width: auto; padding: 0 0 0 1; }
    StatementsScreen #account-facts {
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        background: $boost;
    }
    StatementsScreen #account-facts.-held { color: $text-warning; text-style: bold; }
    StatementsScreen #status { height: 1; background: $panel; }
    StatementsScreen #status-text { width: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }
    StatementsScreen #status-text.-error { color: $text-error; text-style: bold; }
    StatementsScreen #status-count { width: auto; padding: 0 0 0 1; text-style: bold; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.min_balance = 0  # the policy's, once mounted
        self.due: Due | None = None  # None while the accounts past the list are counted
        self.more = False  # more accounts are due than the list holds
        self._previews: OrderedDict[int, StatementContent | str] = OrderedDict()
        self._printing = False
        self._started = 0.0
        self._ticker = None
        self._unseen: RunResult | None = None  # a run that finished while another screen was up
        self._loading = True
        self._held: list[tuple[str, str | None]] = []  # keys typed while the list loads

    def compose(self) -> ComposeResult:
        with Horizontal(id="title"):
            yield Label("", id="title-text", markup=False)
            yield Label("", id="title-due", markup=False)
        yield StatementTable()
        yield Static("", id="account-facts", markup=False)
        yield StatementPreview()
        with Horizontal(id="status"):
            yield Label("Reading the accounts due a statement…", id="status-text", markup=False)
            yield Label("", id="status-count")
        yield KeyBar()

    def on_mount(self) -> None:
        self.min_balance = self.app.store.statements.policy.min_balance
        self._load()

    @property
    def table(self) -> StatementTable:
        return self.query_one(StatementTable)

    @property
    def highlighted(self) -> StatementCandidate | None:
        tables = self.query(StatementTable)  # none before compose
        return tables.first().highlighted if tables else None

    # ------------------------------------------------------------------ reading the Store

    def _load(self, message: str = "") -> None:
        """Read the list again; keys typed meanwhile wait for it."""
        self._loading = True
        self._read(message)

    @work(exclusive=True, group="statements", exit_on_error=False)
    async def _read(self, message: str) -> None:
        statements = self.app.store.statements
        minimum = self.min_balance
        try:
            due = await self.app.call_store(
                statements.candidates, min_balance=minimum, limit=LISTED + 1
            )
        except Exception:
            self._loading = False
            self._held.clear()  # the error dialog comes up; those keys were for the list
            raise
        self.more = len(due) > LISTED
        due = due[:LISTED]
        self.due = None if self.more else Due(len(due), sum(c.patient_balance for c in due))
        self._previews.clear()  # balances may have moved since they were read
        self._show(due)
        self._say(message)
        self._release_keys()
        if self.more:
            self.due = await self.app.call_store(count_due, statements, minimum)
            self._show_title()
            self._show_count()
            self.refresh_bindings()

    def _show(self, due: list[StatementCandidate]) -> None:
        """Fill the list; the cursor stays on its account, or on the row it was at."""
        table = self.table
        keep = table.highlighted
        row = table.cursor_row
        ids = [c.patient_id for c in due]
        if keep is not None and keep.patient_id in ids:
            row = ids.index(keep.patient_id)
        table.show(due, row)
        self._show_title()
        self._highlighted()

    def _release_keys(self) -> None:
        """The list is on screen: the keys that waited for it go on, in the order typed."""
        self._loading = False
        self.refresh_bindings()
        held, self._held = self._held, []
        for key, character in held:
            replay(self, key, character)

    def hold_key(self, key: str, character: str | None) -> bool:
        """Keys typed while the list is on its way wait for it (see TypeAhead)."""
        if not self._loading and not self._held:
            return False
        self._held.append((key, character))
        return True

    @work(exclusive=True, group="statement-preview", exit_on_error=False)
    async def _preview(self, candidate: StatementCandidate) -> None:
        """The highlighted account's statement. Exclusive: arrowing fast cancels the previews
        not yet read, and an answer for a row the cursor has left is dropped."""
        try:
            content: StatementContent | str = await self.app.call_store(
                self.app.store.statements.preview, candidate.patient_id
            )
        except StoreRefused as refused:
            content = str(refused)
        self._previews[candidate.patient_id] = content
        while len(self._previews) > PREVIEWS_KEPT:
            self._previews.popitem(last=False)
        shown = self.highlighted
        if shown is not None and shown.patient_id == candidate.patient_id:
            self._show_preview(candidate.patient_id, content)

    def _show_preview(self, patient_id: int, content: StatementContent | str) -> None:
        preview = self.query_one(StatementPreview)
        if isinstance(content, StatementContent):
            preview.show(content)
            return
        self.table.mark_held(patient_id, content)
        preview.say(f"No statement for this account: {content}. A run holds it back.")
        self._show_facts()

    # ------------------------------------------------------------------ what the screen says

    def _show_title(self) -> None:
        policy = self.app.store.statements.policy
        self.query_one("#title-text", Label).update(
            f"Due a statement: patient balance ≥ {format_cents(self.min_balance)}, "
            f"none in {policy.cycle_days} days"
        )
        if self.due is None:
            due = "counting…"
        else:
            due = f"{self.due.accounts:,} due, {format_cents(self.due.balances)}"
        self.query_one("#title-due", Label).update(due)

    def _show_facts(self) -> None:
        c = self.highlighted
        facts = self.query_one("#account-facts", Static)
        facts.set_class(c is not None and bool(c.held), "-held")
        if c is None:
            facts.update("")
            return
        if c.held:
            facts.update(f"HELD {c.account_number}: {c.held}")
            return
        if c.last_statement is None:
            last = "no statement yet"
        else:
            days = (self.app.store.today() - c.last_statement).days
            last = f"last statement {format_date(c.last_statement)}, {days} days ago"
        facts.update(f"{c.name.upper()} · owes {format_cents(c.patient_balance)} · {last}")

    def _show_count(self) -> None:
        table = self.table
        if not table.row_count:
            count = "none"
        else:
            count = f"{table.cursor_row + 1} of {table.row_count}"
            if self.more and self.due is not None:
                count += f" · {self.due.accounts - table.row_count:,} more"
            elif self.more:
                count += "+"
        self.query_one("#status-count", Label).update(count)

    def _say(self, message: str = "", *, error: bool = False) -> None:
        """The status line: what the last action did, or the order of the list."""
        if not message:
            message = "In mailing order (ZIP, name) · PgUp/PgDn scroll the statement"
        label = self.query_one("#status-text", Label)
        label.update(message)
        label.set_class(error, "-error")

    @on(DataTable.RowHighlighted, "StatementTable")
    def _row_highlighted(self) -> None:
        self._highlighted()

    def _highlighted(self) -> None:
        self._show_facts()
        self._show_count()
        self.refresh_bindings()
        c = self.highlighted
        preview = self.query_one(StatementPreview)
        if c is None:
            self.workers.cancel_group(self, "statement-preview")
            preview.say(
                f"No account owes {format_cents(self.min_balance)} or more without a statement "
                "in the cycle: nothing to print. m changes the minimum."
            )
            return
        known = self._previews.get(c.patient_id)
        if known is not None:
            self.workers.cancel_group(self, "statement-preview")
            self._show_preview(c.patient_id, known)
        else:
            self._preview(c)

    @on(DataTable.RowSelected, "StatementTable")
    def _row_selected(self) -> None:
        """Enter, on the list: open the highlighted account."""
        self.action_open_account()

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "print_run":
            ready = not self._loading and self.due is not None and self.due.accounts > 0
            return (ready and not statements_printing(self.app)) or None
        if action == "back":
            return not self._printing or None  # the run's answer comes back to this screen
        return True

    def action_back(self) -> None:
        if not self._printing:
            self.dismiss(None)

    def action_reload(self) -> None:
        self._load()

    def action_page_preview(self, pages: int) -> None:
        self.query_one(StatementPreview).page(pages)

    def action_open_account(self) -> None:
        from .account import AccountScreen  # on first use: the statements open without it

        c = self.highlighted
        if c is not None:
            self.app.push_screen(AccountScreen(c.patient_id), lambda _: self._load())

    def action_minimum(self) -> None:
        def chosen(cents: int | None) -> None:
            if cents is not None and cents != self.min_balance:
                self.min_balance = cents
                self._load(f"Minimum balance now {format_cents(cents)}.")
            else:
                self._release_keys()

        practice = self.app.store.statements.policy.min_balance
        # Keys typed after the dialog's Enter can reach the list before its answer does:
        # they wait, so that a fast "m 100 Enter p" prints the list for 100.00.
        self._loading = True
        self.app.push_screen(MinimumBalanceDialog(self.min_balance, practice), chosen)

    def action_print_run(self) -> None:
        due = self.due
        if due is None or not due.accounts or statements_printing(self.app):
            return
        folder = documents_folder(self.app)
        minimum = self.min_balance

        def confirmed(yes: bool | None) -> None:
            if yes and not statements_printing(self.app):
                self._print(folder, minimum, due.accounts)

        self.app.push_screen(PrintRunDialog(due.accounts, due.balances, minimum, folder), confirmed)

    @work(exclusive=True, group="statement-run", exit_on_error=False)
    async def _print(self, folder: Path, minimum: int, accounts: int) -> None:
        what = f"{accounts:,} statement{'' if accounts == 1 else 's'}"
        self._printing = True
        self._started = time.monotonic()
        self._ticker = self.set_interval(1.0, lambda: self._show_progress(what))
        self._show_progress(what)
        try:
            with printing_statements(self.app, what):
                self.refresh_bindings()
                result = await asyncio.to_thread(
                    print_statements, self.app.store, folder, min_balance=minimum
                )
        except StoreRefused as refused:
            self._say(f"Nothing printed: {refused}.", error=True)
            return
        except OSError as error:
            self._say(f"Nothing printed: cannot write in {folder}: {error.strerror or error}.",
                      error=True)  # fmt: skip
            return
        finally:
            self._printing = False
            self._ticker.stop()
            self.refresh_bindings()
        self._load(f"{run_summary(result)} {result.path}")  # the printed accounts leave the list
        if self.is_current:
            self.app.push_screen(RunResultDialog(result))
        else:
            self._unseen = result
            self.app.notify(f"{run_summary(result)}\n{result.path}", title="Statements printed")

    def _show_progress(self, what: str) -> None:
        """Once a second while the run prints: the Store says nothing until it is done."""
        seconds = int(time.monotonic() - self._started)
        self._say(f"Printing {what}… {seconds} s; p and Esc wait for it")

    def on_screen_resume(self) -> None:
        if self._unseen is not None:
            result, self._unseen = self._unseen, None
            self.app.push_screen(RunResultDialog(result))
