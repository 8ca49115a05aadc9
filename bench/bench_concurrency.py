"""Benchmark concurrent writers: 1, then 4, posting payments to the same six accounts at once.

    python bench/bench_concurrency.py                          # 30 s a run, SQLite and PostgreSQL
    python bench/bench_concurrency.py --seconds 10 --pg postgresql://user@host:5432/db
    python bench/bench_concurrency.py --no-pg

Builds a sample practice (--accounts, default 1,000) on a temp SQLite file and, unless
--no-pg, in a fresh schema of the PostgreSQL database --pg (dropped afterwards; skipped
if it cannot be reached). On each, picks six accounts every writer shares, runs one
writer and then four (tests/store/concurrent_writer.py, a process each, all starting
at the same instant) for --seconds, and prints the payments per second; then checks
that every payment the writers reported is in the books exactly once and nothing else
was added, that no call failed (and how many of the failures said "database is
locked"), that verify passes and that the audit chain holds (read as the sample admin).
A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from billing_tui.sample import generate
from billing_tui.store import Store
from billing_tui.store.models import Patient, Payment

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WRITER = ROOT / "tests" / "store" / "concurrent_writer.py"
sys.path.insert(0, str(WRITER.parent))
from concurrent_writer import run_writers as start_writers  # noqa: E402  (as the test runs them)

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
TODAY = dt.date(2026, 11, 24)  # the writers' today
SHARED_ACCOUNTS = 6
START_DELAY_S = 3.0  # every writer has started Python and opened the store by then
TARGET_WRITERS = 4


@dataclass
class Run:
    writers: int
    seconds: float
    posted: int
    failures: list[str]
    locked: int
    exactly_once: bool
    verify_ok: bool
    verify_note: str
    chain_ok: bool
    chain_note: str

    @property
    def per_second(self) -> float:
        return self.posted / self.seconds

    @property
    def clean(self) -> bool:
        return self.exactly_once and not self.failures and self.verify_ok and self.chain_ok


def build(url: str, accounts: int) -> tuple[list[int], float]:
    """The sample practice at url; the ids of the accounts the writers share."""
    started = time.perf_counter()
    store = Store.open(url, username="bench", today=lambda: TODAY)
    try:
        generate(store.db, accounts, seed=11, as_of=TODAY)
        query = Patient.select(Patient.id).order_by(Patient.id).limit(SHARED_ACCOUNTS)
        patients = [p for (p,) in query.tuples()]
    finally:
        store.close()
    return patients, time.perf_counter() - started


def run_writers(url: str, patients: list[int], writers: int, seconds: float, tmp: Path) -> Run:
    prefix = f"w{writers}x"
    before = _payments(url)
    names = [f"{prefix}{n}" for n in range(writers)]
    results = start_writers(url, patients, names, seconds, tmp, start_delay=START_DELAY_S)
    posted = [memo for r in results for memo in r["posted"]]
    failures = [f for r in results for f in r["failures"]]

    store = Store.open(url, username="rpatel-admin")  # the sample's admin may read the audit
    try:
        memos = [
            m
            for (m,) in Payment.select(Payment.memo).where(Payment.memo.startswith(prefix)).tuples()
        ]
        total = Payment.select().count()
        exactly_once = (
            sorted(memos) == sorted(posted)
            and len(set(memos)) == len(memos)
            and total == before + len(posted)
        )
        report = store.verify()
        chain = store.audit.verify()
    finally:
        store.close()
    return Run(
        writers=writers,
        seconds=seconds,
        posted=len(posted),
        failures=failures,
        locked=sum("database is locked" in f for f in failures),
        exactly_once=exactly_once,
        verify_ok=report.ok,
        verify_note="" if report.ok else str(report.violations[:3]),
        chain_ok=chain.ok,
        chain_note=f"{chain.rows:,} rows" if chain.ok else chain.problem,
    )


def _payments(url: str) -> int:
    store = Store.open(url, username="bench")
    try:
        return Payment.select().count()
    finally:
        store.close()


def bench(label: str, url: str, args: argparse.Namespace, tmp: Path) -> list[Run]:
    patients, seconds = build(url, args.accounts)
    print(
        f"{label}: {args.accounts:,} accounts built in {seconds:.1f} s; shared accounts {patients}"
    )
    runs = []
    for writers in (1, TARGET_WRITERS):
        run = run_writers(url, patients, writers, args.seconds, tmp)
        runs.append(run)
        print(
            f"  {writers} writer{'s' if writers > 1 else ' '} x {args.seconds:g} s: "
            f"{run.posted:,} payments, {run.per_second:.1f}/s "
            f"({run.per_second / writers:.1f}/s a writer); "
            f"exactly once {'yes' if run.exactly_once else 'NO'}, "
            f"failures {len(run.failures)} ({run.locked} 'database is locked'), "
            f"verify {'ok' if run.verify_ok else 'FAILED ' + run.verify_note}, "
            f"audit chain {'ok' if run.chain_ok else 'BROKEN'} ({run.chain_note})",
            flush=True,
        )
        for failure in run.failures[:3]:
            print(f"    e.g. {failure}")
    return runs


def pg_schema(base: str):
    """tests/pg_schema.py's fresh_schema: a URL on a new schema, dropped afterwards."""
    sys.path.insert(0, str(ROOT / "tests"))
    from pg_schema import fresh_schema

    return fresh_schema(base)


