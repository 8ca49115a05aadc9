"""The queue's window of pages and its column widths, without a screen."""

from __future__ import annotations

import datetime as dt

from billing_tui.screens.queue_window import QueueWindow
from billing_tui.store.records import QueueCursor, QueuePage, QueueRow
from billing_tui.widgets import columns as col
from billing_tui.widgets.queue_table import QueueTable


def row(patient_id: int) -> QueueRow:
    return QueueRow(
        patient_id=patient_id,
        account_number=str(10_000_000 + patient_id),
        last_name="Doe",
        first_name="Jane",
        dob=dt.date(1960, 1, 2),
        primary_payer="Medicare",
        insurance_balance=0,
        patient_balance=0,
        oldest_open_dos=None,
        age_bucket="",
        last_payment_date=None,
        next_follow_up=None,
        follow_up_due=False,
        flags=(),
    )


def page(first: int, *, last: bool = False, size: int = 3) -> QueuePage:
    ids = range(first, first + size)
    return QueuePage(tuple(row(i) for i in ids), None if last else QueueCursor(0, (ids[-1],)))


def test_the_window_drops_the_top_page_past_its_cap_and_can_read_it_back():
    window = QueueWindow(max_pages=2)
    window.reset(page(0))
    assert not window.append(page(3))
    assert window.append(page(6))  # three pages: the first goes
    assert [r.patient_id for r in window.rows()] == [3, 4, 5, 6, 7, 8]
    assert window.more_above and window.previous_start is None  # page 0 starts at the top
    window.prepend(page(0))  # read again from its start
    assert [r.patient_id for r in window.rows()] == [0, 1, 2, 3, 4, 5]
    assert not window.more_above
    assert window.end == QueueCursor(0, (5,))  # where page 2 starts, to read it again


def test_an_account_found_on_two_pages_is_listed_once():
    window = QueueWindow()
    window.reset(page(0))
    window.append(page(2, last=True))
    assert [r.patient_id for r in window.rows()] == [0, 1, 2, 3, 4]
    assert not window.more_below


def test_the_queue_columns_fill_80_cells_and_give_the_rest_to_the_patient():
    widths = col.fit(QueueTable.COLUMNS, 80)
    assert sum(widths.values()) + len(QueueTable.COLUMNS) - 1 == 80
    wide = col.fit(QueueTable.COLUMNS, 120)
    assert wide["patient"] > widths["patient"] and wide["dob"] == widths["dob"]
    assert wide["payer"] <= 18


def test_money_drops_its_commas_before_it_would_be_cut():
    assert col.money(123_456) == "1,234.56"
    assert col.money(1_234_567) == "12345.67"
    assert col.signed_money(-4_500) == "-45.00"
    assert col.signed_money(0) == ""
    assert col.fit_text("ABCDEFGHIJ", 5) == "ABCD…"
    assert col.fit_text("12.00", 8, right=True) == "   12.00"
