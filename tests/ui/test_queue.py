"""The account queue, driven from the keyboard: search as you type, filters, paging, opening."""

from __future__ import annotations

from ui_helpers import burst, queue_screen, settle, shown_accounts

from billing_tui.domain.queue import Flag, QueueFilter
from billing_tui.domain.search import search_key
from billing_tui.screens.account import AccountScreen
from billing_tui.screens.choice import ChoiceDialog
from billing_tui.screens.queue import QueueScreen
from billing_tui.widgets.fields import SearchBox


def every_account(store, search: str = "", queue_filter: QueueFilter = QueueFilter()):
    """The whole queue as the Store pages it, for comparing with what the screen shows."""
    rows, after = [], None
    while True:
        page = store.queue.page(search, queue_filter, after, 50)
        rows.extend(page.rows)
        after = page.next_cursor
        if after is None:
            return rows


async def test_the_queue_opens_on_its_first_page_in_work_order(app, ui_store):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert isinstance(app.focused, SearchBox)
        shown = [row.patient_id for row in shown_accounts(pilot)]
        assert shown == [row.patient_id for row in every_account(ui_store)[:50]]


async def test_typing_a_name_narrows_the_table_as_you_type(app, ui_store):
    some = every_account(ui_store)[7]
    prefix = some.last_name[:3]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = len(shown_accounts(pilot))
        await pilot.press(*prefix.lower())
        await settle(pilot)
        shown = shown_accounts(pilot)
        assert 0 < len(shown) < before
        assert some.patient_id in [row.patient_id for row in shown]
        assert all(search_key(row.last_name).startswith(search_key(prefix)) for row in shown)
        await pilot.press(*some.last_name[3:].lower(), "comma", *some.first_name.lower())
        await settle(pilot)
        assert some.patient_id in [row.patient_id for row in shown_accounts(pilot)]


async def test_an_account_number_finds_its_account(app, ui_store):
    some = every_account(ui_store)[20]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*some.account_number)
        await settle(pilot)
        assert [row.patient_id for row in shown_accounts(pilot)] == [some.patient_id]


async def test_escape_clears_the_search(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        everyone = len(shown_accounts(pilot))
        await pilot.press("z", "z", "q")
        await settle(pilot)
        assert shown_accounts(pilot) == []
        await pilot.press("escape")
        await settle(pilot)
        assert queue_screen(pilot).query_one(SearchBox).value == ""
        assert len(shown_accounts(pilot)) == everyone


async def test_a_flag_filter_narrows_the_table(app, ui_store):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("d", "enter")  # a letter jumps to "D  denied claim"
        await settle(pilot)
        shown = shown_accounts(pilot)
        denied = every_account(ui_store, queue_filter=QueueFilter(flag=Flag.DENIED))
        assert shown and [r.patient_id for r in shown] == [r.patient_id for r in denied][:50]
        assert all(Flag.DENIED in row.flags for row in shown)
        await pilot.press("f6")  # clear the filters
        await settle(pilot)
        assert queue_screen(pilot).queue_filter == QueueFilter()


async def test_follow_ups_due_toggle_with_f5(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        shown = shown_accounts(pilot)
        assert shown and all(row.follow_up_due for row in shown)
        await pilot.press("f5")
        await settle(pilot)
        assert not queue_screen(pilot).queue_filter.active


async def test_paging_down_loads_more_rows_without_duplicates(app, ui_store):
    everyone = [row.patient_id for row in every_account(ui_store)]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert len(shown_accounts(pilot)) == 50
        for _ in range(12):
            await pilot.press("pagedown")
            await settle(pilot)
        shown = [row.patient_id for row in shown_accounts(pilot)]
        assert len(shown) > 50
        assert len(shown) == len(set(shown))
        assert shown == everyone[: len(shown)]


async def test_the_table_holds_a_window_of_pages_and_reads_back_up(app, ui_store):
    everyone = [row.patient_id for row in every_account(ui_store)]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        queue_screen(pilot)._window.max_pages = 2  # 100 rows: the 150 accounts overflow it
        for _ in range(3):
            await pilot.press("end")
            await settle(pilot)
        shown = [row.patient_id for row in shown_accounts(pilot)]
        assert len(shown) <= 100
        assert shown == everyone[-len(shown) :]  # the last pages; the first was dropped
        assert queue_screen(pilot).table.highlighted.patient_id == everyone[-1]
        for _ in range(8):
            await pilot.press("pageup")
            await settle(pilot)
        shown = [row.patient_id for row in shown_accounts(pilot)]
        assert shown[0] == everyone[0]  # read back from the top
        assert len(shown) == len(set(shown))
        await pilot.press("end", "home")
        await settle(pilot)
        assert queue_screen(pilot).table.cursor_row == 0


async def test_enter_opens_the_highlighted_account_and_escape_comes_back(app, ui_store):
    some = every_account(ui_store)[1]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*some.last_name[:4].lower(), "down")
        await settle(pilot)
        highlighted = queue_screen(pilot).table.highlighted
        cursor = queue_screen(pilot).table.cursor_row
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)
        assert app.screen.patient_id == highlighted.patient_id
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert queue_screen(pilot).query_one(SearchBox).value == some.last_name[:4].lower()
        assert queue_screen(pilot).table.cursor_row == cursor
        assert isinstance(app.focused, SearchBox)


async def test_keys_typed_ahead_of_the_results_apply_to_the_new_results(app, ui_store):
    """A fast typist's Down and Enter, sent before the search answered, open the row they
    meant: the second match of what they typed, never a row of the old list."""
    some = every_account(ui_store)[3]
    prefix = some.last_name[:3].lower()
    matches = every_account(ui_store, search=prefix)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await burst(pilot, *prefix, "down", "enter")
        assert isinstance(app.screen, AccountScreen)
        assert app.screen.patient_id == matches[min(1, len(matches) - 1)].patient_id


async def test_the_columns_fit_80_cells(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = queue_screen(pilot).table
        width = sum(column.get_render_width(table) for column in table.columns.values())
        assert width == 80
        assert table.max_scroll_x == 0
