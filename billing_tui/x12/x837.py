"""The 837P writer (005010X222A1): saved claims in, the text of one interchange out.

It reads ClaimDetail records (store/records/claims.py) by attribute only and
imports nothing from the store, so it runs on plain objects. problems() says
what would make a claim unsendable whatever the scrubber thinks (the rules
../shared/X12.md stars, which pyx12 does not check); write() refuses a claim
that has any, so a bad claim can never make a bad file. The caller picks the
control number and keeps it unique (the store uses X12Interchange.id).

Layout: one GS; transactions of at most MAX_CLAIMS_PER_TRANSACTION claims; in
each, one 2000A per billing provider and one 2000B per claim (plus 2000C when
the patient is a dependent), so no 2000B ever holds more than 100 claims.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from typing import TYPE_CHECKING

from ..domain.npi import is_valid_npi
from .envelope import Envelope, Segments, Transaction, amount, clean, date8, interchange, time4

if TYPE_CHECKING:
    from ..store.records.claims import (
        BillingProviderRecord,
        ClaimDetail,
        CoverageDetail,
        PriorPayer,
    )

VERSION = "005010X222A1"
MAX_CLAIMS_PER_TRANSACTION = 5_000  # the TR3's recommended ceiling on CLM segments per ST
MAX_LINES = 50
MAX_DIAGNOSES = 12
FILING_INDICATOR = {"medicare": "MB", "medicaid": "MC", "commercial": "CI"}  # SBR09
PAYER_ORDER = {1: "P", 2: "S", 3: "T"}  # SBR01 from the coverage's priority
# SBR05 when Medicare is not the primary payer: 12 = working aged, employer plan primary.
MEDICARE_SECONDARY_TYPE = "12"
PATIENT_RELATIONSHIPS = frozenset({"01", "19", "20", "21", "39", "40", "53", "G8"})  # PAT01

_ICD10 = re.compile(r"^[A-Z][0-9][0-9A-Z]{1,5}$")  # stored without the dot
_PROCEDURE = re.compile(r"^[A-Z0-9]{5}$")
_MODIFIER = re.compile(r"^[A-Z0-9]{2}$")
_npi_ok = lru_cache(maxsize=4_096)(is_valid_npi)  # the same few providers on every claim
_PO_BOX = re.compile(r"\b(P\s*\.?\s*O\s*\.?\s*BOX|POST OFFICE BOX|LOCK ?BOX)\b")


@dataclass(frozen=True, slots=True)
class Submitter:
    """1000A: who sends the file (the practice or its billing service)."""

    name: str
    etin: str  # NM109: the id the receiver knows the submitter by; also ISA06/GS02
    contact: str
    phone: str  # 10 digits


@dataclass(frozen=True, slots=True)
class Receiver:
    """1000B: the clearinghouse (or payer) the file goes to; its id is also ISA08/GS03."""

    name: str
    id: str


# --------------------------------------------------------------------------- what cannot be sent


def problems(claim: ClaimDetail) -> tuple[str, ...]:
    """Why this claim cannot go into an 837P, each in a billing specialist's words; () if it can."""
    found: list[str] = []
    coverage = claim.coverage
    if coverage is None or coverage.payer.kind not in FILING_INDICATOR:
        return ("self-pay: bill the patient with a statement, not an 837",)
    if not clean(coverage.payer.payer_code):
        found.append(f"payer {coverage.payer.name} has no payer ID")
    if not clean(coverage.member_id):
        found.append("the coverage has no member ID")
    if len(claim.claim_number) > 20:
        found.append("the claim number is longer than 20 characters")
    if claim.frequency not in ("1", "7", "8"):
        found.append(f"frequency {claim.frequency} is not 1, 7 or 8")
    elif claim.frequency != "1" and not clean(claim.original_claim_number):
        found.append(f"a frequency-{claim.frequency} claim needs the payer's original claim number")
    if not (len(claim.place_of_service) == 2 and claim.place_of_service.isdigit()):
        found.append(f"place of service {claim.place_of_service!r} is not two digits")
    found.extend(_provider_problems(claim))
    found.extend(_people_problems(claim, coverage))
    found.extend(_code_problems(claim))
    for prior in claim.prior_payers:
        found.extend(_cob_problems(claim, prior))
    return tuple(found)


