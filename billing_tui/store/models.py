"""Peewee models of the whole billing domain. Private to the store: screens and the CLI use Store.

Money columns are integer cents (suffix _cents, or the *_delta of a ledger entry).
Schema changes go through a numbered migration in store/migrations/.
"""

from __future__ import annotations

import datetime as dt

from peewee import (
    AutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    DeferredForeignKey,
    ForeignKeyField,
    IntegerField,
    Model,
    SmallIntegerField,
    TextField,
)

from .db import database


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


# --------------------------------------------------------------------------- people and roles


class User(BaseModel):
    id = AutoField()
    username = CharField(max_length=64, unique=True)
    name = CharField(max_length=100)
    role = CharField(max_length=16)  # specialist, supervisor, admin, support
    password_hash = CharField(max_length=255, null=True)
    active = BooleanField(default=True)
    failed_logins = SmallIntegerField(default=0)
    locked_until = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)
    os_login = CharField(max_length=64, null=True, unique=True)  # the CLI acts as this user
    last_login_at = DateTimeField(null=True)
    password_changed_at = DateTimeField(null=True)

    class Meta:
        table_name = "app_user"


class AuditLog(BaseModel):
    """Who did what, when; before/after as JSON. Rows chain by hash (prev_hash -> hash)."""

    id = AutoField()
    at = DateTimeField(default=utcnow, index=True)
    user = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    username = CharField(max_length=64)
    action = CharField(max_length=32)  # create, update, view, reverse, ...
    entity = CharField(max_length=32)
    entity_id = BigIntegerField(null=True)
    patient_id = BigIntegerField(null=True, index=True)
    before = TextField(null=True)
    after = TextField(null=True)
    prev_hash = CharField(max_length=64, default="")
    hash = CharField(max_length=64, default="")
    via = CharField(max_length=40, default="")  # tui, serve, cli (with the OS login)


class AuditHead(BaseModel):
    """The one row that remembers the audit chain's end: deleting its newest rows shows."""

    id = IntegerField(primary_key=True)
    last_id = BigIntegerField(default=0)
    last_hash = CharField(max_length=64, default="")
    rows = BigIntegerField(default=0)


# --------------------------------------------------------------------------- providers and payers


class BillingProvider(BaseModel):
    id = AutoField()
    name = CharField(max_length=60)
    npi = CharField(max_length=10)
    ein = CharField(max_length=9)
    taxonomy = CharField(max_length=10)
    address1 = CharField(max_length=55)
    address2 = CharField(max_length=55, default="")
    city = CharField(max_length=30)
    state = CharField(max_length=2)
    zip = CharField(max_length=9)
    phone = CharField(max_length=10, default="")


class Provider(BaseModel):
    """A rendering provider; a non-physician may bill incident-to under a supervising one."""

    id = AutoField()
    first_name = CharField(max_length=35)
    last_name = CharField(max_length=60)
    credential = CharField(max_length=8)  # MD, DO, NP, PA, LCSW, ...
    npi = CharField(max_length=10, unique=True)
    taxonomy = CharField(max_length=10, default="")
    supervising = ForeignKeyField("self", null=True, on_delete="RESTRICT", backref="supervisees")
    active = BooleanField(default=True)


class ReferringProvider(BaseModel):
    id = AutoField()
    first_name = CharField(max_length=35)
    last_name = CharField(max_length=60)
    npi = CharField(max_length=10, unique=True)


class Payer(BaseModel):
    id = AutoField()
    name = CharField(max_length=60)
    payer_code = CharField(max_length=80, unique=True)  # the payer ID (NM109 of the 837's payer)
    kind = CharField(max_length=12)  # medicare, medicaid, commercial, self_pay
    timely_filing_days = IntegerField(default=365)
    address1 = CharField(max_length=55, default="")
    address2 = CharField(max_length=55, default="")
    city = CharField(max_length=30, default="")
    state = CharField(max_length=2, default="")
    zip = CharField(max_length=9, default="")
    phone = CharField(max_length=10, default="")


# --------------------------------------------------------------------------- patients and coverage


class Guarantor(BaseModel):
    """The person responsible for the bill when it is not the patient."""

    id = AutoField()
    first_name = CharField(max_length=35)
    last_name = CharField(max_length=60)
    relationship = CharField(max_length=12)  # parent, spouse, other
    dob = DateField(null=True)
    address1 = CharField(max_length=55)
    address2 = CharField(max_length=55, default="")
    city = CharField(max_length=30)
    state = CharField(max_length=2)
    zip = CharField(max_length=9)
    phone = CharField(max_length=10, default="")
    email = CharField(max_length=80, default="")


