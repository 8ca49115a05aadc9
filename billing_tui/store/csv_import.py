"""import-csv: the runner every file goes through, the readers of its cells, and patients
(coverages are in csv_coverages, charges in csv_charges); each file all or nothing.

A file is read whole and every row checked on its own first (formats, codes, the
practice's payers); then, in one write transaction, each row is written through the same
Store calls the screens use, in a savepoint of its own, so that a row the Store refuses is
reported and the next one still tried (charges are resolved row by row and written
together at the end). Any problem, or --check, rolls the whole transaction back: the report
names every bad row, and nothing of the file is left in the database.

Messages name the file's line and column, and may name an account number; they never
echo a name, a date of birth or any other patient detail.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from peewee import IntegrityError, fn

from ..domain import validate
from ..domain.dates import DateError, parse_date
from ..domain.ledger import EntryKind
from ..domain.money import MoneyError, parse_cents
from ..domain.validate import FieldError
from .cache import accounts_refreshed_at_end
from .csv_formats import (
    ACCOUNT_AMOUNT_COLUMNS,
    GUARANTOR_COLUMNS,
    IMPORT_FORMATS,
    ImportResult,
    Row,
    RowError,
    read_rows,
)
from .models import LedgerEntry, Patient
from .patients import CONTACT_PREFERENCES, GUARANTOR_RELATIONSHIPS, KEEP, PATIENT_TEXT, clean_mrn
from .records import EntryDraft, PatientDraft
from .records.patients import GuarantorDetails
from .session import Session, StoreRefused

ACCOUNT_NUMBER = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,19}$", re.ASCII)
YES = frozenset({"yes", "y", "true", "1"})
NO = frozenset({"no", "n", "false", "0"})

# column -> (entry kind, the sign of its delta): an amount paid or written off lowers the
# balance, a refund or late fee raises it.
ACCOUNT_AMOUNTS = {
    "account_paid": (EntryKind.PAYMENT, -1),
    "account_adjusted": (EntryKind.ADJUSTMENT, -1),
    "account_refunded": (EntryKind.REFUND, 1),
    "account_late_fees": (EntryKind.LATE_FEE, 1),
}


class Problem(Exception):
    """A row the import cannot write: where, and why (raised while writing it)."""

    def __init__(self, line: int, column: str, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        self.message = message


class _RollBack(Exception):
    """Raised at the end of a file with problems (or of a --check) to undo all of it."""


# --------------------------------------------------------------------------- reading cells


class Cells:
    """One row's cells read into values; each problem is noted with its column."""

    def __init__(self, row: Row, errors: list[RowError]) -> None:
        self.row = row
        self.line = row.line
        self._errors = errors
        self.bad = False

    def fail(self, column: str, message: str) -> None:
        self._errors.append(RowError(self.row.line, column, message))
        self.bad = True

    def text(self, column: str) -> str:
        return self.row.text(column)

    def has(self, column: str) -> bool:
        return self.row.has(column)

    def read(self, column: str, reader: Callable[[str], object]):
        """reader(text) -> value; a FieldError (or MoneyError, StoreRefused) becomes the
        column's problem and None is returned."""
        try:
            return reader(self.row.text(column))
        except (FieldError, MoneyError, StoreRefused) as error:
            self.fail(column, str(error))
            return None


def date_reader(today: dt.date, *, required: bool = False, past: bool = False):
    """Dates as people and spreadsheets write them; the message never repeats the text (it
    may be a date of birth)."""

    def read(text: str) -> dt.date | None:
        if not text:
            if required:
                raise FieldError("a date is required here")
            return None
        try:
            return parse_date(text, today=today, prefer="past" if past else "nearest")
        except DateError as error:
            if str(error).startswith("no such date"):
                raise FieldError("no such date") from None
            raise FieldError("not a date: use 2026-11-24, 11/24/2026 or 112426") from None

    return read


def amount_reader(*, required: bool = False, negative: bool = False):
    """Money as typed ("1,234.50", "$12"), in cents; "12.345" and "abc" are refused."""

    def read(text: str) -> int:
        if not text:
            if required:
                raise FieldError("an amount is required here")
            return 0
        cents = parse_cents(text)
        if cents < 0 and not negative:
            raise FieldError(f"cannot be negative ({text[:20]})")
        if abs(cents) > validate.MONEY_MAX:
            raise FieldError("too large: at most 10,000,000.00")
        return cents

    return read


def account_number(text: str) -> str:
    number = text.upper()
    if not number:
        raise FieldError("the account number is required")
    if not ACCOUNT_NUMBER.match(number):
        raise FieldError("an account number is letters, digits and dashes, at most 20")
    return number


def yes_no(default: bool):
    def read(text: str) -> bool:
        word = text.lower()
        if not word:
            return default
        if word in YES:
            return True
        if word in NO:
            return False
        raise FieldError("yes or no")

    return read


def limited(length: int, label: str):
    def read(text: str) -> str:
        if len(text) > length:
            raise FieldError(f"{label} is at most {length} characters")
        if any(not ch.isprintable() for ch in text):
            raise FieldError(f"{label} holds printable characters only")
        return text

    return read


