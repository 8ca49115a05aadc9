"""The `billing-tui` command: the TUI by default, and subcommands over the same Store.

Exit codes: 0 done; 1 the work found a problem (verify violations, a refused
change); 2 the command could not run (bad arguments, a database that cannot be
opened, a configuration that cannot be read). Errors are one line on stderr,
never a traceback, and never carry patient data.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import json
import os
import sys
import time
from collections.abc import Sequence
from importlib import import_module
from pathlib import Path

from . import __version__
from .commands import MODULES
from .config import ConfigError, Settings, demo_database, load_settings
from .domain.dates import DateError, format_date, parse_date
from .domain.ledger import AGE_BUCKETS
from .domain.money import format_cents
from .domain.queue import Flag, QueueFilter
from .store import Store, StoreConflict, StoreError, StoreRefused
from .store.api import os_username
from .store.db import is_postgres

DEMO_ACCOUNTS = 3_000
EXIT_OK, EXIT_PROBLEM, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad arguments: exit 2 with the message."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own errors: usage line + exit 2
        self.print_usage(sys.stderr)
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="billing-tui",
        description="A keyboard-driven terminal workstation for medical billing specialists.",
    )
    parser.add_argument("--version", action="version", version=f"billing-tui {__version__}")
    parser.add_argument(
        "--db",
        metavar="PATH_OR_URL",
        help="SQLite file or postgresql:// URL (default: $BILLING_TUI_DB, else the data directory)",
    )
    parser.add_argument(
        "--user",
        default=os.environ.get("BILLING_TUI_USER") or None,
        help="the billing-tui user to act as (default: $BILLING_TUI_USER, else the user "
        "mapped to your OS login); the OS login is recorded beside it in the audit trail",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    init = commands.add_parser("init", help="create the schema, optionally with a sample practice")
    init.add_argument(
        "--sample",
        type=_sample_accounts,
        metavar="N",
        help="add the sample practice with N synthetic patient accounts (0: its providers, "
        "payers, fee schedule and users only, e.g. to import CSV files into)",
    )
    init.add_argument("--seed", type=int, default=1, help="random seed for --sample (default 1)")
    init.add_argument(
        "--as-of", type=_date, metavar="DATE", help="the sample's 'today' (default: today)"
    )

    commands.add_parser("demo", help="open the TUI on a demo practice (created on first run)")
    commands.add_parser("tui", help="open the TUI (the default)")
    commands.add_parser("verify", help="recompute every balance and check the ledger's invariants")

    queue = commands.add_parser("queue", help="print the account queue (the TUI's worklist)")
    queue.add_argument("--search", default="", help="name, 'last, first', account, claim or DOB")
    queue.add_argument("--age", choices=[label for label, *_ in AGE_BUCKETS], help="age bucket")
    queue.add_argument("--payer", help="primary payer: name or payer ID")
    queue.add_argument(
        "--flag",
        choices=[f.name.lower().replace("_", "-") for f in Flag],
        help="accounts with this flag",
    )
    queue.add_argument("--due", action="store_true", help="follow-ups due only")
    queue.add_argument("--limit", type=_count, default=25, help="rows to print (default 25)")
    queue.add_argument("--format", choices=("table", "csv", "json"), default="table")

    account = commands.add_parser("account", help="print an account: balances, claims, ledger")
    account.add_argument("number", help="account number")

    note = commands.add_parser("note", help="add a note or contact to an account")
    note.add_argument("number", help="account number")
    note.add_argument("text")
    note.add_argument("--kind", choices=("call", "email", "letter", "note"), default="note")
    note.add_argument("--direction", choices=("in", "out"), default=None)
    note.add_argument("--follow-up", type=_date, metavar="DATE", help="e.g. 112426 or 2026-11-24")
    for name in MODULES:
        COMMANDS.update(import_module(f"billing_tui.commands.{name}").register(commands))
    return parser


def _count(text: str) -> int:
    try:
        value = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _sample_accounts(text: str) -> int:
    """--sample N: 0 is the practice's reference data without accounts."""
    if text.strip() == "0":
        return 0
    return _count(text)


def positive_amount(text: str) -> int:
    """An argument that is an amount of money more than 0.00, in cents."""
    from .domain.money import MoneyError, parse_cents

    try:
        cents = parse_cents(text)
    except MoneyError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if cents <= 0:
        raise argparse.ArgumentTypeError("must be more than 0.00")
    return cents


