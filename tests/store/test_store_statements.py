"""Statement runs on a real database: who gets one, what it says (to the cent, against the
ledger and `report claims`), the cycle, reprints, and every bad input changing nothing."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from pathlib import Path

import pytest
from era_builders import submit
from pypdf import PdfReader
from store_builders import TODAY, Clock, build_practice

from billing_tui.domain.ledger import EntryKind
from billing_tui.domain.statements import Cycle, StatementContent
from billing_tui.sample import generate
from billing_tui.store import Store, StoreRefused
from billing_tui.store.models import (
    AccountSummary,
    Claim,
    LedgerEntry,
    Patient,
    Statement,
    StatementRun,
)


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def owes(practice, last: str, *charges: int, dos=dt.date(2026, 10, 1), **fields) -> int:
    """An account whose self-pay visit (its charges on the ledger) the patient owes."""
    patient_id = practice.patient(last, "Pat", **fields)
    submit(practice, practice.claim(patient_id, *charges, dos=dos))
    return patient_id


def statements_of(patient_id: int) -> list[Statement]:
    return list(Statement.select().where(Statement.patient == patient_id).order_by(Statement.id))


def nothing_recorded(out: Path) -> bool:
    return (
        not Statement.select().exists()
        and not StatementRun.select().exists()
        and not [p for p in out.iterdir() if p.suffix in (".pdf", ".part")]
    )


@pytest.fixture
def clocked(db_url):
    clock = Clock(TODAY)
    store = Store.open(db_url, username="tester", today=clock)
    try:
        yield store, clock, build_practice(store)
    finally:
        store.close()


# --------------------------------------------------------------------------- the sample run


@pytest.fixture(scope="module")
def sample_run(module_db_url, tmp_path_factory):
    """A synthetic practice of 300 accounts and one statement run over it."""
    store = Store.open(module_db_url, username="tester", today=lambda: TODAY)
    generate(store.db, 300, seed=5, as_of=TODAY)
    out = tmp_path_factory.mktemp("statements")
    result = store.statements.run(out)
    try:
        yield store, result
    finally:
        store.close()


def test_every_statement_of_a_sample_run_agrees_with_the_ledger_and_report_claims(sample_run):
    store, result = sample_run
    assert result.statements > 20
    report = {row.claim_number: row for row in store.reports.claims()}
    by_visit = defaultdict(list)  # a visit's claims: the first and those to later payers
    for number, root in visit_roots().items():
        by_visit[root].append(report[number])
    balances = defaultdict(int)
    for patient_id, delta in LedgerEntry.select(
        LedgerEntry.patient, LedgerEntry.patient_delta
    ).tuples():
        balances[patient_id] += delta
    rows = list(Statement.select().where(Statement.run == result.run_id))
    assert len(rows) == result.statements
    for row in rows:
        content = StatementContent.from_json(row.content)
        assert content.balance == balances[row.patient_id] == row.balance_cents
        for visit in content.visits:
            claims = by_visit[visit.claim_number]
            assert visit.insurance_paid == sum(r.paid for r in claims)
            assert visit.patient_paid == sum(r.patient_paid for r in claims)
            assert visit.adjustments == sum(r.adjusted for r in claims)
            assert visit.insurance_pending + visit.patient_owes == sum(r.balance for r in claims)
            assert visit.charge == report[visit.claim_number].charge
            assert sum(line.charge for line in visit.lines) == visit.charge
        assert sum(content.aging) == content.balance
        assert row.amount_due_cents == content.amount_due <= content.balance


def visit_roots() -> dict[str, str]:
    """Each claim number -> the number of its visit's first claim (secondaries point up)."""
    rows = {cid: (number, parent) for cid, number, parent in Claim.select(
        Claim.id, Claim.claim_number, Claim.primary_claim).tuples()}  # fmt: skip
    found = {}
    for cid, (number, _) in rows.items():
        head = cid
        while rows[head][1] is not None:
            head = rows[head][1]
        found[number] = rows[head][0]
    return found


def test_a_sample_run_prints_one_pdf_with_every_statement_and_records_them(sample_run):
    store, result = sample_run
    data = result.path.read_bytes()
    pages = pdf_pages(data)
    assert (
        len(pages)
        == result.pages
        == sum(s.pages for s in Statement.select().where(Statement.run == result.run_id))
    )
    first = Statement.select().where(Statement.run == result.run_id).order_by(Statement.id).get()
    account = Patient.get_by_id(first.patient_id).account_number
    assert account in pages[0]
    assert store.verify().ok
    summary = AccountSummary.get(AccountSummary.patient == first.patient_id)
    assert summary.last_statement_date == TODAY
    assert oct(result.path.stat().st_mode & 0o777) == "0o600"  # patient data: owner only


