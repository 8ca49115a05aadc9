"""import-csv charges: claims from CSV, one row per service line, with their history when the
file carries it (a migration) or as draft claims when it does not (another system's charges).

Rows with the same claim_number are one claim; rows without one are grouped by visit
(account, date of service, provider, coverage and the other claim-level columns). A
claim's diagnoses are every code its rows list, in order of appearance; a row's
pointers name positions in its own list (blank: all of its codes, at most 4).

The history columns put a claim where it stood: its status is set directly (the
transition rules are for work done here, not for history) with a status change saying
it was imported; its charges are posted when domain.claims.charges_on_ledger says the
claim carries them; and each line's amounts (paid, adjusted, moved to the patient,
refunded) are posted as one ledger entry each on that line, dated the day of the import,
with a memo that names the file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from peewee import fn

from ..domain import icd10, validate
from ..domain.claims import ClaimStatus, charges_on_ledger, claim_number
from ..domain.codes import FREQUENCIES, is_modifier, is_procedure_code, place_of_service_name
from ..domain.ledger import EntryKind, LedgerError, charge_deltas, check_deltas
from ..domain.npi import is_valid_npi
from ..domain.validate import FieldError
from .bulk import among, insert_rows, insert_rows_with_ids, update_rows
from .cache import chunked, refresh_accounts, refresh_claims
from .claims import CLAIM_FIELDS, LINE_FIELDS, MAX_DIAGNOSES, MAX_LINES, line_row
from .csv_formats import HISTORY_AMOUNT_COLUMNS, SELF_PAY, CsvRefused, Row, RowError
from .csv_import import (
    Cells,
    Job,
    Problem,
    account_number,
    amount_reader,
    date_reader,
    limited,
)
from .day_close import refuse_if_closed
from .models import (
    BillingProvider,
    Claim,
    ClaimDiagnosis,
    ClaimStatusChange,
    Coverage,
    FeeSchedule,
    LedgerEntry,
    Patient,
    Payer,
    Provider,
    ReferringProvider,
    ServiceLine,
    utcnow,
)
from .records import LineDraft

CLAIM_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,19}$", re.ASCII)
_LIST = re.compile(r"[\s,;]+")

# column -> (entry kind, insurance sign, patient sign): an amount paid or written off
# lowers a balance; moved to the patient lowers the insurance balance and raises the
# patient's; a refund raises the balance it was paid from.
HISTORY = {
    "insurance_paid": (EntryKind.PAYMENT, -1, 0),
    "patient_paid": (EntryKind.PAYMENT, 0, -1),
    "insurance_adjusted": (EntryKind.ADJUSTMENT, -1, 0),
    "patient_adjusted": (EntryKind.ADJUSTMENT, 0, -1),
    "moved_to_patient": (EntryKind.TRANSFER, -1, 1),
    "insurance_refunded": (EntryKind.REFUND, 1, 0),
    "patient_refunded": (EntryKind.REFUND, 0, 1),
}
ENTRY_FIELDS = (
    "patient", "claim", "service_line", "kind", "insurance_delta", "patient_delta",
    "effective_date", "user", "group_code", "memo", "posted_at",
)  # fmt: skip
# Amounts that may be negative: a payer's negative adjustment (OA-94, paid beyond the
# charge) and money moved back from the patient to insurance.
SIGNED = frozenset({"insurance_adjusted", "moved_to_patient"})
CLAIM_LEVEL = (
    "account_number", "payer_code", "member_id", "rendering_npi", "supervising_npi",
    "referring_npi", "place_of_service", "prior_authorization", "status", "frequency",
    "original_claim_number", "payer_claim_number", "primary_claim_number",
)  # fmt: skip


@dataclass
class LineRow:
    line: int
    claim: dict  # the claim-level columns' values (CLAIM_LEVEL), read
    claim_number: str
    diagnoses: tuple[str, ...] | None  # the row's own codes, without dots (None: unreadable)
    line_number: int | None
    dos_from: dt.date
    dos_to: dt.date | None
    code: str
    modifiers: tuple[str, ...]
    pointers: tuple[int, ...] | None  # into the row's codes; None: all of them (up to 4)
    units: int
    charge: int
    ndc: str | None
    amounts: dict[str, int]
    claim_pointers: tuple[int, ...] = ()  # the same, into the claim's diagnoses


class _Coverage(NamedTuple):
    id: int
    payer_id: int
    member_id: str
    priority: int
    active: bool
    start_date: dt.date
    end_date: dt.date | None


@dataclass
class ClaimUnit:
    line: int  # the claim's first row
    rows: list[LineRow]
    bad: bool = False
    diagnoses: list[str] = field(default_factory=list)


class ChargeImport(Job):
    def parse(self, rows: list[Row]) -> list[ClaimUnit]:
        self._reference()
        today = self.context.today
        claims: dict[object, ClaimUnit] = {}
        bad: set[int] = set()  # lines of rows with a problem
        for row in rows:
            cells = Cells(row, self.errors)
            parsed = self._line(cells, today)
            if cells.bad:
                bad.add(row.line)
            number = parsed.claim_number
            key = number.upper() if number else ("visit", parsed.dos_from, *parsed.claim.values())
            unit = claims.get(key)
            if unit is None:
                claims[key] = ClaimUnit(row.line, [parsed])
                continue
            first = unit.rows[0]
            for column in CLAIM_LEVEL:
                if parsed.claim[column] != first.claim[column]:
                    self.errors.append(RowError(
                        row.line, column, f"differs from line {first.line}, the claim's first row"
                    ))  # fmt: skip
                    bad.add(row.line)
            unit.rows.append(parsed)
        self.numbers = {k for k in claims if isinstance(k, str)}  # never generated for another
        units = self.units = list(claims.values())
        for unit in units:
            self._whole_claim(unit)
            unit.bad = unit.bad or any(r.line in bad for r in unit.rows)
        return units

    def _reference(self) -> None:
        self.billing_provider = (
            BillingProvider.select(BillingProvider.id).order_by(BillingProvider.id).scalar()
        )
        if self.billing_provider is None:
            raise CsvRefused(
                f"{self.context.file_name}: the practice has no billing provider set up "
                "(its name, NPI and tax ID go on every claim): nothing was imported"
            )
        self.payers = {p.payer_code.upper(): p for p in Payer.select()}
        self.providers = dict(Provider.select(Provider.npi, Provider.id).tuples())
        self.referring = dict(ReferringProvider.select(ReferringProvider.npi,
                                                       ReferringProvider.id).tuples())  # fmt: skip
        self.fee_codes = {code for (code,) in FeeSchedule.select(FeeSchedule.code).tuples()}

    def _line(self, cells: Cells, today: dt.date) -> LineRow:
        payer_code = cells.text("payer_code").upper()
        payer = self.payers.get(payer_code)
        if payer_code and payer_code != SELF_PAY and payer is None:
            cells.fail("payer_code", f"no payer with the code {cells.text('payer_code')[:20]}")
        member = ""
        if cells.text("member_id"):
            if payer is None:
                cells.fail("member_id", "a member ID needs the payer_code of its coverage")
            else:
                member = cells.read("member_id", lambda t: validate.member_id(t, payer.kind))
        claim = {
            "account_number": cells.read("account_number", account_number),
            "payer_code": payer_code,
            "member_id": member,
            "rendering_npi": cells.read("rendering_npi", self._npi(self.providers, True)),
            "supervising_npi": cells.read("supervising_npi", self._npi(self.providers)),
            "referring_npi": cells.read("referring_npi", self._npi(self.referring)),
            "place_of_service": cells.read("place_of_service", _place_of_service),
            "prior_authorization": cells.read(
                "prior_authorization", limited(50, "a prior authorization")
            ),
            "status": cells.read("status", _status),
            "frequency": cells.read("frequency", _frequency),
            "original_claim_number": cells.read(
                "original_claim_number", limited(50, "the original claim number")
            ),
            "payer_claim_number": cells.read(
                "payer_claim_number", limited(50, "the payer claim number")
            ),
            "primary_claim_number": cells.read("primary_claim_number", _claim_number),
        }
        dos_from = cells.read("date_of_service", date_reader(today, required=True))
        dos_to = cells.read("date_of_service_to", date_reader(today))
        if dos_from and dos_to and dos_to < dos_from:
            cells.fail("date_of_service_to", "is before the date of service")
        amounts = {}
        for column in HISTORY_AMOUNT_COLUMNS:
            if cells.has(column.name):
                amounts[column.name] = cells.read(
                    column.name, amount_reader(negative=column.name in SIGNED)
                )
        return LineRow(
            line=cells.line,
            claim=claim,
            claim_number=cells.read("claim_number", _claim_number) or "",
            diagnoses=cells.read("diagnoses", _diagnoses),  # None: unreadable
            line_number=cells.read("line_number", _line_number),
            dos_from=dos_from,
            dos_to=dos_to,
            code=cells.read("procedure_code", self._procedure),
            modifiers=cells.read("modifiers", _modifiers) or (),
            pointers=cells.read("pointers", _pointers),
            units=cells.read("units", _units),
            charge=cells.read("charge", amount_reader(required=True)),
            ndc=cells.read("ndc", _ndc),
            amounts=amounts,
        )

    def _npi(self, known: dict[str, int], required: bool = False):
        def read(text: str) -> int | None:
            if not text:
                if required:
                    raise FieldError("the rendering provider's NPI is required")
                return None
            if not is_valid_npi(text):
                raise FieldError("not an NPI: 10 digits with a valid check digit")
            if text not in known:
                raise FieldError(f"no provider with NPI {text} is set up")
            return known[text]

        return read

    def _procedure(self, text: str) -> str:
        code = text.upper()
        if not code:
            raise FieldError("the procedure code is required")
        if not is_procedure_code(code):
            raise FieldError("not a CPT or HCPCS code (5 digits, or a letter and 4 digits)")
        if code not in self.fee_codes:
            raise FieldError(f"{code} is not in the fee schedule")
        return code

    def _whole_claim(self, unit: ClaimUnit) -> None:
        """What needs all of a claim's rows: line order, the diagnoses and pointers."""
        rows = unit.rows
        numbered = [r.line_number is not None for r in rows]
        if any(numbered) and not all(numbered):
            self._fail(unit, rows[numbered.index(False) if numbered[0] else 0], "line_number",
                       "number every line of the claim, or none")  # fmt: skip
        elif all(numbered):
            seen: dict[int, int] = {}
            for r in rows:
                if r.line_number in seen:
                    self._fail(unit, r, "line_number", f"line {seen[r.line_number]} of the "
                               f"file has the same line number")  # fmt: skip
                seen.setdefault(r.line_number, r.line)
            rows.sort(key=lambda r: r.line_number)
        if len(rows) > MAX_LINES:
            self._fail(unit, rows[MAX_LINES], "claim_number",
                       f"a claim has at most {MAX_LINES} service lines")  # fmt: skip
        if any(r.diagnoses is None for r in rows):
            return  # a code was refused: its pointers and the claim's list cannot be judged
        merged: list[str] = []
        for r in rows:
            for code in r.diagnoses:
                if code not in merged:
                    merged.append(code)
                    if len(merged) == MAX_DIAGNOSES + 1:
                        self._fail(
                            unit,
                            r,
                            "diagnoses",
                            f"the claim would have more than {MAX_DIAGNOSES} diagnoses",
                        )
        if not merged:
            self._fail(unit, rows[0], "diagnoses", "the claim needs at least one diagnosis")
            return
        unit.diagnoses = merged
        for r in rows:
            own = r.diagnoses or tuple(merged)
            pointers = r.pointers or tuple(range(1, min(len(own), 4) + 1))
            beyond = [p for p in pointers if p > len(own)]
            if beyond:
                self._fail(unit, r, "pointers", f"pointer {beyond[0]} is beyond the row's "
                           f"{len(own)} diagnos{'is' if len(own) == 1 else 'es'}")  # fmt: skip
                continue
            r.claim_pointers = tuple(merged.index(own[p - 1]) + 1 for p in pointers)

    def _fail(self, unit: ClaimUnit, row: LineRow, column: str, message: str) -> None:
        self.errors.append(RowError(row.line, column, message))
        unit.bad = True

    def where(self, unit: ClaimUnit) -> tuple[int, str]:
        return unit.line, "claim"

    # ------------------------------------------------------------------ writing

    savepoints = False  # apply() only reads; finish() writes every claim at once

    def apply(self, unit: ClaimUnit) -> None:
        """Resolve one claim against the books (its account, coverage, number, primary) or
        refuse it with its line; finish() writes the claims that resolved."""
        context = self.context
        first = unit.rows[0]
        head = first.claim
        account = head["account_number"]
        patient_id = self.accounts.get(account)
        if patient_id is None:
            raise Problem(first.line, "account_number", f"no account {account}")
        dos = min(r.dos_from for r in unit.rows)
        coverage_id, payer_id = self._coverage(patient_id, head, dos, first.line)
        number = first.claim_number
        if number:
            if number in self.taken:
                raise Problem(first.line, "claim_number", f"claim {number} is already on file")
        else:
            number = self._next_number(patient_id, account)
        primary = head["primary_claim_number"]
        if primary and self.owners.get(primary) != patient_id:
            raise Problem(
                first.line, "primary_claim_number",
                f"no claim {primary} on account {account} (a primary claim comes before "
                "its secondary)",
            )  # fmt: skip
        history = [self._history(r, patient_id, context.today) for r in unit.rows]
        self.pending.append((unit, patient_id, coverage_id, payer_id, number, history))
        self.owners[number] = patient_id
        counts = context.counts
        counts["claims"] += 1
        counts["lines"] += len(unit.rows)
        counts["entries brought forward"] += sum(len(h) for h in history)

    def _history(self, row: LineRow, patient_id: int, today: dt.date) -> list[tuple]:
        """The row's amounts as ledger entries (kind, insurance, patient, group), checked."""
        entries = []
        for column, amount in row.amounts.items():
            if not amount:
                continue
            kind, ins, pat = HISTORY[column]
            # A payer's own negative write-off is the one adjustment that raises a balance.
            group = "OA" if kind is EntryKind.ADJUSTMENT and ins * amount > 0 else ""
            try:
                check_deltas(kind, ins * amount, pat * amount, group)
            except LedgerError as error:
                raise Problem(row.line, column, str(error)) from None
            entries.append((column, kind.value, ins * amount, pat * amount, group))
        return entries

    def start(self) -> None:
        """What the claims need from the books, in a few queries for the whole file: the
        accounts, their coverages and claim counts, the claim numbers already taken."""
        self.pending: list[tuple] = []
        units_accounts = sorted({r.claim["account_number"] for r in self._all_rows()
                                 if r.claim["account_number"]})  # fmt: skip
        self.accounts: dict[str, int] = {}
        for part in chunked(units_accounts):
            self.accounts.update(
                Patient.select(Patient.account_number, Patient.id)
                .where(among(Patient.account_number, part))
                .tuples()
            )
        patient_ids = sorted(set(self.accounts.values()))
        self.coverages: dict[int, list[_Coverage]] = {pid: [] for pid in patient_ids}
        self.sequences: dict[int, int] = {}
        c = Coverage
        for part in chunked(patient_ids):
            for row in (
                c.select(c.patient, c.id, c.payer, c.member_id, c.priority, c.active,
                         c.start_date, c.end_date)
                .where(among(c.patient, part))
                .order_by(c.id)
                .tuples()
            ):  # fmt: skip
                self.coverages[row[0]].append(_Coverage(*row[1:]))
            self.sequences.update(
                Claim.select(Claim.patient, fn.COUNT(Claim.id))
                .where(among(Claim.patient, part))
                .group_by(Claim.patient)
                .tuples()
            )
        named = sorted({r.claim_number for r in self._all_rows() if r.claim_number}
                       | {r.claim["primary_claim_number"] for r in self._all_rows()
                          if r.claim["primary_claim_number"]})  # fmt: skip
        self.taken: set[str] = set()
        self.owners: dict[str, int] = {}  # claim number -> its patient: on file, or earlier
        self.claim_ids: dict[str, int] = {}
        for part in chunked(named):
            for number, claim_id, patient_id in (
                Claim.select(Claim.claim_number, Claim.id, Claim.patient)
                .where(among(Claim.claim_number, part))
                .tuples()
            ):
                self.taken.add(number)
                self.owners[number] = patient_id
                self.claim_ids[number] = claim_id

    def _all_rows(self):
        return (r for unit in self.units for r in unit.rows)

    def finish(self) -> None:
        """Write every resolved claim in a few statements: the claims, their diagnoses and
        lines, their status (a status change saying each was imported), the charges of the
        claims that carry them, each line's history, one audit row per claim; then the
        claims' and accounts' cached totals."""
        pending = self.pending
        if not pending:
            return
        context = self.context
        session = context.session
        user = session.user_id()
        now = utcnow()
        today = context.today
        file_name = Path(context.file_name).name
        claim_rows = []
        for unit, patient_id, coverage_id, payer_id, number, _ in pending:
            head = unit.rows[0].claim
            claim_rows.append((
                number, patient_id, coverage_id, payer_id, self.billing_provider,
                head["rendering_npi"], head["supervising_npi"], head["referring_npi"],
                head["place_of_service"], head["frequency"],
                head["original_claim_number"] or None, head["payer_claim_number"] or None,
                head["prior_authorization"] or None, head["status"].value,
                min(r.dos_from for r in unit.rows),
                max(r.dos_to or r.dos_from for r in unit.rows),
                sum(r.charge for r in unit.rows), now, user,
            ))  # fmt: skip
        claim_ids = insert_rows_with_ids(Claim, CLAIM_FIELDS, claim_rows)
        for (*_, number, _), claim_id in zip(pending, claim_ids, strict=True):
            self.claim_ids[number] = claim_id
        update_rows(
            Claim, ("primary_claim",),
            [(self.claim_ids[unit.rows[0].claim["primary_claim_number"]], claim_id)
             for (unit, *_), claim_id in zip(pending, claim_ids, strict=True)
             if unit.rows[0].claim["primary_claim_number"]],
        )  # fmt: skip
        diagnoses, lines = [], []
        for (unit, *_, number, _), claim_id in zip(pending, claim_ids, strict=True):
            diagnoses.extend((claim_id, n, code) for n, code in enumerate(unit.diagnoses, 1))
            lines.extend(
                line_row(claim_id, number, n, LineDraft(
                    dos_from=r.dos_from, code=r.code, charge=r.charge, units=r.units,
                    dos_to=r.dos_to, modifiers=r.modifiers, pointers=r.claim_pointers, ndc=r.ndc,
                ))
                for n, r in enumerate(unit.rows, 1)
            )  # fmt: skip
        insert_rows(ClaimDiagnosis, ("claim", "position", "code"), diagnoses)
        line_ids = iter(insert_rows_with_ids(ServiceLine, LINE_FIELDS, lines))
        changes, entries, audits = [], [], []
        for (unit, patient_id, coverage_id, _, number, history), claim_id in zip(
            pending, claim_ids, strict=True
        ):
            head = unit.rows[0].claim
            status = head["status"]
            changes.append((claim_id, None, status.value, now, user,
                            f"imported from {file_name} line {unit.line}"[:200]))  # fmt: skip
            carries = charges_on_ledger(status, head["frequency"],
                                        bool(head["primary_claim_number"]))  # fmt: skip
            brought = []
            for r, line_entries in zip(unit.rows, history, strict=True):
                line_id = next(line_ids)
                if carries and r.charge:
                    # As Claims._post_charges bills them: dated the day of service.
                    deltas = charge_deltas(r.charge, coverage_id is not None)
                    entries.append((patient_id, claim_id, line_id, EntryKind.CHARGE.value,
                                    deltas.insurance, deltas.patient, r.dos_from, user, "",
                                    r.code, now))  # fmt: skip
                for column, kind, ins, pat, group in line_entries:
                    entries.append((patient_id, claim_id, line_id, kind, ins, pat, today, user,
                                    group, context.memo, now))  # fmt: skip
                    brought.append(f"line {r.line} {column} {abs(ins or pat) / 100:.2f}")
            audits.append(("import", "claim", claim_id, patient_id, None, {
                "claim_number": number, "status": status.value, "file": file_name,
                "charge": sum(r.charge for r in unit.rows), **({"brought": brought} if brought
                                                               else {}),
            }))  # fmt: skip
        if context.counts["entries brought forward"]:
            refuse_if_closed(today, "posting what the file brings forward")
        insert_rows(
            ClaimStatusChange, ("claim", "from_status", "to_status", "at", "user", "reason"),
            changes,
        )  # fmt: skip
        insert_rows(LedgerEntry, ENTRY_FIELDS, entries)
        session.audit_many(audits)
        refresh_claims(claim_ids)
        refresh_accounts(p[1] for p in pending)

    def _coverage(
        self, patient_id: int, head: dict, dos: dt.date, line: int
    ) -> tuple[int | None, int | None]:
        """(coverage, payer) of the claim: the account's coverage that payer_code and member_id
        name (the one in force on the date of service first); blank payer_code: the primary
        in force that day, else self-pay; SELF: self-pay."""
        code = head["payer_code"]
        if code == SELF_PAY:
            return None, None
        candidates = self._coverages_of(patient_id)
        if code:
            payer_id = self.payers[code].id
            candidates = [c for c in candidates if c.payer_id == payer_id]
            if head["member_id"]:
                candidates = [c for c in candidates if c.member_id == head["member_id"]]

        def in_force(c: _Coverage) -> bool:
            return c.start_date <= dos and (c.end_date is None or c.end_date >= dos)

        if not code:
            candidates = [c for c in candidates if c.priority == 1 and in_force(c)]
            if not candidates:
                return None, None
        if not candidates:
            account = head["account_number"]
            if head["member_id"]:
                raise Problem(line, "member_id", f"account {account} has no {code} coverage "
                              "with that member ID")  # fmt: skip
            raise Problem(line, "payer_code", f"account {account} has no coverage with {code}")
        best = min(
            candidates,
            key=lambda c: (not in_force(c), not c.active, c.priority, -c.start_date.toordinal(),
                           -c.id),
        )  # fmt: skip
        return best.id, best.payer_id

    def _coverages_of(self, patient_id: int) -> list[_Coverage]:
        return self.coverages.get(patient_id, [])

    def _next_number(self, patient_id: int, account: str) -> str:
        """account-sequence after the account's claims, skipping any number taken on file or
        named anywhere in this file."""
        sequence = self.sequences.get(patient_id, 0)
        while True:
            sequence += 1
            number = claim_number(account, sequence)
            if number.upper() in self.numbers or number in self.owners:
                continue
            if not Claim.select().where(Claim.claim_number == number).exists():
                self.sequences[patient_id] = sequence
                return number


