"""A read-only DataTable whose columns are fitted to its width (see columns.py), one record a row.

Each row is one DataTable cell holding the whole line, laid out column by
column: the table then renders one cell per visible row instead of one per
column, ten times less work on every keystroke, and it looks the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar, Generic, TypeVar

from rich.style import Style
from textual import events
from textual.widgets import DataTable

from . import columns as col
from .typeahead import TypeAhead

R = TypeVar("R")


class FittedTable(TypeAhead, DataTable, Generic[R]):
    """Subclasses name their COLUMNS and say how a record reads (values) and stands out
    (cell_styles: rich styles taken from the table's component classes, so the CSS decides)."""

    COLUMNS: ClassVar[Sequence[col.Column]] = ()
    ACTIONS_NAME = "Table"

    DEFAULT_CSS = """
    FittedTable {
        height: 1fr;
        scrollbar-size-vertical: 1;
        scrollbar-size-horizontal: 0;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", cell_padding=0, **kwargs)
        self.records: list[R] = []
        self._widths: dict[str, int] = {}
        self._looked_up_styles: dict[str, Style] = {}

    # What a subclass says about its records.

    def key(self, record: R) -> str | None:
        return None

    def values(self, record: R) -> dict[str, str]:
        raise NotImplementedError

    def cell_styles(self, record: R) -> dict[str, Style]:
        return {}

    def component_style(self, name: str) -> Style:
        """A component class's style, looked up once: a lookup costs more than a whole row."""
        style = self._looked_up_styles.get(name)
        if style is None:
            style = self._looked_up_styles[name] = self.get_component_rich_style(name, partial=True)
        return style

    def notify_style_update(self) -> None:
        self._looked_up_styles.clear()
        super().notify_style_update()

    def usable_width(self, width: int) -> int:
        """The width the columns share: the table's, less its scrollbar."""
        return width - self.styles.scrollbar_size_vertical

    # Showing records.

    @property
    def highlighted(self) -> R | None:
        if not 0 <= self.cursor_row < len(self.records):
            return None
        return self.records[self.cursor_row]

    def on_resize(self, event: events.Resize) -> None:
        widths = col.fit(self.COLUMNS, self.usable_width(event.size.width))
        if widths != self._widths:
            self._widths = widths
            self.show(self.records, self.cursor_row)

    def show(self, records: Iterable[R], cursor_row: int = 0) -> None:
        """Replace every row, then put the cursor on cursor_row (clamped to the rows)."""
        self.records = list(records)
        self.clear(columns=True)
        if not self._widths:
            self._widths = col.fit(self.COLUMNS, self.usable_width(self.size.width or 80))
        label = col.header(self.COLUMNS, self._widths)
        self.add_column(label, width=len(label), key="row")
        self._add(self.records)
        if self.records:
            self.move_cursor(row=min(max(cursor_row, 0), len(self.records) - 1))

    def append(self, records: Iterable[R]) -> None:
        """Add records at the end, skipping any whose key is already shown."""
        new = [r for r in records if (k := self.key(r)) is None or k not in self.rows]
        self.records.extend(new)
        self._add(new)

    def _add(self, records: list[R]) -> None:
        for record in records:
            text = col.line(
                self.COLUMNS, self._widths, self.values(record), self.cell_styles(record)
            )
            self.add_row(text, key=self.key(record))
