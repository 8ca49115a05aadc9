"""An import killed in the middle (SIGKILL, in a subprocess) leaves nothing of its file
posted, and running it again posts all of it, once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from era_builders import claims_for_835

from billing_tui.store.models import LedgerEntry, Payment, PaymentBatch, RemittanceImport

SAMPLE = "stupidedi-multiple-claims-single-check.x12"

CHILD = textwrap.dedent(
    """
    import pathlib, sys, time
    import billing_tui.store.remittances as remittances
    from billing_tui.store import Store

    db, era, ready = sys.argv[1:4]
    real_insert = remittances.insert_rows

    def insert_then_stall(model, fields, rows):
        real_insert(model, fields, rows)
        if model.__name__ == "LedgerEntry":  # the entries are written, not yet committed
            pathlib.Path(ready).write_text("posting")
            time.sleep(60)

    remittances.insert_rows = insert_then_stall
    store = Store.open(db, username="importer")
    store.remittances.import_file(era)
    """
)


def posted() -> dict:
    return {
        "entries": LedgerEntry.select().where(LedgerEntry.kind != "charge").count(),
        "payments": Payment.select().count(),
        "batches": PaymentBatch.select().count(),
        "imports": RemittanceImport.select().count(),
    }


def test_a_killed_import_posts_nothing_and_runs_again(practice, db_url, tmp_path):
    from pathlib import Path

    store = practice.store
    sample = Path(__file__).parent.parent / "x12" / "samples" / "835" / SAMPLE
    claims_for_835(practice, sample)
    era = tmp_path / "era.x12"
    era.write_bytes(sample.read_bytes())
    before = posted()
    ready = tmp_path / "ready"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, db_url, str(era), str(ready)],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert child.poll() is None, "the import ended before it was killed"
            assert time.monotonic() < deadline, "the import never reached its postings"
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    assert posted() == before  # nothing of that file
    assert store.verify().ok
    result = store.remittances.import_file(era)
    assert result.payments[0].status == "posted"
    assert result.payments[0].count("posted") == 9
    after = posted()
    assert after["batches"] == before["batches"] + 1 and after["payments"] == 9
    assert store.remittances.import_file(era).payments[0].status == "duplicate"
    assert posted() == after
    assert store.verify().ok
