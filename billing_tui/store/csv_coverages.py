"""import-csv coverages: each account's coverages put on file through the Store's coverage
calls, ended ones first, then the active ones by priority, so that each takes its place as
the Store numbers them (a secondary whose primary has ended becomes the primary).

A coverage is known by its account, payer, member ID and start date: one already on file is
updated, any other added. One whose end date is past (or marked inactive) is put on file and
ended, as ending it on the coverages tab does, so that the claims of its time still find it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from ..domain import validate
from ..domain.validate import FieldError
from .bulk import among, update_rows
from .cache import chunked, refresh_accounts
from .csv_formats import Row
from .csv_import import (
    Cells,
    Job,
    Problem,
    account_number,
    amount_reader,
    date_reader,
    dob_reader,
    limited,
    yes_no,
)
from .models import Coverage, Patient, Payer

SUBSCRIBER_TEXT: dict[str, tuple[str, Callable[[str], str]]] = {
    # column -> (coverage field, reader)
    "group_number": ("group_number", validate.group_number),
    "subscriber_last_name": ("subscriber_last", lambda t: validate.person_name(
        t, "subscriber's last name", validate.LAST_NAME_MAX, required=False)),
    "subscriber_first_name": ("subscriber_first", lambda t: validate.person_name(
        t, "subscriber's first name", validate.FIRST_NAME_MAX, required=False)),
    "subscriber_address1": ("subscriber_address1", lambda t: validate.address_line(
        t, "subscriber's address", required=False)),
    "subscriber_city": ("subscriber_city", lambda t: validate.city(t) if t else ""),
    "subscriber_state": ("subscriber_state", lambda t: validate.state(t) if t else ""),
    "subscriber_zip": ("subscriber_zip", lambda t: validate.zip_code(t) if t else ""),
}  # fmt: skip
COVERAGE_MONEY = {
    "copay": "copay",
    "deductible": "deductible",
    "deductible_met": "deductible_met",
    "oop_max": "oop_max",
}


@dataclass
class CoverageRow:
    line: int
    bad: bool
    order: tuple  # the account's rows go in ended first, then by priority
    account_number: str
    priority: int
    values: dict  # coverage fields (store.patients.COVERAGE_FIELDS) given in the file
    ended: bool  # put on file and ended: its end date is past, or it is inactive
    verified: tuple | None  # (date, how, result) when the file has verified_on


class CoverageImport(Job):
    def parse(self, rows: list[Row]) -> list[CoverageRow]:
        # (coverage, patient, on, how, result) of the verifications the file changes
        self.verified: list[tuple] = []
        today = self.context.today
        payers = {p.payer_code.upper(): p for p in Payer.select()}
        units = []
        first_seen: dict[str, int] = {}
        for row in rows:
            cells = Cells(row, self.errors)
            number = cells.read("account_number", account_number) or ""
            priority = cells.read("priority", _priority)
            payer = payers.get(cells.text("payer_code").upper())
            if payer is None:
                code = cells.text("payer_code")
                cells.fail("payer_code", f"no payer with the code {code[:20]}" if code else
                           "the payer code is required")  # fmt: skip
            values: dict[str, object] = {
                "payer_id": payer.id if payer else None,
                "member_id": cells.read(
                    "member_id", partial(validate.member_id, payer_kind=payer.kind if payer else "")
                ),
                "start_date": cells.read("start_date", date_reader(today, required=True)),
                "end_date": cells.read("end_date", date_reader(today)),
            }
            if cells.has("relationship"):
                values["relationship"] = cells.read(
                    "relationship", lambda t: validate.relationship(t) if t else "18"
                )
            for column, (field, reader) in SUBSCRIBER_TEXT.items():
                if cells.has(column):
                    values[field] = cells.read(column, reader)
            if cells.text("subscriber_sex"):
                values["subscriber_sex"] = cells.read("subscriber_sex", validate.sex)
            if cells.has("subscriber_dob"):
                values["subscriber_dob"] = cells.read("subscriber_dob", dob_reader(today))
            for column, field in COVERAGE_MONEY.items():
                if cells.has(column):
                    values[field] = cells.read(column, amount_reader())
            if cells.has("coinsurance_percent"):
                values["coinsurance_bp"] = cells.read(
                    "coinsurance_percent", lambda t: validate.percent(t)
                )
            active = cells.read("active", yes_no(True))
            start, end = values["start_date"], values["end_date"]
            if start and end and end < start:
                cells.fail("end_date", "a coverage cannot end before it starts")
            if (values.get("deductible_met") or 0) > (values.get("deductible") or 0):
                cells.fail("deductible_met", "cannot be more than the deductible")
            if values.get("relationship", "18") not in ("18", None) and not (
                values.get("subscriber_last") and values.get("subscriber_first")
            ):
                cells.fail(
                    "subscriber_last_name",
                    "the subscriber's name is required when it is not the patient",
                )
            if active is False and end is None:
                cells.fail("end_date", "an inactive coverage needs the date it ended")
            elif active is False and end is not None and end >= today:
                cells.fail("active", "the coverage runs until its end date: it is still active")
            verified = None
            if cells.has("verified_on"):
                on = cells.read("verified_on", date_reader(today))
                if on is not None:
                    verified = (
                        on,
                        cells.read("verified_how", limited(12, "how it was verified")) or "",
                        cells.read("verification_result", limited(200, "the result")) or "",
                    )
            ended = active is False or (end is not None and end < today)
            first_seen.setdefault(number, len(first_seen))
            units.append(
                CoverageRow(
                    line=row.line,
                    bad=cells.bad,
                    order=(first_seen[number], not ended, priority or 0,
                           start or dt.date.min, row.line),
                    account_number=number,
                    priority=priority or 1,
                    values=values,
                    ended=ended,
                    verified=verified,
                )
            )  # fmt: skip
        # An account's coverages go on file ended ones first, then the active ones by
        # priority: each active one then takes its place as the Store numbers them.
        self.units = sorted(units, key=lambda u: u.order)
        return self.units

    def apply(self, unit: CoverageRow) -> None:
        context = self.context
        accounts = context.accounts
        values = unit.values
        patient_id = self.patients.get(unit.account_number)
        if patient_id is None:
            raise Problem(unit.line, "account_number", f"no account {unit.account_number}")
        key = (patient_id, values["payer_id"], values["member_id"], values["start_date"])
        existing = self.on_file.get(key)
        reason = f"imported from {Path(context.file_name).name}: ended {values['end_date']}"
        if existing is not None:
            details = accounts.coverage_details(existing)
            changes = {k: v for k, v in values.items() if getattr(details, k) != v}
            if changes:
                accounts.update_coverage(existing, changes)
            if unit.ended and details.active:
                accounts.end_coverage(existing, values["end_date"], reason)
                changes["active"] = False
            changed = self._verification(existing, patient_id, unit.verified, details) or bool(
                changes
            )
            context.counts["updated" if changed else "unchanged"] += 1
            return
        active = (
            Coverage.select()
            .where((Coverage.patient == patient_id) & (Coverage.active == True))  # noqa: E712
            .count()
        )
        at = active + 1 if unit.ended else min(unit.priority, active + 1)
        coverage_id = accounts.new_coverage(patient_id, values, at)
        if unit.ended:
            accounts.end_coverage(coverage_id, values["end_date"], reason)
            # Put on file last and ended at once, it held no place among the active ones;
            # the priority it had (primary, secondary) is kept for the record.
            Coverage.update(priority=unit.priority).where(Coverage.id == coverage_id).execute()
        self.on_file[key] = coverage_id
        self._verification(coverage_id, patient_id, unit.verified)
        context.counts["ended" if unit.ended else "added"] += 1

    def start(self) -> None:
        """The file's accounts and the coverages they hold, in a few queries."""
        numbers = sorted({u.account_number for u in self.units if u.account_number})
        self.patients: dict[str, int] = {}
        for part in chunked(numbers):
            self.patients.update(
                Patient.select(Patient.account_number, Patient.id)
                .where(among(Patient.account_number, part))
                .tuples()
            )
        self.on_file: dict[tuple, int] = {}  # (patient, payer, member ID, start) -> coverage
        c = Coverage
        for part in chunked(sorted(set(self.patients.values()))):
            for coverage_id, *key in (
                c.select(c.id, c.patient, c.payer, c.member_id, c.start_date)
                .where(among(c.patient, part))
                .order_by(c.id)
                .tuples()
            ):
                self.on_file.setdefault(tuple(key), coverage_id)

    def _verification(self, coverage_id: int, patient_id: int, verified, details=None) -> bool:
        """Keep the verification the file records (when, how, what was found): written with
        the others in finish()."""
        if verified is None:
            return False
        on, how, result = verified
        if details is not None:
            row = Coverage.get_by_id(coverage_id)
            if row.verified_at is not None and row.verified_at.date() == on and (
                row.verified_how, row.verification_result) == (how, result):  # fmt: skip
                return False
        self.verified.append((coverage_id, patient_id, on, how, result))
        return True

    def finish(self) -> None:
        session = self.context.session
        user = session.user_id()
        update_rows(
            Coverage, ("verified_at", "verified_by", "verified_how", "verification_result"),
            [(dt.datetime.combine(on, dt.time(12)), user, how, result, coverage_id)
             for coverage_id, _, on, how, result in self.verified],
        )  # fmt: skip
        name = Path(self.context.file_name).name
        session.audit_many(
            [("verify", "coverage", coverage_id, patient_id, None,
              {"how": how, "result": result, "on": on, "imported": name})
             for coverage_id, patient_id, on, how, result in self.verified]
        )  # fmt: skip
        # The primary's verification is in the queue's cache.
        refresh_accounts(patient_id for _, patient_id, *_ in self.verified)


def _priority(text: str) -> int:
    if text not in ("1", "2", "3"):
        raise FieldError("1 (primary), 2 (secondary) or 3 (tertiary)")
    return int(text)