def _date(text: str) -> dt.date:
    try:
        return parse_date(text)
    except DateError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        settings = load_settings(args.db)
        command = args.command or "tui"
        from . import logs  # the log never holds patient data: command, time, error class

        logs.setup()
        with logs.timed(command):
            return COMMANDS[command](args, settings)
    except UsageError as error:
        return fail(str(error), EXIT_USAGE)
    except (StoreError, ConfigError) as error:
        return fail(str(error), EXIT_USAGE)
    except (StoreRefused, StoreConflict) as error:
        return fail(str(error), EXIT_PROBLEM)
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    except BrokenPipeError:
        # The reader had enough (`| head`): not a failure. Point stdout at /dev/null so
        # Python's own flush at exit does not complain about the closed pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def print_rows(records: list[dict], fmt: str, *, empty: str = "Nothing to list.") -> None:
    """Rows of plain values as a table (tabulate), CSV or JSON on stdout."""
    if fmt == "json":
        print(json.dumps(records, indent=2, default=str))
    elif fmt == "csv":
        if records:
            writer = csv.DictWriter(sys.stdout, fieldnames=list(records[0]))
            writer.writeheader()
            writer.writerows(records)
    elif records:
        from tabulate import tabulate

        print(tabulate(records, headers="keys", disable_numparse=True))
    else:
        print(empty)


def unwritable(out: Path) -> str | None:
    """Why an --out FILE cannot be written, in one line; None when its folder is there."""
    if not out.parent.is_dir():
        return f"cannot write {out}: {out.parent} is not a directory"
    if out.is_dir():
        return f"cannot write {out}: it is a directory"
    return None


def fail(message: str, code: int) -> int:
    print(f"billing-tui: {message}", file=sys.stderr)
    return code


def open_store(
    settings: Settings,
    args: argparse.Namespace,
    *,
    create_dirs: bool = False,
    acting: bool = True,
    via: str = "",
) -> Store:
    """The Store, working as the command's user (acting=False: nobody yet, for the TUI's
    login screen and for creating the first administrator). StoreRefused if the user is
    unknown, disabled or locked: the refusal is in the audit trail."""
    login = os_username()
    store = Store.open(
        settings.database,
        username=login,
        policy=settings.queue,
        statements=settings.statements,
        fees=settings.fees,
        create_dirs=create_dirs or args.db is None,
        enroll=False,
        via=via or f"cli {login}"[:40],
    )
    if acting:
        try:
            act_as_cli_user(store, args.user, login)
        except BaseException:
            store.close()
            raise
    return store


def act_as_cli_user(store: Store, named: str | None, login: str) -> None:
    """--user NAME, else the user mapped to the OS login (os_login, or the same username)."""
    users = store.users
    if named:
        users.act_as(named)
        return
    mapped = users.mapped_to(login)
    if mapped is not None:
        users.act_as(mapped)
        return
    if not users.exist():
        raise StoreRefused(
            "this database has no users yet: create the first administrator with "
            "`billing-tui user add NAME --role admin`"
        )
    raise StoreRefused(
        f"the OS login {login!r} is not mapped to a billing-tui user: pass --user NAME, "
        f"or an administrator maps it with `billing-tui user edit NAME --os-login {login}`"
    )


# --------------------------------------------------------------------------- commands


def cmd_tui(args: argparse.Namespace, settings: Settings) -> int:
    via = "serve" if os.environ.get("BILLING_TUI_VIA") == "serve" else "tui"
    store = open_store(settings, args, acting=False, via=via)  # the login screen signs in
    return _run_tui(store, settings)


def _run_tui(store: Store, settings: Settings, *, hint: str = "") -> int:
    from .app import make_app  # Textual is imported only when a screen is wanted

    try:
        make_app(store, settings, hint=hint).run(mouse=False)
    finally:
        store.close()
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from .sample.reference import SAMPLE_PASSWORD

    path = args.db or demo_database()
    if is_postgres(path):
        return fail(
            "the demo runs on a SQLite file; use `init --sample N` on PostgreSQL", EXIT_USAGE
        )
    if not Path(path).exists():
        _build_demo(Path(path), args.user, settings)
    store = Store.open(
        path,
        username=os_username(),
        policy=settings.queue,
        statements=settings.statements,
        fees=settings.fees,
        enroll=False,
        via="tui",
    )
    hint = (
        f"Demo practice: sign in as mreyes (specialist), abrennan (supervisor) or "
        f"rpatel-admin (admin), password {SAMPLE_PASSWORD}"
    )
    return _run_tui(store, dataclasses.replace(settings, database=path), hint=hint)


