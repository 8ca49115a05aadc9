"""Subcommand plan: agree a payment plan on an account, show it with its schedule, end it."""

from __future__ import annotations

import argparse

from ..domain.money import format_cents

FREQUENCIES = ("monthly", "biweekly", "weekly")


def register(commands) -> dict:
    from ..cli import _count, _date
    from ..cli import positive_amount as _amount

    parser = commands.add_parser(
        "plan",
        help="an account's payment plan: create one (--total, --instalment, --start), "
        "show it with its schedule, or --cancel it",
    )
    parser.add_argument("account", metavar="ACCOUNT", help="account number")
    parser.add_argument("--total", type=_amount, metavar="AMOUNT", help="what the plan collects")
    parser.add_argument("--instalment", type=_amount, metavar="AMOUNT", help="each instalment")
    parser.add_argument(
        "--start", type=_date, metavar="DATE", help="the first instalment's due date"
    )
    parser.add_argument("--frequency", choices=FREQUENCIES, help="monthly (default), ...")
    parser.add_argument(
        "--instalments", type=_count, metavar="N", help="how many (checked against the total)"
    )
    parser.add_argument("--note", default="", help="what was agreed, for the account's notes")
    ending = parser.add_mutually_exclusive_group()
    ending.add_argument("--cancel", metavar="REASON", help="cancel the active plan")
    ending.add_argument(
        "--break", dest="break_reason", metavar="REASON",
        help="end the active plan as broken: the patient stopped paying",
    )  # fmt: skip
    return {"plan": cmd_plan}


def cmd_plan(args: argparse.Namespace, settings) -> int:
    from ..cli import EXIT_OK, UsageError, open_store
    from ..store import StoreRefused

    creating = [
        name
        for name in ("total", "instalment", "start", "frequency", "instalments")
        if getattr(args, name) is not None
    ]
    ending = args.cancel is not None or args.break_reason is not None
    if creating and ending:
        raise UsageError("either create a plan (--total ...) or end one (--cancel/--break)")
    if creating:
        missing = [f"--{name}" for name in ("total", "instalment", "start") if name not in creating]
        if missing:
            raise UsageError(f"a new plan needs {' and '.join(missing)}")
    store = open_store(settings, args)
    try:
        patient_id = store.accounts.find(args.account)
        if patient_id is None:
            raise StoreRefused(f"no account {args.account!r}")
        if creating:
            plan_id = store.plans.create(
                patient_id,
                args.total,
                args.instalment,
                args.start,
                args.frequency or "monthly",
                args.instalments,
                note=args.note,
            )
            print(f"Payment plan {plan_id} created on account {args.account}.")
            print_plan(store.plans.get(plan_id))
            return EXIT_OK
        plan = store.plans.current(patient_id)
        if ending:
            if plan is None:
                raise StoreRefused(f"account {args.account} has no active payment plan")
            if args.cancel is not None:
                store.plans.cancel(plan.id, args.cancel, expected_version=plan.version)
                print(f"Payment plan {plan.id} on account {args.account} cancelled.")
            else:
                store.plans.break_plan(plan.id, args.break_reason, expected_version=plan.version)
                print(f"Payment plan {plan.id} on account {args.account} ended as broken.")
            return EXIT_OK
        if plan is None:
            print(f"Account {args.account} has no active payment plan.")
            print_history(store.plans.plans_of(patient_id))
            return EXIT_OK
        print_plan(plan)
    finally:
        store.close()
    return EXIT_OK


def print_plan(plan) -> None:
    from tabulate import tabulate

    from ..domain.dates import format_date

    print(
        f"Plan {plan.id} ({plan.status}), account {plan.account_number}: "
        f"{plan.instalments} {plan.frequency} instalments of {format_cents(plan.instalment)} "
        f"from {format_date(plan.start_date)}"
    )
    line = f"Total {format_cents(plan.total)}  Paid {format_cents(plan.paid)}"
    line += f"  Remaining {format_cents(plan.remaining)}"
    if plan.next_due is not None:
        line += f"  Next due {format_date(plan.next_due)}"
    if plan.overdue:
        line += f"  Overdue {format_cents(plan.overdue)}"
    if plan.behind:
        line += "  BEHIND: an instalment is missed"
    print(line)
    if plan.end_reason:
        print(f"Ended: {plan.end_reason}")
    print()
    print(
        tabulate(
            [
                (
                    i.number,
                    format_date(i.due),
                    format_cents(i.amount),
                    format_cents(i.paid),
                    i.state,
                )
                for i in plan.schedule
            ],
            headers=("#", "Due", "Amount", "Paid", "State"),
            colalign=("right", "left", "right", "right", "left"),
            disable_numparse=True,
        )
    )


def print_history(plans) -> None:
    from tabulate import tabulate

    from ..domain.dates import format_date

    if not plans:
        return
    print()
    print(
        tabulate(
            [
                (
                    p.id,
                    p.status,
                    format_date(p.start_date),
                    format_cents(p.total),
                    format_cents(p.paid),
                    p.end_reason,
                )
                for p in plans
            ],
            headers=("Plan", "Status", "Start", "Total", "Paid", "Reason"),
            colalign=("right", "left", "left", "right", "right", "left"),
            disable_numparse=True,
        )
    )
