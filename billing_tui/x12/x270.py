"""The 270 writer (005010X279A1): eligibility questions about coverages in, one interchange out.

Each request asks the payer whether the coverage is active today and what
its plan terms are (EQ*30, health benefit plan coverage). The caller gives
each request a trace number (TRN02) that identifies it; the payer echoes it in
the 271 (as TRN*2), which is how the answer finds its coverage again.

Layout: one ST per payer (more when a payer has over MAX_PER_TRANSACTION
requests): HL 20 the payer, HL 21 us (the information receiver), then HL 22
per subscriber, with HL 23 under it when the patient is a dependent. The
patient's loop (22 when the patient is the subscriber, else 23) carries the
TRN, name, date of birth, date of service and the EQ.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby

from ..domain.npi import is_valid_npi
from .envelope import Envelope, Segments, Transaction, clean, date8, interchange, time4

VERSION = "005010X279A1"
MAX_PER_TRANSACTION = 99  # the TR3 asks batch 270s to hold at most 99 patients per ST
HEALTH_BENEFIT_PLAN = "30"  # EQ01: the general question (active? copay, deductible ...)
SEX = frozenset({"F", "M"})  # DMG03 (U is not sent)


@dataclass(frozen=True, slots=True)
class Person:
    last_name: str
    first_name: str
    dob: dt.date | None
    sex: str = ""  # F, M or "" (not sent)


@dataclass(frozen=True, slots=True)
class EligibilityRequest:
    trace: str  # TRN02: ours, unique, echoed back in the 271
    payer_name: str
    payer_id: str  # NM109 of NM1*PR (the payer ID a clearinghouse routes on)
    member_id: str  # the subscriber's
    subscriber: Person
    patient: Person | None = None  # None when the patient is the subscriber
    service_date: dt.date | None = None  # DTP*291; the payer assumes today when absent


@dataclass(frozen=True, slots=True)
class Provider:
    """The information receiver (loop 2100B): the practice asking, by its NPI."""

    name: str
    npi: str
    tax_id: str  # 9-digit EIN; TRN03 is "1" + it, naming us as the trace's originator

    @property
    def originator(self) -> str:
        return "1" + self.tax_id


def problems(request: EligibilityRequest) -> tuple[str, ...]:
    """Why this request cannot go into a 270, in a billing specialist's words; () if it can."""
    found = []
    if not clean(request.payer_id):
        found.append(f"payer {request.payer_name} has no payer ID")
    if not clean(request.member_id):
        found.append("the coverage has no member ID")
    for role, person in (("subscriber", request.subscriber), ("patient", request.patient)):
        if person is not None and not clean(person.last_name):
            found.append(f"the {role}'s last name is missing")
    if request.patient is not None and request.patient.dob is None:
        found.append("a dependent patient needs a date of birth")
    if not clean(request.trace, 50) or clean(request.trace, 50) != request.trace:
        found.append(f"trace {request.trace!r} is not plain X12 text of at most 50 characters")
    return tuple(found)


def provider_problems(provider: Provider) -> tuple[str, ...]:
    found = []
    if not is_valid_npi(provider.npi):
        found.append(f"the practice's NPI {provider.npi!r} is not valid")
    if not (len(provider.tax_id) == 9 and provider.tax_id.isdigit()):
        found.append("the practice's tax ID (EIN) is not 9 digits")
    if not clean(provider.name):
        found.append("the practice has no name")
    return tuple(found)


def write(
    requests: Sequence[EligibilityRequest],
    *,
    provider: Provider,
    sender_id: str,
    receiver_id: str,
    control_number: int,
    created: dt.datetime,
    production: bool,
) -> str:
    """The interchange asking every request; ValueError if any request or the provider has problems."""
    if found := provider_problems(provider):
        raise ValueError(found[0])
    for request in requests:
        if found := problems(request):
            raise ValueError(f"request {request.trace}: {found[0]}")
    if len({r.trace for r in requests}) != len(requests):
        raise ValueError("two requests share a trace number")
    ordered = sorted(requests, key=lambda r: clean(r.payer_id))  # stable: the caller's order
    transactions = []
    for _, same_payer in groupby(ordered, key=lambda r: clean(r.payer_id)):
        batch = list(same_payer)
        for start in range(0, len(batch), MAX_PER_TRANSACTION):
            chunk = batch[start : start + MAX_PER_TRANSACTION]
            reference = f"{control_number}-{len(transactions) + 1}"
            transactions.append(
                Transaction("270", _transaction(chunk, provider, reference, created))
            )
    envelope = Envelope(
        sender_id=sender_id,
        receiver_id=receiver_id,
        control_number=control_number,
        functional_code="HS",
        version=VERSION,
        created=created,
        production=production,
    )
    return interchange(envelope, transactions)


def _transaction(
    requests: Sequence[EligibilityRequest],
    provider: Provider,
    reference: str,
    created: dt.datetime,
) -> Segments:
    body = Segments()
    add = body.add
    add("BHT", "0022", "13", reference, date8(created), time4(created))
    payer = requests[0]
    add("HL", "1", "", "20", "1")
    add(
        "NM1",
        "PR",
        "2",
        clean(payer.payer_name, 60),
        "",
        "",
        "",
        "",
        "PI",
        clean(payer.payer_id, 80),
    )
    add("HL", "2", "1", "21", "1")
    add("NM1", "1P", "2", clean(provider.name, 60), "", "", "", "", "XX", provider.npi)
    hl = 2
    for request in requests:
        hl += 1
        subscriber_hl = hl
        dependent = request.patient is not None
        add("HL", str(hl), "2", "22", "1" if dependent else "0")
        if not dependent:
            _trace(add, request, provider)
        sub = request.subscriber
        add(
            "NM1", "IL", "1", clean(sub.last_name, 60), clean(sub.first_name, 35),
            "", "", "", "MI", clean(request.member_id, 80),
        )  # fmt: skip
        if dependent:
            if sub.dob is not None:
                add("DMG", "D8", date8(sub.dob), sub.sex if sub.sex in SEX else "")
            hl += 1
            add("HL", str(hl), str(subscriber_hl), "23", "0")
            _trace(add, request, provider)
            patient = request.patient
            assert patient is not None
            add("NM1", "03", "1", clean(patient.last_name, 60), clean(patient.first_name, 35))
            _patient(add, patient, request)
        else:
            _patient(add, sub, request)
    return body


def _trace(add, request: EligibilityRequest, provider: Provider) -> None:
    add("TRN", "1", request.trace, provider.originator)


def _patient(add, person: Person, request: EligibilityRequest) -> None:
    if person.dob is not None:
        add("DMG", "D8", date8(person.dob), person.sex if person.sex in SEX else "")
    if request.service_date is not None:
        add("DTP", "291", "D8", date8(request.service_date))
    add("EQ", HEALTH_BENEFIT_PLAN)
