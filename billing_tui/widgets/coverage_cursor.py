"""The account's coverages with a cursor: Up and Down pick the coverage that the keys act on."""

from __future__ import annotations

import datetime as dt

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from ..store.records import CoverageRecord
from .coverage_list import CoverageList


class CoverageCursor(CoverageList):
    """A CoverageList whose highlighted block ('-highlight', drawn like a table's cursor) follows
    Up/Down and stays on the same coverage when the list is shown again."""

    ACTIONS_NAME = "Coverages"
    BINDINGS = [
        Binding("up", "move(-1)", "Previous", show=False, tooltip="previous coverage"),
        Binding("down", "move(1)", "Next", show=False, tooltip="next coverage"),
    ]
    DEFAULT_CSS = """
    CoverageCursor > Static.-highlight {
        background: $block-cursor-blurred-background;
        text-style: $block-cursor-blurred-text-style;
    }
    CoverageCursor:focus > Static.-highlight {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    """

    class Highlighted(Message):
        """The highlighted coverage changed (or the list was shown again)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.coverages: tuple[CoverageRecord, ...] = ()
        self.index = 0
        self._wanted: int | None = None  # a coverage to highlight once it is on the list

    @property
    def highlighted(self) -> CoverageRecord | None:
        if 0 <= self.index < len(self.coverages):
            return self.coverages[self.index]
        return None

    def show(self, coverages: tuple[CoverageRecord, ...], today: dt.date, stale_days: int) -> None:
        keep = self.highlighted
        self.coverages = coverages
        ids = [c.id for c in coverages]
        if self._wanted in ids:
            self.index = ids.index(self._wanted)
            self._wanted = None
        elif keep is not None and keep.id in ids:
            self.index = ids.index(keep.id)
        self.index = max(0, min(self.index, len(coverages) - 1))
        super().show(coverages, today, stale_days)
        self.call_after_refresh(self._mark)

    def select(self, coverage_id: int) -> None:
        """Put the cursor on a coverage, now or when it comes on the list (a new one)."""
        ids = [c.id for c in self.coverages]
        if coverage_id in ids:
            self.index = ids.index(coverage_id)
            self._mark()
        else:
            self._wanted = coverage_id

    def _mark(self, tries: int = 3) -> None:
        blocks = list(self.query(Static))
        if self.coverages and len(blocks) != len(self.coverages) and tries:
            self.call_after_refresh(self._mark, tries - 1)  # the new blocks are still mounting
            return
        for number, block in enumerate(blocks):
            block.set_class(bool(self.coverages) and number == self.index, "-highlight")
        if self.coverages and self.index < len(blocks):
            self.scroll_to_widget(blocks[self.index], animate=False)
        self.post_message(self.Highlighted())

    def action_move(self, step: int) -> None:
        if not self.coverages:
            return
        index = max(0, min(self.index + step, len(self.coverages) - 1))
        if index != self.index:
            self.index = index
            self._mark()
