"""Four writers on one set of books at once, for 30 seconds (BILLING_TUI_CONCURRENCY_SECONDS
shortens it on a laptop): every payment is there exactly once, nobody got "database is
locked", and verify passes. On a SQLite file (WAL) and on PostgreSQL."""

from __future__ import annotations

import os

from concurrent_writer import run_writers

from billing_tui.sample import generate
from billing_tui.store import Store
from billing_tui.store.models import Patient, Payment

WRITERS = 4
SECONDS = float(os.environ.get("BILLING_TUI_CONCURRENCY_SECONDS", "30"))


def test_four_writers_post_every_payment_exactly_once(db_url, tmp_path):
    import datetime as dt

    store = Store.open(db_url, username="tester", today=lambda: dt.date(2026, 11, 24))
    try:
        generate(store.db, 30, seed=11, as_of=dt.date(2026, 11, 24))
        # Six accounts shared by all four writers: they collide on every account's summary.
        patients = [p for (p,) in Patient.select(Patient.id).order_by(Patient.id).limit(6).tuples()]
        before = Payment.select().count()
    finally:
        store.close()

    names = [f"writer{n}" for n in range(WRITERS)]
    results = run_writers(db_url, patients, names, SECONDS, tmp_path)

    failures = [f for r in results for f in r["failures"]]
    assert failures == [], failures[:5]
    posted = [memo for r in results for memo in r["posted"]]
    assert len(posted) > WRITERS * SECONDS  # at least a write a second each: not starved
    store = Store.open(db_url, username="rpatel-admin")  # the sample's admin reads the audit
    try:
        memos = [
            m
            for (m,) in Payment.select(Payment.memo)
            .where(Payment.memo.startswith("writer"))
            .tuples()
        ]
        assert sorted(memos) == sorted(posted)  # none lost, none twice
        assert len(set(memos)) == len(memos)
        assert Payment.select().count() == before + len(posted)
        report = store.verify()
        assert report.ok, report.violations[:3]
        chain = store.audit.verify()  # writers took turns at the chain's end: no fork
        assert chain.ok, chain.problem
        assert chain.rows >= len(posted)
    finally:
        store.close()
    print(f"{len(posted) / SECONDS:.0f} payments/s by {WRITERS} writers on {db_url[:10]}")
