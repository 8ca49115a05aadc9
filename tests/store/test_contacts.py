"""Letters and emails in the store: each file written owner-only and recorded with its
contact-log note in one transaction (or neither), refusals that change nothing, the outbox,
and sending it to a real SMTP server on localhost (aiosmtpd): what arrives, what moves to
sent/, and a server that is down or refuses, with no patient data in any error."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import shutil
import socket
import ssl
import stat
import subprocess
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from pypdf import PdfReader
from store_builders import Practice

from billing_tui.config import EmailSettings
from billing_tui.store import StoreRefused
from billing_tui.store.models import AuditLog, Guarantor, Note, OutboundMessage, Patient

SENDER = "Billing Office <billing@practice.example>"
EMAIL = "rosa.nunez@example.com"
PRIVATE = ("Núñez", "Nunez", "Rosa", EMAIL, "rosa.nunez")  # never in an error or the audit


def owing(practice: Practice, amount: int = 12_345, **fields) -> int:
    """A self-pay patient, Rosa Núñez, who owes `amount` on one visit."""
    fields.setdefault("email", EMAIL)
    patient = practice.patient("Núñez", "Rosa", **fields)
    practice.billed_claim(patient, amount)
    return patient


def footprint(*folders: Path) -> tuple:
    """What a refused letter or email must leave as it was: rows and files."""
    files = tuple(
        sorted(str(p) for folder in folders if folder.exists() for p in folder.rglob("*"))
    )
    return (
        OutboundMessage.select().count(),
        Note.select().count(),
        AuditLog.select().count(),
        files,
    )


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def free_port() -> int:
    """A port on localhost that nothing listens on (closed again at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def settings_for(tmp_path: Path, port: int = 0, **changes) -> EmailSettings:
    base = EmailSettings(
        outbox=tmp_path / "outbox",
        sender=SENDER,
        smtp_host="127.0.0.1" if port else "",
        smtp_port=port,
        security="none",
        timeout=5,
    )
    return dataclasses.replace(base, **changes)


# --------------------------------------------------------------------------- a local SMTP server


class Inbox:
    """An aiosmtpd handler keeping what arrives; it refuses the recipients it is told to,
    quoting them back the way real servers do."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: user Rosa Nunez unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def messages(self):
        return [BytesParser(policy=policy.default).parsebytes(raw) for _, _, raw in self.received]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"right"
    return AuthResult(success=ok and auth_data.login == b"billing", handled=False)


@pytest.fixture
def smtp_login_server():
    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticator,
        auth_require_tls=False,
        auth_required=True,
    )
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


# --------------------------------------------------------------------------- letters


def test_a_letter_is_printed_and_logged(store, practice, tmp_path):
    patient = owing(practice)
    document = store.contacts.letter(patient, "balance-reminder", tmp_path)
    number = store.accounts.get(patient).patient.account_number
    assert (
        document.path
        == tmp_path / f"letter-balance-reminder-{number}-20261124-{document.id:06d}.pdf"
    )
    assert mode(document.path) == 0o600  # it holds patient data
    text = pdf_text(document.path)
    assert "Balance reminder" in text and "$123.45" in text and "Rosa Núñez" in text
    assert "1 Elm St" in text and "Springfield, IL 62701" in text
    assert "Synthetic Family Practice" in text and "100 Main St" in text

    message = OutboundMessage.get_by_id(document.id)
    assert (message.channel, message.template, message.status) == (
        "letter", "balance-reminder", "printed"
    )  # fmt: skip
    assert message.file_name == str(document.path)
    assert message.note_id == document.note_id
    note = Note.get_by_id(document.note_id)
    assert (note.kind, note.direction, note.outcome) == ("letter", "out", "printed")
    assert note.text == "Letter: Balance reminder"
    assert note.document == str(document.path)
    audit = AuditLog.select().order_by(AuditLog.id.desc()).first()
    assert (audit.action, audit.entity, audit.entity_id) == (
        "print",
        "outbound_message",
        document.id,
    )
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    # It is on the account's contact log.
    logged = store.accounts.get(patient).notes[0]
    assert (logged.kind, logged.outcome, logged.text) == ("letter", "printed", note.text)


def test_a_letter_goes_to_the_guarantor(store, practice, tmp_path):
    patient = owing(practice)
    with store.db.atomic():
        guarantor = Guarantor.create(
            first_name="Marta", last_name="Núñez", relationship="parent",
            address1="9 Oak Ave", city="Peoria", state="IL", zip="616021234",
        )  # fmt: skip
        Patient.update(guarantor=guarantor.id).where(Patient.id == patient).execute()
    document = store.contacts.letter(patient, "balance-reminder", tmp_path)
    text = pdf_text(document.path)
    assert "Dear Marta Núñez," in text
    assert "9 Oak Ave" in text and "Peoria, IL 61602-1234" in text
    assert "1 Elm St" not in text
    assert "for Rosa Núñez" in text
    assert Note.get_by_id(document.note_id).text == "Letter: Balance reminder (to the guarantor)"


def test_a_letter_under_a_name_of_ones_own(store, practice, tmp_path):
    patient = owing(practice)
    document = store.contacts.letter(
        patient, "insurance-request", tmp_path, file_name="for-the-file.pdf"
    )
    assert document.path == tmp_path / "for-the-file.pdf"
    assert "Request for insurance information" in pdf_text(document.path)


def test_the_documents_folder_is_made_when_asked(store, practice, tmp_path):
    patient = owing(practice)
    folder = tmp_path / "documents" / "letters"
    document = store.contacts.letter(patient, "balance-reminder", folder, create_dir=True)
    assert document.path.parent == folder and mode(folder) == 0o700


def test_a_plan_agreement_prints_the_active_plan(store, practice, tmp_path):
    patient = owing(practice, 30_000)
    before = footprint(tmp_path)
    with pytest.raises(StoreRefused, match="no active payment plan: a plan agreement needs one"):
        store.contacts.letter(patient, "plan-agreement", tmp_path)
    assert footprint(tmp_path) == before
    store.plans.create(patient, 30_000, 12_550, dt.date(2026, 12, 1), "monthly")
    document = store.contacts.letter(patient, "plan-agreement", tmp_path)
    text = pdf_text(document.path)
    assert "$300.00 in 3 instalments, one a month, the first due on 12/01/2026" in text
    for due, amount in (
        ("12/01/2026", "$125.50"),
        ("01/01/2027", "$125.50"),
        ("02/01/2027", "$49.00"),
    ):
        assert due in text and amount in text
    assert "Patient/guarantor signature" in text


def test_a_letter_to_an_account_with_no_address_is_refused(store, practice, tmp_path):
    patient = owing(practice)
    with store.db.atomic():
        Patient.update(address1="").where(Patient.id == patient).execute()
    before = footprint(tmp_path)
    with pytest.raises(StoreRefused, match="has no mailing address"):
        store.contacts.letter(patient, "insurance-request", tmp_path)
    assert footprint(tmp_path) == before


def test_a_reminder_of_no_balance_is_refused(store, practice, tmp_path):
    patient = practice.patient("Even", "Steven")
    before = footprint(tmp_path)
    with pytest.raises(StoreRefused, match="patient balance of 0.00"):
        store.contacts.letter(patient, "balance-reminder", tmp_path)
    assert footprint(tmp_path) == before


@pytest.mark.parametrize(
    ("where", "reason"),
    [("missing", "does not exist"), ("a-file", "is not a folder")],
)
def test_a_letter_with_nowhere_to_go_records_nothing(store, practice, tmp_path, where, reason):
    patient = owing(practice)
    (tmp_path / "a-file").write_text("x")
    before = footprint(tmp_path)
    with pytest.raises(StoreRefused, match=reason):
        store.contacts.letter(patient, "balance-reminder", tmp_path / where)
    assert footprint(tmp_path) == before


def test_a_file_that_cannot_take_its_name_records_nothing(store, practice, tmp_path, monkeypatch):
    patient = owing(practice)
    before = footprint(tmp_path)

    def refuse(source, target):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("billing_tui.store.contacts.os.replace", refuse)
    with pytest.raises(StoreRefused, match="Permission denied; nothing recorded"):
        store.contacts.letter(patient, "balance-reminder", tmp_path)
    assert footprint(tmp_path) == before  # neither the rows nor a stray .part file


@pytest.mark.parametrize("bad", ["", "../x.pdf", "sub/x.pdf"])
def test_a_file_name_is_a_name(store, practice, tmp_path, bad):
    patient = owing(practice)
    with pytest.raises(StoreRefused, match="is not a file name"):
        store.contacts.letter(patient, "balance-reminder", tmp_path, file_name=bad)


def test_an_unknown_template_or_account_is_refused(store, practice, tmp_path):
    patient = owing(practice)
    with pytest.raises(StoreRefused, match="choose one of: balance-reminder"):
        store.contacts.letter(patient, "dunning", tmp_path)
    with pytest.raises(StoreRefused, match="no account with id 999"):
        store.contacts.letter(999, "balance-reminder", tmp_path)


def test_without_the_practice_there_is_no_letterhead(store, tmp_path):
    from billing_tui.store.records import PatientDraft

    patient = store.accounts.create_patient(
        PatientDraft("Rosa", "Núñez", dt.date(1970, 1, 1), "F", "1 Elm St", "Springfield", "IL",
                     "62701")
    )  # fmt: skip
    with pytest.raises(StoreRefused, match="billing provider"):
        store.contacts.letter(patient, "insurance-request", tmp_path)


# --------------------------------------------------------------------------- emails


def test_an_email_is_written_to_the_outbox_and_logged(store, practice, tmp_path):
    patient = owing(practice)
    settings = settings_for(tmp_path)
    document = store.contacts.email(patient, "balance-reminder", settings)
    outbox = tmp_path / "outbox"
    assert mode(outbox) == 0o700 and mode(document.path) == 0o600
    assert document.path.parent == outbox and document.path.suffix == ".eml"
    assert document.status == "queued"
    parsed = BytesParser(policy=policy.default).parsebytes(document.path.read_bytes())
    assert parsed["To"].addresses[0].addr_spec == EMAIL
    assert parsed["From"].addresses[0].addr_spec == "billing@practice.example"
    assert parsed["Message-ID"].endswith("@practice.example>")
    assert parsed["Date"].datetime is not None
    assert parsed["Subject"] == "A reminder about your account with Synthetic Family Practice"
    body = parsed.get_content()
    assert "has a balance of $123.45" in body and "J06.9" not in body and "99213" not in body

    message = OutboundMessage.get_by_id(document.id)
    assert (message.channel, message.status, message.attempts) == ("email", "queued", 0)
    assert message.recipient == EMAIL
    note = Note.get_by_id(document.note_id)
    assert (note.kind, note.direction, note.outcome) == ("email", "out", "queued")
    assert note.document == str(document.path)
    [row] = store.contacts.outbox()
    assert (row.id, row.template, row.attempts, row.last_error) == (
        document.id, "balance-reminder", 0, ""
    )  # fmt: skip
    assert row.account_number == document.account_number
    assert row.file_name == document.path.name
    assert not any(name in repr(row) for name in PRIVATE)


def test_an_email_to_the_guarantor_goes_to_the_guarantors_address(store, practice, tmp_path):
    patient = owing(practice)
    with store.db.atomic():
        guarantor = Guarantor.create(
            first_name="Marta", last_name="Núñez", relationship="parent", address1="9 Oak Ave",
            city="Peoria", state="IL", zip="61602", email="marta@example.com",
        )  # fmt: skip
        Patient.update(guarantor=guarantor.id).where(Patient.id == patient).execute()
    document = store.contacts.email(patient, "balance-reminder", settings_for(tmp_path))
    parsed = BytesParser(policy=policy.default).parsebytes(document.path.read_bytes())
    assert parsed["To"].addresses[0].addr_spec == "marta@example.com"
    assert "Rosa" not in parsed.get_content()


@pytest.mark.parametrize(
    ("changes", "email", "reason"),
    [
        ({}, "", "has no email address"),
        ({}, "not an address", "is not a valid address"),
        ({"sender": ""}, EMAIL, "no sender address for emails"),
        ({"sender": "billing at practice"}, EMAIL, r"\[email\] from .* is not an email address"),
    ],
)
def test_an_email_that_cannot_be_written_changes_nothing(
    store, practice, tmp_path, changes, email, reason
):
    patient = owing(practice, email=email)
    before = footprint(tmp_path)
    with pytest.raises(StoreRefused, match=reason) as refused:
        store.contacts.email(patient, "balance-reminder", settings_for(tmp_path, **changes))
    assert footprint(tmp_path) == before
    assert email not in str(refused.value) or not email  # the address is never repeated


def test_the_outbox_lists_the_queued_oldest_first(store, practice, tmp_path):
    settings = settings_for(tmp_path)
    first = store.contacts.email(owing(practice), "balance-reminder", settings)
    second = store.contacts.email(owing(practice), "insurance-request", settings)
    store.contacts.letter(owing(practice), "balance-reminder", tmp_path)  # not an email
    assert [r.id for r in store.contacts.outbox()] == [first.id, second.id]
    assert [r.id for r in store.contacts.outbox(limit=1)] == [first.id]


def test_sending_needs_a_mail_server(store, practice, tmp_path):
    store.contacts.email(owing(practice), "balance-reminder", settings_for(tmp_path))
    with pytest.raises(StoreRefused, match="no mail server is set up"):
        store.contacts.send_outbox(settings_for(tmp_path))


# --------------------------------------------------------------------------- sending


def test_the_outbox_is_sent_whole_and_moved_to_sent(store, practice, tmp_path, smtp_server):
    inbox, port = smtp_server
    settings = settings_for(tmp_path, port)
    patient = owing(practice)
    store.plans.create(patient, 12_345, 5_000, dt.date(2026, 12, 1), "monthly")
    reminder = store.contacts.email(patient, "balance-reminder", settings)
    plan = store.contacts.email(patient, "plan-agreement", settings)

    report = store.contacts.send_outbox(settings)

    assert (report.sent, report.failed, report.not_tried, report.stopped) == (2, 0, 0, "")
    first, second = inbox.messages()
    assert first["Subject"] == "A reminder about your account with Synthetic Family Practice"
    assert first["To"].addresses[0].addr_spec == EMAIL
    assert first["To"].addresses[0].display_name == "Rosa Núñez"
    assert "has a balance of $123.45" in first.get_content()
    assert second["Subject"] == "Your payment plan with Synthetic Family Practice"
    assert "12/01/2026" in second.get_content() and "$50.00" in second.get_content()
    assert inbox.received[0][0] == "billing@practice.example"
    assert inbox.received[0][1] == [EMAIL]
    for document in (reminder, plan):
        moved = tmp_path / "outbox" / "sent" / document.path.name
        assert moved.exists() and not document.path.exists()
        message = OutboundMessage.get_by_id(document.id)
        assert (message.status, message.attempts, message.last_error) == ("sent", 1, "")
        assert message.sent_at is not None and message.file_name == str(moved)
        note = Note.get_by_id(document.note_id)
        assert (note.outcome, note.document) == ("sent", str(moved))
        audit = AuditLog.get((AuditLog.entity_id == document.id) & (AuditLog.action == "send"))
        assert '"status": "sent"' in audit.after and '"status": "queued"' in audit.before
    assert mode(tmp_path / "outbox" / "sent") == 0o700
    assert store.contacts.outbox() == []
    # Nothing is sent twice.
    assert store.contacts.send_outbox(settings).sent == 0
    assert len(inbox.received) == 2


def test_with_the_server_down_the_emails_stay_queued(store, practice, tmp_path):
    settings = settings_for(tmp_path, free_port())
    first = store.contacts.email(owing(practice), "balance-reminder", settings)
    second = store.contacts.email(owing(practice), "insurance-request", settings)

    report = store.contacts.send_outbox(settings)

    assert (report.sent, report.failed, report.not_tried) == (0, 1, 1)
    assert report.still_queued == 2
    assert report.stopped == (
        f"cannot reach the mail server 127.0.0.1:{settings.smtp_port} (connection refused)"
    )
    tried = OutboundMessage.get_by_id(first.id)
    assert (tried.status, tried.attempts) == ("queued", 1)
    assert tried.last_error == report.stopped
    untouched = OutboundMessage.get_by_id(second.id)
    assert (untouched.status, untouched.attempts, untouched.last_error) == ("queued", 0, "")
    assert first.path.exists() and second.path.exists()
    assert Note.get_by_id(first.note_id).outcome == "queued"
    failed = AuditLog.get(AuditLog.action == "send_failed")
    assert failed.entity_id == first.id
    for text in (report.stopped, failed.after, *(f.error for f in report.failures)):
        assert not any(name.lower() in text.lower() for name in PRIVATE)
    # Tried again: the count goes on.
    store.contacts.send_outbox(settings)
    assert OutboundMessage.get_by_id(first.id).attempts == 2
    assert [r.attempts for r in store.contacts.outbox()] == [2, 0]


def test_a_refused_recipient_stays_queued_and_the_run_goes_on(
    store, practice, tmp_path, smtp_server
):
    inbox, port = smtp_server
    inbox.refuse.add(EMAIL)
    settings = settings_for(tmp_path, port)
    refused = store.contacts.email(owing(practice), "balance-reminder", settings)
    other = practice.patient("Poe", "Pat", email="pat.poe@example.com")
    practice.billed_claim(other, 5_000)
    fine = store.contacts.email(other, "balance-reminder", settings)

    report = store.contacts.send_outbox(settings)

    assert (report.sent, report.failed, report.not_tried, report.stopped) == (1, 1, 0, "")
    [failure] = report.failures
    assert failure.id == refused.id
    assert failure.error.startswith("the mail server refused the recipient's address (550 5.1.1")
    assert not any(name.lower() in failure.error.lower() for name in PRIVATE)
    message = OutboundMessage.get_by_id(refused.id)
    assert (message.status, message.attempts, message.last_error) == ("queued", 1, failure.error)
    assert refused.path.exists()
    assert OutboundMessage.get_by_id(fine.id).status == "sent"
    assert [m["To"].addresses[0].addr_spec for m in inbox.messages()] == ["pat.poe@example.com"]


def test_an_eml_gone_from_the_outbox_is_a_failure_not_a_crash(
    store, practice, tmp_path, smtp_server
):
    _, port = smtp_server
    settings = settings_for(tmp_path, port)
    document = store.contacts.email(owing(practice), "balance-reminder", settings)
    document.path.unlink()
    report = store.contacts.send_outbox(settings)
    assert (report.sent, report.failed) == (0, 1)
    assert "is no longer in the outbox" in report.failures[0].error
    assert OutboundMessage.get_by_id(document.id).attempts == 1


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_sending_logs_in_when_a_user_is_set(store, practice, tmp_path, smtp_login_server):
    inbox, port = smtp_login_server
    good = settings_for(tmp_path, port, smtp_user="billing", smtp_password="right")
    document = store.contacts.email(owing(practice), "balance-reminder", good)
    bad = dataclasses.replace(good, smtp_password="wrong")
    report = store.contacts.send_outbox(bad)
    assert (report.sent, report.failed) == (0, 1)
    assert report.stopped.startswith(
        f"the mail server 127.0.0.1:{port} refused the login of 'billing'"
    )
    assert "wrong" not in report.stopped
    assert store.contacts.send_outbox(good).sent == 1
    assert len(inbox.received) == 1
    assert OutboundMessage.get_by_id(document.id).attempts == 2


def test_starttls_refused_by_a_server_that_does_not_offer_it(
    store, practice, tmp_path, smtp_server
):
    _, port = smtp_server
    settings = settings_for(tmp_path, port, security="starttls")
    store.contacts.email(owing(practice), "balance-reminder", settings)
    report = store.contacts.send_outbox(settings)
    assert report.failed == 1
    assert "does not offer STARTTLS" in report.stopped


def test_one_send_run_at_a_time(store, practice, tmp_path, smtp_server):
    import fcntl

    _, port = smtp_server
    settings = settings_for(tmp_path, port)
    store.contacts.email(owing(practice), "balance-reminder", settings)
    with open(tmp_path / "outbox" / ".sending.lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(StoreRefused, match="another send of the outbox is running"):
            store.contacts.send_outbox(settings)
    assert store.contacts.send_outbox(settings).sent == 1


def test_the_files_are_owner_only_whatever_the_umask(store, practice, tmp_path):
    old = os.umask(0o022)
    try:
        document = store.contacts.email(owing(practice), "balance-reminder", settings_for(tmp_path))
    finally:
        os.umask(old)
    assert mode(document.path) == 0o600


# --------------------------------------------------------------------------- over TLS


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, made with the openssl command."""
    if shutil.which("openssl") is None:
        pytest.skip("the TLS tests need the openssl command")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    return cert, server


@pytest.fixture
def trusting(monkeypatch, certificate):
    """The mail code trusts the test's certificate (as a site's would trust its server's)."""
    cert, _ = certificate

    def context(*args, **kwargs):
        client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        client.load_verify_locations(cafile=cert)
        return client

    monkeypatch.setattr("billing_tui.mail.ssl.create_default_context", context)


def tls_server(certificate, **options):
    _, context = certificate
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), **options)
    return inbox, controller


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_sending_over_tls_with_a_login(store, practice, tmp_path, certificate, trusting, security):
    _, context = certificate
    options = (
        {"tls_context": context, "require_starttls": True}
        if security == "starttls"
        # aiosmtpd does not count implicit TLS as TLS for AUTH: the socket is TLS all the same.
        else {"ssl_context": context, "auth_require_tls": False}
    )
    inbox, controller = tls_server(
        certificate, authenticator=authenticator, auth_required=True, **options
    )
    controller.start()
    try:
        settings = settings_for(
            tmp_path, controller.port, security=security, smtp_user="billing",
            smtp_password="right",
        )  # fmt: skip
        store.contacts.email(owing(practice), "balance-reminder", settings)
        report = store.contacts.send_outbox(settings)
    finally:
        controller.stop()
    assert (report.sent, report.failed, report.stopped) == (1, 0, "")
    assert "$123.45" in inbox.messages()[0].get_content()


def test_a_certificate_not_trusted_stops_the_run(store, practice, tmp_path, certificate):
    _, context = certificate
    inbox, controller = tls_server(certificate, ssl_context=context)
    controller.start()
    try:
        settings = settings_for(tmp_path, controller.port, security="ssl")
        document = store.contacts.email(owing(practice), "balance-reminder", settings)
        report = store.contacts.send_outbox(settings)
    finally:
        controller.stop()
    assert (report.sent, report.failed) == (0, 1)
    assert report.stopped.startswith(f"cannot reach the mail server 127.0.0.1:{settings.smtp_port}")
    assert "certificate is not trusted" in report.stopped
    assert inbox.received == [] and document.path.exists()
