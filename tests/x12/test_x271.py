"""The generic X12 reader and the 271 reader (005010X279A1), on 271s built here.

The 271s are judged by LinuxForHealth x12 (lfh_check.py): pyx12 4.0.0 has no
005010X279A1 map (test_x270.py keeps an eye on that).
"""

from __future__ import annotations

import datetime as dt

import pytest
from lfh_check import JudgeUnavailable, judge_python, lfh_verdicts

from billing_tui.x12 import x270
from billing_tui.x12.reader import X12Error, find_separators, read_interchanges, read_segments
from billing_tui.x12.x271 import read_271

TODAY = dt.date(2026, 11, 24)
PROVIDER = x270.Provider("Synthetic Family Practice", "1234567893", "990000001")
ISA = (
    "ISA*00*          *00*          *ZZ*ACMEHEALTH     *ZZ*990000001      "
    "*261124*1300*^*00501*000000777*0*T*:~"
)


@pytest.fixture(scope="module")
def lfh():
    try:
        judge_python()
    except JudgeUnavailable as error:
        pytest.skip(f"LinuxForHealth x12 unavailable: {error}")
    return lfh_verdicts


def envelope(*transactions: list[str], isa: str = ISA, group: str = "777") -> str:
    """A 271 interchange around transactions given as their segments between ST and SE."""
    out = [isa, f"GS*HB*ACMEHEALTH*990000001*20261124*1300*{group}*X*005010X279A1~"]
    for number, body in enumerate(transactions, start=1):
        control = f"{number:04d}"
        out.append(f"ST*271*{control}*005010X279A1~")
        out.extend(f"{segment}~" for segment in body)
        out.append(f"SE*{len(body) + 2}*{control}~")
    out += [f"GE*{len(transactions)}*{group}~", f"IEA*1*{isa[90:99]}~"]
    return "\n".join(out) + "\n"


HEAD = [
    "BHT*0022*11*17-1*20261124*1300",
    "HL*1**20*1",
    "NM1*PR*2*ACME HEALTH*****PI*ACME1",
    "HL*2*1*21*1",
    "NM1*1P*2*SYNTHETIC FAMILY PRACTICE*****XX*1234567893",
]
ACTIVE = [
    "HL*3*2*22*0",
    "TRN*2*12-17*1990000001",
    "TRN*1*2026112400001*9ACMEHLTH1",
    "NM1*IL*1*DOE*JANE****MI*MBR123",
    "N3*1 ELM ST",
    "N4*SPRINGFIELD*IL*62701",
    "DMG*D8*19600102*F",
    "DTP*346*D8*20260101",
    "DTP*356*D8*20190301",
    "EB*1*IND*30*C1*GOLD PPO",
    "EB*B*IND*98*C1*GOLD PPO*27*60*****N",  # out of network: not the copay we want
    "MSG*OUT OF NETWORK OFFICE VISITS",
    "EB*B*IND*98*C1*GOLD PPO*27*25*****Y",
    "EB*C*FAM*30*C1*GOLD PPO*23*3000*****Y",  # the family's: not this patient's
    "EB*C*IND*30*C1*GOLD PPO*23*1500*****Y",
    "EB*C*IND*30*C1*GOLD PPO*29*1200*****Y",
    "EB*A*IND*30*C1*GOLD PPO*27**.2****Y",
    "EB*G*IND*30*C1*GOLD PPO*23*5000*****Y",
    "EB*G*IND*30*C1*GOLD PPO*29*4200*****Y",
    "LS*2120",
    "NM1*P3*1*QUILL*ADA****XX*1987654321",  # the primary care provider: not the subscriber
    "LE*2120",
]
INACTIVE = [
    "HL*3*2*22*0",
    "TRN*2*13-17*1990000001",
    "NM1*IL*1*ROE*RICHARD****MI*MBR456",
    "DMG*D8*19550607*M",
    "DTP*346*D8*20200101",
    "DTP*347*D8*20260630",
    "EB*6*IND*30",
]
REJECTED = [
    "HL*3*2*22*0",
    "TRN*2*14-17*1990000001",
    "NM1*IL*1*POE*EDGAR****MI*WRONG1",
    "AAA*N**72*C",
    "DMG*D8*19490119*M",
]
DEPENDENT = [
    "HL*3*2*22*1",
    "NM1*IL*1*NUNEZ*JOSE****MI*MBR999",
    "HL*4*3*23*0",
    "TRN*2*15-17*1990000001",
    "NM1*03*1*NUNEZ*ANA",
    "DMG*D8*20150506*F",
    "DTP*291*RD8*20260101-20261231",
    "EB*1*DEP*30**SILVER HMO",
    "EB*B*DEP*98**SILVER HMO*27*15",
]


