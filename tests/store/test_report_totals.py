"""Reports agree with the books on a whole sample practice (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from store_builders import TODAY

from billing_tui.domain.ledger import AGE_BUCKETS
from billing_tui.sample import generate
from billing_tui.store import Store


@pytest.fixture(scope="module")
def sample(module_db_url):
    """One sample practice per backend for the whole module: every test here only reads."""
    opened = Store.open(module_db_url, username="tester", today=lambda: TODAY)
    try:
        generate(opened.db, 300, seed=4, as_of=TODAY)
        yield opened
    finally:
        opened.close()


def test_aging_totals_every_recomputed_account_balance(sample):
    store = sample
    rows = store.reports.aging(TODAY)
    report = store.verify()
    assert report.ok
    assert sum(r.total for r in rows) == report.balance_total != 0
    assert all(len(r.buckets) == len(AGE_BUCKETS) for r in rows)
    assert {r.responsibility for r in rows} >= {"insurance", "patient"}
    # Insurance lines are the payers', one each; the patients' is one line.
    payers = [r.payer for r in rows if r.responsibility == "insurance"]
    assert len(payers) == len(set(payers)) >= 2


def test_claim_status_counts_every_claim_once(sample):
    from billing_tui.store.models import Claim

    store = sample
    rows = store.reports.claim_status()
    assert sum(r.claims for r in rows) == Claim.select().count()
    assert sum(r.charge for r in rows) == sum(c.charge_cents for c in Claim.select())


def test_denials_by_reason_payer_and_provider_count_every_denial(sample):
    from billing_tui.store.models import ClaimStatusChange

    store = sample
    rows = store.reports.denial_summary()
    events = ClaimStatusChange.select().where(ClaimStatusChange.to_status == "denied").count()
    assert events > 0
    for by in ("reason", "payer", "provider"):
        assert sum(r.denials for r in rows if r.by == by) == events
    reasons = {r.key for r in rows if r.by == "reason"}
    assert "(no code)" not in reasons and all(k[:3] in ("CO-", "PR-", "OA-") for k in reasons)
    still = [r for r in rows if r.by == "reason" and r.open]
    assert still and all(r.oldest_open_days >= r.average_open_days >= 0 for r in still)


def test_timely_filing_lists_unfiled_claims_nearing_or_past_their_limit(sample):
    store = sample
    rows = store.reports.timely_filing(TODAY)
    assert all(r.days_left <= 30 and r.status in ("draft", "ready", "rejected") for r in rows)
    assert [r.days_left for r in rows] == sorted(r.days_left for r in rows)
    assert all((r.deadline - r.first_dos).days == r.limit_days for r in rows)
    far = store.reports.timely_filing(TODAY.replace(year=TODAY.year + 3))
    assert len(far) >= len(rows)  # three years on, every unfiled claim is past its limit


def test_productivity_counts_each_users_work(sample):
    from billing_tui.store.models import Claim, LedgerEntry

    store = sample
    rows = store.reports.productivity(dt.date(2000, 1, 1), dt.date(2100, 1, 1))  # all of it
    posted = (
        LedgerEntry.select()
        .where((LedgerEntry.kind != "charge") & LedgerEntry.user.is_null(False))
        .count()
    )
    assert sum(r.lines_posted for r in rows) == posted > 0
    entered = Claim.select().where(Claim.created_by.is_null(False)).count()
    assert sum(r.claims_entered for r in rows) == entered
    assert store.reports.productivity(TODAY.replace(year=2000), TODAY.replace(year=2000)) == []
    recent = store.reports.productivity()  # by default the 30 days to today
    assert recent and all((TODAY - r.day).days < 30 for r in recent if r.day <= TODAY)


def test_kpis_are_consistent_with_aging(sample):
    store = sample
    rows = {r.measure: r for r in store.reports.kpi(end=TODAY)}
    assert list(rows) == ["clean-claim rate", "denial rate", "days in A/R",
                          "net collection rate", "A/R over 90 days"]  # fmt: skip
    clean = rows["clean-claim rate"]
    assert 0 <= clean.numerator <= clean.denominator and clean.value.endswith("%")
    aging = store.reports.aging(TODAY)
    over = rows["A/R over 90 days"]
    assert over.denominator == sum(r.total for r in aging)
    assert over.numerator == sum(r.days_91_120 + r.days_over_120 for r in aging)
    assert rows["days in A/R"].value.endswith("days")


def test_aging_by_patient_totals_the_same_as_aging(sample):
    store = sample
    by_payer = store.reports.aging(TODAY)
    by_patient = store.reports.aging_by_patient(TODAY)
    assert sum(r.total for r in by_patient) == sum(r.total for r in by_payer)
    patients = [r for r in by_payer if r.responsibility == "patient"]
    assert sum(r.patient_total for r in by_patient) == sum(r.total for r in patients)
    for n in range(5):  # bucket by bucket, the patients' line is the accounts' sum
        assert sum(r.buckets[n] for r in by_patient) == sum(r.buckets[n] for r in patients)
    assert [r.patient_total for r in by_patient] == sorted(
        (r.patient_total for r in by_patient), reverse=True
    )
    assert len({r.account_number for r in by_patient}) == len(by_patient)
