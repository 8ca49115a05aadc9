"""Sending claims: choose them, scrub them, write the 837P file, record it, mark them submitted.

export_837() does it all in one write transaction. The file is written to a
temporary name beside --out while the transaction is open (so an unwritable
path rolls everything back) and renamed into place only after the
transaction commits: a file exists exactly when its claims are recorded as
submitted, and its control number (X12Interchange.id) is never reused.

A claim that the scrubber finds errors on, or that x12.x837.problems() says
cannot be written, is held back with its reasons; the others go. When a
replacement (7) or void request (8) goes, the claim it replaces becomes
corrected or voided in the same transaction: until then the original stands,
so abandoning a replacement draft leaves nothing to undo.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from peewee import JOIN, SqliteDatabase, fn

from ..domain.claims import ClaimStatus, ClaimStatusError, charges_on_ledger, check_transition
from ..x12 import x837
from .cache import chunked, refresh_accounts, refresh_claims
from .claim_reader import (
    billing_provider_record,
    payer_detail,
    provider_record,
    referring_record,
)
from .models import (
    BillingProvider,
    Claim,
    ClaimDiagnosis,
    ClaimStatusChange,
    ClaimSubmission,
    Coverage,
    Patient,
    Payer,
    Provider,
    ReferringProvider,
    ServiceLine,
    X12Interchange,
    utcnow,
)
from .records.account import PatientRecord
from .records.claims import Address, ClaimDetail, ClaimLine, CoverageDetail, PriorPayer
from .session import StoreConflict, StoreRefused

DEFAULT_RECEIVER = x837.Receiver(name="CLEARINGHOUSE", id="CLEARINGHOUSE")
ADJUDICATED = (ClaimStatus.PAID.value, ClaimStatus.PARTIAL.value, ClaimStatus.DENIED.value)
# What a sent replacement (7) or void request (8) does to the claim it names.
INSERT_PARAMETERS = 999  # SQLite's oldest limit on parameters per statement
ORIGINAL_BECOMES = {"7": ClaimStatus.CORRECTED, "8": ClaimStatus.VOIDED}


@dataclass(frozen=True, slots=True)
class SentClaim:
    claim_number: str
    payer: str
    frequency: str
    lines: int
    charge: int


@dataclass(frozen=True, slots=True)
class HeldClaim:
    claim_number: str
    payer: str
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What went (in interchange `control_number`, written to `path`) and what was held back."""

    control_number: int | None  # None: nothing went, no file, nothing recorded
    path: Path | None
    sent: tuple[SentClaim, ...]
    held: tuple[HeldClaim, ...]


