"""Closing the day: its figures agree with the batches, and a closed day takes no posting
until a supervisor reopens it (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from store_builders import TODAY

from billing_tui.sample import generate
from billing_tui.store import StoreRefused
from billing_tui.store.models import LedgerEntry, PaymentBatch
from billing_tui.store.records import BatchDraft, EntryDraft, PatientPaymentDraft
from billing_tui.store.session import PermissionRefused


def test_the_day_close_totals_are_the_batches_control_totals(store):
    generate(store.db, 300, seed=4, as_of=TODAY)
    days = [
        d for (d,) in PaymentBatch.select(PaymentBatch.deposit_date).distinct().limit(8).tuples()
    ]
    assert days
    for day in days:
        rows = store.day_close.report(day)
        batches = list(PaymentBatch.select().where(PaymentBatch.deposit_date == day))
        (total,) = [r for r in rows if r.section == "total"]
        assert total.control == sum(b.control_total_cents for b in batches)
        assert total.posted == sum(b.posted_total_cents for b in batches)
        assert total.unapplied == total.control - total.posted
        assert len([r for r in rows if r.section == "batch"]) == len(batches)
        lines = (
            LedgerEntry.select()
            .where((LedgerEntry.effective_date == day) & (LedgerEntry.kind != "charge"))
            .count()
        )
        assert sum(r.lines for r in rows if r.section == "user") == lines


def test_a_closed_day_takes_no_posting_until_a_supervisor_reopens_it(store, practice):
    day = TODAY - dt.timedelta(days=1)
    pid = practice.patient("Cruz", "Ana")
    batch = store.posting.open_batch(BatchDraft("patient", day, 2_000, method="mixed"))
    store.posting.post_patient_payment(batch, PatientPaymentDraft(pid, 2_000, "cash", day))
    with pytest.raises(StoreRefused, match="close its batches first"):
        store.day_close.close(day)
    store.posting.close_batch(batch)
    store.day_close.close(day)
    assert store.day_close.status(day).closed
    entries = LedgerEntry.select().count()
    for refused in (
        lambda: store.posting.open_batch(BatchDraft("patient", day, 500, method="mixed")),
        lambda: store.posting.post_patient_payment(
            None, PatientPaymentDraft(pid, 500, "cash", day)
        ),
        lambda: store.ledger.post([EntryDraft(pid, "adjustment", 0, -100, effective_date=day)]),
    ):
        with pytest.raises(StoreRefused, match="is closed"):
            refused()
    assert LedgerEntry.select().count() == entries
    store.ledger.post([EntryDraft(pid, "charge", 0, 900, effective_date=day)])  # a late visit
    store.users.add("ada", "Ada", "admin", "correct horse battery")
    store.users.add("kim", "Kim", "specialist", "correct horse battery")
    store.users.act_as("kim")
    with pytest.raises(PermissionRefused, match="needs a supervisor"):
        store.day_close.reopen(day, "a check found in the drawer")
    store.users.act_as("ada")
    with pytest.raises(StoreRefused, match="say why"):
        store.day_close.reopen(day, " ")
    store.day_close.reopen(day, "a check found in the drawer")
    status = store.day_close.status(day)
    assert not status.closed and status.reopen_reason == "a check found in the drawer"
    store.posting.post_patient_payment(None, PatientPaymentDraft(pid, 500, "cash", day))
    with pytest.raises(StoreRefused, match="not before"):
        store.day_close.close(TODAY + dt.timedelta(days=1))
