"""Reading claims whole: ClaimDetail for the editor, the scrubber, the 837P and the CMS-1500."""

from __future__ import annotations

from collections import defaultdict

from peewee import JOIN, fn

from ..domain.claims import NOT_STANDING
from ..domain.ledger import EntryKind
from .accounts import _patient_record
from .models import (
    BillingProvider,
    Claim,
    ClaimDiagnosis,
    ClaimStatusChange,
    Coverage,
    FeeSchedule,
    Guarantor,
    LedgerEntry,
    Patient,
    Payer,
    Provider,
    ReferringProvider,
    ServiceLine,
    User,
    live_lines,
)
from .records.claims import (
    Address,
    BillingProviderRecord,
    ClaimChoices,
    ClaimDetail,
    ClaimLine,
    CoverageDetail,
    FeeRecord,
    LineAdjudication,
    PayerDetail,
    PriorPayer,
    ProviderRecord,
    ReferringRecord,
    StatusChangeRecord,
)
from .session import StoreRefused


def billing_provider_record(row: BillingProvider) -> BillingProviderRecord:
    return BillingProviderRecord(
        id=row.id, name=row.name, npi=row.npi, ein=row.ein, taxonomy=row.taxonomy,
        address=Address(row.address1, row.address2, row.city, row.state, row.zip),
        phone=row.phone,
    )  # fmt: skip


def provider_record(row: Provider) -> ProviderRecord:
    return ProviderRecord(
        id=row.id, first_name=row.first_name, last_name=row.last_name,
        credential=row.credential, npi=row.npi, taxonomy=row.taxonomy,
        supervising_id=row.supervising_id, active=row.active,
    )  # fmt: skip


def referring_record(row: ReferringProvider) -> ReferringRecord:
    return ReferringRecord(row.id, row.first_name, row.last_name, row.npi)


def payer_detail(row: Payer) -> PayerDetail:
    return PayerDetail(
        id=row.id, name=row.name, payer_code=row.payer_code, kind=row.kind,
        timely_filing_days=row.timely_filing_days,
        address=Address(row.address1, row.address2, row.city, row.state, row.zip),
    )  # fmt: skip


def coverage_detail(row: Coverage, payer: Payer) -> CoverageDetail:
    return CoverageDetail(
        id=row.id, priority=row.priority, payer=payer_detail(payer), member_id=row.member_id,
        group_number=row.group_number, relationship=row.relationship,
        subscriber_first=row.subscriber_first, subscriber_last=row.subscriber_last,
        subscriber_dob=row.subscriber_dob, subscriber_sex=row.subscriber_sex,
        subscriber_address=Address(
            row.subscriber_address1, "", row.subscriber_city, row.subscriber_state,
            row.subscriber_zip,
        ),
        start_date=row.start_date, end_date=row.end_date, copay=row.copay_cents,
        deductible=row.deductible_cents, deductible_met=row.deductible_met_cents,
        coinsurance_bp=row.coinsurance_bp, oop_max=row.oop_max_cents,
        verified_at=row.verified_at, active=row.active,
    )  # fmt: skip


def _coverage(coverage_id: int | None) -> CoverageDetail | None:
    if coverage_id is None:
        return None
    row = (
        Coverage.select(Coverage, Payer)
        .join(Payer, on=(Payer.id == Coverage.payer), attr="payer_row")
        .where(Coverage.id == coverage_id)
        .first()
    )
    return coverage_detail(row, row.payer_row) if row else None


