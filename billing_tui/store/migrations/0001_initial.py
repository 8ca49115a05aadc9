"""The whole schema as first released: frozen copies of the models (generated with
`python -m playhouse.migrations ... initial`), plus what peewee cannot declare:
triggers that keep the ledger append-only, and byte-order collation for the
search keys on PostgreSQL so that prefix ranges use their index.
"""
from peewee import *


def up(migrator, db):
    class Guarantor(Model):
        first_name = CharField(max_length=35)
        last_name = CharField(max_length=60)
        relationship = CharField(max_length=12)
        dob = DateField(null=True)
        address1 = CharField(max_length=55)
        address2 = CharField(max_length=55, default='')
        city = CharField(max_length=30)
        state = CharField(max_length=2)
        zip = CharField(max_length=9)
        phone = CharField(max_length=10, default='')
        email = CharField(max_length=80, default='')
        class Meta:
            database = db
            table_name = 'guarantor'
    db.create_tables([Guarantor])

    class Patient(Model):
        account_number = CharField(unique=True, max_length=20)
        first_name = CharField(max_length=35)
        middle_name = CharField(max_length=25, default='')
        last_name = CharField(max_length=60)
        dob = DateField(index=True)
        sex = CharField(max_length=1)
        ssn = CharField(null=True, max_length=9)
        address1 = CharField(max_length=55)
        address2 = CharField(max_length=55, default='')
        city = CharField(max_length=30)
        state = CharField(max_length=2)
        zip = CharField(max_length=9)
        phone = CharField(max_length=10, default='')
        email = CharField(max_length=80, default='')
        contact_preference = CharField(max_length=8, default='mail')
        guarantor = ForeignKeyField(Guarantor, null=True, on_delete='RESTRICT')
        search_last = CharField(max_length=64)
        search_first = CharField(max_length=64)
        created_at = DateTimeField()
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'patient'
            indexes = ((('search_last', 'search_first', 'id'), False),)
    db.create_tables([Patient])

    class Payer(Model):
        name = CharField(max_length=60)
        payer_code = CharField(unique=True, max_length=80)
        kind = CharField(max_length=12)
        timely_filing_days = IntegerField(default=365)
        address1 = CharField(max_length=55, default='')
        address2 = CharField(max_length=55, default='')
        city = CharField(max_length=30, default='')
        state = CharField(max_length=2, default='')
        zip = CharField(max_length=9, default='')
        phone = CharField(max_length=10, default='')
        class Meta:
            database = db
            table_name = 'payer'
    db.create_tables([Payer])

    class AccountSummary(Model):
        patient = ForeignKeyField(Patient, primary_key=True, on_delete='RESTRICT')
        insurance_balance_cents = BigIntegerField(default=0)
        patient_balance_cents = BigIntegerField(default=0)
        oldest_open_dos = DateField(null=True)
        priority_key = BigIntegerField()
        last_payment_date = DateField(null=True)
        next_follow_up = DateField(null=True)
        last_statement_date = DateField(null=True)
        denied_claims = IntegerField(default=0)
        primary_payer = ForeignKeyField(Payer, null=True, on_delete='RESTRICT', index=False)
        primary_verified = DateField(null=True)
        primary_ends = DateField(null=True)
        class Meta:
            database = db
            table_name = 'account_summary'
            indexes = ((('priority_key', 'patient'), False), (('next_follow_up', 'priority_key', 'patient'), False))
    db.create_tables([AccountSummary])

    class User(Model):
        username = CharField(unique=True, max_length=64)
        name = CharField(max_length=100)
        role = CharField(max_length=16)
        password_hash = CharField(null=True)
        active = BooleanField(default=True)
        failed_logins = SmallIntegerField(default=0)
        locked_until = DateTimeField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'app_user'
    db.create_tables([User])

    class AuditLog(Model):
        at = DateTimeField(index=True)
        user = ForeignKeyField(User, null=True, on_delete='RESTRICT')
        username = CharField(max_length=64)
        action = CharField(max_length=32)
        entity = CharField(max_length=32)
        entity_id = BigIntegerField(null=True)
        patient_id = BigIntegerField(index=True, null=True)
        before = TextField(null=True)
        after = TextField(null=True)
        prev_hash = CharField(max_length=64, default='')
        hash = CharField(max_length=64, default='')
        class Meta:
            database = db
            table_name = 'audit_log'
    db.create_tables([AuditLog])

    class BillingProvider(Model):
        name = CharField(max_length=60)
        npi = CharField(max_length=10)
        ein = CharField(max_length=9)
        taxonomy = CharField(max_length=10)
        address1 = CharField(max_length=55)
        address2 = CharField(max_length=55, default='')
        city = CharField(max_length=30)
        state = CharField(max_length=2)
        zip = CharField(max_length=9)
        phone = CharField(max_length=10, default='')
        class Meta:
            database = db
            table_name = 'billing_provider'
    db.create_tables([BillingProvider])

    class Coverage(Model):
        patient = ForeignKeyField(Patient, on_delete='RESTRICT', index=False)
        priority = SmallIntegerField()
        payer = ForeignKeyField(Payer, on_delete='RESTRICT')
        member_id = CharField(max_length=80)
        group_number = CharField(max_length=50, default='')
        relationship = CharField(max_length=2, default='18')
        subscriber_first = CharField(max_length=35)
        subscriber_last = CharField(max_length=60)
        subscriber_dob = DateField(null=True)
        subscriber_sex = CharField(max_length=1, default='U')
        subscriber_address1 = CharField(max_length=55, default='')
        subscriber_city = CharField(max_length=30, default='')
        subscriber_state = CharField(max_length=2, default='')
        subscriber_zip = CharField(max_length=9, default='')
        start_date = DateField()
        end_date = DateField(null=True)
        copay_cents = IntegerField(default=0)
        deductible_cents = IntegerField(default=0)
        deductible_met_cents = IntegerField(default=0)
        coinsurance_bp = IntegerField(default=0)
        oop_max_cents = IntegerField(default=0)
        verified_at = DateTimeField(null=True)
        verified_by = ForeignKeyField(User, null=True, on_delete='RESTRICT')
        verified_how = CharField(max_length=12, default='')
        verification_result = CharField(max_length=200, default='')
        active = BooleanField(default=True)
        class Meta:
            database = db
            table_name = 'coverage'
            indexes = ((('patient', 'priority'), False),)
    db.create_tables([Coverage])

    class Provider(Model):
        first_name = CharField(max_length=35)
        last_name = CharField(max_length=60)
        credential = CharField(max_length=8)
        npi = CharField(unique=True, max_length=10)
        taxonomy = CharField(max_length=10, default='')
        supervising = ForeignKeyField('self', null=True, on_delete='RESTRICT')
        active = BooleanField(default=True)
        class Meta:
            database = db
            table_name = 'provider'
    db.create_tables([Provider])

    class ReferringProvider(Model):
        first_name = CharField(max_length=35)
        last_name = CharField(max_length=60)
        npi = CharField(unique=True, max_length=10)
        class Meta:
            database = db
            table_name = 'referring_provider'
    db.create_tables([ReferringProvider])

    class Claim(Model):
        claim_number = CharField(unique=True, max_length=20)
        patient = ForeignKeyField(Patient, on_delete='RESTRICT', index=False)
        coverage = ForeignKeyField(Coverage, null=True, on_delete='RESTRICT')
        payer = ForeignKeyField(Payer, null=True, on_delete='RESTRICT')
        billing_provider = ForeignKeyField(BillingProvider, on_delete='RESTRICT')
        rendering_provider = ForeignKeyField(Provider, on_delete='RESTRICT')
        supervising_provider = ForeignKeyField(Provider, null=True, on_delete='RESTRICT', index=False)
        referring_provider = ForeignKeyField(ReferringProvider, null=True, on_delete='RESTRICT', index=False)
        place_of_service = CharField(max_length=2)
        frequency = CharField(max_length=1, default='1')
        original_claim_number = CharField(null=True, max_length=50)
        payer_claim_number = CharField(index=True, null=True, max_length=50)
        prior_authorization = CharField(null=True, max_length=50)
        status = CharField(index=True, max_length=16)
        first_dos = DateField()
        last_dos = DateField()
        charge_cents = BigIntegerField(default=0)
        insurance_balance_cents = BigIntegerField(default=0)
        patient_balance_cents = BigIntegerField(default=0)
        created_at = DateTimeField()
        created_by = ForeignKeyField(User, null=True, on_delete='RESTRICT', index=False)
        submitted_at = DateTimeField(null=True)
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'claim'
            indexes = ((('patient', 'first_dos'), False),)
    db.create_tables([Claim])

    class ClaimDiagnosis(Model):
        claim = ForeignKeyField(Claim, on_delete='RESTRICT', index=False)
        position = SmallIntegerField()
        code = CharField(max_length=8)
        class Meta:
            database = db
            table_name = 'claim_diagnosis'
            indexes = ((('claim', 'position'), True),)
    db.create_tables([ClaimDiagnosis])

    class ClaimStatusChange(Model):
        claim = ForeignKeyField(Claim, on_delete='RESTRICT')
        from_status = CharField(null=True, max_length=16)
        to_status = CharField(max_length=16)
        at = DateTimeField()
        user = ForeignKeyField(User, null=True, on_delete='RESTRICT', index=False)
        reason = CharField(max_length=200, default='')
        class Meta:
            database = db
            table_name = 'claim_status_change'
    db.create_tables([ClaimStatusChange])

    class FeeSchedule(Model):
        code = CharField(max_length=5)
        modifier = CharField(max_length=2, default='')
        description = CharField(max_length=80)
        charge_cents = IntegerField()
        class Meta:
            database = db
            table_name = 'fee_schedule'
            indexes = ((('code', 'modifier'), True),)
    db.create_tables([FeeSchedule])

    class ServiceLine(Model):
        claim = ForeignKeyField(Claim, on_delete='RESTRICT', index=False)
        line_number = SmallIntegerField()
        dos_from = DateField()
        dos_to = DateField()
        code = CharField(max_length=5)
        modifier1 = CharField(max_length=2, default='')
        modifier2 = CharField(max_length=2, default='')
        modifier3 = CharField(max_length=2, default='')
        modifier4 = CharField(max_length=2, default='')
        pointer1 = SmallIntegerField(default=1)
        pointer2 = SmallIntegerField(null=True)
        pointer3 = SmallIntegerField(null=True)
        pointer4 = SmallIntegerField(null=True)
        units = IntegerField(default=1)
        charge_cents = BigIntegerField()
        line_control_number = CharField(max_length=30)
        ndc = CharField(null=True, max_length=11)
        class Meta:
            database = db
            table_name = 'service_line'
            indexes = ((('claim', 'line_number'), True),)
    db.create_tables([ServiceLine])

    class RemittanceImport(Model):
        payer = ForeignKeyField(Payer, null=True, on_delete='RESTRICT')
        payer_identifier = CharField(max_length=50)
        trace_number = CharField(max_length=50)
        payment_cents = BigIntegerField()
        file_name = CharField()
        file_digest = CharField(index=True, max_length=64)
        imported_at = DateTimeField()
        imported_by = ForeignKeyField(User, null=True, on_delete='RESTRICT', index=False)
        class Meta:
            database = db
            table_name = 'remittance_import'
            indexes = ((('payer_identifier', 'trace_number'), True),)
    db.create_tables([RemittanceImport])

    class PaymentBatch(Model):
        kind = CharField(max_length=12)
        payer = ForeignKeyField(Payer, null=True, on_delete='RESTRICT')
        method = CharField(max_length=8, default='check')
        check_number = CharField(max_length=50, default='')
        deposit_date = DateField(index=True)
        control_total_cents = BigIntegerField()
        posted_total_cents = BigIntegerField(default=0)
        status = CharField(max_length=8, default='open')
        remittance = ForeignKeyField(RemittanceImport, null=True, on_delete='RESTRICT')
        created_at = DateTimeField()
        created_by = ForeignKeyField(User, null=True, on_delete='RESTRICT', index=False)
        closed_at = DateTimeField(null=True)
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'payment_batch'
    db.create_tables([PaymentBatch])

    class Payment(Model):
        batch = ForeignKeyField(PaymentBatch, null=True, on_delete='RESTRICT')
        patient = ForeignKeyField(Patient, null=True, on_delete='RESTRICT')
        payer = ForeignKeyField(Payer, null=True, on_delete='RESTRICT', index=False)
        method = CharField(max_length=8)
        amount_cents = BigIntegerField()
        check_number = CharField(max_length=50, default='')
        card_brand = CharField(max_length=12, default='')
        card_last4 = CharField(max_length=4, default='')
        auth_code = CharField(max_length=12, default='')
        received_date = DateField()
        memo = CharField(max_length=200, default='')
        created_at = DateTimeField()
        created_by = ForeignKeyField(User, null=True, on_delete='RESTRICT', index=False)
        class Meta:
            database = db
            table_name = 'payment'
    db.create_tables([Payment])

    class LedgerEntry(Model):
        patient = ForeignKeyField(Patient, on_delete='RESTRICT', index=False)
        claim = ForeignKeyField(Claim, null=True, on_delete='RESTRICT', index=False)
        service_line = ForeignKeyField(ServiceLine, null=True, on_delete='RESTRICT', index=False)
        payment = ForeignKeyField(Payment, null=True, on_delete='RESTRICT')
        batch = ForeignKeyField(PaymentBatch, null=True, on_delete='RESTRICT', index=False)
        kind = CharField(max_length=12)
        insurance_delta = BigIntegerField(default=0)
        patient_delta = BigIntegerField(default=0)
        effective_date = DateField()
        posted_at = DateTimeField()
        user = ForeignKeyField(User, null=True, on_delete='RESTRICT', index=False)
        reverses = ForeignKeyField('self', unique=True, null=True, on_delete='RESTRICT')
        group_code = CharField(max_length=2, default='')
        reason_code = CharField(max_length=5, default='')
        remark_codes = CharField(max_length=60, default='')
        memo = CharField(max_length=200, default='')
        class Meta:
            database = db
            table_name = 'ledger_entry'
            indexes = ((('patient', 'id'), False), (('claim', 'id'), False))
    db.create_tables([LedgerEntry])

    class Note(Model):
        patient = ForeignKeyField(Patient, on_delete='RESTRICT', index=False)
        kind = CharField(max_length=8)
        direction = CharField(max_length=8, default='')
        outcome = CharField(max_length=60, default='')
        text = TextField()
        follow_up = DateField(null=True)
        assignee = ForeignKeyField(User, null=True, on_delete='RESTRICT', index=False)
        follow_up_done_at = DateTimeField(null=True)
        created_at = DateTimeField()
        created_by = ForeignKeyField(User, null=True, on_delete='RESTRICT', index=False)
        class Meta:
            database = db
            table_name = 'note'
            indexes = ((('patient', 'created_at'), False),)
    db.create_tables([Note])

    class PaymentPlan(Model):
        patient = ForeignKeyField(Patient, on_delete='RESTRICT')
        total_cents = BigIntegerField()
        instalment_cents = BigIntegerField()
        start_date = DateField()
        frequency = CharField(max_length=10)
        status = CharField(max_length=10, default='active')
        created_at = DateTimeField()
        created_by = ForeignKeyField(User, null=True, on_delete='RESTRICT', index=False)
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'payment_plan'
    db.create_tables([PaymentPlan])

    class Statement(Model):
        patient = ForeignKeyField(Patient, on_delete='RESTRICT')
        statement_date = DateField()
        cycle = SmallIntegerField()
        amount_due_cents = BigIntegerField()
        due_date = DateField()
        content = TextField()
        created_at = DateTimeField()
        created_by = ForeignKeyField(User, null=True, on_delete='RESTRICT', index=False)
        class Meta:
            database = db
            table_name = 'statement'
    db.create_tables([Statement])

    _append_only(db)
    _search_collation(db)

