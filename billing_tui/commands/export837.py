"""Subcommand export-837: send the ready claims (or the named ones) as one 837P interchange."""

from __future__ import annotations

import argparse

from ..domain.money import format_cents


def register(commands) -> dict:
    parser = commands.add_parser(
        "export-837",
        help="write the ready claims (or the named ones) to an 837P file and mark them submitted",
    )
    parser.add_argument("--out", required=True, metavar="FILE", help="the 837P file to write")
    parser.add_argument(
        "--claim",
        action="append",
        default=[],
        metavar="NUMBER",
        help="send only this claim (repeat for more); default: every ready claim",
    )
    parser.add_argument(
        "--test", action="store_true", help="mark the interchange as test data (ISA15 = T)"
    )
    return {"export-837": cmd_export_837}


def cmd_export_837(args: argparse.Namespace, settings) -> int:
    from tabulate import tabulate

    from ..cli import EXIT_OK, EXIT_PROBLEM, fail, open_store
    from ..store.submission import Submissions

    store = open_store(settings, args)
    try:
        result = Submissions(store).export_837(args.out, args.claim, production=not args.test)
    finally:
        store.close()
    if result.sent:
        rows = [
            (s.claim_number, s.payer, s.frequency, s.lines, format_cents(s.charge))
            for s in result.sent
        ]
        print(
            tabulate(
                rows,
                headers=("Sent", "Payer", "Freq", "Lines", "Charge"),
                colalign=("left", "left", "left", "right", "right"),
                disable_numparse=True,
            )
        )
    if result.held:
        if result.sent:
            print()
        rows = [(h.claim_number, h.payer, "; ".join(h.reasons)) for h in result.held]
        print(tabulate(rows, headers=("Held back", "Payer", "Why"), disable_numparse=True))
    if not result.sent:
        if result.held:
            held = len(result.held)
            what = "the claim was" if held == 1 else f"all {held} claims were"
            return fail(f"nothing to send: {what} held back", EXIT_PROBLEM)
        return fail("nothing to send: no claim is ready", EXIT_PROBLEM)
    total = sum(s.charge for s in result.sent)
    print()
    print(
        f"{len(result.sent)} claim{'' if len(result.sent) == 1 else 's'} ({format_cents(total)}) written to {result.path} in "
        f"interchange {result.control_number}{' (test)' if args.test else ''}; "
        f"{len(result.held)} held back"
    )
    return EXIT_OK
