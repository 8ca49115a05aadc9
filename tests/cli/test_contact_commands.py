"""`billing-tui letter`, `email` and `outbox [--send]`: output, exit codes, and bad input or a
mail server that is down changing nothing and saying so in one line with no patient data.

(Named apart from tests/store/test_contacts.py: two test modules may not share a name.)
"""

from __future__ import annotations

import socket

import pytest
from aiosmtpd.controller import Controller
from pypdf import PdfReader
from store_builders import build_practice

from billing_tui.cli import main
from billing_tui.store import Store
from billing_tui.store.models import Note, OutboundMessage, Patient

EMAIL = "rosa.nunez@example.com"
PRIVATE = ("Núñez", "Nunez", "Rosa", EMAIL)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    def __init__(self) -> None:
        self.received: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp_port():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()


def configure(tmp_path, monkeypatch, *, port: int = 0, sender: str = "billing@practice.example"):
    """A config file: where letters and the outbox go, and the mail server (if any)."""
    email = [f'outbox = "{tmp_path / "outbox"}"', f'from = "{sender}"', 'security = "none"']
    if port:
        email += ['smtp_host = "127.0.0.1"', f"smtp_port = {port}", "timeout = 5"]
    config = tmp_path / "config.toml"
    config.write_text(
        f'documents = "{tmp_path / "documents"}"\n\n[email]\n' + "\n".join(email) + "\n"
    )
    monkeypatch.setenv("BILLING_TUI_CONFIG", str(config))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


@pytest.fixture
def books(sqlite_url, tmp_path, monkeypatch):
    """Rosa Núñez owes 123.45 and has an email address; Pat Nowhere has no address at all."""
    configure(tmp_path, monkeypatch)
    store = Store.open(sqlite_url, username="tester")
    practice = build_practice(store)
    numbers = {}
    for last, first, email in (("Núñez", "Rosa", EMAIL), ("Nowhere", "Pat", "")):
        pid = practice.patient(last, first, email=email)
        practice.billed_claim(pid, 12_345)
        numbers[last] = Patient.get_by_id(pid).account_number
    with store.db.atomic():
        Patient.update(address1="").where(Patient.account_number == numbers["Nowhere"]).execute()
    store.close()
    return sqlite_url, numbers["Núñez"], numbers["Nowhere"]


def counts(url: str) -> tuple[int, int]:
    store = Store.open(url, username="tester")
    try:
        return OutboundMessage.select().count(), Note.select().count()
    finally:
        store.close()


def statuses(url: str) -> list[tuple]:
    store = Store.open(url, username="tester")
    try:
        return list(
            OutboundMessage.select(
                OutboundMessage.status, OutboundMessage.attempts, OutboundMessage.last_error
            )
            .order_by(OutboundMessage.id)
            .tuples()
        )
    finally:
        store.close()


# --------------------------------------------------------------------------- letters


def test_the_templates_are_listed(capsys, books):
    code, out, _ = run(capsys, "letter", "--templates")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == [
        "balance-reminder", "plan-agreement", "insurance-request",
    ]  # fmt: skip
    assert "Request for insurance information" in out
    assert run(capsys, "email", "--templates")[0] == 0


def test_a_letter_goes_into_the_documents_folder(capsys, books, tmp_path):
    db, rosa, _ = books
    code, out, err = run(capsys, "--db", db, "letter", rosa, "balance-reminder")
    assert code == 0, err
    (pdf,) = (tmp_path / "documents").glob(f"letter-balance-reminder-{rosa}-*.pdf")
    assert out == f"Letter printed for account {rosa}: {pdf}\n"
    text = PdfReader(pdf).pages[0].extract_text()
    assert "Balance reminder" in text and "$123.45" in text
    assert counts(db) == (1, 1)


