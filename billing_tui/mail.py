"""Email to patients: building the message, writing it as an .eml file, sending .eml files over SMTP.

The outbox is a folder of .eml files (store/contacts.py keeps the record of each); a
site with no mail server leaves them there for a mail client. Sending reads one back and
hands it to smtplib, over STARTTLS, implicit TLS ("ssl") or plain ("none", for a relay on
the same host), logging in when a user is set. Every failure is a MailError whose message
a person can act on ("cannot reach the mail server smtp.example.org:587 (connection
refused)"); a server's own reply may be quoted, but never with the recipient's address
or name in it: they are cut out of everything a MailError says.
"""

from __future__ import annotations

import datetime as dt
import re
import smtplib
import socket
import ssl
import unicodedata
from collections.abc import Iterable
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr
from pathlib import Path

from .config import EmailSettings

MAX_ERROR = 240  # characters of a server's reply worth keeping
_ADDRESS = re.compile(r"<?[^\s<>@]+@[^\s<>@]+>?")


class MailError(Exception):
    """Sending failed; the message says why, in words a person can act on.

    server_down: the server could not be reached or will not take any message now (no
    connection, refused login, disconnected): a run stops there, the rest stay queued.
    """

    def __init__(self, message: str, *, server_down: bool = False) -> None:
        super().__init__(message)
        self.server_down = server_down


# --------------------------------------------------------------------------- building


def parse_address(text: str) -> Address:
    """An email address as a header wants it; MailError when it is not one."""
    name, spec = parseaddr(text.strip())
    if not spec or "@" not in spec or spec.startswith("@") or spec.endswith("@"):
        raise MailError("that is not an email address")
    try:
        return Address(display_name=name, addr_spec=spec)
    except (ValueError, IndexError, TypeError):  # the header registry's ways of refusing
        raise MailError("that is not an email address") from None


def build_message(
    *,
    sender: str,
    recipient_name: str,
    recipient_address: str,
    subject: str,
    body: str,
    when: dt.datetime | None = None,
) -> EmailMessage:
    """A plain-text email with its own Message-ID and Date, From the practice's sender."""
    from_address = parse_address(sender)
    to = parse_address(recipient_address)
    message = EmailMessage(policy=policy.default)
    message["From"] = from_address
    message["To"] = Address(display_name=recipient_name, addr_spec=to.addr_spec)
    message["Subject"] = subject
    message["Date"] = format_datetime((when or dt.datetime.now(dt.UTC)).astimezone())
    message["Message-ID"] = make_msgid(domain=from_address.domain or None)
    message["MIME-Version"] = "1.0"
    message.set_content(body)
    return message


def eml_bytes(message: EmailMessage) -> bytes:
    """The message as an .eml file holds it (any mail client opens one)."""
    return message.as_bytes(policy=policy.default)


def read_eml(path: Path) -> EmailMessage:
    """An .eml file from the outbox; MailError when it is missing or cannot be read."""
    try:
        with open(path, "rb") as file:
            message = BytesParser(policy=policy.default).parse(file)
    except FileNotFoundError:
        raise MailError(f"the file {Path(path).name} is no longer in the outbox") from None
    except OSError as error:
        raise MailError(f"cannot read {Path(path).name}: {error.strerror or error}") from None
    if not message["To"] or not message["From"]:
        raise MailError(f"{Path(path).name} is not an email with a sender and a recipient")
    return message  # type: ignore[return-value]


# --------------------------------------------------------------------------- sending


def send_eml(path: Path, settings: EmailSettings) -> None:
    """Send one .eml file over its own connection."""
    with MailServer(settings) as server:
        server.send(read_eml(path))


