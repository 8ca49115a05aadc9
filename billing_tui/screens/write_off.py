"""Write off part of a patient balance, or waive a late fee, with a reason: under the
approval limit it posts now, above it it waits for a supervisor (the Store decides)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Label

from ..domain.adjustments import WRITE_OFF_CATEGORIES
from ..domain.dates import format_date
from ..domain.money import MoneyError, format_cents, parse_cents
from ..store.records.adjustments import LateFeeRecord
from ..widgets.fields import Field
from ..widgets.letter_choice import LetterChoice
from .form_dialog import FormDialog

WAIVE = "waive"
WHAT = (*((c.value, c.label.split(" ")[0]) for c in WRITE_OFF_CATEGORIES), (WAIVE, "waive fee"))


class WriteOffDialog(FormDialog):
    """Dismisses True when an adjustment was posted or put up for approval."""

    ACTIONS_NAME = "Write-off"
    FIELDS = ("what", "amount", "reason")

    def __init__(
        self,
        patient_id: int,
        patient_name: str,
        patient_balance: int,
        *,
        late_fees: tuple[LateFeeRecord, ...] = (),
        approval_limit: int = 0,
    ) -> None:
        super().__init__(f"Write off or waive: {patient_name}")
        self.patient_id = patient_id
        self.patient_balance = patient_balance
        self.fees = [fee for fee in late_fees if not fee.waiver]  # newest first
        self.limit = approval_limit

    def compose_fields(self) -> ComposeResult:
        yield Label("What")
        yield LetterChoice(WHAT, WRITE_OFF_CATEGORIES[0].value, id="what")
        yield Label("Amount")
        yield Field(placeholder="e.g. 12.50", id="amount", max_length=14)
        yield Label("Reason")
        yield Field(placeholder="why, as the audit will read it", id="reason", max_length=200)

    @property
    def waiving(self) -> bool:
        return self.query_one("#what", LetterChoice).value == WAIVE

    def amount(self) -> int:
        if self.waiving:
            if not self.fees:
                raise MoneyError("the account has no late fee to waive")
            return self.fees[0].amount
        return parse_cents(self.value("amount"))

    def check(self, field_id: str) -> str | None:
        if field_id == "amount":
            try:
                self.amount()
            except MoneyError as error:
                return f"Amount: {error}"
        if field_id == "reason" and not self.value("reason"):
            return "Type the reason."
        return None

    def refresh_detail(self) -> None:
        owes = f"The patient owes {format_cents(self.patient_balance)}."
        if self.waiving:
            fee = self.fees[0] if self.fees else None
            field = self.query_one("#amount", Field)
            if fee is None:
                self.query_one("#detail").update(f"{owes} No late fee to waive.")
                return
            field.value = format_cents(fee.amount, grouping=False)
            what = (
                f"{owes} Waives the late fee of {format_date(fee.assessed_on)} "
                f"(statement of {format_date(fee.statement_date)})."
            )
        else:
            what = f"{owes} Comes off the oldest visits first."
        try:
            amount = self.amount()
        except MoneyError:
            amount = 0
        if amount > self.limit:
            what += f"\nOver {format_cents(self.limit)}: it will wait for a supervisor's approval."
        self.query_one("#detail").update(what)

    async def save(self) -> str | None:
        adjustments = self.app.store.adjustments
        if self.waiving:
            outcome = await self.app.call_store(
                adjustments.waive_late_fee, self.fees[0].id, self.value("reason")
            )
        else:
            outcome = await self.app.call_store(
                adjustments.write_off, self.patient_id, self.amount(),
                category=self.query_one("#what", LetterChoice).value, reason=self.value("reason"),
            )  # fmt: skip
        self.changed = True
        self.app.notify(outcome.message[:1].upper() + outcome.message[1:] + ".",
                        title="Waiting for approval" if outcome.status == "pending" else "Posted")  # fmt: skip
        return None
