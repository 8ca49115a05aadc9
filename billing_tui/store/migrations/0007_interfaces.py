"""Interfaces issue: HL7 v2 and CSV coming in. A patient's medical record number from the
EHR (PID-3), unique when present; every inbound HL7 message received (its control ID,
MSH-10, makes a resend import once), what came of it and the ACK it got; and a link from
the inbound-errors worklist to the message that failed.
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

    class InboundMessage(Model):
        id = AutoField()
        sender = CharField(max_length=80, default='')
        control_id = CharField(max_length=50, null=True)
        message_type = CharField(max_length=16, default='')
        status = CharField(max_length=10)
        ack_code = CharField(max_length=2)
        detail = CharField(max_length=300, default='')
        source = CharField(max_length=255, default='')
        position = IntegerField(default=0)
        patient = ForeignKeyField(Patient, null=True, on_delete='RESTRICT', index=False)
        claims = CharField(max_length=200, default='')
        raw = TextField(default='')
        attempts = SmallIntegerField(default=1)
        received_at = DateTimeField()
        received_by = ForeignKeyField(AppUser, null=True, on_delete='RESTRICT', index=False)
        class Meta:
            database = db
            table_name = 'inbound_message'
            indexes = ((('sender', 'control_id'), True), (('status', 'id'), False))

    db.create_tables([InboundMessage])
    migrator.migrate(
        migrator.add_column('patient', 'mrn', CharField(max_length=20, null=True)),
        migrator.add_column('work_item', 'inbound_message_id', ForeignKeyField(
            InboundMessage, field=InboundMessage.id, null=True, on_delete='RESTRICT',
            index=False)),
    )
    db.execute_sql('CREATE UNIQUE INDEX patient_mrn ON patient (mrn)')


def down(migrator, db):
    db.execute_sql('DROP INDEX patient_mrn')
    migrator.migrate(
        migrator.drop_column('work_item', 'inbound_message_id'),
        migrator.drop_column('patient', 'mrn'),
        migrator.drop_table('inbound_message'),
    )
