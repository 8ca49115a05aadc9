"""Posting money in the store: batches and their control totals, paper EOBs, patient
payments, reversals, refunds, and the denial and exception worklists.

The 835 importer (remittances.py) writes through the same row builders, so a claim
posted by hand and one posted from an ERA leave the same trail: one Payment per
claim posted (the insurance payment, possibly 0.00 when all was adjusted) with its
ledger entries pointing at it, so that "reverse this payment" has one thing to undo.
A batch's posted total is the sum of its payments less its provider-level
adjustments; what it lacks of the control total is unapplied money, never lost.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from peewee import JOIN, fn

from ..domain.claims import ClaimStatus
from ..domain.ledger import EntryKind
from ..domain.money import format_cents
from ..domain.posting import (
    Adjudication,
    Entry,
    PostingError,
    Reason,
    entries_for,
    refuse_unpayable,
    status_after,
    take_in_order,
)
from ..domain.security import Permission
from .bulk import among
from .cache import chunked, refresh_accounts, refresh_batch, refresh_claims
from .day_close import refuse_if_closed
from .models import (
    BatchAdjustment,
    Claim,
    ClaimStatusChange,
    LedgerEntry,
    Patient,
    Payer,
    Payment,
    PaymentBatch,
    RemittanceClaim,
    WorkItem,
    live_lines,
    utcnow,
)
from .plans import active_plan, settle_plan
from .records import (
    AppliedTo,
    BatchDraft,
    BatchView,
    ClaimToPost,
    EobPosting,
    PatientPaymentDraft,
    PaymentRecord,
    PostingLine,
    WorkItemRow,
)
from .session import Session, StoreConflict, StoreRefused

BATCH_KINDS = ("insurance", "patient")
INSURANCE_METHODS = ("check", "eft")
PATIENT_METHODS = ("cash", "check", "card")
WORK_KINDS = ("denial", "exception", "secondary", "inbound")


def money(cents: int) -> str:
    return format_cents(cents)


# --------------------------------------------------------------------------- rows


def entry_row(
    entry: Entry,
    *,
    patient_id: int,
    claim_id: int,
    payment_id: int | None,
    batch_id: int | None,
    effective_date: dt.date,
    user_id: int,
    memo: str = "",
) -> dict:
    return {
        "patient": patient_id,
        "claim": claim_id,
        "service_line": entry.line,
        "payment": payment_id,
        "batch": batch_id,
        "kind": entry.kind.value,
        "insurance_delta": entry.insurance_delta,
        "patient_delta": entry.patient_delta,
        "effective_date": effective_date,
        "posted_at": utcnow(),
        "user": user_id,
        "group_code": entry.group,
        "reason_code": entry.reason,
        "remark_codes": entry.remarks[:60],
        "memo": memo[:200],
    }


def line_balances(claim_ids: Iterable[int]) -> dict[int, dict[int | None, list[int]]]:
    """Each claim's [insurance, patient] balance per service line (None: claim level)."""
    balances: dict[int, dict[int | None, list[int]]] = defaultdict(dict)
    for chunk in chunked(list(claim_ids)):
        rows = (
            LedgerEntry.select(
                LedgerEntry.claim, LedgerEntry.service_line,
                fn.SUM(LedgerEntry.insurance_delta), fn.SUM(LedgerEntry.patient_delta),
            )
            .where(among(LedgerEntry.claim, chunk))
            .group_by(LedgerEntry.claim, LedgerEntry.service_line)
            .tuples()
        )  # fmt: skip
        for claim_id, line_id, insurance, patient in rows:
            balances[claim_id][line_id] = [int(insurance), int(patient)]
    return balances


def cob_entries(entries: Sequence[Entry], open_by_line: dict[int | None, list[int]]) -> list[Entry]:
    """A later payer's entries against what the earlier payers left (domain.posting's
    take_in_order). A line's entry draws on that line; a claim-level one on the whole
    claim. open_by_line is the claim's, and is updated as entries are taken."""
    taken = []
    # What raises the payer's side (a negative adjustment, e.g. OA-94) goes first, so that
    # the write-offs after it find it there.
    for entry in sorted(entries, key=lambda e: e.insurance_delta <= 0):
        if entry.line is None:
            insurance = sum(v[0] for v in open_by_line.values())
            patient = sum(v[1] for v in open_by_line.values())
        else:
            insurance, patient = open_by_line.get(entry.line, (0, 0))
        moved = take_in_order(entry, insurance, patient)
        if moved is None:
            continue
        bucket = open_by_line.setdefault(entry.line, [0, 0])
        bucket[0] += moved.insurance_delta
        bucket[1] += moved.patient_delta
        taken.append(moved)
    return taken


def record_status(
    claim_id: int, current: str, target: ClaimStatus, user_id: int, reason: str
) -> None:
    """Move a billed claim to what the payer said (no charge moves between these statuses)."""
    if current == target.value:
        return
    Claim.update(status=target.value, version=Claim.version + 1).where(
        Claim.id == claim_id
    ).execute()
    ClaimStatusChange.insert(
        claim=claim_id, from_status=current, to_status=target.value, at=utcnow(),
        user=user_id, reason=reason[:200],
    ).execute()  # fmt: skip


