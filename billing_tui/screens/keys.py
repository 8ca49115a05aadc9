"""What the keys of a screen do, read from its live bindings: F1's list and the command palette.

Nothing here is a hand-kept list: a binding added to a screen, or rebound
in the config's [keys], shows up in both by itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen


@dataclass(frozen=True, slots=True)
class KeyAction:
    """One action and every key bound to it."""

    node: DOMNode
    binding: Binding
    keys: tuple[str, ...]
    enabled: bool

    @property
    def action(self) -> str:
        return self.binding.action

    @property
    def short(self) -> str:
        return self.binding.description

    @property
    def long(self) -> str:
        """What the action does, in a few words: the tooltip if the binding has one."""
        return self.binding.tooltip or self.binding.description


def key_actions(app: App, screen: Screen) -> list[KeyAction]:
    """The screen's actions (with the focused widget's and the app's), in binding order."""
    found: dict[tuple[int, str], KeyAction] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description:
            continue
        ident = (id(active.node), binding.action)
        shown = app.get_key_display(binding.with_key(key))
        if ident in found:
            held = found[ident]
            found[ident] = KeyAction(held.node, held.binding, (*held.keys, shown), held.enabled)
        else:
            found[ident] = KeyAction(active.node, binding, (shown,), active.enabled)
    return list(found.values())


def owner_name(node: DOMNode) -> str:
    """Whose key it is, as the help list and the palette say it: "Queue", "Account", "App"."""
    if isinstance(node, App):
        return "App"
    if isinstance(node, Screen):
        return getattr(node, "ACTIONS_NAME", "") or type(node).__name__
    return getattr(node, "ACTIONS_NAME", "") or type(node).__name__
