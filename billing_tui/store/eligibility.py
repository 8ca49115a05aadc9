"""Coverage checks by X12: which coverages to ask about (270), and recording the answers (271).

export_270() asks about the chosen coverages in one interchange. Each request's
trace (TRN02) is "<coverage id>-<interchange id>" under our originator id
("1" + the practice's EIN, TRN03): the payer echoes it in the 271, so the
answer finds its coverage, and an interchange id we never issued (or a trace
from someone else) is not mistaken for ours. An answer without our trace is
matched by payer ID + member ID (and the patient's name and date of birth when
a family shares the member ID); one that still matches no single coverage is
reported, never guessed.

import_271() reads the whole file first (a malformed 271 changes nothing),
then records every answer in one transaction: verified_at is when the payer
answered (BHT04/05), so importing the same file twice changes nothing the
second time, and an answer older than a coverage's current verification is
left out. A rejection (AAA) or an answer without a status leaves the coverage
unverified (verified_at empty, the reason in the result) so the queue keeps
flagging it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

from ..domain.money import format_cents
from ..domain.search import search_key
from ..x12 import x270, x271
from ..x12.envelope import clean
from .cache import chunked, refresh_accounts
from .models import BillingProvider, Coverage, Patient, Payer, X12Interchange
from .session import StoreRefused
from .submission import _check_writable, _write_temp  # the 837 export's file rules

HOW = "270/271"
DEFAULT_RECEIVER = "CLEARINGHOUSE"
_TRACE = re.compile(r"(\d{1,12})-(\d{1,12})\Z", re.ASCII)
# The coverage fields an answer sets, as the audit log names them.
TRACKED = (
    "verified_at",
    "verified_by",
    "verified_how",
    "verification_result",
    "copay_cents",
    "deductible_cents",
    "deductible_met_cents",
    "coinsurance_bp",
    "oop_max_cents",
    "start_date",
    "end_date",
)


@dataclass(frozen=True, slots=True)
class Asked:
    account_number: str
    patient: str
    payer: str
    member_id: str
    trace: str


@dataclass(frozen=True, slots=True)
class NotAsked:
    account_number: str
    reason: str


@dataclass(frozen=True, slots=True)
class Export270Result:
    control_number: int | None  # None: nothing to ask, no file written, nothing recorded
    path: Path | None
    asked: tuple[Asked, ...]
    not_asked: tuple[NotAsked, ...]


@dataclass(frozen=True, slots=True)
class Answer:
    """One person in the 271 and what became of it."""

    account_number: str  # "" when no coverage matched
    patient: str
    payer: str
    status: str  # active, inactive, rejected, unknown
    result: str  # the verification text recorded (or that would have been)
    outcome: str  # updated, unchanged, older, not matched
    changed: tuple[str, ...]  # fields updated


@dataclass(frozen=True, slots=True)
class Import271Result:
    answers: tuple[Answer, ...]

    @property
    def updated(self) -> int:
        return sum(a.outcome == "updated" for a in self.answers)

    @property
    def unmatched(self) -> int:
        return sum(a.outcome == "not matched" for a in self.answers)


class Eligibility:
    def __init__(self, session, policy) -> None:
        self._session = session
        self._policy = policy

    # ------------------------------------------------------------------ 270

    def export_270(
        self,
        out: str | Path,
        account_numbers: Sequence[str] = (),
        *,
        unverified: bool = False,
        production: bool = True,
        receiver_id: str = DEFAULT_RECEIVER,
    ) -> Export270Result:
        """Ask about the current coverages of the named accounts, or those unverified, or both.

        A coverage is current when it is active and has not ended before today;
        `unverified` keeps those never verified or verified more than the
        policy's verification_stale_days ago. StoreRefused (nothing written) for
        an unknown account number or an `out` that cannot be written.
        """
        if not account_numbers and not unverified:
            raise StoreRefused("name accounts to ask about, or ask about the unverified")
        out = Path(out)
        _check_writable(out)
        session = self._session
        temp: Path | None = None
        asked: list[Asked] = []
        not_asked: list[NotAsked] = []
        try:
            with session.writing():
                billing = BillingProvider.select().order_by(BillingProvider.id).first()
                if billing is None:
                    raise StoreRefused("no billing provider on file: the 270 needs our NPI")
                provider = x270.Provider(billing.name, billing.npi, billing.ein)
                if found := x270.provider_problems(provider):
                    raise StoreRefused(found[0])
                wanted = _known_accounts(account_numbers)
                interchange = X12Interchange.create(
                    kind="270", file_name=str(out)[:255], created_by=session.user_id()
                )
                requests = []
                for row in self._current_coverages(wanted, unverified):
                    request = _request(row, interchange.id, session.today())
                    if found := x270.problems(request):
                        not_asked.append(NotAsked(row.account_number, found[0]))
                        continue
                    requests.append(request)
                    asked.append(
                        Asked(
                            row.account_number,
                            f"{row.last_name}, {row.first_name}",
                            row.payer_name,
                            row.member_id,
                            request.trace,
                        )
                    )
                covered = {a.account_number for a in asked} | {n.account_number for n in not_asked}
                for number in wanted:
                    if number not in covered:
                        why = " needing verification" if unverified else ""
                        not_asked.append(NotAsked(number, f"no current coverage{why}"))
                if not requests:
                    raise _NothingToAsk  # and the interchange row rolls back: never seen
                X12Interchange.update(transactions=len(requests)).where(
                    X12Interchange.id == interchange.id
                ).execute()
                text = x270.write(
                    requests,
                    provider=provider,
                    sender_id=billing.ein,
                    receiver_id=receiver_id,
                    control_number=interchange.id,
                    created=dt.datetime.combine(session.today(), dt.datetime.now().time()),
                    production=production,
                )
                temp = _write_temp(out, text)
        except _NothingToAsk:
            return Export270Result(None, None, (), tuple(not_asked))
        except BaseException:
            if temp is not None:
                temp.unlink(missing_ok=True)
            raise
        try:
            os.replace(temp, out)
        except OSError as error:
            raise StoreRefused(
                f"the 270 could not be moved to {out} ({error.strerror}); it is at {temp}"
            ) from None
        return Export270Result(interchange.id, out, tuple(asked), tuple(not_asked))

    def _current_coverages(self, wanted: list[str], unverified: bool) -> Iterator[_Row]:
        """Active coverages not ended before today (of the wanted accounts), in account order."""
        today = self._session.today()
        query = (
            Coverage.select(
                Coverage.id,
                Coverage.member_id,
                Coverage.relationship,
                Coverage.subscriber_last,
                Coverage.subscriber_first,
                Coverage.subscriber_dob,
                Coverage.subscriber_sex,
                Patient.account_number,
                Patient.last_name,
                Patient.first_name,
                Patient.dob,
                Patient.sex,
                Payer.name,
                Payer.payer_code,
            )
            .join(Patient, on=(Patient.id == Coverage.patient))
            .switch(Coverage)
            .join(Payer, on=(Payer.id == Coverage.payer))
            .where(
                (Coverage.active == True)  # noqa: E712
                & (Coverage.end_date.is_null() | (Coverage.end_date >= today))
                & (Payer.kind != "self_pay")
            )
        )
        if wanted:
            query = query.where(Patient.account_number.in_(wanted))
        if unverified:
            stale = dt.datetime.combine(
                today - dt.timedelta(days=self._policy.verification_stale_days), dt.time()
            )
            query = query.where(Coverage.verified_at.is_null() | (Coverage.verified_at < stale))
        ordered = query.order_by(Patient.account_number, Coverage.priority, Coverage.id)
        # Rows as tuples, one at a time: --unverified on a large practice is many thousands.
        for values in ordered.tuples().iterator():
            yield _Row(*values)

    # ------------------------------------------------------------------ 271

    def import_271(self, text: str) -> Import271Result:
        """Record every answer in the 271 text; X12Error (nothing changed) if it is malformed."""
        responses = x271.read_271(text)  # all of it, before anything is written
        session = self._session
        answers: list[Answer] = []
        with session.writing():
            coverages = _traced_coverages(responses)
            touched: set[int] = set()
            for response, coverage in zip(responses, coverages, strict=True):
                coverage = coverage or _by_member(response)
                if coverage is None:
                    answers.append(_unmatched(response))
                    continue
                answer = self._record(coverage, response)
                if answer.outcome == "updated":
                    touched.add(coverage.patient_id)
                answers.append(answer)
            refresh_accounts(touched)
        return Import271Result(tuple(answers))

    def _record(self, coverage: Coverage, response: x271.EligibilityResponse) -> Answer:
        session = self._session
        patient = coverage.patient_row
        status = response.status
        # When the payer answered, by its clock (a 271 carries no time zone): re-importing
        # the file then records the same moment, and an old file never looks fresh. A
        # clock ahead of ours must not make a verification last longer.
        answered_at = min(response.created, dt.datetime.combine(session.today(), dt.time(23, 59)))
        result = describe(response)[:200]
        new = {
            "verified_at": answered_at if status in ("active", "inactive") else None,
            "verified_by": session.user_id(),
            "verified_how": HOW,
            "verification_result": result,
        }
        if status in ("active", "inactive"):
            new.update(_terms(response.terms(), coverage))
        old = {
            name: coverage.verified_by_id if name == "verified_by" else getattr(coverage, name)
            for name in TRACKED
        }
        answer = Answer(
            patient.account_number,
            f"{patient.last_name}, {patient.first_name}",
            coverage.payer_row.name,
            status,
            result,
            "updated",
            (),
        )
        if coverage.verified_at is not None and _naive(coverage.verified_at) > answered_at:
            return replace(answer, outcome="older")
        changed = {k: v for k, v in new.items() if _differs(old[k], v)}
        if not changed or set(changed) == {"verified_by"}:
            return replace(answer, outcome="unchanged")
        Coverage.update(**changed).where(Coverage.id == coverage.id).execute()
        for name, value in changed.items():  # the same coverage may be answered again below
            setattr(coverage, name, value)
        session.audit(
            "verify",
            "coverage",
            coverage.id,
            patient_id=coverage.patient_id,
            before={k: old[k] for k in changed},
            after=changed,
        )
        return replace(answer, changed=tuple(k for k in TRACKED if k in changed))


class _NothingToAsk(Exception):
    """Every chosen coverage had problems: roll the interchange back."""


class _Row(NamedTuple):
    coverage_id: int
    member_id: str
    relationship: str
    subscriber_last: str
    subscriber_first: str
    subscriber_dob: dt.date | None
    subscriber_sex: str
    account_number: str
    last_name: str
    first_name: str
    dob: dt.date
    sex: str
    payer_name: str
    payer_code: str


def _known_accounts(account_numbers: Sequence[str]) -> list[str]:
    """The account numbers, cleaned and each once; StoreRefused naming the first unknown one."""
    wanted = list(dict.fromkeys(n.strip().upper() for n in account_numbers))
    known: set[str] = set()
    for chunk in chunked(wanted):
        known.update(
            number
            for (number,) in Patient.select(Patient.account_number)
            .where(Patient.account_number.in_(chunk))
            .tuples()
        )
    if missing := [n for n in wanted if n not in known]:
        raise StoreRefused(f"no account {missing[0]!r}")
    return wanted


def _request(row: _Row, interchange_id: int, today: dt.date) -> x270.EligibilityRequest:
    subscriber = x270.Person(
        row.subscriber_last, row.subscriber_first, _day(row.subscriber_dob), row.subscriber_sex
    )
    dependent = None
    if row.relationship != "18":
        dependent = x270.Person(row.last_name, row.first_name, _day(row.dob), row.sex)
    return x270.EligibilityRequest(
        trace=f"{row.coverage_id}-{interchange_id}",
        payer_name=row.payer_name,
        payer_id=row.payer_code,
        member_id=row.member_id,
        subscriber=subscriber,
        patient=dependent,
        service_date=today,
    )


def _day(value) -> dt.date | None:
    """SQLite hands dates in tuples back as text."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


