"""The claim editor's lifecycle keys: the status history, moving the status with a reason,
building a replacement (7), a void request (8) or the secondary claim with one key each,
printing the CMS-1500, and the patient's estimated share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.binding import Binding

from ..domain.claims import TRANSITIONS, ClaimStatus
from ..domain.estimate import estimate_claim
from ..domain.money import format_cents
from ..store import StoreConflict, StoreRefused
from . import claim_form as cf
from .claim_dialogs import HistoryDialog, ReasonDialog

if TYPE_CHECKING:
    from ..store.records import ClaimDetail

# Statuses in the order a claim lives them: the status list offers them so.
STATUS_ORDER = tuple(ClaimStatus)
# Which claims each builder starts from; the Store has the last word (and says why not).
ADJUDICATED = frozenset({ClaimStatus.PAID, ClaimStatus.PARTIAL, ClaimStatus.DENIED})
SENT = frozenset({ClaimStatus.SUBMITTED, ClaimStatus.ACCEPTED, ClaimStatus.APPEALED} | ADJUDICATED)
BUILDERS = {
    "replacement": ("replacement", SENT, "Build a replacement claim (frequency 7)"),
    "void": ("void_request", SENT, "Build a void request (frequency 8)"),
    "secondary": ("secondary", ADJUDICATED, "Build the secondary claim"),
}


class ClaimLifecycle:
    """Mixed into ClaimEditor, which provides the claim on screen and `say`."""

    LIFECYCLE_BINDINGS = [
        Binding("f5", "history", "History", id="claim.history",
                tooltip="the claim's status history: who, when and why"),
        Binding("f6", "status", "Status", id="claim.status",
                tooltip="move the claim to another status, saying why"),
        Binding("f7", "build('replacement')", "Replace", id="claim.replacement",
                tooltip="build a replacement claim (frequency 7) from this one"),
        Binding("f8", "build('void')", "Void", id="claim.void",
                tooltip="build a void request (frequency 8) for this claim"),
        Binding("f9", "build('secondary')", "Secondary", id="claim.secondary",
                tooltip="build the secondary claim from the primary's adjudication"),
        Binding("f10", "print", "Print", id="claim.print",
                tooltip="write the CMS-1500 form (PDF) into the data directory"),
    ]  # fmt: skip

    # ------------------------------------------------------------------ which keys work now

    def check_lifecycle(self, action: str, parameters: tuple[object, ...]):
        """True, None (shown but not now) or False (not for this claim: hidden); NotImplemented
        for actions that are not the lifecycle's."""
        saved = self.detail is not None and self.claim_id is not None
        if action in ("history", "print"):
            return (saved and not self.dirty) or None
        if action == "status":
            if not saved:
                return False
            return (not self.dirty and bool(TRANSITIONS[ClaimStatus(self.status)])) or None
        if action == "build":
            kind = str(parameters[0]) if parameters else ""
            if not saved or kind not in BUILDERS or not self._builder_applies(kind):
                return False  # not for this claim: off the footer and the key list
            if not hasattr(self.app.store.claims, BUILDERS[kind][0]):
                return None
            return (not self.dirty) or None
        return NotImplemented

    def _builder_applies(self, kind: str) -> bool:
        method, statuses, _ = BUILDERS[kind]
        status = ClaimStatus(self.status)
        if status not in statuses or self.detail is None or self.detail.frequency == "8":
            return False
        if kind == "secondary" and self.detail.coverage is None:
            return False
        return True

    # ------------------------------------------------------------------ the estimate

    def estimate_text(self, form: cf.Form) -> str:
        """ " · Patient est. 45.00" from the coverage's terms and the charges on screen."""
        from ..store.claim_scrubbing import plan_terms  # the Store's own rule, shared

        coverage = form.header.coverage
        used = form.used_lines
        if coverage is None:
            return " · Self-pay: the patient owes it all" if used else ""
        charges = [cf.charge_cents(text.charge) for _, text in used]
        if not any(charges):
            return ""
        visits = len({text.dos.strip() for _, text in used}) or 1
        estimate = estimate_claim(charges, plan_terms(coverage), visits=visits)
        self.estimate = estimate
        return f" · Patient est. {format_cents(estimate.patient_total)}"

    # ------------------------------------------------------------------ history and status

    @work(group="claim-history", exit_on_error=False)
    async def action_history(self) -> None:
        detail = await self.app.call_store(self.app.store.claims.get, self.claim_id)
        self.app.push_screen(HistoryDialog(detail.claim_number, detail.history))

    def action_status(self) -> None:
        from .choice import ChoiceDialog, Picked

        current = ClaimStatus(self.status)
        targets = [s for s in STATUS_ORDER if s in TRANSITIONS[current]]
        if not targets:
            return

        def chosen(picked: Picked[ClaimStatus] | None) -> None:
            if picked is None:
                return
            target = picked.value
            if target is ClaimStatus.READY:
                errors = [s for s in self.findings if s.finding.blocks]
                if errors:
                    self.say(f"Not ready: {errors[0].finding.message}", error=True)
                    return

            def reasoned(reason: str | None) -> None:
                if reason is not None:
                    self._move(target, reason)

            title = f"{current.label.capitalize()} -> {target.label}: why?"
            note = f"Claim {self.detail.claim_number}; the history keeps who, when and why."
            self.app.push_screen(ReasonDialog(title, note), reasoned)

        choices = [(f"{s.label}", s) for s in targets]
        self.app.push_screen(ChoiceDialog("Move the claim to", choices, targets[0]), chosen)

    @work(group="claim-status", exit_on_error=False)
    async def _move(self, target: ClaimStatus, reason: str) -> None:
        claims = self.app.store.claims
        try:
            await self.app.call_store(
                claims.set_status, self.claim_id, target.value, reason,
                expected_version=self.version,
            )  # fmt: skip
        except StoreConflict:
            await self._conflict()
            return
        except StoreRefused as refused:
            self.say(f"Not moved: {refused}.", error=True)
            return
        self.changed_anything = True
        detail = await self.app.call_store(claims.get, self.claim_id)
        self._saved(detail, False, quiet=True)
        self.say(f"Claim {detail.claim_number} is now {ClaimStatus(detail.status).label}.")

    # ------------------------------------------------------------------ builders

    def action_build(self, kind: str) -> None:
        _, _, title = BUILDERS[kind]
        if kind == "secondary":
            self._build(kind, "")
            return

        def reasoned(reason: str | None) -> None:
            if reason is not None:
                self._build(kind, reason)

        note = f"From claim {self.detail.claim_number}; the new claim's history keeps why."
        self.app.push_screen(ReasonDialog(f"{title}: why?", note), reasoned)

    @work(group="claim-build", exit_on_error=False)
    async def _build(self, kind: str, reason: str) -> None:
        claims = self.app.store.claims
        method = getattr(claims, BUILDERS[kind][0])
        args = (self.claim_id,) if kind == "secondary" else (self.claim_id, reason)
        original = self.detail.claim_number
        try:
            new_id = await self.app.call_store(method, *args)
        except StoreRefused as refused:
            self.say(f"Not built: {refused}.", error=True)
            return
        self.changed_anything = True
        # The new claim opens here, in place of the one it came from.
        self.claim_id = new_id
        self.detail = None
        self._load()
        self.notify(f"Built from claim {original}: opening the new claim.", title="Claim built")

    # ------------------------------------------------------------------ printing

    @work(group="claim-print", exit_on_error=False)
    async def action_print(self) -> None:
        import asyncio

        from ..config import data_dir

        detail: ClaimDetail = await self.app.call_store(self.app.store.claims.get, self.claim_id)
        coverages = self.data.choices.coverages if self.data is not None else ()
        today = self.today()
        self.say("Writing the CMS-1500…")
        path = data_dir() / "claims" / f"cms1500-{detail.claim_number}.pdf"
        try:
            await asyncio.to_thread(_write_pdf, detail, coverages, today, path)
        except OSError as error:
            self.say(f"Not printed: cannot write {path}: {error.strerror or error}.", error=True)
            return
        self.say(f"CMS-1500 written to {path}")
        self.notify(str(path), title="CMS-1500 written")


def _write_pdf(detail, coverages, today, path) -> None:
    """In a thread: drawing the form takes a moment."""
    from ..pdf.cms1500 import ClaimForm, cms1500_pdf
    from ..pdf.output import write_atomically

    pdf = cms1500_pdf([ClaimForm(detail, tuple(coverages))], signed_on=today)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, pdf)
