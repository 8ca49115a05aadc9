"""A small synthetic practice for the store tests: reference rows straight into the models
(the Store has no API for providers and payers yet), everything else through the Store API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from billing_tui.domain.claims import ClaimStatus
from billing_tui.domain.npi import npi_check_digit
from billing_tui.store import Store
from billing_tui.store.cache import refresh_accounts
from billing_tui.store.models import BillingProvider, Coverage, Payer, Provider, Statement
from billing_tui.store.records import ClaimDraft, CoverageDraft, EntryDraft, LineDraft, PatientDraft

TODAY = dt.date(2026, 11, 24)  # the same day as tests/conftest.py's TODAY

PAYERS = (
    ("Medicare Part B", "MCR01", "medicare"),
    ("State Medicaid", "MCD01", "medicaid"),
    ("Acme Health", "ACME1", "commercial"),
)


def npi(stem: str) -> str:
    return stem + npi_check_digit(stem)


class Clock:
    """Today's date for a Store, moved by the test (follow-ups can only be set for today on)."""

    def __init__(self, today: dt.date) -> None:
        self.today = today

    def __call__(self) -> dt.date:
        return self.today


@dataclass(frozen=True)
class Practice:
    """Ids of the reference rows, and short-hands for what the tests create over and over."""

    store: Store
    billing_provider_id: int
    provider_id: int
    payers: dict[str, int]  # payer name -> id

    def patient(
        self,
        last: str = "Doe",
        first: str = "Jane",
        dob: dt.date = dt.date(1960, 1, 2),
        **fields,
    ) -> int:
        draft = PatientDraft(
            first_name=first,
            last_name=last,
            dob=dob,
            sex=fields.pop("sex", "F"),
            address1="1 Elm St",
            city="Springfield",
            state="IL",
            zip="62701",
            **fields,
        )
        return self.store.accounts.create_patient(draft)

    def coverage(self, patient_id: int, payer: str = "Medicare Part B", **fields) -> int:
        draft = CoverageDraft(
            patient_id=patient_id,
            payer_id=self.payers[payer],
            member_id=fields.pop("member_id", "MBR123"),
            start_date=fields.pop("start_date", dt.date(2020, 1, 1)),
            **fields,
        )
        return self.store.accounts.add_coverage(draft)

    def claim(
        self,
        patient_id: int,
        *charges: int,
        dos: dt.date = dt.date(2026, 10, 1),
        coverage_id: int | None = None,
    ) -> int:
        """A draft claim with one service line per charge (cents), all on one date of service."""
        lines = tuple(
            LineDraft(dos_from=dos, code="99213", charge=charge) for charge in charges or (10_000,)
        )
        draft = ClaimDraft(
            patient_id=patient_id,
            billing_provider_id=self.billing_provider_id,
            rendering_provider_id=self.provider_id,
            place_of_service="11",
            lines=lines,
            diagnoses=("J06.9",),
            coverage_id=coverage_id,
        )
        return self.store.claims.create(draft)

    def billed_claim(self, patient_id: int, *charges: int, **options) -> int:
        """A claim moved to ready, so that its charges are on the ledger."""
        claim_id = self.claim(patient_id, *charges, **options)
        self.store.claims.set_status(claim_id, ClaimStatus.READY)
        return claim_id

    def post(self, patient_id: int, kind: str, insurance: int = 0, patient: int = 0, **fields):
        """Post one entry; returns its id."""
        draft = EntryDraft(
            patient_id=patient_id,
            kind=kind,
            insurance_delta=insurance,
            patient_delta=patient,
            **fields,
        )
        (entry_id,) = self.store.ledger.post([draft])
        return entry_id

    # The Store has no API for these yet (statements and back-dated verifications come with
    # later issues): write the rows and refresh the account's summary as a posting would.

    def verified_on(self, coverage_id: int, when: dt.date) -> None:
        with self.store.db.atomic():
            row = Coverage.get_by_id(coverage_id)
            stamp = dt.datetime.combine(when, dt.time(9, 30))
            Coverage.update(verified_at=stamp).where(Coverage.id == coverage_id).execute()
            refresh_accounts([row.patient_id])

    def statement_on(self, patient_id: int, when: dt.date, amount: int = 0) -> None:
        with self.store.db.atomic():
            Statement.create(
                patient=patient_id,
                statement_date=when,
                cycle=1,
                amount_due_cents=amount,
                due_date=when + dt.timedelta(days=30),
                content="{}",
            )
            refresh_accounts([patient_id])


def build_practice(store: Store) -> Practice:
    with store.db.atomic():
        billing = BillingProvider.create(
            name="Synthetic Family Practice",
            npi=npi("123456789"),
            ein="990000001",
            taxonomy="207Q00000X",
            address1="100 Main St",
            city="Springfield",
            state="IL",
            zip="62701",
        )
        provider = Provider.create(
            first_name="Ada", last_name="Quill", credential="MD", npi=npi("198765432")
        )
        payers = {
            name: Payer.create(name=name, payer_code=code, kind=kind).id
            for name, code, kind in PAYERS
        }
    return Practice(store, billing.id, provider.id, payers)