def close_items(kind: str, claim_ids: Iterable[int], user_id: int, resolution: str) -> None:
    """Close the open work items of a kind on these claims (a denial the payer has now
    paid, a crossover whose next payer has now answered)."""
    open_items = (WorkItem.kind == kind) & WorkItem.closed_at.is_null()
    if not WorkItem.select(WorkItem.id).where(open_items).exists():
        return  # the usual case: none open anywhere, so none of these
    for ids in chunked(list(claim_ids)):
        WorkItem.update(closed_at=utcnow(), closed_by=user_id, resolution=resolution[:200]).where(
            open_items & among(WorkItem.claim, ids)
        ).execute()


def close_denials(claim_ids: Iterable[int], user_id: int, resolution: str) -> None:
    close_items("denial", claim_ids, user_id, resolution)


def root_claim(claim_id: int) -> int:
    """The visit's first claim: a secondary's (or tertiary's) payments post against it."""
    while True:
        parent = Claim.select(Claim.primary_claim).where(Claim.id == claim_id).scalar()
        if parent is None:
            return claim_id
        claim_id = parent


def settle_era_batch(batch_id: int, user_id: int) -> None:
    """An ERA batch's posted total again, and the batch closed once nothing is unapplied."""
    refresh_batch(batch_id)
    PaymentBatch.update(status="closed", closed_at=utcnow(), closed_by=user_id).where(
        (PaymentBatch.id == batch_id)
        & (PaymentBatch.status == "open")
        & (PaymentBatch.posted_total_cents == PaymentBatch.control_total_cents)
    ).execute()


# --------------------------------------------------------------------------- the API