# --------------------------------------------------------------------------- cells


def _claim_number(text: str) -> str:
    if text and not CLAIM_NUMBER.match(text):
        raise FieldError("a claim number is letters, digits and dashes, at most 20")
    return text


def _place_of_service(text: str) -> str:
    code = text.zfill(2) if text else "11"
    if place_of_service_name(code) is None:
        raise FieldError(f"{text[:4]} is not a CMS place of service code (11 is the office)")
    return code


def _status(text: str) -> ClaimStatus:
    word = text.lower()
    if not word:
        return ClaimStatus.DRAFT
    if word == ClaimStatus.PARTIAL.label:
        return ClaimStatus.PARTIAL
    try:
        return ClaimStatus(word)
    except ValueError:
        raise FieldError(f"one of {', '.join(s.value for s in ClaimStatus)}") from None


def _frequency(text: str) -> str:
    code = text or "1"
    if code not in FREQUENCIES:
        raise FieldError("1 (original), 7 (replacement) or 8 (void)")
    return code


def _diagnoses(text: str) -> tuple[str, ...]:
    codes: list[str] = []
    for typed in _LIST.split(text):
        if not typed:
            continue
        code = icd10.normalize(typed)
        if not icd10.is_billable(code):
            if icd10.exists(code):
                raise FieldError(f"{icd10.display(code)} is not billable: use a more specific code")
            raise FieldError(f"{typed[:10]} is not an ICD-10-CM code")
        if code in codes:
            raise FieldError(f"{icd10.display(code)} is listed twice")
        codes.append(code)
    if len(codes) > MAX_DIAGNOSES:
        raise FieldError(f"at most {MAX_DIAGNOSES} diagnoses")
    return tuple(codes)


