"""HL7 v2 messages from the EHR into the books: registrations (ADT^A04/A08) and charges
(DFT^P03), each answered with its ACK.

Each message is all or nothing (a savepoint of its own): one that fails leaves no
trace but its record and an item on the inbound-errors worklist, and the others
still import. A message is known by its sender (MSH-3^MSH-4) and control ID
(MSH-10): sent again after it imported, it imports nothing and is acknowledged
again; sent again after it failed (the patient registered since, say), it is
tried again, and its worklist item closes when it goes in.

A file is taken in chunks of messages, one transaction per chunk, so 10,000
charges are not 10,000 commits, and another writer waits for one chunk at most.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from itertools import islice
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path
from typing import TYPE_CHECKING

from peewee import DatabaseError, SqliteDatabase

from ..domain.money import format_cents
from ..interfaces.hl7 import (
    Charge,
    Charges,
    Framed,
    Header,
    Insurance,
    MessageProblem,
    Read,
    Registration,
    error,
    peek_header,
    read_message,
    split_messages,
)
from .bulk import among, insert_rows
from .cache import chunked
from .models import (
    BillingProvider,
    Coverage,
    FeeSchedule,
    InboundMessage,
    Patient,
    Payer,
    Provider,
    ReferringProvider,
    WorkItem,
    utcnow,
)
from .patients import KEEP
from .records.drafts import ClaimDraft, LineDraft, PatientDraft
from .records.patients import GuarantorDetails
from .session import Session, StoreRefused

if TYPE_CHECKING:
    from .accounts import Accounts
    from .claims import Claims

CHUNK = 200  # messages per transaction
END_REASON = "the EHR sent the plan's expiration date (IN1-13)"
IMPORTED, FAILED = "imported", "failed"


@dataclass(frozen=True, slots=True)
class Receipt:
    """What became of one message, and the ACK that says so."""

    position: int
    control_id: str
    message_type: str
    code: str  # AA, AE, AR
    detail: str
    ack: str
    where: str = ""  # the segment and field at fault (PID-7, FT1(2)-11)
    duplicate: bool = False
    patient_id: int | None = None
    claim_ids: tuple[int, ...] = ()

    @property
    def ok(self) -> bool:
        return self.code == "AA"


@dataclass(frozen=True, slots=True)
class FileReceipt:
    path: Path
    ack_path: Path | None
    receipts: tuple[Receipt, ...]

    @property
    def failed(self) -> int:
        return sum(1 for r in self.receipts if not r.ok)


class Inbound:
    def __init__(self, session: Session, accounts: Accounts, claims: Claims) -> None:
        self._session = session
        self._accounts = accounts
        self._claims = claims
        self._forget()

    def _forget(self) -> None:
        """Payers, providers and fees are read once per file or message: a listener that
        runs for weeks sees the provider added this morning."""
        self._payers: dict[str, tuple[int, str]] | None = None
        self._providers: dict[str, int] | None = None
        self._referring: dict[str, int] | None = None
        self._fees: dict[tuple[str, str], int] | None = None
        self._billing: int | None = None

    # ------------------------------------------------------------------ entry points

    def import_file(self, path: Path) -> FileReceipt:
        """Import every message of a file and write their ACKs beside it (FILE.ack):
        MLLP-framed when the file was. StoreRefused when the file cannot be read."""
        try:
            data = path.read_bytes()
        except OSError as problem:
            raise StoreRefused(f"cannot read {path}: {problem.strerror or problem}") from None
        framed = split_messages(data)
        if not framed:
            raise StoreRefused(f"{path} holds no HL7 messages")
        receipts = self.receive_all(framed, source=path.name)
        ack_path = path.with_name(path.name + ".ack")
        mllp = framed[0].mllp
        acks = (
            b"".join(b"\x0b" + r.ack.encode() + b"\x1c\r" for r in receipts)
            if mllp
            else "".join(r.ack + "\r\n" for r in receipts).encode()
        )
        from ..pdf.output import write_atomically

        try:
            write_atomically(ack_path, acks)
        except OSError as problem:
            # The messages are in; only their ACKs could not be written beside them.
            raise StoreRefused(
                f"the messages were imported, but the ACKs could not be written to "
                f"{ack_path}: {problem.strerror or problem}"
            ) from None
        return FileReceipt(path, ack_path, tuple(receipts))

    def receive_all(
        self,
        framed: Sequence[Framed],
        *,
        source: str,
    ) -> list[Receipt]:
        self._forget()
        receipts: list[Receipt] = []
        imported = self._imported([peek_header(f) for f in framed])
        with _reader(len(framed) - len(imported)) as read:
            reads = _merged(framed, imported, read)
            while chunk := list(islice(reads, CHUNK)):
                with self._session.writing():
                    receipts.extend(self._chunk(chunk, source))
        return receipts

    def receive(
        self, data: bytes, *, source: str, position: int, truncated: bool = False
    ) -> Receipt:
        """One message as it came over MLLP (the block's bytes): imported, and its ACK.
        truncated: the connection ended before the block did."""
        from ..interfaces.hl7 import _segments, decode

        framed = Framed(_segments(decode(data)), position, truncated=truncated, mllp=True)
        self._forget()
        with self._session.writing():
            return self._receive(read_message(framed), source)

    # ------------------------------------------------------------------ a chunk

    def _chunk(self, reads: Sequence[Read], source: str) -> list[Receipt]:
        """A chunk's messages in order. Charges read clean wait in `pending` and are
        written together (a few statements for all their claims, lines and audit rows);
        anything else first writes what waits, so every message sees the ones before.
        Messages already imported are answered from one lookup for the chunk."""
        out: dict[int, Receipt] = {}
        pending: list[_Pending] = []
        seen: set[tuple[str, str]] = set()
        known = self._received({(r.header.sender, r.header.control_id) for r in reads if r.header})
        again: list[int] = []
        for n, read in enumerate(reads):
            header = read.header
            key = (header.sender, header.control_id) if header is not None else None
            if key is not None and key not in seen:
                seen.add(key)
                row = known.get(key)
                if row is not None and row[1] == IMPORTED:
                    again.append(row[0])
                    out[n] = _duplicate(read, row[2], row[3])
                    continue
                if row is None and read.problem is None and isinstance(read.record, Charges):
                    try:
                        patient_id, drafts = self._charge_drafts(read.record)
                    except (MessageProblem, StoreRefused):
                        pass  # the one-at-a-time path says why, and records it
                    else:
                        pending.append(_Pending(n, read, patient_id, drafts))
                        continue
            self._flush(pending, out, source)
            out[n] = self._receive(read, source)
        self._flush(pending, out, source)
        if again:
            InboundMessage.update(attempts=InboundMessage.attempts + 1).where(
                among(InboundMessage.id, again)
            ).execute()
        return [out[n] for n in range(len(reads))]

    def _imported(self, headers: Sequence[Header | None]) -> dict[int, Header]:
        """The messages of a file imported before, by their place in it, from their MSH
        lines alone: they are answered without being read again."""
        received = self._received({(h.sender, h.control_id) for h in headers if h})
        found = {}
        for n, header in enumerate(headers):
            row = received.get((header.sender, header.control_id)) if header else None
            if row is not None and row[1] == IMPORTED:
                found[n] = header
        return found

    def _received(self, keys: set[tuple[str, str]]) -> dict[tuple[str, str], tuple]:
        """(sender, control ID) -> (id, status, received_at, patient id) of the messages
        among keys received before, 500 control IDs a query."""
        found: dict[tuple[str, str], tuple] = {}
        for ids in chunked(sorted({control for _, control in keys if control})):
            rows = InboundMessage.select(
                InboundMessage.sender, InboundMessage.control_id, InboundMessage.id,
                InboundMessage.status, InboundMessage.received_at, InboundMessage.patient,
            ).where(among(InboundMessage.control_id, ids)).tuples()  # fmt: skip
            found.update(
                ((sender, control), rest)
                for sender, control, *rest in rows
                if (sender, control) in keys
            )
        return found

    def _flush(self, pending: list[_Pending], out: dict[int, Receipt], source: str) -> None:
        if not pending:
            return
        claims = self._claims
        drafts = [draft for p in pending for draft in p.drafts]
        try:
            with self._session.db.atomic():
                ids = claims.create_many(drafts)
                numbers = claims.claim_numbers(ids)
                findings = claims.scrub_many(ids)
                made = iter(zip(ids, drafts, strict=True))
                rows, receipts = [], []
                for p in pending:
                    mine = [next(made) for _ in p.drafts]
                    claim_ids = tuple(claim_id for claim_id, _ in mine)
                    detail = "; ".join(
                        _drafted(numbers[c], d, findings.get(c, ())) for c, d in mine
                    )
                    values = self._values(p.read, source, None, p.patient_id, detail, claim_ids)
                    rows.append(tuple(values[f] for f in _ROW_FIELDS))
                    receipts.append((p.index, _accepted(p.read, detail, p.patient_id, claim_ids)))
                insert_rows(InboundMessage, _ROW_FIELDS, rows)
        except (StoreRefused, DatabaseError):
            # One of them the database would not take: each alone, so it fails alone.
            for p in pending:
                out[p.index] = self._receive(p.read, source)
        else:
            out.update(receipts)
        pending.clear()

    def _values(
        self,
        read: Read,
        source: str,
        failure: MessageProblem | None,
        patient_id: int | None,
        detail: str,
        claim_ids: Iterable[int],
    ) -> dict[str, object]:
        """A received message's row (InboundMessage's fields, attempts aside)."""
        framed, header = read.framed, read.header
        return {
            "sender": header.sender[:80] if header else "",
            "control_id": (header.control_id[:50] or None) if header else None,
            "message_type": header.message_type[:16] if header else "",
            "status": FAILED if failure else IMPORTED,
            "ack_code": failure.ack if failure else "AA",
            "detail": (str(failure) if failure else detail)[:300],
            "source": source[:255],
            "position": framed.position,
            "patient": patient_id,
            "claims": " ".join(str(c) for c in claim_ids)[:200],
            "raw": framed.text,
            "received_at": utcnow(),
            "received_by": self._session.user_id(),
        }

    def _one(self, sql: str, params: tuple):
        """The first value of a constant, parameterized query: the per-message lookups
        of a 10,000-message file, without peewee building the same SQL each time."""
        db = self._session.db
        if not isinstance(db, SqliteDatabase):
            sql = sql.replace("?", "%s")
        row = db.execute_sql(sql, params).fetchone()
        return row[0] if row else None

    # ------------------------------------------------------------------ one message

    def _receive(self, read: Read, source: str) -> Receipt:
        framed, header = read.framed, read.header
        if header is None:  # too broken to read a header from
            problem = read.problem
            assert problem is not None
            # No control ID to know it by: the same text again is the same failure.
            same = InboundMessage.get_or_none(
                InboundMessage.control_id.is_null()
                & (InboundMessage.status == FAILED)
                & (InboundMessage.raw == framed.text)
            )
            self._record(read, source, problem, same)
            return Receipt(
                framed.position, "", "", problem.ack, problem.text,
                read.ack(problem.ack, problem.text, problem), problem.where,
            )  # fmt: skip
        existing = None
        if header.control_id:
            existing = InboundMessage.get_or_none(
                (InboundMessage.sender == header.sender)
                & (InboundMessage.control_id == header.control_id)
            )
        if existing is not None and existing.status == IMPORTED:
            InboundMessage.update(attempts=InboundMessage.attempts + 1).where(
                InboundMessage.id == existing.id
            ).execute()
            return _duplicate(read, existing.received_at, existing.patient_id)
        failure = read.problem
        if failure is None:
            try:
                with self._session.db.atomic():  # a savepoint: this message, all or nothing
                    if isinstance(read.record, Registration):
                        patient_id, detail, claim_ids = self._registration(read.record)
                    else:
                        assert isinstance(read.record, Charges)
                        patient_id, detail, claim_ids = self._charges(read.record)
            except MessageProblem as problem:
                failure = problem
            except StoreRefused as refused:
                failure = error("", str(refused))
            else:
                self._record(read, source, None, existing, patient_id, detail, claim_ids)
                return _accepted(read, detail, patient_id, claim_ids)
        patient_id = self._find_patient(read.mrn, read.account)
        self._record(read, source, failure, existing, patient_id)
        return Receipt(
            framed.position, header.control_id, header.message_type, failure.ack,
            str(failure), read.ack(failure.ack, str(failure), failure),
            where=failure.where, patient_id=patient_id,
        )  # fmt: skip

    def _record(
        self,
        read: Read,
        source: str,
        failure: MessageProblem | None,
        existing: InboundMessage | None,
        patient_id: int | None = None,
        detail: str = "",
        claim_ids: Iterable[int] = (),
    ) -> None:
        """The message's row, and for a failure the worklist item a person works."""
        session = self._session
        framed, header = read.framed, read.header
        values = self._values(read, source, failure, patient_id, detail, claim_ids)
        if existing is None:
            row_id = InboundMessage.insert(**values).execute()
        else:
            row_id = existing.id
            InboundMessage.update(**values, attempts=InboundMessage.attempts + 1).where(
                InboundMessage.id == row_id
            ).execute()
        open_item = (
            WorkItem.select(WorkItem.id)
            .where(
                (WorkItem.kind == "inbound")
                & (WorkItem.inbound_message == row_id)
                & WorkItem.closed_at.is_null()
            )
            .scalar()
            if existing is not None
            else None
        )
        if failure is None:
            if open_item is not None:
                WorkItem.update(
                    closed_at=utcnow(), closed_by=session.user_id(),
                    resolution="imported when it was sent again",
                ).where(WorkItem.id == open_item).execute()  # fmt: skip
            return
        kind = header.message_type if header and header.message_type else "message"
        control = f" {header.control_id}" if header and header.control_id else ""
        # The problem first (what a person reads in a narrow column), then which message.
        reason = f"{failure.ack} {failure} · {kind}{control}, {source} #{framed.position}"[:300]
        if open_item is not None:
            WorkItem.update(reason=reason, patient=patient_id).where(
                WorkItem.id == open_item
            ).execute()
        else:
            WorkItem.create(
                kind="inbound", patient=patient_id, reason=reason, inbound_message=row_id,
                opened_by=session.user_id(),
            )  # fmt: skip

    # ------------------------------------------------------------------ ADT

    def _registration(self, reg: Registration) -> tuple[int, str, tuple[int, ...]]:
        accounts = self._accounts
        patient_id = self._find_patient(reg.mrn, reg.account_number)
        person = reg.patient
        guarantor = _guarantor(reg)
        if patient_id is None:
            draft = PatientDraft(
                first_name=person.first_name,
                last_name=person.last_name,
                middle_name=person.middle_name,
                dob=person.dob,  # type: ignore[arg-type]
                sex=person.sex,
                address1=person.address1,
                address2=person.address2,
                city=person.city,
                state=person.state,
                zip=person.zip,
                phone=person.phone,
                email=person.email,
                account_number=reg.account_number or None,
                mrn=reg.mrn or None,
            )
            patient_id = _refused_as_error(lambda: accounts.register_patient(draft, guarantor))
            what = "registered"
        else:
            current = accounts.patient_details(patient_id)
            changes = {
                name: value
                for name, value in (
                    ("last_name", person.last_name), ("first_name", person.first_name),
                    ("middle_name", person.middle_name), ("dob", person.dob),
                    ("sex", person.sex if person.sex != "U" else ""),
                    ("address1", person.address1), ("address2", person.address2),
                    ("city", person.city), ("state", person.state), ("zip", person.zip),
                    ("phone", person.phone), ("email", person.email),
                )
                # An empty field says nothing (HL7: only "" would clear it): leave ours.
                if value not in ("", None) and getattr(current, name) != value
            }  # fmt: skip
            _refused_as_error(
                lambda: accounts.update_patient(
                    patient_id,
                    changes,
                    current.version,
                    guarantor=guarantor if reg.guarantor_sent else KEEP,
                )
            )
            if reg.mrn and not current.mrn:
                _refused_as_error(lambda: accounts.assign_mrn(patient_id, reg.mrn))
            what = f"updated ({', '.join(changes)})" if changes else "already up to date"
        notes = [self._insurance(accounts, patient_id, ins) for ins in reg.insurances]
        number = Patient.select(Patient.account_number).where(Patient.id == patient_id).scalar()
        detail = "; ".join([f"account {number} {what}", *[n for n in notes if n]])
        return patient_id, detail, ()

    def _insurance(self, accounts, patient_id: int, ins: Insurance) -> str:
        payer = self._payer(ins)
        values: dict[str, object] = {
            "payer_id": payer,
            "member_id": ins.member_id,
            "group_number": ins.group_number,
            "relationship": ins.relationship,
        }
        if ins.relationship != "18" or ins.subscriber_last:
            values.update(
                subscriber_last=ins.subscriber_last, subscriber_first=ins.subscriber_first
            )
        if ins.subscriber_dob:
            values["subscriber_dob"] = ins.subscriber_dob
        if ins.subscriber_sex:
            values["subscriber_sex"] = ins.subscriber_sex
        today = self._session.today()
        ended = ins.end_date is not None and ins.end_date < today
        if ins.end_date and not ended:
            values["end_date"] = ins.end_date
        active = list(
            Coverage.select()
            .where((Coverage.patient == patient_id) & (Coverage.active == True))  # noqa: E712
            .order_by(Coverage.priority)
        )
        same = next(
            (c for c in active if c.payer_id == payer and c.member_id == ins.member_id), None
        )
        try:
            if same is not None:
                if ins.start_date:
                    values["start_date"] = ins.start_date
                current = accounts.coverage_details(same.id)
                changes = {k: v for k, v in values.items() if getattr(current, k, v) != v}
                if changes:
                    accounts.update_coverage(same.id, changes)
                if ended:
                    accounts.end_coverage(same.id, ins.end_date, END_REASON)
                    return f"coverage {ins.payer_code} {ins.member_id} ended {ins.end_date}"
                return f"coverage {ins.payer_code} {ins.member_id} updated" if changes else ""
            if ended:  # a plan that is over and that we never had: nothing to bill it
                return f"coverage {ins.payer_code} {ins.member_id} ended before: not added"
            note = ""
            if ins.start_date is None:
                values["start_date"] = today
                note = f" ({ins.where}-12 sent no start date: it starts today)"
            else:
                values["start_date"] = ins.start_date
            priority = min(ins.set_id, len(active) + 1)
            accounts.new_coverage(patient_id, values, priority)
            return f"coverage {ins.payer_code} {ins.member_id} added{note}"
        except StoreRefused as refused:
            raise error(ins.where, str(refused)) from None

    def _payer(self, ins: Insurance) -> int:
        if self._payers is None:
            self._payers = {
                code: (pid, kind)
                for pid, code, kind in Payer.select(Payer.id, Payer.payer_code, Payer.kind).tuples()
            }
        found = self._payers.get(ins.payer_code)
        if found is None:
            raise error(
                f"{ins.where}-3",
                f"insurance company ID {ins.payer_code[:20]} is not a payer code on file",
                "204",
            )
        return found[0]

    # ------------------------------------------------------------------ DFT

    def _charges(self, charges: Charges) -> tuple[int, str, tuple[int, ...]]:
        patient_id, drafts = self._charge_drafts(charges)
        claims = self._claims
        made = [_refused_as_error(lambda d=d: claims.create(d), "FT1") for d in drafts]
        numbers = claims.claim_numbers(made)
        detail = "; ".join(
            _drafted(numbers[c], d, claims.scrub(c)) for c, d in zip(made, drafts, strict=True)
        )
        return patient_id, detail, tuple(made)

    def _charge_drafts(self, charges: Charges) -> tuple[int, list[ClaimDraft]]:
        """The message's patient and a draft claim per visit (its date, performing provider
        and place), every field checked; nothing written."""
        patient_id = self._find_patient(charges.mrn, charges.account_number)
        if patient_id is None:
            if charges.mrn:
                raise error(
                    "PID-3",
                    f"no account has medical record number {charges.mrn}: "
                    "register the patient (ADT^A04) first",
                    "204",
                )
            raise error("PID-18", f"no account {charges.account_number}", "204")
        visits: dict[tuple[dt.date, str, str], list[Charge]] = {}
        for charge in charges.charges:
            key = (charge.dos, charge.performed_by, charge.place_of_service)
            visits.setdefault(key, []).append(charge)
        drafts = [
            self._draft(patient_id, charges, dos, npi, place, lines)
            for (dos, npi, place), lines in visits.items()
        ]
        return patient_id, drafts

    def _draft(
        self,
        patient_id: int,
        charges: Charges,
        dos: dt.date,
        npi: str,
        place: str,
        lines: list[Charge],
    ) -> ClaimDraft:
        first = lines[0]
        rendering = self._provider(npi, first)
        diagnoses = list(charges.diagnoses)
        for line in lines:
            diagnoses.extend(code for code in line.diagnoses if code not in diagnoses)
        if not diagnoses:
            raise error("DG1", "the visit has no diagnosis (DG1, or FT1-19 on its charges)", "101")
        if len(diagnoses) > 12:
            raise error("DG1", f"{len(diagnoses)} diagnoses on one visit; a claim takes 12")
        drafts = []
        for line in lines:
            pointers = tuple(diagnoses.index(code) + 1 for code in line.diagnoses) or (1,)
            if len(pointers) > 4:
                raise error(f"{line.where}-19", "a charge points at four diagnoses at most")
            amount = line.amount
            if amount is None:
                fee = self._fee(line)
                amount = fee * line.units
            else:
                self._fee(line)  # the code must be ours even when the EHR priced it
            drafts.append(
                LineDraft(
                    dos_from=line.dos, code=line.code, charge=amount, units=line.units,
                    modifiers=line.modifiers, pointers=pointers,
                )
            )  # fmt: skip
        referring = self._referring_of(first.ordered_by) if first.ordered_by else None
        return ClaimDraft(
            patient_id=patient_id,
            billing_provider_id=self._billing_provider(),
            rendering_provider_id=rendering,
            place_of_service=place,
            lines=tuple(drafts),
            diagnoses=tuple(diagnoses),
            coverage_id=self._primary_on(patient_id, dos),
            referring_provider_id=referring,
        )

    def _provider(self, npi: str, line: Charge) -> int:
        if self._providers is None:
            self._providers = dict(
                Provider.select(Provider.npi, Provider.id)
                .where(Provider.active == True)  # noqa: E712
                .tuples()
            )
        found = self._providers.get(npi)
        if found is None:
            raise error(
                f"{line.where}-20", f"no active provider with NPI {npi[:12]} on file", "204"
            )
        return found

    def _referring_of(self, npi: str) -> int | None:
        if self._referring is None:
            self._referring = dict(
                ReferringProvider.select(ReferringProvider.npi, ReferringProvider.id).tuples()
            )
        return self._referring.get(npi)

    def _fee(self, line: Charge) -> int:
        if self._fees is None:
            self._fees = {
                (code, modifier): cents
                for code, modifier, cents in FeeSchedule.select(
                    FeeSchedule.code, FeeSchedule.modifier, FeeSchedule.charge_cents
                ).tuples()
            }
        modifier = line.modifiers[0] if line.modifiers else ""
        fee = self._fees.get((line.code, modifier), self._fees.get((line.code, "")))
        if fee is None:
            if not any(code == line.code for code, _ in self._fees):
                where = f"{line.where}-25"
                raise error(where, f"procedure {line.code} is not in the fee schedule", "103")
            fee = next(cents for (code, _), cents in self._fees.items() if code == line.code)
        return fee

    def _billing_provider(self) -> int:
        if self._billing is None:
            self._billing = (
                BillingProvider.select(BillingProvider.id).order_by(BillingProvider.id).scalar()
            )
            if self._billing is None:
                raise error(
                    "", "no billing provider is set up: charges cannot be billed yet", "207"
                )
        return self._billing

    def _find_patient(self, mrn: str, account: str) -> int | None:
        if mrn:
            found = self._one("SELECT id FROM patient WHERE mrn = ?", (mrn,))
            if found is not None:
                return found
        if account:
            return self._one("SELECT id FROM patient WHERE account_number = ?", (account,))
        return None

    def _primary_on(self, patient_id: int, dos: dt.date) -> int | None:
        """The coverage a visit bills: the primary among those in force on its date."""
        return self._one(
            "SELECT id FROM coverage WHERE patient_id = ? AND active = ? AND start_date <= ? "
            "AND (end_date IS NULL OR end_date >= ?) ORDER BY priority, id LIMIT 1",
            (patient_id, True, dos.isoformat(), dos.isoformat()),
        )

    # ------------------------------------------------------------------ reading

    def message(self, message_id: int) -> InboundMessage:
        row = InboundMessage.get_or_none(InboundMessage.id == message_id)
        if row is None:
            raise StoreRefused(f"no inbound message {message_id}")
        return row

    def retry(self, message_id: int) -> Receipt:
        """Import a failed message again as it was received (after the cause is fixed)."""
        row = self.message(message_id)
        if row.status == IMPORTED:
            raise StoreRefused(f"inbound message {message_id} was imported already")
        framed = Framed(row.raw, row.position)
        self._forget()
        with self._session.writing():
            receipt = self._receive(read_message(framed), row.source)
        return replace(receipt, position=row.position)


