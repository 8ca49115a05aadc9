"""Four writers on one set of books at once, for 30 seconds (BILLING_TUI_CONCURRENCY_SECONDS
shortens it on a laptop): every payment is there exactly once, nobody got "database is
locked", and verify passes. On a SQLite file (WAL) and on PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from billing_tui.sample import generate
from billing_tui.store import Store
from billing_tui.store.models import Patient, Payment

WRITERS = 4
SECONDS = float(os.environ.get("BILLING_TUI_CONCURRENCY_SECONDS", "30"))
WRITER = Path(__file__).with_name("concurrent_writer.py")
TODAY_ISO = "2026-11-24"


def run_writers(url: str, patients: list[int], tmp_path: Path) -> list[dict]:
    start_at = time.time() + 3  # every writer has started Python and opened the store by then
    outs = [tmp_path / f"writer{n}.json" for n in range(WRITERS)]
    ids = ",".join(str(p) for p in patients)
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                str(WRITER),
                url,
                f"writer{n}",
                str(start_at),
                str(SECONDS),
                ids,
                str(out),
            ]
        )  # fmt: skip
        for n, out in enumerate(outs)
    ]
    for process in processes:
        assert process.wait(timeout=SECONDS + 120) == 0
    return [json.loads(out.read_text()) for out in outs]


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

    results = run_writers(db_url, patients, tmp_path)

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