def _build_demo(path: Path, user: str | None, settings: Settings) -> None:
    """Build the demo practice beside its final name, then rename: never a half-built demo."""
    partial = path.with_name(path.name + ".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    print(f"Creating a demo practice of {DEMO_ACCOUNTS:,} accounts in {path} ...", flush=True)
    store = Store.open(
        str(partial), username=os_username(), policy=settings.queue, create_dirs=True, enroll=False
    )
    try:
        _generate(store, DEMO_ACCOUNTS, seed=1, as_of=None)
    finally:
        store.close()  # checkpoints the WAL into the file before it is renamed
    os.replace(partial, path)


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    store = open_store(settings, args, acting=False)  # a new database has nobody yet
    try:
        print(f"Database ready: {settings.database} (schema {store.schema_version()})")
        if args.sample is not None:
            if store.accounts.exist():
                return fail("--sample needs an empty database; this one has accounts", EXIT_USAGE)
            try:
                _generate(store, args.sample, seed=args.seed, as_of=args.as_of)
            except ValueError as error:  # reference data already there (an earlier --sample 0)
                return fail(str(error), EXIT_USAGE)
    finally:
        store.close()
    return EXIT_OK


def _generate(store: Store, accounts: int, *, seed: int, as_of: dt.date | None) -> None:
    from .sample import generate
    from .sample.reference import SAMPLE_PASSWORD

    started = time.perf_counter()
    interactive = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if interactive:
            print(f"\r  {done:,} / {total:,} accounts", end="", file=sys.stderr, flush=True)

    summary = generate(
        store.db, accounts, seed=seed, as_of=as_of, progress=progress, admin_login=os_username()
    )
    if interactive:
        print(file=sys.stderr)
    print(
        f"Sample practice: {summary.accounts:,} accounts, {summary.claims:,} claims, "
        f"{summary.ledger_entries:,} ledger entries in {time.perf_counter() - started:.1f} s"
    )
    print(
        f"Sample users sign in with the password {SAMPLE_PASSWORD!r}; your OS login "
        f"{os_username()!r} acts as the sample administrator on the command line"
    )


def cmd_verify(args: argparse.Namespace, settings: Settings) -> int:
    store = open_store(settings, args)
    try:
        started = time.perf_counter()
        report = store.verify()
    finally:
        store.close()
    for violation in report.violations:
        where = (
            f"{violation.entity} {violation.entity_id}" if violation.entity_id else violation.entity
        )
        print(f"VIOLATION [{violation.check}] {where}: {violation.detail}")
    if report.truncated:
        print(f"... and {report.truncated:,} more violations")
    checked = ", ".join(
        f"{count:,} {name}"
        for name, count in report.counted.items()
        if not name.endswith("violations")
    )
    seconds = time.perf_counter() - started
    if report.ok:
        print(
            f"OK: {checked} checked in {seconds:.1f} s; "
            f"balances total {format_cents(report.balance_total)}"
        )
        return EXIT_OK
    total = len(report.violations) + report.truncated
    noun = "violation" if total == 1 else "violations"
    print(f"FAILED: {total:,} {noun}; {checked} checked in {seconds:.1f} s")
    return EXIT_PROBLEM


def cmd_queue(args: argparse.Namespace, settings: Settings) -> int:
    from tabulate import tabulate

    store = open_store(settings, args)
    try:
        queue_filter = QueueFilter(
            age_bucket=args.age,
            payer_id=_payer_id(store, args.payer) if args.payer else None,
            flag=Flag[args.flag.upper().replace("-", "_")] if args.flag else None,
            follow_up_due=args.due,
        )
        rows = []
        cursor = None
        while len(rows) < args.limit:
            page = store.queue.page(
                args.search, queue_filter, cursor, min(args.limit - len(rows), 200)
            )
            rows.extend(page.rows)
            cursor = page.next_cursor
            if cursor is None:
                break
    finally:
        store.close()
    records = [
        {
            "account": r.account_number,
            "patient": r.name,
            "dob": r.dob.isoformat(),
            "payer": r.primary_payer,
            "insurance_balance": format_cents(r.insurance_balance, grouping=False),
            "patient_balance": format_cents(r.patient_balance, grouping=False),
            "age": r.age_bucket,
            "last_payment": r.last_payment_date.isoformat() if r.last_payment_date else "",
            "follow_up": r.next_follow_up.isoformat() if r.next_follow_up else "",
            "flags": "".join(f.value for f in r.flags),
        }
        for r in rows[: args.limit]
    ]
    if args.format == "json":
        print(json.dumps(records, indent=2))
    elif args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(records[0]) if records else ["account"])
        writer.writeheader()
        writer.writerows(records)
    elif records:
        headers = (
            "Account",
            "Patient",
            "DOB",
            "Payer",
            "Ins bal",
            "Pat bal",
            "Age",
            "Last paid",
            "Follow-up",
            "Flags",
        )
        align = ("left",) * 4 + ("right",) * 2 + ("left",) * 4
        print(
            tabulate(
                [list(r.values()) for r in records],
                headers=headers,
                colalign=align,
                disable_numparse=True,
            )
        )
    else:
        print("No accounts.")
    return EXIT_OK