class Posting:
    def __init__(self, session: Session) -> None:
        self._session = session

    # ----------------------------------------------------------------- batches

    def open_batch(self, draft: BatchDraft) -> int:
        if draft.kind not in BATCH_KINDS:
            raise StoreRefused(f"a batch is for insurance or patient payments, not {draft.kind!r}")
        if draft.control_total < 0:
            raise StoreRefused("the control total cannot be negative")
        if draft.kind == "insurance":
            if draft.payer_id is None:
                raise StoreRefused("an insurance batch needs its payer")
            if draft.method not in INSURANCE_METHODS:
                raise StoreRefused("an insurance payment comes by check or EFT")
            if not draft.check_number.strip():
                raise StoreRefused("type the check or EFT trace number from the paper")
        session = self._session
        with session.writing():
            refuse_if_closed(draft.deposit_date, "a batch")
            if draft.payer_id is not None and Payer.get_or_none(Payer.id == draft.payer_id) is None:
                raise StoreRefused(f"no payer {draft.payer_id}")
            batch = PaymentBatch.create(
                kind=draft.kind,
                payer=draft.payer_id if draft.kind == "insurance" else None,
                method=draft.method if draft.kind == "insurance" else "mixed",
                check_number=draft.check_number.strip()[:50],
                deposit_date=draft.deposit_date,
                control_total_cents=draft.control_total,
                created_by=session.user_id(),
            )
            session.audit("create", "batch", batch.id, after={"control": draft.control_total})
        return batch.id

    def batch(self, batch_id: int) -> BatchView:
        views = self._batch_views(PaymentBatch.id == batch_id)
        if not views:
            raise StoreRefused(f"no batch {batch_id}")
        return views[0]

    def batches(self, *, open_only: bool = False, limit: int = 200) -> list[BatchView]:
        where = PaymentBatch.status == "open" if open_only else None
        return self._batch_views(where, limit=limit)

    def _batch_views(self, where, limit: int = 200) -> list[BatchView]:
        claims = (
            Payment.select(fn.COUNT(Payment.id))
            .where((Payment.batch == PaymentBatch.id) & Payment.reverses.is_null())
        )  # fmt: skip
        query = (
            PaymentBatch.select(PaymentBatch, Payer.name.alias("payer_name"), claims.alias("n"))
            .join(Payer, JOIN.LEFT_OUTER, on=(Payer.id == PaymentBatch.payer))
            .order_by(PaymentBatch.id.desc())
            .limit(limit)
        )
        if where is not None:
            query = query.where(where)
        return [
            BatchView(
                id=b.id,
                kind=b.kind,
                source="era" if b.remittance_id else "manual",
                payer_id=b.payer_id,
                payer=getattr(b, "payer_name", None) or "",
                method=b.method,
                check_number=b.check_number,
                deposit_date=b.deposit_date,
                control_total=b.control_total_cents,
                posted=b.posted_total_cents,
                status=b.status,
                version=b.version,
                payments=b.n,
            )
            for b in query.objects()
        ]

    def set_control_total(self, batch_id: int, cents: int, *, expected_version: int) -> None:
        if cents < 0:
            raise StoreRefused("the control total cannot be negative")
        session = self._session
        with session.writing():
            batch = self._open_batch(batch_id)
            if batch.remittance_id:
                raise StoreRefused("an ERA batch's control total is the payer's BPR02")
            updated = (
                PaymentBatch.update(control_total_cents=cents, version=PaymentBatch.version + 1)
                .where((PaymentBatch.id == batch_id) & (PaymentBatch.version == expected_version))
                .execute()
            )
            if not updated:
                raise StoreConflict(f"batch {batch_id} was changed by someone else")
            session.audit(
                "update", "batch", batch_id,
                before={"control": batch.control_total_cents}, after={"control": cents},
            )  # fmt: skip

    def close_batch(self, batch_id: int, *, expected_version: int | None = None) -> None:
        """Close a batch whose postings match its control total to the cent."""
        session = self._session
        with session.writing():
            batch = self._open_batch(batch_id)
            if expected_version is not None and batch.version != expected_version:
                raise StoreConflict(f"batch {batch_id} was changed by someone else")
            unapplied = batch.control_total_cents - batch.posted_total_cents
            if unapplied:
                what = "unapplied" if unapplied > 0 else "posted beyond the control total"
                raise StoreRefused(
                    f"batch {batch_id} does not balance: {money(abs(unapplied))} {what} "
                    f"(posted {money(batch.posted_total_cents)} of "
                    f"{money(batch.control_total_cents)})"
                )
            PaymentBatch.update(
                status="closed", closed_at=utcnow(), closed_by=session.user_id(),
                version=PaymentBatch.version + 1,
            ).where(PaymentBatch.id == batch_id).execute()  # fmt: skip
            session.audit("close", "batch", batch_id, after={"posted": batch.posted_total_cents})

    def _open_batch(self, batch_id: int) -> PaymentBatch:
        batch = PaymentBatch.get_or_none(PaymentBatch.id == batch_id)
        if batch is None:
            raise StoreRefused(f"no batch {batch_id}")
        if batch.status != "open":
            raise StoreRefused(f"batch {batch_id} is closed")
        return batch

    def add_provider_adjustment(
        self, batch_id: int, reason: str, amount: int, *, reference: str = "", memo: str = ""
    ) -> int:
        """A provider-level adjustment typed from a paper EOB (positive: withheld)."""
        reason = reason.strip().upper()
        if not reason or len(reason) > 4:
            raise StoreRefused("a provider-level adjustment needs its reason code (WO, L6, FB...)")
        if amount == 0:
            raise StoreRefused("the adjustment's amount cannot be 0.00")
        session = self._session
        with session.writing():
            self._open_batch(batch_id)
            row = BatchAdjustment.create(
                batch=batch_id, reason=reason, reference=reference[:50], amount_cents=amount,
                memo=memo[:200], created_by=session.user_id(),
            )  # fmt: skip
            refresh_batch(batch_id)
            session.audit("create", "batch_adjustment", row.id, after={"amount": amount})
        return row.id

    # ----------------------------------------------------------------- claims to post

    def find_claims(self, text: str, *, limit: int = 20) -> list[ClaimToPost]:
        """Claims by claim number, account number or patient name ("last, first" or "last")."""
        from ..domain.search import search_key

        text = text.strip()
        if not text:
            return []
        query = self._claim_query()
        if any(ch.isdigit() for ch in text):
            where = (Claim.claim_number == text) | (Claim.claim_number.startswith(text + "-"))
            where |= Patient.account_number == text
            where |= Claim.payer_claim_number == text
        else:
            last, _, first = text.partition(",")
            where = Patient.search_last.startswith(search_key(last))
            if first.strip():
                where &= Patient.search_first.startswith(search_key(first))
        rows = query.where(where).order_by(Claim.first_dos.desc(), Claim.id.desc()).limit(limit)
        return [self._claim_view(row) for row in rows.objects()]

    def claim_to_post(self, claim_id: int) -> ClaimToPost:
        row = self._claim_query().where(Claim.id == claim_id).objects().first()
        if row is None:
            raise StoreRefused(f"no claim {claim_id}")
        root = root_claim(row.id)
        balances = self._line_splits(root)
        lines = tuple(
            PostingLine(
                id=line.id,
                line_number=line.line_number,
                dos=line.dos_from,
                code=line.code,
                modifiers=tuple(
                    m for m in (line.modifier1, line.modifier2, line.modifier3, line.modifier4) if m
                ),
                units=line.units,
                charge=line.charge_cents,
                insurance_balance=balances.get(line.id, (0, 0))[0],
                patient_balance=balances.get(line.id, (0, 0))[1],
            )
            for line in live_lines(root)
        )
        return self._claim_view(row, lines)

    @staticmethod
    def _line_splits(claim_id: int) -> dict[int | None, tuple[int, int]]:
        rows = (
            LedgerEntry.select(
                LedgerEntry.service_line,
                fn.SUM(LedgerEntry.insurance_delta),
                fn.SUM(LedgerEntry.patient_delta),
            )
            .where(LedgerEntry.claim == claim_id)
            .group_by(LedgerEntry.service_line)
            .tuples()
        )
        return {line: (int(ins), int(pat)) for line, ins, pat in rows}

    @staticmethod
    def _claim_query():
        return (
            Claim.select(
                Claim,
                Patient.account_number,
                Patient.first_name,
                Patient.last_name,
                Payer.name.alias("payer_name"),
            )
            .join(Patient, on=(Patient.id == Claim.patient))
            .switch(Claim)
            .join(Payer, JOIN.LEFT_OUTER, on=(Payer.id == Claim.payer))
        )

    @staticmethod
    def _claim_view(row, lines: tuple[PostingLine, ...] = ()) -> ClaimToPost:
        return ClaimToPost(
            id=row.id,
            claim_number=row.claim_number,
            patient_id=row.patient_id,
            account_number=row.account_number,
            patient_name=f"{row.last_name}, {row.first_name}",
            payer=getattr(row, "payer_name", None) or "self-pay",
            status=row.status,
            first_dos=row.first_dos,
            charge=row.charge_cents,
            insurance_balance=row.insurance_balance_cents,
            patient_balance=row.patient_balance_cents,
            version=row.version,
            secondary=row.primary_claim_id is not None,
            lines=lines,
        )

    # ----------------------------------------------------------------- a paper EOB

    def post_eob(self, batch_id: int, posting: EobPosting) -> int | None:
        """Post one claim of a paper EOB into an open insurance batch; its payment's id.

        A denial posts no money: the claim becomes denied and goes to the denial
        queue with its reasons, for a person to appeal, correct or write off."""
        session = self._session
        with session.writing():
            batch = self._open_batch(batch_id)
            if batch.kind != "insurance":
                raise StoreRefused("an EOB posts into an insurance batch")
            claim = Claim.get_or_none(Claim.id == posting.claim_id)
            if claim is None:
                raise StoreRefused(f"no claim {posting.claim_id}")
            if posting.expected_version is not None and claim.version != posting.expected_version:
                raise StoreConflict(f"claim {claim.claim_number} was changed by someone else")
            try:
                refuse_unpayable(ClaimStatus(claim.status), claim.claim_number)
            except PostingError as error:
                raise StoreRefused(str(error)) from None
            user = session.user_id()
            if posting.denied:
                if posting.lines and any(line.paid for line in posting.lines):
                    raise StoreRefused("a denied claim is paid nothing: clear the paid amounts")
                reasons = " ".join(posting.denial_reasons).strip()
                if not reasons:
                    raise StoreRefused("a denial needs its reason codes (CARC, and RARC if any)")
                self._deny(claim, reasons, batch_id, user, posting.payer_claim_number)
                session.audit("deny", "claim", claim.id, patient_id=claim.patient_id,
                              after={"reasons": reasons, "batch": batch_id})  # fmt: skip
                refresh_accounts([claim.patient_id])
                return None
            payment_id = self._post_adjudication(
                claim,
                [
                    Adjudication(
                        line.line_id,
                        line.paid,
                        tuple(Reason(g, c, a) for g, c, a in line.adjustments),
                        line.remarks,
                    )
                    for line in posting.lines
                ]  # fmt: skip
                + (
                    [
                        Adjudication(
                            None, 0, tuple(Reason(g, c, a) for g, c, a in posting.claim_adjustments)
                        )
                    ]
                    if posting.claim_adjustments
                    else []
                ),
                batch=batch,
                user=user,
                memo=f"EOB {batch.check_number}",
            )
            if posting.payer_claim_number:
                Claim.update(payer_claim_number=posting.payer_claim_number[:50]).where(
                    Claim.id == claim.id
                ).execute()
            refresh_batch(batch_id)
        return payment_id

    def _deny(self, claim: Claim, reasons: str, batch_id: int, user: int, icn: str) -> None:
        record_status(claim.id, claim.status, ClaimStatus.DENIED, user, f"denied: {reasons}")
        if icn:
            Claim.update(payer_claim_number=icn[:50]).where(Claim.id == claim.id).execute()
        open_item = WorkItem.get_or_none(
            (WorkItem.kind == "denial")
            & (WorkItem.claim == claim.id)
            & WorkItem.closed_at.is_null()
        )
        if open_item is None:
            WorkItem.create(kind="denial", patient=claim.patient_id, claim=claim.id,
                            batch=batch_id, reason=reasons[:300], opened_by=user)  # fmt: skip

    def _post_adjudication(
        self, claim: Claim, answers: list[Adjudication], *, batch: PaymentBatch, user: int,
        memo: str,
    ) -> int:  # fmt: skip
        root = root_claim(claim.id)
        lines = {line.id for line in live_lines(root)}
        for answer in answers:
            if answer.line is not None and answer.line not in lines:
                raise StoreRefused(
                    f"line {answer.line} is not a line of claim {claim.claim_number}"
                )
        try:
            entries = entries_for(answers) if answers else []
        except PostingError as error:
            raise StoreRefused(str(error)) from None
        if not entries:
            raise StoreRefused("nothing to post: type what the payer paid or adjusted")
        if claim.primary_claim_id is not None:
            entries = cob_entries(entries, line_balances([root])[root])
        paid = sum(
            -e.insurance_delta - e.patient_delta for e in entries if e.kind is EntryKind.PAYMENT
        )
        payment = Payment.create(
            batch=batch.id, patient=claim.patient_id, payer=batch.payer_id, method=batch.method,
            amount_cents=paid, check_number=batch.check_number, received_date=batch.deposit_date,
            memo=f"{memo} {claim.claim_number}"[:200], created_by=user,
        )  # fmt: skip
        LedgerEntry.insert_many(
            [
                entry_row(
                    e,
                    patient_id=claim.patient_id,
                    claim_id=root,
                    payment_id=payment.id,
                    batch_id=batch.id,
                    effective_date=batch.deposit_date,
                    user_id=user,
                    memo=memo,
                )  # fmt: skip
                for e in entries
            ]
        ).execute()
        refresh_claims([root])
        balance = Claim.select(Claim.insurance_balance_cents).where(Claim.id == root).scalar()
        target = status_after(balance, denied=False, paid_any=paid > 0)
        record_status(claim.id, claim.status, target, user, f"{memo}: paid {money(paid)}")
        close_denials([claim.id], user, f"paid {money(paid)} in batch {batch.id}")
        refresh_accounts([claim.patient_id])
        self._session.audit("post", "payment", payment.id, patient_id=claim.patient_id,
                            after={"claim": claim.id, "paid": paid, "batch": batch.id})  # fmt: skip
        return payment.id

    # ----------------------------------------------------------------- patient payments

    def post_patient_payment(self, batch_id: int | None, draft: PatientPaymentDraft) -> int:
        """Take a patient's payment: to the chosen visits, else the oldest patient balance
        first; what is left becomes a credit on the account."""
        if draft.amount <= 0:
            raise StoreRefused("a payment must be more than 0.00")
        if draft.method not in PATIENT_METHODS:
            raise StoreRefused("a patient pays by cash, check or card")
        if draft.method == "check" and not draft.check_number.strip():
            raise StoreRefused("type the check number")
        if draft.method == "card":
            if not (len(draft.card_last4) == 4 and draft.card_last4.isdigit()):
                raise StoreRefused("a card payment keeps the card's last 4 digits")
            if not draft.auth_code.strip():
                raise StoreRefused("type the card's authorization code")
        session = self._session
        with session.writing():
            refuse_if_closed(draft.received_date, "a payment")
            if batch_id is not None:
                batch = self._open_batch(batch_id)
                if batch.kind != "patient":
                    raise StoreRefused("a patient payment goes into a patient batch")
            if not Patient.select().where(Patient.id == draft.patient_id).exists():
                raise StoreRefused(f"no account with id {draft.patient_id}")
            user = session.user_id()
            plan_id = active_plan(draft.patient_id)  # a payment while on a plan counts toward it
            payment = Payment.create(
                batch=batch_id, patient=draft.patient_id, method=draft.method,
                amount_cents=draft.amount, check_number=draft.check_number.strip()[:50],
                card_brand=draft.card_brand[:12], card_last4=draft.card_last4,
                auth_code=draft.auth_code.strip().upper()[:12],
                received_date=draft.received_date, memo=draft.memo[:200], created_by=user,
                plan=plan_id,
            )  # fmt: skip
            rows = self._apply(payment, draft.patient_id, draft.amount, draft.claim_ids,
                               draft.received_date, batch_id, user)  # fmt: skip
            LedgerEntry.insert_many(rows).execute()
            refresh_claims(r["claim"] for r in rows if r["claim"] is not None)
            if plan_id is not None:
                settle_plan(plan_id, session)
            refresh_accounts([draft.patient_id])
            if batch_id is not None:
                refresh_batch(batch_id)
            session.audit("post", "payment", payment.id, patient_id=draft.patient_id,
                          after={"amount": draft.amount, "method": draft.method})  # fmt: skip
        return payment.id

    def _apply(
        self, payment: Payment, patient_id: int, amount: int, claim_ids: Sequence[int],
        date: dt.date, batch_id: int | None, user: int,
    ) -> list[dict]:  # fmt: skip
        open_claims = (
            Claim.select(Claim.id, Claim.patient_balance_cents, Claim.claim_number)
            .where((Claim.patient == patient_id) & (Claim.patient_balance_cents > 0))
            .order_by(Claim.first_dos, Claim.id)
        )
        if claim_ids:
            chosen = list(dict.fromkeys(claim_ids))
            found = {c.id: c for c in Claim.select().where(Claim.id.in_(chosen))}
            for claim_id in chosen:
                if claim_id not in found or found[claim_id].patient_id != patient_id:
                    raise StoreRefused("a chosen visit belongs to another account")
            targets = [found[c] for c in chosen]
        else:
            targets = list(open_claims)
        rows = []
        left = amount
        for claim in targets:
            take = min(left, max(claim.patient_balance_cents, 0))
            if take <= 0:
                continue
            rows.append(self._patient_row(payment.id, patient_id, claim.id, take, date, batch_id,
                                          user, f"{payment.method} payment"))  # fmt: skip
            left -= take
            if not left:
                break
        if left:
            rows.append(self._patient_row(payment.id, patient_id, None, left, date, batch_id,
                                          user, "credit on account"))  # fmt: skip
        return rows

    @staticmethod
    def _patient_row(payment_id, patient_id, claim_id, amount, date, batch_id, user, memo):
        return {
            "patient": patient_id, "claim": claim_id, "service_line": None,
            "payment": payment_id, "batch": batch_id, "kind": EntryKind.PAYMENT.value,
            "insurance_delta": 0, "patient_delta": -amount, "effective_date": date,
            "posted_at": utcnow(), "user": user, "memo": memo,
        }  # fmt: skip

    def credit(self, patient_id: int) -> int:
        """The account's unallocated credit: patient money on no visit (positive cents)."""
        total = (
            LedgerEntry.select(fn.COALESCE(fn.SUM(LedgerEntry.patient_delta), 0))
            .where((LedgerEntry.patient == patient_id) & LedgerEntry.claim.is_null())
            .scalar()
        )
        return max(-int(total), 0)

    def move_credit(self, patient_id: int, claim_id: int, amount: int, reason: str) -> None:
        """Re-apply part of the account's credit to a visit: the credit entries are
        reversed and the money applied again, to the visit and (the rest) to the credit."""
        reason = reason.strip()
        if not reason:
            raise StoreRefused("moving a credit needs a reason")
        if amount <= 0:
            raise StoreRefused("move more than 0.00")
        session = self._session
        with session.writing():
            claim = Claim.get_or_none(Claim.id == claim_id)
            if claim is None or claim.patient_id != patient_id:
                raise StoreRefused("the visit belongs to another account")
            available = self.credit(patient_id)
            if amount > available:
                raise StoreRefused(f"the account's credit is {money(available)}")
            user = session.user_id()
            rows: list[dict] = []
            left = amount
            for entry in self._live_entries(
                (LedgerEntry.patient == patient_id) & LedgerEntry.claim.is_null()
                & (LedgerEntry.kind == EntryKind.PAYMENT.value) & (LedgerEntry.patient_delta < 0)
            ):  # fmt: skip
                if not left:
                    break
                take = min(-entry.patient_delta, left)
                left -= take
                rows.append(self._reversal_row(entry, entry.payment_id, entry.batch_id, user,
                                               f"credit moved to {claim.claim_number}: {reason}",
                                               session.today()))  # fmt: skip
                rows.append(self._patient_row(entry.payment_id, patient_id, claim_id, take,
                                              session.today(), entry.batch_id, user,
                                              f"credit moved: {reason}"))  # fmt: skip
                if take < -entry.patient_delta:
                    rows.append(self._patient_row(entry.payment_id, patient_id, None,
                                                  -entry.patient_delta - take, session.today(),
                                                  entry.batch_id, user, "credit on account"))  # fmt: skip
            LedgerEntry.insert_many(rows).execute()
            refresh_claims([claim_id])
            refresh_accounts([patient_id])
            session.audit("move_credit", "claim", claim_id, patient_id=patient_id,
                          after={"amount": amount, "reason": reason})  # fmt: skip

    def refund_credit(
        self, patient_id: int, amount: int, *, method: str, reason: str, check_number: str = ""
    ) -> int:
        """Pay a credit back to the patient: a refund entry that brings the credit down."""
        reason = reason.strip()
        if not reason:
            raise StoreRefused("a refund needs a reason")
        if amount <= 0:
            raise StoreRefused("refund more than 0.00")
        if method not in PATIENT_METHODS:
            raise StoreRefused("a refund goes back by cash, check or card")
        session = self._session
        with session.writing():
            available = self.credit(patient_id)
            if amount > available:
                raise StoreRefused(
                    f"the account's credit is {money(available)}: refund at most that"
                )
            how = f"check {check_number.strip()}" if check_number.strip() else method
            entry_id = LedgerEntry.insert(
                patient=patient_id, kind=EntryKind.REFUND.value, patient_delta=amount,
                effective_date=session.today(), user=session.user_id(),
                memo=f"Refund by {how}: {reason}"[:200],
            ).execute()  # fmt: skip
            refresh_accounts([patient_id])
            session.audit("refund", "ledger_entry", entry_id, patient_id=patient_id,
                          after={"amount": amount, "method": method, "reason": reason})  # fmt: skip
        return entry_id

    # ----------------------------------------------------------------- reversals

    def reverse_payment(self, payment_id: int, reason: str) -> int:
        """Undo a posted payment: every entry it made is reversed, and a reversing payment
        record takes its amount back out of its batch (which reopens: the money is there,
        unapplied, to post again where it belongs)."""
        reason = reason.strip()
        if not reason:
            raise StoreRefused("a reversal needs a reason")
        session = self._session
        with session.writing(Permission.REVERSE, "reversing a payment"):
            reversal_id = reverse_payment_rows(
                payment_id, reason, user=session.user_id(), today=session.today()
            )
            plan_id = Payment.select(Payment.plan).where(Payment.id == payment_id).scalar()
            if plan_id is not None:  # it no longer counts: a completed plan may be open again
                settle_plan(plan_id, session)
            session.audit("reverse", "payment", payment_id, after={"reversal": reversal_id,
                                                                   "reason": reason})  # fmt: skip
        return reversal_id

    @staticmethod
    def _live_entries(where):
        reversal = LedgerEntry.alias("rev")
        return (
            LedgerEntry.select()
            .where(
                where
                & LedgerEntry.reverses.is_null()
                & ~fn.EXISTS(
                    reversal.select(reversal.id).where(reversal.reverses == LedgerEntry.id)
                )
            )
            .order_by(LedgerEntry.id)
        )

    @staticmethod
    def _reversal_row(
        entry: LedgerEntry, payment_id, batch_id, user: int, memo: str, date: dt.date
    ) -> dict:
        return {
            "patient": entry.patient_id, "claim": entry.claim_id,
            "service_line": entry.service_line_id, "payment": payment_id, "batch": batch_id,
            "kind": entry.kind, "insurance_delta": -entry.insurance_delta,
            "patient_delta": -entry.patient_delta, "effective_date": date,
            "posted_at": utcnow(), "user": user, "reverses": entry.id,
            "group_code": entry.group_code, "reason_code": entry.reason_code,
            "memo": f"Reversal: {memo}"[:200],
        }  # fmt: skip

    def payments_of(self, patient_id: int, *, limit: int = 100) -> list[PaymentRecord]:
        """The account's payments, newest first, with where each was applied."""
        rows = _payments().where(Payment.patient == patient_id).limit(limit)
        return [self._payment_record(p) for p in rows.objects()]

    def payment(self, payment_id: int) -> PaymentRecord:
        row = _payments().where(Payment.id == payment_id).objects().first()
        if row is None:
            raise StoreRefused(f"no payment {payment_id}")
        applied = (
            LedgerEntry.select(
                LedgerEntry.claim, Claim.claim_number, Claim.first_dos,
                0 - fn.SUM(LedgerEntry.insurance_delta + LedgerEntry.patient_delta),
            )
            .join(Claim, JOIN.LEFT_OUTER, on=(Claim.id == LedgerEntry.claim))
            .where((LedgerEntry.payment == payment_id) & (LedgerEntry.kind == EntryKind.PAYMENT.value))
            .group_by(LedgerEntry.claim, Claim.claim_number, Claim.first_dos)
            .order_by(Claim.first_dos.is_null(), Claim.first_dos)
            .tuples()
        )  # fmt: skip
        spread = tuple(
            AppliedTo(claim_id, number or "", dos, int(amount))
            for claim_id, number, dos, amount in applied
            if amount
        )
        return self._payment_record(row, spread)

    @staticmethod
    def _payment_record(p, applied: tuple[AppliedTo, ...] = ()) -> PaymentRecord:
        last = getattr(p, "last_name", None)
        return PaymentRecord(
            account_number=getattr(p, "account_number", None) or "",
            patient_name=f"{last}, {p.first_name}" if last else "",
            id=p.id,
            batch_id=p.batch_id,
            patient_id=p.patient_id,
            payer=getattr(p, "payer_name", None) or "",
            method=p.method,
            amount=p.amount_cents,
            received_date=p.received_date,
            check_number=p.check_number,
            card_brand=p.card_brand,
            card_last4=p.card_last4,
            auth_code=p.auth_code,
            memo=p.memo,
            reversed_by=getattr(p, "rev", None),
            reverses=p.reverses_id,
            applied=applied,
        )

    def batch_payments(self, batch_id: int, *, limit: int = 500) -> list[PaymentRecord]:
        """A batch's payments, newest first (reversals included), with whose they are."""
        rows = _payments().where(Payment.batch == batch_id).limit(limit)
        return [self._payment_record(p) for p in rows.objects()]

    def receipt(self, payment_id: int):
        """The receipt of a patient payment (domain.receipts.Receipt), for pdf.receipt."""
        from ..domain.receipts import Receipt, ReceiptLine
        from .models import BillingProvider, User

        record = self.payment(payment_id)
        if record.patient_id is None or record.payer or record.amount <= 0:
            raise StoreRefused("a receipt is for a patient's payment")
        patient = Patient.get_by_id(record.patient_id)
        practice = BillingProvider.select().order_by(BillingProvider.id).first()
        payment = Payment.get_by_id(payment_id)
        user = User.get_or_none(User.id == payment.created_by_id)
        lines = tuple(
            ReceiptLine(a.dos, a.claim_number, "visit", a.amount)
            for a in record.applied
            if a.claim_id is not None
        )
        credit = sum(a.amount for a in record.applied if a.claim_id is None)
        balance = (
            LedgerEntry.select(fn.COALESCE(fn.SUM(LedgerEntry.patient_delta), 0))
            .where((LedgerEntry.patient == patient.id) & (LedgerEntry.id <= self._last_entry(payment_id)))
            .scalar()
        )  # fmt: skip
        address = ()
        if practice is not None:
            address = tuple(
                line for line in (practice.address1, practice.address2,
                                  f"{practice.city}, {practice.state} {practice.zip}") if line
            )  # fmt: skip
        return Receipt(
            number=f"R-{payment_id:06d}",
            practice_name=practice.name if practice else "",
            practice_address=address,
            practice_phone=practice.phone if practice else "",
            account_number=patient.account_number,
            patient_name=f"{patient.first_name} {patient.last_name}",
            received_date=record.received_date,
            method=record.method,
            amount=record.amount,
            check_number=record.check_number,
            card_brand=record.card_brand,
            card_last4=record.card_last4,
            auth_code=record.auth_code,
            applied=lines,
            credit=credit,
            balance_after=int(balance),
            posted_by=user.name if user else "",
        )

    @staticmethod
    def _last_entry(payment_id: int) -> int:
        return (
            LedgerEntry.select(fn.MAX(LedgerEntry.id))
            .where(LedgerEntry.payment == payment_id)
            .scalar()
            or 0
        )

    # ----------------------------------------------------------------- worklists

    def worklist(
        self, kind: str, *, include_closed: bool = False, limit: int = 500
    ) -> list[WorkItemRow]:
        """The denial, exception or secondary worklist, oldest first."""
        if kind not in WORK_KINDS:
            raise StoreRefused(f"no worklist {kind!r}")
        query = (
            WorkItem.select(
                WorkItem, Patient.account_number, Patient.first_name, Patient.last_name,
                Claim.claim_number, Claim.charge_cents, Payer.name.alias("payer_name"),
                RemittanceClaim.claim_number.alias("era_claim"),
                RemittanceClaim.paid_cents.alias("era_paid"),
            )
            .join(Patient, JOIN.LEFT_OUTER, on=(Patient.id == WorkItem.patient))
            .switch(WorkItem)
            .join(Claim, JOIN.LEFT_OUTER, on=(Claim.id == WorkItem.claim))
            .join(Payer, JOIN.LEFT_OUTER, on=(Payer.id == Claim.payer))
            .switch(WorkItem)
            .join(RemittanceClaim, JOIN.LEFT_OUTER,
                  on=(RemittanceClaim.id == WorkItem.remittance_claim))
            .where(WorkItem.kind == kind)
            .order_by(WorkItem.id)
            .limit(limit)
        )  # fmt: skip
        if not include_closed:
            query = query.where(WorkItem.closed_at.is_null())
        items = []
        for w in query.objects():
            name = f"{w.last_name}, {w.first_name}" if getattr(w, "last_name", None) else ""
            era_claim = getattr(w, "era_claim", None)
            items.append(
                WorkItemRow(
                    id=w.id,
                    kind=w.kind,
                    opened_at=w.opened_at,
                    reason=w.reason,
                    patient_id=w.patient_id,
                    account_number=getattr(w, "account_number", None) or "",
                    patient_name=name,
                    claim_id=w.claim_id,
                    claim_number=getattr(w, "claim_number", None) or era_claim or "",
                    payer=getattr(w, "payer_name", None) or "",
                    amount=(
                        w.era_paid
                        if kind == "exception" and era_claim is not None
                        else getattr(w, "charge_cents", None) or 0
                    ),
                    batch_id=w.batch_id,
                    remittance_claim_id=w.remittance_claim_id,
                    closed_at=w.closed_at,
                    resolution=w.resolution,
                    inbound_message_id=w.inbound_message_id,
                )
            )
        return items

    def close_work_item(self, item_id: int, resolution: str) -> None:
        resolution = resolution.strip()
        if not resolution:
            raise StoreRefused("say what was done (the resolution)")
        session = self._session
        with session.writing():
            item = WorkItem.get_or_none(WorkItem.id == item_id)
            if item is None:
                raise StoreRefused(f"no work item {item_id}")
            if item.closed_at is not None:
                raise StoreRefused(f"work item {item_id} is already closed")
            WorkItem.update(
                closed_at=utcnow(), closed_by=session.user_id(), resolution=resolution[:200]
            ).where(WorkItem.id == item_id).execute()
            session.audit("close", "work_item", item_id, patient_id=item.patient_id,
                          after={"resolution": resolution})  # fmt: skip


