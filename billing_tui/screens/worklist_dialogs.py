"""The worklists' dialogs: close an item with what was done, and match an ERA claim that
the import could not place to one of our claims.

Each dialog makes its own Store call, so a refusal (an empty resolution, a voided
claim) shows in the dialog with what was typed still there.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Static

from ..domain.dates import format_date
from ..domain.money import format_cents
from ..store import StoreRefused
from ..store.records import ClaimToPost, WorkItemRow
from ..widgets import columns as col
from ..widgets.fields import Field
from ..widgets.fitted_table import FittedTable
from ..widgets.key_bar import KeyBar
from ..widgets.typeahead import replay
from .errors import ReportsFailures
from .once import DismissOnce

if TYPE_CHECKING:
    from ..app import BillingApp

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 78;
    max-width: 100%;
    height: auto;
    max-height: 100%;
    border: round $primary;
    border-title-style: bold;
    background: $surface;
    padding: 0 1;
}}
{name} .dialog-note {{ color: $text-muted; }}
{name} #message {{ height: auto; min-height: 1; }}
{name} #message.-error {{ color: $text-error; text-style: bold; }}
"""

KIND_WORDS = {"denial": "denial", "exception": "ERA exception", "secondary": "crossover"}

CLAIM_STATUS_WORDS = {
    "1": "processed as primary",
    "2": "processed as secondary",
    "3": "processed as tertiary",
    "4": "denied",
    "19": "primary, forwarded",
    "20": "secondary, forwarded",
    "21": "tertiary, forwarded",
    "22": "reversal",
    "23": "not this payer's claim",
    "25": "predetermination",
}

ERA_LINES_SHOWN = 6


def item_title(item: WorkItemRow) -> str:
    """'denial 10000029-1 · PETERS, CLAIRE': which item a dialog is about."""
    who = item.patient_name.upper() or "no account"
    return f"{KIND_WORDS.get(item.kind, item.kind)} {item.claim_number} · {who}"


def adjustments_text(adjustments) -> str:
    """[["CO", "45", 5000], ...] -> 'CO-45 50.00, PR-2 10.00'."""
    return ", ".join(
        f"{group}-{reason} {format_cents(cents)}" for group, reason, cents in adjustments
    )


def describe_era_claim(detail: str) -> list[str]:
    """What the payer's 835 said of one claim (the JSON the import kept), in lines to read:
    the claim, the patient, the money, then each service line."""
    data = json.loads(detail)
    status = str(data.get("status", ""))
    last, first, member = (list(data.get("patient") or []) + ["", "", ""])[:3]
    name = ", ".join(part for part in (last, first) if part) or "no name"
    head = f"ERA claim {data.get('claim', '')} · {CLAIM_STATUS_WORDS.get(status, 'status')} "
    head += f"({status})"
    if data.get("icn"):
        head += f" · payer claim {data['icn']}"
    lines = [head, f"Patient {name}" + (f" · member ID {member}" if member else "")]
    money = (
        f"Charge {format_cents(data.get('charge', 0))} · paid {format_cents(data.get('paid', 0))}"
    )
    if data.get("adjustments"):
        money += f" · claim adjustments {adjustments_text(data['adjustments'])}"
    lines.append(money)
    services = data.get("lines") or []
    for service in services[:ERA_LINES_SHOWN]:
        date = service.get("date")
        when = format_date(dt.date.fromisoformat(date), short=True) if date else "no date "
        code = " ".join([service.get("code", ""), *service.get("modifiers", [])])
        text = (
            f"  {when} {code:<11} {format_cents(service.get('charge', 0)):>9} "
            f"paid {format_cents(service.get('paid', 0)):>9}"
        )
        if service.get("adjustments"):
            text += f"  {adjustments_text(service['adjustments'])}"
        if service.get("remarks"):
            text += " " + " ".join(service["remarks"])
        lines.append(text)
    if len(services) > ERA_LINES_SHOWN:
        lines.append(f"  … and {len(services) - ERA_LINES_SHOWN} more lines")
    if not services:
        lines.append("  (no service lines: the claim is answered as a whole)")
    return lines


def era_patient(detail: str) -> str:
    """The patient the ERA names, as find_claims reads a name: 'last, first' ('' if none)."""
    last, first, _member = (list(json.loads(detail).get("patient") or []) + ["", "", ""])[:3]
    if not last:
        return ""
    return f"{last}, {first}" if first else last


# --------------------------------------------------------------------------- closing an item


