"""The posting screens' dialogs: open a batch, change its control total, deny a claim.

Enter moves to the next field and, on the last, does the thing; ctrl+s does it
from anywhere; Escape cancels. A field that cannot be read keeps the focus with
the message under it, and nothing is changed. The dialogs that change the
Store call it themselves, so a refusal shows here with the text still typed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from ..domain.dates import DateError, format_date, parse_date
from ..domain.money import MoneyError, format_cents, parse_cents
from ..store import StoreConflict, StoreRefused
from ..store.records import BatchDraft, BatchView, ClaimToPost, EobPosting, PayerRecord
from ..widgets.fields import Field
from ..widgets.key_bar import KeyBar
from ..widgets.letter_choice import LetterChoice
from ..widgets.payer_pick import PayerPick
from ..widgets.typeahead import replay
from .choice import ChoiceDialog, Picked
from .errors import ReportsFailures
from .once import DismissOnce

if TYPE_CHECKING:
    from ..app import BillingApp

T = TypeVar("T")

GROUPS = ("CO", "PR", "OA", "PI", "CR")
_CARC = re.compile(r"^(?:(?P<group>[A-Z]{2})-?)?(?P<code>[A-Z]?\d{1,3})$")
_RARC = re.compile(r"^(?:MA|N|M)\d{1,3}$")


class Invalid(ValueError):
    """A field that cannot be used: `field` is its id, the text says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def read_amount(text: str, field: str, what: str) -> int:
    """An amount typed in a dialog: 0.00 or more, in cents."""
    if not text.strip():
        raise Invalid(field, f"Type the {what} (0.00 if none).")
    try:
        cents = parse_cents(text)
    except MoneyError as error:
        raise Invalid(field, f"{what.capitalize()}: {error}.") from None
    if cents < 0:
        raise Invalid(field, f"The {what} cannot be negative.")
    return cents


def denial_codes(text: str) -> tuple[str, ...]:
    """The reasons of a denial as typed ("CO-16 N290", "16, MA130"): CARCs with their group
    (a bare CARC is CO), then RARCs; Invalid unless there is at least one CARC."""
    carcs: list[str] = []
    rarcs: list[str] = []
    for token in re.split(r"[\s,;]+", text.strip().upper()):
        if not token:
            continue
        if _RARC.match(token):
            rarcs.append(token)
            continue
        match = _CARC.match(token)
        if match is None or (match["group"] and match["group"] not in GROUPS):
            raise Invalid(
                "codes",
                f"{token[:12]!r} is neither a CARC (CO-16; 16 alone is CO-16) "
                "nor a RARC (N290, M51, MA130).",
            )
        carcs.append(f"{match['group'] or 'CO'}-{match['code']}")
    if not carcs:
        raise Invalid("codes", "Type the denial's reason code (CARC), e.g. CO-16; RARCs after it.")
    return tuple(dict.fromkeys(carcs + rarcs))


