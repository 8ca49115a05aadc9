"""Reports issue: closed days (a day's posting locked once it is closed, until a supervisor
reopens it), and the indexes the reports walk: denials by status change, the ledger by
posting date (productivity) and by effective date (the KPIs' money).
"""
from peewee import *


def up(migrator, db):
    class AppUser(Model):
        class Meta:
            database = db
            table_name = 'app_user'

    class ClosedDay(Model):
        day = DateField(primary_key=True)
        closed_at = DateTimeField()
        closed_by = ForeignKeyField(AppUser, null=True, on_delete='RESTRICT', index=False)
        reopened_at = DateTimeField(null=True)
        reopened_by = ForeignKeyField(AppUser, null=True, on_delete='RESTRICT', index=False)
        reopen_reason = CharField(max_length=200, default='')
        class Meta:
            database = db
            table_name = 'closed_day'
    db.create_tables([ClosedDay])
    # Each index covers what its report reads, so the report never visits the table:
    # denials (status changes to denied), productivity (the ledger by posting time),
    # the KPIs (the ledger's money by date; claims by date of service and status), and
    # aging (only the claims with a balance: a partial index).
    for sql in INDEXES:
        db.execute_sql(sql)


INDEXES = (
    'CREATE INDEX claim_status_change_to_status ON claim_status_change '
    '(to_status, at, claim_id, reason)',
    'CREATE INDEX ledger_entry_posted_at ON ledger_entry (posted_at, user_id, kind)',
    'CREATE INDEX ledger_entry_effective ON ledger_entry '
    '(effective_date, kind, group_code, insurance_delta, patient_delta)',
    'CREATE INDEX claim_first_dos_status ON claim (first_dos, status)',
    'CREATE INDEX claim_open_balance ON claim '
    '(payer_id, first_dos, insurance_balance_cents, patient_balance_cents) '
    'WHERE insurance_balance_cents != 0 OR patient_balance_cents != 0',
)


def down(migrator, db):
    for index in ('claim_open_balance', 'claim_first_dos_status', 'ledger_entry_effective',
                  'ledger_entry_posted_at', 'claim_status_change_to_status'):
        db.execute_sql(f'DROP INDEX {index}')
    migrator.migrate(migrator.drop_table('closed_day'))
