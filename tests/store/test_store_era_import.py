"""835 ERA auto-posting on a real database: the public samples, and generated ERAs for
each rule (denial, crossover, reversal then correction, PLB, partial and overpayment,
unmatched and unbalanced claims), and bad files that must change nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from era_builders import Clp, Svc, claim_lines, claim_number, claims_for_835, era_835, submit

from billing_tui.store.models import (
    BatchAdjustment,
    Claim,
    LedgerEntry,
    Payment,
    PaymentBatch,
    RemittanceClaim,
    RemittanceImport,
    WorkItem,
)
from billing_tui.store.remittances import EraRefused
from billing_tui.x12.x835 import read_835

SAMPLES = Path(__file__).parent.parent / "x12" / "samples" / "835"
VALID = sorted(p.name for p in SAMPLES.glob("*.x12") if "lfh" not in p.name)
DOS = dt.date(2026, 10, 1)


def import_text(store, text: str, name: str = "era.x12", **options):
    return store.remittances.import_bytes(text.encode("ascii"), name, **options)


def snapshot() -> dict:
    """Row counts of everything an import writes."""
    return {
        model.__name__: model.select().count()
        for model in (
            LedgerEntry,
            Payment,
            PaymentBatch,
            RemittanceImport,
            RemittanceClaim,
            WorkItem,
            BatchAdjustment,
        )  # fmt: skip
    }


def claim_sums(claim_id: int) -> dict[str, int]:
    entries = list(LedgerEntry.select().where(LedgerEntry.claim == claim_id))
    paid = -sum(e.insurance_delta + e.patient_delta for e in entries if e.kind == "payment")
    written = -sum(e.insurance_delta for e in entries if e.kind == "adjustment")
    to_patient = sum(e.patient_delta for e in entries if e.kind == "transfer")
    return {"paid": paid, "written_off": written, "to_patient": to_patient}


# --------------------------------------------------------------------------- the samples


@pytest.mark.parametrize("name", VALID)
def test_every_valid_sample_posts_balances_and_posts_once(practice, name):
    store = practice.store
    made = claims_for_835(practice, SAMPLES / name)
    remittances = read_835((SAMPLES / name).read_text(encoding="ascii"))
    result = store.remittances.import_file(SAMPLES / name)
    assert [p.status for p in result.payments] == ["posted"] * len(remittances)
    for remittance, payment in zip(remittances, result.payments, strict=True):
        batch = store.posting.batch(payment.batch_id)
        assert batch.source == "era"
        assert batch.control_total == remittance.total_paid
        assert batch.posted == remittance.total_paid  # every claim posted: nothing unapplied
        assert batch.status == "closed"
        for clp in remittance.claims:
            claim = Claim.get_by_id(made[clp.segment])
            outcome = next(c for c in payment.claims if c.segment == clp.segment)
            if clp.status == "4":
                assert outcome.outcome == "denied"
                assert claim.status == "denied"
                assert claim_sums(claim.id)["paid"] == 0
                continue
            assert outcome.outcome == "posted", outcome.message
            sums = claim_sums(claim.id)
            assert sums["paid"] == clp.paid
            written = sum(a.amount for a in clp.all_adjustments if a.group != "PR")
            assert sums["written_off"] == written
            # Whatever the payers did not pay or write off is still owed, by someone.
            balance = claim.insurance_balance_cents + claim.patient_balance_cents
            assert balance == clp.charge - clp.paid - written
            if clp.status == "1":
                assert claim.patient_balance_cents == clp.patient_share()
                assert claim.status in ("paid", "partial")
    assert store.verify().ok
    before = snapshot()
    again = store.remittances.import_file(SAMPLES / name)
    assert [p.status for p in again.payments] == ["duplicate"] * len(remittances)
    assert "already imported" in again.payments[0].message
    assert snapshot() == before
    assert store.verify().ok


def test_a_sample_whose_payment_date_is_not_a_date_is_refused(practice):
    store = practice.store
    before = snapshot()
    with pytest.raises(EraRefused, match=r"lfh-managed-care.x12: segment 4 \(BPR\)"):
        store.remittances.import_file(SAMPLES / "lfh-managed-care.x12")
    assert snapshot() == before


def test_claims_sharing_one_clp01_match_by_patient_date_and_charge(practice):
    """stupidedi's multiple-claims-single-check repeats CLP01 nine times."""
    name = "stupidedi-multiple-claims-single-check.x12"
    made = claims_for_835(practice, SAMPLES / name, numbered=False)
    result = practice.store.remittances.import_file(SAMPLES / name)
    (payment,) = result.payments
    assert payment.count("posted") == 9
    matched = {c.matched_claim for c in payment.claims}
    assert matched == {claim_number(i) for i in made.values()}


