"""Screens that close once: a key typed twice, fast, must not close the screen beneath."""

from __future__ import annotations

from textual.await_complete import AwaitComplete
from textual.screen import Screen


class DismissOnce:
    """Mix in before the Screen class. Textual's dismiss() pops whatever screen is on top:
    an Enter typed twice on a list, or Escape twice, reaches a dialog that is already on
    its way out, and its second dismiss would close the screen under it (or, on the
    last screen, crash the app). A screen dismissed once ignores the rest."""

    _dismissed = False

    def dismiss(self, result=None) -> AwaitComplete:
        screen: Screen = self  # type: ignore[assignment]
        if self._dismissed or not screen.is_attached or screen not in screen.app.screen_stack:
            return AwaitComplete.nothing()
        self._dismissed = True
        return super().dismiss(result)  # type: ignore[misc]
