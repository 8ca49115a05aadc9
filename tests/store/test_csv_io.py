"""CSV import and export (Store.csv): the migration round trip, --check, every kind of bad row,
and all or nothing; on real SQLite files and PostgreSQL, with real CSV files."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from pg_schema import fresh_schema, pg_base_url
from store_builders import TODAY

from billing_tui.domain import security
from billing_tui.sample import generate
from billing_tui.store import Store
from billing_tui.store.cache import refresh_accounts, refresh_claims
from billing_tui.store.csv_formats import IMPORT_FORMATS, LEDGER, CsvRefused
from billing_tui.store.models import (
    AuditLog,
    Claim,
    ClaimDiagnosis,
    Coverage,
    LedgerEntry,
    Patient,
    ServiceLine,
)
from billing_tui.store.records import EntryDraft

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
TABLES = (Patient, Coverage, Claim, ServiceLine, ClaimDiagnosis, LedgerEntry, AuditLog)
CHARGE_HEADER = ("account_number,payer_code,member_id,claim_number,date_of_service,procedure_code,"
                 "units,charge,diagnoses,pointers,rendering_npi,status,insurance_paid,"
                 "patient_paid,primary_claim_number")  # fmt: skip
GOOD = "10000002,,,,2026-10-19,99213,1,150.00,J06.9,,1836209456,,,,"  # another visit


@pytest.fixture
def second_url(db_url, tmp_path):
    """Another database of the same kind as db_url."""
    if db_url.startswith("postgresql"):
        with fresh_schema(pg_base_url()) as url:
            yield url
    else:
        yield str(tmp_path / "second.db")


def open_store(url: str) -> Store:
    return Store.open(url, username="tester", today=lambda: TODAY)


@pytest.fixture
def quick_passwords(monkeypatch):
    """The sample users' password hashes are not what these tests are about: a cheap one
    keeps `init --sample 0` from spending most of each test on scrypt."""
    monkeypatch.setattr(security, "hash_password", lambda password, *, salt=None: "test$")


def practice_without_accounts(url: str) -> Store:
    """The sample practice's providers, payers, fee schedule and users, and no accounts
    (`billing-tui init --sample 0`)."""
    store = open_store(url)
    generate(store.db, 0, seed=1, as_of=TODAY)
    return store


@pytest.fixture
def empty_practice(db_url, quick_passwords):
    """On SQLite and PostgreSQL: for what the two databases could do differently."""
    store = practice_without_accounts(db_url)
    yield store
    store.close()


@pytest.fixture
def local_practice(sqlite_url, quick_passwords):
    """On SQLite only: for checks of the rows themselves, the same SQL on either database."""
    store = practice_without_accounts(sqlite_url)
    yield store
    store.close()


def _with_patients(store: Store) -> Store:
    for kind in ("patients", "coverages"):
        result = store.csv.import_file(kind, SAMPLE_DATA / f"{kind}.csv")
        assert result.imported, result.errors
    return store


@pytest.fixture
def with_patients(empty_practice):
    """The practice with sample_data's patients and coverages on file."""
    return _with_patients(empty_practice)


@pytest.fixture
def local_with_patients(local_practice):
    return _with_patients(local_practice)


def counts() -> dict[str, int]:
    return {model.__name__: model.select().count() for model in TABLES}


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def report_rows(store: Store) -> list[tuple]:
    """`billing-tui report claims` without the internal ids."""
    return [dataclasses.astuple(r)[1:] for r in store.reports.claims()]


# --------------------------------------------------------------------------- the round trip