class Patient(BaseModel):
    """A patient and their account (one account per patient)."""

    id = AutoField()
    account_number = CharField(max_length=20, unique=True)
    first_name = CharField(max_length=35)
    middle_name = CharField(max_length=25, default="")
    last_name = CharField(max_length=60)
    dob = DateField(index=True)
    sex = CharField(max_length=1)  # F, M, U
    ssn = CharField(max_length=9, null=True)
    address1 = CharField(max_length=55)
    address2 = CharField(max_length=55, default="")
    city = CharField(max_length=30)
    state = CharField(max_length=2)
    zip = CharField(max_length=9)
    phone = CharField(max_length=10, default="")
    email = CharField(max_length=80, default="")
    contact_preference = CharField(max_length=8, default="mail")  # mail, phone, email, text
    guarantor = ForeignKeyField(Guarantor, null=True, on_delete="RESTRICT")
    # Folded names for search-as-you-type (domain.search.search_key); indexed together below.
    search_last = CharField(max_length=64)
    search_first = CharField(max_length=64)
    created_at = DateTimeField(default=utcnow)
    version = IntegerField(default=1)  # optimistic locking of the account
    mrn = CharField(max_length=20, null=True, unique=True)  # the EHR's record number (PID-3)

    class Meta:
        indexes = ((("search_last", "search_first", "id"), False),)


class Coverage(BaseModel):
    id = AutoField()
    patient = ForeignKeyField(Patient, backref="coverages", on_delete="RESTRICT", index=False)
    priority = SmallIntegerField()  # 1 primary, 2 secondary, 3 tertiary
    payer = ForeignKeyField(Payer, on_delete="RESTRICT")
    member_id = CharField(max_length=80)
    group_number = CharField(max_length=50, default="")
    relationship = CharField(
        max_length=2, default="18"
    )  # X12 SBR02/PAT01: 18 self, 01 spouse, 19 child, G8 other
    subscriber_first = CharField(max_length=35)
    subscriber_last = CharField(max_length=60)
    subscriber_dob = DateField(null=True)
    subscriber_sex = CharField(max_length=1, default="U")
    subscriber_address1 = CharField(max_length=55, default="")
    subscriber_city = CharField(max_length=30, default="")
    subscriber_state = CharField(max_length=2, default="")
    subscriber_zip = CharField(max_length=9, default="")
    start_date = DateField()
    end_date = DateField(null=True)
    copay_cents = IntegerField(default=0)
    deductible_cents = IntegerField(default=0)
    deductible_met_cents = IntegerField(default=0)
    coinsurance_bp = IntegerField(default=0)  # basis points: 2000 = 20%
    oop_max_cents = IntegerField(default=0)
    verified_at = DateTimeField(null=True)
    verified_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    verified_how = CharField(max_length=12, default="")  # portal, phone, 270/271
    verification_result = CharField(max_length=200, default="")
    active = BooleanField(default=True)

    class Meta:
        indexes = ((("patient", "priority"), False),)


class FeeSchedule(BaseModel):
    id = AutoField()
    code = CharField(max_length=5)
    modifier = CharField(max_length=2, default="")
    description = CharField(max_length=80)
    charge_cents = IntegerField()

    class Meta:
        indexes = ((("code", "modifier"), True),)


# --------------------------------------------------------------------------- claims


