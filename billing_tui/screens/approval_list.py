"""Write-offs and waivers waiting for a supervisor, oldest first: a approves (it posts),
d declines with a reason, Enter opens the account. Whether the person may decide is the
Store's rule: a specialist sees the list, and a or d shows the Store's refusal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static

from ..domain.adjustments import Category
from ..domain.dates import format_date, local_date
from ..domain.money import format_cents
from ..store import StoreRefused
from ..store.records.adjustments import AdjustmentRequestRow
from ..widgets import columns as col
from ..widgets.fields import Field
from ..widgets.fitted_table import FittedTable
from ..widgets.key_bar import KeyBar
from .errors import ReportsFailures
from .form_dialog import FormDialog
from .once import DismissOnce

if TYPE_CHECKING:
    from ..app import BillingApp


def what(row: AdjustmentRequestRow) -> str:
    try:
        return Category(row.category).label
    except ValueError:
        return row.category


class ApprovalTable(FittedTable[AdjustmentRequestRow]):
    COLUMNS = (
        col.Column("id", "No", 4, right=True),
        col.Column("account", "Account", 8),
        col.Column("what", "What", 18),
        col.Column("amount", "Amount", 9, right=True),
        col.Column("by", "By", 8, flex=1, most=12),
        col.Column("on", "On", 10),
        col.Column("reason", "Reason", 10, flex=3),
    )
    ACTIONS_NAME = "Approvals"
    BINDINGS = [
        Binding(
            "enter",
            "select_cursor",
            "Open",
            id="approvals.open",
            tooltip="open the highlighted request's account",
        ),  # fmt: skip
    ]

    def key(self, record: AdjustmentRequestRow) -> str:
        return str(record.id)

    def values(self, record: AdjustmentRequestRow) -> dict[str, str]:
        return {
            "id": str(record.id),
            "account": record.account_number,
            "what": what(record),
            "amount": col.money(record.amount, 9),
            "by": record.requested_by,
            "on": format_date(local_date(record.requested_at)),
            "reason": " ".join(record.reason.split()),
        }


class DeclineDialog(FormDialog):
    """Asks why a request is declined, and declines it. Dismisses True when it did."""

    ACTIONS_NAME = "Decline"
    FIELDS = ("why",)

    def __init__(self, request: AdjustmentRequestRow) -> None:
        super().__init__(f"Decline request {request.id}")
        self.request = request

    def compose_fields(self) -> ComposeResult:
        yield Label("Why")
        yield Field(placeholder="the requester reads this", id="why", max_length=200)

    def refresh_detail(self) -> None:
        r = self.request
        self.query_one("#detail").update(
            f"{what(r)} of {format_cents(r.amount)} on account {r.account_number}, "
            f"asked by {r.requested_by}: {r.reason}"
        )

    def check(self, field_id: str) -> str | None:
        return None if self.value("why") else "Type why it is declined."

    async def save(self) -> str | None:
        await self.app.call_store(self.app.store.adjustments.decline, self.request.id,
                                  self.value("why"))  # fmt: skip
        self.changed = True
        return None


class ApprovalsScreen(DismissOnce, ReportsFailures, Screen[None]):
    ACTIONS_NAME = "Approvals"
    AUTO_FOCUS = "ApprovalTable"
    app: BillingApp

    BINDINGS = [
        Binding("escape", "back", "Back", id="approvals.back", tooltip="back"),
        Binding(
            "a",
            "approve",
            "Approve",
            id="approvals.approve",
            tooltip="approve the highlighted request: it posts now",
        ),  # fmt: skip
        Binding(
            "d",
            "decline",
            "Decline",
            id="approvals.decline",
            tooltip="decline the highlighted request, with a reason",
        ),  # fmt: skip
        Binding("r", "reload", "Refresh", id="approvals.reload", tooltip="read the list again"),
    ]

    DEFAULT_CSS = """
    ApprovalsScreen #approvals-title { text-style: bold; }
    ApprovalsScreen #approvals-message { height: auto; min-height: 1; }
    ApprovalsScreen #approvals-message.-error { color: $text-error; text-style: bold; }
    """

    def compose(self) -> ComposeResult:
        yield Label("Write-offs and waivers waiting for a supervisor", id="approvals-title")
        yield ApprovalTable()
        yield Static("", id="approvals-message", markup=False)
        yield KeyBar()

    @property
    def table(self) -> ApprovalTable:
        return self.query_one(ApprovalTable)

    def on_mount(self) -> None:
        self.action_reload()

    def say(self, message: str, *, error: bool = False) -> None:
        line = self.query_one("#approvals-message", Static)
        line.update(message)
        line.set_class(error, "-error")

    def action_reload(self) -> None:
        self._reload()

    @work(exclusive=True, group="approvals", exit_on_error=False)
    async def _reload(self, said: str | None = None) -> None:
        """Read the list again; then say `said`, or how many wait."""
        rows = await self.app.call_store(self.app.store.adjustments.pending)
        self.table.show(rows, self.table.cursor_row)
        limit = format_cents(self.app.store.fee_policy.approval_limit)
        if said is None:
            said = (
                f"{len(rows)} waiting: a specialist's write-off or waiver over {limit} waits here."
                if rows else "Nothing waits for approval."
            )  # fmt: skip
        self.say(said)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("approve", "decline"):
            return self.table.highlighted is not None or None
        return True

    @work(exclusive=True, group="approve", exit_on_error=False)
    async def action_approve(self) -> None:
        request = self.table.highlighted
        if request is None:
            return
        try:
            outcome = await self.app.call_store(self.app.store.adjustments.approve, request.id)
        except StoreRefused as refused:
            self.say(f"Not done: {refused}.", error=True)
            return
        self._reload(f"Request {request.id}: {outcome.message}.")

    def action_decline(self) -> None:
        request = self.table.highlighted
        if request is None:
            return

        def done(changed: bool | None) -> None:
            if changed:
                self._reload(f"Request {request.id} declined.")

        self.app.push_screen(DeclineDialog(request), done)

    @on(DataTable.RowSelected, "ApprovalTable")
    def _open(self) -> None:
        from .account import AccountScreen

        request = self.table.highlighted
        if request is not None:
            self.app.push_screen(AccountScreen(request.patient_id), lambda _: self._reload())

    def action_back(self) -> None:
        self.dismiss(None)