def add_history(store: Store) -> None:
    """What the sample does not make and a migration must carry: a secondary claim with its
    own payment, a replacement (7), a void request (8), a voided claim, a payer's negative adjustment
    (OA-94), money moved back to insurance, a reversed payment, and money on the account
    off any visit (a credit, a refund, a late fee, a write-off)."""
    paid = list(
        Claim.select()
        .where((Claim.status == "paid") & Claim.coverage.is_null(False))
        .order_by(Claim.id)
    )
    secondary = None
    for claim in paid:
        if Coverage.select().where((Coverage.patient == claim.patient_id)
                                   & (Coverage.priority == 2)).exists():  # fmt: skip
            secondary = store.claims.secondary(claim.id)
            break
    assert secondary is not None, "the seed should give a patient with a secondary"
    first = ServiceLine.select().where(ServiceLine.claim == secondary).first()
    sec = Claim.get_by_id(secondary)
    store.ledger.post([EntryDraft(patient_id=sec.patient_id, kind="payment", insurance_delta=-700,
                                  claim_id=secondary, service_line_id=first.id)])  # fmt: skip
    store.claims.replacement(paid[0].id, "wrong units")
    store.claims.void_request(paid[1].id, "billed in error")
    # On a claim with no remittance yet, so that the line's net amounts read negative.
    claim = (
        Claim.select()
        .where(Claim.status.in_(("accepted", "submitted")) & Claim.coverage.is_null(False))
        .order_by(Claim.id)
        .first()
    )
    line = ServiceLine.select().where(ServiceLine.claim == claim.id).first()
    with store.db.atomic():  # as the ERA posting writes a payer's OA-94
        LedgerEntry.create(patient=claim.patient_id, claim=claim.id, service_line=line.id,
                           kind="adjustment", insurance_delta=500, effective_date=TODAY,
                           group_code="OA", reason_code="94")  # fmt: skip
        refresh_claims([claim.id])
        refresh_accounts([claim.patient_id])
    store.ledger.post([EntryDraft(patient_id=claim.patient_id, kind="transfer",
                                  insurance_delta=300, patient_delta=-300, claim_id=claim.id,
                                  service_line_id=line.id)])  # fmt: skip
    patient = paid[3].patient_id
    for kind, delta in (("payment", -2500), ("refund", 1000), ("late_fee", 1500),
                        ("adjustment", -200)):  # fmt: skip
        store.ledger.post([EntryDraft(patient_id=patient, kind=kind, patient_delta=delta)])
    (payment,) = store.ledger.post(
        [EntryDraft(patient_id=paid[4].patient_id, kind="payment", patient_delta=-1000,
                    claim_id=paid[4].id)]
    )  # fmt: skip
    store.ledger.reverse(payment, "returned check")
    store.claims.set_status(paid[5].id, "voided", "billed in error")  # its charges reversed


def test_a_practice_moves_by_export_and_import(db_url, second_url, tmp_path, quick_passwords):
    """The migration target: export-csv patients, coverages and claims of a sample practice,
    import-csv them into the same practice without accounts: report claims and verify agree,
    and the new database exports the same files again."""
    original = open_store(db_url)
    generate(original.db, 40, seed=11, as_of=TODAY)
    add_history(original)
    files = {kind: tmp_path / f"{kind}.csv" for kind in ("patients", "coverages", "claims")}
    for kind, path in files.items():
        original.csv.export(kind, path)
    ledger_rows = original.csv.export("ledger", tmp_path / "ledger.csv")
    before, report = original.verify(), report_rows(original)
    assert before.ok
    original.close()

    moved = open_store(second_url)
    generate(moved.db, 0, seed=11, as_of=TODAY)
    for kind, path in (("patients", files["patients"]), ("coverages", files["coverages"]),
                       ("charges", files["claims"])):  # fmt: skip
        result = moved.csv.import_file(kind, path)
        assert result.imported, result.errors[:5]
    after = moved.verify()
    assert after.ok, after.violations[:5]
    assert after.balance_total == before.balance_total
    for counted in ("accounts", "claims"):
        assert after.counted[counted] == before.counted[counted]
    assert report_rows(moved) == report
    statuses = {row[1] for row in report}
    assert {"paid", "denied", "voided", "draft", "ready"} <= statuses

    again = {kind: tmp_path / f"again_{kind}.csv" for kind in files}
    for kind, path in again.items():
        moved.csv.export(kind, path)
    assert again["claims"].read_text() == files["claims"].read_text()
    assert again["patients"].read_text() == files["patients"].read_text()
    old, new = (list(csv.DictReader(p.open())) for p in (files["coverages"], again["coverages"]))
    # A coverage whose end date is past is on file and ended: no longer active, and the
    # coverage after it on the account moves up (the secondary becomes the primary).
    assert [{**r, "active": "", "priority": ""} for r in old] == [
        {**r, "active": "", "priority": ""} for r in new
    ]
    assert all(r["active"] == "no" for r in new if r["end_date"] and r["end_date"] < str(TODAY))
    ended = {r["account_number"] for r in new if r["active"] == "no"}
    moved_up = [o for o, n in zip(old, new, strict=True) if o["priority"] != n["priority"]]
    assert all(r["account_number"] in ended for r in moved_up)
    claims = list(csv.DictReader(files["claims"].open()))
    assert {r["frequency"] for r in claims} == {"1", "7", "8"}
    assert any(r["primary_claim_number"] for r in claims)
    assert any(r["insurance_adjusted"].startswith("-") for r in claims)  # OA-94
    assert any(r["moved_to_patient"].startswith("-") for r in claims)
    assert any(r["payer_code"] == "SELF" for r in claims)
    patient = next(r for r in csv.DictReader(files["patients"].open()) if r["account_paid"])
    assert (patient["account_paid"], patient["account_refunded"],
            patient["account_late_fees"], patient["account_adjusted"]) == (
        "25.00", "10.00", "15.00", "2.00")  # fmt: skip
    moved.close()

    rows = list(csv.reader((tmp_path / "ledger.csv").open()))
    assert rows[0] == [c.name for c in LEDGER] and len(rows) - 1 == ledger_rows
    total = sum(round(float(r[7]) * 100) + round(float(r[8]) * 100) for r in rows[1:])
    assert total == before.balance_total


