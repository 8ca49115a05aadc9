"""The patient's record from the account screen (mixed into AccountScreen): e edits the
patient and guarantor; on the Coverages tab i adds a coverage, Enter changes the highlighted
one, x end-dates it, u moves it up, k records a verification. Also: registering a new patient
from the queue (F8), which opens the new account."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import work
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import TabbedContent

from ..widgets.coverage_cursor import CoverageCursor
from .coverage_form import PRIORITIES

if TYPE_CHECKING:
    from ..app import BillingApp
    from ..store.records import AccountView, CoverageRecord

PATIENT_BINDINGS = [
    Binding(
        "e",
        "edit_patient",
        "Patient",
        id="account.edit_patient",
        tooltip="edit the patient's demographics and guarantor",
    ),
    Binding("i", "add_coverage", "Add", id="account.add_coverage", tooltip="add a coverage"),
    Binding(
        "enter",
        "edit_coverage",
        "Edit",
        id="account.edit_coverage",
        tooltip="change the highlighted coverage",
    ),
    Binding(
        "x",
        "end_coverage",
        "End",
        id="account.end_coverage",
        tooltip="end-date the highlighted coverage",
    ),
    Binding(
        "u",
        "raise_coverage",
        "Up",
        show=False,  # the bar is full at 80 columns; F1 and the palette list it
        id="account.raise_coverage",
        tooltip="move the highlighted coverage up (secondary to primary)",
    ),
    Binding(
        "k",
        "verify_coverage",
        "Verify",
        show=False,
        id="account.verify_coverage",
        tooltip="record a verification of the highlighted coverage (portal or phone)",
    ),
]
PATIENT_ACTIONS = frozenset(b.action for b in PATIENT_BINDINGS)


class PatientActions:
    """Needs the account screen's patient_id, view, _load() and TabbedContent."""

    app: BillingApp
    patient_id: int
    view: AccountView | None
    _load: Callable[..., object]
    query_one: Callable
    notify: Callable
    refresh_bindings: Callable[[], None]

    def patient_action_state(self, action: str) -> bool | None:
        """check_action for these keys: the coverage keys live on the Coverages tab only
        (False hides them elsewhere, so Enter stays free for the other tabs)."""
        if action == "edit_patient":
            return self.view is not None or None
        if self.query_one(TabbedContent).active != "coverages":
            return False
        if self.view is None:
            return None
        if action == "add_coverage":
            return True
        coverage = self.query_one(CoverageCursor).highlighted
        if coverage is None:
            return None
        if action == "raise_coverage":
            return (coverage.active and coverage.priority > 1) or None
        if action in ("end_coverage", "verify_coverage"):
            return coverage.active or None
        return True

    def on_coverage_cursor_highlighted(self) -> None:
        self.refresh_bindings()

    def _highlighted(self) -> CoverageRecord | None:
        return self.query_one(CoverageCursor).highlighted

    def _saved(self, what: str) -> Callable[[object], None]:
        def saved(result: object) -> None:
            if result is not None:
                self.notify(what, title="Saved")
                self._load()  # the header and the coverages show what was saved

        return saved

    # ------------------------------------------------------------------ the patient

    @work(exclusive=True, group="patient-record", exit_on_error=False)
    async def action_edit_patient(self) -> None:
        from .patient_form import PatientForm

        accounts = self.app.store.accounts
        details = await self.app.call_store(accounts.patient_details, self.patient_id)
        self.app.push_screen(PatientForm(details), self._saved("The patient's record is saved."))

    # ------------------------------------------------------------------ coverages

    @work(exclusive=True, group="patient-record", exit_on_error=False)
    async def action_add_coverage(self) -> None:
        from .coverage_form import CoverageForm

        store = self.app.store
        details = await self.app.call_store(store.accounts.patient_details, self.patient_id)
        payers = await self._payers()
        active = sum(1 for c in self.view.coverages if c.active) if self.view else 0
        form = CoverageForm(details, payers, priorities=active + 1)
        self.app.push_screen(form, self._coverage_saved("The coverage is on file."))

    @work(exclusive=True, group="patient-record", exit_on_error=False)
    async def action_edit_coverage(self) -> None:
        from .coverage_form import CoverageForm

        coverage = self._highlighted()
        if coverage is None:
            return
        store = self.app.store
        details = await self.app.call_store(store.accounts.patient_details, self.patient_id)
        current = await self.app.call_store(store.accounts.coverage_details, coverage.id)
        payers = await self._payers()
        form = CoverageForm(details, payers, current)
        self.app.push_screen(form, self._coverage_saved("The coverage is saved."))

    async def _payers(self) -> list:
        """The payers a coverage can be with: not the self-pay pseudo-payer."""
        payers = await self.app.call_store(self.app.store.accounts.payers)
        return [p for p in payers if p.kind != "self_pay"]

    def _coverage_saved(self, what: str) -> Callable[[int | None], None]:
        def saved(coverage_id: int | None) -> None:
            if coverage_id is not None:
                self.notify(what, title="Saved")
                self._load()
                self.query_one(CoverageCursor).select(coverage_id)

        return saved

    def action_end_coverage(self) -> None:
        from .coverage_end import EndCoverageDialog

        coverage = self._highlighted()
        if coverage is not None:
            self.app.push_screen(EndCoverageDialog(coverage), self._saved("The end date is saved."))

    def action_verify_coverage(self) -> None:
        from .coverage_verify import VerifyCoverageDialog

        coverage = self._highlighted()
        if coverage is not None:
            dialog = VerifyCoverageDialog(coverage)
            self.app.push_screen(dialog, self._saved("The verification is recorded."))

    @work(exclusive=True, group="patient-record", exit_on_error=False)
    async def action_raise_coverage(self) -> None:
        coverage = self._highlighted()
        if coverage is None or self.view is None or not coverage.active or coverage.priority < 2:
            return
        order = sorted((c for c in self.view.coverages if c.active), key=lambda c: c.priority)
        ids = [c.id for c in order]
        at = ids.index(coverage.id)
        ids[at - 1], ids[at] = ids[at], ids[at - 1]
        accounts = self.app.store.accounts
        await self.app.call_store(accounts.reorder_coverages, self.patient_id, ids)
        place = dict(PRIORITIES)[str(at)]
        self.notify(f"{coverage.payer_name} is now {place}.", title="Coverages")
        self._load()


def register_new_patient(screen: Screen, then: Callable[[], None]) -> None:
    """The queue's F8: the patient form for a new patient; once saved, the new account opens,
    and `then` runs when the specialist comes back from it."""
    from .account import AccountScreen
    from .patient_form import PatientForm

    def registered(patient_id: int | None) -> None:
        if patient_id is not None:
            screen.app.push_screen(AccountScreen(patient_id), lambda _: then())

    screen.app.push_screen(PatientForm(None), registered)