def _payments():
    """Payments, newest first, with their payer, whose they are and their reversal's id."""
    reversed_by = Payment.alias("rb")
    return (
        Payment.select(
            Payment, Payer.name.alias("payer_name"), reversed_by.id.alias("rev"),
            Patient.account_number, Patient.first_name, Patient.last_name,
        )
        .join(Payer, JOIN.LEFT_OUTER, on=(Payer.id == Payment.payer))
        .switch(Payment)
        .join(reversed_by, JOIN.LEFT_OUTER, on=(reversed_by.reverses == Payment.id))
        .switch(Payment)
        .join(Patient, JOIN.LEFT_OUTER, on=(Patient.id == Payment.patient))
        .order_by(Payment.id.desc())
    )  # fmt: skip


def reverse_payment_rows(
    payment_id: int, reason: str, *, user: int, today: dt.date, batch_id: int | None = None,
    memo_prefix: str = "",
) -> int:  # fmt: skip
    """Reverse every live entry of a payment and record the reversing payment (inside a
    write transaction). The reversal lands in `batch_id` (default: the payment's own
    batch, which reopens if it was closed). Returns the reversing payment's id."""
    original = Payment.get_or_none(Payment.id == payment_id)
    if original is None:
        raise StoreRefused(f"no payment {payment_id}")
    if original.reverses_id is not None:
        raise StoreRefused("this is a reversal; post the payment again instead")
    if Payment.select().where(Payment.reverses == payment_id).exists():
        raise StoreRefused(f"payment {payment_id} is already reversed")
    target_batch = batch_id if batch_id is not None else original.batch_id
    reversal = Payment.create(
        batch=target_batch, patient=original.patient_id, payer=original.payer_id,
        method=original.method, amount_cents=-original.amount_cents,
        check_number=original.check_number, received_date=today,
        memo=f"{memo_prefix}Reversal of payment {payment_id}: {reason}"[:200],
        created_by=user, reverses=payment_id,
    )  # fmt: skip
    live = Posting._live_entries(LedgerEntry.payment == payment_id)
    rows = []
    for entry in live:
        rows.append(Posting._reversal_row(entry, reversal.id, target_batch, user, reason, today))
    if rows:
        LedgerEntry.insert_many(rows).execute()
    claims = {r["claim"] for r in rows if r["claim"] is not None}
    refresh_claims(claims)
    if original.payer_id is not None:  # the payer took its money back: the claim is open again
        for claim in Claim.select().where(Claim.id.in_(list(claims))):
            if claim.status in (ClaimStatus.PAID.value, ClaimStatus.PARTIAL.value):
                paid_any = Posting._live_entries(
                    (LedgerEntry.claim == claim.id) & (LedgerEntry.kind == EntryKind.PAYMENT.value)
                    & (LedgerEntry.insurance_delta < 0)
                ).exists()  # fmt: skip
                target = status_after(claim.insurance_balance_cents, denied=False,
                                      paid_any=paid_any)  # fmt: skip
                record_status(claim.id, claim.status, target, user, f"payment reversed: {reason}")
    if original.patient_id is not None:
        refresh_accounts([original.patient_id])
    for batch in {original.batch_id, target_batch} - {None}:
        refresh_batch(batch)
        PaymentBatch.update(status="open", closed_at=None).where(
            (PaymentBatch.id == batch) & (PaymentBatch.status == "closed")
            & (PaymentBatch.control_total_cents != PaymentBatch.posted_total_cents)
        ).execute()  # fmt: skip
    return reversal.id