def test_imported_history_is_marked_as_imported(empty_practice, tmp_path):
    path = write(
        tmp_path / "paid.csv", CHARGE_HEADER,
        "10000001,SMPL1,2AC5DE7FG81,C-1,2026-10-14,99214,1,220.00,I10,,1749382010,paid,"
        "150.00,20.00,",
    )  # fmt: skip
    for kind in ("patients", "coverages"):
        empty_practice.csv.import_file(kind, SAMPLE_DATA / f"{kind}.csv")
    result = empty_practice.csv.import_file("charges", path)
    assert result.imported, result.errors
    claim = Claim.get(Claim.claim_number == "C-1")
    assert claim.status == "paid"
    (change,) = claim.history
    assert (change.from_status, change.to_status) == (None, "paid")
    assert change.reason == "imported from paid.csv line 2"
    entries = list(
        LedgerEntry.select().where(LedgerEntry.claim == claim.id).order_by(LedgerEntry.id)
    )
    assert [(e.kind, e.insurance_delta, e.patient_delta) for e in entries] == [
        ("charge", 22000, 0), ("payment", -15000, 0), ("payment", 0, -2000),
    ]  # fmt: skip
    assert all(e.memo == "Brought forward from paid.csv (CSV import)" for e in entries[1:])
    assert (claim.insurance_balance_cents, claim.patient_balance_cents) == (7000, -2000)
    assert empty_practice.verify().ok


# --------------------------------------------------------------------------- sample_data


def test_the_sample_files_import_into_an_empty_practice(empty_practice):
    store = empty_practice
    done = {}
    for kind in ("patients", "coverages", "charges"):
        result = store.csv.import_file(kind, SAMPLE_DATA / f"{kind}.csv")
        assert result.imported, result.errors
        done[kind] = result.counts
    assert done["patients"] == {"registered": 7}
    assert done["coverages"] == {"added": 6, "ended": 1}
    assert done["charges"] == {"claims": 6, "lines": 9}
    assert store.accounts.find_by_mrn("EHR-0007") == store.accounts.find("10000007")
    ended = Coverage.get(Coverage.member_id == "EMH100200300")
    assert (ended.active, ended.priority, ended.end_date) == (False, 1, dt.date(2023, 12, 31))
    claim = Claim.get(Claim.claim_number == "10000001-1")  # three rows, one visit
    assert claim.status == "draft" and claim.charge_cents == 28000
    assert Coverage.get_by_id(claim.coverage_id).member_id == "2AC5DE7FG81"  # the primary
    assert [d.code for d in claim.diagnoses.order_by(ClaimDiagnosis.position)] == ["I10", "E119"]
    lines = (
        ServiceLine.select().where(ServiceLine.claim == claim.id).order_by(ServiceLine.line_number)
    )
    assert [(line.code, line.pointer1, line.pointer2) for line in lines] == [
        ("99214", 1, 2), ("36415", 2, None), ("83036", 2, None)
    ]  # fmt: skip
    self_pay = Claim.get(Claim.claim_number == "10000005-1")
    assert self_pay.coverage_id is None and self_pay.payer_id is None
    assert LedgerEntry.select().count() == 0  # drafts: nothing billed yet
    assert store.verify().ok


