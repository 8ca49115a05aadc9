"""The CSV files billing-tui reads and writes: their columns, what a row error says, what
an import did, and reading a file's header and rows (UTF-8, with or without Excel's BOM).

import-csv patients|coverages|charges reads exactly the columns that export-csv
patients|coverages|claims writes, so that moving a practice is an export and an import.
Required columns must be in the header (their cells may still be blank where the
column's rule allows it); any other column may be left out. A column the format does
not know is refused, so that a misspelt heading is never silently ignored.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from .session import StoreRefused


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    required: bool = False


def _columns(*spec: str) -> tuple[Column, ...]:
    """Names, a trailing '*' marking a required one."""
    return tuple(Column(s.rstrip("*"), s.endswith("*")) for s in spec)


GUARANTOR_COLUMNS = _columns(
    "guarantor_last_name", "guarantor_first_name", "guarantor_relationship", "guarantor_dob",
    "guarantor_address1", "guarantor_address2", "guarantor_city", "guarantor_state",
    "guarantor_zip", "guarantor_phone", "guarantor_email",
)  # fmt: skip

# Money on the account that is not on any visit (a credit, a write-off, a refund, a
# late fee): brought forward as ledger entries of its kind, on the patient's side.
ACCOUNT_AMOUNT_COLUMNS = _columns(
    "account_paid", "account_adjusted", "account_refunded", "account_late_fees"
)

PATIENTS = _columns(
    "account_number", "mrn", "last_name*", "first_name*", "middle_name", "dob*", "sex*",
    "address1*", "address2", "city*", "state*", "zip*", "phone", "email", "contact_preference",
) + GUARANTOR_COLUMNS + ACCOUNT_AMOUNT_COLUMNS  # fmt: skip

COVERAGES = _columns(
    "account_number*", "priority*", "payer_code*", "member_id*", "group_number", "relationship",
    "subscriber_last_name", "subscriber_first_name", "subscriber_dob", "subscriber_sex",
    "subscriber_address1", "subscriber_city", "subscriber_state", "subscriber_zip",
    "start_date*", "end_date", "copay", "deductible", "deductible_met", "coinsurance_percent",
    "oop_max", "active", "verified_on", "verified_how", "verification_result",
)  # fmt: skip

# A claim's history as it stands, per service line: what the ledger holds on the line by
# kind and side, as amounts (a payment or write-off positive). Import posts each as one
# entry on the line; a claim's charges follow from its status (domain.claims).
HISTORY_AMOUNT_COLUMNS = _columns(
    "insurance_paid", "patient_paid", "insurance_adjusted", "patient_adjusted",
    "moved_to_patient", "insurance_refunded", "patient_refunded",
)  # fmt: skip

CHARGES = _columns(
    "claim_number", "account_number*", "payer_code", "member_id", "rendering_npi*",
    "supervising_npi", "referring_npi", "place_of_service", "prior_authorization",
    "diagnoses*", "line_number", "date_of_service*", "date_of_service_to", "procedure_code*",
    "modifiers", "pointers", "units", "charge*", "ndc",
    "status", "frequency", "original_claim_number", "payer_claim_number",
    "primary_claim_number",
) + HISTORY_AMOUNT_COLUMNS  # fmt: skip

LEDGER = _columns(
    "entry_id", "posted_at", "effective_date", "account_number", "claim_number", "line_number",
    "kind", "insurance_amount", "patient_amount", "group_code", "reason_code", "remark_codes",
    "category", "memo", "payment_id", "batch_id", "reverses", "user",
)  # fmt: skip

IMPORT_FORMATS: dict[str, tuple[Column, ...]] = {
    "patients": PATIENTS,
    "coverages": COVERAGES,
    "charges": CHARGES,
}
EXPORT_FORMATS: dict[str, tuple[Column, ...]] = {
    "ledger": LEDGER,
    "claims": CHARGES,  # one row per service line, in the charges format
    "patients": PATIENTS,
    "coverages": COVERAGES,
}

SELF_PAY = "SELF"  # payer_code of a self-pay claim


class CsvRefused(StoreRefused):
    """The file as a whole cannot be imported (unreadable, wrong columns): nothing was."""


@dataclass(frozen=True, slots=True)
class RowError:
    line: int  # the file's line where the row starts (the header is line 1)
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.column}: {self.message}"


@dataclass(frozen=True, slots=True)
class ImportResult:
    kind: str
    file_name: str
    rows: int
    checked: bool  # --check: nothing was written, whatever the outcome
    counts: dict[str, int] = field(default_factory=dict)  # what was (or would be) done
    errors: tuple[RowError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def imported(self) -> bool:
        return self.ok and not self.checked


@dataclass(slots=True)
class Row:
    """One data row: its cells by column (only the header's columns), where it starts."""

    line: int
    cells: dict[str, str]

    def text(self, column: str) -> str:
        return self.cells.get(column, "").strip()

    def has(self, column: str) -> bool:
        return column in self.cells


def read_rows(
    path: Path, columns: tuple[Column, ...], name: str
) -> tuple[list[str], list[Row], list[RowError]]:
    """The header, the non-blank rows and the rows that cannot be read (more cells than the
    header has columns) of a CSV file; CsvRefused when the file cannot be read at all or its
    header does not fit the format (every missing and unknown column named)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CsvRefused(f"{name}: cannot read it ({error.strerror or error})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CsvRefused(
            f"{name} line {line}: not UTF-8 text (save the file as CSV UTF-8)"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    rows: list[Row] = []
    unreadable: list[RowError] = []
    previous = 0
    try:
        for cells in reader:
            start, previous = previous + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = _check_header(cells, columns, name)
            elif len(cells) > len(header):
                unreadable.append(RowError(start, "row", (
                    f"{len(cells)} cells, but the header has {len(header)} columns (a comma "
                    "inside a value needs quotes)")))  # fmt: skip
            else:
                rows.append(Row(start, dict(zip(header, cells, strict=False))))
    except csv.Error as error:
        raise CsvRefused(f"{name} line {reader.line_num}: not readable CSV ({error})") from None
    if header is None:
        raise CsvRefused(f"{name}: the file is empty; it needs a header row")
    return header, rows, unreadable


def _check_header(cells: list[str], columns: tuple[Column, ...], name: str) -> list[str]:
    header = [cell.strip().lower() for cell in cells]
    known = {c.name for c in columns}
    problems = []
    repeated = sorted({h for h in header if header.count(h) > 1 and h})
    if repeated:
        problems.append(f"repeated column{_s(repeated)}: {', '.join(repeated)}")
    if "" in header:
        problems.append(f"column {header.index('') + 1} has no name")
    unknown = [h for h in header if h and h not in known]
    if unknown:
        problems.append(f"unknown column{_s(unknown)}: {', '.join(unknown)}")
    missing = [c.name for c in columns if c.required and c.name not in header]
    if missing:
        problems.append(f"missing column{_s(missing)}: {', '.join(missing)}")
    if problems:
        raise CsvRefused(
            f"{name}: {'; '.join(problems)} (nothing was imported; "
            "`billing-tui import-csv --help` lists the columns)"
        )
    return header


def _s(items: list) -> str:
    return "s" if len(items) > 1 else ""


def header_of(kind: str) -> list[str]:
    return [c.name for c in EXPORT_FORMATS[kind]]


def describe(kind: str) -> str:
    """The columns of an import format for --help: required ones marked with *."""
    return ", ".join(c.name + ("*" if c.required else "") for c in IMPORT_FORMATS[kind])
