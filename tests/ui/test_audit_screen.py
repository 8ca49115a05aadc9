"""The audit screen: a supervisor reads and filters the trail; a specialist is refused."""

from __future__ import annotations

from ui_helpers import settle

from billing_tui.domain.queue import QueueFilter
from billing_tui.screens.audit import AuditScreen, change
from billing_tui.store.models import AuditLog
from billing_tui.store.records.users import AuditRecord


async def open_audit(pilot) -> AuditScreen:
    await settle(pilot)
    await pilot.press("f11")
    await settle(pilot)
    assert isinstance(pilot.app.screen, AuditScreen)
    return pilot.app.screen


def message(screen) -> str:
    return str(screen.query_one("#audit-message").render())


async def test_a_supervisor_reads_and_filters_the_trail(app, ui_store):
    patient = ui_store.queue.page("", QueueFilter(), None, 2).rows
    for row in patient:
        ui_store.accounts.open(row.patient_id)
    ui_store.users.act_as("abrennan")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_audit(pilot)
        assert len(screen.table.records) == AuditLog.select().count() == 2
        assert "2 rows, newest first." in message(screen)
        screen.query_one("#account").value = patient[0].account_number
        await pilot.press("enter")
        await settle(pilot)
        assert [r.patient_id for r in screen.table.records] == [patient[0].patient_id]
        screen.query_one("#from").value = "13/45/26"
        await pilot.press("enter")
        await settle(pilot)
        assert "-error" in screen.query_one("#audit-message").classes


async def test_a_specialist_is_refused_and_the_refusal_is_traced(app, ui_store):
    ui_store.users.act_as("mreyes")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_audit(pilot)
        assert "Not allowed" in message(screen) and screen.table.records == []
    assert AuditLog.select().where(AuditLog.action == "refused").count() == 1


def test_the_detail_shows_what_changed():
    import datetime as dt

    record = AuditRecord(1, dt.datetime(2026, 11, 24), "ada", "cli", "update", "user", 2, None,
                         None, '{"role": "specialist", "name": "Kim"}',
                         '{"role": "supervisor", "name": "Kim"}')  # fmt: skip
    assert change(record) == "role: 'specialist' -> 'supervisor'"