@dataclass(frozen=True, slots=True)
class _Pending:
    """A DFT message checked clean, its claims waiting to be written with the others."""

    index: int
    read: Read
    patient_id: int
    drafts: list[ClaimDraft]


def _accepted(read: Read, detail: str, patient_id: int | None, claim_ids=()) -> Receipt:
    header = read.header
    assert header is not None
    return Receipt(
        read.framed.position, header.control_id, header.message_type, "AA", detail,
        read.ack("AA", detail), patient_id=patient_id, claim_ids=tuple(claim_ids),
    )  # fmt: skip


def _duplicate(read: Read, received_at: dt.datetime, patient_id: int | None) -> Receipt:
    header = read.header
    assert header is not None
    detail = (
        f"already imported {received_at:%Y-%m-%d %H:%M} UTC "
        f"(message control ID {header.control_id}): nothing imported again"
    )
    return Receipt(
        read.framed.position, header.control_id, header.message_type, "AA", detail,
        read.ack("AA", detail), duplicate=True, patient_id=patient_id,
    )  # fmt: skip


def _merged(framed: Sequence[Framed], imported: dict[int, Header], read) -> Iterator[Read]:
    """Every message in order: the ones imported before as their header alone, the rest
    as read(...) reads them."""
    fresh = iter(read([f for n, f in enumerate(framed) if n not in imported]))
    for n, item in enumerate(framed):
        header = imported.get(n)
        yield Read(item, header, None) if header is not None else next(fresh)


