"""The 271 reader (005010X279A1): eligibility responses in, one plain object per person out.

    for response in read_271(text):
        response.status            # "active", "inactive", "rejected" or "unknown"
        response.traces            # our 270's TRN*1, echoed back as TRN*2
        response.terms()           # copay, deductible (and what remains), coinsurance, OOP

Any conforming 271 reads: any separators, one segment a line or none, several
ST..SE (and several interchanges) in one file. A 271 that is not well formed,
or whose elements this reader uses hold something the TR3 does not allow,
raises X12Error naming the segment's number: the caller imports all of a file
or none of it.

Layout of a 271 as this reader walks it:
    HL 20 information source (payer): AAA, NM1*PR, PER, AAA
     HL 21 information receiver (us): NM1, REF, AAA, PRV
      HL 22 subscriber: TRN, NM1*IL, REF, N3, N4, AAA, PRV, DMG, INS, HI, DTP, MPI
                        EB (2110C) with HSD, REF, DTP, AAA, MSG, III, LS..LE (2120C: skipped)
       HL 23 dependent: the same, with NM1*03
A rejection (AAA with AAA01 = N) at the payer's or receiver's level applies to
every person under it; when nobody is under it, the rejection is reported as a
response of its own with no person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from .reader import Segment, Transaction, X12Error, parse_date8, read_transactions

VERSION = "005010X279A1"

ACTIVE = {
    "1": "active coverage",
    "2": "active - full risk capitation",
    "3": "active - services capitated",
    "4": "active - services capitated to primary care physician",
    "5": "active - pending investigation",
}
INACTIVE = {
    "6": "inactive",
    "7": "inactive - pending eligibility update",
    "8": "inactive - pending investigation",
}
# EB01, the rest of the code list: benefit information that is not a status.
BENEFIT_CODES = frozenset(
    {*ACTIVE, *INACTIVE, "A", "B", "C", "CB", "D", "E", "F", "G", "H", "I", "J", "K", "L",
     "M", "MC", "N", "O", "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y"}
)  # fmt: skip
COVERAGE_LEVELS = frozenset({"CHD", "DEP", "ECH", "EMP", "ESP", "FAM", "IND", "SPC", "SPO"})
TIME_PERIODS = frozenset(
    {"6", "7", "13", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31", "32",
     "33", "34", "35", "36"}
)  # fmt: skip
PLAN_YEAR = ("23", "22", "25", "21", "")  # EB06: calendar year, service year, contract, years
REMAINING, YEAR_TO_DATE = "29", "24"
NETWORK = frozenset({"Y", "N", "U", "W"})  # EB12: in plan network, out, unknown, not applicable
HEALTH_PLAN, OFFICE_VISIT = "30", "98"
_ZERO, _ONE = Decimal(0), Decimal(1)  # EB03 service types: the plan, a physician office visit

# AAA03 reasons a 271 gives for not answering, in the TR3's words.
REJECT_REASONS = {
    "04": "authorized quantity exceeded",
    "15": "required application data missing",
    "33": "input errors",
    "35": "out of network",
    "41": "authorization/access restrictions",
    "42": "unable to respond at current time",
    "43": "invalid/missing provider identification",
    "44": "invalid/missing provider name",
    "45": "invalid/missing provider specialty",
    "46": "invalid/missing provider phone number",
    "47": "invalid/missing provider state",
    "48": "invalid/missing referring provider identification number",
    "49": "provider is not primary care physician",
    "50": "provider ineligible for inquiries",
    "51": "provider not on file",
    "52": "service dates not within provider plan enrollment",
    "53": "inquired benefit inconsistent with provider type",
    "54": "inappropriate product/service id qualifier",
    "55": "inappropriate product/service id",
    "56": "inappropriate date",
    "57": "invalid/missing date(s) of service",
    "58": "invalid/missing date-of-birth",
    "60": "date of birth follows date(s) of service",
    "61": "date of death precedes date(s) of service",
    "62": "date of service not within allowable inquiry period",
    "63": "date of service in future",
    "64": "invalid/missing patient id",
    "65": "invalid/missing patient name",
    "66": "invalid/missing patient gender code",
    "67": "patient not found",
    "68": "duplicate patient id number",
    "69": "inconsistent with patient's age",
    "70": "inconsistent with patient's gender",
    "71": "patient birth date does not match that for the patient on the database",
    "72": "invalid/missing subscriber/insured id",
    "73": "invalid/missing subscriber/insured name",
    "74": "invalid/missing subscriber/insured gender code",
    "75": "subscriber/insured not found",
    "76": "duplicate subscriber/insured id number",
    "77": "subscriber found, patient not found",
    "78": "subscriber/insured not in group/plan identified",
    "79": "invalid participant identification",
    "80": "no response received - transaction terminated",
    "97": "invalid or missing provider address",
    "T4": "payer name or identifier missing",
}
FOLLOW_UPS = {  # AAA04
    "C": "please correct and resubmit",
    "N": "resubmission not allowed",
    "P": "please resubmit original transaction",
    "R": "resubmission allowed",
    "S": "do not resubmit; inquiry initiated to a third party",
    "W": "please wait 30 days and resubmit",
    "X": "please wait 10 days and resubmit",
    "Y": "do not resubmit; we will hand deliver later",
}
PLAN_DATES = frozenset({"096", "102", "152", "193", "194", "198", "290", "291", "292", "295",
                        "304", "307", "318", "340", "341", "342", "343", "346", "347", "348",
                        "349", "356", "357", "435", "472", "636", "771"})  # fmt: skip
LEVELS = {"20": "payer", "21": "provider", "22": "subscriber", "23": "dependent"}
PARENT_LEVEL = {"20": None, "21": "20", "22": "21", "23": "22"}


# --------------------------------------------------------------------------- what comes out


@dataclass(frozen=True, slots=True)
class Rejection:
    """An AAA: the payer could not answer (AAA01 = N), and why."""

    level: str  # payer, provider, subscriber, dependent, benefit
    code: str  # AAA03
    follow_up: str  # AAA04 code
    segment: int

    @property
    def reason(self) -> str:
        return REJECT_REASONS.get(self.code, f"reason {self.code}")

    @property
    def advice(self) -> str:
        return FOLLOW_UPS.get(self.follow_up, "")


@dataclass(frozen=True, slots=True)
class Trace:
    """A TRN: TRN01 2 echoes a trace the 270 sent; 1 is the payer's own."""

    kind: str
    number: str  # TRN02
    originator: str  # TRN03
    supplemental: str = ""  # TRN04


