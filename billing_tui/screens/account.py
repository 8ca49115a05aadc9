"""One account: who the patient is and what they owe, then the ledger, claims, coverages
and notes in tabs. Read-only but for notes: n adds one, f marks a follow-up done."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from ..store.records import AccountView, NoteRecord
from ..widgets.account_header import AccountHeader
from ..widgets.account_tables import ClaimsTable, LedgerTable, NotesTable, note_kind
from ..widgets.coverage_cursor import CoverageCursor
from ..widgets.coverage_list import CoverageList
from ..widgets.key_bar import KeyBar
from ..widgets.typeahead import replay
from .errors import ReportsFailures
from .note import AddNoteDialog
from .once import DismissOnce
from .patient_actions import PATIENT_ACTIONS, PATIENT_BINDINGS, PatientActions

if TYPE_CHECKING:
    from ..app import BillingApp

TABS = Binding.Group("Tabs", compact=True)


class AccountScreen(DismissOnce, PatientActions, ReportsFailures, Screen[None]):
    ACTIONS_NAME = "Account"
    AUTO_FOCUS = "LedgerTable"
    app: BillingApp

    BINDINGS = [
        Binding("escape", "back", "Back", id="account.back", tooltip="back to the queue"),
        Binding("n", "add_note", "Note", id="account.add_note", tooltip="add a note or contact"),
        Binding("a", "new_claim", "Claim", id="account.new_claim", tooltip="start a new claim"),
        Binding(
            "p",
            "take_payment",
            "Pay",
            show=False,  # the coverages tab's key bar is over 80 columns already; F1 lists it
            id="account.take_payment",
            tooltip="take a patient payment",
        ),
        Binding(
            "s",
            "statements",
            "Statements",
            show=False,
            id="account.statements",
            tooltip="the account's statements: preview, print now, reprint",
        ),
        Binding(
            "g",
            "plan",
            "Plan",
            show=False,
            id="account.plan",
            tooltip="the payment plan: agree one, or see and end the active one",
        ),
        Binding(
            "w",
            "write_off",
            "Write off",
            show=False,
            id="account.write_off",
            tooltip="write off part of the patient balance, or waive a late fee",
        ),
        Binding(
            "b",
            "collections",
            "Collections",
            show=False,
            id="account.collections",
            tooltip="send the account to collections (a supervisor), or recall it",
        ),
        Binding(
            "t",
            "letter",
            "Letter",
            show=False,
            id="account.letter",
            tooltip="a letter or an email to the patient from a template",
        ),
        Binding(
            "y",
            "payments",
            "Payments",
            show=False,
            id="account.payments",
            tooltip="the account's payments: reverse, receipt, refund",
        ),
        Binding(
            "enter",
            "open_claim",
            "Open",
            priority=True,  # before the claims table's own Enter (select)
            id="account.open_claim",
            tooltip="open the highlighted claim in the editor",
        ),
        Binding(
            "f",
            "follow_up_done",
            "F/U done",
            id="account.follow_up_done",
            tooltip="mark the highlighted note's follow-up done",
        ),
        *PATIENT_BINDINGS,
        Binding(
            "1,l",
            "tab('ledger')",
            "Ledger",
            group=TABS,
            show=False,  # the tabs are labelled with their digits; F1 lists the letters
            id="account.ledger",
            tooltip="show the ledger",
        ),
        Binding(
            "2,c",
            "tab('claims')",
            "Claims",
            group=TABS,
            show=False,  # the tabs are labelled with their digits; F1 lists the letters
            id="account.claims",
            tooltip="show the claims",
        ),
        Binding(
            "3,v",
            "tab('coverages')",
            "Coverages",
            group=TABS,
            show=False,  # the tabs are labelled with their digits; F1 lists the letters
            id="account.coverages",
            tooltip="show the coverages",
        ),
        Binding(
            "4,o",
            "tab('notes')",
            "Notes",
            group=TABS,
            show=False,
            id="account.notes",
            tooltip="show the notes",
        ),
    ]

    def __init__(self, patient_id: int) -> None:
        super().__init__()
        self.patient_id = patient_id
        self.view: AccountView | None = None
        self._loading = False
        self._opened = False  # the first read is the opening, in the audit trail
        self._held: list[tuple[str, str | None]] = []  # keys typed while it loads

    def compose(self) -> ComposeResult:
        today = self.app.store.today()
        yield AccountHeader()
        with TabbedContent(initial="ledger"):
            with TabPane("1 Ledger", id="ledger"):
                yield LedgerTable()
            with TabPane("2 Claims", id="claims"):
                yield ClaimsTable()
            with TabPane("3 Coverages", id="coverages"):
                yield CoverageCursor()
            with TabPane("4 Notes", id="notes"):
                yield NotesTable(today)
                yield Static("", id="note-detail", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self._load()

    @work(exclusive=True, group="account", exit_on_error=False)
    async def _load(self, then_tab: str | None = None) -> None:
        self._loading = True
        try:
            accounts = self.app.store.accounts
            read = accounts.open if not self._opened else accounts.get
            view = await self.app.call_store(read, self.patient_id)
            self._opened = True
        except Exception:
            self._loading = False
            self._held.clear()  # the error dialog comes up; those keys were for the account
            raise
        self._loading = False
        self._show(view)
        if then_tab:
            self.action_tab(then_tab)
        held, self._held = self._held, []
        for key, character in held:
            replay(self, key, character)

    def _show(self, view: AccountView) -> None:
        self.view = view
        store = self.app.store
        today = store.today()
        self.query_one(AccountHeader).show(view, today)
        ledger = self.query_one(LedgerTable)
        ledger.show(view.ledger, cursor_row=len(view.ledger) - 1)  # the latest entry
        self.query_one(ClaimsTable).show(view.claims)
        coverages = self.query_one(CoverageList)
        coverages.show(view.coverages, today, store.policy.verification_stale_days)
        notes = self.query_one(NotesTable)
        notes.today = today
        notes.show(view.notes, notes.cursor_row)
        self._show_note()
        self.refresh_bindings()

    def _show_note(self) -> None:
        note: NoteRecord | None = self.query_one(NotesTable).highlighted
        detail = self.query_one("#note-detail", Static)
        if note is None:
            detail.update("No notes yet: n adds one.")
            return
        facts = [note_kind(note), f"by {note.author or 'unknown'}"]
        if note.outcome:
            facts.append(f"outcome: {note.outcome}")
        if note.follow_up is not None:
            state = "done" if note.done else "open"
            who = f" for {note.assignee}" if note.assignee else ""
            facts.append(f"follow-up {note.follow_up:%m/%d/%Y}{who} ({state})")
        detail.update(" · ".join(facts) + "\n" + note.text)

    @on(DataTable.RowSelected, "ClaimsTable")
    def _claim_selected(self) -> None:
        """Enter typed ahead reaches the claims table itself: open the claim all the same."""
        self.action_open_claim()

    @on(DataTable.RowHighlighted, "NotesTable")
    def _note_highlighted(self) -> None:
        self._show_note()
        self.refresh_bindings()

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """The arrow keys always move in the tab on show."""
        pane = event.pane
        for widget in pane.query("FittedTable, CoverageList"):
            widget.focus()
            break
        self.refresh_bindings()

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in PATIENT_ACTIONS:
            return self.patient_action_state(action)
        if action == "open_claim":
            # Off the other tabs: Enter stays theirs (False, not None, lets their Enter through).
            if self.query_one(TabbedContent).active != "claims":
                return False
            return self.query_one(ClaimsTable).highlighted is not None
        if action == "follow_up_done":
            if self.query_one(TabbedContent).active != "notes":
                return None
            note = self.query_one(NotesTable).highlighted
            return (note is not None and note.follow_up is not None and not note.done) or None
        return True

    def action_back(self) -> None:
        self.dismiss(None)

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def hold_key(self, key: str, character: str | None) -> bool:
        """Keys typed while the account is on its way wait for it (see TypeAhead)."""
        if not self._loading and not self._held:
            return False
        self._held.append((key, character))
        return True

    def action_new_claim(self) -> None:
        from .claim_editor import ClaimEditor  # on first use: the account opens without it

        self.app.push_screen(ClaimEditor(patient_id=self.patient_id), lambda _: self._load())

    def action_open_claim(self) -> None:
        from .claim_editor import ClaimEditor

        claim = self.query_one(ClaimsTable).highlighted
        if claim is not None:
            self.app.push_screen(ClaimEditor(claim_id=claim.id), lambda _: self._load())

    def action_add_note(self) -> None:
        if self.view is None:
            return

        def added(note_id: int | None) -> None:
            if note_id is not None:
                self.query_one(NotesTable).move_cursor(row=0)  # notes are newest first
                self._load(then_tab="notes")

        self.app.push_screen(AddNoteDialog(self.patient_id, self.view.patient.name.upper()), added)

    def action_take_payment(self) -> None:
        from .patient_payment import PatientPaymentDialog  # on first use

        if self.view is None:
            return

        def taken(payment_id: int | None) -> None:
            if payment_id is not None:
                self._load(then_tab="ledger")

        name = self.view.patient.name.upper()
        self.app.push_screen(PatientPaymentDialog(self.patient_id, name), taken)

    def action_payments(self) -> None:
        from .patient_payment import PaymentsDialog

        if self.view is not None:
            self._push_then_reload(PaymentsDialog(self.patient_id, self.view.patient.name.upper()))

    def _push_then_reload(self, dialog) -> None:
        def closed(changed: bool | None) -> None:
            if changed:
                self._load()

        self.app.push_screen(dialog, closed)

    @work(exclusive=True, group="patient-side", exit_on_error=False)
    async def action_plan(self) -> None:
        from .payment_plan import PlanDialog, PlanEndDialog  # on first use

        if self.view is None:
            return
        name = self.view.patient.name.upper()
        plan = await self.app.call_store(self.app.store.plans.current, self.patient_id)
        if plan is None:
            self._push_then_reload(PlanDialog(self.patient_id, name, self.view.patient_balance))
        else:
            self._push_then_reload(PlanEndDialog(plan, name))

    @work(exclusive=True, group="patient-side", exit_on_error=False)
    async def action_write_off(self) -> None:
        from .write_off import WriteOffDialog

        if self.view is None:
            return
        adjustments = self.app.store.adjustments
        fees = await self.app.call_store(adjustments.late_fees_of, self.patient_id)
        dialog = WriteOffDialog(
            self.patient_id, self.view.patient.name.upper(), self.view.patient_balance,
            late_fees=tuple(fees), approval_limit=adjustments.policy.approval_limit,
        )  # fmt: skip
        self._push_then_reload(dialog)

    @work(exclusive=True, group="patient-side", exit_on_error=False)
    async def action_collections(self) -> None:
        from .collections import CollectionsDialog

        if self.view is None:
            return
        placements = await self.app.call_store(
            self.app.store.adjustments.placements, patient_id=self.patient_id, active_only=True
        )
        name = self.view.patient.name.upper()
        placement = placements[0] if placements else None
        self._push_then_reload(CollectionsDialog(self.patient_id, name, placement))

    def action_letter(self) -> None:
        from .letters import LetterDialog

        if self.view is not None:
            self._push_then_reload(LetterDialog(self.patient_id, self.view.patient.name.upper()))

    def action_statements(self) -> None:
        from .statement_dialogs import AccountStatementsDialog

        if self.view is not None:
            patient = self.view.patient
            name = patient.name.upper()
            self._push_then_reload(
                AccountStatementsDialog(self.patient_id, name, patient.account_number)
            )

    @work(exclusive=True, group="follow-up", exit_on_error=False)
    async def action_follow_up_done(self) -> None:
        note = self.query_one(NotesTable).highlighted
        if note is None or note.follow_up is None or note.done:
            return
        await self.app.call_store(self.app.store.accounts.complete_follow_up, note.id)
        self.notify(f"Follow-up of {note.follow_up:%m/%d/%Y} marked done.", title="Follow-up")
        self._load()
