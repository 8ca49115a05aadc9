"""Heads-down entry in the claim editor: what each key typed does, and where Enter goes.

Enter checks the field it leaves (a bad date, amount or code keeps the cursor
there, with the message on the hint line) and moves on: down the header,
along the diagnoses, along a service line and, from its charge, to the next
line (a new one at the end). Enter on a blank diagnosis goes to the lines;
Enter on the empty code of a new line leaves the lines for the findings.

The cursor moves with `go`: Screen.set_focus at once (Widget.focus() waits a
turn, and a fast typist's next key would reach the field being left, see
TypeAhead), and what the move changes on screen (the hint, the findings held
back while the field was typed in) is drawn in the same frame as the move.
"""

from __future__ import annotations

import datetime as dt
import re
from weakref import WeakKeyDictionary

from textual import events
from textual.app import App
from textual.widget import Widget

from ..domain import icd10
from ..domain.claims import TRANSITIONS, ClaimStatus
from ..domain.money import format_cents
from ..widgets.claim_fields import ClaimField, DxField, PickField
from ..widgets.claim_findings import FindingsPanel
from ..widgets.claim_header import ORDER
from ..widgets.claim_lines import PARTS, SHOWN_ROWS, Cell, LineRow
from . import claim_form as cf

PART_NAMES = {
    "dos": "DOS",
    "code": "code",
    "modifiers": "modifiers",
    "pointers": "pointers",
    "units": "units",
    "charge": "charge",
}
LINE_HINT = "DOS 112426, CPT/HCPCS (the fee fills the charge), modifiers 25 95, units."
_CODE_TYPED = re.compile(r"^[A-Z](\d[0-9A-Z]{0,5})?$", re.ASCII)  # a code, not words
SUGGESTIONS = 6
DX_HINT = "Diagnosis: a code (J06.9 or J069) or words (strep throat); Enter on a blank one: lines."

# The last date of service typed, per app: the next claim's first line starts from it
# (a specialist enters a day's superbills one after another).
last_dos: WeakKeyDictionary[App, dt.date] = WeakKeyDictionary()