def _line_number(text: str) -> int | None:
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_LINES:
        raise FieldError(f"a whole number from 1 to {MAX_LINES}")
    return int(text)


def _modifiers(text: str) -> tuple[str, ...]:
    modifiers = tuple(m.upper() for m in re.split(r"[\s,;:]+", text) if m)
    for modifier in modifiers:
        if not is_modifier(modifier):
            raise FieldError(f"{modifier[:4]} is not a modifier (two letters or digits)")
    if len(modifiers) > 4:
        raise FieldError("at most 4 modifiers a line")
    return modifiers


def _pointers(text: str) -> tuple[int, ...] | None:
    if not text:
        return None
    pointers = []
    for part in _LIST.split(text):
        if not part:
            continue
        if not part.isascii() or not part.isdigit() or not 1 <= int(part) <= MAX_DIAGNOSES:
            raise FieldError(f"pointers are numbers from 1 to {MAX_DIAGNOSES}: 1 2 3")
        if int(part) in pointers:
            raise FieldError(f"pointer {part} is listed twice")
        pointers.append(int(part))
    if len(pointers) > 4:
        raise FieldError("at most 4 pointers a line")
    return tuple(pointers)


def _units(text: str) -> int:
    if not text:
        return 1
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 9999:
        raise FieldError("a whole number from 1 to 9999")
    return int(text)


def _ndc(text: str) -> str | None:
    digits = text.replace("-", "")
    if not digits:
        return None
    if not digits.isascii() or not digits.isdigit() or len(digits) != 11:
        raise FieldError("an NDC is 11 digits (with or without dashes)")
    return digits
