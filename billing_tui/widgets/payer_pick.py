"""A form field holding one payer, picked from the list: a letter opens the list at that letter."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from ..store.records import PayerRecord
from .typeahead import TypeAhead, replay


class PayerPick(TypeAhead, Widget, can_focus=True):
    """Shows the chosen payer. Space, or any letter, opens the list (jumping to the letter)."""

    ACTIONS_NAME = "Payer"
    BINDINGS = [
        Binding("space", "open", "Payers", show=False, tooltip="pick the payer from the list"),
    ]
    DEFAULT_CSS = """
    PayerPick { height: 1; width: 1fr; background: $boost; }
    PayerPick:focus { text-style: bold; background-tint: $foreground 5%; }
    PayerPick.-invalid { background-tint: $error 20%; }
    """

    value: reactive[int | None] = reactive(None)

    class Picked(Message):
        def __init__(self, pick: PayerPick) -> None:
            super().__init__()
            self.pick = pick

        @property
        def control(self) -> PayerPick:
            return self.pick

    def __init__(self, payers: Sequence[PayerRecord], value: int | None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.payers = list(payers)
        self.set_reactive(PayerPick.value, value)

    @property
    def payer(self) -> PayerRecord | None:
        return next((p for p in self.payers if p.id == self.value), None)

    def render(self) -> Text:
        payer = self.payer
        if payer is None:
            return Text("(Enter or a letter: pick from the list)", style="italic", end="")
        return Text(f"{payer.name} ({payer.payer_code})", no_wrap=True, end="")

    def action_open(self, letter: str | None = None) -> None:
        from ..screens.choice import ChoiceDialog, Picked

        def picked(choice: Picked[int] | None) -> None:
            self.focus()
            if choice is not None and choice.value != self.value:
                self.value = choice.value
                self.post_message(self.Picked(self))

        choices = [(p.name, p.id) for p in self.payers]
        current = self.value if self.value is not None else (choices[0][1] if choices else None)
        self.app.push_screen(ChoiceDialog("Payer", choices, current), picked)
        if letter:
            replay(self, letter, letter)  # the list jumps to the first payer with that letter

    def type_key(self, event: events.Key) -> bool:
        if event.character and event.character.isalnum():
            self.action_open(event.character)
            return True
        return False