class MailServer:
    """One SMTP connection for a run of messages, opened on the first send.

    with MailServer(settings) as server:
        server.send(message)        # MailError if it was not taken
    """

    def __init__(self, settings: EmailSettings) -> None:
        if not settings.can_send:
            raise MailError("no mail server is set up ([email] smtp_host in the config file)")
        self.settings = settings
        self.where = f"{settings.smtp_host}:{settings.smtp_port}"
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> MailServer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()

    def send(self, message: EmailMessage, *, private: Iterable[str] = ()) -> None:
        """Hand the message to the server; MailError (never naming the recipient) if not."""
        hidden = [*_people(message), *private]
        keep = parseaddr(str(message["From"] or ""))[1]
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            replies = [_reply(code, text) for code, text in error.recipients.values()]
            raise MailError(
                _scrub(f"the mail server refused the recipient's address ({'; '.join(replies)})",
                       hidden, keep)
            ) from None  # fmt: skip
        except smtplib.SMTPSenderRefused as error:
            self._drop()
            raise MailError(
                _scrub(f"the mail server {self.where} refused the sender {error.sender} "
                       f"({_reply(error.smtp_code, error.smtp_error)}); check [email] from",
                       hidden, keep),
                server_down=True,
            ) from None  # fmt: skip
        except smtplib.SMTPResponseException as error:
            down = error.smtp_code == 421  # the server is closing the connection
            if down:
                self._drop()
            raise MailError(
                _scrub(f"the mail server refused the message "
                       f"({_reply(error.smtp_code, error.smtp_error)})", hidden, keep),
                server_down=down,
            ) from None  # fmt: skip
        except smtplib.SMTPNotSupportedError as error:  # e.g. an address that needs SMTPUTF8
            raise MailError(
                _scrub(f"the mail server cannot take this message: {error}", hidden, keep)
            ) from None
        except (smtplib.SMTPException, OSError) as error:
            self._drop()
            raise MailError(
                f"lost the connection to the mail server {self.where} ({_why(error, self.settings)})",
                server_down=True,
            ) from None

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        smtp: smtplib.SMTP | None = None
        try:
            if s.security == "ssl":
                smtp = smtplib.SMTP_SSL(
                    s.smtp_host, s.smtp_port, timeout=s.timeout,
                    context=ssl.create_default_context(),
                )  # fmt: skip
            else:
                smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.timeout)
            if s.security == "starttls":
                smtp.ehlo()
                if not smtp.has_extn("starttls"):
                    raise MailError(
                        f"the mail server {self.where} does not offer STARTTLS; "
                        'set [email] security = "ssl" (usually port 465) or "none" for a local relay',
                        server_down=True,
                    )
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password)
        except MailError:
            _close(smtp)
            raise
        except smtplib.SMTPAuthenticationError as error:
            _close(smtp)
            raise MailError(
                f"the mail server {self.where} refused the login of {s.smtp_user!r} "
                f"({_reply(error.smtp_code, error.smtp_error)}); check smtp_user and the password",
                server_down=True,
            ) from None
        except smtplib.SMTPNotSupportedError as error:
            _close(smtp)
            raise MailError(
                f"the mail server {self.where} cannot log in {s.smtp_user!r}: {error}",
                server_down=True,
            ) from None
        except (smtplib.SMTPException, OSError) as error:
            _close(smtp)
            raise MailError(
                f"cannot reach the mail server {self.where} ({_why(error, s)})", server_down=True
            ) from None
        return smtp


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        try:
            smtp.close()
        except OSError:
            pass


def _why(error: BaseException, settings: EmailSettings) -> str:
    """What went wrong with the connection, in a few words."""
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, socket.timeout | TimeoutError):
        return f"no answer within {settings.timeout:g} s"
    if isinstance(error, socket.gaierror):
        return "unknown host name"
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"its certificate is not trusted: {error.verify_message or error.reason}"
    if isinstance(error, ssl.SSLError):
        return f"TLS failed: {error.reason or error}"
    if isinstance(error, smtplib.SMTPConnectError):
        return f"it refused the connection: {_reply(error.smtp_code, error.smtp_error)}"
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return "the server closed the connection"
    if isinstance(error, smtplib.SMTPResponseException):
        return _reply(error.smtp_code, error.smtp_error)
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    return str(error) or type(error).__name__


def _reply(code: int, text: bytes | str) -> str:
    """A server's reply as one short line: '550 5.1.1 mailbox unavailable'."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    line = " ".join(str(text).split())
    if len(line) > MAX_ERROR:
        line = line[: MAX_ERROR - 3].rstrip() + "..."
    return f"{code} {line}".strip()


def _people(message: EmailMessage) -> list[str]:
    """The recipients' names and addresses: what an error message must never repeat."""
    found = []
    for field in ("To", "Cc", "Bcc"):
        for name, address in getaddresses(message.get_all(field, [])):
            found.extend(part for part in (name, address) if part)
    return found


def _scrub(text: str, hidden: Iterable[str], keep: str = "") -> str:
    """The text without any of the hidden names and addresses, nor any email address but
    the one to keep (the practice's own)."""
    secrets: set[str] = set()
    for secret in hidden:
        for form in (secret.strip(), _folded(secret.strip())):
            if len(form) >= 2:
                secrets.add(form)
                # A server may quote a name or a mailbox by its parts ("Nunez", "rosa.nunez").
                secrets.update(p for p in re.split(r"[\s@._+-]+", form) if len(p) >= 3)
    for secret in sorted(secrets, key=len, reverse=True):
        text = re.sub(
            rf"(?<!\w){re.escape(secret)}(?!\w)", "[recipient]", text, flags=re.IGNORECASE
        )
    return _ADDRESS.sub(
        lambda match: (
            match[0] if keep and match[0].strip("<>").lower() == keep.lower() else "[address]"
        ),
        text,
    )


def _folded(text: str) -> str:
    """The text without its accents: Núñez -> Nunez."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))
