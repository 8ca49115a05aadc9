"""Benchmark 835 auto-posting: 10,000 claims imported and posted, time and peak memory,
beside edi-835-parser parsing the same file (the floor the target is set against).

    python bench/bench_era.py                   # 10,000 claims (make_big_835.py)
    python bench/bench_era.py --claims 2000 --e835 /tmp/e835venv/bin/python

The 835 is ../shared/tools/make_big_835.py's, cycled from the emedny sample (3 claims,
10 lines; two of every three claims are a secondary payer's). The database holds one
submitted claim for each of its claims, with the same numbers, lines, dates and
charges, so that every claim matches and posts. Each run copies that database and
runs `billing-tui import-era` in a fresh process, timing the whole command
(start-up, reading, matching, posting, committing) and its peak RSS. With
--e835 (a Python that has edi-835-parser installed), the same file is parsed by
edi_835_parser.parse() in a fresh process the same number of times, alternating.
A benchmark: it prints figures and ratios and asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared"
TARGET_RATIO = 1.5
TARGET_MB = 150
AS_OF = dt.date(2026, 11, 24)


def make_835(path: Path, claims: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, str(SHARED / "tools" / "make_big_835.py"),
         "--base", str(SHARED / "x12-samples" / "835" / "edi835parser-emedny_sample.x12"),
         "--claims", str(claims), "-o", str(path)],
        check=True, capture_output=True,
    )  # fmt: skip


def build(db: Path, era: Path) -> None:
    """One submitted claim (charges on the ledger) per claim of the 835."""
    from billing_tui.domain.ledger import EntryKind
    from billing_tui.store import Store
    from billing_tui.store.cache import refresh_accounts, refresh_claims
    from billing_tui.store.models import (
        BillingProvider,
        Claim,
        Coverage,
        LedgerEntry,
        Patient,
        Payer,
        Provider,
        ServiceLine,
    )  # fmt: skip
    from billing_tui.x12.x835 import read_835

    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    store = Store.open(str(db), username="bench", today=lambda: AS_OF)
    started = time.perf_counter()
    clps = [c for r in read_835(era.read_text(encoding="ascii")) for c in r.claims]
    with store.db.atomic():
        billing = BillingProvider.create(
            name="Synthetic Vision Care", npi="1234567893", ein="990000001",
            taxonomy="152W00000X", address1="1 Main St", city="Albany", state="NY", zip="12207",
        )  # fmt: skip
        provider = Provider.create(first_name="Ada", last_name="Quill", credential="OD",
                                   npi="1987654329")  # fmt: skip
        payer = Payer.create(name="State Medicaid", payer_code="1000000000", kind="medicaid")
        patients, coverages, claims, lines, charges = [], [], [], [], []
        line_id = 0
        for n, clp in enumerate(clps, start=1):
            dos = min(s.service_from for s in clp.lines)
            patients.append({
                "id": n, "account_number": f"{10_000_000 + n}", "first_name": "Pat",
                "last_name": f"Sample{n}", "dob": dt.date(1970, 1, 1), "sex": "F",
                "address1": "1 Elm St", "city": "Albany", "state": "NY", "zip": "12207",
                "search_last": f"sample{n}", "search_first": "pat",
            })  # fmt: skip
            coverages.append({
                "id": n, "patient": n, "priority": 1, "payer": payer.id,
                "member_id": clp.patient_id, "subscriber_first": "Pat",
                "subscriber_last": f"Sample{n}", "start_date": dt.date(2009, 1, 1),
            })  # fmt: skip
            claims.append({
                "id": n, "claim_number": clp.claim_number, "patient": n, "coverage": n,
                "payer": payer.id, "billing_provider": billing.id,
                "rendering_provider": provider.id, "place_of_service": "11",
                "status": "submitted", "first_dos": dos, "last_dos": dos,
                "charge_cents": clp.charge,
            })  # fmt: skip
            for number, service in enumerate(clp.lines, start=1):
                line_id += 1
                lines.append({
                    "id": line_id, "claim": n, "line_number": number,
                    "dos_from": service.service_from, "dos_to": service.service_from,
                    "code": service.code, "charge_cents": service.charge,
                    "line_control_number": f"{clp.claim_number}-{number}",
                })  # fmt: skip
                charges.append({
                    "patient": n, "claim": n, "service_line": line_id,
                    "kind": EntryKind.CHARGE.value, "insurance_delta": service.charge,
                    "effective_date": service.service_from, "memo": service.code,
                })  # fmt: skip
        for model, rows in ((Patient, patients), (Coverage, coverages), (Claim, claims),
                            (ServiceLine, lines), (LedgerEntry, charges)):  # fmt: skip
            for start in range(0, len(rows), 500):
                model.insert_many(rows[start : start + 500]).execute()
        refresh_claims(range(1, len(clps) + 1))
        refresh_accounts(range(1, len(clps) + 1))
    report = store.verify()
    store.close()
    print(f"built {len(clps):,} submitted claims in {time.perf_counter() - started:.1f} s; "
          f"verify {'passes' if report.ok else 'FAILS'}")  # fmt: skip


def run_import(db: Path, era: Path) -> dict:
    work = db.with_name(db.stem + "-run.db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(db, work)
    command = ["/usr/bin/time", "-f", "%e %M", sys.executable, "-m", "billing_tui",
               "--db", str(work), "--user", "bench", "import-era", str(era)]  # fmt: skip
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode:
        sys.exit(f"import-era failed: {completed.stderr.strip()}")
    seconds, kb = completed.stderr.strip().splitlines()[-1].split()
    return {"seconds": float(seconds), "peak_mb": int(kb) / 1024, "out": completed.stdout}


def run_e835(python: str, era: Path) -> dict:
    code = (
        "import edi_835_parser, sys; t = edi_835_parser.parse(sys.argv[1]); "
        "print(len(t.transaction_sets))"
    )
    command = ["/usr/bin/time", "-f", "%e %M", python, "-c", code, str(era)]
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode:
        sys.exit(f"edi-835-parser failed: {completed.stderr.strip()[-500:]}")
    seconds, kb = completed.stderr.strip().splitlines()[-1].split()
    return {"seconds": float(seconds), "peak_mb": int(kb) / 1024}


def verify(db: Path) -> str:
    work = db.with_name(db.stem + "-run.db")
    completed = subprocess.run(
        [sys.executable, "-m", "billing_tui", "--db", str(work), "verify"],
        capture_output=True, text=True,
    )  # fmt: skip
    return "passes" if completed.returncode == 0 else "FAILS: " + completed.stdout[-300:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--e835", metavar="PYTHON", help="a Python with edi-835-parser")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    era = args.out / f"era{args.claims}.x12"
    db = args.out / f"era{args.claims}.db"
    if args.rebuild or not era.exists() or not db.exists():
        make_835(era, args.claims)
        build(db, era)
    ours, floor = [], []
    for _ in range(args.runs):
        ours.append(run_import(db, era))
        if args.e835:
            floor.append(run_e835(args.e835, era))
    print(ours[-1]["out"].splitlines()[0][:200])
    print(f"verify after the import: {verify(db)}")
    seconds = statistics.median(r["seconds"] for r in ours)
    peak = max(r["peak_mb"] for r in ours)
    runs = ", ".join(f"{r['seconds']:.2f}" for r in ours)
    print(f"import-era, {args.claims:,} claims: median {seconds:.2f} s "
          f"(runs {runs}), peak RSS {peak:.0f} MB "
          f"(target <= {TARGET_MB} MB)")  # fmt: skip
    if floor:
        base = statistics.median(r["seconds"] for r in floor)
        print(f"edi-835-parser parse only: median {base:.2f} s, peak RSS "
              f"{max(r['peak_mb'] for r in floor):.0f} MB")  # fmt: skip
        print(f"ratio: {seconds / base:.2f}x (target <= {TARGET_RATIO}x)")


if __name__ == "__main__":
    main()
