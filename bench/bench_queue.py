"""Benchmark the account queue on a big practice: each Store call beside the raw SQL it runs.

    python bench/bench_queue.py                    # 1,000,000 accounts in bench/out/1m.db
    python bench/bench_queue.py --accounts 100000 --db /tmp/100k.db

Builds the database first if it does not exist (and reports the build time).
For every operation it prints the Store's time (median of --repeat warm runs,
and the first, cold run), the floor (the very same SQL statements, executed
and fetched with the bare sqlite3 module: no peewee, no dataclasses), and the
ratio. This is a benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from billing_tui.domain.queue import Flag, QueueFilter
from billing_tui.store import Store

HERE = Path(__file__).resolve().parent
TARGET_MS = 50.0
TARGET_RATIO = 3.0


class _Capture(logging.Handler):
    """Collects the (sql, params) peewee logs for each statement it runs."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[tuple[str, tuple]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.msg, tuple) and len(record.msg) == 2:
            sql, params = record.msg
            self.statements.append((sql, tuple(params or ())))


def build(path: Path, accounts: int, seed: int) -> float | None:
    if path.exists():
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    print(f"Building {accounts:,} accounts in {path} ...", flush=True)
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "billing_tui",
            "--db",
            str(path),
            "init",
            "--sample",
            str(accounts),
            "--seed",
            str(seed),
        ],
        check=True,
    )
    return time.perf_counter() - started


def measure(
    store: Store, raw: sqlite3.Connection, repeat: int, action: Callable[[], object]
) -> tuple[float, float, float, int]:
    """(cold ms, warm median ms, floor median ms, statements) for one Store call."""
    logger = logging.getLogger("peewee")
    capture = _Capture()
    logger.addHandler(capture)
    logger.setLevel(logging.DEBUG)
    try:
        started = time.perf_counter()
        action()
        cold = (time.perf_counter() - started) * 1000
    finally:
        logger.removeHandler(capture)
        logger.setLevel(logging.WARNING)
    statements = capture.statements
    warm = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        warm.append((time.perf_counter() - started) * 1000)
    floor = []
    for _ in range(repeat):
        started = time.perf_counter()
        for sql, params in statements:
            raw.execute(sql, params).fetchall()
        floor.append((time.perf_counter() - started) * 1000)
    return cold, statistics.median(warm), statistics.median(floor), len(statements)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()
    path = args.db or HERE / "out" / (
        "1m.db" if args.accounts == 1_000_000 else f"{args.accounts}.db"
    )

    seconds = build(path, args.accounts, args.seed)
    if seconds is not None:
        print(
            f"build: {seconds:.1f} s for {args.accounts:,} accounts "
            f"({os.path.getsize(path) / 1e9:.2f} GB)  target <= 300 s"
        )

    store = Store.open(str(path), username="bench")
    raw = sqlite3.connect(str(path))
    accounts = raw.execute("SELECT COUNT(*) FROM patient").fetchone()[0]
    sample = raw.execute(
        "SELECT p.id, p.account_number, p.search_last, p.dob, c.claim_number FROM patient p "
        "JOIN claim c ON c.patient_id = p.id WHERE p.id = ?",
        (accounts // 2,),
    ).fetchone()
    patient_id, account_number, last_key, dob, claim_number = sample
    payer = store.accounts.payers()[0]
    print(f"database: {path} ({accounts:,} accounts), SQLite {sqlite3.sqlite_version}")
    print()

    rows: list[tuple[str, tuple[float, float, float, int]]] = []

    def run(label: str, action: Callable[[], object]) -> None:
        rows.append((label, measure(store, raw, args.repeat, action)))

    run("queue: first page", lambda: store.queue.page())
    first = store.queue.page()
    cursor = first.next_cursor
    run("queue: page down (2nd page)", lambda: store.queue.page(after=cursor))
    deep = first
    for _ in range(20):
        deep = store.queue.page(after=deep.next_cursor)
    deep_cursor = deep.next_cursor
    run("queue: page down (22nd page)", lambda: store.queue.page(after=deep_cursor))
    for text in _keystrokes(last_key[:5]):
        run(f"search keystroke {text!r}", lambda text=text: store.queue.page(text))
    for text in _keystrokes(f"{last_key[:5]}, a"):
        if "," in text:
            run(f"search keystroke {text!r}", lambda text=text: store.queue.page(text))
    for text in _keystrokes(account_number):
        run(f"search keystroke {text!r}", lambda text=text: store.queue.page(text))
    run(f"search claim {claim_number!r}", lambda: store.queue.page(claim_number))
    dob_text = dt.date.fromisoformat(dob).strftime("%m/%d/%Y")
    run(f"search DOB {dob_text!r}", lambda: store.queue.page(dob_text))
    run("search 10 KB paste", lambda: store.queue.page("x" * 10_000))
    run(
        "filter: age 91-120",
        lambda: store.queue.page(queue_filter=QueueFilter(age_bucket="91-120")),
    )
    run(
        f"filter: payer {payer.name}",
        lambda: store.queue.page(queue_filter=QueueFilter(payer_id=payer.id)),
    )
    run(
        "filter: denied claim", lambda: store.queue.page(queue_filter=QueueFilter(flag=Flag.DENIED))
    )
    run(
        "filter: credit balance",
        lambda: store.queue.page(queue_filter=QueueFilter(flag=Flag.CREDIT)),
    )
    run(
        "filter: follow-ups due",
        lambda: store.queue.page(queue_filter=QueueFilter(follow_up_due=True)),
    )
    run("open an account", lambda: store.accounts.get(patient_id))

    print(
        f"{'operation':<40} {'cold ms':>8} {'warm ms':>8} {'floor ms':>9} {'ratio':>6} {'sql':>4}"
    )
    worst_ms = worst_ratio = 0.0
    for label, (cold, warm, floor, statements) in rows:
        ratio = warm / floor if floor else float("inf")
        print(f"{label:<40} {cold:8.2f} {warm:8.2f} {floor:9.2f} {ratio:6.2f} {statements:4d}")
        if label.startswith(("queue: first", "search keystroke")):
            worst_ms = max(worst_ms, warm, cold)
            worst_ratio = max(worst_ratio, ratio)
    print()
    print(
        f"queue first page and search keystrokes: worst {worst_ms:.2f} ms (target <= {TARGET_MS:.0f}), "
        f"worst ratio {worst_ratio:.2f}x the raw SQL floor (target <= {TARGET_RATIO:.0f}x)"
    )
    store.close()
    return 0


def _keystrokes(text: str) -> list[str]:
    return [text[: i + 1] for i in range(len(text))]


if __name__ == "__main__":
    sys.exit(main())
