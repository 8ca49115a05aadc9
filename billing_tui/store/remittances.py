"""835 ERA auto-posting: match each claim payment to our claim and its lines, post it
line by line, and hold back for a person what cannot be posted safely.

One file is one write transaction: it posts whole or not at all, so a crash or a
kill leaves nothing half-posted and the import can simply run again. A payment
(payer TRN03 + trace TRN02) posts once: importing it again says so and changes
nothing. Each ST..SE becomes an insurance batch whose control total is BPR02.

Per claim (CLP):
- 1/2/3 and 19/20/21 post: payments, CO/OA/PI write-offs, PR to the patient.
  2/3/20/21 are a later payer's (COB): taken from what insurance still holds, then
  from the patient's share. 19/20/21 also mark the claim forwarded and put it on
  the secondary worklist (the next payer's ERA will pay it: it is not billed again).
- 4 (denied) posts no money: the claim is denied and goes to the denial worklist
  with its reasons, for a person to appeal, correct or write off.
- 22 reverses our earlier posting of that claim; a corrected CLP after it posts.
- anything unmatched, unbalanced or not postable goes to the exception worklist
  with the reason; its money stays unapplied in the batch.
- PLB: provider-level adjustments of the batch (interest, recoupments, forwards).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from peewee import fn

from ..domain.claims import ClaimStatus
from ..domain.ledger import EntryKind
from ..domain.posting import (
    Adjudication,
    Entry,
    PostingError,
    Reason,
    entries_for,
    refuse_unpayable,
    status_after,
)
from ..domain.search import search_key
from ..x12.reader import X12Error
from ..x12.x835 import (
    DENIED,
    FORWARDED,
    REVERSAL,
    Adjustment,
    ClaimPayment,
    Remittance,
    ServicePayment,
    balance_problems,
    claim_problems,
    read_835,
)
from .bulk import among, insert_rows, insert_rows_with_ids, rows_of, update_rows
from .cache import as_date, chunked, refresh_accounts, refresh_claims
from .day_close import day_is_closed
from .models import (
    BatchAdjustment,
    Claim,
    ClaimStatusChange,
    Coverage,
    LedgerEntry,
    Patient,
    Payer,
    Payment,
    PaymentBatch,
    RemittanceClaim,
    RemittanceImport,
    ServiceLine,
    WorkItem,
    utcnow,
)
from .posting import (
    close_denials,
    close_items,
    cob_entries,
    entry_row,
    line_balances,
    money,
    record_status,
    reverse_payment_rows,
    root_claim,
    settle_era_batch,
)
from .records import EraClaimOutcome, EraImportResult, EraPaymentOutcome
from .session import Session, StoreRefused

COB_STATUSES = frozenset({"2", "3", "20", "21"})
METHODS = {"ACH": "eft", "FWT": "eft", "CHK": "check", "BOP": "eft", "NON": "none"}


class EraRefused(StoreRefused):
    """A file that cannot be imported at all: not an 835, malformed, or its payment does
    not balance. Nothing of it was posted; the message names the file and the segment."""


class _PreviewDone(Exception):
    """Raised inside the transaction of a preview so that it rolls back."""


@dataclass
class _ClaimRow:
    id: int
    claim_number: str
    patient_id: int
    status: str
    charge: int
    primary_claim_id: int | None
    first_dos: dt.date
    insurance_balance: int


@dataclass
class _Plan:
    """What one CLP will do."""

    clp: ClaimPayment
    outcome: str
    claim: _ClaimRow | None = None
    root_id: int | None = None
    entries: list[Entry] = field(default_factory=list)
    message: str = ""
    reverse_payment: int | None = None

    @property
    def paid(self) -> int:
        return sum(
            -e.insurance_delta - e.patient_delta
            for e in self.entries
            if e.kind is EntryKind.PAYMENT
        )


class Remittances:
    def __init__(self, session: Session) -> None:
        self._session = session

    def import_file(self, path: str | Path, *, preview: bool = False) -> EraImportResult:
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise EraRefused(f"{path}: cannot read it ({error.strerror or error})") from None
        return self.import_bytes(data, path.name, preview=preview)

    def import_bytes(self, data: bytes, name: str, *, preview: bool = False) -> EraImportResult:
        """Post (or, with preview, only say what would happen to) every payment of a file."""
        if not data.strip():
            raise EraRefused(f"{name}: the file is empty")
        try:
            text = data.decode("ascii")
        except UnicodeDecodeError as error:
            raise EraRefused(
                f"{name}: not an X12 file (byte {error.start} is not ASCII text)"
            ) from None
        try:
            remittances = read_835(text)
        except X12Error as error:
            raise EraRefused(f"{name}: {error}") from None
        problems = {id(r): balance_problems(r) for r in remittances}
        for remittance in remittances:
            for problem in problems[id(remittance)]:
                if problem.claim is None:
                    raise EraRefused(
                        f"{name}: payment {remittance.trace_number} (segment "
                        f"{remittance.segment}): {problem.message}; nothing was posted"
                    )
        digest = hashlib.sha256(data).hexdigest()
        payments: list[EraPaymentOutcome] = []
        try:
            self._post(remittances, problems, name, digest, preview, payments)
        except _PreviewDone:
            pass  # the preview's transaction was rolled back: nothing was written
        return EraImportResult(name, tuple(payments), preview)

    def _post(self, remittances, problems, name, digest, preview, payments) -> None:
        session = self._session
        with session.writing():
            seen: set[tuple[str, str]] = set()
            for remittance in remittances:
                key = (remittance.payer_tin, remittance.trace_number)
                earlier = RemittanceImport.get_or_none(
                    (RemittanceImport.payer_identifier == key[0])
                    & (RemittanceImport.trace_number == key[1])
                )
                if earlier is not None or key in seen:
                    when = f" on {earlier.imported_at:%Y-%m-%d %H:%M}" if earlier else ""
                    payments.append(
                        EraPaymentOutcome(
                            remittance.trace_number,
                            remittance.payer_name,
                            remittance.total_paid,
                            "duplicate",
                            earlier.id and _batch_of(earlier.id) if earlier else None,
                            message=f"already imported{when}: nothing posted again",
                        )  # fmt: skip
                    )
                    continue
                seen.add(key)
                importer = _Importer(session, remittance, problems[id(remittance)], name, digest)
                payments.append(importer.run(preview))
            if preview:
                raise _PreviewDone

    def resolve_exception(self, item_id: int, claim_id: int) -> int:
        """Post an ERA claim that waited on the exception worklist to the claim a person
        chose, by the same rules as the import; its money comes out of the batch's
        unapplied. Returns the payment's id."""
        session = self._session
        with session.writing():
            item = WorkItem.get_or_none(WorkItem.id == item_id)
            if item is None or item.kind != "exception" or item.remittance_claim_id is None:
                raise StoreRefused(f"no ERA exception {item_id}")
            if item.closed_at is not None:
                raise StoreRefused(f"exception {item_id} is already resolved")
            era_claim = RemittanceClaim.get_by_id(item.remittance_claim_id)
            clp = _claim_from_detail(era_claim.detail, era_claim.segment)
            if clp.status not in ("1", "2", "3", *FORWARDED):
                raise StoreRefused(
                    f"an ERA claim with status {clp.status} is not posted: close it with a note"
                )
            for problem in claim_problems(clp):
                if problem.blocking:
                    raise StoreRefused(
                        f"it does not balance ({problem.message}): close it with a note"
                    )
            rows = _claims_where(Claim.id, {claim_id})
            if not rows:
                raise StoreRefused(f"no claim {claim_id}")
            claim = rows[claim_id]
            try:
                refuse_unpayable(ClaimStatus(claim.status), claim.claim_number)
            except PostingError as error:
                raise StoreRefused(str(error)) from None
            root = root_claim(claim.id)
            user, batch = session.user_id(), PaymentBatch.get_by_id(era_claim.batch_id)
            try:
                entries = entries_for(_adjudications(clp, _lines_of({root})[root], set()))
                if clp.status in COB_STATUSES:
                    entries = cob_entries(entries, line_balances([root])[root])
            except PostingError as error:
                raise StoreRefused(str(error)) from None
            paid = sum(-e.insurance_delta - e.patient_delta for e in entries
                       if e.kind is EntryKind.PAYMENT)  # fmt: skip
            payment = Payment.create(
                batch=batch.id, patient=claim.patient_id, payer=batch.payer_id,
                method=batch.method, amount_cents=paid, check_number=batch.check_number,
                received_date=batch.deposit_date,
                memo=f"ERA exception {item_id} posted to {claim.claim_number}"[:200],
                created_by=user,
            )  # fmt: skip
            LedgerEntry.insert_many(
                [entry_row(e, patient_id=claim.patient_id, claim_id=root, payment_id=payment.id,
                           batch_id=batch.id, effective_date=batch.deposit_date, user_id=user,
                           memo=f"ERA {batch.check_number}")  # fmt: skip
                 for e in entries]
            ).execute()  # fmt: skip
            refresh_claims([root])
            balance = Claim.select(Claim.insurance_balance_cents).where(Claim.id == root).scalar()
            current = Claim.select(Claim.status).where(Claim.id == claim.id).scalar()
            target = status_after(balance, denied=False, paid_any=paid > 0)
            record_status(claim.id, current, target, user, f"ERA exception {item_id} resolved")
            close_denials([claim.id], user, f"paid on ERA {batch.check_number}")
            if clp.payer_claim_number:
                Claim.update(payer_claim_number=clp.payer_claim_number[:50]).where(
                    Claim.id == claim.id
                ).execute()
            RemittanceClaim.update(outcome="resolved", claim=claim.id).where(
                RemittanceClaim.id == era_claim.id
            ).execute()
            WorkItem.update(
                closed_at=utcnow(), closed_by=user, patient=claim.patient_id, claim=claim.id,
                resolution=f"posted to claim {claim.claim_number}"[:200],
            ).where(WorkItem.id == item_id).execute()  # fmt: skip
            settle_era_batch(batch.id, user)
            refresh_accounts([claim.patient_id])
            session.audit("resolve", "work_item", item_id, patient_id=claim.patient_id,
                          after={"claim": claim.id, "payment": payment.id, "paid": paid})  # fmt: skip
        return payment.id

    def era_claim(self, item_id: int) -> str:
        """What an exception's ERA claim said, for the person resolving it (JSON)."""
        item = WorkItem.get_or_none(WorkItem.id == item_id)
        if item is None or item.remittance_claim_id is None:
            raise StoreRefused(f"no ERA exception {item_id}")
        return RemittanceClaim.get_by_id(item.remittance_claim_id).detail


