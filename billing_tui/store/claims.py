"""Claims in the store: creating them and moving them through their lifecycle.

A claim's charges reach the ledger when it leaves draft (it is billed) and
are reversed when a billed claim is voided; the claim editor and scrubber
come with the claims issue and build on this.
"""

from __future__ import annotations

from collections.abc import Sequence

from peewee import fn

from ..domain.claims import (
    ClaimStatus,
    ClaimStatusError,
    charges_on_ledger,
    check_transition,
    claim_number,
)
from ..domain.ledger import EntryKind, charge_deltas
from ..domain.security import Permission
from .bulk import among, insert_rows, insert_rows_with_ids
from .cache import chunked, refresh_accounts, refresh_claims
from .claim_builders import ClaimBuilders
from .claim_reader import ClaimReader
from .claim_scrubbing import ClaimScrubbing
from .models import (
    Claim,
    ClaimDiagnosis,
    ClaimStatusChange,
    Coverage,
    LedgerEntry,
    Patient,
    ServiceLine,
    live_lines,
    utcnow,
)
from .records import ClaimDraft
from .session import Session, StoreConflict, StoreRefused

MAX_LINES = 50
MAX_DIAGNOSES = 12


class Claims(ClaimScrubbing, ClaimBuilders, ClaimReader):
    def __init__(self, session: Session) -> None:
        self._session = session

    def create(self, draft: ClaimDraft) -> int:
        """A new draft claim with its diagnoses and lines; returns its id."""
        _check_shape(draft)
        session = self._session
        with session.writing():
            patient = Patient.get_or_none(Patient.id == draft.patient_id)
            if patient is None:
                raise StoreRefused(f"no account with id {draft.patient_id}")
            payer_id = self._payer_of(draft)
            sequence = (
                Claim.select(fn.COUNT(Claim.id)).where(Claim.patient == patient.id).scalar() + 1
            )
            dates = [line.dos_from for line in draft.lines]
            claim = Claim.create(
                claim_number=claim_number(patient.account_number, sequence),
                patient=patient.id,
                coverage=draft.coverage_id,
                payer=payer_id,
                billing_provider=draft.billing_provider_id,
                rendering_provider=draft.rendering_provider_id,
                supervising_provider=draft.supervising_provider_id,
                referring_provider=draft.referring_provider_id,
                place_of_service=draft.place_of_service,
                frequency=draft.frequency,
                original_claim_number=draft.original_claim_number,
                prior_authorization=draft.prior_authorization,
                status=ClaimStatus.DRAFT.value,
                first_dos=min(dates),
                last_dos=max(line.dos_to or line.dos_from for line in draft.lines),
                charge_cents=sum(line.charge for line in draft.lines),
                created_by=session.user_id(),
            )
            _write_codes_and_lines(claim, draft)
            ClaimStatusChange.create(
                claim=claim.id,
                from_status=None,
                to_status=ClaimStatus.DRAFT.value,
                user=session.user_id(),
                reason="created",
            )
            session.audit(
                "create",
                "claim",
                claim.id,
                patient_id=patient.id,
                after={"claim_number": claim.claim_number, "charge": claim.charge_cents},
            )
        return claim.id

    def create_many(self, drafts: Sequence[ClaimDraft]) -> list[int]:
        """New draft claims in bulk (an EHR's day of charges); their ids, in order.

        What create() does for one, in a few statements for all: the same checks, the
        same rows and audit trail. All or nothing, like create(): StoreRefused names the
        draft at fault by its place (1-based)."""
        for n, draft in enumerate(drafts, start=1):
            try:
                _check_shape(draft)
            except StoreRefused as refused:
                raise StoreRefused(f"claim {n}: {refused}") from None
        if not drafts:
            return []
        session = self._session
        with session.writing():
            patient_ids = sorted({d.patient_id for d in drafts})
            accounts: dict[int, str] = {}
            sequences: dict[int, int] = {}
            for ids in chunked(patient_ids):
                accounts.update(
                    Patient.select(Patient.id, Patient.account_number)
                    .where(among(Patient.id, ids))
                    .tuples()
                )
                sequences.update(
                    Claim.select(Claim.patient, fn.COUNT(Claim.id))
                    .where(among(Claim.patient, ids))
                    .group_by(Claim.patient)
                    .tuples()
                )
            coverage_ids = sorted({d.coverage_id for d in drafts if d.coverage_id is not None})
            coverages: dict[int, tuple[int, int]] = {}
            for ids in chunked(coverage_ids):
                coverages.update(
                    (cid, (patient, payer))
                    for cid, patient, payer in Coverage.select(
                        Coverage.id, Coverage.patient, Coverage.payer
                    )
                    .where(among(Coverage.id, ids))
                    .tuples()
                )
            user = session.user_id()
            now = utcnow()
            rows, numbers = [], []
            for n, draft in enumerate(drafts, start=1):
                account = accounts.get(draft.patient_id)
                if account is None:
                    raise StoreRefused(f"claim {n}: no account with id {draft.patient_id}")
                payer = None
                if draft.coverage_id is not None:
                    owner, payer = coverages.get(draft.coverage_id, (None, None))
                    if owner != draft.patient_id:
                        raise StoreRefused(f"claim {n}: the coverage belongs to another account")
                sequence = sequences.get(draft.patient_id, 0) + 1
                sequences[draft.patient_id] = sequence
                number = claim_number(account, sequence)
                numbers.append(number)
                rows.append((
                    number, draft.patient_id, draft.coverage_id, payer, draft.billing_provider_id,
                    draft.rendering_provider_id, draft.supervising_provider_id,
                    draft.referring_provider_id, draft.place_of_service, draft.frequency,
                    draft.original_claim_number, None, draft.prior_authorization,
                    ClaimStatus.DRAFT.value, min(line.dos_from for line in draft.lines),
                    max(line.dos_to or line.dos_from for line in draft.lines),
                    sum(line.charge for line in draft.lines), now, user,
                ))  # fmt: skip
            ids = insert_rows_with_ids(Claim, CLAIM_FIELDS, rows)
            diagnoses, lines, changes, audits = [], [], [], []
            for claim_id, number, draft in zip(ids, numbers, drafts, strict=True):
                diagnoses.extend(
                    (claim_id, i, code.replace(".", "").upper())
                    for i, code in enumerate(draft.diagnoses, start=1)
                )
                lines.extend(
                    line_row(claim_id, number, n, line) for n, line in enumerate(draft.lines, 1)
                )
                changes.append((claim_id, None, ClaimStatus.DRAFT.value, now, user, "created"))
                charge = sum(line.charge for line in draft.lines)
                audits.append(("create", "claim", claim_id, draft.patient_id, None,
                               {"claim_number": number, "charge": charge}))  # fmt: skip
            insert_rows(ClaimDiagnosis, ("claim", "position", "code"), diagnoses)
            insert_rows(ServiceLine, LINE_FIELDS, lines)
            insert_rows(
                ClaimStatusChange, ("claim", "from_status", "to_status", "at", "user", "reason"),
                changes,
            )  # fmt: skip
            session.audit_many(audits)
        return ids

    def update(self, claim_id: int, draft: ClaimDraft, *, expected_version: int) -> int:
        """Save an edited draft claim: header, diagnoses and lines. Returns the new version.

        Only a draft is edited in place (its charges are not on the ledger yet); a
        billed claim goes back to draft first, or is replaced by a frequency-7 claim.
        """
        _check_shape(draft)
        session = self._session
        with session.writing():
            claim = Claim.get_or_none(Claim.id == claim_id)
            if claim is None:
                raise StoreRefused(f"no claim {claim_id}")
            if claim.version != expected_version:
                raise StoreConflict(f"claim {claim.claim_number} was changed by someone else")
            if claim.status != ClaimStatus.DRAFT.value:
                raise StoreRefused(
                    f"a {ClaimStatus(claim.status).label} claim cannot be edited; "
                    "send it back to draft or build a replacement"
                )
            if draft.patient_id != claim.patient_id:
                raise StoreRefused("a claim stays on its account")
            payer_id = self._payer_of(draft)
            before = {"charge": claim.charge_cents, "lines": claim.lines.count()}
            _retire_lines(claim.id)
            ClaimDiagnosis.delete().where(ClaimDiagnosis.claim == claim.id).execute()
            updated = (
                Claim.update(
                    coverage=draft.coverage_id,
                    payer=payer_id,
                    billing_provider=draft.billing_provider_id,
                    rendering_provider=draft.rendering_provider_id,
                    supervising_provider=draft.supervising_provider_id,
                    referring_provider=draft.referring_provider_id,
                    place_of_service=draft.place_of_service,
                    frequency=draft.frequency,
                    original_claim_number=draft.original_claim_number,
                    prior_authorization=draft.prior_authorization,
                    first_dos=min(line.dos_from for line in draft.lines),
                    last_dos=max(line.dos_to or line.dos_from for line in draft.lines),
                    charge_cents=sum(line.charge for line in draft.lines),
                    version=Claim.version + 1,
                )
                .where((Claim.id == claim.id) & (Claim.version == expected_version))
                .execute()
            )
            if not updated:
                raise StoreConflict(f"claim {claim.claim_number} was changed by someone else")
            claim = Claim.get_by_id(claim.id)
            _write_codes_and_lines(claim, draft, revision=claim.version)
            session.audit(
                "update",
                "claim",
                claim.id,
                patient_id=claim.patient_id,
                before=before,
                after={"charge": claim.charge_cents, "lines": len(draft.lines)},
            )
            refresh_claims([claim.id])
            refresh_accounts([claim.patient_id])
        return claim.version

    def _payer_of(self, draft: ClaimDraft) -> int | None:
        if draft.coverage_id is None:
            return None
        coverage = Coverage.get_or_none(Coverage.id == draft.coverage_id)
        if coverage is None or coverage.patient_id != draft.patient_id:
            raise StoreRefused("the coverage belongs to another account")
        return coverage.payer_id

    def set_status(
        self, claim_id: int, status: str, reason: str = "", *, expected_version: int | None = None
    ) -> None:
        """Move a claim on, recording who, when and why; billing posts charges, voiding reverses them."""
        session = self._session
        try:
            target = ClaimStatus(status)
        except ValueError:
            raise StoreRefused(f"no claim status {status!r}") from None
        if target is ClaimStatus.READY:
            self.warm_scrubber()  # the ICD-10-CM code set loads in seconds: not under the lock
        voiding = target is ClaimStatus.VOIDED
        with session.writing(
            Permission.VOID if voiding else Permission.WRITE, "voiding a claim" if voiding else ""
        ):
            claim = Claim.get_or_none(Claim.id == claim_id)
            if claim is None:
                raise StoreRefused(f"no claim {claim_id}")
            if expected_version is not None and claim.version != expected_version:
                raise StoreConflict(f"claim {claim.claim_number} was changed by someone else")
            current = ClaimStatus(claim.status)
            try:
                check_transition(current, target)
            except ClaimStatusError as error:
                raise StoreRefused(str(error)) from None
            if target is ClaimStatus.READY:
                self.refuse_unclean(claim.id)  # a scrubber error blocks ready: its message
            secondary = claim.primary_claim_id is not None
            was = charges_on_ledger(current, claim.frequency, secondary)
            will = charges_on_ledger(target, claim.frequency, secondary)
            if will and not was:
                self._post_charges(claim)
            elif was and not will:  # voided, corrected, or back to draft
                default = {
                    ClaimStatus.VOIDED: "claim voided",
                    ClaimStatus.CORRECTED: "replaced by a corrected claim",
                }.get(target, "claim back to draft")
                self._reverse_charges(claim, reason or default)
            updated = (
                Claim.update(status=target.value, version=Claim.version + 1)
                .where((Claim.id == claim.id) & (Claim.version == claim.version))
                .execute()
            )
            if not updated:
                raise StoreConflict(f"claim {claim.claim_number} was changed by someone else")
            ClaimStatusChange.create(
                claim=claim.id,
                from_status=current.value,
                to_status=target.value,
                user=session.user_id(),
                reason=reason[:200],
            )
            session.audit(
                "status",
                "claim",
                claim.id,
                patient_id=claim.patient_id,
                before={"status": current.value},
                after={"status": target.value},
            )
            if current is ClaimStatus.DENIED:  # appealed, corrected, voided...: worked
                from .posting import close_denials

                close_denials([claim.id], session.user_id(), f"claim {target.label}: {reason}")
            refresh_claims([claim.id])
            refresh_accounts([claim.patient_id])

    def _post_charges(self, claim: Claim) -> None:
        to_insurance = claim.coverage_id is not None
        session = self._session
        rows = []
        for line in live_lines(claim.id):
            if not line.charge_cents:
                continue
            deltas = charge_deltas(line.charge_cents, to_insurance)
            rows.append(
                {
                    "patient": claim.patient_id,
                    "claim": claim.id,
                    "service_line": line.id,
                    "kind": EntryKind.CHARGE.value,
                    "insurance_delta": deltas.insurance,
                    "patient_delta": deltas.patient,
                    "effective_date": line.dos_from,
                    "user": session.user_id(),
                    "memo": line.code,
                }
            )
        if rows:
            LedgerEntry.insert_many(rows).execute()

    def _reverse_charges(self, claim: Claim, reason: str) -> None:
        reversal = LedgerEntry.alias()
        charges = LedgerEntry.select().where(
            (LedgerEntry.claim == claim.id)
            & (LedgerEntry.kind == EntryKind.CHARGE.value)
            & LedgerEntry.reverses.is_null()
            & ~fn.EXISTS(reversal.select(reversal.id).where(reversal.reverses == LedgerEntry.id))
        )
        session = self._session
        for charge in charges:
            LedgerEntry.create(
                patient=charge.patient_id,
                claim=claim.id,
                service_line=charge.service_line_id,
                kind=charge.kind,
                insurance_delta=-charge.insurance_delta,
                patient_delta=-charge.patient_delta,
                effective_date=session.today(),
                user=session.user_id(),
                reverses=charge.id,
                memo=f"Reversal: {reason}"[:200],
            )


