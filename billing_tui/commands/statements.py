"""Subcommands statements (print a run) and statement (reprint one that went out)."""

from __future__ import annotations

import argparse
from pathlib import Path

HELD_LISTED = 20  # held-back accounts named in the output; the rest are counted


def register(commands) -> dict:
    from ..cli import _count
    from ..cli import positive_amount as _amount

    run = commands.add_parser(
        "statements",
        help="print patient statements: every account due one, or the named ones, in one PDF",
    )
    run.add_argument("--out", required=True, metavar="DIR", help="the directory for the PDF")
    run.add_argument(
        "--min-balance",
        type=_amount,
        metavar="AMOUNT",
        help="only patient balances of at least this (default: [statements] min_balance, 5.00)",
    )
    run.add_argument(
        "--account", action="append", default=[], metavar="NUMBER", help="only this account"
    )
    run.add_argument(
        "--limit",
        type=_count,
        default=0,
        metavar="N",
        help="at most N statements in this run, in mailing order (the rest wait for the next)",
    )
    run.add_argument(
        "--check",
        action="store_true",
        help="list who would get a statement (and who is held back, and why); print nothing",
    )
    again = commands.add_parser(
        "statement", help="reprint a statement that went out, exactly as it was mailed"
    )
    again.add_argument("id", type=int, help="the statement's number (see `account NUMBER`)")
    again.add_argument("--out", required=True, metavar="FILE.pdf", help="the PDF to write")
    return {"statements": cmd_statements, "statement": cmd_statement}


def cmd_statements(args: argparse.Namespace, settings) -> int:
    from ..cli import EXIT_OK, EXIT_PROBLEM, fail, open_store
    from ..domain.money import format_cents

    out = Path(args.out)
    store = open_store(settings, args)
    try:
        if args.check:
            chosen = store.statements.candidates(
                min_balance=args.min_balance, accounts=args.account, limit=args.limit
            )
            # Build them as a run would, so that what holds one back (an address) shows too.
            contents, held = store.statements.contents([c.patient_id for c in chosen if not c.held])
            reasons = {h.account_number: h.reason for h in held}
            reasons.update((c.account_number, c.held) for c in chosen if c.held)
            amounts = {c.account_number: c.amount_due for c in contents}
            for candidate in chosen:
                number = candidate.account_number
                state = f"held: {reasons[number]}" if number in reasons else "due"
                shown = amounts.get(number, candidate.patient_balance)
                print(f"{number}  {format_cents(shown):>12}  {state}")
            print(f"{len(contents):,} statements due, {len(reasons):,} held back")
            return EXIT_OK if contents else EXIT_PROBLEM
        result = store.statements.run(
            out, min_balance=args.min_balance, accounts=args.account, limit=args.limit
        )
    except OSError as error:
        return fail(f"cannot write in {out}: {error.strerror or error}; nothing printed", 1)
    finally:
        store.close()
    noun = "statement" if result.statements == 1 else "statements"
    print(
        f"Printed {result.statements:,} {noun} on {result.pages:,} pages, "
        f"{format_cents(result.total_due)} due: {result.path}"
    )
    if result.held:
        print(f"Held back {len(result.held):,}:")
        for held in result.held[:HELD_LISTED]:
            print(f"  {held.account_number}: {held.reason}")
        if len(result.held) > HELD_LISTED:
            print(f"  ... and {len(result.held) - HELD_LISTED:,} more")
    return EXIT_OK


def cmd_statement(args: argparse.Namespace, settings) -> int:
    from ..cli import EXIT_OK, EXIT_PROBLEM, fail, open_store
    from ..pdf.output import write_atomically

    out = Path(args.out)
    store = open_store(settings, args)
    try:
        data = store.statements.reprint(args.id)
    finally:
        store.close()
    try:
        write_atomically(out, data)
    except OSError as error:
        return fail(f"cannot write {out}: {error.strerror or error}; nothing written", EXIT_PROBLEM)
    print(f"Statement {args.id} reprinted: {out}")
    return EXIT_OK
