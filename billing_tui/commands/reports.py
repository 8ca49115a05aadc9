"""Subcommand report: the books as a table, CSV or JSON (claims, denials, payment batches).

A report is a Store query (an iterator of rows) and the columns to print; a new
report (aging, day-close, ...) is one more entry in REPORTS. Rows are written as
they come, so CSV and JSON of a million claims never sit in memory; a table is
aligned a page at a time for the same reason.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..domain.money import format_cents

FORMATS = ("table", "csv", "json")
TABLE_PAGE = 5_000  # rows aligned together; each page repeats the headings


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # the CSV heading and JSON key
    heading: str  # the table's heading
    attr: str  # the row's attribute
    kind: str = "text"  # text, date, money (int cents: totalled), count (int)
    width: int | None = None  # a table wraps longer text


@dataclass(frozen=True, slots=True)
class Report:
    rows: Callable  # (store, Period) -> iterator of rows, run to the end before the store closes
    columns: tuple[Column, ...]
    nouns: tuple[str, str]  # one, many: "Total (1 claim)", "Total (2 claims)"


AGING_COLUMNS = (
    Column("payer", "Owed by", "payer"),
    Column("responsibility", "Whose", "responsibility"),
    Column("days_0_30", "0-30", "days_0_30", "money"),
    Column("days_31_60", "31-60", "days_31_60", "money"),
    Column("days_61_90", "61-90", "days_61_90", "money"),
    Column("days_91_120", "91-120", "days_91_120", "money"),
    Column("days_over_120", "120+", "days_over_120", "money"),
    Column("total", "Total", "total", "money"),
)

REPORTS = {
    "aging": Report(
        # --to is the day the balances are aged to (default today); --from does not apply.
        rows=lambda store, period: store.reports.aging(period.end),
        columns=AGING_COLUMNS,
        nouns=("line", "lines"),
    ),
    "claim-status": Report(
        rows=lambda store, period: store.reports.claim_status(period),
        columns=(
            Column("status", "Status", "status"),
            Column("claims", "Claims", "claims", "count"),
            Column("charge", "Charge", "charge", "money"),
            Column("balance", "Balance", "balance", "money"),
        ),
        nouns=("status", "statuses"),
    ),
    "claims": Report(
        rows=lambda store, period: store.reports.claims(period),
        columns=(
            Column("claim", "Claim", "claim_number"),
            Column("status", "Status", "status"),
            Column("account", "Account", "account_number"),
            Column("payer", "Payer", "payer"),
            Column("dos", "DOS", "first_dos", "date"),
            Column("charge", "Charge", "charge", "money"),
            Column("paid", "Paid", "paid", "money"),
            Column("patient_paid", "Pat paid", "patient_paid", "money"),
            Column("adjusted", "Adjusted", "adjusted", "money"),
            Column("patient_resp", "Pat resp", "patient_resp", "money"),
            Column("balance", "Balance", "balance", "money"),
        ),
        nouns=("claim", "claims"),
    ),
    "denials": Report(
        rows=lambda store, period: store.reports.denials(period),
        columns=(
            Column("claim", "Claim", "claim_number"),
            Column("account", "Account", "account_number"),
            Column("payer", "Payer", "payer"),
            Column("dos", "DOS", "first_dos", "date"),
            Column("charge", "Charge", "charge", "money"),
            Column("reasons", "Reasons", "reasons", width=24),
            Column("denied", "Denied", "denied_on", "date"),
            Column("age_days", "Age", "age_days", "count"),
            Column("status", "Status", "status"),
            Column("resolution", "Resolution", "resolution", width=30),
        ),
        nouns=("denial", "denials"),
    ),
    "batches": Report(
        rows=lambda store, period: store.reports.batches(period),
        columns=(
            Column("batch", "Batch", "batch_id", "count"),
            Column("kind", "Kind", "kind"),
            Column("source", "Source", "source"),
            Column("payer", "Payer", "payer"),
            Column("method", "Method", "method"),
            Column("check", "Check/EFT", "check_number"),
            Column("deposit_date", "Deposit", "deposit_date", "date"),
            Column("control", "Control", "control_total", "money"),
            Column("posted", "Posted", "posted", "money"),
            Column("unapplied", "Unapplied", "unapplied", "money"),
            Column("status", "Status", "status"),
            Column("claims", "Claims", "claims", "count"),
        ),
        nouns=("batch", "batches"),
    ),
}


def register(commands) -> dict:
    parser = commands.add_parser(
        "report",
        help="print a report: aging, claim-status, claims, denials or payment batches, as a "
        "table, CSV or JSON",
    )
    parser.add_argument("name", choices=tuple(REPORTS), metavar="NAME", help=", ".join(REPORTS))
    parser.add_argument(
        "--from", dest="start", type=_date, metavar="DATE",
        help="from this day (by date of service; batches by deposit date)",
    )  # fmt: skip
    parser.add_argument(
        "--to", dest="end", type=_date, metavar="DATE",
        help="to this day, included (aging: the day balances are aged to; default today)",
    )  # fmt: skip
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="table (default, with totals), csv (with a header row) or json (a list of objects)",
    )
    return {"report": cmd_report}


def _date(text: str) -> dt.date:
    from ..cli import _date as parse

    return parse(text)


def cmd_report(args: argparse.Namespace, settings) -> int:
    from ..cli import EXIT_OK, UsageError, open_store
    from ..store.reports import Period

    if args.start and args.end and args.start > args.end:
        raise UsageError(f"--from {args.start.isoformat()} is after --to {args.end.isoformat()}")
    period = Period(args.start, args.end)
    report = REPORTS[args.name]
    write = {"table": write_table, "csv": write_csv, "json": write_json}[args.format]
    store = open_store(settings, args)
    try:
        write(report, report.rows(store, period))
    except BrokenPipeError:
        # The reader had enough (`| head`): not a failure. Point stdout at /dev/null
        # so Python's own flush at exit does not complain about the closed pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    finally:
        store.close()
    return EXIT_OK


def cell(column: Column, row, *, grouping: bool = False):
    """A row's value for a column: amounts as "1234.50", dates ISO, counts as ints."""
    value = getattr(row, column.attr)
    if column.kind == "money":
        return format_cents(value, grouping=grouping)
    if column.kind == "date":
        return value.isoformat() if isinstance(value, dt.date) else ""
    return value


