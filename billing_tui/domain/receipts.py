"""A patient payment receipt's content: what was received, how, what it paid and what is left."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .money import format_cents

METHODS = ("cash", "check", "card")


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    """The part of a payment applied to one claim's charges (amount in cents)."""

    dos: dt.date
    claim: str
    description: str
    amount: int


@dataclass(frozen=True, slots=True)
class Receipt:
    """One payment as the patient's receipt shows it; money in int cents.

    amount = the applied lines + credit. balance_after is the patient balance
    after this payment: negative is a credit balance. A card is named by brand
    and last 4 digits only.
    """

    number: str
    practice_name: str
    practice_address: tuple[str, ...]
    practice_phone: str
    account_number: str
    patient_name: str
    received_date: dt.date
    method: str
    amount: int
    check_number: str = ""
    card_brand: str = ""
    card_last4: str = ""
    auth_code: str = ""
    applied: tuple[ReceiptLine, ...] = ()
    credit: int = 0
    balance_after: int = 0
    posted_by: str = ""

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"payment method {self.method!r} is not one of {', '.join(METHODS)}")
        if self.card_last4 and not (
            len(self.card_last4) == 4 and self.card_last4.isascii() and self.card_last4.isdigit()
        ):
            # A receipt never carries more of a card number than its last 4 digits.
            raise ValueError("card_last4 holds exactly the card's last 4 digits")
        if self.amount <= 0:
            raise ValueError("a receipt is for a payment of more than 0.00")
        if self.credit < 0:
            raise ValueError("the credit left from a payment cannot be negative")
        if self.applied_total + self.credit != self.amount:
            raise ValueError(
                f"the payment {format_cents(self.amount)} is not what was applied "
                f"({format_cents(self.applied_total)}) plus the credit ({format_cents(self.credit)})"
            )

    @property
    def applied_total(self) -> int:
        return sum(line.amount for line in self.applied)

    @property
    def method_line(self) -> str:
        """ "Card: Visa ending 1111, auth ABC123", "Check 1234" or "Cash"; missing parts left out."""
        if self.method == "cash":
            return "Cash"
        if self.method == "check":
            return f"Check {self.check_number}".strip()
        card = " ".join(part for part in (self.card_brand, "ending", self.card_last4) if part)
        if not self.card_last4:
            card = self.card_brand
        parts = [
            part for part in (card, f"auth {self.auth_code}" if self.auth_code else "") if part
        ]
        return f"Card: {', '.join(parts)}" if parts else "Card"

    @property
    def balance_line(self) -> tuple[str, str]:
        """The balance after this payment as a label and an amount: a credit shows as a credit."""
        if self.balance_after < 0:
            return "Credit balance", format_cents(-self.balance_after)
        if self.balance_after > 0:
            return "Balance due", format_cents(self.balance_after)
        return "Balance", format_cents(0)
