"""A patient's record and coverages as the edit forms read and write them, field by field."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

PATIENT_FIELDS = (
    "last_name",
    "first_name",
    "middle_name",
    "dob",
    "sex",
    "address1",
    "address2",
    "city",
    "state",
    "zip",
    "phone",
    "email",
    "contact_preference",
)
"""What update_patient may change (the account number and the version are the Store's)."""

GUARANTOR_FIELDS = (
    "last_name",
    "first_name",
    "relationship",
    "dob",
    "address1",
    "address2",
    "city",
    "state",
    "zip",
    "phone",
    "email",
)

COVERAGE_FIELDS = (
    "payer_id",
    "member_id",
    "group_number",
    "relationship",
    "subscriber_last",
    "subscriber_first",
    "subscriber_dob",
    "subscriber_sex",
    "subscriber_address1",
    "subscriber_city",
    "subscriber_state",
    "subscriber_zip",
    "start_date",
    "end_date",
    "copay",
    "deductible",
    "deductible_met",
    "coinsurance_bp",
    "oop_max",
)
"""What update_coverage may change; priority moves with reorder_coverages, the end with end_coverage."""


@dataclass(frozen=True, slots=True)
class GuarantorDetails:
    """The person responsible for the bill when it is not the patient."""

    last_name: str
    first_name: str
    relationship: str  # parent, spouse, other
    address1: str
    city: str
    state: str
    zip: str
    dob: dt.date | None = None
    address2: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True, slots=True)
class PatientDetails:
    id: int
    account_number: str
    version: int
    last_name: str
    first_name: str
    middle_name: str
    dob: dt.date
    sex: str
    address1: str
    address2: str
    city: str
    state: str
    zip: str
    phone: str
    email: str
    contact_preference: str
    guarantor: GuarantorDetails | None
    mrn: str = ""  # the EHR's medical record number, '' when none was sent


@dataclass(frozen=True, slots=True)
class CoverageDetails:
    id: int
    patient_id: int
    priority: int
    active: bool
    payer_id: int
    payer_name: str
    payer_kind: str
    member_id: str
    group_number: str
    relationship: str  # X12: 18 self, 01 spouse, 19 child, G8 other
    subscriber_last: str
    subscriber_first: str
    subscriber_dob: dt.date | None
    subscriber_sex: str
    subscriber_address1: str
    subscriber_city: str
    subscriber_state: str
    subscriber_zip: str
    start_date: dt.date
    end_date: dt.date | None
    copay: int  # cents
    deductible: int
    deductible_met: int
    coinsurance_bp: int  # 2000 = 20%
    oop_max: int
