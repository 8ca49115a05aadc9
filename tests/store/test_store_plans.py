"""Payment plans in the store: agreeing one, payments that apply to it (and reversals that
take them back), completion, a missed instalment that flags the account in the queue,
ending a plan, and every refusal changing nothing; `verify` after each."""

from __future__ import annotations

import datetime as dt

import pytest
from store_builders import TODAY, Practice

from billing_tui.domain.queue import Flag, QueueFilter
from billing_tui.domain.statements import PlanSummary
from billing_tui.store import StoreConflict, StoreRefused
from billing_tui.store.models import AccountSummary, AuditLog, Note, Payment, PaymentPlan
from billing_tui.store.plans import on_plan_in_good_standing, plan_summaries
from billing_tui.store.records import PatientPaymentDraft

DAY = dt.timedelta(days=1)
START = dt.date(2026, 12, 1)  # instalments of 100.00 on Dec 1, Jan 1, Feb 1 (300.00)


def owing(practice: Practice, amount: int = 30_000, last: str = "Poe") -> int:
    """A self-pay patient who owes `amount` on one visit."""
    patient = practice.patient(last, "Pat")
    practice.billed_claim(patient, amount)
    return patient


def pay(store, patient: int, amount: int, on: dt.date = TODAY) -> int:
    draft = PatientPaymentDraft(patient, amount, "cash", on)
    return store.posting.post_patient_payment(None, draft)


def next_due(patient: int) -> dt.date | None:
    return AccountSummary.get_by_id(patient).plan_next_due


def assert_verifies(store) -> None:
    report = store.verify()
    assert report.ok, report.violations


def footprint() -> tuple:
    """What a refused change must leave as it was."""
    return (
        tuple(PaymentPlan.select().order_by(PaymentPlan.id).dicts()),
        AuditLog.select().count(),
        Note.select().count(),
        tuple(AccountSummary.select().order_by(AccountSummary.patient).tuples()),
        tuple(Payment.select(Payment.id, Payment.plan).order_by(Payment.id).tuples()),
    )


@pytest.fixture
def plan(practice):
    """A 300.00 plan of three monthly instalments on a patient owing 300.00."""
    patient = owing(practice)
    return patient, practice.store.plans.create(patient, 30_000, 10_000, START, "monthly")


# --------------------------------------------------------------------------- creating


def test_a_new_plan_and_its_schedule(practice, plan):
    store = practice.store
    patient, plan_id = plan
    view = store.plans.get(plan_id)
    assert (view.patient_id, view.total, view.instalment, view.instalments) == (
        patient,
        30_000,
        10_000,
        3,
    )
    assert (view.start_date, view.frequency, view.status, view.version) == (
        START,
        "monthly",
        "active",
        1,
    )
    assert (view.paid, view.remaining, view.next_due, view.overdue, view.behind) == (
        0,
        30_000,
        START,
        0,
        False,
    )
    assert [(i.number, i.due, i.amount, i.paid, i.state) for i in view.schedule] == [
        (1, dt.date(2026, 12, 1), 10_000, 0, "due"),
        (2, dt.date(2027, 1, 1), 10_000, 0, "due"),
        (3, dt.date(2027, 2, 1), 10_000, 0, "due"),
    ]
    assert view.created_by == "tester" and view.end_reason == "" and view.ended_at is None
    assert view.account_number == store.accounts.get(patient).patient.account_number
    assert store.plans.current(patient) == view
    assert store.plans.plans_of(patient) == [view]
    assert next_due(patient) == START
    audit = AuditLog.select().order_by(AuditLog.id.desc()).first()
    assert (audit.action, audit.entity, audit.entity_id, audit.patient_id) == (
        "create",
        "payment_plan",
        plan_id,
        patient,
    )
    assert any("Payment plan" in n.text for n in store.accounts.get(patient).notes)
    assert_verifies(store)


def test_a_plan_of_part_of_the_balance_with_its_count_checked(practice):
    store = practice.store
    patient = owing(practice)
    plan_id = store.plans.create(
        patient, 25_000, 4_000, START, "biweekly", instalments=7, note="agreed on the phone"
    )
    view = store.plans.get(plan_id)
    assert [i.amount for i in view.schedule] == [4_000] * 6 + [1_000]
    assert view.schedule[-1].due == START + 12 * 7 * DAY
    assert any(
        "agreed on the phone" in n.text and "7 biweekly instalments of 40.00" in n.text
        for n in store.accounts.get(patient).notes
    )
    assert_verifies(store)


