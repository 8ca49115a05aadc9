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

UNBILLED = frozenset({ClaimStatus.DRAFT, ClaimStatus.VOIDED})
"""Statuses whose charges are not on the ledger: not yet billed, or billed and voided."""


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
