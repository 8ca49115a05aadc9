"""Benchmark signing in to the TUI: startup to the login screen, then the login to the queue.

    python bench/bench_login.py                     # builds a 3,000-account sample in a temp dir
    python bench/bench_login.py --db /tmp/s.db --runs 7

Drives `python -m billing_tui --db DB tui` in an 80x24 pty (TERM=xterm-256color) with the
machinery of ../shared/tools/ptyprobe.py (--tools to point elsewhere). Each run: startup,
spawn to the last byte of the burst that puts "sign in" on the screen; then the username
and Enter, the password (each waited on until the screen is quiet), and the clock starts
at the password's Enter: login is the time to the last byte of the burst that draws the
queue ("Follow-ups due first" and the "Account" header on screen, then quiet). Beside
them: the scrypt hash alone (hash_password, password_matches), the Store's login alone
(the hash, the user row, the audit row), and the bare Textual floor's startup
(../shared/tools/baseline_input_app.py). A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from billing_tui.domain.security import hash_password, password_matches
from billing_tui.sample.reference import SAMPLE_PASSWORD
from billing_tui.store import Store

HERE = Path(__file__).resolve().parent
DEFAULT_TOOLS = HERE.parent.parent / "shared" / "tools"
TARGET_S = 0.5
USERNAME = "mreyes"
LOGIN_READY = ("sign in",)
QUEUE_READY = ("Follow-ups due first", "Account")
BASELINE_READY = ("Patient surname",)
BASELINE_ENV = ["BASELINE_BLINK=0", "BASELINE_MOUSE=0", "BASELINE_COMPACT=1"]
STARTUP_QUIET_S = 0.5  # ptyprobe's default: the quiet that ends the startup burst
KEY_QUIET_S = 0.15  # the quiet that ends a key's (or the login's) redraw


def load_ptyprobe(tools: Path):
    spec = importlib.util.spec_from_file_location("ptyprobe", tools / "ptyprobe.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def session(ptyprobe, command: list[str], env: list[str]):
    """A ptyprobe Session (80x24, xterm-256color, ctrl+q quits) for command, not yet spawned."""
    argv = ["--cols", "80", "--rows", "24", "--quit-keys", "{ctrl+q}"]
    for item in env:
        argv += ["-e", item]
    args = ptyprobe.build_parser().parse_args([*argv, "--", *command])
    if args.command[:1] == ["--"]:  # as ptyprobe's main() does
        args.command = args.command[1:]
    return ptyprobe.Session(args)


def on_screen(probe, texts: tuple[str, ...]) -> Callable[[], bool]:
    return lambda: all(probe.screen.contains(text) for text in texts)


def start(probe, ready: tuple[str, ...], timeout: float = 30.0) -> float:
    """Spawn; seconds to the last byte of the burst that put `ready` on the screen."""
    probe.spawn()
    r = probe.wait_quiet(
        STARTUP_QUIET_S, probe.t0 + timeout, probe.t0, ready=on_screen(probe, ready)
    )
    if r["ready_at"] is None:
        raise RuntimeError(f"{ready!r} never appeared on the screen:\n{_dump(probe)}")
    return r["last"]


def type_and_wait(probe, data: bytes, timeout: float = 5.0) -> None:
    sent = time.perf_counter()
    probe.send(data)
    probe.wait_quiet(KEY_QUIET_S, sent + timeout, sent)


def run_app(ptyprobe, db: Path) -> tuple[float, float]:
    """(startup s, login s) for one session of the TUI."""
    probe = session(ptyprobe, [sys.executable, "-m", "billing_tui", "--db", str(db), "tui"], [])
    try:
        startup = start(probe, LOGIN_READY)
        type_and_wait(probe, USERNAME.encode())
        type_and_wait(probe, b"\r")  # on to the password field
        type_and_wait(probe, SAMPLE_PASSWORD.encode())
        entered = time.perf_counter()
        probe.send(b"\r")
        r = probe.wait_quiet(
            KEY_QUIET_S, entered + 15.0, entered, ready=on_screen(probe, QUEUE_READY)
        )
        if r["ready_at"] is None:
            raise RuntimeError(f"the queue never appeared after the login:\n{_dump(probe)}")
        return startup, r["last"]
    finally:
        probe._quit()  # ptyprobe's own ending: quit keys, then SIGTERM/SIGKILL, close the pty


def run_baseline(ptyprobe, tools: Path) -> float:
    probe = session(ptyprobe, [sys.executable, str(tools / "baseline_input_app.py")], BASELINE_ENV)
    try:
        return start(probe, BASELINE_READY)
    finally:
        probe._quit()


def _dump(probe) -> str:
    return "\n".join(probe.screen.dump() or ["(no screen model: install pyte)"])


def timed_ms(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(median ms, worst ms) of repeat calls."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def build(path: Path, accounts: int) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "billing_tui", "--db", str(path), "init", "--sample", str(accounts)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a sample database (default: build one)")
    parser.add_argument("--accounts", type=int, default=3000, help="for the database it builds")
    parser.add_argument("--tools", type=Path, default=DEFAULT_TOOLS)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=11, help="calls of the hash and the login")
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    if not (args.tools / "ptyprobe.py").exists():
        parser.error(f"ptyprobe.py not found in {args.tools} (use --tools)")
    ptyprobe = load_ptyprobe(args.tools)

    with tempfile.TemporaryDirectory(prefix="bench-login-") as tmp:
        db = args.db
        if db is None:
            db = Path(tmp) / "sample.db"
            seconds = build(db, args.accounts)
            print(f"sample practice: {args.accounts:,} accounts in {db} ({seconds:.1f} s)")
        elif not db.exists():
            parser.error(f"{db} does not exist")
        print(
            f"pty 80x24, TERM=xterm-256color, screen model: {'pyte' if ptyprobe.pyte else 'none'}"
        )
        print()

        stored = hash_password(SAMPLE_PASSWORD)
        hash_ms = timed_ms(lambda: hash_password(SAMPLE_PASSWORD), args.repeat)
        match_ms = timed_ms(lambda: password_matches(SAMPLE_PASSWORD, stored), args.repeat)
        store = Store.open(str(db), enroll=False)
        try:
            login_ms = timed_ms(lambda: store.users.login(USERNAME, SAMPLE_PASSWORD), args.repeat)
        finally:
            store.close()

        startups, logins, floors = [], [], []
        for run in range(args.runs):
            startup, login = run_app(ptyprobe, db)
            startups.append(startup)
            logins.append(login)
            line = f"run {run + 1}: startup {startup:.3f} s, login {login:.3f} s"
            if not args.no_baseline:
                floors.append(run_baseline(ptyprobe, args.tools))  # alternate: same load on both
                line += f", bare Textual startup {floors[-1]:.3f} s"
            print(line, flush=True)
    print()

    print(f"{'figure':<46} {'median':>9} {'worst':>9}")
    print(
        f"{'scrypt hash_password (N=2**14, r=8, p=1) ms':<46} {hash_ms[0]:9.1f} {hash_ms[1]:9.1f}"
    )
    print(f"{'scrypt password_matches ms':<46} {match_ms[0]:9.1f} {match_ms[1]:9.1f}")
    print(
        f"{'Store users.login ms (hash + user + audit row)':<46} {login_ms[0]:9.1f} {login_ms[1]:9.1f}"
    )
    _row("TUI startup to the login screen s", startups)
    if floors:
        _row("bare Textual floor startup s", floors)
    _row("TUI login: password Enter to the queue s", logins)
    print()
    median_login = statistics.median(logins)
    print(
        f"login beyond startup: {median_login:.3f} s median, {max(logins):.3f} s worst "
        f"(target <= {TARGET_S} s); the hash is {match_ms[0] / 1000 / median_login:.0%} of it, "
        f"the Store's whole login {login_ms[0] / 1000 / median_login:.0%}"
    )
    if floors:
        ratio = statistics.median(startups) / statistics.median(floors)
        print(f"startup to the login screen: {ratio:.2f}x the bare Textual app")
    return 0


def _row(label: str, values: list[float]) -> None:
    print(f"{label:<46} {statistics.median(values):9.3f} {max(values):9.3f}")


if __name__ == "__main__":
    sys.exit(main())
