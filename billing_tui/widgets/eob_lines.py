"""A paper EOB's service lines as they are typed: allowed, the patient's share, paid, other
adjustments; the contractual write-off (CO-45) and paid worked out as one types.

One widget draws every line and the claim's totals under them, with one cursor
(as the claim editor's LineGrid does: no widget per cell, and a key redraws its
line and the totals, not the screen). Printable keys, Backspace and Ctrl+U edit
the cell under the cursor; the arrows move; Enter belongs to the screen, which
calls `advance`.

What a line's typed text means, in integer cents (pure functions, tested with
the screen): allowed is an amount; the patient's share is an amount followed by
d (deductible, PR-1), c (coinsurance, PR-2, the default) or p (copay, PR-3), or
by a space and any CARC, and several are joined with + ("50d+20c"); other
adjustments are an amount, a group and a CARC ("1.60 CO-253"), joined with +.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

from ..domain.money import MoneyError, format_cents, parse_cents
from ..domain.posting import line_defaults
from ..store.records import LinePosting, PostingLine
from .typeahead import TypeAhead

Adjustment = tuple[str, str, int]  # group, CARC, cents: as LinePosting holds them

PARTS = ("allowed", "share", "paid", "other")
"""The cells a person types in, in the order Enter visits them (paid and other on request)."""

PART_NAMES = {"allowed": "Allowed", "share": "Patient", "paid": "Paid", "other": "Other"}
MAX_LENGTHS = {"allowed": 12, "share": 30, "paid": 12, "other": 40}

SHARE_LETTERS = {"d": "1", "c": "2", "p": "3"}  # deductible, coinsurance, copay
DEFAULT_SHARE_CODE = "2"
GROUPS = ("CO", "PR", "OA", "PI", "CR")

_SHARE = re.compile(
    r"^(?P<amount>.*?)\s*(?:(?P<letter>[dcp])|\s(?:PR-?)?(?P<carc>[A-Z]?\d{1,3}))?$",
    re.IGNORECASE,
)
_OTHER = re.compile(
    r"^(?P<amount>[^A-Za-z]*?)\s*(?P<group>[A-Z]{2})\s*-?\s*(?P<carc>[A-Z0-9]{1,3})$", re.IGNORECASE
)


class EntryError(ValueError):
    """A cell whose text cannot be posted; `part` is the cell, the text says why."""

    def __init__(self, part: str, message: str) -> None:
        super().__init__(message)
        self.part = part
        self.line: EobLine | None = None  # set when the whole EOB is checked


def money(cents: int) -> str:
    return format_cents(cents)


def parse_amount(text: str, part: str) -> int:
    """A typed amount, 0 or more, in cents."""
    try:
        cents = parse_cents(text)
    except MoneyError as error:
        raise EntryError(part, f"{PART_NAMES[part]}: {error}") from None
    if cents < 0:
        raise EntryError(part, f"{PART_NAMES[part]} cannot be negative")
    return cents


def parse_share(text: str) -> tuple[Adjustment, ...]:
    """The patient's share: "20" (coinsurance), "20p" (copay), "50d+20c", "15 96"."""
    if not text.strip():
        return ()
    shares = []
    for piece in text.split("+"):
        match = _SHARE.match(piece.strip())
        how = (
            "type the amount, then d deductible, c coinsurance or p copay (20p), "
            "or a space and the CARC (20 96)"
        )
        if not piece.strip() or match is None or not match["amount"]:
            raise EntryError("share", f"Patient: {piece.strip()[:20]!r} is not a share: {how}")
        try:
            cents = parse_cents(match["amount"])
        except MoneyError:
            raise EntryError(
                "share", f"Patient: {piece.strip()[:20]!r} is not an amount: {how}"
            ) from None
        if cents < 0:
            raise EntryError("share", "Patient share cannot be negative")
        if match["letter"]:
            code = SHARE_LETTERS[match["letter"].lower()]
        else:
            code = (match["carc"] or DEFAULT_SHARE_CODE).upper()
        if cents:
            shares.append(("PR", code, cents))
    return tuple(shares)


