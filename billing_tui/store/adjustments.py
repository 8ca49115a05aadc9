"""Our own adjustments in the store: late fees on unpaid statements, write-offs and waivers
(above the limit, a supervisor approves them first), and collection placements.

Every one is ledger entries of its own kind and category, posted in one write
transaction with the record that explains it; none edits a posted entry. A waiver is an
adjustment that takes a fee back off (the fee stays on the ledger, as it was charged);
recalling an account from collections reverses its bad-debt entries one by one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from peewee import JOIN, fn

from ..domain.adjustments import (
    WRITE_OFF_CATEGORIES,
    AdjustmentError,
    Category,
    FeePolicy,
    check_adjustment,
    check_collections,
    late_fee_due,
    needs_approval,
)
from ..domain.ledger import EntryKind
from ..domain.money import format_cents
from ..domain.queue import QueuePolicy
from ..domain.security import Permission
from ..domain.statements import Cycle
from .bulk import among, insert_rows_with_ids
from .cache import as_date, chunked, refresh_accounts, refresh_claims
from .models import (
    AccountSummary,
    AdjustmentRequest,
    Claim,
    CollectionPlacement,
    LateFee,
    LedgerEntry,
    Patient,
    PaymentPlan,
    Statement,
    User,
    utcnow,
)
from .records.adjustments import (
    AdjustmentOutcome,
    AdjustmentRequestRow,
    LateFeeCandidate,
    LateFeeRecord,
    PlacementRecord,
)
from .session import Session, StoreRefused

LIVE = ("posted", "pending", "approved")  # a request that is (or will be) on the ledger


class Adjustments:
    def __init__(self, session: Session, fees: FeePolicy, queue: QueuePolicy) -> None:
        self._session = session
        self._fees = fees
        self._queue = queue

    @property
    def policy(self) -> FeePolicy:
        return self._fees

    # ------------------------------------------------------------------ late fees

    def late_fee_candidates(self) -> list[LateFeeCandidate]:
        """Each account whose latest statement is unpaid `days_past_due` after its due date,
        has no late fee yet, is not keeping a payment plan and is not with collections."""
        from .plans import on_plan_in_good_standing
        from .statements import paid_since

        policy = self._fees
        if policy.late_fee <= 0:
            return []
        today = self._session.today()
        later = Statement.alias("later")
        fee = LateFee.alias("fee")
        placed = CollectionPlacement.select(CollectionPlacement.id).where(
            (CollectionPlacement.patient == Statement.patient)
            & CollectionPlacement.recalled_at.is_null()
        )
        rows = list(
            Statement.select(
                Statement.id, Statement.patient, Patient.account_number, Statement.statement_date,
                Statement.due_date, Statement.amount_due_cents, Statement.created_at,
            )
            .join(Patient, on=(Patient.id == Statement.patient))
            .join(AccountSummary, on=(AccountSummary.patient == Statement.patient))
            .where(
                (AccountSummary.patient_balance_cents > 0)
                & ~fn.EXISTS(later.select(later.id).where(
                    (later.patient == Statement.patient) & (later.id > Statement.id)))
                & ~fn.EXISTS(fee.select(fee.id).where(fee.statement == Statement.id))
                & ~fn.EXISTS(placed)
            )
            .order_by(Statement.patient)
            .tuples()
        )  # fmt: skip
        found = []
        for chunk in chunked(rows, 500):
            ids = [row[1] for row in chunk]
            paid = paid_since({row[1]: row[6] for row in chunk})
            keeping = on_plan_in_good_standing(ids, today, self._queue.plan_grace_days)
            for sid, pid, number, date, due_date, due, _created in chunk:
                due_date = as_date(due_date)
                if late_fee_due(
                    due_date=due_date,
                    amount_due=int(due),
                    paid_since=paid.get(pid, 0),
                    today=today,
                    on_plan_in_good_standing=pid in keeping,
                    policy=policy,
                ):
                    found.append(
                        LateFeeCandidate(pid, number, sid, as_date(date), due_date, int(due),
                                         paid.get(pid, 0), policy.late_fee)
                    )  # fmt: skip
        return found

    def assess_late_fees(self) -> list[LateFeeCandidate]:
        """Post the late fee of every candidate (each statement earns at most one)."""
        session = self._session
        with session.writing():
            found = self.late_fee_candidates()
            if not found:
                return []
            user = session.user_id()
            today = session.today()
            entries = insert_rows_with_ids(
                LedgerEntry,
                ("patient", "kind", "patient_delta", "effective_date", "posted_at", "user",
                 "category", "memo"),
                [(c.patient_id, EntryKind.LATE_FEE.value, c.fee, today, utcnow(), user,
                  Category.LATE_FEE.value,
                  f"Late fee: statement of {c.statement_date:%m/%d/%Y} unpaid")
                 for c in found],
            )  # fmt: skip
            fees = insert_rows_with_ids(
                LateFee,
                ("patient", "statement", "entry", "amount_cents", "assessed_on", "created_by"),
                [(c.patient_id, c.statement_id, entry, c.fee, today, user)
                 for c, entry in zip(found, entries, strict=True)],
            )  # fmt: skip
            for candidate, fee_id in zip(found, fees, strict=True):
                session.audit("assess", "late_fee", fee_id, patient_id=candidate.patient_id,
                              after={"amount": candidate.fee, "statement": candidate.statement_id})  # fmt: skip
            refresh_accounts(c.patient_id for c in found)
        return found

    def late_fees_of(self, patient_id: int) -> list[LateFeeRecord]:
        waivers = {
            fee_id: status
            for fee_id, status in AdjustmentRequest.select(
                AdjustmentRequest.late_fee, AdjustmentRequest.status
            )
            .where((AdjustmentRequest.patient == patient_id)
                   & AdjustmentRequest.late_fee.is_null(False)
                   & AdjustmentRequest.status.in_(LIVE))
            .tuples()
        }  # fmt: skip
        query = (
            LateFee.select(LateFee.id, LateFee.statement, Statement.statement_date,
                           LateFee.assessed_on, LateFee.amount_cents)
            .join(Statement, on=(Statement.id == LateFee.statement))
            .where(LateFee.patient == patient_id)
            .order_by(LateFee.id.desc())
            .tuples()
        )  # fmt: skip
        return [
            LateFeeRecord(fid, sid, as_date(date), as_date(assessed), int(amount),
                          "pending" if waivers.get(fid) == "pending" else
                          "waived" if fid in waivers else "")
            for fid, sid, date, assessed, amount in query
        ]  # fmt: skip

    # ------------------------------------------------------------------ write-offs, waivers

    def write_off(
        self,
        patient_id: int,
        amount: int,
        *,
        category: str,
        reason: str,
        claim_id: int | None = None,
    ) -> AdjustmentOutcome:
        """Write off part of what the patient owes (small balance, hardship, courtesy): from
        the chosen visit, else the oldest visits first, then fees on the account."""
        if category not in WRITE_OFF_CATEGORIES:
            names = ", ".join(c.value for c in WRITE_OFF_CATEGORIES)
            raise StoreRefused(f"a write-off is one of: {names}")
        return self._request(
            patient_id, amount, kind="write_off", category=category, reason=reason,
            claim_id=claim_id,
        )  # fmt: skip

    def waive_late_fee(self, late_fee_id: int, reason: str) -> AdjustmentOutcome:
        """Take a late fee back off with a reason (the fee itself stays on the ledger)."""
        fee = LateFee.get_or_none(LateFee.id == late_fee_id)
        if fee is None:
            raise StoreRefused(f"no late fee {late_fee_id}")
        return self._request(
            fee.patient_id, fee.amount_cents, kind="waiver", category=Category.WAIVER.value,
            reason=reason, late_fee_id=late_fee_id,
        )  # fmt: skip

    def _request(
        self,
        patient_id: int,
        amount: int,
        *,
        kind: str,
        category: str,
        reason: str,
        claim_id: int | None = None,
        late_fee_id: int | None = None,
    ) -> AdjustmentOutcome:
        reason = reason.strip()
        session = self._session
        with session.writing():
            if not Patient.select().where(Patient.id == patient_id).exists():
                raise StoreRefused(f"no account with id {patient_id}")
            if (
                late_fee_id is not None
                and AdjustmentRequest.select()
                .where(
                    (AdjustmentRequest.late_fee == late_fee_id) & AdjustmentRequest.status.in_(LIVE)
                )
                .exists()
            ):
                raise StoreRefused("that late fee is already waived (or its waiver is pending)")
            self._check(patient_id, amount, reason, claim_id)
            role = session.role()
            pending = needs_approval(amount, role, self._fees)
            request = AdjustmentRequest.create(
                patient=patient_id, claim=claim_id, late_fee=late_fee_id, kind=kind,
                category=category, amount_cents=amount, reason=reason[:200],
                status="pending" if pending else "posted", requested_by=session.user_id(),
            )  # fmt: skip
            session.audit(
                "request" if pending else "post", "adjustment_request", request.id,
                patient_id=patient_id,
                after={"kind": kind, "category": category, "amount": amount, "reason": reason},
            )  # fmt: skip
            if pending:
                limit = format_cents(self._fees.approval_limit)
                return AdjustmentOutcome(
                    request.id, "pending", amount, (),
                    f"{format_cents(amount)} is over the {limit} limit: it waits for a "
                    "supervisor's approval",
                )  # fmt: skip
            entries = self._post(request)
        return AdjustmentOutcome(request.id, "posted", amount, entries,
                                 f"{format_cents(amount)} posted")  # fmt: skip

    def _check(self, patient_id: int, amount: int, reason: str, claim_id: int | None) -> None:
        owed = _patient_balance(patient_id)
        if claim_id is not None:
            claim = Claim.get_or_none(Claim.id == claim_id)
            if claim is None or claim.patient_id != patient_id:
                raise StoreRefused("the visit belongs to another account")
            owed = min(owed, claim.patient_balance_cents)
        try:
            check_adjustment(amount, owed, reason)
        except AdjustmentError as error:
            raise StoreRefused(str(error)) from None

    def _post(self, request: AdjustmentRequest) -> tuple[int, ...]:
        """The request's ledger entries (inside the caller's write transaction)."""
        session = self._session
        label = Category(request.category).label
        memo = f"{label[:1].upper()}{label[1:]}: {request.reason}"
        if request.late_fee_id is not None:
            parts = [(None, request.amount_cents)]
        else:
            parts = _spread(request.patient_id, request.amount_cents, request.claim_id)
        user = session.user_id()
        ids = insert_rows_with_ids(
            LedgerEntry,
            ("patient", "claim", "kind", "patient_delta", "effective_date", "posted_at", "user",
             "category", "memo"),
            [(request.patient_id, claim, EntryKind.ADJUSTMENT.value, -take, session.today(),
              utcnow(), user, request.category, memo[:200]) for claim, take in parts],
        )  # fmt: skip
        AdjustmentRequest.update(entry=ids[0]).where(AdjustmentRequest.id == request.id).execute()
        refresh_claims(claim for claim, _ in parts if claim is not None)
        refresh_accounts([request.patient_id])
        return tuple(ids)

    def pending(self, *, limit: int = 200) -> list[AdjustmentRequestRow]:
        """Write-offs and waivers waiting for a supervisor, oldest first."""
        return self._requests(AdjustmentRequest.status == "pending", limit)

    def requests_of(self, patient_id: int, *, limit: int = 100) -> list[AdjustmentRequestRow]:
        rows = self._requests(AdjustmentRequest.patient == patient_id, limit)
        return sorted(rows, key=lambda r: r.id, reverse=True)

    def _requests(self, where, limit: int) -> list[AdjustmentRequestRow]:
        requester = User.alias("requester")
        decider = User.alias("decider")
        query = (
            AdjustmentRequest.select(
                AdjustmentRequest,
                Patient.account_number,
                requester.username.alias("requester_name"),
                decider.username.alias("decider_name"),
            )
            .join(Patient, on=(Patient.id == AdjustmentRequest.patient))
            .switch(AdjustmentRequest)
            .join(requester, JOIN.LEFT_OUTER, on=(requester.id == AdjustmentRequest.requested_by))
            .switch(AdjustmentRequest)
            .join(decider, JOIN.LEFT_OUTER, on=(decider.id == AdjustmentRequest.decided_by))
            .where(where)
            .order_by(AdjustmentRequest.id)
            .limit(limit)
        )
        return [
            AdjustmentRequestRow(
                id=r.id, patient_id=r.patient_id, account_number=r.account_number,
                kind=r.kind, category=r.category, amount=int(r.amount_cents), reason=r.reason,
                status=r.status, requested_at=r.requested_at,
                requested_by=r.requester_name or "", decided_by=r.decider_name or "",
                decision_note=r.decision_note,
            )
            for r in query.objects()
        ]  # fmt: skip

    def approve(self, request_id: int, note: str = "") -> AdjustmentOutcome:
        """A supervisor approves a pending write-off or waiver: it posts now."""
        session = self._session
        with session.writing(Permission.APPROVE, "approving a write-off or waiver"):
            request = self._pending(request_id)
            self._check(request.patient_id, request.amount_cents, request.reason, request.claim_id)
            AdjustmentRequest.update(
                status="approved", decided_at=utcnow(), decided_by=session.user_id(),
                decision_note=note.strip()[:200],
            ).where(AdjustmentRequest.id == request_id).execute()  # fmt: skip
            entries = self._post(request)
            session.audit("approve", "adjustment_request", request_id,
                          patient_id=request.patient_id,
                          after={"amount": request.amount_cents, "note": note})  # fmt: skip
        return AdjustmentOutcome(request_id, "approved", request.amount_cents, entries,
                                 f"{format_cents(request.amount_cents)} approved and posted")  # fmt: skip

    def decline(self, request_id: int, note: str) -> None:
        note = note.strip()
        if not note:
            raise StoreRefused("say why the request is declined")
        session = self._session
        with session.writing(Permission.APPROVE, "declining a write-off or waiver"):
            request = self._pending(request_id)
            AdjustmentRequest.update(
                status="declined", decided_at=utcnow(), decided_by=session.user_id(),
                decision_note=note[:200],
            ).where(AdjustmentRequest.id == request_id).execute()  # fmt: skip
            session.audit("decline", "adjustment_request", request_id,
                          patient_id=request.patient_id, after={"note": note})  # fmt: skip

    def _pending(self, request_id: int) -> AdjustmentRequest:
        request = AdjustmentRequest.get_or_none(AdjustmentRequest.id == request_id)
        if request is None:
            raise StoreRefused(f"no request {request_id}")
        if request.status != "pending":
            raise StoreRefused(f"request {request_id} is {request.status}, not pending")
        return request

    # ------------------------------------------------------------------ collections

    def send_to_collections(self, patient_id: int, agency: str, reason: str) -> int:
        """A supervisor places the account with an agency: what the patient owes is written
        off as bad debt, visit by visit; recall() reverses it. Returns the placement's id."""
        agency, reason = agency.strip(), reason.strip()
        if not agency:
            raise StoreRefused("name the collection agency")
        if not reason:
            raise StoreRefused("sending an account to collections needs a reason")
        session = self._session
        with session.writing(Permission.COLLECTIONS, "sending an account to collections"):
            if not Patient.select().where(Patient.id == patient_id).exists():
                raise StoreRefused(f"no account with id {patient_id}")
            final = (
                Statement.select(Statement.id, Statement.statement_date)
                .where((Statement.patient == patient_id)
                       & (Statement.cycle >= Cycle.FINAL_NOTICE.value))
                .order_by(Statement.statement_date.desc(), Statement.id.desc())
                .first()
            )  # fmt: skip
            if _active_placement(patient_id) is not None:
                raise StoreRefused("the account is already with a collection agency")
            owed = _patient_balance(patient_id)
            try:
                check_collections(session.role(), final.statement_date if final else None, owed)
            except AdjustmentError as error:
                raise StoreRefused(str(error)) from None
            if (
                PaymentPlan.select()
                .where((PaymentPlan.patient == patient_id) & (PaymentPlan.status == "active"))
                .exists()
            ):
                raise StoreRefused("the account has an active payment plan: end it first")
            parts = _spread(patient_id, owed, None)
            if sum(take for _, take in parts) != owed:
                raise StoreRefused(
                    "the account holds a credit on a visit: apply or refund it before "
                    "sending the account to collections"
                )
            user = session.user_id()
            memo = f"Bad debt: sent to {agency}: {reason}"[:200]
            entries = insert_rows_with_ids(
                LedgerEntry,
                ("patient", "claim", "kind", "patient_delta", "effective_date", "posted_at",
                 "user", "category", "memo"),
                [(patient_id, claim, EntryKind.ADJUSTMENT.value, -take, session.today(),
                  utcnow(), user, Category.BAD_DEBT.value, memo) for claim, take in parts],
            )  # fmt: skip
            placement = CollectionPlacement.create(
                patient=patient_id, statement=final.id, agency=agency[:60], amount_cents=owed,
                reason=reason[:200], entries=json.dumps(entries), placed_by=user,
            )  # fmt: skip
            refresh_claims(claim for claim, _ in parts if claim is not None)
            refresh_accounts([patient_id])
            session.audit("place", "collection_placement", placement.id, patient_id=patient_id,
                          after={"agency": agency, "amount": owed, "reason": reason})  # fmt: skip
        return placement.id

    def recall(self, placement_id: int, reason: str) -> None:
        """Bring an account back from collections: its bad-debt entries are reversed."""
        from .posting import Posting

        reason = reason.strip()
        if not reason:
            raise StoreRefused("recalling an account from collections needs a reason")
        session = self._session
        with session.writing(Permission.COLLECTIONS, "recalling an account from collections"):
            placement = CollectionPlacement.get_or_none(CollectionPlacement.id == placement_id)
            if placement is None:
                raise StoreRefused(f"no collection placement {placement_id}")
            if placement.recalled_at is not None:
                raise StoreRefused("that placement was already recalled")
            user = session.user_id()
            entry_ids = json.loads(placement.entries)
            originals = list(LedgerEntry.select().where(among(LedgerEntry.id, entry_ids)))
            rows = [
                Posting._reversal_row(entry, None, None, user,
                                      f"recalled from {placement.agency}: {reason}",
                                      session.today())
                for entry in originals
            ]  # fmt: skip
            LedgerEntry.insert_many(rows).execute()
            CollectionPlacement.update(
                recalled_at=utcnow(), recalled_by=user, recall_reason=reason[:200]
            ).where(CollectionPlacement.id == placement_id).execute()
            refresh_claims(e.claim_id for e in originals if e.claim_id is not None)
            refresh_accounts([placement.patient_id])
            session.audit("recall", "collection_placement", placement_id,
                          patient_id=placement.patient_id, after={"reason": reason})  # fmt: skip

    def placements(
        self, *, patient_id: int | None = None, active_only: bool = False, limit: int = 200
    ) -> list[PlacementRecord]:
        placer = User.alias("placer")
        query = (
            CollectionPlacement.select(CollectionPlacement, Patient.account_number,
                                       placer.username.alias("placer_name"))
            .join(Patient, on=(Patient.id == CollectionPlacement.patient))
            .switch(CollectionPlacement)
            .join(placer, JOIN.LEFT_OUTER, on=(placer.id == CollectionPlacement.placed_by))
            .order_by(CollectionPlacement.id.desc())
            .limit(limit)
        )  # fmt: skip
        if patient_id is not None:
            query = query.where(CollectionPlacement.patient == patient_id)
        if active_only:
            query = query.where(CollectionPlacement.recalled_at.is_null())
        return [
            PlacementRecord(
                id=p.id, patient_id=p.patient_id, account_number=p.account_number,
                agency=p.agency, amount=int(p.amount_cents), reason=p.reason,
                placed_at=p.placed_at, placed_by=p.placer_name or "",
                recalled_at=p.recalled_at, recall_reason=p.recall_reason,
            )
            for p in query.objects()
        ]  # fmt: skip