def test_bad_plans_are_refused_and_change_nothing(practice, plan):
    store = practice.store
    patient, plan_id = plan
    other = owing(practice, 20_000, "Roe")
    nothing_owed = practice.patient("Zed", "Zoe")
    before = footprint()
    cases = [
        ((10_000_000, 30_000, 10_000, START, "monthly"), "no account"),
        ((patient, 10_000, 5_000, START, "monthly"), rf"already has an active payment plan \({plan_id}\)"),
        ((other, 20_001, 10_000, START, "monthly"), "is more than the patient balance 200.00"),
        ((nothing_owed, 100, 100, START, "monthly"), "the patient owes 0.00"),
        ((other, 20_000, 5_000, START, "monthly", 3), "3 instalments of 50.00 make 150.00, not the plan's 200.00"),
        ((other, 0, 5_000, START, "monthly"), "total must be more than 0.00"),
        ((other, 20_000, 0, START, "monthly"), "instalment must be more than 0.00"),
        ((other, 5_000, 6_000, START, "monthly"), "more than the plan's total"),
        ((other, 20_000, 100, START, "weekly"), "at most 120"),
        ((other, 20_000, 5_000, START, "yearly"), "not 'yearly'"),
        ((other, 20_000, 5_000, TODAY - 61 * DAY, "monthly"), "more than 60 days ago"),
        ((other, 20_000, 5_000, TODAY + 366 * DAY, "monthly"), "within a year"),
    ]  # fmt: skip
    for args, message in cases:
        with pytest.raises(StoreRefused, match=message):
            store.plans.create(*args)
    assert footprint() == before
    # The edges are allowed: 60 days back, a year ahead.
    store.plans.create(other, 20_000, 5_000, TODAY - 60 * DAY, "monthly")
    assert_verifies(store)


def test_a_plan_that_is_not_there(practice):
    with pytest.raises(StoreRefused, match="no payment plan 99"):
        practice.store.plans.get(99)
    assert practice.store.plans.current(owing(practice)) is None


# --------------------------------------------------------------------------- payments


def test_payments_apply_to_the_plan_in_order(practice, plan):
    store = practice.store
    patient, plan_id = plan
    first = pay(store, patient, 15_000)
    assert Payment.get_by_id(first).plan_id == plan_id
    view = store.plans.get(plan_id)
    assert (view.paid, view.remaining, view.next_due) == (15_000, 15_000, dt.date(2027, 1, 1))
    assert [(i.paid, i.state) for i in view.schedule] == [
        (10_000, "paid"),
        (5_000, "partly paid"),
        (0, "due"),
    ]
    assert next_due(patient) == dt.date(2027, 1, 1)
    assert_verifies(store)
    pay(store, patient, 5_000)
    assert store.plans.get(plan_id).next_due == dt.date(2027, 2, 1)
    assert next_due(patient) == dt.date(2027, 2, 1)
    assert_verifies(store)


def test_only_payments_while_the_plan_is_active_count(practice):
    store = practice.store
    patient = owing(practice)
    before = pay(store, patient, 5_000)
    plan_id = store.plans.create(patient, 25_000, 10_000, START, "monthly")
    assert Payment.get_by_id(before).plan_id is None
    assert store.plans.get(plan_id).paid == 0
    view = store.plans.get(plan_id)
    store.plans.cancel(plan_id, "paying in full next week", expected_version=view.version)
    after = pay(store, patient, 5_000)
    assert Payment.get_by_id(after).plan_id is None
    assert store.plans.get(plan_id).paid == 0
    assert_verifies(store)


def test_a_reversed_payment_no_longer_counts(practice, plan):
    store = practice.store
    patient, plan_id = plan
    keep = pay(store, patient, 10_000)
    wrong = pay(store, patient, 10_000)
    assert store.plans.get(plan_id).paid == 20_000
    assert next_due(patient) == dt.date(2027, 2, 1)
    store.posting.reverse_payment(wrong, "bounced check")
    view = store.plans.get(plan_id)
    assert (view.paid, view.next_due, view.status) == (10_000, dt.date(2027, 1, 1), "active")
    assert [i.state for i in view.schedule] == ["paid", "due", "due"]
    assert next_due(patient) == dt.date(2027, 1, 1)
    assert Payment.get_by_id(keep).plan_id == plan_id
    assert_verifies(store)