def parse_other(text: str) -> tuple[Adjustment, ...]:
    """Other adjustments: "1.60 CO-253", "5 OA23+2 CO-45"."""
    if not text.strip():
        return ()
    others = []
    for piece in text.split("+"):
        match = _OTHER.match(piece.strip())
        if match is None or not match["amount"].strip():
            raise EntryError(
                "other",
                f"Other: {piece.strip()[:20]!r}: type the amount, group and reason, "
                "e.g. 1.60 CO-253",
            )
        group = match["group"].upper()
        if group not in GROUPS:
            raise EntryError("other", f"Other: {group} is not a group (CO, PR, OA, PI or CR)")
        try:
            cents = parse_cents(match["amount"])
        except MoneyError as error:
            raise EntryError("other", f"Other: {error}") from None
        if cents == 0:
            raise EntryError("other", "Other: an adjustment of 0.00 adjusts nothing")
        others.append((group, match["carc"].upper(), cents))
    return tuple(others)


def total(adjustments: Iterable[Adjustment]) -> int:
    return sum(cents for _, _, cents in adjustments)


@dataclass(frozen=True, slots=True)
class LineFigures:
    """What one typed line posts. charge = paid + contractual + share + other + unexplained."""

    allowed: int
    contractual: int  # CO-45: the charge beyond the allowed amount
    shares: tuple[Adjustment, ...]  # PR: moves to the patient's balance
    others: tuple[Adjustment, ...]
    paid: int
    unexplained: int  # what paid typed over leaves unaccounted for (0 balances)

    @property
    def share(self) -> int:
        return total(self.shares)

    @property
    def other(self) -> int:
        return total(self.others)

    def adjustments(self) -> tuple[Adjustment, ...]:
        contractual = (("CO", "45", self.contractual),) if self.contractual else ()
        return contractual + self.shares + self.others


class EobLine:
    """One service line of the claim and what has been typed for it."""

    def __init__(self, line: PostingLine) -> None:
        self.line = line
        self.typed = dict.fromkeys(PARTS, "")
        self.figures: LineFigures | None = None  # None: nothing typed, or not valid
        self.error: EntryError | None = None

    @property
    def blank(self) -> bool:
        """Nothing typed: the line is not on this EOB and posts nothing."""
        return not any(text.strip() for text in self.typed.values())

    @property
    def paid_typed(self) -> bool:
        return bool(self.typed["paid"].strip())

    def work_out(self) -> None:
        """Work out the figures from what is typed (or the first error in it)."""
        try:
            self.figures = self._figures()
            self.error = None
        except EntryError as error:
            self.figures = None
            self.error = error

    def _figures(self) -> LineFigures | None:
        typed = self.typed
        if self.blank:
            return None
        if not typed["allowed"].strip():
            raise EntryError("allowed", "Allowed: type the allowed amount (0 if nothing)")
        charge = self.line.charge
        allowed = parse_amount(typed["allowed"], "allowed")
        if allowed > charge:
            raise EntryError(
                "allowed", f"Allowed {money(allowed)} is more than the charge {money(charge)}"
            )
        shares = parse_share(typed["share"])
        if total(shares) > allowed:
            raise EntryError(
                "share",
                f"Patient share {money(total(shares))} is more than the allowed {money(allowed)}",
            )
        contractual, payable = line_defaults(charge, allowed, total(shares))
        others = parse_other(typed["other"])
        if self.paid_typed:
            paid = parse_amount(typed["paid"], "paid")
        else:
            paid = payable - total(others)
            if paid < 0:
                raise EntryError(
                    "other",
                    f"Other: {money(total(others))} is more than allowed less the patient's "
                    f"share ({money(payable)})",
                )
        unexplained = payable - total(others) - paid
        return LineFigures(allowed, contractual, shares, others, paid, unexplained)

    def posting(self) -> LinePosting | None:
        """What the Store posts for the line; EntryError when it cannot be."""
        self.work_out()
        if self.error is not None:
            raise self.error
        figures = self.figures
        if figures is None:
            return None
        if figures.unexplained:
            raise EntryError("paid", unbalanced(self.line.line_number, figures.unexplained))
        return LinePosting(self.line.id, figures.paid, figures.adjustments())


def unbalanced(line_number: int, unexplained: int) -> str:
    amount = money(unexplained)
    return (
        f"Line {line_number} does not balance by {money(abs(unexplained))}: type it as Other "
        f"(e.g. {amount} CO-253) or correct Paid"
    )


def eob_postings(lines: Iterable[EobLine]) -> tuple[LinePosting, ...]:
    """Every typed line's posting; EntryError (with .line set) at the first that cannot post."""
    postings = []
    for line in lines:
        try:
            posting = line.posting()
        except EntryError as error:
            error.line = line
            raise
        if posting is not None:
            postings.append(posting)
    return tuple(postings)


# --------------------------------------------------------------------------- drawing

