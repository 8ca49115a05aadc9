"""Benchmark every report on the 1,000,000-account practice, beside the issue's targets.

    python bench/bench_reports.py                 # on bench/out/1m.db (build it with bench_queue.py)
    python bench/bench_reports.py --db PATH --runs 3

Each report runs through the Store as `billing-tui report` runs it (every row read, none
printed), warm (after one run that is not counted): the median and worst of --runs.
Targets: aging <= 1 s; every other report <= 2 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from billing_tui.reports import REPORTS  # noqa: E402
from billing_tui.store import Store  # noqa: E402
from billing_tui.store.reports import Period  # noqa: E402

TARGETS = {"aging": 1.0}
DEFAULT_TARGET = 2.0
# The listings of an earlier issue (one row per claim, denial or batch): streamed to a file,
# their time is the size of the practice; no target.
LISTINGS = {
    "claims",
    "denial-list",
    "batches",
    "aging-patients",
}  # aging-patients: an account a row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=HERE / "out" / "1m.db")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", nargs="*", help="these reports only")
    args = parser.parse_args()
    if not args.db.exists():
        parser.error(f"{args.db} does not exist: build it with bench/bench_queue.py")
    started = time.perf_counter()
    store = Store.open(str(args.db), username="rpatel-admin")  # migrates on first open
    print(f"opened {args.db} in {time.perf_counter() - started:.1f} s "
          f"(schema {store.schema_version()})")  # fmt: skip
    today = store.today()
    print(f"today {today}; {args.runs} runs each after a warm-up run\n")
    print(f"{'report':<15}{'rows':>9}{'median s':>10}{'worst s':>9}{'target s':>10}  ok")
    failed = 0
    try:
        for name, report in REPORTS.items():
            if args.only and name not in args.only:
                continue
            period = Period()
            count = sum(1 for _ in report.rows(store, period))  # warm-up
            times = []
            for _ in range(args.runs):
                t = time.perf_counter()
                count = sum(1 for _ in report.rows(store, period))
                times.append(time.perf_counter() - t)
            target = None if name in LISTINGS else TARGETS.get(name, DEFAULT_TARGET)
            ok = target is None or max(times) <= target
            failed += not ok
            shown = f"{target:>10.1f}" if target is not None else f"{'listing':>10}"
            verdict = "yes" if target is not None and ok else "NO" if not ok else "-"
            print(f"{name:<15}{count:>9,}{statistics.median(times):>10.3f}{max(times):>9.3f}"
                  f"{shown}  {verdict}")  # fmt: skip
    finally:
        store.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
