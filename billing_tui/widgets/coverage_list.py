"""The account's coverages, four lines each: plan, subscriber and dates, terms, verification."""

from __future__ import annotations

import datetime as dt

from textual.containers import VerticalScroll
from textual.widgets import Static

from ..domain.dates import format_date
from ..domain.money import format_cents
from ..store.records import CoverageRecord

PRIORITY = {1: "Primary", 2: "Secondary", 3: "Tertiary"}
RELATIONSHIP = {"18": "self", "01": "spouse", "19": "child", "G8": "other"}


def verification(coverage: CoverageRecord, today: dt.date, stale_days: int) -> tuple[str, str]:
    """What the verification says, and its state: '' (fine), 'unverified', 'stale' or 'expired'."""
    if coverage.end_date is not None and coverage.end_date < today:
        state = "expired"
    elif coverage.verified_at is None:
        state = "unverified"
    elif (today - coverage.verified_at.date()).days > stale_days:
        state = "stale"
    else:
        state = ""
    if coverage.verified_at is None:
        # A refused check (a 271 rejection, say) leaves its reason: show it.
        reason = f": {coverage.verification_result}" if coverage.verification_result else ""
        said = f"Unverified{reason}"
    else:
        how = f" via {coverage.verified_how}" if coverage.verified_how else ""
        by = f" by {coverage.verified_by}" if coverage.verified_by else ""
        result = f": {coverage.verification_result}" if coverage.verification_result else ""
        said = f"Verified {format_date(coverage.verified_at.date())}{by}{how}{result}"
    if state == "expired":
        said = f"EXPIRED {format_date(coverage.end_date)} · {said}"
    elif state == "stale":
        said = f"{said} (over {stale_days} days ago)"
    return said, state


def describe(coverage: CoverageRecord, today: dt.date, stale_days: int) -> tuple[str, str]:
    """The four lines of one coverage, and its verification state."""
    priority = PRIORITY.get(coverage.priority, f"Priority {coverage.priority}")
    inactive = "" if coverage.active else " (inactive)"
    group = f" · Group {coverage.group_number}" if coverage.group_number else ""
    plan = f"{priority}{inactive}: {coverage.payer_name} · Member {coverage.member_id}{group}"
    relation = RELATIONSHIP.get(coverage.relationship, coverage.relationship)
    ends = format_date(coverage.end_date) if coverage.end_date else "open"
    who = (
        f"  Subscriber {coverage.subscriber_name.upper()} ({relation}) · "
        f"{format_date(coverage.start_date)} to {ends}"
    )
    percent = coverage.coinsurance_bp / 100
    terms = (
        f"  Copay {format_cents(coverage.copay)} · Deductible {format_cents(coverage.deductible)}"
        f" (met {format_cents(coverage.deductible_met)}) · Coins {percent:g}%"
        f" · OOP max {format_cents(coverage.oop_max)}"
    )
    said, state = verification(coverage, today, stale_days)
    return f"{plan}\n{who}\n{terms}\n  {said}", state


class CoverageList(VerticalScroll):
    """One block per coverage; a block is '-unverified', '-stale' or '-expired' when it is."""

    ACTIONS_NAME = "Coverages"
    DEFAULT_CSS = """
    CoverageList { height: 1fr; scrollbar-size-vertical: 1; }
    CoverageList > Static { height: auto; margin-bottom: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    CoverageList > Static.-expired, CoverageList > Static.-unverified, CoverageList > Static.-stale {
        color: $text-warning;
    }
    """

    def show(self, coverages: tuple[CoverageRecord, ...], today: dt.date, stale_days: int) -> None:
        self.remove_children()
        blocks = []
        for coverage in coverages:
            text, state = describe(coverage, today, stale_days)
            blocks.append(Static(text, markup=False, classes=f"-{state}" if state else ""))
        if not blocks:
            blocks.append(Static("No coverage on file: self-pay.", markup=False))
        self.mount_all(blocks)
