"""Which pages of the account queue the screen holds: a sliding window over the Store's pages.

The Store pages by cursor (the sort key of a page's last row), not by offset.
The window remembers where every page it has seen starts, holds at most
MAX_PAGES consecutive pages, and drops pages from the far end as the
specialist scrolls, so the table stays small at a million accounts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..store.records import QueueCursor, QueuePage, QueueRow

PAGE_ROWS = 50
MAX_PAGES = 10
"""Pages held at once: 500 rows, far more than anyone scrolls through at a sitting."""


@dataclass
class QueueWindow:
    starts: list[QueueCursor | None] = field(default_factory=lambda: [None])
    first: int = 0  # index of the first page held
    pages: list[tuple[QueueRow, ...]] = field(default_factory=list)
    end: QueueCursor | None = None  # where the page after the last held one starts
    max_pages: int = MAX_PAGES

    def reset(self, page: QueuePage) -> None:
        """The first page of a new search or filter."""
        self.starts = [None]
        self.first = 0
        self.pages = [page.rows]
        self._set_end(0, page.next_cursor)

    @property
    def more_below(self) -> bool:
        return self.end is not None

    @property
    def more_above(self) -> bool:
        return self.first > 0

    @property
    def next_index(self) -> int:
        return self.first + len(self.pages)

    @property
    def previous_start(self) -> QueueCursor | None:
        return self.starts[self.first - 1]

    @property
    def rows_above(self) -> int:
        """About how many rows the dropped top pages held (a duplicate may be counted twice)."""
        return self.first * PAGE_ROWS

    def append(self, page: QueuePage) -> bool:
        """Add the next page; True when the first page was dropped to make room."""
        index = self.next_index
        self.pages.append(page.rows)
        self._set_end(index, page.next_cursor)
        if len(self.pages) > self.max_pages:
            self.pages.pop(0)
            self.first += 1
            return True
        return False

    def prepend(self, page: QueuePage) -> None:
        """Add back the page before the first one held, dropping the last page if over the cap."""
        self.first -= 1
        self.pages.insert(0, page.rows)
        if len(self.pages) > self.max_pages:
            self.pages.pop()
            self.end = self.starts[self.next_index]

    def replace(self, pages: list[QueuePage]) -> None:
        """The same pages read again (after a change), chained from the first page's start."""
        self.pages = [p.rows for p in pages]
        for offset, page in enumerate(pages):
            self._set_end(self.first + offset, page.next_cursor)

    def rows(self) -> list[QueueRow]:
        """The held rows in queue order, each account once (a claim search can find one twice)."""
        seen: set[int] = set()
        result: list[QueueRow] = []
        for page in self.pages:
            for row in page:
                if row.patient_id not in seen:
                    seen.add(row.patient_id)
                    result.append(row)
        return result

    def _set_end(self, index: int, cursor: QueueCursor | None) -> None:
        del self.starts[index + 1 :]
        self.starts.append(cursor)
        self.end = cursor
