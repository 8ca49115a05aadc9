"""Payment posting: the batches, open ones first, newest first, with what each still lacks.

n opens a new batch (and goes straight into it), Enter opens the highlighted one,
i imports an ERA file. Unapplied money (received, not yet posted to an account)
is on every row and summed for the open batches under the list: never lost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.style import Style
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Label

from ..domain.money import format_cents
from ..store.records import BatchView, PayerRecord
from ..widgets import columns as col
from ..widgets.fitted_table import FittedTable
from ..widgets.key_bar import KeyBar
from ..widgets.typeahead import replay
from .errors import ReportsFailures
from .once import DismissOnce

if TYPE_CHECKING:
    from ..app import BillingApp

RECENT = 200
"""Closed batches listed under the open ones (the newest); every open batch is listed."""


def short_check(number: str, width: int = 9) -> str:
    """A check or trace number's tail: the digits that tell two of them apart."""
    return number if len(number) <= width else "…" + number[-(width - 1) :]


class BatchTable(FittedTable[BatchView]):
    COLUMNS = (
        col.Column("id", "Batch", 5, right=True),
        col.Column("kind", "Kind", 4),
        col.Column("source", "Src", 3),
        col.Column("payer", "Payer", 8, flex=1),
        col.Column("check", "Check/EFT", 9, ellipsis=False),
        col.Column("deposit", "Deposit", 8),
        col.Column("control", "Control", 9, right=True),
        col.Column("posted", "Posted", 9, right=True),
        col.Column("unapplied", "Unapplied", 9, right=True),
        col.Column("status", "Status", 6),
    )
    COMPONENT_CLASSES = {"batch-table--open", "batch-table--unapplied"}
    DEFAULT_CSS = """
    BatchTable > .batch-table--open { text-style: bold; }
    BatchTable > .batch-table--unapplied { color: $text-warning; text-style: bold; }
    """
    ACTIONS_NAME = "Batches"
    # Enter is the table's own (see WorkTable): typed ahead, it reaches the table in order.
    BINDINGS = [
        Binding(
            "enter",
            "select_cursor",
            "Open",
            id="posting.open",
            tooltip="open the highlighted batch",
        ),
    ]

    def key(self, record: BatchView) -> str:
        return str(record.id)

    def values(self, b: BatchView) -> dict[str, str]:
        return {
            "id": str(b.id),
            "kind": "ins" if b.kind == "insurance" else "pat",
            "source": "ERA" if b.source == "era" else "man",
            "payer": b.payer if b.kind == "insurance" else "patients",
            "check": short_check(b.check_number),
            "deposit": col.short_date(b.deposit_date),
            "control": col.money(b.control_total, 9),
            "posted": col.money(b.posted, 9),
            "unapplied": col.money(b.unapplied, 9) if b.unapplied else "0.00",
            "status": b.status,
        }

    def cell_styles(self, b: BatchView) -> dict[str, Style]:
        if b.status != "open":
            return {}
        styles = {"status": self.component_style("batch-table--open")}
        if b.unapplied:
            styles["unapplied"] = self.component_style("batch-table--unapplied")
        return styles


def open_first(open_batches: list[BatchView], recent: list[BatchView]) -> list[BatchView]:
    """Every open batch, then the recent closed ones; each newest first."""
    return open_batches + [b for b in recent if b.status != "open"]