def test_bad_charges_reports_every_row_and_writes_nothing(with_patients):
    store = with_patients
    before = counts()
    result = store.csv.import_file("charges", SAMPLE_DATA / "bad_charges.csv", check=True)
    assert counts() == before
    found = [(e.line, e.column, e.message) for e in result.errors]
    expected = [
        (2, "charge", "not an amount: '12.345' (use 1,234.56)"),
        (3, "date_of_service", "no such date"),
        (4, "charge", "cannot be negative (-225.00)"),
        (5, "diagnoses", "J06 is not billable: use a more specific code"),
        (6, "account_number", "no account 10009999"),
        (7, "payer_code", "no payer with the code SMPL9"),
        (7, "rendering_npi", "no provider with NPI 1450287366 is set up"),
        (8, "procedure_code", "99999 is not in the fee schedule"),
        (8, "charge", "not an amount: 'abc' (use 1,234.56)"),
        (9, "rendering_npi", "not an NPI: 10 digits with a valid check digit"),
    ]
    assert found == expected
    assert {e.line for e in result.errors} == set(range(2, 10))  # every row
    assert not store.csv.import_file("charges", SAMPLE_DATA / "bad_charges.csv").imported
    assert counts() == before


# --------------------------------------------------------------------------- --check


def test_check_writes_nothing_and_says_what_it_would_do(empty_practice):
    store = empty_practice
    before = counts()
    result = store.csv.import_file("patients", SAMPLE_DATA / "patients.csv", check=True)
    assert result.ok and result.checked and not result.imported
    assert result.counts == {"registered": 7}
    assert counts() == before
    store.csv.import_file("patients", SAMPLE_DATA / "patients.csv")
    store.csv.import_file("coverages", SAMPLE_DATA / "coverages.csv")
    before = counts()
    result = store.csv.import_file("charges", SAMPLE_DATA / "charges.csv", check=True)
    assert result.ok and result.counts == {"claims": 6, "lines": 9}
    assert counts() == before


def test_one_bad_row_and_nothing_of_the_file_is_imported(with_patients, tmp_path):
    before = counts()
    good = "10000003,,,,2026-11-03,99393,1,225.00,Z00.129,,1920473869,,,,"
    path = write(tmp_path / "c.csv", CHARGE_HEADER, good, GOOD, "10000004,,,,2026-11-10,99203,1,"
                 "170.00,M54.50,,1503928172,,,-5.00,")  # fmt: skip
    result = with_patients.csv.import_file("charges", path)
    assert [(e.line, e.column) for e in result.errors] == [(4, "patient_paid")]
    assert counts() == before


# --------------------------------------------------------------------------- bad charges


