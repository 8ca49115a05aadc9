"""Users, logins, roles and the hash-chained audit trail, on SQLite and PostgreSQL.

Roles are checked in the Store, whatever the caller: these tests call the Store directly,
as the TUI and the CLI do, and each refusal must change nothing and be in the audit trail.
"""

from __future__ import annotations

import datetime as dt

import pytest
from store_builders import TODAY

from billing_tui.domain.security import mask_id, password_matches
from billing_tui.store import StoreRefused
from billing_tui.store.models import AuditLog, LedgerEntry, Note, Payment, User
from billing_tui.store.records import PatientPaymentDraft
from billing_tui.store.records.users import AuditFilter
from billing_tui.store.session import PermissionRefused
from billing_tui.store.users import LoginRefused

PASSWORD = "correct horse battery"


@pytest.fixture
def staff(store, practice):
    """An admin (the first, so self-made), a supervisor, a specialist and a support user."""
    users = store.users
    users.add("ada", "Ada Admin", "admin", PASSWORD)  # the first admin: the session is Ada now
    for name, role in (("sam", "supervisor"), ("kim", "specialist"), ("sue", "support")):
        users.add(name, name.title(), role, PASSWORD)
    return practice


def refusals(store) -> int:
    return AuditLog.select().where(AuditLog.action == "refused").count()


def raw(store, sql: str, *params) -> None:
    """SQL behind the Store's back; "?" stands for a parameter on either backend."""
    if store.db.__class__.__name__ == "PostgresqlDatabase":
        sql = sql.replace("?", "%s")
    store.db.execute_sql(sql, params)


# --------------------------------------------------------------------------- logins


def test_a_password_is_kept_as_a_slow_salted_hash(store, staff):
    stored = User.get(User.username == "kim").password_hash
    assert stored.startswith("scrypt$16384$8$1$") and PASSWORD not in stored
    assert password_matches(PASSWORD, stored) and not password_matches("wrong one!", stored)
    assert stored != User.get(User.username == "sam").password_hash  # each its own salt


def test_login_and_the_failures_the_trail_keeps(store, staff):
    signed = store.users.login("KIM ", PASSWORD)
    assert (signed.username, signed.role) == ("kim", "specialist")
    assert store.session.username == "kim"
    for username in ("kim", "nobody"):
        with pytest.raises(LoginRefused, match="^wrong username or password$"):
            store.users.login(username, "not the password")
    failed = list(AuditLog.select().where(AuditLog.action == "login_failed").order_by(AuditLog.id))
    assert [row.username for row in failed] == ["kim", "(unknown)"]  # never what was typed
    assert "wrong password" in failed[0].after and "unknown user" in failed[1].after
    assert AuditLog.select().where(AuditLog.action == "login").count() == 1


def test_five_wrong_passwords_lock_the_user_for_15_minutes_then_it_ends(store, staff):
    for attempt in range(1, 6):
        with pytest.raises(LoginRefused) as refused:
            store.users.login("kim", f"guess number {attempt}")
    assert "locked for 15 more minutes" in str(refused.value)
    with pytest.raises(LoginRefused, match="locked"):
        store.users.login("kim", PASSWORD)  # the right password does not open a lock
    row = User.get(User.username == "kim")
    assert row.failed_logins == 5 and row.locked_until is not None
    with store.db.atomic():  # fifteen minutes later
        User.update(locked_until=dt.datetime(2000, 1, 1)).where(User.id == row.id).execute()
    with pytest.raises(LoginRefused, match="^wrong username or password$"):
        store.users.login("kim", "one more guess")  # a fresh count: not locked again at once
    assert store.users.login("kim", PASSWORD).username == "kim"
    assert User.get(User.username == "kim").failed_logins == 0


def test_a_disabled_user_cannot_sign_in_nor_change_anything(store, staff):
    store.users.disable("kim")
    with pytest.raises(LoginRefused, match="disabled"):
        store.users.login("kim", PASSWORD)
    assert AuditLog.select().where(AuditLog.action == "login_failed").count() == 1
    store.users.enable("kim")
    store.users.login("kim", PASSWORD)  # kim works...
    kim = store.session.user_id()
    store.users.act_as("ada")
    store.users.disable("kim")  # ...and is disabled while the session is still open
    store.session.become(kim, "kim")
    with pytest.raises(PermissionRefused, match="disabled"):
        store.accounts.add_note(staff.patient("Lee", "Ann"), "a note")


