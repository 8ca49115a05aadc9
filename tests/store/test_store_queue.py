"""The account queue: work order, keyset paging, and filters that agree with the domain's rules.

A varied practice is built once per backend through the Store; the expected queue is
computed in Python from each account's view (balances, claims, follow-ups), so the
SQL that pages and filters is checked against the rules in billing_tui.domain.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

import pytest
from store_builders import TODAY, Clock, Practice, build_practice

from billing_tui.domain.ledger import AGE_BUCKETS, age_bucket
from billing_tui.domain.queue import Flag, QueueFilter, priority_key
from billing_tui.store import Store
from billing_tui.store.records import PatientPaymentDraft, QueueRow

DAY = dt.timedelta(days=1)
AGES = (0, 10, 30, 31, 45, 60, 61, 75, 90, 91, 120, 121, 200, 400)


def build_population(practice: Practice, clock, count: int = 36) -> list[int]:
    """Accounts in every bucket, with every flag, every payer, due and later follow-ups, ties."""
    store = practice.store
    rng = random.Random(20261124)
    payers = list(practice.payers)
    patients = []
    for i in range(count):
        clock.today = TODAY
        last = "Last" + "abcdefghijklmnopqrstuvwxyz"[i // 10] + "abcdefghij"[i % 10]  # Lastaa...
        pid = practice.patient(
            last, "First" + "abcde"[i % 5], dt.date(1950 + i, 1 + i % 12, 1 + i % 28)
        )
        patients.append(pid)
        coverage = ends = None
        if i % 5:
            payer = payers[i % len(payers)]
            ends = TODAY - (i % 3) * DAY if i % 5 == 3 else None  # ends today, yesterday or before
            coverage = practice.coverage(pid, payer, end_date=ends)
            if i % 5 in (1, 3):
                practice.verified_on(coverage, TODAY - (29 + i % 4) * DAY)  # 29..32 days ago
        if i % 9 == 8:
            continue  # an account with nothing on it: ties on balance, no open charge
        for age in rng.sample(AGES, rng.randrange(1, 4)):  # one claim a visit: no duplicates
            dos = TODAY - age * DAY
            charges = [rng.choice((5_000, 10_000, 12_500))] * rng.randrange(1, 3)
            # Insurance is billed for what it covered, in time (365 days): else the patient.
            covered = coverage and (ends is None or dos <= ends) and age <= 365
            to_insurance = coverage if covered and rng.random() < 0.7 else None
            claim = practice.claim(pid, *charges, dos=dos, coverage_id=to_insurance)
            if rng.random() < 0.15:
                continue  # left in draft: not on the ledger
            store.claims.set_status(claim, "ready")
            total = sum(charges)
            which = "insurance" if to_insurance else "patient"
            roll = rng.random()
            if roll < 0.2:  # paid in full: no longer open
                practice.post(pid, "payment", claim_id=claim, **{which: -total})
            elif roll < 0.4:
                practice.post(pid, "payment", claim_id=claim, **{which: -total // 2})
            elif roll < 0.55 and to_insurance:
                practice.post(pid, "transfer", insurance=-2_000, patient=2_000, claim_id=claim)
            if i % 7 == 3 and to_insurance:
                store.claims.set_status(claim, "submitted")
                store.claims.set_status(claim, "denied", "CO-16")
        if i % 11 == 4:
            practice.post(pid, "payment", patient=-60_000)  # overpaid: a credit balance
        if i in PLANS:
            plan_on(store, pid, *PLANS[i])
        if i % 6 == 2:
            practice.statement_on(pid, TODAY - 30 * DAY)  # a cycle ago: due again
        elif i % 6 == 4:
            practice.statement_on(pid, TODAY - 29 * DAY)
        if i % 4 == 1:
            clock.today = TODAY - 5 * DAY  # set days ago, due since (i % 5) days
            note = store.accounts.add_note(pid, "call back", follow_up=TODAY - (i % 5) * DAY)
            store.accounts.add_note(pid, "later", follow_up=TODAY + 7 * DAY)
            if i % 8 == 5:
                store.accounts.complete_follow_up(note)
        elif i % 4 == 2:
            store.accounts.add_note(pid, "next week", follow_up=TODAY + (1 + i % 3) * DAY)
    clock.today = TODAY
    return patients


# Payment plans, monthly instalments of 10.00, by account: (days since the start, paid).
# 40 days ago (missed), 5 days ago (the last day of grace), 6 days ago (just missed),
# 45 days ago with two instalments paid (the next is due in two weeks), paid in full.
PLANS = {1: (40, 0), 2: (5, 0), 19: (6, 0), 25: (45, 2_000), 28: (10, None)}


def plan_on(store: Store, pid: int, days: int, paid: int | None) -> None:
    """A plan of the account's whole patient balance, and what was paid toward it."""
    balance = store.accounts.get(pid).patient_balance
    store.plans.create(pid, balance, 1_000, TODAY - days * DAY, "monthly")
    amount = balance if paid is None else paid
    if amount:
        draft = PatientPaymentDraft(
            patient_id=pid, amount=amount, method="cash", received_date=TODAY
        )
        store.posting.post_patient_payment(None, draft)


