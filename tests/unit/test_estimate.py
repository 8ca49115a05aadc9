"""The patient's share before adjudication: deductible, coinsurance, copay, out-of-pocket cap."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing_tui.domain.estimate import PlanTerms, estimate_claim, estimate_patient_share


def share(amount: int, **terms):
    defaults = dict(copay=0, deductible=0, deductible_met=0, coinsurance_bp=0, oop_max=0)
    return estimate_patient_share(amount, **{**defaults, **terms})


def parts(estimate) -> tuple[int, int, int, int, int]:
    return (estimate.deductible_applied, estimate.coinsurance, estimate.copay,
            estimate.patient_total, estimate.payer_total)  # fmt: skip


def test_deductible_first_then_coinsurance_on_the_rest_then_the_copay():
    estimate = share(
        20_000, copay=2_000, deductible=50_000, deductible_met=45_000, coinsurance_bp=2_000
    )
    # 50.00 of deductible left; 20% of the other 150.00 is 30.00; the 20.00 copay.
    assert parts(estimate) == (5_000, 3_000, 2_000, 10_000, 10_000)
    assert estimate.steps == (
        "Amount 200.00",
        "Deductible 500.00, 450.00 met: 50.00 left, 50.00 applies",
        "Coinsurance 20.00% of 150.00: 30.00",
        "Copay 20.00 per visit",
        "Patient pays 100.00; the payer pays 100.00",
    )


def test_coinsurance_rounds_half_up_once_at_the_cent():
    assert share(10_025, coinsurance_bp=2_000).coinsurance == 2_005  # 20.05 exactly
    assert share(10_001, coinsurance_bp=2_500).coinsurance == 2_500  # 25.0025 -> 25.00
    assert share(10_002, coinsurance_bp=2_500).coinsurance == 2_501  # 25.005 -> 25.01


def test_a_met_deductible_and_a_small_visit():
    assert parts(share(15_000, deductible=50_000, deductible_met=50_000, coinsurance_bp=2_000)) == (
        0, 3_000, 0, 3_000, 12_000,
    )  # fmt: skip
    # The copay never makes the patient owe more than the visit.
    small = share(1_500, copay=2_500)
    assert parts(small) == (0, 0, 1_500, 1_500, 0)
    assert "Copay 25.00 per visit, 15.00 applies" in small.steps


def test_the_out_of_pocket_maximum_caps_the_patient_share():
    estimate = share(
        50_000, copay=3_000, deductible=100_000, coinsurance_bp=2_000,
        oop_max=300_000, oop_met=290_000,
    )  # fmt: skip
    assert estimate.patient_total == 10_000 and estimate.payer_total == 40_000
    # The cap comes off the copay first, then the coinsurance, then the deductible.
    assert (estimate.copay, estimate.coinsurance, estimate.deductible_applied) == (0, 0, 10_000)
    assert "Out-of-pocket maximum 3,000.00, 2,900.00 met: the patient pays at most 100.00" in (
        estimate.steps
    )
    assert share(50_000, deductible=100_000, oop_max=300_000, oop_met=300_000).patient_total == 0
    assert share(50_000, deductible=100_000, oop_max=0).patient_total == 50_000  # 0: no cap


def test_a_claim_is_estimated_from_its_charges_and_says_so():
    terms = PlanTerms(copay=2_000, coinsurance_bp=1_000)
    estimate = estimate_claim([15_000, 1_500, 4_500], terms)
    assert parts(estimate) == (0, 2_100, 2_000, 4_100, 16_900)
    assert estimate.steps[0].startswith("Charge 210.00 (estimated from the charge")
    assert "allowed amount is not known" in estimate.steps[0]
    two_visits = estimate_claim([15_000, 15_000], terms, visits=2)
    assert two_visits.copay == 4_000 and "Copay 20.00 x 2 visits" in two_visits.steps


@pytest.mark.parametrize(
    "terms",
    [dict(copay=-1), dict(deductible_met=-1), dict(coinsurance_bp=10_001), dict(oop_max=-5),
     dict(visits=0)],
)  # fmt: skip
def test_impossible_terms_are_refused(terms):
    with pytest.raises(ValueError):
        share(10_000, **terms)
    with pytest.raises(ValueError):
        share(-1)


cents = st.integers(0, 10**8)


@given(
    amount=cents, copay=st.integers(0, 10**5), deductible=cents, deductible_met=cents,
    coinsurance_bp=st.integers(0, 10_000), oop_max=cents, oop_met=cents,
    visits=st.integers(1, 4),
)  # fmt: skip
def test_the_patient_and_payer_split_the_amount_exactly(
    amount, copay, deductible, deductible_met, coinsurance_bp, oop_max, oop_met, visits
):
    estimate = estimate_patient_share(
        amount, copay=copay, deductible=deductible, deductible_met=deductible_met,
        coinsurance_bp=coinsurance_bp, oop_max=oop_max, oop_met=oop_met, visits=visits,
    )  # fmt: skip
    assert estimate.patient_total + estimate.payer_total == amount
    assert min(parts(estimate)) >= 0
    assert estimate.patient_total <= amount
    assert estimate.deductible_applied + estimate.coinsurance + estimate.copay == (
        estimate.patient_total
    )
    assert estimate.deductible_applied <= max(0, deductible - deductible_met)
    assert estimate.copay <= copay * visits
    if oop_max:
        assert estimate.patient_total <= max(0, oop_max - oop_met)
    # Meeting more of the deductible never makes the patient owe more.
    more_met = estimate_patient_share(
        amount, copay=copay, deductible=deductible, deductible_met=deductible_met + 10_000,
        coinsurance_bp=coinsurance_bp, oop_max=oop_max, oop_met=oop_met, visits=visits,
    )  # fmt: skip
    assert more_met.patient_total <= estimate.patient_total
