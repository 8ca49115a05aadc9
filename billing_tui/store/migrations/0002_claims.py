"""Claims issue: secondary claims point at their primary; outbound X12 files and what went in them."""
from peewee import *


def up(migrator, db):
    class Claim(Model):
        class Meta:
            database = db
            table_name = 'claim'

    class AppUser(Model):
        class Meta:
            database = db
            table_name = 'app_user'

    migrator.migrate(
        migrator.add_column(
            'claim', 'primary_claim_id',
            ForeignKeyField(Claim, field=Claim.id, null=True, on_delete='RESTRICT'),
        )
    )

    class X12Interchange(Model):
        kind = CharField(max_length=4)
        file_name = CharField(max_length=255)
        transactions = IntegerField(default=0)
        created_at = DateTimeField()
        created_by = ForeignKeyField(AppUser, null=True, on_delete='RESTRICT', index=False)
        class Meta:
            database = db
            table_name = 'x12_interchange'

    class ClaimSubmission(Model):
        claim = ForeignKeyField(Claim, on_delete='RESTRICT')
        interchange = ForeignKeyField(X12Interchange, on_delete='RESTRICT')
        at = DateTimeField()
        class Meta:
            database = db
            table_name = 'claim_submission'

    db.create_tables([X12Interchange, ClaimSubmission])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('claim_submission'))
    migrator.migrate(migrator.drop_table('x12_interchange'))
    migrator.migrate(migrator.drop_column('claim', 'primary_claim_id'))