class Claim(BaseModel):
    id = AutoField()
    claim_number = CharField(max_length=20, unique=True)  # CLM01, our patient control number
    patient = ForeignKeyField(Patient, backref="claims", on_delete="RESTRICT", index=False)
    coverage = ForeignKeyField(Coverage, null=True, on_delete="RESTRICT")  # None: self-pay
    payer = ForeignKeyField(Payer, null=True, on_delete="RESTRICT", index=True)
    billing_provider = ForeignKeyField(BillingProvider, on_delete="RESTRICT")
    rendering_provider = ForeignKeyField(Provider, on_delete="RESTRICT", index=True)
    supervising_provider = ForeignKeyField(Provider, null=True, on_delete="RESTRICT", index=False)
    referring_provider = ForeignKeyField(
        ReferringProvider, null=True, on_delete="RESTRICT", index=False
    )
    place_of_service = CharField(max_length=2)
    frequency = CharField(max_length=1, default="1")  # 1 original, 7 replacement, 8 void
    original_claim_number = CharField(max_length=50, null=True)  # payer's number, REF*F8
    payer_claim_number = CharField(max_length=50, null=True, index=True)  # CLP07 from the 835
    prior_authorization = CharField(max_length=50, null=True)
    status = CharField(max_length=16, index=True)
    first_dos = DateField()
    last_dos = DateField()
    charge_cents = BigIntegerField(default=0)  # = sum of the lines' charges
    # Cached from the ledger; `billing-tui verify` recomputes them.
    insurance_balance_cents = BigIntegerField(default=0)
    patient_balance_cents = BigIntegerField(default=0)
    created_at = DateTimeField(default=utcnow)
    created_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", index=False)
    submitted_at = DateTimeField(null=True)
    version = IntegerField(default=1)  # optimistic locking
    # A secondary (or tertiary) claim points at the claim whose adjudication it carries (COB).
    primary_claim = ForeignKeyField("self", null=True, on_delete="RESTRICT", backref="secondaries")
    # Set when an 835 says the payer forwarded the claim to the next payer (CLP02 19/20/21).
    forwarded_at = DateField(null=True)

    class Meta:
        indexes = ((("patient", "first_dos"), False),)


class ClaimStatusChange(BaseModel):
    id = AutoField()
    claim = ForeignKeyField(Claim, backref="history", on_delete="RESTRICT")
    from_status = CharField(max_length=16, null=True)
    to_status = CharField(max_length=16)
    at = DateTimeField(default=utcnow)
    user = ForeignKeyField(User, null=True, on_delete="RESTRICT", index=False)
    reason = CharField(max_length=200, default="")


class ClaimDiagnosis(BaseModel):
    id = AutoField()
    claim = ForeignKeyField(Claim, backref="diagnoses", on_delete="RESTRICT", index=False)
    position = SmallIntegerField()  # 1..12, the pointer the lines use
    code = CharField(max_length=8)  # ICD-10-CM without its dot

    class Meta:
        indexes = ((("claim", "position"), True),)


class ServiceLine(BaseModel):
    """A line of a claim. A line that postings point at is never deleted: when a draft is
    re-edited it is retired (line_number = -id), keeping the ledger's history whole."""

    id = AutoField()
    claim = ForeignKeyField(Claim, backref="lines", on_delete="RESTRICT", index=False)
    line_number = SmallIntegerField()
    dos_from = DateField()
    dos_to = DateField()
    code = CharField(max_length=5)  # CPT/HCPCS
    modifier1 = CharField(max_length=2, default="")
    modifier2 = CharField(max_length=2, default="")
    modifier3 = CharField(max_length=2, default="")
    modifier4 = CharField(max_length=2, default="")
    pointer1 = SmallIntegerField(default=1)
    pointer2 = SmallIntegerField(null=True)
    pointer3 = SmallIntegerField(null=True)
    pointer4 = SmallIntegerField(null=True)
    units = IntegerField(default=1)
    charge_cents = BigIntegerField()
    line_control_number = CharField(max_length=30)  # REF*6R, echoed back in the 835
    ndc = CharField(max_length=11, null=True)

    class Meta:
        indexes = ((("claim", "line_number"), True),)


class X12Interchange(BaseModel):
    """One outbound X12 file (837P, 270): its id is the ISA13/GS06 control number, never reused."""

    id = AutoField()
    kind = CharField(max_length=4)  # 837, 270
    file_name = CharField(max_length=255)
    transactions = IntegerField(default=0)  # claims in an 837, requests in a 270
    created_at = DateTimeField(default=utcnow)
    created_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", index=False)


class ClaimSubmission(BaseModel):
    """A claim sent in an interchange: the history of what went where."""

    id = AutoField()
    claim = ForeignKeyField(Claim, backref="submissions", on_delete="RESTRICT")
    interchange = ForeignKeyField(X12Interchange, on_delete="RESTRICT")
    at = DateTimeField(default=utcnow)


# --------------------------------------------------------------------------- money in


