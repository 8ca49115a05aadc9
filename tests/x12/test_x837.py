"""The 837P writer on plain records: every scenario the issue names, judged by pyx12 and by the
starred rules of ../shared/X12.md that pyx12 does not check."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from claim_records import (
    COMMERCIAL,
    MD,
    MEDICAID,
    NP,
    NP_INCIDENT,
    REFERRING,
    claim,
    coverage,
    dependent_coverage,
    line,
    primary_adjudication,
)
from pyx12_check import pyx12_errors
from x12_rules import segments, violations

from billing_tui.x12 import x837

CREATED = dt.datetime(2026, 11, 24, 14, 5)
SUBMITTER = x837.Submitter(
    "Larkspur Valley Medical Group", "364812907", "Billing Office", "8455550100"
)
RECEIVER = x837.Receiver("Sample Clearinghouse", "CLEARHOUSE01")


def write(claims, control_number: int = 42, production: bool = True) -> str:
    return x837.write(
        claims,
        submitter=SUBMITTER,
        receiver=RECEIVER,
        control_number=control_number,
        created=CREATED,
        production=production,
    )


def scenarios() -> dict[str, object]:
    """One claim per case the issue lists, each sendable."""
    office = claim("10000001-1", referring=REFERRING, prior_authorization="PA0012345")
    tele_lines = (line(1, "99213", modifiers=("95",), pointers=(1, 2)),)
    secondary_lines = (line(1, "99214", 22_000), line(2, "83036", 4_500, pointers=(1,)))
    return {
        "patient is the subscriber": office,
        "dependent patient": claim("10000002-1", coverage=dependent_coverage()),
        "telehealth at home": claim("10000003-1", place_of_service="10", lines=tele_lines),
        "telehealth not at home": claim("10000003-2", place_of_service="02", lines=tele_lines),
        "NP rendering": claim("10000004-1", rendering=NP),
        "incident-to": claim("10000005-1", rendering=NP_INCIDENT, supervising=MD),
        "secondary with COB": claim(
            "10000006-2",
            coverage=coverage(COMMERCIAL, priority=2, member_id="BWH99", group_number="4411"),
            lines=secondary_lines,
            prior_payers=(primary_adjudication(secondary_lines),),
            primary_claim_id=99,
        ),
        "replacement": claim("10000007-2", frequency="7", original_claim_number="0100000000123"),
        "void": claim("10000007-3", frequency="8", original_claim_number="0100000000123"),
        "medicaid, range of dates": claim(
            "10000008-1",
            coverage=coverage(MEDICAID, member_id="MCD123"),
            lines=(line(1, "97110", 9_000, units=3, dos_to=dt.date(2026, 10, 3)),),
        ),
    }


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("x837") / "scenarios.x12"
    path.write_bytes(write(list(scenarios().values())).encode("ascii"))
    return path


def claim_block(text: str, number: str) -> list[list[str]]:
    """The segments from the claim's 2000B HL up to the next 2000B (or SE)."""
    segs = segments(text)
    clm = next(i for i, s in enumerate(segs) if s[0] == "CLM" and s[1] == number)
    start = max(i for i in range(clm) if segs[i][0] == "HL" and segs[i][3] == "22")
    end = next(i for i in range(clm, len(segs)) if segs[i][0] == "SE" or segs[i][:1] == ["HL"])
    return segs[start:end]


def test_every_scenario_passes_pyx12_with_zero_errors(scenario_file):
    assert pyx12_errors(scenario_file) == []


def test_every_scenario_keeps_the_rules_pyx12_does_not_check(scenario_file):
    text = scenario_file.read_text()
    assert violations(text) == []
    assert text.count("CLM*") == len(scenarios())


def test_the_second_judge_catches_what_it_is_for(scenario_file):
    """Each starred rule, broken on purpose, is reported: the judge is not a rubber stamp."""
    text = scenario_file.read_text()
    npi = MD.npi
    broken = {
        "CLM02": text.replace("CLM*10000001-1*165*", "CLM*10000001-1*166*"),
        "NPI": text.replace(f"XX*{npi}~", f"XX*{npi[:-1]}{(int(npi[-1]) + 1) % 10}~", 1),
        "SV107": text.replace("***2:1~", "***3:1~", 1),
        "HL": text.replace("HL*3*1*22*1~", "HL*3*1*22*0~", 1),
        "SE01": text.replace("~\nSE*", "~\nSE*1", 1),
    }
    assert f"XX*{npi}~" in text
    for rule, tampered in broken.items():
        assert tampered != text, rule
        assert violations(tampered), rule


