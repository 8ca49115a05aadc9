"""Import an 835 remittance file (ERA): type its path, Enter previews what it would post,
F10 posts it. The file posts whole or not at all; a file that cannot be imported says
why (file and segment) here, and nothing is posted.

The preview and the posting run on the store thread: the screen stays responsive
while a large file posts, and a posting cannot be left half-way (Escape waits).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.suggester import Suggester
from textual.widgets import DataTable, Input, Label, Static

from ..domain.money import format_cents
from ..store.records import EraClaimOutcome, EraImportResult, EraPaymentOutcome
from ..store.remittances import EraRefused
from ..widgets import columns as col
from ..widgets.fields import Field
from ..widgets.fitted_table import FittedTable
from ..widgets.key_bar import KeyBar
from .errors import ReportsFailures
from .once import DismissOnce

if TYPE_CHECKING:
    from ..app import BillingApp

QUEUES = {"denied": "Denial", "exception": "Exception", "forwarded": "Crossover"}
"""The outcomes that leave a claim on a worklist for a person, and which one."""

CROSSOVER_WHY = "crossed over to the next payer: wait for its ERA, do not bill it"

OUTCOME_WORDS = (
    ("posted", "posted"),
    ("forwarded", "posted and crossed over"),
    ("reversal", "reversed"),
    ("denied", "denied"),
    ("exception", "held"),
)


class PathSuggester(Suggester):
    """Completes a file or folder name from what is in the folder typed (Right accepts)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        folder, slash, start = value.rpartition("/")
        if not start:
            return None
        where = os.path.expanduser(folder + slash) or "."
        try:
            entries = sorted(
                (e for e in os.scandir(where) if e.name.startswith(start)), key=lambda e: e.name
            )
        except OSError:
            return None
        if not entries:
            return None
        first = entries[0]
        return value + first.name[len(start) :] + ("/" if first.is_dir() else "")