class CloseItemDialog(DismissOnce, ReportsFailures, ModalScreen[bool | None]):
    """One line of what was done (appealed, corrected and resent, written off...); Enter closes
    the item, Escape cancels. Dismisses with True once the item is closed."""

    ACTIONS_NAME = "Close item"
    AUTO_FOCUS = "#resolution"
    app: BillingApp

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="close_item.cancel", tooltip="close nothing"),
        Binding(
            "enter", "save", "Close item", id="close_item.save", tooltip="close it with this note"
        ),
    ]
    DEFAULT_CSS = DIALOG_CSS.format(name="CloseItemDialog")

    def __init__(self, item: WorkItemRow) -> None:
        super().__init__()
        self.item = item
        self._saving = False

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = f"Close {item_title(self.item)}"
            yield Static(self.item.reason, classes="dialog-note", markup=False)
            yield Field(
                placeholder="what was done: appealed, corrected and resent, written off…",
                max_length=200,
                id="resolution",
            )
            yield Label("", id="message")
        yield KeyBar()

    def _say(self, message: str, *, error: bool = False) -> None:
        label = self.query_one("#message", Label)
        label.update(message)
        label.set_class(error, "-error")

    def action_save(self) -> None:
        if self._saving:
            return  # a second Enter must not close it twice
        self._saving = True
        self._save(self.query_one("#resolution", Input).value)

    @work(group="close-item", exit_on_error=False)
    async def _save(self, resolution: str) -> None:
        self._say("Closing…")
        try:
            await self.app.call_store(
                self.app.store.posting.close_work_item, self.item.id, " ".join(resolution.split())
            )
        except StoreRefused as refused:
            self._say(f"Not closed: {refused}.", error=True)
            return
        finally:
            self._saving = False
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(None)


# --------------------------------------------------------------------------- matching


class CandidateTable(FittedTable[ClaimToPost]):
    """Our claims that the ERA claim could be posted to; Enter posts to the highlighted one."""

    ACTIONS_NAME = "Claims found"
    BINDINGS = [
        Binding(
            "enter",
            "select_cursor",
            "Post",
            show=False,  # the dialog's F10 Post is on the bar; the message line says Enter
            id="match.post_highlighted",
            tooltip="post the ERA claim to the highlighted claim",
        ),
    ]

    COLUMNS = (
        col.Column("claim", "Claim", 11),
        col.Column("patient", "Patient", 10, flex=1),
        col.Column("dos", "DOS", 8),
        col.Column("payer", "Payer", 7, flex=1, most=14, ellipsis=False),
        col.Column("charge", "Charge", 9, right=True),
        col.Column("insurance", "Ins bal", 8, right=True),
        col.Column("status", "Status", 9),
    )
    DEFAULT_CSS = """
    CandidateTable { height: auto; max-height: 6; }
    """

    def key(self, record: ClaimToPost) -> str:
        return str(record.id)

    def type_key(self, event: events.Key) -> bool:
        """A letter or digit typed on the list is a new search, and Up on its first row
        goes back to the search: the search box gets the focus (and the key)."""
        if event.is_printable or (event.key == "up" and self.cursor_row == 0):
            search = self.screen.query_one("#find", Input)
            # At once, not focus()'s later: the key and those typed after it go to the search.
            self.screen.set_focus(search)
            if event.is_printable:
                search.value = ""
                replay(self, event.key, event.character)
            return True
        return False

    def values(self, record: ClaimToPost) -> dict[str, str]:
        return {
            "claim": record.claim_number,
            "patient": record.patient_name.upper(),
            "dos": col.short_date(record.first_dos),
            "payer": record.payer,
            "charge": col.money(record.charge, 9),
            "insurance": col.money(record.insurance_balance),
            "status": record.status,
        }


@dataclass(frozen=True, slots=True)
class Matched:
    """The ERA claim was posted: the payment, and our claim it went to."""

    payment_id: int
    claim_number: str


