"""The account queue: pages of accounts in work order, or in search order, straight off an index.

A page never sorts more rows than it returns. The queue is split into
segments (follow-ups due, then everything else by priority_key; or, for a
search, one segment per reading of the search text), each ordered by an
index, and a cursor remembers the segment and the last row's sort key.

This is the hottest read in the app (every keystroke of a search), so its
SQL is written here as text with placeholders rather than built by peewee
per call: the peewee query builder and row conversion cost five times the
query itself (bench/bench_queue.py). Every value still goes in as a
parameter; nothing typed is ever part of the SQL text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import NamedTuple

from peewee import Database, PostgresqlDatabase

from ..domain.ledger import age_bucket, bucket_dos_range
from ..domain.queue import Flag, QueueFilter, QueuePolicy, account_flags, credit_priority_floor
from ..domain.search import (
    AccountSearch,
    ClaimSearch,
    Criterion,
    DobSearch,
    NameSearch,
    code_key,
    parse_search,
    prefix_upper_bound,
)
from .records.queue import QueueCursor, QueuePage, QueueRow

PAGE_SIZE = 50

_COLUMNS = (
    "p.id, p.account_number, p.last_name, p.first_name, p.dob, pay.name, "
    "s.insurance_balance_cents, s.patient_balance_cents, s.oldest_open_dos, s.last_payment_date, "
    "s.next_follow_up, s.last_statement_date, s.denied_claims, s.primary_payer_id, "
    "s.primary_verified, s.primary_ends, s.plan_next_due"
)
_WIDTH = 17  # columns above; the sort key follows them
_FROM_SUMMARY = (
    "FROM account_summary s JOIN patient p ON p.id = s.patient_id "
    "LEFT JOIN payer pay ON pay.id = s.primary_payer_id"
)
_FROM_CLAIMS = (
    "FROM claim c JOIN patient p ON p.id = c.patient_id "
    "JOIN account_summary s ON s.patient_id = p.id "
    "LEFT JOIN payer pay ON pay.id = s.primary_payer_id"
)


class _Sql(NamedTuple):
    """A piece of SQL with '?' placeholders and the values that fill them, in order."""

    text: str
    params: tuple = ()

    def __and__(self, other: _Sql) -> _Sql:
        return _Sql(f"({self.text}) AND ({other.text})", self.params + other.params)

    def __or__(self, other: _Sql) -> _Sql:
        return _Sql(f"({self.text}) OR ({other.text})", self.params + other.params)

    def __invert__(self) -> _Sql:
        return _Sql(f"NOT ({self.text})", self.params)


def _all(conditions: Sequence[_Sql]) -> _Sql | None:
    combined = None
    for condition in conditions:
        combined = condition if combined is None else combined & condition
    return combined


class _Segment(NamedTuple):
    """One index-ordered slice of the queue."""

    where: _Sql | None
    order: tuple[str, ...]  # columns; the last is unique, so the key is a total order
    via_claims: bool = False


def _each_account_once(segments: list[_Segment]) -> list[_Segment]:
    """An account found by one reading of a search is not listed again by a later one.

    The cursor only knows its own segment, so a page cannot remember what an
    earlier segment listed: each segment leaves out what the earlier ones match.
    (A claim search, which needs the claim table, is always the last reading.)
    """
    result: list[_Segment] = []
    earlier: _Sql | None = None
    for segment in segments:
        where = segment.where if earlier is None else (segment.where & ~earlier)
        result.append(_Segment(where, segment.order, segment.via_claims))
        if not segment.via_claims:
            earlier = segment.where if earlier is None else (earlier | segment.where)
    return result


def _date(value) -> dt.date | None:
    """SQLite hands dates back as ISO text, PostgreSQL as dates."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


