"""HL7 v2 into the books (store.inbound): registrations, charges, ACKs, resends and failures.

Every test writes a real file of messages and imports it through the Store, on SQLite and
on PostgreSQL; what a message did is read back from the database, never from the receipt
alone.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hl7_builders import PROVIDER_NPI, adt, dft, fee_schedule, ft1, in1, mllp, pid, plain, seg
from store_builders import build_practice

from billing_tui.store.models import (
    AuditLog,
    Claim,
    ClaimDiagnosis,
    Coverage,
    Guarantor,
    InboundMessage,
    LedgerEntry,
    Patient,
    ServiceLine,
    WorkItem,
    live_lines,
)


@pytest.fixture
def practice(store):
    practice = build_practice(store)
    fee_schedule()
    return practice


def counts() -> dict[str, int]:
    return {
        "patients": Patient.select().count(),
        "claims": Claim.select().count(),
        "lines": ServiceLine.select().count(),
        "coverages": Coverage.select().count(),
        "ledger": LedgerEntry.select().count(),
    }


def import_bytes(store, tmp_path, data: bytes, name: str = "in.hl7"):
    path = tmp_path / name
    path.write_bytes(data)
    return store.inbound.import_file(path)


def acks(path) -> list[str]:
    """The ACK file's MSA segments, in order."""
    text = path.read_bytes().replace(b"\x0b", b"").replace(b"\x1c", b"").decode()
    return [line for line in text.replace("\n", "\r").split("\r") if line.startswith("MSA")]


# --------------------------------------------------------------------------- ADT


def test_a04_registers_the_patient_with_guarantor_and_insurance(store, practice, tmp_path):
    message = adt(
        "ADT100", "A04",
        pid("EHR1001", f11="40 Birch Rd^Unit 2^Springfield^IL^62704"),
        seg("GT1", {1: "1", 3: "QUILLFEATHER^MORGAN", 5: "40 Birch Rd^^Springfield^IL^62704",
                    6: "2175550177", 8: "19500101", 11: "PAR"}),
        in1(1, "ACME1", "ACM500123"),
        in1(2, "MCD01", "MCD778899", f12="20240601"),
    )  # fmt: skip
    result = import_bytes(store, tmp_path, plain(message))
    (receipt,) = result.receipts
    assert receipt.code == "AA", receipt.detail
    patient = Patient.get(Patient.mrn == "EHR1001")
    assert (patient.last_name, patient.first_name, patient.middle_name) == (
        "QUILLFEATHER", "ROBIN", "J",
    )  # fmt: skip
    assert patient.dob == dt.date(1975, 4, 12)
    assert (patient.address1, patient.address2, patient.zip) == ("40 Birch Rd", "Unit 2", "62704")
    assert (patient.phone, patient.email) == ("2175550142", "robin@example.com")
    guarantor = Guarantor.get_by_id(patient.guarantor_id)
    assert (guarantor.last_name, guarantor.relationship, guarantor.phone) == (
        "QUILLFEATHER", "parent", "2175550177",
    )  # fmt: skip
    coverages = list(
        Coverage.select().where(Coverage.patient == patient.id).order_by(Coverage.priority)
    )
    assert [(c.priority, c.member_id, c.group_number) for c in coverages] == [
        (1, "ACM500123", "GRP77"), (2, "MCD778899", "GRP77"),
    ]  # fmt: skip
    assert coverages[1].start_date == dt.date(2024, 6, 1)
    assert patient.account_number in receipt.detail and "registered" in receipt.detail
    assert acks(result.ack_path) == ["MSA|AA|ADT100|" + receipt.detail.replace("^", " ")]
    created = {
        (a.action, a.entity) for a in AuditLog.select().where(AuditLog.patient_id == patient.id)
    }
    assert {("create", "patient"), ("create", "guarantor"), ("create", "coverage")} <= created
    assert store.verify().ok


