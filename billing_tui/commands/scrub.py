"""Subcommands: scrub (check claims before they go out and print what the scrubber finds)."""

from __future__ import annotations

import argparse


def register(commands) -> dict:
    scrub = commands.add_parser(
        "scrub",
        help="check claims before they go out; exit 1 if any has an error",
        description="Print what the scrubber finds on each claim: errors (which keep a claim "
        "from going out) first, then warnings. Exit 1 if any claim has an error.",
    )
    scrub.add_argument(
        "--claim",
        action="append",
        metavar="NUMBER",
        help="a claim number, whatever its status (repeat for more); default: every --status claim",
    )
    scrub.add_argument(
        "--status",
        choices=("ready", "draft"),
        default="ready",
        help="the claims to scrub when no --claim is named (default ready)",
    )
    scrub.add_argument("--format", choices=("table", "json"), default="table")
    scrub.add_argument(
        "--rules", action="store_true", help="list the scrubber's rules instead, and exit"
    )
    return {"scrub": cmd_scrub}


def cmd_scrub(args: argparse.Namespace, settings) -> int:
    from ..cli import EXIT_OK, EXIT_PROBLEM, fail, open_store

    if args.rules:
        return _print_rules(args.format)
    store = open_store(settings, args)
    try:
        if args.claim:
            ids = {}
            for number in dict.fromkeys(n.strip().upper() for n in args.claim):
                claim_id = store.claims.find(number)
                if claim_id is None:
                    return fail(f"no claim {number!r}", EXIT_PROBLEM)
                ids[claim_id] = number
        else:
            ids = store.claims.claim_numbers(store.claims.with_status(args.status))
        findings = store.claims.scrub_many(ids)
    finally:
        store.close()
    claims = [(number, findings.get(claim_id, ())) for claim_id, number in ids.items()]
    if args.format == "json":
        _print_json(claims)
    else:
        _print_table(claims, args.status if not args.claim else None)
    has_error = any(f.blocks for _, found in claims for f in found)
    return EXIT_PROBLEM if has_error else EXIT_OK


def _print_table(claims, status: str | None) -> None:
    from tabulate import tabulate

    if not claims:
        print(f"No {status} claims." if status else "No claims.")
        return
    rows = [
        (number, f.severity.value, f.rule_id, f.field, f.message)
        for number, found in claims
        for f in found
    ]
    if rows:
        print(
            tabulate(
                rows,
                headers=("Claim", "Severity", "Rule", "Field", "Finding"),
                disable_numparse=True,
                maxcolwidths=[None, None, None, None, 60],
            )
        )
        print()
    errors = sum(1 for _, found in claims if any(f.blocks for f in found))
    warned = sum(1 for _, found in claims if found and not any(f.blocks for f in found))
    clean = len(claims) - errors - warned
    noun = "claim" if len(claims) == 1 else "claims"
    print(
        f"Scrubbed {len(claims):,} {noun}: {clean:,} clean, {errors:,} with errors, "
        f"{warned:,} with warnings only."
    )


def _print_json(claims) -> None:
    import json

    print(
        json.dumps(
            [
                {
                    "claim": number,
                    "clean": not found,
                    "findings": [
                        {
                            "rule": f.rule_id,
                            "severity": f.severity.value,
                            "field": f.field,
                            "message": f.message,
                        }
                        for f in found
                    ],
                }
                for number, found in claims
            ],
            indent=2,
        )
    )


def _print_rules(output: str) -> int:
    from ..domain.scrubber import RULES

    if output == "json":
        import json

        print(
            json.dumps(
                [{"rule": r.id, "severity": r.severity.value, "checks": r.checks} for r in RULES],
                indent=2,
            )
        )
    else:
        from tabulate import tabulate

        print(
            tabulate(
                [(r.id, r.severity.value, r.checks) for r in RULES],
                headers=("Rule", "Severity", "What it checks"),
                maxcolwidths=[None, None, 70],
            )
        )
    return 0