class QueueReader:
    def __init__(self, db: Database, today: Callable[[], dt.date], policy: QueuePolicy) -> None:
        self._db = db
        self._today = today
        self._policy = policy
        self._postgres = isinstance(db, PostgresqlDatabase)

    def page(
        self,
        search: str = "",
        queue_filter: QueueFilter = QueueFilter(),
        after: QueueCursor | None = None,
        limit: int = PAGE_SIZE,
    ) -> QueuePage:
        """The next `limit` accounts after the cursor (from the top when after is None)."""
        today = self._today()
        segments = self._segments(search, queue_filter, today)
        extra = self._filter(queue_filter, today)
        rows: list[QueueRow] = []
        seen: set[int] = set()
        for index in range(after.segment if after else 0, len(segments)):
            key = after.key if after and index == after.segment else ()
            want = limit - len(rows)
            fetched = self._fetch(segments[index], extra, key, want + 1)
            for raw in fetched[:want]:
                if raw[0] not in seen:
                    seen.add(raw[0])
                    rows.append(self._row(raw, today))
            if len(fetched) > want:
                last_key = tuple(fetched[want - 1][_WIDTH:])
                return QueuePage(tuple(rows), QueueCursor(index, last_key))
            if len(rows) >= limit and index + 1 < len(segments):
                return QueuePage(tuple(rows), QueueCursor(index + 1, ()))
        return QueuePage(tuple(rows), None)

    # ------------------------------------------------------------------ queries

    def _segments(self, search: str, queue_filter: QueueFilter, today: dt.date) -> list[_Segment]:
        due = _Sql("s.next_follow_up <= ?", (today.isoformat(),))
        if not search.strip():
            segments = [_Segment(due, ("s.next_follow_up", "s.priority_key", "s.patient_id"))]
            if not queue_filter.follow_up_due:
                not_due = _Sql(
                    "s.next_follow_up IS NULL OR s.next_follow_up > ?", (today.isoformat(),)
                )
                segments.append(_Segment(not_due, ("s.priority_key", "s.patient_id")))
            return segments
        segments = _each_account_once(
            [self._search_segment(c) for c in parse_search(search, today=today)]
        )
        if queue_filter.follow_up_due:
            segments = [
                _Segment(due if s.where is None else (s.where & due), s.order, s.via_claims)
                for s in segments
            ]
        return segments

    @staticmethod
    def _search_segment(criterion: Criterion) -> _Segment:
        by_name = ("p.search_last", "p.search_first", "p.id")
        match criterion:
            case NameSearch(last, first):
                where = _Sql(
                    "p.search_last >= ? AND p.search_last < ?", (last, prefix_upper_bound(last))
                )
                if first:
                    where &= _Sql(
                        "p.search_first >= ? AND p.search_first < ?",
                        (first, prefix_upper_bound(first)),
                    )
                return _Segment(where, by_name)
            case DobSearch(dob):
                return _Segment(_Sql("p.dob = ?", (dob.isoformat(),)), by_name)
            case AccountSearch(prefix):
                where = _Sql(
                    "p.account_number >= ? AND p.account_number < ?",
                    (prefix, prefix_upper_bound(prefix)),
                )
                return _Segment(where, ("p.account_number",))
            case ClaimSearch(prefix):
                prefix = code_key(prefix)
                upper = prefix_upper_bound(prefix)
                # One row per account: its first matching claim, so no page repeats it.
                where = _Sql(
                    "c.claim_number >= ? AND c.claim_number < ? AND NOT EXISTS ("
                    "SELECT 1 FROM claim o WHERE o.patient_id = c.patient_id "
                    "AND o.claim_number >= ? AND o.claim_number < c.claim_number)",
                    (prefix, upper, prefix),
                )
                return _Segment(where, ("c.claim_number", "c.id"), via_claims=True)
        raise TypeError(criterion)

    def _filter(self, queue_filter: QueueFilter, today: dt.date) -> _Sql | None:
        """The filters as SQL: the store's reading of domain.queue's rules (a test keeps them equal)."""
        conditions: list[_Sql] = []
        if queue_filter.age_bucket:
            earliest, latest = bucket_dos_range(queue_filter.age_bucket, today)
            conditions.append(_Sql("s.oldest_open_dos IS NOT NULL"))
            if earliest is not None:
                conditions.append(_Sql("s.oldest_open_dos >= ?", (earliest.isoformat(),)))
            if latest is not None:
                conditions.append(_Sql("s.oldest_open_dos <= ?", (latest.isoformat(),)))
        if queue_filter.payer_id:
            conditions.append(_Sql("s.primary_payer_id = ?", (queue_filter.payer_id,)))
        if queue_filter.flag:
            conditions.append(self._flag_condition(queue_filter.flag, today))
        return _all(conditions)

    def _flag_condition(self, flag: Flag, today: dt.date) -> _Sql:
        policy = self._policy
        match flag:
            case Flag.DENIED:
                return _Sql("s.denied_claims > 0")
            case Flag.STATEMENT_DUE:
                cutoff = today - dt.timedelta(days=policy.statement_cycle_days)
                return _Sql(
                    "s.patient_balance_cents > 0 AND "
                    "(s.last_statement_date IS NULL OR s.last_statement_date <= ?)",
                    (cutoff.isoformat(),),
                )
            case Flag.UNVERIFIED:
                stale = today - dt.timedelta(days=policy.verification_stale_days)
                return _Sql(
                    "s.primary_payer_id IS NOT NULL AND "
                    "(s.primary_verified IS NULL OR s.primary_verified < ?)",
                    (stale.isoformat(),),
                )
            case Flag.EXPIRED:
                return _Sql(
                    "s.primary_payer_id IS NOT NULL AND s.primary_ends < ?", (today.isoformat(),)
                )
            case Flag.CREDIT:
                # Credits all sort after this key: a range on the queue's index, not a scan.
                return _Sql(
                    "s.priority_key >= ? AND s.insurance_balance_cents + s.patient_balance_cents < 0",
                    (credit_priority_floor(),),
                )
            case Flag.PLAN_MISSED:
                # account_flags: plan_next_due + grace < today, as a range on the column.
                cutoff = today - dt.timedelta(days=policy.plan_grace_days)
                return _Sql("s.plan_next_due < ?", (cutoff.isoformat(),))
        raise TypeError(flag)

    def _fetch(self, segment: _Segment, extra: _Sql | None, key: tuple, count: int) -> list:
        conditions = [c for c in (segment.where, extra) if c is not None]
        if key:
            marks = ", ".join("?" * len(key))
            conditions.append(_Sql(f"({', '.join(segment.order)}) > ({marks})", tuple(key)))
        where = _all(conditions)
        source = _FROM_CLAIMS if segment.via_claims else _FROM_SUMMARY
        text = (
            f"SELECT {_COLUMNS}, {', '.join(segment.order)} {source}"
            f"{' WHERE ' + where.text if where else ''} "
            f"ORDER BY {', '.join(segment.order)} LIMIT ?"
        )
        params = (*(where.params if where else ()), count)
        if self._postgres:
            text = text.replace("?", "%s")
        return self._db.execute_sql(text, params).fetchall()

    def _row(self, raw: tuple, today: dt.date) -> QueueRow:
        (pid, account, last, first, dob, payer, insurance, patient, oldest, last_payment,
         follow_up, last_statement, denied, primary_payer, verified, ends,
         plan_next_due) = raw[:_WIDTH]  # fmt: skip
        oldest = _date(oldest)
        follow_up = _date(follow_up)
        flags = account_flags(
            insurance_balance=insurance,
            patient_balance=patient,
            denied_claims=denied,
            last_statement=_date(last_statement),
            has_primary=primary_payer is not None,
            primary_verified=_date(verified),
            primary_ends=_date(ends),
            today=today,
            policy=self._policy,
            plan_next_due=_date(plan_next_due),
        )
        return QueueRow(
            patient_id=pid,
            account_number=account,
            last_name=last,
            first_name=first,
            dob=_date(dob),
            primary_payer=payer or "Self-pay",
            insurance_balance=insurance,
            patient_balance=patient,
            oldest_open_dos=oldest,
            age_bucket=age_bucket(oldest, today),
            last_payment_date=_date(last_payment),
            next_follow_up=follow_up,
            follow_up_due=follow_up is not None and follow_up <= today,
            flags=flags,
        )
