"""The claim editor's fields: typed ones (ClaimField), picked ones (PickField), and the list of
diagnosis suggestions that opens under the diagnosis fields as one types.

Every field knows its `part`, the scrubber's name for it without the line
number ("pos", "dx", "code"...), so the editor can move on Enter and jump to
a finding. A claim that went out cannot be edited in place: its fields still
take the focus (to read them, and to move about), but refuse to change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive, reactive
from textual.widget import Widget

from .fields import Field
from .typeahead import TypeAhead

T = TypeVar("T")

# Keys that change a field's text (beside the printable ones).
EDITING_KEYS = frozenset(
    {"backspace", "delete", "ctrl+d", "ctrl+u", "ctrl+k", "ctrl+w", "ctrl+x", "ctrl+v"}
)


def locked(widget: Widget) -> bool:
    """True while the claim on screen cannot be edited; the editor then says why."""
    check = getattr(widget.screen, "refuse_edit", None)
    return check is not None and check()


def tell_editor(widget: Widget) -> None:
    """A person changed the field: the editor reacts now, in the same key's turn.

    Not through a Changed message: the editor would read it a turn later, after the
    keys typed ahead, and a charge filled from the fee schedule would land after
    the Enter that leaves the charge (see TypeAhead)."""
    if widget.is_attached:
        edited = getattr(widget.screen, "field_edited", None)
        if edited is not None:
            edited(widget)


class ClaimField(Field):
    """A compact one-line field of the claim; width from its part's class (-pos, -dx...)."""

    ACTIONS_NAME = "Claim field"
    # One cell more than the longest usual value: a compact Input keeps a cell for the cursor.
    DEFAULT_CSS = """
    ClaimField { width: 10; }
    ClaimField.-invalid { text-style: underline; }
    ClaimField.-dx { width: 9; }
    ClaimField.-pos { width: 3; }
    ClaimField.-frequency { width: 2; }
    ClaimField.-original, ClaimField.-prior_auth { width: 1fr; }
    """

    # Input grows its virtual (scrolled) width with every key typed, and Textual lays out
    # the whole screen for it: some hundred widgets here, on every key. A fixed-width,
    # one-line field needs no layout for that (it scrolls within its own width).
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def __init__(self, part: str, value: str = "", *, max_length: int = 0, **kwargs) -> None:
        self._showing = True  # the value given here is not typed
        super().__init__(value=value, max_length=max_length, **kwargs)
        self._showing = False
        self.part = part
        self.add_class(f"-{part}", update=False)  # styled when mounted (see Field)

    def watch_value(self, value: str) -> None:
        if not self._showing:
            tell_editor(self)

    def type_key(self, event: events.Key) -> bool:
        if (event.is_printable or event.key in EDITING_KEYS) and locked(self):
            return True
        return False

    def show_value(self, value: str) -> None:
        """Put a value in without it counting as typed (no Changed message)."""
        if self.value != value:
            self._showing = True
            try:
                with self.prevent(self.Changed):
                    self.value = value
            finally:
                self._showing = False
            self.cursor_position = len(value)


class DxField(ClaimField):
    """Diagnosis n (1-12). Up and Down move in the suggestions while they are open."""

    ACTIONS_NAME = "Diagnosis"

    def __init__(self, number: int, value: str = "", **kwargs) -> None:
        super().__init__("dx", value, max_length=40, id=f"dx-{number}", **kwargs)
        self.number = number

    def type_key(self, event: events.Key) -> bool:
        if super().type_key(event):
            return True
        move = getattr(self.screen, "move_suggestion", None)
        if event.key in ("up", "down", "escape") and move is not None:
            return move(event.key)
        return False


