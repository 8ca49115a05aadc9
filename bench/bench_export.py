"""Benchmark the 837P export: 10,000 ready claims to one file, its time and peak memory.

    python bench/bench_export.py                       # 10,000 claims, in bench/out/export.db
    python bench/bench_export.py --claims 2000 --db /tmp/export.db

Builds a synthetic practice (billing_tui.sample.generate) big enough, then makes
exactly --claims of its insured, billed claims ready: only ones the scrubber
passes, so that every one of them goes. Each run copies that database and
exports it in a fresh process (so the peak RSS is the export's own), timing:
- the whole export as `billing-tui export-837` runs it, cold: the ICD-10-CM code
  set is read first (once per process, before the write lock);
- the export with that code set already read (what a second export in a
  long-running session costs).
It prints the figures beside the target. A benchmark: it asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET_SECONDS = 5.0
AS_OF = dt.date(2026, 11, 24)
READY_SQL_CHUNK = 500


def build(path: Path, claims: int) -> None:
    """The practice, with exactly `claims` clean insured claims moved to ready."""
    from billing_tui.sample import generate
    from billing_tui.store import Store
    from billing_tui.store.models import Claim

    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    store = Store.open(str(path), username="bench", today=lambda: AS_OF)
    accounts = claims  # about 1.6 claims an account; some fail the scrubber or are self-pay
    started = time.perf_counter()
    summary = generate(store.db, accounts, seed=7, as_of=AS_OF)
    print(f"built {summary.accounts:,} accounts, {summary.claims:,} claims "
          f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
    # Every status from submitted on has its charges on the ledger, like ready: moving
    # one back to ready keeps the books whole. Keep the ones the scrubber passes.
    candidates = [
        i
        for (i,) in Claim.select(Claim.id)
        .where(
            Claim.coverage.is_null(False)
            & Claim.status.not_in(["draft", "voided"])
            & (Claim.frequency == "1")
        )
        .order_by(Claim.status != "ready", Claim.last_dos.desc())  # the ready ones count too
        .tuples()
    ]
    from billing_tui.store.submission import load_details

    clean: list[int] = []
    for start in range(0, len(candidates), 2_000):
        details = load_details(candidates[start : start + 2_000])
        findings = store.claims.scrub_details(details)
        clean += [d.id for d in details if not any(f.blocks for f in findings[d.id])]
        if len(clean) >= claims:
            break
    clean = clean[:claims]
    if len(clean) < claims:
        raise SystemExit(f"only {len(clean):,} clean claims: build a bigger practice")
    with store.db.atomic():
        for start in range(0, len(clean), READY_SQL_CHUNK):
            Claim.update(status="ready").where(
                Claim.id.in_(clean[start : start + READY_SQL_CHUNK])
            ).execute()
    store.close()
    print(f"{len(clean):,} claims ready")


def run_once(db: Path, out: Path, warm: bool) -> dict:
    """Export in this process; prints a JSON line of figures (called in a child process)."""
    import resource

    from billing_tui.store import Store
    from billing_tui.store.submission import Submissions

    store = Store.open(str(db), username="bench", today=lambda: AS_OF)
    if warm:
        store.claims.warm_scrubber()
    started = time.perf_counter()
    result = Submissions(store).export_837(out, production=False)
    seconds = time.perf_counter() - started
    store.close()
    figures = {
        "seconds": seconds,
        "sent": len(result.sent),
        "held": len(result.held),
        "bytes": out.stat().st_size,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print(json.dumps(figures))
    return figures


def child(db: Path, out: Path, warm: bool) -> dict:
    work = db.with_name(db.stem + "-run.db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(db, work)
    command = [sys.executable, __file__, "--child", str(work), str(out)]
    if warm:
        command.append("--warm")
    completed = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--db", type=Path, default=HERE / "out" / "export.db")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--warm", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_once(args.child[0], args.child[1], args.warm)
        return
    if args.rebuild or not args.db.exists():
        build(args.db, args.claims)
    out = args.db.with_name("export.x12")
    for label, warm in (("cold (reads the ICD-10-CM code set first)", False),
                        ("warm (code set already read)", True)):  # fmt: skip
        runs = [child(args.db, out, warm) for _ in range(args.runs)]
        seconds = statistics.median(r["seconds"] for r in runs)
        rss = max(r["peak_rss_mb"] for r in runs)
        first = runs[0]
        each = ", ".join(f"{r['seconds']:.2f}" for r in runs)
        verdict = "meets" if seconds <= TARGET_SECONDS else "MISSES"
        print(
            f"export-837, {label}: {first['sent']:,} claims sent, {first['held']:,} held, "
            f"{first['bytes'] / 1e6:.1f} MB file; median {seconds:.2f} s of {args.runs} "
            f"(each: {each}); "
            f"peak RSS {rss:.0f} MB; target <= {TARGET_SECONDS:.0f} s: {verdict} "
            f"({seconds / TARGET_SECONDS:.2f}x of the budget)"
        )


if __name__ == "__main__":
    main()
