"""Send an account to a collection agency (a supervisor, after a final notice), or recall
it; the Store's refusal, in its words, stays on the message line."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Label

from ..domain.dates import format_date, local_date
from ..domain.money import format_cents
from ..store.records.adjustments import PlacementRecord
from ..widgets.fields import Field
from .form_dialog import FormDialog


class CollectionsDialog(FormDialog):
    """Dismisses True when the account was placed or recalled."""

    ACTIONS_NAME = "Collections"

    def __init__(self, patient_id: int, patient_name: str, placement: PlacementRecord | None):
        super().__init__(f"Collections: {patient_name}")
        self.patient_id = patient_id
        self.placement = placement
        self.FIELDS = ("reason",) if placement else ("agency", "reason")

    def compose_fields(self) -> ComposeResult:
        if self.placement is None:
            yield Label("Agency")
            yield Field(placeholder="the collection agency", id="agency", max_length=60)
        yield Label("Reason")
        placeholder = "why it comes back" if self.placement else "why it goes to collections"
        yield Field(placeholder=placeholder, id="reason", max_length=200)

    def refresh_detail(self) -> None:
        p = self.placement
        if p is None:
            text = (
                "What the patient owes is written off as bad debt, visit by visit, and the "
                "account gets no more statements. A supervisor's decision, after a final "
                "notice; recalling it reverses the write-off."
            )
        else:
            text = (
                f"With {p.agency} since {format_date(local_date(p.placed_at))} "
                f"({format_cents(p.amount)}, by {p.placed_by or 'unknown'}).\n"
                "Recalling it reverses the bad-debt write-off."
            )
        self.query_one("#detail").update(text)

    def check(self, field_id: str) -> str | None:
        if not self.value(field_id):
            return f"Type the {field_id}."
        return None

    async def save(self) -> str | None:
        adjustments = self.app.store.adjustments
        if self.placement is None:
            await self.app.call_store(
                adjustments.send_to_collections, self.patient_id, self.value("agency"),
                self.value("reason"),
            )  # fmt: skip
            self.app.notify("Sent to collections: the balance is written off as bad debt.")
        else:
            await self.app.call_store(adjustments.recall, self.placement.id, self.value("reason"))
            self.app.notify("Recalled from collections: the bad-debt entries are reversed.")
        self.changed = True
        return None
