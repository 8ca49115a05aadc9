"""The 270 writer (005010X279A1): its files checked by our reader and judged by LinuxForHealth x12.

pyx12 4.0.0 has no 005010X279A1 map and answers any 270 or 271 with "Map not
found" (a test below keeps an eye on that), so LinuxForHealth x12
(lfh_check.py) is the independent judge; what neither judge checks (the HL
tree, a TRN per patient, NPI check digits) check_270() does.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from lfh_check import JudgeUnavailable, judge_python, lfh_verdicts

from billing_tui.domain.npi import is_valid_npi
from billing_tui.sample import generate
from billing_tui.store import Store
from billing_tui.x12 import x270
from billing_tui.x12.reader import read_interchanges

TODAY = dt.date(2026, 11, 24)
PROVIDER = x270.Provider("Synthetic Family Practice", "1234567893", "990000001")


@pytest.fixture(scope="module")
def lfh():
    try:
        judge_python()
    except JudgeUnavailable as error:
        pytest.skip(f"LinuxForHealth x12 unavailable: {error}")
    return lfh_verdicts


# --------------------------------------------------------------------------- the 270 writer


def request(trace: str, **overrides) -> x270.EligibilityRequest:
    fields = {
        "trace": trace,
        "payer_name": "Acme Health",
        "payer_id": "ACME1",
        "member_id": "MBR" + trace.replace("-", ""),
        "subscriber": x270.Person("Núñez", "José", dt.date(1970, 3, 4), "M"),
        "service_date": TODAY,
    }
    fields.update(overrides)
    return x270.EligibilityRequest(**fields)


def write(requests, number: int = 17) -> str:
    return x270.write(
        requests,
        provider=PROVIDER,
        sender_id="990000001",
        receiver_id="CLEARINGHOUSE",
        control_number=number,
        created=dt.datetime(2026, 11, 24, 9, 30),
        production=False,
    )


def check_270(text: str) -> list[dict]:
    """What pyx12 does not judge and the TR3 asks: the HL tree, one TRN per patient, NPIs."""
    assert text.isascii() and len(text.split("~")[0]) + 1 == 106
    (interchange,) = read_interchanges(text)  # counts and control numbers checked as read
    asked = []
    for transaction in interchange.transactions:
        assert transaction.set_id == "270" and transaction.version == "005010X279A1"
        levels: dict[str, str] = {}
        patient_loops = 0
        for segment in transaction.segments:
            if segment.id == "HL":
                number, parent, level = segment.get(1), segment.get(2), segment.get(3)
                assert number == str(len(levels) + 1)
                assert levels.get(parent) == {"20": None, "21": "20", "22": "21", "23": "22"}[level]
                levels[number] = level
            if segment.id == "TRN":
                asked.append({"trace": segment.get(2), "originator": segment.get(3)})
                patient_loops += 1
            if segment.id == "NM1" and segment.get(8) == "XX":
                assert is_valid_npi(segment.get(9))
        assert patient_loops == sum(1 for s in transaction.segments if s.id == "EQ"), (
            "one question per TRN"
        )
        assert patient_loops <= x270.MAX_PER_TRANSACTION
    return asked


def test_a_270_for_subscribers_and_dependents(lfh, tmp_path):
    requests = [
        request("1-17"),
        request("2-17", patient=x270.Person("Núñez", "Ana", dt.date(2015, 5, 6), "F")),
        request(
            "3-17",
            payer_name="Medicare Part B",
            payer_id="MCR01",
            member_id="1EG4TE5MK73",
            subscriber=x270.Person("O'Brien", "Pat", dt.date(1950, 1, 2), "U"),
        ),
    ]
    text = write(requests)
    asked = check_270(text)
    assert {a["trace"] for a in asked} == {"1-17", "2-17", "3-17"}
    assert {a["originator"] for a in asked} == {"1990000001"}
    assert "NM1*IL*1*NUNEZ*JOSE****MI*MBR117~" in text  # accents folded, uppercase
    assert "NM1*03*1*NUNEZ*ANA~" in text and "DMG*D8*19500102~" in text  # U is not sent
    assert "ISA*00*" in text and "*00501*000000017*0*T*:~" in text
    path = tmp_path / "ask.270"
    path.write_text(text)
    (verdict,) = lfh(path)
    assert verdict["valid"] and verdict["transactions"] == 2, verdict


def test_a_big_batch_is_split_at_99_patients_per_transaction(lfh, tmp_path):
    text = write([request(f"{n}-18") for n in range(1, 201)], number=18)
    asked = check_270(text)
    assert len(asked) == 200 and len({a["trace"] for a in asked}) == 200
    assert text.count("ST*270*") == 3
    path = tmp_path / "big.270"
    path.write_text(text)
    assert lfh(path)[0]["valid"]


def test_what_cannot_be_asked():
    assert x270.problems(request("1-1", member_id="")) == ("the coverage has no member ID",)
    assert "payer ID" in x270.problems(request("1-1", payer_id=" "))[0]
    no_dob = x270.Person("Doe", "Kid", None)
    assert x270.problems(request("1-1", patient=no_dob)) == (
        "a dependent patient needs a date of birth",
    )
    assert x270.provider_problems(x270.Provider("X", "1234567890", "990000001"))
    with pytest.raises(ValueError, match="share a trace"):
        write([request("1-1"), request("1-1")])
    with pytest.raises(ValueError, match="member ID"):
        write([request("1-1", member_id="")])


def test_pyx12_has_no_map_for_005010X279A1(tmp_path):
    """When pyx12 gains the map, validate the 270s with it too (and drop this test)."""
    from pyx12_check import pyx12_errors

    path = tmp_path / "ask.270"
    path.write_text(write([request("1-17")]))
    errors = pyx12_errors(path)
    assert len(errors) == 1 and "Map not found" in errors[0], errors


def test_270s_for_a_sample_practice(lfh, tmp_path):
    """A generated practice's unverified coverages, through the Store, as the CLI asks."""
    store = Store.open(str(tmp_path / "sample.db"), username="tester", today=lambda: TODAY)
    try:
        generate(store.db, 120, seed=7, as_of=TODAY)
        result = store.eligibility.export_270(tmp_path / "sample.270", unverified=True)
    finally:
        store.close()
    text = (tmp_path / "sample.270").read_text()
    asked = check_270(text)
    assert len(asked) == len(result.asked) > 20
    traces = [a["trace"] for a in asked]
    assert sorted(traces) == sorted(a.trace for a in result.asked)
    assert all(re.fullmatch(rf"\d+-{result.control_number}", t) for t in traces)
    assert "NM1*03*" in text  # the sample has dependents: their own loop
    (verdict,) = lfh(tmp_path / "sample.270")
    assert verdict["valid"], verdict
