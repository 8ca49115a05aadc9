"""Subcommands late-fees, write-off, waive-fee, approvals and collections: our own
adjustments of patient balances, and the supervisor's decisions on them."""

from __future__ import annotations

from ..domain.adjustments import WRITE_OFF_CATEGORIES


def register(commands) -> dict:
    from ..cli import positive_amount as _amount

    fees = commands.add_parser(
        "late-fees", help="list the statements left unpaid that earn a late fee; --apply posts them"
    )
    fees.add_argument("--apply", action="store_true", help="post the fees")

    write_off = commands.add_parser(
        "write-off", help="write off part of a patient balance (over the limit: for approval)"
    )
    write_off.add_argument("account", metavar="ACCOUNT")
    write_off.add_argument("amount", type=_amount, metavar="AMOUNT")
    write_off.add_argument("--reason", required=True)
    write_off.add_argument(
        "--category",
        choices=[c.value for c in WRITE_OFF_CATEGORIES],
        default=WRITE_OFF_CATEGORIES[0].value,
        help="small_balance (default), hardship or courtesy",
    )
    write_off.add_argument("--claim", metavar="NUMBER", help="from this visit only")

    waive = commands.add_parser("waive-fee", help="waive a late fee, with a reason")
    waive.add_argument("account", metavar="ACCOUNT")
    waive.add_argument("--reason", required=True)
    waive.add_argument("--fee", type=int, metavar="ID", help="which fee (default: the latest)")

    approvals = commands.add_parser(
        "approvals", help="write-offs and waivers waiting for a supervisor; approve or decline"
    )
    decide = approvals.add_mutually_exclusive_group()
    decide.add_argument("--approve", type=int, metavar="ID")
    decide.add_argument("--decline", type=int, metavar="ID")
    approvals.add_argument("--note", default="", help="why (required to decline)")

    collections = commands.add_parser(
        "collections", help="send an account to collections (bad debt), list or recall placements"
    )
    collections.add_argument("account", nargs="?", metavar="ACCOUNT")
    collections.add_argument("--agency", help="the collection agency")
    collections.add_argument("--reason", default="")
    collections.add_argument("--recall", type=int, metavar="ID", help="recall this placement")
    return {
        "late-fees": cmd_late_fees,
        "write-off": cmd_write_off,
        "waive-fee": cmd_waive_fee,
        "approvals": cmd_approvals,
        "collections": cmd_collections,
    }


def _account(store, number: str) -> int:
    from ..store import StoreRefused

    patient_id = store.accounts.find(number)
    if patient_id is None:
        raise StoreRefused(f"no account {number!r}")
    return patient_id


def cmd_late_fees(args, settings) -> int:
    from tabulate import tabulate

    from ..cli import EXIT_OK, open_store
    from ..domain.dates import format_date
    from ..domain.money import format_cents

    store = open_store(settings, args)
    try:
        if store.adjustments.policy.late_fee <= 0:
            print("Late fees are off: set [late_fees] amount in the config file.")
            return EXIT_OK
        found = (
            store.adjustments.assess_late_fees()
            if args.apply
            else store.adjustments.late_fee_candidates()
        )
    finally:
        store.close()
    if found:
        print(
            tabulate(
                [
                    (c.account_number, format_date(c.statement_date), format_date(c.due_date),
                     format_cents(c.amount_due), format_cents(c.paid_since), format_cents(c.fee))
                    for c in found
                ],
                headers=("Account", "Statement", "Due", "Amount due", "Paid since", "Fee"),
                colalign=("left", "left", "left", "right", "right", "right"),
                disable_numparse=True,
            )
        )  # fmt: skip
    total = format_cents(sum(c.fee for c in found))
    verb = "posted" if args.apply else "due (--apply posts them)"
    print(f"{len(found):,} late fees {verb}: {total}")
    return EXIT_OK