# --------------------------------------------------------------------------- the reader


def test_separators_come_from_the_isa():
    text = envelope(HEAD + ACTIVE)
    seps = find_separators(text)
    assert (seps.element, seps.component, seps.repetition, seps.segment) == ("*", ":", "^", "~")
    other = recode(text, element="|", component=">", repetition="!", segment="'", newline="")
    seps = find_separators(other)
    assert (seps.element, seps.component, seps.repetition, seps.segment) == ("|", ">", "!", "'")
    numbers = [(s.number, s.id) for s in read_segments(other)]
    assert numbers[:3] == [(1, "ISA"), (2, "GS"), (3, "ST")]
    assert numbers == [(s.number, s.id) for s in read_segments(text)]


def recode(text: str, *, element: str, component: str, repetition: str, segment: str, newline: str):
    """The same interchange under other separators, and with or without line breaks."""
    table = str.maketrans({"*": element, ":": component, "^": repetition, "~": segment})
    return text.replace("~\n", "~").translate(table).replace(segment, segment + newline)


def test_segments_elements_components_and_repeats():
    text = envelope(
        HEAD + ["HL*3*2*22*0", "NM1*IL*1*A*B****MI*1", "EB*B*IND*30^98*HM**27*25.505*.15"]
    )
    eb = [s for s in read_segments(text) if s.id == "EB"][0]
    assert eb.get(1) == "B" and eb.get(9) == "" and eb.get(0) == ""
    assert eb.repeats(3) == ("30", "98")
    assert eb.amount(7) == 2551  # 25.505 rounds half up at the cent
    assert eb.decimal(8) == __import__("decimal").Decimal(".15")
    isa = next(read_segments(text))
    assert isa.components(16) == ("", "") and len(isa.elements) == 16
    assert str(eb) == "EB*B*IND*30^98*HM**27*25.505*.15"


def test_an_interchange_and_its_transactions():
    text = envelope(HEAD + ACTIVE, HEAD + INACTIVE)
    ta1 = "TA1*000000017*261124*1259*A*000~\n"  # an acknowledgment of our 270, riding along
    (interchange,) = read_interchanges(text.replace("GS*", ta1 + "GS*", 1))
    assert interchange.control_number == "000000777" and interchange.test
    assert interchange.sender == "ACMEHEALTH" and interchange.groups == 1
    assert [t.control_number for t in interchange.transactions] == ["0001", "0002"]
    assert interchange.transactions[1].version == "005010X279A1"
    assert interchange.transactions[0].segments[0].id == "BHT"


@pytest.mark.parametrize(
    ("damage", "segment", "words"),
    [
        (lambda t: t[t.index("GS*") :], 1, "does not start with an ISA"),
        (lambda t: "", 1, "does not start with an ISA"),
        (lambda t: t[: t.index("EB*A") + 6], 25, "no terminator"),  # cut inside a segment
        (lambda t: t[: t.index("EB*A")], 24, "ends after this segment"),
        (lambda t: t[: t.index("GE*")], 31, "before the interchange's IEA"),
        (lambda t: t.replace("NM1*IL*", "NM1|IL|"), 12, "not a segment id"),
        (lambda t: t.replace("*^*00501*", "*:*00501*"), 1, "same character"),
        (lambda t: t.replace("*T*:~", "*T*A~"), 1, "letter, digit or space"),
        (lambda t: t.replace("SE*29*", "SE*28*"), 31, "segments from ST to SE"),
        (lambda t: t.replace("GE*1*777", "GE*2*777"), 32, "transactions"),
        (lambda t: t.replace("IEA*1*000000777", "IEA*1*000000778"), 33, "not ISA13"),
        (lambda t: t.replace("~\nHL*1**20*1~", "~~\nHL*1**20*1~"), 5, "empty segment"),
    ],
)
def test_malformed_x12_is_refused_naming_the_segment(damage, segment, words):
    text = damage(envelope(HEAD + ACTIVE))
    with pytest.raises(X12Error) as refused:
        read_271(text)
    assert refused.value.segment == segment, str(refused.value)
    assert words in str(refused.value)
    assert str(refused.value).startswith(f"segment {segment}")


