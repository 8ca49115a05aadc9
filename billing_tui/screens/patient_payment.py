"""Take a patient's payment at the desk, and see, reverse, reprint or refund the account's payments.

PatientPaymentDialog: amount, method (c cash, k check, d card), then the check number
or the card (its whole number or only its last 4, the brand, the authorization code).
There is no CVV field: a CVV is never asked for nor kept. A whole card number is
checked (Luhn) and at once cut down to its last 4 digits, on screen too. Enter moves to
the next field and saves on the last; ctrl+s saves from anywhere; Escape cancels.
After posting, the receipt PDF is written to the current directory.

PaymentsDialog: the account's payments; r reverses one (asks why), p prints its
receipt again, f refunds the account's credit (asks how and why).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label

from ..domain.cards import CardError, check_auth_code, read_card
from ..domain.money import MoneyError, format_cents, parse_cents
from ..pdf.receipt import receipt_pdf
from ..store import StoreRefused
from ..store.records.posting import BatchView, PatientPaymentDraft, PaymentRecord
from ..widgets.fields import Field
from ..widgets.key_bar import KeyBar
from ..widgets.letter_choice import LetterChoice
from .errors import ReportsFailures
from .once import DismissOnce

if TYPE_CHECKING:
    from ..app import BillingApp

# The key that picks each method is its label's first letter: check and card both start with c.
METHODS = (("cash", "cash"), ("check", "k check"), ("card", "d card"))
METHOD_KEYS = {"c": "cash", "k": "check", "d": "card"}


class MethodChoice(LetterChoice):
    """cash, check or card: c, k or d."""

    def type_key(self, event: events.Key) -> bool:
        typed = (event.character or "").casefold()
        if typed in METHOD_KEYS:
            self.value = METHOD_KEYS[typed]
            return True
        return False


def method_from_text(text: str) -> str | None:
    """cash, check or card from what was typed: the word, or c, k or d."""
    typed = text.strip().casefold()
    if typed in ("cash", "check", "card"):
        return typed
    return METHOD_KEYS.get(typed)


async def write_receipt(app: BillingApp, payment_id: int) -> Path:
    """The payment's receipt as a PDF in the current directory; its path."""
    receipt = await app.call_store(app.store.posting.receipt, payment_id)
    path = Path.cwd() / f"receipt-{receipt.number}.pdf"

    def write() -> None:
        path.write_bytes(receipt_pdf(receipt))

    await asyncio.to_thread(write)
    return path


