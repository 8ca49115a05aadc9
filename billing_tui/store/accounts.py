"""Accounts in the store: a patient's whole picture, new patients and coverages, notes and follow-ups."""

from __future__ import annotations

import datetime as dt

from peewee import JOIN, fn

from ..domain.queue import QueuePolicy, account_flags
from ..domain.search import search_key
from .cache import refresh_accounts
from .models import (
    AccountSummary,
    Claim,
    Coverage,
    Guarantor,
    LedgerEntry,
    Note,
    Patient,
    Payer,
    Provider,
    User,
    utcnow,
)
from .patients import PatientEditing
from .records import (
    AccountView,
    ClaimRow,
    CoverageDraft,
    CoverageRecord,
    GuarantorRecord,
    LedgerLine,
    NoteRecord,
    PatientDraft,
    PatientRecord,
    PayerRecord,
)
from .session import Session, StoreRefused

NOTE_KINDS = ("call", "email", "letter", "note")
DIRECTIONS = ("in", "out", "")
FIRST_ACCOUNT_NUMBER = 10_000_001


class Accounts(PatientEditing):
    def __init__(self, session: Session, policy: QueuePolicy) -> None:
        self._session = session
        self._policy = policy

    # ------------------------------------------------------------------ reading

    def exist(self) -> bool:
        """Whether the database holds any account at all."""
        return Patient.select().exists()

    def find(self, account_number: str) -> int | None:
        return (
            Patient.select(Patient.id)
            .where(Patient.account_number == account_number.strip().upper())
            .scalar()
        )

    def find_by_mrn(self, mrn: str) -> int | None:
        """The account holding the EHR's medical record number, if any."""
        return Patient.select(Patient.id).where(Patient.mrn == mrn.strip()).scalar()

    def payers(self) -> list[PayerRecord]:
        return [
            PayerRecord(p.id, p.name, p.payer_code, p.kind, p.timely_filing_days)
            for p in Payer.select().order_by(Payer.name)
        ]

    def open(self, patient_id: int) -> AccountView:
        """The account as get() reads it, and the opening in the audit trail (HIPAA: who
        looked at whose record, and when). Reloads after a change use get()."""
        view = self.get(patient_id)
        with self._session.recording():
            self._session.audit("view", "account", patient_id, patient_id=patient_id)
        return view

    def get(self, patient_id: int) -> AccountView:
        """Everything the account screen shows, in a handful of indexed queries."""
        row = (
            Patient.select(Patient, Guarantor)
            .join(Guarantor, JOIN.LEFT_OUTER)
            .where(Patient.id == patient_id)
            .first()
        )
        if row is None:
            raise StoreRefused(f"no account with id {patient_id}")
        summary = AccountSummary.get_or_none(AccountSummary.patient == patient_id)
        today = self._session.today()
        flags = ()
        if summary is not None:
            flags = account_flags(
                insurance_balance=summary.insurance_balance_cents,
                patient_balance=summary.patient_balance_cents,
                denied_claims=summary.denied_claims,
                last_statement=summary.last_statement_date,
                has_primary=summary.primary_payer_id is not None,
                primary_verified=summary.primary_verified,
                primary_ends=summary.primary_ends,
                today=today,
                policy=self._policy,
                plan_next_due=summary.plan_next_due,
            )
        ledger = self._ledger(patient_id)
        return AccountView(
            patient=_patient_record(row),
            insurance_balance=ledger[-1].insurance_balance if ledger else 0,
            patient_balance=ledger[-1].patient_balance if ledger else 0,
            flags=flags,
            next_follow_up=summary.next_follow_up if summary else None,
            coverages=self._coverages(patient_id),
            ledger=ledger,
            claims=self._claims(patient_id),
            notes=self._notes(patient_id),
            plan_next_due=summary.plan_next_due if summary else None,
        )

    def _coverages(self, patient_id: int) -> tuple[CoverageRecord, ...]:
        query = (
            Coverage.select(Coverage, Payer.name, User.username)
            # attr=: joined into the FK's own attribute, the partial row would wipe its id.
            .join(Payer, on=(Payer.id == Coverage.payer), attr="payer_row")
            .switch(Coverage)
            .join(User, JOIN.LEFT_OUTER, on=(User.id == Coverage.verified_by), attr="verifier")
            .where(Coverage.patient == patient_id)
            .order_by(Coverage.active.desc(), Coverage.priority, Coverage.start_date.desc())
        )
        return tuple(
            CoverageRecord(
                id=c.id,
                priority=c.priority,
                payer_id=c.payer_id,
                payer_name=c.payer_row.name,
                member_id=c.member_id,
                group_number=c.group_number,
                relationship=c.relationship,
                subscriber_name=f"{c.subscriber_last}, {c.subscriber_first}",
                start_date=c.start_date,
                end_date=c.end_date,
                copay=c.copay_cents,
                deductible=c.deductible_cents,
                deductible_met=c.deductible_met_cents,
                coinsurance_bp=c.coinsurance_bp,
                oop_max=c.oop_max_cents,
                verified_at=c.verified_at,
                verified_by=c.verifier.username if c.verifier else "",
                verified_how=c.verified_how,
                verification_result=c.verification_result,
                active=c.active,
            )
            for c in query
        )

    def _ledger(self, patient_id: int) -> tuple[LedgerLine, ...]:
        reversal = LedgerEntry.alias("rev")
        query = (
            LedgerEntry.select(
                LedgerEntry.id,
                LedgerEntry.posted_at,
                LedgerEntry.effective_date,
                LedgerEntry.kind,
                Claim.claim_number,
                LedgerEntry.memo,
                LedgerEntry.group_code,
                LedgerEntry.reason_code,
                LedgerEntry.insurance_delta,
                LedgerEntry.patient_delta,
                LedgerEntry.reverses,
                reversal.id,
            )
            .join(Claim, JOIN.LEFT_OUTER, on=(Claim.id == LedgerEntry.claim))
            .switch(LedgerEntry)
            .join(reversal, JOIN.LEFT_OUTER, on=(reversal.reverses == LedgerEntry.id))
            .where(LedgerEntry.patient == patient_id)
            .order_by(LedgerEntry.id)
            .tuples()
        )
        lines: list[LedgerLine] = []
        insurance = patient = 0
        for (
            entry_id,
            posted_at,
            effective,
            kind,
            claim_no,
            memo,
            group,
            reason,
            ins_delta,
            pat_delta,
            reverses,
            reversed_by,
        ) in query:
            insurance += ins_delta
            patient += pat_delta
            code = f"{group}-{reason} " if group and reason else ""
            lines.append(
                LedgerLine(
                    id=entry_id,
                    posted_at=posted_at,
                    effective_date=effective,
                    kind=kind,
                    claim_number=claim_no or "",
                    description=f"{code}{memo}".strip(),
                    insurance_delta=ins_delta,
                    patient_delta=pat_delta,
                    insurance_balance=insurance,
                    patient_balance=patient,
                    reverses=reverses,
                    reversed_by=reversed_by,
                )
            )
        return tuple(lines)

    def _claims(self, patient_id: int) -> tuple[ClaimRow, ...]:
        query = (
            Claim.select(
                Claim.id,
                Claim.claim_number,
                Claim.first_dos,
                Claim.status,
                Payer.name,
                Provider.last_name,
                Provider.credential,
                Claim.charge_cents,
                Claim.insurance_balance_cents,
                Claim.patient_balance_cents,
            )
            .join(Payer, JOIN.LEFT_OUTER, on=(Payer.id == Claim.payer))
            .switch(Claim)
            .join(Provider, on=(Provider.id == Claim.rendering_provider))
            .where(Claim.patient == patient_id)
            .order_by(Claim.first_dos.desc(), Claim.id.desc())
            .tuples()
        )
        return tuple(
            ClaimRow(
                cid, number, dos, status, payer or "Self-pay", f"{last} {cred}", charge, ins, pat
            )
            for cid, number, dos, status, payer, last, cred, charge, ins, pat in query
        )

    def _notes(self, patient_id: int) -> tuple[NoteRecord, ...]:
        author = User.alias("author")
        assignee = User.alias("assignee")
        query = (
            Note.select(Note, author.username, assignee.username)
            .join(author, JOIN.LEFT_OUTER, on=(author.id == Note.created_by), attr="author")
            .switch(Note)
            .join(assignee, JOIN.LEFT_OUTER, on=(assignee.id == Note.assignee), attr="assigned")
            .where(Note.patient == patient_id)
            .order_by(Note.created_at.desc(), Note.id.desc())
        )
        return tuple(
            NoteRecord(
                id=n.id,
                created_at=n.created_at,
                author=n.author.username if n.author else "",
                kind=n.kind,
                direction=n.direction,
                outcome=n.outcome,
                text=n.text,
                follow_up=n.follow_up,
                assignee=n.assigned.username if n.assigned else "",
                done=n.follow_up_done_at is not None,
            )
            for n in query
        )

    # ------------------------------------------------------------------ writing

    def add_note(
        self,
        patient_id: int,
        text: str,
        *,
        kind: str = "note",
        direction: str = "",
        outcome: str = "",
        follow_up: dt.date | None = None,
        assignee: str | None = None,
    ) -> int:
        """Log a contact or note; a follow-up date puts the account at the top of the queue that day."""
        text = text.strip()
        if not text:
            raise StoreRefused("a note needs some text")
        if kind not in NOTE_KINDS:
            raise StoreRefused(f"a note is one of: {', '.join(NOTE_KINDS)}")
        if direction not in DIRECTIONS:
            raise StoreRefused("direction is in, out or empty")
        session = self._session
        if follow_up is not None and follow_up < session.today():
            raise StoreRefused("a follow-up date cannot be in the past")
        with session.writing():
            if not Patient.select().where(Patient.id == patient_id).exists():
                raise StoreRefused(f"no account with id {patient_id}")
            assignee_id = session.user_id()
            if assignee:
                assignee_id = User.select(User.id).where(User.username == assignee).scalar()
                if assignee_id is None:
                    raise StoreRefused(f"no user {assignee!r}")
            note = Note.create(
                patient=patient_id,
                kind=kind,
                direction=direction,
                outcome=outcome[:60],
                text=text,
                follow_up=follow_up,
                assignee=assignee_id if follow_up else None,
                created_by=session.user_id(),
            )
            session.audit(
                "create",
                "note",
                note.id,
                patient_id=patient_id,
                after={"kind": kind, "follow_up": follow_up},
            )
            refresh_accounts([patient_id])
        return note.id

    def complete_follow_up(self, note_id: int) -> None:
        session = self._session
        with session.writing():
            note = Note.get_or_none(Note.id == note_id)
            if note is None or note.follow_up is None:
                raise StoreRefused("that note has no follow-up")
            if note.follow_up_done_at is not None:
                return
            Note.update(follow_up_done_at=utcnow()).where(Note.id == note_id).execute()
            session.audit("complete", "note", note_id, patient_id=note.patient_id)
            refresh_accounts([note.patient_id])

    def create_patient(self, draft: PatientDraft) -> int:
        for label, value in (("first name", draft.first_name), ("last name", draft.last_name)):
            if not value.strip():
                raise StoreRefused(f"the patient's {label} is required")
        if draft.sex not in ("F", "M", "U"):
            raise StoreRefused("sex is F, M or U")
        session = self._session
        with session.writing():
            number = draft.account_number or self._next_account_number()
            if Patient.select().where(Patient.account_number == number).exists():
                raise StoreRefused(f"account number {number} is taken")
            patient = Patient.create(
                account_number=number,
                first_name=draft.first_name.strip(),
                middle_name=draft.middle_name.strip(),
                last_name=draft.last_name.strip(),
                dob=draft.dob,
                sex=draft.sex,
                address1=draft.address1,
                address2=draft.address2,
                city=draft.city,
                state=draft.state,
                zip=draft.zip,
                phone=draft.phone,
                email=draft.email,
                contact_preference=draft.contact_preference,
                search_last=search_key(draft.last_name)[:64],
                search_first=search_key(draft.first_name)[:64],
            )
            session.audit(
                "create",
                "patient",
                patient.id,
                patient_id=patient.id,
                after={"account_number": number},
            )
            refresh_accounts([patient.id])
        return patient.id

    def _next_account_number(self) -> str:
        highest = (
            Patient.select(fn.MAX(Patient.account_number))
            .where(fn.LENGTH(Patient.account_number) == 8)
            .scalar()
        )
        return str(
            max(int(highest) + 1 if highest and highest.isdigit() else 0, FIRST_ACCOUNT_NUMBER)
        )

    def add_coverage(self, draft: CoverageDraft) -> int:
        if draft.priority not in (1, 2, 3):
            raise StoreRefused("priority is 1 (primary), 2 (secondary) or 3 (tertiary)")
        if not draft.member_id.strip():
            raise StoreRefused("a coverage needs the member ID")
        if draft.end_date is not None and draft.end_date < draft.start_date:
            raise StoreRefused("a coverage cannot end before it starts")
        session = self._session
        with session.writing():
            patient = Patient.get_or_none(Patient.id == draft.patient_id)
            if patient is None:
                raise StoreRefused(f"no account with id {draft.patient_id}")
            if not Payer.select().where(Payer.id == draft.payer_id).exists():
                raise StoreRefused(f"no payer {draft.payer_id}")
            self_insured = draft.relationship == "18"
            coverage = Coverage.create(
                patient=patient.id,
                priority=draft.priority,
                payer=draft.payer_id,
                member_id=draft.member_id.strip(),
                group_number=draft.group_number,
                relationship=draft.relationship,
                subscriber_first=draft.subscriber_first
                or (patient.first_name if self_insured else ""),
                subscriber_last=draft.subscriber_last
                or (patient.last_name if self_insured else ""),
                subscriber_dob=draft.subscriber_dob or (patient.dob if self_insured else None),
                subscriber_sex=patient.sex if self_insured else "U",
                subscriber_address1=patient.address1,
                subscriber_city=patient.city,
                subscriber_state=patient.state,
                subscriber_zip=patient.zip,
                start_date=draft.start_date,
                end_date=draft.end_date,
                copay_cents=draft.copay,
                deductible_cents=draft.deductible,
                coinsurance_bp=draft.coinsurance_bp,
                oop_max_cents=draft.oop_max,
            )
            session.audit(
                "create",
                "coverage",
                coverage.id,
                patient_id=patient.id,
                after={"payer": draft.payer_id, "priority": draft.priority},
            )
            refresh_accounts([patient.id])
        return coverage.id

    def record_verification(self, coverage_id: int, how: str, result: str) -> None:
        session = self._session
        with session.writing():
            coverage = Coverage.get_or_none(Coverage.id == coverage_id)
            if coverage is None:
                raise StoreRefused(f"no coverage {coverage_id}")
            Coverage.update(
                verified_at=utcnow(),
                verified_by=session.user_id(),
                verified_how=how[:12],
                verification_result=result[:200],
            ).where(Coverage.id == coverage_id).execute()
            session.audit(
                "verify",
                "coverage",
                coverage_id,
                patient_id=coverage.patient_id,
                after={"how": how, "result": result},
            )
            refresh_accounts([coverage.patient_id])


def _patient_record(row: Patient) -> PatientRecord:
    guarantor = None
    if row.guarantor_id is not None:
        g = row.guarantor
        guarantor = GuarantorRecord(
            first_name=g.first_name,
            last_name=g.last_name,
            relationship=g.relationship,
            address=f"{g.address1}, {g.city}, {g.state} {g.zip[:5]}",
            phone=g.phone,
        )
    return PatientRecord(
        id=row.id,
        account_number=row.account_number,
        first_name=row.first_name,
        middle_name=row.middle_name,
        last_name=row.last_name,
        dob=row.dob,
        sex=row.sex,
        address1=row.address1,
        address2=row.address2,
        city=row.city,
        state=row.state,
        zip=row.zip,
        phone=row.phone,
        email=row.email,
        contact_preference=row.contact_preference,
        version=row.version,
        guarantor=guarantor,
    )
