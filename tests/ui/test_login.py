"""Signing in, the first administrator of a new database, and the idle lock, in the real app."""

from __future__ import annotations

import shutil

import pytest
from ui_helpers import TODAY, settle

from billing_tui.app import make_app
from billing_tui.config import Settings
from billing_tui.domain.queue import QueueFilter
from billing_tui.sample.reference import SAMPLE_PASSWORD
from billing_tui.screens.login import FirstAdminScreen, LockScreen, LoginScreen
from billing_tui.screens.queue import QueueScreen
from billing_tui.store import Store
from billing_tui.store.models import AuditLog, User


@pytest.fixture
def nobody_store(practice_file, tmp_path):
    """The sample practice opened as the TUI opens it: nobody signed in yet."""
    path = tmp_path / "billing.db"
    shutil.copyfile(practice_file, path)
    store = Store.open(str(path), username="os-login", today=lambda: TODAY, enroll=False)
    try:
        yield store
    finally:
        store.close()


async def type_in(pilot, text: str) -> None:
    for character in text:
        await pilot.press(character)


async def test_the_app_opens_on_the_login_and_signs_in(nobody_store):
    app = make_app(nobody_store, hint="Demo practice: sign in as mreyes")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert app.take_first_page() is None  # nothing of a patient read for nobody
        await type_in(pilot, "mreyes")
        await pilot.press("enter")
        await type_in(pilot, "not it at all")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert "wrong username or password" in str(app.screen.query_one("#message").render())
        await type_in(pilot, SAMPLE_PASSWORD)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert len(app.screen.query_one("#accounts").rows) > 0
    assert nobody_store.session.username == "mreyes"
    actions = [a for (a,) in AuditLog.select(AuditLog.action).order_by(AuditLog.id).tuples()]
    assert actions == ["login_failed", "login"]
    assert AuditLog.select().where(AuditLog.via == "").count() == 2  # the test's Store: no via


async def test_a_new_database_asks_for_its_first_administrator(tmp_path):
    store = Store.open(str(tmp_path / "new.db"), username="os-login", enroll=False, via="tui")
    try:
        app = make_app(store)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, FirstAdminScreen)
            await type_in(pilot, "jsmith")
            await pilot.press("enter")
            await type_in(pilot, "Jo Smith")
            await pilot.press("enter")
            await type_in(pilot, "a long passphrase")
            await pilot.press("enter")
            await type_in(pilot, "a different one")
            await pilot.press("enter")
            await settle(pilot)
            assert "differ" in str(app.screen.query_one("#message").render())
            await type_in(pilot, "a long passphrase")
            await pilot.press("enter")
            await type_in(pilot, "a long passphrase")
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, QueueScreen)
        admin = User.get(User.username == "jsmith")
        assert (admin.role, admin.name) == ("admin", "Jo Smith")
        assert AuditLog.select().where(AuditLog.via == "tui").count() == 2  # create, login
    finally:
        store.close()


async def test_an_idle_session_locks_hiding_the_screen_and_keeps_the_work(nobody_store):
    settings = Settings(database="unused", idle_minutes=10)
    app = make_app(nobody_store, settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_in(pilot, "abrennan")
        await pilot.press("enter")
        await type_in(pilot, SAMPLE_PASSWORD)
        await pilot.press("enter")
        await settle(pilot)
        queue = app.screen
        first = nobody_store.queue.page("", QueueFilter(), None, 1).rows[0]
        first_name = first.account_number
        shown = app.export_screenshot()
        await type_in(pilot, "smith")  # work in progress: a search typed
        await settle(pilot)
        app._last_input -= 11 * 60  # eleven minutes without a key
        app._lock_if_idle()
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
        hidden = app.export_screenshot()
        assert first_name in shown and first_name not in hidden
        await type_in(pilot, "wrong password")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
        await type_in(pilot, SAMPLE_PASSWORD)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is queue
        assert queue.query_one("#search").value == "smith"


def test_the_login_screen_at_80x24(nobody_store, snap_compare):
    hint = "Demo practice: sign in as mreyes (specialist), password larkspur-demo"
    assert snap_compare(make_app(nobody_store, hint=hint), terminal_size=(80, 24),
                        run_before=settle)  # fmt: skip


def test_the_lock_screen_at_80x24(ui_store, snap_compare):
    async def lock(pilot):
        await settle(pilot)
        pilot.app.lock()
        await settle(pilot)

    assert snap_compare(make_app(ui_store), terminal_size=(80, 24), run_before=lock)


async def test_a_login_typed_in_one_burst_lands_in_its_fields(nobody_store):
    from ui_helpers import burst

    app = make_app(nobody_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await burst(pilot, *"mreyes", "enter", *SAMPLE_PASSWORD, "enter")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
