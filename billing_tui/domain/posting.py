"""What a payer's adjudication of a claim does to the ledger: payments, adjustments, transfers.

Pure rules, in integer cents, for the ERA importer and the manual posting
screen alike. For each service line (or the claim as a whole, for claim-level
adjustments):
- the amount paid is a PAYMENT off the insurance balance;
- a CO, OA or PI adjustment (contractual, other, payer-initiated) is an
  ADJUSTMENT off the insurance balance: written off, never billed to the patient;
- a PR adjustment (deductible, coinsurance, copay...) is a TRANSFER from the
  insurance balance to the patient's.
A positive CAS amount reduces payment; a negative one gives back. A negative
payment or write-off is not posted as such: the payer is taking money back,
which a person (or the reversal of the earlier posting) must handle, so it is
refused with a PostingError and the claim goes to the exception queue.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .ledger import EntryKind, LedgerError, check_deltas

WRITE_OFF_GROUPS = frozenset({"CO", "OA", "PI"})
PATIENT_GROUP = "PR"


class PostingError(ValueError):
    """An adjudication these rules do not post: a person looks at it (the exception queue)."""


@dataclass(frozen=True, slots=True)
class Reason:
    """One adjustment: CAS group, CARC and amount (positive reduces payment)."""

    group: str
    code: str
    amount: int


@dataclass(frozen=True, slots=True)
class Adjudication:
    """A payer's answer for one service line (line=None: claim-level adjustments)."""

    line: int | None  # our service line's id
    paid: int
    reasons: Sequence[Reason] = ()
    remarks: Sequence[str] = ()  # RARCs


@dataclass(frozen=True, slots=True)
class Entry:
    """A ledger entry to post, before it has a patient, batch or date."""

    kind: EntryKind
    line: int | None
    insurance_delta: int
    patient_delta: int
    group: str = ""
    reason: str = ""
    remarks: str = ""


def entries_for(adjudications: Iterable[Adjudication]) -> list[Entry]:
    """The entries that post a claim's adjudication, line by line; PostingError if one cannot.

    Claim-level adjustments (line None) come off the claim's payment: an 835 then says
    the claim paid less than its lines (CLP04 = the lines' SVC03 less the claim-level
    CAS), which reaches here as a negative claim-level payment. It is taken off the
    lines' payments in order, so that what is posted as paid is what was received."""
    answers = _take_claim_reduction(list(adjudications))
    entries: list[Entry] = []
    for answer in answers:
        remarks = " ".join(answer.remarks)
        if answer.paid < 0:
            raise PostingError(
                f"a negative payment ({answer.paid / 100:.2f}) takes money back: "
                "reverse the earlier posting instead"
            )
        if answer.paid:
            entries.append(Entry(EntryKind.PAYMENT, answer.line, -answer.paid, 0, remarks=remarks))
        for reason in answer.reasons:
            entries.append(_adjustment(answer.line, reason, remarks))
    for entry in entries:
        try:
            check_deltas(entry.kind, entry.insurance_delta, entry.patient_delta)
        except LedgerError as error:  # e.g. a zero amount: nothing to post
            raise PostingError(str(error)) from None
    return entries


def _take_claim_reduction(answers: list[Adjudication]) -> list[Adjudication]:
    reduction = sum(-a.paid for a in answers if a.line is None and a.paid < 0)
    if not reduction:
        return answers
    taken = []
    for answer in answers:
        if answer.line is None and answer.paid < 0:
            taken.append(Adjudication(None, 0, answer.reasons, answer.remarks))
        elif answer.line is not None and reduction and answer.paid > 0:
            take = min(answer.paid, reduction)
            reduction -= take
            taken.append(
                Adjudication(answer.line, answer.paid - take, answer.reasons, answer.remarks)
            )
        else:
            taken.append(answer)
    if reduction:
        raise PostingError(
            f"the claim-level adjustments take {reduction / 100:.2f} more than its lines paid"
        )
    return taken


def _adjustment(line: int | None, reason: Reason, remarks: str) -> Entry:
    if reason.amount == 0:
        raise PostingError(f"{reason.group}-{reason.code} adjusts nothing (0.00)")
    if reason.group == PATIENT_GROUP:
        # The patient's share moves to their balance (or back, when negative).
        return Entry(EntryKind.TRANSFER, line, -reason.amount, reason.amount,
                     reason.group, reason.code, remarks)  # fmt: skip
    if reason.group in WRITE_OFF_GROUPS:
        if reason.amount < 0:
            raise PostingError(
                f"{reason.group}-{reason.code} of {reason.amount / 100:.2f} raises what the "
                "payer owes: a person must post it"
            )
        return Entry(EntryKind.ADJUSTMENT, line, -reason.amount, 0,
                     reason.group, reason.code, remarks)  # fmt: skip
    raise PostingError(f"{reason.group} is not an adjustment group (CO, PR, OA or PI)")


def totals(entries: Iterable[Entry]) -> dict[str, int]:
    """What the entries do, in the words of a remittance: paid, written off, to the patient."""
    paid = written_off = to_patient = 0
    for entry in entries:
        if entry.kind is EntryKind.PAYMENT:
            paid -= entry.insurance_delta
        elif entry.kind is EntryKind.ADJUSTMENT:
            written_off -= entry.insurance_delta
        elif entry.kind is EntryKind.TRANSFER:
            to_patient += entry.patient_delta
    return {"paid": paid, "written_off": written_off, "to_patient": to_patient}