def _provider_problems(claim: ClaimDetail) -> list[str]:
    found = []
    billing = claim.billing_provider
    named = [("billing provider", billing.npi), ("rendering provider", claim.rendering.npi)]
    if claim.supervising is not None:
        named.append(("supervising provider", claim.supervising.npi))
    if claim.referring is not None:
        named.append(("referring provider", claim.referring.npi))
    for role, npi in named:
        if not _npi_ok(npi):
            found.append(f"the {role}'s NPI {npi or '(none)'} is not valid")
    if not (len(billing.ein) == 9 and billing.ein.isdigit()):
        found.append("the billing provider's tax ID (EIN) is not 9 digits")
    address = billing.address
    if not clean(address.line1) or not clean(address.city) or len(address.state) != 2:
        found.append("the billing provider's address is incomplete")
    elif _PO_BOX.search(clean(address.line1)):
        found.append("the billing provider's address is a PO box: the 837 needs a street address")
    if not (len(address.zip) == 9 and address.zip.isdigit()):
        found.append("the billing provider's ZIP needs all 9 digits (ZIP+4)")
    return found


def _people_problems(claim: ClaimDetail, coverage: CoverageDetail) -> list[str]:
    found = []
    patient = claim.patient
    if coverage.relationship != "18" and coverage.relationship not in PATIENT_RELATIONSHIPS:
        found.append(f"relationship {coverage.relationship} to the subscriber is not an X12 code")
    if coverage.relationship != "18" and not (
        clean(coverage.subscriber_last) and clean(coverage.subscriber_first)
    ):
        found.append("the subscriber's name is missing")
    if not (clean(patient.last_name) and clean(patient.first_name)):
        found.append("the patient's name is missing")
    if patient.dob is None or patient.sex not in ("F", "M", "U"):
        found.append("the patient's date of birth or sex is missing")
    if not (clean(patient.address1) and clean(patient.city) and len(patient.state) == 2):
        found.append("the patient's address is incomplete")
    if not (len(patient.zip) in (5, 9) and patient.zip.isdigit()):
        found.append("the patient's ZIP is not 5 or 9 digits")
    return found


def _code_problems(claim: ClaimDetail) -> list[str]:
    found = []
    diagnoses = claim.diagnoses
    if not diagnoses:
        found.append("no diagnosis")
    if len(diagnoses) > MAX_DIAGNOSES:
        found.append(f"more than {MAX_DIAGNOSES} diagnoses")
    if len(set(diagnoses)) != len(diagnoses):
        found.append("a diagnosis appears twice")
    found.extend(
        f"diagnosis {code} is not an ICD-10-CM code" for code in diagnoses if not _ICD10.match(code)
    )
    if not claim.lines:
        found.append("no service lines")
    if len(claim.lines) > MAX_LINES:
        found.append(f"more than {MAX_LINES} service lines")
    for line in claim.lines:
        n = line.line_number
        if not _PROCEDURE.match(line.code):
            found.append(f"line {n}: {line.code!r} is not a CPT/HCPCS code")
        if len(line.modifiers) > 4 or not all(_MODIFIER.match(m) for m in line.modifiers):
            found.append(f"line {n}: the modifiers are not 1-4 two-character codes")
        if not 1 <= len(line.pointers) <= 4 or not all(
            1 <= p <= len(diagnoses) for p in line.pointers
        ):
            found.append(
                f"line {n}: diagnosis pointers must be 1-4 positions of the diagnosis list"
            )
        if line.units < 1:
            found.append(f"line {n}: units must be at least 1")
        if line.charge <= 0:
            found.append(f"line {n}: the charge must be more than zero")
        if not clean(line.line_control_number):
            found.append(f"line {n}: no line control number")
    if claim.charge != claim.line_total:
        found.append("the claim total is not the sum of its lines")
    return found