def test_passwords_and_usernames_the_rules_refuse(store, practice):
    users = store.users
    with pytest.raises(StoreRefused, match="first user is an admin"):
        users.add("kim", "Kim", "specialist", PASSWORD)
    with pytest.raises(StoreRefused, match="at least 10"):
        users.add("ada", "Ada", "admin", "short")
    with pytest.raises(StoreRefused, match="must not contain the username"):
        users.add("ada", "Ada", "admin", "ada-is-the-best")
    with pytest.raises(StoreRefused, match="username"):
        users.add("Ada Lovelace", "Ada", "admin", PASSWORD)
    assert not User.select().where(User.role == "admin").exists()


# --------------------------------------------------------------------------- roles


def test_only_an_admin_manages_users_and_the_last_admin_stays(store, staff):
    store.users.act_as("sam")
    before = refusals(store)
    with pytest.raises(PermissionRefused, match="needs an administrator"):
        store.users.add("bob", "Bob", "specialist", PASSWORD)
    with pytest.raises(PermissionRefused):
        store.users.set_password("kim", "a new passphrase")
    with pytest.raises(PermissionRefused):
        store.users.list()
    assert refusals(store) == before + 3
    assert not User.select().where(User.username == "bob").exists()
    store.users.set_password("sam", "a fresh passphrase 2", current=PASSWORD)  # one's own
    store.users.act_as("ada")
    with pytest.raises(StoreRefused, match="last administrator"):
        store.users.update("ada", role="supervisor")
    with pytest.raises(StoreRefused, match="last administrator"):
        store.users.disable("ada")
    store.users.update("kim", role="supervisor")
    change = AuditLog.select().where(AuditLog.action == "update").order_by(AuditLog.id.desc())
    assert (
        '"role": "specialist"' in change.get().before
        and '"role": "supervisor"' in change.get().after
    )
    assert "scrypt" not in change.get().after  # the trail never holds a password hash


def test_a_specialist_cannot_reverse_void_approve_or_read_the_audit(store, staff):
    pid = staff.patient("Cruz", "Ana")
    claim = staff.billed_claim(pid, 20_000)
    payment = store.posting.post_patient_payment(
        None, PatientPaymentDraft(pid, 2_500, "cash", TODAY, claim_ids=(claim,))
    )
    store.users.act_as("kim")
    entries, before = LedgerEntry.select().count(), refusals(store)
    for refused in (
        lambda: store.posting.reverse_payment(payment, "posted twice"),
        lambda: store.claims.set_status(claim, "voided", "billed in error"),
        lambda: store.claims.void_request(claim, "billed in error"),
        lambda: store.audit.page(),
        lambda: store.audit.verify(),
    ):
        with pytest.raises(PermissionRefused, match="needs a supervisor"):
            refused()
    assert LedgerEntry.select().count() == entries  # nothing changed
    assert refusals(store) == before + 5
    row = AuditLog.select().where(AuditLog.action == "refused").order_by(AuditLog.id.desc()).get()
    assert row.username == "kim" and "AUDIT" in row.after
    store.users.act_as("sam")  # a supervisor may
    store.posting.reverse_payment(payment, "posted twice")
    assert Payment.select().where(Payment.reverses == payment).exists()


def test_read_only_support_looks_and_changes_nothing(store, staff):
    pid = staff.patient("Cruz", "Ana")
    store.users.act_as("sue")
    view = store.accounts.open(pid)  # looking is allowed, and recorded
    assert view.patient.id == pid
    notes = Note.select().count()
    with pytest.raises(PermissionRefused, match="read-only access"):
        store.accounts.add_note(pid, "support was here")
    with pytest.raises(PermissionRefused):
        store.posting.post_patient_payment(None, PatientPaymentDraft(pid, 100, "cash", TODAY))
    assert Note.select().count() == notes
    opened = AuditLog.select().where(AuditLog.action == "view").get()
    assert (opened.username, opened.patient_id, opened.entity) == ("sue", pid, "account")


# --------------------------------------------------------------------------- the trail