class ClaimReader:
    def find(self, claim_number: str) -> int | None:
        return (
            Claim.select(Claim.id)
            .where(Claim.claim_number == claim_number.strip().upper())
            .scalar()
        )

    def get(self, claim_id: int) -> ClaimDetail:
        claim = Claim.get_or_none(Claim.id == claim_id)
        if claim is None:
            raise StoreRefused(f"no claim {claim_id}")
        patient = (
            Patient.select(Patient, Guarantor)
            .join(Guarantor, JOIN.LEFT_OUTER)
            .where(Patient.id == claim.patient_id)
            .first()
        )
        providers = {
            p.id: provider_record(p)
            for p in Provider.select().where(
                Provider.id.in_(
                    [i for i in (claim.rendering_provider_id, claim.supervising_provider_id) if i]
                )
            )
        }
        referring = (
            ReferringProvider.get_or_none(ReferringProvider.id == claim.referring_provider_id)
            if claim.referring_provider_id
            else None
        )
        lines = tuple(
            ClaimLine(
                id=line.id,
                line_number=line.line_number,
                dos_from=line.dos_from,
                dos_to=line.dos_to,
                code=line.code,
                modifiers=tuple(
                    m for m in (line.modifier1, line.modifier2, line.modifier3, line.modifier4) if m
                ),
                pointers=tuple(
                    p for p in (line.pointer1, line.pointer2, line.pointer3, line.pointer4) if p
                ),
                units=line.units,
                charge=line.charge_cents,
                line_control_number=line.line_control_number,
                ndc=line.ndc,
            )  # fmt: skip
            for line in live_lines(claim.id)
        )
        diagnoses = tuple(
            code
            for (code,) in ClaimDiagnosis.select(ClaimDiagnosis.code)
            .where(ClaimDiagnosis.claim == claim.id)
            .order_by(ClaimDiagnosis.position)
            .tuples()
        )
        history = tuple(
            StatusChangeRecord(at, from_status, to_status, username or "", reason)
            for at, from_status, to_status, username, reason in ClaimStatusChange.select(
                ClaimStatusChange.at,
                ClaimStatusChange.from_status,
                ClaimStatusChange.to_status,
                User.username,
                ClaimStatusChange.reason,
            )
            .join(User, JOIN.LEFT_OUTER, on=(User.id == ClaimStatusChange.user))
            .where(ClaimStatusChange.claim == claim.id)
            .order_by(ClaimStatusChange.id)
            .tuples()
        )
        return ClaimDetail(
            id=claim.id,
            claim_number=claim.claim_number,
            status=claim.status,
            version=claim.version,
            patient=_patient_record(patient),
            coverage=_coverage(claim.coverage_id),
            billing_provider=billing_provider_record(
                BillingProvider.get_by_id(claim.billing_provider_id)
            ),
            rendering=providers[claim.rendering_provider_id],
            supervising=providers.get(claim.supervising_provider_id),
            referring=referring_record(referring) if referring else None,
            place_of_service=claim.place_of_service,
            frequency=claim.frequency,
            original_claim_number=claim.original_claim_number,
            payer_claim_number=claim.payer_claim_number,
            prior_authorization=claim.prior_authorization,
            diagnoses=diagnoses,
            lines=lines,
            charge=claim.charge_cents,
            insurance_balance=claim.insurance_balance_cents,
            patient_balance=claim.patient_balance_cents,
            created_at=claim.created_at,
            submitted_at=claim.submitted_at,
            history=history,
            primary_claim_id=claim.primary_claim_id,
            prior_payers=self._prior_payers(claim),
        )

    def _prior_payers(self, claim: Claim) -> tuple[PriorPayer, ...]:
        """The adjudications of the claims before this one in its COB chain, primary first."""
        chain = []
        current = claim.primary_claim_id
        while current is not None:
            earlier = Claim.get_by_id(current)
            chain.append(earlier)
            current = earlier.primary_claim_id
        return tuple(self._adjudication(earlier) for earlier in reversed(chain))

    def _adjudication(self, claim: Claim) -> PriorPayer:
        reversal = LedgerEntry.alias("rev")
        entries = (
            LedgerEntry.select(
                LedgerEntry.kind, LedgerEntry.insurance_delta, LedgerEntry.patient_delta,
                LedgerEntry.group_code, LedgerEntry.reason_code, LedgerEntry.effective_date,
                ServiceLine.line_number,
            )
            .join(ServiceLine, JOIN.LEFT_OUTER, on=(ServiceLine.id == LedgerEntry.service_line))
            .where(
                (LedgerEntry.claim == claim.id)
                & LedgerEntry.reverses.is_null()
                & ~fn.EXISTS(reversal.select(reversal.id).where(reversal.reverses == LedgerEntry.id))
            )
            .order_by(LedgerEntry.id)
            .tuples()
        )  # fmt: skip
        paid: dict[int | None, int] = defaultdict(int)
        adjustments: dict[int | None, list[tuple[str, str, int]]] = defaultdict(list)
        paid_date = None
        for kind, insurance, patient, group, reason, effective, line_number in entries:
            if kind == EntryKind.PAYMENT and insurance < 0:
                paid[line_number] += -insurance
                paid_date = max(paid_date or effective, effective)
            elif kind == EntryKind.ADJUSTMENT and group and insurance < 0:
                adjustments[line_number].append((group, reason, -insurance))
            elif kind == EntryKind.TRANSFER and group == "PR" and patient > 0:
                adjustments[line_number].append((group, reason, patient))
        lines = tuple(
            LineAdjudication(
                line_number=line.line_number,
                code=line.code,
                modifiers=tuple(
                    m for m in (line.modifier1, line.modifier2, line.modifier3, line.modifier4) if m
                ),
                units=line.units,
                paid=paid.get(line.line_number, 0),
                adjustments=tuple(adjustments.get(line.line_number, ())),
            )  # fmt: skip
            for line in live_lines(claim.id)
        )
        return PriorPayer(
            claim_id=claim.id,
            coverage=_coverage(claim.coverage_id),
            paid=sum(paid.values()),
            paid_date=paid_date,
            claim_adjustments=tuple(adjustments.get(None, ())),
            lines=lines,
        )

    def choices(self, patient_id: int) -> ClaimChoices:
        coverages = (
            Coverage.select(Coverage, Payer)
            .join(Payer, on=(Payer.id == Coverage.payer), attr="payer_row")
            .where((Coverage.patient == patient_id) & (Coverage.active == True))  # noqa: E712
            .order_by(Coverage.priority, Coverage.start_date.desc())
        )
        return ClaimChoices(
            billing_providers=tuple(
                billing_provider_record(b)
                for b in BillingProvider.select().order_by(BillingProvider.id)
            ),
            providers=tuple(
                provider_record(p)
                for p in Provider.select()
                .where(Provider.active == True)  # noqa: E712
                .order_by(Provider.last_name, Provider.first_name)
            ),
            referring=tuple(
                referring_record(r)
                for r in ReferringProvider.select().order_by(ReferringProvider.last_name)
            ),
            coverages=tuple(coverage_detail(c, c.payer_row) for c in coverages),
        )

    def fee(self, code: str, modifier: str = "") -> FeeRecord | None:
        """The fee schedule's charge for a code (with its modifier if priced apart, else plain)."""
        code = code.strip().upper()
        rows = list(
            FeeSchedule.select()
            .where((FeeSchedule.code == code) & (FeeSchedule.modifier.in_([modifier.upper(), ""])))
            .order_by(FeeSchedule.modifier.desc())
        )
        if not rows:
            return None
        row = rows[0]
        return FeeRecord(row.code, row.modifier, row.description, row.charge_cents)

    def fees(self) -> tuple[FeeRecord, ...]:
        return tuple(
            FeeRecord(r.code, r.modifier, r.description, r.charge_cents)
            for r in FeeSchedule.select().order_by(FeeSchedule.code, FeeSchedule.modifier)
        )

    def billed_elsewhere(
        self, claim_id: int | None, patient_id: int, payer_id: int | None, pairs
    ) -> set[tuple]:
        """(DOS, code) pairs of these that another live claim to the same payer already bills.

        Drafts (not billed yet), voided and corrected claims and void requests do not
        count, and neither do claims to other payers (a secondary claim bills the same
        visit again, rightly).
        """
        pairs = {(dos, code.upper()) for dos, code in pairs}
        if not pairs:
            return set()
        dates = sorted({dos for dos, _ in pairs})
        query = (
            ServiceLine.select(ServiceLine.dos_from, ServiceLine.code)
            .join(Claim, on=(Claim.id == ServiceLine.claim))
            .where(
                (Claim.patient == patient_id)
                & (Claim.payer.is_null() if payer_id is None else (Claim.payer == payer_id))
                & (Claim.status.not_in([status.value for status in NOT_STANDING]))
                & (Claim.frequency != "8")
                & ServiceLine.dos_from.in_(dates)
                & (ServiceLine.line_number > 0)
            )
            .tuples()
        )
        if claim_id is not None:
            query = query.where(Claim.id != claim_id)
        return {(dos, code) for dos, code in query} & pairs