def expected_row(store: Store, pid: int) -> QueueRow:
    """The queue row an account should have, from its view (the ledger, claims and notes)."""
    view = store.accounts.get(pid)
    oldest = min(
        (c.first_dos for c in view.claims if c.insurance_balance + c.patient_balance > 0),
        default=None,
    )
    follow_up = view.next_follow_up
    primary = next((c.payer_name for c in view.coverages if c.priority == 1 and c.active), None)
    payments = [
        e.effective_date
        for e in view.ledger
        if e.kind == "payment" and e.reverses is None and e.reversed_by is None
    ]
    return QueueRow(
        patient_id=pid,
        account_number=view.patient.account_number,
        last_name=view.patient.last_name,
        first_name=view.patient.first_name,
        dob=view.patient.dob,
        primary_payer=primary or "Self-pay",
        insurance_balance=view.insurance_balance,
        patient_balance=view.patient_balance,
        oldest_open_dos=oldest,
        age_bucket=age_bucket(oldest, TODAY),
        last_payment_date=max(payments, default=None),
        next_follow_up=follow_up,
        follow_up_due=follow_up is not None and follow_up <= TODAY,
        flags=view.flags,
    )


def work_order(row: QueueRow) -> tuple:
    """Due follow-ups first (earliest first), then larger balance, then older open charge."""
    key = priority_key(row.total_balance, row.oldest_open_dos)
    if row.follow_up_due:
        return (0, row.next_follow_up, key, row.patient_id)
    return (1, dt.date.min, key, row.patient_id)


def walk(store: Store, limit: int, search: str = "", queue_filter: QueueFilter = QueueFilter()):
    """Every row the queue gives, page by page; fails on a page that does not move on."""
    rows: list[QueueRow] = []
    page = store.queue.page(search, queue_filter, limit=limit)
    for _ in range(1_000):
        assert len(page.rows) <= limit
        rows.extend(page.rows)
        if page.next_cursor is None:
            return rows
        page = store.queue.page(search, queue_filter, after=page.next_cursor, limit=limit)
    raise AssertionError("the queue never ended")


@pytest.fixture(scope="module")
def built(module_db_url):
    """The practice, built once per backend: (database URL, payer ids, expected queue)."""
    clock = Clock(TODAY)
    store = Store.open(module_db_url, username="tester", today=clock)
    try:
        practice = build_practice(store)
        patients = build_population(practice, clock)
        assert store.verify().ok
        expected = sorted((expected_row(store, pid) for pid in patients), key=work_order)
    finally:
        store.close()
    return module_db_url, practice.payers, expected


@pytest.fixture
def population(built):
    url, payers, expected = built
    store = Store.open(url, username="tester", today=lambda: TODAY)
    try:
        yield store, payers, expected
    finally:
        store.close()


def test_the_population_covers_every_case(population):
    _, payers, expected = population
    assert {r.age_bucket for r in expected} == {"", *(label for label, _, _ in AGE_BUCKETS)}
    assert {flag for r in expected for flag in r.flags} == set(Flag)
    assert {r.primary_payer for r in expected} == {"Self-pay", *payers}
    due = [r for r in expected if r.follow_up_due]
    assert 0 < len(due) < len(expected)
    # Among due accounts the earliest follow-up leads, whatever the balances say.
    assert [r.next_follow_up for r in due] == sorted(r.next_follow_up for r in due)
    assert [r.total_balance for r in due] != sorted((r.total_balance for r in due), reverse=True)
    assert any(r.next_follow_up and not r.follow_up_due for r in expected)
    totals = [r.total_balance for r in expected]
    assert len(set(totals)) < len(totals)  # ties, broken by the older charge or the patient


