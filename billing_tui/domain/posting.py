"""What a payer's adjudication of a claim does to the ledger: payments, adjustments, transfers.

Pure rules, in integer cents, for the ERA importer and the manual posting
screen alike. For each service line (or the claim as a whole, for claim-level
adjustments):
- the amount paid is a PAYMENT off the insurance balance;
- a CO, OA or PI adjustment (contractual, other, payer-initiated) is an
  ADJUSTMENT off the insurance balance: written off, never billed to the patient;
- a PR adjustment (deductible, coinsurance, copay...) is a TRANSFER from the
  insurance balance to the patient's.
A positive CAS amount reduces payment; a negative one gives back (a negative
write-off, e.g. OA-94, explains a payment beyond the charge). A negative payment
is not posted as such: the payer is taking money back, which a person (or the
reversal of the earlier posting) must handle, so it is refused with a
PostingError and the claim goes to the exception queue.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .claims import ClaimStatus
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
            check_deltas(entry.kind, entry.insurance_delta, entry.patient_delta, entry.group)
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
        # A negative one (OA-94: paid beyond the charge) raises the insurance balance by
        # what the payment took beyond it: the line still balances to the cent.
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


# --------------------------------------------------------------------------- claim status


PAYABLE = frozenset(
    {
        ClaimStatus.SUBMITTED,
        ClaimStatus.ACCEPTED,
        ClaimStatus.PAID,
        ClaimStatus.PARTIAL,
        ClaimStatus.DENIED,
        ClaimStatus.APPEALED,
    }
)
"""A payer's answer posts only to a claim that went to a payer and still stands."""


def refuse_unpayable(status: ClaimStatus, claim_number: str) -> None:
    """PostingError unless a payer's adjudication can post to a claim in this status."""
    if status not in PAYABLE:
        raise PostingError(
            f"claim {claim_number} is {status.label}: a payment posts only to a claim "
            "that was sent and stands"
        )


def status_after(insurance_balance: int, *, denied: bool, paid_any: bool) -> ClaimStatus:
    """What the payer's answer makes of the claim: denied, paid (nothing left with the
    payer) or partially paid."""
    if denied:
        return ClaimStatus.DENIED
    if insurance_balance <= 0:
        return ClaimStatus.PAID
    return ClaimStatus.PARTIAL if paid_any else ClaimStatus.ACCEPTED


def take_in_order(entry: Entry, insurance_open: int, patient_open: int) -> Entry | None:
    """A later payer's (COB) entry, against what is left of the line after the earlier
    payers: the primary's PR already moved to the patient balance.

    - its payment comes off what insurance still holds, then off the patient's share
      (the secondary pays what the primary left the patient), and only beyond both
      leaves a credit with the payer;
    - its write-offs (CO/OA/PI) come off what insurance still holds, never more: the
      rest restates the earlier payer's adjudication, already posted;
    - its PR moves at most what insurance still holds to the patient.
    None when nothing is left to post."""
    insurance_open = max(insurance_open, 0)
    patient_open = max(patient_open, 0)
    if entry.kind is EntryKind.TRANSFER:
        moved = max(min(entry.patient_delta, insurance_open), 0)
        return _moved(entry, -moved, moved)
    amount = -entry.insurance_delta
    if amount < 0:  # a payer's negative adjustment raises what insurance holds
        return entry
    from_insurance = min(amount, insurance_open)
    if entry.kind is EntryKind.ADJUSTMENT:
        return _moved(entry, -from_insurance, 0)
    from_patient = min(amount - from_insurance, patient_open)
    beyond = amount - from_insurance - from_patient  # an overpayment: the payer's credit
    return _moved(entry, -(from_insurance + beyond), -from_patient)


def _moved(entry: Entry, insurance: int, patient: int) -> Entry | None:
    if not insurance and not patient:
        return None
    return Entry(entry.kind, entry.line, insurance, patient, entry.group, entry.reason,
                 entry.remarks)  # fmt: skip


def line_defaults(charge: int, allowed: int, patient_share: int) -> tuple[int, int]:
    """(CO-45 contractual write-off, paid) for a line typed from a paper EOB: the payer
    allows `allowed` of the charge, and of that the patient owes `patient_share`."""
    if allowed < 0 or patient_share < 0:
        raise PostingError("allowed and patient amounts cannot be negative")
    if allowed > charge:
        raise PostingError(
            f"allowed {allowed / 100:.2f} is more than the charge {charge / 100:.2f}"
        )
    if patient_share > allowed:
        raise PostingError("the patient's share is more than the allowed amount")
    return charge - allowed, allowed - patient_share