def test_a_letter_to_a_file_of_ones_choosing(capsys, books, tmp_path):
    db, rosa, _ = books
    target = tmp_path / "mine.pdf"
    code, out, err = run(
        capsys, "--db", db, "letter", rosa, "insurance-request", "--out", str(target)
    )
    assert code == 0, err
    assert "Request for insurance information" in PdfReader(target).pages[0].extract_text()


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (("{rosa}", "dunning"), 2, "no template 'dunning'; choose one of: balance-reminder"),
        (("{rosa}",), 2, "letter needs ACCOUNT and TEMPLATE"),
        (("{rosa}", "balance-reminder", "--templates"), 2, "--templates takes no account"),
        (("{rosa}", "balance-reminder", "--out", "x.txt"), 2, "--out is the PDF file to write"),
        (("99999999", "balance-reminder"), 1, "no account '99999999'; nothing written"),
        (("{nowhere}", "balance-reminder"), 1, "has no mailing address"),
        (("{rosa}", "plan-agreement"), 1, "has no active payment plan"),
        (("{rosa}", "balance-reminder", "--out", "{tmp}/missing/x.pdf"), 1, "does not exist"),
    ],
)
def test_a_letter_that_cannot_be_printed(capsys, books, tmp_path, argv, code, message):
    db, rosa, nowhere = books
    argv = [a.format(rosa=rosa, nowhere=nowhere, tmp=tmp_path) for a in argv]
    got, out, err = run(capsys, "--db", db, "letter", *argv)
    assert got == code
    assert message in err
    assert err.startswith("billing-tui: ") and "Traceback" not in err
    if code == 1:
        assert len(err.splitlines()) == 1 and out == ""
    assert counts(db) == (0, 0)
    assert not (tmp_path / "documents").exists() or not list((tmp_path / "documents").iterdir())


# --------------------------------------------------------------------------- emails


def test_an_email_is_queued_and_listed(capsys, books, tmp_path):
    db, rosa, _ = books
    code, out, err = run(capsys, "--db", db, "email", rosa, "balance-reminder")
    assert code == 0, err
    (eml,) = (tmp_path / "outbox").glob("*.eml")
    assert f"Email for account {rosa} queued in the outbox: {eml}" in out
    assert "a mail client can send it" in out
    code, out, _ = run(capsys, "--db", db, "outbox")
    assert code == 0
    assert rosa in out and "balance-reminder" in out and "1 email waits in" in out
    assert not any(name in out for name in PRIVATE)


def test_no_email_without_an_address_or_a_sender(capsys, books, tmp_path, monkeypatch):
    db, rosa, nowhere = books
    code, _, err = run(capsys, "--db", db, "email", nowhere, "balance-reminder")
    assert code == 1 and "has no email address" in err
    configure(tmp_path, monkeypatch, sender="")
    code, _, err = run(capsys, "--db", db, "email", rosa, "balance-reminder")
    assert code == 1 and "no sender address for emails" in err
    assert counts(db) == (0, 0)


def test_an_empty_outbox(capsys, books):
    db, _, _ = books
    code, out, _ = run(capsys, "--db", db, "outbox")
    assert code == 0 and out.startswith("The outbox is empty")


def test_sending_without_a_mail_server_is_refused(capsys, books):
    db, rosa, _ = books
    assert run(capsys, "--db", db, "email", rosa, "balance-reminder")[0] == 0
    code, _, err = run(capsys, "--db", db, "outbox", "--send")
    assert code == 1 and "no mail server is set up" in err
    assert statuses(db) == [("queued", 0, "")]


def test_the_outbox_is_sent(capsys, books, tmp_path, monkeypatch, smtp_port):
    db, rosa, _ = books
    port, inbox = smtp_port
    configure(tmp_path, monkeypatch, port=port)
    assert run(capsys, "--db", db, "email", rosa, "balance-reminder")[0] == 0
    code, out, err = run(capsys, "--db", db, "outbox", "--send")
    assert code == 0, err
    assert out == "Sent 1 email.\n" and err == ""
    assert len(inbox.received) == 1 and b"$123.45" in inbox.received[0]
    assert statuses(db) == [("sent", 1, "")]
    assert len(list((tmp_path / "outbox" / "sent").glob("*.eml"))) == 1
    assert run(capsys, "--db", db, "outbox")[1].startswith("The outbox is empty")


def test_a_server_that_is_down_leaves_the_outbox_and_exits_1(capsys, books, tmp_path, monkeypatch):
    db, rosa, _ = books
    port = free_port()
    configure(tmp_path, monkeypatch, port=port)
    assert run(capsys, "--db", db, "email", rosa, "balance-reminder")[0] == 0
    assert run(capsys, "--db", db, "email", rosa, "insurance-request")[0] == 0
    code, out, err = run(capsys, "--db", db, "outbox", "--send")
    assert code == 1
    assert err == (
        "billing-tui: 2 emails stayed in the outbox: cannot reach the mail server "
        f"127.0.0.1:{port} (connection refused)\n"
    )
    assert out.startswith("Sent 0 emails.")
    assert not any(name.lower() in (out + err).lower() for name in PRIVATE)
    [(status, attempts, error), untried] = statuses(db)
    assert (status, attempts) == ("queued", 1) and "connection refused" in error
    assert untried == ("queued", 0, "")
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 2
    code, out, _ = run(capsys, "--db", db, "outbox")
    assert "connection refused" in out and not any(name in out for name in PRIVATE)