READ_APART_FROM = 1_000  # messages in a file from which another process reads them


@contextmanager
def _reader(count: int):
    """read(framed) -> the messages read, in order: in forked processes beside this one
    for a big file (reading is most of the work, and it needs no database), else here."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if count < READ_APART_FROM or (cpus or 1) < 2 or "fork" not in get_all_start_methods():
        yield lambda framed: map(read_message, framed)
        return
    # As many readers as CPUs: reading costs more than writing, so this process mostly
    # waits on them, and the CPUs share the work.
    with get_context("fork").Pool(cpus) as pool:
        yield lambda framed: pool.imap(read_message, framed, chunksize=100)


_ROW_FIELDS = (
    "sender", "control_id", "message_type", "status", "ack_code", "detail", "source",
    "position", "patient", "claims", "raw", "received_at", "received_by",
)  # fmt: skip


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' * (count != 1)}"


def _drafted(number: str, draft: ClaimDraft, findings) -> str:
    """'claim 10000042-3 drafted, 2 lines, 165.00, scrubber: clean'."""
    errors = [f for f in findings if f.blocks]
    if errors:
        verdict = f"{_plural(len(errors), 'error')} ({errors[0].message})"
    elif findings:
        verdict = _plural(len(findings), "warning")
    else:
        verdict = "clean"
    total = format_cents(sum(line.charge for line in draft.lines))
    return (
        f"claim {number} drafted, {_plural(len(draft.lines), 'line')}, {total}, scrubber: {verdict}"
    )


def _guarantor(reg: Registration) -> GuarantorDetails | None:
    g = reg.guarantor
    if g is None:
        return None
    return GuarantorDetails(
        last_name=g.last_name, first_name=g.first_name, relationship=reg.guarantor_relationship,
        address1=g.address1 or reg.patient.address1, city=g.city or reg.patient.city,
        state=g.state or reg.patient.state, zip=g.zip or reg.patient.zip, dob=g.dob,
        address2=g.address2, phone=g.phone, email=g.email,
    )  # fmt: skip


def _refused_as_error(call, where: str = "PID"):
    """Run a store call; its refusal becomes an AE about that segment."""
    try:
        return call()
    except StoreRefused as refused:
        raise error(where, str(refused)) from None