# --------------------------------------------------------------------------- generated ERAs


@pytest.fixture
def billed(practice):
    """A submitted 3-line claim (100 + 60 + 40) on a Medicare patient."""
    patient = practice.patient("Doe", "Jane")
    coverage = practice.coverage(patient, member_id="MBR123")
    claim_id = practice.claim(patient, 10_000, 6_000, 4_000, dos=DOS, coverage_id=coverage)
    submit(practice, claim_id)
    return claim_id


def paid_in_full(claim_id: int, *, status="1", icn="ICN1", scale=1) -> Clp:
    """The payer allows 80% and pays it less a 10.00 deductible on line 1."""
    lines = claim_lines(claim_id)
    svcs = []
    for line in lines:
        allowed = line.charge_cents * 8 // 10
        deductible = 1_000 if line.line_number == 1 else 0
        svcs.append(
            Svc(
                line.code,
                scale * line.charge_cents,
                scale * (allowed - deductible),
                [("CO", "45", scale * (line.charge_cents - allowed))]
                + ([("PR", "1", scale * deductible)] if deductible else []),
                date=line.dos_from,
                control=line.line_control_number,
            )  # fmt: skip
        )
    return Clp(claim_number(claim_id), status, sum(s.charge for s in svcs),
               sum(s.paid for s in svcs), svcs, icn=icn)  # fmt: skip


def test_a_claim_paid_line_by_line(practice, billed):
    store = practice.store
    result = import_text(store, era_835([paid_in_full(billed)]))
    (payment,) = result.payments
    assert payment.count("posted") == 1
    claim = Claim.get_by_id(billed)
    assert claim.status == "paid"
    assert (claim.insurance_balance_cents, claim.patient_balance_cents) == (0, 1_000)
    assert claim.payer_claim_number == "ICN1"
    assert claim_sums(billed) == {"paid": 15_000, "written_off": 4_000, "to_patient": 1_000}
    entries = LedgerEntry.select().where(LedgerEntry.claim == billed, LedgerEntry.kind != "charge")
    assert {e.service_line_id for e in entries} == {line.id for line in claim_lines(billed)}
    assert store.posting.batch(payment.batch_id).status == "closed"
    assert store.verify().ok


def test_lines_match_by_code_date_and_charge_without_ref_6r(practice, billed):
    clp = paid_in_full(billed)
    for svc in clp.lines:
        svc.control = None
    clp.lines.reverse()  # in another order than ours
    (payment,) = import_text(practice.store, era_835([clp])).payments
    assert payment.count("posted") == 1
    assert Claim.get_by_id(billed).insurance_balance_cents == 0


def test_a_partial_payment_leaves_the_rest_with_the_payer(practice, billed):
    """The payer answers for line 1 now (a split claim); lines 2 and 3 stay with it."""
    clp = paid_in_full(billed)
    clp.lines = clp.lines[:1]
    clp.charge, clp.paid = clp.lines[0].charge, clp.lines[0].paid
    (payment,) = import_text(practice.store, era_835([clp])).payments
    assert payment.count("posted") == 1
    claim = Claim.get_by_id(billed)
    assert claim.status == "partial"
    assert (claim.insurance_balance_cents, claim.patient_balance_cents) == (10_000, 1_000)
    assert practice.store.verify().ok


def test_a_paid_claim_with_money_left_with_the_payer_is_partially_paid(practice, billed):
    line1, line2, line3 = claim_lines(billed)
    clp = Clp(claim_number(billed), "1", 20_000, 8_000, [
        Svc(line1.code, 10_000, 8_000, [("CO", "45", 2_000)], date=DOS),
        Svc(line2.code, 6_000, 0, [("OA", "209", 6_000)], date=DOS),
        Svc(line3.code, 4_000, 0, [("OA", "209", 4_000)], date=DOS),
    ])  # fmt: skip
    import_text(practice.store, era_835([clp]))
    claim = Claim.get_by_id(billed)
    assert claim.status == "paid"
    assert claim.insurance_balance_cents == 0
    assert practice.store.verify().ok