def _claim_from_detail(detail: str, segment: int) -> ClaimPayment:
    data = json.loads(detail)
    lines = tuple(
        ServicePayment(
            qualifier="HC",
            code=line["code"],
            modifiers=tuple(line["modifiers"]),
            charge=line["charge"],
            paid=line["paid"],
            units=None,
            submitted_code=None,
            service_from=dt.date.fromisoformat(line["date"]) if line["date"] else None,
            service_to=None,
            control_number=line["control"],
            allowed=None,
            adjustments=tuple(Adjustment(g, r, a) for g, r, a in line["adjustments"]),
            remarks=tuple(line["remarks"]),
            segment=segment,
        )  # fmt: skip
        for line in data["lines"]
    )
    last, first, member = data["patient"]
    return ClaimPayment(
        claim_number=data["claim"], status=data["status"], charge=data["charge"],
        paid=data["paid"], patient_responsibility=None, filing_indicator="",
        payer_claim_number=data["icn"], frequency="", patient_last=last, patient_first=first,
        patient_id=member, statement_from=None, statement_to=None,
        adjustments=tuple(Adjustment(g, r, a) for g, r, a in data["adjustments"]),
        lines=lines, remarks=(), segment=segment,
    )  # fmt: skip


def _batch_of(import_id: int) -> int | None:
    return PaymentBatch.select(PaymentBatch.id).where(PaymentBatch.remittance == import_id).scalar()


