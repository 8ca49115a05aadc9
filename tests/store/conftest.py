"""Store-test fixtures: a small practice (providers, payers), a Store whose today can move,
and a database shared by a module's read-only tests (built once per backend)."""

from __future__ import annotations

import pytest
from pg_schema import SKIP_REASON, fresh_schema, pg_base_url
from store_builders import TODAY, Clock, Practice, build_practice

from billing_tui.store import Store


@pytest.fixture
def practice(store) -> Practice:
    return build_practice(store)


@pytest.fixture
def clock() -> Clock:
    return Clock(TODAY)


@pytest.fixture
def clocked_store(db_url, clock):
    opened = Store.open(db_url, username="tester", today=clock)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def clocked_practice(clocked_store) -> Practice:
    return build_practice(clocked_store)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_db_url(request, tmp_path_factory):
    """Like db_url, but one database for the whole module: for tests that only read."""
    if request.param == "sqlite":
        yield str(tmp_path_factory.mktemp("shared") / "billing.db")
        return
    base = pg_base_url()
    if base is None:
        pytest.skip(SKIP_REASON)
    with fresh_schema(base) as url:
        yield url