class RemittanceImport(BaseModel):
    """One 835 payment (ST..SE) imported; payer + trace number identify the money."""

    id = AutoField()
    payer = ForeignKeyField(Payer, null=True, on_delete="RESTRICT")
    payer_identifier = CharField(max_length=50)  # TRN03
    trace_number = CharField(max_length=50)  # TRN02
    payment_cents = BigIntegerField()
    file_name = CharField(max_length=255)
    file_digest = CharField(max_length=64, index=True)  # sha256 of the file
    imported_at = DateTimeField(default=utcnow)
    imported_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", index=False)

    class Meta:
        indexes = ((("payer_identifier", "trace_number"), True),)


class PaymentBatch(BaseModel):
    id = AutoField()
    kind = CharField(max_length=12)  # insurance, patient
    payer = ForeignKeyField(Payer, null=True, on_delete="RESTRICT")
    method = CharField(max_length=8, default="check")  # check, eft, cash, card, mixed
    check_number = CharField(max_length=50, default="")  # check or EFT trace number
    deposit_date = DateField(index=True)
    control_total_cents = BigIntegerField()
    posted_total_cents = BigIntegerField(default=0)  # cached sum of its payments
    status = CharField(max_length=8, default="open")  # open, closed
    remittance = ForeignKeyField(RemittanceImport, null=True, on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)
    created_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", index=False)
    closed_at = DateTimeField(null=True)
    closed_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", index=False)
    version = IntegerField(default=1)


class Payment(BaseModel):
    """Money received. Cards keep brand, last 4 and authorization code: never the full number."""

    id = AutoField()
    batch = ForeignKeyField(PaymentBatch, null=True, backref="payments", on_delete="RESTRICT")
    patient = ForeignKeyField(Patient, null=True, on_delete="RESTRICT")
    payer = ForeignKeyField(Payer, null=True, on_delete="RESTRICT", index=False)
    method = CharField(max_length=8)  # cash, check, card, eft
    amount_cents = BigIntegerField()
    check_number = CharField(max_length=50, default="")
    card_brand = CharField(max_length=12, default="")
    card_last4 = CharField(max_length=4, default="")
    auth_code = CharField(max_length=12, default="")
    received_date = DateField()
    memo = CharField(max_length=200, default="")
    created_at = DateTimeField(default=utcnow)
    created_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", index=False)
    # A refund or a reversed payment: money going back out, recorded against what it undoes.
    reverses = ForeignKeyField("self", null=True, unique=True, on_delete="RESTRICT")
    # A patient payment taken while a payment plan is active counts toward that plan.
    plan = DeferredForeignKey("PaymentPlan", null=True, on_delete="RESTRICT")


class LedgerEntry(BaseModel):
    """Append-only: never updated or deleted (triggers refuse it); a correction reverses."""

    id = AutoField()
    patient = ForeignKeyField(Patient, on_delete="RESTRICT", index=False)
    claim = ForeignKeyField(Claim, null=True, on_delete="RESTRICT", index=False)
    service_line = ForeignKeyField(ServiceLine, null=True, on_delete="RESTRICT", index=False)
    payment = ForeignKeyField(Payment, null=True, on_delete="RESTRICT")
    batch = ForeignKeyField(PaymentBatch, null=True, on_delete="RESTRICT", index=False)
    kind = CharField(max_length=12)  # domain.ledger.EntryKind
    insurance_delta = BigIntegerField(default=0)
    patient_delta = BigIntegerField(default=0)
    effective_date = DateField()  # date of service for charges, deposit date for money
    posted_at = DateTimeField(default=utcnow)
    user = ForeignKeyField(User, null=True, on_delete="RESTRICT", index=False)
    reverses = ForeignKeyField("self", null=True, unique=True, on_delete="RESTRICT")
    group_code = CharField(max_length=2, default="")  # CAS group: CO, PR, OA, PI, CR
    reason_code = CharField(max_length=5, default="")  # CARC
    remark_codes = CharField(max_length=60, default="")  # RARCs, space separated
    memo = CharField(max_length=200, default="")
    # What an adjustment or fee of our own is (domain.adjustments.Category): bad_debt,
    # waiver, small_balance, ...; '' for a payer's adjustments (their CAS says) and the rest.
    category = CharField(max_length=16, default="")

    class Meta:
        indexes = (
            (("patient", "id"), False),
            (("claim", "id"), False),
        )