# --------------------------------------------------------------------------- matching


def _coverages(condition) -> list[Coverage]:
    """Coverages with their patient's name and account number and their payer's name."""
    return list(
        Coverage.select(
            Coverage,
            Patient.account_number,
            Patient.last_name,
            Patient.first_name,
            Patient.dob,
            Payer.name,
        )
        .join(Patient, on=(Patient.id == Coverage.patient), attr="patient_row")
        .switch(Coverage)
        .join(Payer, on=(Payer.id == Coverage.payer), attr="payer_row")
        .where(condition)
    )


def _traced_coverages(responses: Sequence[x271.EligibilityResponse]) -> list[Coverage | None]:
    """Each answer's coverage by the trace our 270 gave it (None where there is none).

    A trace counts when it is under our originator id ("1" + one of our EINs),
    reads "<coverage id>-<interchange id>", and names a 270 interchange we wrote.
    The coverages are read in bulk: a file may answer thousands of requests.
    """
    originators = {"1" + ein for (ein,) in BillingProvider.select(BillingProvider.ein).tuples()}
    wanted: list[list[tuple[int, int]]] = []
    for response in responses:
        pairs = []
        for trace in response.our_traces():
            found = _TRACE.match(trace.number)
            if found and trace.originator in originators:
                pairs.append((int(found[1]), int(found[2])))
        wanted.append(pairs)
    interchanges = {ic for pairs in wanted for _, ic in pairs}
    issued: set[int] = set()
    for chunk in chunked(interchanges):
        issued.update(
            i
            for (i,) in X12Interchange.select(X12Interchange.id)
            .where(X12Interchange.id.in_(chunk) & (X12Interchange.kind == "270"))
            .tuples()
        )
    ids = {cid for pairs in wanted for cid, ic in pairs if ic in issued}
    found_rows: dict[int, Coverage] = {}
    for chunk in chunked(ids):
        found_rows.update((c.id, c) for c in _coverages(Coverage.id.in_(chunk)))
    result: list[Coverage | None] = []
    for pairs in wanted:
        hits = [found_rows[cid] for cid, ic in pairs if ic in issued and cid in found_rows]
        result.append(hits[0] if hits else None)
    return result


