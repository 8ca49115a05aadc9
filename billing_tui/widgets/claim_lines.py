"""The claim's service lines: one widget that draws every line and its cells, with one cursor.

Not a widget per cell: a screen of some 120 widgets costs Textual several
milliseconds a key whatever the key does (styles scanned on every focus move,
containers rendered around every change). Here a key typed into a cell
redraws that line only, and Enter along a line moves the cursor, not the
focus. The editor still speaks of fields: each cell is a `Cell` with a
`part`, a `value` and the "-invalid" mark, like the editor's other fields.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

from .claim_fields import EDITING_KEYS, locked
from .typeahead import TypeAhead

PARTS = ("dos", "code", "modifiers", "pointers", "units", "charge")
SHOWN_ROWS = 12
"""Rows the grid always holds (a screenful at 80x24), the unused ones blank."""

MAX_LENGTHS = {"dos": 10, "code": 5, "modifiers": 11, "pointers": 11, "units": 4, "charge": 13}
WIDTHS = {"dos": 9, "code": 6, "modifiers": 9, "pointers": 7, "units": 4, "charge": 10}
"""Cells on screen: one more than the usual value, for the cursor."""
NUMBER_WIDTH = 3

OFFSETS: dict[str, int] = {}
_x = NUMBER_WIDTH + 1
for _part in PARTS:
    OFFSETS[_part] = _x
    _x += WIDTHS[_part] + 1
WHAT_OFFSET = _x
"""Where each cell starts on its line: a key redraws its cell, not the line (bytes over SSH)."""

COLUMNS_TITLE = f"{'#':>3} {'DOS':<9} {'Code':<6} {'Modifiers':<9} {'Ptr':<7} {'Unit':<4} {'Charge':<10} What"  # each title over its cell, one space apart


class Cell:
    """One cell of a line: what the editor treats as a field (part, value, marks)."""

    disabled = False

    def __init__(self, row: LineRow, part: str, value: str = "") -> None:
        self.row = row
        self.part = part
        self._value = value
        self.classes: set[str] = set()

    def __repr__(self) -> str:
        return f"Cell(line {self.row.number}, {self.part}={self._value!r})"

    @property
    def value(self) -> str:
        return self._value

    def show_value(self, value: str) -> None:
        """Put a value in without it counting as typed."""
        if value != self._value:
            self._value = value
            self.redraw()

    def type_value(self, value: str) -> None:
        """A value typed by the person: the editor hears of it at once."""
        if value != self._value:
            self._value = value
            self.redraw()
            self.row.edited(self)

    def add_class(self, *names: str) -> None:
        if not self.classes.issuperset(names):
            self.classes.update(names)
            self.redraw()

    def remove_class(self, *names: str) -> None:
        if not self.classes.isdisjoint(names):
            self.classes.difference_update(names)
            self.redraw()

    def redraw(self) -> None:
        grid = self.row.grid
        if grid is not None:
            grid.redraw_span(self.row, OFFSETS[self.part], WIDTHS[self.part])


class LineRow:
    """One service line. `charge_from_fee` stays True until the charge is typed over: till
    then the charge follows the code, modifiers and units."""

    def __init__(
        self, values: dict[str, str], number: int, *, charge_from_fee: bool = True
    ) -> None:
        self.number = number
        self.charge_from_fee = charge_from_fee
        self.fields = {part: Cell(self, part, values.get(part, "")) for part in PARTS}
        self.what = ""
        self.grid: LineGrid | None = None

    def field(self, part: str) -> Cell:
        return self.fields[part]

    def values(self) -> dict[str, str]:
        return {part: cell.value for part, cell in self.fields.items()}

    def describe(self, what: str) -> None:
        if what != self.what:
            self.what = what
            if self.grid is not None:
                self.grid.redraw_span(self, WHAT_OFFSET, 200)

    def edited(self, cell: Cell) -> None:
        if self.grid is not None:
            self.grid.cell_edited(cell)


class LineGrid(TypeAhead, Widget, can_focus=True):
    """The lines, scrolled to keep the cursor's line in view. Printable keys, Backspace and
    Ctrl+U edit the cell under the cursor; Left and Right move along the line. Enter, Up and
    Down are the editor's (it decides where the cursor goes)."""

    COMPONENT_CLASSES = {
        "line-grid--cell",
        "line-grid--cursor-cell",
        "line-grid--cursor",
        "line-grid--selection",
        "line-grid--invalid",
        "line-grid--number",
        "line-grid--what",
    }
    DEFAULT_CSS = """
    LineGrid {
        height: 1fr;
        & > .line-grid--cell { background: $surface; color: $foreground; }
        & > .line-grid--cursor-cell { background: $surface-lighten-1; color: $foreground; }
        & > .line-grid--cursor { background: $foreground; color: $background; }
        & > .line-grid--selection { background: $primary; color: $text; }
        & > .line-grid--invalid { text-style: underline; color: $text-error; }
        & > .line-grid--number { color: $foreground; }
        & > .line-grid--what { color: $text-muted; }
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._rows: list[LineRow] = []
        self.cursor: Cell | None = None
        self.top = 0  # the first row on screen
        # Arriving in a cell selects what it holds, as a text field does: the first key
        # typed replaces it (a default DOS, pointer or unit), Backspace clears it.
        self.selected = False
        self._looks: dict[str, Style] | None = None

    # ------------------------------------------------------------------ rows

    @property
    def rows(self) -> list[LineRow]:
        return list(self._rows)

    def set_rows(self, rows: Iterable[LineRow]) -> None:
        for row in self._rows:
            row.grid = None
        self._rows = list(rows)
        for number, row in enumerate(self._rows, start=1):
            row.grid = self
            row.number = number
        if self.cursor is None or self.cursor.row not in self._rows:
            self.cursor = self._rows[0].field("dos") if self._rows else None
        self.top = 0
        self.refresh()

    def insert_row(self, index: int, row: LineRow) -> None:
        row.grid = self
        self._rows.insert(index, row)
        self._renumber()

    def remove_row(self, row: LineRow) -> None:
        index = self._rows.index(row)
        del self._rows[index]
        row.grid = None
        if self.cursor is not None and self.cursor.row is row:
            self.cursor = None
        self._renumber()

    def _renumber(self) -> None:
        for number, row in enumerate(self._rows, start=1):
            row.number = number
        self.refresh()

    def row_of(self, field) -> LineRow | None:
        """The line of a field: a cell's own, or the cursor's when asked of the grid itself."""
        if isinstance(field, Cell):
            return field.row if field.row.grid is self else None
        if field is self and self.cursor is not None:
            return self.cursor.row
        return None

    def move_to(self, cell: Cell) -> None:
        """Put the cursor on a cell (and its line on screen)."""
        before = self.cursor
        self.cursor = cell
        self.selected = True
        index = self._rows.index(cell.row)
        height = max(self.size.height, 1)
        if index < self.top:
            self.top = index
            self.refresh()
        elif index >= self.top + height:
            self.top = index - height + 1
            self.refresh()
        else:
            if before is not None and before is not cell:
                before.redraw()
            cell.redraw()

    # ------------------------------------------------------------------ drawing

    def redraw_span(self, row: LineRow, x: int, width: int) -> None:
        """Repaint part of a row's line (a cell): Textual then sends those cells only."""
        if row.grid is not self or not self.is_mounted:
            return
        y = self._rows.index(row) - self.top
        if 0 <= y < self.size.height:
            self.refresh(Region(x, y, min(width, max(self.size.width - x, 0)), 1))

    # Textual repaints a whole widget when it gains or loses the focus (for :focus styles,
    # which the lines have none of): a screenful of lines, 7 KB over SSH. Only the cursor's
    # cell looks different.
    def _on_focus(self, event: events.Focus) -> None:
        event.prevent_default()  # Widget._on_focus: the whole widget repainted
        self.has_focus = True
        if self.cursor is not None:
            self.cursor.redraw()
        if self.parent is not None:
            self.parent.post_message(events.DescendantFocus(self))

    def _on_blur(self, event: events.Blur) -> None:
        event.prevent_default()
        self.has_focus = False
        if self.cursor is not None:
            self.cursor.redraw()
        if self.parent is not None:
            self.parent.post_message(events.DescendantBlur(self))

    def on_resize(self) -> None:
        if self.cursor is not None and self.cursor.row in self._rows:
            self.move_to(self.cursor)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(len(self._rows), 1)

    def notify_style_update(self) -> None:
        self._looks = None  # a theme or class change: the styles are read again
        super().notify_style_update()

    def looks(self) -> dict[str, Style]:
        """The styles of the parts of a line, read once: reading them is most of a line's cost."""
        if self._looks is None:
            base = self.rich_style
            style = self.get_component_rich_style
            self._looks = {
                "base": base,
                "number": style("line-grid--number"),
                "cell": base + style("line-grid--cell"),
                "cursor-cell": base + style("line-grid--cursor-cell"),
                "cursor": base + style("line-grid--cursor"),
                "selection": style("line-grid--selection", partial=True),
                "invalid": style("line-grid--invalid", partial=True),
                "what": style("line-grid--what"),
            }
        return self._looks

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        index = self.top + y
        looks = self.looks()
        base = looks["base"]
        if index >= len(self._rows):
            return Strip.blank(width, base)
        row = self._rows[index]
        segments = [Segment(f"{row.number:>{NUMBER_WIDTH}} ", looks["number"])]
        focused = self.has_focus
        for part in PARTS:
            cell = row.fields[part]
            cell_width = WIDTHS[part]
            here = focused and cell is self.cursor
            look = looks["cursor-cell" if here else "cell"]
            if "-invalid" in cell.classes:
                look += looks["invalid"]
            text = cell.value
            pieces: list[Segment] = []
            if here:
                shown = text[-(cell_width - 1) :] if len(text) >= cell_width else text
                pieces.append(Segment(shown, look + looks["selection"] if self.selected else look))
                pieces.append(Segment(" ", looks["cursor"]))
                pad = cell_width - len(shown) - 1
            else:
                shown = text[:cell_width]
                pieces.append(Segment(shown, look))
                pad = cell_width - len(shown)
            if pad > 0:
                pieces.append(Segment(" " * pad, look))
            pieces.append(Segment(" ", base))
            # Textual's partial update sends, after the segment where a changed cell starts,
            # as many cells again as that segment holds: a first segment of one cell keeps
            # a cell's redraw from spilling into the next cell (or the description).
            first = next(i for i, piece in enumerate(pieces) if piece.text)
            head = pieces[first]
            if len(head.text) > 1:
                pieces[first : first + 1] = [
                    Segment(head.text[0], head.style),
                    Segment(head.text[1:], head.style),
                ]
            segments.extend(pieces)
        room = width - WHAT_OFFSET
        if room > 0:
            what = row.what if len(row.what) <= room else row.what[: room - 1] + "…"
            segments.append(Segment(what.ljust(room), looks["what"]))
        return Strip(segments).crop(0, width).extend_cell_length(width, base)

    # ------------------------------------------------------------------ keys

    def type_key(self, event: events.Key) -> bool:
        cell = self.cursor
        if cell is None:
            return False
        key = event.key
        if key in ("left", "right"):
            parts = PARTS.index(cell.part) + (1 if key == "right" else -1)
            if 0 <= parts < len(PARTS):
                self.screen.go(cell.row.field(PARTS[parts]))  # type: ignore[attr-defined]
            return True
        if not (event.is_printable or key in EDITING_KEYS):
            return False
        if locked(self):
            return True
        text = "" if self.selected else cell.value
        self.selected = False
        if event.is_printable and event.character:
            if len(text) < MAX_LENGTHS[cell.part]:
                cell.type_value(text + event.character)
        elif key == "backspace":
            cell.type_value(text[:-1])
        elif key in ("ctrl+u", "ctrl+k", "ctrl+w", "ctrl+x"):
            cell.type_value("")
        cell.redraw()  # the selection is gone
        return True

    def on_paste(self, event: events.Paste) -> None:
        """Pasted text goes into the cell as if typed (its first line, to the cell's length)."""
        cell = self.cursor
        event.stop()
        if cell is None or locked(self):
            return
        pasted = event.text.splitlines()[0] if event.text else ""
        text = "" if self.selected else cell.value
        self.selected = False
        cell.type_value((text + pasted)[: MAX_LENGTHS[cell.part]])

    def cell_edited(self, cell: Cell) -> None:
        edited = getattr(self.screen, "field_edited", None) if self.is_attached else None
        if edited is not None:
            edited(cell)