@dataclass(frozen=True, slots=True)
class Period:
    start: dt.date
    end: dt.date | None  # None for a single date (D8)


@dataclass(frozen=True, slots=True)
class Benefit:
    """One EB (loop 2110C/D) with the dates and messages that follow it."""

    code: str  # EB01
    coverage_level: str  # EB02: IND, FAM, ...
    service_types: tuple[str, ...]  # EB03 (repeats)
    insurance_type: str  # EB04
    plan: str  # EB05: the plan's description
    time_period: str  # EB06: 23 calendar year, 29 remaining, ...
    amount: int | None  # EB07, cents
    percent_bp: int | None  # EB08 as basis points: 0.2 -> 2000
    network: str  # EB12: Y in network, N out, U unknown, W not applicable
    segment: int
    dates: dict[str, Period] = field(default_factory=dict)
    messages: tuple[str, ...] = ()
    rejections: tuple[Rejection, ...] = ()

    @property
    def is_status(self) -> bool:
        return self.code in ACTIVE or self.code in INACTIVE

    @property
    def for_the_plan(self) -> bool:
        return not self.service_types or HEALTH_PLAN in self.service_types


@dataclass(frozen=True, slots=True)
class PlanTerms:
    """The numbers a patient-share estimate needs; None where the 271 did not say."""

    copay: int | None = None
    deductible: int | None = None
    deductible_remaining: int | None = None
    deductible_met: int | None = None
    coinsurance_bp: int | None = None
    oop_max: int | None = None
    oop_remaining: int | None = None
    plan_start: dt.date | None = None
    plan_end: dt.date | None = None
    plan_name: str = ""


