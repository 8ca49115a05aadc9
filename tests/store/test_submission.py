"""The 837P export through the real Store: one transaction, a file only when it commits,
control numbers never reused, and a bad claim never stopping the good ones."""

from __future__ import annotations

import datetime as dt
import stat
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
    recorded,
    status,
)
from x12_rules import segments, violations  # noqa: E402

from billing_tui.store import StoreConflict, StoreRefused, submission  # noqa: E402
from billing_tui.store.models import (  # noqa: E402
    Claim,
    ClaimDiagnosis,
    Coverage,
    ServiceLine,
    X12Interchange,
)
from billing_tui.store.records import ClaimDraft, LineDraft  # noqa: E402
from billing_tui.store.submission import Submissions  # noqa: E402


@pytest.fixture
def sender(practice):
    make_sendable(practice)
    return practice


def export(store, out, *numbers, production=True):
    return Submissions(store).export_837(out, numbers, production=production)


def claim_segments(text: str, claim_number: str) -> list[list[str]]:
    segs = segments(text)
    start = next(i for i, s in enumerate(segs) if s[:2] == ["CLM", claim_number])
    end = next(i for i in range(start + 1, len(segs)) if segs[i][0] in ("HL", "SE"))
    return segs[start:end]


def test_ready_claims_go_in_one_valid_interchange_and_become_submitted(sender, tmp_path):
    store = sender.store
    able, able_coverage = insured_patient(sender, "Able")
    baker, baker_coverage = insured_patient(
        sender, "Baker", payer="Acme Health", member_id="ACM000111", group_number="G77"
    )
    first = ready_claim(sender, able, able_coverage, 10_000, 2_500)
    second = ready_claim(sender, baker, baker_coverage, 7_500)
    draft = sender.claim(able, coverage_id=able_coverage, dos=dt.date(2026, 10, 2))
    out = tmp_path / "sent" / "batch.x12"
    out.parent.mkdir()

    result = export(store, out, production=False)

    assert sorted(s.claim_number for s in result.sent) == sorted([number(first), number(second)])
    assert result.held == () and result.path == out
    text = out.read_text()
    assert pyx12_errors(out) == []
    assert violations(text) == []
    isa = segments(text)[0]
    assert (isa[13], isa[15]) == (f"{result.control_number:09d}", "T")
    assert (status(first), status(second), status(draft)) == ("submitted", "submitted", "draft")
    reason = f"sent in 837P interchange {result.control_number}"
    assert history(first)[-1] == ("ready", "submitted", reason)
    assert recorded() == (1, 2)
    interchange = X12Interchange.get_by_id(result.control_number)
    assert (interchange.kind, interchange.transactions, interchange.file_name) == (
        "837",
        2,
        str(out),
    )
    assert Claim.get_by_id(first).submitted_at is not None
    controls = [s[2] for s in segments(text) if s[:2] == ["REF", "6R"]]
    expected = [
        line.line_control_number
        for line in ServiceLine.select().where(ServiceLine.claim.in_([first, second]))
    ]
    assert sorted(controls) == sorted(expected)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # it holds patient data
    assert list(out.parent.iterdir()) == [out]  # no temporary file left behind


def test_control_numbers_are_never_reused(sender, tmp_path):
    patient, coverage = insured_patient(sender)
    ready_claim(sender, patient, coverage, 10_000)
    first = export(sender.store, tmp_path / "one.x12")
    ready_claim(sender, patient, coverage, 20_000, day=2)
    with pytest.raises(StoreRefused):  # a failed export in between takes no number for good
        export(sender.store, tmp_path / "missing" / "x.x12")
    second = export(sender.store, tmp_path / "two.x12")
    isa13 = [segments((tmp_path / n).read_text())[0][13] for n in ("one.x12", "two.x12")]
    gs06 = [segments((tmp_path / n).read_text())[1][6] for n in ("one.x12", "two.x12")]
    assert len(set(isa13)) == 2 and len(set(gs06)) == 2
    assert second.control_number > first.control_number
    assert recorded() == (2, 2)


def test_only_the_named_claims_go(sender, tmp_path):
    patient, coverage = insured_patient(sender)
    left = ready_claim(sender, patient, coverage, 10_000)
    named = ready_claim(sender, patient, coverage, 20_000, day=2)
    draft = sender.claim(patient, coverage_id=coverage, dos=dt.date(2026, 10, 3))
    result = export(sender.store, tmp_path / "named.x12", number(named), f" {number(draft)} ")
    assert [s.claim_number for s in result.sent] == [number(named)]
    assert [(h.claim_number, h.reasons) for h in result.held] == [
        (number(draft), ("it is draft, not ready",))
    ]
    assert (status(left), status(named)) == ("ready", "submitted")