class PostingDialog(DismissOnce, ReportsFailures, ModalScreen[T]):
    """A small form: a bordered box of labelled one-line fields, a message line, the keys."""

    app: BillingApp
    FIELD_ORDER: tuple[str, ...] = ()

    DEFAULT_CSS = """
    PostingDialog { align: center middle; }
    PostingDialog > Vertical {
        width: 64;
        max-width: 100%;
        height: auto;
        border: round $primary;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    PostingDialog Grid {
        grid-size: 2;
        grid-columns: 13 1fr;
        grid-rows: 1;
        grid-gutter: 0 1;
        height: auto;
    }
    PostingDialog Label:disabled { color: $text-disabled; }
    PostingDialog .-invalid { text-style: underline; }
    PostingDialog #about { height: auto; color: $text-muted; }
    PostingDialog #message { height: auto; min-height: 1; }
    PostingDialog #message.-error { color: $text-error; text-style: bold; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._busy = False

    def say(self, message: str, *, error: bool = False) -> None:
        label = self.query_one("#message", Static)
        label.update(message)
        label.set_class(error, "-error")

    def refuse(self, invalid: Invalid) -> None:
        """Say why, mark the field, and put the cursor on it."""
        self.say(str(invalid), error=True)
        field = self.query_one(f"#{invalid.field}")
        field.add_class("-invalid")
        self.set_focus(field)

    def clear_marks(self) -> None:
        for widget in self.query(".-invalid"):
            widget.remove_class("-invalid")

    def check_field(self, field_id: str) -> None:
        """Invalid when the field cannot be left as it is."""

    def action_next_field(self) -> None:
        focused = self.focused
        current = focused.id if focused is not None else None
        try:
            if current is not None:
                self.check_field(current)
        except Invalid as invalid:
            self.refuse(invalid)
            return
        if focused is not None:
            focused.remove_class("-invalid")
        if current == self._last_field():
            self.action_save()
            return
        self.focus_next()

    def _last_field(self) -> str:
        enabled = [f for f in self.FIELD_ORDER if not self.query_one(f"#{f}").disabled]
        return enabled[-1]

    def action_save(self) -> None:
        raise NotImplementedError

    def action_cancel(self) -> None:
        if not self._busy:
            self.dismiss(None)


# --------------------------------------------------------------------------- new batch


class BatchPayerPick(PayerPick):
    """The batch's payer. Once picked from the list the cursor is on the next field at once
    (not a turn later, as focus() would): the check number typed next goes there."""

    def action_open(self, letter: str | None = None) -> None:
        def picked(choice: Picked[int] | None) -> None:
            screen = self.screen
            if choice is None:
                self.focus()
                return
            self.value = choice.value
            self.remove_class("-invalid")
            screen.set_focus(self)
            screen.focus_next()

        choices = [(p.name, p.id) for p in self.payers]
        current = self.value if self.value is not None else (choices[0][1] if choices else None)
        self.app.push_screen(ChoiceDialog("Payer", choices, current), picked)
        if letter:
            replay(self, letter, letter)  # the list jumps to the first payer with that letter


KINDS = (("insurance", "insurance"), ("patient", "patient"))
METHODS = (("check", "check"), ("eft", "EFT"))
INSURANCE_ONLY = ("method", "payer", "check")


class NewBatchDialog(PostingDialog[int | None]):
    """Open a batch; dismisses with its id, or None when cancelled."""

    ACTIONS_NAME = "New batch"
    AUTO_FOCUS = "#kind"
    FIELD_ORDER = ("kind", "method", "payer", "check", "deposit", "control")

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="new_batch.cancel", tooltip="open no batch"),
        Binding("ctrl+s", "save", "Open", id="new_batch.save", tooltip="open the batch"),
        Binding(
            "enter",
            "next_field",
            "Next",
            id="new_batch.next_field",
            tooltip="next field (opens the batch on the last)",
        ),
    ]

    def __init__(self, payers: Sequence[PayerRecord], today: dt.date) -> None:
        super().__init__()
        self.payers = [p for p in payers if p.kind != "self_pay"]
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Open a payment batch"
            with Grid():
                yield Label("Payments")
                yield LetterChoice(KINDS, "insurance", id="kind")
                yield Label("Paid by", id="method-label")
                yield LetterChoice(METHODS, "check", id="method")
                yield Label("Payer", id="payer-label")
                yield BatchPayerPick(self.payers, None, id="payer")
                yield Label("Check/EFT #", id="check-label")
                yield Field(placeholder="the check or EFT trace number", max_length=50, id="check")
                yield Label("Deposit date")
                yield Field(
                    format_date(self.today),
                    placeholder="112426, 11/24/26 or 2026-11-24",
                    max_length=10,
                    id="deposit",
                )
                yield Label("Control")
                yield Field(placeholder="the total on the paper: 1,234.56", max_length=16,
                            id="control")  # fmt: skip
            yield Static("", id="message", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.watch(self.query_one("#kind", LetterChoice), "value", self._kind_changed)

    def _kind_changed(self, kind: str) -> None:
        """A patient batch has no payer, method or check number of its own."""
        for field in INSURANCE_ONLY:
            for widget in self.query(f"#{field}, #{field}-label"):
                widget.disabled = kind != "insurance"

    def action_next_field(self) -> None:
        focused = self.focused
        if isinstance(focused, PayerPick) and focused.value is None:
            focused.action_open()  # Enter on an empty payer lists the payers
            return
        super().action_next_field()

    def check_field(self, field_id: str) -> None:
        kind = self.query_one("#kind", LetterChoice).value
        if field_id == "payer" and kind == "insurance":
            if self.query_one(PayerPick).value is None:
                raise Invalid("payer", "Pick the payer: type its first letter.")
        elif field_id == "check" and kind == "insurance":
            if not self.query_one("#check", Input).value.strip():
                raise Invalid("check", "Type the check or EFT trace number from the paper.")
        elif field_id == "deposit":
            self._deposit_date()
        elif field_id == "control":
            read_amount(self.query_one("#control", Input).value, "control", "control total")

    def _deposit_date(self) -> dt.date:
        typed = self.query_one("#deposit", Input).value
        if not typed.strip():
            raise Invalid("deposit", "Type the deposit date.")
        try:
            return parse_date(typed, today=self.today)
        except DateError as error:
            raise Invalid("deposit", f"Deposit date: {error}.") from None

    def action_save(self) -> None:
        if self._busy:
            return  # a second ctrl+s must not open two batches
        self.clear_marks()
        try:
            for field in self.FIELD_ORDER:
                self.check_field(field)
            draft = self._draft()
        except Invalid as invalid:
            self.refuse(invalid)
            return
        self._busy = True
        self._open(draft)

    def _draft(self) -> BatchDraft:
        kind = self.query_one("#kind", LetterChoice).value
        insurance = kind == "insurance"
        return BatchDraft(
            kind=kind,
            deposit_date=self._deposit_date(),
            control_total=read_amount(
                self.query_one("#control", Input).value, "control", "control total"
            ),
            payer_id=self.query_one(PayerPick).value if insurance else None,
            method=self.query_one("#method", LetterChoice).value if insurance else "check",
            check_number=self.query_one("#check", Input).value.strip() if insurance else "",
        )

    @work(group="open-batch", exit_on_error=False)
    async def _open(self, draft: BatchDraft) -> None:
        self.say("Opening…")
        try:
            batch_id = await self.app.call_store(self.app.store.posting.open_batch, draft)
        except StoreRefused as refused:
            self.say(f"Not opened: {refused}.", error=True)
            return
        finally:
            self._busy = False
        self.dismiss(batch_id)


# --------------------------------------------------------------------------- control total


class ControlTotalDialog(PostingDialog[bool | None]):
    """Change a batch's control total; dismisses with True once changed."""

    ACTIONS_NAME = "Control total"
    AUTO_FOCUS = "#control"
    FIELD_ORDER = ("control",)

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="control.cancel", tooltip="keep the total"),
        Binding("enter,ctrl+s", "save", "Save", id="control.save", tooltip="save the new total"),
    ]

    def __init__(self, batch: BatchView) -> None:
        super().__init__()
        self.batch = batch
        self._theirs_shown = False  # a conflict was shown: saving again is a decision

    def compose(self) -> ComposeResult:
        batch = self.batch
        with Vertical() as box:
            box.border_title = f"Control total of batch {batch.id}"
            yield Static(
                f"Posted {format_cents(batch.posted)} of {format_cents(batch.control_total)}: "
                "type the total on the paper.",
                id="about",
                markup=False,
            )
            with Grid():
                yield Label("Control")
                yield Field(format_cents(batch.control_total, grouping=False), max_length=16,
                            id="control")  # fmt: skip
            yield Static("", id="message", markup=False)
        yield KeyBar()

    def action_save(self) -> None:
        if self._busy:
            return
        try:
            cents = read_amount(self.query_one("#control", Input).value, "control", "control total")
        except Invalid as invalid:
            self.refuse(invalid)
            return
        if cents == self.batch.control_total and not self._theirs_shown:
            self.dismiss(None)
            return
        self._busy = True
        self._change(cents)

    @work(group="control-total", exit_on_error=False)
    async def _change(self, cents: int) -> None:
        posting = self.app.store.posting
        try:
            await self.app.call_store(
                posting.set_control_total, self.batch.id, cents, expected_version=self.batch.version
            )
        except StoreConflict:
            await self._show_theirs(cents)
            return
        except StoreRefused as refused:
            self.say(f"Not changed: {refused}.", error=True)
            return
        finally:
            self._busy = False
        self.dismiss(True)

    async def _show_theirs(self, yours: int) -> None:
        """Both versions side by side; nothing is overwritten unless the user saves again."""
        theirs = await self.app.call_store(self.app.store.posting.batch, self.batch.id)
        mine = self.batch
        self.batch = theirs  # saving again is against their version, knowingly
        self._theirs_shown = True
        self.say(
            f"Not changed: someone else changed batch {theirs.id} meanwhile. "
            f"Theirs: control {format_cents(theirs.control_total)}, posted "
            f"{format_cents(theirs.posted)}, {theirs.status}. Yours: control "
            f"{format_cents(yours)} (you had read {format_cents(mine.control_total)}). "
            "Save again to put yours over theirs; Escape keeps theirs.",
            error=True,
        )


