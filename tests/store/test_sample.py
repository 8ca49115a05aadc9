"""The sample practice: it passes verify, it is deterministic, and it looks like a working practice.

One practice per backend is generated for the module's read-only tests; the
tests that need their own database (determinism, refusal) make small ones.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import re
from collections import Counter, defaultdict

import pytest
import simple_icd_10_cm as icd
from peewee import SqliteDatabase
from store_builders import TODAY

from billing_tui.domain.claims import ClaimStatus, check_transition, claim_number
from billing_tui.domain.npi import is_valid_npi
from billing_tui.domain.search import search_key
from billing_tui.sample import _here, _in_worker, generate, practice, reference
from billing_tui.sample.load import copy_text, last_ids
from billing_tui.sample.tables import COLUMNS
from billing_tui.store import Store
from billing_tui.store.models import AccountSummary, Claim, Coverage, Patient, database

ACCOUNTS = 1000
SEED = 7


@pytest.fixture(scope="module")
def shared_sample(module_db_url):
    store = Store.open(module_db_url, username="tester", today=lambda: TODAY)
    try:
        calls = []
        summary = generate(
            store.db, ACCOUNTS, seed=SEED, as_of=TODAY, progress=lambda *p: calls.append(p)
        )
        yield store, summary, calls
    finally:
        store.close()


@pytest.fixture
def sample(shared_sample):
    store, summary, calls = shared_sample
    database.initialize(store.db)  # another test's Store may have re-bound the models since
    return store, summary, calls


def rows(db, sql: str, *params) -> list[tuple]:
    return list(db.execute_sql(sql, params or None).fetchall())


def test_the_sample_passes_verify(sample):
    store, summary, calls = sample
    report = store.verify()
    assert report.ok, report.violations[:5]
    assert report.counted["accounts"] == ACCOUNTS
    assert report.counted["reversals"] > 0
    assert calls[-1] == (ACCOUNTS, ACCOUNTS)
    for table, counted in (
        ("claim", summary.claims),
        ("service_line", summary.lines),
        ("ledger_entry", summary.ledger_entries),
        ("payment", summary.payments),
        ("note", summary.notes),
        ("statement", summary.statements),
    ):
        assert rows(store.db, f'SELECT COUNT(*) FROM "{table}"')[0][0] == counted  # noqa: S608
    assert 1.5 <= summary.claims / ACCOUNTS <= 2.0


def test_the_rows_read_back_through_the_models(sample):
    store, _, _ = sample
    claim = Claim.select().where(Claim.status == "paid").order_by(Claim.id).first()
    assert isinstance(claim.first_dos, dt.date) and isinstance(claim.created_at, dt.datetime)
    coverage = Coverage.select().where(Coverage.verified_at.is_null(False)).first()
    assert isinstance(coverage.verified_at, dt.datetime) and coverage.active is True
    assert isinstance(Patient.get_by_id(1).dob, dt.date)
    assert AccountSummary.select().count() == ACCOUNTS
    view = store.accounts.get(claim.patient_id)
    summary = AccountSummary.get_by_id(claim.patient_id)
    assert (view.insurance_balance, view.patient_balance) == (
        summary.insurance_balance_cents,
        summary.patient_balance_cents,
    )
    assert claim.claim_number in {row.claim_number for row in view.claims}


SQLITE_SCHEMA = "SELECT type, name, sql FROM sqlite_master ORDER BY name"
PG_SCHEMA = (
    "SELECT indexname, regexp_replace(indexdef, ' ON \\S+\\.', ' ON ') FROM pg_indexes "
    "WHERE schemaname = current_schema() UNION ALL "
    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
    "WHERE connamespace = current_schema()::regnamespace ORDER BY 1, 2"
)


def test_the_load_leaves_the_schema_and_settings_as_migrated(sample, request, tmp_path):
    """Indexes and foreign keys are dropped for the load: all of them come back, unchanged."""
    store, _, _ = sample
    if isinstance(store.db, SqliteDatabase):
        assert rows(store.db, "PRAGMA foreign_key_check") == []
        assert rows(store.db, "PRAGMA journal_mode") == [("wal",)]
        assert rows(store.db, "PRAGMA foreign_keys") == [(1,)]
        assert rows(store.db, "PRAGMA synchronous") == [(1,)]
        fresh, schema = Store.open(str(tmp_path / "fresh.db")), SQLITE_SCHEMA
    else:
        fresh, schema = Store.open(request.getfixturevalue("pg_url")), PG_SCHEMA
    try:
        assert rows(store.db, schema) == rows(fresh.db, schema)
    finally:
        fresh.close()


def test_copy_text_escapes_what_it_must():
    assert copy_text([(1, None, "O'Brien"), (2, "", "x")]) == "1\t\\N\tO'Brien\n2\t\tx\n"
    assert copy_text([(1, "a\tb\\c\nd", None)]) == "1\ta\\tb\\\\c\\nd\t\\N\n"


def test_every_lifecycle_state_with_its_history(sample):
    store, _, _ = sample
    statuses = {status for (status,) in rows(store.db, "SELECT DISTINCT status FROM claim")}
    assert statuses >= {s.value for s in ClaimStatus} - {"corrected"}
    history = defaultdict(list)
    for claim_id, old, new in rows(
        store.db, "SELECT claim_id, from_status, to_status FROM claim_status_change ORDER BY id"
    ):
        history[claim_id].append((old, new))
    for claim_id, status, version in rows(store.db, "SELECT id, status, version FROM claim"):
        steps = history[claim_id]
        assert steps[0] == (None, "draft")
        for old, new in steps[1:]:
            check_transition(ClaimStatus(old), ClaimStatus(new))
        assert steps[-1][1] == status
        assert version == len(steps)


def test_telehealth_visits_have_pos_02_or_10_and_modifier_95(sample):
    store, _, _ = sample
    by_pos = Counter()
    for pos, modifier in rows(
        store.db,
        "SELECT c.place_of_service, l.modifier1 FROM claim c JOIN service_line l ON l.claim_id = c.id",
    ):
        by_pos[pos, modifier] += 1
    assert by_pos["02", "95"] > 0 and by_pos["10", "95"] > 0
    assert {modifier for pos, modifier in by_pos if pos in ("02", "10")} == {"95"}
    assert {modifier for pos, modifier in by_pos if pos == "11"} == {""}


def test_providers_payers_and_fee_schedule(sample):
    store, _, _ = sample
    db = store.db
    npis = rows(db, "SELECT npi FROM billing_provider UNION ALL SELECT npi FROM provider")
    npis += rows(db, "SELECT npi FROM referring_provider")
    assert len(npis) >= 10 and all(is_valid_npi(npi) for (npi,) in npis)
    credentials = {c for (c,) in rows(db, "SELECT credential FROM provider")}
    assert credentials >= {"MD", "DO", "NP", "PA", "LCSW"}
    ((np_id, supervisor),) = rows(
        db,
        "SELECT p.id, s.credential FROM provider p JOIN provider s ON s.id = p.supervising_id",
    )
    assert supervisor == "MD"
    rendering = rows(
        db, "SELECT DISTINCT rendering_provider_id FROM claim WHERE supervising_provider_id > 0"
    )
    assert rendering == [(np_id,)]
    payers = rows(db, "SELECT kind, timely_filing_days FROM payer")
    kinds = Counter(kind for kind, _ in payers)
    assert kinds == {"medicare": 1, "medicaid": 1, "commercial": 3, "self_pay": 1}
    assert ("medicare", 365) in payers
    assert all(90 <= days <= 180 for kind, days in payers if kind == "commercial")
    codes = {code for (code,) in rows(db, "SELECT code FROM fee_schedule")}
    assert codes >= {"99202", "99205", "99211", "99215", "99395", "G0439", "90837", "36415"}
    assert {code for (code,) in rows(db, "SELECT DISTINCT code FROM service_line")} <= codes


def test_diagnoses_are_billable_and_lines_point_at_them(sample):
    store, _, _ = sample
    used = {code for (code,) in rows(store.db, "SELECT DISTINCT code FROM claim_diagnosis")}
    for code in used | set(reference.ALL_DIAGNOSES):
        assert icd.is_valid_item(code) and icd.is_leaf(code), code
    counts = dict(
        rows(store.db, "SELECT claim_id, COUNT(*) FROM claim_diagnosis GROUP BY claim_id")
    )
    numbers = dict(rows(store.db, "SELECT id, claim_number FROM claim"))
    for claim_id, n, p1, p2, p3, p4, control in rows(
        store.db,
        "SELECT claim_id, line_number, pointer1, pointer2, pointer3, pointer4, "
        "line_control_number FROM service_line",
    ):
        assert all(1 <= p <= counts[claim_id] for p in (p1, p2, p3, p4) if p is not None)
        assert control == f"{numbers[claim_id]}-{n}"


def test_payments_keep_no_card_numbers(sample):
    store, _, _ = sample
    methods = Counter()
    card_number = re.compile(r"\d{13,19}")
    for method, check, brand, last4, auth, memo in rows(
        store.db,
        "SELECT method, check_number, card_brand, card_last4, auth_code, memo FROM payment",
    ):
        methods[method] += 1
        if method == "card":
            assert brand and re.fullmatch(r"\d{4}", last4) and auth
        else:
            assert brand == last4 == auth == ""
        if method == "check":
            assert check
        assert not card_number.search(check) and not card_number.search(memo)
    assert set(methods) == {"card", "check", "cash", "eft"}
    for kind, method, number, control, posted in rows(
        store.db,
        "SELECT kind, method, check_number, control_total_cents, posted_total_cents "
        "FROM payment_batch",
    ):
        assert control == posted
        if kind == "insurance":
            assert method in ("check", "eft") and number


def test_it_looks_like_a_working_practice(sample):
    store, _, _ = sample
    db = store.db
    summaries = rows(
        db,
        "SELECT insurance_balance_cents + patient_balance_cents, next_follow_up, denied_claims, "
        "oldest_open_dos FROM account_summary",
    )
    today = TODAY.isoformat()
    open_ = sum(1 for total, *_ in summaries if total)
    assert 0.35 * ACCOUNTS <= open_ <= 0.65 * ACCOUNTS
    assert 0 < sum(1 for total, *_ in summaries if total < 0) < 0.05 * ACCOUNTS  # credits
    due = sum(1 for _, follow_up, *_ in summaries if follow_up and str(follow_up) <= today)
    assert 0.01 * ACCOUNTS <= due <= 0.08 * ACCOUNTS
    assert any(follow_up and str(follow_up) > today for _, follow_up, *_ in summaries)
    assert any(denied for _, _, denied, _ in summaries)
    ages = {
        (TODAY - dt.date.fromisoformat(str(oldest))).days // 100
        for *_, oldest in summaries
        if oldest is not None
    }
    assert ages == {0, 1, 2, 3}  # open charges from this month back to over 300 days old
    assert rows(db, "SELECT COUNT(*) FROM note WHERE follow_up_done_at IS NOT NULL")[0][0] > 0
    assert rows(db, "SELECT COUNT(*) FROM statement")[0][0] > 0
    last_dos, last_created = rows(db, "SELECT MAX(last_dos), MAX(created_at) FROM claim")[0]
    assert str(last_dos) <= today and str(last_created)[:10] <= today


def test_coverages_and_people(sample):
    store, _, _ = sample
    db = store.db
    coverages = rows(
        db, "SELECT priority, end_date, verified_at, active, relationship, member_id FROM coverage"
    )
    assert any(p == 2 for p, *_ in coverages)
    assert any(end is not None and str(end) < TODAY.isoformat() for _, end, *_ in coverages)
    assert any(verified is None for _, _, verified, *_ in coverages)
    stale = (TODAY - dt.timedelta(days=90)).isoformat()
    assert any(v is not None and str(v) < stale for _, _, v, *_ in coverages)
    assert any(not active for *_, active, _, _ in coverages)
    assert {rel for *_, rel, _ in coverages} >= {"18", "19"}
    mismatched = rows(
        db,
        "SELECT COUNT(*) FROM coverage c JOIN patient p ON p.id = c.patient_id "
        "WHERE c.relationship = '18' AND (c.subscriber_last <> p.last_name "
        "OR c.subscriber_first <> p.first_name OR c.subscriber_dob <> p.dob)",
    )
    assert mismatched == [(0,)]  # the patient is their own subscriber
    people = rows(
        db,
        "SELECT account_number, first_name, last_name, search_last, search_first, phone, email, "
        "guarantor_id, dob FROM patient ORDER BY id",
    )
    assert [p[0] for p in people] == [str(10_000_001 + i) for i in range(ACCOUNTS)]
    lasts = {p[2] for p in people}
    assert any("'" in name for name in lasts) and any("-" in name for name in lasts)
    assert any(" " in name for name in lasts) and any(not name.isascii() for name in lasts)
    for _, first, last, search_last, search_first, phone, email, guarantor, dob in people:
        assert (search_last, search_first) == (search_key(last)[:64], search_key(first)[:64])
        assert re.fullmatch(r"\d{3}55501\d\d", phone)
        assert email == "" or email.endswith("@example.com")
        if (TODAY - dt.date.fromisoformat(str(dob))).days < 17 * 365:
            assert guarantor is not None
    numbers = rows(
        db,
        "SELECT p.account_number, c.claim_number FROM claim c JOIN patient p ON p.id = c.patient_id "
        "ORDER BY c.id",
    )
    sequence = Counter()
    for account, number in numbers:
        sequence[account] += 1
        assert number == claim_number(account, sequence[account])


def test_the_same_seed_and_day_give_the_same_rows(tmp_path):
    def build(name: str, seed: int, as_of: dt.date) -> dict[str, list[tuple]]:
        store = Store.open(str(tmp_path / name))
        try:
            generate(store.db, 300, seed=seed, as_of=as_of)
            return {
                table: rows(store.db, f'SELECT * FROM "{table}" ORDER BY 1')  # noqa: S608
                for table in COLUMNS
            }
        finally:
            store.close()

    first = build("a.db", 5, TODAY)
    assert first == build("b.db", 5, TODAY)
    other_seed = build("c.db", 6, TODAY)
    assert other_seed["patient"] != first["patient"]
    assert other_seed["ledger_entry"] != first["ledger_entry"]
    later = build("d.db", 5, TODAY + dt.timedelta(days=1))
    assert later["claim"] != first["claim"]


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="the worker is forked"
)
def test_a_worker_process_builds_the_same_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(practice, "CHUNK", 200)
    store = Store.open(str(tmp_path / "plan.db"))
    try:
        plan = practice.Plan(
            seed=3,
            as_of=TODAY,
            accounts=450,
            first_account_number=10_000_001,
            last_ids=last_ids(store.db),
            specialists=(1, 2),
            supervisor=3,
            billing_provider=1,
            providers={spec.key: n for n, spec in enumerate(reference.PROVIDERS, 1)},
            referring=(1, 2),
            payers={spec.key: n for n, spec in enumerate(reference.PAYERS, 1)},
        )
    finally:
        store.close()
    here = list(_here(plan))
    assert len(here) == 3 and sum(len(chunk["patient"]) for chunk, _ in here) == 450
    assert list(_in_worker(plan)) == here


def test_it_refuses_a_database_with_data(store):
    generate(store.db, 3, as_of=TODAY)
    with pytest.raises(ValueError, match="empty database"):
        generate(store.db, 3, as_of=TODAY)
    assert rows(store.db, "SELECT COUNT(*) FROM patient") == [(3,)]
    assert store.verify().ok