def test_an_unknown_claim_number_changes_nothing(sender, tmp_path):
    patient, coverage = insured_patient(sender)
    claim_id = ready_claim(sender, patient, coverage)
    out = tmp_path / "x.x12"
    with pytest.raises(StoreRefused, match="no claim 99999-9"):
        export(sender.store, out, number(claim_id), "99999-9")
    assert not out.exists() and status(claim_id) == "ready" and recorded() == (0, 0)


def test_nothing_ready_writes_nothing(sender, tmp_path):
    patient, coverage = insured_patient(sender)
    sender.claim(patient, coverage_id=coverage)  # a draft only
    out = tmp_path / "x.x12"
    result = export(sender.store, out)
    assert (result.control_number, result.sent, result.held) == (None, (), ())
    assert not out.exists() and recorded() == (0, 0)


@pytest.mark.parametrize(
    ("where", "message"),
    [("missing/out.x12", "does not exist"), ("", "is a directory")],
)
def test_an_unwritable_out_changes_nothing(sender, tmp_path, where, message):
    patient, coverage = insured_patient(sender)
    claim_id = ready_claim(sender, patient, coverage)
    with pytest.raises(StoreRefused, match=message):
        export(sender.store, tmp_path / where)
    assert status(claim_id) == "ready" and recorded() == (0, 0)


def test_a_write_failure_rolls_everything_back(sender, tmp_path, monkeypatch):
    patient, coverage = insured_patient(sender)
    claim_id = ready_claim(sender, patient, coverage)

    def disk_full(out, text):
        raise StoreRefused(f"cannot write {out}: No space left on device")

    monkeypatch.setattr(submission, "_write_temp", disk_full)
    with pytest.raises(StoreRefused, match="No space left"):
        export(sender.store, tmp_path / "x.x12")
    assert status(claim_id) == "ready" and recorded() == (0, 0)
    assert history(claim_id)[-1][1] == "ready"


def test_a_failure_after_the_file_is_written_leaves_no_file(sender, tmp_path, monkeypatch):
    patient, coverage = insured_patient(sender)
    claim_id = ready_claim(sender, patient, coverage)

    def conflict(self, *args):
        raise StoreConflict("claims changed while the 837 was being written; try again")

    monkeypatch.setattr(Submissions, "_record", conflict)
    out = tmp_path / "sent" / "x.x12"
    out.parent.mkdir()
    with pytest.raises(StoreConflict):
        export(sender.store, out)
    assert list(out.parent.iterdir()) == []  # neither the file nor its temporary twin
    assert status(claim_id) == "ready" and recorded() == (0, 0)


def test_a_bad_claim_never_stops_the_good_ones(sender, tmp_path):
    store = sender.store
    patient, coverage = insured_patient(sender)
    good = ready_claim(sender, patient, coverage, 10_000)
    broken = ready_claim(sender, patient, coverage, 20_000, day=2)
    lapsed = ready_claim(sender, patient, coverage, 30_000, day=3)
    other_patient, other_coverage = insured_patient(sender, "Ended")
    ended = ready_claim(sender, other_patient, other_coverage, 40_000)
    # Changed behind the scrubber's back after they became ready: no diagnosis left on
    # one (the writer's own guard), a coverage that ended before the visit on the other.
    ClaimDiagnosis.delete().where(ClaimDiagnosis.claim == broken).execute()
    Coverage.update(end_date=dt.date(2026, 9, 1)).where(Coverage.id == other_coverage).execute()
    out = tmp_path / "x.x12"

    result = export(store, out)

    assert [s.claim_number for s in result.sent] == [number(good), number(lapsed)]
    held = {h.claim_number: h.reasons for h in result.held}
    assert set(held) == {number(broken), number(ended)}
    assert "no diagnosis" in held[number(broken)]
    assert any(reason.startswith("DOS-COVERAGE") for reason in held[number(ended)])
    assert (status(good), status(broken), status(ended)) == ("submitted", "ready", "ready")
    assert pyx12_errors(out) == [] and violations(out.read_text()) == []


def test_self_pay_claims_stay_out_unless_named(sender, tmp_path):
    patient = sender.patient()
    self_pay = sender.billed_claim(patient)  # ready, no coverage
    assert export(sender.store, tmp_path / "a.x12").held == ()
    result = export(sender.store, tmp_path / "b.x12", number(self_pay))
    assert "self-pay" in result.held[0].reasons[0] and result.control_number is None