def test_a_denied_claim_goes_to_the_denial_queue_with_its_reasons(practice, billed):
    store = practice.store
    line1, line2, line3 = claim_lines(billed)
    clp = Clp(claim_number(billed), "4", 20_000, 0, [
        Svc(line1.code, 10_000, 0, [("CO", "16", 10_000)], date=DOS, remarks=["N290"]),
        Svc(line2.code, 6_000, 0, [("CO", "16", 6_000)], date=DOS),
        Svc(line3.code, 4_000, 0, [("CO", "16", 4_000)], date=DOS),
    ])  # fmt: skip
    (payment,) = import_text(store, era_835([clp])).payments
    assert payment.count("denied") == 1
    claim = Claim.get_by_id(billed)
    assert claim.status == "denied"
    assert claim.insurance_balance_cents == 20_000  # not silently written off
    (item,) = store.posting.worklist("denial")
    assert item.claim_id == billed and "CO-16" in item.reason and "N290" in item.reason
    # A later payment of the claim closes the denial.
    import_text(store, era_835([paid_in_full(billed)], trace="T2"))
    assert store.posting.worklist("denial") == []
    assert Claim.get_by_id(billed).status == "paid"
    assert store.verify().ok


def test_a_forwarded_claim_is_posted_marked_and_queued_for_the_secondary(practice, billed):
    store = practice.store
    clp = paid_in_full(billed, status="19")
    (payment,) = import_text(store, era_835([clp])).payments
    assert payment.count("forwarded") == 1
    claim = Claim.get_by_id(billed)
    assert claim.forwarded_at == dt.date(2026, 11, 20)
    assert claim.patient_balance_cents == 1_000
    (item,) = store.posting.worklist("secondary")
    assert item.claim_id == billed and "do not bill it" in item.reason
    assert store.verify().ok


def test_a_reversal_then_a_corrected_claim(practice, billed):
    """The payer takes its payment back (CLP02 22) and pays again, differently."""
    store = practice.store
    first = paid_in_full(billed, icn="ICN1")
    import_text(store, era_835([first], trace="T1"))
    assert Claim.get_by_id(billed).status == "paid"
    reversal = paid_in_full(billed, status="22", icn="ICN1", scale=-1)
    corrected = paid_in_full(billed, icn="ICN2")
    corrected.lines[0].adjustments = [("CO", "45", 2_000), ("PR", "2", 1_000)]  # coinsurance
    (payment,) = import_text(store, era_835([reversal, corrected], trace="T2")).payments
    assert [c.outcome for c in payment.claims] == ["reversal", "posted"]
    claim = Claim.get_by_id(billed)
    assert claim.status == "paid"
    assert claim.payer_claim_number == "ICN2"
    assert (claim.insurance_balance_cents, claim.patient_balance_cents) == (0, 1_000)
    assert claim_sums(billed) == {"paid": 15_000, "written_off": 4_000, "to_patient": 1_000}
    reversed_payment = Payment.get(Payment.reverses.is_null(False))
    assert reversed_payment.amount_cents == -15_000
    batch = store.posting.batch(payment.batch_id)
    assert batch.posted == batch.control_total == 0  # -150.00 + 150.00
    assert store.verify().ok


def test_a_reversal_of_nothing_we_posted_is_an_exception(practice, billed):
    store = practice.store
    (payment,) = import_text(store, era_835([paid_in_full(billed, status="22", scale=-1)])).payments
    assert payment.count("exception") == 1
    assert "no posted payment" in payment.claims[0].message
    assert store.verify().ok


def test_provider_level_adjustments_are_batch_entries(practice, billed):
    store = practice.store
    clp = paid_in_full(billed)
    # 5.00 interest added (negative: paid to us), 20.00 recouped (for this claim's ICN).
    text = era_835([clp], plb=[("L6", "INTEREST", -500), ("WO", "ICN1", 2_000)])
    (payment,) = import_text(store, text).payments
    assert payment.total_paid == 15_000 + 500 - 2_000
    assert payment.provider_adjustments == 1_500
    batch = store.posting.batch(payment.batch_id)
    assert batch.posted == batch.control_total and batch.status == "closed"
    rows = {(a.reason, a.reference, a.amount_cents, a.claim_id) for a in BatchAdjustment.select()}
    # The recoupment names the payer's claim number of a claim of ours: it is tied to it.
    assert rows == {("L6", "INTEREST", -500, None), ("WO", "ICN1", 2_000, billed)}
    assert store.verify().ok