def cmd_write_off(args, settings) -> int:
    from ..cli import EXIT_OK, open_store
    from ..store import StoreRefused

    store = open_store(settings, args)
    try:
        patient_id = _account(store, args.account)
        claim_id = None
        if args.claim:
            claim_id = store.claims.find(args.claim.strip().upper())
            if claim_id is None:
                raise StoreRefused(f"no claim {args.claim!r}")
        outcome = store.adjustments.write_off(
            patient_id, args.amount, category=args.category, reason=args.reason, claim_id=claim_id
        )
    finally:
        store.close()
    print(f"Write-off {outcome.request_id} on account {args.account}: {outcome.message}")
    return EXIT_OK


def cmd_waive_fee(args, settings) -> int:
    from ..cli import EXIT_OK, open_store
    from ..store import StoreRefused

    store = open_store(settings, args)
    try:
        patient_id = _account(store, args.account)
        fees = store.adjustments.late_fees_of(patient_id)
        if args.fee is not None:
            fee = next((f for f in fees if f.id == args.fee), None)
            if fee is None:
                raise StoreRefused(f"account {args.account} has no late fee {args.fee}")
        else:
            fee = next((f for f in fees if not f.waiver), None)
            if fee is None:
                raise StoreRefused(f"account {args.account} has no late fee to waive")
        outcome = store.adjustments.waive_late_fee(fee.id, args.reason)
    finally:
        store.close()
    print(f"Late fee {fee.id} of {fee.assessed_on:%m/%d/%Y}: waiver {outcome.message}")
    return EXIT_OK


def cmd_approvals(args, settings) -> int:
    from tabulate import tabulate

    from ..cli import EXIT_OK, open_store
    from ..domain.money import format_cents

    store = open_store(settings, args)
    try:
        if args.approve is not None:
            outcome = store.adjustments.approve(args.approve, args.note)
            print(f"Request {args.approve}: {outcome.message}")
            return EXIT_OK
        if args.decline is not None:
            store.adjustments.decline(args.decline, args.note)
            print(f"Request {args.decline} declined")
            return EXIT_OK
        rows = store.adjustments.pending()
    finally:
        store.close()
    if not rows:
        print("Nothing waits for approval.")
        return EXIT_OK
    print(
        tabulate(
            [
                (r.id, r.account_number, r.category.replace("_", " "), format_cents(r.amount),
                 r.requested_by, f"{r.requested_at:%m/%d/%Y}", r.reason)
                for r in rows
            ],
            headers=("Request", "Account", "What", "Amount", "By", "On", "Reason"),
            colalign=("right", "left", "left", "right", "left", "left", "left"),
            maxcolwidths=[None, None, None, None, None, None, 30],
            disable_numparse=True,
        )
    )  # fmt: skip
    return EXIT_OK


def cmd_collections(args, settings) -> int:
    from tabulate import tabulate

    from ..cli import EXIT_OK, UsageError, open_store
    from ..domain.money import format_cents

    if args.recall is not None and args.account:
        raise UsageError("--recall takes a placement number, not an account")
    if args.account and not args.agency:
        raise UsageError("name the agency: --agency NAME")
    store = open_store(settings, args)
    try:
        if args.recall is not None:
            store.adjustments.recall(args.recall, args.reason)
            print(f"Placement {args.recall} recalled: its bad-debt entries are reversed")
            return EXIT_OK
        if args.account:
            patient_id = _account(store, args.account)
            placement = store.adjustments.send_to_collections(patient_id, args.agency, args.reason)
            amount = store.adjustments.placements(patient_id=patient_id)[0].amount
            print(
                f"Account {args.account} sent to {args.agency} (placement {placement}): "
                f"{format_cents(amount)} written off as bad debt"
            )
            return EXIT_OK
        rows = store.adjustments.placements(active_only=True)
    finally:
        store.close()
    if not rows:
        print("No account is with a collection agency.")
        return EXIT_OK
    print(
        tabulate(
            [
                (p.id, p.account_number, p.agency, format_cents(p.amount),
                 f"{p.placed_at:%m/%d/%Y}", p.placed_by)
                for p in rows
            ],
            headers=("Placement", "Account", "Agency", "Amount", "Placed", "By"),
            colalign=("right", "left", "left", "right", "left", "left"),
            disable_numparse=True,
        )
    )  # fmt: skip
    return EXIT_OK
