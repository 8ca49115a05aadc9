"""The billing specialist's workstation: the app, its global keys, the command palette, and
the one place where a failed Store call becomes a dialog."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import ParamSpec, TypeVar

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen
from textual.widgets import Input

from .config import Settings
from .domain.queue import QueueFilter
from .screens.errors import ErrorDialog, describe
from .screens.keys import key_actions, owner_name
from .screens.queue import QueueScreen
from .screens.queue_window import PAGE_ROWS
from .store import Store
from .store.records import QueuePage

KEY_LABELS = {"escape": "Esc", "enter": "Enter", "pageup": "PgUp", "pagedown": "PgDn"}

P = ParamSpec("P")
T = TypeVar("T")


class ScreenCommands(Provider):
    """The command palette lists what the current screen can do: "Queue: filter by payer"."""

    def _commands(self) -> list[tuple[str, str, Callable]]:
        commands = []
        for action in key_actions(self.app, self.screen):
            if not action.enabled or action.action == "command_palette":
                continue
            if action.binding.id is None:
                continue  # Textual's own keys (focus next, copy...) and a field's editing keys
            text = f"{owner_name(action.node)}: {action.long}"
            run = partial(self.app.run_action, action.action, action.node)
            commands.append((text, " ".join(action.keys), run))
        return commands

    async def discover(self) -> Hits:
        for text, keys, run in self._commands():
            yield DiscoveryHit(text, run, help=keys)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, keys, run in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), run, help=keys)


class BillingApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "billing-tui"
    COMMANDS = {ScreenCommands}
    BINDINGS = [
        Binding("f1", "help", "Keys", id="app.help", tooltip="list every key of this screen"),
        Binding(
            "ctrl+p",
            "command_palette",
            "Commands",
            id="app.commands",
            show=False,  # the queue's footer is full at 80 columns; F1 lists it
            priority=True,
            tooltip="search this screen's commands",
        ),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True, tooltip="quit billing-tui"),
    ]

    IDLE_CHECK_SECONDS = 15

    def __init__(self, store: Store, settings: Settings | None = None, *, hint: str = "") -> None:
        super().__init__()
        self.store = store
        self.settings = settings
        self.login_hint = hint  # the demo says who to sign in as
        self.idle_minutes = settings.idle_minutes if settings is not None else 10
        self._last_input = time.monotonic()
        self._locked = False
        # Over SSH every animated frame is bytes on the wire: nothing moves by itself.
        self.animation_level = "none"
        # One thread owns the app's database connection (peewee keeps one per thread), so
        # queries never block a keystroke and never open a connection each.
        self._store_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        # The queue's first page is a few milliseconds at a million accounts: read it
        # on the store thread now, so the first frame Textual draws already has it.
        # (If it fails, the queue asks again once it is up, and shows the error there.)
        # Not before the login, though: nothing of a patient is read for nobody.
        self._first_page: QueuePage | None = None
        if store.session.signed_in:
            try:
                self._first_page = self._store_thread.submit(
                    store.queue.page, "", QueueFilter(), None, PAGE_ROWS
                ).result()
            except Exception:
                self._first_page = None
        if settings is not None and settings.keymap:
            self.set_keymap(settings.keymap)

    def get_default_screen(self) -> Screen:
        # The first screen itself (the queue, once signed in): no blank default screen first.
        if self.store.session.signed_in:
            return QueueScreen()
        from .screens.login import FirstAdminScreen, LoginScreen
        from .store.session import nobody_has_a_password

        needs_admin = self._store_thread.submit(nobody_has_a_password, self.store.db).result()
        return FirstAdminScreen() if needs_admin else LoginScreen(self.login_hint)

    def on_mount(self) -> None:
        if self.idle_minutes > 0:
            self.set_interval(self.IDLE_CHECK_SECONDS, self._lock_if_idle)

    def signed_in(self) -> None:
        """The login screen's success: on to the queue. (The login is the default screen,
        which cannot be switched away: the queue goes on top, covering it whole.)"""
        self._last_input = time.monotonic()
        for field in self.screen.query(Input):
            field.value = ""  # no password left in memory behind the queue
        self.push_screen(QueueScreen())

    def unlocked(self) -> None:
        self._locked = False
        self._last_input = time.monotonic()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.Paste)):
            self._last_input = time.monotonic()
        await super().on_event(event)

    def _lock_if_idle(self) -> None:
        """After idle_minutes without a key the session locks (HIPAA's automatic logoff),
        covering the screen; the work under it stays as it was."""
        if self._locked or not self.store.session.signed_in:
            return
        if time.monotonic() - self._last_input < self.idle_minutes * 60:
            return
        from .screens.login import LoginScreen

        if isinstance(self.screen, LoginScreen):
            return
        self.lock()

    def lock(self) -> None:
        from .screens.login import LockScreen

        self._locked = True
        self.push_screen(LockScreen(self.store.session.username, self.idle_minutes))

    async def call_store(self, call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run one Store call on the store thread and wait for it without freezing the screen."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._store_thread, partial(call, *args, **kwargs))

    def get_key_display(self, binding: Binding) -> str:
        """Keys as the keyboard labels them: F2, Esc, Enter."""
        if binding.key_display:
            return binding.key_display
        key = binding.key
        if key.startswith("f") and key[1:].isdigit():
            return key.upper()
        return KEY_LABELS.get(key, super().get_key_display(binding))

    def take_first_page(self) -> QueuePage | None:
        """The page read at start-up, once; later screens read their own."""
        first, self._first_page = self._first_page, None
        return first

    def report_failure(self, error: BaseException) -> None:
        """The one error handler: a dialog with a title and what to do, never a traceback."""
        self.log.error("action failed", error=repr(error))
        title, message = describe(error)
        self.push_screen(ErrorDialog(title, message))

    def action_help(self) -> None:
        from .screens.help import HelpScreen  # first F1 only: start-up does not pay for it

        screen = self.screen
        if isinstance(screen, HelpScreen):
            screen.dismiss(None)
            return
        title = owner_name(screen)
        self.push_screen(HelpScreen(title, key_actions(self, screen)))

    def on_command_palette_opened(self, event: CommandPalette.Opened) -> None:
        """The palette's own input blinks; stop it (bytes while idle)."""
        for field in self.screen.query(Input):
            field.cursor_blink = False

    async def on_unmount(self) -> None:
        # Close the store thread's connection on that thread, then let the thread go.
        await self.call_store(self._close_store_connection)
        self._store_thread.shutdown(wait=False)

    def _close_store_connection(self) -> None:
        if not self.store.db.is_closed():
            self.store.db.close()


def make_app(store: Store, settings: Settings | None = None, *, hint: str = "") -> BillingApp:
    """The app on a Store; the CLI runs it, the tests drive it. A Store already signed in
    (the tests') opens on the queue; otherwise the login screen comes first."""
    return BillingApp(store, settings, hint=hint)
