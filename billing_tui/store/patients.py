"""Changing a patient's record: demographics, guarantor, coverages, and registering new patients.

Mixed into store.accounts.Accounts. Every change is one transaction and one
audit row per record changed, holding only the fields that changed (before
and after). A patient is saved against the version the form read
(Patient.version): when someone else saved first, PatientConflict carries
their version and nothing is written.

Coverages: the active ones hold priorities 1, 2, 3 with no gaps and no two
alike. A coverage ended before today leaves the active list and the ones
after it move up; a new coverage goes in at the priority asked for and the
ones from there move down, unless the one there ends before the new one
starts, which it then replaces.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence

from peewee import IntegrityError, PostgresqlDatabase

from ..domain import validate
from ..domain.search import search_key
from ..domain.validate import FieldError
from .cache import refresh_accounts
from .models import Coverage, Guarantor, Patient, Payer
from .records.drafts import PatientDraft
from .records.patients import (
    COVERAGE_FIELDS,
    GUARANTOR_FIELDS,
    PATIENT_FIELDS,
    CoverageDetails,
    GuarantorDetails,
    PatientDetails,
)
from .session import Session, StoreConflict, StoreRefused

CONTACT_PREFERENCES = ("mail", "phone", "email", "text")
GUARANTOR_RELATIONSHIPS = ("parent", "spouse", "other")
MAX_ACTIVE_COVERAGES = 3
REGISTER_TRIES = 5  # a number taken outside register_patient (an import) is skipped
REGISTER_LOCK = 0x62696C6C  # PostgreSQL advisory lock key of account numbering ("bill")


class PatientConflict(StoreConflict):
    """Someone else saved the patient first; `theirs` is the record as it stands now."""

    def __init__(self, message: str, theirs: PatientDetails) -> None:
        super().__init__(message)
        self.theirs = theirs


class CoverageConflict(StoreConflict):
    """The coverage changed since the form read it; `theirs` is how it stands now."""

    def __init__(self, message: str, theirs: CoverageDetails) -> None:
        super().__init__(message)
        self.theirs = theirs


class _NumberTaken(Exception):
    """The account number was taken between choosing it and saving."""


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()
"""update_patient(guarantor=KEEP): leave the guarantor as it is."""


def _refuse(error: FieldError) -> StoreRefused:
    return StoreRefused(str(error))


def _text(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise StoreRefused(f"{field} must be text")
    return value


def _optional_date(value: object, field: str) -> dt.date | None:
    if value is not None and (not isinstance(value, dt.date) or isinstance(value, dt.datetime)):
        raise StoreRefused(f"{field} must be a date")
    return value


def _cents(value: object, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise StoreRefused(f"{field} must be a whole number of cents")
    if value < 0:
        raise StoreRefused(f"the {field.replace('_', ' ')} cannot be negative")
    if value > validate.MONEY_MAX:
        raise StoreRefused(f"the {field.replace('_', ' ')} is too large")
    return value


PATIENT_TEXT: dict[str, Callable[[str], str]] = {
    "last_name": validate.last_name,
    "first_name": validate.first_name,
    "middle_name": validate.middle_name,
    "sex": validate.sex,
    "address1": validate.address_line,
    "address2": lambda text: validate.address_line(text, "second address line", required=False),
    "city": validate.city,
    "state": validate.state,
    "zip": validate.zip_code,
    "phone": validate.phone,
    "email": validate.email,
}


def clean_patient_fields(changes: Mapping[str, object], today: dt.date) -> dict[str, object]:
    """The changes checked and normalised (phone to digits, state upper case...); StoreRefused if not."""
    clean: dict[str, object] = {}
    for field, value in changes.items():
        if field not in PATIENT_FIELDS:
            raise StoreRefused(f"a patient's {field} cannot be changed here")
        try:
            if field == "dob":
                dob = _optional_date(value, "the date of birth")
                if dob is None:
                    raise StoreRefused("the date of birth is required")
                validate.check_date_of_birth(dob, today)
                clean[field] = dob
            elif field == "contact_preference":
                if value not in CONTACT_PREFERENCES:
                    raise StoreRefused(f"contact preference is {', '.join(CONTACT_PREFERENCES)}")
                clean[field] = value
            else:
                clean[field] = PATIENT_TEXT[field](_text(value, field))
        except FieldError as error:
            raise _refuse(error) from None
    return clean


def clean_mrn(value: str | None) -> str:
    """A medical record number as stored: trimmed, at most 20 characters, no control
    characters; '' for none (StoreRefused otherwise)."""
    mrn = (value or "").strip()
    if len(mrn) > 20:
        raise StoreRefused("a medical record number is at most 20 characters")
    if any(not ch.isprintable() for ch in mrn):
        raise StoreRefused("a medical record number holds printable characters only")
    return mrn


def _check_reachable(record: Mapping[str, object]) -> None:
    """A preference for email needs an address; for phone or text, a number."""
    preference = record.get("contact_preference")
    if preference == "email" and not record.get("email"):
        raise StoreRefused("the patient prefers email but has no email address")
    if preference in ("phone", "text") and not record.get("phone"):
        raise StoreRefused(f"the patient prefers {preference} but has no phone number")


def clean_guarantor(guarantor: GuarantorDetails, today: dt.date) -> dict[str, object]:
    try:
        clean = {
            "last_name": validate.last_name(guarantor.last_name),
            "first_name": validate.first_name(guarantor.first_name),
            "address1": validate.address_line(guarantor.address1),
            "address2": validate.address_line(
                guarantor.address2, "second address line", required=False
            ),
            "city": validate.city(guarantor.city),
            "state": validate.state(guarantor.state),
            "zip": validate.zip_code(guarantor.zip),
            "phone": validate.phone(guarantor.phone),
            "email": validate.email(guarantor.email),
        }
        dob = _optional_date(guarantor.dob, "the guarantor's date of birth")
        if dob is not None:
            validate.check_date_of_birth(dob, today)
    except FieldError as error:
        raise StoreRefused(f"guarantor: {error}") from None
    if guarantor.relationship not in GUARANTOR_RELATIONSHIPS:
        raise StoreRefused(f"a guarantor is the {', '.join(GUARANTOR_RELATIONSHIPS)}")
    clean["relationship"] = guarantor.relationship
    clean["dob"] = dob
    return clean


_COVERAGE_TEXT: dict[str, Callable[[str], str]] = {
    "group_number": validate.group_number,
    "relationship": validate.relationship,
    "subscriber_last": lambda t: validate.person_name(
        t, "subscriber's last name", validate.LAST_NAME_MAX, required=False
    ),
    "subscriber_first": lambda t: validate.person_name(
        t, "subscriber's first name", validate.FIRST_NAME_MAX, required=False
    ),
    "subscriber_sex": validate.sex,
    "subscriber_address1": lambda t: validate.address_line(
        t, "subscriber's address", required=False
    ),
    "subscriber_city": lambda t: validate.city(t) if t.strip() else "",
    "subscriber_state": lambda t: validate.state(t) if t.strip() else "",
    "subscriber_zip": lambda t: validate.zip_code(t) if t.strip() else "",
}
_COVERAGE_MONEY = ("copay", "deductible", "deductible_met", "oop_max")
_COVERAGE_COLUMNS = {  # form field -> Coverage column, where they differ
    "payer_id": "payer",
    "copay": "copay_cents",
    "deductible": "deductible_cents",
    "deductible_met": "deductible_met_cents",
    "oop_max": "oop_max_cents",
}


def clean_coverage_fields(changes: Mapping[str, object]) -> dict[str, object]:
    """Each field checked alone; the member ID waits for the payer (see _check_coverage)."""
    clean: dict[str, object] = {}
    for field, value in changes.items():
        if field not in COVERAGE_FIELDS:
            raise StoreRefused(f"a coverage's {field} cannot be changed here")
        try:
            if field == "payer_id":
                if not isinstance(value, int):
                    raise StoreRefused("pick the payer")
                clean[field] = value
            elif field == "member_id":
                clean[field] = _text(value, field).strip()
            elif field in ("start_date", "end_date", "subscriber_dob"):
                clean[field] = _optional_date(value, field.replace("_", " "))
            elif field in _COVERAGE_MONEY:
                clean[field] = _cents(value, field)
            elif field == "coinsurance_bp":
                clean[field] = _cents(value, "coinsurance")
                if clean[field] > 10_000:
                    raise StoreRefused("the coinsurance is at most 100%")
            else:
                clean[field] = _COVERAGE_TEXT[field](_text(value, field))
        except FieldError as error:
            raise _refuse(error) from None
    return clean


def _check_coverage(record: dict[str, object], payer_kind: str) -> None:
    """The rules across fields, on the whole record as it would be saved (normalises member_id)."""
    try:
        record["member_id"] = validate.member_id(str(record["member_id"]), payer_kind)
        if record["start_date"] is None:
            raise StoreRefused("the coverage's start date is required")
        validate.coverage_dates(record["start_date"], record["end_date"])  # type: ignore[arg-type]
        validate.deductible_met(record["deductible_met"], record["deductible"])  # type: ignore[arg-type]
    except FieldError as error:
        raise _refuse(error) from None
    if record["relationship"] != "18":
        if not record["subscriber_last"] or not record["subscriber_first"]:
            raise StoreRefused("the subscriber's name is required when it is not the patient")


def _coverage_values(row: Coverage) -> dict[str, object]:
    values = {}
    for field in COVERAGE_FIELDS:
        column = _COVERAGE_COLUMNS.get(field, field)
        values[field] = getattr(row, f"{column}_id" if field == "payer_id" else column)
    return values


def _coverage_details(row: Coverage, payer: Payer) -> CoverageDetails:
    return CoverageDetails(
        id=row.id,
        patient_id=row.patient_id,
        priority=row.priority,
        active=row.active,
        payer_name=payer.name,
        payer_kind=payer.kind,
        **_coverage_values(row),  # type: ignore[arg-type]
    )


def _guarantor_details(row: Guarantor) -> GuarantorDetails:
    return GuarantorDetails(**{field: getattr(row, field) for field in GUARANTOR_FIELDS})


def _patient_details(row: Patient) -> PatientDetails:
    guarantor = None
    if row.guarantor_id is not None:
        guarantor = _guarantor_details(Guarantor.get_by_id(row.guarantor_id))
    return PatientDetails(
        id=row.id,
        account_number=row.account_number,
        version=row.version,
        guarantor=guarantor,
        mrn=row.mrn or "",
        **{field: getattr(row, field) for field in PATIENT_FIELDS},
    )


def _changed(before: Mapping[str, object], after: Mapping[str, object]):
    """(before, after) of the fields whose value changes, or ({}, {})."""
    keys = [k for k, v in after.items() if before.get(k) != v]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


class PatientEditing:
    """Mixed into Accounts, which provides _session and _next_account_number()."""

    _session: Session
    _next_account_number: Callable[[], str]

    def _locked_patient(self, patient_id: int) -> Patient:
        """The patient's row, locked until the transaction ends: one change to an account at
        a time. On PostgreSQL FOR UPDATE; SQLite's IMMEDIATE transaction already keeps every
        other writer out."""
        query = Patient.select().where(Patient.id == patient_id)
        if self._session.db.for_update:
            query = query.for_update()
        row = query.first()
        if row is None:
            raise StoreRefused(f"no account with id {patient_id}")
        return row

    def _locked_coverage(self, coverage_id: int) -> Coverage:
        """The coverage, read again once its patient is locked."""
        patient_id = Coverage.select(Coverage.patient).where(Coverage.id == coverage_id).scalar()
        if patient_id is None:
            raise StoreRefused(f"no coverage {coverage_id}")
        self._locked_patient(patient_id)
        return Coverage.get_by_id(coverage_id)

    # ------------------------------------------------------------------ reading

    def patient_details(self, patient_id: int) -> PatientDetails:
        row = Patient.get_or_none(Patient.id == patient_id)
        if row is None:
            raise StoreRefused(f"no account with id {patient_id}")
        return _patient_details(row)

    def coverage_details(self, coverage_id: int) -> CoverageDetails:
        row = Coverage.get_or_none(Coverage.id == coverage_id)
        if row is None:
            raise StoreRefused(f"no coverage {coverage_id}")
        return _coverage_details(row, Payer.get_by_id(row.payer_id))

    # ------------------------------------------------------------------ patients

    def register_patient(
        self, draft: PatientDraft, guarantor: GuarantorDetails | None = None
    ) -> int:
        """A new patient with the next account number (or draft's); returns the patient's id."""
        session = self._session
        today = session.today()
        fields = {f: getattr(draft, f) for f in PATIENT_FIELDS}
        clean = clean_patient_fields(fields, today)
        _check_reachable(clean)
        guarantor_values = clean_guarantor(guarantor, today) if guarantor else None
        typed = (draft.account_number or "").strip().upper()
        mrn = clean_mrn(draft.mrn)
        if mrn:
            clean["mrn"] = mrn
        for _ in range(REGISTER_TRIES):
            try:
                return self._register(clean, guarantor_values, typed)
            except (IntegrityError, _NumberTaken):
                # Taken since it was chosen (by a writer that does not take the lock):
                # take the one after it.
                if typed:
                    raise StoreRefused(f"account number {typed} is taken") from None
        raise StoreConflict("others are registering patients right now; save again")

    def _register(self, clean: dict, guarantor: dict | None, typed: str) -> int:
        session = self._session
        with session.writing():
            if isinstance(session.db, PostgresqlDatabase):
                # Registrations take turns for the next number (SQLite's writers already do).
                session.db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (REGISTER_LOCK,))
            number = typed or self._next_account_number()
            if Patient.select().where(Patient.account_number == number).exists():
                raise _NumberTaken
            if "mrn" in clean:
                holder = Patient.select(Patient.account_number).where(Patient.mrn == clean["mrn"])
                if holder.exists():
                    raise StoreRefused(
                        f"medical record number {clean['mrn']} is already on account "
                        f"{holder.scalar()}"
                    )
            guarantor_id = None
            if guarantor is not None:
                guarantor_id = Guarantor.create(**guarantor).id
            patient = Patient.create(
                account_number=number,
                guarantor=guarantor_id,
                search_last=search_key(clean["last_name"])[:64],
                search_first=search_key(clean["first_name"])[:64],
                **clean,
            )
            session.audit(
                "create",
                "patient",
                patient.id,
                patient_id=patient.id,
                after={"account_number": number, **_filled(clean)},
            )
            if guarantor is not None:
                session.audit(
                    "create",
                    "guarantor",
                    guarantor_id,
                    patient_id=patient.id,
                    after=_filled(guarantor),
                )
            refresh_accounts([patient.id])  # the summary row puts the account in the queue
        return patient.id

    def update_patient(
        self,
        patient_id: int,
        changes: Mapping[str, object],
        expected_version: int,
        *,
        guarantor: GuarantorDetails | None | _Keep = KEEP,
    ) -> int:
        """Save changed demographics (and the guarantor, unless KEEP) over expected_version.

        Returns the new version (the same when nothing changed). PatientConflict
        when someone else saved the patient since that version was read.
        """
        return self._save_patient(patient_id, changes, guarantor, expected_version)

    def set_guarantor(
        self,
        patient_id: int,
        guarantor: GuarantorDetails | None,
        *,
        expected_version: int | None = None,
    ) -> int:
        """Name the guarantor (None: the patient is their own); returns the patient's version.
        Without expected_version it is saved over whatever version is current."""
        return self._save_patient(patient_id, {}, guarantor, expected_version)

    def _save_patient(
        self,
        patient_id: int,
        changes: Mapping[str, object],
        guarantor: GuarantorDetails | None | _Keep,
        expected_version: int | None,
    ) -> int:
        session = self._session
        clean = clean_patient_fields(changes, session.today())
        guarantor_values = None
        if isinstance(guarantor, GuarantorDetails):
            guarantor_values = clean_guarantor(guarantor, session.today())
        with session.writing():
            row = self._locked_patient(patient_id)
            if expected_version is not None and row.version != expected_version:
                raise self._conflict(patient_id)
            version = row.version
            current = {f: getattr(row, f) for f in PATIENT_FIELDS}
            before, after = _changed(current, clean)
            _check_reachable({**current, **after})
            values: dict[str, object] = dict(after)
            if "last_name" in after:
                values["search_last"] = search_key(str(after["last_name"]))[:64]
            if "first_name" in after:
                values["search_first"] = search_key(str(after["first_name"]))[:64]
            guarantor_changed = False
            if not isinstance(guarantor, _Keep):
                guarantor_id, guarantor_changed = self._apply_guarantor(row, guarantor_values)
                if guarantor_id != row.guarantor_id:
                    values["guarantor"] = guarantor_id
            if not values and not guarantor_changed:
                return version
            updated = (
                Patient.update(**values, version=Patient.version + 1)
                .where((Patient.id == patient_id) & (Patient.version == version))
                .execute()
            )
            if updated != 1:  # PostgreSQL: another transaction saved between our read and write
                raise self._conflict(patient_id)
            if after:
                session.audit(
                    "update",
                    "patient",
                    patient_id,
                    patient_id=patient_id,
                    before=before,
                    after=after,
                )
        return version + 1

    def assign_mrn(self, patient_id: int, mrn: str) -> bool:
        """Give an account the EHR's medical record number (an account registered here
        before the EHR sent it); True when it changed. A number another account holds,
        or a different one already on this account, is refused."""
        mrn = clean_mrn(mrn)
        if not mrn:
            raise StoreRefused("the medical record number is empty")
        session = self._session
        with session.writing():
            row = self._locked_patient(patient_id)
            if row.mrn == mrn:
                return False
            if row.mrn:
                raise StoreRefused(
                    f"account {row.account_number} has medical record number {row.mrn}, not {mrn}"
                )
            holder = Patient.select(Patient.account_number).where(Patient.mrn == mrn).scalar()
            if holder is not None:
                raise StoreRefused(f"medical record number {mrn} is already on account {holder}")
            Patient.update(mrn=mrn, version=Patient.version + 1).where(
                Patient.id == patient_id
            ).execute()
            session.audit(
                "update", "patient", patient_id, patient_id=patient_id,
                before={"mrn": None}, after={"mrn": mrn},
            )  # fmt: skip
        return True

    def _conflict(self, patient_id: int) -> PatientConflict:
        theirs = _patient_details(Patient.get_by_id(patient_id))
        return PatientConflict(
            f"account {theirs.account_number} was saved by someone else while you edited it",
            theirs,
        )

    def _apply_guarantor(self, row: Patient, values: dict | None) -> tuple[int | None, bool]:
        """Write the guarantor's row and its audit: (the guarantor id the patient gets, changed?).

        A guarantor row shared with another account is copied rather than changed:
        a change made on one account never reaches another unseen.
        """
        session = self._session
        current = (
            Guarantor.get_or_none(Guarantor.id == row.guarantor_id) if row.guarantor_id else None
        )
        if values is None:
            if current is None:
                return None, False
            session.audit(
                "remove",
                "guarantor",
                current.id,
                patient_id=row.id,
                before=_filled(_guarantor_values(current)),
            )
            return None, True
        if current is None:
            created = Guarantor.create(**values)
            session.audit(
                "create", "guarantor", created.id, patient_id=row.id, after=_filled(values)
            )
            return created.id, True
        before, after = _changed(_guarantor_values(current), values)
        if not after:
            return current.id, False
        shared = (
            Patient.select()
            .where((Patient.guarantor == current.id) & (Patient.id != row.id))
            .exists()
        )
        if shared:
            target = Guarantor.create(**values).id
            after = {**after, "copied_from": current.id}
        else:
            target = current.id
            Guarantor.update(**after).where(Guarantor.id == current.id).execute()
        session.audit("update", "guarantor", target, patient_id=row.id, before=before, after=after)
        return target, True

    # ------------------------------------------------------------------ coverages

    def new_coverage(self, patient_id: int, values: Mapping[str, object], priority: int) -> int:
        """Put a coverage on file at priority 1, 2 or 3; returns its id.

        Blank subscriber fields are the patient's own when the relationship is self
        (18), and the address is the patient's when it is left blank.
        """
        session = self._session
        clean = clean_coverage_fields(values)
        with session.writing():
            patient = self._locked_patient(patient_id)
            payer = self._payer(clean.get("payer_id"))
            record = _new_coverage_record(clean, patient)
            _check_coverage(record, payer.kind)
            active = self._active_coverages(patient_id)
            if not 1 <= priority <= len(active) + 1:
                raise StoreRefused(f"priority is 1 to {min(len(active) + 1, 3)} for this account")
            occupant = active[priority - 1] if priority <= len(active) else None
            replaces = (
                occupant is not None
                and occupant.end_date is not None
                and occupant.end_date < record["start_date"]  # type: ignore[operator]
            )
            if not replaces and len(active) >= MAX_ACTIVE_COVERAGES:
                raise StoreRefused(
                    "this account has three coverages on file: end one (x) before adding another"
                )
            coverage = Coverage.create(
                patient=patient_id,
                priority=priority,
                active=True,
                **{_COVERAGE_COLUMNS.get(k, k): v for k, v in record.items()},
            )
            session.audit(
                "create",
                "coverage",
                coverage.id,
                patient_id=patient_id,
                after={
                    "priority": priority,
                    **{k: v for k, v in record.items() if v not in ("", None, 0)},
                },
            )
            if replaces:
                assert occupant is not None
                Coverage.update(active=False).where(Coverage.id == occupant.id).execute()
                session.audit(
                    "update",
                    "coverage",
                    occupant.id,
                    patient_id=patient_id,
                    before={"active": True},
                    after={"active": False, "replaced_by": coverage.id},
                )
                others = active
                others[priority - 1] = coverage
            else:
                others = [*active[: priority - 1], coverage, *active[priority - 1 :]]
            self._renumber(patient_id, others)
            if priority == 1:
                refresh_accounts([patient_id])
        return coverage.id

    def update_coverage(
        self,
        coverage_id: int,
        changes: Mapping[str, object],
        *,
        expected: Mapping[str, object] | None = None,
    ) -> None:
        """Change a coverage's fields. With expected (the values the form read, for the fields
        it changes), CoverageConflict when any of them changed in the meantime."""
        session = self._session
        clean = clean_coverage_fields(changes)
        with session.writing():
            row = self._locked_coverage(coverage_id)
            current = _coverage_values(row)
            if expected is not None and any(
                current.get(field) != value for field, value in expected.items()
            ):
                theirs = _coverage_details(row, Payer.get_by_id(row.payer_id))
                raise CoverageConflict(
                    "this coverage was changed by someone else while you edited it", theirs
                )
            payer = self._payer(clean.get("payer_id", row.payer_id))
            record = {**current, **clean}
            _check_coverage(record, payer.kind)
            before, after = _changed(current, {k: record[k] for k in clean})
            if not after:
                return
            Coverage.update(**{_COVERAGE_COLUMNS.get(k, k): v for k, v in after.items()}).where(
                Coverage.id == coverage_id
            ).execute()
            session.audit(
                "update",
                "coverage",
                coverage_id,
                patient_id=row.patient_id,
                before=before,
                after=after,
            )
            if row.active and row.priority == 1:
                refresh_accounts([row.patient_id])

    def end_coverage(self, coverage_id: int, end_date: dt.date, reason: str) -> None:
        """End-date a coverage. Ended before today, it leaves the active list and the
        coverages after it move up (the secondary becomes the primary)."""
        session = self._session
        reason = " ".join(reason.split())
        if not reason:
            raise StoreRefused("say why the coverage ends")
        if len(reason) > 200:
            raise StoreRefused("the reason is at most 200 characters")
        with session.writing():
            row = self._locked_coverage(coverage_id)
            try:
                validate.coverage_dates(row.start_date, end_date)
            except FieldError as error:
                raise _refuse(error) from None
            over = end_date < session.today()
            before, after = _changed(
                {"end_date": row.end_date, "active": row.active},
                {"end_date": end_date, "active": row.active and not over},
            )
            if after:
                Coverage.update(end_date=end_date, active=row.active and not over).where(
                    Coverage.id == coverage_id
                ).execute()
            session.audit(
                "end",
                "coverage",
                coverage_id,
                patient_id=row.patient_id,
                before=before,
                after={**after, "reason": reason},
            )
            if row.active and over:
                self._renumber(row.patient_id, self._active_coverages(row.patient_id))
            if row.active and row.priority == 1:  # the queue shows the primary and its end
                refresh_accounts([row.patient_id])

    def reorder_coverages(self, patient_id: int, coverage_ids: Sequence[int]) -> None:
        """The active coverages in their new order: the first becomes primary, and so on."""
        ids = list(coverage_ids)
        if len(set(ids)) != len(ids):
            raise StoreRefused("a coverage can hold one place in the order")
        with self._session.writing():
            self._locked_patient(patient_id)
            active = {c.id: c for c in self._active_coverages(patient_id)}
            if set(ids) != set(active):
                raise StoreConflict(
                    "the account's coverages changed since you opened it; open it again"
                )
            moved = self._renumber(patient_id, [active[i] for i in ids])
            if moved:
                refresh_accounts([patient_id])

    def _active_coverages(self, patient_id: int) -> list[Coverage]:
        return list(
            Coverage.select()
            .where((Coverage.patient == patient_id) & (Coverage.active == True))  # noqa: E712
            .order_by(Coverage.priority, Coverage.start_date, Coverage.id)
        )

    def _renumber(self, patient_id: int, ordered: Sequence[Coverage]) -> bool:
        """Give the coverages priorities 1, 2, 3 in this order; one audit row if any moved."""
        before: dict[str, int] = {}
        after: dict[str, int] = {}
        for priority, coverage in enumerate(ordered, 1):
            if coverage.priority != priority:
                Coverage.update(priority=priority).where(Coverage.id == coverage.id).execute()
                before[f"coverage {coverage.id}"] = coverage.priority
                after[f"coverage {coverage.id}"] = priority
        if after:
            self._session.audit(
                "reorder",
                "coverages",
                patient_id,
                patient_id=patient_id,
                before=before,
                after=after,
            )
        return bool(after)

    def _payer(self, payer_id: object) -> Payer:
        payer = Payer.get_or_none(Payer.id == payer_id) if isinstance(payer_id, int) else None
        if payer is None:
            raise StoreRefused("pick the payer")
        return payer


def _filled(values: Mapping[str, object]) -> dict[str, object]:
    """The fields that hold something: what an audit row of a new record needs."""
    return {k: v for k, v in values.items() if v not in ("", None)}


def _guarantor_values(row: Guarantor) -> dict[str, object]:
    return {field: getattr(row, field) for field in GUARANTOR_FIELDS}


def _new_coverage_record(clean: Mapping[str, object], patient: Patient) -> dict[str, object]:
    """Every field of a new coverage: what was given, then the defaults."""
    record: dict[str, object] = {
        "payer_id": None,
        "member_id": "",
        "group_number": "",
        "relationship": "18",
        "subscriber_last": "",
        "subscriber_first": "",
        "subscriber_dob": None,
        "subscriber_sex": "U",
        "subscriber_address1": "",
        "subscriber_city": "",
        "subscriber_state": "",
        "subscriber_zip": "",
        "start_date": None,
        "end_date": None,
        "copay": 0,
        "deductible": 0,
        "deductible_met": 0,
        "coinsurance_bp": 0,
        "oop_max": 0,
        **clean,
    }
    if record["relationship"] == "18":
        for field, own in (
            ("subscriber_last", patient.last_name),
            ("subscriber_first", patient.first_name),
            ("subscriber_dob", patient.dob),
        ):
            record[field] = record[field] or own
        if "subscriber_sex" not in clean:
            record["subscriber_sex"] = patient.sex
    for field, own in (
        ("subscriber_address1", patient.address1),
        ("subscriber_city", patient.city),
        ("subscriber_state", patient.state),
        ("subscriber_zip", patient.zip),
    ):
        record[field] = record[field] or own
    return record


__all__ = [
    "KEEP",
    "PATIENT_TEXT",
    "CoverageConflict",
    "PatientConflict",
    "PatientEditing",
    "clean_coverage_fields",
    "clean_guarantor",
    "clean_mrn",
    "clean_patient_fields",
]
