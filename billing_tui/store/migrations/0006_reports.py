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
    db.execute_sql('CREATE INDEX claim_status_change_to_status ON claim_status_change (to_status, at)')
    db.execute_sql('CREATE INDEX ledger_entry_posted_at ON ledger_entry (posted_at)')
    db.execute_sql('CREATE INDEX ledger_entry_effective ON ledger_entry (effective_date, kind)')


def down(migrator, db):
    for index in ('ledger_entry_effective', 'ledger_entry_posted_at',
                  'claim_status_change_to_status'):
        db.execute_sql(f'DROP INDEX {index}')
    migrator.migrate(migrator.drop_table('closed_day'))