def _payer_id(store: Store, wanted: str) -> int:
    needle = wanted.strip().casefold()
    matches = [
        p for p in store.accounts.payers() if needle in (p.name.casefold(), p.payer_code.casefold())
    ] or [p for p in store.accounts.payers() if needle in p.name.casefold()]
    if len(matches) != 1:
        names = ", ".join(p.name for p in store.accounts.payers())
        raise UsageError(
            f"--payer {wanted!r} matches {len(matches)} payers; choose one of: {names}"
        )
    return matches[0].id


def cmd_account(args: argparse.Namespace, settings: Settings) -> int:
    from tabulate import tabulate

    store = open_store(settings, args)
    try:
        patient_id = store.accounts.find(args.number)
        if patient_id is None:
            return fail(f"no account {args.number!r}", EXIT_PROBLEM)
        view = store.accounts.open(patient_id)
        statements = store.statements.statements_of(patient_id)
    finally:
        store.close()
    p = view.patient
    print(f"{p.name}  account {p.account_number}  DOB {format_date(p.dob)}  sex {p.sex}")
    print(f"{p.address}  phone {p.phone or '-'}  {p.email or ''}")
    total = view.insurance_balance + view.patient_balance
    flags = ", ".join(f.label for f in view.flags) or "none"
    print(
        f"Insurance {format_cents(view.insurance_balance)}  Patient {format_cents(view.patient_balance)}"
        f"  Total {format_cents(total)}  Flags: {flags}"
    )
    print()
    print(
        tabulate(
            [
                (
                    c.claim_number,
                    format_date(c.first_dos),
                    c.status,
                    c.payer_name,
                    format_cents(c.charge),
                    format_cents(c.insurance_balance),
                    format_cents(c.patient_balance),
                )
                for c in view.claims
            ],
            headers=("Claim", "DOS", "Status", "Payer", "Charge", "Ins bal", "Pat bal"),
            colalign=("left",) * 4 + ("right",) * 3,
            disable_numparse=True,
        )
    )
    print()
    print(
        tabulate(
            [
                (
                    format_date(e.effective_date),
                    e.kind + (" (reversal)" if e.reverses else ""),
                    e.claim_number,
                    e.description[:30],
                    format_cents(e.insurance_delta),
                    format_cents(e.patient_delta),
                    format_cents(e.insurance_balance),
                    format_cents(e.patient_balance),
                )
                for e in view.ledger
            ],
            headers=("Date", "Kind", "Claim", "Description", "Ins", "Pat", "Ins bal", "Pat bal"),
            colalign=("left",) * 4 + ("right",) * 4,
            disable_numparse=True,
        )
    )
    if statements:
        print()
        print("Statements")
        print(
            tabulate(
                [
                    (
                        s.id,
                        format_date(s.statement_date),
                        s.cycle_label,
                        format_cents(s.balance),
                        format_cents(s.amount_due),
                        format_date(s.due_date),
                        s.pages,
                    )
                    for s in statements
                ],
                headers=("Number", "Date", "Cycle", "Balance", "Due", "Due by", "Pages"),
                colalign=("right", "left", "left", "right", "right", "left", "right"),
                disable_numparse=True,
            )
        )
    return EXIT_OK


def cmd_note(args: argparse.Namespace, settings: Settings) -> int:
    store = open_store(settings, args)
    try:
        patient_id = store.accounts.find(args.number)
        if patient_id is None:
            return fail(f"no account {args.number!r}", EXIT_PROBLEM)
        store.accounts.add_note(
            patient_id,
            args.text,
            kind=args.kind,
            direction=args.direction or "",
            follow_up=args.follow_up,
        )
    finally:
        store.close()
    print(f"Note added to account {args.number}")
    return EXIT_OK


COMMANDS = {
    "tui": cmd_tui,
    "demo": cmd_demo,
    "init": cmd_init,
    "verify": cmd_verify,
    "queue": cmd_queue,
    "account": cmd_account,
    "note": cmd_note,
}