def test_a08_updates_what_changed_and_the_audit_trail_says_so(store, practice, tmp_path):
    import_bytes(store, tmp_path, plain(adt("ADT1")), "a04.hl7")
    before = Patient.get(Patient.mrn == "EHR1001")
    update = adt("ADT2", "A08", pid("EHR1001", f11="99 Oak Ave^^Springfield^IL^62702", f13=""),
                 in1(1, "ACME1", "ACM500123", f8="GRP88"))  # fmt: skip
    (receipt,) = import_bytes(store, tmp_path, plain(update), "a08.hl7").receipts
    assert receipt.code == "AA" and "updated" in receipt.detail
    after = Patient.get_by_id(before.id)
    assert (after.address1, after.zip) == ("99 Oak Ave", "62702")
    assert after.phone == before.phone  # an empty PID-13 says nothing: the phone stays
    assert after.version == before.version + 1
    assert Patient.select().count() == 1
    (coverage,) = Coverage.select().where(Coverage.patient == before.id)
    assert coverage.group_number == "GRP88"  # the same payer and member: updated, not added
    row = (
        AuditLog.select()
        .where((AuditLog.entity == "patient") & (AuditLog.action == "update"))
        .get()
    )
    assert json.loads(row.before) == {"address1": "12 Elm St", "zip": "62701"}
    assert json.loads(row.after) == {"address1": "99 Oak Ave", "zip": "62702"}


def test_an_account_registered_by_hand_gets_the_ehr_mrn(store, practice, tmp_path):
    patient_id = practice.patient("Quillfeather", "Robin")
    number = Patient.get_by_id(patient_id).account_number
    message = adt("ADT9", "A08", pid("EHR2002", f18=number), in1())
    (receipt,) = import_bytes(store, tmp_path, plain(message)).receipts
    assert receipt.code == "AA", receipt.detail
    assert Patient.get_by_id(patient_id).mrn == "EHR2002"
    assert Patient.select().count() == 1


# --------------------------------------------------------------------------- DFT


def test_dft_drafts_one_scrubbed_claim_per_visit(store, practice, tmp_path):
    import_bytes(store, tmp_path, plain(adt("ADT1")), "a04.hl7")
    charges = dft(
        "DFT1",
        ft1(1, "99213", "20261118", f26="25", f19="J06.9~I10"),
        ft1(2, "36415", "20261118", f11="", f10="2", f19="I10"),  # priced from the fee schedule
        ft1(3, "99214", "20261119", f16="10", f26="95", f11="", f19=""),
    )
    result = import_bytes(store, tmp_path, plain(charges), "dft.hl7")
    (receipt,) = result.receipts
    assert receipt.code == "AA", receipt.detail
    assert len(receipt.claim_ids) == 2
    first, second = (Claim.get_by_id(i) for i in receipt.claim_ids)
    assert first.status == second.status == "draft"
    assert (first.first_dos, first.place_of_service, first.charge_cents) == (
        dt.date(2026, 11, 18), "11", 15_000 + 2 * 1_500,
    )  # fmt: skip
    assert (second.first_dos, second.place_of_service, second.charge_cents) == (
        dt.date(2026, 11, 19), "10", 22_000,
    )  # fmt: skip
    coverage = Coverage.get(Coverage.member_id == "ACM500123")
    assert first.coverage_id == coverage.id and first.payer_id == coverage.payer_id
    codes = [d.code for d in ClaimDiagnosis.select().where(ClaimDiagnosis.claim == first.id)
             .order_by(ClaimDiagnosis.position)]  # fmt: skip
    assert codes == ["J069", "I10"]
    lines = list(live_lines(first.id))
    assert [(ln.code, ln.modifier1, ln.units, ln.pointer1, ln.pointer2) for ln in lines] == [
        ("99213", "25", 1, 1, 2), ("36415", "", 2, 2, None),
    ]  # fmt: skip
    (telehealth,) = live_lines(second.id)
    assert (telehealth.modifier1, telehealth.pointer1) == ("95", 1)  # DG1's diagnosis
    assert "scrubber" in receipt.detail and first.claim_number in receipt.detail
    assert LedgerEntry.select().count() == 0  # drafts: nothing billed yet
    assert store.verify().ok