def test_an_overpayment_leaves_a_credit_with_the_payer(practice, billed):
    """50.00 was posted by hand from a paper EOB; then the ERA pays the claim in full."""
    from billing_tui.store.records import BatchDraft, EobPosting, LinePosting

    store = practice.store
    batch = store.posting.open_batch(BatchDraft("insurance", DOS, 5_000,
                                                practice.payers["Medicare Part B"], "check", "111"))  # fmt: skip
    line1 = claim_lines(billed)[0]
    store.posting.post_eob(batch, EobPosting(billed, (LinePosting(line1.id, 5_000),)))
    assert Claim.get_by_id(billed).status == "partial"
    import_text(store, era_835([paid_in_full(billed)], trace="T1"))
    claim = Claim.get_by_id(billed)
    assert claim.insurance_balance_cents == -5_000  # a credit the payer may recoup
    assert claim.status == "paid"
    # The same claim paid again on another ERA: not posted blindly.
    (payment,) = import_text(store, era_835([paid_in_full(billed)], trace="T2")).payments
    assert payment.claims[0].outcome == "exception"
    assert "may be a duplicate" in payment.claims[0].message
    assert claim_sums(billed)["paid"] == 20_000
    assert store.verify().ok


def test_paid_beyond_the_charge_balances_with_the_payers_negative_adjustment(practice, billed):
    line1, line2, line3 = claim_lines(billed)
    clp = Clp(claim_number(billed), "1", 20_000, 21_000, [
        Svc(line1.code, 10_000, 11_000, [("OA", "94", -1_000)], date=DOS),
        Svc(line2.code, 6_000, 6_000, [], date=DOS),
        Svc(line3.code, 4_000, 4_000, [], date=DOS),
    ])  # fmt: skip
    import_text(practice.store, era_835([clp]))
    claim = Claim.get_by_id(billed)
    assert (claim.insurance_balance_cents, claim.status) == (0, "paid")
    assert practice.store.verify().ok


def test_unmatched_and_unbalanced_claims_wait_for_a_person_the_rest_posts(practice, billed):
    store = practice.store
    good = paid_in_full(billed)
    stranger = Clp("99999999-9", "1", 5_000, 4_000, [Svc("99214", 5_000, 4_000,
                   [("CO", "45", 1_000)], date=DOS)], patient=("NOBODY", "KNOWN", "X1"))  # fmt: skip
    crooked = paid_in_full(billed)
    crooked.number = "88888888-8"
    crooked.lines[0].paid += 100  # the line no longer balances
    crooked.paid += 100
    (payment,) = import_text(store, era_835([good, stranger, crooked])).payments
    assert [c.outcome for c in payment.claims] == ["posted", "exception", "exception"]
    assert "matches no claim of ours" in payment.claims[1].message
    assert "line" in payment.claims[2].message
    batch = store.posting.batch(payment.batch_id)
    assert batch.unapplied == 4_000 + crooked.paid
    assert batch.status == "open"
    items = store.posting.worklist("exception")
    assert [i.claim_number for i in items] == ["99999999-9", "88888888-8"]
    assert items[0].amount == 4_000
    assert Claim.get_by_id(billed).status == "paid"
    with pytest.raises(Exception, match="does not balance"):
        store.posting.close_batch(batch.id)
    assert store.verify().ok


def test_a_claim_never_sent_is_not_paid(practice):
    patient = practice.patient()
    claim_id = practice.claim(patient, 10_000, dos=DOS)  # a draft
    clp = Clp(claim_number(claim_id), "1", 10_000, 8_000,
              [Svc("99213", 10_000, 8_000, [("CO", "45", 2_000)], date=DOS)])  # fmt: skip
    (payment,) = import_text(practice.store, era_835([clp])).payments
    assert payment.claims[0].outcome == "exception"
    assert "is draft" in payment.claims[0].message
    assert Claim.get_by_id(claim_id).status == "draft"


