"""Subcommands export-270 and import-271: ask payers about coverage, and record their answers."""

from __future__ import annotations

import argparse


def register(commands) -> dict:
    ask = commands.add_parser(
        "export-270",
        help="write eligibility requests (X12 270) for the chosen accounts' coverages",
    )
    ask.add_argument("--out", required=True, metavar="FILE", help="the 270 file to write")
    ask.add_argument(
        "--account",
        action="append",
        default=[],
        metavar="NUMBER",
        help="ask about this account's current coverages (repeat for more)",
    )
    ask.add_argument(
        "--unverified",
        action="store_true",
        help="only coverages never verified, or verified longer ago than the queue allows "
        "(every account's, unless --account names some)",
    )
    ask.add_argument(
        "--test", action="store_true", help="mark the interchange as test data (ISA15 = T)"
    )
    answer = commands.add_parser(
        "import-271", help="record the payers' eligibility answers (X12 271) on the coverages"
    )
    answer.add_argument("file", metavar="FILE", help="the 271 file to read")
    return {"export-270": cmd_export_270, "import-271": cmd_import_271}


def cmd_export_270(args: argparse.Namespace, settings) -> int:
    from tabulate import tabulate

    from ..cli import EXIT_OK, EXIT_PROBLEM, UsageError, fail, open_store
    from ..domain.security import mask_id

    if not args.account and not args.unverified:
        raise UsageError("name accounts with --account NUMBER, or use --unverified")
    store = open_store(settings, args)
    try:
        result = store.eligibility.export_270(
            args.out, args.account, unverified=args.unverified, production=not args.test
        )
    finally:
        store.close()
    if result.asked:
        rows = [
            (a.account_number, a.patient, a.payer, mask_id(a.member_id), a.trace)
            for a in result.asked
        ]
        print(
            tabulate(
                rows,
                headers=("Asked", "Patient", "Payer", "Member ID", "Trace"),
                disable_numparse=True,
            )
        )
    if result.not_asked:
        if result.asked:
            print()
        rows = [(n.account_number, n.reason) for n in result.not_asked]
        print(tabulate(rows, headers=("Not asked", "Why"), disable_numparse=True))
    if not result.asked:
        return fail("nothing to ask: no coverage needs a 270", EXIT_PROBLEM)
    print()
    print(
        f"{len(result.asked)} requests written to {result.path} in interchange "
        f"{result.control_number}{' (test)' if args.test else ''}"
    )
    return EXIT_OK


def cmd_import_271(args: argparse.Namespace, settings) -> int:
    from pathlib import Path

    from tabulate import tabulate

    from ..cli import EXIT_OK, EXIT_PROBLEM, fail, open_store
    from ..x12.reader import X12Error

    try:
        raw = Path(args.file).read_bytes()
    except OSError as error:
        return fail(f"cannot read {args.file}: {error.strerror}", EXIT_PROBLEM)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # a payer's stray accented byte is not worth a refusal
    store = open_store(settings, args)
    try:
        result = store.eligibility.import_271(text)
    except X12Error as error:
        return fail(f"{args.file} refused, nothing changed: {error}", EXIT_PROBLEM)
    finally:
        store.close()
    if result.answers:
        rows = [
            (
                a.account_number or "-",
                a.patient,
                a.payer,
                a.status,
                a.outcome,
                a.result,
            )
            for a in result.answers
        ]
        print(
            tabulate(
                rows,
                headers=("Account", "Patient", "Payer", "Status", "Outcome", "Result"),
                disable_numparse=True,
                maxcolwidths=[None, 24, 20, None, None, 60],
            )
        )
        print()
    print(
        f"{len(result.answers)} answers: {result.updated} coverages updated, "
        f"{result.unmatched} not matched"
    )
    return EXIT_PROBLEM if result.unmatched else EXIT_OK