def pg_reachable(base: str) -> str:
    """'' if base answers, else why not."""
    try:
        import psycopg2

        from billing_tui.store.db import _postgres

        db = _postgres(base)
        params = {"connect_timeout": 3, **db.connect_params}
        psycopg2.connect(dbname=db.database, **params).close()
    except Exception as error:  # the reason goes in the report: PostgreSQL is optional
        return f"{type(error).__name__}: {str(error).strip().splitlines()[0]}"
    return ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="each run's length")
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--pg", default=DEFAULT_PG, help=f"PostgreSQL URL (default {DEFAULT_PG})")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    args = parser.parse_args()

    results: dict[str, list[Run]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-concurrency-") as name:
        tmp = Path(name)
        results["SQLite"] = bench("SQLite (WAL file)", str(tmp / "bench.db"), args, tmp)
        if not args.no_pg:
            why = pg_reachable(args.pg)
            if why:
                print(f"PostgreSQL: skipped, {args.pg} cannot be reached ({why})")
            else:
                with pg_schema(args.pg) as url:
                    results["PostgreSQL"] = bench("PostgreSQL (fresh schema)", url, args, tmp)

    print()
    print(f"{'backend':<12} {'1 writer /s':>12} {'4 writers /s':>13} {'4 vs 1':>7} {'clean':>6}")
    for backend, (one, four) in results.items():
        clean = "yes" if one.clean and four.clean else "NO"
        ratio = four.per_second / one.per_second if one.per_second else float("inf")
        print(
            f"{backend:<12} {one.per_second:12.1f} {four.per_second:13.1f} {ratio:6.2f}x {clean:>6}"
        )
    runs = [run for backend in results.values() for run in backend]
    lost = sum(not run.exactly_once for run in runs)
    failures = sum(len(run.failures) for run in runs)
    locked = sum(run.locked for run in runs)
    print(
        f"\n{TARGET_WRITERS} writers x {args.seconds:g} s on {' and '.join(results)}: "
        f"{'0 lost or duplicated payments' if not lost else f'{lost} runs with lost or duplicated payments'}, "
        f"{failures} failures ({locked} 'database is locked'), verify and audit chain "
        f"{'ok' if all(run.verify_ok and run.chain_ok for run in runs) else 'NOT ok'} "
        f"(target: 0 lost or duplicated, 0 'database is locked', on SQLite and PostgreSQL)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
