"""Claims that an 835 pays, and 835s that pay our claims: the ERA import tests' fixtures.

Claims are created through the Store as drafts, then marked submitted with their
charges posted, as exporting them would (rows straight into the models: an export
needs a clean, current claim, and the public samples bill 2010's visits).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from store_builders import Practice

from billing_tui.domain.claims import ClaimStatus
from billing_tui.store.cache import refresh_accounts, refresh_claims
from billing_tui.store.models import Claim, Patient, ServiceLine
from billing_tui.store.records import ClaimDraft, LineDraft
from billing_tui.x12.x835 import read_835


def submit(practice: Practice, claim_id: int, number: str | None = None) -> None:
    """Mark a draft claim submitted, its charges on the ledger; optionally renumber it."""
    store = practice.store
    with store.db.atomic():
        claim = Claim.get_by_id(claim_id)
        store.claims._post_charges(claim)
        values = {"status": ClaimStatus.SUBMITTED.value}
        if number is not None:
            values["claim_number"] = number
        Claim.update(**values).where(Claim.id == claim_id).execute()
        if number is not None:
            for line in ServiceLine.select().where(ServiceLine.claim == claim_id):
                ServiceLine.update(line_control_number=f"{number}-{line.line_number}").where(
                    ServiceLine.id == line.id
                ).execute()
        refresh_claims([claim_id])
        refresh_accounts([claim.patient_id])


def claims_for_835(practice: Practice, path, *, numbered: bool = True) -> dict[int, int]:
    """One submitted claim per CLP of a sample 835 (reversals excepted): its patient, lines,
    dates and charges. numbered: our claim number is CLP01 (when CLP01 is not repeated).
    Returns {CLP segment: claim id}."""
    remittances = read_835(open(path, encoding="ascii").read())
    clps = [c for r in remittances for c in r.claims if c.status != "22"]
    counts: dict[str, int] = {}
    for c in clps:
        counts[c.claim_number] = counts.get(c.claim_number, 0) + 1
    made = {}
    for clp in clps:
        last = clp.patient_last or "Sample"
        first = clp.patient_first or "Pat"
        patient_id = practice.patient(last.title()[:60], first.title()[:35])
        coverage_id = practice.coverage(patient_id, member_id=clp.patient_id or "M1")
        dos = clp.statement_from or dt.date(2010, 1, 1)
        lines = tuple(
            LineDraft(
                dos_from=s.service_from or dos,
                code=(s.submitted_code or s.code)[:5],
                charge=s.charge,
                units=max(int(s.units or 1), 1),
            )
            for s in clp.lines
        ) or (LineDraft(dos_from=dos, code="99213", charge=clp.charge),)
        claim_id = practice.store.claims.create(
            ClaimDraft(
                patient_id=patient_id,
                billing_provider_id=practice.billing_provider_id,
                rendering_provider_id=practice.provider_id,
                place_of_service="11",
                lines=lines,
                diagnoses=("J06.9",),
                coverage_id=coverage_id,
            )
        )
        unique = counts[clp.claim_number] == 1 and len(clp.claim_number) <= 20
        submit(practice, claim_id, clp.claim_number if numbered and unique else None)
        made[clp.segment] = claim_id
    return made


# --------------------------------------------------------------------------- writing 835s


@dataclass
class Svc:
    code: str
    charge: int
    paid: int
    adjustments: list[tuple[str, str, int]] = field(default_factory=list)
    date: dt.date | None = None
    control: str | None = None
    remarks: list[str] = field(default_factory=list)


@dataclass
class Clp:
    number: str
    status: str
    charge: int
    paid: int
    lines: list[Svc] = field(default_factory=list)
    adjustments: list[tuple[str, str, int]] = field(default_factory=list)
    icn: str = "ICN1"
    patient: tuple[str, str, str] = ("DOE", "JANE", "MBR123")
    patient_resp: int | None = None


def amount(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def era_835(
    claims: list[Clp],
    *,
    trace: str = "TRACE1",
    payer_tin: str = "1999999999",
    payer_id: str = "MCR01",
    plb: list[tuple[str, str, int]] = (),
    total: int | None = None,
    paid_on: dt.date = dt.date(2026, 11, 20),
) -> str:
    """A conforming 835 paying these claims; BPR02 = their CLP04 less the PLB amounts."""
    body = [
        f"BPR*I*{amount(total if total is not None else sum(c.paid for c in claims) - sum(a for *_, a in plb))}"
        f"*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*{paid_on:%Y%m%d}",
        f"TRN*1*{trace}*{payer_tin}",
        "DTM*405*20261120",
        "N1*PR*MEDICARE PART B",
        "N3*1 PAYER WAY",
        "N4*BALTIMORE*MD*21244",
        f"REF*2U*{payer_id}",
        "PER*BL*PROVIDER SERVICES*TE*8005551212",
        "N1*PE*SYNTHETIC FAMILY PRACTICE*XX*1234567893",
        "LX*1",
    ]
    for c in claims:
        resp = "" if c.patient_resp is None else amount(c.patient_resp)
        body.append(
            f"CLP*{c.number}*{c.status}*{amount(c.charge)}*{amount(c.paid)}*{resp}*MB*{c.icn}*11*1"
        )
        for group, reason, cents in c.adjustments:
            body.append(f"CAS*{group}*{reason}*{amount(cents)}")
        last, first, member = c.patient
        body.append(f"NM1*QC*1*{last}*{first}****MI*{member}")
        for s in c.lines:
            body.append(f"SVC*HC:{s.code}*{amount(s.charge)}*{amount(s.paid)}**1")
            if s.date:
                body.append(f"DTM*472*{s.date:%Y%m%d}")
            for group, reason, cents in s.adjustments:
                body.append(f"CAS*{group}*{reason}*{amount(cents)}")
            if s.control:
                body.append(f"REF*6R*{s.control}")
            for remark in s.remarks:
                body.append(f"LQ*HE*{remark}")
    if plb:
        parts = "*".join(f"{reason}:{ref}*{amount(a)}" for reason, ref, a in plb)
        body.append(f"PLB*1234567893*20261231*{parts}")
    segments = ["ST*835*0001", *body]
    segments.append(f"SE*{len(segments) + 1}*0001")
    isa = (
        "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PRACTICE       "
        "*261120*1200*^*00501*000000001*0*P*:"
    )
    return "~\n".join(
        [isa, "GS*HP*PAYER*PRACTICE*20261120*1200*1*X*005010X221A1", *segments, "GE*1*1",
         "IEA*1*000000001"]
    ) + "~\n"  # fmt: skip


def claim_lines(claim_id: int) -> list[ServiceLine]:
    return list(
        ServiceLine.select()
        .where((ServiceLine.claim == claim_id) & (ServiceLine.line_number > 0))
        .order_by(ServiceLine.line_number)
    )


def claim_number(claim_id: int) -> str:
    return Claim.get_by_id(claim_id).claim_number


def patient_of(claim_id: int) -> Patient:
    return Claim.get_by_id(claim_id).patient
