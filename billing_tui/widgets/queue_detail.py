"""Under the queue: the highlighted account in words, spelling out what the narrow columns cut."""

from __future__ import annotations

import datetime as dt

from textual.widgets import Static

from ..domain.dates import format_date
from ..store.records import QueueRow


def describe_account(row: QueueRow, today: dt.date) -> tuple[str, str]:
    """Two lines: who and why flagged; then the oldest open charge, last payment, follow-up."""
    who = [row.name.upper(), f"DOB {format_date(row.dob)}", row.primary_payer]
    if row.flags:
        who.append(", ".join(flag.label for flag in row.flags))
    when = []
    if row.oldest_open_dos is not None:
        days = (today - row.oldest_open_dos).days
        when.append(f"Oldest DOS {format_date(row.oldest_open_dos)} ({days} d)")
    else:
        when.append("No open charges")
    paid = format_date(row.last_payment_date) if row.last_payment_date else "never"
    when.append(f"Last paid {paid}")
    if row.next_follow_up is not None:
        due = " due" if row.follow_up_due else ""
        when.append(f"F/U {format_date(row.next_follow_up)}{due}")
    return " · ".join(who), " · ".join(when)


class QueueDetail(Static):
    """Two lines about the highlighted account; '-due' when its follow-up is due."""

    DEFAULT_CSS = """
    QueueDetail {
        height: 2;
        padding: 0 0;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        background: $boost;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(markup=False, **kwargs)

    def show(self, row: QueueRow | None, today: dt.date, empty: str = "") -> None:
        self.set_class(row is not None and row.follow_up_due, "-due")
        if row is None:
            self.update(empty)
            return
        first, second = describe_account(row, today)
        self.update(f"{first}\n{second}")