@dataclass(frozen=True, slots=True)
class EligibilityResponse:
    """What a 271 says about one person (a subscriber, or a dependent under one)."""

    transaction: str  # ST02
    segment: int  # the person's HL (or the payer's, when nobody is named)
    created: dt.datetime  # BHT04 + BHT05: when the payer answered
    reference: str  # BHT03: echoes the 270's
    payer_name: str
    payer_id: str  # NM109 of NM1*PR
    provider_id: str  # NM109 of the information receiver (our NPI)
    level: str  # subscriber, dependent, or payer / provider when nobody is named
    member_id: str  # the subscriber's NM109
    last_name: str
    first_name: str
    dob: dt.date | None
    sex: str
    subscriber_last: str  # for a dependent: the subscriber it hangs under
    subscriber_first: str
    traces: tuple[Trace, ...]
    rejections: tuple[Rejection, ...]
    benefits: tuple[Benefit, ...]
    dates: dict[str, Period]  # DTP at the person's level (2100C/D), by qualifier

    @property
    def status(self) -> str:
        if self.rejections:
            return "rejected"
        statuses = [b for b in self.benefits if b.is_status]
        for_plan = [b for b in statuses if b.for_the_plan] or statuses
        if any(b.code in ACTIVE for b in for_plan):
            return "active"
        if any(b.code in INACTIVE for b in for_plan):
            return "inactive"
        return "unknown"

    def our_traces(self) -> tuple[Trace, ...]:
        """The traces our 270 sent, as the payer echoed them (TRN01 = 2)."""
        return tuple(t for t in self.traces if t.kind == "2")

    def terms(self) -> PlanTerms:
        return plan_terms(self)


# --------------------------------------------------------------------------- choosing the terms


def _best(benefits: Iterable[Benefit], *, prefer_service: str = HEALTH_PLAN) -> Benefit | None:
    """The benefit that speaks for one patient's visit: in network, individual, the plan."""

    def rank(benefit: Benefit) -> tuple[int, int, int]:
        network = {"Y": 0, "W": 0, "": 0, "U": 1}.get(benefit.network, 2)
        level = 0 if benefit.coverage_level in ("", "IND", "EMP") else 1
        if prefer_service in benefit.service_types:
            service = 0
        elif benefit.for_the_plan:
            service = 1
        else:
            service = 2
        return network, level, service

    ranked = sorted(benefits, key=rank)  # stable: ties go to the payer's first
    return ranked[0] if ranked else None


def plan_terms(response: EligibilityResponse) -> PlanTerms:
    ebs = response.benefits
    copay = _best(
        (b for b in ebs if b.code == "B" and b.amount is not None), prefer_service=OFFICE_VISIT
    )
    deductibles = [b for b in ebs if b.code == "C" and b.amount is not None]
    deductible = _best(b for b in deductibles if b.time_period in PLAN_YEAR)
    remaining = _best(b for b in deductibles if b.time_period == REMAINING)
    met = _best(b for b in deductibles if b.time_period == YEAR_TO_DATE)
    coinsurance = _best(
        (b for b in ebs if b.code == "A" and b.percent_bp is not None), prefer_service=OFFICE_VISIT
    )
    oops = [b for b in ebs if b.code == "G" and b.amount is not None]
    oop = _best(b for b in oops if b.time_period in PLAN_YEAR)
    oop_left = _best(b for b in oops if b.time_period == REMAINING)
    deductible_met = met.amount if met else None
    if deductible_met is None and deductible and remaining:
        deductible_met = max(deductible.amount - remaining.amount, 0)
    start, end = _plan_period(response)
    status = _best(b for b in ebs if b.code in ACTIVE or b.code in INACTIVE)
    return PlanTerms(
        copay=copay.amount if copay else None,
        deductible=deductible.amount if deductible else None,
        deductible_remaining=remaining.amount if remaining else None,
        deductible_met=deductible_met,
        coinsurance_bp=coinsurance.percent_bp if coinsurance else None,
        oop_max=oop.amount if oop else None,
        oop_remaining=oop_left.amount if oop_left else None,
        plan_start=start,
        plan_end=end,
        plan_name=status.plan if status else "",
    )


