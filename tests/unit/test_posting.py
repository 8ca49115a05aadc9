"""Posting a payer's adjudication: paid, written off, moved to the patient; in cents, exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing_tui.domain.ledger import EntryKind
from billing_tui.domain.posting import (
    Adjudication,
    Entry,
    PostingError,
    Reason,
    entries_for,
    take_in_order,
    totals,
)
from billing_tui.x12.x835 import read_835

SAMPLES = Path(__file__).parent.parent / "x12" / "samples" / "835"


def test_a_line_paid_written_down_and_partly_the_patients():
    entries = entries_for(
        [Adjudication(7, 8000, (Reason("CO", "45", 5000), Reason("PR", "2", 2000)), ("N130",))]
    )
    assert [(e.kind, e.line, e.insurance_delta, e.patient_delta, e.group, e.reason)
            for e in entries] == [
        (EntryKind.PAYMENT, 7, -8000, 0, "", ""),
        (EntryKind.ADJUSTMENT, 7, -5000, 0, "CO", "45"),
        (EntryKind.TRANSFER, 7, -2000, 2000, "PR", "2"),
    ]  # fmt: skip
    assert all(e.remarks == "N130" for e in entries)
    assert totals(entries) == {"paid": 8000, "written_off": 5000, "to_patient": 2000}


@pytest.mark.parametrize(
    "name", sorted(p.name for p in SAMPLES.glob("*.x12") if "lfh" not in p.name)
)
def test_every_sample_claim_posts_its_charge_off_the_insurance_balance(name):
    """Paid + written off + moved to the patient = the charge, for every processed claim."""
    for remittance in read_835((SAMPLES / name).read_text(encoding="ascii")):
        for claim in remittance.claims:
            answers = [
                Adjudication(
                    index,
                    line.paid,
                    tuple(Reason(a.group, a.reason, a.amount) for a in line.adjustments),
                )
                for index, line in enumerate(claim.lines)
            ]
            # Claim level: what the claim paid beyond (or short of) its lines.
            lines_paid = sum(line.paid for line in claim.lines)
            answers.append(
                Adjudication(
                    None, claim.paid - lines_paid,
                    tuple(Reason(a.group, a.reason, a.amount) for a in claim.adjustments),
                )
            )  # fmt: skip
            entries = entries_for(answers)
            assert totals(entries)["paid"] == claim.paid
            assert sum(e.insurance_delta for e in entries) == -claim.charge
            assert sum(e.patient_delta for e in entries) == claim.patient_share()


def test_claim_level_adjustments_come_off_the_lines_payments():
    """CLP04 450 = SVC03 500 less a claim-level CO-A2 of 50 (a stupidedi sample)."""
    entries = entries_for(
        [
            Adjudication(1, 50000, (Reason("PR", "1", 30000),)),
            Adjudication(None, -5000, (Reason("CO", "A2", 5000),)),
        ]
    )
    assert totals(entries) == {"paid": 45000, "written_off": 5000, "to_patient": 30000}
    assert [(e.kind, e.line) for e in entries][:1] == [(EntryKind.PAYMENT, 1)]
    with pytest.raises(PostingError, match="more than its lines paid"):
        entries_for([Adjudication(1, 100), Adjudication(None, -500, (Reason("CO", "A2", 500),))])


def test_money_taken_back_is_for_a_person_or_a_reversal():
    with pytest.raises(PostingError, match="reverse the earlier posting"):
        entries_for([Adjudication(1, -500)])
    with pytest.raises(PostingError, match="adjusts nothing"):
        entries_for([Adjudication(1, 100, (Reason("CO", "45", 0),))])
    with pytest.raises(PostingError, match="not an adjustment group"):
        entries_for([Adjudication(1, 100, (Reason("CR", "45", 100),))])


def test_a_payer_paying_beyond_the_charge_balances_the_line_with_its_negative_write_off():
    """OA-94 -9.00: a secondary paid 34.00 on a 25.00 line (stupidedi's sample)."""
    entries = entries_for([Adjudication(1, 3400, (Reason("OA", "94", -900),))])
    assert [(e.kind, e.insurance_delta, e.group) for e in entries] == [
        (EntryKind.PAYMENT, -3400, ""),
        (EntryKind.ADJUSTMENT, 900, "OA"),
    ]
    assert sum(e.insurance_delta for e in entries) == -2500


def test_a_negative_patient_share_moves_back_to_insurance():
    (entry,) = entries_for([Adjudication(1, 0, (Reason("PR", "1", -1500),))])
    assert (entry.kind, entry.insurance_delta, entry.patient_delta) == (
        EntryKind.TRANSFER, 1500, -1500
    )  # fmt: skip


amounts = st.integers(min_value=1, max_value=10**8)


@given(
    st.integers(min_value=0, max_value=10**8),
    st.lists(st.tuples(st.sampled_from(["CO", "OA", "PI", "PR"]), amounts), max_size=6),
)
def test_the_entries_account_for_every_cent(paid, reasons):
    entries = entries_for([Adjudication(1, paid, tuple(Reason(g, "1", a) for g, a in reasons))])
    moved = totals(entries)
    assert moved["paid"] + moved["written_off"] + moved["to_patient"] == paid + sum(
        a for _, a in reasons
    )
    assert -sum(e.insurance_delta for e in entries) == paid + sum(a for _, a in reasons)
    assert sum(e.patient_delta for e in entries) == sum(a for g, a in reasons if g == "PR")


def test_a_later_payer_pays_what_the_earlier_left_and_restates_no_write_off():
    """After the primary: 0.00 with insurance, 10.00 the patient's (a deductible)."""
    payment = Entry(EntryKind.PAYMENT, 1, -1_000, 0)
    write_off = Entry(EntryKind.ADJUSTMENT, 1, -9_000, 0, "CO", "45")
    to_patient = Entry(EntryKind.TRANSFER, 1, -500, 500, "PR", "2")
    moved = take_in_order(payment, 0, 1_000)
    assert (moved.insurance_delta, moved.patient_delta) == (0, -1_000)
    assert take_in_order(write_off, 0, 0) is None  # the primary's write-off, restated
    assert take_in_order(to_patient, 0, 0) is None
    # Paid beyond both balances: the rest is a credit with the payer, not the patient's.
    moved = take_in_order(Entry(EntryKind.PAYMENT, 1, -3_000, 0), 500, 1_000)
    assert (moved.insurance_delta, moved.patient_delta) == (-2_000, -1_000)
    moved = take_in_order(write_off, 4_000, 1_000)
    assert (moved.insurance_delta, moved.patient_delta) == (-4_000, 0)
