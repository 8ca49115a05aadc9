"""Payment plans' rules: the schedule (amounts, due dates, refusals) and how a plan stands."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing_tui.domain.plans import (
    MAX_INSTALMENTS,
    Frequency,
    Instalment,
    InstalmentState,
    PlanError,
    due_date,
    next_due,
    schedule,
    standing,
)

TODAY = dt.date(2026, 11, 24)
DAY = dt.timedelta(days=1)

PAID, PARTLY, DUE, MISSED = (
    InstalmentState.PAID,
    InstalmentState.PARTLY_PAID,
    InstalmentState.DUE,
    InstalmentState.MISSED,
)


def test_instalments_of_the_same_amount_and_the_rest_last():
    plan = schedule(25_000, 10_000, dt.date(2026, 12, 1), "monthly")
    assert plan == (
        Instalment(1, dt.date(2026, 12, 1), 10_000),
        Instalment(2, dt.date(2027, 1, 1), 10_000),
        Instalment(3, dt.date(2027, 2, 1), 5_000),
    )


def test_an_exact_division_has_no_smaller_last_instalment():
    assert [i.amount for i in schedule(30_000, 10_000, TODAY, "weekly")] == [10_000] * 3


def test_one_instalment_of_the_whole_total():
    assert schedule(4_999, 4_999, TODAY, Frequency.MONTHLY) == (Instalment(1, TODAY, 4_999),)


@pytest.mark.parametrize(
    ("frequency", "dates"),
    [
        ("weekly", ["2026-11-24", "2026-12-01", "2026-12-08"]),
        ("biweekly", ["2026-11-24", "2026-12-08", "2026-12-22"]),
        ("monthly", ["2026-11-24", "2026-12-24", "2027-01-24"]),
    ],
)
def test_due_dates_by_frequency(frequency, dates):
    plan = schedule(3_000, 1_000, TODAY, frequency)
    assert [i.due.isoformat() for i in plan] == dates


def test_monthly_keeps_the_day_and_clamps_to_the_months_end():
    plan = schedule(1_300, 100, dt.date(2027, 1, 31), "monthly")
    assert [i.due.isoformat() for i in plan[:5]] == [
        "2027-01-31",
        "2027-02-28",
        "2027-03-31",
        "2027-04-30",
        "2027-05-31",
    ]
    assert plan[12].due == dt.date(2028, 1, 31)
    leap = schedule(300, 100, dt.date(2028, 1, 30), "monthly")
    assert [i.due for i in leap] == [
        dt.date(2028, 1, 30),
        dt.date(2028, 2, 29),
        dt.date(2028, 3, 30),
    ]


def test_monthly_across_years():
    assert due_date(dt.date(2026, 11, 15), Frequency.MONTHLY, 14) == dt.date(2028, 1, 15)


def test_a_count_that_adds_up_is_the_schedule_without_it():
    assert schedule(25_000, 10_000, TODAY, "monthly", 3) == schedule(
        25_000, 10_000, TODAY, "monthly"
    )
    assert len(schedule(30_000, 10_000, TODAY, "monthly", 3)) == 3


@pytest.mark.parametrize(
    ("total", "instalment", "count", "message"),
    [
        (25_000, 5_000, 4, "4 instalments of 50.00 make 200.00, not the plan's 250.00"),
        (20_000, 5_000, 5, "5 instalments of 50.00 make 250.00, not the plan's 200.00"),
        (20_001, 5_000, 4, "4 instalments of 50.00 make 200.00, not the plan's 200.01"),
    ],
)
def test_a_count_that_does_not_add_up_is_refused(total, instalment, count, message):
    with pytest.raises(PlanError) as error:
        schedule(total, instalment, TODAY, "monthly", count)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("total", "instalment", "count", "frequency", "words"),
    [
        (0, 100, None, "monthly", "total must be more than 0.00"),
        (-500, 100, None, "monthly", "total must be more than 0.00"),
        (500, 0, None, "monthly", "instalment must be more than 0.00"),
        (500, -100, None, "monthly", "instalment must be more than 0.00"),
        (500, 600, None, "monthly", "is more than the plan's total 5.00"),
        (12_100, 100, None, "monthly", "121 instalments; a plan has at most 120"),
        (12_100, 100, 121, "monthly", "at most 120"),
        (500, 100, 0, "monthly", "at least 1 instalment"),
        (500, 100, None, "yearly", "weekly, biweekly, monthly, not 'yearly'"),
        (500, 100, None, "", "not ''"),
    ],
)
def test_refusals(total, instalment, count, frequency, words):
    with pytest.raises(PlanError, match=words):
        schedule(total, instalment, TODAY, frequency, count)


def test_the_most_instalments_allowed():
    assert len(schedule(12_000, 100, TODAY, "weekly")) == MAX_INSTALMENTS


def test_frequency_parse_forgives_case_and_spaces():
    assert Frequency.parse(" Monthly ") is Frequency.MONTHLY
    assert Frequency.parse(Frequency.WEEKLY) is Frequency.WEEKLY


plans = st.builds(
    lambda total, share, start, frequency: (total, max(total // share, 1), start, frequency),
    st.integers(min_value=1, max_value=10**9),
    st.integers(min_value=1, max_value=MAX_INSTALMENTS),
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 12, 31)),
    st.sampled_from(list(Frequency)),
)


def _schedule_or_none(total, instalment, start, frequency, count=None):
    try:
        return schedule(total, instalment, start, frequency, count)
    except PlanError as error:
        assert "at most 120" in str(error)  # the only refusal these plans can meet
        return None


@given(plans)
def test_amounts_sum_to_the_total_every_one_positive_dates_increasing(plan):
    total, instalment, start, frequency = plan
    items = _schedule_or_none(total, instalment, start, frequency)
    if items is None:
        return
    assert sum(i.amount for i in items) == total
    assert all(0 < i.amount <= instalment for i in items)
    assert all(i.amount == instalment for i in items[:-1])
    assert [i.number for i in items] == list(range(1, len(items) + 1))
    assert items[0].due == start
    assert all(a.due < b.due for a, b in zip(items, items[1:], strict=False))
    assert len(items) <= MAX_INSTALMENTS


@given(plans, st.integers(min_value=-2, max_value=2))
def test_a_count_is_accepted_exactly_when_it_is_what_the_total_needs(plan, shift):
    total, instalment, start, frequency = plan
    needed = -(-total // instalment)
    count = needed + shift
    if count < 1 or needed > MAX_INSTALMENTS:
        return
    if shift:
        with pytest.raises(PlanError):
            schedule(total, instalment, start, frequency, count)
    else:
        assert len(schedule(total, instalment, start, frequency, count)) == needed


@given(plans, st.integers(min_value=0, max_value=10**9 + 10**6))
def test_standing_adds_up(plan, paid):
    total, instalment, start, frequency = plan
    items = _schedule_or_none(total, instalment, start, frequency)
    if items is None:
        return
    today = start + dt.timedelta(days=200)
    now = standing(items, paid, today, 5)
    assert sum(i.paid for i in now.instalments) == min(paid, total)
    assert now.remaining == max(total - paid, 0)
    assert 0 <= now.overdue <= now.remaining
    assert now.next_due == next_due(items, paid)
    # Payments fill instalments in order: a paid prefix, then at most one partly paid.
    covered = [i.paid == i.amount for i in now.instalments]
    assert covered == sorted(covered, reverse=True)
    assert now.behind == any(i.state is MISSED for i in now.instalments)


# --------------------------------------------------------------------------- standing

PLAN = schedule(30_000, 10_000, dt.date(2026, 10, 1), "monthly")  # Oct 1, Nov 1, Dec 1


def states(paid: int, today: dt.date, grace: int = 5) -> list[InstalmentState]:
    return [i.state for i in standing(PLAN, paid, today, grace).instalments]


def test_nothing_paid_before_the_first_due_date():
    now = standing(PLAN, 0, dt.date(2026, 9, 20), 5)
    assert [i.state for i in now.instalments] == [DUE, DUE, DUE]
    assert (now.next_due, now.overdue, now.remaining, now.behind) == (
        dt.date(2026, 10, 1),
        0,
        30_000,
        False,
    )


def test_within_the_grace_days_overdue_but_not_missed():
    now = standing(PLAN, 0, dt.date(2026, 10, 6), 5)
    assert now.overdue == 10_000 and not now.behind
    assert [i.state for i in now.instalments] == [DUE, DUE, DUE]
    late = standing(PLAN, 0, dt.date(2026, 10, 7), 5)
    assert late.behind and [i.state for i in late.instalments] == [MISSED, DUE, DUE]


def test_on_its_due_date_an_instalment_is_not_yet_overdue():
    assert standing(PLAN, 0, dt.date(2026, 10, 1), 0).overdue == 0
    assert standing(PLAN, 0, dt.date(2026, 10, 2), 0).overdue == 10_000


def test_payments_cover_instalments_in_order():
    now = standing(PLAN, 15_000, dt.date(2026, 10, 20), 5)
    assert [i.paid for i in now.instalments] == [10_000, 5_000, 0]
    assert [i.state for i in now.instalments] == [PAID, PARTLY, DUE]
    assert now.next_due == dt.date(2026, 11, 1)
    assert (now.overdue, now.remaining, now.paid) == (0, 15_000, 15_000)


def test_a_partly_paid_instalment_past_its_grace_is_missed():
    now = standing(PLAN, 15_000, dt.date(2026, 11, 10), 5)
    assert [i.state for i in now.instalments] == [PAID, MISSED, DUE]
    assert now.overdue == 5_000 and now.behind


def test_catching_up_clears_behind():
    assert standing(PLAN, 0, dt.date(2026, 11, 20), 5).overdue == 20_000
    now = standing(PLAN, 20_000, dt.date(2026, 11, 20), 5)
    assert not now.behind and now.overdue == 0 and now.next_due == dt.date(2026, 12, 1)


def test_paid_in_full_and_beyond():
    for paid in (30_000, 31_000):
        now = standing(PLAN, paid, dt.date(2027, 6, 1), 5)
        assert [i.state for i in now.instalments] == [PAID, PAID, PAID]
        assert (now.next_due, now.overdue, now.remaining, now.behind) == (None, 0, 0, False)
        assert now.paid == paid


def test_next_due_does_not_depend_on_today():
    assert next_due(PLAN, 0) == dt.date(2026, 10, 1)
    assert next_due(PLAN, 9_999) == dt.date(2026, 10, 1)
    assert next_due(PLAN, 10_000) == dt.date(2026, 11, 1)
    assert next_due(PLAN, 30_000) is None