class RemittanceClaim(BaseModel):
    """One CLP of an imported 835 and what became of it: posted, denied, forwarded,
    reversed, or held for a person (exception), with the adjudication kept as JSON."""

    id = AutoField()
    remittance = ForeignKeyField(RemittanceImport, backref="claims", on_delete="RESTRICT")
    batch = ForeignKeyField(PaymentBatch, on_delete="RESTRICT", index=False)
    claim = ForeignKeyField(Claim, null=True, on_delete="RESTRICT")
    claim_number = CharField(max_length=50)  # CLP01 as sent back
    payer_claim_number = CharField(max_length=50, default="", index=True)  # CLP07
    status_code = CharField(max_length=2)  # CLP02
    charge_cents = BigIntegerField()
    paid_cents = BigIntegerField()
    patient_resp_cents = BigIntegerField(default=0)
    outcome = CharField(max_length=10)  # posted, denied, forwarded, reversal, exception, resolved
    reasons = CharField(max_length=200, default="")  # "CO-45 PR-2", every CAS of the claim
    remarks = CharField(max_length=200, default="")  # RARCs
    message = CharField(max_length=300, default="")  # why it is an exception
    segment = IntegerField(default=0)  # where the CLP is in its file
    detail = TextField(default="")  # JSON of the adjudication, to post it later by hand

    class Meta:
        indexes = ((("batch", "id"), False),)


class InboundMessage(BaseModel):
    """An HL7 v2 message received (from a file or over MLLP): what came of it and its ACK.
    The sender (MSH-3^MSH-4) and control ID (MSH-10) name it: a resend imports once."""

    id = AutoField()
    sender = CharField(max_length=80, default="")
    control_id = CharField(max_length=50, null=True)  # None: the message had no usable MSH
    message_type = CharField(max_length=16, default="")  # ADT^A04, DFT^P03, ...
    status = CharField(max_length=10)  # imported, failed
    ack_code = CharField(max_length=2)  # AA, AE, AR
    detail = CharField(max_length=300, default="")  # what it did, or why it failed
    source = CharField(max_length=255, default="")  # the file, or "mllp" and the peer
    position = IntegerField(default=0)  # its number in the file or the connection
    patient = ForeignKeyField(Patient, null=True, on_delete="RESTRICT", index=False)
    claims = CharField(max_length=200, default="")  # the draft claims' ids, space separated
    raw = TextField(default="")  # the message as received, segments split by \r
    attempts = SmallIntegerField(default=1)
    received_at = DateTimeField(default=utcnow)
    received_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", index=False)

    class Meta:
        indexes = ((("sender", "control_id"), True), (("status", "id"), False))


class WorkItem(BaseModel):
    """A worklist entry: a denial to work, an ERA claim a person must match or post
    (exception), a claim crossed over to the next payer (secondary), or an inbound HL7
    message that could not be imported (inbound)."""

    id = AutoField()
    kind = CharField(max_length=10)  # denial, exception, secondary, inbound
    patient = ForeignKeyField(Patient, null=True, on_delete="RESTRICT", index=False)
    claim = ForeignKeyField(Claim, null=True, on_delete="RESTRICT")
    remittance_claim = ForeignKeyField(
        RemittanceClaim, null=True, on_delete="RESTRICT", index=False
    )
    batch = ForeignKeyField(PaymentBatch, null=True, on_delete="RESTRICT", index=False)
    reason = CharField(max_length=300)
    opened_at = DateTimeField(default=utcnow)
    opened_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", index=False)
    closed_at = DateTimeField(null=True)
    closed_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", index=False)
    resolution = CharField(max_length=200, default="")
    inbound_message = ForeignKeyField(InboundMessage, null=True, on_delete="RESTRICT", index=False)

    class Meta:
        indexes = ((("kind", "closed_at", "id"), False),)


class BatchAdjustment(BaseModel):
    """A provider-level adjustment (835 PLB, or typed from a paper EOB): not any one
    claim's. A positive amount is withheld from the payment; a negative one adds to it."""

    id = AutoField()
    batch = ForeignKeyField(PaymentBatch, backref="adjustments", on_delete="RESTRICT")
    # The claim a recoupment is for, when its reference is a payer claim number of ours.
    claim = ForeignKeyField(Claim, null=True, on_delete="RESTRICT", index=False)
    reason = CharField(max_length=4)  # WO recoupment, L6 interest, FB forward balance, ...
    reference = CharField(max_length=50, default="")  # often the ICN a recoupment is for
    provider_id = CharField(max_length=50, default="")
    fiscal_period = DateField(null=True)
    amount_cents = BigIntegerField()
    memo = CharField(max_length=200, default="")
    created_at = DateTimeField(default=utcnow)
    created_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", index=False)