def newest_patient_batch(batches: list[BatchView]) -> BatchView | None:
    patient = [b for b in batches if b.kind == "patient" and b.status == "open"]
    return max(patient, key=lambda b: (b.deposit_date, b.id)) if patient else None


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
{name} .row {{ height: 1; }}
{name} .row > Label {{ width: 12; }}
{name} .note {{ color: $text-muted; }}
{name} #message {{ height: auto; min-height: 1; }}
{name} #message.-error {{ color: $text-error; text-style: bold; }}
"""


class PatientPaymentDialog(DismissOnce, ReportsFailures, ModalScreen[int | None]):
    """Dismisses with the new payment's id, or None when cancelled."""

    ACTIONS_NAME = "Payment"
    AUTO_FOCUS = "#amount"
    app: BillingApp

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="payment.cancel", tooltip="close, take nothing"),
        Binding("ctrl+s", "save", "Post", id="payment.save", tooltip="post the payment"),
        Binding(
            "enter",
            "next_field",
            "Next",
            id="payment.next_field",
            tooltip="next field (posts on the last)",
        ),
    ]
    DEFAULT_CSS = DIALOG_CSS.format(name="PatientPaymentDialog")

    def __init__(self, patient_id: int, patient_name: str = "") -> None:
        super().__init__()
        self.patient_id = patient_id
        self.patient_name = patient_name
        self.batch_id: int | None = None
        self._batch_known = False
        self._saving = False

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = f"Take a payment: {self.patient_name}".rstrip(": ")
            yield Label("Finding the open patient batch…", id="batch", classes="note")
            with Horizontal(classes="row"):
                yield Label("Amount")
                yield Field(placeholder="e.g. 25.00", max_length=14, id="amount")
            with Horizontal(classes="row"):
                yield Label("Method")
                yield MethodChoice(METHODS, "cash", id="method")
            with Horizontal(classes="row check", id="check-row"):
                yield Label("Check no.")
                yield Field(placeholder="the check's number", max_length=50, id="check-number")
            with Horizontal(classes="row card", id="card-row"):
                yield Label("Card")
                yield Field(
                    placeholder="last 4 digits, or the whole number", max_length=23, id="card"
                )
            with Horizontal(classes="row card", id="brand-row"):
                yield Label("Brand")
                yield Field(placeholder="Visa, Mastercard…; blank: from the number", id="brand")
            with Horizontal(classes="row card", id="auth-row"):
                yield Label("Auth code")
                yield Field(placeholder="from the terminal's slip", max_length=12, id="auth")
            yield Label("", id="message")
        yield KeyBar()

    def on_mount(self) -> None:
        method = self.query_one("#method", MethodChoice)
        self.watch(method, "value", self._show_method)  # the fields the method needs
        self._find_batch()

    @work(group="payment-batch", exit_on_error=False)
    async def _find_batch(self) -> None:
        batches = await self.app.call_store(self.app.store.posting.batches, open_only=True)
        batch = newest_patient_batch(batches)
        label = self.query_one("#batch", Label)
        if batch is None:
            self.batch_id = None
            label.update("no open patient batch: not in a batch")
        else:
            self.batch_id = batch.id
            label.update(f"Into patient batch {batch.id} of {batch.deposit_date:%m/%d/%Y}")
        self._batch_known = True

    def _show_method(self, method: str) -> None:
        self.query_one("#check-row").display = method == "check"
        for row in self.query(".card"):
            row.display = method == "card"

    def _refresh_method(self) -> None:
        if self.is_attached:
            self._show_method(self.query_one("#method", MethodChoice).value)

    # ------------------------------------------------------------------ checking

    def _say(self, message: str, *, error: bool = False) -> None:
        label = self.query_one("#message", Label)
        label.update(message)
        label.set_class(error, "-error")

    def _refuse(self, field: str, message: str) -> bool:
        self._say(message, error=True)
        self.query_one(f"#{field}").focus()
        return False

    def _value(self, field: str) -> str:
        return self.query_one(f"#{field}", Input).value.strip()

    def _check_amount(self) -> bool:
        try:
            cents = parse_cents(self._value("amount"))
        except MoneyError as error:
            return self._refuse("amount", f"Amount: {error}.")
        if cents <= 0:
            return self._refuse("amount", "Amount: a payment is more than 0.00.")
        self._say(f"Amount {format_cents(cents)}")
        return True

    def _check_card(self) -> bool:
        card = self.query_one("#card", Input)
        brand = self.query_one("#brand", Input)
        try:
            facts = read_card(card.value, brand.value)
        except CardError as error:
            field = "brand" if "brand" in str(error) and card.value.strip() else "card"
            return self._refuse(field, f"Card: {error}.")
        # Keep no more than we may: the whole number leaves the screen at once.
        card.value = facts.last4
        if facts.brand:
            brand.value = facts.brand
        self._say(f"Card {facts.brand or 'card'} ending {facts.last4}")
        return True

    def _check_auth(self) -> bool:
        try:
            check_auth_code(self._value("auth"))
        except CardError as error:
            return self._refuse("auth", f"Auth code: {error}.")
        return True

    def _check_check(self) -> bool:
        if not self._value("check-number"):
            return self._refuse("check-number", "Check no.: type the check's number.")
        return True

    CHECKS = {
        "amount": "_check_amount",
        "card": "_check_card",
        "brand": "_check_card",
        "auth": "_check_auth",
        "check-number": "_check_check",
    }

    def _fields(self) -> list[str]:
        method = self.query_one("#method", MethodChoice).value
        extra = {"cash": [], "check": ["check-number"], "card": ["card", "brand", "auth"]}
        return ["amount", "method", *extra.get(method, [])]

    def action_next_field(self) -> None:
        self._refresh_method()
        focused = self.focused
        current = focused.id if focused is not None else None
        check = self.CHECKS.get(current or "")
        if check and not getattr(self, check)():
            return
        fields = self._fields()
        if current == fields[-1]:
            self.action_save()
            return
        if current in fields:
            self.query_one(f"#{fields[fields.index(current) + 1]}").focus()
        else:
            self.focus_next()

    # ------------------------------------------------------------------ posting

    def action_save(self) -> None:
        if self._saving:
            return  # a second ctrl+s must not take the money twice
        self._refresh_method()
        method = self.query_one("#method", MethodChoice).value
        if not self._check_amount():
            return
        draft = {"check_number": "", "card_brand": "", "card_last4": "", "auth_code": ""}
        if method == "check":
            if not self._check_check():
                return
            draft["check_number"] = self._value("check-number")
        elif method == "card":
            if not (self._check_card() and self._check_auth()):
                return
            facts = read_card(self._value("card"), self._value("brand"))
            draft.update(
                card_brand=facts.brand,
                card_last4=facts.last4,
                auth_code=check_auth_code(self._value("auth")),
            )
        self._saving = True
        self._post(
            PatientPaymentDraft(
                patient_id=self.patient_id,
                amount=parse_cents(self._value("amount")),
                method=method,
                received_date=self.app.store.today(),
                **draft,
            )
        )

    @work(group="post-payment", exit_on_error=False)
    async def _post(self, draft: PatientPaymentDraft) -> None:
        self._say("Posting…")
        if not self._batch_known:
            batch_workers = [w for w in self.workers if w.group == "payment-batch"]
            await self.workers.wait_for_complete(batch_workers)
        try:
            payment_id = await self.app.call_store(
                self.app.store.posting.post_patient_payment, self.batch_id, draft
            )
        except StoreRefused as refused:
            self._saving = False
            self._say(f"Not posted: {refused}.", error=True)
            return
        amount = format_cents(draft.amount)
        try:
            path = await write_receipt(self.app, payment_id)
        except (OSError, StoreRefused) as error:
            self.app.notify(
                f"{amount} posted; the receipt was not written: {error}",
                title="Payment",
                severity="warning",
            )
        else:
            self._say(f"Posted. Receipt: {path}")
            self.app.notify(f"{amount} posted. Receipt: {path}", title="Payment", timeout=10)
        self.dismiss(payment_id)

    def action_cancel(self) -> None:
        if not self._saving:
            self.dismiss(None)


