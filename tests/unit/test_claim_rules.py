"""A claim's lifecycle rules and its CLM01 number."""

from __future__ import annotations

import pytest

from billing_tui.domain.claims import (
    TRANSITIONS,
    UNBILLED,
    ClaimStatus,
    ClaimStatusError,
    charges_on_ledger,
    check_transition,
    claim_number,
)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("draft", "ready"),
        ("ready", "submitted"),
        ("submitted", "accepted"),
        ("accepted", "partial"),
        ("partial", "appealed"),
        ("appealed", "paid"),
        ("submitted", "denied"),
        ("denied", "corrected"),
        ("corrected", "voided"),
        ("rejected", "ready"),
    ],
)
def test_allowed_moves(current, target):
    check_transition(ClaimStatus(current), ClaimStatus(target))


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("draft", "paid"),
        ("draft", "submitted"),
        ("ready", "paid"),
        ("paid", "draft"),
        ("submitted", "draft"),
        ("voided", "draft"),
        ("voided", "ready"),
        ("corrected", "paid"),
    ],
)
def test_refused_moves_say_why(current, target):
    with pytest.raises(ClaimStatusError, match=f"cannot become {ClaimStatus(target).label}"):
        check_transition(ClaimStatus(current), ClaimStatus(target))


def test_every_status_has_its_moves_and_voided_is_final():
    assert set(TRANSITIONS) == set(ClaimStatus)
    assert TRANSITIONS[ClaimStatus.VOIDED] == frozenset()
    # Only a claim the payer has not taken (ready, or rejected by the clearinghouse)
    # goes back to draft to be fixed; after that it is corrected by a replacement.
    back_to_draft = {s for s in ClaimStatus if ClaimStatus.DRAFT in TRANSITIONS[s]}
    assert back_to_draft == {ClaimStatus.READY, ClaimStatus.REJECTED}
    assert {ClaimStatus.DRAFT, ClaimStatus.VOIDED, ClaimStatus.CORRECTED} == UNBILLED


def test_labels():
    assert ClaimStatus.PARTIAL.label == "partially paid"
    assert ClaimStatus.DENIED.label == "denied"


def test_claim_number():
    assert claim_number("10000042", 3) == "10000042-3"
    assert len(claim_number("1" * 17, 99)) == 20
    with pytest.raises(ValueError, match="at most 20"):
        claim_number("1" * 17, 100)


@pytest.mark.parametrize(
    ("status", "frequency", "secondary", "carries"),
    [
        (ClaimStatus.DRAFT, "1", False, False),
        (ClaimStatus.READY, "1", False, True),
        (ClaimStatus.PAID, "1", False, True),
        (ClaimStatus.CORRECTED, "1", False, False),  # its replacement carries them
        (ClaimStatus.VOIDED, "1", False, False),
        (ClaimStatus.READY, "7", False, False),  # not until it is sent
        (ClaimStatus.SUBMITTED, "7", False, True),
        (ClaimStatus.SUBMITTED, "8", False, False),  # a void request bills nothing
        (ClaimStatus.PAID, "1", True, False),  # a secondary claim bills the same visit again
    ],
)
def test_a_visits_charges_are_on_the_ledger_once(status, frequency, secondary, carries):
    assert charges_on_ledger(status, frequency, secondary) is carries
