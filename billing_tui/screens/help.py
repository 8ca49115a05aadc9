"""F1: every key of the screen underneath, generated from its bindings."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label

from ..widgets.key_bar import KeyBar
from .keys import KeyAction, owner_name
from .once import DismissOnce


class HelpScreen(DismissOnce, ModalScreen[None]):
    """A list of keys, grouped by whose they are: this screen's, the focused field's, the app's."""

    ACTIONS_NAME = "Help"
    BINDINGS = [
        Binding("escape,f1", "dismiss", "Close", id="help.close", tooltip="close the key list"),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    HelpScreen #help-title { text-style: bold; }
    HelpScreen DataTable { height: auto; max-height: 18; scrollbar-size: 1 0; }
    """

    def __init__(self, screen_title: str, actions: list[KeyAction]) -> None:
        super().__init__()
        self.screen_title = screen_title
        self.actions = actions

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Keys: {self.screen_title}", id="help-title")
            yield DataTable(cursor_type="row", show_header=False, cell_padding=0)
        yield KeyBar()

    @staticmethod
    def _order(action: KeyAction) -> int:
        """The screen's own keys first, then the app's, then the focused field's."""
        if isinstance(action.node, Screen):
            return 0
        return 1 if isinstance(action.node, App) else 2

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("keys", width=14, key="keys")
        table.add_column("what", width=37, key="what")
        # The binding id: what a [keys] entry in config.toml rebinds.
        table.add_column("id", width=22, key="id")
        groups: dict[str, list[KeyAction]] = {}
        for action in sorted(self.actions, key=self._order):
            groups.setdefault(owner_name(action.node), []).append(action)
        for owner, actions in groups.items():
            table.add_row(Text(owner, style="bold"), Text(""), Text(""))
            for action in actions:
                what = action.long if action.enabled else f"{action.long} (not now)"
                table.add_row(
                    Text(" " + " ".join(action.keys)),
                    Text(what, overflow="ellipsis", no_wrap=True),
                    Text(action.binding.id or "", style="dim"),
                )
