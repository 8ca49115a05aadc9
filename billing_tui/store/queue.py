"""The account queue: pages of accounts in work order, or in search order, straight off an index.

A page never sorts more rows than it returns. The queue is split into
segments (follow-ups due, then everything else by priority_key; or, for a
search, one segment per reading of the search text), each ordered by an
index, and a cursor remembers the segment and the last row's sort key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from peewee import JOIN, Expression, Tuple, fn

from ..domain.ledger import age_bucket, bucket_dos_range
from ..domain.queue import Flag, QueueFilter, QueuePolicy, account_flags
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
from .models import AccountSummary, Claim, Patient, Payer
from .records import QueueCursor, QueuePage, QueueRow

PAGE_SIZE = 50

S = AccountSummary
P = Patient

_ROW_COLUMNS = (
    P.id,
    P.account_number,
    P.last_name,
    P.first_name,
    P.dob,
    Payer.name,
    S.insurance_balance_cents,
    S.patient_balance_cents,
    S.oldest_open_dos,
    S.last_payment_date,
    S.next_follow_up,
    S.last_statement_date,
    S.denied_claims,
    S.primary_payer,
    S.primary_verified,
    S.primary_ends,
)


@dataclass(frozen=True)
class _Segment:
    """One index-ordered slice of the queue."""

    where: Expression | None
    order: tuple  # columns; the last is unique, so the key is a total order
    via_claims: bool = False


def _each_account_once(segments: list[_Segment]) -> list[_Segment]:
    """An account found by one reading of a search is not listed again by a later one.

    The cursor only knows its own segment, so a page cannot remember what an
    earlier segment listed: each segment leaves out what the earlier ones match.
    (A claim search, which needs the claim table, is always the last reading.)
    """
    result: list[_Segment] = []
    earlier: Expression | None = None
    for segment in segments:
        where = segment.where if earlier is None else (segment.where & ~earlier)
        result.append(_Segment(where, segment.order, segment.via_claims))
        if not segment.via_claims:
            earlier = segment.where if earlier is None else (earlier | segment.where)
    return result


class QueueReader:
    def __init__(self, today: Callable[[], dt.date], policy: QueuePolicy) -> None:
        self._today = today
        self._policy = policy

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
                if raw[0] not in seen:  # a claim search finds an account once per claim
                    seen.add(raw[0])
                    rows.append(self._row(raw, today))
            if len(fetched) > want:
                last_key = tuple(fetched[want - 1][len(_ROW_COLUMNS) :])
                return QueuePage(tuple(rows), QueueCursor(index, last_key))
            if len(rows) >= limit and index + 1 < len(segments):
                return QueuePage(tuple(rows), QueueCursor(index + 1, ()))
        return QueuePage(tuple(rows), None)

    # ------------------------------------------------------------------ queries

    def _segments(self, search: str, queue_filter: QueueFilter, today: dt.date) -> list[_Segment]:
        due = S.next_follow_up <= today
        if not search.strip():
            segments = [_Segment(due, (S.next_follow_up, S.priority_key, S.patient))]
            if not queue_filter.follow_up_due:
                not_due = S.next_follow_up.is_null() | (S.next_follow_up > today)
                segments.append(_Segment(not_due, (S.priority_key, S.patient)))
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
        by_name = (P.search_last, P.search_first, P.id)
        match criterion:
            case NameSearch(last, first):
                where = (P.search_last >= last) & (P.search_last < prefix_upper_bound(last))
                if first:
                    where &= (P.search_first >= first) & (
                        P.search_first < prefix_upper_bound(first)
                    )
                return _Segment(where, by_name)
            case DobSearch(dob):
                return _Segment(P.dob == dob, by_name)
            case AccountSearch(prefix):
                where = (P.account_number >= prefix) & (
                    P.account_number < prefix_upper_bound(prefix)
                )
                return _Segment(where, (P.account_number,))
            case ClaimSearch(prefix):
                prefix = code_key(prefix)
                upper = prefix_upper_bound(prefix)
                where = (Claim.claim_number >= prefix) & (Claim.claim_number < upper)
                # One row per account: its first matching claim, so no page repeats it.
                other = Claim.alias("other")
                where &= ~fn.EXISTS(
                    other.select(other.id).where(
                        (other.patient == Claim.patient)
                        & (other.claim_number >= prefix)
                        & (other.claim_number < Claim.claim_number)
                    )
                )
                return _Segment(where, (Claim.claim_number,), via_claims=True)
        raise TypeError(criterion)

    def _filter(self, queue_filter: QueueFilter, today: dt.date) -> Expression | None:
        """The filters as SQL: the store's reading of domain.queue's rules (a test keeps them equal)."""
        conditions: list[Expression] = []
        if queue_filter.age_bucket:
            earliest, latest = bucket_dos_range(queue_filter.age_bucket, today)
            conditions.append(S.oldest_open_dos.is_null(False))
            if earliest is not None:
                conditions.append(S.oldest_open_dos >= earliest)
            if latest is not None:
                conditions.append(S.oldest_open_dos <= latest)
        if queue_filter.payer_id:
            conditions.append(S.primary_payer == queue_filter.payer_id)
        if queue_filter.flag:
            conditions.append(self._flag_condition(queue_filter.flag, today))
        if not conditions:
            return None
        combined = conditions[0]
        for condition in conditions[1:]:
            combined &= condition
        return combined

    def _flag_condition(self, flag: Flag, today: dt.date) -> Expression:
        policy = self._policy
        match flag:
            case Flag.DENIED:
                return S.denied_claims > 0
            case Flag.STATEMENT_DUE:
                cutoff = today - dt.timedelta(days=policy.statement_cycle_days)
                return (S.patient_balance_cents > 0) & (
                    S.last_statement_date.is_null() | (S.last_statement_date <= cutoff)
                )
            case Flag.UNVERIFIED:
                stale = today - dt.timedelta(days=policy.verification_stale_days)
                return S.primary_payer.is_null(False) & (
                    S.primary_verified.is_null() | (S.primary_verified < stale)
                )
            case Flag.EXPIRED:
                return S.primary_payer.is_null(False) & (S.primary_ends < today)
            case Flag.CREDIT:
                return (S.insurance_balance_cents + S.patient_balance_cents) < 0
        raise TypeError(flag)

    def _fetch(self, segment: _Segment, extra: Expression | None, key: tuple, count: int):
        if segment.via_claims:
            query = (
                Claim.select(*_ROW_COLUMNS, *segment.order, Claim.id)
                .join(P, on=(P.id == Claim.patient))
                .join(S, on=(S.patient == P.id))
            )
            order = (*segment.order, Claim.id)
        else:
            query = S.select(*_ROW_COLUMNS, *segment.order).join(P, on=(P.id == S.patient))
            order = segment.order
        query = query.join(Payer, JOIN.LEFT_OUTER, on=(Payer.id == S.primary_payer))
        conditions = [c for c in (segment.where, extra) if c is not None]
        if key:
            conditions.append(Tuple(*order) > Tuple(*key))
        for condition in conditions:
            query = query.where(condition)
        return list(query.order_by(*order).limit(count).tuples())

    def _row(self, raw: tuple, today: dt.date) -> QueueRow:
        (
            pid,
            account,
            last,
            first,
            dob,
            payer,
            insurance,
            patient,
            oldest,
            last_payment,
            follow_up,
            last_statement,
            denied,
            primary_payer,
            verified,
            ends,
        ) = raw[: len(_ROW_COLUMNS)]
        flags = account_flags(
            insurance_balance=insurance,
            patient_balance=patient,
            denied_claims=denied,
            last_statement=last_statement,
            has_primary=primary_payer is not None,
            primary_verified=verified,
            primary_ends=ends,
            today=today,
            policy=self._policy,
        )
        return QueueRow(
            patient_id=pid,
            account_number=account,
            last_name=last,
            first_name=first,
            dob=dob,
            primary_payer=payer or "Self-pay",
            insurance_balance=insurance,
            patient_balance=patient,
            oldest_open_dos=oldest,
            age_bucket=age_bucket(oldest, today),
            last_payment_date=last_payment,
            next_follow_up=follow_up,
            follow_up_due=follow_up is not None and follow_up <= today,
            flags=flags,
        )
