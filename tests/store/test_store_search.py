"""Search as you type in the queue: names, dates of birth, account and claim numbers, and junk."""

from __future__ import annotations

import datetime as dt

import pytest
from store_builders import TODAY, build_practice

from billing_tui.domain.queue import QueueFilter
from billing_tui.store import Store
from billing_tui.store.models import Patient

PEOPLE = (  # account 10000001, 10000002, ... in this order
    ("O'Brien", "Mary", dt.date(1960, 1, 2)),
    ("Obrien", "John", dt.date(1975, 5, 5)),
    ("Nuñez", "José", dt.date(1960, 1, 2)),
    ("Nunez", "Ana", dt.date(1982, 3, 4)),
    ("de la Cruz", "Maria", dt.date(1990, 7, 8)),
    ("Smith", "John", dt.date(1970, 1, 1)),
    ("Smith", "Jane", dt.date(1971, 2, 2)),
    ("Smithers", "Al", dt.date(1972, 3, 3)),
    ("李", "伟", dt.date(1985, 6, 6)),
    ("Adams", "Zoë", dt.date(1999, 9, 9)),
    ("D'Angelo-Smith", "Ann", dt.date(2001, 1, 2)),
)
CLAIMS = {"Smith, John": 3, "Adams, Zoë": 1, "O'Brien, Mary": 1}


@pytest.fixture(scope="module")
def search_db(module_db_url):
    store = Store.open(module_db_url, username="tester", today=lambda: TODAY)
    try:
        practice = build_practice(store)
        for last, first, dob in PEOPLE:
            pid = practice.patient(last, first, dob)
            for _ in range(CLAIMS.get(f"{last}, {first}", 0)):
                practice.claim(pid, 10_000)
    finally:
        store.close()
    return module_db_url


@pytest.fixture
def search_store(search_db):
    store = Store.open(search_db, username="tester", today=lambda: TODAY)
    try:
        yield store
    finally:
        store.close()


def found(store: Store, text: str, limit: int = 50, queue_filter: QueueFilter = QueueFilter()):
    """The names a search lists, page by page."""
    names = []
    page = store.queue.page(text, queue_filter, limit=limit)
    for _ in range(100):
        names.extend(row.name for row in page.rows)
        if page.next_cursor is None:
            return names
        page = store.queue.page(text, queue_filter, after=page.next_cursor, limit=limit)
    raise AssertionError(f"the search {text[:20]!r} never ended")


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("smith", ["Smith, Jane", "Smith, John", "Smithers, Al"]),
        ("SMI", ["Smith, Jane", "Smith, John", "Smithers, Al"]),
        ("Smith, Jo", ["Smith, John"]),
        ("smith,j", ["Smith, Jane", "Smith, John"]),
        ("smith, x", []),
        ("o'b", ["Obrien, John", "O'Brien, Mary"]),
        ("O'BRIEN", ["Obrien, John", "O'Brien, Mary"]),
        ("obrien, m", ["O'Brien, Mary"]),
        ("nuñez", ["Nunez, Ana", "Nuñez, José"]),
        ("NUNEZ, jose", ["Nuñez, José"]),
        ("de la cruz", ["de la Cruz, Maria"]),
        ("dela", ["de la Cruz, Maria"]),
        ("cruz", []),  # a name matches from its start
        ("d'angelo", ["D'Angelo-Smith, Ann"]),
        ("dangelosmith", ["D'Angelo-Smith, Ann"]),
        ("李", ["李, 伟"]),
        ("adams, zoe", ["Adams, Zoë"]),
        ("zzz", []),
    ],
)
def test_search_by_name(search_store, text, names):
    assert found(search_store, text) == names


@pytest.mark.parametrize("text", ["01/02/1960", "1/2/60", "010260", "1960-01-02", "01021960"])
def test_search_by_date_of_birth(search_store, text):
    assert found(search_store, text) == ["Nuñez, José", "O'Brien, Mary"]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("10000006", ["Smith, John"]),
        ("10000010", ["Adams, Zoë"]),
        ("1000001", ["Adams, Zoë", "D'Angelo-Smith, Ann"]),
        ("99", []),
    ],
)
def test_search_by_account_number(search_store, text, names):
    assert found(search_store, text) == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("10000006-2", ["Smith, John"]),
        ("10000006-", ["Smith, John"]),  # three claims, one account
        ("10000001-1", ["O'Brien, Mary"]),
        ("10000006-9", []),
    ],
)
def test_search_by_claim_number(search_store, text, names):
    assert found(search_store, text) == names


@pytest.mark.parametrize("limit", [1, 2, 3, 50])
@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("10000006", ["Smith, John"]),  # the account, then its three claims
        ("10000006-", ["Smith, John"]),
        (
            "1000000",
            [last + ", " + first for last, first, _ in PEOPLE[:9]],
        ),
    ],
)
def test_paging_a_search_lists_each_account_once(search_store, text, names, limit):
    assert found(search_store, text, limit=limit) == names


@pytest.mark.parametrize(
    "text",
    [
        "%",
        "_",
        "%%",
        "%mith",  # a LIKE wildcard would find Smith
        "_mith",
        "s_ith",
        "\\",
        "\\%",
        "'",
        '"',
        "''",
        "'; DROP TABLE patient; --",
        "\x00",
        "😀",
        "a" * 10_240,  # a 10 KB paste
        "1" * 10_240,
        "smith " + "x" * 10_240,
        "10000006-" + "9" * 10_240,
    ],
)
def test_junk_finds_nothing_and_breaks_nothing(search_store, text):
    assert found(search_store, text) == []
    assert found(search_store, text, queue_filter=QueueFilter(follow_up_due=True)) == []
    assert Patient.select().count() == len(PEOPLE)
    assert found(search_store, "smith") == ["Smith, Jane", "Smith, John", "Smithers, Al"]


def test_a_long_name_prefix_still_finds(search_store):
    assert found(search_store, "Smithers" + "x" * 40) == []
    assert found(search_store, "D'Angelo-Smith, Ann") == ["D'Angelo-Smith, Ann"]


def test_an_empty_search_is_the_whole_queue(search_store):
    assert len(found(search_store, "   ")) == len(PEOPLE)