def _cob_problems(claim: ClaimDetail, prior: PriorPayer) -> list[str]:
    """The earlier payer's adjudication must account for every cent it was billed."""
    name = prior.coverage.payer.name if prior.coverage else "the earlier payer"
    if prior.coverage is None or not clean(prior.coverage.payer.payer_code):
        return [f"{name}: no coverage or payer ID for the other-payer loops"]
    found = []
    adjudicated = {line.line_number: line for line in prior.lines}
    for line in claim.lines:
        done = adjudicated.get(line.line_number)
        settled = done.paid + sum(a for _, _, a in done.adjustments) if done else 0
        if settled != line.charge:
            found.append(
                f"line {line.line_number}: {name}'s payment and adjustments do not add up to "
                "its charge (post the earlier payer's remittance first)"
            )
    if prior.paid_date is None:
        found.append(f"{name}'s adjudication date is unknown (DTP*573)")
    claim_level = sum(a for _, _, a in prior.claim_adjustments)
    if not found and claim_level:
        found.append(
            f"{name} adjusted the whole claim as well as its lines: the COB cannot balance"
        )
    return found


# --------------------------------------------------------------------------- writing


def write(
    claims: Sequence[ClaimDetail],
    *,
    submitter: Submitter,
    receiver: Receiver,
    control_number: int,
    created: dt.datetime,
    production: bool,
) -> str:
    """The interchange holding every claim; ValueError if any claim has problems()."""
    for claim in claims:
        if found := problems(claim):
            raise ValueError(f"claim {claim.claim_number} cannot be sent: {found[0]}")
    ordered = sorted(claims, key=lambda c: (c.billing_provider.id, c.claim_number))
    chunks = [
        ordered[start : start + MAX_CLAIMS_PER_TRANSACTION]
        for start in range(0, len(ordered), MAX_CLAIMS_PER_TRANSACTION)
    ]
    envelope = Envelope(
        sender_id=submitter.etin,
        receiver_id=receiver.id,
        control_number=control_number,
        functional_code="HC",
        version=VERSION,
        created=created,
        production=production,
    )
    transactions = [
        Transaction(
            "837", _transaction(chunk, submitter, receiver, f"{control_number}-{n}", created)
        )
        for n, chunk in enumerate(chunks, start=1)
    ]
    return interchange(envelope, transactions)


def _transaction(
    claims: Iterable[ClaimDetail],
    submitter: Submitter,
    receiver: Receiver,
    batch_id: str,
    created: dt.datetime,
) -> Segments:
    body = Segments()
    add = body.add
    add("BHT", "0019", "00", batch_id[:30], date8(created), time4(created), "CH")
    add(
        "NM1", "41", "2", clean(submitter.name, 60), "", "", "", "", "46", clean(submitter.etin, 80)
    )
    add("PER", "IC", clean(submitter.contact, 60), "TE", submitter.phone)
    add("NM1", "40", "2", clean(receiver.name, 60), "", "", "", "", "46", clean(receiver.id, 80))
    hl = 0
    for _, group in groupby(claims, key=lambda c: c.billing_provider.id):
        group = list(group)
        hl += 1
        billing_hl = hl
        _billing_provider(add, billing_hl, group[0].billing_provider)
        for claim in group:
            hl = _claim(add, claim, billing_hl, hl)
    return body


def _billing_provider(add, hl: int, billing: BillingProviderRecord) -> None:
    add("HL", str(hl), "", "20", "1")
    if billing.taxonomy:
        add("PRV", "BI", "PXC", clean(billing.taxonomy, 50))
    add("NM1", "85", "2", clean(billing.name, 60), "", "", "", "", "XX", billing.npi)
    add("N3", clean(billing.address.line1, 55), clean(billing.address.line2, 55))
    add("N4", clean(billing.address.city, 30), billing.address.state, billing.address.zip)
    add("REF", "EI", billing.ein)