class _Importer:
    """One ST..SE: its batch, its claims, its provider-level adjustments."""

    def __init__(
        self, session: Session, remittance: Remittance, problems: list, name: str, digest: str
    ) -> None:
        self.session = session
        self.remittance = remittance
        self.problems = problems
        self.name = name
        self.digest = digest
        self.user = session.user_id()
        self.today = session.today()
        self.date = remittance.payment_date or self.today

    def run(self, preview: bool) -> EraPaymentOutcome:
        r = self.remittance
        if day_is_closed(self.date):  # the file is refused whole: nothing of it posts
            raise EraRefused(
                f"{self.name}: its payment {r.trace_number} is dated "
                f"{self.date.strftime('%m/%d/%Y')}, a closed day; a supervisor reopens the day "
                "(billing-tui reopen-day) to import it"
            )
        payer_id = self._payer()
        imported = RemittanceImport.create(
            payer=payer_id, payer_identifier=r.payer_tin[:50], trace_number=r.trace_number[:50],
            payment_cents=r.total_paid, file_name=self.name[:255], file_digest=self.digest,
            imported_by=self.user,
        )  # fmt: skip
        batch = PaymentBatch.create(
            kind="insurance", payer=payer_id, method=METHODS.get(r.method, "eft"),
            check_number=r.trace_number[:50], deposit_date=self.date,
            control_total_cents=r.total_paid, remittance=imported.id, created_by=self.user,
        )  # fmt: skip
        self.batch_id = batch.id
        self.payer_id = payer_id
        plans = self._plan()
        self._write(imported.id, plans)
        withheld = sum(a.amount for a in r.provider_adjustments)
        if r.provider_adjustments:
            references = {a.reference for a in r.provider_adjustments if a.reference}
            claims = _claims_where(Claim.payer_claim_number, references) if references else {}
            insert_rows(
                BatchAdjustment,
                ("batch", "claim", "reason", "reference", "provider_id", "fiscal_period",
                 "amount_cents", "memo", "created_by"),
                [
                    (batch.id, claims[a.reference].id if a.reference in claims else None,
                     a.reason[:4], a.reference[:50], a.provider_id[:50], a.fiscal_period,
                     a.amount, f"PLB segment {a.segment}", self.user)
                    for a in r.provider_adjustments
                ],
            )  # fmt: skip
        settle_era_batch(batch.id, self.user)
        outcomes = tuple(
            EraClaimOutcome(
                segment=p.clp.segment,
                claim_number=p.clp.claim_number,
                status_code=p.clp.status,
                outcome=p.outcome,
                paid=p.clp.paid,
                matched_claim=p.claim.claim_number if p.claim else "",
                message=p.message,
            )
            for p in plans
        )
        counts = defaultdict(int)
        for p in plans:
            counts[p.outcome] += 1
        self.session.audit(
            "import", "remittance", imported.id,
            after={"file": self.name, "trace": r.trace_number, "batch": batch.id,
                   "paid": r.total_paid, **counts},
        )  # fmt: skip
        return EraPaymentOutcome(
            r.trace_number, r.payer_name, r.total_paid, "preview" if preview else "posted",
            batch.id, outcomes, withheld,
        )  # fmt: skip

    def _payer(self) -> int | None:
        r = self.remittance
        for code in (r.payer_id, r.payer_tin):
            if code:
                found = Payer.select(Payer.id).where(Payer.payer_code == code).scalar()
                if found:
                    return found
        return None

    # ----------------------------------------------------------------- matching

    def _plan(self) -> list[_Plan]:
        r = self.remittance
        blocked: dict[int, str] = {}
        for problem in self.problems:  # the first (a line's, the most precise) per claim
            if problem.claim is not None and problem.blocking:
                blocked.setdefault(id(problem.claim), problem.message)
        by_number = _claims_where(Claim.claim_number, {c.claim_number for c in r.claims})
        icns = {c.payer_claim_number for c in r.claims if c.payer_claim_number}
        by_icn = _claims_where(Claim.payer_claim_number, icns) if icns else {}
        plans = [self._match(clp, by_number, by_icn, blocked) for clp in r.claims]
        reversed_here = {p.claim.id for p in plans if p.outcome == "reversal"}
        for plan in plans:
            claim = plan.claim
            if (
                plan.outcome == "post"
                and plan.clp.status in ("1", "19")
                and claim.status == ClaimStatus.PAID.value
                and claim.insurance_balance <= 0
                and claim.id not in reversed_here  # a reversal then the corrected claim
            ):
                plan.outcome = "exception"
                plan.message = (
                    f"claim {claim.claim_number} is already paid in full: a second payment "
                    f"(ICN {plan.clp.payer_claim_number or '?'}) may be a duplicate; post "
                    "or refund it by hand"
                )
        postable = [p for p in plans if p.outcome == "post"]
        lines = _lines_of({p.root_id for p in postable})
        cob_open = line_balances(
            {p.root_id for p in postable if p.clp.status in COB_STATUSES}
        )  # fmt: skip
        used: set[int] = set()
        for plan in plans:
            if plan.outcome == "post":
                self._entries(plan, lines.get(plan.root_id, []), cob_open, used)
            elif plan.outcome == "reversal":
                self._find_reversed(plan)
        return plans

    def _match(self, clp: ClaimPayment, by_number, by_icn, blocked) -> _Plan:
        if id(clp) in blocked:
            return _Plan(clp, "exception", message=blocked[id(clp)])
        reversal = clp.status == REVERSAL
        charge = abs(clp.charge)
        numbered = by_number.get(clp.claim_number)
        claim = numbered if numbered is not None and numbered.charge == charge else None
        # CLP01 is not unique in practice (one sample repeats it nine times): a match by
        # number must agree on the charge too, or wait for the other ways to match.
        if claim is None and clp.payer_claim_number:
            candidate = by_icn.get(clp.payer_claim_number)
            if candidate is not None and candidate.charge == charge:
                claim = candidate
        if claim is None:
            claim, why = _match_by_patient(clp, charge)
            if claim is None and numbered is not None and 0 < charge < numbered.charge:
                claim = numbered  # the payer split the claim: this answers some of its lines
            if claim is None:
                return _Plan(clp, "exception", message=why)
        plan = _Plan(clp, "post", claim, root_id=claim.primary_claim_id or claim.id)
        if claim.primary_claim_id is not None:
            plan.root_id = root_claim(claim.primary_claim_id)
        try:
            refuse_unpayable(ClaimStatus(claim.status), claim.claim_number)
        except PostingError as error:
            plan.outcome, plan.message = "exception", str(error)
            return plan
        if reversal:
            plan.outcome = "reversal"
        elif clp.status == DENIED:
            if clp.paid:
                plan.outcome = "exception"
                plan.message = f"denied (CLP02 4) yet paid {money(clp.paid)}: a person must look"
            else:
                plan.outcome = "denied"
                plan.message = f"denied: {' '.join(filter(None, [_reasons(clp), _remarks(clp)]))}"
        elif clp.status not in ("1", "2", "3", *FORWARDED):
            plan.outcome = "exception"
            plan.message = {
                "23": "the payer says this is not its claim (CLP02 23)",
                "25": "predetermination pricing only (CLP02 25): no payment",
            }.get(clp.status, f"claim status {clp.status} is not posted automatically")
        return plan

    def _entries(self, plan: _Plan, lines: list[_Line], cob_open, used: set[int]) -> None:
        clp = plan.clp
        try:
            answers = _adjudications(clp, lines, used)
            entries = entries_for(answers) if answers else []
            if clp.status in COB_STATUSES:
                entries = cob_entries(entries, cob_open[plan.root_id])
        except PostingError as error:
            plan.outcome, plan.message = "exception", str(error)
            return
        plan.entries = entries
        plan.outcome = "forwarded" if clp.status in FORWARDED else "posted"

    def _find_reversed(self, plan: _Plan) -> None:
        """The payment of ours that a CLP02 22 takes back: the latest live insurance
        payment on the claim for the same amount."""
        reversed_by = Payment.alias("rb")
        candidates = (
            Payment.select(Payment.id, Payment.amount_cents)
            .join(LedgerEntry, on=(LedgerEntry.payment == Payment.id))
            .where(
                (LedgerEntry.claim == plan.root_id)
                & Payment.payer.is_null(False)
                & Payment.reverses.is_null()
                & ~fn.EXISTS(reversed_by.select(reversed_by.id).where(reversed_by.reverses == Payment.id))
            )
            .group_by(Payment.id, Payment.amount_cents)
            .order_by(Payment.id.desc())
            .tuples()
        )  # fmt: skip
        for payment_id, amount in candidates:
            if amount == -plan.clp.paid:
                plan.reverse_payment = payment_id
                return
        plan.outcome = "exception"
        plan.message = (
            f"a reversal (CLP02 22) of {money(-plan.clp.paid)}, and no posted payment of that "
            f"amount on claim {plan.claim.claim_number} to reverse"
        )

    # ----------------------------------------------------------------- writing

    def _write(self, import_id: int, plans: list[_Plan]) -> None:
        r = self.remittance
        user, batch_id = self.user, self.batch_id
        rc_fields = (
            "remittance", "batch", "claim", "claim_number", "payer_claim_number", "status_code",
            "charge_cents", "paid_cents", "patient_resp_cents", "outcome", "reasons", "remarks",
            "message", "segment", "detail",
        )  # fmt: skip
        rc_rows = [
            (
                import_id,
                batch_id,
                p.claim.id if p.claim else None,
                p.clp.claim_number[:50],
                p.clp.payer_claim_number[:50],
                p.clp.status[:2],
                p.clp.charge,
                p.clp.paid,
                p.clp.patient_share(),
                p.outcome,
                _reasons(p.clp),
                _remarks(p.clp),
                p.message[:300],
                p.clp.segment,
                _detail(p.clp) if p.outcome == "exception" else "",
            )  # fmt: skip
            for p in plans
        ]
        rc_ids = dict(
            zip(
                (p.clp.segment for p in plans),
                insert_rows_with_ids(RemittanceClaim, rc_fields, rc_rows),
                strict=True,
            )
        )
        # Reversals first: a corrected claim that follows in the same ERA posts after them.
        for plan in plans:
            if plan.outcome == "reversal":
                reverse_payment_rows(
                    plan.reverse_payment, f"payer reversal, ICN {plan.clp.payer_claim_number}",
                    user=user, today=self.today, batch_id=batch_id, memo_prefix="ERA: ",
                )  # fmt: skip
        posting = [p for p in plans if p.outcome in ("posted", "forwarded")]
        # Plans computed before the reversals ran saw the old balances: re-plan those claims.
        reversed_roots = {p.root_id for p in plans if p.outcome == "reversal"}
        if reversed_roots & {p.root_id for p in posting}:
            lines = _lines_of(reversed_roots)
            cob_open = line_balances(reversed_roots)
            used: set[int] = set()
            for plan in posting:
                if plan.root_id in reversed_roots:
                    self._entries(plan, lines.get(plan.root_id, []), cob_open, used)
            posting = [p for p in plans if p.outcome in ("posted", "forwarded")]
        now = utcnow()
        method = METHODS.get(r.method, "eft")
        payment_ids = insert_rows_with_ids(
            Payment,
            (
                "batch",
                "patient",
                "payer",
                "method",
                "amount_cents",
                "check_number",
                "received_date",
                "memo",
                "created_at",
                "created_by",
            ),  # fmt: skip
            [
                (
                    batch_id,
                    p.claim.patient_id,
                    self.payer_id,
                    method,
                    p.paid,
                    r.trace_number[:50],
                    self.date,
                    f"ERA {self.name} segment {p.clp.segment}"[:200],
                    now,
                    user,
                )  # fmt: skip
                for p in posting
            ],
        )
        memo = f"ERA {r.trace_number}"[:200]
        entries = []
        for plan, payment_id in zip(posting, payment_ids, strict=True):
            for e in plan.entries:
                entries.append((
                    plan.claim.patient_id, plan.root_id, e.line, payment_id, batch_id,
                    e.kind.value, e.insurance_delta, e.patient_delta, self.date, now, user,
                    e.group, e.reason, e.remarks[:60], memo,
                ))  # fmt: skip
        insert_rows(LedgerEntry, ENTRY_FIELDS, entries)
        self._statuses(plans)
        self._work_items(plans, rc_ids)
        roots = {p.root_id for p in plans if p.root_id is not None and p.outcome != "exception"}
        refresh_claims(roots)
        self._settle(posting)
        refresh_accounts({p.claim.patient_id for p in plans if p.claim is not None})

    def _statuses(self, plans: list[_Plan]) -> None:
        forwarded = [p.claim.id for p in plans if p.outcome == "forwarded"]
        for ids in chunked(forwarded):
            Claim.update(forwarded_at=self.date).where(among(Claim.id, ids)).execute()
        icns = [(p.claim.id, p.clp.payer_claim_number) for p in plans
                if p.claim is not None and p.clp.payer_claim_number
                and p.outcome in ("posted", "forwarded", "denied")]  # fmt: skip
        update_rows(
            Claim, ("payer_claim_number",), [(icn[:50], claim_id) for claim_id, icn in icns]
        )

    def _settle(self, posting: list[_Plan]) -> None:
        """Each paid claim's status from what is left with insurance; denials of it closed."""
        balance: dict[int, int] = {}
        status: dict[int, str] = {}  # now, after any reversal in this ERA moved it
        ids = list({p.root_id for p in posting} | {p.claim.id for p in posting})
        for chunk in chunked(ids):
            query = Claim.select(Claim.id, Claim.insurance_balance_cents, Claim.status).where(
                among(Claim.id, chunk)
            )
            for claim_id, insurance, current in rows_of(query):
                balance[claim_id], status[claim_id] = insurance, current
        moves: dict[tuple[str, str], list[int]] = defaultdict(list)
        for plan in posting:
            target = status_after(
                balance.get(plan.root_id, 0), denied=False, paid_any=plan.paid > 0
            ).value
            current = status[plan.claim.id]
            if current != target:
                moves[(current, target)].append(plan.claim.id)
        self._move(moves, f"ERA {self.remittance.trace_number}")
        trace = self.remittance.trace_number
        close_denials([p.claim.id for p in posting], self.user, f"paid on ERA {trace}")
        later = [p.claim.id for p in posting if p.clp.status in COB_STATUSES]
        close_items("secondary", later, self.user, f"the next payer answered on ERA {trace}")

    def _move(self, moves: dict[tuple[str, str], list[int]], reason: str) -> None:
        now = utcnow()
        for (current, target), claim_ids in moves.items():
            for ids in chunked(claim_ids):
                Claim.update(status=target, version=Claim.version + 1).where(
                    among(Claim.id, ids)
                ).execute()
            insert_rows(
                ClaimStatusChange,
                ("claim", "from_status", "to_status", "at", "user", "reason"),
                [(i, current, target, now, self.user, reason[:200]) for i in claim_ids],
            )

    def _work_items(self, plans: list[_Plan], rc_ids: dict) -> None:
        rows = []
        now = utcnow()
        denied = [p for p in plans if p.outcome == "denied"]
        moves: dict[tuple[str, str], list[int]] = defaultdict(list)
        for plan in denied:
            if plan.claim.status != ClaimStatus.DENIED.value:
                moves[(plan.claim.status, ClaimStatus.DENIED.value)].append(plan.claim.id)
        self._move(moves, f"denied on ERA {self.remittance.trace_number}")
        already = set()
        for ids in chunked([p.claim.id for p in denied]):
            already |= {
                c
                for (c,) in WorkItem.select(WorkItem.claim)
                .where((WorkItem.kind == "denial") & WorkItem.closed_at.is_null()
                       & WorkItem.claim.in_(ids))
                .tuples()
            }  # fmt: skip
        for plan in plans:
            base = {
                "patient": plan.claim.patient_id if plan.claim else None,
                "claim": plan.claim.id if plan.claim else None,
                "remittance_claim": rc_ids[plan.clp.segment], "batch": self.batch_id,
                "opened_at": now, "opened_by": self.user,
            }  # fmt: skip
            if plan.outcome == "denied" and plan.claim.id not in already:
                already.add(plan.claim.id)
                reasons = " ".join(filter(None, [_reasons(plan.clp), _remarks(plan.clp)]))
                rows.append({**base, "kind": "denial", "reason": reasons[:300] or "denied"})
            elif plan.outcome == "exception":
                rows.append({**base, "kind": "exception", "reason": plan.message[:300]})
            elif plan.outcome == "forwarded":
                rows.append({
                    **base, "kind": "secondary",
                    "reason": f"crossed over by the payer to the "
                              f"{FORWARDED[plan.clp.status].replace('primary', 'next')} payer "
                              "(CLP02 " + plan.clp.status + "): wait for its ERA, do not bill it",
                })  # fmt: skip
        fields = ("kind", "patient", "claim", "remittance_claim", "batch", "reason",
                  "opened_at", "opened_by")  # fmt: skip
        insert_rows(WorkItem, fields, [tuple(row[f] for f in fields) for row in rows])