def test_charges_in_bulk_are_the_claims_one_at_a_time_would_be(store, practice, tmp_path):
    """Clean charges are written together; each claim, line and audit row is as
    claims.create writes it, numbered in order per account, and the audit chain holds."""
    registrations = [adt(f"A{n}", "A04", pid(f"EHR{n}"), in1(member=f"ACM{n}00")) for n in range(3)]
    import_bytes(store, tmp_path, plain(*registrations), "a04.hl7")
    charges = [dft(f"D{n}", ft1(dos=f"2026111{n}"), mrn=f"EHR{n % 3}") for n in range(9)]
    result = import_bytes(store, tmp_path, plain(*charges))
    assert [r.code for r in result.receipts] == ["AA"] * 9
    numbers = [Claim.get_by_id(r.claim_ids[0]).claim_number for r in result.receipts]
    for n in range(3):
        account = Patient.get(Patient.mrn == f"EHR{n}").account_number
        assert numbers[n::3] == [f"{account}-1", f"{account}-2", f"{account}-3"]
    by_hand = practice.claim(
        Patient.get(Patient.mrn == "EHR0").id, 15_000, dos=dt.date(2026, 11, 10)
    )
    bulk = Claim.get_by_id(result.receipts[0].claim_ids[0])
    hand = Claim.get_by_id(by_hand)
    for field in (
        "status",
        "place_of_service",
        "frequency",
        "billing_provider",
        "charge_cents",
        "first_dos",
        "last_dos",
        "created_by",
        "version",
        "insurance_balance_cents",
    ):
        if field != "first_dos":
            assert getattr(bulk, field) == getattr(hand, field), field
    (line,) = live_lines(bulk.id)
    assert line.line_control_number == f"{bulk.claim_number}-1"
    created = AuditLog.select().where((AuditLog.entity == "claim") & (AuditLog.action == "create"))
    assert created.count() == 10
    assert store.audit.verify().ok


def test_a_resent_message_imports_once(store, practice, tmp_path):
    data = plain(adt("ADT1"), dft("DFT1"))
    import_bytes(store, tmp_path, data, "first.hl7")
    once = counts()
    second = import_bytes(store, tmp_path, mllp(adt("ADT1"), dft("DFT1")), "again.mllp")
    assert counts() == once
    assert [r.duplicate for r in second.receipts] == [True, True]
    assert all(r.code == "AA" and "already imported" in r.detail for r in second.receipts)
    assert InboundMessage.select().count() == 2
    assert {m.attempts for m in InboundMessage.select()} == {2}
    # MLLP in, MLLP out: the ACKs are framed as the messages were.
    raw = (tmp_path / "again.mllp.ack").read_bytes()
    assert raw.count(b"\x0b") == 2 and raw.endswith(b"\x1c\r")
    # Known by its MSH line alone: the same control ID is the same message, whatever follows.
    same_id = dft("DFT1").split("\r")[0] + "\rPID|garbled"
    (receipt,) = import_bytes(store, tmp_path, plain(same_id), "third.hl7").receipts
    assert receipt.duplicate and receipt.code == "AA"
    assert counts() == once


def test_the_same_control_id_from_another_sender_is_another_message(store, practice, tmp_path):
    import_bytes(store, tmp_path, plain(adt("ADT1")), "a.hl7")
    other = adt("ADT1", "A04", pid("EHR3003"), in1()).replace("EHR|CLINIC", "LAB|NORTH", 1)
    (receipt,) = import_bytes(store, tmp_path, plain(other), "b.hl7").receipts
    assert receipt.code == "AA" and not receipt.duplicate
    assert Patient.select().count() == 2


# --------------------------------------------------------------------------- failures


def test_one_bad_message_fails_alone_and_goes_to_the_worklist(store, practice, tmp_path):
    data = plain(adt("ADT1"), dft("DFT1", mrn="NOSUCH9"), dft("DFT2"))
    result = import_bytes(store, tmp_path, data)
    assert [r.code for r in result.receipts] == ["AA", "AE", "AA"]
    bad = result.receipts[1]
    assert bad.where == "PID-3" and "no account has medical record number NOSUCH9" in bad.detail
    assert Claim.select().count() == 1
    (item,) = store.posting.worklist("inbound")
    assert item.reason.startswith("AE PID-3: no account has medical record number NOSUCH9")
    assert item.reason.endswith(" · DFT^P03 DFT1, in.hl7 #2")
    assert item.inbound_message_id == InboundMessage.get(InboundMessage.control_id == "DFT1").id
    msa = acks(result.ack_path)
    assert msa[1].startswith("MSA|AE|DFT1|PID-3: no account has medical record number NOSUCH9")
    ack_text = result.ack_path.read_text()
    assert "ERR||PID^3|204|E" in ack_text


def test_a_message_failing_on_its_second_visit_leaves_nothing(store, practice, tmp_path):
    import_bytes(store, tmp_path, plain(adt("ADT1")), "a04.hl7")
    before = counts()
    charges = dft("DFT1", ft1(1, "99213", "20261118"), ft1(2, "99999", "20261119"))
    (receipt,) = import_bytes(store, tmp_path, plain(charges)).receipts
    assert (receipt.code, receipt.where) == ("AE", "FT1(2)-25")
    assert "procedure 99999 is not in the fee schedule" in receipt.detail
    assert counts() == before  # the first visit's claim went with the message


