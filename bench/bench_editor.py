"""Benchmark the claim editor as an SSH user feels it, beside the bare Textual floor, with ptyprobe.

    python bench/bench_editor.py                    # a 10,000-account practice in bench/out/
    python bench/bench_editor.py --db bench/out/1m.db --runs 5

In an 80x24 pty, `billing-tui --db DB` opens on the queue; F7 starts a new
claim for the first account, and a 2-diagnosis, 3-line office claim is typed
into it key by key (the editor's own keys only: the F7 that opens it, and the
F4 that saves it, are left out of the figures), then the editor sits idle.
The same is done to ../shared/tools/baseline_input_app.py (one compact Input
and a Footer, cursor blink and mouse off), typing a surname; the two alternate,
one run each at a time, so that the machine's drift falls on both. Printed: per-key
latency (median and p95 to the last byte), bytes per key (mean, median, max),
idle bytes, each beside the baseline, with the ratio and the targets
(<= 1.3x the baseline's latency, <= 300 bytes a key, 0 bytes idle).
A benchmark: it asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_TOOLS = HERE.parent.parent / "shared" / "tools"
DEFAULT_DB = HERE / "out" / "editor.db"
ACCOUNTS = 10_000

BASELINE_KEYS = "smith{backspace}{backspace}{backspace}{backspace}{backspace}jones"


def claim_keys(today: dt.date) -> list[str]:
    """The office claim, as ptyprobe key specs, one key each (Enter is \\r)."""
    dos = today.strftime("%m%d%y")
    typed = (
        "J069\rI10\r\r"  # two diagnoses, then Enter on the blank third: the lines
        f"{dos}\r99213\r\r12\r\r\r"  # DOS, code, no modifiers, pointers 1 and 2, units, charge
        "\r36415\r\r\r\r\r"  # the same DOS, a venipuncture
        "\r87880\r\r2\r\r40.00\r"  # a strep test at a typed charge
    )
    return [r"\r" if key == "\r" else key for key in typed]


def build(path: Path, accounts: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "billing_tui", "--db", str(path), "init", "--sample",
         str(accounts), "--seed", "7"],
        check=True,
    )  # fmt: skip


def probe(tools: Path, command: list[str], *, keys: str, ready: str, runs: int, env: dict) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        args = [
            sys.executable, str(tools / "ptyprobe.py"), "--cols", "80", "--rows", "24",
            "--ready-text", ready, "--keys", keys, "--idle-s", "5", "--quit-keys", "{ctrl+q}",
            "--runs", str(runs), "--no-screen-dump", "--out", out.name,
        ]  # fmt: skip
        for name, value in env.items():
            args += ["-e", f"{name}={value}"]
        subprocess.run([*args, "--", *command], check=True)
        return json.loads(Path(out.name).read_text())


def _runs(result: dict) -> list[dict]:
    return result.get("runs") or [result]


def key_figures(result: dict, skip_first: int = 0, skip_last: int = 0) -> dict:
    """Medians over the runs of each run's figures for the keys measured."""
    runs = result.get("runs") or [result]  # one run: its figures are at the top
    per_run = []
    for run in runs:
        keys = run["per_key"]
        keys = keys[skip_first : len(keys) - skip_last if skip_last else None]
        settle = sorted(k["settle_ms"] for k in keys if k["settle_ms"] is not None)
        sizes = [k["bytes"] for k in keys]
        per_run.append(
            {
                "keys": len(keys),
                "settle_median_ms": statistics.median(settle),
                "settle_p95_ms": settle[min(len(settle) - 1, round(0.95 * (len(settle) - 1)))],
                "bytes_mean": statistics.fmean(sizes),
                "bytes_median": statistics.median(sizes),
                "bytes_max": max(sizes),
                "no_output": sum(1 for k in keys if k["first_ms"] is None),
                "idle_bytes_per_s": run.get("idle", {}).get("bytes_per_s"),
            }
        )
    return {
        name: statistics.median(r[name] for r in per_run if r[name] is not None)
        if any(r[name] is not None for r in per_run)
        else None
        for name in per_run[0]
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--accounts", type=int, default=ACCOUNTS, help="when building --db")
    parser.add_argument("--tools", type=Path, default=DEFAULT_TOOLS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write both results here")
    args = parser.parse_args()
    if not (args.tools / "ptyprobe.py").exists():
        parser.error(f"ptyprobe.py not found in {args.tools} (use --tools)")
    if not args.db.exists():
        print(f"building {args.db} ({args.accounts:,} accounts)…", flush=True)
        build(args.db, args.accounts)

    typed = claim_keys(dt.date.today())
    # F7 opens the editor; the wait lets it read the claim's choices and index the
    # ICD-10-CM words (half a second, in a worker) before the first key is measured. F4 saves.
    app_keys = "{f7}{wait:5000}" + "".join(typed) + "{f4}{wait:1000}"
    # Interleaved, one run of each at a time: the machine's speed drifts over a minute
    # (other work on it), and a ratio of two runs minutes apart would measure the drift.
    baseline_runs, app_runs = [], []
    for _ in range(args.runs):
        baseline_runs.extend(
            _runs(
                probe(
                    args.tools,
                    [sys.executable, str(args.tools / "baseline_input_app.py")],
                    keys=BASELINE_KEYS,
                    ready="Patient surname",
                    runs=1,
                    env={"BASELINE_BLINK": "0", "BASELINE_MOUSE": "0", "BASELINE_COMPACT": "1"},
                )
            )
        )
        app_runs.extend(
            _runs(
                probe(
                    args.tools,
                    [sys.executable, "-m", "billing_tui", "--db", str(args.db)],
                    keys=app_keys,
                    ready="Account",
                    runs=1,
                    env={},
                )
            )
        )
    baseline, app = {"runs": baseline_runs}, {"runs": app_runs}
    if args.json:
        args.json.write_text(json.dumps({"baseline": baseline, "editor": app}, indent=2))

    base = key_figures(baseline)
    ours = key_figures(app, skip_first=1, skip_last=1)  # not F7 (a new screen), nor F4
    print(f"claim typed: {len(typed)} keys in the editor; runs: {args.runs} (medians)\n")
    print(f"{'per key':<24} {'baseline':>10} {'editor':>10} {'ratio':>7}  target")
    rows = (
        ("latency median (ms)", "settle_median_ms", "<= 1.3x"),
        ("latency p95 (ms)", "settle_p95_ms", ""),
        ("bytes mean", "bytes_mean", "<= 300"),
        ("bytes median", "bytes_median", ""),
        ("bytes max", "bytes_max", ""),
        ("idle bytes/s", "idle_bytes_per_s", "0"),
    )
    for label, key, target in rows:
        b, o = base.get(key), ours.get(key)
        ratio = f"{o / b:.2f}x" if b and o is not None else "-"
        print(f"{label:<24} {_fmt(b):>10} {_fmt(o):>10} {ratio:>7}  {target}")
    if ours.get("no_output"):
        print(f"\n{ours['no_output']} editor keys drew nothing (each cost the probe's wait cap)")
    return 0


def _fmt(value) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}" if isinstance(value, float) else str(value)


if __name__ == "__main__":
    sys.exit(main())
