"""Benchmark HL7 v2 charges coming in: 10,000 DFT^P03 messages through `billing-tui import-hl7`.

    python bench/bench_hl7.py                       # 10,000 messages into a 2,000-account practice
    python bench/bench_hl7.py --messages 2000 --runs 1 --mllp

Builds a sample practice once (`billing-tui init --sample 2000 --seed 1`, kept pristine in
bench/out/hl7-2000.db) and writes N DFT^P03 messages for its accounts with make_dft.py
(1 to 4 charges each, the patient by PID-18 account number, DOS in the last 60 days).
Each run copies the pristine database, so that every run imports into the same state, and
runs `billing-tui import-hl7 FILE` on the copy in a fresh process, timing the whole
command (start-up, parsing, matching, claims, scrubbing, ACKs, commit) and its peak RSS
(os.wait4's rusage of that child alone); then imports the same file again into that copy,
where every message is a duplicate by MSH-10 and nothing should import. It checks the ACK
file written beside the input (an AA for each message's MSH-10), the draft claims added
(one per message, none the second time) and `billing-tui verify` afterwards.
A benchmark: it prints figures and checks, and asserts nothing.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TARGET_SECONDS = 20.0
TARGET = "10,000 DFT messages imported in <= 20 s"


def billing_tui(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "billing_tui", "--db", str(db), *args]


def build(db: Path, accounts: int, seed: int) -> None:
    db.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    completed = subprocess.run(
        billing_tui(db, "init", "--sample", str(accounts), "--seed", str(seed)),
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    if completed.returncode:
        sys.exit(f"init --sample failed: {completed.stderr.strip()[-500:]}")
    print(f"built the sample practice {db} ({accounts:,} accounts, seed {seed}) "
          f"in {time.perf_counter() - started:.1f} s")  # fmt: skip


def fresh_copy(pristine: Path, work: Path) -> None:
    """The pristine file, its WAL folded in first, copied over the run's database."""
    connection = sqlite3.connect(pristine)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(pristine, work)


def generate(pristine: Path, out: Path, messages: int, seed: int, mllp: bool) -> str:
    command = [sys.executable, str(HERE / "make_dft.py"), "--db", str(pristine),
               "--messages", str(messages), "--out", str(out), "--seed", str(seed)]  # fmt: skip
    if mllp:
        command.append("--mllp")
    completed = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if completed.returncode:
        sys.exit(f"make_dft.py failed: {completed.stderr.strip()[-500:]}")
    return completed.stderr.strip().splitlines()[-1]


def control_ids(path: Path) -> list[str]:
    """Every message's MSH-10, in file order."""
    text = path.read_bytes().decode("utf-8")
    return [m.split("|")[9] for m in re.findall(r"(?:^|[\r\n\x0b])(MSH\|[^\r\n]*)", text)]