class Submissions:
    """The 837P export over a Store (its session, and its claims for the scrubber)."""

    def __init__(self, store) -> None:
        self._store = store
        self._session = store.session

    def export_837(
        self,
        out: str | Path,
        claim_numbers: Sequence[str] = (),
        *,
        production: bool = True,
        receiver: x837.Receiver = DEFAULT_RECEIVER,
    ) -> ExportResult:
        """Send every ready claim (or the named ones) in one interchange written to `out`.

        StoreRefused (nothing changed) for an unknown claim number or an `out` that
        cannot be written. With nothing to send it returns a result whose
        control_number is None and writes nothing.
        """
        out = Path(out)
        _check_writable(out)
        self._store.claims.warm_scrubber()  # the code set takes seconds: not under the lock
        session = self._session
        temp: Path | None = None
        try:
            with session.writing():
                held: list[HeldClaim] = []
                ids = self._choose(claim_numbers, held)
                details = load_details(ids)
                sendable, originals = self._sort_out(details, held)
                if not sendable:
                    return ExportResult(None, None, (), tuple(held))
                created = dt.datetime.combine(session.today(), dt.datetime.now().time())
                interchange = X12Interchange.create(
                    kind="837",
                    file_name=str(out)[:255],
                    transactions=len(sendable),
                    created_by=session.user_id(),
                )
                text = x837.write(
                    sendable,
                    submitter=_submitter(sendable[0].billing_provider),
                    receiver=receiver,
                    control_number=interchange.id,
                    created=created,
                    production=production,
                )
                temp = _write_temp(out, text)
                self._record(interchange.id, sendable, originals)
        except BaseException:
            if temp is not None:
                temp.unlink(missing_ok=True)
            raise
        try:
            os.replace(temp, out)
        except OSError as error:
            raise StoreRefused(
                f"interchange {interchange.id} was recorded as sent, but the file could not be "
                f"moved to {out} ({error.strerror}); it is at {temp}"
            ) from None
        sent = tuple(
            SentClaim(
                d.claim_number, d.coverage.payer.name, d.frequency, len(d.lines), d.line_total
            )
            for d in sendable
        )
        return ExportResult(interchange.id, out, sent, tuple(held))

    # ----------------------------------------------------------------------- choosing

    def _choose(self, claim_numbers: Sequence[str], held: list[HeldClaim]) -> list[int]:
        if not claim_numbers:
            # Self-pay claims are billed to the patient by statement: never in an 837.
            query = (
                Claim.select(Claim.id)
                .where((Claim.status == ClaimStatus.READY.value) & Claim.coverage.is_null(False))
                .order_by(Claim.id)
            )
            return [i for (i,) in _locked(query, self._session.db).tuples()]
        wanted = list(dict.fromkeys(n.strip().upper() for n in claim_numbers))
        rows = {
            number: (claim_id, status, payer)
            for claim_id, number, status, payer in _locked(
                Claim.select(Claim.id, Claim.claim_number, Claim.status, Payer.name)
                .join(Payer, JOIN.LEFT_OUTER, on=(Payer.id == Claim.payer))
                .where(Claim.claim_number.in_(wanted)),
                self._session.db,
            ).tuples()
        }
        unknown = [n for n in wanted if n not in rows]
        if unknown:
            raise StoreRefused(
                f"no claim {unknown[0]}"
                + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else "")
            )
        ids = []
        for number in wanted:
            claim_id, status, payer = rows[number]
            if status == ClaimStatus.READY.value:
                ids.append(claim_id)
            else:
                label = ClaimStatus(status).label
                held.append(HeldClaim(number, payer or "self-pay", (f"it is {label}, not ready",)))
        return ids

    def _sort_out(
        self, details: list[ClaimDetail], held: list[HeldClaim]
    ) -> tuple[list[ClaimDetail], dict[int, tuple[int, ClaimStatus]]]:
        """The claims that can go; the rest join `held` with their reasons.

        Also returns, for each sendable replacement or void request whose original
        is on file, (original claim id, what the original becomes).
        """
        findings = self._store.claims.scrub_details(details) if details else {}
        originals = _originals(d for d in details if d.frequency in ORIGINAL_BECOMES)
        sendable = []
        moves: dict[int, tuple[int, ClaimStatus]] = {}
        for detail in details:
            reasons = list(x837.problems(detail))
            reasons += [
                f"{f.rule_id}: {f.message}" for f in findings.get(detail.id, ()) if f.blocks
            ]
            original = originals.get(detail.id)
            if original is not None:
                original_id, number, status = original
                target = ORIGINAL_BECOMES[detail.frequency]
                if status != target.value:  # already corrected (or voided): nothing to move
                    try:
                        check_transition(ClaimStatus(status), target)
                        moves[detail.id] = (original_id, target)
                    except ClaimStatusError:
                        reasons.append(
                            f"the original claim {number} is {ClaimStatus(status).label}: "
                            f"it cannot become {target.label}"
                        )
            if reasons:
                payer = detail.coverage.payer.name if detail.coverage else "self-pay"
                held.append(HeldClaim(detail.claim_number, payer, tuple(dict.fromkeys(reasons))))
            else:
                sendable.append(detail)
        going = {d.id for d in sendable}
        return sendable, {k: v for k, v in moves.items() if k in going}

    # ----------------------------------------------------------------------- recording

    def _record(
        self,
        interchange_id: int,
        sent: list[ClaimDetail],
        originals: dict[int, tuple[int, ClaimStatus]],
    ) -> None:
        session = self._session
        db = session.db
        user = session.user_id()
        now = utcnow()
        stamp = ClaimSubmission.at.db_value(now)  # as peewee itself would pass it
        reason = f"sent in 837P interchange {interchange_id}"
        for chunk in chunked(sent):
            ids = [d.id for d in chunk]
            _insert(
                db,
                ClaimSubmission,
                ("claim_id", "interchange_id", "at"),
                [(i, interchange_id, stamp) for i in ids],
            )
            # _choose locked these rows (PostgreSQL) or holds the write lock (SQLite): a
            # count short of the chunk would mean a claim moved anyway; send nothing then.
            changed = (
                Claim.update(
                    status=ClaimStatus.SUBMITTED.value,
                    # The first sending stays: timely filing counts to it.
                    submitted_at=fn.COALESCE(Claim.submitted_at, now),
                    version=Claim.version + 1,
                )
                .where(Claim.id.in_(ids) & (Claim.status == ClaimStatus.READY.value))
                .execute()
            )
            if changed != len(ids):
                raise StoreConflict("claims changed while the 837 was being written; try again")
            _insert(
                db,
                ClaimStatusChange,
                ("claim_id", "from_status", "to_status", "at", "user_id", "reason"),
                [(i, "ready", "submitted", stamp, user, reason) for i in ids],
            )
        # One audit row for the whole file (each claim's own history row says who and when):
        # a hash-chained row per claim would cost a second for 10,000 claims.
        session.audit(
            "submit",
            "x12_interchange",
            interchange_id,
            after={"kind": "837", "claims": [d.id for d in sent]},
        )
        # A replacement takes on its visit's charges when it is sent (its original, corrected
        # just below, gives them up): domain.claims.charges_on_ledger.
        carrying = [
            d.id
            for d in sent
            if charges_on_ledger(ClaimStatus.SUBMITTED, d.frequency, d.primary_claim_id is not None)
            and not charges_on_ledger(
                ClaimStatus.READY, d.frequency, d.primary_claim_id is not None
            )
        ]
        for claim in Claim.select().where(Claim.id.in_(carrying)):
            self._store.claims._post_charges(claim)
        if carrying:
            refresh_claims(carrying)
            refresh_accounts(d.patient.id for d in sent if d.id in set(carrying))
        numbers = {d.id: d.claim_number for d in sent}
        for claim_id, (original_id, target) in originals.items():
            # Through set_status: voiding an original reverses its charges as any void does.
            self._store.claims.set_status(
                original_id, target.value, f"{target.label} by claim {numbers[claim_id]}"
            )


