"""`billing-tui verify`: recompute every account, claim and batch and check the ledger's invariants."""

from __future__ import annotations

from collections.abc import Iterator

from peewee import JOIN, fn

from ..domain.claims import ClaimStatus, charges_on_ledger
from ..domain.ledger import EntryKind, LedgerError, check_deltas
from .cache import SUMMARY_FIELDS, recomputed_batches, recomputed_claims, recomputed_summaries
from .models import AccountSummary, Claim, LedgerEntry, Patient, Payment, ServiceLine
from .records import VerifyReport, Violation

LISTED = 200  # violations kept in the report; the rest are counted


def verify() -> VerifyReport:
    violations: list[Violation] = []
    truncated = 0
    counted: dict[str, int] = {}
    checks = (
        ("accounts", _accounts),
        ("claims", _claims),
        ("batches", _batches),
        ("entries", _entries),
        ("reversals", _reversals),
        ("billed charges", _billed_charges),
        ("payments", _payments),
    )
    for name, check in checks:
        count = 0
        for violation in check(counted):
            count += 1
            if len(violations) < LISTED:
                violations.append(violation)
            else:
                truncated += 1
        counted[f"{name} violations"] = count
    balance_total = counted.pop(BALANCE_TOTAL, 0)
    return VerifyReport(tuple(violations), counted, truncated, balance_total)


BALANCE_TOTAL = "balance total"


def _accounts(counted: dict[str, int]) -> Iterator[Violation]:
    """Every account has a summary and the summary equals its recomputation."""
    cached = AccountSummary.select().order_by(AccountSummary.patient).iterator()
    current = next(cached, None)
    accounts = 0
    balance_total = 0
    for facts in recomputed_summaries(None):
        accounts += 1
        balance_total += facts.insurance_balance_cents + facts.patient_balance_cents
        while current is not None and current.patient_id < facts.patient_id:
            yield Violation(
                "orphan", "account_summary", current.patient_id, "summary without a patient"
            )
            current = next(cached, None)
        if current is None or current.patient_id != facts.patient_id:
            yield Violation("cache", "account", facts.patient_id, "account has no summary row")
            continue
        for name in SUMMARY_FIELDS:
            stored = getattr(current, name)
            expected = getattr(facts, name)
            if stored != expected:
                yield Violation(
                    "cache",
                    "account",
                    facts.patient_id,
                    f"{name}: cached {stored!r}, recomputed {expected!r}",
                )
        if current.priority_key != facts.priority_key:
            yield Violation(
                "cache",
                "account",
                facts.patient_id,
                f"priority_key: cached {current.priority_key}, recomputed {facts.priority_key}",
            )
        current = next(cached, None)
    while current is not None:
        yield Violation(
            "orphan", "account_summary", current.patient_id, "summary without a patient"
        )
        current = next(cached, None)
    counted["accounts"] = accounts
    counted[BALANCE_TOTAL] = balance_total


def _claims(counted: dict[str, int]) -> Iterator[Violation]:
    claims = 0
    for (
        claim_id,
        charge,
        insurance,
        patient,
        cached_charge,
        cached_ins,
        cached_pat,
    ) in recomputed_claims(None).iterator():
        claims += 1
        if charge != cached_charge:
            yield Violation(
                "charge",
                "claim",
                claim_id,
                f"claim charge {cached_charge} != sum of its lines {charge}",
            )
        if (insurance, patient) != (cached_ins, cached_pat):
            yield Violation(
                "cache",
                "claim",
                claim_id,
                f"cached balances {cached_ins}/{cached_pat}, recomputed {insurance}/{patient}",
            )
    counted["claims"] = claims


def _batches(counted: dict[str, int]) -> Iterator[Violation]:
    batches = 0
    for batch_id, total, cached in recomputed_batches():
        batches += 1
        if total != cached:
            yield Violation(
                "total", "batch", batch_id, f"batch total {cached} != sum of payments {total}"
            )
    counted["batches"] = batches


