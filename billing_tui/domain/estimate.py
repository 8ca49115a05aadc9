"""What the patient will owe on a visit, estimated from the plan's terms before the payer answers.

The order is the one plans apply: the deductible first (what is left of it this
year), then the coinsurance on the rest, then the copay for each visit, all
capped at what is left of the out-of-pocket maximum; the payer pays the rest.
Integer cents throughout; the coinsurance is rounded half up, once, at the cent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from .money import format_cents, split_half_up


@dataclass(frozen=True, slots=True)
class Estimate:
    amount: int  # what the estimate starts from: the allowed amount, or the charge
    copay: int
    deductible_applied: int
    coinsurance: int
    patient_total: int  # copay + deductible_applied + coinsurance
    payer_total: int  # amount - patient_total
    steps: tuple[str, ...]  # how it was worked out, one line each, for the screen


@dataclass(frozen=True, slots=True)
class PlanTerms:
    """A coverage's cost sharing, as recorded (or read from a 271)."""

    copay: int = 0  # per visit
    deductible: int = 0  # per year
    deductible_met: int = 0
    coinsurance_bp: int = 0  # basis points: 2000 = 20%
    oop_max: int = 0  # 0: none recorded, no cap
    oop_met: int = 0


def estimate_patient_share(
    allowed_or_charge: int,
    *,
    copay: int,
    deductible: int,
    deductible_met: int,
    coinsurance_bp: int,
    oop_max: int,
    oop_met: int = 0,
    visits: int = 1,
) -> Estimate:
    """Split an amount between patient and payer: deductible, then coinsurance, then copay.

    Never negative, never more than the amount; an out-of-pocket maximum of 0
    means none is recorded (no cap). Raises ValueError for negative terms.
    """
    amount = allowed_or_charge
    if min(amount, copay, deductible, deductible_met, coinsurance_bp, oop_max, oop_met) < 0:
        raise ValueError("amounts and plan terms cannot be negative")
    if coinsurance_bp > 10_000 or visits < 1:
        raise ValueError("coinsurance is at most 100%, and an estimate covers 1 visit or more")
    money = format_cents
    steps = [f"Amount {money(amount)}"]

    left = max(0, deductible - deductible_met)
    deductible_applied = min(amount, left)
    if deductible:
        steps.append(
            f"Deductible {money(deductible)}, {money(deductible_met)} met: "
            f"{money(left)} left, {money(deductible_applied)} applies"
        )
    rest = amount - deductible_applied
    coinsurance = split_half_up(rest, coinsurance_bp)
    if coinsurance_bp:
        steps.append(
            f"Coinsurance {coinsurance_bp / 100:.2f}% of {money(rest)}: {money(coinsurance)}"
        )
    copay_applied = min(copay * visits, rest - coinsurance)
    if copay:
        per_visit = f" x {visits} visits" if visits > 1 else " per visit"
        capped = "" if copay_applied == copay * visits else f", {money(copay_applied)} applies"
        steps.append(f"Copay {money(copay)}{per_visit}{capped}")

    patient_total = deductible_applied + coinsurance + copay_applied
    if oop_max:
        oop_left = max(0, oop_max - oop_met)
        excess = max(0, patient_total - oop_left)
        if excess:
            # Take the excess back from the copay, then the coinsurance, then the deductible.
            for_copay = min(excess, copay_applied)
            for_coinsurance = min(excess - for_copay, coinsurance)
            copay_applied -= for_copay
            coinsurance -= for_coinsurance
            deductible_applied -= excess - for_copay - for_coinsurance
            patient_total = oop_left
            steps.append(
                f"Out-of-pocket maximum {money(oop_max)}, {money(oop_met)} met: "
                f"the patient pays at most {money(oop_left)}"
            )
    payer_total = amount - patient_total
    steps.append(f"Patient pays {money(patient_total)}; the payer pays {money(payer_total)}")
    return Estimate(
        amount=amount,
        copay=copay_applied,
        deductible_applied=deductible_applied,
        coinsurance=coinsurance,
        patient_total=patient_total,
        payer_total=payer_total,
        steps=tuple(steps),
    )


def estimate_claim(charges: Iterable[int], terms: PlanTerms, *, visits: int = 1) -> Estimate:
    """The patient's share of a claim, estimated from its charges.

    Before the payer adjudicates, the allowed amount is unknown: the estimate
    starts from the charge, so it is an upper bound when the payer allows less.
    A claim is one visit unless its lines fall on several dates (visits).
    """
    total = sum(charges)
    estimate = estimate_patient_share(
        total,
        copay=terms.copay,
        deductible=terms.deductible,
        deductible_met=terms.deductible_met,
        coinsurance_bp=terms.coinsurance_bp,
        oop_max=terms.oop_max,
        oop_met=terms.oop_met,
        visits=visits,
    )
    first = (
        f"Charge {format_cents(total)} (estimated from the charge: the payer's allowed "
        "amount is not known until it adjudicates the claim)"
    )
    return replace(estimate, steps=(first, *estimate.steps[1:]))