def test_a_secondary_claim_goes_with_the_primary_adjudication(sender, tmp_path):
    store = sender.store
    patient, medicare = insured_patient(sender)
    acme = sender.coverage(patient, payer="Acme Health", priority=2, member_id="ACM9")
    primary = ready_claim(sender, patient, medicare, 10_000, 5_000)
    adjudicate(sender, primary, "MCR-ICN-1")
    secondary = store.claims.secondary(primary)
    store.claims.set_status(secondary, "ready", "scrubbed")
    out = tmp_path / "cob.x12"

    result = export(store, out, number(secondary))

    assert [s.claim_number for s in result.sent] == [number(secondary)]
    text = out.read_text()
    assert pyx12_errors(out) == [] and violations(text) == []
    claim = claim_segments(text, number(secondary))
    sbr = [s for s in segments(text) if s[0] == "SBR"]
    assert sbr[0][:2] == ["SBR", "S"] and sbr[0][-1] == "CI"  # Acme, billed second
    assert sbr[1][:3] == ["SBR", "P", "18"] and sbr[1][-1] == "MB"  # 2320: Medicare paid first
    assert ["AMT", "D", "72"] in claim  # 60% allowed less the patient's 20% of it
    assert ["SVD", "MCR01", "48", "HC:99213", "", "1"] in claim
    assert ["CAS", "CO", "45", "40"] in claim and ["CAS", "PR", "2", "12"] in claim
    assert Coverage.get_by_id(acme).payer_id == Claim.get_by_id(secondary).payer_id
    assert status(primary) == "paid"


def test_a_replacement_goes_and_corrects_its_original(sender, tmp_path):
    store = sender.store
    patient, coverage = insured_patient(sender)
    original = ready_claim(sender, patient, coverage, 10_000)
    adjudicate(sender, original, "ICN-0007")
    replacement = store.claims.replacement(original, "wrong level of service")
    detail = store.claims.get(replacement)
    corrected = ClaimDraft(
        patient_id=patient,
        billing_provider_id=detail.billing_provider.id,
        rendering_provider_id=detail.rendering.id,
        place_of_service="11",
        lines=(LineDraft(dos_from=detail.lines[0].dos_from, code="99214", charge=22_000),),
        diagnoses=detail.diagnoses,
        coverage_id=coverage,
        frequency="7",
        original_claim_number=detail.original_claim_number,
    )
    store.claims.update(replacement, corrected, expected_version=detail.version)
    store.claims.set_status(replacement, "ready", "scrubbed")
    assert status(original) == "paid"  # it stands until the replacement is sent
    out = tmp_path / "seven.x12"

    result = export(store, out)

    assert [s.frequency for s in result.sent] == ["7"]
    claim = claim_segments(out.read_text(), number(replacement))
    assert claim[0][5] == "11:B:7" and ["REF", "F8", "ICN-0007"] in claim
    assert pyx12_errors(out) == []
    assert status(original) == "corrected"
    assert history(original)[-1] == (
        "paid",
        "corrected",
        f"corrected by claim {number(replacement)}",
    )


def test_a_void_request_goes_and_voids_its_original(sender, tmp_path):
    store = sender.store
    patient, coverage = insured_patient(sender)
    original = ready_claim(sender, patient, coverage, 10_000)
    adjudicate(sender, original, "ICN-0008")
    void = store.claims.void_request(original, "billed to the wrong patient")
    assert status(void) == "ready"
    out = tmp_path / "eight.x12"

    result = export(store, out)

    assert [s.frequency for s in result.sent] == ["8"]
    claim = claim_segments(out.read_text(), number(void))
    assert claim[0][5] == "11:B:8" and ["REF", "F8", "ICN-0008"] in claim
    assert pyx12_errors(out) == []
    assert status(original) == "voided"


def test_a_replacement_whose_original_cannot_be_corrected_is_held(sender, tmp_path):
    store = sender.store
    patient, coverage = insured_patient(sender)
    original = ready_claim(sender, patient, coverage, 10_000)
    adjudicate(sender, original, "ICN-0009")
    replacement = store.claims.replacement(original, "wrong modifier")
    detail = store.claims.get(replacement)
    draft = ClaimDraft(
        patient_id=patient, billing_provider_id=detail.billing_provider.id,
        rendering_provider_id=detail.rendering.id, place_of_service="11",
        lines=(LineDraft(detail.lines[0].dos_from, "99214", 22_000),),
        diagnoses=detail.diagnoses, coverage_id=coverage, frequency="7",
        original_claim_number="ICN-0009",
    )  # fmt: skip
    store.claims.update(replacement, draft, expected_version=detail.version)
    store.claims.set_status(replacement, "ready", "scrubbed")
    store.claims.set_status(original, "voided", "voided at the payer by phone")
    result = export(store, tmp_path / "x.x12")
    assert result.sent == () and result.control_number is None
    assert result.held[0].reasons == (
        f"the original claim {number(original)} is voided: it cannot become corrected",
    )
    assert (status(original), status(replacement)) == ("voided", "ready")