def test_patient_is_the_subscriber(scenario_file):
    block = claim_block(scenario_file.read_text(), "10000001-1")
    assert block[0][3:] == ["22", "0"]  # no child: the claim hangs under 2000B
    assert block[1] == ["SBR", "P", "18", "", "", "", "", "", "", "MB"]
    assert block[2] == ["NM1", "IL", "1", "NUNEZ", "MARIA JOSE", "", "", "", "MI", "1EG4TE5MK73"]
    assert ["DMG", "D8", "19500304", "F"] in block
    assert [
        "NM1",
        "PR",
        "2",
        "MEDICARE PART B (SAMPLE MAC)",
        "",
        "",
        "",
        "",
        "PI",
        "SMPL1",
    ] in block
    assert not any(s[0] == "PAT" for s in block)
    assert ["REF", "G1", "PA0012345"] in block
    assert ["HI", "ABK:E119", "ABF:I10"] in block
    assert ["NM1", "DN", "1", "VILLASENOR", "ARTURO", "", "", "", "XX", REFERRING.npi] in block
    assert ["SV1", "HC:36415", "15", "UN", "1", "", "", "2:1"] in block
    assert ["REF", "6R", "10000001-1-2"] in block


def test_dependent_patient_has_a_patient_level(scenario_file):
    block = claim_block(scenario_file.read_text(), "10000002-1")
    subscriber_hl = block[0][1]
    assert block[0][3:] == ["22", "1"]
    assert block[1] == ["SBR", "P", "", "55012", "", "", "", "", "", "CI"]
    assert block[2][:5] == ["NM1", "IL", "1", "NUNEZ-O'BRIEN", "ZOE"]
    patient_hl = next(s for s in block if s[0] == "HL" and s[3] == "23")
    assert patient_hl[2:] == [subscriber_hl, "23", "0"]
    at = block.index(patient_hl)
    assert block[at + 1] == ["PAT", "19"]
    assert block[at + 2][:5] == ["NM1", "QC", "1", "NUNEZ", "MARIA JOSE"]


def test_telehealth_carries_its_place_and_modifier(scenario_file):
    text = scenario_file.read_text()
    for number, pos in (("10000003-1", "10"), ("10000003-2", "02")):
        block = claim_block(text, number)
        clm = next(s for s in block if s[0] == "CLM")
        assert clm[5] == f"{pos}:B:1"
        assert ["SV1", "HC:99213:95", "150", "UN", "1", "", "", "1:2"] in block


def test_np_renders_under_their_own_npi_with_taxonomy(scenario_file):
    block = claim_block(scenario_file.read_text(), "10000004-1")
    at = block.index(["NM1", "82", "1", "FITZGIBBON", "COLLEEN", "", "", "", "XX", NP.npi])
    assert block[at + 1] == ["PRV", "PE", "PXC", "363LF0000X"]


def test_incident_to_reports_the_supervising_provider(scenario_file):
    block = claim_block(scenario_file.read_text(), "10000005-1")
    names = [s[:2] for s in block if s[0] == "NM1"]
    assert names.index(["NM1", "82"]) < names.index(["NM1", "DQ"])  # 2310B before 2310D
    assert ["NM1", "DQ", "1", "HARTWELL", "EVELYN", "", "", "", "XX", MD.npi] in block
    assert [
        "NM1",
        "82",
        "1",
        "DELACROIX-BELL",
        "MARCUS",
        "",
        "",
        "",
        "XX",
        NP_INCIDENT.npi,
    ] in block
    assert not any(s[:2] == ["PRV", "PE"] for s in block)  # no taxonomy on file: none sent


def test_secondary_claim_carries_the_primary_adjudication(scenario_file):
    block = claim_block(scenario_file.read_text(), "10000006-2")
    assert block[1][:2] == ["SBR", "S"]
    other = next(i for i, s in enumerate(block) if s[:2] == ["SBR", "P"])
    # 2320: the primary paid 60% less the patient's 20% share; CO-45 wrote off 40%.
    assert block[other] == ["SBR", "P", "18", "", "", "", "", "", "", "MB"]
    assert block[other + 1] == ["AMT", "D", "127.2"]  # (132 + 27) x 0.8
    assert block[other + 2] == ["AMT", "EAF", "31.8"]
    assert block[other + 3] == ["OI", "", "", "Y", "P", "", "Y"]
    assert block[other + 4][:3] == ["NM1", "IL", "1"] and block[other + 4][-1] == "1EG4TE5MK73"
    assert block[other + 5][:2] == ["NM1", "PR"] and block[other + 5][-1] == "SMPL1"
    assert block.index(["LX", "1"]) > other + 5
    first_line = block[block.index(["LX", "1"]) : block.index(["LX", "2"])]
    assert ["SVD", "SMPL1", "105.6", "HC:99214", "", "1"] in first_line
    assert ["CAS", "CO", "45", "88"] in first_line
    assert ["CAS", "PR", "2", "26.4"] in first_line
    assert ["DTP", "573", "D8", "20261020"] in first_line


def test_replacement_and_void_name_the_payers_claim(scenario_file):
    text = scenario_file.read_text()
    for number, frequency in (("10000007-2", "7"), ("10000007-3", "8")):
        block = claim_block(text, number)
        assert next(s for s in block if s[0] == "CLM")[5] == f"11:B:{frequency}"
        assert ["REF", "F8", "0100000000123"] in block