def test_a_failed_message_sent_again_after_the_fix_imports_and_closes_its_item(
    store, practice, tmp_path
):
    import_bytes(store, tmp_path, plain(dft("DFT1")), "early.hl7")  # the patient is not here yet
    assert len(store.posting.worklist("inbound")) == 1
    import_bytes(store, tmp_path, plain(adt("ADT1")), "a04.hl7")
    (receipt,) = import_bytes(store, tmp_path, plain(dft("DFT1")), "resent.hl7").receipts
    assert receipt.code == "AA" and not receipt.duplicate
    assert Claim.select().count() == 1
    assert store.posting.worklist("inbound") == []
    (closed,) = store.posting.worklist("inbound", include_closed=True)
    assert closed.resolution == "imported when it was sent again"
    row = InboundMessage.get(InboundMessage.control_id == "DFT1")
    assert (row.status, row.attempts, row.ack_code) == ("imported", 2, "AA")


def test_retry_imports_a_failed_message_as_it_was_received(store, practice, tmp_path):
    import_bytes(store, tmp_path, plain(dft("DFT1")), "early.hl7")
    import_bytes(store, tmp_path, plain(adt("ADT1")), "a04.hl7")
    (item,) = store.posting.worklist("inbound")
    receipt = store.inbound.retry(item.inbound_message_id)
    assert receipt.code == "AA"
    assert Claim.select().count() == 1 and store.posting.worklist("inbound") == []


CUT = "MSH|^~\\&|EHR|CLINIC|BILLING|PRACTICE|20261120093000||DFT^P03^DFT_P03|CUT1|P|2.5.1\rPID|1||EHR10"


