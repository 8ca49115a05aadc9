"""The audit trail for supervisors: who did what, when, filtered by user, account, action and
date, newest first, with the highlighted row's before and after. F5 reads further back.

Whether the person may read it is the Store's rule: for a specialist the screen opens
on the Store's refusal, which is itself in the trail.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, Static

from ..domain.dates import DateError, parse_date
from ..store import StoreRefused
from ..store.records.users import AuditFilter, AuditRecord
from ..widgets import columns as col
from ..widgets.fields import Field
from ..widgets.fitted_table import FittedTable
from ..widgets.key_bar import KeyBar
from .errors import ReportsFailures
from .once import DismissOnce

if TYPE_CHECKING:
    from ..app import BillingApp

PAGE = 200
FILTERS = ("by", "account", "action", "from", "to")


class AuditTable(FittedTable[AuditRecord]):
    COLUMNS = (
        col.Column("id", "No", 6, right=True),
        col.Column("at", "When (UTC)", 14),
        col.Column("user", "User", 8, flex=1, most=14),
        col.Column("action", "Action", 10, flex=1, most=12),
        col.Column("what", "What", 12, flex=2),
        col.Column("account", "Account", 8),
        col.Column("via", "Via", 4, flex=1, most=14),
    )
    ACTIONS_NAME = "Audit trail"

    def key(self, record: AuditRecord) -> str:
        return str(record.id)

    def values(self, record: AuditRecord) -> dict[str, str]:
        what = record.entity if record.entity_id is None else f"{record.entity} {record.entity_id}"
        return {
            "id": str(record.id),
            "at": record.at.strftime("%m/%d %H:%M:%S"),
            "user": record.username,
            "action": record.action,
            "what": what,
            "account": record.account_number or "",
            "via": record.via,
        }


def change(record: AuditRecord) -> str:
    """Before and after, only the fields that changed when there are both."""
    before = json.loads(record.before) if record.before else None
    after = json.loads(record.after) if record.after else None
    if isinstance(before, dict) and isinstance(after, dict):
        keys = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        return "; ".join(f"{k}: {before.get(k)!r} -> {after.get(k)!r}" for k in keys) or "no change"
    parts = []
    if before is not None:
        parts.append(f"before {json.dumps(before, sort_keys=True)}")
    if after is not None:
        parts.append(f"after {json.dumps(after, sort_keys=True)}")
    return " · ".join(parts) or "(no detail)"


class AuditScreen(DismissOnce, ReportsFailures, Screen[None]):
    ACTIONS_NAME = "Audit trail"
    AUTO_FOCUS = "#by"
    app: BillingApp

    BINDINGS = [
        Binding("escape", "back", "Back", id="audit.back", tooltip="back"),
        Binding("enter", "apply", "Filter", id="audit.apply", tooltip="apply the filters"),
        Binding("f5", "older", "Older", id="audit.older", tooltip="read older rows"),
        Binding("tab", "app.focus_next", "Next", show=False, id="audit.next"),
    ]

    DEFAULT_CSS = """
    AuditScreen #audit-filters { height: 1; background: $boost; }
    AuditScreen #audit-filters Label { width: auto; padding: 0 1 0 0; }
    AuditScreen #audit-filters Field { width: 1fr; margin: 0 1 0 0; }
    AuditScreen #audit-detail { height: 3; background: $boost; }
    AuditScreen #audit-message { height: 1; }
    AuditScreen #audit-message.-error { color: $text-error; text-style: bold; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._filter = AuditFilter()
        self._oldest: int | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="audit-filters"):
            yield Label("User")
            yield Field(id="by", max_length=64)
            yield Label("Acct")
            yield Field(id="account", max_length=20)
            yield Label("Action")
            yield Field(id="action", max_length=32)
            yield Label("From")
            yield Field(id="from", max_length=10, placeholder="date")
            yield Label("To")
            yield Field(id="to", max_length=10, placeholder="date")
        yield AuditTable()
        yield Static("", id="audit-detail", markup=False)
        yield Label("", id="audit-message", markup=False)
        yield KeyBar()

    @property
    def table(self) -> AuditTable:
        return self.query_one(AuditTable)

    def on_mount(self) -> None:
        self._read(self._filter, append=False)

    def say(self, text: str, *, error: bool = False) -> None:
        line = self.query_one("#audit-message", Label)
        line.update(text)
        line.set_class(error, "-error")

    def action_back(self) -> None:
        self.dismiss(None)

    def action_apply(self) -> None:
        values = {name: self.query_one(f"#{name}", Input).value.strip() for name in FILTERS}
        try:
            start = parse_date(values["from"]) if values["from"] else None
            end = parse_date(values["to"]) if values["to"] else None
        except DateError as error:
            self.say(f"{error}.", error=True)
            return
        if start and end and start > end:
            self.say("From is after To.", error=True)
            return
        self._filter = AuditFilter(
            username=values["by"],
            account_number=values["account"],
            action=values["action"],
            on_or_after=start,
            on_or_before=end,
        )
        self._read(self._filter, append=False)

    def action_older(self) -> None:
        if self._oldest is not None:
            self._read(self._filter, append=True)

    @work(exclusive=True, group="audit", exit_on_error=False)
    async def _read(self, where: AuditFilter, *, append: bool) -> None:
        before = self._oldest if append else None
        try:
            rows = await self.app.call_store(
                self.app.store.audit.page, where, before_id=before, limit=PAGE
            )
        except StoreRefused as refused:
            self.say(f"Not allowed: {refused}.", error=True)
            return
        shown = [*self.table.records, *rows] if append else rows
        self.table.show(shown, self.table.cursor_row if append else 0)
        self._oldest = rows[-1].id if len(rows) == PAGE else None
        more = "; F5 reads older rows" if self._oldest is not None else ""
        self.say(f"{len(shown):,} rows, newest first{more}.")
        self._show_detail()

    @on(DataTable.RowHighlighted, "AuditTable")
    def _show_detail(self) -> None:
        record = self.table.highlighted
        detail = self.query_one("#audit-detail", Static)
        detail.update(change(record) if record is not None else "")