# --------------------------------------------------------------------------- the runner


@dataclass
class Context:
    """What every row of a file shares: the Store's parts, the file's name, the counts."""

    session: Session
    accounts: object  # store.accounts.Accounts
    claims: object  # store.claims.Claims
    ledger: object  # store.ledger.Ledger
    file_name: str  # as given, for messages
    counts: Counter

    @property
    def today(self) -> dt.date:
        return self.session.today()

    @property
    def memo(self) -> str:
        return f"Brought forward from {Path(self.file_name).name} (CSV import)"[:200]


class Job:
    """One kind of file: parse() checks every row and groups them into units (a row, a
    claim); start() reads what the units need; apply() writes one unit, raising Problem or
    StoreRefused; finish() does what is done once for the whole file."""

    savepoints = True  # apply() writes: each unit in a savepoint of its own

    def __init__(self, context: Context, errors: list[RowError]) -> None:
        self.context = context
        self.errors = errors

    def parse(self, rows: list[Row]) -> list:
        raise NotImplementedError

    def start(self) -> None:
        """Inside the write transaction, before the first unit: what apply() reads once
        from the books for the whole file."""

    def apply(self, unit) -> None:
        raise NotImplementedError

    def where(self, unit) -> tuple[int, str]:
        """The line and column a refusal of the whole unit is reported at."""
        return unit.line, "row"

    def finish(self) -> None:
        """After the last unit, before the commit: what is done once for the whole file."""


def run(job_class: type[Job], context: Context, kind: str, path: Path, check: bool) -> ImportResult:
    _, rows, unreadable = read_rows(path, IMPORT_FORMATS[kind], context.file_name)
    order = {c.name: n for n, c in enumerate(IMPORT_FORMATS[kind])}  # a row's problems: in order
    errors: list[RowError] = list(unreadable)
    job = job_class(context, errors)
    units = job.parse(rows)
    session = context.session
    try:
        with session.writing(), accounts_refreshed_at_end():
            job.start()
            for unit in units:
                if not unit.bad:
                    savepoint = session if job.savepoints else None
                    _attempt(errors, job.where(unit), lambda u=unit: job.apply(u), savepoint)
            if not errors:  # under --check too: the writes are tried, then undone
                _attempt(errors, (1, "file"), job.finish)
            if errors or check:
                raise _RollBack
            session.audit(
                "import", "csv_file", None,
                after={"kind": kind, "file": Path(context.file_name).name, "rows": len(rows),
                       **{k: v for k, v in context.counts.items() if v}},
            )  # fmt: skip
    except _RollBack:
        pass
    return ImportResult(
        kind=kind,
        file_name=context.file_name,
        rows=len(rows) + len(unreadable),
        checked=check,
        counts={k: v for k, v in context.counts.items() if v},
        errors=tuple(sorted(errors, key=lambda e: (e.line, order.get(e.column, len(order))))),
    )


def _attempt(
    errors: list[RowError], where: tuple[int, str], call, savepoint: Session | None = None
) -> None:
    """call(), a refusal noted as a row error at `where` (or where Problem says); with
    savepoint, in a savepoint of that session's, so that a refused unit leaves no trace."""
    try:
        if savepoint is not None:
            with savepoint.writing():
                call()
        else:
            call()
    except Problem as problem:
        errors.append(RowError(problem.line, problem.column, problem.message))
    except StoreRefused as refusal:
        errors.append(RowError(*where, str(refusal)))
    except IntegrityError:
        errors.append(RowError(*where, "conflicts with a record already on file"))


def bring_forward(context: Context, patient_id: int, amounts: dict[str, int], line: int) -> bool:
    """Post what the file says is on the account off any visit, less what is there already
    (so a second import of the same file posts nothing); True when something was posted."""
    kinds = {ACCOUNT_AMOUNTS[c][0].value for c in amounts}
    held = dict(
        LedgerEntry.select(
            LedgerEntry.kind, fn.SUM(LedgerEntry.insurance_delta + LedgerEntry.patient_delta)
        )
        .where(
            (LedgerEntry.patient == patient_id)
            & LedgerEntry.claim.is_null()
            & LedgerEntry.kind.in_(sorted(kinds))
        )
        .group_by(LedgerEntry.kind)
        .tuples()
    )
    drafts = []
    for column, wanted in amounts.items():
        kind, sign = ACCOUNT_AMOUNTS[column]
        there = sign * int(held.get(kind.value) or 0)
        if wanted == there:
            continue
        if wanted < there:
            raise Problem(
                line, column,
                f"the account already has {there / 100:,.2f} of this off any visit, more "
                f"than the file's {wanted / 100:,.2f}",
            )  # fmt: skip
        drafts.append(
            EntryDraft(patient_id=patient_id, kind=kind.value,
                       patient_delta=sign * (wanted - there), memo=context.memo)
        )  # fmt: skip
    if drafts:
        context.ledger.post(drafts)
    return bool(drafts)