def timed(command: list[str]) -> dict:
    """Run a command to its end: wall seconds, its own peak RSS, exit code and output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err, cwd=ROOT)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {"seconds": seconds, "peak_mb": usage.ru_maxrss / 1024, "rc": child.returncode,
                "out": out.read().decode(errors="replace"),
                "err": err.read().decode(errors="replace")}  # fmt: skip


def ack_paths(file: Path) -> list[Path]:
    return [Path(f"{file}.ack"), file.with_suffix(".ack")]


def read_acks(file: Path) -> tuple[Path | None, collections.Counter, list[str]]:
    """(the ACK file, its MSA-1 codes counted, its MSA-2 control IDs) of an import of `file`."""
    path = next((p for p in ack_paths(file) if p.exists()), None)
    if path is None:
        return None, collections.Counter(), []
    text = path.read_bytes().decode("utf-8", errors="replace")
    codes: collections.Counter = collections.Counter()
    echoed = []
    for segment in re.split(r"[\r\n]+", text.replace("\x0b", "\r").replace("\x1c", "\r")):
        if segment.startswith("MSA") and len(segment) > 3:
            fields = segment.split(segment[3])
            codes[fields[1] if len(fields) > 1 else ""] += 1
            echoed.append(fields[2] if len(fields) > 2 else "")
    return path, codes, echoed


def counts(db: Path) -> dict:
    connection = sqlite3.connect(db.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        claims, drafts = connection.execute(
            "SELECT count(*), coalesce(sum(status = 'draft'), 0) FROM claim"
        ).fetchone()
        try:
            inbound = dict(
                connection.execute("SELECT status, count(*) FROM inbound_message GROUP BY status")
            )
        except sqlite3.OperationalError:
            inbound = {}
    finally:
        connection.close()
    return {"claims": claims, "drafts": drafts, "inbound": inbound}


def import_hl7(db: Path, file: Path) -> dict:
    for path in ack_paths(file):
        path.unlink(missing_ok=True)
    before = counts(db)
    result = timed(billing_tui(db, "import-hl7", str(file)))
    if result["rc"] == 2 and "invalid choice: 'import-hl7'" in result["err"]:
        sys.exit("this billing-tui has no import-hl7 command yet: nothing to time")
    after = counts(db)
    result["drafts_added"] = after["drafts"] - before["drafts"]
    result["claims_added"] = after["claims"] - before["claims"]
    result["inbound"] = after["inbound"]
    result["ack"] = read_acks(file)
    if result["rc"] and result["ack"][0] is None:  # it broke, rather than refused some messages
        tail = "\n".join(result["err"].strip().splitlines()[-5:])
        sys.exit(f"import-hl7 failed (exit {result['rc']}) and wrote no ACKs:\n{tail}")
    return result


def verdict(ok: bool) -> str:
    return "ok" if ok else "FAILS"


def summary_lines(result: dict) -> str:
    """The command's first two lines and its last (the summary)."""
    lines = (result["out"].strip() or result["err"].strip()).splitlines()
    if len(lines) > 3:
        lines = [*lines[:2], "...", lines[-1]]
    return "\n".join(f"    | {line[:160]}" for line in lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--accounts", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--mllp", action="store_true", help="MLLP-framed messages")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--rebuild", action="store_true", help="build the practice again")
    args = parser.parse_args()
    pristine = args.out / f"hl7-{args.accounts}.db"
    work = args.out / f"hl7-{args.accounts}-run.db"
    file = args.out / f"dft{args.messages}.{'mllp' if args.mllp else 'hl7'}"
    if args.rebuild or not pristine.exists():
        build(pristine, args.accounts, args.seed)
    print(f"make_dft.py: {generate(pristine, file, args.messages, args.seed, args.mllp)}")
    controls = control_ids(file)

    firsts, seconds = [], []
    for _ in range(args.runs):
        fresh_copy(pristine, work)
        firsts.append(import_hl7(work, file))
        seconds.append(import_hl7(work, file))
    first, again = firsts[-1], seconds[-1]
    print("import-hl7 says (the last run's first import):")
    print(summary_lines(first))
    print("and on the second import of the same file:")
    print(summary_lines(again))

    median = statistics.median(r["seconds"] for r in firsts)
    each = ", ".join(f"{r['seconds']:.2f}" for r in firsts)
    budget = TARGET_SECONDS * args.messages / 10_000  # the target's rate, for another N
    scaled = (
        "" if args.messages == 10_000 else f", at that rate {budget:.1f} s for {args.messages:,}"
    )
    print(f"import-hl7, {args.messages:,} DFT^P03 messages ({file.name}): median {median:.2f} s "
          f"of {args.runs} (each: {each}), {args.messages / median:,.0f} messages/s, "
          f"peak RSS {max(r['peak_mb'] for r in firsts):.0f} MB; target: {TARGET}{scaled}: "
          f"{'meets' if median <= budget else 'MISSES'} ({median / budget:.2f}x of the budget)")  # fmt: skip
    dup = statistics.median(r["seconds"] for r in seconds)
    print(f"the same file again (every message a duplicate by MSH-10): median {dup:.2f} s, "
          f"{args.messages / dup:,.0f} messages/s, "
          f"peak RSS {max(r['peak_mb'] for r in seconds):.0f} MB")  # fmt: skip

    print("checks (the last run):")
    path, codes, echoed = first["ack"]
    aa = codes.get("AA", 0)
    every = sorted(echoed) == sorted(controls)
    print(f"  exit codes: first import {first['rc']}, second {again['rc']}: "
          f"{verdict(first['rc'] == 0 and again['rc'] == 0)}")  # fmt: skip
    if path is None:
        print(f"  ACK file: none at {' or '.join(str(p) for p in ack_paths(file))}: FAILS")
    else:
        print(f"  ACK file {path}: {aa:,} AA of {args.messages:,} messages "
              f"({dict(codes)}), one for each MSH-10: "
              f"{verdict(aa == args.messages and every and sum(codes.values()) == aa)}")  # fmt: skip
    _, codes_again, _ = again["ack"]
    print(f"  the second import's ACKs: {dict(codes_again) or 'none'}")
    print(f"  draft claims added: {first['drafts_added']:,} by the first import (one per "
          f"message: {verdict(first['drafts_added'] == args.messages)}), "
          f"{again['claims_added']:,} by the second ({verdict(again['claims_added'] == 0)})")  # fmt: skip
    if first["inbound"]:
        print(f"  inbound messages recorded: {first['inbound']} after the first import, "
              f"{again['inbound']} after the second")  # fmt: skip
    completed = subprocess.run(billing_tui(work, "verify"), capture_output=True, text=True,
                               cwd=ROOT)  # fmt: skip
    tail = completed.stdout.strip()[-300:]
    print(f"  verify after both imports: "
          f"{'passes' if completed.returncode == 0 else 'FAILS: ' + tail}")  # fmt: skip


if __name__ == "__main__":
    main()