class ClaimEntry:
    """Mixed into ClaimEditor, which provides the widgets, `say`, `live` and `refuse_edit`."""

    # ------------------------------------------------------------------ typing

    def field_edited(self, field: Widget) -> None:
        """A field changed by a person (the fields and the lines' cells call this as it happens)."""
        self._changed()
        if isinstance(field, (ClaimField, Cell)):
            self.typing_in = field
            if field not in self._marked:
                field.remove_class("-invalid")  # refused on Enter; typed over since
        if isinstance(field, PickField):
            if field.part == "supervising":
                self._supervising_touched = True
            elif field.part == "rendering" and not self._supervising_touched:
                # The rendering provider's own supervisor, until one is picked by hand.
                self.header.pick("supervising").show(self._supervisor_of(field.value))
            self.say(self.header.hint(field.part))
        elif isinstance(field, DxField):
            self._suggestions_moved = False
            self._suggest(field)
        elif isinstance(field, (ClaimField, Cell)):
            row = self.grid.row_of(field)
            if row is not None:
                if field.part == "charge":
                    row.charge_from_fee = not field.value.strip()
                if field.part in ("code", "modifiers", "units"):
                    self._price(row)
                if field.part in ("code", "modifiers"):
                    self._describe(row)
            elif field.part in ("pos", "frequency", "original"):
                self.header.name_codes()
        self.live()
        self._one_frame()

    def _changed(self) -> None:
        if not self.dirty:
            self.dirty = True
            self._show_title()
            self.refresh_bindings()

    def _price(self, row: LineRow) -> None:
        """The charge follows the fee schedule (fee x units) until it is typed over."""
        if not row.charge_from_fee or self.data is None:
            return
        values = row.values()
        try:
            modifiers = cf.read_modifiers(values["modifiers"])
        except ValueError:
            modifiers = ()
        fee = cf.fee_for(self.data.fees, values["code"], modifiers)
        try:
            units = cf.read_units(values["units"])
        except ValueError:
            units = 1
        row.field("charge").show_value(format_cents(fee.charge * units) if fee else "")

    def _describe(self, row: LineRow) -> None:
        """What the line's code is, beside it."""
        if self.data is None:
            return
        values = row.values()
        code = values["code"].strip().upper()
        fee = cf.fee_for(self.data.fees, code, values["modifiers"].upper().split())
        if fee is not None:
            row.describe(fee.description)
        else:
            row.describe("not in the fee schedule" if len(code) == 5 else "")

    # ------------------------------------------------------------------ diagnosis suggestions

    def _suggest(self, field: DxField) -> None:
        """Suggestions for what is typed: for a code, on the hint line (one line: cheap over
        SSH); for words, in the list under the diagnoses, where Down and Enter pick one."""
        suggestions = self.suggestions
        text = field.value.strip()
        if not text or not self._codes_ready:
            suggestions.show([], None)
            self.say(DX_HINT if not text else "Reading the ICD-10-CM code set…")
            return
        code = icd10.normalize(text)
        if icd10.is_billable(code):
            suggestions.show([], None)
            self.say(f"{icd10.display(code)} {icd10.description(code)}")
            return
        found = icd10.suggest(text, SUGGESTIONS)
        if _CODE_TYPED.match(code) and not self._suggestions_moved:
            suggestions.show([], None)
            if found:
                self.say("Down lists: " + " · ".join(f"{c} {d}" for c, d in found[:3]))
            else:
                self.say(f"No billable code starts with {icd10.display(code)}.")
            return
        suggestions.show(found, 0 if found else None)
        self.say(
            "Enter takes the highlighted code; Up/Down choose; Esc closes the list."
            if found
            else f"No billable code for {text[:30]!r}."
        )

    def move_suggestion(self, key: str) -> bool:
        """Up, Down and Escape in a diagnosis field: True when they moved in the suggestions."""
        suggestions = self.suggestions
        field = self.focused
        if not isinstance(field, DxField):
            return False
        is_open = bool(suggestions.items)
        if key == "escape":
            if is_open:
                suggestions.show([], None)
            return is_open
        if key == "down":
            if not is_open:
                text = field.value.strip()
                found = icd10.suggest(text, SUGGESTIONS) if text and self._codes_ready else []
                if not found:
                    return False
                self._suggestions_moved = True
                suggestions.show(found, 0)
                return True
            self._suggestions_moved = True
            last = len(suggestions.items) - 1
            suggestions.show(suggestions.items, min((suggestions.highlight or 0) + 1, last))
            return True
        if key == "up" and is_open:
            highlight = (suggestions.highlight or 0) - 1
            suggestions.show(suggestions.items if highlight >= 0 else [], max(highlight, 0))
            return True
        return False

    # ------------------------------------------------------------------ hints

    def go(self, widget: Widget | Cell) -> None:
        """Put the cursor on a field, and redraw what that changes now, not a frame later."""
        if isinstance(widget, Cell):
            self.grid.move_to(widget)  # a cell of the lines: the lines take the focus
            self.set_focus(self.grid)
        else:
            self.set_focus(widget)
        if self.cursor_field is widget:
            self._arrived(widget)
            self._one_frame()

    def _one_frame(self) -> None:
        """Hold the screen's next frame until the widgets this key changed have all asked to
        be repainted: the fields, then the hint line, last. Else Textual can draw the
        fields at once and the hint a frame later, and the key takes 30 ms, not 5."""
        if self._frame_held is not None:
            return
        self._frame_held = self.app.batch_update()
        self._frame_held.__enter__()
        self.part("#hint").call_later(self._release_frame)
        # Whatever happens to the hint line (the screen closing...), the app draws again.
        self.app.set_timer(0.05, self._release_frame)

    def _release_frame(self) -> None:
        held, self._frame_held = self._frame_held, None
        if held is not None:
            held.__exit__(None, None, None)
            self.check_idle()  # the screen draws what it was asked to while held

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """The cursor moved by other means (Tab, a dialog closing): the same as `go`."""
        widget = event.widget
        if widget is self.grid:
            widget = self.grid.cursor
        if widget is not None and widget is self.cursor_field and widget is not self._arrived_at:
            self._arrived(widget)

    def _arrived(self, widget: Widget) -> None:
        self._arrived_at = widget
        # Findings wait while a field is typed in; back in it, they show until it is typed in.
        self.typing_in = None
        if not isinstance(widget, DxField):
            self.suggestions.show([], None)
        row = self.grid.row_of(widget)
        if row is not self._arrived_row or row is None:  # along a line, nothing to tidy
            self._arrived_row = row
            self._tidy_blank_rows(row)
        if row is not None:
            self._fill_defaults(row)
        if widget is self.message_for:
            self.message_for = None  # it came with its own message (a finding, a refusal)
        else:
            self.say(self._hint_for(widget))
        self.live()  # the findings of the field just left, held back while it was typed in

    def _hint_for(self, widget: Widget) -> str:
        if isinstance(widget, DxField):
            text = widget.value.strip()
            if text and self._codes_ready and icd10.is_billable(text):
                return f"{icd10.display(text)} {icd10.description(text)}"
            if self.status != ClaimStatus.DRAFT.value:
                return self.read_only_hint()
            return DX_HINT
        if isinstance(widget, FindingsPanel):
            return "Up/Down choose a finding, Enter goes to its field; F4 makes the claim ready."
        part = getattr(widget, "part", "")
        row = self.grid.row_of(widget)
        if row is not None:
            # One hint for the whole line: moving along it redraws nothing here.
            return f"Line {row.number}: {LINE_HINT} Pointers: {self._pointer_hint()}"
        return self.header.hint(part) if part else ""

    def read_only_hint(self) -> str:
        """What can be done with a claim that is not a draft (only the keys that work)."""
        status = ClaimStatus(self.status)
        keys = ["F5 its history"]
        if TRANSITIONS[status]:
            keys.append("F6 moves it" + (" (back to draft)" if status is ClaimStatus.READY else ""))
        if self.detail is not None and self._builder_applies("replacement"):
            keys.append("F7 builds a replacement")
        return f"This claim is {status.label}: read-only. {', '.join(keys)}."

    def _pointer_hint(self) -> str:
        codes = [f.value.strip() for f in self.dx_fields]
        named = [f"{n} {icd10.display(c)}" for n, c in enumerate(codes, start=1) if c]
        return " ".join(named) if named else "enter the diagnoses first."

    # ------------------------------------------------------------------ Enter

    def action_next_field(self) -> None:
        focused = self.cursor_field
        if focused is None or self.data is None:
            return
        if isinstance(focused, DxField):
            self._enter_diagnosis(focused)
            return
        row = self.grid.row_of(focused)
        if row is not None:
            self._enter_line(row, focused)  # type: ignore[arg-type]
            return
        part = getattr(focused, "part", None)
        if part in ORDER:
            problem = cf.header_problem(cf.Header(**self.header.values()), part)
            if problem and part in ("pos", "frequency", "original", "prior_auth"):
                focused.add_class("-invalid")
                self.say(f"{part.replace('_', ' ').capitalize()}: {problem}", error=True)
                return
            later = [p for p in ORDER[ORDER.index(part) + 1 :] if not self.header.field(p).disabled]
            self.go(self.header.field(later[0]) if later else self.dx_fields[0])
            return
        self.focus_next()

    def _enter_diagnosis(self, field: DxField) -> None:
        text = field.value.strip()
        suggestions = self.suggestions
        if not text:
            suggestions.show([], None)
            self._to_lines()
            return
        chosen = suggestions.chosen
        typed_words = not _CODE_TYPED.match(icd10.normalize(text))
        if chosen is not None and (self._suggestions_moved or typed_words):
            code = icd10.normalize(chosen[0])
        else:
            try:
                code = cf.read_diagnosis(text)
            except ValueError as error:
                field.add_class("-invalid")
                self.say(f"Diagnosis {field.number}: {error}", error=True)
                return
        for other in self.dx_fields:
            if other is not field and icd10.normalize(other.value) == code:
                field.add_class("-invalid")
                self.say(f"{icd10.display(code)} is already diagnosis {other.number}.", error=True)
                return
        suggestions.show([], None)
        field.show_value(icd10.display(code))
        self.live()
        if field.number < cf.MAX_DIAGNOSES:
            self.go(self.dx_fields[field.number])
        else:
            self._to_lines()

    def _to_lines(self) -> None:
        rows = self.grid.rows
        if rows:
            self.go(rows[0].field("dos"))
        else:
            self._add_row()

    def _enter_line(self, row: LineRow, field: Cell) -> None:
        part = field.part
        text = cf.LineText(**row.values())
        rows = self.grid.rows
        if part == "code" and text.blank:
            if len(rows) > 1:
                self.go(self.panel)  # done with the lines
            else:
                self.say("Type the procedure code: a claim needs at least one line.", error=True)
            return
        diagnoses = len(self.form().used_diagnoses)
        problem = cf.line_problem(text, part, diagnoses, self.today())
        if problem:
            field.add_class("-invalid")
            self.say(f"Line {row.number} {PART_NAMES[part]}: {problem}", error=True)
            return
        self._tidy(row, field)
        if part != "charge":
            self.go(row.field(PARTS[PARTS.index(part) + 1]))
            return
        index = rows.index(row)
        if index + 1 < len(rows):
            self.go(rows[index + 1].field("dos"))
        else:
            self._add_row()

    def _tidy(self, row: LineRow, field: Cell) -> None:
        """Show what was typed the way the claim will say it: 11/24/26, 99213, 25 95, 1,2."""
        value, today = field.value, self.today()
        if field.part == "dos":
            dos = cf.read_dos(value, today)
            last_dos[self.app] = dos
            shown = f"{dos:%m/%d/%y}"
        elif field.part == "code":
            shown = value.strip().upper()
        elif field.part == "modifiers":
            shown = " ".join(cf.read_modifiers(value))
        elif field.part == "pointers":
            diagnoses = len(self.form().used_diagnoses)
            shown = ",".join(str(p) for p in cf.read_pointers(value, diagnoses))
        elif field.part == "charge":
            shown = format_cents(cf.read_charge(value))
        else:
            shown = value.strip()
        field.show_value(shown)
        if field.part in ("code", "modifiers"):
            self._describe(row)

    # ------------------------------------------------------------------ lines

    # The grid always holds a screenful of rows, the unused ones blank: a new line is a
    # blank row filled in, and the numbering on screen is the claim's.

    def _fill_defaults(self, row: LineRow) -> None:
        """A blank row the cursor comes to: DOS from the line above, pointer 1, 1 unit."""
        if any(row.values().values()):
            return
        rows = self.grid.rows
        dos = None
        for above in reversed(rows[: rows.index(row)]):
            try:
                dos = cf.read_dos(above.values()["dos"], self.today())
                break
            except ValueError:
                continue
        dos = dos or last_dos.get(self.app, self.today())
        for part, value in (("dos", f"{dos:%m/%d/%y}"), ("pointers", "1"), ("units", "1")):
            row.field(part).show_value(value)
        row.charge_from_fee = True

    def _tidy_blank_rows(self, here: LineRow | None) -> None:
        """Blank rows the cursor has left: emptied at the end; taken out between lines (the
        lines on screen are numbered as the claim will be)."""
        rows = self.grid.rows
        used = [i for i, row in enumerate(rows) if not cf.LineText(**row.values()).blank]
        last_used = used[-1] if used else -1
        gaps = []
        for index, row in enumerate(rows):
            if row is here or not cf.LineText(**row.values()).blank:
                continue
            if index < last_used:
                gaps.append(row)
            else:
                for field in row.fields.values():
                    field.show_value("")
                    field.remove_class("-invalid")
        for row in gaps:
            self.grid.remove_row(row)
            self.grid.insert_row(len(self.grid.rows), LineRow({}, 0))

    def _add_row(self, before: LineRow | None = None) -> None:
        """The cursor to a new line: the next blank row, or a row added at the end (or
        before `before`, for ctrl+n)."""
        grid = self.grid
        rows = grid.rows
        if before is None:
            used = [r for r in rows if not cf.LineText(**r.values()).blank]
            after = rows.index(used[-1]) + 1 if used else 0
            if after < len(rows):
                self.go(rows[after].field("dos"))
                return
        if len([r for r in rows if not cf.LineText(**r.values()).blank]) >= cf.MAX_LINES:
            self.say(f"A claim has at most {cf.MAX_LINES} lines: start another claim.", error=True)
            return
        row = LineRow({}, 0)
        grid.insert_row(rows.index(before) if before is not None else len(rows), row)
        self.go(row.field("dos"))

    def action_move(self, step: int) -> None:
        """Up and Down: along the header and diagnoses; in the lines, the same field a line
        up or down."""
        focused = self.cursor_field
        row = self.grid.row_of(focused) if focused is not None else None
        if row is None:
            if not isinstance(focused, FindingsPanel):
                self.focus_previous() if step < 0 else self.focus_next()
            return
        rows = self.grid.rows
        index = rows.index(row) + step
        if index < 0:
            filled = [f for f in self.dx_fields if f.value.strip()]
            self.go(filled[-1] if filled else self.dx_fields[0])
        elif index >= len(rows):
            self.go(self.panel)
        else:
            self.go(rows[index].field(focused.part))  # type: ignore[union-attr]

    def action_insert_line(self) -> None:
        focused = self.cursor_field
        if self.refuse_edit():
            return
        self._add_row(before=self.grid.row_of(focused) if focused is not None else None)
        self._changed()

    def action_delete_row(self) -> None:
        focused = self.cursor_field
        if focused is None or self.refuse_edit():
            return
        if isinstance(focused, DxField):
            self._delete_diagnosis(focused)
            return
        row = self.grid.row_of(focused)
        if row is None:
            return
        index = self.grid.rows.index(row)
        self._changed()
        self.grid.remove_row(row)
        if len(self.grid.rows) < SHOWN_ROWS:
            self.grid.insert_row(len(self.grid.rows), LineRow({}, 0))
        rows = self.grid.rows
        self.go(rows[min(index, len(rows) - 1)].field(focused.part))
        left = len(self.form().used_lines)
        self.say(f"Line deleted; {left} line{'s' * (left != 1)} left.")

    def _delete_diagnosis(self, field: DxField) -> None:
        """Move the later diagnoses up one, and the pointers with them."""
        fields = self.dx_fields
        number = field.number
        before = len(self.form().used_diagnoses)
        codes = [f.value for f in fields]
        del codes[number - 1]
        codes.append("")
        for each, code in zip(fields, codes, strict=True):
            each.show_value(code)
        for row in self.grid.rows:
            pointers_field = row.field("pointers")
            try:
                pointers = cf.parse_pointers(pointers_field.value, before)
            except ValueError:
                continue
            moved = [p - 1 if p > number else p for p in pointers if p != number]
            pointers_field.show_value(",".join(str(p) for p in moved))
        self._changed()
        self.live()
        self.say(f"Diagnosis {number} deleted; the ones after it moved up, and their pointers.")
