"""Letters and emails of the contact log: printing a letter, writing an email to the outbox,
and sending the outbox over SMTP.

A letter or email is written to its file first, beside its final name; then one write
transaction records the OutboundMessage, the account's contact-log Note and the audit
row, and the file takes its name inside it. So a file that could not be written leaves
no record, and every record has its file. An email waits in the outbox (status queued)
until a send run hands it to the mail server: then it moves to outbox/sent/, its message
is marked sent and its Note's outcome becomes "sent" (an audited update, like the message's
own status: the Note is the one line of the contact log for that email, and the audit
trail keeps when it was queued and when it went). One that fails stays queued with its
attempts and last error; a server that cannot be reached stops the run.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from peewee import JOIN, fn

from ..config import EmailSettings
from ..domain import letters
from ..domain.letters import LetterError, LetterFacts, PlanTerms, ScheduleRow
from .models import BillingProvider, Guarantor, LedgerEntry, Note, OutboundMessage, Patient, utcnow
from .records.contacts import Document, OutboxRow, SendFailure, SendReport
from .session import Session, StoreRefused

MAX_PATH = 255  # OutboundMessage.file_name and Note.document
SENT_DIR = "sent"
LOCK_NAME = ".sending.lock"


class Contacts:
    def __init__(self, session: Session, plans=None) -> None:
        self._session = session
        self._plans = plans  # store.plans.Plans; made on first use when not given

    # ------------------------------------------------------------------ facts

    def templates(self) -> list[letters.Template]:
        return list(letters.TEMPLATES.values())

    def facts(self, patient_id: int, *, with_plan: bool = False) -> LetterFacts:
        """What a letter or email to the account can say, read from the store."""
        row = (
            Patient.select(Patient, Guarantor)
            .join(Guarantor, JOIN.LEFT_OUTER)
            .where(Patient.id == patient_id)
            .first()
        )
        if row is None:
            raise StoreRefused(f"no account with id {patient_id}")
        practice = BillingProvider.select().order_by(BillingProvider.id).first()
        if practice is None:
            raise StoreRefused("the practice (billing provider) is not set up: letters need it")
        insurance, patient_balance = (
            LedgerEntry.select(
                fn.COALESCE(fn.SUM(LedgerEntry.insurance_delta), 0),
                fn.COALESCE(fn.SUM(LedgerEntry.patient_delta), 0),
            )
            .where(LedgerEntry.patient == patient_id)
            .tuples()
            .first()
        )  # fmt: skip
        middle = f" {row.middle_name[:1]}." if row.middle_name else ""
        patient_name = f"{row.first_name}{middle} {row.last_name}"
        if row.guarantor_id is not None:
            g = row.guarantor
            recipient = f"{g.first_name} {g.last_name}"
            lines = _postal_lines(g.address1, g.address2, g.city, g.state, g.zip)
            email = g.email
        else:
            recipient = patient_name
            lines = _postal_lines(row.address1, row.address2, row.city, row.state, row.zip)
            email = row.email
        return LetterFacts(
            practice_name=practice.name,
            practice_address=_postal_lines(practice.address1, practice.address2, practice.city,
                                           practice.state, practice.zip),
            practice_phone=_phone(practice.phone),
            recipient_name=recipient,
            recipient_address=lines,
            patient_name=patient_name,
            account_number=row.account_number,
            date=self._session.today(),
            patient_balance=int(patient_balance),
            insurance_pending=int(insurance),
            recipient_email=email.strip(),
            recipient_is_guarantor=row.guarantor_id is not None,
            plan=self._plan_terms(patient_id) if with_plan else None,
        )  # fmt: skip

    def _plan_terms(self, patient_id: int) -> PlanTerms | None:
        if self._plans is None:
            from ..domain.queue import QueuePolicy
            from .plans import Plans

            # The grace days only decide an instalment's state, which a letter does not print.
            self._plans = Plans(self._session, QueuePolicy())
        plan = self._plans.current(patient_id)
        if plan is None:
            return None
        return PlanTerms(
            total=plan.total,
            instalment=plan.instalment,
            instalments=plan.instalments,
            frequency=plan.frequency,
            start_date=plan.start_date,
            schedule=tuple(ScheduleRow(i.number, i.due, i.amount) for i in plan.schedule),
            paid=plan.paid,
            remaining=plan.remaining,
        )

    # ------------------------------------------------------------------ a letter

    def letter(
        self,
        patient_id: int,
        template: str,
        out_dir: Path,
        *,
        file_name: str | None = None,
        create_dir: bool = False,
    ) -> Document:
        """Print the letter into out_dir (as file_name, else letter-<template>-<account>-
        <yyyymmdd>-<id>.pdf, readable by its owner only) and log it on the account."""
        chosen = _template(template)
        facts = self.facts(patient_id, with_plan=chosen.needs_plan)
        try:
            content = letters.letter(chosen.name, facts)
        except LetterError as error:
            raise StoreRefused(str(error)) from None
        if file_name is not None and (not file_name or Path(file_name).name != file_name):
            raise StoreRefused(f"{file_name!r} is not a file name")
        out_dir = _ready_dir(Path(out_dir), create=create_dir, what="the letter")
        from ..pdf.letter import letter_pdf  # on first use: fpdf2 is slow to import

        data = letter_pdf(content)
        text = f"Letter: {chosen.title}" + (
            " (to the guarantor)" if facts.recipient_is_guarantor else ""
        )

        def name(message_id: int) -> str:
            return file_name or _file_name("letter", chosen.name, facts, message_id, "pdf")

        return self._record(
            patient_id, facts, data, out_dir, name,
            channel="letter", template=chosen.name, status="printed",
            recipient=facts.recipient_name, subject=content.title, note_text=text,
        )  # fmt: skip

    # ------------------------------------------------------------------ an email

    def email(self, patient_id: int, template: str, settings: EmailSettings) -> Document:
        """Write the email as an .eml file into the outbox (status queued) and log it."""
        from ..mail import MailError, build_message, eml_bytes, parse_address

        if not settings.sender.strip():
            raise StoreRefused(
                'no sender address for emails: set from = "billing@..." under [email] '
                "in the config file"
            )
        chosen = _template(template)
        facts = self.facts(patient_id, with_plan=chosen.needs_plan)
        try:
            content = letters.email(chosen.name, facts)
        except LetterError as error:
            raise StoreRefused(str(error)) from None
        try:
            parse_address(settings.sender)
        except MailError:
            raise StoreRefused("[email] from in the config file is not an email address") from None
        try:
            message = build_message(
                sender=settings.sender,
                recipient_name=facts.recipient_name,
                recipient_address=facts.recipient_email,
                subject=content.subject,
                body=content.body,
            )
        except MailError:
            # Never the address itself: it is patient data.
            raise StoreRefused(
                f"the email address on account {facts.account_number} is not a valid address"
            ) from None
        outbox = _ready_dir(Path(settings.outbox), create=True, what="the email")
        text = f"Email: {chosen.title}" + (
            " (to the guarantor)" if facts.recipient_is_guarantor else ""
        )
        return self._record(
            patient_id, facts, eml_bytes(message), outbox,
            lambda message_id: _file_name("email", chosen.name, facts, message_id, "eml"),
            channel="email", template=chosen.name, status="queued",
            recipient=facts.recipient_email, subject=content.subject, note_text=text,
        )  # fmt: skip

    # ------------------------------------------------------------------ recording

    def _record(
        self,
        patient_id: int,
        facts: LetterFacts,
        data: bytes,
        out_dir: Path,
        name,
        *,
        channel: str,
        template: str,
        status: str,
        recipient: str,
        subject: str,
        note_text: str,
    ) -> Document:
        """The file beside its final name, then the records and the rename in one transaction."""
        session = self._session
        temporary = ""
        try:
            handle, temporary = tempfile.mkstemp(dir=out_dir, prefix=f".{channel}-", suffix=".part")
            with os.fdopen(handle, "wb") as file:  # mkstemp's mode: the owner's only
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
        except OSError as error:
            if temporary:
                Path(temporary).unlink(missing_ok=True)
            raise StoreRefused(
                f"cannot write in {out_dir}: {error.strerror or error}; nothing recorded"
            ) from None
        final: Path | None = None
        renamed = False
        try:
            with session.writing():
                message_id = OutboundMessage.insert(
                    patient=patient_id, channel=channel, template=template,
                    recipient=recipient[:120], subject=subject[:200], file_name="",
                    status=status, created_at=utcnow(), created_by=session.user_id(),
                ).execute()  # fmt: skip
                final = out_dir / name(message_id)
                if len(str(final)) > MAX_PATH:
                    raise StoreRefused(
                        f"the file's path is longer than {MAX_PATH} characters: choose a "
                        "shorter folder; nothing recorded"
                    )
                note = Note.create(
                    patient=patient_id, kind=channel, direction="out", outcome=status,
                    text=note_text, created_by=session.user_id(), document=str(final),
                )  # fmt: skip
                OutboundMessage.update(file_name=str(final), note=note.id).where(
                    OutboundMessage.id == message_id
                ).execute()
                session.audit(
                    "print" if channel == "letter" else "queue", "outbound_message", message_id,
                    patient_id=patient_id,
                    after={"channel": channel, "template": template, "note": note.id,
                           "file": final.name},
                )  # fmt: skip
                try:
                    os.replace(temporary, final)
                except OSError as error:
                    raise StoreRefused(
                        f"cannot write {final}: {error.strerror or error}; nothing recorded"
                    ) from None
                renamed = True
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            if renamed and final is not None:  # the commit failed after the rename
                final.unlink(missing_ok=True)
            raise
        return Document(message_id, note.id, channel, template, facts.account_number, final, status)

    # ------------------------------------------------------------------ the outbox

    def outbox(self, limit: int = 100) -> list[OutboxRow]:
        """The emails waiting to be sent, oldest first."""
        query = (
            OutboundMessage.select(
                OutboundMessage.id, Patient.account_number, OutboundMessage.template,
                OutboundMessage.created_at, OutboundMessage.attempts,
                OutboundMessage.last_error, OutboundMessage.file_name,
            )
            .join(Patient, on=(Patient.id == OutboundMessage.patient))
            .where((OutboundMessage.channel == "email") & (OutboundMessage.status == "queued"))
            .order_by(OutboundMessage.id)
            .limit(limit)
            .tuples()
        )  # fmt: skip
        return [
            OutboxRow(mid, number, template, created, attempts, error, Path(file_name).name)
            for mid, number, template, created, attempts, error, file_name in query
        ]

    def send_outbox(self, settings: EmailSettings) -> SendReport:
        """Send every queued email, oldest first, over one SMTP connection."""
        from ..mail import MailError, MailServer, read_eml

        if not settings.can_send:
            raise StoreRefused(
                f"no mail server is set up (smtp_host under [email] in the config file); "
                f"the emails wait in {settings.outbox} for a mail client"
            )
        outbox = Path(settings.outbox)
        if not outbox.is_dir():
            return SendReport(0, 0, 0)
        sent = failed = not_tried = 0
        failures: list[SendFailure] = []
        stopped = ""
        with _only_sender(outbox), MailServer(settings) as server:
            queued = self._queued()
            for index, item in enumerate(queued):
                try:
                    server.send(read_eml(item.path), private=item.names)
                except MailError as error:
                    failed += 1
                    failures.append(
                        SendFailure(item.id, item.account_number, item.template, str(error))
                    )
                    self._failed(item, str(error))
                    if error.server_down:
                        stopped = str(error)
                        not_tried = len(queued) - index - 1
                        break
                    continue
                self._sent(item, outbox / SENT_DIR)
                sent += 1
        return SendReport(sent, failed, not_tried, tuple(failures), stopped)

    def _queued(self) -> list[_Queued]:
        query = (
            OutboundMessage.select(
                OutboundMessage.id, OutboundMessage.patient, OutboundMessage.note,
                Patient.account_number, OutboundMessage.template, OutboundMessage.file_name,
                OutboundMessage.attempts, Patient.first_name, Patient.last_name,
                Guarantor.first_name, Guarantor.last_name,
            )
            .join(Patient, on=(Patient.id == OutboundMessage.patient))
            .join(Guarantor, JOIN.LEFT_OUTER, on=(Guarantor.id == Patient.guarantor))
            .where((OutboundMessage.channel == "email") & (OutboundMessage.status == "queued"))
            .order_by(OutboundMessage.id)
            .tuples()
        )  # fmt: skip
        return [
            _Queued(mid, pid, note, number, template, Path(file_name), attempts,
                    tuple(n for n in (first, last, gfirst, glast) if n))
            for (mid, pid, note, number, template, file_name, attempts, first, last,
                 gfirst, glast) in query
        ]  # fmt: skip

    def _sent(self, item: _Queued, sent_dir: Path) -> None:
        session = self._session
        target = sent_dir / item.path.name
        moved = False
        with session.writing():
            try:
                sent_dir.mkdir(mode=0o700, exist_ok=True)
                os.replace(item.path, target)
                moved = True
            except OSError:
                target = item.path  # it went; it is marked sent where it lies
            try:
                OutboundMessage.update(
                    status="sent", sent_at=utcnow(), attempts=OutboundMessage.attempts + 1,
                    last_error="", file_name=str(target),
                ).where(OutboundMessage.id == item.id).execute()  # fmt: skip
                if item.note_id is not None:
                    Note.update(outcome="sent", document=str(target)).where(
                        Note.id == item.note_id
                    ).execute()
                where = f"{SENT_DIR}/{target.name}" if moved else target.name
                session.audit(
                    "send", "outbound_message", item.id, patient_id=item.patient_id,
                    before={"status": "queued", "note_outcome": "queued"},
                    after={"status": "sent", "note_outcome": "sent",
                           "attempts": item.attempts + 1, "file": where},
                )  # fmt: skip
            except BaseException:
                if moved:  # the record stays queued: so does its file
                    with contextlib.suppress(OSError):
                        os.replace(target, item.path)
                raise

    def _failed(self, item: _Queued, error: str) -> None:
        session = self._session
        with session.writing():
            OutboundMessage.update(
                attempts=OutboundMessage.attempts + 1, last_error=error[:300]
            ).where(OutboundMessage.id == item.id).execute()
            session.audit(
                "send_failed", "outbound_message", item.id, patient_id=item.patient_id,
                after={"attempts": item.attempts + 1, "error": error[:300]},
            )  # fmt: skip


# --------------------------------------------------------------------------- helpers


@dataclass(frozen=True, slots=True)
class _Queued:
    id: int
    patient_id: int
    note_id: int | None
    account_number: str
    template: str
    path: Path
    attempts: int
    names: tuple[str, ...]  # the patient's and guarantor's: never in an error message


def _template(name: str) -> letters.Template:
    try:
        return letters.template(name)
    except LetterError as error:
        raise StoreRefused(str(error)) from None


def _file_name(channel: str, template: str, facts: LetterFacts, message_id: int, ext: str) -> str:
    number = "".join(c for c in facts.account_number if c.isalnum() or c in "-_")
    return f"{channel}-{template}-{number}-{facts.date:%Y%m%d}-{message_id:06d}.{ext}"


def _ready_dir(path: Path, *, create: bool, what: str) -> Path:
    """The folder, absolute, made (owner only) when asked; StoreRefused if it cannot hold a file."""
    path = path.expanduser().absolute()
    if create and not path.exists():
        try:
            path.mkdir(mode=0o700, parents=True)
        except FileExistsError:
            pass
        except OSError as error:
            raise StoreRefused(
                f"cannot create {path}: {error.strerror or error}; nothing written"
            ) from None
    if not path.exists():
        raise StoreRefused(f"{path} does not exist; {what} was not written")
    if not path.is_dir():
        raise StoreRefused(f"{path} is not a folder; {what} was not written")
    if not os.access(path, os.W_OK | os.X_OK):
        raise StoreRefused(f"cannot write in {path}; {what} was not written")
    return path


@contextlib.contextmanager
def _only_sender(outbox: Path) -> Iterator[None]:
    """One send run at a time on an outbox: two would send the same email twice."""
    try:
        import fcntl
    except ImportError:  # not on POSIX: no lock to take
        yield
        return
    try:
        handle = open(outbox / LOCK_NAME, "a")  # held open for the run: the lock lives with it
    except OSError as error:
        raise StoreRefused(f"cannot use the outbox {outbox}: {error.strerror or error}") from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise StoreRefused(
                "another send of the outbox is running; nothing sent: try again when it is done"
            ) from None
        yield
    finally:
        handle.close()  # closing releases the lock


def _postal_lines(
    street1: str, street2: str, city: str, state: str, zip_code: str
) -> tuple[str, ...]:
    """The postal lines, or () when the address is not whole enough to mail (the statements'
    rule: street, city, state and ZIP)."""
    if not (street1.strip() and city.strip() and state.strip() and zip_code.strip()):
        return ()
    zip_text = zip_code.strip()
    if len(zip_text) == 9 and zip_text.isdigit():
        zip_text = f"{zip_text[:5]}-{zip_text[5:]}"
    last = f"{city.strip()}, {state.strip().upper()} {zip_text}"
    return tuple(line.strip() for line in (street1, street2, last) if line.strip())


def _phone(digits: str) -> str:
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}" if len(digits) == 10 else digits
