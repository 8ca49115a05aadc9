"""Late fees, waivers and write-offs (a supervisor approves those above the limit), and
collection placements, on a real database: every one balances and every refusal changes
nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from era_builders import submit
from store_builders import TODAY, Clock, build_practice

from billing_tui.domain.adjustments import Category, FeePolicy
from billing_tui.domain.ledger import EntryKind
from billing_tui.store import Store, StoreRefused
from billing_tui.store.models import (
    AdjustmentRequest,
    AuditLog,
    Claim,
    CollectionPlacement,
    LateFee,
    LedgerEntry,
    Statement,
    User,
)
from billing_tui.store.records import PatientPaymentDraft

FEES = FeePolicy(late_fee=1_500, days_past_due=30, approval_limit=5_000)


@pytest.fixture
def books(db_url, tmp_path):
    clock = Clock(TODAY)
    store = Store.open(db_url, username="tester", today=clock, fees=FEES)
    try:
        books = Books(store, clock, build_practice(store), tmp_path)
        books.act_as("tester", "specialist")  # the limits are about specialists
        yield books
    finally:
        store.close()


class Books:
    def __init__(self, store, clock, practice, out) -> None:
        self.store, self.clock, self.practice, self.out = store, clock, practice, out

    def owes(self, last: str, *charges: int) -> int:
        pid = self.practice.patient(last, "Pat")
        submit(self.practice, self.practice.claim(pid, *charges, dos=dt.date(2026, 9, 1)))
        return pid

    def balance(self, pid: int) -> int:
        return sum(e.patient_delta for e in LedgerEntry.select().where(LedgerEntry.patient == pid))

    def statements(self, days_later: int = 31) -> None:
        self.store.statements.run(self.out)
        self.clock.today += dt.timedelta(days=days_later)

    def pay(self, pid: int, cents: int) -> None:
        self.store.posting.post_patient_payment(
            None,
            PatientPaymentDraft(patient_id=pid, amount=cents, method="cash",
                                received_date=self.clock()),
        )  # fmt: skip

    def act_as(self, username: str, role: str) -> None:
        """Work as another user, of this role."""
        with self.store.db.atomic():
            User.get_or_create(username=username, defaults={"name": username, "role": role})
            User.update(role=role).where(User.username == username).execute()
        self.store.session.username = username
        self.store.session._user_id = None


def ledger_count() -> int:
    return LedgerEntry.select().count()


# --------------------------------------------------------------------------- late fees


def test_a_statement_unpaid_past_its_due_date_earns_one_late_fee(books):
    pid = books.owes("Late", 10_000)
    paid_up = books.owes("Prompt", 10_000)
    books.statements(days_later=0)
    books.pay(paid_up, 10_000)
    assert books.store.adjustments.late_fee_candidates() == []  # not yet past due
    books.clock.today += dt.timedelta(days=books.store.statement_policy.due_days + 30)
    found = books.store.adjustments.assess_late_fees()
    assert [c.patient_id for c in found] == [pid]
    assert books.balance(pid) == 11_500
    entry = LedgerEntry.get(LedgerEntry.kind == EntryKind.LATE_FEE.value)
    assert entry.claim_id is None and entry.category == Category.LATE_FEE
    assert books.store.adjustments.assess_late_fees() == []  # one fee per statement
    assert LateFee.select().count() == 1
    assert books.store.verify().ok
    content = books.store.statements.preview(pid)
    assert [(i.description, i.amount) for i in content.account_items] == [("Late fee", 1_500)]


def test_a_partial_payment_still_earns_the_fee_and_no_fee_when_fees_are_off(books, db_url):
    pid = books.owes("Partial", 10_000)
    books.statements(days_later=0)
    books.pay(pid, 9_999)
    books.clock.today += dt.timedelta(days=60)
    assert [c.paid_since for c in books.store.adjustments.late_fee_candidates()] == [9_999]
    books.store.fee_policy = FeePolicy(late_fee=0)
    books.store.__dict__.pop("adjustments")
    assert books.store.adjustments.late_fee_candidates() == []


def test_a_late_fee_is_waived_with_a_reason_and_stays_on_the_ledger(books):
    pid = books.owes("Waived", 10_000)
    books.statements(days_later=60)
    books.store.adjustments.assess_late_fees()
    (fee,) = books.store.adjustments.late_fees_of(pid)
    with pytest.raises(StoreRefused, match="needs a reason"):
        books.store.adjustments.waive_late_fee(fee.id, "  ")
    outcome = books.store.adjustments.waive_late_fee(fee.id, "first time, hardship")
    assert outcome.status == "posted" and books.balance(pid) == 10_000
    assert LedgerEntry.select().where(LedgerEntry.kind == EntryKind.LATE_FEE.value).count() == 1
    waiver = LedgerEntry.get_by_id(outcome.entries[0])
    assert (waiver.kind, waiver.category, waiver.patient_delta) == ("adjustment", "waiver", -1_500)
    assert books.store.adjustments.late_fees_of(pid)[0].waiver == "waived"
    with pytest.raises(StoreRefused, match="already waived"):
        books.store.adjustments.waive_late_fee(fee.id, "again")
    assert books.store.verify().ok


# --------------------------------------------------------------------------- approvals


def test_a_write_off_above_the_limit_waits_for_a_supervisor(books):
    pid = books.owes("Hardship", 30_000)
    small = books.store.adjustments.write_off(
        pid, 2_000, category="small_balance", reason="under the floor"
    )
    assert small.status == "posted" and books.balance(pid) == 28_000
    before = ledger_count()
    big = books.store.adjustments.write_off(
        pid, 20_000, category="hardship", reason="lost their job"
    )
    assert big.status == "pending" and big.entries == () and ledger_count() == before
    assert "supervisor" in big.message
    with pytest.raises(StoreRefused, match="needs a supervisor"):
        books.store.adjustments.approve(big.request_id)  # a specialist cannot approve
    assert AuditLog.select().where(AuditLog.action == "request").count() == 1
    books.act_as("boss", "supervisor")
    (waiting,) = books.store.adjustments.pending()
    assert (waiting.requested_by, waiting.amount) == ("tester", 20_000)
    approved = books.store.adjustments.approve(big.request_id, "documented hardship")
    assert approved.status == "approved" and books.balance(pid) == 8_000
    row = AdjustmentRequest.get_by_id(big.request_id)
    assert row.status == "approved" and row.decided_by.username == "boss"
    with pytest.raises(StoreRefused, match="not pending"):
        books.store.adjustments.approve(big.request_id)
    assert Claim.get(Claim.patient == pid).patient_balance_cents == 8_000
    assert books.store.verify().ok


def test_a_supervisor_posts_above_the_limit_and_a_declined_request_posts_nothing(books):
    pid = books.owes("Courtesy", 30_000)
    request = books.store.adjustments.write_off(pid, 9_000, category="courtesy", reason="staff")
    books.act_as("boss", "supervisor")
    with pytest.raises(StoreRefused, match="say why"):
        books.store.adjustments.decline(request.request_id, "")
    before = ledger_count()
    books.store.adjustments.decline(request.request_id, "not our policy")
    assert ledger_count() == before and books.store.adjustments.pending() == []
    direct = books.store.adjustments.write_off(pid, 9_000, category="courtesy", reason="ok'd")
    assert direct.status == "posted" and books.balance(pid) == 21_000


@pytest.mark.parametrize(
    ("amount", "category", "reason", "message"),
    [
        (0, "small_balance", "x", "more than 0.00"),
        (50_000, "small_balance", "x", "would leave a credit"),
        (1_000, "small_balance", "", "needs a reason"),
        (1_000, "bad_debt", "x", "a write-off is one of"),
    ],
)
def test_a_write_off_the_rules_refuse_changes_nothing(books, amount, category, reason, message):
    pid = books.owes("Refused", 30_000)
    before = ledger_count(), AdjustmentRequest.select().count()
    with pytest.raises(StoreRefused, match=message):
        books.store.adjustments.write_off(pid, amount, category=category, reason=reason)
    assert (ledger_count(), AdjustmentRequest.select().count()) == before


# --------------------------------------------------------------------------- collections


def final_notice(books: Books, pid: int) -> None:
    for _ in range(3):
        books.statements()
    assert Statement.select().where(Statement.patient == pid).order_by(Statement.id.desc()).get().cycle == 3  # fmt: skip


def test_after_a_final_notice_a_supervisor_sends_the_account_to_collections(books):
    pid = books.owes("Gone", 10_000, 5_000)
    before = ledger_count()
    books.act_as("boss", "supervisor")
    with pytest.raises(StoreRefused, match="no final notice"):
        books.store.adjustments.send_to_collections(pid, "Acme Recovery", "no answer")
    books.act_as("tester", "specialist")
    final_notice(books, pid)
    with pytest.raises(StoreRefused, match="needs a supervisor"):
        books.store.adjustments.send_to_collections(pid, "Acme Recovery", "no answer")
    assert ledger_count() == before
    books.act_as("boss", "supervisor")
    placement = books.store.adjustments.send_to_collections(pid, "Acme Recovery", "no answer")
    assert books.balance(pid) == 0
    bad_debt = list(LedgerEntry.select().where(LedgerEntry.category == "bad_debt"))
    assert sum(e.patient_delta for e in bad_debt) == -15_000 and all(e.claim_id for e in bad_debt)
    with pytest.raises(StoreRefused, match="already with a collection agency"):
        books.store.adjustments.send_to_collections(pid, "Acme Recovery", "again")
    assert books.store.verify().ok
    # A new charge does not bring the account back to statements while it is placed.
    submit(books.practice, books.practice.claim(pid, 7_000, dos=books.clock() - dt.timedelta(1)))
    assert pid not in [c.patient_id for c in books.store.statements.candidates()]

    books.store.adjustments.recall(placement, "patient called, will pay")
    assert books.balance(pid) == 22_000
    assert CollectionPlacement.get_by_id(placement).recalled_at is not None
    reversals = LedgerEntry.select().where(LedgerEntry.reverses.in_([e.id for e in bad_debt]))
    assert reversals.count() == len(bad_debt)
    with pytest.raises(StoreRefused, match="already recalled"):
        books.store.adjustments.recall(placement, "twice")
    assert books.store.verify().ok
    assert pid in [c.patient_id for c in books.store.statements.candidates()]


def test_collections_wants_an_agency_a_reason_and_something_owed(books):
    pid = books.owes("Paid", 10_000)
    final_notice(books, pid)
    books.pay(pid, 10_000)
    books.act_as("boss", "supervisor")
    with pytest.raises(StoreRefused, match="name the collection agency"):
        books.store.adjustments.send_to_collections(pid, " ", "x")
    with pytest.raises(StoreRefused, match="needs a reason"):
        books.store.adjustments.send_to_collections(pid, "Acme", "")
    with pytest.raises(StoreRefused, match="owes nothing"):
        books.store.adjustments.send_to_collections(pid, "Acme", "x")
    assert not CollectionPlacement.select().exists()