# ---------------------------------------------------------------------- the account's payments


@dataclass(frozen=True, slots=True)
class _Question:
    key: str
    prompt: str


class PaymentsTable(DataTable):
    pass


def method_text(p: PaymentRecord) -> str:
    if p.payer:
        return p.payer[:14]
    if p.method == "card":
        return f"{p.card_brand or 'card'} {p.card_last4}".strip()
    if p.method == "check" and p.check_number:
        return f"check {p.check_number}"[:14]
    return p.method


class PaymentsDialog(DismissOnce, ReportsFailures, ModalScreen[bool]):
    """Dismisses with True when something changed (a reversal or a refund)."""

    ACTIONS_NAME = "Payments"
    AUTO_FOCUS = "PaymentsTable"
    app: BillingApp

    BINDINGS = [
        Binding("escape", "close", "Close", id="payments.close", tooltip="close the payments"),
        Binding("r", "reverse", "Reverse", id="payments.reverse", tooltip="reverse the payment"),
        Binding(
            "p", "receipt", "Receipt", id="payments.receipt", tooltip="print its receipt again"
        ),
        Binding("f", "refund", "Refund", id="payments.refund", tooltip="refund the credit"),
        Binding("enter", "answer", "OK", show=False, id="payments.answer", tooltip="answer"),
    ]
    DEFAULT_CSS = (
        DIALOG_CSS.format(name="PaymentsDialog")
        + """
    PaymentsDialog PaymentsTable { height: auto; max-height: 12; }
    PaymentsDialog #ask-row { height: 1; display: none; }
    PaymentsDialog #ask-row > Label { width: auto; padding-right: 1; }
    """
    )

    def __init__(self, patient_id: int, patient_name: str = "") -> None:
        super().__init__()
        self.patient_id = patient_id
        self.patient_name = patient_name
        self.payments: list[PaymentRecord] = []
        self.credit = 0
        self.changed = False
        self._questions: list[_Question] = []
        self._answers: dict[str, str] = {}
        self._then = ""  # what the answers are for: reverse or refund
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = f"Payments: {self.patient_name}".rstrip(": ")
            yield PaymentsTable(cursor_type="row", zebra_stripes=False)
            yield Label("", id="credit", classes="note")
            with Horizontal(id="ask-row"):
                yield Label("", id="ask")
                yield Field(max_length=200, id="answer")
            yield Label("", id="message")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(PaymentsTable)
        table.add_columns("Date", "Method", "Amount", "Applied", "State")
        self._load()

    @work(exclusive=True, group="payments", exit_on_error=False)
    async def _load(self) -> None:
        posting = self.app.store.posting

        def fetch() -> tuple[list[PaymentRecord], int]:
            full = [posting.payment(p.id) for p in posting.payments_of(self.patient_id)]
            return full, posting.credit(self.patient_id)

        self.payments, self.credit = await self.app.call_store(fetch)
        table = self.query_one(PaymentsTable)
        row = table.cursor_row
        table.clear()
        for p in self.payments:
            applied = sum(a.amount for a in p.applied if a.claim_id is not None)
            if p.reverses:
                state = f"reverses {p.reverses}"
            elif p.reversed_by:
                state = "reversed"
            else:
                state = ""
            table.add_row(
                f"{p.received_date:%m/%d/%y}",
                method_text(p),
                format_cents(p.amount),
                format_cents(applied),
                state,
                key=str(p.id),
            )
        if self.payments:
            table.move_cursor(row=min(row, len(self.payments) - 1))
        else:
            self._say("No payments on this account.")
        credit = f"Credit on the account: {format_cents(self.credit)}"
        self.query_one("#credit", Label).update(credit + (" (f refunds it)" if self.credit else ""))
        self.refresh_bindings()

    def _say(self, message: str, *, error: bool = False) -> None:
        label = self.query_one("#message", Label)
        label.update(message)
        label.set_class(error, "-error")

    @property
    def highlighted(self) -> PaymentRecord | None:
        tables = self.query(PaymentsTable)  # none yet before compose
        if not tables or not self.payments:
            return None
        table = tables.first()
        if not 0 <= table.cursor_row < len(self.payments):
            return None
        return self.payments[table.cursor_row]

    @property
    def asking(self) -> bool:
        return bool(self._questions)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "answer":
            return self.asking
        if action in ("reverse", "receipt", "refund") and (self.asking or self._busy):
            return None
        payment = self.highlighted
        if action == "reverse":
            return payment is not None and not payment.reversed_by and not payment.reverses
        if action == "receipt":
            return payment is not None and not payment.payer and payment.amount > 0
        if action == "refund":
            return self.credit > 0
        return True

    # ------------------------------------------------------------------ asking

    def _ask(self, then: str, *questions: _Question) -> None:
        self._then = then
        self._answers = {}
        self._questions = list(questions)
        self.query_one("#ask-row").display = True
        self._show_question()
        self.refresh_bindings()

    def _show_question(self) -> None:
        self.query_one("#ask", Label).update(self._questions[0].prompt)
        answer = self.query_one("#answer", Input)
        answer.value = ""
        answer.focus()

    def _stop_asking(self) -> None:
        self._questions = []
        self.query_one("#ask-row").display = False
        self.query_one(PaymentsTable).focus()
        self.refresh_bindings()

    def action_answer(self) -> None:
        if not self._questions:
            return
        question = self._questions[0]
        text = " ".join(self.query_one("#answer", Input).value.split())
        if question.key == "method":
            method = method_from_text(text)
            if method is None:
                self._say("How: c cash, k check or d card.", error=True)
                return
            text = method
            if method != "check":
                self._questions = [q for q in self._questions if q.key != "check_number"]
        elif not text:
            self._say("Type an answer, or Escape to cancel.", error=True)
            return
        self._answers[question.key] = text
        self._questions.pop(0)
        self._say("")
        if self._questions:
            self._show_question()
            return
        answers = self._answers
        self._stop_asking()
        if self._then == "reverse":
            self._reverse(int(answers["payment"]), answers["reason"])
        elif self._then == "refund":
            self._refund(answers)

    def action_close(self) -> None:
        if self.asking:
            self._stop_asking()
            self._say("Cancelled.")
            return
        self.dismiss(self.changed)

    # ------------------------------------------------------------------ the actions

    def action_reverse(self) -> None:
        payment = self.highlighted
        if payment is None or payment.reversed_by or payment.reverses:
            return
        self._ask("reverse", _Question("reason", "Why reverse it?"))
        self._answers["payment"] = str(payment.id)
        self._say(f"Reverse {format_cents(payment.amount)} of {payment.received_date:%m/%d/%Y}.")

    @work(group="payments-change", exit_on_error=False)
    async def _reverse(self, payment_id: int, reason: str) -> None:
        self._busy = True
        try:
            await self.app.call_store(self.app.store.posting.reverse_payment, payment_id, reason)
        except StoreRefused as refused:
            self._say(f"Not reversed: {refused}.", error=True)
            return
        finally:
            self._busy = False
        self.changed = True
        self._say("Reversed.")
        self._load()

    def action_refund(self) -> None:
        if self.credit <= 0:
            return
        self._ask(
            "refund",
            _Question("method", "How (c cash, k check, d card)?"),
            _Question("check_number", "Check no.?"),
            _Question("reason", "Why?"),
        )
        self._say(f"Refund the credit of {format_cents(self.credit)}.")

    @work(group="payments-change", exit_on_error=False)
    async def _refund(self, answers: dict[str, str]) -> None:
        self._busy = True
        amount = self.credit
        try:
            await self.app.call_store(
                self.app.store.posting.refund_credit,
                self.patient_id,
                amount,
                method=answers["method"],
                reason=answers["reason"],
                check_number=answers.get("check_number", ""),
            )
        except StoreRefused as refused:
            self._say(f"Not refunded: {refused}.", error=True)
            return
        finally:
            self._busy = False
        self.changed = True
        self._say(f"Refunded {format_cents(amount)}.")
        self._load()

    @work(group="payments-receipt", exit_on_error=False)
    async def action_receipt(self) -> None:
        payment = self.highlighted
        if payment is None:
            return
        try:
            path = await write_receipt(self.app, payment.id)
        except (OSError, StoreRefused) as error:
            self._say(f"No receipt: {error}", error=True)
            return
        self._say(f"Receipt: {path}")
