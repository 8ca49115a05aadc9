"""A letter or an email to the patient from a template, logged on the account as a contact:
the letter prints to a PDF in the documents folder, the email goes to the outbox (and, with
a mail server set up, F5 sends the outbox now)."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Label

from ..config import Settings
from ..domain.letters import TEMPLATES
from ..widgets.letter_choice import LetterChoice
from .form_dialog import FormDialog

CHANNELS = (("letter", "letter"), ("email", "email"))
# Their names, short enough for one line; the first letters differ (b, p, i).
CHOICES = tuple((name, name.replace("-", " ")) for name in TEMPLATES)


class LetterDialog(FormDialog):
    """Dismisses True when a letter was printed or an email queued."""

    ACTIONS_NAME = "Letter"
    FIELDS = ("template", "channel")
    BOX_WIDTH = 76
    BINDINGS = [
        Binding(
            "f5",
            "send_outbox",
            "Send outbox",
            id="letter.send_outbox",
            tooltip="send the emails waiting in the outbox now",
        ),  # fmt: skip
    ]

    def __init__(self, patient_id: int, patient_name: str) -> None:
        super().__init__(f"Letter or email: {patient_name}")
        self.patient_id = patient_id
        self._sending = False

    @property
    def settings(self) -> Settings:
        return self.app.settings or Settings(database="")

    def compose_fields(self) -> ComposeResult:
        yield Label("Template")
        yield LetterChoice(CHOICES, CHOICES[0][0], id="template")
        yield Label("As")
        yield LetterChoice(CHANNELS, "letter", id="channel")

    def refresh_detail(self) -> None:
        template = TEMPLATES[self.query_one("#template", LetterChoice).value]
        channel = self.query_one("#channel", LetterChoice).value
        settings = self.settings
        if channel == "letter":
            where = f"Prints a PDF into {settings.documents}."
        else:
            where = f"Writes the email into the outbox, {settings.email.outbox}"
            where += (
                "; F5 sends the outbox." if settings.email.can_send
                else " (no mail server is set up: a mail client sends it)."
            )  # fmt: skip
        self.query_one("#detail").update(f"{template.description[:1].upper()}"
                                         f"{template.description[1:]}.\n{where}")  # fmt: skip

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "send_outbox":
            return (self.settings.email.can_send and not self._sending) or None
        return True

    async def save(self) -> str | None:
        template = self.query_one("#template", LetterChoice).value
        contacts = self.app.store.contacts
        settings = self.settings
        if self.query_one("#channel", LetterChoice).value == "letter":
            document = await self.app.call_store(
                contacts.letter, self.patient_id, template, settings.documents, create_dir=True
            )
            self.app.notify(f"Letter printed: {document.path}", title="Letter")
        else:
            document = await self.app.call_store(
                contacts.email, self.patient_id, template, settings.email
            )
            self.app.notify(f"Email in the outbox: {document.path.name}", title="Email")
        self.changed = True
        return None

    @work(group="send-outbox", exclusive=True, exit_on_error=False)
    async def action_send_outbox(self) -> None:
        self._sending = True
        self.refresh_bindings()
        self.say("Sending the outbox…")
        try:
            report = await self.app.call_store(self.app.store.contacts.send_outbox,
                                               self.settings.email)  # fmt: skip
        finally:
            self._sending = False
            self.refresh_bindings()
        said = f"Sent {report.sent}; {report.still_queued} stay in the outbox."
        if report.stopped:
            said += f" {report.stopped}"
        self.say(said, error=bool(report.still_queued))