# --------------------------------------------------------------------------- helpers


def _claims_where(column, values: set[str]) -> dict[str, _ClaimRow]:
    found: dict[str, _ClaimRow] = {}
    for chunk in chunked(sorted(v for v in values if v)):
        rows = Claim.select(
            column, Claim.id, Claim.claim_number, Claim.patient, Claim.status,
            Claim.charge_cents, Claim.primary_claim, Claim.first_dos, Claim.insurance_balance_cents,
        ).where(among(column, chunk))  # fmt: skip
        for key, *fields in rows_of(rows):
            fields[6] = _date(fields[6])
            found.setdefault(key, _ClaimRow(*fields))
    return found


def _match_by_patient(clp: ClaimPayment, charge: int) -> tuple[_ClaimRow | None, str]:
    """Patient (member ID, or name) + date of service + charge: one claim, or why not."""
    dates = [s.service_from for s in clp.lines if s.service_from] + [
        d for d in (clp.statement_from,) if d
    ]
    if not dates:
        return None, f"claim {clp.claim_number} matches none of ours, and the 835 gives no date"
    first = min(dates)
    query = Claim.select(
        Claim.id, Claim.claim_number, Claim.patient, Claim.status, Claim.charge_cents,
        Claim.primary_claim, Claim.first_dos, Claim.insurance_balance_cents,
    ).where((Claim.first_dos == first) & (Claim.charge_cents == charge))  # fmt: skip
    candidates = []
    if clp.patient_id:
        members = Coverage.select(Coverage.patient).where(Coverage.member_id == clp.patient_id)
        candidates = list(query.where(Claim.patient.in_(members)).tuples())
    if not candidates and clp.patient_last:
        named = Patient.select(Patient.id).where(
            Patient.search_last == search_key(clp.patient_last)
        )
        if clp.patient_first:
            named = named.where(Patient.search_first == search_key(clp.patient_first))
        candidates = list(query.where(Claim.patient.in_(named)).tuples())
    standing = [c for c in candidates if c[3] not in ("draft", "voided", "corrected")]
    if len(standing) == 1:
        return _ClaimRow(*standing[0]), ""
    if len(standing) > 1:
        return None, (
            f"claim {clp.claim_number} could be any of {len(standing)} claims of that patient, "
            "date and charge"
        )
    return None, (
        f"claim {clp.claim_number} ({money(charge)}, {first}) matches no claim of ours: "
        "not by number, payer claim number, or patient, date and charge"
    )