# --------------------------------------------------------------------------- the patient side


class ClosedDay(BaseModel):
    """A day whose posting is closed: nothing more is posted with its date until a
    supervisor reopens it (reopened_at set; closing it again clears it)."""

    day = DateField(primary_key=True)
    closed_at = DateTimeField(default=utcnow)
    closed_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", index=False)
    reopened_at = DateTimeField(null=True)
    reopened_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", index=False)
    reopen_reason = CharField(max_length=200, default="")


class Note(BaseModel):
    """A contact or note on an account, with an optional follow-up."""

    id = AutoField()
    patient = ForeignKeyField(Patient, backref="notes", on_delete="RESTRICT", index=False)
    kind = CharField(max_length=8)  # call, email, letter, note
    direction = CharField(max_length=8, default="")  # in, out, or '' for internal notes
    outcome = CharField(max_length=60, default="")
    text = TextField()
    follow_up = DateField(null=True)
    assignee = ForeignKeyField(User, null=True, on_delete="RESTRICT", index=False)
    follow_up_done_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)
    created_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", index=False)
    document = CharField(max_length=255, default="")  # the letter's PDF or the email's .eml

    class Meta:
        indexes = ((("patient", "created_at"), False),)


class StatementRun(BaseModel):
    """One `billing-tui statements` run: one PDF holding every statement it printed."""

    id = AutoField()
    statement_date = DateField()
    file_name = CharField(max_length=255)
    statements = IntegerField(default=0)
    pages = IntegerField(default=0)
    total_due_cents = BigIntegerField(default=0)
    min_balance_cents = BigIntegerField(default=0)
    created_at = DateTimeField(default=utcnow)
    created_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", index=False)


class Statement(BaseModel):
    id = AutoField()
    patient = ForeignKeyField(Patient, backref="statements", on_delete="RESTRICT")
    statement_date = DateField()
    cycle = SmallIntegerField()  # 1 reminder, 2 past due, 3 final notice, ...
    amount_due_cents = BigIntegerField()
    due_date = DateField()
    content = TextField()  # JSON of what was printed, so a reprint is the same statement
    created_at = DateTimeField(default=utcnow)
    created_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", index=False)
    run = ForeignKeyField(StatementRun, null=True, on_delete="RESTRICT")
    balance_cents = BigIntegerField(default=0)  # the patient balance it stated
    pages = SmallIntegerField(default=1)


class PaymentPlan(BaseModel):
    id = AutoField()
    patient = ForeignKeyField(Patient, backref="plans", on_delete="RESTRICT")
    total_cents = BigIntegerField()
    instalment_cents = BigIntegerField()
    instalments = SmallIntegerField(default=0)  # how many; the last may be smaller
    start_date = DateField()
    frequency = CharField(max_length=10)  # weekly, biweekly, monthly
    status = CharField(max_length=10, default="active")  # active, completed, broken, cancelled
    created_at = DateTimeField(default=utcnow)
    created_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", index=False)
    version = IntegerField(default=1)
    ended_at = DateTimeField(null=True)
    ended_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", index=False)
    end_reason = CharField(max_length=200, default="")


class LateFee(BaseModel):
    """A late fee assessed on a statement left unpaid: at most one per statement."""

    id = AutoField()
    patient = ForeignKeyField(Patient, on_delete="RESTRICT")
    statement = ForeignKeyField(Statement, unique=True, on_delete="RESTRICT")
    entry = ForeignKeyField(LedgerEntry, unique=True, on_delete="RESTRICT")
    amount_cents = BigIntegerField()
    assessed_on = DateField()
    created_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", index=False)


class AdjustmentRequest(BaseModel):
    """A write-off or waiver above the limit a specialist may post: it waits for a supervisor."""

    id = AutoField()
    patient = ForeignKeyField(Patient, on_delete="RESTRICT")
    claim = ForeignKeyField(Claim, null=True, on_delete="RESTRICT", index=False)
    late_fee = ForeignKeyField(LateFee, null=True, on_delete="RESTRICT", index=False)
    # The first ledger entry it posted (a write-off over several visits posts several).
    entry = ForeignKeyField(LedgerEntry, null=True, on_delete="RESTRICT", index=False)
    kind = CharField(max_length=10)  # write_off, waiver
    category = CharField(max_length=16)  # domain.adjustments.Category
    amount_cents = BigIntegerField()
    reason = CharField(max_length=200)
    status = CharField(max_length=10)  # posted (within the limit), pending, approved, declined
    requested_at = DateTimeField(default=utcnow)
    requested_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", index=False)
    decided_at = DateTimeField(null=True)
    decided_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", index=False)
    decision_note = CharField(max_length=200, default="")

    class Meta:
        indexes = ((("status", "id"), False),)


