"""Claims built from other claims: replacement (7), void request (8), and the secondary with COB.

Each copies the original's header, diagnoses and lines into a new claim (new
claim number, new line control numbers) and records why in its history.

- replacement: frequency 7, REF*F8 = the payer's number for the original
  (CLP07 from its 835), so only a claim the payer has numbered can be
  replaced. It starts as a draft, to be corrected and sent. The original
  becomes "corrected" when the replacement is sent (store/submission.py), not
  before: a replacement abandoned as a draft leaves the original as it was.
- void request: frequency 8, same lines, REF*F8 likewise. Nothing on it is
  edited, so it is made ready at once; the original becomes "voided" when the
  request is sent.
- secondary: the same visit billed to the patient's next coverage by priority
  (one that covers the dates of service), pointing at the primary claim
  (primary_claim_id); ClaimReader assembles the primary's adjudication from the
  ledger for the other-payer loops. It starts as a draft.
"""

from __future__ import annotations

from ..domain.claims import ClaimStatus, ClaimStatusError, check_transition
from ..domain.security import Permission
from .models import Claim, ClaimStatusChange, Coverage, Payer
from .records import ClaimDraft, LineDraft
from .session import StoreRefused

ADJUDICATED = frozenset({ClaimStatus.PAID, ClaimStatus.PARTIAL, ClaimStatus.DENIED})


class ClaimBuilders:
    """Mixed into store.claims (uses its create, get and set_status)."""

    def replacement(self, claim_id: int, reason: str) -> int:
        """A frequency-7 draft that replaces claim_id at the payer; returns its id."""
        reason = _reason(reason)
        with self._session.writing():
            original = _original(claim_id, "7")
            detail = self.get(claim_id)
            new_id = self.create(
                _draft_from(detail, frequency="7", original=original.payer_claim_number)
            )
            _link(new_id, detail.primary_claim_id, f"replaces {original.claim_number}: {reason}")
        return new_id

    def void_request(self, claim_id: int, reason: str) -> int:
        """A frequency-8 claim, ready to send, asking the payer to void claim_id; returns its id."""
        reason = _reason(reason)
        with self._session.writing(Permission.VOID, "asking the payer to void a claim"):
            original = _original(claim_id, "8")
            detail = self.get(claim_id)
            new_id = self.create(
                _draft_from(detail, frequency="8", original=original.payer_claim_number)
            )
            _link(new_id, detail.primary_claim_id, f"voids {original.claim_number}: {reason}")
            self.set_status(new_id, ClaimStatus.READY.value, "void request: nothing to edit")
        return new_id

    def secondary(self, claim_id: int) -> int:
        """A draft billing the patient's next coverage for what the payer of claim_id left."""
        with self._session.writing():
            primary = Claim.get_or_none(Claim.id == claim_id)
            if primary is None:
                raise StoreRefused(f"no claim {claim_id}")
            status = ClaimStatus(primary.status)
            if status not in ADJUDICATED:
                raise StoreRefused(
                    f"claim {primary.claim_number} is {status.label}: a secondary claim follows "
                    "a paid, partially paid or denied one"
                )
            if primary.coverage_id is None or primary.frequency == "8":
                raise StoreRefused(f"claim {primary.claim_number} has no payer to follow")
            later = (
                Claim.select(Claim.claim_number)
                .where(
                    (Claim.primary_claim == primary.id)
                    & (Claim.status != ClaimStatus.VOIDED.value)
                    & (Claim.frequency == "1")
                )
                .scalar()
            )
            if later:
                raise StoreRefused(f"claim {primary.claim_number} already has a secondary: {later}")
            coverage = _next_coverage(primary)
            detail = self.get(claim_id)
            new_id = self.create(_draft_from(detail, coverage_id=coverage.id))
            _link(new_id, primary.id, f"secondary to {primary.claim_number}")
        return new_id


def _reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if not reason:
        raise StoreRefused("say why: the reason goes into the claim's history")
    return reason


