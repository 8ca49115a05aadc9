"""Posting issue: what each 835 claim did, the denial/exception worklists, provider-level
adjustments, payment reversals, and claims marked as crossed over to the next payer."""
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

    class RemittanceImport(Model):
        class Meta:
            database = db
            table_name = 'remittance_import'

    class PaymentBatch(Model):
        class Meta:
            database = db
            table_name = 'payment_batch'

    class Payment(Model):
        class Meta:
            database = db
            table_name = 'payment'

    migrator.migrate(
        migrator.add_column('claim', 'forwarded_at', DateField(null=True)),
        migrator.add_column('payment_batch', 'closed_by_id', ForeignKeyField(
            AppUser, field=AppUser.id, null=True, on_delete='RESTRICT', index=False)),
        migrator.add_column('payment', 'reverses_id', ForeignKeyField(
            Payment, field=Payment.id, null=True, unique=True, on_delete='RESTRICT')),
    )

    class RemittanceClaim(Model):
        remittance = ForeignKeyField(RemittanceImport, on_delete='RESTRICT')
        batch = ForeignKeyField(PaymentBatch, on_delete='RESTRICT', index=False)
        claim = ForeignKeyField(Claim, null=True, on_delete='RESTRICT')
        claim_number = CharField(max_length=50)
        payer_claim_number = CharField(max_length=50, default='', index=True)
        status_code = CharField(max_length=2)
        charge_cents = BigIntegerField()
        paid_cents = BigIntegerField()
        patient_resp_cents = BigIntegerField(default=0)
        outcome = CharField(max_length=10)
        reasons = CharField(max_length=200, default='')
        remarks = CharField(max_length=200, default='')
        message = CharField(max_length=300, default='')
        segment = IntegerField(default=0)
        detail = TextField(default='')
        class Meta:
            database = db
            table_name = 'remittance_claim'
            indexes = ((('batch', 'id'), False),)

    class WorkItem(Model):
        kind = CharField(max_length=10)
        patient = ForeignKeyField(Patient, null=True, on_delete='RESTRICT', index=False)
        claim = ForeignKeyField(Claim, null=True, on_delete='RESTRICT')
        remittance_claim = ForeignKeyField(RemittanceClaim, null=True, on_delete='RESTRICT', index=False)
        batch = ForeignKeyField(PaymentBatch, null=True, on_delete='RESTRICT', index=False)
        reason = CharField(max_length=300)
        opened_at = DateTimeField()
        opened_by = ForeignKeyField(AppUser, null=True, on_delete='RESTRICT', index=False)
        closed_at = DateTimeField(null=True)
        closed_by = ForeignKeyField(AppUser, null=True, on_delete='RESTRICT', index=False)
        resolution = CharField(max_length=200, default='')
        class Meta:
            database = db
            table_name = 'work_item'
            indexes = ((('kind', 'closed_at', 'id'), False),)

    class BatchAdjustment(Model):
        batch = ForeignKeyField(PaymentBatch, on_delete='RESTRICT')
        claim = ForeignKeyField(Claim, null=True, on_delete='RESTRICT', index=False)
        reason = CharField(max_length=4)
        reference = CharField(max_length=50, default='')
        provider_id = CharField(max_length=50, default='')
        fiscal_period = DateField(null=True)
        amount_cents = BigIntegerField()
        memo = CharField(max_length=200, default='')
        created_at = DateTimeField()
        created_by = ForeignKeyField(AppUser, null=True, on_delete='RESTRICT', index=False)
        class Meta:
            database = db
            table_name = 'batch_adjustment'

    db.create_tables([RemittanceClaim, WorkItem, BatchAdjustment])


def down(migrator, db):
    for table in ('batch_adjustment', 'work_item', 'remittance_claim'):
        migrator.migrate(migrator.drop_table(table))
    migrator.migrate(
        migrator.drop_column('payment', 'reverses_id'),
        migrator.drop_column('payment_batch', 'closed_by_id'),
        migrator.drop_column('claim', 'forwarded_at'),
    )