_date = functools.lru_cache(maxsize=4096)(as_date)
"""A date as the driver gave it (SQLite: ISO text); an ERA repeats a few dates."""


@dataclass(slots=True)
class _Line:
    id: int
    claim_id: int
    line_number: int
    code: str
    dos_from: dt.date
    charge_cents: int
    line_control_number: str


def _lines_of(claim_ids: set[int]) -> dict[int, list[_Line]]:
    lines: dict[int, list[_Line]] = defaultdict(list)
    for ids in chunked(sorted(i for i in claim_ids if i is not None)):
        query = (
            ServiceLine.select(
                ServiceLine.id, ServiceLine.claim, ServiceLine.line_number, ServiceLine.code,
                ServiceLine.dos_from, ServiceLine.charge_cents, ServiceLine.line_control_number,
            )
            .where(among(ServiceLine.claim, ids) & (ServiceLine.line_number > 0))
            .order_by(ServiceLine.claim, ServiceLine.line_number)
            .tuples()
        )  # fmt: skip
        for line_id, claim_id, number, code, dos, charge, control in rows_of(query):
            lines[claim_id].append(
                _Line(line_id, claim_id, number, code, _date(dos), charge, control)
            )
    return lines


def _adjudications(clp: ClaimPayment, lines: list[_Line], used: set[int]) -> list[Adjudication]:
    """Each 835 line matched to one of ours, and what the payer did at claim level."""
    answers = []
    for service in clp.lines:
        line = _match_line(service, lines, used)
        if line is None:
            raise PostingError(
                f"line {service.code} {money(service.charge)}"
                f"{f' on {service.service_from}' if service.service_from else ''} "
                f"(segment {service.segment}) matches no open line of the claim"
            )
        used.add(line.id)
        answers.append(
            Adjudication(
                line.id,
                service.paid,
                tuple(Reason(a.group, a.reason, a.amount) for a in service.adjustments),
                service.remarks,
            )  # fmt: skip
        )
    claim_paid = clp.paid - sum(s.paid for s in clp.lines)
    if clp.adjustments or claim_paid or not clp.lines:
        answers.append(
            Adjudication(
                None,
                claim_paid,
                tuple(Reason(a.group, a.reason, a.amount) for a in clp.adjustments),
                clp.remarks,
            )  # fmt: skip
        )
    return answers


