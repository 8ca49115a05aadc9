"""The reports: what each one is (its Store query and its columns), for the CLI's `report`,
the reports screen and the PDF alike. No Textual, no printing: rows in, values out.

A report is rows(store, period) (an iterator, run to the end before the store closes) and
the columns to show; a new report is one more entry in REPORTS.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from .domain.money import format_cents


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
    title: str = ""  # the heading on the screen and the PDF
    # What a chart of it shows: the money columns to draw as bars, one bar group per row
    # labelled by the first column. () : no chart.
    chart: tuple[str, ...] = ()
    totals: bool = True  # False: the rows carry their own total (summing them would double it)


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
        title="A/R aging by date of service",
        chart=("days_0_30", "days_31_60", "days_61_90", "days_91_120", "days_over_120"),
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
        title="Claims by status",
        chart=("balance",),
    ),
    "denials": Report(
        rows=lambda store, period: store.reports.denial_summary(period.start, period.end),
        columns=(
            Column("by", "By", "by"),
            Column("key", "Reason, payer or provider", "key", width=34),
            Column("denials", "Denials", "denials", "count"),
            Column("charge", "Charged", "charge", "money"),
            Column("open", "Open", "open", "count"),
            Column("oldest_open_days", "Oldest", "oldest_open_days", "count"),
            Column("average_open_days", "Avg age", "average_open_days", "count"),
        ),
        nouns=("line", "lines"),
        title="Denials by reason (CARC), payer and provider, with the open queue's age",
        chart=("charge",),
        totals=False,  # each denial is on three lines (its reason, payer, provider)
    ),
    "timely-filing": Report(
        # --to is the day the deadlines are counted to (default today).
        rows=lambda store, period: store.reports.timely_filing(period.end),
        columns=(
            Column("claim", "Claim", "claim_number"),
            Column("account", "Account", "account_number"),
            Column("payer", "Payer", "payer"),
            Column("status", "Status", "status"),
            Column("dos", "DOS", "first_dos", "date"),
            Column("limit_days", "Limit", "limit_days", "count"),
            Column("deadline", "Deadline", "deadline", "date"),
            Column("days_left", "Days left", "days_left", "count"),
            Column("charge", "Charge", "charge", "money"),
        ),
        nouns=("claim", "claims"),
        title="Claims at risk of the payer's filing limit (30 days or less, or past)",
    ),
    "productivity": Report(
        rows=lambda store, period: store.reports.productivity(period.start, period.end),
        columns=(
            Column("user", "User", "username"),
            Column("day", "Day (UTC)", "day", "date"),
            Column("claims_entered", "Claims", "claims_entered", "count"),
            Column("lines_posted", "Lines posted", "lines_posted", "count"),
            Column("contacts_logged", "Contacts", "contacts_logged", "count"),
        ),
        nouns=("user-day", "user-days"),
        title="Productivity: claims entered, lines posted, contacts logged, per user and day",
    ),
    "kpi": Report(
        rows=lambda store, period: store.reports.kpi(period.start, period.end),
        columns=(
            Column("measure", "Measure", "measure"),
            Column("value", "Value", "value"),
            Column("of", "Of", "of_text"),
            Column("in", "In", "in_text"),
            Column("how", "How", "how", width=44),
        ),
        nouns=("measure", "measures"),
        title="Key figures: clean claims, denials, days in A/R, net collection, A/R over 90",
    ),
    "day-close": Report(
        # --to is the day (default today).
        rows=lambda store, period: store.day_close.report(period.end),
        columns=(
            Column("section", "Part", "section"),
            Column("label", "Batch, user or total", "label", width=34),
            Column("method", "Method", "method"),
            Column("control", "Control", "control", "money"),
            Column("posted", "Posted", "posted", "money"),
            Column("unapplied", "Unapplied", "unapplied", "money"),
            Column("lines", "Lines", "lines", "count"),
            Column("status", "Status", "status"),
        ),
        nouns=("line", "lines"),
        title="Day close: deposits against batch totals, unapplied money, who posted what",
        totals=False,
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
        title="Claims: charges, payments, adjustments and balances",
    ),
    "denial-list": Report(
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
        title="Denials",
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
        title="Payment batches",
    ),
    "aging-patients": Report(
        # --to is the day the balances are aged to (default today).
        rows=lambda store, period: store.reports.aging_by_patient(period.end),
        columns=(
            Column("account", "Account", "account_number"),
            Column("patient", "Patient", "patient", width=24),
            Column("days_0_30", "0-30", "days_0_30", "money"),
            Column("days_31_60", "31-60", "days_31_60", "money"),
            Column("days_61_90", "61-90", "days_61_90", "money"),
            Column("days_91_120", "91-120", "days_91_120", "money"),
            Column("days_over_120", "120+", "days_over_120", "money"),
            Column("patient_total", "Patient", "patient_total", "money"),
            Column("insurance", "Insurance", "insurance", "money"),
        ),
        nouns=("account", "accounts"),
        title="A/R aging by patient: each account's own balance by age, insurance apart",
    ),
}


def cell(column: Column, row, *, grouping: bool = False):
    """A row's value for a column: amounts as "1234.50", dates ISO, counts as ints."""
    value = getattr(row, column.attr)
    if column.kind == "money":
        return format_cents(value, grouping=grouping)
    if column.kind == "date":
        return value.isoformat() if isinstance(value, dt.date) else ""
    return value