def _check_shape(draft: ClaimDraft) -> None:
    """What the database cannot hold at all; the scrubber judges everything else."""
    if not draft.lines:
        raise StoreRefused("a claim needs at least one service line")
    if len(draft.lines) > MAX_LINES:
        raise StoreRefused(f"a claim has at most {MAX_LINES} service lines")
    if len(draft.diagnoses) > MAX_DIAGNOSES:
        raise StoreRefused(f"a claim has at most {MAX_DIAGNOSES} diagnoses")
    for line in draft.lines:
        if len(line.modifiers) > 4 or len(line.pointers) > 4:
            raise StoreRefused("a service line has at most 4 modifiers and 4 pointers")


CLAIM_FIELDS = (
    "claim_number", "patient", "coverage", "payer", "billing_provider", "rendering_provider",
    "supervising_provider", "referring_provider", "place_of_service", "frequency",
    "original_claim_number", "payer_claim_number", "prior_authorization", "status",
    "first_dos", "last_dos", "charge_cents", "created_at", "created_by",
)  # fmt: skip
"""A new claim's columns, as the bulk writers (create_many, import-csv charges) give them."""
LINE_FIELDS = (
    "claim", "line_number", "dos_from", "dos_to", "code", "modifier1", "modifier2", "modifier3",
    "modifier4", "pointer1", "pointer2", "pointer3", "pointer4", "units", "charge_cents",
    "line_control_number", "ndc",
)  # fmt: skip