def _match_line(service: ServicePayment, lines: list[_Line], used: set[int]) -> _Line | None:
    """REF*6R first; then code + date + charge; then code + charge."""
    if service.control_number:
        for line in lines:
            if line.line_control_number == service.control_number and line.id not in used:
                return line
    code, submitted, charge = service.code, service.submitted_code, abs(service.charge)
    undated = None
    for line in lines:
        if (
            line.charge_cents == charge
            and (line.code == code or line.code == submitted)
            and line.id not in used
        ):
            if service.service_from is None or line.dos_from == service.service_from:
                return line
            undated = undated or line
    return undated


def _reasons(clp: ClaimPayment) -> str:
    codes = [f"{a.group}-{a.reason}" for a in clp.all_adjustments]
    return " ".join(dict.fromkeys(codes))[:200]


def _remarks(clp: ClaimPayment) -> str:
    codes = list(clp.remarks) + [r for line in clp.lines for r in line.remarks]
    return " ".join(dict.fromkeys(codes))[:200]


def _detail(clp: ClaimPayment) -> str:
    """The adjudication as JSON, for the person who posts it by hand."""
    return json.dumps(
        {
            "claim": clp.claim_number,
            "status": clp.status,
            "charge": clp.charge,
            "paid": clp.paid,
            "icn": clp.payer_claim_number,
            "patient": [clp.patient_last, clp.patient_first, clp.patient_id],
            "adjustments": [[a.group, a.reason, a.amount] for a in clp.adjustments],
            "lines": [
                {
                    "code": s.code,
                    "modifiers": list(s.modifiers),
                    "charge": s.charge,
                    "paid": s.paid,
                    "date": s.service_from.isoformat() if s.service_from else None,
                    "control": s.control_number,
                    "adjustments": [[a.group, a.reason, a.amount] for a in s.adjustments],
                    "remarks": list(s.remarks),
                }
                for s in clp.lines
            ],
        }  # fmt: skip
    )


ENTRY_FIELDS = (
    "patient", "claim", "service_line", "payment", "batch", "kind", "insurance_delta",
    "patient_delta", "effective_date", "posted_at", "user", "group_code", "reason_code",
    "remark_codes", "memo",
)  # fmt: skip
