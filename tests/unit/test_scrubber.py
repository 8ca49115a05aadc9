"""The claim scrubber: each rule fires on a claim built to break it, and is quiet on a clean one."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing_tui.domain.npi import npi_check_digit
from billing_tui.domain.scrubber import (
    RULES,
    RULES_BY_ID,
    ClaimFacts,
    CoverageFacts,
    LineFacts,
    PersonFacts,
    ProviderFacts,
    Severity,
    field_order,
    first_error,
    scrub,
)

TODAY = dt.date(2026, 11, 24)
DOS = dt.date(2026, 11, 2)
BILLING = "123456789" + npi_check_digit("123456789")
MD = ProviderFacts("198765432" + npi_check_digit("198765432"), "MD", "Ada Quill")
NP = ProviderFacts("150392817" + npi_check_digit("150392817"), "NP", "Colleen Fitz", True)
TYPO = BILLING[:9] + str((int(BILLING[9]) + 1) % 10)  # one digit off
REFERRING = "145028736" + npi_check_digit("145028736")
PATIENT = PersonFacts(
    "Jane", "Doe", dt.date(1960, 1, 2), "F", "1 Elm St", "Springfield", "IL", "62701"
)
SPOUSE = PersonFacts(
    "John", "Doe", dt.date(1958, 3, 4), "M", "1 Elm St", "Springfield", "IL", "627011234"
)


def coverage(**changes) -> CoverageFacts:
    fields = dict(
        payer_name="Acme Health", payer_kind="commercial", timely_filing_days=180,
        member_id="ACM123456", relationship="18", subscriber=PATIENT,
        start_date=dt.date(2020, 1, 1), end_date=None,
    )  # fmt: skip
    return CoverageFacts(**{**fields, **changes})


def line(**changes) -> LineFacts:
    fields = dict(
        dos_from=DOS, dos_to=DOS, code="99213", modifiers=(), pointers=(1,), units=1, charge=15_000
    )
    return LineFacts(**{**fields, **changes})


def clean(**changes) -> ClaimFacts:
    """A claim every rule is happy with: a commercial office visit and a lab draw."""
    lines = changes.pop("lines", (line(), line(code="36415", pointers=(2, 1), charge=1_500)))
    fields = dict(
        patient=PATIENT, coverage=coverage(), billing_npi=BILLING, rendering=MD, supervising=None,
        referring_npi=REFERRING, place_of_service="11", frequency="1", original_claim_number=None,
        diagnoses=("J06.9", "E119"), lines=lines, total=sum(ln.charge for ln in lines),
        known_codes=frozenset({"99213", "36415", "99214"}), already_billed=frozenset(),
    )  # fmt: skip
    return ClaimFacts(**{**fields, **changes})


def ids(findings) -> list[str]:
    return [f.rule_id for f in findings]


def only(facts: ClaimFacts, rule_id: str, today: dt.date = TODAY, also=frozenset()):
    """The findings of rule_id on a claim that should break only it (once or more)."""
    findings = scrub(facts, today)
    assert set(ids(findings)) == {rule_id, *also}, [(f.rule_id, f.message) for f in findings]
    return [f for f in findings if f.rule_id == rule_id]


def test_a_clean_claim_has_no_findings():
    assert scrub(clean(), TODAY) == ()


def with_lines(*lines: LineFacts, **changes) -> ClaimFacts:
    return clean(lines=lines, total=sum(ln.charge for ln in lines), **changes)


# (rule id, the claim that breaks it, the field, the message) for every rule.
BROKEN = [
    ("MEMBER-ID", clean(coverage=coverage(member_id="  ")), "header.coverage",
     "Enter the member ID for Acme Health"),
    ("RELATIONSHIP", clean(coverage=coverage(relationship="99", subscriber=SPOUSE)),
     "header.coverage", "Patient's relationship to the subscriber '99' is not a known code"),
    ("NPI-CHECK", clean(billing_npi=TYPO), "header.billing",
     f"Billing provider: NPI {TYPO} fails its check digit (a typo?)"),
    ("NPI-CHECK", clean(referring_npi="12345"), "header.referring",
     "Referring provider: NPI 12345 is not 10 digits"),
    ("NPI-CHECK", clean(rendering=dataclasses.replace(MD, npi="")), "header.rendering",
     "Rendering provider Ada Quill: no NPI"),
    ("NPI-CHECK", clean(supervising=dataclasses.replace(MD, npi="1" * 10)), "header.supervising",
     "Supervising provider Ada Quill: NPI 1111111111 fails its check digit (a typo?)"),
    ("RENDERING", clean(rendering=None), "header.rendering", "Choose the rendering provider"),
    ("NPP-OWN-NPI", clean(rendering=dataclasses.replace(NP, npi=BILLING, has_supervisor=False)),
     "header.rendering", "Colleen Fitz (NP) bills under their own NPI, not the billing provider's"),
    ("NPP-OWN-NPI", clean(rendering=dataclasses.replace(NP, npi=MD.npi), supervising=MD),
     "header.rendering",
     "Colleen Fitz (NP) bills under their own NPI, not the supervising physician's"),
    ("INCIDENT-TO", clean(rendering=NP), "header.supervising",
     "Colleen Fitz (NP) works under a supervising physician: Acme Health needs the supervising "
     "provider on the claim"),
    ("INCIDENT-TO-MEDICARE",
     clean(rendering=NP, coverage=coverage(payer_name="Medicare", payer_kind="medicare")),
     "header.supervising",
     "Colleen Fitz (NP) works under a supervising physician but none is on the claim: Medicare "
     "pays it under Colleen Fitz's own NPI at 85%; add the supervising provider to bill "
     "incident-to"),
    ("POS", clean(place_of_service="98"), "header.pos", "Place of service '98' is not a known code"),
    ("FREQUENCY", clean(frequency="2"), "header.frequency",
     "Claim frequency '2' must be 1 (original), 7 (replacement) or 8 (void)"),
    ("ORIGINAL-NEEDED", clean(frequency="8"), "header.original",
     "A void claim needs the payer's original claim number"),
    ("ORIGINAL-UNEXPECTED", clean(original_claim_number="PAYER123"), "header.original",
     "An original claim (frequency 1) carries no original claim number: remove it, or make the "
     "claim a replacement (7) or void (8)"),
    ("PATIENT", clean(patient=dataclasses.replace(PATIENT, zip="6270")), "patient",
     "Patient: ZIP must be 5 or 9 digits"),
    ("SUBSCRIBER", clean(coverage=coverage(relationship="01",
                                           subscriber=dataclasses.replace(SPOUSE, dob=None))),
     "subscriber", "Subscriber: date of birth is missing"),
    ("SUBSCRIBER-IS-PATIENT", clean(coverage=coverage(subscriber=SPOUSE)), "subscriber",
     "The patient is the subscriber (relationship 18) but the coverage names someone else "
     "(another name): correct the coverage"),
    ("DX-PRESENT", clean(diagnoses=(), lines=(line(),), total=15_000), "dx.1",
     "Enter at least one diagnosis"),
    ("DX-MAX", clean(diagnoses=("J06.9", "E11.9", "I10", "E78.5", "E03.9", "E66.9", "E55.9",
                                "K21.9", "J44.9", "M54.50", "M17.0", "G47.00", "D64.9")),
     "dx.13", "A claim has at most 12 diagnoses; this one has 13"),
    ("DX-BILLABLE", clean(diagnoses=("J06.9", "J06")), "dx.2",
     "Diagnosis 2: J06 is a category, not billable: choose one of the more specific codes "
     "under it"),
    ("DX-BILLABLE", clean(diagnoses=("J06.9", "Q99.99")), "dx.2",
     "Diagnosis 2: Q99.99 is not an ICD-10-CM code"),
    ("DX-DUPLICATE", clean(diagnoses=("E11.9", "e119")), "dx.2",
     "Diagnosis 2: E11.9 repeats diagnosis 1"),
    ("LINES-PRESENT", with_lines(), "line.1.code", "Add at least one service line"),
    ("LINES-MAX", with_lines(*[line(charge=100)] * 51), "line.51.code",
     "A claim has at most 50 service lines; this one has 51"),
    ("DOS-PRESENT", with_lines(line(), line(dos_from=None, dos_to=None)), "line.2.dos",
     "Line 2: enter the date of service"),
    ("DOS-FUTURE", with_lines(line(dos_from=TODAY + dt.timedelta(days=1), dos_to=None)),
     "line.1.dos", "Line 1: the date of service 11/25/2026 is in the future"),
    ("DOS-ORDER", with_lines(line(dos_to=DOS - dt.timedelta(days=1))), "line.1.dos",
     "Line 1: the service ends (11/01/2026) before it starts (11/02/2026)"),
    ("DOS-COVERAGE", with_lines(line(), coverage=coverage(end_date=dt.date(2026, 10, 31))),
     "line.1.dos",
     "Line 1: 11/02/2026 is outside the Acme Health coverage (01/01/2020 to 10/31/2026)"),
    ("TIMELY-FILING", with_lines(line(dos_from=dt.date(2026, 5, 27), dos_to=None)), "line.1.dos",
     "Timely filing has passed: 181 days from the date of service 05/27/2026 to today; "
     "Acme Health allows 180"),
    ("TIMELY-FILING-SOON", with_lines(line(dos_from=dt.date(2026, 6, 27), dos_to=None)),
     "line.1.dos",
     "Timely filing: 30 days left to bill Acme Health for 06/27/2026 (limit 180 days)"),
    ("CODE-FORMAT", with_lines(line(code="9921")), "line.1.code",
     "Line 1: 9921 is not a CPT or HCPCS code (5 digits, 4 digits + F, T or U, or a letter + "
     "4 digits)"),
    ("CODE-FORMAT", with_lines(line(code="  ")), "line.1.code",
     "Line 1: enter a CPT or HCPCS code"),
    ("CODE-KNOWN", with_lines(line(code="G2012")), "line.1.code",
     "Line 1: G2012 is not in the fee schedule: check the code and its charge"),
    ("DUPLICATE", clean(already_billed=frozenset({(DOS, "36415")})), "line.2.code",
     "Line 2: 36415 on 11/02/2026 is already billed on another claim"),
    ("MODIFIER-FORMAT", with_lines(line(modifiers=("25", "5"))), "line.1.modifiers",
     "Line 1: modifier '5' must be two letters or digits"),
    ("MODIFIER-MAX", with_lines(line(modifiers=("25", "59", "76", "77", "XE"))),
     "line.1.modifiers", "Line 1: at most 4 modifiers (5 given)"),
    ("TELEHEALTH-MODIFIER", with_lines(line(), place_of_service="10"), "line.1.modifiers",
     "Line 1: place of service 10 is telehealth and needs modifier 95, 93, GT, GQ or FQ"),
    ("TELEHEALTH-POS", with_lines(line(), line(code="99214", modifiers=("95",))),
     "line.2.modifiers", "Line 2: modifier 95 needs place of service 02 or 10"),
    ("POINTER-PRESENT", with_lines(line(pointers=())), "line.1.pointers",
     "Line 1: point to at least one diagnosis"),
    ("POINTER-MAX", clean(diagnoses=("J06.9", "E11.9", "I10", "E78.5", "E03.9"),
                          lines=(line(pointers=(1, 2, 3, 4, 5)),), total=15_000),
     "line.1.pointers", "Line 1: at most 4 diagnosis pointers (5 given)"),
    ("POINTER-RANGE", with_lines(line(pointers=(1, 3))), "line.1.pointers",
     "Line 1: pointer 3 points past the claim's 2 diagnoses"),
    ("POINTER-RANGE", with_lines(line(pointers=(0,))), "line.1.pointers",
     "Line 1: pointer 0 must be 1 or more"),
    ("POINTER-DUPLICATE", with_lines(line(pointers=(2, 1, 2))), "line.1.pointers",
     "Line 1: pointer 2 is given twice"),
    ("UNITS", with_lines(line(units=0)), "line.1.units", "Line 1: units must be at least 1"),
    ("CHARGE", with_lines(line(), line(charge=0)), "line.2.charge",
     "Line 2: the charge must be more than 0.00"),
    ("TOTAL", clean(total=16_499), "claim.total",
     "The claim total 164.99 is not the sum of its lines, 165.00"),
]  # fmt: skip


# A claim without diagnoses cannot point to one: the only rule that never fires alone.
ALSO = {"DX-PRESENT": {"POINTER-RANGE"}}


@pytest.mark.parametrize(("rule_id", "facts", "field", "message"), BROKEN)
def test_each_rule_fires_on_the_claim_that_breaks_it(rule_id, facts, field, message):
    (finding,) = only(facts, rule_id, also=ALSO.get(rule_id, ()))
    rule = RULES_BY_ID[rule_id]
    assert (finding.severity, finding.field, finding.message) == (rule.severity, field, message)


def test_every_rule_has_a_breaking_claim_and_a_description():
    assert {rule_id for rule_id, *_ in BROKEN} == set(RULES_BY_ID)
    assert len(RULES_BY_ID) == len(RULES)  # ids are unique
    for rule in RULES:
        assert re.fullmatch(r"[A-Z0-9]+(-[A-Z0-9]+)*", rule.id)
        assert rule.checks and rule.message
        assert field_order(rule.field.format(where="billing", n=1, line=1))  # a real field


def test_findings_come_errors_first_then_in_field_order():
    facts = clean(
        coverage=coverage(payer_kind="medicare", payer_name="Medicare"),
        rendering=NP,  # a warning in the header
        diagnoses=("J06.9", "J06"),  # dx.2
        lines=(line(code="G2012", units=0), line(pointers=(7,))),  # warning, line.1 and line.2
        total=1,  # claim.total
        place_of_service="98",  # header.pos
    )
    findings = scrub(facts, TODAY)
    assert [(f.severity.value, f.field) for f in findings] == [
        ("error", "header.pos"),
        ("error", "dx.2"),
        ("error", "line.1.units"),
        ("error", "line.2.pointers"),
        ("error", "claim.total"),
        ("warning", "header.supervising"),
        ("warning", "line.1.code"),
    ]
    assert first_error(findings).field == "header.pos"
    assert first_error(scrub(clean(rendering=NP, coverage=facts.coverage), TODAY)) is None


def test_every_problem_of_a_person_is_named_without_repeating_the_value():
    nobody = PersonFacts("", " ", None, "", "", "", "Illinois", "")
    messages = [f.message for f in only(clean(patient=nobody, coverage=None), "PATIENT")]
    assert messages == [
        "Patient: first name is missing",
        "Patient: last name is missing",
        "Patient: date of birth is missing",
        "Patient: sex is missing",
        "Patient: street address is missing",
        "Patient: city is missing",
        "Patient: state must be a 2-letter code such as NY",
        "Patient: ZIP is missing",
    ]
    odd = dataclasses.replace(PATIENT, dob=TODAY + dt.timedelta(days=1), sex="X", zip="6270１")
    messages = [f.message for f in only(clean(patient=odd, coverage=None), "PATIENT")]
    assert messages == [
        "Patient: date of birth is in the future",
        "Patient: sex must be F, M or U",
        "Patient: ZIP must be 5 or 9 digits",
    ]


def test_a_self_insured_patient_needs_no_subscriber_of_their_own():
    # The subscriber's own fields are not checked when the patient is the subscriber ...
    sparse = dataclasses.replace(PATIENT, address1="", city="", zip="")
    assert scrub(clean(coverage=coverage(subscriber=sparse)), TODAY) == ()
    # ... but a dependent's subscriber is, and names match whatever their case.
    shouted = dataclasses.replace(PATIENT, first_name="JANE", last_name=" doe ")
    assert scrub(clean(coverage=coverage(subscriber=shouted)), TODAY) == ()
    other_dob = dataclasses.replace(PATIENT, dob=dt.date(1961, 1, 2))
    (finding,) = only(clean(coverage=coverage(subscriber=other_dob)), "SUBSCRIBER-IS-PATIENT")
    assert "(another date of birth)" in finding.message
    assert scrub(clean(coverage=coverage(relationship="01", subscriber=SPOUSE)), TODAY) == ()


def test_self_pay_skips_the_coverage_subscriber_and_timely_filing_rules():
    old = line(dos_from=dt.date(2020, 1, 2), dos_to=None)
    self_pay = with_lines(old, coverage=None, rendering=NP)  # no payer to bill incident-to
    assert scrub(self_pay, TODAY) == ()
    assert "TIMELY-FILING" in ids(scrub(with_lines(old), TODAY))


def test_timely_filing_counts_from_the_earliest_line_to_today_or_the_first_billing():
    def lines_from(first: dt.date) -> ClaimFacts:
        return with_lines(line(), line(dos_from=first, dos_to=None))

    limit = dt.timedelta(days=180)
    assert ids(scrub(lines_from(TODAY - limit), TODAY)) == ["TIMELY-FILING-SOON"]  # the last day
    (late,) = scrub(lines_from(TODAY - limit - dt.timedelta(days=1)), TODAY)
    assert (late.rule_id, late.field) == ("TIMELY-FILING", "line.2.dos")
    assert scrub(lines_from(TODAY - dt.timedelta(days=149)), TODAY) == ()  # 31 days left
    assert ids(scrub(lines_from(TODAY - dt.timedelta(days=150)), TODAY)) == ["TIMELY-FILING-SOON"]
    # Billed in time: the clock stopped then; billed too late: it says when.
    billed = dataclasses.replace(lines_from(dt.date(2026, 1, 5)), first_billed=dt.date(2026, 7, 1))
    assert scrub(billed, TODAY) == ()
    late_billed = dataclasses.replace(billed, first_billed=dt.date(2026, 7, 5))
    (late,) = only(late_billed, "TIMELY-FILING")
    assert late.message == (
        "Timely filing has passed: 181 days from the date of service 01/05/2026 to its first "
        "billing on 07/05/2026; Acme Health allows 180"
    )


def test_a_replacement_or_void_is_no_duplicate_and_keeps_no_filing_clock():
    old_visit = line(dos_from=dt.date(2025, 12, 1), dos_to=None)
    original = with_lines(old_visit, already_billed=frozenset({(dt.date(2025, 12, 1), "99213")}))
    assert ids(scrub(original, TODAY)) == ["TIMELY-FILING", "DUPLICATE"]
    for frequency in ("7", "8"):
        follow_up = dataclasses.replace(
            original, frequency=frequency, original_claim_number="PAYER-123"
        )
        assert scrub(follow_up, TODAY) == ()


@pytest.mark.parametrize(
    ("pos", "modifiers", "expected"),
    [
        ("10", ("95",), []),
        ("02", ("GT",), []),
        ("02", ("25", "93"), []),
        ("10", ("fq",), []),  # as typed: the store upper-cases it
        ("11", (), []),
        ("02", ("25",), ["TELEHEALTH-MODIFIER"]),
        ("11", ("93",), ["TELEHEALTH-POS"]),
        ("12", ("GQ",), ["TELEHEALTH-POS"]),
    ],
)
def test_telehealth_place_and_modifier_go_together(pos, modifiers, expected):
    facts = with_lines(line(modifiers=modifiers), place_of_service=pos)
    assert ids(scrub(facts, TODAY)) == expected


def test_each_telehealth_line_needs_its_own_modifier():
    facts = with_lines(
        line(modifiers=("95",)), line(code="99214", modifiers=()), place_of_service="02"
    )
    (finding,) = only(facts, "TELEHEALTH-MODIFIER")
    assert finding.field == "line.2.modifiers"


def test_incident_to_needs_the_supervising_provider_on_the_claim():
    assert scrub(clean(rendering=NP, supervising=MD), TODAY) == ()  # billed incident-to
    on_own = dataclasses.replace(NP, has_supervisor=False)
    assert scrub(clean(rendering=on_own), TODAY) == ()  # an NP who bills on their own
    supervised_md = dataclasses.replace(MD, has_supervisor=True)  # a physician needs no one
    assert scrub(clean(rendering=supervised_md), TODAY) == ()
    (error,) = scrub(clean(rendering=NP), TODAY)
    assert error.blocks
    medicare = coverage(payer_name="Medicare", payer_kind="medicare")
    (warning,) = scrub(clean(rendering=NP, coverage=medicare), TODAY)
    assert not warning.blocks


def test_codes_are_read_as_the_store_writes_them():
    # The store upper-cases codes and modifiers: a lower-case entry is not an error.
    facts = with_lines(line(code="g2012", modifiers=("gt",)), place_of_service="02")
    assert scrub(dataclasses.replace(facts, known_codes=frozenset({"G2012"})), TODAY) == ()
    hcpcs_and_categories = with_lines(
        line(code="J1100"), line(code="0001F"), line(code="0042T"), line(code="0001U")
    )
    assert ids(scrub(hcpcs_and_categories, TODAY)) == ["CODE-KNOWN"] * 4


def test_a_pointer_on_a_claim_without_diagnoses_says_so():
    facts = clean(diagnoses=(), total=15_000, lines=(line(pointers=(1,)),))
    (pointer,) = only(facts, "POINTER-RANGE", also={"DX-PRESENT"})
    assert pointer.message == "Line 1: pointer 1 points to a diagnosis, but the claim has none"


_codes = st.text(alphabet=string.ascii_letters + string.digits + ". -", max_size=8)
_dates = st.one_of(st.none(), st.dates(dt.date(2015, 1, 1), dt.date(2028, 1, 1)))
_lines = st.builds(
    LineFacts,
    dos_from=_dates,
    dos_to=_dates,
    code=_codes,
    modifiers=st.lists(_codes, max_size=6).map(tuple),
    pointers=st.lists(st.integers(-2, 14), max_size=6).map(tuple),
    units=st.integers(-2, 5),
    charge=st.integers(-100, 10**7),
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(_lines, max_size=4).map(tuple),
    diagnoses=st.lists(_codes, max_size=14).map(tuple),
    pos=st.sampled_from(["11", "02", "10", "", "1", "AB"]),
    frequency=st.sampled_from(["1", "7", "8", "", "x"]),
    npi=st.text(alphabet=string.digits + "x ", max_size=11),
    total=st.integers(-5, 10**7),
)
def test_any_claim_scrubs_without_a_traceback(lines, diagnoses, pos, frequency, npi, total):
    facts = clean(
        lines=lines, diagnoses=diagnoses, place_of_service=pos, frequency=frequency,
        billing_npi=npi, referring_npi=npi, total=total, rendering=dataclasses.replace(NP, npi=npi),
    )  # fmt: skip
    findings = scrub(facts, TODAY)
    keys = [(f.severity is not Severity.ERROR, field_order(f.field)) for f in findings]
    assert keys == sorted(keys)
    for finding in findings:
        assert finding.rule_id in RULES_BY_ID and "{" not in finding.message
    assert bool(first_error(findings)) == any(f.blocks for f in findings)