class PostingScreen(DismissOnce, ReportsFailures, Screen[None]):
    ACTIONS_NAME = "Posting"
    AUTO_FOCUS = "BatchTable"
    app: BillingApp

    BINDINGS = [
        Binding("escape", "back", "Back", id="posting.back", tooltip="back to the queue"),
        Binding("n", "new_batch", "New", id="posting.new_batch", tooltip="open a new batch"),
        Binding(
            "i", "import_era", "ERA", id="posting.import_era", tooltip="import an 835 ERA file"
        ),
    ]

    DEFAULT_CSS = """
    PostingScreen #posting-title { height: 1; background: $boost; text-style: bold; width: 1fr; }
    PostingScreen #status { height: 1; background: $panel; }
    PostingScreen #status-open { width: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }
    PostingScreen #status-count { width: auto; padding: 0 0 0 1; }
    PostingScreen #status.-error #status-open { color: $text-error; text-style: bold; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[BatchView] = []
        self.payers: list[PayerRecord] | None = None  # read with the first list: n is at once
        self._loading = True
        self._held: list[tuple[str, str | None]] = []  # keys typed while the list loads

    def compose(self) -> ComposeResult:
        yield Label("Payment batches: open first, then the newest", id="posting-title")
        yield BatchTable()
        with Horizontal(id="status"):
            yield Label("Reading the batches…", id="status-open")
            yield Label("", id="status-count")
        yield KeyBar()

    def on_mount(self) -> None:
        self._load()

    @property
    def table(self) -> BatchTable:
        return self.query_one(BatchTable)

    @work(exclusive=True, group="batches", exit_on_error=False)
    async def _load(self, select: int | None = None) -> None:
        self._loading = True
        posting = self.app.store.posting
        try:
            open_batches = await self.app.call_store(posting.batches, open_only=True, limit=10_000)
            recent = await self.app.call_store(posting.batches, limit=RECENT)
            if self.payers is None:
                self.payers = await self.app.call_store(self.app.store.accounts.payers)
        except Exception:
            self._loaded(ok=False)
            raise
        self._show(open_first(open_batches, recent), select)
        self._loaded(ok=True)

    def hold_key(self, key: str, character: str | None) -> bool:
        """Keys typed while the list is on its way (n, Enter) wait for it (see TypeAhead)."""
        if not self._loading and not self._held:
            return False
        self._held.append((key, character))
        return True

    def _loaded(self, *, ok: bool) -> None:
        self._loading = False
        held, self._held = self._held, []
        if ok:
            for key, character in held:
                replay(self, key, character)

    def _show(self, batches: list[BatchView], select: int | None) -> None:
        table = self.table
        keep = select if select is not None else getattr(table.highlighted, "id", None)
        ids = [b.id for b in batches]
        self.batches = batches
        table.show(batches, ids.index(keep) if keep in ids else 0)
        opened = [b for b in batches if b.status == "open"]
        unapplied = sum(b.unapplied for b in opened)
        if not batches:
            what = "No batches yet: n opens one for a check, an EFT or a day's patient payments."
        elif not opened:
            what = "No open batches: every batch balanced and closed."
        else:
            word = "batch" if len(opened) == 1 else "batches"
            what = f"{len(opened)} open {word}, {format_cents(unapplied)} unapplied"
        self.query_one("#status-open", Label).update(what)
        self.query_one("#status-count", Label).update(f"{len(batches)} listed" if batches else "")
        self.query_one("#status").remove_class("-error")
        self.refresh_bindings()

    def say(self, message: str, *, error: bool = False) -> None:
        self.query_one("#status-open", Label).update(message)
        self.query_one("#status").set_class(error, "-error")

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "select_cursor":
            return self.table.highlighted is not None or None
        if action == "new_batch":
            return self.payers is not None or None
        return True

    @on(DataTable.RowSelected, "BatchTable")
    def _selected(self) -> None:
        batch = self.table.highlighted
        if batch is not None:
            self.open_batch(batch.id)

    def open_batch(self, batch_id: int) -> None:
        from .batch import BatchScreen  # on first use: the list opens without it

        self.app.push_screen(BatchScreen(batch_id), lambda _: self._load(select=batch_id))

    def action_new_batch(self) -> None:
        from .batch_dialogs import NewBatchDialog

        if self.payers is None:
            return  # the list is still on its way (the key is off till then)

        def opened(batch_id: int | None) -> None:
            if batch_id is not None:
                self.open_batch(batch_id)  # straight into it: the next thing is its first EOB

        self.app.push_screen(NewBatchDialog(self.payers, self.app.store.today()), opened)

    def action_import_era(self) -> None:
        try:
            from .era_import import EraImportScreen
        except ImportError:  # built alongside this screen; until it is there, say so
            self.say("ERA import is not available in this version.", error=True)
            return
        self.app.push_screen(EraImportScreen(), lambda _: self._load())

    def action_back(self) -> None:
        self.dismiss(None)
