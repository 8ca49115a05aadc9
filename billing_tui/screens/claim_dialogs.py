"""The claim editor's dialogs: why a status moves, the claim's history, and the two versions of
a claim that someone else saved meanwhile."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Static

from ..domain import icd10
from ..domain.claims import ClaimStatus
from ..domain.money import format_cents
from ..store.records import ClaimDetail, StatusChangeRecord
from ..widgets.fields import Field
from ..widgets.key_bar import KeyBar
from .once import DismissOnce

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 76;
    max-width: 100%;
    height: auto;
    max-height: 100%;
    border: round $primary;
    border-title-style: bold;
    background: $surface;
    padding: 0 1;
}}
{name} .dialog-note {{ color: $text-muted; }}
{name} #reason-message.-error {{ color: $text-error; text-style: bold; }}
"""


class ReasonDialog(DismissOnce, ModalScreen[str | None]):
    """One line of why; Enter takes it, Escape cancels. Dismisses with the text or None."""

    ACTIONS_NAME = "Reason"
    AUTO_FOCUS = "#reason"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="reason.cancel", tooltip="change nothing"),
        Binding("enter", "done", "OK", id="reason.done", tooltip="go ahead with this reason"),
    ]
    DEFAULT_CSS = DIALOG_CSS.format(name="ReasonDialog")

    def __init__(self, title: str, note: str, *, required: bool = True) -> None:
        super().__init__()
        self.title_text = title
        self.note = note
        self.required = required

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.title_text
            yield Label(self.note, classes="dialog-note", markup=False)
            yield Field(placeholder="why, in a few words", max_length=200, id="reason")
            yield Label("", id="reason-message")
        yield KeyBar()

    def action_done(self) -> None:
        reason = " ".join(self.query_one("#reason", Input).value.split())
        if self.required and not reason:
            message = self.query_one("#reason-message", Label)
            message.update("Type the reason: the claim's history keeps it.")
            message.add_class("-error")
            return
        self.dismiss(reason)

    def action_cancel(self) -> None:
        self.dismiss(None)


def status_label(status: str | None) -> str:
    if not status:
        return ""
    try:
        return ClaimStatus(status).label
    except ValueError:
        return status


def local_time(at: dt.datetime) -> str:
    """Changes are stamped in UTC; a person reads local time."""
    return at.replace(tzinfo=dt.UTC).astimezone().strftime("%m/%d/%y %H:%M")


class HistoryDialog(DismissOnce, ModalScreen[None]):
    """Every status change of the claim: when, from what to what, who, and why."""

    ACTIONS_NAME = "History"
    BINDINGS = [
        Binding("escape,f5", "dismiss", "Close", id="history.close", tooltip="close the history"),
    ]
    DEFAULT_CSS = (
        DIALOG_CSS.format(name="HistoryDialog")
        + """
    HistoryDialog DataTable { height: auto; max-height: 16; scrollbar-size: 1 0; }
    """
    )

    def __init__(self, claim_number: str, history: Sequence[StatusChangeRecord]) -> None:
        super().__init__()
        self.claim_number = claim_number
        self.history = list(history)

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = f"History of claim {self.claim_number}"
            yield DataTable(cursor_type="row", cell_padding=0, id="history")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, width in (("When", 15), ("From", 10), ("To", 15), ("Who", 11), ("Why", 21)):
            table.add_column(label, width=width)
        for change in self.history:
            table.add_row(
                local_time(change.at),
                status_label(change.from_status) or "(new)",
                status_label(change.to_status),
                change.user or "unknown",
                Text(change.reason or "", overflow="ellipsis", no_wrap=True),
            )
        if self.history:
            table.move_cursor(row=len(self.history) - 1)  # the latest change
        table.focus()


@dataclass(frozen=True)
class ClaimVersion:
    """A claim as one side of a conflict shows it."""

    title: str
    status: str
    diagnoses: tuple[str, ...]
    lines: tuple[tuple[str, str, str, int, int], ...]  # DOS, code, modifiers, units, charge

    @property
    def total(self) -> int:
        return sum(line[4] for line in self.lines)

    @classmethod
    def of(cls, title: str, detail: ClaimDetail) -> ClaimVersion:
        return cls(
            title=title,
            status=status_label(detail.status),
            diagnoses=tuple(icd10.display(code) for code in detail.diagnoses),
            lines=tuple(
                (
                    f"{line.dos_from:%m/%d/%y}",
                    line.code,
                    " ".join(line.modifiers),
                    line.units,
                    line.charge,
                )
                for line in detail.lines
            ),  # fmt: skip
        )

    def text(self) -> str:
        lines = [
            self.title,
            f"{self.status} · {len(self.lines)} line{'s' * (len(self.lines) != 1)} · "
            f"total {format_cents(self.total)}",
            "Dx " + " ".join(self.diagnoses),
        ]
        for dos, code, modifiers, units, charge in self.lines:
            lines.append(f"{dos} {code:<5} {modifiers:<5.5} {units:>3} {format_cents(charge):>10}")
        return "\n".join(lines)


class ConflictDialog(DismissOnce, ModalScreen[str]):
    """Both versions side by side; nothing was saved. Dismisses with "reload" or "keep"."""

    ACTIONS_NAME = "Conflict"
    BINDINGS = [
        Binding("r", "reload", "Reload theirs", id="conflict.reload",
                tooltip="drop your changes and show the saved claim"),
        Binding("escape,k", "keep", "Keep editing", id="conflict.keep",
                tooltip="keep your changes on screen (saving will conflict again)"),
    ]  # fmt: skip
    DEFAULT_CSS = (
        DIALOG_CSS.format(name="ConflictDialog")
        + """
    ConflictDialog > Vertical { border: thick $error; }
    ConflictDialog Horizontal { height: auto; max-height: 16; }
    ConflictDialog .version { width: 1fr; height: auto; margin-right: 1; }
    """
    )

    def __init__(self, yours: ClaimVersion, theirs: ClaimVersion) -> None:
        super().__init__()
        self.yours = yours
        self.theirs = theirs

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Changed by someone else: nothing was saved"
            yield Label(
                "Someone saved this claim after you opened it. Compare, then reload theirs "
                "(r) or keep editing yours (Esc).",
                classes="dialog-note",
            )
            with Horizontal():
                yield Static(self.yours.text(), classes="version", id="yours", markup=False)
                yield Static(self.theirs.text(), classes="version", id="theirs", markup=False)
        yield KeyBar()

    def action_reload(self) -> None:
        self.dismiss("reload")

    def action_keep(self) -> None:
        self.dismiss("keep")