# Each row its own visit (its own date of service), each with one problem.
BAD_CHARGES = (
    ("10000002,,,,2026-10-01,99213,1,12.345,J06.9,,1836209456,,,,", "charge", "not an amount"),
    ("10000002,,,,10/32/2026,99213,1,150,J06.9,,1836209456,,,,", "date_of_service",
     "no such date"),
    ("10000002,,,,yesterday,99213,1,150,J06.9,,1836209456,,,,", "date_of_service",
     "not a date"),
    ("10000002,,,,2026-10-02,99213,0,150,J06.9,,1836209456,,,,", "units", "from 1 to 9999"),
    ("10000002,,,,2026-10-03,9921,1,150,J06.9,,1836209456,,,,", "procedure_code",
     "not a CPT or HCPCS code"),
    ("10000002,,,,2026-10-04,99213,1,150,ZZZ.9,,1836209456,,,,", "diagnoses",
     "not an ICD-10-CM code"),
    ("10000002,,,,2026-10-05,99213,1,150,J06.9 J069,,1836209456,,,,", "diagnoses",
     "J06.9 is listed twice"),
    ("10000002,,,,2026-10-06,99213,1,150,J06.9,2,1836209456,,,,", "pointers",
     "pointer 2 is beyond the row's 1 diagnosis"),
    ("10000002,,,,2026-10-07,99213,1,150,,,1836209456,,,,", "diagnoses",
     "the claim needs at least one diagnosis"),
    ("10000002,SMPL4,,,2026-10-08,99213,1,150,J06.9,,1836209456,,,,", "payer_code",
     "account 10000002 has no coverage with SMPL4"),
    ("10000002,SMPL3,BWH999,,2026-10-09,99213,1,150,J06.9,,1836209456,,,,", "member_id",
     "account 10000002 has no SMPL3 coverage with that member ID"),
    ("10000002,,BWH300117245,,2026-10-10,99213,1,150,J06.9,,1836209456,,,,", "member_id",
     "a member ID needs the payer_code"),
    ("10000002,,,,2026-10-11,99213,1,150,J06.9,,,,,,", "rendering_npi", "is required"),
    ("10000002,,,,2026-10-12,99213,1,150,J06.9,,1836209456,sent,,,", "status", "one of draft"),
    ("10000002,,,,2026-10-13,99213,1,150,J06.9,,1836209456,paid,-1,,", "insurance_paid",
     "cannot be negative"),
    ("10000002,,,,2026-10-14,99213,1,150,J06.9,,1836209456,paid,,1.2.3,", "patient_paid",
     "not an amount"),
    ("10000002,,,X-1,2026-10-15,99213,1,150,J06.9,,1836209456,,,,X-0", "primary_claim_number",
     "no claim X-0 on account 10000002"),
    ("10000002,,,bad number!,2026-10-16,99213,1,150,J06.9,,1836209456,,,,", "claim_number",
     "letters, digits and dashes"),
    ("10009999,,,,2026-10-17,99213,1,150,J06.9,,1836209456,,,,", "account_number",
     "no account 10009999"),
)  # fmt: skip


def test_every_bad_charge_row_is_named_by_its_line_and_column(local_with_patients, tmp_path):
    before = counts()
    path = write(tmp_path / "charges.csv", CHARGE_HEADER, GOOD, *(row for row, *_ in BAD_CHARGES))
    for check in (True, False):
        result = local_with_patients.csv.import_file("charges", path, check=check)
        assert not result.imported
        assert [(e.line, e.column) for e in result.errors] == [
            (line, column) for line, (_, column, _) in enumerate(BAD_CHARGES, start=3)
        ]
        for error, (_, _, message) in zip(result.errors, BAD_CHARGES, strict=True):
            assert message in error.message, error
        assert counts() == before


def test_claim_numbers_are_kept_and_never_taken_twice(with_patients, tmp_path):
    store = with_patients
    header = (
        "claim_number,account_number,date_of_service,procedure_code,charge,diagnoses,rendering_npi"
    )
    path = write(tmp_path / "c.csv", header,
                 ",10000002,2026-10-20,99213,150,J06.9,1836209456",
                 "10000002-1,10000002,2026-10-21,99213,150,J06.9,1836209456",
                 "OLD-77,10000002,2026-10-22,99213,150,J06.9,1836209456",
                 "OLD-77,10000002,2026-10-22,36415,15,J06.9,1836209456")  # fmt: skip
    result = store.csv.import_file("charges", path)
    assert result.imported, result.errors
    numbers = {c.claim_number: c.first_dos.day for c in Claim.select()}
    # The number the file names is kept; the claim without one takes the next that is free.
    assert numbers == {"10000002-1": 21, "10000002-2": 20, "OLD-77": 22}
    assert Claim.get(Claim.claim_number == "OLD-77").lines.count() == 2
    before = counts()
    again = store.csv.import_file("charges", path)
    assert [(e.line, e.message) for e in again.errors] == [
        (3, "claim 10000002-1 is already on file"), (4, "claim OLD-77 is already on file")
    ]  # fmt: skip
    assert counts() == before