# --------------------------------------------------------------------------- the 271 reader


def test_an_active_answer_with_its_plan_terms():
    (answer,) = read_271(envelope(HEAD + ACTIVE))
    assert answer.status == "active"
    assert (answer.member_id, answer.last_name, answer.first_name) == ("MBR123", "DOE", "JANE")
    assert answer.dob == dt.date(1960, 1, 2) and answer.sex == "F"
    assert answer.payer_id == "ACME1" and answer.provider_id == "1234567893"
    assert [t.number for t in answer.our_traces()] == ["12-17"]
    assert len(answer.traces) == 2  # the payer's own TRN*1 is kept, not taken for ours
    assert answer.created == dt.datetime(2026, 11, 24, 13, 0) and answer.reference == "17-1"
    terms = answer.terms()
    assert terms.copay == 2_500  # in network, not the 60.00 out of network
    assert (terms.deductible, terms.deductible_remaining, terms.deductible_met) == (
        150_000,
        120_000,
        30_000,
    )
    assert terms.coinsurance_bp == 2_000
    assert (terms.oop_max, terms.oop_remaining) == (500_000, 420_000)
    assert terms.plan_start == dt.date(2019, 3, 1)  # eligibility begin, before plan begin
    assert terms.plan_end is None and terms.plan_name == "GOLD PPO"
    out_of_network = [b for b in answer.benefits if b.network == "N"][0]
    assert out_of_network.messages == ("OUT OF NETWORK OFFICE VISITS",)


def test_inactive_rejected_dependent_and_payer_level_answers():
    payer_down = [
        "BHT*0022*11*17-4*20261124*1300",
        "HL*1**20*0",
        "AAA*N**42*R",
        "NM1*PR*2*ACME HEALTH*****PI*ACME1",
    ]
    text = envelope(HEAD + INACTIVE, HEAD + REJECTED, HEAD + DEPENDENT, payer_down)
    inactive, rejected, dependent, down = read_271(text)
    assert inactive.status == "inactive"
    assert inactive.terms().plan_end == dt.date(2026, 6, 30)
    assert rejected.status == "rejected"
    (why,) = rejected.rejections
    assert (why.code, why.follow_up, why.level) == ("72", "C", "subscriber")
    assert why.reason == "invalid/missing subscriber/insured id"
    assert why.advice == "please correct and resubmit"
    assert dependent.level == "dependent" and dependent.status == "active"
    assert (dependent.last_name, dependent.first_name, dependent.member_id) == (
        "NUNEZ",
        "ANA",
        "MBR999",
    )
    assert (dependent.subscriber_last, dependent.subscriber_first) == ("NUNEZ", "JOSE")
    terms = dependent.terms()
    assert terms.copay == 1_500
    assert (terms.plan_start, terms.plan_end) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert down.level == "payer" and down.status == "rejected" and down.member_id == ""
    assert down.rejections[0].reason == "unable to respond at current time"


def test_a_benefit_level_rejection_does_not_reject_the_person():
    body = HEAD + ACTIVE[:10] + ["EB*1*IND*30", "AAA*N**53*C"]
    (answer,) = read_271(envelope(body))
    assert answer.status == "active"
    assert answer.benefits[-1].rejections[0].code == "53"


