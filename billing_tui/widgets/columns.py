"""Fixed-width table columns that fit an 80-column terminal: widths, gaps and cell text.

Textual's DataTable pads every column on both sides; at 80 columns that
padding costs more than the patient's name gets. So the tables here use
cell_padding=0 and lay out each line themselves, every column cut or padded
to its exact width, one space apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from rich.style import Style
from rich.text import Span, Text

from ..domain.money import format_cents


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    width: int  # text width; a flexible column's least width
    right: bool = False  # numbers line up on the right
    flex: int = 0  # share of the spare width (0: fixed)
    most: int = 0  # a flexible column grows no wider than this (0: no limit)
    ellipsis: bool = True  # mark a cut text; without, a narrow column keeps one more letter


def fit(columns: Sequence[Column], total: int) -> dict[str, int]:
    """Text width of each column so that all of them, with their gaps, fill `total` cells."""
    widths = {c.key: c.width for c in columns}
    spare = total - sum(widths.values()) - (len(columns) - 1)
    growing = [c for c in columns if c.flex]
    while spare > 0 and growing:
        shares = sum(c.flex for c in growing)
        handed = 0
        for column in growing:
            extra = max(spare * column.flex // shares, 1)
            if column.most:
                extra = min(extra, column.most - widths[column.key])
            extra = min(extra, spare - handed)
            widths[column.key] += extra
            handed += extra
        spare -= handed
        growing = [c for c in growing if not c.most or widths[c.key] < c.most]
        if handed == 0:
            break
    return widths


def fit_text(text: str, width: int, *, right: bool = False, ellipsis: bool = True) -> str:
    """Text cut or padded to exactly width."""
    if len(text) > width:
        text = text[: width - 1] + "…" if ellipsis and width > 1 else text[:width]
    return text.rjust(width) if right else text.ljust(width)


def line(
    columns: Sequence[Column],
    widths: dict[str, int],
    values: dict[str, str],
    styles: dict[str, Style] | None = None,
) -> Text:
    """One table line, the columns one space apart; styles colour a column's text."""
    styles = styles or {}
    parts: list[str] = []
    spans: list[Span] = []
    position = 0
    for index, column in enumerate(columns):
        if index:
            parts.append(" ")
            position += 1
        body = fit_text(
            values.get(column.key, ""),
            widths[column.key],
            right=column.right,
            ellipsis=column.ellipsis,
        )
        style = styles.get(column.key)
        if style is not None:
            spans.append(Span(position, position + len(body), style))
        parts.append(body)
        position += len(body)
    return Text("".join(parts), spans=spans, no_wrap=True, end="")


def header(columns: Sequence[Column], widths: dict[str, int]) -> Text:
    return line(columns, widths, {c.key: c.label for c in columns})


def money(cents: int, width: int = 8) -> str:
    """format_cents, dropping the thousands commas when they would not fit the column."""
    text = format_cents(cents)
    return text if len(text) <= width else format_cents(cents, grouping=False)


def signed_money(cents: int, width: int = 8) -> str:
    """A ledger movement: '+120.00', '-45.00', or '' when the entry does not move this balance."""
    if cents == 0:
        return ""
    text = money(cents, width - 1)
    return text if cents < 0 else f"+{text}"


def short_date(value: dt.date | None) -> str:
    """MM/DD/YY, or '' for no date."""
    return value.strftime("%m/%d/%y") if value else ""


def recent_date(value: dt.date | None, today: dt.date) -> str:
    """MM/DD for a date within a year of today, else its year: five cells that cannot mislead."""
    if value is None:
        return ""
    if abs((value - today).days) < 365:
        return value.strftime("%m/%d")
    return str(value.year)