def _by_member(response: x271.EligibilityResponse) -> Coverage | None:
    """Without our trace: the one coverage with the answer's payer ID and member ID."""
    if response.level not in ("subscriber", "dependent") or not response.member_id:
        return None
    payer_ids = Payer.select(Payer.id).where(Payer.payer_code == clean(response.payer_id, 80))
    candidates = _coverages(
        Coverage.payer.in_(payer_ids) & (Coverage.member_id == response.member_id)
    )
    if len(candidates) > 1:  # a family under one member ID: the patient says which
        candidates = [c for c in candidates if _same_person(c, response)]
    return candidates[0] if len(candidates) == 1 else None


def _same_person(coverage: Coverage, response: x271.EligibilityResponse) -> bool:
    patient = coverage.patient_row
    if response.level == "subscriber" and coverage.relationship != "18":
        return False
    if response.level == "dependent" and coverage.relationship == "18":
        return False
    same_name = search_key(patient.last_name) == search_key(response.last_name) and (
        not response.first_name or search_key(patient.first_name) == search_key(response.first_name)
    )
    return same_name and (response.dob is None or response.dob == patient.dob)


# --------------------------------------------------------------------------- what is recorded


def describe(response: x271.EligibilityResponse) -> str:
    """The verification result a person reads on the account screen."""
    day = response.created.strftime("%m/%d/%Y")
    if response.status == "rejected":
        first = response.rejections[0]
        advice = f"; {first.advice}" if first.advice else ""
        return (
            f"Not verified: payer rejected the inquiry {day} ({first.code} {first.reason}{advice})"
        )
    if response.status == "unknown":
        return f"Not verified: the payer's answer of {day} gives no eligibility status"
    terms = response.terms()
    parts = ["Active" if response.status == "active" else "Inactive"]
    if terms.plan_name:
        parts[0] += f" ({terms.plan_name})"
    if terms.copay is not None:
        parts.append(f"copay ${format_cents(terms.copay)}")
    if terms.deductible is not None:
        left = terms.deductible_remaining
        suffix = f", ${format_cents(left)} left" if left is not None else ""
        parts.append(f"deductible ${format_cents(terms.deductible)}{suffix}")
    if terms.coinsurance_bp is not None:
        parts.append(f"coinsurance {terms.coinsurance_bp / 100:g}%")
    if terms.oop_max is not None:
        parts.append(f"OOP max ${format_cents(terms.oop_max)}")
    start, end = terms.plan_start, terms.plan_end
    if start and end:
        parts.append(f"{start:%m/%d/%Y}-{end:%m/%d/%Y}")
    elif start:
        parts.append(f"since {start:%m/%d/%Y}")
    elif end:
        parts.append(f"{'ended' if end < response.created.date() else 'ends'} {end:%m/%d/%Y}")
    return "; ".join(parts) + f" (271 of {day})"