def _entries(counted: dict[str, int]) -> Iterator[Violation]:
    """Each entry fits its kind and points at records of its own account."""
    counted["ledger entries"] = LedgerEntry.select().count()
    misplaced = (
        LedgerEntry.select(
            LedgerEntry.id,
            Claim.patient,
            ServiceLine.claim,
            LedgerEntry.patient,
            LedgerEntry.claim,
            LedgerEntry.service_line,
        )
        .join(Claim, JOIN.LEFT_OUTER, on=(Claim.id == LedgerEntry.claim))
        .switch(LedgerEntry)
        .join(ServiceLine, JOIN.LEFT_OUTER, on=(ServiceLine.id == LedgerEntry.service_line))
        .where(
            (
                LedgerEntry.claim.is_null(False)
                & (Claim.patient.is_null() | (Claim.patient != LedgerEntry.patient))
            )
            | (
                LedgerEntry.service_line.is_null(False)
                & (
                    ServiceLine.claim.is_null()
                    | (ServiceLine.claim != LedgerEntry.claim)
                    | LedgerEntry.claim.is_null()
                )
            )
        )
        .tuples()
    )
    for entry_id, *_ in misplaced.iterator():
        yield Violation(
            "orphan",
            "ledger_entry",
            entry_id,
            "entry's claim or service line is missing or belongs to another account",
        )
    orphans = (
        LedgerEntry.select(LedgerEntry.id)
        .join(Patient, JOIN.LEFT_OUTER, on=(Patient.id == LedgerEntry.patient))
        .where(Patient.id.is_null())
        .tuples()
    )
    for (entry_id,) in orphans.iterator():
        yield Violation(
            "orphan", "ledger_entry", entry_id, "entry for an account that does not exist"
        )
    originals = (
        LedgerEntry.select(
            LedgerEntry.id,
            LedgerEntry.kind,
            LedgerEntry.insurance_delta,
            LedgerEntry.patient_delta,
            LedgerEntry.group_code,
        )
        .where(LedgerEntry.reverses.is_null())
        .tuples()
    )
    for entry_id, kind, insurance, patient, group in originals.iterator():
        try:
            check_deltas(EntryKind(kind), insurance, patient, group)
        except (ValueError, LedgerError) as error:
            yield Violation("kind", "ledger_entry", entry_id, str(error))


def _reversals(counted: dict[str, int]) -> Iterator[Violation]:
    """A reversal is the exact negative of an original entry of the same account and claim."""
    original = LedgerEntry.alias("orig")
    rows = (
        LedgerEntry.select(
            LedgerEntry.id,
            LedgerEntry.patient,
            LedgerEntry.claim,
            LedgerEntry.insurance_delta,
            LedgerEntry.patient_delta,
            original.id,
            original.patient,
            original.claim,
            original.insurance_delta,
            original.patient_delta,
            original.reverses,
        )
        .join(original, JOIN.LEFT_OUTER, on=(original.id == LedgerEntry.reverses))
        .where(LedgerEntry.reverses.is_null(False))
        .tuples()
    )
    reversals = 0
    for (
        entry_id,
        patient,
        claim,
        ins,
        pat,
        orig_id,
        orig_patient,
        orig_claim,
        orig_ins,
        orig_pat,
        orig_reverses,
    ) in rows.iterator():
        reversals += 1
        if orig_id is None:
            yield Violation(
                "reversal", "ledger_entry", entry_id, "reverses an entry that does not exist"
            )
        elif orig_reverses is not None:
            yield Violation("reversal", "ledger_entry", entry_id, "reverses a reversal")
        elif (patient, claim) != (orig_patient, orig_claim) or (ins, pat) != (-orig_ins, -orig_pat):
            yield Violation(
                "reversal",
                "ledger_entry",
                entry_id,
                f"is not the exact negative of entry {orig_id}",
            )
    counted["reversals"] = reversals


def _billed_charges(counted: dict[str, int]) -> Iterator[Violation]:
    """A claim that carries its visit's charges has exactly its charge on the ledger; others none."""
    net = LedgerEntry.select(
        fn.COALESCE(fn.SUM(LedgerEntry.insurance_delta + LedgerEntry.patient_delta), 0)
    ).where((LedgerEntry.claim == Claim.id) & (LedgerEntry.kind == EntryKind.CHARGE.value))
    rows = Claim.select(
        Claim.id, Claim.status, Claim.frequency, Claim.primary_claim, Claim.charge_cents,
        net.alias("net"),
    ).tuples()  # fmt: skip
    for claim_id, status, frequency, primary, charge, posted in rows.iterator():
        carries = charges_on_ledger(ClaimStatus(status), frequency, primary is not None)
        expected = charge if carries else 0
        if posted != expected:
            yield Violation(
                "charges",
                "claim",
                claim_id,
                f"{status} claim: {posted} in charges on the ledger, expected {expected}",
            )


def _payments(counted: dict[str, int]) -> Iterator[Violation]:
    """No payment is applied beyond its amount (what is left is unapplied, never lost)."""
    applied = LedgerEntry.select(
        0 - fn.COALESCE(fn.SUM(LedgerEntry.insurance_delta + LedgerEntry.patient_delta), 0)
    ).where((LedgerEntry.payment == Payment.id) & (LedgerEntry.kind == EntryKind.PAYMENT.value))
    original = Payment.alias("orig")
    rows = (
        Payment.select(
            Payment.id, Payment.amount_cents, applied.alias("applied"), Payment.reverses,
            original.amount_cents,
        )
        .join(original, JOIN.LEFT_OUTER, on=(original.id == Payment.reverses))
        .tuples()
    )  # fmt: skip
    payments = 0
    for payment_id, amount, used, reverses, original_amount in rows.iterator():
        payments += 1
        if reverses is not None:
            if amount != -(original_amount or 0):
                yield Violation(
                    "payment", "payment", payment_id, f"does not reverse payment {reverses} exactly"
                )
        elif amount < 0:
            yield Violation("payment", "payment", payment_id, "negative payment amount")
        elif used > amount:
            yield Violation(
                "payment", "payment", payment_id, f"applied {used} exceeds the amount {amount}"
            )
    counted["payments"] = payments
