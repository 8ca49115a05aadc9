"""Subcommands report (the catalog of billing_tui/reports.py as a table, CSV, JSON or PDF),
close-day and reopen-day.

A report is a Store query (an iterator of rows) and the columns to print; a new
report is one more entry in REPORTS. Rows are written as
they come, so CSV and JSON of a million claims never sit in memory; a table is
aligned a page at a time for the same reason.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path

from ..domain.money import format_cents
from ..reports import REPORTS, Report, cell

FORMATS = ("table", "csv", "json", "pdf")
TABLE_PAGE = 5_000  # rows aligned together; each page repeats the headings


def register(commands) -> dict:
    from ..cli import _date

    parser = commands.add_parser(
        "report",
        help="print a report (aging, day-close, denials, claim-status, kpi, productivity, "
        "timely-filing, ...) as a table, CSV, JSON or PDF",
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
        help="table (default, with totals), csv (with a header row), json (a list of "
        "objects) or pdf (with --out; charts for aging, denials, claim-status)",
    )
    parser.add_argument("--out", type=Path, metavar="FILE.pdf", help="where --format pdf goes")
    close = commands.add_parser(
        "close-day", help="close a day's posting: its batches must balance; then it is locked"
    )
    close.add_argument("day", type=_date, metavar="DATE")
    reopen = commands.add_parser("reopen-day", help="reopen a closed day (a supervisor)")
    reopen.add_argument("day", type=_date, metavar="DATE")
    reopen.add_argument("--reason", required=True, help="why, for the audit trail")
    return {"report": cmd_report, "close-day": cmd_close_day, "reopen-day": cmd_reopen_day}


def cmd_close_day(args: argparse.Namespace, settings) -> int:
    from ..cli import EXIT_OK, open_store

    store = open_store(settings, args)
    try:
        store.day_close.close(args.day)
        total = store.day_close.report(args.day)[-1]
    finally:
        store.close()
    print(
        f"{args.day.strftime('%m/%d/%Y')} closed: deposit {format_cents(total.control)} "
        f"in {total.lines:,} payments; posting dated that day is locked"
    )
    return EXIT_OK


def cmd_reopen_day(args: argparse.Namespace, settings) -> int:
    from ..cli import EXIT_OK, open_store

    store = open_store(settings, args)
    try:
        store.day_close.reopen(args.day, args.reason)
    finally:
        store.close()
    print(f"{args.day.strftime('%m/%d/%Y')} reopened")
    return EXIT_OK


def cmd_report(args: argparse.Namespace, settings) -> int:
    from ..cli import EXIT_OK, UsageError, open_store
    from ..store.reports import Period

    if args.start and args.end and args.start > args.end:
        raise UsageError(f"--from {args.start.isoformat()} is after --to {args.end.isoformat()}")
    period = Period(args.start, args.end)
    report = REPORTS[args.name]
    if args.format == "pdf":
        return _report_pdf(args, settings, report, period)
    if args.out is not None:
        raise UsageError("--out is for --format pdf; the other formats go to stdout")
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


def _report_pdf(args: argparse.Namespace, settings, report: Report, period) -> int:
    from ..cli import EXIT_OK, EXIT_USAGE, UsageError, fail, open_store, unwritable
    from ..pdf.report import write_report_pdf

    if args.out is None:
        raise UsageError("--format pdf needs --out FILE.pdf")
    out = args.out.expanduser()
    if problem := unwritable(out):
        return fail(problem, EXIT_USAGE)
    store = open_store(settings, args)
    try:
        rows = list(report.rows(store, period))
        practice = store.reports.practice_name()
    finally:
        store.close()
    try:
        pages = write_report_pdf(report, rows, out, title=report.title or args.name,
                                 period_text=_period_text(period), practice_name=practice)  # fmt: skip
    except OSError as error:
        return fail(f"cannot write {out}: {error.strerror}", EXIT_USAGE)
    print(f"{args.name}: {len(rows):,} rows, {pages} page{'s' if pages != 1 else ''} in {out}")
    return EXIT_OK


def _period_text(period) -> str:
    if period.start and period.end:
        return f"{period.start.strftime('%m/%d/%Y')} to {period.end.strftime('%m/%d/%Y')}"
    if period.start:
        return f"from {period.start.strftime('%m/%d/%Y')}"
    if period.end:
        return f"to {period.end.strftime('%m/%d/%Y')}"
    return "all dates"


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
        format_cents(total) if is_money and report.totals else ""
        for total, is_money in zip(totals, money, strict=True)
    ]
    totals_row[0] = f"Total ({count:,} {one if count == 1 else many})"
    if page:
        page.append(SEPARATING_LINE)
    print_page([*page, totals_row])