# --------------------------------------------------------------------------- patients


ADDRESS = ("address1", "address2", "city", "state", "zip")


@dataclass
class PatientRow:
    line: int
    bad: bool
    account_number: str
    mrn: str
    fields: dict  # PATIENT_FIELDS given in the file
    guarantor: object  # GuarantorDetails, None (the patient is their own) or KEEP
    amounts: dict[str, int]


class PatientImport(Job):
    def parse(self, rows: list[Row]) -> list[PatientRow]:
        today = self.context.today
        units = []
        for row in rows:
            cells = Cells(row, self.errors)
            number = cells.read("account_number", lambda t: account_number(t) if t else "")
            mrn = cells.read("mrn", clean_mrn)
            fields: dict[str, object] = {}
            for column, reader in PATIENT_TEXT.items():
                if cells.has(column):
                    fields[column] = cells.read(column, reader)
            fields["dob"] = cells.read("dob", dob_reader(today, required=True))
            if cells.has("contact_preference"):
                fields["contact_preference"] = cells.read("contact_preference", _preference)
            preference = fields.get("contact_preference")
            for needed, column in (("email", "email"), ("phone", "phone"), ("text", "phone")):
                if preference == needed and cells.has(column) and not fields.get(column):
                    cells.fail("contact_preference", f"{needed} needs the {column} column filled")
            guarantor = self._guarantor(cells, fields, today)
            amounts = {
                c.name: cells.read(c.name, amount_reader())
                for c in ACCOUNT_AMOUNT_COLUMNS
                if cells.has(c.name)
            }
            units.append(
                PatientRow(row.line, cells.bad, number or "", mrn or "", fields, guarantor, amounts)
            )
        return units

    def _guarantor(self, cells: Cells, patient: dict, today: dt.date):
        """KEEP when the file has no guarantor columns, None when they are blank (the
        patient is their own guarantor). A blank address is the patient's."""
        if not any(cells.has(c.name) for c in GUARANTOR_COLUMNS):
            return KEEP
        if not any(cells.text(c.name) for c in GUARANTOR_COLUMNS):
            return None
        values: dict[str, object] = {}
        own_address = not any(cells.text(f"guarantor_{f}") for f in ADDRESS)
        for field in ("last_name", "first_name", *ADDRESS, "phone", "email"):
            if own_address and field in ADDRESS:
                values[field] = patient.get(field) or ""
            else:
                values[field] = cells.read(f"guarantor_{field}", PATIENT_TEXT[field])
        values["relationship"] = cells.read("guarantor_relationship", _guarantor_relationship)
        values["dob"] = cells.read("guarantor_dob", dob_reader(today))
        if cells.bad:
            return None
        return GuarantorDetails(**values)

    def apply(self, unit: PatientRow) -> None:
        context = self.context
        accounts = context.accounts
        patient_id = None
        if unit.account_number:
            patient_id = accounts.find(unit.account_number)
        elif unit.mrn:
            patient_id = accounts.find_by_mrn(unit.mrn)
        if unit.mrn:
            holder = accounts.find_by_mrn(unit.mrn)
            if holder is not None and holder != patient_id:
                other = Patient.get_by_id(holder).account_number
                raise Problem(unit.line, "mrn", f"this medical record number is on account {other}")
        if patient_id is None:
            patient_id = accounts.register_patient(
                PatientDraft(
                    **unit.fields,
                    account_number=unit.account_number or None,
                    mrn=unit.mrn or None,
                ),
                unit.guarantor if isinstance(unit.guarantor, GuarantorDetails) else None,
            )
            bring_forward(context, patient_id, unit.amounts, unit.line)
            context.counts["registered"] += 1
            return
        before = accounts.patient_details(patient_id)
        if unit.mrn and before.mrn and unit.mrn != before.mrn:
            raise Problem(
                unit.line, "mrn",
                f"account {before.account_number} has another medical record number",
            )  # fmt: skip
        version = accounts.update_patient(
            patient_id, unit.fields, before.version, guarantor=unit.guarantor
        )
        changed = version != before.version
        if unit.mrn and not before.mrn:
            changed = accounts.assign_mrn(patient_id, unit.mrn) or changed
        changed = bring_forward(context, patient_id, unit.amounts, unit.line) or changed
        context.counts["updated" if changed else "unchanged"] += 1


def dob_reader(today: dt.date, *, required: bool = False):
    read_date = date_reader(today, required=required, past=True)

    def read(text: str) -> dt.date | None:
        dob = read_date(text)
        if dob is not None:
            validate.check_date_of_birth(dob, today)
        return dob

    return read


def _preference(text: str) -> str:
    preference = text.lower() or "mail"
    if preference not in CONTACT_PREFERENCES:
        raise FieldError(f"one of {', '.join(CONTACT_PREFERENCES)}")
    return preference


def _guarantor_relationship(text: str) -> str:
    relationship = text.lower()
    if relationship not in GUARANTOR_RELATIONSHIPS:
        raise FieldError(f"one of {', '.join(GUARANTOR_RELATIONSHIPS)}")
    return relationship