def test_no_account_gets_two_statements_in_one_cycle(sample_run, tmp_path):
    store, result = sample_run
    assert store.statements.candidates() == []
    with pytest.raises(StoreRefused, match="no statement to print"):
        store.statements.run(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_reprint_draws_the_statement_that_was_mailed(sample_run):
    store, result = sample_run
    row = Statement.select().where(Statement.run == result.run_id).order_by(Statement.id).get()
    pages = pdf_pages(result.path.read_bytes())[: row.pages]
    again = pdf_pages(store.statements.reprint(row.id))
    assert again == pages
    listed = store.statements.statements_of(row.patient_id)
    assert listed[0].id == row.id and listed[0].file_name == result.path.name


def test_a_sample_statement_without_content_is_not_reprinted(sample_run):
    store, _ = sample_run
    old = Statement.select().where(Statement.run.is_null()).first()
    assert old is not None
    with pytest.raises(StoreRefused, match="cannot be reprinted"):
        store.statements.reprint(old.id)


# --------------------------------------------------------------------------- content


def test_a_statement_itemizes_visits_and_account_items_and_ages_them(clocked, tmp_path):
    store, clock, practice = clocked
    pid = owes(practice, "Itemized", 10_000, 2_500, dos=dt.date(2026, 7, 1))
    submit(practice, practice.claim(pid, 4_000, dos=dt.date(2026, 11, 10)))
    practice.post(pid, EntryKind.LATE_FEE, patient=1_500, memo="late fee")
    content = store.statements.preview(pid)
    assert [v.charge for v in content.visits] == [12_500, 4_000]
    assert [line.charge for line in content.visits[0].lines] == [10_000, 2_500]
    assert content.account_items[0].amount == 1_500
    assert content.balance == 18_000 == content.amount_due
    assert content.aging == (4_000 + 1_500, 0, 0, 0, 12_500)  # July's visit is over 120 days
    assert content.recipient.name == "Pat Itemized"
    assert content.recipient.lines[-1] == "Springfield, IL 62701"
    assert content.cycle == Cycle.REMINDER
    assert content.due_date == TODAY + dt.timedelta(days=store.statement_policy.due_days)


def test_a_guarantor_gets_the_statement(clocked):
    store, clock, practice = clocked
    pid = owes(practice, "Child", 5_000)
    from billing_tui.store.models import Guarantor

    with store.db.atomic():
        guarantor = Guarantor.create(
            first_name="Parent", last_name="Child", relationship="parent",
            address1="9 Oak Ave", city="Shelbyville", state="IL", zip="627019999",
        )  # fmt: skip
        Patient.update(guarantor=guarantor.id).where(Patient.id == pid).execute()
    recipient = store.statements.preview(pid).recipient
    assert recipient.name == "Parent Child"
    assert recipient.lines == ("9 Oak Ave", "Shelbyville, IL 62701-9999")


def test_an_entry_and_its_reversal_are_left_off_the_statement(clocked):
    store, clock, practice = clocked
    pid = owes(practice, "Reversed", 5_000)
    fee = practice.post(pid, EntryKind.LATE_FEE, patient=1_500)
    store.ledger.reverse(fee, "posted by mistake")
    content = store.statements.preview(pid)
    assert content.account_items == () and content.balance == 5_000


def test_the_cycle_grows_firmer_until_what_was_asked_is_paid(clocked, tmp_path):
    store, clock, practice = clocked
    pid = owes(practice, "Slow", 20_000)
    cycles = []
    for _ in range(4):
        store.statements.run(tmp_path)
        cycles.append(statements_of(pid)[-1].cycle)
        clock.today += dt.timedelta(days=31)
    assert cycles == [1, 2, 3, 3]
    from billing_tui.store.records import PatientPaymentDraft

    store.posting.post_patient_payment(
        None,
        PatientPaymentDraft(patient_id=pid, amount=5_000, method="cash", received_date=clock()),
    )
    store.statements.run(tmp_path)
    assert statements_of(pid)[-1].cycle == 3  # 50.00 of the 200.00 asked: still final
    clock.today += dt.timedelta(days=31)
    store.posting.post_patient_payment(
        None,
        PatientPaymentDraft(patient_id=pid, amount=15_000, method="cash", received_date=clock()),
    )
    submit(practice, practice.claim(pid, 1_000, dos=clock() - dt.timedelta(days=2)))
    store.statements.run(tmp_path)
    last = statements_of(pid)[-1]
    assert last.cycle == 1 and last.amount_due_cents == 1_000  # paid what was asked: reminder
    assert store.verify().ok


# --------------------------------------------------------------------------- bad input


def test_an_account_without_an_address_is_held_back_and_the_rest_print(clocked, tmp_path):
    store, clock, practice = clocked
    good = owes(practice, "Good", 5_000)
    bad = owes(practice, "Nowhere", 5_000)
    with store.db.atomic():
        Patient.update(address1="", city="").where(Patient.id == bad).execute()
    result = store.statements.run(tmp_path)
    assert result.statements == 1
    assert [h.reason for h in result.held] == ["no mailing address on the account"]
    assert statements_of(good) and not statements_of(bad)
    with pytest.raises(StoreRefused, match="no mailing address"):
        store.statements.run(tmp_path, accounts=[Patient.get_by_id(bad).account_number])


@pytest.mark.parametrize("balance", [0, -2_000])
def test_a_named_account_with_nothing_owed_gets_no_statement(clocked, tmp_path, balance):
    store, clock, practice = clocked
    pid = practice.patient("Even", "Steven")
    if balance:
        practice.post(pid, EntryKind.PAYMENT, patient=balance, memo="credit")
    number = Patient.get_by_id(pid).account_number
    with pytest.raises(StoreRefused, match="the patient balance is"):
        store.statements.run(tmp_path, accounts=[number])
    assert nothing_recorded(tmp_path)
    with pytest.raises(StoreRefused, match="no account"):
        store.statements.run(tmp_path, accounts=["99999999"])


def test_an_unwritable_or_missing_directory_prints_and_records_nothing(clocked, tmp_path):
    store, clock, practice = clocked
    owes(practice, "Waiting", 5_000)
    a_file = tmp_path / "not-a-dir"
    a_file.write_text("x")
    for target in (tmp_path / "missing", a_file):
        with pytest.raises(StoreRefused, match="nothing printed"):
            store.statements.run(target)
    assert not Statement.select().exists()
    with pytest.raises(StoreRefused, match="more than 0.00"):
        store.statements.run(tmp_path, min_balance=0)


def test_a_statement_that_fails_to_render_is_not_recorded(clocked, tmp_path, monkeypatch):
    store, clock, practice = clocked
    owes(practice, "Unlucky", 5_000)
    import billing_tui.pdf.statement as pdf

    def broken(pdf, contents, **_):
        list(contents)
        raise RuntimeError("the printer caught fire")

    monkeypatch.setattr(pdf, "draw_statements", broken)
    with pytest.raises(RuntimeError):
        store.statements.run(tmp_path)
    assert nothing_recorded(tmp_path)


def test_a_file_that_cannot_take_its_name_leaves_nothing_recorded(clocked, tmp_path, monkeypatch):
    store, clock, practice = clocked
    pid = owes(practice, "Unlucky", 5_000)
    import billing_tui.store.statements as statements

    def full(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(statements.os, "replace", full)
    with pytest.raises(OSError):
        store.statements.run(tmp_path)
    assert nothing_recorded(tmp_path)
    summary = AccountSummary.get(AccountSummary.patient == pid)
    assert summary.last_statement_date is None
    assert store.verify().ok


def test_a_big_run_draws_in_a_second_process_the_same_pdf(clocked, tmp_path, monkeypatch):
    store, clock, practice = clocked
    for n in range(3):
        owes(practice, f"Many{n}", 5_000 + n)
    import billing_tui.pdf.statement_printer as printer

    monkeypatch.setattr(printer, "BACKGROUND_AT", 2)  # this run is "big"
    result = store.statements.run(tmp_path)
    assert result.statements == 3 and result.pages == 3
    drawn = result.path.read_bytes()
    contents = [
        StatementContent.from_json(s.content) for s in Statement.select().order_by(Statement.id)
    ]
    from billing_tui.pdf.statement import statement_pdf

    assert drawn == statement_pdf(contents).data  # as if drawn in-process
