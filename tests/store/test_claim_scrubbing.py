"""Scrubbing saved claims: the facts the store reads, the ready gate, duplicates, batches, the CLI."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from store_builders import TODAY, npi

from billing_tui.cli import main
from billing_tui.domain.claims import ClaimStatus
from billing_tui.sample import generate
from billing_tui.store import Store, StoreRefused
from billing_tui.store.models import Claim, ClaimStatusChange, FeeSchedule, Provider, database
from billing_tui.store.records import ClaimDraft, LineDraft

DOS = dt.date(2026, 10, 1)


@pytest.fixture
def priced(practice):
    """The practice with a fee schedule, so that a plain office visit scrubs clean."""
    with practice.store.db.atomic():
        FeeSchedule.create(code="99213", description="Office visit", charge_cents=15_000)
        FeeSchedule.create(code="36415", description="Venipuncture", charge_cents=1_500)
    return practice


def draft(practice, patient_id: int, *, coverage_id=None, **changes) -> ClaimDraft:
    fields = dict(
        patient_id=patient_id, billing_provider_id=practice.billing_provider_id,
        rendering_provider_id=practice.provider_id, place_of_service="11",
        lines=(LineDraft(dos_from=DOS, code="99213", charge=15_000),
               LineDraft(dos_from=DOS, code="36415", charge=1_500, pointers=(2,))),
        diagnoses=("J06.9", "E11.9"), coverage_id=coverage_id,
    )  # fmt: skip
    return ClaimDraft(**{**fields, **changes})


def rule_ids(findings) -> list[str]:
    return [f.rule_id for f in findings]


def test_a_clean_saved_claim_has_no_findings_and_its_facts_are_the_claims(priced, store):
    pid = priced.patient()
    claim_id = store.claims.create(draft(priced, pid, coverage_id=priced.coverage(pid)))
    assert store.claims.scrub(claim_id) == ()
    facts = store.claims.facts(store.claims.get(claim_id))
    assert (facts.billing_npi, facts.rendering.name, facts.rendering.credential) == (
        npi("123456789"), "Ada Quill", "MD",
    )  # fmt: skip
    assert facts.diagnoses == ("J069", "E119") and facts.total == 16_500
    assert facts.coverage.subscriber.last_name == "Doe" and facts.coverage.relationship == "18"
    assert facts.known_codes == {"99213", "36415"} and facts.already_billed == frozenset()
    store.claims.set_status(claim_id, ClaimStatus.READY, "scrubbed")
    assert store.claims.get(claim_id).status == "ready"
    assert store.claims.scrub_many([claim_id, 9_999]) == {claim_id: ()}  # unknown ids left out
    with pytest.raises(StoreRefused, match="no claim 9999"):
        store.claims.scrub(9_999)


def test_an_error_refuses_ready_with_its_message_and_changes_nothing(priced, store):
    pid = priced.patient()
    claim_id = store.claims.create(draft(priced, pid, diagnoses=("J06", "E11.9")))
    (finding,) = store.claims.scrub(claim_id)
    assert (finding.rule_id, finding.field) == ("DX-BILLABLE", "dx.1")
    with pytest.raises(StoreRefused) as refused:
        store.claims.set_status(claim_id, ClaimStatus.READY)
    assert str(refused.value) == finding.message
    assert str(refused.value).startswith("Diagnosis 1: J06 is a category, not billable")
    detail = store.claims.get(claim_id)
    assert (detail.status, detail.version) == ("draft", 1)
    assert store.ledger.balances(pid) == (0, 0)  # no charges posted
    assert ClaimStatusChange.select().where(ClaimStatusChange.claim == claim_id).count() == 1
    # Only ready is guarded: the draft can still be voided.
    store.claims.set_status(claim_id, ClaimStatus.VOIDED, "entered in error")


def test_a_warning_does_not_block_ready(practice, store):
    pid = practice.patient()  # no fee schedule: every code is unknown to it
    claim_id = store.claims.create(draft(practice, pid))
    assert rule_ids(store.claims.scrub(claim_id)) == ["CODE-KNOWN", "CODE-KNOWN"]
    store.claims.set_status(claim_id, ClaimStatus.READY)
    assert store.ledger.balances(pid) == (0, 16_500)


def test_the_same_visit_billed_twice_to_the_same_payer_is_a_duplicate(priced, store):
    pid = priced.patient()
    medicare = priced.coverage(pid)
    acme = priced.coverage(pid, "Acme Health", priority=2, member_id="ACM9")
    first = store.claims.create(draft(priced, pid, coverage_id=medicare))
    store.claims.set_status(first, ClaimStatus.READY)
    again = store.claims.create(
        draft(priced, pid, coverage_id=medicare, lines=(LineDraft(DOS, "99213", 15_000),))
    )
    (duplicate,) = store.claims.scrub(again)
    assert (duplicate.rule_id, duplicate.field, duplicate.message) == (
        "DUPLICATE", "line.1.code", "Line 1: 99213 on 10/01/2026 is already billed on another claim",
    )  # fmt: skip
    with pytest.raises(StoreRefused, match="already billed on another claim"):
        store.claims.set_status(again, ClaimStatus.READY)
    # Another day, or another payer (a secondary claim bills the visit again, rightly): no duplicate.
    next_day = store.claims.create(
        draft(priced, pid, coverage_id=medicare, lines=(LineDraft(DOS + dt.timedelta(1), "99213", 15_000),))
    )  # fmt: skip
    secondary = store.claims.create(draft(priced, pid, coverage_id=acme))
    assert store.claims.scrub(next_day) == () and store.claims.scrub(secondary) == ()
    # Another patient's visit that day is theirs.
    other = priced.patient("Roe", "Rick")
    theirs = store.claims.create(draft(priced, other, coverage_id=priced.coverage(other)))
    assert store.claims.scrub(theirs) == ()
    assert store.claims.scrub_many([first, again, next_day, secondary, theirs]) == {
        claim_id: store.claims.scrub(claim_id)
        for claim_id in (first, again, next_day, secondary, theirs)
    }
    # Once the first is voided, the visit is billed by the second alone.
    store.claims.set_status(first, ClaimStatus.VOIDED, "wrong claim")
    assert store.claims.scrub(again) == ()
    store.claims.set_status(again, ClaimStatus.READY)


def test_a_void_request_for_a_billed_claim_can_be_made_ready(priced, store):
    pid = priced.patient()
    medicare = priced.coverage(pid)
    original = store.claims.create(draft(priced, pid, coverage_id=medicare))
    store.claims.set_status(original, ClaimStatus.READY)
    void = store.claims.create(
        draft(priced, pid, coverage_id=medicare, frequency="8", original_claim_number="MCR-77")
    )
    assert store.claims.scrub(void) == ()  # the same lines again, by design
    store.claims.set_status(void, ClaimStatus.READY, "void request")
    assert store.claims.get(void).status == "ready"


def test_incident_to_is_read_from_the_providers_supervising_physician(priced, store):
    with store.db.atomic():
        np_id = Provider.create(
            first_name="Colleen", last_name="Fitz", credential="NP", npi=npi("150392817"),
            supervising=priced.provider_id,
        ).id  # fmt: skip
    pid = priced.patient()
    medicare, acme = priced.coverage(pid), priced.coverage(pid, "Acme Health", priority=2)

    def visit(days: int, coverage_id: int, **changes) -> int:
        lines = (LineDraft(dos_from=DOS + dt.timedelta(days), code="99213", charge=15_000),)
        return store.claims.create(
            draft(priced, pid, coverage_id=coverage_id, rendering_provider_id=np_id, lines=lines,
                  **changes)
        )  # fmt: skip

    (error,) = store.claims.scrub(visit(1, acme))
    assert (error.rule_id, error.blocks) == ("INCIDENT-TO", True)
    (warning,) = store.claims.scrub(visit(2, medicare))
    assert (warning.rule_id, warning.blocks) == ("INCIDENT-TO-MEDICARE", False)
    assert store.claims.scrub(visit(3, acme, supervising_provider_id=priced.provider_id)) == ()


def test_the_estimate_reads_the_coverage_terms(priced, store):
    pid = priced.patient()
    coverage = priced.coverage(
        pid, "Acme Health", copay=2_000, deductible=10_000, coinsurance_bp=2_000, oop_max=500_000
    )
    claim_id = store.claims.create(draft(priced, pid, coverage_id=coverage))
    estimate = store.claims.estimate(claim_id)
    # 165.00: 100.00 deductible, 20% of 65.00 = 13.00, 20.00 copay.
    assert (estimate.deductible_applied, estimate.coinsurance, estimate.copay) == (
        10_000,
        1_300,
        2_000,
    )
    assert (estimate.patient_total, estimate.payer_total) == (13_300, 3_200)
    assert "estimated from the charge" in estimate.steps[0]
    assert store.claims.estimate(store.claims.create(draft(priced, pid))) is None  # self-pay


@pytest.fixture(scope="module")
def sample_practice(module_db_url):
    store = Store.open(module_db_url, username="tester", today=lambda: TODAY)
    try:
        generate(store.db, 2_000, seed=5, as_of=TODAY)
        yield store
    finally:
        store.close()


def test_scrub_many_agrees_with_scrub_on_a_sample_practice_and_is_quick(sample_practice):
    store = sample_practice
    database.initialize(store.db)  # another test's Store may have re-bound the models since
    claim_ids = [claim_id for (claim_id,) in Claim.select(Claim.id).tuples()]
    assert len(claim_ids) > 3_000
    store.claims.warm_scrubber()
    started = time.perf_counter()
    found = store.claims.scrub_many(claim_ids)
    seconds = time.perf_counter() - started
    print(f"\nscrub_many: {len(claim_ids):,} claims in {seconds:.2f} s")
    assert set(found) == set(claim_ids)
    assert seconds < 5  # about 0.4 s on SQLite, 0.8 s on PostgreSQL on the 2-core CI box
    for claim_id in claim_ids[::40]:
        assert found[claim_id] == store.claims.scrub(claim_id), claim_id
    details = [store.claims.get(claim_id) for claim_id in claim_ids[:200]]
    assert store.claims.scrub_details(details) == {d.id: found[d.id] for d in details}
    # The sample's ready claims are mostly clean: its cast has valid NPIs, billable codes.
    ready = store.claims.with_status("ready")
    clean = [claim_id for claim_id in ready if not any(f.blocks for f in found[claim_id])]
    assert ready and len(clean) >= 0.8 * len(ready)


# --------------------------------------------------------------------------- the CLI


@pytest.fixture
def cli_db(tmp_path):
    path = str(tmp_path / "cli.db")
    store = Store.open(path, username="tester", today=lambda: TODAY)
    from store_builders import build_practice

    practice = build_practice(store)
    pid = practice.patient()
    coverage = practice.coverage(pid)
    good = store.claims.create(draft(practice, pid, coverage_id=coverage))
    day_before = DOS - dt.timedelta(days=1)
    lines = (
        LineDraft(day_before, "99213", 15_000),
        LineDraft(day_before, "36415", 1_500, pointers=(2,)),
    )
    bad = store.claims.create(
        draft(practice, pid, coverage_id=coverage, diagnoses=("J06.9",), lines=lines)
    )
    numbers = {claim_id: store.claims.get(claim_id).claim_number for claim_id in (good, bad)}
    store.close()
    return path, numbers[good], numbers[bad]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_scrub_prints_the_findings_and_exits_1_on_an_error(cli_db, capsys):
    path, good, bad = cli_db
    code, out, _ = run(capsys, "--db", path, "scrub")
    assert (code, out) == (0, "No ready claims.\n")
    code, out, _ = run(capsys, "--db", path, "scrub", "--status", "draft")
    assert code == 1
    rows = [line.split()[:4] for line in out.splitlines()]
    assert [bad, "error", "POINTER-RANGE", "line.2.pointers"] in rows
    assert "Line 2: pointer 2 points past the claim's 1 diagnosis" in out
    assert (
        out.splitlines()[-1] == "Scrubbed 2 claims: 0 clean, 1 with errors, 1 with warnings only."
    )
    code, out, _ = run(capsys, "--db", path, "scrub", "--claim", good.lower(), "--format", "json")
    assert code == 0
    (claim,) = json.loads(out)
    assert (claim["claim"], claim["clean"]) == (good, False)
    assert {f["rule"] for f in claim["findings"]} == {"CODE-KNOWN"}
    code, _, err = run(capsys, "--db", path, "scrub", "--claim", good, "--claim", "999-9")
    assert (code, err) == (1, "billing-tui: no claim '999-9'\n")


def test_cli_scrub_lists_its_rules(capsys):
    code, out, _ = run(capsys, "scrub", "--rules", "--format", "json")
    rules = {rule.pop("rule"): rule for rule in json.loads(out)}
    assert code == 0 and len(rules) > 35
    assert rules["DX-BILLABLE"] == {
        "severity": "error",
        "checks": "each diagnosis is a billable ICD-10-CM code (a leaf: J06.9, not J06)",
    }
    assert rules["TIMELY-FILING-SOON"]["severity"] == "warning"
