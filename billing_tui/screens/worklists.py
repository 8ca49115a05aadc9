"""The worklists: denials to work, ERA claims the import could not post (exceptions),
claims the payer crossed over to the next payer, and HL7 messages from the EHR that could
not be imported (inbound), each a tab, oldest first.

Enter opens the account, x closes the highlighted item with what was done, m posts an
exception's ERA claim to the claim a person chooses, r imports a failed HL7 message again
once its cause is fixed; c shows the closed items too. The lists are read again after each
of them.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from rich.style import Style
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static, TabbedContent, TabPane

from ..domain.dates import format_date, local_date
from ..domain.money import format_cents
from ..store import Store
from ..store.records import WorkItemRow
from ..widgets import columns as col
from ..widgets.fitted_table import FittedTable
from ..widgets.key_bar import KeyBar
from ..widgets.typeahead import replay
from .errors import ReportsFailures
from .once import DismissOnce
from .worklist_dialogs import CloseItemDialog, MatchDialog, Matched, item_title

if TYPE_CHECKING:
    from ..app import BillingApp

TABS = Binding.Group("Tabs", compact=True)

KINDS = ("denial", "exception", "secondary", "inbound")
TAB_NAMES = {
    "denial": "Denials",
    "exception": "Exceptions",
    "secondary": "Crossovers",
    "inbound": "Inbound",
}
EMPTY = {
    "denial": "No denials to work.",
    "exception": "No ERA exceptions: every ERA claim found its claim.",
    "secondary": "No crossovers waiting for the next payer.",
    "inbound": "No HL7 messages from the EHR are waiting: every one imported.",
}


def age_days(item: WorkItemRow, today: dt.date) -> int:
    return max((today - local_date(item.opened_at)).days, 0)


class WorkTable(FittedTable[WorkItemRow]):
    """One worklist, oldest first; a closed item (shown on request) says 'done' and is dimmed."""

    COLUMNS = (
        col.Column("age", "Age", 4, right=True),
        col.Column("account", "Account", 8),
        col.Column("patient", "Patient", 10, flex=2),
        col.Column("claim", "Claim", 11),
        col.Column("payer", "Payer", 7, flex=1, most=14, ellipsis=False),
        col.Column("amount", "Amount", 9, right=True),
        col.Column("reason", "Reason", 12, flex=3),
    )
    ACTIONS_NAME = "Worklist"
    # Enter is the table's own (not a priority key of the screen's): keys typed ahead reach
    # the table in order, and a priority key would run before the keys typed ahead of it.
    BINDINGS = [
        Binding(
            "enter",
            "select_cursor",
            "Open",
            id="worklists.open",
            tooltip="open the highlighted item's account",
        ),
    ]
    COMPONENT_CLASSES = {"work-table--closed"}
    DEFAULT_CSS = """
    WorkTable > .work-table--closed { text-style: dim; }
    """

    def __init__(self, today: dt.date, **kwargs) -> None:
        super().__init__(**kwargs)
        self.today = today

    def key(self, record: WorkItemRow) -> str:
        return str(record.id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "select_cursor":
            return self.highlighted is not None or None
        return True

    def values(self, record: WorkItemRow) -> dict[str, str]:
        closed = record.closed_at is not None
        return {
            "age": "done" if closed else str(age_days(record, self.today)),
            "account": record.account_number,
            "patient": record.patient_name.upper() or "unmatched",
            "claim": record.claim_number,
            "payer": record.payer,
            "amount": col.money(record.amount, 9),
            "reason": " ".join((record.resolution if closed else record.reason).split()),
        }

    def cell_styles(self, record: WorkItemRow) -> dict[str, Style]:
        if record.closed_at is None:
            return {}
        dim = self.component_style("work-table--closed")
        return {column.key: dim for column in self.COLUMNS}


class ExceptionTable(WorkTable):
    """The exceptions: the amount is what the ERA paid, the claim number the ERA's until
    the claim is matched."""

    COLUMNS = tuple(
        col.Column("amount", "ERA paid", 9, right=True) if c.key == "amount" else c
        for c in WorkTable.COLUMNS
    )


class InboundTable(WorkTable):
    """The HL7 messages that failed: no claim or amount yet, only the account (when the
    message named one we have) and why."""

    COLUMNS = (
        col.Column("age", "Age", 4, right=True),
        col.Column("account", "Account", 8),
        col.Column("patient", "Patient", 10, flex=1),
        col.Column("reason", "Reason", 20, flex=4),
    )

    def values(self, record: WorkItemRow) -> dict[str, str]:
        values = super().values(record)
        if not record.patient_id:
            values["patient"] = "no account"
        return values


TABLES: dict[str, type[WorkTable]] = {"exception": ExceptionTable, "inbound": InboundTable}


def describe_item(item: WorkItemRow, today: dt.date) -> tuple[str, str]:
    """Under the table: who and what the highlighted item is (one line), then the whole
    reason, and for a closed item what was done."""
    if item.kind == "inbound":
        facts = [f"HL7 message {item.inbound_message_id}"]
        if item.patient_id is not None:
            facts += [item.patient_name.upper(), f"Acct {item.account_number}"]
        facts.append(
            f"Opened {format_date(local_date(item.opened_at))} ({age_days(item, today)} d)"
        )
        why = " ".join(item.reason.split())
        if item.closed_at is not None:
            why = (
                f"Closed {format_date(local_date(item.closed_at))}: {item.resolution} · was: {why}"
            )
        return " · ".join(facts), why
    if item.patient_id is None:
        facts = [f"ERA claim {item.claim_number}", "no account"]
    else:
        facts = [item.patient_name.upper(), f"Acct {item.account_number}"]
        facts.append(f"Claim {item.claim_number}")
    what = "ERA paid" if item.kind == "exception" else "Charge"
    facts.append(f"{what} {format_cents(item.amount)}")
    facts.append(f"Opened {format_date(local_date(item.opened_at))} ({age_days(item, today)} d)")
    if item.batch_id is not None:
        facts.append(f"Batch {item.batch_id}")
    if item.payer:
        facts.append(item.payer)
    why = " ".join(item.reason.split())
    if item.closed_at is not None:
        why = f"Closed {format_date(local_date(item.closed_at))}: {item.resolution} · was: {why}"
    return " · ".join(facts), why


def read_worklists(store: Store, include_closed: bool) -> dict[str, list[WorkItemRow]]:
    """Runs on the store thread: the three lists at once, so the tabs agree."""
    return {kind: store.posting.worklist(kind, include_closed=include_closed) for kind in KINDS}


class WorklistScreen(DismissOnce, ReportsFailures, Screen[None]):
    """The four worklists in tabs (1 to 4), the highlighted item in words under them."""

    ACTIONS_NAME = "Worklists"
    AUTO_FOCUS = "WorkTable"
    app: BillingApp

    BINDINGS = [
        Binding("escape", "back", "Back", id="worklists.back", tooltip="back to the queue"),
        Binding(
            "x",
            "close_item",
            "Close",
            id="worklists.close",
            tooltip="close the highlighted item with what was done",
        ),
        Binding(
            "m",
            "match",
            "Match",
            id="worklists.match",
            tooltip="post the highlighted ERA claim to a claim you choose",
        ),
        Binding(
            "r",
            "retry",
            "Retry",
            id="worklists.retry",
            tooltip="import the highlighted HL7 message again, its cause fixed",
        ),
        Binding(
            "c",
            "toggle_closed",
            "Closed",
            id="worklists.show_closed",
            tooltip="show the closed items too (on/off)",
        ),
        Binding(
            "a",
            "approvals",
            "Approvals",
            id="worklists.approvals",
            tooltip="write-offs and waivers waiting for a supervisor",
        ),
        Binding(
            "f5",
            "reload",
            "Refresh",
            show=False,
            id="worklists.refresh",
            tooltip="read the worklists again",
        ),
        Binding(
            "1",
            "tab('denial')",
            "Denials",
            group=TABS,
            show=False,  # the tabs are labelled with their digits
            id="worklists.denials",
            tooltip="show the denials",
        ),
        Binding(
            "2",
            "tab('exception')",
            "Exceptions",
            group=TABS,
            show=False,
            id="worklists.exceptions",
            tooltip="show the ERA exceptions",
        ),
        Binding(
            "3",
            "tab('secondary')",
            "Crossovers",
            group=TABS,
            show=False,
            id="worklists.crossovers",
            tooltip="show the claims crossed over to the next payer",
        ),
        Binding(
            "4",
            "tab('inbound')",
            "Inbound",
            group=TABS,
            show=False,
            id="worklists.inbound",
            tooltip="show the HL7 messages from the EHR that failed to import",
        ),
    ]

    DEFAULT_CSS = """
    WorklistScreen TabbedContent { height: 1fr; }
    WorklistScreen TabPane { padding: 0; }
    WorklistScreen #item-facts {
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        background: $boost;
        text-style: bold;
    }
    WorklistScreen #item-why { height: 2; background: $boost; }
    WorklistScreen #status { height: 1; background: $panel; }
    WorklistScreen #status-text {
        width: 1fr;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    WorklistScreen #status-text.-error { color: $text-error; text-style: bold; }
    WorklistScreen #status-count { width: auto; padding: 0 0 0 1; text-style: bold; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.include_closed = False
        self._loading = False
        self._held: list[tuple[str, str | None]] = []  # keys typed while the lists load

    def compose(self) -> ComposeResult:
        today = self.app.store.today()
        with TabbedContent(initial="denial"):
            for number, kind in enumerate(KINDS, start=1):
                with TabPane(f"{number} {TAB_NAMES[kind]}", id=kind):
                    table = TABLES.get(kind, WorkTable)
                    yield table(today, id=f"{kind}-table")
        yield Static("", id="item-facts", markup=False)
        yield Static("", id="item-why", markup=False)
        with Horizontal(id="status"):
            yield Label("", id="status-text", markup=False)
            yield Label("", id="status-count")
        yield KeyBar()

    def on_mount(self) -> None:
        self._load()

    def _load(self, message: str = "") -> None:
        """Read the lists again; keys typed meanwhile wait for them."""
        self._loading = True
        self._read(message)

    @property
    def kind(self) -> str:
        tabs = self.query(TabbedContent)
        return (tabs.first().active if tabs else "") or KINDS[0]

    @property
    def table(self) -> WorkTable:
        return self.query_one(f"#{self.kind}-table", WorkTable)

    @property
    def highlighted(self) -> WorkItemRow | None:
        tables = self.query(f"#{self.kind}-table").results(WorkTable)
        table = next(tables, None)  # None before the screen is composed
        return table.highlighted if table is not None else None

    # ------------------------------------------------------------------ reading the Store

    @work(exclusive=True, group="worklists", exit_on_error=False)
    async def _read(self, message: str) -> None:
        try:
            lists = await self.app.call_store(read_worklists, self.app.store, self.include_closed)
        except Exception:
            self._loading = False
            self._held.clear()  # the error dialog comes up; those keys were for the lists
            raise
        self._loading = False
        self._show(lists)
        self._say(message)
        held, self._held = self._held, []
        for key, character in held:
            replay(self, key, character)

    def _show(self, lists: dict[str, list[WorkItemRow]]) -> None:
        """Fill each tab; the cursor stays on its item, or on the row it was at (the next
        item, once the one it was on has left the list)."""
        today = self.app.store.today()
        tabs = self.query_one(TabbedContent)
        for number, kind in enumerate(KINDS, start=1):
            table = self.query_one(f"#{kind}-table", WorkTable)
            table.today = today  # a session can outlast midnight
            items = lists[kind]
            held = table.highlighted
            row = table.cursor_row
            ids = [item.id for item in items]
            if held is not None and held.id in ids:
                row = ids.index(held.id)
            table.show(items, row)
            open_count = sum(1 for item in items if item.closed_at is None)
            tabs.get_tab(kind).label = f"{number} {TAB_NAMES[kind]} ({open_count})"
        self._show_detail()
        self.refresh_bindings()

    def hold_key(self, key: str, character: str | None) -> bool:
        """Keys typed while the lists are on their way wait for them (see TypeAhead)."""
        if not self._loading and not self._held:
            return False
        self._held.append((key, character))
        return True

    # ------------------------------------------------------------------ what the screen says

    def _show_detail(self) -> None:
        item = self.highlighted
        if item is None:
            facts, why = (EMPTY[self.kind] if not self._loading else ""), ""
        else:
            facts, why = describe_item(item, self.app.store.today())
        self.query_one("#item-facts", Static).update(facts)
        self.query_one("#item-why", Static).update(why)
        table = self.table
        if table.row_count:
            count = f"{table.cursor_row + 1} of {table.row_count}"
        else:
            count = "none"
        self.query_one("#status-count", Label).update(count)

    def _say(self, message: str = "", *, error: bool = False) -> None:
        """The status line: what the last action did, or what the list holds."""
        if not message:
            shown = "Open and closed items" if self.include_closed else "Open items"
            message = f"{shown}, oldest first"
        label = self.query_one("#status-text", Label)
        label.update(message)
        label.set_class(error, "-error")

    @on(DataTable.RowHighlighted, "WorkTable")
    def _row_highlighted(self) -> None:
        self._show_detail()
        self.refresh_bindings()

    @on(DataTable.RowSelected, "WorkTable")
    def _row_selected(self) -> None:
        """Enter, on the table: open the highlighted item's account."""
        self.action_open_account()

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """The arrow keys always move in the tab on show."""
        for table in event.pane.query(WorkTable):
            table.focus()
        self._show_detail()
        self._say()
        self.refresh_bindings()

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close_item":
            item = self.highlighted
            return (item is not None and item.closed_at is None) or None
        if action == "retry":
            if self.kind != "inbound":
                return False
            item = self.highlighted
            return (item is not None and item.closed_at is None) or None
        if action == "match":
            if self.kind != "exception":
                return False
            item = self.highlighted
            return (
                item is not None and item.closed_at is None and item.remittance_claim_id is not None
            ) or None
        return True

    def action_approvals(self) -> None:
        from .approval_list import ApprovalsScreen  # on first use

        self.app.push_screen(ApprovalsScreen())

    def action_back(self) -> None:
        self.dismiss(None)

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def action_reload(self) -> None:
        self._load()

    def action_toggle_closed(self) -> None:
        self.include_closed = not self.include_closed
        self._load()

    def action_open_account(self) -> None:
        from .account import AccountScreen  # on first use: the worklists open without it

        item = self.highlighted
        if item is None:
            return
        if item.patient_id is None:
            if item.kind == "inbound":
                self._say("The message names no account we have.", error=True)
                return
            self._say(
                f"ERA claim {item.claim_number} matches no account yet: m matches it to a claim.",
                error=True,
            )
            return
        self.app.push_screen(AccountScreen(item.patient_id), lambda _: self._load())

    def action_close_item(self) -> None:
        item = self.highlighted
        if item is None or item.closed_at is not None:
            return

        def closed(done: bool | None) -> None:
            if done:
                self._load(f"Closed {item_title(item)}.")

        self.app.push_screen(CloseItemDialog(item), closed)

    def action_match(self) -> None:
        item = self.highlighted
        if item is None or item.kind != "exception" or item.closed_at is not None:
            return

        def matched(done: Matched | None) -> None:
            if done is not None:
                self._load(
                    f"ERA claim {item.claim_number} posted to claim {done.claim_number} "
                    f"(payment {done.payment_id})."
                )

        self.app.push_screen(MatchDialog(item), matched)

    @work(exclusive=True, group="worklists-retry", exit_on_error=False)
    async def action_retry(self) -> None:
        """Import the highlighted HL7 message again: once the patient is registered, the
        payer or code set up, it goes in and its item closes; else it says why again."""
        item = self.highlighted
        if item is None or item.kind != "inbound" or item.closed_at is not None:
            return
        if item.inbound_message_id is None:
            return
        receipt = await self.app.call_store(self.app.store.inbound.retry, item.inbound_message_id)
        if receipt.ok:
            self._load(f"HL7 message {item.inbound_message_id} imported: {receipt.detail}")
        else:
            self._load(f"Still refused: {receipt.detail}")