class PaymentsTable(FittedTable[EraPaymentOutcome], can_focus=False):
    """One row per payment (ST..SE) of the file: what it pays and what became of its claims."""

    COLUMNS = (
        col.Column("trace", "Trace", 8, flex=1, most=16),
        col.Column("payer", "Payer", 10, flex=3),
        col.Column("total", "Total", 10, right=True),
        col.Column("posted", "Post", 4, right=True),
        col.Column("denied", "Deny", 4, right=True),
        col.Column("forwarded", "Fwd", 3, right=True),
        col.Column("reversal", "Rev", 3, right=True),
        col.Column("exception", "Held", 4, right=True),
        col.Column("plb", "PLB", 7, right=True),
        col.Column("result", "Result", 10, flex=1),
    )
    DEFAULT_CSS = """
    PaymentsTable { height: auto; max-height: 6; scrollbar-size-vertical: 0; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.show_cursor = False

    def values(self, record: EraPaymentOutcome) -> dict[str, str]:
        values = {
            "trace": record.trace_number,
            "payer": record.payer,
            "total": col.money(record.total_paid, 10),
            "result": payment_result(record),
        }
        if record.status == "duplicate":
            return values
        for key, _ in OUTCOME_WORDS:
            values[key] = str(record.count(key))
        plb = record.provider_adjustments
        values["plb"] = col.money(plb, 7) if plb else ""
        return values


def payment_result(payment: EraPaymentOutcome) -> str:
    if payment.status == "duplicate":
        return "duplicate"  # the message line says when it was imported
    if payment.status == "preview":
        return "preview"
    return f"batch {payment.batch_id}"


class QueuedClaimsTable(FittedTable[EraClaimOutcome]):
    """The claims that go to a worklist for a person, and why."""

    COLUMNS = (
        col.Column("queue", "Worklist", 9),
        col.Column("era_claim", "ERA claim", 11, flex=1, most=20),
        col.Column("ours", "Our claim", 11),
        col.Column("paid", "Paid", 9, right=True),
        col.Column("why", "Why", 20, flex=3),
    )
    DEFAULT_CSS = """
    QueuedClaimsTable { height: 1fr; }
    """

    def values(self, record: EraClaimOutcome) -> dict[str, str]:
        return {
            "queue": QUEUES.get(record.outcome, record.outcome),
            "era_claim": record.claim_number,
            "ours": record.matched_claim or "none",
            "paid": col.money(record.paid, 9),
            "why": " ".join(why(record).split()),
        }


def why(claim: EraClaimOutcome) -> str:
    return claim.message or (CROSSOVER_WHY if claim.outcome == "forwarded" else "")


def claim_why(claim: EraClaimOutcome) -> str:
    """Under the claims: the highlighted one in words, its reason whole."""
    ours = f"our claim {claim.matched_claim}" if claim.matched_claim else "none of our claims"
    head = f"ERA claim {claim.claim_number} (CLP02 {claim.status_code}, segment {claim.segment})"
    return f"{head} · {ours} · paid {format_cents(claim.paid)}\n{' '.join(why(claim).split())}"


def summary(result: EraImportResult) -> str:
    """One sentence on the whole file: what the preview would do, or what was posted."""
    name = result.file_name
    payments = [p for p in result.payments if p.status != "duplicate"]
    if not result.payments:
        return f"{name} holds no payment."
    if not payments:
        return f"{name} was already imported: nothing posted again."
    counts = [f"{result.count(key)} {words}" for key, words in OUTCOME_WORDS if result.count(key)]
    claims = ", ".join(counts) or "no claims"
    duplicates = f"; {result.duplicates} already imported" if result.duplicates else ""
    total = format_cents(sum(p.total_paid for p in payments))
    if result.preview:
        return f"Preview of {name} ({total}): {claims}{duplicates}. F10 posts it."
    batches = ", ".join(str(p.batch_id) for p in payments)
    word = "batch" if len(payments) == 1 else "batches"
    return f"Posted {name} ({total}), {word} {batches}: {claims}{duplicates}."


class EraImportScreen(DismissOnce, ReportsFailures, Screen[EraImportResult | None]):
    """Dismisses with the last posting's result (None when nothing was posted), so the
    screen that opened it can show the new batches."""

    ACTIONS_NAME = "ERA import"
    AUTO_FOCUS = "#path"
    app: BillingApp

    BINDINGS = [
        Binding("escape", "back", "Back", id="era_import.back", tooltip="back, posting nothing"),
        Binding(
            "enter",
            "preview",
            "Preview",
            id="era_import.preview",
            tooltip="show what the file would post, posting nothing",
        ),
        Binding(
            "f10,ctrl+s",
            "post",
            "Post",
            id="era_import.post",
            tooltip="post the file: payments, adjustments, denials",
        ),
    ]

    DEFAULT_CSS = """
    EraImportScreen #path-line { height: 1; background: $boost; }
    EraImportScreen #path-label { width: auto; padding: 0 1 0 0; text-style: bold; }
    EraImportScreen #path { width: 1fr; }
    EraImportScreen #message {
        height: auto;
        max-height: 3;
        padding: 0 0 1 0;
    }
    EraImportScreen #message.-error { color: $text-error; text-style: bold; }
    EraImportScreen #queued-title { text-style: bold; }
    EraImportScreen #claim-why { height: 2; background: $boost; }
    EraImportScreen .result { display: none; }
    EraImportScreen.-result .result { display: block; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.result: EraImportResult | None = None
        self.posted: EraImportResult | None = None
        self._busy = ""  # "preview" or "post" while the store works on the file
        self._runs = 0

    def compose(self) -> ComposeResult:
        with Horizontal(id="path-line"):
            yield Label("835 file", id="path-label")
            yield Field(
                placeholder="path of the ERA file, e.g. ~/eras/medicare-1120.835",
                max_length=1024,
                suggester=PathSuggester(),
                id="path",
            )
        yield Static(
            "Type the file's path: Enter previews it, F10 posts it.", id="message", markup=False
        )
        yield PaymentsTable(classes="result")
        yield Label("", id="queued-title", classes="result")
        yield QueuedClaimsTable(classes="result")
        yield Static("", id="claim-why", classes="result", markup=False)
        yield KeyBar()

    @property
    def path(self) -> str:
        return os.path.expanduser(self.query_one("#path", Input).value.strip())

    def _say(self, message: str, *, error: bool = False) -> None:
        label = self.query_one("#message", Static)
        label.update(message)
        label.set_class(error, "-error")

    # ------------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self._busy != "post" or None  # a posting is never left half-way
        if action in ("preview", "post"):
            return self._busy != "post" or None
        return True

    def action_back(self) -> None:
        self.dismiss(self.posted)

    def action_preview(self) -> None:
        self._start("preview")

    def action_post(self) -> None:
        self._start("post")

    def _start(self, what: str) -> None:
        if self._busy == "post":
            return
        path = self.path
        if not path:
            self._say("Type the path of the 835 file first.", error=True)
            return
        self._busy = what
        self._runs += 1
        self.refresh_bindings()
        self._say(f"{'Reading' if what == 'preview' else 'Posting'} {Path(path).name}…")
        self._import(path, what == "preview", self._runs)

    @work(exclusive=True, group="era-import", exit_on_error=False)
    async def _import(self, path: str, preview: bool, run: int) -> None:
        """A new run cancels the one before (a preview superseded by F10), whose answer is
        then dropped; the store thread runs them one after the other."""
        try:
            result = await self.app.call_store(
                self.app.store.remittances.import_file, path, preview=preview
            )
        except EraRefused as refused:
            self._show(None)
            self._say(f"Not imported: {refused}", error=True)
            return
        finally:
            if run == self._runs:
                self._busy = ""
                self.refresh_bindings()
        if not preview:
            self.posted = result
        self._show(result)
        self._say(summary(result))

    def _show(self, result: EraImportResult | None) -> None:
        self.result = result
        self.set_class(result is not None, "-result")
        if result is None:
            return
        self.query_one(PaymentsTable).show(result.payments)
        queued = [
            claim
            for payment in result.payments
            if payment.status != "duplicate"
            for claim in payment.claims
            if claim.outcome in QUEUES
        ]
        self.query_one(QueuedClaimsTable).show(queued)
        title = "Claims for the worklists" if queued else "No claim goes to a worklist."
        if queued and result.preview:
            title = "Claims that would go to the worklists"
        duplicates = [p for p in result.payments if p.status == "duplicate"]
        if duplicates:
            title += "  ·  " + "; ".join(f"{p.trace_number}: {p.message}" for p in duplicates)
        self.query_one("#queued-title", Label).update(title)
        self._show_why()

    @on(DataTable.RowHighlighted, "QueuedClaimsTable")
    def _show_why(self) -> None:
        """The whole reason of the highlighted claim: the table's column cuts it."""
        claim = self.query_one(QueuedClaimsTable).highlighted
        self.query_one("#claim-why", Static).update(claim_why(claim) if claim else "")