def _terms(terms: x271.PlanTerms, coverage: Coverage) -> dict:
    """The coverage fields the answer gives; a field the payer did not send is left as it was."""
    values: dict = {}
    if terms.copay is not None:
        values["copay_cents"] = terms.copay
    if terms.deductible is not None:
        values["deductible_cents"] = terms.deductible
    met = terms.deductible_met
    if met is None and terms.deductible_remaining is not None:
        deductible = terms.deductible if terms.deductible is not None else coverage.deductible_cents
        met = max(deductible - terms.deductible_remaining, 0)
    if met is not None:
        values["deductible_met_cents"] = met
    if terms.coinsurance_bp is not None:
        values["coinsurance_bp"] = terms.coinsurance_bp
    if terms.oop_max is not None:
        values["oop_max_cents"] = terms.oop_max
    start = terms.plan_start or coverage.start_date
    end = terms.plan_end or coverage.end_date
    if end is None or end >= start:  # dates that contradict each other are not recorded
        if terms.plan_start is not None:
            values["start_date"] = terms.plan_start
        if terms.plan_end is not None:
            values["end_date"] = terms.plan_end
    return values


def _unmatched(response: x271.EligibilityResponse) -> Answer:
    name = f"{response.last_name}, {response.first_name}" if response.last_name else ""
    why = (
        describe(response)
        if response.level in ("subscriber", "dependent")
        else (
            f"the payer rejected the whole inquiry ({response.rejections[0].code} "
            f"{response.rejections[0].reason}) without naming anyone"
        )
    )
    return Answer("", name, response.payer_name, response.status, why[:200], "not matched", ())


def _naive(value) -> dt.datetime:
    if isinstance(value, str):  # SQLite hands back datetimes from some queries as text
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=None)


def _differs(old, new) -> bool:
    if isinstance(old, dt.datetime) or isinstance(new, dt.datetime):
        return (None if old is None else _naive(old)) != (None if new is None else _naive(new))
    if isinstance(old, str) and isinstance(new, dt.date):  # dates from SQLite as text
        return dt.date.fromisoformat(old[:10]) != new
    return old != new
