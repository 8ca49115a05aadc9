"""Claims built from other claims: replacement (7), void request (8), secondary and tertiary (COB)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "x12"))  # the X12 test helpers
from pyx12_check import pyx12_errors  # noqa: E402
from sending import (  # noqa: E402
    adjudicate,
    history,
    insured_patient,
    make_sendable,
    number,
    ready_claim,
    status,
)
from x12_rules import segments, violations  # noqa: E402

from billing_tui.store import StoreRefused  # noqa: E402
from billing_tui.store.models import Claim  # noqa: E402
from billing_tui.store.submission import Submissions  # noqa: E402


@pytest.fixture
def paid(practice):
    """(patient id, coverage id, claim id): a two-line Medicare claim the payer has paid."""
    make_sendable(practice)
    patient, coverage = insured_patient(practice)
    claim_id = ready_claim(practice, patient, coverage, 10_000, 5_000)
    adjudicate(practice, claim_id, "MCR-0001")
    return patient, coverage, claim_id


def claims_on_file() -> int:
    return Claim.select().count()


def test_a_replacement_is_a_frequency_7_draft_naming_the_payers_number(practice, paid):
    claims = practice.store.claims
    _, _, original = paid
    replacement = claims.replacement(original, "  wrong   level of service ")
    new, old = claims.get(replacement), claims.get(original)
    assert (new.status, new.frequency, new.original_claim_number) == ("draft", "7", "MCR-0001")
    assert new.claim_number != old.claim_number
    assert [(x.code, x.charge, x.pointers) for x in new.lines] == [
        (x.code, x.charge, x.pointers) for x in old.lines
    ]
    assert {x.line_control_number for x in new.lines}.isdisjoint(
        x.line_control_number for x in old.lines
    )
    assert new.diagnoses == old.diagnoses and new.coverage.id == old.coverage.id
    assert history(replacement) == [
        (None, "draft", f"replaces {old.claim_number}: wrong level of service")
    ]
    assert status(original) == "paid"  # corrected only once the replacement is sent


def test_a_void_request_is_ready_at_once(practice, paid):
    claims = practice.store.claims
    _, _, original = paid
    void = claims.void_request(original, "billed to the wrong patient")
    detail = claims.get(void)
    assert (detail.status, detail.frequency, detail.original_claim_number) == (
        "ready",
        "8",
        "MCR-0001",
    )
    assert history(void)[0][2] == f"voids {number(original)}: billed to the wrong patient"
    assert status(original) == "paid"


@pytest.mark.parametrize("build", ["replacement", "void_request"])
def test_what_cannot_be_replaced_or_voided(practice, paid, build):
    claims = practice.store.claims
    patient, coverage, original = paid
    action = getattr(claims, build)
    unnumbered = ready_claim(practice, patient, coverage, 7_000, day=2)
    before = claims_on_file()
    with pytest.raises(StoreRefused, match="no payer claim number yet"):
        action(unnumbered, "typo")
    with pytest.raises(StoreRefused, match="say why"):
        action(original, "   ")
    with pytest.raises(StoreRefused, match="no claim 999999"):
        action(999_999, "typo")
    assert claims_on_file() == before
    first = action(original, "typo")
    with pytest.raises(StoreRefused, match=f"already has a .*{number(first)}"):
        action(original, "typo again")
    if build == "void_request":
        with pytest.raises(StoreRefused, match="is a void request"):
            claims.replacement(first, "no")


def test_a_claim_the_payer_has_not_finished_with_cannot_be_replaced(practice, paid):
    claims = practice.store.claims
    patient, coverage, _ = paid
    sent = ready_claim(practice, patient, coverage, 7_000, day=2)
    claims.set_status(sent, "submitted", "sent")
    Claim.update(payer_claim_number="MCR-0002").where(Claim.id == sent).execute()
    with pytest.raises(StoreRefused, match="is submitted: it cannot be replaced"):
        claims.replacement(sent, "typo")


def test_a_secondary_claim_bills_the_next_coverage_with_the_primary_adjudication(practice, paid):
    claims = practice.store.claims
    patient, _, primary = paid
    practice.coverage(patient, payer="State Medicaid", priority=3, member_id="MCD3")
    acme = practice.coverage(patient, payer="Acme Health", priority=2, member_id="ACM2")
    secondary = claims.secondary(primary)
    detail = claims.get(secondary)
    assert (detail.status, detail.frequency, detail.primary_claim_id) == ("draft", "1", primary)
    assert detail.coverage.id == acme and detail.coverage.payer.name == "Acme Health"
    assert [x.charge for x in detail.lines] == [10_000, 5_000]
    (prior,) = detail.prior_payers
    assert prior.coverage.payer.name == "Medicare Part B"
    assert prior.paid == 7_200  # 60% allowed, less the patient's 20% of it
    assert prior.paid_date is not None
    assert [line.adjustments for line in prior.lines] == [
        (("CO", "45", 4_000), ("PR", "2", 1_200)),
        (("CO", "45", 2_000), ("PR", "2", 600)),
    ]
    assert history(secondary) == [(None, "draft", f"secondary to {number(primary)}")]
    with pytest.raises(StoreRefused, match=f"already has a secondary: {number(secondary)}"):
        claims.secondary(primary)


def test_a_tertiary_claim_reports_both_earlier_payers(practice, paid, tmp_path):
    store = practice.store
    patient, _, primary = paid
    practice.coverage(patient, payer="Acme Health", priority=2, member_id="ACM2")
    practice.coverage(patient, payer="State Medicaid", priority=3, member_id="MCD3")
    secondary = store.claims.secondary(primary)
    store.claims.set_status(secondary, "ready", "scrubbed")
    adjudicate(practice, secondary, "ACME-77", paid_percent=100)
    tertiary = store.claims.secondary(secondary)
    store.claims.set_status(tertiary, "ready", "scrubbed")
    detail = store.claims.get(tertiary)
    assert [p.coverage.payer.name for p in detail.prior_payers] == [
        "Medicare Part B",
        "Acme Health",
    ]
    out = tmp_path / "tertiary.x12"
    result = Submissions(store).export_837(out, [number(tertiary)])
    assert [s.claim_number for s in result.sent] == [number(tertiary)]
    text = out.read_text()
    assert pyx12_errors(out) == [] and violations(text) == []
    assert [s[1] for s in segments(text) if s[0] == "SBR"] == ["T", "P", "S"]
    assert [s[1] for s in segments(text) if s[0] == "SVD"] == ["MCR01", "ACME1"] * 2


def test_what_has_no_secondary(practice, paid):
    claims = practice.store.claims
    patient, coverage, primary = paid
    with pytest.raises(StoreRefused, match="no coverage after Medicare Part B"):
        claims.secondary(primary)
    ended = practice.coverage(
        patient, payer="Acme Health", priority=2, member_id="A", end_date=dt.date(2026, 9, 1)
    )
    with pytest.raises(StoreRefused, match="no coverage after"):
        claims.secondary(primary)  # a coverage that ended before the visit does not count
    assert ended
    waiting = ready_claim(practice, patient, coverage, 7_000, day=2)
    with pytest.raises(StoreRefused, match="is ready: a secondary claim follows"):
        claims.secondary(waiting)
    self_pay = practice.billed_claim(practice.patient(last="Cash"))
    with pytest.raises(StoreRefused, match="is ready"):
        claims.secondary(self_pay)


def test_a_visits_charges_are_on_the_ledger_once_through_replacement_void_and_cob(
    practice, paid, tmp_path
):
    """Building and sending claims from a claim never bills the visit's charges twice."""
    store = practice.store
    patient, _, original = paid
    practice.coverage(patient, payer="Acme Health", priority=2, member_id="ACM77")

    def charges() -> int:
        return sum(e.insurance_delta + e.patient_delta
                   for e in store.accounts.get(patient).ledger if e.kind == "charge")  # fmt: skip

    assert charges() == 15_000
    secondary = store.claims.secondary(original)
    store.claims.set_status(secondary, "ready", "scrubbed")
    assert charges() == 15_000  # the secondary bills charges the primary carries
    replacement = store.claims.replacement(original, "wrong code")
    store.claims.set_status(replacement, "ready", "scrubbed")
    assert charges() == 15_000  # not until it is sent
    Submissions(store).export_837(tmp_path / "a.837", [number(replacement)])
    assert status(original) == "corrected"
    assert charges() == 15_000  # moved from the original to its replacement
    assert store.claims.get(original).charge == 15_000
    adjudicate(practice, replacement, "MCR-0002")
    void = store.claims.void_request(replacement, "billed in error")
    Submissions(store).export_837(tmp_path / "b.837", [number(void)])
    assert status(replacement) == "voided"
    assert charges() == 0
    assert store.verify().ok, store.verify().violations
