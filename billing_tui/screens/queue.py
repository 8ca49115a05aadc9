"""The account queue: the specialist's worklist, searched as they type, paged from the Store.

The search box keeps the focus; the arrow and page keys move the table's
cursor. Every Store read runs in a worker on the app's store thread; each
search or filter change starts a new query and cancels the one before, and
a page that arrives for an older query is dropped, so a slow answer can
never overwrite a newer one.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label
from textual.worker import Worker

from ..domain.ledger import AGE_BUCKETS
from ..domain.queue import Flag, QueueFilter
from ..store.records import PayerRecord, QueueCursor, QueuePage
from ..widgets.fields import SearchBox
from ..widgets.key_bar import KeyBar
from ..widgets.queue_detail import QueueDetail
from ..widgets.queue_table import QueueTable
from ..widgets.typeahead import replay
from .choice import ChoiceDialog, Picked
from .errors import ReportsFailures
from .queue_window import PAGE_ROWS, QueueWindow

if TYPE_CHECKING:
    from ..app import BillingApp

LOOKAHEAD = 15
"""Fetch the next page when the cursor comes this close to the last row held."""

WORK_ORDER = "Follow-ups due first, then largest and oldest balances"
SEARCH_ORDER = "Matches by name, then account and claim number"


class QueueScreen(ReportsFailures, Screen[None]):
    ACTIONS_NAME = "Queue"
    app: BillingApp

    BINDINGS = [
        Binding(
            "enter", "open_account", "Open", id="queue.open", tooltip="open the highlighted account"
        ),
        Binding(
            "escape", "clear_search", "Clear", id="queue.clear_search", tooltip="clear the search"
        ),
        Binding(
            "f2",
            "filter_age",
            "Age",
            id="queue.filter_age",
            tooltip="filter by age of the oldest open charge",
        ),
        Binding(
            "f3",
            "filter_payer",
            "Payer",
            id="queue.filter_payer",
            tooltip="filter by primary payer",
        ),
        Binding("f4", "filter_flag", "Flag", id="queue.filter_flag", tooltip="filter by flag"),
        Binding(
            "f5",
            "toggle_due",
            "Due",
            id="queue.follow_ups_due",
            tooltip="only follow-ups due (on/off)",
        ),
        Binding(
            "f6", "clear_filters", "All", id="queue.clear_filters", tooltip="clear the filters"
        ),
        Binding(
            "f7",
            "new_claim",
            "Claim",
            id="queue.new_claim",
            tooltip="start a new claim for the highlighted account",
        ),
        Binding(
            "f8",
            "new_patient",
            "New",
            show=False,  # the bar is full at 80 columns (F1 must stay on it); F1 lists it
            id="queue.new_patient",
            tooltip="register a new patient",
        ),
        Binding(
            "f9",
            "posting",
            "Post",
            show=False,  # the bar is full at 80 columns; F1 lists it
            id="queue.posting",
            tooltip="payment posting: batches and EOBs",
        ),
        Binding(
            "f10",
            "worklists",
            "Work",
            show=False,  # the bar is full at 80 columns; F1 lists it
            id="queue.worklists",
            tooltip="the denial, exception and crossover worklists",
        ),
        Binding(
            "f11",
            "audit",
            "Audit",
            show=False,  # the bar is full at 80 columns; F1 lists it
            id="queue.audit",
            tooltip="the audit trail (supervisors): who did what, when",
        ),
        Binding(
            "f12",
            "statements",
            "Statements",
            show=False,  # the bar is full at 80 columns; F1 lists it
            id="queue.statements",
            tooltip="patient statements: who is due one, the preview, print the run",
        ),
        Binding(
            "ctrl+r",
            "reports",
            "Reports",
            show=False,  # letters go into the search box; the bar is full; F1 lists it
            id="queue.reports",
            tooltip="reports: aging, denials, KPIs, PDFs",
        ),
        Binding(
            "up",
            "move('cursor_up')",
            "Previous",
            show=False,
            id="queue.previous",
            tooltip="previous account",
        ),
        Binding(
            "down",
            "move('cursor_down')",
            "Next",
            show=False,
            id="queue.next",
            tooltip="next account",
        ),
        Binding(
            "pageup",
            "move('page_up')",
            "Page up",
            show=False,
            id="queue.page_up",
            tooltip="a screenful up",
        ),
        Binding(
            "pagedown",
            "move('page_down')",
            "Page down",
            show=False,
            id="queue.page_down",
            tooltip="a screenful down",
        ),
        Binding("home", "first", "First", show=False, id="queue.first", tooltip="first account"),
        Binding("end", "last", "Last", show=False, id="queue.last", tooltip="last account loaded"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.search = ""
        self.queue_filter = QueueFilter()
        self._window = QueueWindow()
        self._query = 0  # bumped by every new search or filter; older answers are dropped
        self._more: Worker | None = None
        self._payers: list[PayerRecord] | None = None
        self._loading = False  # a new search's first page is on its way
        self._held: list[tuple[str, str | None]] = []  # keys waiting for it
        self._keys_state: tuple[bool, ...] = ()

    def compose(self) -> ComposeResult:
        yield SearchBox(id="search")
        yield QueueTable(self.app.store.today(), id="accounts")
        yield QueueDetail(id="detail")
        with Horizontal(id="status"):
            yield Label(WORK_ORDER, id="status-order")
            yield Label("", id="status-count")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(SearchBox).focus()
        first = self.app.take_first_page()
        if first is None:
            self._reload()
            return
        # The first page was read before Textual started: the first frame has the rows.
        self._window.reset(first)
        self._show(cursor_row=0)

    @property
    def table(self) -> QueueTable:
        return self.query_one(QueueTable)

    # ------------------------------------------------------------------ reading the Store

    def _new_query(self) -> int:
        self._query += 1
        self._loading = True
        self.workers.cancel_group(self, "queue-more")
        return self._query

    def _reload(self) -> None:
        """Start over from the top of the queue for the current search and filters."""
        self._load_top(self._new_query(), self.search, self.queue_filter)

    @work(exclusive=True, group="queue-top", exit_on_error=False)
    async def _load_top(self, query: int, search: str, queue_filter: QueueFilter) -> None:
        try:
            page = await self.app.call_store(
                self.app.store.queue.page, search, queue_filter, None, PAGE_ROWS
            )
        except Exception:
            self._loaded(query, ok=False)
            raise
        if query == self._query:
            self._window.reset(page)
            self._show(cursor_row=0)
            self._loaded(query)

    def refresh_queue(self) -> None:
        """Read the held pages again (after a change), keeping the cursor where it was."""
        self._reread(self._new_query(), self.table.cursor_row)

    @work(exclusive=True, group="queue-top", exit_on_error=False)
    async def _reread(self, query: int, cursor_row: int) -> None:
        window = self._window
        try:
            pages = await self.app.call_store(
                self._read_pages,
                self.search,
                self.queue_filter,
                window.starts[window.first],
                len(window.pages) or 1,
            )
        except Exception:
            self._loaded(query, ok=False)
            raise
        if query == self._query:
            window.replace(pages)
            self._show(cursor_row=cursor_row)
            self._loaded(query)

    def _loaded(self, query: int, *, ok: bool = True) -> None:
        """The newest query answered (or failed): play back the keys that waited for it."""
        if query != self._query:
            return
        self._loading = False
        self._refresh_keys()
        held, self._held = self._held, []
        if ok:
            box = self.query_one(SearchBox)
            for key, character in held:
                replay(box, key, character)

    def hold_key(self, key: str, character: str | None) -> bool:
        """While a new search is on its way, a key bound to the queue (Down, Enter...) waits
        for its rows, and every key after it waits too: a fast typist's Down and Enter are
        meant for what they typed, never for the rows of an older search (see TypeAhead).

        The search box calls this with every letter typed before the key already
        in it, maybe before its Changed messages: so its text, not the last
        message, says what the rows must be for.
        """
        self._follow_search_box()
        if not self._held:
            active = self.active_bindings.get(key)
            if not (self._loading and active is not None and active.node is self):
                return False
        self._held.append((key, character))
        return True

    def _read_pages(
        self, search: str, queue_filter: QueueFilter, start: QueueCursor | None, count: int
    ) -> list[QueuePage]:
        """Runs on the store thread: `count` pages chained from `start`."""
        pages = []
        after = start
        for _ in range(count):
            page = self.app.store.queue.page(search, queue_filter, after, PAGE_ROWS)
            pages.append(page)
            after = page.next_cursor
            if after is None:
                break
        return pages

    def _load_more(self, cursor_row: int) -> None:
        """Near either end of what is held, fetch the neighbouring page (one at a time)."""
        if self._more is not None and not self._more.is_finished:
            return
        window = self._window
        if window.more_below and cursor_row >= self.table.row_count - LOOKAHEAD:
            self._more = self._load_below(self._query)
        elif window.more_above and cursor_row < LOOKAHEAD:
            self._more = self._load_above(self._query)

    @work(group="queue-more", exit_on_error=False)
    async def _load_below(self, query: int) -> None:
        store = self.app.store
        after = self._window.end
        page = await self.app.call_store(
            store.queue.page, self.search, self.queue_filter, after, PAGE_ROWS
        )
        if query != self._query:
            return
        if self._window.append(page):
            self._show(keep=self.table.highlighted)
        else:
            self.table.append(page.rows)
            self._show_status()

    @work(group="queue-more", exit_on_error=False)
    async def _load_above(self, query: int) -> None:
        store = self.app.store
        after = self._window.previous_start
        page = await self.app.call_store(
            store.queue.page, self.search, self.queue_filter, after, PAGE_ROWS
        )
        if query != self._query:
            return
        self._window.prepend(page)
        self._show(keep=self.table.highlighted)

    def _show(self, cursor_row: int = 0, keep=None) -> None:
        """Fill the table from the window; the cursor goes on `keep` (an account) or cursor_row."""
        rows = self._window.rows()
        if keep is not None:
            ids = [r.patient_id for r in rows]
            if keep.patient_id in ids:
                cursor_row = ids.index(keep.patient_id)
        self.table.today = self.app.store.today()  # a session can outlast midnight
        self.table.show(rows, cursor_row)
        self._show_detail()
        self._show_status()

    # ------------------------------------------------------------------ what the screen says

    def _show_detail(self) -> None:
        if self.search.strip():
            empty = f"No account matches {self.search.strip()!r}."
        else:
            empty = "No accounts to work."
        if self.queue_filter.active:
            empty += " F6 clears the filters."
        self.query_one(QueueDetail).show(self.table.highlighted, self.app.store.today(), empty)

    def _show_status(self) -> None:
        filters = self._filter_words()
        if filters:
            order = "Filter: " + ", ".join(filters)
        else:
            order = SEARCH_ORDER if self.search.strip() else WORK_ORDER
        self.query_one("#status-order", Label).update(order)
        table = self.table
        above = self._window.rows_above
        more = "+" if self._window.more_below else ""
        if table.row_count:
            count = f"{above + table.cursor_row + 1} of {above + table.row_count}{more}"
        else:
            count = "0 shown"
        self.query_one("#status-count", Label).update(count)

    def _filter_words(self) -> list[str]:
        f = self.queue_filter
        words = []
        if f.age_bucket:
            words.append(f"age {f.age_bucket}")
        if f.payer_id:
            names = {p.id: p.name for p in self._payers or ()}
            words.append(names.get(f.payer_id, "one payer"))
        if f.flag:
            words.append(f.flag.label)
        if f.follow_up_due:
            words.append("follow-ups due")
        return words

    # ------------------------------------------------------------------ events

    @on(Input.Changed, "#search")
    def _search_changed(self) -> None:
        self._follow_search_box()

    def _follow_search_box(self) -> None:
        """Search for what the box holds now; a Changed message may be older than that."""
        typed = self.query_one(SearchBox).value
        if typed != self.search:
            self.search = typed
            self._reload()
            self._refresh_keys()

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self) -> None:
        # The table's cursor now, not the event's: refilling the table passes through row 0.
        self._show_detail()
        self._show_status()
        self._load_more(self.table.cursor_row)

    # ------------------------------------------------------------------ actions

    def _refresh_keys(self) -> None:
        """Redraw the footer only when a key turns on or off: every redraw is bytes over SSH."""
        tables = self.query(QueueTable)
        state = (
            bool(self.search),
            self.queue_filter.active,
            bool(tables) and tables.first().highlighted is not None,
        )
        if state != self._keys_state:
            self._keys_state = state
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("open_account", "new_claim"):
            tables = self.query(QueueTable)
            return (bool(tables) and tables.first().highlighted is not None) or None
        if action == "clear_search":
            return bool(self.search) or None
        if action == "clear_filters":
            return self.queue_filter.active or None
        return True

    def action_open_account(self) -> None:
        from .account import AccountScreen  # on first use: the queue starts without it

        row = self.table.highlighted
        if row is not None:
            # Back from the account, read the queue again: a new follow-up may move it.
            self.app.push_screen(AccountScreen(row.patient_id), lambda _: self.refresh_queue())

    def action_new_claim(self) -> None:
        from .claim_editor import ClaimEditor  # on first use, like the account

        row = self.table.highlighted
        if row is not None:
            editor = ClaimEditor(patient_id=row.patient_id)
            self.app.push_screen(editor, lambda _: self.refresh_queue())

    def action_new_patient(self) -> None:
        from .patient_actions import register_new_patient  # on first use, like the account

        register_new_patient(self, then=self.refresh_queue)

    def action_posting(self) -> None:
        from .posting import PostingScreen  # on first use, like the account

        self.app.push_screen(PostingScreen(), lambda _: self.refresh_queue())

    def action_worklists(self) -> None:
        from .worklists import WorklistScreen  # on first use, like the account

        self.app.push_screen(WorklistScreen(), lambda _: self.refresh_queue())

    def action_audit(self) -> None:
        from .audit import AuditScreen  # on first use, like the account

        self.app.push_screen(AuditScreen())

    def action_statements(self) -> None:
        from .statements import StatementsScreen  # on first use, like the account

        self.app.push_screen(StatementsScreen(), lambda _: self.refresh_queue())

    def action_reports(self) -> None:
        from .reports import ReportsScreen  # on first use, like the account

        self.app.push_screen(ReportsScreen())

    def action_clear_search(self) -> None:
        self.query_one(SearchBox).value = ""

    def action_move(self, how: str) -> None:
        getattr(self.table, f"action_{how}")()

    def action_first(self) -> None:
        if self._window.more_above:
            self._reload()
        elif self.table.row_count:
            self.table.move_cursor(row=0)

    def action_last(self) -> None:
        if self.table.row_count:
            self.table.move_cursor(row=self.table.row_count - 1)

    def _set_filter(self, **changes) -> None:
        self.queue_filter = dataclasses.replace(self.queue_filter, **changes)
        self._reload()
        self._refresh_keys()

    def action_filter_age(self) -> None:
        choices = [("Any age", None)] + [(f"{label} days", label) for label, *_ in AGE_BUCKETS]

        def chosen(picked: Picked[str | None] | None) -> None:
            if picked is not None:
                self._set_filter(age_bucket=picked.value)

        title = "Age of the oldest open charge"
        self.app.push_screen(ChoiceDialog(title, choices, self.queue_filter.age_bucket), chosen)

    @work(exclusive=True, group="payers", exit_on_error=False)
    async def action_filter_payer(self) -> None:
        if self._payers is None:
            self._payers = await self.app.call_store(self.app.store.accounts.payers)
        choices = [("Any payer", None)] + [(p.name, p.id) for p in self._payers]

        def chosen(picked: Picked[int | None] | None) -> None:
            if picked is not None:
                self._set_filter(payer_id=picked.value)

        dialog = ChoiceDialog("Primary payer", choices, self.queue_filter.payer_id)
        self.app.push_screen(dialog, chosen)

    def action_filter_flag(self) -> None:
        choices = [("Any flag", None)] + [(f"{f.value}  {f.label}", f) for f in Flag]

        def chosen(picked: Picked[Flag | None] | None) -> None:
            if picked is not None:
                self._set_filter(flag=picked.value)

        self.app.push_screen(ChoiceDialog("Flag", choices, self.queue_filter.flag), chosen)

    def action_toggle_due(self) -> None:
        self._set_filter(follow_up_due=not self.queue_filter.follow_up_due)

    def action_clear_filters(self) -> None:
        self._set_filter(age_bucket=None, payer_id=None, flag=None, follow_up_due=False)
