"""What the UI tests share: waiting for the Store, typing in bursts, reading the screen."""

from __future__ import annotations

import datetime as dt

from textual import events
from textual.pilot import Pilot

from billing_tui.screens.queue import QueueScreen

TODAY = dt.date(2026, 11, 24)  # tests/conftest.py's TODAY: the sample's and the Store's today

NAMED_KEYS = {" ": "space", ",": "comma", "/": "slash", "-": "minus", "'": "apostrophe"}


async def settle(pilot: Pilot) -> None:
    """Wait until every Store call has answered and what it brought is on screen."""
    for _ in range(5):  # an answer can start another Store call, or a footer redraw
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def key(name: str) -> events.Key:
    if len(name) == 1:
        return events.Key(NAMED_KEYS.get(name, name), name)
    return events.Key(name, "\r" if name == "enter" else None)


async def burst(pilot: Pilot, *keys: str) -> None:
    """Keys as a fast typist over SSH sends them: all at once, before the app answers any."""
    for name in keys:
        pilot.app.post_message(key(name))
    await settle(pilot)


def queue_screen(pilot: Pilot) -> QueueScreen:
    return next(s for s in pilot.app.screen_stack if isinstance(s, QueueScreen))


def shown_accounts(pilot: Pilot):
    return queue_screen(pilot).table.records


class Typist:
    """Types keys, fast (in bursts, as over SSH), and counts them: content (what is read
    off the paper: codes, amounts, dates, check and claim numbers) apart from everything
    else (Enter, F-keys, Escape, letters used as commands or choices)."""

    def __init__(self, pilot: Pilot) -> None:
        self.pilot = pilot
        self.content = 0
        self.other = 0
        self.keys: list[str] = []

    def type(self, text: str) -> None:
        self.content += len(text)
        self.keys.extend(text)

    def press(self, *keys: str) -> None:
        self.other += len(keys)
        self.keys.extend(keys)

    async def send(self) -> None:
        """Everything typed so far, in one burst; then wait for the screen to catch up."""
        keys, self.keys = self.keys, []
        await burst(self.pilot, *keys)