def test_paid_in_full_completes_the_plan_and_a_reversal_reopens_it(practice, plan):
    store = practice.store
    patient, plan_id = plan
    pay(store, patient, 20_000)
    last = pay(store, patient, 10_000)
    view = store.plans.get(plan_id)
    assert (view.status, view.paid, view.remaining, view.next_due) == ("completed", 30_000, 0, None)
    assert view.end_reason == "paid in full" and view.ended_by == "tester" and view.version == 2
    assert [i.state for i in view.schedule] == ["paid"] * 3
    assert store.plans.current(patient) is None
    assert next_due(patient) is None
    assert_verifies(store)

    store.posting.reverse_payment(last, "card charged back")
    view = store.plans.get(plan_id)
    assert (view.status, view.paid, view.next_due, view.version) == (
        "active",
        20_000,
        dt.date(2027, 2, 1),
        3,
    )
    assert view.end_reason == "" and view.ended_at is None
    assert next_due(patient) == dt.date(2027, 2, 1)
    actions = [
        a.action
        for a in AuditLog.select().where(AuditLog.entity == "payment_plan").order_by(AuditLog.id)
    ]
    assert actions == ["create", "complete", "reopen"]
    assert_verifies(store)


def test_an_overpayment_completes_the_plan_too(practice):
    store = practice.store
    patient = owing(practice, 40_000)
    plan_id = store.plans.create(patient, 30_000, 10_000, START, "monthly")
    pay(store, patient, 35_000)
    view = store.plans.get(plan_id)
    assert (view.status, view.paid, view.remaining) == ("completed", 35_000, 0)
    assert_verifies(store)


def test_a_reversal_does_not_reopen_a_plan_once_another_is_agreed(practice):
    store = practice.store
    patient = owing(practice, 50_000)
    old = store.plans.create(patient, 10_000, 10_000, START, "monthly")
    payment = pay(store, patient, 10_000)
    assert store.plans.get(old).status == "completed"
    new = store.plans.create(patient, 20_000, 10_000, START, "monthly")
    store.posting.reverse_payment(payment, "bounced")
    assert store.plans.get(old).status == "completed"
    assert store.plans.current(patient).id == new
    assert_verifies(store)


# --------------------------------------------------------------------------- the queue


def test_a_missed_instalment_flags_the_account_in_the_queue(clocked_practice, clock):
    store = clocked_practice.store
    patient = owing(clocked_practice)
    store.plans.create(patient, 30_000, 10_000, TODAY, "monthly")  # due Nov 24, Dec 24, ...
    missed = QueueFilter(flag=Flag.PLAN_MISSED)

    def flagged() -> bool:
        in_queue = patient in [r.patient_id for r in store.queue.page(queue_filter=missed).rows]
        on_account = Flag.PLAN_MISSED in store.accounts.get(patient).flags
        assert in_queue == on_account  # the queue's SQL and the domain's rule agree
        return on_account

    clock.today = TODAY + 5 * DAY  # the last day of grace (5 days)
    assert not flagged()
    assert not store.plans.current(patient).behind
    clock.today = TODAY + 6 * DAY
    assert flagged()
    view = store.plans.current(patient)
    assert view.behind and view.overdue == 10_000 and view.schedule[0].state == "missed"
    assert_verifies(store)  # the summary does not depend on today

    pay(store, patient, 10_000, clock.today)  # caught up: the next is due Dec 24
    assert not flagged()
    clock.today = dt.date(2026, 12, 30)
    assert flagged()
    assert_verifies(store)

    view = store.plans.current(patient)
    store.plans.break_plan(view.id, "stopped paying", expected_version=view.version)
    assert not flagged()
    assert next_due(patient) is None
    assert store.plans.get(view.id).status == "broken"
    assert_verifies(store)


def test_verify_checks_the_cached_next_due_date(practice, plan):
    store = practice.store
    patient, _ = plan
    AccountSummary.update(plan_next_due=START + DAY).where(
        AccountSummary.patient == patient
    ).execute()
    report = store.verify()
    assert [(v.check, v.entity, v.entity_id) for v in report.violations] == [
        ("cache", "account", patient)
    ]
    assert "plan_next_due: cached" in report.violations[0].detail


# --------------------------------------------------------------------------- ending