def test_a_preview_says_what_would_happen_and_writes_nothing(practice, billed):
    store = practice.store
    before = snapshot()
    result = import_text(store, era_835([paid_in_full(billed)]), preview=True)
    assert result.preview
    assert [c.outcome for c in result.payments[0].claims] == ["posted"]
    assert snapshot() == before
    assert Claim.get_by_id(billed).status == "submitted"


# --------------------------------------------------------------------------- bad files


GOOD = era_835([Clp("1-1", "1", 10_000, 8_000,
                    [Svc("99213", 10_000, 8_000, [("CO", "45", 2_000)], date=DOS)])])  # fmt: skip


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"  \n\n", "the file is empty"),
        (b"hello, this is not X12", "does not start with an ISA"),
        (bytes(range(256)) * 4, "not an X12 file|not ASCII"),
        (GOOD[: len(GOOD) // 2].encode(), "truncated|ends"),
        (GOOD.replace("SE*", "SE*9", 1).encode(), r"segment \d+ \(SE\): SE01"),
        (GOOD.replace("CLP*1-1*1*100.00*80.00", "CLP*1-1*1*100.00*8O.00").encode(),
         r"segment \d+ \(CLP\).*not a number"),
        (GOOD.replace("BPR*I*80.00", "BPR*I*90.00").encode(), "does not balance"),
        (GOOD.replace("ST*835", "ST*837").encode(), "not a remittance"),
    ],
    ids=["empty", "blank", "not-x12", "binary", "truncated", "wrong-count", "bad-amount",
         "unbalanced-payment", "not-835"],
)  # fmt: skip
def test_a_bad_file_names_itself_and_posts_nothing(practice, data, message):
    store = practice.store
    before = snapshot()
    with pytest.raises(EraRefused, match=message) as refused:
        store.remittances.import_bytes(data, "bad.x12")
    assert str(refused.value).startswith("bad.x12: ")
    assert snapshot() == before


def test_worked_items_close_themselves(practice, billed):
    """A denial closes when the claim is appealed; a crossover when the next payer pays."""
    store = practice.store
    line1, line2, line3 = claim_lines(billed)
    denial = Clp(claim_number(billed), "4", 20_000, 0, [
        Svc(line.code, line.charge_cents, 0, [("CO", "50", line.charge_cents)], date=DOS)
        for line in (line1, line2, line3)
    ])  # fmt: skip
    import_text(store, era_835([denial], trace="T1"))
    assert len(store.posting.worklist("denial")) == 1
    store.claims.set_status(billed, "appealed", "medical records sent")
    assert store.posting.worklist("denial") == []
    (closed,) = store.posting.worklist("denial", include_closed=True)
    assert closed.resolution == "claim appealed: medical records sent"

    import_text(store, era_835([paid_in_full(billed, status="19")], trace="T2"))
    assert len(store.posting.worklist("secondary")) == 1
    assert Claim.get_by_id(billed).patient_balance_cents == 1_000
    secondary = Clp(claim_number(billed), "2", 20_000, 1_000, [
        Svc(line1.code, 10_000, 1_000, [("CO", "45", 9_000)], date=DOS),
        Svc(line2.code, 6_000, 0, [("CO", "45", 6_000)], date=DOS),
        Svc(line3.code, 4_000, 0, [("CO", "45", 4_000)], date=DOS),
    ], icn="SEC1")  # fmt: skip
    (payment,) = import_text(
        store, era_835([secondary], trace="T3", payer_tin="1888888888")
    ).payments
    assert payment.count("posted") == 1
    assert store.posting.worklist("secondary") == []
    claim = Claim.get_by_id(billed)
    assert claim.patient_balance_cents == 0  # the secondary paid the patient's deductible
    assert store.verify().ok


def test_a_payment_dated_on_a_closed_day_is_refused_whole_until_reopened(practice, billed):
    store = practice.store
    store.day_close.close(dt.date(2026, 11, 20))  # the builders' 835 pays on 11/20/2026
    before = snapshot()
    with pytest.raises(EraRefused, match="11/20/2026, a closed day"):
        import_text(store, era_835([paid_in_full(billed)]))
    assert snapshot() == before
    store.day_close.reopen(dt.date(2026, 11, 20), "the payer's EFT came late")
    (payment,) = import_text(store, era_835([paid_in_full(billed)])).payments
    assert payment.count("posted") == 1