# --------------------------------------------------------------------------- denial


class DenialDialog(PostingDialog[bool | None]):
    """Post a claim's denial (no money) with its reasons; dismisses with True once posted."""

    ACTIONS_NAME = "Denial"
    AUTO_FOCUS = "#codes"
    FIELD_ORDER = ("codes", "icn")

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="denial.cancel", tooltip="post no denial"),
        Binding("ctrl+s", "save", "Deny", id="denial.save", tooltip="post the denial"),
        Binding(
            "enter",
            "next_field",
            "Next",
            id="denial.next_field",
            tooltip="next field (posts the denial on the last)",
        ),
    ]

    def __init__(self, batch_id: int, claim: ClaimToPost) -> None:
        super().__init__()
        self.batch_id = batch_id
        self.claim = claim

    def compose(self) -> ComposeResult:
        claim = self.claim
        with Vertical() as box:
            box.border_title = f"Deny claim {claim.claim_number}"
            yield Static(
                f"{claim.patient_name.upper()}, charge {format_cents(claim.charge)}: no money "
                "is posted; the claim goes to the denial worklist.",
                id="about",
                markup=False,
            )
            with Grid():
                yield Label("Reasons")
                yield Field(placeholder="CARC then RARCs: CO-16 N290 (16 alone is CO-16)",
                            max_length=80, id="codes")  # fmt: skip
                yield Label("Payer claim #")
                yield Field(placeholder="the payer's claim number, if on the EOB",
                            max_length=50, id="icn")  # fmt: skip
            yield Static("", id="message", markup=False)
        yield KeyBar()

    def check_field(self, field_id: str) -> None:
        if field_id == "codes":
            codes = denial_codes(self.query_one("#codes", Input).value)
            self.say("Reasons: " + " ".join(codes))

    def action_save(self) -> None:
        if self._busy:
            return
        try:
            codes = denial_codes(self.query_one("#codes", Input).value)
        except Invalid as invalid:
            self.refuse(invalid)
            return
        self._busy = True
        claim = self.claim
        self._deny(
            EobPosting(
                claim.id,
                denied=True,
                denial_reasons=codes,
                payer_claim_number=self.query_one("#icn", Input).value.strip(),
                expected_version=claim.version,
            )
        )

    @work(group="deny", exit_on_error=False)
    async def _deny(self, posting: EobPosting) -> None:
        self.say("Posting the denial…")
        try:
            await self.app.call_store(self.app.store.posting.post_eob, self.batch_id, posting)
        except StoreConflict:
            self.say(f"Not posted: claim {self.claim.claim_number} was changed by someone else. "
                     "Escape, and find it again.", error=True)  # fmt: skip
            return
        except StoreRefused as refused:
            self.say(f"Not posted: {refused}.", error=True)
            return
        finally:
            self._busy = False
        self.dismiss(True)
