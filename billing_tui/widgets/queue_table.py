"""The account queue's table: ten columns that fit 80 cells, one row per account."""

from __future__ import annotations

import datetime as dt

from rich.style import Style

from ..store.records import QueueRow
from . import columns as col
from .fitted_table import FittedTable


def flag_letters(row: QueueRow, width: int = 4) -> str:
    letters = "".join(flag.value for flag in row.flags)
    return letters if len(letters) <= width else letters[: width - 1] + "+"


class QueueTable(FittedTable[QueueRow], can_focus=False):
    """Accounts in queue order, keyed by patient id so that none is listed twice.

    The search box keeps the focus and the queue screen moves this cursor, so
    the cursor looks the same focused or not. No scrollbar: the status line
    says where the cursor is, and the patient's name needs the column.
    """

    COLUMNS = (
        col.Column("account", "Account", 8),
        col.Column("patient", "Patient", 11, flex=3),
        col.Column("dob", "DOB", 8),
        col.Column("payer", "Payer", 7, flex=1, most=18, ellipsis=False),
        col.Column("insurance", "Ins bal", 8, right=True),
        col.Column("patient_balance", "Pat bal", 8, right=True),
        col.Column("age", "Age", 6),
        col.Column("paid", "Paid", 5),
        col.Column("follow_up", "F/U", 5),
        col.Column("flags", "Flag", 4),
    )
    COMPONENT_CLASSES = {"queue-table--due", "queue-table--credit"}

    DEFAULT_CSS = """
    QueueTable {
        scrollbar-size-vertical: 0;
        & > .datatable--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: bold;
        }
        & > .queue-table--due { text-style: bold reverse; }
        & > .queue-table--credit { text-style: italic; }
    }
    """

    def __init__(self, today: dt.date, **kwargs) -> None:
        super().__init__(**kwargs)
        self.today = today

    def key(self, record: QueueRow) -> str:
        return str(record.patient_id)

    def values(self, record: QueueRow) -> dict[str, str]:
        return {
            "account": record.account_number,
            "patient": record.name.upper(),
            "dob": col.short_date(record.dob),
            "payer": record.primary_payer,
            "insurance": col.money(record.insurance_balance),
            "patient_balance": col.money(record.patient_balance),
            "age": record.age_bucket,
            "paid": col.recent_date(record.last_payment_date, self.today),
            "follow_up": col.recent_date(record.next_follow_up, self.today),
            "flags": flag_letters(record),
        }

    def cell_styles(self, record: QueueRow) -> dict[str, Style]:
        styles = {}
        if record.follow_up_due:
            styles["follow_up"] = self.component_style("queue-table--due")
        if record.total_balance < 0:
            credit = self.component_style("queue-table--credit")
            styles["insurance"] = styles["patient_balance"] = credit
        return styles
