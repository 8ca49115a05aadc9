"""Subcommand import-era: post 835 remittance files (ERA), each file whole or not at all."""

from __future__ import annotations

import argparse
import sys

from ..domain.money import format_cents


def register(commands) -> dict:
    parser = commands.add_parser(
        "import-era",
        help="post 835 remittance files: payments, adjustments, denials; each file all or nothing",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="835 files to post")
    parser.add_argument(
        "--preview", action="store_true", help="say what would be posted, and post nothing"
    )
    return {"import-era": cmd_import_era}


def cmd_import_era(args: argparse.Namespace, settings) -> int:
    from ..cli import EXIT_OK, EXIT_PROBLEM, open_store
    from ..store.remittances import EraRefused

    store = open_store(settings, args)
    refused = 0
    try:
        for name in args.files:
            try:
                result = store.remittances.import_file(name, preview=args.preview)
            except EraRefused as error:
                refused += 1
                print(f"billing-tui: {error}", file=sys.stderr)
                continue
            print_result(result)
    finally:
        store.close()
    return EXIT_PROBLEM if refused else EXIT_OK


OUTCOMES = (
    ("posted", "posted"),
    ("forwarded", "posted and crossed over"),
    ("reversal", "reversed"),
    ("denied", "denied (denial queue)"),
    ("exception", "held (exception queue)"),
)


def print_result(result) -> None:
    from tabulate import tabulate

    for payment in result.payments:
        head = f"{result.file_name}: payment {payment.trace_number} from {payment.payer or 'payer'}"
        if payment.status == "duplicate":
            print(f"{head}: {payment.message}")
            continue
        parts = [f"{payment.count(key)} {words}" for key, words in OUTCOMES if payment.count(key)]
        where = "preview, nothing posted" if result.preview else f"batch {payment.batch_id}"
        plb = (
            f"; provider-level adjustments {format_cents(payment.provider_adjustments)}"
            if payment.provider_adjustments
            else ""
        )
        print(f"{head}, {format_cents(payment.total_paid)} ({where}): "
              f"{', '.join(parts) or 'no claims'}{plb}")  # fmt: skip
        held = [c for c in payment.claims if c.outcome in ("exception", "denied")]
        if held:
            rows = [(c.claim_number, format_cents(c.paid), c.message) for c in held]
            print(
                tabulate(
                    rows,
                    headers=("Claim", "Paid", "Why"),
                    colalign=("left", "right", "left"),
                    maxcolwidths=[None, None, 52],
                    disable_numparse=True,
                )
            )
