"""The frame the patient-side dialogs share: a box of labelled fields, Enter to the next
field (saving on the last), ctrl+s to save from anywhere, Escape to cancel, and a message
line under the fields where a refusal is shown with what was typed kept.

A subclass yields its rows in compose_fields(), names the order Enter walks in FIELDS,
and does its work in save(), an async method that calls the Store through
`self.app.call_store`; a StoreRefused raised there lands on the message line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ..store import StoreConflict, StoreRefused
from ..widgets.key_bar import KeyBar
from ..widgets.letter_choice import LetterChoice
from .errors import ReportsFailures
from .once import DismissOnce

if TYPE_CHECKING:
    from ..app import BillingApp


class FormDialog(DismissOnce, ReportsFailures, ModalScreen[bool]):
    """Dismisses True when the books changed, False when nothing did."""

    app: BillingApp
    FIELDS: ClassVar[tuple[str, ...]] = ()
    BOX_WIDTH: ClassVar[int] = 72
    LABEL_WIDTH: ClassVar[int] = 12

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel", tooltip="close without saving"),
        Binding("ctrl+s", "save", "Save", id="form.save", tooltip="save"),
        Binding(
            "enter",
            "next_field",
            "Next",
            id="form.next_field",
            tooltip="next field (saves on the last)",
        ),
    ]

    DEFAULT_CSS = """
    FormDialog { align: center middle; }
    FormDialog > Vertical {
        height: auto;
        max-width: 100%;
        max-height: 100%;
        border: round $primary;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    FormDialog Grid { grid-size: 2; grid-rows: 1; grid-gutter: 0 1; height: auto; }
    FormDialog .detail { height: auto; }
    FormDialog #message { height: auto; min-height: 1; }
    FormDialog #message.-error { color: $text-error; text-style: bold; }
    """

    def __init__(self, title: str) -> None:
        super().__init__()
        self.box_title = title
        self._saving = False
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.box_title
            box.styles.width = self.BOX_WIDTH
            yield from self.compose_body()
            yield Static("", id="message", markup=False)
        yield KeyBar()

    def compose_body(self) -> ComposeResult:
        grid = Grid()
        grid.styles.grid_columns = f"{self.LABEL_WIDTH} 1fr"
        with grid:
            yield from self.compose_fields()
        yield Static("", classes="detail", id="detail", markup=False)

    def compose_fields(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        for choice in self.query(LetterChoice):
            self.watch(choice, "value", lambda _: self.refresh_detail(), init=False)
        if self.FIELDS:
            self.query_one(f"#{self.FIELDS[0]}").focus()
        self.refresh_detail()

    # ---------------------------------------------------------------- for subclasses

    def say(self, message: str, *, error: bool = False) -> None:
        label = self.query_one("#message", Static)
        label.update(message)
        label.set_class(error, "-error")

    def value(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Input).value.strip()

    def refresh_detail(self) -> None:
        """Redraw what the fields add up to (a schedule, the approval limit...)."""

    def check(self, field_id: str) -> str | None:
        """Why the field's value cannot be taken (None: it can); called on Enter."""
        return None

    async def save(self) -> str | None:
        """Do the work; return what to say (then stay) or None (then close)."""
        raise NotImplementedError

    def on_input_changed(self) -> None:
        self.refresh_detail()

    # ---------------------------------------------------------------- keys

    def action_next_field(self) -> None:
        focused = self.focused
        current = focused.id if focused is not None else None
        if current in self.FIELDS:
            why = self.check(current)
            if why:
                self.say(why, error=True)
                return
            self.say("")
        if not self.FIELDS or current == self.FIELDS[-1]:
            self.action_save()
            return
        self.focus_next()

    def action_save(self) -> None:
        if self._saving:
            return  # a second ctrl+s must not save twice
        for field_id in self.FIELDS:
            why = self.check(field_id)
            if why:
                self.say(why, error=True)
                self.query_one(f"#{field_id}").focus()
                return
        self._saving = True
        self._save()

    @work(group="form-save", exit_on_error=False)
    async def _save(self) -> None:
        self.say("Saving…")
        try:
            said = await self.save()
        except (StoreRefused, StoreConflict) as refused:
            self.say(f"Not done: {refused}.", error=True)
            return
        finally:
            self._saving = False
        if said is None:
            self.dismiss(self.changed)
        else:
            self.say(said)

    def action_cancel(self) -> None:
        self.dismiss(self.changed)
