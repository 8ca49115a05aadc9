"""Saving in the claim editor: ctrl+s as a draft, F4 ready (refused while an error remains),
Escape (asking first when something is unsaved), and a claim someone else saved meanwhile:
both versions shown, nothing overwritten."""

from __future__ import annotations

from dataclasses import replace

from textual import work
from textual.widget import Widget

from ..domain.claims import ClaimStatus
from ..store import StoreConflict, StoreRefused
from ..store.records import ClaimDetail
from . import claim_form as cf
from .claim_dialogs import ClaimVersion, ConflictDialog


class ClaimSaving:
    """Mixed into ClaimEditor, which provides the form, `say`, `go` and the claim's state."""

    def action_back(self) -> None:
        if not self.dirty:
            self.dismiss(self.changed_anything)
            return
        from .choice import ChoiceDialog, Picked

        def chosen(choice: Picked[str] | None) -> None:
            answer = choice.value if choice is not None else "keep"
            if answer == "save":
                self._close_after_save = True
                self.action_save()
            elif answer == "discard":
                self.dismiss(self.changed_anything)

        choices = [("Save the draft and close", "save"), ("Discard the changes", "discard"),
                   ("Keep editing", "keep")]  # fmt: skip
        self.app.push_screen(ChoiceDialog("Unsaved changes", choices, "keep"), chosen)

    # ------------------------------------------------------------------ saving

    def action_save(self) -> None:
        self._save(ready=False)

    def action_ready(self) -> None:
        self._save(ready=True)

    def _save(self, *, ready: bool) -> None:
        if self._saving or self.data is None or self.refuse_edit():
            return
        self.live()
        try:
            draft = cf.draft(self.form(), self.today())
        except cf.FieldProblem as problem:
            self._close_after_save = False
            self._show_problem(problem.field, f"Not saved: {problem.message}")
            return
        if ready:
            errors = [shown for shown in self.findings if shown.finding.blocks]
            if errors:
                first = errors[0]
                self._close_after_save = False
                self._show_problem(
                    first.field,
                    f"Not ready: {len(errors)} error{'s' * (len(errors) != 1)}. "
                    f"{first.finding.message}",
                )
                return
        # Read everything now: keys typed during the save must not change what is saved.
        self._saving = True
        self._store_save(draft, ready)

    def _show_problem(self, field: str, message: str) -> None:
        target = self.widget_for(field)
        if target is None:
            self.say(message, error=True)
            return
        target.add_class("-invalid")
        self.go_with_message(target, message, error=True)

    def go_with_message(self, target: Widget, message: str, *, error: bool) -> None:
        """Put the cursor on a field and say something about it (not the field's usual hint)."""
        if target.disabled:
            target.disabled = False
        if self.cursor_field is not target:
            self.message_for = target
            self.go(target)
        self.say(message, error=error)

    @work(group="claim-save", exit_on_error=False)
    async def _store_save(self, draft, ready: bool) -> None:
        claims = self.app.store.claims
        call = self.app.call_store
        self.say("Saving…")
        try:
            try:
                if self.claim_id is None:
                    claim_id = await call(claims.create, draft)
                    version = None
                else:
                    claim_id = self.claim_id
                    version = await call(
                        claims.update, claim_id, draft, expected_version=self.version
                    )
                self.claim_id = claim_id
                self.changed_anything = True
                if ready:
                    await call(claims.set_status, claim_id, ClaimStatus.READY.value,
                               "scrubbed clean", expected_version=version)  # fmt: skip
                detail = await call(claims.get, claim_id)
            except StoreConflict:
                self._close_after_save = False
                await self._conflict()
                return
            except StoreRefused as refused:
                self._close_after_save = False
                await self._after_refusal(refused)
                return
        finally:
            self._saving = False
        self._saved(detail, ready)

    async def _after_refusal(self, refused: StoreRefused) -> None:
        """The Store said no: say why; if the draft did save first, show it saved."""
        self.say(f"Not done: {refused}.", error=True)
        if self.claim_id is not None:
            detail = await self.app.call_store(self.app.store.claims.get, self.claim_id)
            self._saved(detail, False, quiet=True)

    def _saved(self, detail: ClaimDetail, ready: bool, *, quiet: bool = False) -> None:
        self.detail = detail
        self.status, self.version = detail.status, detail.version
        self.reference = replace(
            self.reference,
            first_billed=detail.submitted_at.date() if detail.submitted_at else None,
        )
        self.dirty = False
        self._show_title()
        self.refresh_bindings()
        if not quiet:
            what = "ready to send" if ready else "saved as a draft"
            self.say(f"Claim {detail.claim_number} {what}.")
        if self._close_after_save:
            self.dismiss(True)

    async def _conflict(self) -> None:
        """Someone else saved the claim meanwhile: show both; overwrite nothing."""
        assert self.claim_id is not None
        theirs = await self.app.call_store(self.app.store.claims.get, self.claim_id)
        self.say("Not saved: someone else changed this claim.", error=True)
        yours = self.yours()

        def answered(answer: str | None) -> None:
            if answer == "reload":
                self._reload(theirs)

        self.app.push_screen(
            ConflictDialog(
                yours, ClaimVersion.of(f"Theirs (saved, version {theirs.version})", theirs)
            ),
            answered,
        )

    def _reload(self, theirs: ClaimDetail) -> None:
        if self.data is not None:
            self._fill(self.data, theirs)
            self.say(f"Showing claim {theirs.claim_number} as the other session saved it.")

    def yours(self) -> ClaimVersion:
        """The claim as it is on screen, for the conflict dialog."""
        form = self.form()
        lines = []
        for _, text in form.used_lines:
            lines.append(
                (text.dos.strip(), text.code.strip().upper(), text.modifiers.strip().upper(),
                 cf._lenient(lambda t=text: cf.read_units(t.units), 0),
                 cf.charge_cents(text.charge))
            )  # fmt: skip
        return ClaimVersion(
            title="Yours (on screen, not saved)",
            status=ClaimStatus(self.status).label,
            diagnoses=tuple(t.strip().upper() for t in form.used_diagnoses),
            lines=tuple(lines),
        )
