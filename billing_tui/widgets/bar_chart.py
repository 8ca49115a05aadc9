"""Horizontal bar charts in text, for 16-colour terminals: eighth-block bars (▏▎▍▌▋▊▉█).

A legend line says what the bars are; then one group of lines per label: its bars, one a
series, scaled to the widest value, each amount at the end of its line. Several series
are told apart by a letter before each bar (named in the legend) as well as by colour, so
a monochrome terminal, a screen reader or a colour-blind reader loses nothing; a negative
amount (a credit) is drawn in a light shade (░), and its amount has its minus sign.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from ..domain.money import format_cents

EIGHTHS = ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")
FULL = "█"
NEGATIVE = "░"
LETTERS = "abcdefghijklmnopqrstuvwxyz"
SERIES_STYLES = 6  # bar-chart--series-1 .. -6, then round again


def bar(value: int, widest: int, cells: int) -> str:
    """A bar for value, on a scale where widest fills cells: whole blocks, then an eighth
    block for the rest; never empty for an amount that is not zero."""
    if value == 0 or widest == 0 or cells <= 0:
        return ""
    eighths = max(round(abs(value) * cells * 8 / widest), 1)
    if value < 0:  # whole cells: the light shade has no eighths
        return NEGATIVE * max(round(eighths / 8), 1)
    return FULL * (eighths // 8) + EIGHTHS[eighths % 8]


class BarChart(Widget):
    """show(labels, series) then draws itself; series are (name, one value per label)."""

    COMPONENT_CLASSES = {
        "bar-chart--label",
        "bar-chart--amount",
        *(f"bar-chart--series-{n}" for n in range(1, SERIES_STYLES + 1)),
    }

    # ANSI colours, six that differ on every terminal of 16 colours or more (bright red and
    # magenta are one colour in some palettes, Textual's own among them).
    DEFAULT_CSS = """
    BarChart {
        height: auto;
        width: 1fr;
    }
    BarChart > .bar-chart--label { text-style: bold; }
    BarChart > .bar-chart--amount { }
    BarChart > .bar-chart--series-1 { color: ansi_bright_blue; }
    BarChart > .bar-chart--series-2 { color: ansi_bright_green; }
    BarChart > .bar-chart--series-3 { color: ansi_bright_yellow; }
    BarChart > .bar-chart--series-4 { color: ansi_bright_cyan; }
    BarChart > .bar-chart--series-5 { color: ansi_bright_red; }
    BarChart > .bar-chart--series-6 { color: ansi_yellow; }
    """

    def __init__(
        self,
        *,
        format_value: Callable[[int], str] = format_cents,
        empty: str = "Nothing to chart.",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.format_value = format_value
        self.empty = empty
        self.labels: tuple[str, ...] = ()
        self.series: tuple[tuple[str, tuple[int, ...]], ...] = ()

    def show(self, labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]]) -> None:
        self.labels = tuple(labels)
        self.series = tuple((name, tuple(values)) for name, values in series)
        self.refresh(layout=True)

    @property
    def line_count(self) -> int:
        """The lines the chart takes: the legend, then a line a bar."""
        if not self.labels or not self.series:
            return 1
        return 1 + len(self.labels) * len(self.series)

    def legend(self) -> Text:
        """What the bars are: 'Bars: Balance', or which letter is which series:
        'Bars: a 0-30  b 31-60 ...'."""
        line = Text("Bars: ", no_wrap=True, overflow="ellipsis", end="")
        if len(self.series) == 1:
            line.append(self.series[0][0], self._series_style(0) + Style(bold=True))
            return line
        for n, (name, _values) in enumerate(self.series):
            line.append(LETTERS[n % len(LETTERS)], self._series_style(n) + Style(bold=True))
            line.append(f" {name}  ")
        line.rstrip()
        return line

    def render(self) -> Text:
        if not self.labels or not self.series:
            return Text(self.empty, end="")
        width = max(self.size.width, 20)
        many = len(self.series) > 1
        amounts = [[self.format_value(v) for v in values] for _name, values in self.series]
        amount_w = max(len(a) for column in amounts for a in column)
        tag_w = 2 if many else 0
        label_w = min(max(len(label) for label in self.labels), 30, max(width // 3, 6))
        cells = width - label_w - 1 - tag_w - 1 - amount_w
        if cells < 8:  # a narrow chart: the labels give way to the bars
            label_w = max(label_w - (8 - cells), 3)
            cells = width - label_w - 2 - tag_w - amount_w
        widest = max(abs(v) for _name, values in self.series for v in values)
        label_style = self.get_component_rich_style("bar-chart--label")
        amount_style = self.get_component_rich_style("bar-chart--amount")
        lines: list[Text] = [self.legend()]
        for row, label in enumerate(self.labels):
            for n, (_name, values) in enumerate(self.series):
                value = values[row]
                line = Text(no_wrap=True, overflow="crop", end="")
                line.append(_fit(label if n == 0 else "", label_w), label_style)
                line.append(" ")
                style = self._series_style(n)
                if many:
                    line.append(LETTERS[n % len(LETTERS)], style + Style(bold=True))
                    line.append(" ")
                line.append(bar(value, widest, cells).ljust(cells), style)
                line.append(" ")
                line.append(amounts[n][row].rjust(amount_w), amount_style)
                lines.append(line)
        return Text("\n", end="").join(lines)

    def _series_style(self, n: int) -> Style:
        return self.get_component_rich_style(f"bar-chart--series-{n % SERIES_STYLES + 1}")


def _fit(text: str, width: int) -> str:
    if len(text) > width:
        return text[: width - 1] + "…" if width > 1 else text[:width]
    return text.ljust(width)