def test_rows_of_one_claim_must_agree(local_with_patients, tmp_path):
    header = "claim_number,account_number,date_of_service,procedure_code,charge,diagnoses,rendering_npi,place_of_service"
    path = write(tmp_path / "c.csv", header,
                 "A-1,10000002,2026-10-20,99213,150,J06.9,1836209456,11",
                 "A-1,10000002,2026-10-20,36415,15,J06.9,1836209456,02")  # fmt: skip
    result = local_with_patients.csv.import_file("charges", path)
    assert [(e.line, e.column, e.message) for e in result.errors] == [
        (3, "place_of_service", "differs from line 2, the claim's first row")
    ]


# --------------------------------------------------------------------------- files and headers


def test_a_header_that_does_not_fit_is_refused_before_anything(local_practice, tmp_path):
    before = counts()
    path = write(tmp_path / "p.csv", "account_number,last_nam,first_name,dob,sex,city,state,zip,x",
                 "1,Doe,Jane,1970-01-01,F,Springfield,IL,62701,")  # fmt: skip
    with pytest.raises(CsvRefused) as refused:
        local_practice.csv.import_file("patients", path)
    message = str(refused.value)
    assert "unknown columns: last_nam, x" in message
    assert "missing columns: last_name, address1" in message
    assert counts() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"account_number,priority\n1,\xff\n", "line 2: not UTF-8 text"),
        (b'account_number,priority,payer_code,member_id,start_date\n"1,2\n', "not readable CSV"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused(local_practice, tmp_path, content, message):
    path = tmp_path / "c.csv"
    path.write_bytes(content)
    with pytest.raises(CsvRefused, match=message):
        local_practice.csv.import_file("coverages", path)
    with pytest.raises(CsvRefused, match="cannot read it"):
        local_practice.csv.import_file("coverages", tmp_path / "missing.csv")


def test_excel_files_with_a_bom_and_crlf_import(local_with_patients, tmp_path):
    text = (SAMPLE_DATA / "charges.csv").read_text().replace("\n", "\r\n")
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeff".encode() + text.encode())
    assert local_with_patients.csv.import_file("charges", path).imported


def test_every_import_format_is_what_the_exports_write():
    from billing_tui.store.csv_formats import EXPORT_FORMATS

    assert EXPORT_FORMATS["patients"] == IMPORT_FORMATS["patients"]
    assert EXPORT_FORMATS["coverages"] == IMPORT_FORMATS["coverages"]
    assert EXPORT_FORMATS["claims"] == IMPORT_FORMATS["charges"]


# --------------------------------------------------------------------------- patients


def test_importing_patients_again_updates_them_without_duplicates(local_practice, tmp_path):
    store = local_practice
    path = SAMPLE_DATA / "patients.csv"
    store.csv.import_file("patients", path)
    assert Patient.select().count() == 7
    again = store.csv.import_file("patients", path)
    assert again.counts == {"unchanged": 7}
    assert Patient.select().count() == 7  # the one without an account number: found by MRN
    changed = write(tmp_path / "p.csv", *[
        line.replace("14 Juniper Hollow Rd", "16 Juniper Hollow Rd")
        .replace(",Vantreese,Delphine,parent,1988-11-30,,,,,,8455550113,delphine.v@example.com",
                 ",,,,,,,,,,,")
        for line in path.read_text().splitlines()
    ])  # fmt: skip
    result = store.csv.import_file("patients", changed)
    assert result.counts == {"updated": 2, "unchanged": 5}
    first = store.accounts.patient_details(store.accounts.find("10000001"))
    assert first.address1 == "16 Juniper Hollow Rd"
    child = store.accounts.patient_details(store.accounts.find("10000003"))
    assert child.guarantor is None  # blank guarantor columns: the patient is their own
    row = (
        AuditLog.select()
        .where((AuditLog.entity == "patient") & (AuditLog.action == "update"))
        .order_by(AuditLog.id.desc())
        .first()
    )
    assert row.before == '{"address1": "14 Juniper Hollow Rd"}'
    assert row.after == '{"address1": "16 Juniper Hollow Rd"}'
    assert Patient.select().count() == 7


def test_a_medical_record_number_is_one_accounts(local_practice, tmp_path):
    store = local_practice
    store.csv.import_file("patients", SAMPLE_DATA / "patients.csv")
    header = "account_number,mrn,last_name,first_name,dob,sex,address1,city,state,zip"
    path = write(tmp_path / "p.csv", header,
                 "10000004,EHR-0004,Abernathy-Soto,Ramón,1969-12-08,M,402 Birchwood Ct,Stonegate,NY,12762",
                 "10000005,EHR-0001,Pellegrino,Ines,1994-02-17,F,61 Quarry Rd,Maple Hollow,NY,12755",
                 "10000006,EHR-9,O'Marchetti,Owen,1958-09-25,M,3 Heron Pt,Stonegate,NY,12762")  # fmt: skip
    result = store.csv.import_file("patients", path)
    assert [(e.line, e.column, e.message) for e in result.errors] == [
        (3, "mrn", "this medical record number is on account 10000001"),
        (4, "mrn", "account 10000006 has another medical record number"),
    ]
    assert store.accounts.patient_details(store.accounts.find("10000004")).mrn == ""


BAD_PATIENTS = (
    ("Doe,Jane,1970-02-30,F,1 Elm St,Harrow Bend,NY,12758,,", "dob", "no such date"),
    ("Doe,Jane,2030-01-01,F,1 Elm St,Harrow Bend,NY,12758,,", "dob", "cannot be in the future"),
    ("Doe,Jane,1970-01-01,Q,1 Elm St,Harrow Bend,NY,12758,,", "sex", "sex is F"),
    ("D0e,Jane,1970-01-01,F,1 Elm St,Harrow Bend,NY,12758,,", "last_name", "takes letters"),
    ("Doe,Jane,1970-01-01,F,,Harrow Bend,NY,12758,,", "address1", "is required"),
    ("Doe,Jane,1970-01-01,F,1 Elm St,Harrow Bend,XX,12758,,", "state", "not a US state"),
    ("Doe,Jane,1970-01-01,F,1 Elm St,Harrow Bend,NY,1275,,", "zip", "5 or 9 digits"),
    ("Doe,Jane,1970-01-01,F,1 Elm St,Harrow Bend,NY,12758,email,", "contact_preference",
     "email needs the email column filled"),
    ("Doe,Jane,1970-01-01,F,1 Elm St,Harrow Bend,NY,12758,,-3", "account_paid",
     "cannot be negative"),
)  # fmt: skip


def test_every_bad_patient_row_is_named_without_patient_data(local_practice, tmp_path):
    header = (
        "last_name,first_name,dob,sex,address1,city,state,zip,contact_preference,account_paid,email"
    )
    path = write(tmp_path / "p.csv", header, *(f"{cells}," for cells, *_ in BAD_PATIENTS))
    before = counts()
    result = local_practice.csv.import_file("patients", path)
    assert [(e.line, e.column) for e in result.errors] == [
        (line, column) for line, (_, column, _) in enumerate(BAD_PATIENTS, start=2)
    ]
    for error, (_, _, message) in zip(result.errors, BAD_PATIENTS, strict=True):
        assert message in error.message
        for detail in ("Doe", "D0e", "Jane", "1970", "2030", "02-30"):
            assert detail not in error.message
    assert counts() == before


def test_money_off_any_visit_is_brought_forward_once(empty_practice, tmp_path):
    store = empty_practice
    header = "account_number,last_name,first_name,dob,sex,address1,city,state,zip,account_paid,account_late_fees"
    row = "10000042,Doe,Jane,1970-01-01,F,1 Elm St,Harrow Bend,NY,12758"
    path = write(tmp_path / "p.csv", header, f"{row},40.00,15.00")
    assert store.csv.import_file("patients", path).counts == {"registered": 1}
    patient_id = store.accounts.find("10000042")
    assert store.ledger.balances(patient_id) == (0, -2500)
    assert store.csv.import_file("patients", path).counts == {"unchanged": 1}
    assert LedgerEntry.select().count() == 2
    more = write(tmp_path / "more.csv", header, f"{row},50.00,15.00")
    assert store.csv.import_file("patients", more).counts == {"updated": 1}
    assert store.ledger.balances(patient_id) == (0, -3500)
    less = write(tmp_path / "less.csv", header, f"{row},10.00,15.00")
    result = store.csv.import_file("patients", less)
    assert [(e.column, e.message) for e in result.errors] == [(
        "account_paid", "the account already has 50.00 of this off any visit, more than the "
        "file's 10.00")]  # fmt: skip
    assert store.verify().ok


# --------------------------------------------------------------------------- coverages


def test_coverages_are_put_on_file_in_the_stores_order(empty_practice, tmp_path):
    """An ended primary goes on file ended; the secondary after it becomes the primary;
    importing the same file again changes nothing."""
    store = empty_practice
    store.csv.import_file("patients", SAMPLE_DATA / "patients.csv")
    header = (
        "account_number,priority,payer_code,member_id,start_date,end_date,verified_on,verified_how"
    )
    path = write(tmp_path / "c.csv", header,
                 "10000005,2,SMPL3,BWH1234,2024-01-01,,2026-11-01,portal",
                 "10000005,1,SMPL4,SCI5678,2020-01-01,2026-06-30,,")  # fmt: skip
    result = store.csv.import_file("coverages", path)
    assert result.counts == {"added": 1, "ended": 1}
    rows = {c.member_id: (c.priority, c.active) for c in Coverage.select()}
    assert rows == {"BWH1234": (1, True), "SCI5678": (1, False)}
    verified = Coverage.get(Coverage.member_id == "BWH1234")
    assert verified.verified_at.date() == dt.date(2026, 11, 1) and verified.verified_how == "portal"
    assert store.verify().ok  # the queue's cache has the new primary and its verification
    assert store.csv.import_file("coverages", path).counts == {"unchanged": 2}
    assert Coverage.select().count() == 2


BAD_COVERAGES = (
    ("10000005,4,SMPL3,BWH1,2024-01-01,,", "priority", "1 (primary)"),
    ("10000005,1,SMPL9,BWH1,2024-01-01,,", "payer_code", "no payer with the code SMPL9"),
    ("10000005,1,SMPL1,BWH1,2024-01-01,,", "member_id", "Medicare ID (MBI)"),
    ("10000005,1,SMPL3,BWH1,2024-01-01,2023-01-01,", "end_date", "cannot end before"),
    ("10000005,1,SMPL3,BWH1,2024-01-01,,no", "end_date", "needs the date it ended"),
    ("10000005,1,SMPL3,BWH1,2024-01-01,2030-01-01,no", "active", "still active"),
    ("10000005,1,SMPL3,BWH1,2024-01-01,,,12.345", "copay", "not an amount"),
    ("10000099,1,SMPL3,BWH1,2024-01-01,,", "account_number", "no account 10000099"),
)


def test_every_bad_coverage_row_is_named_by_its_column(local_practice, tmp_path):
    store = local_practice
    store.csv.import_file("patients", SAMPLE_DATA / "patients.csv")
    header = "account_number,priority,payer_code,member_id,start_date,end_date,active,copay"
    path = write(tmp_path / "c.csv", header, *(cells for cells, *_ in BAD_COVERAGES))
    before = counts()
    result = store.csv.import_file("coverages", path)
    assert [(e.line, e.column) for e in result.errors] == [
        (line, column) for line, (_, column, _) in enumerate(BAD_COVERAGES, start=2)
    ]
    for error, (_, _, message) in zip(result.errors, BAD_COVERAGES, strict=True):
        assert message in error.message
    assert counts() == before


# --------------------------------------------------------------------------- exports


def test_an_export_replaces_its_file_whole_and_private(local_practice, tmp_path):
    store = local_practice
    store.csv.import_file("patients", SAMPLE_DATA / "patients.csv")
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "patients.csv"
    out.write_text("an older export")
    assert store.csv.export("patients", out) == 7
    assert out.read_text().splitlines()[0].startswith("account_number,mrn,last_name")
    assert out.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in folder.iterdir()] == ["patients.csv"]  # no .part left behind
    row = AuditLog.select().where(AuditLog.action == "export").get()
    assert row.after == '{"file": "patients.csv", "kind": "patients", "rows": 7}'
