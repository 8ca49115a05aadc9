"""Security issue: a user's OS login (the CLI acts as the user mapped to it), when they last
signed in and changed their password; how each audit row came (`via`: tui, cli, serve);
the audit chain's head (its last row and count, so that deleting the newest rows is caught
too); indexes for the audit screen's filters; and the audit trail made append-only by the
database itself, like the ledger.
"""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('app_user', 'os_login', CharField(max_length=64, null=True)),
        migrator.add_column('app_user', 'last_login_at', DateTimeField(null=True)),
        migrator.add_column('app_user', 'password_changed_at', DateTimeField(null=True)),
    )
    db.execute_sql("ALTER TABLE audit_log ADD COLUMN via VARCHAR(40) NOT NULL DEFAULT ''")
    db.execute_sql('CREATE UNIQUE INDEX app_user_os_login ON app_user (os_login)')
    db.execute_sql('CREATE INDEX audit_log_username ON audit_log (username, id)')
    db.execute_sql('CREATE INDEX audit_log_action ON audit_log (action, id)')

    class AuditHead(Model):
        id = IntegerField(primary_key=True)
        last_id = BigIntegerField(default=0)
        last_hash = CharField(max_length=64, default='')
        rows = BigIntegerField(default=0)
        class Meta:
            database = db
            table_name = 'audit_head'
    db.create_tables([AuditHead])
    last = db.execute_sql('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').fetchone()
    (rows,) = db.execute_sql('SELECT COUNT(*) FROM audit_log').fetchone()
    db.execute_sql(
        'INSERT INTO audit_head (id, last_id, last_hash, rows) VALUES (1, %s, %s, %s)'
        if isinstance(db, PostgresqlDatabase)
        else 'INSERT INTO audit_head (id, last_id, last_hash, rows) VALUES (1, ?, ?, ?)',
        (last[0] if last else 0, last[1] if last else '', rows),
    )
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql(
            "CREATE OR REPLACE FUNCTION billing_audit_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$ LANGUAGE plpgsql"
        )
        db.execute_sql(
            'CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log '
            'FOR EACH ROW EXECUTE FUNCTION billing_audit_append_only()'
        )
    else:
        for event in ('UPDATE', 'DELETE'):
            db.execute_sql(
                f'CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log '
                "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
            )


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql('DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log')
    else:
        for event in ('update', 'delete'):
            db.execute_sql(f'DROP TRIGGER IF EXISTS audit_log_no_{event}')
    migrator.migrate(migrator.drop_table('audit_head'))
    db.execute_sql('DROP INDEX audit_log_action')
    db.execute_sql('DROP INDEX audit_log_username')
    db.execute_sql('DROP INDEX app_user_os_login')
    migrator.migrate(
        migrator.drop_column('audit_log', 'via'),
        migrator.drop_column('app_user', 'password_changed_at'),
        migrator.drop_column('app_user', 'last_login_at'),
        migrator.drop_column('app_user', 'os_login'),
    )
