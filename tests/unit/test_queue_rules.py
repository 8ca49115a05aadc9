"""The queue's rules: work priority and the flags an account carries."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing_tui.domain.queue import Flag, QueueFilter, QueuePolicy, account_flags, priority_key

TODAY = dt.date(2026, 11, 24)
DAY = dt.timedelta(days=1)

balances = st.integers(min_value=-(10**11) + 1, max_value=10**11 - 1)
open_dates = st.none() | st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2150, 12, 31))
accounts = st.lists(st.tuples(balances, open_dates), max_size=40)


def work_order(account: tuple[int, dt.date | None]) -> tuple:
    """Larger balance first, then older open charge first, no open charge last."""
    balance, dos = account
    return (-balance, dos is None, dos or dt.date.min)


@given(accounts)
def test_priority_key_sorts_like_balance_then_age(accounts):
    by_key = sorted(accounts, key=lambda a: priority_key(*a))
    by_rule = sorted(accounts, key=work_order)
    assert [work_order(a) for a in by_key] == [work_order(a) for a in by_rule]


@given(st.tuples(balances, open_dates), st.tuples(balances, open_dates))
def test_priority_key_is_equal_only_for_equal_accounts(first, second):
    assert (priority_key(*first) == priority_key(*second)) == (
        work_order(first) == work_order(second)
    )


def test_priority_key_examples():
    old, new = dt.date(2026, 1, 1), dt.date(2026, 11, 1)
    assert priority_key(50_000, new) < priority_key(10_000, old)  # larger balance first
    assert priority_key(10_000, old) < priority_key(10_000, new)  # then the older charge
    assert priority_key(10_000, new) < priority_key(10_000, None)  # nothing open: last
    assert priority_key(0, None) < priority_key(-500, old)  # credit balances at the bottom


def test_priority_key_clamps_absurd_balances():
    assert priority_key(10**15, TODAY) <= priority_key(10**11 - 1, TODAY)
    assert priority_key(-(10**15), TODAY) >= priority_key(-(10**11) + 1, TODAY)


def flags(**overrides) -> tuple[Flag, ...]:
    facts = {
        "insurance_balance": 0,
        "patient_balance": 0,
        "denied_claims": 0,
        "last_statement": None,
        "has_primary": True,
        "primary_verified": TODAY,
        "primary_ends": None,
        "plan_next_due": None,
        "today": TODAY,
        "policy": QueuePolicy(),  # the defaults: a statement cycle and staleness of 30 days
    }
    facts.update(overrides)
    return account_flags(**facts)


def test_a_clean_account_has_no_flags():
    assert flags() == ()
    assert flags(has_primary=False, primary_verified=None) == ()


def test_denied():
    assert flags(denied_claims=2) == (Flag.DENIED,)


@pytest.mark.parametrize(
    ("patient_balance", "last_statement", "due"),
    [
        (1, None, True),
        (0, None, False),
        (-100, None, False),
        (500, TODAY - 30 * DAY, True),  # a whole cycle ago
        (500, TODAY - 29 * DAY, False),
        (500, TODAY, False),
    ],
)
def test_statement_due(patient_balance, last_statement, due):
    assert (
        Flag.STATEMENT_DUE in flags(patient_balance=patient_balance, last_statement=last_statement)
    ) is due


@pytest.mark.parametrize(
    ("verified", "stale"),
    [(None, True), (TODAY, False), (TODAY - 30 * DAY, False), (TODAY - 31 * DAY, True)],
)
def test_unverified(verified, stale):
    assert (Flag.UNVERIFIED in flags(primary_verified=verified)) is stale


def test_no_primary_means_no_coverage_flags():
    assert flags(has_primary=False, primary_verified=None, primary_ends=TODAY - DAY) == ()


@pytest.mark.parametrize(
    ("ends", "expired"),
    [(None, False), (TODAY, False), (TODAY + DAY, False), (TODAY - DAY, True)],
)
def test_expired(ends, expired):
    assert (Flag.EXPIRED in flags(primary_ends=ends)) is expired


@pytest.mark.parametrize(
    ("insurance", "patient", "credit"),
    [(0, 0, False), (-1, 0, True), (0, -1, True), (500, -400, False), (400, -500, True)],
)
def test_credit(insurance, patient, credit):
    assert (Flag.CREDIT in flags(insurance_balance=insurance, patient_balance=patient)) is credit


@pytest.mark.parametrize(
    ("next_due", "grace", "missed"),
    [
        (None, 5, False),  # no plan, or paid up
        (TODAY, 5, False),
        (TODAY + DAY, 0, False),
        (TODAY - 5 * DAY, 5, False),  # the last day of grace
        (TODAY - 6 * DAY, 5, True),
        (TODAY - DAY, 0, True),
        (TODAY, 0, False),
    ],
)
def test_plan_missed(next_due, grace, missed):
    policy = QueuePolicy(plan_grace_days=grace)
    assert (Flag.PLAN_MISSED in flags(plan_next_due=next_due, policy=policy)) is missed


def test_every_flag_at_once_in_a_stable_order():
    assert flags(
        denied_claims=1,
        insurance_balance=-900,
        patient_balance=100,
        primary_verified=None,
        primary_ends=TODAY - DAY,
        plan_next_due=TODAY - 30 * DAY,
    ) == (
        Flag.DENIED,
        Flag.STATEMENT_DUE,
        Flag.PLAN_MISSED,
        Flag.EXPIRED,
        Flag.UNVERIFIED,
        Flag.CREDIT,
    )


def test_each_flag_has_a_letter_and_a_label():
    assert len({flag.value for flag in Flag}) == len(Flag)
    assert all(len(flag.value) == 1 and flag.label for flag in Flag)


def test_queue_filter_active():
    assert not QueueFilter().active
    assert QueueFilter(age_bucket="31-60").active
    assert QueueFilter(payer_id=3).active
    assert QueueFilter(flag=Flag.DENIED).active
    assert QueueFilter(follow_up_due=True).active
