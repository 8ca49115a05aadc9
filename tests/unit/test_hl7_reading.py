"""Reading HL7 v2 (billing_tui.interfaces.hl7): framing, separators, fields, and the ACK."""

from __future__ import annotations

import pickle

import pytest

from billing_tui.interfaces.hl7 import (
    Charges,
    MessageProblem,
    Registration,
    read_message,
    split_messages,
)

MSH = "MSH|^~\\&|EHR|CLINIC|BILLING|PRACTICE|20261120093000||{type}|{id}|P|2.5.1"
PID = "PID|1||EHR1^^^EHR^MR~999^^^SSA^SS||DOE^JANE^Q||19800102|F|||1 Elm^^Springfield^IL^62701"
FT1 = "FT1|1|||20261118||CG|99213^Visit^CPT4|||2|300.00|||||11|||J06.9~I10|1234567893^DOC^ANN|||||99213|25~59"


def message(kind: str = "DFT^P03^DFT_P03", control: str = "M1", *segments: str) -> str:
    return "\r".join((MSH.format(type=kind, id=control), *segments))


def test_plain_files_split_on_msh_and_on_blank_lines():
    text = "\r".join((message("ADT^A04", "A1", PID), message("DFT^P03", "D1", PID, FT1)))
    text += "\r\r" + PID + "\r"  # a message without its MSH, after a blank line
    framed = split_messages(text.encode())
    assert [f.position for f in framed] == [1, 2, 3]
    assert [f.text.split("\r")[0][:3] for f in framed] == ["MSH", "MSH", "PID"]
    assert not any(f.mllp or f.truncated for f in framed)


@pytest.mark.parametrize("separator", ["\r", "\n", "\r\n"])
def test_any_line_break_between_segments(separator):
    text = separator.join((message("DFT^P03", "D1", PID, FT1), message("DFT^P03", "D2", PID)))
    framed = split_messages(text.encode())
    assert len(framed) == 2
    assert framed[0].text.count("\r") == 2 and "\n" not in framed[0].text


def test_mllp_blocks_and_one_cut_short():
    data = b"\x0b" + message("ADT^A04", "A1", PID).encode() + b"\x1c\r"
    data += b"\x0b" + message("DFT^P03", "D1", PID).encode()  # no end of block
    first, second = split_messages(data)
    assert first.mllp and not first.truncated
    assert second.truncated
    assert read_message(second).problem.text.startswith("the message was cut short")


def test_batch_envelopes_are_skipped():
    text = "FHS|^~\\&\rBHS|^~\\&\r" + message("ADT^A04", "A1", PID) + "\rBTS|1\rFTS|1\r"
    (only,) = split_messages(text.encode())
    assert only.text.endswith(PID)


def test_charges_are_read_field_by_field():
    read = read_message(split_messages(message("DFT^P03^DFT_P03", "D1", PID, FT1).encode())[0])
    assert read.problem is None
    assert isinstance(read.record, Charges)
    (charge,) = read.record.charges
    assert (charge.code, charge.modifiers, charge.units, charge.amount) == (
        "99213", ("25", "59"), 2, 30_000,
    )  # fmt: skip
    assert charge.diagnoses == ("J069", "I10")
    assert (charge.performed_by, charge.place_of_service) == ("1234567893", "11")
    assert (read.mrn, read.header.control_id, read.header.sender) == ("EHR1", "D1", "EHR^CLINIC")


def test_a_registration_reads_the_mr_identifier_and_the_escapes():
    pid = PID.replace("DOE^JANE", "DOE\\T\\ROE^JANE").replace(
        "EHR1^^^EHR^MR~", "X^^^LAB^PI~EHR9^^^EHR^MR~"
    )
    read = read_message(split_messages(message("ADT^A04^ADT_A01", "A1", pid).encode())[0])
    assert isinstance(read.record, Registration)
    assert read.record.mrn == "EHR9"  # the MR repetition, not the first
    assert read.record.patient.last_name == "DOE&ROE"


def test_another_separator_set_is_honoured():
    text = message("DFT^P03^DFT_P03", "D1", PID, FT1)
    custom = text.replace("^", "#")  # components split by # (MSH-2 is then #~\\&)
    read = read_message(split_messages(custom.encode())[0])
    assert read.problem is None
    assert read.record.charges[0].modifiers == ("25", "59")


def test_the_ack_swaps_sender_and_receiver_and_names_the_field():
    read = read_message(
        split_messages(
            message("DFT^P03^DFT_P03", "D1", PID, FT1.replace("300.00", "3.001")).encode()
        )[0]
    )
    assert read.problem is not None and read.problem.where == "FT1-11"
    msh, msa, err = read.ack("AE", str(read.problem), read.problem).split("\r")
    fields = msh.split("|")
    assert fields[2:6] == ["BILLING-TUI", "PRACTICE", "EHR", "CLINIC"]
    assert fields[8] == "ACK^P03^ACK" and fields[9] == "AD1"
    assert msa.startswith("MSA|AE|D1|FT1-11: '3.001' is not an amount")
    assert err.startswith("ERR||FT1^11|102|E")


def test_text_from_the_message_cannot_break_the_ack():
    read = read_message(split_messages(message("ORU^R01", "X|Y", PID).encode())[0])
    msa = read.ack("AR", "bad | text ^ here").split("\r")[1]
    assert msa.count("|") == 3


def test_a_problem_survives_the_trip_from_the_reading_process():
    problem = MessageProblem("AE", "PID-7", "not a date", hl7_code="102")
    back = pickle.loads(pickle.dumps(problem))
    assert (back.ack, back.where, back.text, back.hl7_code, str(back)) == (
        "AE", "PID-7", "not a date", "102", "PID-7: not a date",
    )  # fmt: skip
