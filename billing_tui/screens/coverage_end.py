"""End-date a coverage (x on the account's Coverages tab): the last day it covers, and why.
Ended before today, it leaves the active list and the coverages after it move up."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label

from ..domain import validate
from ..domain.dates import format_date
from ..store.records import CoverageRecord
from ..widgets.fields import Field
from ..widgets.key_bar import KeyBar
from .patient_form_base import Reader, RecordForm, row

REASON_MAX = 200


def _reason(text: str) -> str:
    reason = " ".join(text.split())
    if not reason:
        raise validate.FieldError("say why the coverage ends (e.g. plan terminated, new employer)")
    if len(reason) > REASON_MAX:
        raise validate.FieldError(f"at most {REASON_MAX} characters")
    return reason


class EndCoverageDialog(RecordForm[bool | None]):
    """Dismisses with True once the end date is saved."""

    ACTIONS_NAME = "End coverage"
    AUTO_FOCUS = "#end"
    LABELS = {"end": "Last day covered", "reason": "Reason"}
    HINTS = {"end": "The last day it covers: 103126, 10/31/26 or 2026-10-31."}
    DEFAULT_CSS = "EndCoverageDialog > #form { width: 64; }"

    def __init__(self, coverage: CoverageRecord) -> None:
        super().__init__()
        self.coverage = coverage

    def compose(self) -> ComposeResult:
        c = self.coverage
        with Vertical(id="form") as box:
            box.border_title = f"End coverage: {c.payer_name}"
            yield Label(
                f"Member {c.member_id} · from {format_date(c.start_date)}"
                + (f" to {format_date(c.end_date)}" if c.end_date else ""),
                markup=False,
            )
            end = Field(
                id="end", max_length=10, value=format_date(c.end_date) if c.end_date else ""
            )
            end.styles.width = 11
            yield row(("Last day", end))
            yield row(("Reason", Field(id="reason", max_length=REASON_MAX)))
            yield Label("", id="message")
        yield KeyBar()

    def reader(self, field_id: str) -> Reader | None:
        today = self.app.store.today()
        return {
            "end": lambda t: validate.date(t, "last day covered", today),
            "reason": _reason,
        }.get(field_id)

    def cross_check(self, values: dict[str, object]) -> tuple[str, str] | None:
        try:
            validate.coverage_dates(self.coverage.start_date, values["end"])  # type: ignore[arg-type]
        except validate.FieldError as error:
            return "end", f"{error} ({format_date(self.coverage.start_date)})"
        return None

    async def store_save(self, values: dict[str, object]) -> bool | None:
        accounts = self.app.store.accounts
        await self.app.call_store(
            accounts.end_coverage, self.coverage.id, values["end"], values["reason"]
        )
        return True