def _plan_period(response: EligibilityResponse) -> tuple[dt.date | None, dt.date | None]:
    """The person's coverage dates: eligibility (356/357) before plan (346/347) before 291.

    Eligibility dates are the member's own; a plan's begin date may be the start of
    this plan year for a member covered for years. Dates on the status EB stand in
    when the person's level has none.
    """
    dates = dict(response.dates)
    for benefit in response.benefits:
        if benefit.is_status:
            for qualifier, period in benefit.dates.items():
                dates.setdefault(qualifier, period)
    start = end = None
    for begin_q, end_q in (("356", "357"), ("346", "347"), ("291", None), ("307", None)):
        if start is None and begin_q in dates:
            start = dates[begin_q].start
            if end is None and end_q is None and dates[begin_q].end is not None:
                end = dates[begin_q].end
        if end is None and end_q is not None and end_q in dates:
            end = dates[end_q].start
    return start, end


# --------------------------------------------------------------------------- reading


def read_271(text: str) -> list[EligibilityResponse]:
    """Every person answered in the file's 271s; X12Error (with the segment) if malformed."""
    responses: list[EligibilityResponse] = []
    found = False
    for transaction in read_transactions(text):
        if transaction.set_id != "271":
            raise transaction.header.error(
                f"a {transaction.set_id} transaction, not a 271 eligibility response"
            )
        found = True
        responses.extend(_Transaction271(transaction).read())
    if not found:
        raise X12Error("the file holds no 271 transaction", 1, "ISA")
    return responses


@dataclass
class _Loop:
    """One HL loop (payer, receiver, subscriber or dependent) while it is read."""

    hl: Segment
    level: str  # HL03: 20, 21, 22, 23
    parent: _Loop | None
    name: Segment | None = None  # its NM1
    traces: list[Trace] = field(default_factory=list)
    dob: dt.date | None = None
    sex: str = ""
    rejections: list[Rejection] = field(default_factory=list)
    dates: dict[str, Period] = field(default_factory=dict)
    benefits: list[dict] = field(default_factory=list)  # Benefit's fields, still growing
    children: int = 0

    def up(self, level: str) -> _Loop | None:
        loop: _Loop | None = self
        while loop is not None and loop.level != level:
            loop = loop.parent
        return loop

    def inherited_rejections(self) -> list[Rejection]:
        found: list[Rejection] = []
        loop: _Loop | None = self
        while loop is not None:
            found[:0] = loop.rejections
            loop = loop.parent
        return found

    @property
    def answered(self) -> bool:
        """Whether the payer said anything of this person (else it only frames a dependent)."""
        return bool(self.traces or self.benefits or self.rejections) or not self.children