@pytest.mark.parametrize("limit", [1, 3, 7, 50, 500])
def test_paging_walks_every_account_once_in_work_order(population, limit):
    store, _, expected = population
    rows = walk(store, limit)
    ids = [r.patient_id for r in rows]
    assert len(ids) == len(set(ids))
    assert ids == [r.patient_id for r in expected]
    assert rows == expected  # every column agrees with the account's own view


def test_the_last_page_says_nothing_follows(population):
    store, _, expected = population
    page = store.queue.page(limit=len(expected))
    assert [r.patient_id for r in page.rows] == [r.patient_id for r in expected]
    assert page.next_cursor is None
    page = store.queue.page(limit=len(expected) - 1)
    assert store.queue.page(after=page.next_cursor, limit=5).rows == (expected[-1],)


def _filters(payers: dict[str, int]) -> list[tuple[str, QueueFilter, Callable[[QueueRow], bool]]]:
    cases: list[tuple[str, QueueFilter, Callable[[QueueRow], bool]]] = []
    for label, _, _ in AGE_BUCKETS:
        cases.append(
            (f"age {label}", QueueFilter(age_bucket=label), lambda r, b=label: r.age_bucket == b)
        )
    for name, payer_id in payers.items():
        cases.append(
            (
                f"payer {name}",
                QueueFilter(payer_id=payer_id),
                lambda r, n=name: r.primary_payer == n,
            )
        )
    for flag in Flag:
        cases.append((f"flag {flag.label}", QueueFilter(flag=flag), lambda r, f=flag: f in r.flags))
    cases.append(("follow-up due", QueueFilter(follow_up_due=True), lambda r: r.follow_up_due))
    cases.append(
        (
            "61-90 and unverified",
            QueueFilter(age_bucket="61-90", flag=Flag.UNVERIFIED),
            lambda r: r.age_bucket == "61-90" and Flag.UNVERIFIED in r.flags,
        )
    )
    cases.append(
        (
            "due, Medicare, statement due",
            QueueFilter(
                follow_up_due=True,
                payer_id=payers["Medicare Part B"],
                flag=Flag.STATEMENT_DUE,
            ),
            lambda r: (
                r.follow_up_due
                and r.primary_payer == "Medicare Part B"
                and Flag.STATEMENT_DUE in r.flags
            ),
        )
    )
    return cases


def test_each_filter_gives_exactly_the_rows_with_that_property(population):
    """The SQL filters and the domain's rules (QueueRow's fields) must pick the same accounts."""
    store, payers, expected = population
    wrong = {}
    for name, queue_filter, has_it in _filters(payers):
        want = [r.patient_id for r in expected if has_it(r)]
        got = [r.patient_id for r in walk(store, 4, queue_filter=queue_filter)]
        if got != want:
            wrong[name] = {"expected": want, "got": got}
        assert 0 < len(want) < len(expected), f"{name}: the population does not test it"
    assert wrong == {}


@pytest.mark.parametrize(
    ("search", "queue_filter", "has_it"),
    [
        ("lasta", QueueFilter(flag=Flag.UNVERIFIED), lambda r: Flag.UNVERIFIED in r.flags),
        ("last", QueueFilter(follow_up_due=True), lambda r: r.follow_up_due),
        ("lastb", QueueFilter(age_bucket="120+"), lambda r: r.age_bucket == "120+"),
        ("LASTC", QueueFilter(flag=Flag.STATEMENT_DUE), lambda r: Flag.STATEMENT_DUE in r.flags),
    ],
)
def test_filters_narrow_a_search_too(population, search, queue_filter, has_it):
    store, _, expected = population
    by_name = sorted(
        expected, key=lambda r: (r.last_name.lower(), r.first_name.lower(), r.patient_id)
    )
    want = [r for r in by_name if r.last_name.lower().startswith(search.lower()) and has_it(r)]
    assert want
    assert walk(store, 2, search, queue_filter) == want