def test_cancelling_needs_a_reason_and_the_version_seen(practice, plan):
    store = practice.store
    patient, plan_id = plan
    version = store.plans.get(plan_id).version
    pay(store, patient, 5_000)  # a payment does not move the version: only status moves
    before = footprint()
    with pytest.raises(StoreRefused, match="needs a reason"):
        store.plans.cancel(plan_id, "  ", expected_version=version)
    with pytest.raises(StoreConflict, match="changed by someone else"):
        store.plans.cancel(plan_id, "moving away", expected_version=version + 1)
    with pytest.raises(StoreRefused, match="no payment plan 999"):
        store.plans.cancel(999, "moving away", expected_version=1)
    assert footprint() == before

    store.plans.cancel(plan_id, "settled by the guarantor", expected_version=version)
    view = store.plans.get(plan_id)
    assert (view.status, view.end_reason, view.ended_by, view.version) == (
        "cancelled",
        "settled by the guarantor",
        "tester",
        version + 1,
    )
    assert (view.next_due, view.overdue, view.behind, view.paid) == (None, 0, False, 5_000)
    assert next_due(patient) is None
    assert store.plans.current(patient) is None
    assert any(
        "cancelled: settled by the guarantor" in n.text for n in store.accounts.get(patient).notes
    )
    before = footprint()
    with pytest.raises(StoreRefused, match="is cancelled, not active"):
        store.plans.cancel(plan_id, "again", expected_version=view.version)
    with pytest.raises(StoreRefused, match="is cancelled, not active"):
        store.plans.break_plan(plan_id, "again")
    with pytest.raises(StoreRefused, match="breaking a payment plan needs a reason"):
        store.plans.break_plan(plan_id, "")
    assert footprint() == before
    # A new plan may be agreed once the old one has ended.
    store.plans.create(patient, 25_000, 5_000, START, "monthly")
    assert_verifies(store)


# --------------------------------------------------------------------------- statements


def test_plan_summaries_and_good_standing_for_many_accounts(practice, monkeypatch):
    store = practice.store
    behind = owing(practice, last="Behind")
    store.plans.create(behind, 30_000, 10_000, TODAY - 30 * DAY, "monthly")  # Oct 25 missed
    keeping = owing(practice, last="Keeping")
    store.plans.create(keeping, 30_000, 10_000, TODAY - 30 * DAY, "monthly")
    pay(store, keeping, 12_000)
    in_grace = owing(practice, last="Grace")
    store.plans.create(in_grace, 30_000, 10_000, TODAY - 2 * DAY, "weekly")
    ended = owing(practice, last="Ended")
    plan_id = store.plans.create(ended, 30_000, 10_000, START, "monthly")
    store.plans.cancel(plan_id, "moved", expected_version=1)
    none = owing(practice, last="None")
    everyone = [behind, keeping, in_grace, ended, none]

    assert plan_summaries(everyone, TODAY) == {
        behind: PlanSummary(10_000, TODAY - 30 * DAY, 10_000, 30_000),
        keeping: PlanSummary(10_000, TODAY + DAY, 0, 18_000),  # Nov 25: the second's rest
        in_grace: PlanSummary(10_000, TODAY - 2 * DAY, 10_000, 30_000),
    }
    assert on_plan_in_good_standing(everyone, TODAY, 5) == {keeping, in_grace}
    assert on_plan_in_good_standing(everyone, TODAY + 4 * DAY, 5) == {keeping}  # Nov 22 + 5
    assert on_plan_in_good_standing(everyone, TODAY, 30) == {behind, keeping, in_grace}

    # A few queries whatever the number of accounts: none per account.
    statements = []
    real = store.db.execute_sql

    def counting(sql, params=None, *args, **kwargs):
        statements.append(sql)
        return real(sql, params, *args, **kwargs)

    monkeypatch.setattr(store.db, "execute_sql", counting)
    plan_summaries(everyone[:1], TODAY)
    few = len(statements)
    statements.clear()
    plan_summaries([*everyone, *range(10_000, 10_400)], TODAY)
    on_plan_in_good_standing([*everyone, *range(10_000, 10_400)], TODAY, 5)
    assert few == 1 and len(statements) == 2


def test_the_last_instalment_of_a_summary_is_what_is_left(practice):
    store = practice.store
    patient = owing(practice)
    store.plans.create(patient, 25_000, 10_000, TODAY, "monthly")
    pay(store, patient, 20_000)
    assert plan_summaries([patient], TODAY)[patient] == PlanSummary(
        5_000, dt.date(2027, 1, 24), 0, 5_000
    )
