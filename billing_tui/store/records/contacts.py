"""Letters and emails of the contact log as the CLI and the screens see them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Document:
    """A letter printed or an email written: its file, and the records that name it."""

    id: int  # the outbound message
    note_id: int  # its line in the contact log
    channel: str  # letter, email
    template: str
    account_number: str
    path: Path
    status: str  # printed (letter); queued (email)


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """An email waiting in the outbox; no patient's name, nor address."""

    id: int
    account_number: str
    template: str
    created_at: dt.datetime
    attempts: int
    last_error: str
    file_name: str  # the .eml's name in the outbox


@dataclass(frozen=True, slots=True)
class SendFailure:
    id: int
    account_number: str
    template: str
    error: str  # never the patient's name or address


@dataclass(frozen=True, slots=True)
class SendReport:
    """What a send run did: each queued email was sent, failed (and stays queued), or was
    not tried because the run stopped when the mail server could not be reached."""

    sent: int
    failed: int
    not_tried: int
    failures: tuple[SendFailure, ...] = ()
    stopped: str = ""  # why the run stopped early; '' when it went through the outbox

    @property
    def still_queued(self) -> int:
        return self.failed + self.not_tried
