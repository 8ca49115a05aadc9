"""export-csv: the ledger for accountants, and patients, coverages and claims in the formats
import-csv reads, so that moving a practice is an export and an import.

Rows are streamed from the database (a server-side cursor on PostgreSQL) and written to
a file beside the target that is renamed over it once complete: a million accounts
never sit in memory, and a reader never sees half a file. The files hold patient data:
like every document billing-tui writes, they are readable by their owner only.
"""

from __future__ import annotations

import csv
import datetime as dt
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

from peewee import JOIN, PostgresqlDatabase

from ..domain import icd10
from ..domain.ledger import EntryKind
from ..domain.money import format_cents
from ..domain.validate import format_percent
from .csv_formats import SELF_PAY, header_of
from .db import database
from .models import (
    Claim,
    ClaimDiagnosis,
    Coverage,
    Guarantor,
    LedgerEntry,
    Patient,
    Payer,
    Provider,
    ReferringProvider,
    ServiceLine,
    User,
)
from .reports import sum_when

FETCH = 5_000  # rows per round trip of a PostgreSQL server-side cursor


def export(kind: str, path: Path) -> int:
    """Write one export to path; returns the number of rows (the header not counted)."""
    rows = {"ledger": _ledger, "claims": _claims, "patients": _patients,
            "coverages": _coverages}[kind]  # fmt: skip
    with database.atomic():  # one snapshot of the books on SQLite
        return write_atomically(path, header_of(kind), rows())


