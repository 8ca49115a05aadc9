"""One payment batch: its header always on top (payer, check, deposit date, control total,
posted, unapplied, status) and, for an insurance batch, a paper EOB typed claim by claim.

Heads-down: type the claim number and Enter; the claim's lines appear with the
cursor on the first allowed amount. On each line: allowed, Enter, the patient's
share (Enter alone for none), Enter; CO-45 and paid are worked out as one
types. F10 posts the claim, and the cursor is back in the claim search for the
next one. F6 posts a denial instead, F7 changes the control total, F8 closes the
batch once it balances to the cent. Escape drops the claim (asking first when
something was typed), or goes back to the batches.

Keys typed while the Store finds or posts a claim wait for it (see TypeAhead):
the amounts typed ahead land in the claim's lines, the next claim number in the
search. When the find or the post fails, the keys after it are dropped: they
were meant for what did not happen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Label, Static

from ..domain.claims import ClaimStatus
from ..domain.money import format_cents
from ..domain.posting import PostingError, refuse_unpayable
from ..store import StoreConflict, StoreRefused
from ..store.records import BatchView, ClaimToPost, EobPosting
from ..widgets import columns as col
from ..widgets.eob_lines import EntryError, EobLines
from ..widgets.fields import Field
from ..widgets.fitted_table import FittedTable
from ..widgets.key_bar import KeyBar
from ..widgets.typeahead import replay
from .errors import ReportsFailures
from .once import DismissOnce

if TYPE_CHECKING:
    from ..app import BillingApp

money = format_cents

HINTS = {
    "allowed": "Allowed, then Enter: CO-45 is the charge less allowed. Enter alone skips the line.",
    "share": "Patient's share: amount, then d deductible, c coinsurance (the default) or "
    "p copay; 50d+20c for two. Enter alone: none.",
    "paid": "Paid: allowed less the patient's share and other adjustments; type over it "
    "if the EOB paid otherwise.",
    "other": "Other adjustment: amount, group and reason, e.g. 1.60 CO-253; several joined with +.",
}
SEARCH_HINT = "Type the claim number (or account, or last, first) and Enter."


class ClaimMatches(FittedTable[ClaimToPost]):
    """The claims a search found when it found more than one: Enter takes one."""

    COLUMNS = (
        col.Column("claim", "Claim", 11),
        col.Column("patient", "Patient", 10, flex=2),
        col.Column("dos", "DOS", 8),
        col.Column("payer", "Payer", 8, flex=1),
        col.Column("status", "Status", 9),
        col.Column("charge", "Charge", 9, right=True),
        col.Column("insurance", "With payer", 10, right=True),
    )
    ACTIONS_NAME = "Claims found"
    # The screen takes the claim in the key's own turn: the amounts typed after Enter then
    # wait for the claim's lines (a RowSelected message would come after them).
    BINDINGS = [
        Binding(
            "enter",
            "screen.take_claim",
            "Take",
            id="batch.take_claim",
            tooltip="post the EOB to the highlighted claim",
        ),
    ]

    def key(self, record: ClaimToPost) -> str:
        return str(record.id)

    def values(self, c: ClaimToPost) -> dict[str, str]:
        return {
            "claim": c.claim_number,
            "patient": c.patient_name.upper(),
            "dos": col.short_date(c.first_dos),
            "payer": c.payer,
            "status": c.status,
            "charge": col.money(c.charge, 9),
            "insurance": col.money(c.insurance_balance, 10),
        }


def batch_title(batch: BatchView) -> str:
    if batch.kind == "insurance":
        how = "EFT" if batch.method == "eft" else "check"
        what = f"Insurance {how} {batch.check_number}"
    else:
        what = "Patient payments"
    era = " (from an ERA)" if batch.source == "era" else ""
    return (
        f"Batch {batch.id} · {what}{era} · deposit {batch.deposit_date:%m/%d/%y} · "
        f"{batch.status.upper()} · {batch.payer if batch.kind == 'insurance' else ''}"
    ).rstrip(" ·")


def batch_money(batch: BatchView, this_claim: int | None) -> Text:
    """Control, posted, unapplied; with a claim typed, what it would leave unapplied."""
    bold = Style(bold=True)
    text = Text(no_wrap=True, end="")
    text.append("Control ")
    text.append(money(batch.control_total), bold)
    text.append("  Posted ")
    text.append(money(batch.posted), bold)
    text.append("  Unapplied " if batch.unapplied >= 0 else "  Beyond control ")
    text.append(money(abs(batch.unapplied)), bold)
    if this_claim is not None:
        left = batch.unapplied - this_claim
        text.append(f" ({money(abs(left))} {'after' if left >= 0 else 'beyond, with'} this claim)")
    return text


class BatchScreen(DismissOnce, ReportsFailures, Screen[None]):
    ACTIONS_NAME = "Batch"
    AUTO_FOCUS = "#search"
    app: BillingApp

    BINDINGS = [
        Binding(
            "enter",
            "next",
            "Next",
            id="batch.next",
            tooltip="find the claim; on to the next amount",
        ),
        Binding(
            "f10,ctrl+s",
            "post",
            "Post",
            id="batch.post",
            tooltip="post the claim's EOB lines",
        ),
        Binding("f6", "deny", "Deny", id="batch.deny", tooltip="post a denial (CARC/RARC codes)"),
        Binding(
            "f7",
            "control",
            "Control",
            id="batch.control",
            tooltip="change the batch's control total",
        ),
        Binding(
            "f8",
            "close_batch",
            "Close",
            id="batch.close",
            tooltip="close the batch once it balances",
        ),
        Binding(
            "escape",
            "back",
            "Back",
            id="batch.back",
            tooltip="drop the claim, or back to batches",
        ),
    ]

    DEFAULT_CSS = """
    BatchScreen #batch-head { height: 2; background: $boost; }
    BatchScreen #batch-title, BatchScreen #batch-money {
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    BatchScreen #batch-title { text-style: bold; }
    BatchScreen #search-line { height: 1; }
    BatchScreen #search-label { width: auto; padding: 0 1 0 0; text-style: bold; }
    BatchScreen #search { width: 1fr; }
    BatchScreen #claim-head { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    BatchScreen ClaimMatches { display: none; }
    BatchScreen.-matches ClaimMatches { display: block; }
    BatchScreen.-matches EobLines { display: none; }
    BatchScreen #patient-note { display: none; height: 1fr; padding: 1 0; }
    BatchScreen.-patient #patient-note { display: block; }
    BatchScreen.-patient EobLines, BatchScreen.-patient #search-line,
    BatchScreen.-patient #claim-head { display: none; }
    BatchScreen #line-info {
        height: 1;
        background: $boost;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    BatchScreen #message { height: 2; }
    BatchScreen #message.-error { color: $text-error; text-style: bold; }
    """

    def __init__(self, batch_id: int) -> None:
        super().__init__()
        self.batch_id = batch_id
        self.batch: BatchView | None = None
        self.claim: ClaimToPost | None = None
        self.last_posted = ""
        self._busy = "batch"  # what the Store is doing: "batch", "find", "post", "close"
        self._held: list[tuple[str, str | None]] = []
        self._asking: Callable[[], None] | None = None  # "discard?" asked: what y does
        self._shown: dict[str, str | Text] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="batch-head"):
            yield Label("Batch", id="batch-title", markup=False)
            yield Label("", id="batch-money", markup=False)
        with Horizontal(id="search-line"):
            yield Label("Claim", id="search-label")
            yield Field(
                placeholder="claim number, account number, or last, first", max_length=60,
                id="search",
            )  # fmt: skip
        yield Label("", id="claim-head", markup=False)
        yield EobLines()
        yield ClaimMatches()
        yield Static("", id="patient-note", markup=False)
        yield Label("", id="line-info", markup=False)
        yield Static(SEARCH_HINT, id="message", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self._load_batch()

    @property
    def lines(self) -> EobLines:
        return self.query_one(EobLines)

    @property
    def search(self) -> Field:
        return self.query_one("#search", Field)

    # ------------------------------------------------------------------ the batch

    @work(exclusive=True, group="batch", exit_on_error=False)
    async def _load_batch(self) -> None:
        first = self.batch is None
        try:
            batch = await self.app.call_store(self.app.store.posting.batch, self.batch_id)
        except Exception:
            if first:
                self._done(ok=False)
            raise
        self._show_batch(batch)
        if first:  # keys typed while the batch opened (F8, the first claim) wait for it
            self._done(ok=True)

    def _show_batch(self, batch: BatchView) -> None:
        first = self.batch is None
        self.batch = batch
        self._show("#batch-title", batch_title(batch))
        self._show_money()
        closed = batch.status != "open"
        self.search.disabled = closed  # nothing more posts into it
        if closed and self.claim is not None:
            self._drop_claim()
        if batch.kind == "patient":
            self.add_class("-patient")
            self._list_payments(batch)
            if first:
                self.say("")
        elif closed and first:
            self.say(f"Batch {batch.id} is closed: nothing more posts into it.")
        self.refresh_bindings()

    @work(exclusive=True, group="batch-payments", exit_on_error=False)
    async def _list_payments(self, batch: BatchView) -> None:
        """A patient batch: its payments, newest first (they are taken on each account)."""
        payments = await self.app.call_store(
            self.app.store.posting.batch_payments, batch.id, limit=12
        )
        count = {0: "no payments", 1: "one payment"}.get(
            batch.payments, f"{batch.payments} payments"
        )
        lines = [f"Patient payments: {count}, {money(batch.posted)} posted. "
                 "Take them on the account (p); F7 control total, F8 close."]  # fmt: skip
        for p in payments:
            how = p.method + (f" {p.card_brand} {p.card_last4}" if p.card_last4 else "")
            how += f" {p.check_number}" if p.check_number else ""
            lines.append(
                f"{p.received_date:%m/%d/%y} {p.account_number:>10} {p.patient_name[:22]:22} "
                f"{how[:18]:18} {money(p.amount):>10}{'  reversed' if p.reversed_by else ''}"
            )
        self.query_one("#patient-note", Static).update("\n".join(lines))

    def _show_money(self) -> None:
        if self.batch is None:
            return
        this_claim = self.lines.totals()["paid"] if self.claim is not None else None
        self._show("#batch-money", batch_money(self.batch, this_claim))

    def _show(self, selector: str, content: str | Text) -> None:
        """Update a line only when what it says changes: every repaint is bytes over SSH."""
        if self._shown.get(selector) != content:
            self._shown[selector] = content
            self.query_one(selector, Label).update(content)

    def say(self, message: str, *, error: bool = False) -> None:
        label = self.query_one("#message", Static)
        label.update(message)
        label.set_class(error, "-error")

    # ------------------------------------------------------------------ keys typed ahead

    def hold_key(self, key: str, character: str | None) -> bool:
        """While the Store finds or posts a claim, keys wait for its answer (see TypeAhead).
        After "discard?", the next key is the answer: y discards, any other keeps."""
        if self._asking is not None and not self._busy and not self._held:
            discard, self._asking = self._asking, None
            if character in ("y", "Y"):
                discard()
            else:
                self.say("Kept: " + HINTS[self.lines.part])
            return True
        if not self._busy and not self._held:
            return False
        self._held.append((key, character))
        return True

    def _done(self, *, ok: bool) -> None:
        """The Store answered: play back the keys that waited (only if it went as typed)."""
        self._busy = ""
        held, self._held = self._held, []
        if ok:
            for key, character in held:
                replay(self, key, character)
        self.refresh_bindings()

    # ------------------------------------------------------------------ finding the claim

    def action_next(self) -> None:
        if self.focused is self.lines:
            self._advance()
        elif self.focused is self.search:
            self._find()

    def _find(self) -> None:
        text = self.search.value.strip()
        if not text:
            self.say(SEARCH_HINT, error=True)
            return
        if self.claim is not None and self.lines.dirty:
            self._ask_discard(self._find_anew)
            return
        self._busy = "find"
        self.say(f"Finding {text}…")
        self._find_claims(text)

    def _find_anew(self) -> None:
        """The claim typed is discarded: find the one now in the search."""
        self._drop_claim()
        self._find()

    @work(exclusive=True, group="find", exit_on_error=False)
    async def _find_claims(self, text: str) -> None:
        posting = self.app.store.posting
        try:
            found = await self.app.call_store(posting.find_claims, text)
            if len(found) == 1:
                found = [await self.app.call_store(posting.claim_to_post, found[0].id)]
        except Exception:
            self._done(ok=False)
            raise
        if not found:
            self.say(f"No claim matches {text!r}: type its claim number, account or name.",
                     error=True)  # fmt: skip
            self._done(ok=False)
        elif len(found) == 1:
            self._done(ok=self._take(found[0]))
        else:
            self._drop_claim()
            self.add_class("-matches")
            matches = self.query_one(ClaimMatches)
            matches.show(found)
            self.set_focus(matches)
            self.say(f"{len(found)} claims match {text!r}: Enter takes the highlighted one.")
            self._done(ok=True)

    def action_take_claim(self) -> None:
        claim = self.query_one(ClaimMatches).highlighted
        if claim is not None and not self._busy:
            self._busy = "find"
            self._read_claim(claim.id)

    @work(exclusive=True, group="find", exit_on_error=False)
    async def _read_claim(self, claim_id: int) -> None:
        try:
            claim = await self.app.call_store(self.app.store.posting.claim_to_post, claim_id)
        except Exception:
            self._done(ok=False)
            raise
        self._done(ok=self._take(claim))

    def _take(self, claim: ClaimToPost) -> bool:
        """Put a claim's lines under the cursor; False (and why) when it cannot be posted."""
        self.remove_class("-matches")
        try:
            refuse_unpayable(ClaimStatus(claim.status), claim.claim_number)
        except PostingError as error:
            self._drop_claim()
            self.set_focus(self.search)
            self.say(f"{str(error)[0].upper()}{str(error)[1:]}.", error=True)
            return False
        if not claim.lines:
            self._drop_claim()
            self.set_focus(self.search)
            self.say(f"Claim {claim.claim_number} has no service lines to post.", error=True)
            return False
        self.claim = claim
        self.lines.show(claim.lines)
        self._show(
            "#claim-head",
            f"{claim.claim_number}  {claim.patient_name.upper()}  acct {claim.account_number}  "
            f"{claim.status}  {claim.payer}",
        )
        self.set_focus(self.lines)
        batch = self.batch
        if batch is not None and batch.payer and claim.payer != batch.payer:
            self.say(f"Note: billed to {claim.payer}, not this batch's payer; check the EOB is "
                     "for this claim.")  # fmt: skip
        else:
            self.say(HINTS["allowed"])
        self._show_line()
        self._show_money()
        self.refresh_bindings()
        return True

    def _drop_claim(self) -> None:
        self.claim = None
        self.lines.clear()
        self._show("#claim-head", self.last_posted)
        self._show("#line-info", "")
        self._show_money()
        self.refresh_bindings()

    # ------------------------------------------------------------------ typing the lines

    def _advance(self) -> None:
        lines = self.lines
        error = lines.advance()
        self._show_line()
        if error:
            self.say(error, error=True)
        elif lines.part == "other" and lines.prefilled:
            self.say("Paid leaves this amount unexplained: type its group and reason after it "
                     "(e.g. CO-253), or go back (Left) and correct Paid.")  # fmt: skip
        elif lines.at_end and lines.part == "share":
            self.say("That was the last line: F10 posts the claim (F6 posts a denial instead).")
        else:
            self.say(HINTS[lines.part])

    def eob_typed(self) -> None:
        """A key typed in a line (EobLines calls this in the key's turn)."""
        self._show_money()
        self._show_line()

    def eob_cursor_moved(self) -> None:
        """The arrows moved the cursor (EobLines calls this in the key's turn)."""
        self._show_line()
        self.say(HINTS[self.lines.part])

    def _show_line(self) -> None:
        current = self.lines.current
        if current is None:
            self._show("#line-info", "")
            return
        line = current.line
        code = "-".join((line.code, *line.modifiers))
        self._show(
            "#line-info",
            f"Line {line.line_number}/{len(self.lines.lines)} {code} x{line.units} "
            f"{line.dos:%m/%d/%y}: charge {money(line.charge)}; open: payer "
            f"{money(line.insurance_balance)}, patient {money(line.patient_balance)}",
        )

    # ------------------------------------------------------------------ posting

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        batch = self.batch
        insurance = batch is None or batch.kind == "insurance"
        is_open = batch is not None and batch.status == "open"
        if action == "next":
            return insurance
        if action in ("post", "deny"):
            if not insurance:
                return False
            return (is_open and self.claim is not None and not self._busy) or None
        if action == "control":
            return (is_open and batch is not None and batch.source != "era") or None
        if action == "close_batch":
            return (is_open and not self._busy) or None
        return True

    def action_post(self) -> None:
        claim = self.claim
        if claim is None or self._busy:
            return
        try:
            postings = self.lines.postings()
        except EntryError as error:
            self.set_focus(self.lines)
            self._show_line()
            self.say(str(error), error=True)
            return
        if not postings:
            self.say("Nothing typed to post: type each line's allowed amount (F6 for a denial).",
                     error=True)  # fmt: skip
            return
        self._busy = "post"
        self.say(f"Posting {claim.claim_number}…")
        self._post(claim, EobPosting(claim.id, postings, expected_version=claim.version))

    @work(group="post", exit_on_error=False)
    async def _post(self, claim: ClaimToPost, eob: EobPosting) -> None:
        posting = self.app.store.posting
        totals = self.lines.totals()
        try:
            await self.app.call_store(posting.post_eob, self.batch_id, eob)
        except StoreConflict:
            self.say(f"Not posted: claim {claim.claim_number} was changed by someone else. "
                     "Escape, find it again and retype it.", error=True)  # fmt: skip
            self._done(ok=False)
            return
        except StoreRefused as refused:
            self.say(f"Not posted: {refused}.", error=True)
            self._done(ok=False)
            return
        except Exception:
            self._done(ok=False)
            raise
        self.last_posted = (
            f"Posted {claim.claim_number} {claim.patient_name.upper()}: paid "
            f"{money(totals['paid'])}, adjusted {money(totals['contractual'] + totals['other'])}, "
            f"patient {money(totals['share'])}"
        )
        self._next_claim(self.last_posted + ". Next claim?")
        try:
            batch = await self.app.call_store(posting.batch, self.batch_id)
        except Exception:
            self._done(ok=True)
            raise
        self._show_batch(batch)
        if batch.balanced:
            self.say(f"{self.last_posted}. The batch balances to the cent: F8 closes it.")
        elif batch.unapplied < 0:
            self.say(f"{self.last_posted}. Posted {money(-batch.unapplied)} beyond the control "
                     "total: check the amounts, or F7 if the control total was mistyped.",
                     error=True)  # fmt: skip
        self._done(ok=True)

    def _next_claim(self, message: str) -> None:
        """The claim is done: clear it, and put the cursor in the search for the next one."""
        self._drop_claim()
        self.search.value = ""
        self.set_focus(self.search)
        self.say(message)

    def action_deny(self) -> None:
        from .batch_dialogs import DenialDialog

        claim = self.claim
        if claim is None or self._busy:
            return

        def denied(done: bool | None) -> None:
            if done:
                self.last_posted = f"Denied {claim.claim_number} {claim.patient_name.upper()}"
                self._next_claim(f"{self.last_posted}: it is on the denial worklist. Next claim?")
                self._load_batch()
            else:
                self.set_focus(self.lines)

        self.app.push_screen(DenialDialog(self.batch_id, claim), denied)

    def action_control(self) -> None:
        from .batch_dialogs import ControlTotalDialog

        if self.batch is None:
            return

        def changed(done: bool | None) -> None:
            if done:
                self.say("Control total changed.")
                self._load_batch()

        self.app.push_screen(ControlTotalDialog(self.batch), changed)

    def action_close_batch(self) -> None:
        if self.batch is None or self._busy:
            return
        if self.claim is not None and self.lines.dirty:
            self.say("Post the claim being typed (F10), or drop it (Escape), before closing.",
                     error=True)  # fmt: skip
            return
        self._busy = "close"
        self._close(self.batch)

    @work(group="close", exit_on_error=False)
    async def _close(self, batch: BatchView) -> None:
        posting = self.app.store.posting
        try:
            await self.app.call_store(posting.close_batch, batch.id, expected_version=batch.version)
        except StoreRefused as refused:
            self.say(f"Not closed: {refused}. F7 changes the control total.", error=True)
            self._done(ok=False)
            return
        except StoreConflict:
            self.say("Not closed: the batch changed meanwhile; its figures are read again.",
                     error=True)  # fmt: skip
            self._done(ok=False)
            self._load_batch()
            return
        except Exception:
            self._done(ok=False)
            raise
        self._done(ok=True)
        self.say(f"Batch {batch.id} closed: it balances to the cent.")
        self._load_batch()

    # ------------------------------------------------------------------ backing out

    def action_back(self) -> None:
        if self._busy:
            return
        if self.has_class("-matches"):
            self.remove_class("-matches")
            self.set_focus(self.search)
            self.say(SEARCH_HINT)
        elif self.claim is not None and self.lines.dirty:
            self._ask_discard(lambda: self._next_claim("Nothing posted. " + SEARCH_HINT))
        elif self.claim is not None:
            self._next_claim(SEARCH_HINT)
        else:
            self.dismiss(None)

    def _ask_discard(self, then: Callable[[], None]) -> None:
        """Ask on the message line, not in a dialog: the answer typed ahead with the Escape
        reaches it (a dialog is not there yet for a key typed that fast)."""
        claim = self.claim
        assert claim is not None
        self._asking = then
        self.set_focus(self.lines)
        self.say(f"Discard the amounts typed for claim {claim.claim_number}? y discards them "
                 "(nothing is posted); any other key goes back to them.", error=True)  # fmt: skip