def test_a_range_of_dates_and_units(scenario_file):
    block = claim_block(scenario_file.read_text(), "10000008-1")
    assert ["SV1", "HC:97110", "90", "UN", "3", "", "", "1"] in block
    assert ["DTP", "472", "RD8", "20261001-20261003"] in block


def test_envelope_numbers_and_test_flag():
    text = write([claim()], control_number=7, production=False)
    segs = segments(text)
    isa = segs[0]
    assert isa[13] == "000000007" and isa[15] == "T" and isa[16] == ":"
    assert isa[6].strip() == "364812907" and isa[8].strip() == "CLEARHOUSE01"
    assert segs[1] == ["GS", "HC", "364812907", "CLEARHOUSE01", "20261124", "1405", "7", "X",
                       "005010X222A1"]  # fmt: skip
    assert segs[2] == ["ST", "837", "0001", "005010X222A1"]
    assert segs[3][:2] == ["BHT", "0019"] and segs[3][-1] == "CH"
    assert segs[-2] == ["GE", "1", "7"] and segs[-1] == ["IEA", "1", "000000007"]
    assert segments(write([claim()], production=True))[0][15] == "P"


def test_big_batches_split_into_transactions(monkeypatch, tmp_path):
    monkeypatch.setattr(x837, "MAX_CLAIMS_PER_TRANSACTION", 2)
    claims = [claim(f"1000000{n}-1") for n in range(1, 6)]
    path = tmp_path / "split.x12"
    path.write_text(write(claims))
    text = path.read_text()
    assert [s[2] for s in segments(text) if s[0] == "ST"] == ["0001", "0002", "0003"]
    assert violations(text) == []
    assert pyx12_errors(path) == []


# --------------------------------------------------------------------------- what cannot be sent


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"coverage": None}, "self-pay"),
        ({"rendering": replace(NP, npi="1234567890")}, "rendering provider's NPI 1234567890"),
        ({"referring": replace(REFERRING, npi="123")}, "referring provider's NPI"),
        ({"diagnoses": ("E119",)}, "diagnosis pointers"),
        ({"diagnoses": ()}, "no diagnosis"),
        ({"diagnoses": ("E11.9", "I10")}, "not an ICD-10-CM code"),
        ({"diagnoses": ("E119", "E119")}, "appears twice"),
        ({"frequency": "7"}, "original claim number"),
        ({"frequency": "5"}, "not 1, 7 or 8"),
        ({"charge": 1}, "not the sum of its lines"),
        ({"place_of_service": "1"}, "place of service"),
        ({"lines": ()}, "no service lines"),
        ({"lines": (line(1, "9921"),)}, "not a CPT/HCPCS code"),
        ({"lines": (line(1, charge=0),)}, "charge must be more than zero"),
        ({"lines": (line(1, units=0),)}, "units must be at least 1"),
        ({"lines": (line(1, modifiers=("9",)),)}, "modifiers"),
        ({"lines": tuple(line(n) for n in range(1, 52))}, "more than 50 service lines"),
        ({"coverage": coverage(member_id=" ")}, "no member ID"),
        ({"coverage": dependent_coverage(relationship="02")}, "not an X12 code"),
    ],
)
def test_problems_name_what_keeps_a_claim_out(change, reason):
    if "lines" in change:  # keep the claim's total in step with its lines
        change = {**change, "charge": sum(x.charge for x in change["lines"])}
    bad = claim(**change)
    found = x837.problems(bad)
    assert any(reason in problem for problem in found), found
    with pytest.raises(ValueError, match="cannot be sent"):
        write([claim(), bad])


def test_a_clean_claim_has_no_problems():
    assert all(x837.problems(c) == () for c in scenarios().values())


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ({"line1": "PO Box 12"}, "PO box"),
        ({"line1": "P.O. BOX 7"}, "PO box"),
        ({"zip": "12755"}, "ZIP+4"),
        ({"city": ""}, "incomplete"),
    ],
)
def test_billing_provider_address_rules(address, reason):
    bad_billing = replace(
        claim().billing_provider, address=replace(claim().billing_provider.address, **address)
    )
    assert any(reason in p for p in x837.problems(claim(billing_provider=bad_billing)))


def test_cob_that_does_not_balance_is_held():
    lines = (line(1, "99214", 22_000),)
    prior = primary_adjudication(lines)
    short = replace(prior, lines=(replace(prior.lines[0], paid=prior.lines[0].paid - 1),))
    found = x837.problems(claim(lines=lines, prior_payers=(short,), primary_claim_id=9))
    assert any("do not add up" in p for p in found)
    undated = replace(prior, paid_date=None)
    found = x837.problems(claim(lines=lines, prior_payers=(undated,), primary_claim_id=9))
    assert any("adjudication date" in p for p in found)