class CollectionPlacement(BaseModel):
    """An account sent to a collection agency, with the bad-debt entries that cleared it;
    recalled by reversing them."""

    id = AutoField()
    patient = ForeignKeyField(Patient, on_delete="RESTRICT")
    statement = ForeignKeyField(Statement, null=True, on_delete="RESTRICT", index=False)
    agency = CharField(max_length=60)
    amount_cents = BigIntegerField()
    reason = CharField(max_length=200)
    entries = TextField(default="[]")  # JSON list of the bad-debt ledger entry ids
    placed_at = DateTimeField(default=utcnow)
    placed_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", index=False)
    recalled_at = DateTimeField(null=True)
    recalled_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", index=False)
    recall_reason = CharField(max_length=200, default="")


class OutboundMessage(BaseModel):
    """A letter printed or an email written for a patient: its file, and for an email
    whether it has gone (an email that failed to send stays queued in the outbox)."""

    id = AutoField()
    patient = ForeignKeyField(Patient, on_delete="RESTRICT")
    note = ForeignKeyField(Note, null=True, on_delete="RESTRICT", index=False)
    channel = CharField(max_length=6)  # email, letter
    template = CharField(max_length=24)
    recipient = CharField(max_length=120, default="")
    subject = CharField(max_length=200, default="")
    file_name = CharField(max_length=255)
    status = CharField(max_length=8)  # queued, sent (email); printed (letter)
    attempts = SmallIntegerField(default=0)
    last_error = CharField(max_length=300, default="")
    created_at = DateTimeField(default=utcnow)
    created_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", index=False)
    sent_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("status", "id"), False),)


# --------------------------------------------------------------------------- the queue's cache


class AccountSummary(BaseModel):
    """One row per account, kept in step with the ledger in the same transaction.

    Everything here is derived (balances, oldest open charge, next follow-up...)
    and `billing-tui verify` recomputes it; it exists so that the queue is a
    walk down an index at a million accounts.
    """

    patient = ForeignKeyField(Patient, primary_key=True, on_delete="RESTRICT")
    insurance_balance_cents = BigIntegerField(default=0)
    patient_balance_cents = BigIntegerField(default=0)
    oldest_open_dos = DateField(null=True)
    priority_key = BigIntegerField()  # domain.queue.priority_key
    last_payment_date = DateField(null=True)
    next_follow_up = DateField(null=True)
    last_statement_date = DateField(null=True)
    denied_claims = IntegerField(default=0)
    primary_payer = ForeignKeyField(Payer, null=True, on_delete="RESTRICT", index=False)
    primary_verified = DateField(null=True)
    primary_ends = DateField(null=True)
    # The due date of the active payment plan's first instalment not yet paid in full
    # (None: no plan, or paid up); past it (and the grace days), the queue flags the account.
    plan_next_due = DateField(null=True)

    class Meta:
        indexes = (
            (("priority_key", "patient"), False),
            (("next_follow_up", "priority_key", "patient"), False),
        )


ALL_MODELS: tuple[type[BaseModel], ...] = (
    User,
    AuditLog,
    BillingProvider,
    Provider,
    ReferringProvider,
    Payer,
    Guarantor,
    Patient,
    Coverage,
    FeeSchedule,
    Claim,
    ClaimStatusChange,
    ClaimDiagnosis,
    ServiceLine,
    X12Interchange,
    ClaimSubmission,
    RemittanceImport,
    PaymentBatch,
    Payment,
    LedgerEntry,
    RemittanceClaim,
    InboundMessage,
    WorkItem,
    BatchAdjustment,
    Note,
    StatementRun,
    Statement,
    PaymentPlan,
    LateFee,
    AdjustmentRequest,
    CollectionPlacement,
    OutboundMessage,
    AccountSummary,
)


def live_lines(claim_id):
    """The claim's current lines (retired ones have negative numbers), in order."""
    return (
        ServiceLine.select()
        .where((ServiceLine.claim == claim_id) & (ServiceLine.line_number > 0))
        .order_by(ServiceLine.line_number)
    )
