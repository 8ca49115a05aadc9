"""CSV in and out (Store.csv): import-csv patients|coverages|charges, each file all or nothing,
and export-csv ledger|claims|patients|coverages, streamed to a file renamed into place.

The formats are in csv_formats; reading and writing in csv_import, csv_charges and
csv_export. Every import and export is in the audit trail (who, which file, how many
rows); the rows themselves carry their own audit rows as the Store writes them.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ..domain.queue import QueuePolicy
from .csv_formats import (
    EXPORT_FORMATS,
    IMPORT_FORMATS,
    CsvRefused,
    ImportResult,
    RowError,
    describe,
)
from .session import Session

__all__ = [
    "EXPORT_FORMATS",
    "IMPORT_FORMATS",
    "CsvIO",
    "CsvRefused",
    "ImportResult",
    "RowError",
    "describe",
]


class CsvIO:
    def __init__(self, session: Session) -> None:
        self._session = session

    def import_file(self, kind: str, path: str | Path, *, check: bool = False) -> ImportResult:
        """Import one file of `kind` (patients, coverages, charges): every row, or with any
        problem none (the result lists each with its line and column). check: find the
        problems and what would be done, and write nothing. CsvRefused when the file as a
        whole cannot be read (missing, not UTF-8, a header that does not fit)."""
        from .accounts import Accounts
        from .claims import Claims
        from .csv_charges import ChargeImport
        from .csv_coverages import CoverageImport
        from .csv_import import Context, PatientImport, run
        from .ledger import Ledger

        if kind not in IMPORT_FORMATS:
            raise CsvRefused(f"no CSV import of {kind}: {', '.join(IMPORT_FORMATS)}")
        if kind == "charges":
            from ..domain import icd10

            icd10.billable_codes()  # read the code set now, not under the write lock
        session = self._session
        context = Context(
            session=session,
            accounts=Accounts(session, QueuePolicy()),
            claims=Claims(session),
            ledger=Ledger(session),
            file_name=str(path),
            counts=Counter(),
        )
        job = {"patients": PatientImport, "coverages": CoverageImport, "charges": ChargeImport}
        return run(job[kind], context, kind, Path(path), check)

    def export(self, kind: str, path: str | Path) -> int:
        """Write the export `kind` (ledger, claims, patients, coverages) to path, replacing it
        whole; returns the number of rows. The export is in the audit trail."""
        from .csv_export import export

        if kind not in EXPORT_FORMATS:
            raise CsvRefused(f"no CSV export of {kind}: {', '.join(EXPORT_FORMATS)}")
        session = self._session
        session.user_id()  # the working user exists before the export's snapshot begins
        count = export(kind, Path(path))
        with session.recording():
            session.audit(
                "export", "csv_file", None, after={"kind": kind, "file": Path(path).name,
                                                   "rows": count},
            )  # fmt: skip
        return count
