"""Scrubbing saved claims (ClaimDetail or rows in bulk -> ClaimFacts -> findings); estimates."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from ..domain import icd10
from ..domain.claims import NOT_STANDING
from ..domain.estimate import Estimate, PlanTerms, estimate_claim
from ..domain.scrubber import (
    ClaimFacts,
    CoverageFacts,
    Finding,
    LineFacts,
    PersonFacts,
    ProviderFacts,
    first_error,
    scrub,
)
from .cache import chunked
from .models import (
    BillingProvider,
    Claim,
    ClaimDiagnosis,
    Coverage,
    FeeSchedule,
    Patient,
    Payer,
    Provider,
    ReferringProvider,
    ServiceLine,
)
from .records.account import PatientRecord
from .records.claims import ClaimDetail, CoverageDetail, ProviderRecord
from .session import StoreRefused

Findings = tuple[Finding, ...]
# Claims that no longer bill their lines: a duplicate on one of these is no duplicate.
_NOT_STANDING = tuple(status.value for status in NOT_STANDING)


class ClaimScrubbing:
    """Mixed into store.claims (beside ClaimReader's get and billed_elsewhere)."""

    def facts(self, detail: ClaimDetail) -> ClaimFacts:
        """What the scrubber reads about a saved claim, with its fee schedule and duplicates."""
        payer_id = detail.coverage.payer.id if detail.coverage else None
        pairs = {(line.dos_from, line.code) for line in detail.lines}
        already = self.billed_elsewhere(detail.id, detail.patient.id, payer_id, pairs)
        return claim_facts(detail, known_codes(), frozenset(already))

    def scrub(self, claim_id: int) -> Findings:
        """The claim's findings today: errors first, in field order (StoreRefused: no such claim)."""
        return scrub(self.facts(self.get(claim_id)), self._session.today())

    def scrub_details(self, details: Iterable[ClaimDetail]) -> dict[int, Findings]:
        """Findings for claims already read whole (the 837P export holds them): one lookup for all."""
        details = list(details)
        known = known_codes()
        billed = _billed_elsewhere_many(
            (
                d.id,
                d.patient.id,
                d.coverage.payer.id if d.coverage else None,
                {(line.dos_from, line.code) for line in d.lines},
            )
            for d in details
        )
        today = self._session.today()
        return {d.id: scrub(claim_facts(d, known, billed[d.id]), today) for d in details}

    def scrub_many(self, claim_ids: Iterable[int]) -> dict[int, Findings]:
        """Findings for many claims, read in a few queries per 500 (unknown ids are left out)."""
        today = self._session.today()
        known = known_codes()
        found: dict[int, Findings] = {}
        for ids in chunked(sorted(set(claim_ids))):
            for facts_id, facts in _facts_many(ids, known):
                found[facts_id] = scrub(facts, today)
        return found

    def with_status(self, status: str) -> tuple[int, ...]:
        """Ids of the claims in a status, oldest first (e.g. every ready claim, to scrub)."""
        return tuple(
            claim_id
            for (claim_id,) in Claim.select(Claim.id)
            .where(Claim.status == status)
            .order_by(Claim.id)
            .tuples()
        )

    def claim_numbers(self, claim_ids: Iterable[int]) -> dict[int, str]:
        """claim id -> claim number, in the order given (unknown ids are left out)."""
        claim_ids = list(claim_ids)
        numbers = {}
        for ids in chunked(sorted(set(claim_ids))):
            numbers.update(
                Claim.select(Claim.id, Claim.claim_number).where(Claim.id.in_(ids)).tuples()
            )
        return {claim_id: numbers[claim_id] for claim_id in claim_ids if claim_id in numbers}

    def estimate(self, claim_id: int) -> Estimate | None:
        """What the patient will likely owe on the claim; None for a self-pay claim (all of it)."""
        return claim_estimate(self.get(claim_id))

    # Used by set_status: a claim with a scrubber error cannot become ready.

    def warm_scrubber(self) -> None:
        """Read the billable ICD-10-CM codes (once) before a write lock is taken."""
        icd10.billable_codes()

    def refuse_unclean(self, claim_id: int) -> None:
        error = first_error(self.scrub(claim_id))
        if error is not None:
            raise StoreRefused(error.message)


# --------------------------------------------------------------------------- one claim


def known_codes() -> frozenset[str]:
    return frozenset(code for (code,) in FeeSchedule.select(FeeSchedule.code).distinct().tuples())


def plan_terms(coverage: CoverageDetail) -> PlanTerms:
    # What is met of the deductible counts toward the out-of-pocket maximum too; nothing
    # else met is on record, so the cap is taken as far away as the facts allow.
    return PlanTerms(
        copay=coverage.copay,
        deductible=coverage.deductible,
        deductible_met=coverage.deductible_met,
        coinsurance_bp=coverage.coinsurance_bp,
        oop_max=coverage.oop_max,
        oop_met=coverage.deductible_met,
    )


def claim_estimate(detail: ClaimDetail) -> Estimate | None:
    """The estimate from the claim's charges and its coverage's terms; one copay per date."""
    if detail.coverage is None:
        return None
    visits = len({line.dos_from for line in detail.lines}) or 1
    return estimate_claim(
        [line.charge for line in detail.lines], plan_terms(detail.coverage), visits=visits
    )


# What the scrubber reads of the records: the Store's scrub and the editor's use these.


def person_facts(patient: PatientRecord) -> PersonFacts:
    return PersonFacts(
        first_name=patient.first_name,
        last_name=patient.last_name,
        dob=patient.dob,
        sex=patient.sex,
        address1=patient.address1,
        city=patient.city,
        state=patient.state,
        zip=patient.zip,
    )


def subscriber_facts(coverage: CoverageDetail) -> PersonFacts:
    """The subscriber as the coverage records them."""
    address = coverage.subscriber_address
    return PersonFacts(
        first_name=coverage.subscriber_first,
        last_name=coverage.subscriber_last,
        dob=coverage.subscriber_dob,
        sex=coverage.subscriber_sex,
        address1=address.line1,
        city=address.city,
        state=address.state,
        zip=address.zip,
    )


def coverage_facts(coverage: CoverageDetail) -> CoverageFacts:
    return CoverageFacts(
        payer_name=coverage.payer.name,
        payer_kind=coverage.payer.kind,
        timely_filing_days=coverage.payer.timely_filing_days,
        member_id=coverage.member_id,
        relationship=coverage.relationship,
        subscriber=subscriber_facts(coverage),
        start_date=coverage.start_date,
        end_date=coverage.end_date,
    )


def provider_facts(provider: ProviderRecord | None) -> ProviderFacts | None:
    if provider is None:
        return None
    return ProviderFacts(
        npi=provider.npi,
        credential=provider.credential,
        name=f"{provider.first_name} {provider.last_name}",
        has_supervisor=provider.supervising_id is not None,
    )


def claim_facts(
    detail: ClaimDetail, known: frozenset[str], already_billed: frozenset[tuple[dt.date, str]]
) -> ClaimFacts:
    return ClaimFacts(
        patient=person_facts(detail.patient),
        coverage=coverage_facts(detail.coverage) if detail.coverage is not None else None,
        billing_npi=detail.billing_provider.npi,
        rendering=provider_facts(detail.rendering),
        supervising=provider_facts(detail.supervising),
        referring_npi=detail.referring.npi if detail.referring else None,
        place_of_service=detail.place_of_service,
        frequency=detail.frequency,
        original_claim_number=detail.original_claim_number,
        diagnoses=detail.diagnoses,
        lines=tuple(
            LineFacts(
                line.dos_from,
                line.dos_to,
                line.code,
                line.modifiers,
                line.pointers,
                line.units,
                line.charge,
            )
            for line in detail.lines
        ),  # fmt: skip
        total=detail.charge,
        known_codes=known,
        already_billed=already_billed,
        first_billed=detail.submitted_at.date() if detail.submitted_at else None,
    )


# --------------------------------------------------------------------------- in bulk


def _billed_elsewhere_many(
    claims: Iterable[tuple[int, int, int | None, set[tuple[dt.date, str]]]],
) -> dict[int, frozenset[tuple[dt.date, str]]]:
    """ClaimReader.billed_elsewhere for many (claim id, patient id, payer id, pairs) at once."""
    claims = list(claims)
    # (patient, payer, dos, code) -> the live claims that bill it
    billing: dict[tuple, set[int]] = defaultdict(set)
    for patients in chunked(sorted({patient for _, patient, _, _ in claims})):
        rows = (
            ServiceLine.select(
                Claim.id, Claim.patient, Claim.payer, ServiceLine.dos_from, ServiceLine.code
            )
            .join(Claim, on=(Claim.id == ServiceLine.claim))
            .where(
                Claim.patient.in_(patients)
                & Claim.status.not_in(_NOT_STANDING)
                & (Claim.frequency != "8")
                & (ServiceLine.line_number > 0)
            )
            .tuples()
        )  # fmt: skip
        for claim_id, patient, payer, dos, code in rows:
            billing[patient, payer, dos, code].add(claim_id)
    return {
        claim_id: frozenset(
            (dos, code.upper())
            for dos, code in pairs
            if billing.get((patient, payer, dos, code.upper()), set()) - {claim_id}
        )
        for claim_id, patient, payer, pairs in claims
    }


def _facts_many(ids: list[int], known: frozenset[str]) -> Iterable[tuple[int, ClaimFacts]]:
    """ClaimFacts for up to a chunk of claims, straight from rows (no ClaimDetail in between)."""
    claims = list(
        Claim.select(
            Claim.id, Claim.patient, Claim.coverage, Claim.payer, Claim.billing_provider,
            Claim.rendering_provider, Claim.supervising_provider, Claim.referring_provider,
            Claim.place_of_service, Claim.frequency, Claim.original_claim_number,
            Claim.charge_cents, Claim.submitted_at,
        )
        .where(Claim.id.in_(ids))
        .tuples()
    )  # fmt: skip
    if not claims:
        return []
    patients = {
        row[0]: PersonFacts(*row[1:])
        for row in Patient.select(
            Patient.id, Patient.first_name, Patient.last_name, Patient.dob, Patient.sex,
            Patient.address1, Patient.city, Patient.state, Patient.zip,
        )
        .where(Patient.id.in_({c[1] for c in claims}))
        .tuples()
    }  # fmt: skip
    coverages = {
        row[0]: CoverageFacts(
            payer_name=row[1], payer_kind=row[2], timely_filing_days=row[3], member_id=row[4],
            relationship=row[5], subscriber=PersonFacts(*row[6:14]), start_date=row[14],
            end_date=row[15],
        )
        for row in Coverage.select(
            Coverage.id, Payer.name, Payer.kind, Payer.timely_filing_days, Coverage.member_id,
            Coverage.relationship, Coverage.subscriber_first, Coverage.subscriber_last,
            Coverage.subscriber_dob, Coverage.subscriber_sex, Coverage.subscriber_address1,
            Coverage.subscriber_city, Coverage.subscriber_state, Coverage.subscriber_zip,
            Coverage.start_date, Coverage.end_date,
        )
        .join(Payer, on=(Payer.id == Coverage.payer))
        .where(Coverage.id.in_({c[2] for c in claims if c[2]}))
        .tuples()
    }  # fmt: skip
    providers = {
        row[0]: ProviderFacts(row[1], row[2], f"{row[3]} {row[4]}", row[5] is not None)
        for row in Provider.select(
            Provider.id, Provider.npi, Provider.credential, Provider.first_name,
            Provider.last_name, Provider.supervising,
        )
        .where(Provider.id.in_({i for c in claims for i in (c[5], c[6]) if i}))
        .tuples()
    }  # fmt: skip
    billing_npis = dict(BillingProvider.select(BillingProvider.id, BillingProvider.npi).tuples())
    referring_npis = dict(
        ReferringProvider.select(ReferringProvider.id, ReferringProvider.npi)
        .where(ReferringProvider.id.in_({c[7] for c in claims if c[7]}))
        .tuples()
    )
    lines: dict[int, list[LineFacts]] = defaultdict(list)
    for row in (
        ServiceLine.select(
            ServiceLine.claim, ServiceLine.dos_from, ServiceLine.dos_to, ServiceLine.code,
            ServiceLine.modifier1, ServiceLine.modifier2, ServiceLine.modifier3,
            ServiceLine.modifier4, ServiceLine.pointer1, ServiceLine.pointer2,
            ServiceLine.pointer3, ServiceLine.pointer4, ServiceLine.units,
            ServiceLine.charge_cents,
        )
        .where(ServiceLine.claim.in_(ids) & (ServiceLine.line_number > 0))
        .order_by(ServiceLine.claim, ServiceLine.line_number)
        .tuples()
    ):  # fmt: skip
        lines[row[0]].append(
            LineFacts(
                row[1], row[2], row[3], tuple(m for m in row[4:8] if m),
                tuple(p for p in row[8:12] if p), row[12], row[13],
            )
        )  # fmt: skip
    diagnoses: dict[int, list[str]] = defaultdict(list)
    for claim_id, code in (
        ClaimDiagnosis.select(ClaimDiagnosis.claim, ClaimDiagnosis.code)
        .where(ClaimDiagnosis.claim.in_(ids))
        .order_by(ClaimDiagnosis.claim, ClaimDiagnosis.position)
        .tuples()
    ):
        diagnoses[claim_id].append(code)
    billed = _billed_elsewhere_many(
        (c[0], c[1], c[3], {(line.dos_from, line.code) for line in lines[c[0]]}) for c in claims
    )
    return [
        (
            claim_id,
            ClaimFacts(
                patient=patients[patient_id],
                coverage=coverages.get(coverage_id),
                billing_npi=billing_npis.get(billing_id, ""),
                rendering=providers.get(rendering_id),
                supervising=providers.get(supervising_id),
                referring_npi=referring_npis.get(referring_id) if referring_id else None,
                place_of_service=pos,
                frequency=frequency,
                original_claim_number=original,
                diagnoses=tuple(diagnoses[claim_id]),
                lines=tuple(lines[claim_id]),
                total=charge,
                known_codes=known,
                already_billed=billed[claim_id],
                first_billed=submitted.date() if submitted else None,
            ),
        )
        for (
            claim_id, patient_id, coverage_id, _payer, billing_id, rendering_id, supervising_id,
            referring_id, pos, frequency, original, charge, submitted,
        ) in claims
    ]  # fmt: skip