@pytest.mark.parametrize(("element", "newline"), [("*", "\n"), ("|", ""), ("!", "\r\n"), ("^", "")])
def test_any_separators_with_or_without_line_breaks(element, newline):
    text = envelope(HEAD + ACTIVE, HEAD + DEPENDENT)
    component, repetition, segment = (":", "}", "~") if element == "^" else (">", "^", "\\")
    other = recode(
        text,
        element=element,
        component=component,
        repetition=repetition,
        segment=segment,
        newline=newline,
    )
    assert read_271(other) == read_271(text)


@pytest.mark.parametrize(
    ("old", "new", "segment", "words"),
    [
        ("EB*1*IND*30*C1*GOLD PPO", "EB*Z*IND*30*C1*GOLD PPO", 18, "EB01 'Z'"),
        ("EB*A*IND*30*C1*GOLD PPO*27**.2", "EB*A*IND*30*C1*GOLD PPO*27**20", 25, "EB08"),
        ("*27*25*****Y", "*27*2X5*****Y", 21, "EB07"),
        ("*23*1500*****Y", "*99*1500*****Y", 23, "EB06 '99'"),
        ("DMG*D8*19600102*F", "DMG*D8*19601302*F", 15, "DMG02"),
        ("DTP*356*D8*20190301", "DTP*356*RD8*20190301", 17, "range"),
        ("NM1*IL*1*DOE*JANE****MI*MBR123", "NM1*IL*1*DOE*JANE", 12, "member ID"),
        ("NM1*IL*1*DOE*JANE****MI*MBR123", "NM1*QC*1*DOE*JANE****MI*MBR123", 12, "NM101 'QC'"),
        ("HL*3*2*22*0", "HL*3*1*22*0", 9, "HL02"),
        ("HL*3*2*22*0", "HL*4*2*22*0", 9, "out of sequence"),
        ("TRN*2*12-17*1990000001", "TRN*2*12-17", 10, "TRN03"),
        ("LE*2120", "MSG*NO LE", 28, "LS without its LE"),
        ("BHT*0022*11*17-1*20261124*1300", "BHT*0022*13*17-1*20261124*1300", 4, "BHT"),
    ],
)
def test_a_segment_with_a_wrong_element_is_refused(old, new, segment, words):
    text = envelope(HEAD + ACTIVE)
    assert old in text
    with pytest.raises(X12Error) as refused:
        read_271(text.replace(old, new, 1))
    assert refused.value.segment == segment, str(refused.value)
    assert words in str(refused.value)


def test_error_messages_carry_no_date_of_birth():
    with pytest.raises(X12Error) as refused:
        read_271(envelope(HEAD + ACTIVE).replace("DMG*D8*19600102", "DMG*D8*19601302"))
    assert "1960" not in str(refused.value)


def test_only_a_5010_271_is_read():
    text = envelope(HEAD + ACTIVE)
    with pytest.raises(X12Error, match="not a 005010X279A1"):
        read_271(text.replace("005010X279A1", "004010X092A1"))
    with pytest.raises(X12Error, match="not a 271") as refused:
        read_271(text.replace("ST*271*", "ST*270*"))
    assert refused.value.segment == 3


def test_the_271s_built_here_are_valid(lfh, tmp_path):
    # LinuxForHealth 0.57 checks a subscriber's AAA03 against the receiver's list (its
    # Loop2100C reuses Loop2100BAaaSegment), so it refuses 72, which the TR3 allows there;
    # 15 is on both lists.
    rejected = [s.replace("AAA*N**72*C", "AAA*N**15*C") for s in REJECTED]
    files = {
        "active": envelope(HEAD + ACTIVE),
        "several": envelope(HEAD + INACTIVE, HEAD + rejected, HEAD + DEPENDENT),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    verdicts = lfh(*(tmp_path / name for name in files))
    assert [(v["valid"], v["transactions"]) for v in verdicts] == [(True, 1), (True, 3)], verdicts
    broken = tmp_path / "broken"
    broken.write_text(files["active"].replace("EB*1*IND*30", "EB*1*IND*ZZZ"))
    assert not lfh(broken)[0]["valid"]  # the judge does look
