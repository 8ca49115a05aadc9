"""The scrubber's findings under the claim: errors first, a line each, one of them selected.

It is redrawn only when the findings change, not on every key typed. Enter (or
the editor's F3) goes to the field of the selected finding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.widget import Widget

from ..domain.scrubber import Finding
from .typeahead import TypeAhead


@dataclass(frozen=True, slots=True)
class Shown:
    """A finding with its field as the screen counts lines."""

    finding: Finding
    field: str


def counts(findings: Sequence[Shown]) -> tuple[int, int]:
    errors = sum(1 for shown in findings if shown.finding.blocks)
    return errors, len(findings) - errors


def summary(findings: Sequence[Shown]) -> str:
    errors, warnings = counts(findings)
    if not errors and not warnings:
        return "Clean: no findings"
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return ", ".join(parts)


class FindingsPanel(TypeAhead, Widget, can_focus=True):
    """Two lines of findings; Up and Down choose one, Enter goes to its field."""

    ACTIONS_NAME = "Findings"
    BINDINGS = [
        Binding("up", "select(-1)", "Previous", show=False, tooltip="the finding before"),
        Binding("down", "select(1)", "Next", show=False, tooltip="the finding after"),
        Binding("enter", "screen.jump_selected", "Go", show=False, tooltip="go to its field"),
    ]
    COMPONENT_CLASSES = {"findings--error", "findings--warning", "findings--selected"}
    DEFAULT_CSS = """
    FindingsPanel {
        height: 2;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        background: $boost;
        & > .findings--error { color: $text-error; text-style: bold; }
        & > .findings--warning { color: $text-warning; }
        & > .findings--selected { text-style: reverse; }
        &:focus { background: $panel; }
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.findings: tuple[Shown, ...] = ()
        self.selected = 0
        self._top = 0

    def show(self, findings: Sequence[Shown]) -> bool:
        """Show these findings; False (and nothing redrawn) when they are the ones shown."""
        findings = tuple(findings)
        if findings == self.findings:
            return False
        keep = self.current
        self.findings = findings
        self.selected = findings.index(keep) if keep in findings else 0
        self._scroll()
        self.refresh()
        return True

    @property
    def current(self) -> Shown | None:
        if not 0 <= self.selected < len(self.findings):
            return None
        return self.findings[self.selected]

    def select(self, index: int) -> None:
        if self.findings:
            self.selected = index % len(self.findings)
            self._scroll()
            self.refresh()

    def action_select(self, step: int) -> None:
        self.select(self.selected + step)

    def _scroll(self) -> None:
        rows = max(self.size.height, 2)
        if self.selected < self._top:
            self._top = self.selected
        elif self.selected >= self._top + rows:
            self._top = self.selected - rows + 1
        self._top = max(0, min(self._top, max(len(self.findings) - rows, 0)))

    def render(self) -> Text:
        if not self.findings:
            return Text("No findings: the scrubber has nothing to say.", end="")
        error = self.get_component_rich_style("findings--error", partial=True)
        warning = self.get_component_rich_style("findings--warning", partial=True)
        selected = self.get_component_rich_style("findings--selected", partial=True)
        rows = max(self.size.height, 2)
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        for index in range(self._top, min(self._top + rows, len(self.findings))):
            shown = self.findings[index]
            if index > self._top:
                text.append("\n")
            # A letter as well as a colour: a 16-colour or monochrome terminal still tells them apart.
            mark = "E" if shown.finding.blocks else "W"
            line = Text(no_wrap=True, overflow="ellipsis", end="")
            line.append(f"{'>' if index == self.selected else ' '}{mark} ")
            line.append(shown.finding.message)
            line.stylize(error if shown.finding.blocks else warning)
            if index == self.selected and self.has_focus:
                line.stylize(selected)
            text.append_text(line)
        return text

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
