"""Reports on how the practice is doing: denials by reason, payer and provider; claims at
risk of the payer's filing limit; each user's day of work; the key rates.

Each is a few grouped queries; what is left to do in Python is per group, never per row,
so the reports keep to seconds on a million accounts.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from peewee import Case, fn

from ..domain.claims import ClaimStatus
from ..domain.dates import local_date
from ..domain.ledger import EntryKind
from ..domain.money import format_cents
from .models import (
    Claim,
    ClaimStatusChange,
    LedgerEntry,
    Note,
    Patient,
    Payer,
    Provider,
    User,
)

CARC = re.compile(r"\b(CO|PR|OA|PI|CR)-?(\w{1,5})\b")
NOT_YET_FILED = (ClaimStatus.DRAFT.value, ClaimStatus.READY.value, ClaimStatus.REJECTED.value)
STILL_DENIED = (ClaimStatus.DENIED.value, ClaimStatus.APPEALED.value)
TIMELY_WARNING_DAYS = 30


@dataclass(frozen=True, slots=True)
class DenialSummaryRow:
    by: str  # reason (CARC), payer or provider
    key: str
    denials: int
    charge: int  # the denied claims' charges
    open: int  # still denied or under appeal today
    oldest_open_days: int | None
    average_open_days: int | None


@dataclass(frozen=True, slots=True)
class TimelyFilingRow:
    claim_number: str
    account_number: str
    payer: str
    status: str
    first_dos: dt.date
    limit_days: int
    deadline: dt.date
    days_left: int  # negative: the limit has passed
    charge: int


@dataclass(frozen=True, slots=True)
class ProductivityRow:
    username: str
    day: dt.date
    claims_entered: int
    lines_posted: int
    contacts_logged: int


@dataclass(frozen=True, slots=True)
class KpiRow:
    measure: str
    value: str  # as a person reads it: "92.4%", "41.2 days"
    numerator: int
    denominator: int
    how: str
    money: bool = False  # numerator and denominator are cents

    @property
    def of_text(self) -> str:
        return format_cents(self.numerator) if self.money else f"{self.numerator:,}"

    @property
    def in_text(self) -> str:
        return format_cents(self.denominator) if self.money else f"{self.denominator:,}"


def carc_of(reason: str) -> str:
    """'CO-50' out of 'denied: CO-50 N115' or 'CO-50: not medically necessary'."""
    match = CARC.search(reason or "")
    return f"{match.group(1)}-{match.group(2)}" if match else "(no code)"


def in_period(column, start: dt.date | None, end: dt.date | None, *, stamp: bool = False):
    """A period condition on a date (or, stamp=True, a UTC timestamp) column."""
    condition = None
    if start is not None:
        low = dt.datetime.combine(start, dt.time()) if stamp else start
        condition = column >= low
    if end is not None:
        high = (
            column < dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
            if stamp
            else column <= end
        )
        condition = high if condition is None else condition & high
    return condition


def filtered(query, condition):
    """The query, narrowed by condition unless it is None (an open period)."""
    return query if condition is None else query.where(condition)


def _claims_by_id(ids: list[int], chunk: int = 900) -> dict[int, tuple]:
    """(status, charge, payer id, rendering provider id) of each claim, read in id order."""
    found: dict[int, tuple] = {}
    for i in range(0, len(ids), chunk):
        part = ids[i : i + chunk]
        for claim_id, *fields in (
            Claim.select(
                Claim.id, Claim.status, Claim.charge_cents, Claim.payer, Claim.rendering_provider
            )
            .where(Claim.id.in_(part))
            .tuples()
        ):
            found[claim_id] = tuple(fields)
    return found


class PracticeReports:
    """Mixed into Reports, which provides _session."""

    def denial_summary(self, start=None, end=None) -> list[DenialSummaryRow]:
        """Every denial (a claim moved to denied) in the period, by reason, payer and
        rendering provider; 'open' are the claims still denied or appealed today, with how
        long since their denial.

        The denials come off their covering index; their claims are then read in id order,
        a chunk at a time (page after page, not a random read per denial)."""
        today = self._session.today()
        events = filtered(
            ClaimStatusChange.select(
                ClaimStatusChange.claim, ClaimStatusChange.reason, ClaimStatusChange.at
            ).where(ClaimStatusChange.to_status == ClaimStatus.DENIED.value),
            in_period(ClaimStatusChange.at, start, end, stamp=True),
        ).tuples()
        events = list(events)
        claims = _claims_by_id(sorted({claim_id for claim_id, _, _ in events}))
        payers = dict(Payer.select(Payer.id, Payer.name).tuples())
        providers = {
            pid: f"{last}, {first} {credential}".strip()
            for pid, last, first, credential in Provider.select(
                Provider.id, Provider.last_name, Provider.first_name, Provider.credential
            ).tuples()
        }
        query = (
            (claim_id, reason, at, *claims[claim_id][:2], payers.get(claims[claim_id][2]),
             providers.get(claims[claim_id][3], ""))
            for claim_id, reason, at in events
        )  # fmt: skip
        groups: dict[tuple[str, str], list] = {}
        latest: dict[int, dt.datetime] = {}  # a claim denied twice is open once, from the last
        for claim_id, reason, at, status, charge, payer, provider in query:
            keys = (
                ("reason", carc_of(reason)),
                ("payer", payer or "Self-pay"),
                ("provider", provider),
            )
            still_open = status in STILL_DENIED
            if still_open and (claim_id not in latest or at > latest[claim_id]):
                latest[claim_id] = at
            for key in keys:
                group = groups.setdefault(key, [0, 0, {}])
                group[0] += 1
                group[1] += int(charge or 0)
                if still_open:
                    group[2][claim_id] = max(at, group[2].get(claim_id, at))
        rows = []
        order = {"reason": 0, "payer": 1, "provider": 2}
        for (by, key), (count, charge, open_claims) in sorted(
            groups.items(), key=lambda item: (order[item[0][0]], -item[1][0], item[0][1])
        ):
            ages = [max((today - local_date(at)).days, 0) for at in open_claims.values()]
            rows.append(
                DenialSummaryRow(
                    by=by,
                    key=key,
                    denials=count,
                    charge=charge,
                    open=len(ages),
                    oldest_open_days=max(ages) if ages else None,
                    average_open_days=round(sum(ages) / len(ages)) if ages else None,
                )
            )
        return rows

    def timely_filing(
        self, as_of: dt.date | None = None, warning_days: int = TIMELY_WARNING_DAYS
    ) -> list[TimelyFilingRow]:
        """Claims not yet accepted by their payer (draft, ready, rejected) whose filing
        limit (the payer's days from the date of service) ends within warning_days, or has
        ended: the most urgent first."""
        as_of = as_of or self._session.today()
        query = (
            Claim.select(
                Claim.claim_number,
                Patient.account_number,
                Payer.name,
                Claim.status,
                Claim.first_dos,
                Payer.timely_filing_days,
                Claim.charge_cents,
            )
            .join(Payer, on=(Payer.id == Claim.payer))
            .switch(Claim)
            .join(Patient, on=(Patient.id == Claim.patient))
            .where(Claim.status.in_(NOT_YET_FILED))
            .tuples()
        )
        rows = []
        for number, account, payer, status, dos, limit, charge in query:
            deadline = dos + dt.timedelta(days=limit)
            days_left = (deadline - as_of).days
            if days_left <= warning_days:
                rows.append(
                    TimelyFilingRow(
                        number, account, payer, status, dos, limit, deadline, days_left, charge
                    )  # fmt: skip
                )
        rows.sort(key=lambda r: (r.days_left, r.claim_number))
        return rows

    def productivity(self, start=None, end=None) -> list[ProductivityRow]:
        """Per user and day (UTC): claims entered, ledger lines posted (payments,
        adjustments, transfers, refunds: not the charges billing posts), contacts logged.
        Default period: the 30 days to today (or to `end`)."""
        if start is None:
            start = (end or self._session.today()) - dt.timedelta(days=29)
        counts: dict[tuple[int, dt.date], list[int]] = {}

        def add(query, column: int) -> None:
            for user_id, day, n in query.tuples():
                if user_id is None:
                    continue
                if isinstance(day, dt.datetime):  # SQLite's DATE() can come back as one
                    day = day.date()
                elif not isinstance(day, dt.date):
                    day = dt.date.fromisoformat(str(day)[:10])
                counts.setdefault((user_id, day), [0, 0, 0])[column] += int(n)

        claim_day = fn.DATE(Claim.created_at)
        add(
            filtered(
                Claim.select(Claim.created_by, claim_day, fn.COUNT(Claim.id)),
                in_period(Claim.created_at, start, end, stamp=True),
            ).group_by(Claim.created_by, claim_day),
            0,
        )
        entry_day = fn.DATE(LedgerEntry.posted_at)
        posted = LedgerEntry.kind != EntryKind.CHARGE.value
        period = in_period(LedgerEntry.posted_at, start, end, stamp=True)
        add(
            LedgerEntry.select(LedgerEntry.user, entry_day, fn.COUNT(LedgerEntry.id))
            .where(posted if period is None else posted & period)
            .group_by(LedgerEntry.user, entry_day),
            1,
        )
        note_day = fn.DATE(Note.created_at)
        add(
            filtered(
                Note.select(Note.created_by, note_day, fn.COUNT(Note.id)),
                in_period(Note.created_at, start, end, stamp=True),
            ).group_by(Note.created_by, note_day),
            2,
        )
        names = dict(User.select(User.id, User.username).tuples())
        return sorted(
            (
                ProductivityRow(names.get(user_id, str(user_id)), day, *figures)
                for (user_id, day), figures in counts.items()
            ),
            key=lambda r: (r.day, r.username),
        )

    def kpi(self, start=None, end=None) -> list[KpiRow]:
        """The key rates of the period (default: the 90 days to today), by date of service
        for claims and by posting date for money; A/R over 90 days as of the period's end."""
        end = end or self._session.today()
        start = start or end - dt.timedelta(days=89)
        days = (end - start).days + 1
        unfiled = NOT_YET_FILED + (ClaimStatus.VOIDED.value,)
        filed = (Claim.first_dos >= start) & (Claim.first_dos <= end) & Claim.status.not_in(unfiled)

        def ever(*statuses: str):
            return ClaimStatusChange.select(ClaimStatusChange.claim).where(
                ClaimStatusChange.to_status.in_(statuses)
            )

        # Counted by the database off the covering indexes: half a million claims a quarter
        # at a million accounts would take a second to bring into Python.
        submitted = Claim.select().where(filed).count()
        denied = Claim.select().where(filed & Claim.id.in_(ever("denied"))).count()
        troubled = Claim.select().where(filed & Claim.id.in_(ever("denied", "rejected"))).count()

        le = LedgerEntry
        money = (
            le.select(
                fn.SUM(Case(None, [(le.kind == EntryKind.CHARGE.value,
                                    le.insurance_delta + le.patient_delta)], 0)),
                fn.SUM(Case(None, [(le.kind == EntryKind.PAYMENT.value,
                                    le.insurance_delta + le.patient_delta)], 0)),
                fn.SUM(Case(None, [((le.kind == EntryKind.ADJUSTMENT.value)
                                    & (le.group_code == "CO"),
                                    le.insurance_delta + le.patient_delta)], 0)),
            )
            .where((le.effective_date >= start) & (le.effective_date <= end))
            .tuples()
            .first()
        )  # fmt: skip
        charges, payments, contractual = (int(v or 0) for v in money or (0, 0, 0))
        aging = self.aging(end)
        receivable = sum(r.total for r in aging)
        over_90 = sum(r.days_91_120 + r.days_over_120 for r in aging)
        collectible = charges + contractual  # contractual adjustments are negative deltas
        daily_charges = charges / days if days else 0

        def rate(n: int, d: int) -> str:
            return f"{100 * n / d:.1f}%" if d else "n/a"

        return [
            KpiRow("clean-claim rate", rate(submitted - troubled, submitted),
                   submitted - troubled, submitted,
                   "claims filed with no rejection or denial, of all filed (by DOS)"),
            KpiRow("denial rate", rate(denied, submitted), denied, submitted,
                   "claims denied at least once, of all filed (by DOS)"),
            KpiRow("days in A/R",
                   f"{receivable / daily_charges:.1f} days" if daily_charges else "n/a",
                   receivable, charges,
                   f"A/R on {end.isoformat()} / the period's average daily charges", True),
            KpiRow("net collection rate", rate(-payments, collectible), -payments, collectible,
                   "payments / (charges - contractual adjustments), in the period", True),
            KpiRow("A/R over 90 days", rate(over_90, receivable), over_90, receivable,
                   f"of all A/R on {end.isoformat()}, by date of service", True),
        ]  # fmt: skip
