"""Random sequences of postings against a model in Python: the ledger's invariants hold after each.

Each example gets a fresh SQLite file, a copy of one with the practice in it
(function-scoped fixtures do not reset between hypothesis examples). Charges arrive as claims going ready and as
plain entries; payments, adjustments and transfers both ways follow; random
entries are reversed, claims voided or sent back to draft, and bad postings
are refused without a trace.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from hypothesis import Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from store_builders import TODAY, Practice, build_practice

from billing_tui.domain.claims import ClaimStatus
from billing_tui.store import Store, StoreRefused
from billing_tui.store.records import EntryDraft

ACCOUNTS = 2  # enough to catch money landing on the wrong account
amounts = st.integers(min_value=1, max_value=250_000)
picks = st.integers(min_value=0, max_value=10**6)  # an index into whatever is there to pick


@dataclass
class Entry:
    patient_id: int
    claim_id: int | None
    kind: str
    insurance: int
    patient: int
    reversed: bool = False
    is_reversal: bool = False


@dataclass
class ClaimModel:
    patient_id: int
    insured: bool
    lines: list[int]
    status: ClaimStatus = ClaimStatus.DRAFT
    charges: list[int] = field(default_factory=list)  # ids of its charge entries


@dataclass(frozen=True)
class Template:
    """A database with the practice and its accounts, copied for each example (fast)."""

    path: Path
    practice: Practice
    coverage: dict[int, int]  # patient id -> primary coverage id


def build_template(path: Path) -> Template:
    store = Store.open(str(path), username="hyp", today=lambda: TODAY)
    try:
        practice = build_practice(store)
        coverage = {}
        for n in range(ACCOUNTS):
            pid = practice.patient(f"Prop{n}", "Pat")
            coverage[pid] = practice.coverage(pid)
    finally:
        store.close()
    return Template(path, practice, coverage)


class LedgerMachine(RuleBasedStateMachine):
    template: Template  # set by the module's fixture

    def __init__(self) -> None:
        super().__init__()
        self.directory = Path(tempfile.mkdtemp(prefix="ledger-"))
        path = self.directory / "billing.db"
        shutil.copyfile(self.template.path, path)
        self.store = Store.open(str(path), username="hyp", today=lambda: TODAY)
        self.practice = replace(self.template.practice, store=self.store)
        self.coverage = self.template.coverage
        self.patients = sorted(self.coverage)
        self.entries: dict[int, Entry] = {}
        self.claims: dict[int, ClaimModel] = {}

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.directory, ignore_errors=True)

    # ------------------------------------------------------------------ helpers

    def _patient(self, pick: int) -> int:
        return self.patients[pick % len(self.patients)]

    def _claim_for(self, pid: int, pick: int) -> int | None:
        """One of the account's billed claims, or None (money not tied to a claim)."""
        billed = [
            cid
            for cid, c in sorted(self.claims.items())
            if c.patient_id == pid and c.status is not ClaimStatus.DRAFT
        ]
        if not billed or pick % 3 == 0:
            return None
        return billed[pick % len(billed)]

    def _post(self, pid: int, kind: str, insurance: int, patient: int, claim_id: int | None):
        draft = EntryDraft(pid, kind, insurance, patient, claim_id=claim_id)
        (entry_id,) = self.store.ledger.post([draft])
        self.entries[entry_id] = Entry(pid, claim_id, kind, insurance, patient)

    def _new_ids(self, before: set[int], pid: int) -> list[int]:
        return [e.id for e in self.store.accounts.get(pid).ledger if e.id not in before]

    def _reverse_in_model(self, entry_id: int, reversal_id: int) -> None:
        original = self.entries[entry_id]
        original.reversed = True
        self.entries[reversal_id] = Entry(
            original.patient_id,
            original.claim_id,
            original.kind,
            -original.insurance,
            -original.patient,
            is_reversal=True,
        )

    def _reversible(self) -> list[int]:
        """Entries a specialist may reverse (a claim's charges go with the claim, not alone)."""
        return [
            i
            for i, e in sorted(self.entries.items())
            if not (e.reversed or e.is_reversal or (e.kind == "charge" and e.claim_id))
        ]

    # ------------------------------------------------------------------ charges

    @rule(pick=picks, lines=st.lists(amounts, min_size=1, max_size=3), insured=st.booleans())
    def bill_a_claim(self, pick, lines, insured):
        pid = self._patient(pick)
        claim_id = self.practice.claim(
            pid,
            *lines,
            coverage_id=self.coverage[pid] if insured else None,
            dos=TODAY - dt.timedelta(days=1 + len(self.claims)),  # one claim a visit
        )
        before = {e.id for e in self.store.accounts.get(pid).ledger}
        self.store.claims.set_status(claim_id, "ready")
        model = ClaimModel(pid, insured, lines, ClaimStatus.READY)
        model.charges = self._new_ids(before, pid)
        assert len(model.charges) == len(lines)
        for entry_id, charge in zip(model.charges, lines, strict=True):
            ins, pat = (charge, 0) if insured else (0, charge)
            self.entries[entry_id] = Entry(pid, claim_id, "charge", ins, pat)
        self.claims[claim_id] = model

    @rule(pick=picks, amount=amounts, to_insurance=st.booleans())
    def plain_charge(self, pick, amount, to_insurance):
        pid = self._patient(pick)
        self._post(
            pid, "charge", amount if to_insurance else 0, 0 if to_insurance else amount, None
        )

    def _unbill(self, claim_id: int, target: ClaimStatus) -> None:
        model = self.claims[claim_id]
        before = {e.id for e in self.store.accounts.get(model.patient_id).ledger}
        self.store.claims.set_status(claim_id, target, "property test")
        new = self._new_ids(before, model.patient_id)
        still_on = [i for i in model.charges if not self.entries[i].reversed]
        assert len(new) == len(still_on)  # only the charges not yet reversed are reversed
        for entry_id, reversal_id in zip(still_on, new, strict=True):
            self._reverse_in_model(entry_id, reversal_id)
        model.status = target

    @precondition(lambda self: any(c.status is ClaimStatus.READY for c in self.claims.values()))
    @rule(pick=picks, status=st.sampled_from([ClaimStatus.VOIDED, ClaimStatus.DRAFT]))
    def void_or_unbill_a_claim(self, pick, status):
        ready = [cid for cid, c in sorted(self.claims.items()) if c.status is ClaimStatus.READY]
        self._unbill(ready[pick % len(ready)], status)

    @precondition(lambda self: any(c.status is ClaimStatus.DRAFT for c in self.claims.values()))
    @rule(pick=picks)
    def bill_again(self, pick):
        drafts = [cid for cid, c in sorted(self.claims.items()) if c.status is ClaimStatus.DRAFT]
        claim_id = drafts[pick % len(drafts)]
        model = self.claims[claim_id]
        before = {e.id for e in self.store.accounts.get(model.patient_id).ledger}
        self.store.claims.set_status(claim_id, "ready")
        model.charges = self._new_ids(before, model.patient_id)
        for entry_id, charge in zip(model.charges, model.lines, strict=True):
            ins, pat = (charge, 0) if model.insured else (0, charge)
            self.entries[entry_id] = Entry(model.patient_id, claim_id, "charge", ins, pat)
        model.status = ClaimStatus.READY

    # ------------------------------------------------------------------ money

    @rule(pick=picks, amount=amounts)
    def insurance_payment(self, pick, amount):
        pid = self._patient(pick)
        self._post(pid, "payment", -amount, 0, self._claim_for(pid, pick))

    @rule(pick=picks, amount=amounts)
    def patient_payment(self, pick, amount):
        pid = self._patient(pick)
        self._post(pid, "payment", 0, -amount, self._claim_for(pid, pick))

    @rule(pick=picks, amount=amounts, from_insurance=st.booleans())
    def adjustment(self, pick, amount, from_insurance):
        pid = self._patient(pick)
        deltas = (-amount, 0) if from_insurance else (0, -amount)
        self._post(pid, "adjustment", *deltas, self._claim_for(pid, pick))

    @rule(pick=picks, amount=amounts, to_patient=st.booleans())
    def transfer(self, pick, amount, to_patient):
        pid = self._patient(pick)
        deltas = (-amount, amount) if to_patient else (amount, -amount)
        self._post(pid, "transfer", *deltas, self._claim_for(pid, pick))

    @precondition(lambda self: self._reversible())
    @rule(pick=picks)
    def reverse(self, pick):
        choices = self._reversible()
        entry_id = choices[pick % len(choices)]
        reversal_id = self.store.ledger.reverse(entry_id, "property test")
        self._reverse_in_model(entry_id, reversal_id)

    # ------------------------------------------------------------------ refusals

    @precondition(lambda self: len(self._reversible()) < len(self.entries))
    @rule(pick=picks)
    def refused_reversal(self, pick):
        """Reversed already, a reversal itself, or a claim's charge: refused, nothing posted."""
        refused = sorted(set(self.entries) - set(self._reversible()))
        with pytest.raises(StoreRefused):
            self.store.ledger.reverse(refused[pick % len(refused)], "again")

    @rule(pick=picks, amount=amounts)
    def a_bad_batch_posts_nothing(self, pick, amount):
        pid = self._patient(pick)
        drafts = [
            EntryDraft(pid, "payment", patient_delta=-amount),
            EntryDraft(pid, "transfer", insurance_delta=-amount, patient_delta=amount + 1),
        ]
        with pytest.raises(StoreRefused):
            self.store.ledger.post(drafts)

    # ------------------------------------------------------------------ invariants

    @invariant()
    def balances_match_the_model(self):
        for pid in self.patients:
            insurance = sum(e.insurance for e in self.entries.values() if e.patient_id == pid)
            patient = sum(e.patient for e in self.entries.values() if e.patient_id == pid)
            assert self.store.ledger.balances(pid) == (insurance, patient)
            view = self.store.accounts.get(pid)
            assert (view.insurance_balance, view.patient_balance) == (insurance, patient)
            assert len(view.ledger) == sum(1 for e in self.entries.values() if e.patient_id == pid)
            for claim in view.claims:
                on_claim = [e for e in self.entries.values() if e.claim_id == claim.id]
                assert (claim.insurance_balance, claim.patient_balance) == (
                    sum(e.insurance for e in on_claim),
                    sum(e.patient for e in on_claim),
                )
                assert claim.status == self.claims[claim.id].status

    @invariant()
    def the_books_verify(self):
        report = self.store.verify()
        assert report.ok, report.violations


@pytest.fixture(scope="module", autouse=True)
def ledger_template(tmp_path_factory):
    LedgerMachine.template = build_template(tmp_path_factory.mktemp("ledger") / "template.db")


# No shrinking: each step is a few real transactions, and shrinking a failure here takes
# minutes. A failure prints its whole sequence of steps; to minimise one, add Phase.shrink.
LedgerMachine.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=30,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
)
TestLedgerMachine = LedgerMachine.TestCase