def write_csv(report: Report, rows: Iterable) -> None:
    writer = csv.writer(sys.stdout)
    writer.writerow([c.key for c in report.columns])
    for row in rows:
        writer.writerow([cell(c, row) for c in report.columns])


def write_json(report: Report, rows: Iterable) -> None:
    """One object per line, written as it comes: valid JSON however many rows."""
    out = sys.stdout
    out.write("[")
    empty = True
    for row in rows:
        out.write("\n  " if empty else ",\n  ")
        out.write(json.dumps({c.key: cell(c, row) for c in report.columns}))
        empty = False
    out.write("]\n" if empty else "\n]\n")


def write_table(report: Report, rows: Iterable) -> None:
    from tabulate import SEPARATING_LINE, tabulate

    columns = report.columns
    money = [c.kind == "money" for c in columns]
    # The first column labels each row, the totals line's too: always to the left.
    align = ["left"] + ["right" if c.kind in ("money", "count") else "left" for c in columns[1:]]

    def print_page(page: list) -> None:
        print(
            tabulate(
                page,
                headers=[c.heading for c in columns],
                colalign=align,
                maxcolwidths=[c.width for c in columns],
                disable_numparse=True,
            )
        )

    totals = [0] * len(columns)
    count = 0
    page: list = []
    for row in rows:
        if len(page) == TABLE_PAGE:
            print_page(page)
            print()
            page = []
        page.append([cell(c, row, grouping=True) for c in columns])
        for i, is_money in enumerate(money):
            if is_money:
                totals[i] += getattr(row, columns[i].attr)
        count += 1
    one, many = report.nouns
    totals_row = [
        format_cents(total) if is_money else ""
        for total, is_money in zip(totals, money, strict=True)
    ]
    totals_row[0] = f"Total ({count:,} {one if count == 1 else many})"
    if page:
        page.append(SEPARATING_LINE)
    print_page([*page, totals_row])
