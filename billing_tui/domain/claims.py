"""A claim's lifecycle: the statuses and which moves between them are allowed."""

from __future__ import annotations

from enum import StrEnum


class ClaimStatus(StrEnum):
    DRAFT = "draft"
    READY = "ready"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    PAID = "paid"
    PARTIAL = "partial"  # partially paid
    DENIED = "denied"
    APPEALED = "appealed"
    CORRECTED = "corrected"
    VOIDED = "voided"

    @property
    def label(self) -> str:
        return "partially paid" if self is ClaimStatus.PARTIAL else self.value


TRANSITIONS: dict[ClaimStatus, frozenset[ClaimStatus]] = {
    ClaimStatus.DRAFT: frozenset({ClaimStatus.READY, ClaimStatus.VOIDED}),
    ClaimStatus.READY: frozenset({ClaimStatus.DRAFT, ClaimStatus.SUBMITTED, ClaimStatus.VOIDED}),
    ClaimStatus.SUBMITTED: frozenset(
        {
            ClaimStatus.ACCEPTED,
            ClaimStatus.REJECTED,
            ClaimStatus.PAID,
            ClaimStatus.PARTIAL,
            ClaimStatus.DENIED,
            ClaimStatus.VOIDED,
        }
    ),
    ClaimStatus.ACCEPTED: frozenset(
        {ClaimStatus.PAID, ClaimStatus.PARTIAL, ClaimStatus.DENIED, ClaimStatus.VOIDED}
    ),
    ClaimStatus.REJECTED: frozenset(
        {ClaimStatus.CORRECTED, ClaimStatus.DRAFT, ClaimStatus.READY, ClaimStatus.VOIDED}
    ),
    ClaimStatus.PAID: frozenset({ClaimStatus.CORRECTED, ClaimStatus.VOIDED, ClaimStatus.PARTIAL}),
    ClaimStatus.PARTIAL: frozenset(
        {ClaimStatus.PAID, ClaimStatus.APPEALED, ClaimStatus.CORRECTED, ClaimStatus.VOIDED}
    ),
    ClaimStatus.DENIED: frozenset(
        {
            ClaimStatus.APPEALED,
            ClaimStatus.CORRECTED,
            ClaimStatus.VOIDED,
            ClaimStatus.PAID,
            ClaimStatus.PARTIAL,
        }
    ),
    ClaimStatus.APPEALED: frozenset(
        {ClaimStatus.PAID, ClaimStatus.PARTIAL, ClaimStatus.DENIED, ClaimStatus.VOIDED}
    ),
    ClaimStatus.CORRECTED: frozenset({ClaimStatus.VOIDED}),
    ClaimStatus.VOIDED: frozenset(),
}

UNBILLED = frozenset({ClaimStatus.DRAFT, ClaimStatus.VOIDED, ClaimStatus.CORRECTED})
"""Statuses whose charges are not on the ledger: not yet billed, voided, or corrected
(the replacement carries them)."""


def charges_on_ledger(status: ClaimStatus, frequency: str, secondary: bool) -> bool:
    """Whether a claim carries its visit's charges on the ledger in this status.

    A visit's charges are on the ledger once: on the original claim to the first
    payer while it stands, then on its replacement (frequency 7) from the moment
    the replacement is sent, when the original becomes corrected and its charges
    come off. A void request (8) and a claim to a later payer (COB) bill charges
    that are already there, and carry none.
    """
    if secondary or frequency == "8" or status in UNBILLED:
        return False
    return not (frequency == "7" and status is ClaimStatus.READY)


NOT_STANDING = frozenset({ClaimStatus.DRAFT, ClaimStatus.VOIDED, ClaimStatus.CORRECTED})
"""Claims that do not bill a visit for the duplicate check: not sent yet, or taken back."""


class ClaimStatusError(ValueError):
    pass


def check_transition(current: ClaimStatus, target: ClaimStatus) -> None:
    if target not in TRANSITIONS[current]:
        raise ClaimStatusError(f"a {current.label} claim cannot become {target.label}")


def claim_number(account_number: str, sequence: int) -> str:
    """The CLM01 patient control number: account-sequence, e.g. 10000042-3 (<= 20 characters)."""
    number = f"{account_number}-{sequence}"
    if len(number) > 20:
        raise ValueError("a claim number is at most 20 characters")
    return number
