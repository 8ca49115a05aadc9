"""The claim scrubber: rules as data, checked before a claim may be ready, exported or printed.

Each rule has an id, a severity (an error blocks "ready"; a warning does not),
a message and the field it points at, so the editor can show it live and jump
there. The scrubber reads ClaimFacts, a plain picture of the claim that the
store builds from a saved claim and the editor from what is on screen.

RULES below is the whole list (the README prints it; `billing-tui scrub
--rules` too); each rule's check is the function registered under its id with
@_check, further down, in the same order. Self-pay claims skip the rules about
the payer: member ID, subscriber, coverage dates, timely filing, incident-to.
Messages name the line or diagnosis and never repeat patient data.

Field names (what Finding.field holds, and what the editor jumps to):
  header.coverage, header.billing, header.rendering, header.supervising,
  header.referring, header.pos, header.frequency, header.original,
  header.prior_auth, patient, subscriber, dx.N (1-based), line.N.dos,
  line.N.code, line.N.modifiers, line.N.pointers, line.N.units, line.N.charge,
  claim.total
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from . import icd10
from .codes import (
    FREQUENCIES,
    PLACES_OF_SERVICE,
    RELATIONSHIPS,
    TELEHEALTH_MODIFIERS,
    TELEHEALTH_POS,
    is_modifier,
    is_physician,
    is_procedure_code,
)
from .dates import format_date
from .money import format_cents
from .npi import is_valid_npi


class Severity(StrEnum):
    ERROR = "error"  # blocks ready, export and printing
    WARNING = "warning"  # shown, does not block


@dataclass(frozen=True, slots=True)
class Rule:
    id: str  # stable, e.g. "NPI-CHECK"; tests and the README refer to it
    severity: Severity
    message: str  # a template; format fields are filled per finding
    field: str  # the field it points at (a template too: "line.{line}.code")
    checks: str = ""  # what it checks, in a sentence (the README's table of rules)


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    severity: Severity
    message: str
    field: str

    @property
    def blocks(self) -> bool:
        return self.severity is Severity.ERROR


@dataclass(frozen=True, slots=True)
class PersonFacts:
    first_name: str
    last_name: str
    dob: dt.date | None
    sex: str
    address1: str
    city: str
    state: str
    zip: str


@dataclass(frozen=True, slots=True)
class ProviderFacts:
    npi: str
    credential: str  # MD, DO, NP, PA, LCSW, ...
    name: str
    has_supervisor: bool = False  # works under a supervising physician (Provider.supervising)


@dataclass(frozen=True, slots=True)
class CoverageFacts:
    payer_name: str
    payer_kind: str  # medicare, medicaid, commercial, self_pay
    timely_filing_days: int
    member_id: str
    relationship: str  # 18 self, 01 spouse, 19 child, G8 other
    subscriber: PersonFacts
    start_date: dt.date
    end_date: dt.date | None


@dataclass(frozen=True, slots=True)
class LineFacts:
    dos_from: dt.date | None  # None: not typed yet, or not a date
    dos_to: dt.date | None
    code: str
    modifiers: tuple[str, ...]
    pointers: tuple[int, ...]
    units: int
    charge: int  # cents


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """Everything the rules look at; no database behind it."""

    patient: PersonFacts
    coverage: CoverageFacts | None  # None: self-pay
    billing_npi: str
    rendering: ProviderFacts | None
    supervising: ProviderFacts | None
    referring_npi: str | None
    place_of_service: str
    frequency: str
    original_claim_number: str | None
    diagnoses: tuple[str, ...]  # as typed (with or without the dot)
    lines: tuple[LineFacts, ...]
    total: int  # the claim's charge as stored or shown (checked against the lines)
    known_codes: frozenset[str]  # CPT/HCPCS codes in the fee schedule
    already_billed: frozenset[tuple[dt.date, str]]  # (DOS, code) on other live claims
    first_billed: dt.date | None = None  # when it first went out (timely filing counts to it)


MAX_DIAGNOSES = 12
MAX_LINES = 50
MAX_MODIFIERS = 4
MAX_POINTERS = 4
TIMELY_FILING_WARNING_DAYS = 30
E, W = Severity.ERROR, Severity.WARNING

# Every rule, in the order the README lists them. A finding's message and field are the
# rule's templates filled from what its check found; {line} and {n} count from 1.
RULES: tuple[Rule, ...] = (
    # ---------------------------------------------------------------- header
    Rule("MEMBER-ID", E, "Enter the member ID for {payer}", "header.coverage",
         "the coverage has a member ID"),
    Rule("RELATIONSHIP", E, "Patient's relationship to the subscriber {code!r} is not a known code",
         "header.coverage", "the relationship is one the 837P knows (18 self, 01, 19, G8, ...)"),
    Rule("NPI-CHECK", E, "{role}: {problem}", "header.{where}",
         "every NPI on the claim (billing, rendering, supervising, referring) is 10 digits "
         "with a right check digit"),
    Rule("RENDERING", E, "Choose the rendering provider", "header.rendering",
         "the claim names its rendering provider"),
    Rule("NPP-OWN-NPI", E,
         "{name} ({credential}) bills under their own NPI, not the {whose}'s", "header.rendering",
         "a non-physician rendering provider (NP, PA, LCSW, ...) carries their own NPI"),
    Rule("INCIDENT-TO", E,
         "{name} ({credential}) works under a supervising physician: {payer} needs the "
         "supervising provider on the claim", "header.supervising",
         "a non-physician who works under a supervising physician has one on the claim "
         "(other than Medicare)"),
    Rule("INCIDENT-TO-MEDICARE", W,
         "{name} ({credential}) works under a supervising physician but none is on the claim: "
         "Medicare pays it under {name}'s own NPI at 85%; add the supervising provider to bill "
         "incident-to", "header.supervising",
         "the same on a Medicare claim, as a warning: Medicare pays a non-physician's own "
         "claim (at 85%), so a missing supervisor is a choice to confirm"),
    Rule("POS", E, "Place of service {pos!r} is not a known code", "header.pos",
         "the place of service is in the CMS code set"),
    Rule("FREQUENCY", E, "Claim frequency {frequency!r} must be 1 (original), 7 (replacement) "
         "or 8 (void)", "header.frequency", "the claim frequency is 1, 7 or 8"),
    Rule("ORIGINAL-NEEDED", E, "A {kind} claim needs the payer's original claim number",
         "header.original", "a replacement (7) or void (8) carries the original claim number"),
    Rule("ORIGINAL-UNEXPECTED", E,
         "An original claim (frequency 1) carries no original claim number: remove it, or "
         "make the claim a replacement (7) or void (8)", "header.original",
         "an original claim (1) does not carry one"),
    Rule("PATIENT", E, "Patient: {problem}", "patient",
         "the patient's name, date of birth, sex, street, city, state (2 letters) and ZIP "
         "(5 or 9 digits) are complete"),
    Rule("SUBSCRIBER", E, "Subscriber: {problem}", "subscriber",
         "the same for the subscriber, when the patient is not the subscriber"),
    Rule("SUBSCRIBER-IS-PATIENT", E,
         "The patient is the subscriber (relationship 18) but the coverage names someone else "
         "({problem}): correct the coverage", "subscriber",
         "with relationship 18 (self), the subscriber's name and date of birth are the patient's"),
    # ---------------------------------------------------------------- diagnoses
    Rule("DX-PRESENT", E, "Enter at least one diagnosis", "dx.1", "the claim has a diagnosis"),
    Rule("DX-MAX", E, "A claim has at most 12 diagnoses; this one has {count}", "dx.13",
         "at most 12 diagnoses"),
    Rule("DX-BILLABLE", E, "Diagnosis {n}: {code} {problem}", "dx.{n}",
         "each diagnosis is a billable ICD-10-CM code (a leaf: J06.9, not J06)"),
    Rule("DX-DUPLICATE", E, "Diagnosis {n}: {code} repeats diagnosis {first}", "dx.{n}",
         "no diagnosis appears twice (E11.9 and E119 are the same)"),
    # ---------------------------------------------------------------- service lines
    Rule("LINES-PRESENT", E, "Add at least one service line", "line.1.code",
         "the claim has a service line"),
    Rule("LINES-MAX", E, "A claim has at most 50 service lines; this one has {count}",
         "line.51.code", "at most 50 service lines"),
    Rule("DOS-PRESENT", E, "Line {line}: enter the date of service", "line.{line}.dos",
         "each line has a date of service"),
    Rule("DOS-FUTURE", E, "Line {line}: the date of service {dos} is in the future",
         "line.{line}.dos", "no date of service is after today"),
    Rule("DOS-ORDER", E, "Line {line}: the service ends ({to}) before it starts ({dos})",
         "line.{line}.dos", "a line's 'to' date is not before its 'from' date"),
    Rule("DOS-COVERAGE", E,
         "Line {line}: {dos} is outside the {payer} coverage ({start} to {end})",
         "line.{line}.dos", "each date of service is within the coverage's start and end dates"),
    Rule("TIMELY-FILING", E,
         "Timely filing has passed: {days} days from the date of service {dos} to {until}; "
         "{payer} allows {limit}", "line.{line}.dos",
         "an original claim goes out within the payer's filing limit, counted from the "
         "earliest date of service to today (or to its first billing)"),
    Rule("TIMELY-FILING-SOON", W,
         "Timely filing: {left} days left to bill {payer} for {dos} (limit {limit} days)",
         "line.{line}.dos", f"warns within {TIMELY_FILING_WARNING_DAYS} days of that limit"),
    Rule("CODE-FORMAT", E, "Line {line}: {problem}", "line.{line}.code",
         "each line's code is CPT (5 digits; 4 digits + F, T or U) or HCPCS (a letter + 4 digits)"),
    Rule("CODE-KNOWN", W, "Line {line}: {code} is not in the fee schedule: check the code "
         "and its charge", "line.{line}.code", "each code is in the fee schedule"),
    Rule("DUPLICATE", E, "Line {line}: {code} on {dos} is already billed on another claim",
         "line.{line}.code",
         "no (date of service, code) of an original claim is already on another live claim "
         "to the same payer"),
    Rule("MODIFIER-FORMAT", E, "Line {line}: modifier {modifier!r} must be two letters or digits",
         "line.{line}.modifiers", "each modifier is two letters or digits"),
    Rule("MODIFIER-MAX", E, "Line {line}: at most 4 modifiers ({count} given)",
         "line.{line}.modifiers", "at most 4 modifiers a line"),
    Rule("TELEHEALTH-MODIFIER", E,
         "Line {line}: place of service {pos} is telehealth and needs modifier 95, 93, GT, GQ "
         "or FQ", "line.{line}.modifiers",
         "with place of service 02 or 10, every line carries a telehealth modifier"),
    Rule("TELEHEALTH-POS", E, "Line {line}: modifier {modifier} needs place of service 02 or 10",
         "line.{line}.modifiers", "a telehealth modifier needs place of service 02 or 10"),
    Rule("POINTER-PRESENT", E, "Line {line}: point to at least one diagnosis",
         "line.{line}.pointers", "each line points to a diagnosis"),
    Rule("POINTER-MAX", E, "Line {line}: at most 4 diagnosis pointers ({count} given)",
         "line.{line}.pointers", "at most 4 pointers a line"),
    Rule("POINTER-RANGE", E, "Line {line}: pointer {pointer} {problem}", "line.{line}.pointers",
         "each pointer names one of the claim's diagnoses (1 to their count)"),
    Rule("POINTER-DUPLICATE", E, "Line {line}: pointer {pointer} is given twice",
         "line.{line}.pointers", "no pointer repeats on a line"),
    Rule("UNITS", E, "Line {line}: units must be at least 1", "line.{line}.units",
         "units are more than 0"),
    Rule("CHARGE", E, "Line {line}: the charge must be more than 0.00", "line.{line}.charge",
         "charges are more than 0"),
    # ---------------------------------------------------------------- claim
    Rule("TOTAL", E, "The claim total {total} is not the sum of its lines, {lines}",
         "claim.total", "the claim's total charge is the sum of its lines'"),
)  # fmt: skip

RULES_BY_ID = {rule.id: rule for rule in RULES}

Check = Callable[[ClaimFacts, dt.date], Iterator[dict]]
_CHECKS: dict[str, Check] = {}


def scrub(facts: ClaimFacts, today: dt.date) -> tuple[Finding, ...]:
    """Every finding on the claim: errors first, then warnings, each in field order."""
    findings = []
    for rule in RULES:
        for found in _CHECKS[rule.id](facts, today):
            findings.append(
                Finding(
                    rule.id, rule.severity, rule.message.format(**found), rule.field.format(**found)
                )
            )
    findings.sort(key=lambda f: (f.severity is not Severity.ERROR, field_order(f.field)))
    return tuple(findings)


def first_error(findings: tuple[Finding, ...]) -> Finding | None:
    return next((finding for finding in findings if finding.blocks), None)


_HEADER_FIELDS = (
    "header.coverage", "header.billing", "header.rendering", "header.supervising",
    "header.referring", "header.pos", "header.frequency", "header.original", "header.prior_auth",
    "patient", "subscriber",
)  # fmt: skip
_LINE_FIELDS = ("dos", "code", "modifiers", "pointers", "units", "charge")


def field_order(field: str) -> tuple[int, int, int]:
    """Where a field is on the screen: header, patient and subscriber, diagnoses, lines, total."""
    if field in _HEADER_FIELDS:
        return (0, _HEADER_FIELDS.index(field), 0)
    kind, _, rest = field.partition(".")
    if kind == "dx":
        return (1, int(rest), 0)
    if kind == "line":
        number, _, part = rest.partition(".")
        return (2, int(number), _LINE_FIELDS.index(part))
    return (3, 0, 0)


def _check(rule_id: str) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        _CHECKS[rule_id] = check
        return check

    return register


# ------------------------------------------------------------------------- header


@_check("MEMBER-ID")
def _member_id(facts, today):
    if facts.coverage and not facts.coverage.member_id.strip():
        yield {"payer": facts.coverage.payer_name}


@_check("RELATIONSHIP")
def _relationship(facts, today):
    if facts.coverage and facts.coverage.relationship not in RELATIONSHIPS:
        yield {"code": facts.coverage.relationship}


@_check("NPI-CHECK")
def _npis(facts, today):
    npis = [("Billing provider", "billing", facts.billing_npi)]
    for role, where, provider in (
        ("Rendering provider", "rendering", facts.rendering),
        ("Supervising provider", "supervising", facts.supervising),
    ):
        if provider is not None:
            npis.append((f"{role} {provider.name}", where, provider.npi))
    if facts.referring_npi is not None:
        npis.append(("Referring provider", "referring", facts.referring_npi))
    for role, where, npi in npis:
        npi = npi.strip()
        if not npi:
            problem = "no NPI"
        elif len(npi) != 10 or not (npi.isascii() and npi.isdigit()):
            problem = f"NPI {npi} is not 10 digits"
        elif not _valid_npi(npi):
            problem = f"NPI {npi} fails its check digit (a typo?)"
        else:
            continue
        yield {"role": role, "where": where, "problem": problem}


# A practice has a few dozen NPIs and a batch scrubs thousands of claims with them.
_valid_npi = lru_cache(maxsize=4096)(is_valid_npi)


@_check("RENDERING")
def _rendering(facts, today):
    if facts.rendering is None:
        yield {}


@_check("NPP-OWN-NPI")
def _npp_own_npi(facts, today):
    rendering = facts.rendering
    if rendering is None or is_physician(rendering.credential) or not rendering.npi.strip():
        return
    if rendering.npi == facts.billing_npi:
        whose = "billing provider"
    elif facts.supervising is not None and rendering.npi == facts.supervising.npi:
        whose = "supervising physician"
    else:
        return
    yield {"name": rendering.name, "credential": rendering.credential, "whose": whose}


def _unsupervised(facts: ClaimFacts, medicare: bool) -> Iterator[dict]:
    """A non-physician who works under a physician, billed without one (incident-to).

    The rule we chose: when the rendering provider's record names a supervising
    physician, the claim carries a supervising provider. Medicare credentials NPs and
    PAs to bill on their own (paid 85% of the fee schedule), so there a missing
    supervisor is a warning to confirm; other payers that enroll them under a
    physician reject the claim, so there it is an error. Self-pay claims skip it.
    """
    rendering, coverage = facts.rendering, facts.coverage
    if (
        coverage is None
        or rendering is None
        or not rendering.has_supervisor
        or facts.supervising is not None
        or is_physician(rendering.credential)
        or (coverage.payer_kind == "medicare") is not medicare
    ):
        return
    yield {"name": rendering.name, "credential": rendering.credential, "payer": coverage.payer_name}


@_check("INCIDENT-TO")
def _incident_to(facts, today):
    return _unsupervised(facts, medicare=False)


@_check("INCIDENT-TO-MEDICARE")
def _incident_to_medicare(facts, today):
    return _unsupervised(facts, medicare=True)


@_check("POS")
def _pos(facts, today):
    if facts.place_of_service not in PLACES_OF_SERVICE:
        yield {"pos": facts.place_of_service}


@_check("FREQUENCY")
def _frequency(facts, today):
    if facts.frequency not in FREQUENCIES:
        yield {"frequency": facts.frequency}


@_check("ORIGINAL-NEEDED")
def _original_needed(facts, today):
    if facts.frequency in ("7", "8") and not (facts.original_claim_number or "").strip():
        yield {"kind": FREQUENCIES[facts.frequency]}


@_check("ORIGINAL-UNEXPECTED")
def _original_unexpected(facts, today):
    if facts.frequency == "1" and (facts.original_claim_number or "").strip():
        yield {}


def _person_problems(person: PersonFacts, today: dt.date) -> Iterator[str]:
    """What is missing or malformed; never the value itself (no patient data in messages)."""
    if not person.first_name.strip():
        yield "first name is missing"
    if not person.last_name.strip():
        yield "last name is missing"
    if person.dob is None:
        yield "date of birth is missing"
    elif person.dob > today:
        yield "date of birth is in the future"
    if person.sex not in ("F", "M", "U"):
        yield "sex must be F, M or U" if person.sex.strip() else "sex is missing"
    if not person.address1.strip():
        yield "street address is missing"
    if not person.city.strip():
        yield "city is missing"
    state = person.state.strip()
    if not (len(state) == 2 and state.isascii() and state.isalpha() and state.isupper()):
        yield "state must be a 2-letter code such as NY" if state else "state is missing"
    zip_code = person.zip.strip()
    if not (len(zip_code) in (5, 9) and zip_code.isascii() and zip_code.isdigit()):
        yield "ZIP must be 5 or 9 digits" if zip_code else "ZIP is missing"


@_check("PATIENT")
def _patient(facts, today):
    for problem in _person_problems(facts.patient, today):
        yield {"problem": problem}


@_check("SUBSCRIBER")
def _subscriber(facts, today):
    if facts.coverage and facts.coverage.relationship != "18":
        for problem in _person_problems(facts.coverage.subscriber, today):
            yield {"problem": problem}


@_check("SUBSCRIBER-IS-PATIENT")
def _subscriber_is_patient(facts, today):
    if not facts.coverage or facts.coverage.relationship != "18":
        return
    patient, subscriber = facts.patient, facts.coverage.subscriber
    if (subscriber.first_name.strip().casefold(), subscriber.last_name.strip().casefold()) != (
        patient.first_name.strip().casefold(),
        patient.last_name.strip().casefold(),
    ):
        yield {"problem": "another name"}
    elif subscriber.dob != patient.dob:
        yield {"problem": "another date of birth"}


# ------------------------------------------------------------------------- diagnoses


@_check("DX-PRESENT")
def _dx_present(facts, today):
    if not facts.diagnoses:
        yield {}


@_check("DX-MAX")
def _dx_max(facts, today):
    if len(facts.diagnoses) > MAX_DIAGNOSES:
        yield {"count": len(facts.diagnoses)}


@_check("DX-BILLABLE")
def _dx_billable(facts, today):
    for n, typed in enumerate(facts.diagnoses, 1):
        if not typed.strip():
            yield {"n": n, "code": "(blank)", "problem": "is empty: enter a code or remove it"}
        elif not icd10.is_billable(typed):
            problem = (
                "is a category, not billable: choose one of the more specific codes under it"
                if icd10.exists(typed)
                else "is not an ICD-10-CM code"
            )
            yield {"n": n, "code": icd10.display(typed), "problem": problem}


@_check("DX-DUPLICATE")
def _dx_duplicate(facts, today):
    seen: dict[str, int] = {}
    for n, typed in enumerate(facts.diagnoses, 1):
        code = icd10.normalize(typed)
        if not code:
            continue
        if code in seen:
            yield {"n": n, "code": icd10.display(code), "first": seen[code]}
        else:
            seen[code] = n


# ------------------------------------------------------------------------- service lines


@_check("LINES-PRESENT")
def _lines_present(facts, today):
    if not facts.lines:
        yield {}


@_check("LINES-MAX")
def _lines_max(facts, today):
    if len(facts.lines) > MAX_LINES:
        yield {"count": len(facts.lines)}


@_check("DOS-PRESENT")
def _dos_present(facts, today):
    for n, line in enumerate(facts.lines, 1):
        if line.dos_from is None:
            yield {"line": n}


@_check("DOS-FUTURE")
def _dos_future(facts, today):
    for n, line in enumerate(facts.lines, 1):
        latest = max((d for d in (line.dos_from, line.dos_to) if d is not None), default=None)
        if latest is not None and latest > today:
            yield {"line": n, "dos": format_date(latest)}


@_check("DOS-ORDER")
def _dos_order(facts, today):
    for n, line in enumerate(facts.lines, 1):
        if line.dos_from and line.dos_to and line.dos_to < line.dos_from:
            yield {"line": n, "dos": format_date(line.dos_from), "to": format_date(line.dos_to)}


@_check("DOS-COVERAGE")
def _dos_coverage(facts, today):
    coverage = facts.coverage
    if coverage is None:
        return
    for n, line in enumerate(facts.lines, 1):
        if line.dos_from is None:
            continue
        last = line.dos_to or line.dos_from
        if line.dos_from < coverage.start_date or (
            coverage.end_date is not None and last > coverage.end_date
        ):
            outside = line.dos_from if line.dos_from < coverage.start_date else last
            yield {
                "line": n,
                "dos": format_date(outside),
                "payer": coverage.payer_name,
                "start": format_date(coverage.start_date),
                "end": format_date(coverage.end_date) or "no end date",
            }


def _filing(facts: ClaimFacts, today: dt.date) -> dict | None:
    """How far an original claim is into its payer's filing limit, from its earliest DOS.

    A replacement or void answers the payer's determination of the original, whose
    own window (from that determination, and payer by payer) is not on record here:
    it is not counted from the date of service.
    """
    coverage = facts.coverage
    dated = [(line.dos_from, n) for n, line in enumerate(facts.lines, 1) if line.dos_from]
    if coverage is None or not dated or coverage.timely_filing_days <= 0 or _follows_up(facts):
        return None
    earliest, line = min(dated)
    until = facts.first_billed or today
    return {
        "line": line,
        "dos": format_date(earliest),
        "days": (until - earliest).days,
        "limit": coverage.timely_filing_days,
        "payer": coverage.payer_name,
        "until": f"its first billing on {format_date(until)}" if facts.first_billed else "today",
    }


@_check("TIMELY-FILING")
def _timely_filing(facts, today):
    filing = _filing(facts, today)
    if filing and filing["days"] > filing["limit"]:
        yield filing


@_check("TIMELY-FILING-SOON")
def _timely_filing_soon(facts, today):
    filing = _filing(facts, today)
    if filing and facts.first_billed is None:  # once billed in time, the clock has stopped
        left = filing["limit"] - filing["days"]
        if 0 <= left <= TIMELY_FILING_WARNING_DAYS:
            yield {**filing, "left": left}


@_check("CODE-FORMAT")
def _code_format(facts, today):
    for n, line in enumerate(facts.lines, 1):
        code = line.code.strip().upper()
        if not code:
            yield {"line": n, "problem": "enter a CPT or HCPCS code"}
        elif not is_procedure_code(code):
            yield {
                "line": n,
                "problem": f"{code} is not a CPT or HCPCS code (5 digits, 4 digits + F, T or U, "
                "or a letter + 4 digits)",
            }


@_check("CODE-KNOWN")
def _code_known(facts, today):
    for n, line in enumerate(facts.lines, 1):
        code = line.code.strip().upper()
        if is_procedure_code(code) and code not in facts.known_codes:
            yield {"line": n, "code": code}


def _follows_up(facts: ClaimFacts) -> bool:
    """A replacement (7) or void (8): it bills again, by design, what its original billed."""
    return facts.frequency in ("7", "8")


@_check("DUPLICATE")
def _duplicate(facts, today):
    if _follows_up(facts):
        return
    for n, line in enumerate(facts.lines, 1):
        code = line.code.strip().upper()
        if line.dos_from and (line.dos_from, code) in facts.already_billed:
            yield {"line": n, "code": code, "dos": format_date(line.dos_from)}


@_check("MODIFIER-FORMAT")
def _modifier_format(facts, today):
    for n, line in enumerate(facts.lines, 1):
        for modifier in line.modifiers:
            if not is_modifier(modifier.strip().upper()):
                yield {"line": n, "modifier": modifier}


@_check("MODIFIER-MAX")
def _modifier_max(facts, today):
    for n, line in enumerate(facts.lines, 1):
        if len(line.modifiers) > MAX_MODIFIERS:
            yield {"line": n, "count": len(line.modifiers)}


def _telehealth_modifier(line: LineFacts) -> str | None:
    return next(
        (m for m in (m.strip().upper() for m in line.modifiers) if m in TELEHEALTH_MODIFIERS),
        None,
    )


@_check("TELEHEALTH-MODIFIER")
def _telehealth_needs_modifier(facts, today):
    if facts.place_of_service in TELEHEALTH_POS:
        for n, line in enumerate(facts.lines, 1):
            if _telehealth_modifier(line) is None:
                yield {"line": n, "pos": facts.place_of_service}


@_check("TELEHEALTH-POS")
def _telehealth_needs_pos(facts, today):
    if facts.place_of_service not in TELEHEALTH_POS:
        for n, line in enumerate(facts.lines, 1):
            modifier = _telehealth_modifier(line)
            if modifier is not None:
                yield {"line": n, "modifier": modifier}


@_check("POINTER-PRESENT")
def _pointer_present(facts, today):
    for n, line in enumerate(facts.lines, 1):
        if not line.pointers:
            yield {"line": n}


@_check("POINTER-MAX")
def _pointer_max(facts, today):
    for n, line in enumerate(facts.lines, 1):
        if len(line.pointers) > MAX_POINTERS:
            yield {"line": n, "count": len(line.pointers)}


@_check("POINTER-RANGE")
def _pointer_range(facts, today):
    count = min(len(facts.diagnoses), MAX_DIAGNOSES)
    for n, line in enumerate(facts.lines, 1):
        for pointer in line.pointers:
            if not 1 <= pointer <= count:
                if count == 0:
                    problem = "points to a diagnosis, but the claim has none"
                elif pointer < 1:
                    problem = "must be 1 or more"
                else:
                    noun = "diagnosis" if count == 1 else "diagnoses"
                    problem = f"points past the claim's {count} {noun}"
                yield {"line": n, "pointer": pointer, "problem": problem}


@_check("POINTER-DUPLICATE")
def _pointer_duplicate(facts, today):
    for n, line in enumerate(facts.lines, 1):
        for pointer in sorted({p for p in line.pointers if line.pointers.count(p) > 1}):
            yield {"line": n, "pointer": pointer}


@_check("UNITS")
def _units(facts, today):
    for n, line in enumerate(facts.lines, 1):
        if line.units < 1:
            yield {"line": n}


@_check("CHARGE")
def _charge(facts, today):
    for n, line in enumerate(facts.lines, 1):
        if line.charge <= 0:
            yield {"line": n}


# ------------------------------------------------------------------------- claim


@_check("TOTAL")
def _total(facts, today):
    lines = sum(line.charge for line in facts.lines)
    if facts.total != lines:
        yield {"total": format_cents(facts.total), "lines": format_cents(lines)}


if set(_CHECKS) != set(RULES_BY_ID):  # a rule without its check, or a check without its rule
    raise RuntimeError(f"scrubber rules and checks differ: {set(_CHECKS) ^ set(RULES_BY_ID)}")
