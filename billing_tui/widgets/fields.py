"""Text fields for work over SSH: one line high, a cursor that never blinks (a blink is bytes
on the wire every half second, forever), and keys taken in the order typed."""

from __future__ import annotations

import dataclasses

from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import Input

from .typeahead import TypeAhead


def _without(keys: set[str]) -> list[Binding]:
    """Input's bindings less some keys, which then reach the form or the screen."""
    kept = []
    for binding in Input.BINDINGS:
        assert isinstance(binding, Binding)
        left = [key for key in binding.key.split(",") if key not in keys]
        if left:
            kept.append(dataclasses.replace(binding, key=",".join(left)))
    return kept


class Field(TypeAhead, Input, inherit_bindings=False):
    """A compact Input whose cursor does not blink. Enter belongs to the form (next field)."""

    ACTIONS_NAME = "Text field"
    BINDINGS = _without({"enter"})

    cursor_blink = reactive(False, init=False)

    def __init__(self, *args, compact: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if compact:
            # Not through Input(compact=True): its reactive restyles the widget at once, even
            # before it is mounted (3 ms a field, and the claim editor has 90 of them).
            self.set_reactive(Input.compact, True)
            self.add_class("-textual-compact", update=False)


class SearchBox(Field, inherit_bindings=False):
    """The queue's search: name ("smith, jo"), account, claim number or date of birth.

    Enter, Home and End belong to the queue (open, first, last), not to the
    text; they run after every letter typed before them has reached the box,
    so the screen can tell whether its rows are for what is in the box.
    """

    ACTIONS_NAME = "Search box"
    BINDINGS = _without({"enter", "home", "end"})

    DEFAULT_CSS = """
    SearchBox { width: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault(
            "placeholder", "Search: name (smith, jo), account, claim or DOB (01/02/60)"
        )
        super().__init__(select_on_focus=False, max_length=256, **kwargs)