class MatchDialog(DismissOnce, ReportsFailures, ModalScreen[Matched | None]):
    """What the ERA said of a claim the import could not place, and a search for ours.

    Type a claim number (or account, payer claim number, "last, first") and Enter:
    the claims found are listed and the cursor moves to them; Enter (or F10) on one
    posts the ERA claim to it. Keys typed while a search is on its way wait for its
    answer. Dismisses with Matched, or None when cancelled.
    """

    ACTIONS_NAME = "Match"
    AUTO_FOCUS = "#find"
    app: BillingApp

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="match.cancel", tooltip="post nothing"),
        Binding("enter", "find", "Find", id="match.find", tooltip="find the claims typed"),
        Binding(
            "down", "to_list", "List", show=False, id="match.to_list", tooltip="go to the claims"
        ),
        Binding(
            "f10,ctrl+s",
            "post",
            "Post",
            id="match.post",
            tooltip="post the ERA claim to the highlighted claim",
        ),
    ]
    DEFAULT_CSS = (
        DIALOG_CSS.format(name="MatchDialog")
        + """
    MatchDialog #era { height: auto; max-height: 9; }
    MatchDialog #find { margin: 1 0 0 0; }
    """
    )

    def __init__(self, item: WorkItemRow) -> None:
        super().__init__()
        self.item = item
        self._busy = True  # reading the ERA claim, then a search or the posting
        self._held: list[tuple[str, str | None]] = []

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = f"Match {item_title(self.item)}"
            yield Static("Reading what the ERA said…", id="era", markup=False)
            yield Field(
                placeholder="our claim: number, account, payer claim number or last, first",
                max_length=60,
                id="find",
            )
            yield CandidateTable()
            yield Label("", id="message")
        yield KeyBar()

    @property
    def candidates(self) -> CandidateTable:
        return self.query_one(CandidateTable)

    def on_mount(self) -> None:
        self._load()

    def _say(self, message: str, *, error: bool = False) -> None:
        label = self.query_one("#message", Label)
        label.update(message)
        label.set_class(error, "-error")

    @work(exclusive=True, group="match-read", exit_on_error=False)
    async def _load(self) -> None:
        """What the ERA said, and the claims of the patient it names (often the one)."""
        try:
            detail = await self.app.call_store(self.app.store.remittances.era_claim, self.item.id)
            self.query_one("#era", Static).update("\n".join(describe_era_claim(detail)))
            named = era_patient(detail)
            found: list[ClaimToPost] = []
            if named:
                found = await self.app.call_store(self.app.store.posting.find_claims, named)
            self._show(found, focus=False)
            if found:
                self._say(f"Claims of {named.upper()}: ↓ to choose one, or type a search.")
            else:
                self._say("Type our claim number (or account, or last, first) and Enter.")
        finally:
            self._done()

    def _done(self) -> None:
        self._busy = False
        self.refresh_bindings()
        held, self._held = self._held, []
        for key, character in held:
            replay(self, key, character)

    def hold_key(self, key: str, character: str | None) -> bool:
        """Keys typed while a search is on its way wait for its answer (see TypeAhead)."""
        if not self._busy and not self._held:
            return False
        self._held.append((key, character))
        return True

    def _show(self, found: list[ClaimToPost], *, focus: bool) -> None:
        self.candidates.show(found)
        self.candidates.display = bool(found)
        if found and focus:
            self.candidates.focus()
        self.refresh_bindings()

    # ------------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "post":
            return (not self._busy and self.candidates.highlighted is not None) or None
        if action in ("find", "to_list"):
            # On the list, Enter and Down are the list's own (post, next claim).
            return self.focused is not self.candidates
        return True

    def action_find(self) -> None:
        typed = self.query_one("#find", Input).value.strip()
        if not typed:
            if self.candidates.highlighted is not None:
                self.candidates.focus()
            else:
                self._say("Type our claim number (or account, or last, first) first.", error=True)
            return
        self._busy = True
        self._find(typed)

    @work(exclusive=True, group="match-find", exit_on_error=False)
    async def _find(self, typed: str) -> None:
        self._say(f"Finding {typed}…")
        try:
            found = await self.app.call_store(self.app.store.posting.find_claims, typed)
            self._show(found, focus=True)
            if not found:
                self._say(f"No claim matches {typed!r}.", error=True)
            elif len(found) == 1:
                self._say(f"Enter posts the ERA claim to {found[0].claim_number}.")
            else:
                self._say(f"{len(found)} claims: choose one, Enter posts to it.")
        finally:
            self._done()

    def action_to_list(self) -> None:
        if self.candidates.highlighted is not None:
            self.candidates.focus()

    @on(DataTable.RowSelected, "CandidateTable")
    def _candidate_chosen(self) -> None:
        self.action_post()

    def action_post(self) -> None:
        claim = self.candidates.highlighted
        if claim is None or self._busy:
            return
        self._busy = True
        self._post(claim)

    @work(exclusive=True, group="match-post", exit_on_error=False)
    async def _post(self, claim: ClaimToPost) -> None:
        self._say(f"Posting to {claim.claim_number}…")
        try:
            payment_id = await self.app.call_store(
                self.app.store.remittances.resolve_exception, self.item.id, claim.id
            )
        except StoreRefused as refused:
            self._say(f"Not posted to {claim.claim_number}: {refused}.", error=True)
            self._done()
            return
        except BaseException:
            self._done()
            raise
        self._busy = False
        held, self._held = self._held, []
        self.dismiss(Matched(payment_id, claim.claim_number))
        for key, character in held:  # typed after the Enter that posted: the worklist's
            replay(self, key, character)

    def action_cancel(self) -> None:
        self.dismiss(None)