def line_row(claim_id: int, number: str, n: int, line) -> tuple:
    """A new line as _write_codes_and_lines writes it, as a row of LINE_FIELDS."""
    modifiers = [m.upper() for m in line.modifiers] + [""] * (4 - len(line.modifiers))
    pointers = list(line.pointers or (1,))
    pointers += [None] * (4 - len(pointers))
    return (
        claim_id, n, line.dos_from, line.dos_to or line.dos_from, line.code.upper(), *modifiers,
        *pointers, line.units, line.charge, f"{number}-{n}", line.ndc,
    )  # fmt: skip


def _retire_lines(claim_id: int) -> None:
    """Clear a draft's lines: delete them, or retire the ones postings point at."""
    posted = LedgerEntry.select(LedgerEntry.service_line).where(
        (LedgerEntry.claim == claim_id) & LedgerEntry.service_line.is_null(False)
    )
    ServiceLine.update(line_number=0 - ServiceLine.id).where(
        (ServiceLine.claim == claim_id) & ServiceLine.id.in_(posted)
    ).execute()
    ServiceLine.delete().where(
        (ServiceLine.claim == claim_id) & (ServiceLine.line_number > 0)
    ).execute()


def _write_codes_and_lines(claim: Claim, draft: ClaimDraft, revision: int = 1) -> None:
    # A revised draft's lines get new control numbers: REF*6R must never name two lines.
    suffix = "" if revision == 1 else f"-v{revision}"
    if draft.diagnoses:
        ClaimDiagnosis.insert_many(
            [
                {"claim": claim.id, "position": i, "code": code.replace(".", "").upper()}
                for i, code in enumerate(draft.diagnoses, start=1)
            ]
        ).execute()
    ServiceLine.insert_many(
        [
            {
                "claim": claim.id,
                "line_number": n,
                "dos_from": line.dos_from,
                "dos_to": line.dos_to or line.dos_from,
                "code": line.code.upper(),
                **{f"modifier{i}": m.upper() for i, m in enumerate(line.modifiers, start=1)},
                **{f"pointer{i}": p for i, p in enumerate(line.pointers, start=1)},
                "units": line.units,
                "charge_cents": line.charge,
                "line_control_number": f"{claim.claim_number}-{n}{suffix}",
                "ndc": line.ndc,
            }
            for n, line in enumerate(draft.lines, start=1)
        ]
    ).execute()