def _original(claim_id: int, frequency: str) -> Claim:
    """The claim to replace (7) or void (8), if the payer numbered it and it may move on."""
    claim = Claim.get_or_none(Claim.id == claim_id)
    if claim is None:
        raise StoreRefused(f"no claim {claim_id}")
    action = "replaced" if frequency == "7" else "voided"
    if claim.frequency == "8":
        raise StoreRefused(f"claim {claim.claim_number} is a void request: it cannot be {action}")
    if not claim.payer_claim_number:
        raise StoreRefused(
            f"claim {claim.claim_number} has no payer claim number yet (it comes with the "
            f"payer's remittance): it cannot be {action} until the payer has processed it"
        )
    target = ClaimStatus.CORRECTED if frequency == "7" else ClaimStatus.VOIDED
    try:
        check_transition(ClaimStatus(claim.status), target)
    except ClaimStatusError:
        raise StoreRefused(
            f"claim {claim.claim_number} is {ClaimStatus(claim.status).label}: "
            f"it cannot be {action}"
        ) from None
    pending = (
        Claim.select(Claim.claim_number)
        .where(
            (Claim.patient == claim.patient_id)
            & (Claim.original_claim_number == claim.payer_claim_number)
            & (Claim.frequency == frequency)
            & (Claim.status != ClaimStatus.VOIDED.value)
        )
        .scalar()
    )
    if pending:
        kind = "replacement" if frequency == "7" else "void request"
        raise StoreRefused(f"claim {claim.claim_number} already has a {kind}: {pending}")
    return claim


def _next_coverage(primary: Claim) -> Coverage:
    """The patient's next coverage after the primary's, by priority, covering the visit."""
    current = Coverage.get_by_id(primary.coverage_id)
    found = (
        Coverage.select()
        .where(
            (Coverage.patient == primary.patient_id)
            & (Coverage.priority > current.priority)
            & (Coverage.active == True)  # noqa: E712
            & (Coverage.start_date <= primary.first_dos)
            & (Coverage.end_date.is_null() | (Coverage.end_date >= primary.last_dos))
        )
        .order_by(Coverage.priority, Coverage.start_date.desc())
        .first()
    )
    if found is None:
        payer = Payer.get_by_id(current.payer_id).name
        raise StoreRefused(
            f"the patient has no coverage after {payer} for the visit of {primary.first_dos}"
        )
    return found


def _draft_from(detail, *, frequency: str = "1", original=None, coverage_id=None) -> ClaimDraft:
    return ClaimDraft(
        patient_id=detail.patient.id,
        billing_provider_id=detail.billing_provider.id,
        rendering_provider_id=detail.rendering.id,
        place_of_service=detail.place_of_service,
        lines=tuple(
            LineDraft(
                dos_from=line.dos_from,
                code=line.code,
                charge=line.charge,
                units=line.units,
                dos_to=line.dos_to,
                modifiers=line.modifiers,
                pointers=line.pointers,
                ndc=line.ndc,
            )  # fmt: skip
            for line in detail.lines
        ),
        diagnoses=detail.diagnoses,
        coverage_id=coverage_id or (detail.coverage.id if detail.coverage else None),
        supervising_provider_id=detail.supervising.id if detail.supervising else None,
        referring_provider_id=detail.referring.id if detail.referring else None,
        frequency=frequency,
        original_claim_number=original,
        prior_authorization=detail.prior_authorization,
    )


def _link(claim_id: int, primary_claim_id: int | None, why: str) -> None:
    """Point the new claim at its primary (COB) and say in its first history row where it came from."""
    if primary_claim_id is not None:
        Claim.update(primary_claim=primary_claim_id).where(Claim.id == claim_id).execute()
    ClaimStatusChange.update(reason=why[:200]).where(
        (ClaimStatusChange.claim == claim_id) & ClaimStatusChange.from_status.is_null()
    ).execute()
