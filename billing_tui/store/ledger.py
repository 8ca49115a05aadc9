"""Posting to the append-only ledger: entries go in, corrections reverse, cached totals follow."""

from __future__ import annotations

from collections.abc import Sequence

from peewee import IntegrityError, fn

from ..domain.ledger import EntryKind, LedgerError, check_deltas, reversal_of
from ..domain.security import Permission
from .cache import refresh_accounts, refresh_claims
from .day_close import refuse_if_closed
from .models import Claim, LedgerEntry, Patient, Payment, PaymentBatch, ServiceLine
from .records import EntryDraft
from .session import Session, StoreRefused


class Ledger:
    def __init__(self, session: Session) -> None:
        self._session = session

    def post(self, drafts: Sequence[EntryDraft]) -> list[int]:
        """Post entries together: all of them, or (on any refusal) none. Returns their ids."""
        if not drafts:
            return []
        session = self._session
        with session.writing():
            for draft in drafts:  # charges carry their date of service: never locked
                if draft.kind != EntryKind.CHARGE.value:
                    refuse_if_closed(draft.effective_date or session.today(), "posting")
            ids = [self._insert(draft) for draft in drafts]
            for entry_id, draft in zip(ids, drafts, strict=True):
                session.audit("post", "ledger_entry", entry_id, patient_id=draft.patient_id,
                              after={"kind": draft.kind, "insurance": draft.insurance_delta,
                                     "patient": draft.patient_delta, "claim": draft.claim_id,
                                     "memo": draft.memo})  # fmt: skip
            refresh_claims(d.claim_id for d in drafts if d.claim_id is not None)
            refresh_accounts(d.patient_id for d in drafts)
        return ids

    def reverse(self, entry_id: int, reason: str) -> int:
        """Post the exact negative of an entry; an entry is reversed at most once."""
        reason = reason.strip()
        if not reason:
            raise StoreRefused("a reversal needs a reason")
        session = self._session
        with session.writing(Permission.REVERSE, "reversing a ledger entry"):
            original = LedgerEntry.get_or_none(LedgerEntry.id == entry_id)
            if original is None:
                raise StoreRefused(f"no ledger entry {entry_id}")
            if original.reverses_id is not None:
                raise StoreRefused("a reversal cannot itself be reversed; post a new entry instead")
            if original.kind == EntryKind.CHARGE and original.claim_id is not None:
                # verify: a billed claim's net charges equal its charge, always.
                raise StoreRefused(
                    "a claim's charges come off by voiding the claim or sending it back to draft"
                )
            if LedgerEntry.select().where(LedgerEntry.reverses == entry_id).exists():
                raise StoreRefused(f"entry {entry_id} is already reversed")
            deltas = reversal_of(original.insurance_delta, original.patient_delta)
            try:
                reversal = LedgerEntry.create(
                    patient=original.patient_id,
                    claim=original.claim_id,
                    service_line=original.service_line_id,
                    payment=original.payment_id,
                    batch=original.batch_id,
                    kind=original.kind,
                    insurance_delta=deltas.insurance,
                    patient_delta=deltas.patient,
                    effective_date=session.today(),
                    user=session.user_id(),
                    reverses=original.id,
                    group_code=original.group_code,
                    reason_code=original.reason_code,
                    memo=f"Reversal: {reason}"[:200],
                )
            except IntegrityError:  # a concurrent reversal won the race
                raise StoreRefused(f"entry {entry_id} is already reversed") from None
            session.audit(
                "reverse",
                "ledger_entry",
                original.id,
                patient_id=original.patient_id,
                after={"reversal": reversal.id, "reason": reason},
            )
            if original.claim_id is not None:
                refresh_claims([original.claim_id])
            refresh_accounts([original.patient_id])
        return reversal.id

    def _insert(self, draft: EntryDraft) -> int:
        try:
            kind = EntryKind(draft.kind)
            check_deltas(kind, draft.insurance_delta, draft.patient_delta)
        except (ValueError, LedgerError) as error:
            raise StoreRefused(str(error)) from None
        if not Patient.select().where(Patient.id == draft.patient_id).exists():
            raise StoreRefused(f"no account with id {draft.patient_id}")
        if kind is EntryKind.CHARGE and draft.claim_id is not None:
            raise StoreRefused("a claim's charges are posted by billing the claim")
        if draft.claim_id is not None:
            claim_patient = Claim.select(Claim.patient).where(Claim.id == draft.claim_id).scalar()
            if claim_patient != draft.patient_id:
                raise StoreRefused("the claim belongs to another account")
        if draft.service_line_id is not None:
            line_claim = (
                ServiceLine.select(ServiceLine.claim)
                .where(ServiceLine.id == draft.service_line_id)
                .scalar()
            )
            if draft.claim_id is None or line_claim != draft.claim_id:
                raise StoreRefused("the service line belongs to another claim")
        if (
            draft.payment_id is not None
            and not Payment.select().where(Payment.id == draft.payment_id).exists()
        ):
            raise StoreRefused(f"no payment {draft.payment_id}")
        if (
            draft.batch_id is not None
            and not PaymentBatch.select().where(PaymentBatch.id == draft.batch_id).exists()
        ):
            raise StoreRefused(f"no batch {draft.batch_id}")
        session = self._session
        return LedgerEntry.insert(
            patient=draft.patient_id,
            claim=draft.claim_id,
            service_line=draft.service_line_id,
            payment=draft.payment_id,
            batch=draft.batch_id,
            kind=kind.value,
            insurance_delta=draft.insurance_delta,
            patient_delta=draft.patient_delta,
            effective_date=draft.effective_date or session.today(),
            user=session.user_id(),
            group_code=draft.group_code,
            reason_code=draft.reason_code,
            remark_codes=draft.remark_codes,
            memo=draft.memo[:200],
        ).execute()

    def balances(self, patient_id: int) -> tuple[int, int]:
        """(insurance, patient) balance of an account, summed from its entries now."""
        row = (
            LedgerEntry.select(
                fn.COALESCE(fn.SUM(LedgerEntry.insurance_delta), 0),
                fn.COALESCE(fn.SUM(LedgerEntry.patient_delta), 0),
            )
            .where(LedgerEntry.patient == patient_id)
            .tuples()
            .get()
        )
        return int(row[0]), int(row[1])
