"""Errors a person can act on: the error dialog, and how a failed Store call reaches it.

Every Store call runs in a worker; a worker that fails posts a state change
to its own screen only, so each screen mixes in ReportsFailures, which hands
the error to the app's one handler (BillingApp.report_failure).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static
from textual.worker import Worker, WorkerState

from ..store import DatabaseUnavailable, StoreConflict, StoreError, StoreRefused
from ..store.session import PermissionRefused
from ..widgets.key_bar import KeyBar
from .once import DismissOnce


def describe(error: BaseException) -> tuple[str, str]:
    """A title and a message for a person. Unknown errors show their type only: their
    text could carry patient data or SQL, which never goes on screen."""
    if isinstance(error, StoreConflict):
        return (
            "Changed by someone else",
            f"{_sentence(error)} Go back, open the account again and redo the change.",
        )
    if isinstance(error, PermissionRefused):
        return "Not allowed", f"{_sentence(error)} Nothing was changed."
    if isinstance(error, StoreRefused):
        return "Not done", _sentence(error)
    if isinstance(error, DatabaseUnavailable):
        return (
            "Database unavailable",
            f"{_sentence(error)} Nothing was changed. Try again in a moment; "
            "if it keeps happening, call support.",
        )
    if isinstance(error, StoreError):
        return "Database problem", f"{_sentence(error)} Nothing was changed."
    return (
        "Unexpected error",
        f"That did not work ({type(error).__name__}). Try again; if it happens again, "
        "tell support what you were doing.",
    )


def _sentence(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


class ErrorDialog(DismissOnce, ModalScreen[None]):
    """A title, a message, and one key to close it."""

    BINDINGS = [
        Binding("escape,enter", "dismiss", "Close", id="error.close"),
    ]

    DEFAULT_CSS = """
    ErrorDialog { align: center middle; }
    ErrorDialog > Vertical {
        width: 64;
        height: auto;
        max-width: 100%;
        border: thick $error;
        background: $surface;
        padding: 0 1;
    }
    ErrorDialog #error-title { text-style: bold; color: $text-error; }
    """

    def __init__(self, title: str, message: str) -> None:
        super().__init__()
        self.title_text = title
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, id="error-title")
            yield Static(self.message, id="error-message", markup=False)
        yield KeyBar()


class ReportsFailures:
    """Mixed into a screen: its failed workers go to the app's error dialog, never a traceback."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.app.report_failure(event.worker.error)  # type: ignore[attr-defined]
