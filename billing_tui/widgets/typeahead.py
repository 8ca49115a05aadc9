"""Keys handled in the order they were typed, however fast: SSH delivers a fast typist's keys
in bursts, and a billing specialist types ahead of the screen.

Textual hands each key to the widget that has the focus when the key
arrives, and runs a widget's ordinary bindings only once the key has
bubbled up to the app. So in a burst like "Enter x" the x reaches the field
that Enter is about to leave, and a Backspace can land after the focus has
moved. A widget with TypeAhead:

1. passes a key that reaches it after the focus left it to whoever has the
   focus now;
2. runs the binding of a key itself, in order with the keys before it;
3. lets its screen hold keys while the screen waits for the Store
   (`hold_key`), to play them back when the answer is on screen.
"""

from __future__ import annotations

from collections import deque
from weakref import WeakKeyDictionary

from textual import events
from textual.app import App
from textual.widget import Widget

_waiting: WeakKeyDictionary[App, deque[tuple[str, str | None]]] = WeakKeyDictionary()


def replay(widget: Widget, key: str, character: str | None) -> None:
    """Send a held key to whatever has the focus now, after the keys already on their way.

    A screen just pushed may not have focused anything yet; the keys then
    wait, in order, until something has the focus.
    """
    app = widget.app
    queue = _waiting.setdefault(app, deque())
    queue.append((key, character))
    if len(queue) == 1:
        _deliver(app, tries=200)


def _deliver(app: App, tries: int) -> None:
    queue = _waiting.get(app)
    if not queue:
        return
    if app.focused is None and tries > 0:
        app.call_later(_deliver, app, tries - 1)
        return
    target = app.focused or app.screen
    while queue:
        key, character = queue.popleft()
        target.post_message(events.Key(key, character))


class TypeAhead:
    """Mix in before the widget class: `class Field(TypeAhead, Input)`. A widget that reacts
    to keys itself does it in type_key, never in on_key, which would run before these checks."""

    def type_key(self, event: events.Key) -> bool:
        """Take a key for the widget itself; True when taken."""
        return False

    async def _on_key(self, event: events.Key) -> None:
        widget: Widget = self  # type: ignore[assignment]
        app = widget.app
        if app.focused is not widget:  # typed before an earlier key moved the focus
            event.prevent_default()
            event.stop()
            replay(widget, event.key, event.character)
            return
        hold = getattr(widget.screen, "hold_key", None)
        if hold is not None and hold(event.key, event.character):
            event.prevent_default()
            event.stop()
            return
        if self.type_key(event):
            event.prevent_default()
            event.stop()
            return
        if event.is_printable and widget.check_consume_key(event.key, event.character):
            return  # the widget's own handler types the character
        active = widget.screen.active_bindings.get(event.key)
        if active is not None and not active.binding.priority:
            event.prevent_default()
            event.stop()
            if active.enabled:
                await app.run_action(active.binding.action, active.node)