def test_changes_are_traced_with_before_and_after(store, staff):
    pid = staff.patient("Cruz", "Ana")
    staff.billed_claim(pid, 20_000)
    store.posting.post_patient_payment(None, PatientPaymentDraft(pid, 2_500, "cash", TODAY))
    entities = {e for (e,) in AuditLog.select(AuditLog.entity).distinct().tuples()}
    assert {"user", "patient", "claim", "payment"} <= entities
    store.users.act_as("sam")
    where = AuditFilter(account_number=store.accounts.get(pid).patient.account_number)
    rows = store.audit.page(where)
    assert rows and all(r.patient_id == pid for r in rows)
    assert {r.action for r in store.audit.page(AuditFilter(username="ada"))} >= {"create"}
    assert store.audit.page(AuditFilter(on_or_before=dt.date(2000, 1, 1))) == []
    assert "create" in store.audit.actions()


def tamper(store, sql: str, *params) -> None:
    """What someone with the database file could do: switch the guard off, then edit."""
    if store.db.__class__.__name__ == "PostgresqlDatabase":
        raw(store, "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
    else:
        raw(store, "DROP TRIGGER IF EXISTS audit_log_no_update")
        raw(store, "DROP TRIGGER IF EXISTS audit_log_no_delete")
    raw(store, sql, *params)


@pytest.fixture
def trail(store, staff):
    """A trail of a dozen rows, read as the supervisor."""
    pid = staff.patient("Cruz", "Ana")
    for n in range(4):
        store.accounts.add_note(pid, f"note {n}")
    store.users.act_as("sam")
    report = store.audit.verify()
    assert report.ok and report.rows >= 8, report
    return [i for (i,) in AuditLog.select(AuditLog.id).order_by(AuditLog.id).tuples()]


def test_the_database_refuses_to_edit_the_trail(store, trail):
    with pytest.raises(Exception, match="append-only"), store.db.atomic():
        raw(store, "UPDATE audit_log SET username = 'x' WHERE id = ?", trail[3])
    with pytest.raises(Exception, match="append-only"), store.db.atomic():
        raw(store, "DELETE FROM audit_log WHERE id = ?", trail[3])


def test_an_edited_row_is_named(store, trail):
    tamper(store, "UPDATE audit_log SET after = '{}' WHERE id = ?", trail[5])
    report = store.audit.verify()
    assert (report.broken_id, report.problem) == (
        trail[5],
        f"row {trail[5]} was changed after it was written",
    )


def test_a_deleted_row_breaks_the_next(store, trail):
    tamper(store, "DELETE FROM audit_log WHERE id = ?", trail[4])
    report = store.audit.verify()
    assert report.broken_id == trail[5] and "deleted" in report.problem


def test_an_inserted_row_breaks_the_next(store, trail):
    row = AuditLog.get_by_id(trail[2])
    tamper(
        store,
        "INSERT INTO audit_log (at, user_id, username, action, entity, entity_id, patient_id, "
        "prev_hash, hash, via) VALUES (?, ?, 'ada', 'create', 'note', 1, NULL, ?, ?, '')",
        row.at,
        row.user_id,
        row.hash,
        "0" * 64,
    )
    # The forged row took a new id at the end: it follows the real last row, whose hash it
    # does not carry, or the head no longer matches.
    report = store.audit.verify()
    assert not report.ok and report.broken_id is not None


def test_the_newest_rows_deleted_show_against_the_head(store, trail):
    tamper(store, "DELETE FROM audit_log WHERE id >= ?", trail[-2])
    report = store.audit.verify()
    assert not report.ok and "newest rows deleted" in report.problem


def test_lists_show_an_id_masked():
    assert mask_id("123456789") == "*****6789"
    assert mask_id("W1234") == "***1234"
    assert mask_id("6789") == "***89"  # a short one still hides most of itself
    assert mask_id("") == "" and mask_id(None) == ""


def test_once_anyone_has_a_password_only_an_admin_adds_users(store, staff):
    store.session.become(User.get(User.username == "kim").id, "kim")
    with pytest.raises(PermissionRefused, match="needs an administrator"):
        store.users.add("mallory", "Mallory", "admin", PASSWORD)
    assert not User.select().where(User.username == "mallory").exists()


def test_a_database_from_before_logins_gets_its_first_admin(store, practice):
    store.session.user_id()  # a user without a password, as every user was before
    assert store.users.needs_first_admin()
    store.users.add("ada", "Ada", "admin", PASSWORD)
    assert not store.users.needs_first_admin()
