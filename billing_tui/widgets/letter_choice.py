"""Pick one of a few words by typing its first letter: the fastest field there is."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.reactive import reactive
from textual.widget import Widget

from .typeahead import TypeAhead


class LetterChoice(TypeAhead, Widget, can_focus=True):
    """All the choices on one line, the chosen one shown reversed. A letter picks the word it
    starts; Left/Right (or Space) step through them."""

    ACTIONS_NAME = "Choice"
    BINDINGS = [
        Binding("left", "step(-1)", "Previous", show=False, tooltip="the choice before"),
        Binding("right,space", "step(1)", "Next", show=False, tooltip="the choice after"),
    ]
    COMPONENT_CLASSES = {"letter-choice--chosen", "letter-choice--letter"}
    DEFAULT_CSS = """
    LetterChoice {
        height: 1;
        width: 1fr;
        & > .letter-choice--chosen { text-style: reverse; }
        & > .letter-choice--letter { text-style: underline; }
        &:focus > .letter-choice--chosen { text-style: reverse bold; }
    }
    """

    value: reactive[str] = reactive("")

    def __init__(self, choices: Sequence[tuple[str, str]], value: str, **kwargs) -> None:
        """choices: (value, label) pairs; each label's first letter picks it."""
        super().__init__(**kwargs)
        self.choices = list(choices)
        self.set_reactive(LetterChoice.value, value)

    def render(self) -> Text:
        chosen = self.get_component_rich_style("letter-choice--chosen", partial=True)
        letter = self.get_component_rich_style("letter-choice--letter", partial=True)
        text = Text(no_wrap=True, end="")
        for value, label in self.choices:
            if value == self.value:
                text.append(f" {label} ", style=chosen)
            else:
                text.append(" ")
                text.append(label[0], style=letter)
                text.append(f"{label[1:]} ")
            text.append(" ")
        return text

    def action_step(self, step: int) -> None:
        values = [value for value, _ in self.choices]
        index = values.index(self.value) if self.value in values else 0
        self.value = values[(index + step) % len(values)]

    def type_key(self, event: events.Key) -> bool:
        if event.character and event.character.isalpha():
            typed = event.character.casefold()
            for value, label in self.choices:
                if label.casefold().startswith(typed):
                    self.value = value
                    return True
        return False
