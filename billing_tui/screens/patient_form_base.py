"""What the patient and coverage forms share: fields checked as they are left, Enter to the next
field (saving on the last), ctrl+s to save, Escape to cancel (asking before typed changes go).

A form names a reader for each text field (domain.validate: text in, the value
to keep out, FieldError with a message otherwise). Leaving a field runs its
reader: a message naming the field comes up under the form and the field and
its label are marked; Enter stays on a wrong field. Saving reads every field
first, and nothing goes to the Store while one is wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar

from textual import events, work
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label

from ..domain.validate import FieldError
from ..store import StoreConflict, StoreRefused
from ..widgets.fields import Field
from ..widgets.letter_choice import LetterChoice
from .choice import ChoiceDialog, Picked
from .errors import ReportsFailures
from .once import DismissOnce

if TYPE_CHECKING:
    from ..app import BillingApp

T = TypeVar("T")

Reader = Callable[[str], object]

FORM_CSS = """
RecordForm { align: center middle; }
RecordForm > #form {
    width: 78;
    max-width: 100%;
    height: auto;
    max-height: 100%;
    border: round $primary;
    border-title-style: bold;
    background: $surface;
    padding: 0 1;
}
RecordForm .row { height: 1; width: 100%; }
RecordForm .gap { height: 1; }
RecordForm .row > Label { width: auto; margin: 0 1; }
RecordForm .row > Label.lead { width: 10; margin: 0 1 0 0; }
RecordForm .row > Label.-invalid { text-style: bold reverse; color: $text-error; }
RecordForm .row > Label.section { width: 1fr; margin: 0; text-style: bold; color: $text-accent; }
RecordForm .row > Field { background: $boost; }
RecordForm .row > Field:disabled { background: $surface; color: $text-muted; }
RecordForm .row > LetterChoice { width: auto; }
RecordForm .row > LetterChoice:disabled { color: $text-muted; }
RecordForm #message { height: auto; min-height: 1; color: $text-muted; }
RecordForm #message.-error { color: $text-error; text-style: bold; }
"""


def row(*parts: tuple[str, Widget] | Widget, lead: str | None = None) -> Horizontal:
    """One line of a form: (label, widget) pairs; the first label lines up with the others."""
    children: list[Widget] = []
    for index, part in enumerate(parts):
        if isinstance(part, tuple):
            text, widget = part
            classes = "lead" if index == 0 else ""
            children.append(Label(text, classes=classes, id=f"{widget.id}-label", markup=False))
            children.append(widget)
        else:
            children.append(part)
    if lead is not None:
        children.insert(0, Label(lead, classes="lead", markup=False))
    return Horizontal(*children, classes="row")


class RecordForm(DismissOnce, ReportsFailures, ModalScreen[T], Generic[T]):
    """Subclasses compose their rows inside a Vertical with id "form", then a Label with id
    "message"; they give each text field a reader and say how to save."""

    ACTIONS_NAME = "Form"
    DEFAULT_CSS = FORM_CSS
    app: BillingApp

    BINDINGS = [
        Binding(
            "escape",
            "cancel",
            "Cancel",
            id="form.cancel",
            tooltip="close the form (asks before throwing away changes)",
        ),
        Binding("ctrl+s", "save", "Save", id="form.save", tooltip="save the form"),
        Binding(
            "enter",
            "next_field",
            "Next",
            id="form.next_field",
            tooltip="next field (saves on the last)",
        ),
    ]

    LABELS: dict[str, str] = {}
    """Field id -> its name in messages ("ZIP", "Date of birth")."""
    HINTS: dict[str, str] = {}
    """Field id -> what to type, shown while the field has the focus and no error."""

    def __init__(self) -> None:
        super().__init__()
        self._saving = False
        self._initial: dict[str, object] = {}
        self._wrong: str | None = None  # the field the message is about

    # ------------------------------------------------------------------ for subclasses

    def reader(self, field_id: str) -> Reader | None:
        """How to read a text field; None for one that is not checked."""
        return None

    def cross_check(self, values: dict[str, object]) -> tuple[str, str] | None:
        """A rule across fields: (field id, message) when broken."""
        return None

    def collect(self) -> dict[str, object]:
        """Every field's value as it will be saved (call after all readers passed)."""
        values: dict[str, object] = {}
        for widget in self.query(Field):
            read = self.reader(widget.id or "")
            if read is not None and not widget.disabled:
                values[widget.id or ""] = read(widget.value)
        for choice in self.query(LetterChoice):
            values[choice.id or ""] = choice.value
        return values

    async def store_save(self, values: dict[str, object]) -> T:
        """Hand the values to the Store (on its thread); what the form dismisses with."""
        raise NotImplementedError

    def conflict(self, error: StoreConflict, values: dict[str, object]) -> None:
        """Someone else saved first. By default: the error dialog, and the form stays."""
        self.app.report_failure(error)

    # ------------------------------------------------------------------ state

    def on_mount(self) -> None:
        self._initial = self._snapshot()

    def _snapshot(self) -> dict[str, object]:
        state: dict[str, object] = {}
        for widget in self.query("#form Field, #form LetterChoice, #form PayerPick"):
            state[widget.id or ""] = widget.value  # type: ignore[attr-defined]
        return state

    def rebase(self) -> None:
        """What is in the fields now counts as unchanged (after loading a record into them)."""
        self._initial = self._snapshot()

    @property
    def changed(self) -> bool:
        return self._snapshot() != self._initial

    def say(self, message: str, *, error: bool = False) -> None:
        label = self.query_one("#message", Label)
        label.update(message)
        label.set_class(error, "-error")

    def _mark(self, field_id: str, wrong: bool) -> None:
        for widget in self.query(f"#{field_id}, #{field_id}-label"):
            widget.set_class(wrong, "-invalid")

    def check(self, field_id: str) -> bool:
        """Run the field's reader: clear its mark, or mark it and say what is wrong."""
        widget = self.query_one(f"#{field_id}", Input)
        read = self.reader(field_id)
        if read is None or widget.disabled:
            return True
        try:
            read(widget.value)
        except FieldError as error:
            self.complain(field_id, str(error))
            return False
        self._mark(field_id, False)
        if self._wrong == field_id:
            self._wrong = None
            self.say("")
        return True

    def complain(self, field_id: str, message: str) -> None:
        """Mark a field and say what is wrong with it."""
        self._mark(field_id, True)
        self._wrong = field_id
        name = self.LABELS.get(field_id, field_id.replace("-", " ").capitalize())
        self.say(f"{name}: {message}", error=True)

    def _fields_in_order(self) -> list[Widget]:
        return [w for w in self.query("#form *") if w.focusable]

    # ------------------------------------------------------------------ moving

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        hint = self.HINTS.get(event.widget.id or "")
        if self._wrong is None:
            self.say(hint or "")

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        widget = event.widget
        if self._saving or self.app.screen is not self or not isinstance(widget, Field):
            return
        if self.focused is widget:
            # A late blur: the focus is back (a save sent it there with a message that this
            # check, which knows only the field itself, must not clear).
            return
        if widget.id and self.reader(widget.id) is not None:
            self.check(widget.id)

    def action_next_field(self) -> None:
        focused = self.focused
        if focused is None:
            return
        if isinstance(focused, Field) and focused.id and not self.check(focused.id):
            return
        if self.enter_on(focused):
            return
        order = self._fields_in_order()
        if order and focused is order[-1]:
            self.action_save()
            return
        self.focus_next()

    def enter_on(self, widget: Widget) -> bool:
        """A widget that does something else with Enter (opens a list): True when it did."""
        return False

    # ------------------------------------------------------------------ saving

    def action_save(self) -> None:
        if self._saving:
            return  # a second ctrl+s must not save twice
        for widget in self._fields_in_order():
            if isinstance(widget, Field) and widget.id and not self.check(widget.id):
                widget.focus()
                return
        values = self.collect()
        broken = self.cross_check(values)
        if broken is not None:
            field_id, message = broken
            self.complain(field_id, message)
            self.query_one(f"#{field_id}").focus()
            return
        self._saving = True
        self._save(values)

    @work(group="save-form", exit_on_error=False)
    async def _save(self, values: dict[str, object]) -> None:
        self.say("Saving…")
        try:
            result = await self.store_save(values)
        except StoreConflict as conflict:
            self.say("Not saved: someone else saved first.", error=True)
            self.conflict(conflict, values)
            return
        except StoreRefused as refused:
            self.say(f"Not saved: {refused}.", error=True)
            return
        finally:
            self._saving = False
        self.dismiss(result)

    def action_cancel(self) -> None:
        if not self.changed:
            self.dismiss(None)
            return

        def answered(picked: Picked[bool] | None) -> None:
            if picked is not None and picked.value:
                self.dismiss(None)

        choices = [("Keep editing", False), ("Throw the changes away", True)]
        self.app.push_screen(ChoiceDialog("Throw away what you typed?", choices, False), answered)