# --------------------------------------------------------------------------- helpers


def _patient_balance(patient_id: int) -> int:
    return int(
        LedgerEntry.select(fn.COALESCE(fn.SUM(LedgerEntry.patient_delta), 0))
        .where(LedgerEntry.patient == patient_id)
        .scalar()
    )


def _active_placement(patient_id: int) -> int | None:
    return (
        CollectionPlacement.select(CollectionPlacement.id)
        .where((CollectionPlacement.patient == patient_id)
               & CollectionPlacement.recalled_at.is_null())
        .scalar()
    )  # fmt: skip


def _spread(patient_id: int, amount: int, claim_id: int | None) -> list[tuple[int | None, int]]:
    """Where an adjustment of the patient balance lands: (claim or None, cents) parts, the
    chosen visit, else the oldest visits first, then money owed on no visit (fees)."""
    if claim_id is not None:
        return [(claim_id, amount)]
    owed: Sequence[tuple[int | None, int]] = [
        (cid, int(balance))
        for cid, balance in Claim.select(Claim.id, Claim.patient_balance_cents)
        .where((Claim.patient == patient_id) & (Claim.patient_balance_cents > 0))
        .order_by(Claim.first_dos, Claim.id)
        .tuples()
    ]  # fmt: skip
    on_account = int(
        LedgerEntry.select(fn.COALESCE(fn.SUM(LedgerEntry.patient_delta), 0))
        .where((LedgerEntry.patient == patient_id) & LedgerEntry.claim.is_null())
        .scalar()
    )
    if on_account > 0:
        owed = [*owed, (None, on_account)]
    parts = []
    left = amount
    for claim, balance in owed:
        take = min(left, balance)
        if take > 0:
            parts.append((claim, take))
            left -= take
        if not left:
            break
    return parts