def down(migrator, db):
    migrator.migrate(migrator.drop_table('statement'))
    migrator.migrate(migrator.drop_table('payment_plan'))
    migrator.migrate(migrator.drop_table('note'))
    migrator.migrate(migrator.drop_table('ledger_entry'))
    migrator.migrate(migrator.drop_table('payment'))
    migrator.migrate(migrator.drop_table('payment_batch'))
    migrator.migrate(migrator.drop_table('remittance_import'))
    migrator.migrate(migrator.drop_table('service_line'))
    migrator.migrate(migrator.drop_table('fee_schedule'))
    migrator.migrate(migrator.drop_table('claim_status_change'))
    migrator.migrate(migrator.drop_table('claim_diagnosis'))
    migrator.migrate(migrator.drop_table('claim'))
    migrator.migrate(migrator.drop_table('referring_provider'))
    migrator.migrate(migrator.drop_table('provider'))
    migrator.migrate(migrator.drop_table('coverage'))
    migrator.migrate(migrator.drop_table('billing_provider'))
    migrator.migrate(migrator.drop_table('audit_log'))
    migrator.migrate(migrator.drop_table('app_user'))
    migrator.migrate(migrator.drop_table('account_summary'))
    migrator.migrate(migrator.drop_table('payer'))
    migrator.migrate(migrator.drop_table('patient'))
    migrator.migrate(migrator.drop_table('guarantor'))


APPEND_ONLY = ("ledger_entry",)


def _append_only(db):
    """A posted ledger entry is never updated or deleted: the database itself refuses."""
    for table in APPEND_ONLY:
        if isinstance(db, PostgresqlDatabase):
            db.execute_sql(
                "CREATE OR REPLACE FUNCTION billing_append_only() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION '%% is append-only: post a reversing entry', TG_TABLE_NAME; "
                "END $$ LANGUAGE plpgsql"
            )
            db.execute_sql(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION billing_append_only()"
            )
        else:
            for event in ("UPDATE", "DELETE"):
                db.execute_sql(
                    f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: post a reversing entry'); END"
                )


def _search_collation(db):
    if isinstance(db, PostgresqlDatabase):
        for table, column, length in (
            ("patient", "search_last", 64),
            ("patient", "search_first", 64),
            ("patient", "account_number", 20),
            ("claim", "claim_number", 20),
        ):
            db.execute_sql(
                f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar({length}) COLLATE "C"'
            )