@pytest.mark.parametrize(
    ("message", "code", "where", "words"),
    [
        ("PID|1||EHR1001^^^EHR^MR", "AR", "MSH", "does not begin with an MSH segment"),
        (adt("SEP1").replace("MSH|^~\\&|", "MSH|^^^^|", 1), "AR", "MSH-1", "five distinct separators"),
        (adt("ORU1").replace("ADT^A04^ADT_A01", "ORU^R01^ORU_R01"), "AR", "MSH-9", "ORU^R01 is not taken"),
        (adt(""), "AR", "MSH-10", "control ID (MSH-10) is empty"),
        (CUT, "AR", "FT1", "no FT1 segment: it may have been cut short"),
        (dft("D1", ft1(f11="12.345")), "AE", "FT1-11", "'12.345' is not an amount"),
        (dft("D2", ft1(f19="J06")), "AE", "FT1-19", "diagnosis J06 is a category"),
        (dft("D3", dx="Q99.99"), "AE", "DG1-3", "diagnosis Q99.99 is not an ICD-10-CM code"),
        (dft("D4", ft1(f4="20261340")), "AE", "FT1-4", "'20261340' is not a date"),
        (dft("D5", ft1(f20="1234567890")), "AE", "FT1-20", "no active provider with NPI 1234567890"),
        (dft("D6", ft1(f6="PY")), "AE", "FT1-6", "only charges (CG) are imported"),
        (adt("A1", "A04", pid("EHR5", f7="1975-04-12"), in1()), "AE", "PID-7", "is not a date"),
        (adt("A2", "A04", pid("EHR6"), in1(payer="NOPE1")), "AE", "IN1-3", "NOPE1 is not a payer"),
        (adt("A3", "A04", pid("EHR7", f11="1 Elm^^Springfield^IL^6270"), in1()), "AE", "PID", "ZIP"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the reading is the same on both
def test_bad_input_gets_its_ack_its_place_and_changes_nothing(
    store, practice, tmp_path, message, code, where, words
):
    import_bytes(store, tmp_path, plain(adt("ADT0")), "a04.hl7")
    before = counts()
    result = import_bytes(store, tmp_path, plain(message))
    (receipt,) = result.receipts
    assert (receipt.code, receipt.where) == (code, where), receipt.detail
    assert words in receipt.detail
    assert counts() == before
    (msa,) = acks(result.ack_path)
    assert msa.startswith(f"MSA|{code}|")
    (item,) = store.posting.worklist("inbound")
    assert words in item.reason


def test_an_mllp_frame_cut_short_is_rejected(store, practice, tmp_path):
    data = mllp(adt("ADT1")) + b"\x0b" + dft("DFT1").encode()[:-10]
    result = import_bytes(store, tmp_path, data, "cut.mllp")
    assert [r.code for r in result.receipts] == ["AA", "AR"]
    assert "cut short" in result.receipts[1].detail
    assert Claim.select().count() == 0


def test_separators_and_escapes_as_the_sender_writes_them(store, practice, tmp_path):
    street = "Elm \\T\\ Main^^Springfield^IL^62701"  # \T\ is an escaped '&'
    messages = [adt("ADT1", "A04", pid("EHR1", f11=street), in1()), dft("DFT1", mrn="EHR1")]
    for separator in ("\n", "\r\n"):
        data = separator.join(m.replace("\r", separator) for m in messages).encode()
        result = import_bytes(store, tmp_path, data, f"sep{len(separator)}.hl7")
        assert [r.code for r in result.receipts] == ["AA", "AA"]
    assert Patient.get(Patient.mrn == "EHR1").address1 == "Elm & Main"
    assert Claim.select().count() == 1  # the second file's messages were the same ones


def test_an_empty_or_unreadable_file_is_refused(store, practice, tmp_path):
    from billing_tui.store import StoreRefused

    with pytest.raises(StoreRefused, match="holds no HL7 messages"):
        import_bytes(store, tmp_path, b"\r\n  \n", "empty.hl7")
    with pytest.raises(StoreRefused, match="cannot read"):
        store.inbound.import_file(tmp_path / "nope.hl7")
    assert WorkItem.select().count() == 0


def test_the_provider_npi_in_the_charges_is_the_claims_rendering_provider(
    store, practice, tmp_path
):
    import_bytes(store, tmp_path, plain(adt("ADT1"), dft("DFT1")))
    claim = Claim.get()
    assert claim.rendering_provider_id == practice.provider_id
    assert PROVIDER_NPI in dft("DFT1")


def test_a_big_file_read_in_another_process_imports_the_same(store, practice, tmp_path):
    """From READ_APART_FROM messages on, a forked process reads them while this one
    writes: the order, the failures and the ACKs are as they are read here."""
    from billing_tui.store.inbound import READ_APART_FROM

    import_bytes(store, tmp_path, plain(adt("ADT1")), "a04.hl7")
    count = READ_APART_FROM + 50
    messages = [dft(f"D{n}", ft1(dos="20261118")) for n in range(count)]
    messages[700] = dft("D700", ft1(f25="99999", f7="99999"))
    result = import_bytes(store, tmp_path, plain(*messages), "big.hl7")
    codes = [r.code for r in result.receipts]
    assert codes == ["AA"] * 700 + ["AE"] + ["AA"] * (count - 701)
    assert [r.position for r in result.receipts] == list(range(1, count + 1))
    assert Claim.select().count() == count - 1
    assert len(acks(result.ack_path)) == count
    assert acks(result.ack_path)[700].startswith("MSA|AE|D700|FT1-25")


def test_an_a08_with_a_past_expiration_ends_the_coverage(store, practice, tmp_path):
    import_bytes(
        store, tmp_path, plain(adt("ADT1", "A04", pid(), in1(1), in1(2, "MCD01", "MCD1234")))
    )
    update = adt("ADT2", "A08", pid(), in1(1, f13="20261031"), in1(2, "MCD01", "MCD1234"))
    (receipt,) = import_bytes(store, tmp_path, plain(update), "a08.hl7").receipts
    assert receipt.code == "AA" and "coverage ACME1 ACM500123 ended 2026-10-31" in receipt.detail
    ended = Coverage.get(Coverage.member_id == "ACM500123")
    assert (ended.active, ended.end_date) == (False, dt.date(2026, 10, 31))
    assert Coverage.get(Coverage.member_id == "MCD1234").priority == 1  # Medicaid moved up
    assert store.verify().ok


def test_a_provider_added_while_the_interface_runs_is_found(store, practice, tmp_path):
    """The same Store (a listener's, running for weeks) reads providers afresh."""
    from store_builders import npi

    from billing_tui.store.models import Provider

    import_bytes(store, tmp_path, plain(adt("ADT1")), "a04.hl7")
    newcomer = npi("187654321")
    charges = dft("DFT1", ft1(f20=f"{newcomer}^NEW^DOC"))
    (first,) = import_bytes(store, tmp_path, plain(charges)).receipts
    assert first.code == "AE" and first.where == "FT1-20"
    Provider.create(first_name="Nia", last_name="Newcomb", credential="MD", npi=newcomer)
    (item,) = store.posting.worklist("inbound")
    assert store.inbound.retry(item.inbound_message_id).code == "AA"