# --------------------------------------------------------------------------- helpers


def _insert(db, model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Many rows, a few parameterized INSERTs: peewee's builder costs a second per 10,000 rows.

    Table and column names come from our own models, never from input; every
    value is a parameter.
    """
    table = model._meta.table_name
    names = ", ".join(f'"{c}"' for c in columns)
    one = "(" + ", ".join([db.param] * len(columns)) + ")"
    per = max(1, INSERT_PARAMETERS // len(columns))
    for start in range(0, len(rows), per):
        chunk = rows[start : start + per]
        db.execute_sql(
            f'INSERT INTO "{table}" ({names}) VALUES {", ".join([one] * len(chunk))}',  # noqa: S608
            [value for row in chunk for value in row],
        )


def _locked(query, db):
    """The query locking the claim rows it reads until the transaction ends.

    On PostgreSQL (FOR UPDATE OF claim); SQLite's IMMEDIATE transaction already
    keeps every other writer out.
    """
    if isinstance(db, SqliteDatabase):
        return query
    return query.for_update(of=Claim)


def _originals(details: Iterable[ClaimDetail]) -> dict[int, tuple[int, str, str]]:
    """claim id -> (id, number, status) of the claim its REF*F8 names, when that claim is ours."""
    found = {}
    for detail in details:
        row = (
            Claim.select(Claim.id, Claim.claim_number, Claim.status)
            .where(
                (Claim.patient == detail.patient.id)
                & (Claim.payer_claim_number == detail.original_claim_number)
                & (Claim.id != detail.id)
                & (Claim.frequency != "8")
            )
            .order_by(Claim.id.desc())
            .tuples()
            .first()
        )
        if row is not None:
            found[detail.id] = row
    return found


def _submitter(billing) -> x837.Submitter:
    """The practice submits its own claims: its name, tax ID and phone."""
    phone = "".join(ch for ch in billing.phone if ch.isdigit())
    if len(phone) != 10:
        raise StoreRefused(
            f"the billing provider {billing.name} needs a 10-digit phone number "
            "(the 837's submitter contact)"
        )
    return x837.Submitter(name=billing.name, etin=billing.ein, contact=billing.name, phone=phone)


def _check_writable(out: Path) -> None:
    """Refuse early, before any work, a path the file can never be written to."""
    directory = out.parent if str(out.parent) else Path(".")
    if out.is_dir():
        raise StoreRefused(f"--out {out} is a directory")
    if not directory.is_dir():
        raise StoreRefused(f"cannot write {out}: the directory {directory} does not exist")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise StoreRefused(f"cannot write {out}: {directory} is not writable")
    if out.exists() and not os.access(out, os.W_OK):
        raise StoreRefused(f"cannot write {out}: the file is read-only")


def _write_temp(out: Path, text: str) -> Path:
    """The whole file under a temporary name beside `out` (0600: it holds patient data)."""
    directory = out.parent if str(out.parent) else Path(".")
    try:
        fd, name = tempfile.mkstemp(dir=directory, prefix=f".{out.name}.", suffix=".partial")
    except OSError as error:
        raise StoreRefused(f"cannot write {out}: {error.strerror}") from None
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("ascii"))
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise StoreRefused(f"cannot write {out}: {error.strerror}") from None
    return temp


# --------------------------------------------------------------------------- reading in bulk


def load_details(claim_ids: Sequence[int]) -> list[ClaimDetail]:
    """ClaimDetail for many claims in a few queries per 500, in the order given.

    The same records as ClaimReader.get, less what sending does not read: the
    status history (left empty) and the patient's guarantor (None). Rows are
    read as tuples, not models: ClaimReader.get costs about ten queries and a
    few dozen model objects a claim, ten seconds for a batch of 10,000.
    """
    if not claim_ids:
        return []
    billing = {b.id: billing_provider_record(b) for b in BillingProvider.select()}
    providers = {p.id: provider_record(p) for p in Provider.select()}
    payers = {p.id: payer_detail(p) for p in Payer.select()}
    details: dict[int, ClaimDetail] = {}
    for ids in chunked(claim_ids):
        claims = _rows(Claim.select(*_CLAIM).where(Claim.id.in_(ids)))
        patients = {}
        for row in _rows(Patient.select(*_PATIENT).where(Patient.id.in_({c[2] for c in claims}))):
            row = list(row)
            row[5] = _day(row[5])  # dob
            patients[row[0]] = PatientRecord(*row)
        coverages = {
            row[0]: _coverage(row, payers)
            for row in _rows(
                Coverage.select(*_COVERAGE).where(Coverage.id.in_({c[3] for c in claims if c[3]}))
            )
        }
        referring = {
            r.id: referring_record(r)
            for r in ReferringProvider.select().where(
                ReferringProvider.id.in_({c[7] for c in claims if c[7]})
            )
        }
        lines: dict[int, list[ClaimLine]] = defaultdict(list)
        for row in _rows(
            ServiceLine.select(*_LINE)
            .where(ServiceLine.claim.in_(ids) & (ServiceLine.line_number > 0))
            .order_by(ServiceLine.claim, ServiceLine.line_number)
        ):
            line_id, claim_id, number, dos_from, dos_to, code, m1, m2, m3, m4 = row[:10]
            p1, p2, p3, p4, units, charge, control, ndc = row[10:]
            lines[claim_id].append(
                ClaimLine(
                    line_id, number, _day(dos_from), _day(dos_to), code,
                    tuple(m for m in (m1, m2, m3, m4) if m),
                    tuple(p for p in (p1, p2, p3, p4) if p),
                    units, charge, control, ndc,
                )
            )  # fmt: skip
        diagnoses: dict[int, list[str]] = defaultdict(list)
        for claim_id, code in (
            ClaimDiagnosis.select(ClaimDiagnosis.claim, ClaimDiagnosis.code)
            .where(ClaimDiagnosis.claim.in_(ids))
            .order_by(ClaimDiagnosis.claim, ClaimDiagnosis.position)
            .tuples()
        ):
            diagnoses[claim_id].append(code)
        for row in claims:
            (claim_id, number, patient_id, coverage_id, billing_id, rendering_id, supervising_id,
             referring_id, pos, frequency, original, payer_number, prior_auth, status, charge,
             insurance, patient_balance, created_at, submitted_at, version, primary_id) = row  # fmt: skip
            details[claim_id] = ClaimDetail(
                id=claim_id, claim_number=number, status=status, version=version,
                patient=patients[patient_id], coverage=coverages.get(coverage_id),
                billing_provider=billing[billing_id], rendering=providers[rendering_id],
                supervising=providers.get(supervising_id), referring=referring.get(referring_id),
                place_of_service=pos, frequency=frequency, original_claim_number=original,
                payer_claim_number=payer_number, prior_authorization=prior_auth,
                diagnoses=tuple(diagnoses[claim_id]), lines=tuple(lines[claim_id]),
                charge=charge, insurance_balance=insurance, patient_balance=patient_balance,
                created_at=_moment(created_at), submitted_at=_moment(submitted_at), history=(),
                primary_claim_id=primary_id,
                prior_payers=_prior_payers(claim_id) if primary_id else (),
            )  # fmt: skip
    return [details[i] for i in claim_ids if i in details]


# Column lists for load_details, in the order its unpacking expects.
_CLAIM = (
    Claim.id, Claim.claim_number, Claim.patient, Claim.coverage, Claim.billing_provider,
    Claim.rendering_provider, Claim.supervising_provider, Claim.referring_provider,
    Claim.place_of_service, Claim.frequency, Claim.original_claim_number,
    Claim.payer_claim_number, Claim.prior_authorization, Claim.status, Claim.charge_cents,
    Claim.insurance_balance_cents, Claim.patient_balance_cents, Claim.created_at,
    Claim.submitted_at, Claim.version, Claim.primary_claim,
)  # fmt: skip
_PATIENT = (  # PatientRecord's fields, in its order
    Patient.id, Patient.account_number, Patient.first_name, Patient.middle_name,
    Patient.last_name, Patient.dob, Patient.sex, Patient.address1, Patient.address2,
    Patient.city, Patient.state, Patient.zip, Patient.phone, Patient.email,
    Patient.contact_preference, Patient.version,
)  # fmt: skip
_COVERAGE = (
    Coverage.id, Coverage.priority, Coverage.payer, Coverage.member_id, Coverage.group_number,
    Coverage.relationship, Coverage.subscriber_first, Coverage.subscriber_last,
    Coverage.subscriber_dob, Coverage.subscriber_sex, Coverage.subscriber_address1,
    Coverage.subscriber_city, Coverage.subscriber_state, Coverage.subscriber_zip,
    Coverage.start_date, Coverage.end_date, Coverage.copay_cents, Coverage.deductible_cents,
    Coverage.deductible_met_cents, Coverage.coinsurance_bp, Coverage.oop_max_cents,
    Coverage.verified_at, Coverage.active,
)  # fmt: skip
_LINE = (
    ServiceLine.id, ServiceLine.claim, ServiceLine.line_number, ServiceLine.dos_from,
    ServiceLine.dos_to, ServiceLine.code, ServiceLine.modifier1, ServiceLine.modifier2,
    ServiceLine.modifier3, ServiceLine.modifier4, ServiceLine.pointer1, ServiceLine.pointer2,
    ServiceLine.pointer3, ServiceLine.pointer4, ServiceLine.units, ServiceLine.charge_cents,
    ServiceLine.line_control_number, ServiceLine.ndc,
)  # fmt: skip


def _rows(query) -> list[tuple]:
    """The query's rows as the driver returns them: no per-value conversion by peewee
    (a third of the load's time); the few dates are converted by _day and _moment."""
    return query.model._meta.database.execute(query).fetchall()


def _day(value) -> dt.date | None:
    """SQLite hands back dates as text, PostgreSQL as dates."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value[:10])


def _moment(value) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value)


def _coverage(row: tuple, payers: dict) -> CoverageDetail:
    (coverage_id, priority, payer_id, member_id, group, relationship, first, last, dob, sex,
     address1, city, state, zip_code, start, end, copay, deductible, met, coinsurance, oop_max,
     verified_at, active) = row  # fmt: skip
    return CoverageDetail(
        id=coverage_id, priority=priority, payer=payers[payer_id], member_id=member_id,
        group_number=group, relationship=relationship, subscriber_first=first,
        subscriber_last=last, subscriber_dob=_day(dob), subscriber_sex=sex,
        subscriber_address=Address(address1, "", city, state, zip_code), start_date=_day(start),
        end_date=_day(end), copay=copay, deductible=deductible, deductible_met=met,
        coinsurance_bp=coinsurance, oop_max=oop_max, verified_at=_moment(verified_at),
        active=bool(active),
    )  # fmt: skip


def _prior_payers(claim_id: int) -> tuple[PriorPayer, ...]:
    """The COB chain as ClaimReader assembles it, with each adjudication dated.

    A payer that paid nothing (a denial) leaves no payment date on the ledger; the
    date its claim was adjudicated (its last paid/partial/denied status) stands in.
    """
    from .claim_reader import ClaimReader

    # ClaimReader reads the rows only (no session): the same COB chain as get() gives.
    priors = ClaimReader()._prior_payers(Claim.get_by_id(claim_id))
    dated = []
    for prior in priors:
        if prior.paid_date is None:
            at = (
                ClaimStatusChange.select(fn.MAX(ClaimStatusChange.at))
                .where(
                    (ClaimStatusChange.claim == prior.claim_id)
                    & ClaimStatusChange.to_status.in_(ADJUDICATED)
                )
                .scalar()
            )
            if at is not None:
                at = at if isinstance(at, dt.datetime) else dt.datetime.fromisoformat(str(at))
                prior = replace(prior, paid_date=at.date())
        dated.append(prior)
    return tuple(dated)
