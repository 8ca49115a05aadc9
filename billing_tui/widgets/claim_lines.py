"""The claim's service lines: one row of compact fields per line, in a scrolling grid.

A row is eight widgets on one line; typing in a field repaints that field
only. The description beside the fields says what the code is (from the fee
schedule) and changes only when the code does.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Label, Static

from .claim_fields import ClaimField

PARTS = ("dos", "code", "modifiers", "pointers", "units", "charge")
SHOWN_ROWS = 12
"""Rows the grid always holds (a screenful at 80x24), the unused ones blank."""

MAX_LENGTHS = {"dos": 10, "code": 5, "modifiers": 11, "pointers": 11, "units": 4, "charge": 13}

COLUMNS_TITLE = f"{'#':>3} {'DOS':<9} {'Code':<6} {'Modifiers':<9} {'Ptr':<7} {'Unit':<4} {'Charge':<10} What"  # each title over its field (ClaimField's widths, one space apart)


class LineRow(Horizontal):
    """One service line. `charge_from_fee` stays True until the charge is typed over: till
    then the charge follows the code, modifiers and units."""

    DEFAULT_CSS = """
    LineRow { height: 1; }
    LineRow > ClaimField { margin-right: 1; }
    LineRow > .line-number { width: 3; margin-right: 1; text-align: right; }
    LineRow > .line-what { width: 1fr; color: $text-muted; text-wrap: nowrap;
                           text-overflow: ellipsis; }
    """

    def __init__(
        self, values: dict[str, str], number: int, *, charge_from_fee: bool = True
    ) -> None:
        super().__init__()
        self.initial = values
        self.number = number
        self.charge_from_fee = charge_from_fee
        self._fields: dict[str, ClaimField] = {}

    def compose(self) -> ComposeResult:
        yield Label(str(self.number), classes="line-number", markup=False)
        for part in PARTS:
            yield ClaimField(part, self.initial.get(part, ""), max_length=MAX_LENGTHS[part])
        yield Static("", classes="line-what", markup=False)

    @property
    def fields(self) -> dict[str, ClaimField]:
        """The fields by part, once composed (kept: the editor reads them on every key)."""
        if not self._fields:
            found = {f.part: f for f in self.query(ClaimField)}
            if len(found) == len(PARTS):
                self._fields = found
            return found
        return self._fields

    def field(self, part: str) -> ClaimField:
        return self.fields[part]

    def values(self) -> dict[str, str]:
        """What each field holds (what it was given, until it is composed)."""
        fields = self.fields
        if not fields:
            return dict(self.initial)
        return {part: field.value for part, field in fields.items()}

    def load(self, number: int, values: dict[str, str], *, charge_from_fee: bool) -> None:
        """Show a line read from the claim (or a blank one): nothing in it counts as typed."""
        self.renumber(number)
        for part, field in self.fields.items():
            field.show_value(values.get(part, ""))
            field.remove_class("-invalid")
        self.charge_from_fee = charge_from_fee

    def renumber(self, number: int) -> None:
        if number != self.number:
            self.number = number
            self.query_one(".line-number", Label).update(str(number), layout=False)

    def describe(self, what: str) -> None:
        label = self.query_one(".line-what", Static)
        if str(label.render()) != what:
            label.update(what, layout=False)  # fixed width: no layout pass


class LineGrid(VerticalScroll, can_focus=False):
    """The rows, scrolled to keep the focused field in view."""

    DEFAULT_CSS = """
    LineGrid { height: 1fr; scrollbar-size-vertical: 1; }
    """

    @property
    def rows(self) -> list[LineRow]:
        # Not query_children: the editor asks on every key, and a query parses its selector.
        return [child for child in self._nodes if isinstance(child, LineRow)]

    def row_of(self, widget) -> LineRow | None:
        node = widget
        while node is not None and node is not self:
            if isinstance(node, LineRow):
                return node
            node = node.parent
        return None
