"""The claim editor: a new claim for an account, or any claim opened from the account.

This module holds the screen: its layout, loading a claim, and what the
screen shows as it changes. The scrubber reads what is on screen after every
key (a fraction of a millisecond), and the findings, the total and the
patient's estimate are redrawn only when they change; the findings about the
field being typed in wait until the cursor leaves it. Heads-down entry (Enter,
suggestions, lines) is ClaimEntry's; saving and conflicts ClaimSaving's; the
lifecycle keys (status, history, replacement, void, secondary, print)
ClaimLifecycle's.

Loading the claim and the ICD-10-CM code set runs in workers; keys typed
meanwhile wait for them (hold_key) and are played back in order.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypeVar

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Label, Static

from ..domain import icd10
from ..domain.claims import ClaimStatus
from ..domain.dates import format_date
from ..domain.money import format_cents
from ..domain.scrubber import scrub
from ..store.records import ClaimChoices, ClaimDetail, FeeRecord, PatientRecord, ProviderRecord
from ..widgets.claim_fields import DxField, DxSuggestions, PickField
from ..widgets.claim_findings import FindingsPanel, Shown, summary
from ..widgets.claim_header import ORDER, ClaimHeader
from ..widgets.claim_lines import COLUMNS_TITLE, PARTS, SHOWN_ROWS, Cell, LineGrid, LineRow
from ..widgets.key_bar import KeyBar
from ..widgets.typeahead import replay
from . import claim_form as cf
from .band_compositor import BandCompositor
from .claim_entry import ClaimEntry
from .claim_lifecycle import ClaimLifecycle
from .claim_saving import ClaimSaving
from .errors import ReportsFailures
from .once import DismissOnce

W = TypeVar("W", bound=Widget)

if TYPE_CHECKING:
    from ..app import BillingApp
    from ..store import Store


@dataclass(frozen=True)
class EditorData:
    """What the editor reads once, on the store thread."""

    patient: PatientRecord
    choices: ClaimChoices
    fees: dict[tuple[str, str], FeeRecord]
    detail: ClaimDetail | None  # the claim opened; None for a new one
    last_rendering: ProviderRecord | None = None  # a new claim's default


def read_editor_data(store: Store, patient_id: int | None, claim_id: int | None) -> EditorData:
    """Runs on the store thread: the claim (or the account), its choices and the fee schedule."""
    claims = store.claims
    fees = {(fee.code, fee.modifier): fee for fee in claims.fees()}
    if claim_id is not None:
        detail = claims.get(claim_id)
        return EditorData(detail.patient, claims.choices(detail.patient.id), fees, detail)
    assert patient_id is not None
    view = store.accounts.get(patient_id)
    last = claims.get(view.claims[0].id).rendering if view.claims else None
    return EditorData(view.patient, claims.choices(patient_id), fees, None, last)


class ClaimEditor(
    DismissOnce, ClaimEntry, ClaimSaving, ClaimLifecycle, ReportsFailures, Screen[bool]
):
    """Dismisses with True when it saved or moved anything (the account then reads again)."""

    ACTIONS_NAME = "Claim"
    AUTO_FOCUS = "#dx-1"
    app: BillingApp

    # Textual repaints the whole screen when the focus moves (5 KB at 80x24, on every
    # Enter); the fields that gain and lose the focus repaint themselves anyway.
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)

    BINDINGS = [
        Binding("escape", "back", "Back", id="claim.back",
                tooltip="close the claim (asks first when there are unsaved changes)"),
        Binding("ctrl+s", "save", "Save", id="claim.save", tooltip="save the claim as a draft"),
        Binding("f4", "ready", "Ready", id="claim.ready",
                tooltip="save and make the claim ready to send (not while errors remain)"),
        Binding("f3", "jump", "Fix", id="claim.jump",
                tooltip="go to the field of the next finding"),
        Binding("f2", "pick", "List", id="claim.pick",
                tooltip="list the choices of this field (providers, coverage, diagnoses)"),
        *ClaimLifecycle.LIFECYCLE_BINDINGS,
        Binding("enter", "next_field", "Next", show=False, id="claim.next_field",
                tooltip="next field; at the end of a line, a new line"),
        Binding("up", "move(-1)", "Up", show=False, id="claim.up",
                tooltip="the field above (the line above in the lines)"),
        Binding("down", "move(1)", "Down", show=False, id="claim.down",
                tooltip="the field below (the line below in the lines)"),
        Binding("ctrl+n", "insert_line", "Insert line", show=False, id="claim.insert_line",
                tooltip="a new line above the one the cursor is in"),
        Binding("ctrl+y", "delete_row", "Delete", show=False, id="claim.delete",
                tooltip="delete the line (or the diagnosis) the cursor is in"),
    ]  # fmt: skip

    DEFAULT_CSS = """
    ClaimEditor #claim-title { height: 1; background: $boost; text-style: bold;
                               text-wrap: nowrap; text-overflow: ellipsis; }
    ClaimEditor .dx-row { height: 1; }
    ClaimEditor .dx-row > Label { width: 3; text-align: right; padding-right: 1; }
    ClaimEditor .dx-row > .dx-title { text-align: left; }
    ClaimEditor #lines-title { height: 1; background: $boost; color: $text-muted; }
    ClaimEditor #hint { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    ClaimEditor #hint.-error { color: $text-error; text-style: bold; }
    ClaimEditor #totals { height: 1; background: $boost; }
    ClaimEditor #totals-money { width: 1fr; text-style: bold; }
    ClaimEditor #totals-findings { width: 24; text-align: right; }
    ClaimEditor #totals-findings.-errors { color: $text-error; text-style: bold; }
    """

    def __init__(self, patient_id: int | None = None, claim_id: int | None = None) -> None:
        super().__init__()
        # A key redraws the fields it changed, not the lines around them (see BandCompositor).
        self._compositor = BandCompositor()
        if patient_id is None and claim_id is None:
            raise ValueError("a claim editor needs an account or a claim")
        self.patient_id = patient_id
        self.claim_id = claim_id
        self.data: EditorData | None = None
        self.detail: ClaimDetail | None = None
        self.reference = cf.Reference()
        self.status = ClaimStatus.DRAFT.value
        self.version: int | None = None
        self.dirty = False
        self.changed_anything = False  # saved or moved: the account must read again
        self.findings: tuple[Shown, ...] = ()
        self._loading = True
        self._codes_ready = False
        self._held: list[tuple[str, str | None]] = []
        self._saving = False
        self._close_after_save = False
        self._suggestions_moved = False
        self._pairs_asked: tuple = ()
        self._supervising_touched = False
        self._shown_text: dict[str, str] = {}
        self._dx_fields: list[DxField] = []
        self._parts: dict[str, Widget] = {}
        self._marked: set[Widget] = set()  # fields underlined for an error
        self.typing_in: Widget | None = None  # the field being typed in: its findings wait
        self.message_for: Widget | None = None
        self._arrived_at: Widget | None = None  # the field whose arrival was drawn
        self._arrived_row = None  # the line of that field (None: the header, diagnoses)
        self._frame_held = (
            None  # see ClaimEntry._one_frame  # focused with a message: keep it, not the hint
        )
        self.estimate = None  # the patient's estimated share of what is on screen

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Static("Opening the claim…", id="claim-title", markup=False)
        yield ClaimHeader()
        for first in (1, 7):
            with Horizontal(classes="dx-row"):
                yield Label("Dx" if first == 1 else "", classes="dx-title")
                for number in range(first, first + 6):
                    yield Label(str(number))
                    yield DxField(number)
        yield DxSuggestions(id="suggestions")
        yield Static(COLUMNS_TITLE, id="lines-title", markup=False)
        yield LineGrid(id="lines")
        yield Static("", id="hint", markup=False)
        with Horizontal(id="totals"):
            yield Label("", id="totals-money", markup=False)
            yield Label("", id="totals-findings", markup=False)
        yield FindingsPanel(id="findings")
        yield KeyBar()

    def part(self, selector: str, kind: type[W] = Widget) -> W:  # type: ignore[assignment]
        """A widget of the screen, found once: the editor reaches for them on every key."""
        found = self._parts.get(selector)
        if found is None:
            found = self._parts[selector] = self.query_one(selector, kind)
        return found  # type: ignore[return-value]

    @property
    def header(self) -> ClaimHeader:
        return self.part("ClaimHeader", ClaimHeader)

    @property
    def grid(self) -> LineGrid:
        return self.part("#lines", LineGrid)

    @property
    def cursor_field(self) -> Widget | Cell | None:
        """The field the cursor is in: a focused widget, or the lines' cell under their cursor."""
        focused = self.focused
        if isinstance(focused, LineGrid):
            return focused.cursor
        return focused

    @property
    def panel(self) -> FindingsPanel:
        return self.part("#findings", FindingsPanel)

    @property
    def suggestions(self) -> DxSuggestions:
        return self.part("#suggestions", DxSuggestions)

    @property
    def dx_fields(self) -> list[DxField]:
        if not self._dx_fields:
            self._dx_fields = list(self.query(DxField))
        return self._dx_fields

    # ------------------------------------------------------------------ loading

    def on_mount(self) -> None:
        self._load()

    @work(group="icd10", exit_on_error=False)
    async def _load_codes(self) -> None:
        """The ICD-10-CM code set's words, indexed in a thread once the claim is on screen
        (half a second, once per process: alongside, it would hold the claim back)."""
        await asyncio.to_thread(icd10.preload_lists)  # the scrubber's, at the first diagnosis
        await asyncio.to_thread(icd10.preload)
        self._codes_ready = True
        if isinstance(self.focused, DxField):
            self._suggest(self.focused)
        self._play_back()

    @work(exclusive=True, group="claim-load", exit_on_error=False)
    async def _load(self) -> None:
        self._loading = True
        try:
            data = await self.app.call_store(
                read_editor_data, self.app.store, self.patient_id, self.claim_id
            )
        except Exception:
            self._loading = False
            self._held.clear()  # the error dialog comes up; those keys were for the claim
            raise
        self._fill(data)
        self._loading = False
        if not self._codes_ready:
            self._load_codes()
        self._play_back()

    def hold_key(self, key: str, character: str | None) -> bool:
        """Keys typed before the claim (or, for Enter on a diagnosis, the code set) is here
        wait for it, and every key after them waits too (see TypeAhead)."""
        waiting = (
            self._held
            or self._loading
            or (key == "enter" and not self._codes_ready and self._needs_code_set())
        )
        if not waiting:
            return False
        self._held.append((key, character))
        return True

    def _needs_code_set(self) -> bool:
        """Enter on words in a diagnosis takes a suggestion: the code set must be read. A
        billable code typed whole is known without it."""
        focused = self.focused
        return isinstance(focused, DxField) and not icd10.is_billable(focused.value)

    def _play_back(self) -> None:
        if self._loading or not self._held:
            return
        held, self._held = self._held, []
        for key, character in held:
            replay(self, key, character)

    def _fill(self, data: EditorData, detail: ClaimDetail | None = None) -> None:
        """Show a claim (or a new claim's defaults): nothing on screen counts as typed."""
        self.data = data
        detail = detail or data.detail
        self.detail = detail
        self.patient_id = data.patient.id
        today = self.app.store.today()
        if detail is None:
            self._fill_new(data, today)
        else:
            self._fill_claim(data, detail)
        self.dirty = False
        self._supervising_touched = detail is not None
        self._show_title()
        self.refresh_bindings()
        if self.cursor_field is not None:  # its hint was for the empty screen
            self.say(self._hint_for(self.cursor_field))
        self.live()

    def _fill_new(self, data: EditorData, today: dt.date) -> None:
        choices = data.choices
        covering = [
            c
            for c in choices.coverages
            if c.start_date <= today and (c.end_date is None or c.end_date >= today)
        ]
        coverage = (covering or list(choices.coverages) or [None])[0]
        active = {p.id: p for p in choices.providers}
        rendering = data.last_rendering
        if rendering is None or rendering.id not in active:
            rendering = choices.providers[0] if choices.providers else None
        self.status, self.version, self.claim_id = ClaimStatus.DRAFT.value, None, None
        self.reference = cf.Reference(known_codes=frozenset(code for code, _ in data.fees))
        self.header.fill(
            choices,
            coverage=coverage,
            billing=choices.billing_providers[0] if choices.billing_providers else None,
            rendering=rendering,
            supervising=self._supervisor_of(rendering),
            referring=None,
            pos="11",
            frequency="1",
            original="",
            prior_auth="",
        )
        for field in self.dx_fields:
            field.show_value("")
        self._set_rows([], [])  # blank rows: the first one is filled in on arrival

    def _fill_claim(self, data: EditorData, detail: ClaimDetail) -> None:
        self.claim_id = detail.id
        self.status, self.version = detail.status, detail.version
        first_billed = detail.submitted_at.date() if detail.submitted_at else None
        self.reference = cf.Reference(
            known_codes=frozenset(code for code, _ in data.fees), first_billed=first_billed
        )
        self.header.fill(
            data.choices,
            coverage=detail.coverage,
            billing=detail.billing_provider,
            rendering=detail.rendering,
            supervising=detail.supervising,
            referring=detail.referring,
            pos=detail.place_of_service,
            frequency=detail.frequency,
            original=detail.original_claim_number or "",
            prior_auth=detail.prior_authorization or "",
        )
        for field in self.dx_fields:
            index = field.number - 1
            code = detail.diagnoses[index] if index < len(detail.diagnoses) else ""
            field.show_value(icd10.display(code) if code else "")
        rows, from_fee = [], []
        for line in detail.lines:
            fee = cf.fee_for(data.fees, line.code, line.modifiers)
            from_fee.append(fee is not None and fee.charge * line.units == line.charge)
            rows.append(
                {
                    "dos": f"{line.dos_from:%m/%d/%y}",
                    "code": line.code,
                    "modifiers": " ".join(line.modifiers),
                    "pointers": ",".join(str(p) for p in line.pointers),
                    "units": str(line.units),
                    "charge": format_cents(line.charge),
                }
            )
        self._set_rows(rows, from_fee)

    def _set_rows(self, rows: list[dict[str, str]], from_fee: list[bool]) -> None:
        """The claim's lines, and blank ones after them: a screenful, and at least one."""
        wanted = max(SHOWN_ROWS, len(rows) + 1)
        values = [*rows, *([{}] * (wanted - len(rows)))]
        autos = [*from_fee, *([True] * (wanted - len(rows)))]
        lines = [
            LineRow(shown, number, charge_from_fee=auto)
            for number, (shown, auto) in enumerate(zip(values, autos, strict=True), 1)
        ]
        self.grid.set_rows(lines)
        for row in lines:
            self._describe(row)

    def _supervisor_of(self, rendering: ProviderRecord | None) -> ProviderRecord | None:
        if rendering is None or rendering.supervising_id is None or self.data is None:
            return None
        return next(
            (p for p in self.data.choices.providers if p.id == rendering.supervising_id), None
        )

    # ------------------------------------------------------------------ what is on screen

    def form(self) -> cf.Form:
        assert self.data is not None
        values = self.header.values()
        header = cf.Header(**values)
        return cf.Form(
            patient=self.data.patient,
            header=header,
            diagnoses=tuple(field.value for field in self.dx_fields),
            lines=tuple(cf.LineText(**row.values()) for row in self.grid.rows),
        )

    def today(self) -> dt.date:
        return self.app.store.today()

    def live(self) -> None:
        """Scrub what is on screen and redraw what it changes: findings, totals, marks.

        The findings about the field being typed in wait until the cursor leaves it:
        "J0 is not a code" while J06.9 is on its way helps nobody, and redrawing it on
        every key would be most of the bytes a key costs over SSH."""
        if self.data is None:
            return
        today = self.today()
        form = self.form()
        self._show_totals(form)
        numbers = [n for n, _ in form.used_lines]
        found = scrub(cf.facts(form, self.reference, today), today)
        self.findings = tuple(Shown(f, cf.screen_field(f.field, numbers)) for f in found)
        typing = self.typing_in if self.typing_in is self.cursor_field else None
        hidden = self.field_name(typing) if typing is not None else None
        visible = tuple(shown for shown in self.findings if shown.field != hidden)
        changed = self.panel.show(visible)  # most keys change no finding: nothing to redraw
        if changed or "#totals-findings" not in self._shown_text:
            self._show_count(visible)
        self._mark_fields(visible)  # the same findings can point at other widgets (a line gone)
        self._ask_billed_elsewhere(form, today)

    def _ask_billed_elsewhere(self, form: cf.Form, today: dt.date) -> None:
        """Duplicates need the Store: ask when the finished (DOS, code) pairs change, not per key."""
        pairs = set()
        for _, text in form.used_lines:
            try:
                pairs.add((cf.read_dos(text.dos, today), cf.read_code(text.code)))
            except ValueError:
                continue
        coverage = form.header.coverage
        asked = (coverage.payer.id if coverage else None, frozenset(pairs))
        if asked != self._pairs_asked:
            self._pairs_asked = asked
            self._billed_elsewhere(*asked)

    @work(exclusive=True, group="claim-billed", exit_on_error=False)
    async def _billed_elsewhere(self, payer_id: int | None, pairs: frozenset) -> None:
        billed = frozenset()
        if pairs:
            billed = frozenset(
                await self.app.call_store(
                    self.app.store.claims.billed_elsewhere,
                    self.claim_id,
                    self.patient_id,
                    payer_id,
                    pairs,
                )
            )
        if billed != self.reference.already_billed:
            self.reference = replace(self.reference, already_billed=billed)
            self.live()

    def _show_totals(self, form: cf.Form) -> None:
        count = len(form.used_lines)
        money = (
            f"{count} line{'s' * (count != 1)} · Total {format_cents(form.total())}"
            f"{self.estimate_text(form)}"
        )
        self._update("#totals-money", money)

    def _show_count(self, visible: tuple[Shown, ...]) -> None:
        self._update("#totals-findings", summary(visible))
        errors = any(shown.finding.blocks for shown in visible)
        self.part("#totals-findings").set_class(errors, "-errors")

    def _update(self, selector: str, text: str) -> None:
        """Redraw a line only when its text changes: every redraw is bytes over SSH."""
        if self._shown_text.get(selector) != text:
            self._shown_text[selector] = text
            # Fixed-size lines: no layout pass (that would measure every widget on the screen).
            self.part(selector, Static).update(text, layout=False)

    def _mark_fields(self, visible: tuple[Shown, ...]) -> None:
        """Underline the fields that an error points at (only those whose mark changes)."""
        wrong = {shown.field for shown in visible if shown.finding.blocks}
        marked = {w for w in map(self.widget_for, wrong) if w is not None}
        for widget in self._marked - marked:
            widget.remove_class("-invalid")
        for widget in marked - self._marked:
            widget.add_class("-invalid")
        self._marked = marked

    def field_name(self, widget: Widget) -> str:
        """The scrubber's name of a field on screen: header.pos, dx.3, line.2.code."""
        if isinstance(widget, DxField):
            return f"dx.{widget.number}"
        row = self.grid.row_of(widget)
        if row is not None:
            return f"line.{row.number}.{widget.part}"  # type: ignore[attr-defined]
        return f"header.{getattr(widget, 'part', '')}"

    def widget_for(self, name: str) -> Widget | None:
        """The field a finding points at, or None (the patient's, which is on the account)."""
        kind, _, rest = name.partition(".")
        if kind == "header":
            return self.header.field(rest) if rest in ORDER else None
        if kind == "dx":
            number = min(int(rest), 12)
            return self.dx_fields[number - 1]
        if kind == "line":
            number, _, part = rest.partition(".")
            rows = self.grid.rows
            if not rows:
                return None
            row = rows[min(int(number), len(rows)) - 1]
            return row.field(part if part in PARTS else "code")
        if kind == "claim":  # the total: the last line's charge makes it
            rows = self.grid.rows
            return rows[-1].field("charge") if rows else None
        if kind == "subscriber":
            return self.header.field("coverage")
        return None

    def _show_title(self) -> None:
        if self.data is None:
            return
        patient = self.data.patient
        who = f"{patient.name.upper()} · Acct {patient.account_number} · DOB {format_date(patient.dob)}"
        if self.detail is None:
            title = f"New claim · {who}"
        else:
            frequency = {"7": " (replacement)", "8": " (void)"}.get(self.detail.frequency, "")
            status = ClaimStatus(self.status).label if self.status else ""
            title = f"Claim {self.detail.claim_number}{frequency} · {status} · {who}"
        if self.dirty:
            title += " · unsaved"
        self._update("#claim-title", title)

    def say(self, message: str, *, error: bool = False) -> None:
        """The line under the lines: a hint about the field, or what is wrong with it."""
        self._update("#hint", message)
        self.part("#hint").set_class(error, "-error")

    def refuse_edit(self) -> bool:
        """The fields ask before each change: a claim that went out is not edited in place."""
        if self.data is None:
            return True
        if self.status == ClaimStatus.DRAFT.value:
            return False
        self.say(self.read_only_hint(), error=True)
        return True

    # ------------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("save", "ready"):
            return (self.data is not None and self.status == ClaimStatus.DRAFT.value) or None
        if action == "pick":
            return isinstance(self.focused, (PickField, DxField)) or None
        if action == "jump":
            return bool(self.findings) or None
        lifecycle = self.check_lifecycle(action, parameters)
        if lifecycle is not NotImplemented:
            return lifecycle
        return True

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        # F2 lists the focused field's choices: whether it can changes with the focus.
        if isinstance(event.widget, (PickField, DxField)):
            self.refresh_bindings()

    def action_pick(self) -> None:
        from .choice import ChoiceDialog, Picked

        focused = self.focused
        if isinstance(focused, DxField):
            self.move_suggestion("down")
            return
        if not isinstance(focused, PickField) or not focused.choices or self.refuse_edit():
            return

        def picked(choice: Picked | None) -> None:
            if choice is not None:
                focused.choose(choice.value)

        dialog = ChoiceDialog(focused.title, focused.choices, focused.value)
        self.app.push_screen(dialog, picked)

    def action_jump(self) -> None:
        """Go to the field of the selected finding; pressed again there, to the next one's."""
        panel = self.panel
        if not panel.findings:
            return
        current = panel.current
        if current is not None and self.cursor_field is self.widget_for(current.field):
            panel.select(panel.selected + 1)
        self.jump_selected()

    def action_jump_selected(self) -> None:
        self.jump_selected()

    def jump_selected(self) -> None:
        shown = self.panel.current
        if shown is None:
            return
        target = self.widget_for(shown.field)
        if target is None:
            self.say(
                f"{shown.finding.message}: correct it on the account (Esc, then e).", error=True
            )
            return
        self.go_with_message(target, shown.finding.message, error=shown.finding.blocks)