class PickField(TypeAhead, Widget, Generic[T], can_focus=True):
    """A choice from a short list on one line. A letter jumps to the next choice that starts
    with it; Left and Right step through them; Space (or F2) lists them all."""

    ACTIONS_NAME = "Choice"
    BINDINGS = [
        Binding("left", "step(-1)", "Previous", show=False, tooltip="the choice before"),
        Binding("right", "step(1)", "Next", show=False, tooltip="the choice after"),
        Binding("space", "screen.pick", "List", show=False, tooltip="list every choice"),
    ]
    COMPONENT_CLASSES = {"pick-field--chosen"}
    DEFAULT_CSS = """
    PickField {
        height: 1;
        width: 1fr;
        background: $surface;
        & > .pick-field--chosen { text-style: bold; }
        &:focus { background: $block-cursor-background; color: $block-cursor-foreground; }
        &.-invalid { text-style: underline; }
    }
    """

    class Changed(Message):
        def __init__(self, pick: PickField) -> None:
            super().__init__()
            self.pick = pick

        @property
        def control(self) -> PickField:
            return self.pick

    index: reactive[int] = reactive(0)

    def __init__(self, part: str, title: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.part = part
        self.title = title  # what the list of choices is called
        self.choices: list[tuple[str, T]] = []

    def set_choices(self, choices: Sequence[tuple[str, T]], value: T) -> None:
        """Replace the choices, choosing `value` (the first choice if it is not among them)."""
        self.choices = list(choices)
        values = [v for _, v in self.choices]
        index = values.index(value) if value in values else 0
        self.set_reactive(PickField.index, index)
        self.refresh()

    @property
    def value(self) -> T | None:
        return self.choices[self.index][1] if self.choices else None

    @property
    def label(self) -> str:
        return self.choices[self.index][0] if self.choices else ""

    def choose(self, value: T) -> None:
        """Choose as the person did (from the list of choices)."""
        values = [v for _, v in self.choices]
        if value in values:
            self.index = values.index(value)

    def show(self, value: T) -> None:
        """Show a choice that the person did not make (a default that follows another)."""
        values = [v for _, v in self.choices]
        if value in values:
            self.set_reactive(PickField.index, values.index(value))
            self.refresh()

    def watch_index(self) -> None:
        tell_editor(self)
        self.post_message(self.Changed(self))

    def render(self) -> Text:
        style = self.get_component_rich_style("pick-field--chosen", partial=True)
        return Text(self.label, style=style, no_wrap=True, overflow="ellipsis", end="")

    def action_step(self, step: int) -> None:
        if self.choices and not locked(self):
            self.index = (self.index + step) % len(self.choices)

    def type_key(self, event: events.Key) -> bool:
        if not (event.character and event.character.isalnum()):
            return False
        if locked(self):
            return True
        typed = event.character.casefold()
        count = len(self.choices)
        for step in range(1, count + 1):
            index = (self.index + step) % count
            if self.choices[index][0].casefold().startswith(typed):
                self.index = index
                break
        return True


class DxSuggestions(Widget):
    """Billable codes for what is typed in a diagnosis field, drawn over the lines below it.
    The highlighted one (if any) is what Enter takes."""

    COMPONENT_CLASSES = {"dx-suggestions--highlight", "dx-suggestions--code"}
    DEFAULT_CSS = """
    DxSuggestions {
        overlay: screen;
        constrain: none inside;
        display: none;
        height: auto;
        max-height: 8;
        width: 1fr;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        background: $panel;
        border-left: outer $primary;
        &.-open { display: block; }
        & > .dx-suggestions--highlight { text-style: reverse bold; }
        & > .dx-suggestions--code { text-style: bold; }
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.items: list[tuple[str, str]] = []
        self.highlight: int | None = None

    def show(self, items: Sequence[tuple[str, str]], highlight: int | None) -> None:
        items = list(items)
        if items == self.items and highlight == self.highlight:
            return
        self.items, self.highlight = items, highlight
        self.set_class(bool(items), "-open")
        self.refresh(layout=True)

    @property
    def chosen(self) -> tuple[str, str] | None:
        if self.highlight is None or not 0 <= self.highlight < len(self.items):
            return None
        return self.items[self.highlight]

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self.items)

    def render(self) -> Text:
        highlight = self.get_component_rich_style("dx-suggestions--highlight", partial=True)
        code_style = self.get_component_rich_style("dx-suggestions--code", partial=True)
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        for index, (code, description) in enumerate(self.items):
            if index:
                text.append("\n")
            line = Text(no_wrap=True, overflow="ellipsis", end="")
            line.append(f"{code:<8}", style=code_style)
            line.append(f" {description}")
            if index == self.highlight:
                line.stylize(highlight)
            text.append_text(line)
        return text
