"""Add a note or contact to an account, with an optional follow-up date.

Enter moves to the next field, and on the last field saves; ctrl+s saves from
anywhere; Escape cancels. A follow-up date that cannot be read keeps the
focus with a message under it, and nothing is saved. The dialog saves the
note itself, so a refusal from the Store shows here with the text still typed.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from ..domain.dates import DateError, format_date, parse_date
from ..store import StoreRefused
from ..widgets.fields import Field
from ..widgets.key_bar import KeyBar
from ..widgets.letter_choice import LetterChoice
from .errors import ReportsFailures
from .once import DismissOnce

if TYPE_CHECKING:
    from ..app import BillingApp

KINDS = (("call", "call"), ("email", "email"), ("letter", "letter"), ("note", "note"))
DIRECTIONS = (("out", "out"), ("in", "in"), ("", "none"))
FIELD_ORDER = ("kind", "direction", "outcome", "text", "follow-up", "assignee")


class AddNoteDialog(DismissOnce, ReportsFailures, ModalScreen[int | None]):
    """Dismisses with the new note's id, or None when cancelled."""

    ACTIONS_NAME = "Note"
    AUTO_FOCUS = "#kind"
    app: BillingApp

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="note.cancel", tooltip="close without saving"),
        Binding("ctrl+s", "save", "Save", id="note.save", tooltip="save the note"),
        Binding(
            "enter",
            "next_field",
            "Next",
            id="note.next_field",
            tooltip="next field (saves on the last)",
        ),
    ]

    DEFAULT_CSS = """
    AddNoteDialog { align: center middle; }
    AddNoteDialog > Vertical {
        width: 72;
        max-width: 100%;
        height: auto;
        border: round $primary;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    AddNoteDialog Grid {
        grid-size: 2;
        grid-columns: 11 1fr;
        grid-rows: 1;
        grid-gutter: 0 1;
        height: auto;
    }
    AddNoteDialog #message { height: auto; min-height: 1; }
    AddNoteDialog #message.-error { color: $text-error; text-style: bold; }
    """

    def __init__(self, patient_id: int, patient_name: str) -> None:
        super().__init__()
        self.patient_id = patient_id
        self.patient_name = patient_name
        self._saving = False

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = f"Add a note: {self.patient_name}"
            with Grid():
                yield Label("Kind")
                yield LetterChoice(KINDS, "call", id="kind")
                yield Label("Direction")
                yield LetterChoice(DIRECTIONS, "out", id="direction")
                yield Label("Outcome")
                yield Field(
                    placeholder="e.g. left message, promised payment", max_length=60, id="outcome"
                )
                yield Label("Text")
                yield Field(placeholder="what was said or done", max_length=2000, id="text")
                yield Label("Follow-up")
                yield Field(
                    placeholder="date: 112426, 11/24/26 or 2026-11-24; blank: none",
                    max_length=10,
                    id="follow-up",
                )
                yield Label("Assign to")
                yield Field(placeholder="username; blank: you", max_length=64, id="assignee")
            yield Label("", id="message")
        yield KeyBar()

    # ------------------------------------------------------------------ moving and checking

    def _say(self, message: str, *, error: bool = False) -> None:
        label = self.query_one("#message", Label)
        label.update(message)
        label.set_class(error, "-error")

    def _follow_up(self) -> dt.date | None:
        """The typed follow-up date, None when blank; DateError when it cannot be read."""
        typed = self.query_one("#follow-up", Input).value.strip()
        if not typed:
            return None
        return parse_date(typed, today=self.app.store.today())

    def _check_follow_up(self) -> bool:
        try:
            date = self._follow_up()
        except DateError as error:
            self._say(f"Follow-up: {error}", error=True)
            self.query_one("#follow-up").focus()
            return False
        self._say(f"Follow-up on {date:%A} {format_date(date)}" if date else "")
        return True

    def action_next_field(self) -> None:
        focused = self.focused
        current = focused.id if focused is not None else None
        if current == "follow-up" and not self._check_follow_up():
            return
        if current == FIELD_ORDER[-1]:
            self.action_save()
            return
        self.focus_next()

    # ------------------------------------------------------------------ saving

    def action_save(self) -> None:
        if self._saving:
            return  # a second ctrl+s must not save the note twice
        if not self._check_follow_up():
            return
        text = self.query_one("#text", Input).value
        if not text.strip():
            self._say("Type the note's text before saving.", error=True)
            self.query_one("#text").focus()
            return
        # Read every field now: keys typed after the save must not change what is saved.
        self._saving = True
        self._save(
            text,
            kind=self.query_one("#kind", LetterChoice).value,
            direction=self.query_one("#direction", LetterChoice).value,
            outcome=self.query_one("#outcome", Input).value.strip(),
            follow_up=self._follow_up(),
            assignee=self.query_one("#assignee", Input).value.strip() or None,
        )

    @work(group="save-note", exit_on_error=False)
    async def _save(self, text: str, **note) -> None:
        self._say("Saving…")
        try:
            note_id = await self.app.call_store(
                self.app.store.accounts.add_note, self.patient_id, text, **note
            )
        except StoreRefused as refused:
            self._say(f"Not saved: {refused}.", error=True)
            return
        finally:
            self._saving = False
        self.dismiss(note_id)

    def action_cancel(self) -> None:
        self.dismiss(None)