def _claim(add, claim: ClaimDetail, parent_hl: int, hl: int) -> int:
    """2000B (and 2000C) with the claim under it; returns the last HL number used."""
    coverage = claim.coverage
    patient = claim.patient
    is_subscriber = coverage.relationship == "18"
    hl += 1
    subscriber_hl = hl
    add("HL", str(subscriber_hl), str(parent_hl), "22", "0" if is_subscriber else "1")
    add(
        "SBR",
        PAYER_ORDER.get(coverage.priority, "P"),
        "18" if is_subscriber else "",
        clean(coverage.group_number, 50),
        "",
        MEDICARE_SECONDARY_TYPE
        if coverage.payer.kind == "medicare" and coverage.priority > 1
        else "",
        "", "", "",
        FILING_INDICATOR[coverage.payer.kind],
    )  # fmt: skip
    if is_subscriber:
        _person(add, "IL", patient.last_name, patient.first_name, patient.middle_name,
                ("MI", coverage.member_id))  # fmt: skip
        _address(add, patient.address1, patient.address2, patient.city, patient.state, patient.zip)
        _demographics(add, patient.dob, patient.sex)
    else:
        _person(add, "IL", coverage.subscriber_last, coverage.subscriber_first, "",
                ("MI", coverage.member_id))  # fmt: skip
        sub = coverage.subscriber_address
        _address(add, sub.line1, sub.line2, sub.city, sub.state, sub.zip)
        _demographics(add, coverage.subscriber_dob, coverage.subscriber_sex)
    add("NM1", "PR", "2", clean(coverage.payer.name, 60), "", "", "", "", "PI",
        clean(coverage.payer.payer_code, 80))  # fmt: skip
    if not is_subscriber:
        hl += 1
        add("HL", str(hl), str(subscriber_hl), "23", "0")
        add("PAT", coverage.relationship)
        _person(add, "QC", patient.last_name, patient.first_name, patient.middle_name, None)
        _address(add, patient.address1, patient.address2, patient.city, patient.state, patient.zip)
        _demographics(add, patient.dob, patient.sex)
    _claim_information(add, claim)
    return hl


def _person(add, entity: str, last: str, first: str, middle: str, ident) -> None:
    qualifier, value = ident or ("", "")
    add("NM1", entity, "1", clean(last, 60), clean(first, 35), clean(middle, 25), "", "",
        qualifier, clean(value, 80))  # fmt: skip


def _address(add, line1: str, line2: str, city: str, state: str, zip_code: str) -> None:
    """N3/N4 when the address is whole (required for the patient; sent if known otherwise)."""
    if clean(line1) and clean(city) and len(state) == 2 and len(zip_code) in (5, 9):
        add("N3", clean(line1, 55), clean(line2, 55))
        add("N4", clean(city, 30), state.upper(), zip_code)


def _demographics(add, dob: dt.date | None, sex: str) -> None:
    if dob is not None:
        add("DMG", "D8", date8(dob), sex if sex in ("F", "M") else "U")


def _provider_name(add, entity: str, provider) -> None:
    add("NM1", entity, "1", clean(provider.last_name, 60), clean(provider.first_name, 35), "",
        "", "", "XX", provider.npi)  # fmt: skip


