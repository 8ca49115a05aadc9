"""Patient-side issue: statement runs and what each statement printed, payment plans and the
payments that go to them, late fees, write-offs and waivers waiting for a supervisor,
collection placements, and the letters and emails of the contact log.

Columns that are NOT NULL with a default are added with plain ALTER TABLE (the same text
on SQLite and PostgreSQL): peewee's migrator would fill them with an UPDATE, and the
ledger's append-only trigger refuses every UPDATE of a posted entry.
"""
from peewee import *


def up(migrator, db):
    class AppUser(Model):
        class Meta:
            database = db
            table_name = 'app_user'

    class Patient(Model):
        class Meta:
            database = db
            table_name = 'patient'

    class Claim(Model):
        class Meta:
            database = db
            table_name = 'claim'

    class Note(Model):
        class Meta:
            database = db
            table_name = 'note'

    class LedgerEntry(Model):
        class Meta:
            database = db
            table_name = 'ledger_entry'

    class PaymentPlan(Model):
        class Meta:
            database = db
            table_name = 'payment_plan'

    class Statement(Model):
        class Meta:
            database = db
            table_name = 'statement'

    class StatementRun(Model):
        statement_date = DateField()
        file_name = CharField(max_length=255)
        statements = IntegerField(default=0)
        pages = IntegerField(default=0)
        total_due_cents = BigIntegerField(default=0)
        min_balance_cents = BigIntegerField(default=0)
        created_at = DateTimeField()
        created_by = ForeignKeyField(AppUser, null=True, on_delete='RESTRICT', index=False)
        class Meta:
            database = db
            table_name = 'statement_run'

    db.create_tables([StatementRun])

    migrator.migrate(
        migrator.add_column('statement', 'run_id', ForeignKeyField(
            StatementRun, field=StatementRun.id, null=True, on_delete='RESTRICT')),
        migrator.add_column('payment', 'plan_id', ForeignKeyField(
            PaymentPlan, field=PaymentPlan.id, null=True, on_delete='RESTRICT')),
        migrator.add_column('payment_plan', 'ended_at', DateTimeField(null=True)),
        migrator.add_column('payment_plan', 'ended_by_id', ForeignKeyField(
            AppUser, field=AppUser.id, null=True, on_delete='RESTRICT', index=False)),
        migrator.add_column('account_summary', 'plan_next_due', DateField(null=True)),
    )
    for table, column, kind in (
        ('statement', 'balance_cents', 'BIGINT NOT NULL DEFAULT 0'),
        ('statement', 'pages', 'SMALLINT NOT NULL DEFAULT 1'),
        ('payment_plan', 'instalments', 'SMALLINT NOT NULL DEFAULT 0'),
        ('payment_plan', 'end_reason', "VARCHAR(200) NOT NULL DEFAULT ''"),
        ('ledger_entry', 'category', "VARCHAR(16) NOT NULL DEFAULT ''"),
        ('note', 'document', "VARCHAR(255) NOT NULL DEFAULT ''"),
    ):
        db.execute_sql(f'ALTER TABLE {table} ADD COLUMN {column} {kind}')
    # Statements from before: the balance they stated was what they asked for.
    db.execute_sql('UPDATE statement SET balance_cents = amount_due_cents')

    class LateFee(Model):
        patient = ForeignKeyField(Patient, on_delete='RESTRICT')
        statement = ForeignKeyField(Statement, unique=True, on_delete='RESTRICT')
        entry = ForeignKeyField(LedgerEntry, unique=True, on_delete='RESTRICT')
        amount_cents = BigIntegerField()
        assessed_on = DateField()
        created_by = ForeignKeyField(AppUser, null=True, on_delete='RESTRICT', index=False)
        class Meta:
            database = db
            table_name = 'late_fee'

    class AdjustmentRequest(Model):
        patient = ForeignKeyField(Patient, on_delete='RESTRICT')
        claim = ForeignKeyField(Claim, null=True, on_delete='RESTRICT', index=False)
        late_fee = ForeignKeyField(LateFee, null=True, on_delete='RESTRICT', index=False)
        entry = ForeignKeyField(LedgerEntry, null=True, on_delete='RESTRICT', index=False)
        kind = CharField(max_length=10)
        category = CharField(max_length=16)
        amount_cents = BigIntegerField()
        reason = CharField(max_length=200)
        status = CharField(max_length=10)
        requested_at = DateTimeField()
        requested_by = ForeignKeyField(AppUser, null=True, on_delete='RESTRICT', index=False)
        decided_at = DateTimeField(null=True)
        decided_by = ForeignKeyField(AppUser, null=True, on_delete='RESTRICT', index=False)
        decision_note = CharField(max_length=200, default='')
        class Meta:
            database = db
            table_name = 'adjustment_request'
            indexes = ((('status', 'id'), False),)

    class CollectionPlacement(Model):
        patient = ForeignKeyField(Patient, on_delete='RESTRICT')
        statement = ForeignKeyField(Statement, null=True, on_delete='RESTRICT', index=False)
        agency = CharField(max_length=60)
        amount_cents = BigIntegerField()
        reason = CharField(max_length=200)
        entries = TextField(default='[]')
        placed_at = DateTimeField()
        placed_by = ForeignKeyField(AppUser, null=True, on_delete='RESTRICT', index=False)
        recalled_at = DateTimeField(null=True)
        recalled_by = ForeignKeyField(AppUser, null=True, on_delete='RESTRICT', index=False)
        recall_reason = CharField(max_length=200, default='')
        class Meta:
            database = db
            table_name = 'collection_placement'

    class OutboundMessage(Model):
        patient = ForeignKeyField(Patient, on_delete='RESTRICT')
        note = ForeignKeyField(Note, null=True, on_delete='RESTRICT', index=False)
        channel = CharField(max_length=6)
        template = CharField(max_length=24)
        recipient = CharField(max_length=120, default='')
        subject = CharField(max_length=200, default='')
        file_name = CharField(max_length=255)
        status = CharField(max_length=8)
        attempts = SmallIntegerField(default=0)
        last_error = CharField(max_length=300, default='')
        created_at = DateTimeField()
        created_by = ForeignKeyField(AppUser, null=True, on_delete='RESTRICT', index=False)
        sent_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'outbound_message'
            indexes = ((('status', 'id'), False),)

    db.create_tables([LateFee, AdjustmentRequest, CollectionPlacement, OutboundMessage])


def down(migrator, db):
    for table in ('outbound_message', 'collection_placement', 'adjustment_request', 'late_fee'):
        migrator.migrate(migrator.drop_table(table))
    migrator.migrate(
        migrator.drop_column('note', 'document'),
        migrator.drop_column('account_summary', 'plan_next_due'),
        migrator.drop_column('payment_plan', 'end_reason'),
        migrator.drop_column('payment_plan', 'instalments'),
        migrator.drop_column('payment_plan', 'ended_by_id'),
        migrator.drop_column('payment_plan', 'ended_at'),
        migrator.drop_column('payment', 'plan_id'),
        migrator.drop_column('statement', 'pages'),
        migrator.drop_column('statement', 'balance_cents'),
        migrator.drop_column('statement', 'run_id'),
    )
    migrator.migrate(migrator.drop_table('statement_run'))
