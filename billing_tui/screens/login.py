"""Signing in: the first screen of the TUI; on a new database, creating its first administrator;
and the lock that covers an idle session until its user types the password again.

Passwords are checked on the store thread (the scrypt hash takes tens of milliseconds: the
screen keeps answering). Every attempt, right or wrong, is in the audit trail; the messages
never say whether it was the username or the password that was wrong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Label

from ..store import StoreRefused
from ..widgets.fields import Field
from ..widgets.key_bar import KeyBar
from .errors import ReportsFailures

if TYPE_CHECKING:
    from ..app import BillingApp

_FORM_CSS = """
{name} {{ align: center middle; background: $background; }}
{name} > Vertical {{
    width: 60;
    max-width: 100%;
    height: auto;
    border: round $primary;
    border-title-style: bold;
    background: $surface;
    padding: 0 1;
}}
{name} Grid {{
    grid-size: 2;
    grid-columns: 10 1fr;
    grid-rows: 1;
    grid-gutter: 0 1;
    height: auto;
}}
{name} .hint {{ width: 100%; height: auto; color: $text-muted; }}
{name} #message {{ width: 100%; height: auto; min-height: 1; }}
{name} #message.-error {{ color: $text-error; text-style: bold; }}
"""


class _PasswordForm(ReportsFailures):
    """Enter moves to the next field, and on the last one submits."""

    app: BillingApp
    FIELDS: tuple[str, ...] = ()

    def action_next_field(self) -> None:
        focused = self.focused
        ids = [f"#{name}" for name in self.FIELDS]
        here = f"#{focused.id}" if focused is not None and focused.id else ""
        if here in ids[:-1]:
            # At once, not Widget.focus()'s later: a burst's next keys belong to that field.
            self.set_focus(self.query_one(ids[ids.index(here) + 1], Input))
            return
        self.submit()

    def submit(self) -> None:
        raise NotImplementedError

    def value(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value

    def say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#message", Label)
        message.update(text)
        message.set_class(error, "-error")


class LoginScreen(_PasswordForm, Screen[None]):
    """The TUI's first screen: username and password; on success, the queue."""

    ACTIONS_NAME = "Sign in"
    AUTO_FOCUS = "#username"
    FIELDS = ("username", "password")
    DEFAULT_CSS = _FORM_CSS.format(name="LoginScreen")
    BINDINGS = [
        Binding("enter", "next_field", "Sign in", id="login.next", tooltip="next field, sign in"),
    ]

    def __init__(self, hint: str = "") -> None:
        super().__init__()
        self.hint = hint
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "billing-tui: sign in"
            with Grid():
                yield Label("Username")
                yield Field(id="username", max_length=64)
                yield Label("Password")
                yield Field(id="password", password=True, max_length=256)
            yield Label(self.hint, classes="hint", markup=False)
            yield Label("", id="message", markup=False)
        yield KeyBar()

    def submit(self) -> None:
        if self._busy:
            return
        username, password = self.value("username").strip(), self.value("password")
        if not username:
            self.query_one("#username", Input).focus()
            self.say("Type your username.", error=True)
            return
        if not password:
            self.query_one("#password", Input).focus()
            self.say("Type your password.", error=True)
            return
        self._busy = True
        self.say("Signing in...")
        self._login(username, password)

    @work(exclusive=True, group="login", exit_on_error=False)
    async def _login(self, username: str, password: str) -> None:
        try:
            await self.app.call_store(self.app.store.users.login, username, password)
        except StoreRefused as refusal:
            self._busy = False
            field = self.query_one("#password", Input)
            field.value = ""
            field.focus()
            self.say(f"{refusal}.", error=True)
            return
        self._busy = False
        self.app.signed_in()


class FirstAdminScreen(_PasswordForm, Screen[None]):
    """A new database: whoever opens it first creates its administrator, then works as them."""

    ACTIONS_NAME = "First administrator"
    AUTO_FOCUS = "#username"
    FIELDS = ("username", "name", "password", "again")
    DEFAULT_CSS = _FORM_CSS.format(name="FirstAdminScreen")
    BINDINGS = [
        Binding("enter", "next_field", "Next", id="first_admin.next", tooltip="next field, create"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "New database: its first administrator"
            with Grid():
                yield Label("Username")
                yield Field(id="username", max_length=64, placeholder="e.g. jsmith")
                yield Label("Full name")
                yield Field(id="name", max_length=100)
                yield Label("Password")
                yield Field(id="password", password=True, max_length=256)
                yield Label("Again")
                yield Field(id="again", password=True, max_length=256)
            yield Label(
                "The administrator adds the other users (billing-tui user add). "
                "A password is at least 10 characters.",
                classes="hint",
                markup=False,
            )
            yield Label("", id="message", markup=False)
        yield KeyBar()

    def submit(self) -> None:
        if self.value("password") != self.value("again"):
            self.query_one("#again", Input).value = ""
            self.query_one("#password", Input).focus()
            self.say("The two passwords differ.", error=True)
            return
        self._create(self.value("username"), self.value("name"), self.value("password"))

    @work(exclusive=True, group="login", exit_on_error=False)
    async def _create(self, username: str, name: str, password: str) -> None:
        users = self.app.store.users
        try:
            await self.app.call_store(users.add, username, name, "admin", password)
            await self.app.call_store(users.login, username, password)
        except StoreRefused as refusal:
            self.say(f"{refusal}.", error=True)
            return
        self.app.signed_in()


class LockScreen(_PasswordForm, ModalScreen[None]):
    """Covers everything (nothing of the screen below shows) until the password is typed;
    the work underneath waits as it was."""

    ACTIONS_NAME = "Locked"
    AUTO_FOCUS = "#password"
    FIELDS = ("password",)
    DEFAULT_CSS = _FORM_CSS.format(name="LockScreen")
    BINDINGS = [
        Binding("enter", "next_field", "Unlock", id="lock.unlock", tooltip="unlock"),
    ]

    def __init__(self, username: str, minutes: int) -> None:
        super().__init__()
        self.username = username
        self.minutes = minutes

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Locked"
            yield Label(
                f"Locked after {self.minutes} minute{'s' if self.minutes != 1 else ''} "
                "without a key. "
                f"Your work is kept: type {self.username}'s password to go on "
                "(Ctrl+Q quits; unsaved work is lost).",
                classes="hint",
                markup=False,
            )
            with Grid():
                yield Label("Password")
                yield Field(id="password", password=True, max_length=256)
            yield Label("", id="message", markup=False)
        yield KeyBar()

    def submit(self) -> None:
        password = self.value("password")
        if password:
            self._unlock(password)

    @work(exclusive=True, group="unlock", exit_on_error=False)
    async def _unlock(self, password: str) -> None:
        users = self.app.store.users
        try:
            await self.app.call_store(users.login, self.username, password)
        except StoreRefused as refusal:
            field = self.query_one("#password", Input)
            field.value = ""
            self.say(f"{refusal}.", error=True)
            return
        self.app.unlocked()
        self.dismiss(None)