def _claim_information(add, claim: ClaimDetail) -> None:
    add("CLM", claim.claim_number, amount(claim.line_total), "", "",
        (claim.place_of_service, "B", claim.frequency), "Y", "A", "Y", "Y")  # fmt: skip
    if claim.prior_authorization and clean(claim.prior_authorization):
        add("REF", "G1", clean(claim.prior_authorization, 50))
    if claim.frequency in ("7", "8"):
        add("REF", "F8", clean(claim.original_claim_number, 50))
    add(
        "HI",
        *(
            ("ABK" if position == 0 else "ABF", code)
            for position, code in enumerate(claim.diagnoses)
        ),
    )
    if claim.referring is not None:
        _provider_name(add, "DN", claim.referring)  # 2310A
    rendering = claim.rendering
    if rendering.npi != claim.billing_provider.npi:  # 2310B: only when not the billing provider
        _provider_name(add, "82", rendering)
        if rendering.taxonomy:
            add("PRV", "PE", "PXC", clean(rendering.taxonomy, 50))
    if claim.supervising is not None:  # 2310D: incident-to
        _provider_name(add, "DQ", claim.supervising)
    for prior in claim.prior_payers:
        _other_payer(add, prior, claim.patient)
    by_line = [{line.line_number: line for line in prior.lines} for prior in claim.prior_payers]
    for n, line in enumerate(claim.lines, start=1):
        add("LX", str(n))
        add("SV1", ("HC", line.code, *line.modifiers), amount(line.charge), "UN", str(line.units),
            "", "", tuple(str(p) for p in line.pointers))  # fmt: skip
        if line.dos_to and line.dos_to != line.dos_from:
            add("DTP", "472", "RD8", f"{date8(line.dos_from)}-{date8(line.dos_to)}")
        else:
            add("DTP", "472", "D8", date8(line.dos_from))
        add("REF", "6R", clean(line.line_control_number, 50))
        for prior, lines in zip(claim.prior_payers, by_line, strict=True):
            if (done := lines.get(line.line_number)) is not None:
                _line_adjudication(add, prior, done)


def _other_payer(add, prior: PriorPayer, patient) -> None:
    """2320 with 2330A (its subscriber) and 2330B (the payer) for one earlier payer."""
    coverage = prior.coverage
    last, first = coverage.subscriber_last, coverage.subscriber_first
    if coverage.relationship == "18" and not clean(last):
        last, first = patient.last_name, patient.first_name
    add("SBR", PAYER_ORDER.get(coverage.priority, "P"), coverage.relationship,
        clean(coverage.group_number, 50), "", "", "", "", "",
        FILING_INDICATOR.get(coverage.payer.kind, "ZZ"))  # fmt: skip
    _adjustments(add, prior.claim_adjustments)
    add("AMT", "D", amount(prior.paid))
    if prior.patient_responsibility:
        add("AMT", "EAF", amount(prior.patient_responsibility))
    add("OI", "", "", "Y", "P", "", "Y")
    _person(add, "IL", last, first, "", ("MI", coverage.member_id))
    add("NM1", "PR", "2", clean(coverage.payer.name, 60), "", "", "", "", "PI",
        clean(coverage.payer.payer_code, 80))  # fmt: skip


def _line_adjudication(add, prior: PriorPayer, line) -> None:
    """2430: what the earlier payer paid and adjusted on this line, and when."""
    add("SVD", clean(prior.coverage.payer.payer_code, 80), amount(line.paid),
        ("HC", line.code, *line.modifiers), "", str(line.units))  # fmt: skip
    _adjustments(add, line.adjustments)
    if prior.paid_date is not None:
        add("DTP", "573", "D8", date8(prior.paid_date))


def _adjustments(add, adjustments: Sequence[tuple[str, str, int]]) -> None:
    """CAS: one segment per group code, at most 6 reason/amount pairs each."""
    by_group: dict[str, list[tuple[str, int]]] = {}
    for group, reason, cents in adjustments:
        if cents:
            by_group.setdefault(group, []).append((reason, cents))
    for group, pairs in by_group.items():
        for start in range(0, len(pairs), 6):
            elements: list[str] = []
            for reason, cents in pairs[start : start + 6]:
                elements += [clean(reason, 5), amount(cents), ""]
            add("CAS", group, *elements)
