"""The account screen's tables: the ledger with running balances, the claims, the notes."""

from __future__ import annotations

import datetime as dt

from rich.style import Style

from ..domain.claims import ClaimStatus
from ..store.records import ClaimRow, LedgerLine, NoteRecord
from . import columns as col
from .fitted_table import FittedTable

ENTRY_KINDS = {
    "charge": "chg",
    "payment": "pmt",
    "adjustment": "adj",
    "transfer": "xfer",
    "refund": "rfnd",
    "late_fee": "fee",
}


class LedgerTable(FittedTable[LedgerLine]):
    """Every posted entry, oldest first, with both balances as they stood after it.
    A reversed entry and its reversal are dimmed (ledger-table--reversed)."""

    COLUMNS = (
        col.Column("date", "Date", 8),
        col.Column("kind", "Kind", 4),
        col.Column("claim", "Claim", 11),
        col.Column("description", "Description", 10, flex=1),
        col.Column("insurance", "Ins +/-", 8, right=True),
        col.Column("patient", "Pat +/-", 8, right=True),
        col.Column("insurance_balance", "Ins bal", 8, right=True),
        col.Column("patient_balance", "Pat bal", 8, right=True),
    )
    COMPONENT_CLASSES = {"ledger-table--reversed"}
    DEFAULT_CSS = """
    LedgerTable > .ledger-table--reversed { text-style: dim; }
    """

    def values(self, record: LedgerLine) -> dict[str, str]:
        description = record.description
        if record.reversed_by is not None:
            description = f"REVERSED · {description}"
        return {
            "date": col.short_date(record.effective_date),
            "kind": ENTRY_KINDS.get(record.kind, record.kind),
            "claim": record.claim_number,
            "description": description,
            "insurance": col.signed_money(record.insurance_delta),
            "patient": col.signed_money(record.patient_delta),
            "insurance_balance": col.money(record.insurance_balance),
            "patient_balance": col.money(record.patient_balance),
        }

    def cell_styles(self, record: LedgerLine) -> dict[str, Style]:
        if record.reversed_by is None and record.reverses is None:
            return {}
        dim = self.component_style("ledger-table--reversed")
        return {column.key: dim for column in self.COLUMNS}


class ClaimsTable(FittedTable[ClaimRow]):
    COLUMNS = (
        col.Column("claim", "Claim", 11),
        col.Column("dos", "DOS", 8),
        col.Column("status", "Status", 9),
        col.Column("payer", "Payer", 8, flex=1),
        col.Column("rendering", "Rendering", 8, flex=1),
        col.Column("charge", "Charge", 9, right=True),
        col.Column("insurance", "Ins bal", 8, right=True),
        col.Column("patient", "Pat bal", 8, right=True),
    )

    def values(self, record: ClaimRow) -> dict[str, str]:
        try:
            status = ClaimStatus(record.status).value
        except ValueError:
            status = record.status
        return {
            "claim": record.claim_number,
            "dos": col.short_date(record.first_dos),
            "status": status,
            "payer": record.payer_name,
            "rendering": record.rendering.upper(),
            "charge": col.money(record.charge, 9),
            "insurance": col.money(record.insurance_balance),
            "patient": col.money(record.patient_balance),
        }


def note_date(created_at: dt.datetime) -> dt.date:
    """Notes are stamped in UTC; a person reads the local date."""
    return created_at.replace(tzinfo=dt.UTC).astimezone().date()


def note_kind(record: NoteRecord) -> str:
    return f"{record.kind} {record.direction}".strip()


def follow_up_state(record: NoteRecord) -> str:
    if record.follow_up is None:
        return ""
    return "done" if record.done else "open"


class NotesTable(FittedTable[NoteRecord]):
    """Notes and contacts, newest first; an open follow-up that is due stands out."""

    COLUMNS = (
        col.Column("date", "Date", 8),
        col.Column("author", "By", 8),
        col.Column("kind", "Kind", 9),
        col.Column("text", "Note", 20, flex=1),
        col.Column("follow_up", "F/U", 8),
        col.Column("state", "Done", 4),
    )
    COMPONENT_CLASSES = {"notes-table--due"}
    DEFAULT_CSS = """
    NotesTable > .notes-table--due { text-style: bold reverse; }
    """

    def __init__(self, today: dt.date, **kwargs) -> None:
        super().__init__(**kwargs)
        self.today = today

    def key(self, record: NoteRecord) -> str:
        return str(record.id)

    def values(self, record: NoteRecord) -> dict[str, str]:
        text = f"{record.outcome}: {record.text}" if record.outcome else record.text
        return {
            "date": col.short_date(note_date(record.created_at)),
            "author": record.author,
            "kind": note_kind(record),
            "text": " ".join(text.split()),
            "follow_up": col.short_date(record.follow_up),
            "state": follow_up_state(record),
        }

    def cell_styles(self, record: NoteRecord) -> dict[str, Style]:
        if record.follow_up is None or record.done or record.follow_up > self.today:
            return {}
        return {"follow_up": self.component_style("notes-table--due")}
