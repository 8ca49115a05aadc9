"""Reports agree with the books on a whole sample practice (SQLite and PostgreSQL)."""

from __future__ import annotations

from store_builders import TODAY

from billing_tui.domain.ledger import AGE_BUCKETS
from billing_tui.sample import generate


def test_aging_totals_every_recomputed_account_balance(store):
    generate(store.db, 300, seed=4, as_of=TODAY)
    rows = store.reports.aging(TODAY)
    report = store.verify()
    assert report.ok
    assert sum(r.total for r in rows) == report.balance_total != 0
    assert all(len(r.buckets) == len(AGE_BUCKETS) for r in rows)
    assert {r.responsibility for r in rows} >= {"insurance", "patient"}
    # Insurance lines are the payers', one each; the patients' is one line.
    payers = [r.payer for r in rows if r.responsibility == "insurance"]
    assert len(payers) == len(set(payers)) >= 2


def test_claim_status_counts_every_claim_once(store):
    from billing_tui.store.models import Claim

    generate(store.db, 120, seed=4, as_of=TODAY)
    rows = store.reports.claim_status()
    assert sum(r.claims for r in rows) == Claim.select().count()
    assert sum(r.charge for r in rows) == sum(c.charge_cents for c in Claim.select())
