"""Benchmark the TUI as an SSH user feels it, beside the bare Textual floor, with ptyprobe.

    python bench/bench_tui.py                       # on bench/out/1m.db (build it with bench_queue.py)
    python bench/bench_tui.py --db /tmp/100k.db --runs 5

Runs ../shared/tools/ptyprobe.py (--tools to point elsewhere) on
../shared/tools/baseline_input_app.py (one compact Input and a Footer, cursor
blink and mouse off like ours) and on `billing-tui --db DB`, with the same
80x24 pty, and prints startup to first screen, per-key latency, bytes per key,
idle bytes and peak memory, and the startup ratio.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_TOOLS = HERE.parent.parent / "shared" / "tools"

# Signing in first (a sample user), then a specialist's burst: search a surname, clear it,
# walk the list, open an account, come back. Start-up is to the login screen; the keys'
# figures include the login's (its Enter is the sign-in: bench_login.py times it alone).
LOGIN_KEYS = "mreyes{enter}larkspur-demo{enter}"
APP_KEYS = (
    LOGIN_KEYS
    + "smith{backspace}{backspace}{backspace}{backspace}{backspace}{down}{down}{down}{pgdn}{up}{enter}{esc}"
)
BASELINE_KEYS = "smith{backspace}{backspace}{backspace}{backspace}{backspace}"


def probe(tools: Path, command: list[str], *, keys: str, ready: str, runs: int, env: dict) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        args = [
            sys.executable,
            str(tools / "ptyprobe.py"),
            "--cols",
            "80",
            "--rows",
            "24",
            "--ready-text",
            ready,
            "--keys",
            keys,
            "--idle-s",
            "5",
            "--quit-keys",
            "{ctrl+q}",
            "--runs",
            str(runs),
            "--brief",
            "--no-screen-dump",
            "--out",
            out.name,
        ]
        for name, value in env.items():
            args += ["-e", f"{name}={value}"]
        subprocess.run([*args, "--", *command], check=True)
        return json.loads(Path(out.name).read_text())


def figures(result: dict) -> dict:
    """The medians over the runs."""
    return result["aggregate"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=HERE / "out" / "1m.db")
    parser.add_argument("--tools", type=Path, default=DEFAULT_TOOLS)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write both results here")
    args = parser.parse_args()
    if not args.db.exists():
        parser.error(f"{args.db} does not exist: build it with bench/bench_queue.py")
    if not (args.tools / "ptyprobe.py").exists():
        parser.error(f"ptyprobe.py not found in {args.tools} (use --tools)")

    baseline = probe(
        args.tools,
        [sys.executable, str(args.tools / "baseline_input_app.py")],
        keys=BASELINE_KEYS,
        ready="Patient surname",
        runs=args.runs,
        env={"BASELINE_BLINK": "0", "BASELINE_MOUSE": "0", "BASELINE_COMPACT": "1"},
    )
    app = probe(
        args.tools,
        [sys.executable, "-m", "billing_tui", "--db", str(args.db)],
        keys=APP_KEYS,
        ready="sign in",
        runs=args.runs,
        env={},
    )
    if args.json:
        args.json.write_text(json.dumps({"baseline": baseline, "app": app}, indent=2))

    base, ours = figures(baseline), figures(app)
    keys = (
        "startup_s",
        "latency_settle_ms.median",
        "latency_settle_ms.p95",
        "bytes_per_key.mean",
        "idle.bytes_per_s",
        "peak_rss_kb",
        "tree_pss_kb_max_sampled",
    )
    print(f"{'metric':<28} {'baseline':>12} {'billing-tui':>12}")
    for key in keys:
        print(f"{key:<28} {_fmt(base.get(key)):>12} {_fmt(ours.get(key)):>12}")
    if base.get("startup_s") and ours.get("startup_s"):
        print(
            f"\nstartup ratio: {ours['startup_s'] / base['startup_s']:.2f}x the bare Textual app "
            "(target <= 1.5x); idle bytes target 0"
        )
    return 0


def _fmt(value) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


if __name__ == "__main__":
    sys.exit(main())
