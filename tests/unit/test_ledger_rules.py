"""The ledger's rules: which deltas each kind of entry may carry, reversals, and A/R aging."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing_tui.domain.ledger import (
    AGE_BUCKETS,
    Deltas,
    EntryKind,
    LedgerError,
    age_bucket,
    bucket_dos_range,
    check_deltas,
    reversal_of,
)

TODAY = dt.date(2026, 11, 24)
RAISING = (EntryKind.CHARGE, EntryKind.LATE_FEE, EntryKind.REFUND)
LOWERING = (EntryKind.PAYMENT, EntryKind.ADJUSTMENT)


@pytest.mark.parametrize("kind", list(EntryKind))
def test_an_entry_must_move_money(kind):
    with pytest.raises(LedgerError, match="must move money"):
        check_deltas(kind, 0, 0)


@pytest.mark.parametrize("kind", RAISING)
@pytest.mark.parametrize(("insurance", "patient"), [(100, 0), (0, 100), (100, 50)])
def test_charges_fees_and_refunds_raise_a_balance(kind, insurance, patient):
    check_deltas(kind, insurance, patient)


@pytest.mark.parametrize("kind", RAISING)
@pytest.mark.parametrize(("insurance", "patient"), [(-100, 0), (0, -1), (100, -1), (-1, 100)])
def test_charges_fees_and_refunds_cannot_lower_a_balance(kind, insurance, patient):
    with pytest.raises(LedgerError, match="can only raise"):
        check_deltas(kind, insurance, patient)


@pytest.mark.parametrize("kind", LOWERING)
@pytest.mark.parametrize(("insurance", "patient"), [(-100, 0), (0, -100), (-100, -50)])
def test_payments_and_adjustments_lower_a_balance(kind, insurance, patient):
    check_deltas(kind, insurance, patient)


@pytest.mark.parametrize("kind", LOWERING)
@pytest.mark.parametrize(("insurance", "patient"), [(100, 0), (0, 1), (-100, 1), (1, -100)])
def test_payments_and_adjustments_cannot_raise_a_balance(kind, insurance, patient):
    with pytest.raises(LedgerError, match="can only lower"):
        check_deltas(kind, insurance, patient)


@pytest.mark.parametrize(("insurance", "patient"), [(-2_500, 2_500), (2_500, -2_500), (-1, 1)])
def test_a_transfer_moves_money_between_the_balances(insurance, patient):
    check_deltas(EntryKind.TRANSFER, insurance, patient)


@pytest.mark.parametrize(("insurance", "patient"), [(-2_500, 2_499), (100, 0), (0, -100), (5, 5)])
def test_a_transfer_must_cancel(insurance, patient):
    with pytest.raises(LedgerError, match="must cancel"):
        check_deltas(EntryKind.TRANSFER, insurance, patient)


@given(st.integers(-(10**9), 10**9), st.integers(-(10**9), 10**9))
def test_a_reversal_is_the_exact_negative(insurance, patient):
    reversed_ = reversal_of(insurance, patient)
    assert reversed_ == Deltas(-insurance, -patient)
    assert reversal_of(reversed_.insurance, reversed_.patient) == Deltas(insurance, patient)


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-5, "0-30"),  # a date of service in the future is current
        (0, "0-30"),
        (30, "0-30"),
        (31, "31-60"),
        (60, "31-60"),
        (61, "61-90"),
        (90, "61-90"),
        (91, "91-120"),
        (120, "91-120"),
        (121, "120+"),
        (5_000, "120+"),
    ],
)
def test_age_bucket_boundaries(days, bucket):
    assert age_bucket(TODAY - dt.timedelta(days=days), TODAY) == bucket


def test_no_open_charge_has_no_bucket():
    assert age_bucket(None, TODAY) == ""


def test_bucket_dos_range_of_the_ends():
    assert bucket_dos_range("0-30", TODAY) == (TODAY - dt.timedelta(days=30), None)
    assert bucket_dos_range("31-60", TODAY) == (
        TODAY - dt.timedelta(days=60),
        TODAY - dt.timedelta(days=31),
    )
    assert bucket_dos_range("120+", TODAY) == (None, TODAY - dt.timedelta(days=121))


def test_unknown_bucket_is_refused():
    with pytest.raises(ValueError, match="unknown age bucket"):
        bucket_dos_range("30-60", TODAY)


def _in_range(date: dt.date, bounds: tuple[dt.date | None, dt.date | None]) -> bool:
    earliest, latest = bounds
    return (earliest is None or date >= earliest) and (latest is None or date <= latest)


@given(
    dos=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31)),
    today=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2035, 12, 31)),
)
def test_bucket_dos_range_agrees_with_age_bucket(dos, today):
    """The store filters by the date range; the queue shows age_bucket: they must agree."""
    labels = [label for label, _, _ in AGE_BUCKETS]
    containing = [label for label in labels if _in_range(dos, bucket_dos_range(label, today))]
    assert containing == [age_bucket(dos, today)]