# Columns: key, title, width, editable. An editable cell keeps its last cell for the cursor.
COLUMNS = (
    ("number", "#", 2, False),
    ("dos", "DOS", 5, False),
    ("code", "Code", 5, False),
    ("charge", "Charge", 8, False),
    ("allowed", "Allowed", 9, True),
    ("contractual", "CO-45", 8, False),
    ("share", "Patient", 9, True),
    ("codes", "PR", 4, False),
    ("paid", "Paid", 9, True),
    ("other", "Other", 12, True),
)
LEFT_ALIGNED = {"dos", "code", "codes", "other"}


def share_codes(shares: tuple[Adjustment, ...]) -> str:
    return "+".join(code for _, code, _ in shares)


def other_text(others: tuple[Adjustment, ...]) -> str:
    if len(others) == 1:
        group, code, cents = others[0]
        return f"{money(cents)} {group}-{code}"
    return f"{money(total(others))} x{len(others)}" if others else ""


class EobLines(TypeAhead, Widget, can_focus=True):
    """The claim's lines, a title row above them and the claim's totals under them."""

    ACTIONS_NAME = "EOB lines"
    BINDINGS = [
        Binding("up", "line(-1)", "Line up", show=False, id="eob.line_up",
                tooltip="the same amount on the line above"),
        Binding("down", "line(1)", "Line down", show=False, id="eob.line_down",
                tooltip="the same amount on the line below"),
        Binding("left", "cell(-1)", "Left", show=False, id="eob.left",
                tooltip="the amount to the left"),
        Binding("right", "cell(1)", "Right", show=False, id="eob.right",
                tooltip="the amount to the right (paid, other)"),
    ]  # fmt: skip
    COMPONENT_CLASSES = {
        "eob-lines--title",
        "eob-lines--cell",
        "eob-lines--cursor-cell",
        "eob-lines--cursor",
        "eob-lines--selection",
        "eob-lines--invalid",
        "eob-lines--total",
    }
    DEFAULT_CSS = """
    EobLines {
        height: 1fr;
        & > .eob-lines--title { text-style: bold; color: $text-muted; }
        & > .eob-lines--cell { background: $surface; color: $foreground; }
        & > .eob-lines--cursor-cell { background: $surface-lighten-1; color: $foreground; }
        & > .eob-lines--cursor { background: $foreground; color: $background; }
        & > .eob-lines--selection { background: $primary; color: $text; }
        & > .eob-lines--invalid { text-style: underline bold; color: $text-error; }
        & > .eob-lines--total { text-style: bold; }
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lines: list[EobLine] = []
        self.row = 0
        self.part = "allowed"
        self.selected = False  # arriving in a cell selects it: the first key replaces it
        self.prefilled = False  # Enter on paid put the difference in other (to be explained)
        self.top = 0
        self._looks: dict[str, Style] | None = None

    # ------------------------------------------------------------------ lines

    def show(self, lines: Iterable[PostingLine]) -> None:
        self.lines = [EobLine(line) for line in lines]
        self.row, self.part, self.top, self.selected = 0, "allowed", 0, True
        self.refresh()

    def clear(self) -> None:
        self.show(())

    @property
    def dirty(self) -> bool:
        return any(not line.blank for line in self.lines)

    @property
    def current(self) -> EobLine | None:
        return self.lines[self.row] if 0 <= self.row < len(self.lines) else None

    def totals(self) -> dict[str, int]:
        """The claim's sums of what is typed and worked out (lines in error left out)."""
        sums = dict.fromkeys(("charge", "allowed", "contractual", "share", "paid", "other"), 0)
        for line in self.lines:
            sums["charge"] += line.line.charge
            figures = line.figures
            if figures is not None:
                sums["allowed"] += figures.allowed
                sums["contractual"] += figures.contractual
                sums["share"] += figures.share
                sums["paid"] += figures.paid
                sums["other"] += figures.other
        return sums

    def postings(self) -> tuple[LinePosting, ...]:
        """The lines to post; EntryError at the first bad one, with the cursor put on it."""
        try:
            return eob_postings(self.lines)
        except EntryError as error:
            if error.line is not None:
                self.go(self.lines.index(error.line), error.part)
            self.refresh()
            raise

    # ------------------------------------------------------------------ moving

    def go(self, row: int, part: str, *, select: bool | None = None) -> None:
        """Put the cursor on a cell. Arriving in another cell selects its text (the first key
        replaces it); staying in the cell (a refused Enter) leaves the text as it was."""
        before = self.row
        if select is None:
            select = self.selected if (row, part) == (self.row, self.part) else True
        self.row, self.part, self.selected = row, part, select
        height = self._line_rows()
        if row < self.top:
            self.top = row
            self.refresh()
        elif row >= self.top + height:
            self.top = row - height + 1
            self.refresh()
        else:
            self._redraw_line(before)
            self._redraw_line(row)

    def action_line(self, step: int) -> None:
        if self.lines:
            self.go(min(max(self.row + step, 0), len(self.lines) - 1), self.part)
            self._tell_screen("eob_cursor_moved")

    def action_cell(self, step: int) -> None:
        if self.lines:
            index = min(max(PARTS.index(self.part) + step, 0), len(PARTS) - 1)
            self.go(self.row, PARTS[index])
            self._tell_screen("eob_cursor_moved")

    def advance(self) -> str | None:
        """Enter: check the cell and move on (allowed, patient, the next line's allowed).
        Returns the message when the cell cannot be left; the cursor then stays."""
        line = self.current
        self.prefilled = False
        if line is None:
            return None
        line.work_out()
        self._redraw_line(self.row)
        error = line.error
        if error is not None and PARTS.index(error.part) <= PARTS.index(self.part):
            self.go(self.row, error.part)
            return str(error)
        figures = line.figures
        if self.part == "allowed" and not line.blank:
            self.go(self.row, "share")
        elif self.part in ("paid", "other") and figures is not None and figures.unexplained:
            if self.part == "other":
                return unbalanced(line.line.line_number, figures.unexplained)
            if not line.typed["other"].strip():
                # The difference is the other adjustment's amount: its reason is typed after.
                line.typed["other"] = f"{money(figures.unexplained)} "
                line.work_out()
                self.prefilled = True
            self.go(self.row, "other", select=False)
        elif self.row + 1 < len(self.lines):
            self.go(self.row + 1, "allowed")
        else:
            self.go(self.row, self.part)
        return None

    @property
    def at_end(self) -> bool:
        """The cursor on the last line, past its allowed amount: the claim is typed."""
        return self.row == len(self.lines) - 1 and self.part != "allowed"

    # ------------------------------------------------------------------ keys

    def type_key(self, event: events.Key) -> bool:
        line = self.current
        if line is None:
            return False
        key = event.key
        editing = key in ("backspace", "ctrl+u", "ctrl+k", "ctrl+w", "ctrl+x", "delete")
        if not (event.is_printable or editing):
            return False
        text = "" if self.selected else self.edit_text(line, self.part)
        self.selected = False
        if event.is_printable and event.character:
            if len(text) < MAX_LENGTHS[self.part]:
                text += event.character
        elif key == "backspace":
            text = text[:-1]
        else:
            text = ""
        self._type(line, text)
        return True

    def on_paste(self, event: events.Paste) -> None:
        event.stop()
        line = self.current
        if line is None or not event.text:
            return
        text = "" if self.selected else self.edit_text(line, self.part)
        self.selected = False
        self._type(line, (text + event.text.splitlines()[0])[: MAX_LENGTHS[self.part]])

    def _type(self, line: EobLine, text: str) -> None:
        line.typed[self.part] = text
        line.work_out()
        self._redraw_line(self.row)
        self._redraw_totals()
        self._tell_screen("eob_typed")

    def _tell_screen(self, hook: str) -> None:
        """The screen follows (its totals, its hint) in the same key's turn: a message would
        reach it after the keys typed ahead, and its hint would land over their message."""
        if self.is_attached:
            follow = getattr(self.screen, hook, None)
            if follow is not None:
                follow()

    def edit_text(self, line: EobLine, part: str) -> str:
        """What the cell holds to edit: what was typed; paid, till typed over, its worked-out
        amount (so that Enter keeps it and a key replaces it)."""
        if part == "paid" and not line.paid_typed and line.figures is not None:
            return money(line.figures.paid)
        return line.typed[part]

    # ------------------------------------------------------------------ drawing

    def _line_rows(self) -> int:
        """Rows for lines: the widget's height less the title and the totals."""
        return max(self.size.height - 2, 1)

    def _redraw_line(self, row: int) -> None:
        y = row - self.top + 1
        if self.is_mounted and 1 <= y <= self._line_rows():
            self.refresh(Region(0, y, self.size.width, 1))

    def _redraw_totals(self) -> None:
        if self.is_mounted:
            y = 1 + min(len(self.lines) - self.top, self._line_rows())
            self.refresh(Region(0, y, self.size.width, 1))

    # Textual repaints a whole widget when it gains or loses the focus; only the cursor's
    # cell looks different (see LineGrid).
    def _on_focus(self, event: events.Focus) -> None:
        event.prevent_default()
        self.has_focus = True
        self._redraw_line(self.row)
        if self.parent is not None:
            self.parent.post_message(events.DescendantFocus(self))

    def _on_blur(self, event: events.Blur) -> None:
        event.prevent_default()
        self.has_focus = False
        self._redraw_line(self.row)
        if self.parent is not None:
            self.parent.post_message(events.DescendantBlur(self))

    def on_resize(self) -> None:
        if self.lines:
            self.go(self.row, self.part, select=self.selected)
        self.refresh()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines) + 2

    def notify_style_update(self) -> None:
        self._looks = None
        super().notify_style_update()

    def looks(self) -> dict[str, Style]:
        if self._looks is None:
            base = self.rich_style
            style = self.get_component_rich_style
            self._looks = {
                "base": base,
                "title": base + style("eob-lines--title"),
                "cell": base + style("eob-lines--cell"),
                "cursor-cell": base + style("eob-lines--cursor-cell"),
                "cursor": base + style("eob-lines--cursor"),
                "selection": style("eob-lines--selection", partial=True),
                "invalid": style("eob-lines--invalid", partial=True),
                "total": base + style("eob-lines--total"),
            }
        return self._looks

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        looks = self.looks()
        if y == 0:
            return self._row_strip(
                {key: title for key, title, _, _ in COLUMNS}, looks["title"], width
            )
        index = self.top + y - 1
        shown = min(len(self.lines) - self.top, self._line_rows())
        if y - 1 == shown and self.lines:
            return self._totals_strip(width)
        if y - 1 > shown or index >= len(self.lines):
            return Strip.blank(width, looks["base"])
        return self._line_strip(index, width)

    def _row_strip(self, values: dict[str, str], style: Style, width: int) -> Strip:
        segments = []
        for key, _, cell_width, editable in COLUMNS:
            text_width = cell_width - 1 if editable else cell_width
            text = values.get(key, "")[:text_width]
            text = text.ljust(text_width) if key in LEFT_ALIGNED else text.rjust(text_width)
            segments.append(Segment(text.ljust(cell_width) + " ", style))
        return Strip(segments).crop(0, width).extend_cell_length(width, self.looks()["base"])

    def _totals_strip(self, width: int) -> Strip:
        sums = self.totals()
        values = {key: money(sums[key]) for key in ("charge", "allowed", "contractual", "share")}
        values |= {"paid": money(sums["paid"]), "number": "", "dos": "Total"}
        if sums["other"]:
            values["other"] = money(sums["other"])
        return self._row_strip(values, self.looks()["total"], width)

    def shown_values(self, line: EobLine) -> dict[str, str]:
        """Each column's text for a line (cells out of the cursor)."""
        posting_line = line.line
        values = {
            "number": str(posting_line.line_number),
            "dos": posting_line.dos.strftime("%m/%d"),
            "code": posting_line.code,
            "charge": money(posting_line.charge),
        }
        figures = line.figures
        if figures is None:  # blank or in error: the typed text as it is
            values |= {part: line.typed[part] for part in PARTS}
            return values
        values |= {
            "allowed": money(figures.allowed),
            "contractual": money(figures.contractual),
            "share": money(figures.share) if figures.shares else "",
            "codes": share_codes(figures.shares),
            "paid": money(figures.paid),
            "other": other_text(figures.others),
        }
        return values

    def _line_strip(self, index: int, width: int) -> Strip:
        looks = self.looks()
        base = looks["base"]
        line = self.lines[index]
        values = self.shown_values(line)
        error_part = line.error.part if line.error is not None else None
        segments: list[Segment] = []
        for key, _, cell_width, editable in COLUMNS:
            here = editable and self.has_focus and index == self.row and key == self.part
            look = looks["cursor-cell" if here else "cell"] if editable else base
            if key == error_part:
                look += looks["invalid"]
            if here:
                text = self.edit_text(line, key)[-(cell_width - 1) :]
                body = look + looks["selection"] if self.selected and text else look
                segments.append(Segment(" " * (cell_width - 1 - len(text)), look))
                segments.append(Segment(text, body))
                segments.append(Segment(" ", looks["cursor"]))
            else:
                text_width = cell_width - 1 if editable else cell_width
                text = values.get(key, "")
                if len(text) > text_width:
                    text = text[: text_width - 1] + "…"
                text = text.ljust(text_width) if key in LEFT_ALIGNED else text.rjust(text_width)
                segments.append(Segment(text.ljust(cell_width), look))
            segments.append(Segment(" ", base))
        return Strip(segments).crop(0, width).extend_cell_length(width, base)
