"""A small list to pick one thing from (an age bucket, a payer, a flag): arrows and Enter, or
type its first letter; Escape leaves things as they were."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from ..widgets.key_bar import KeyBar
from .once import DismissOnce

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Picked(Generic[T]):
    """The choice made; a dialog that was cancelled dismisses with None instead."""

    value: T


class ChoiceDialog(DismissOnce, ModalScreen[Picked[T] | None], Generic[T]):
    ACTIONS_NAME = "Choose"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="choice.cancel", tooltip="close, change nothing"),
        Binding("enter", "pick", "Choose", id="choice.pick", tooltip="choose the highlighted one"),
    ]

    DEFAULT_CSS = """
    ChoiceDialog { align: center middle; }
    ChoiceDialog > Vertical {
        width: 44;
        height: auto;
        max-height: 100%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    ChoiceDialog #choice-title { text-style: bold; }
    ChoiceDialog OptionList, ChoiceDialog OptionList:focus {
        height: auto;
        max-height: 16;
        border: none;
        padding: 0;
    }
    ChoiceDialog #choice-keys { color: $text-muted; }
    """

    def __init__(self, title: str, choices: Sequence[tuple[str, T]], current: T) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, id="choice-title")
            yield OptionList(*(Option(label) for label, _ in self.choices))
            yield Label("Type a letter to jump to it.", id="choice-keys")
        yield KeyBar()

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        values = [value for _, value in self.choices]
        options.highlighted = values.index(self.current) if self.current in values else 0
        options.focus()

    def on_key(self, event: events.Key) -> None:
        """A typed letter or digit jumps to the next choice that starts with it."""
        if not event.character or not event.character.isalnum():
            return
        typed = event.character.casefold()
        options = self.query_one(OptionList)
        start = options.highlighted if options.highlighted is not None else -1
        count = len(self.choices)
        for step in range(1, count + 1):
            index = (start + step) % count
            if self.choices[index][0].casefold().startswith(typed):
                options.highlighted = index
                break
        event.stop()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(Picked(self.choices[event.option_index][1]))

    def action_pick(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is not None:
            self.dismiss(Picked(self.choices[index][1]))

    def action_cancel(self) -> None:
        self.dismiss(None)