class _Transaction271:
    def __init__(self, transaction: Transaction) -> None:
        self.transaction = transaction
        self.created = dt.datetime(1900, 1, 1)
        self.reference = ""
        self.loops: dict[str, _Loop] = {}  # HL01 -> loop
        self.current: _Loop | None = None
        self.in_2120: Segment | None = None  # the LS of an open 2120 loop

    def read(self) -> list[EligibilityResponse]:
        tx = self.transaction
        version = tx.version
        if tx.group.get(1) != "HB" or not version.startswith("005010X279"):
            raise tx.header.error(
                f"not a 005010X279A1 eligibility response (GS01 {tx.group.get(1)!r}, "
                f"version {version!r})"
            )
        segments = tx.segments
        if not segments or segments[0].id != "BHT":
            raise (segments[0] if segments else tx.trailer).error("a 271 starts with BHT")
        self._bht(segments[0])
        for segment in segments[1:]:
            self._segment(segment)
        if self.in_2120 is not None:
            raise self.in_2120.error("LS without its LE")
        if not self.loops:
            raise tx.trailer.error("a 271 without any HL loop")
        return [self._response(loop) for loop in self._answered()]

    def _bht(self, bht: Segment) -> None:
        if bht.get(1) != "0022" or bht.get(2) not in ("06", "11"):
            raise bht.error(f"BHT01/BHT02 {bht.get(1)}/{bht.get(2)} are not a 271's 0022/11 or 06")
        day = bht.date(4)
        if day is None:
            raise bht.error("BHT04 (the response's date) is missing")
        clock = bht.get(5)
        hour = minute = 0
        if clock:
            if not (clock.isascii() and clock.isdigit() and len(clock) in (4, 6, 7, 8)):
                raise bht.error(f"BHT05 {clock!r} is not a time (HHMM)")
            hour, minute = int(clock[:2]), int(clock[2:4])
            if hour > 23 or minute > 59:
                raise bht.error(f"BHT05 {clock!r} is not a time (HHMM)")
        self.created = dt.datetime.combine(day, dt.time(hour, minute))
        self.reference = bht.get(3)

    def _segment(self, segment: Segment) -> None:
        sid = segment.id
        if self.in_2120 is not None:  # the benefit's related entity (NM1, N3, PER, PRV ...)
            if sid == "LE":
                self.in_2120 = None
            elif sid in ("HL", "EB", "LS"):
                raise segment.error("a new loop before the LE that closes the LS")
            return
        if sid == "HL":
            self._hl(segment)
            return
        loop = self.current
        if loop is None:
            raise segment.error("a segment before the first HL")
        if sid == "AAA":
            self._aaa(segment, loop)
        elif sid == "NM1":
            self._nm1(segment, loop)
        elif sid in ("TRN", "DMG", "DTP", "EB", "LS", "LE"):
            if loop.level not in ("22", "23"):
                raise segment.error(f"{sid} in the {LEVELS[loop.level]}'s loop, not a person's")
            if sid == "TRN":
                self._trn(segment, loop)
            elif sid == "DMG":
                self._dmg(segment, loop)
            elif sid == "DTP":
                self._dtp(segment, loop)
            elif sid == "EB":
                self._eb(segment, loop)
            elif sid == "LS":
                if not loop.benefits or segment.get(1) != "2120":
                    raise segment.error("LS*2120 belongs inside a benefit (EB) loop")
                self.in_2120 = segment
            else:
                raise segment.error("LE without its LS")
        elif sid == "MSG" and loop.benefits:
            benefit = loop.benefits[-1]
            benefit["messages"] = (*benefit["messages"], segment.get(1))
        # Anything else (PER, REF, N3, N4, PRV, INS, HI, MPI, HSD, III) is not needed here.

    # ------------------------------------------------------------------ loops

    def _hl(self, hl: Segment) -> None:
        number, parent, level = hl.require(1, "HL id"), hl.get(2), hl.require(3, "level code")
        if number != str(len(self.loops) + 1):
            raise hl.error(f"HL01 {number!r} is out of sequence")
        if level not in LEVELS:
            raise hl.error(f"HL03 {level!r} is not 20, 21, 22 or 23")
        expected = PARENT_LEVEL[level]
        owner = self.loops.get(parent) if parent else None
        if expected is None and parent:
            raise hl.error(f"HL02 {parent!r}: the payer's level has no parent")
        if expected is not None and (owner is None or owner.level != expected):
            raise hl.error(f"HL02 {parent!r} is not the id of a level-{expected} loop")
        if hl.get(4) not in ("", "0", "1"):
            raise hl.error(f"HL04 {hl.get(4)!r} is not 0 or 1")
        loop = _Loop(hl, level, owner)
        if owner is not None:
            owner.children += 1
        self.loops[number] = loop
        self.current = loop

    def _aaa(self, aaa: Segment, loop: _Loop) -> None:
        valid = aaa.require(1, "valid request indicator")
        if valid not in ("Y", "N"):
            raise aaa.error(f"AAA01 {valid!r} is not Y or N")
        code = aaa.require(3, "reject reason")
        if not (1 <= len(code) <= 2 and code.isascii() and code.isalnum()):
            raise aaa.error(f"AAA03 {code!r} is not a reject reason code")
        follow_up = aaa.get(4)
        if follow_up and follow_up not in FOLLOW_UPS:
            raise aaa.error(f"AAA04 {follow_up!r} is not a follow-up action code")
        if valid == "Y":
            return  # the request was valid: nothing was refused
        if loop.benefits:  # 2110C/D: this benefit could not be answered, the person could
            benefit = loop.benefits[-1]
            rejection = Rejection("benefit", code, follow_up, aaa.number)
            benefit["rejections"] = (*benefit["rejections"], rejection)
        else:
            loop.rejections.append(Rejection(LEVELS[loop.level], code, follow_up, aaa.number))

    def _nm1(self, nm1: Segment, loop: _Loop) -> None:
        entity = nm1.require(1, "entity identifier")
        expected = {"20": ("PR", "2B", "36", "GP", "P5"),
                    "21": ("1P", "2B", "36", "80", "FA", "GP", "P5", "PR"),
                    "22": ("IL",), "23": ("03",)}[loop.level]  # fmt: skip
        if entity not in expected:
            raise nm1.error(f"NM101 {entity!r} is not a {LEVELS[loop.level]}'s entity code")
        if nm1.get(2) not in ("1", "2"):
            raise nm1.error(f"NM102 {nm1.get(2)!r} is not 1 (person) or 2 (organization)")
        if loop.name is not None:
            raise nm1.error(f"a second NM1 in the same {LEVELS[loop.level]} loop")
        if loop.level == "22":
            nm1.require(9, "the subscriber's member ID")
            if nm1.get(8) != "MI":
                raise nm1.error(f"NM108 {nm1.get(8)!r} is not MI (member identification)")
        loop.name = nm1

    def _trn(self, trn: Segment, loop: _Loop) -> None:
        kind = trn.require(1, "trace type")
        if kind not in ("1", "2"):
            raise trn.error(f"TRN01 {kind!r} is not 1 or 2")
        number = trn.require(2, "trace number")
        originator = trn.require(3, "originating company")
        loop.traces.append(Trace(kind, number, originator, trn.get(4)))

    def _dmg(self, dmg: Segment, loop: _Loop) -> None:
        if dmg.get(1) != "D8" or not dmg.get(2):
            raise dmg.error(f"DMG01 {dmg.get(1)!r}: a date of birth is sent as D8 CCYYMMDD")
        loop.dob = dmg.date(2)
        sex = dmg.get(3)
        if sex and sex not in ("F", "M", "U"):
            raise dmg.error(f"DMG03 {sex!r} is not F, M or U")
        loop.sex = sex

    def _dtp(self, dtp: Segment, loop: _Loop) -> None:
        qualifier = dtp.require(1, "date qualifier")
        if qualifier not in PLAN_DATES:
            raise dtp.error(f"DTP01 {qualifier!r} is not a date qualifier a 271 uses")
        period = _period(dtp)
        if loop.benefits:
            loop.benefits[-1]["dates"][qualifier] = period
        else:
            loop.dates[qualifier] = period

    def _eb(self, eb: Segment, loop: _Loop) -> None:
        # The busiest segment of a 271 (a dozen a person): its elements are read at once.
        e = eb.elements + ("",) * (12 - len(eb.elements))  # EB01..EB12, "" where absent
        code, level, insurance, plan, period, network = e[0], e[1], e[3], e[4], e[5], e[11]
        if code not in BENEFIT_CODES:
            eb.require(1, "eligibility or benefit information")
            raise eb.error(f"EB01 {code!r} is not an eligibility or benefit code")
        if level and level not in COVERAGE_LEVELS:
            raise eb.error(f"EB02 {level!r} is not a coverage level code")
        if period and period not in TIME_PERIODS:
            raise eb.error(f"EB06 {period!r} is not a time period qualifier")
        if network and network not in NETWORK:
            raise eb.error(f"EB12 {network!r} is not Y, N, U or W")
        services = eb.repeats(3) if e[2] else ()
        for service in services:
            if not (1 <= len(service) <= 2 and service.isascii() and service.isalnum()):
                raise eb.error(f"EB03 {service!r} is not a service type code")
        amount = eb.amount(7) if e[6] else None
        percent = eb.decimal(8) if e[7] else None
        if percent is not None and not _ZERO <= percent <= _ONE:
            raise eb.error(f"EB08 {percent} is not a percent written as a fraction (0 to 1)")
        loop.benefits.append(
            {
                "code": code,
                "coverage_level": level,
                "service_types": services,
                "insurance_type": insurance,
                "plan": plan,
                "time_period": period,
                "amount": amount,
                "percent_bp": None if percent is None else int(percent * 10_000),
                "network": network,
                "segment": eb.number,
                "dates": {},
                "messages": (),
                "rejections": (),
            }
        )

    # ------------------------------------------------------------------ results

    def _answered(self) -> Iterator[_Loop]:
        """Each person the payer answered, and each payer or receiver rejection over nobody."""
        for loop in self.loops.values():
            if loop.level in ("22", "23"):
                if loop.answered:
                    yield loop
            elif loop.rejections and not loop.children:
                yield loop

    def _response(self, loop: _Loop) -> EligibilityResponse:
        payer = loop.up("20")
        receiver = loop.up("21")
        subscriber = loop.up("22")
        payer_name = payer.name if payer and payer.name else None
        receiver_name = receiver.name if receiver and receiver.name else None
        sub_name = subscriber.name if subscriber and subscriber.name else None
        own = loop.name if loop.level in ("22", "23") else None
        return EligibilityResponse(
            transaction=self.transaction.control_number,
            segment=loop.hl.number,
            created=self.created,
            reference=self.reference,
            payer_name=payer_name.get(3) if payer_name else "",
            payer_id=payer_name.get(9) if payer_name else "",
            provider_id=receiver_name.get(9) if receiver_name else "",
            level=LEVELS[loop.level],
            member_id=sub_name.get(9) if sub_name else "",
            last_name=own.get(3) if own else "",
            first_name=own.get(4) if own else "",
            dob=loop.dob if own else None,
            sex=loop.sex,
            subscriber_last=sub_name.get(3) if sub_name else "",
            subscriber_first=sub_name.get(4) if sub_name else "",
            traces=tuple(loop.traces),
            rejections=tuple(loop.inherited_rejections()),
            benefits=tuple(Benefit(**fields) for fields in loop.benefits),
            dates=dict(loop.dates),
        )


def _period(dtp: Segment) -> Period:
    """DTP02 D8 (one date) or RD8 (CCYYMMDD-CCYYMMDD)."""
    form, value = dtp.get(2), dtp.require(3, "date")
    if form == "D8":
        return Period(parse_date8(value, dtp, 3), None)
    if form == "RD8":
        first, dash, last = value.partition("-")
        if not dash:
            raise dtp.error("DTP03 is not a range CCYYMMDD-CCYYMMDD")
        start, end = parse_date8(first, dtp, 3), parse_date8(last, dtp, 3)
        if end < start:
            raise dtp.error("DTP03 ends before it starts")
        return Period(start, end)
    raise dtp.error(f"DTP02 {form!r} is not D8 or RD8")
