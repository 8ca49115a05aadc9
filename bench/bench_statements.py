"""Benchmark a statement run: 10,000 statements printed and recorded, time, pages per second
and peak memory, beside fpdf2 drawing the very same pages with nothing else (the floor).

    python bench/bench_statements.py                # 10,000 statements, 3 runs
    python bench/bench_statements.py --statements 2000 --runs 5

The practice is the synthetic sample (`init --sample`), made once as of today with
enough accounts that at least N are due a statement (about a quarter of the sample's
accounts owe 5.00 or more and had none in the last 30 days). Each run copies that
database and runs `billing-tui statements --out DIR --limit N` in a fresh process,
timing the whole command (start-up, choosing the accounts, reading their ledgers,
building and drawing the statements, writing the PDF, recording the run) and its peak
RSS. The floor: the statements that run recorded are read back, drawn once through
bench/statement_floor.py's recording proxy of FPDF (untimed) to capture every call that
reaches fpdf2, and those calls are replayed on a blank FPDF in a fresh process: only the
replay and the output of the bytes are timed. A benchmark: it prints figures and ratios
and asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import pickle
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TARGET_RATIO = 1.5
DUE_SHARE = 0.22  # the sample's accounts due a statement on a given day, a little under


def build(db: Path, accounts: int) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "billing_tui", "--db", str(db), "init", "--sample", str(accounts)],
        check=True, capture_output=True,
    )  # fmt: skip
    print(f"built a {accounts:,}-account practice in {time.perf_counter() - started:.1f} s")


def fresh_copy(db: Path) -> Path:
    work = db.with_name(db.stem + "-run.db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(db, work)
    return work


def run_statements(db: Path, count: int, out: Path) -> dict:
    work = fresh_copy(db)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    command = ["/usr/bin/time", "-f", "%e %M", sys.executable, "-m", "billing_tui",
               "--db", str(work), "--user", "bench", "statements", "--out", str(out),
               "--limit", str(count)]  # fmt: skip
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode:
        sys.exit(f"statements failed: {completed.stderr.strip()[-500:]}")
    seconds, kb = completed.stderr.strip().splitlines()[-1].split()
    (pdf,) = out.glob("statements-*.pdf")
    return {
        "seconds": float(seconds), "peak_mb": int(kb) / 1024, "out": completed.stdout,
        "bytes": pdf.stat().st_size, "db": work,
    }  # fmt: skip


def recorded_calls(work_db: Path, calls_file: Path) -> tuple[int, int]:
    """Read the run's statements back and capture the fpdf2 calls that draw them."""
    sys.path.insert(0, str(HERE))
    from statement_floor import record

    from billing_tui.domain.statements import StatementContent
    from billing_tui.store import Store
    from billing_tui.store.models import Statement

    store = Store.open(str(work_db), username="bench")
    try:
        run_id = Statement.select(Statement.run).order_by(Statement.id.desc()).limit(1).scalar()
        rows = Statement.select(Statement.content, Statement.pages).where(
            Statement.run == run_id
        ).order_by(Statement.id)  # fmt: skip
        contents, pages = [], 0
        for content, count in rows.tuples():
            contents.append(StatementContent.from_json(content))
            pages += count
    finally:
        store.close()
    calls = record(contents)
    with calls_file.open("wb") as file:
        pickle.dump(calls, file, protocol=pickle.HIGHEST_PROTOCOL)
    return len(contents), pages


FLOOR = """
import pickle, sys, time, gc
sys.path.insert(0, sys.argv[2])
from statement_floor import replay
calls = pickle.load(open(sys.argv[1], "rb"))
gc.collect()
started = time.perf_counter()
data = replay(calls)
open(sys.argv[3], "wb").write(data)
print(time.perf_counter() - started)
"""


def run_floor(calls_file: Path, out: Path) -> dict:
    command = ["/usr/bin/time", "-f", "%e %M", sys.executable, "-c", FLOOR, str(calls_file),
               str(HERE), str(out)]  # fmt: skip
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode:
        sys.exit(f"the floor failed: {completed.stderr.strip()[-500:]}")
    _, kb = completed.stderr.strip().splitlines()[-1].split()
    return {"seconds": float(completed.stdout.strip()), "peak_mb": int(kb) / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    accounts = int(args.statements / DUE_SHARE)
    db = args.out / f"statements-{accounts}-{dt.date.today():%Y%m%d}.db"
    if args.rebuild or not db.exists():
        build(db, accounts)
    scratch = Path(tempfile.mkdtemp(prefix="bench-statements-"))
    try:
        ours, floor = [], []
        calls_file = scratch / "calls.pickle"
        for n in range(args.runs):
            ours.append(run_statements(db, args.statements, scratch / "pdf"))
            if n == 0:
                printed, pages = recorded_calls(ours[0]["db"], calls_file)
            floor.append(run_floor(calls_file, scratch / "floor.pdf"))
        floor_bytes = (scratch / "floor.pdf").stat().st_size
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(ours[-1]["out"].splitlines()[0][:200])
    seconds = statistics.median(r["seconds"] for r in ours)
    base = statistics.median(r["seconds"] for r in floor)
    runs = ", ".join(f"{r['seconds']:.2f}" for r in ours)
    floors = ", ".join(f"{r['seconds']:.2f}" for r in floor)
    print(f"statements, {printed:,} statements on {pages:,} pages: median {seconds:.2f} s "
          f"(runs {runs}), {pages / seconds:,.0f} pages/s, peak RSS "
          f"{max(r['peak_mb'] for r in ours):.0f} MB, {ours[-1]['bytes'] / 1e6:.1f} MB of PDF")  # fmt: skip
    print(f"fpdf2 floor (the same {pages:,} pages replayed): median {base:.2f} s (runs {floors}), "
          f"{pages / base:,.0f} pages/s, peak RSS {max(r['peak_mb'] for r in floor):.0f} MB "
          f"(holding the recorded calls), {floor_bytes / 1e6:.1f} MB of PDF")  # fmt: skip
    print(
        f"ratio: {seconds / base:.2f}x the floor (target <= {TARGET_RATIO}x); ours is the "
        "whole command from start-up, the floor only the drawing"
    )


if __name__ == "__main__":
    main()