def write_atomically(path: Path, header: list[str], rows: Iterable[list]) -> int:
    """Stream rows into a file beside path and rename it over path (see pdf.output)."""
    from ..pdf.output import atomic_file

    count = 0
    with atomic_file(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def stream(query) -> Iterator[tuple]:
    """A select's rows as the driver hands them over, fetched as they are read."""
    db = database.obj
    sql, params = query.sql()
    if isinstance(db, PostgresqlDatabase):
        # peewee runs psycopg2 in autocommit: a named cursor must then be WITH HOLD.
        cursor = db.connection().cursor(name=f"csv_{uuid.uuid4().hex}", withhold=True)
        cursor.itersize = FETCH
        cursor.execute(sql, params)
    else:
        cursor = db.execute_sql(sql, params)
    try:
        yield from cursor
    finally:
        cursor.close()


# --------------------------------------------------------------------------- values


def _day(value) -> str:
    """SQLite hands back dates as ISO text, PostgreSQL as dates."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value)[:10]


def _stamp(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)[:19]


def _money(cents) -> str:
    return format_cents(int(cents), grouping=False)


def _amount(cents) -> str:
    """An optional amount: blank for none."""
    return _money(cents) if cents else ""


def _text(value) -> str:
    return "" if value is None else str(value)


# --------------------------------------------------------------------------- ledger


def _ledger() -> Iterator[list]:
    query = (
        LedgerEntry.select(
            LedgerEntry.id, LedgerEntry.posted_at, LedgerEntry.effective_date,
            Patient.account_number, Claim.claim_number, ServiceLine.line_number,
            LedgerEntry.kind, LedgerEntry.insurance_delta, LedgerEntry.patient_delta,
            LedgerEntry.group_code, LedgerEntry.reason_code, LedgerEntry.remark_codes,
            LedgerEntry.category, LedgerEntry.memo, LedgerEntry.payment, LedgerEntry.batch,
            LedgerEntry.reverses, User.username,
        )
        .join(Patient, on=(Patient.id == LedgerEntry.patient))
        .switch(LedgerEntry)
        .join(Claim, JOIN.LEFT_OUTER, on=(Claim.id == LedgerEntry.claim))
        .switch(LedgerEntry)
        .join(ServiceLine, JOIN.LEFT_OUTER, on=(ServiceLine.id == LedgerEntry.service_line))
        .switch(LedgerEntry)
        .join(User, JOIN.LEFT_OUTER, on=(User.id == LedgerEntry.user))
        .order_by(LedgerEntry.id)
    )  # fmt: skip
    for (entry_id, posted_at, effective, account, claim, line, kind, insurance, patient, group,
         reason, remarks, category, memo, payment, batch, reverses, user) in stream(query):  # fmt: skip
        yield [
            entry_id, _stamp(posted_at), _day(effective), account, _text(claim),
            # A retired line (a draft edited after postings) is numbered -id: no line now.
            line if line is not None and line > 0 else "", kind, _money(insurance),
            _money(patient), group, reason, remarks, category, memo, _text(payment),
            _text(batch), _text(reverses), _text(user),
        ]  # fmt: skip


# --------------------------------------------------------------------------- patients


def _patients() -> Iterator[list]:
    le = LedgerEntry
    off_visit = (
        le.select(
            le.patient.alias("pid"),
            sum_when(EntryKind.PAYMENT, le.insurance_delta + le.patient_delta).alias("paid"),
            sum_when(EntryKind.ADJUSTMENT, le.insurance_delta + le.patient_delta).alias("adj"),
            sum_when(EntryKind.REFUND, le.insurance_delta + le.patient_delta).alias("ref"),
            sum_when(EntryKind.LATE_FEE, le.insurance_delta + le.patient_delta).alias("fee"),
        )
        .where(le.claim.is_null())
        .group_by(le.patient)
        .alias("off_visit")
    )
    g = Guarantor
    query = (
        Patient.select(
            Patient.account_number, Patient.mrn, Patient.last_name, Patient.first_name,
            Patient.middle_name, Patient.dob, Patient.sex, Patient.address1, Patient.address2,
            Patient.city, Patient.state, Patient.zip, Patient.phone, Patient.email,
            Patient.contact_preference, g.last_name, g.first_name, g.relationship, g.dob,
            g.address1, g.address2, g.city, g.state, g.zip, g.phone, g.email,
            off_visit.c.paid, off_visit.c.adj, off_visit.c.ref, off_visit.c.fee,
        )
        .join(g, JOIN.LEFT_OUTER, on=(g.id == Patient.guarantor))
        .switch(Patient)
        .join(off_visit, JOIN.LEFT_OUTER, on=(off_visit.c.pid == Patient.id))
        .order_by(Patient.id)
    )  # fmt: skip
    for row in stream(query):
        (number, mrn, last, first, middle, dob, sex, address1, address2, city, state, zip_code,
         phone, email, preference, *guarantor, paid, adjusted, refunded, fees) = row  # fmt: skip
        yield [
            number, _text(mrn), last, first, middle, _day(dob), sex, address1, address2, city,
            state, zip_code, phone, email, preference,
            *(_day(v) if i == 3 else _text(v) for i, v in enumerate(guarantor)),
            _amount(-(paid or 0)), _amount(-(adjusted or 0)), _amount(refunded or 0),
            _amount(fees or 0),
        ]  # fmt: skip


# --------------------------------------------------------------------------- coverages


def _coverages() -> Iterator[list]:
    c = Coverage
    query = (
        c.select(
            Patient.account_number, c.priority, Payer.payer_code, c.member_id, c.group_number,
            c.relationship, c.subscriber_last, c.subscriber_first, c.subscriber_dob,
            c.subscriber_sex, c.subscriber_address1, c.subscriber_city, c.subscriber_state,
            c.subscriber_zip, c.start_date, c.end_date, c.copay_cents, c.deductible_cents,
            c.deductible_met_cents, c.coinsurance_bp, c.oop_max_cents, c.active, c.verified_at,
            c.verified_how, c.verification_result,
        )
        .join(Patient, on=(Patient.id == c.patient))
        .switch(c)
        .join(Payer, on=(Payer.id == c.payer))
        .order_by(c.patient, c.id)
    )  # fmt: skip
    for (number, priority, payer, member, group, relationship, sub_last, sub_first, sub_dob,
         sub_sex, sub_address, sub_city, sub_state, sub_zip, start, end, copay, deductible, met,
         coinsurance, oop_max, active, verified_at, how, result) in stream(query):  # fmt: skip
        yield [
            number, priority, payer, member, group, relationship, sub_last, sub_first,
            _day(sub_dob), sub_sex, sub_address, sub_city, sub_state, sub_zip, _day(start),
            _day(end), _money(copay), _money(deductible), _money(met),
            format_percent(coinsurance), _money(oop_max), "yes" if active else "no",
            _day(verified_at), how, result,
        ]  # fmt: skip


# --------------------------------------------------------------------------- claims


# (kind, side) of the ledger -> the charges format's column and the sign that makes the
# ledger's delta an amount (what was paid or written off reads positive).
HISTORY_OF = {
    (EntryKind.PAYMENT.value, "insurance"): ("insurance_paid", -1),
    (EntryKind.PAYMENT.value, "patient"): ("patient_paid", -1),
    (EntryKind.ADJUSTMENT.value, "insurance"): ("insurance_adjusted", -1),
    (EntryKind.ADJUSTMENT.value, "patient"): ("patient_adjusted", -1),
    (EntryKind.TRANSFER.value, "patient"): ("moved_to_patient", 1),  # its insurance side mirrors it
    (EntryKind.REFUND.value, "insurance"): ("insurance_refunded", 1),
    (EntryKind.REFUND.value, "patient"): ("patient_refunded", 1),
}
HISTORY_COLUMNS = ("insurance_paid", "patient_paid", "insurance_adjusted", "patient_adjusted",
                   "moved_to_patient", "insurance_refunded", "patient_refunded")  # fmt: skip


def _claims() -> Iterator[list]:
    """One row per live service line, claims in id order (a primary before its secondaries),
    with the claim's diagnoses and each line's history merged in from two more streams in
    the same order."""
    rendering = Provider.alias("rendering")
    supervising = Provider.alias("supervising")
    primary = Claim.alias("primary")
    covered = Payer.alias("covered")
    line = ServiceLine
    query = (
        Claim.select(
            Claim.id, Claim.claim_number, Patient.account_number, Claim.coverage,
            covered.payer_code, Coverage.member_id, rendering.npi, supervising.npi,
            ReferringProvider.npi, Claim.place_of_service, Claim.prior_authorization,
            Claim.status, Claim.frequency, Claim.original_claim_number, Claim.payer_claim_number,
            primary.claim_number, line.id, line.line_number, line.dos_from, line.dos_to,
            line.code, line.modifier1, line.modifier2, line.modifier3, line.modifier4,
            line.pointer1, line.pointer2, line.pointer3, line.pointer4, line.units,
            line.charge_cents, line.ndc,
        )
        .join(line, on=((line.claim == Claim.id) & (line.line_number > 0)))
        .switch(Claim)
        .join(Patient, on=(Patient.id == Claim.patient))
        .switch(Claim)
        .join(Coverage, JOIN.LEFT_OUTER, on=(Coverage.id == Claim.coverage))
        .join(covered, JOIN.LEFT_OUTER, on=(covered.id == Coverage.payer))
        .switch(Claim)
        .join(rendering, on=(rendering.id == Claim.rendering_provider))
        .switch(Claim)
        .join(supervising, JOIN.LEFT_OUTER, on=(supervising.id == Claim.supervising_provider))
        .switch(Claim)
        .join(ReferringProvider, JOIN.LEFT_OUTER,
              on=(ReferringProvider.id == Claim.referring_provider))
        .switch(Claim)
        .join(primary, JOIN.LEFT_OUTER, on=(primary.id == Claim.primary_claim))
        .order_by(Claim.id, line.line_number)
    )  # fmt: skip
    diagnoses = _by_claim(stream(
        ClaimDiagnosis.select(ClaimDiagnosis.claim, ClaimDiagnosis.code)
        .order_by(ClaimDiagnosis.claim, ClaimDiagnosis.position)
    ))  # fmt: skip
    history = _by_claim(stream(
        LedgerEntry.select(LedgerEntry.claim, LedgerEntry.service_line, LedgerEntry.kind,
                           LedgerEntry.insurance_delta, LedgerEntry.patient_delta)
        .where(LedgerEntry.claim.is_null(False)
               & (LedgerEntry.kind != EntryKind.CHARGE.value))
        .order_by(LedgerEntry.claim, LedgerEntry.id)
    ))  # fmt: skip
    claim_lines: list[tuple] = []
    for row in stream(query):
        if claim_lines and claim_lines[0][0] != row[0]:
            yield from _claim_rows(claim_lines, diagnoses, history)
            claim_lines = []
        claim_lines.append(row)
    if claim_lines:
        yield from _claim_rows(claim_lines, diagnoses, history)


class _by_claim:  # noqa: N801  (read like a function: rows of one claim at a time)
    """Rows (claim id, ...) in claim order; take(claim_id) gives that claim's, skipping
    the claims before it."""

    def __init__(self, rows: Iterator[tuple]) -> None:
        self._rows = rows
        self._next = next(rows, None)

    def take(self, claim_id: int) -> list[tuple]:
        taken = []
        while self._next is not None and self._next[0] <= claim_id:
            if self._next[0] == claim_id:
                taken.append(self._next[1:])
            self._next = next(self._rows, None)
        return taken


def _claim_rows(lines: list[tuple], diagnoses: _by_claim, history: _by_claim) -> Iterator[list]:
    claim_id = lines[0][0]
    codes = " ".join(icd10.display(code) for (code,) in diagnoses.take(claim_id))
    line_ids = [row[16] for row in lines]
    amounts: dict[int, dict[str, int]] = {line_id: {} for line_id in line_ids}
    for service_line, kind, insurance, patient in history.take(claim_id):
        # Entries on the claim but on no line (or on a retired one) go on its first line.
        on = amounts.get(service_line, amounts[line_ids[0]])
        for side, delta in (("insurance", insurance), ("patient", patient)):
            target = HISTORY_OF.get((kind, side))
            if target is not None and delta:
                column, sign = target
                on[column] = on.get(column, 0) + sign * int(delta)
    for (_, number, account, coverage, payer, member, rendering, supervising, referring, pos,
         prior_auth, status, frequency, original, payer_claim, primary, line_id, line_number,
         dos_from, dos_to, code, *modifiers_pointers, units, charge, ndc) in lines:  # fmt: skip
        modifiers = " ".join(m for m in modifiers_pointers[:4] if m)
        pointers = " ".join(str(p) for p in modifiers_pointers[4:] if p)
        line_amounts = amounts[line_id]
        yield [
            number, account, SELF_PAY if coverage is None else payer,
            "" if coverage is None else member, rendering, _text(supervising), _text(referring),
            pos, _text(prior_auth), codes, line_number, _day(dos_from),
            "" if dos_to == dos_from else _day(dos_to), code, modifiers, pointers, units,
            _money(charge), _text(ndc), status, frequency, _text(original), _text(payer_claim),
            _text(primary), *(_amount(line_amounts.get(c, 0)) for c in HISTORY_COLUMNS),
        ]  # fmt: skip
