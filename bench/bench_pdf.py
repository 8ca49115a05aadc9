"""Benchmark the CMS-1500 PDF: milliseconds and bytes per page, and the whole print-claim command.

    python bench/bench_pdf.py                 # 300 sample accounts in a temporary database
    python bench/bench_pdf.py --claims 500 --repeat 9

Reads claims from a synthetic practice once (the database is not timed), then
times cms1500_pdf on one claim, on a batch, and on a 50-line claim (9 forms),
each the median of --repeat warm runs beside the first, cold run (which builds
the blank form's layout). Last, the `billing-tui print-claim` command end to
end in a fresh process, start-up included. A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from billing_tui.sample import generate
from billing_tui.store import Store

TODAY = dt.date(2026, 11, 24)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=300)
    parser.add_argument("--claims", type=int, default=200, help="claims in the batch")
    parser.add_argument("--repeat", type=int, default=7)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "practice.db")
        forms, numbers = read_claims(path, options.accounts, options.claims)
        run(forms, numbers, path, Path(folder), options.repeat)


def read_claims(path: str, accounts: int, wanted: int):
    from billing_tui.pdf.cms1500 import ClaimForm

    store = Store.open(path, username="bench", today=lambda: TODAY)
    try:
        generate(store.db, accounts, seed=1, as_of=TODAY)
        forms = []
        for claim_id in range(1, wanted + 1):
            claim = store.claims.get(claim_id)
            forms.append(ClaimForm(claim, store.claims.choices(claim.patient.id).coverages))
        numbers = [form.claim.claim_number for form in forms[:20]]
    finally:
        store.close()
    return forms, numbers


def timed(function, repeat: int) -> tuple[float, float, object]:
    """(first run, median of the warm runs) in ms, and the result."""
    started = time.perf_counter()
    result = function()
    cold = (time.perf_counter() - started) * 1000
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        runs.append((time.perf_counter() - started) * 1000)
    return cold, statistics.median(runs), result


def run(forms, numbers, path: str, folder: Path, repeat: int) -> None:
    from billing_tui.pdf.cms1500 import cms1500_pdf, page_count

    one = forms[0]
    line = one.claim.lines[0]
    fifty = dataclasses.replace(
        one.claim,
        lines=tuple(dataclasses.replace(line, line_number=n) for n in range(1, 51)),
        charge=line.charge * 50,
    )
    cases = (
        ("1 claim", [one]),
        (f"{len(forms)} claims", forms),
        ("1 claim of 50 lines", [fifty]),
    )
    print(f"{'case':<22} {'pages':>6} {'cold ms':>9} {'warm ms':>9} {'ms/page':>8} {'KB/page':>8}")
    for name, batch in cases:
        cold, warm, data = timed(lambda batch=batch: cms1500_pdf(batch, signed_on=TODAY), repeat)
        pages = sum(page_count(getattr(item, "claim", item)) for item in batch)
        print(
            f"{name:<22} {pages:>6} {cold:>9.1f} {warm:>9.1f} {warm / pages:>8.2f}"
            f" {len(data) / pages / 1024:>8.1f}"
        )
    out = folder / "claims.pdf"
    command = [sys.executable, "-m", "billing_tui", "--db", path, "print-claim", *numbers]
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([*command, "--out", str(out)], check=True, capture_output=True)
        runs.append((time.perf_counter() - started) * 1000)
    print(
        f"print-claim of {len(numbers)} claims, start-up included: "
        f"median {statistics.median(runs):.0f} ms of {len(runs)} runs"
    )


if __name__ == "__main__":
    main()
