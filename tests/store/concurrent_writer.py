"""One writer of the concurrency test (and of bench/bench_concurrency.py): posts patient
payments to overlapping accounts until its time is up, and says which ones it posted.

    python concurrent_writer.py URL NAME START_AT SECONDS PATIENT_IDS OUT.json

START_AT is a wall-clock time (time.time()) that every writer waits for, so they all
write at once. Each payment's memo is NAME-N: the test finds every one of them exactly once.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

from billing_tui.store import Store
from billing_tui.store.records import PatientPaymentDraft

TODAY = dt.date(2026, 11, 24)


def main(url: str, name: str, start_at: float, seconds: float, patients: list[int], out: str):
    store = Store.open(url, username=name, today=lambda: TODAY)
    store.session.user_id()  # enrolled before the clock starts
    posted: list[str] = []
    failures: list[str] = []
    time.sleep(max(0.0, start_at - time.time()))
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        n += 1
        memo = f"{name}-{n}"
        draft = PatientPaymentDraft(
            patient_id=patients[n % len(patients)],
            amount=100 + n % 37,
            method="cash",
            received_date=TODAY,
            memo=memo,
        )
        try:
            store.posting.post_patient_payment(None, draft)
        except Exception as error:  # every failure is the test's finding: keep them all
            failures.append(f"{type(error).__name__}: {error}")
        else:
            posted.append(memo)
    store.close()
    with open(out, "w", encoding="utf-8") as file:
        json.dump({"posted": posted, "failures": failures, "seconds": seconds}, file)


def run_writers(
    url: str,
    patients: list[int],
    names: list[str],
    seconds: float,
    out_dir: Path,
    *,
    start_delay: float = 3.0,
) -> list[dict]:
    """Start one writer process per name, all writing at once for `seconds`; their reports
    (a writer that died reports that as its failure). start_delay: time for every writer to
    start Python and open the store before the clock starts."""
    start_at = time.time() + start_delay
    outs = [out_dir / f"{name}.json" for name in names]
    ids = ",".join(str(p) for p in patients)
    processes = [
        subprocess.Popen([sys.executable, __file__, url, name, str(start_at), str(seconds), ids,
                          str(out)])
        for name, out in zip(names, outs, strict=True)
    ]  # fmt: skip
    results = []
    for process, out in zip(processes, outs, strict=True):
        process.wait(timeout=seconds + start_delay + 120)
        if process.returncode != 0 or not out.exists():
            results.append({"posted": [], "failures": [f"writer exited {process.returncode}"]})
        else:
            results.append(json.loads(out.read_text()))
    return results


if __name__ == "__main__":
    url, name, start_at, seconds, patients, out = sys.argv[1:7]
    main(url, name, float(start_at), float(seconds), [int(p) for p in patients.split(",")], out)
