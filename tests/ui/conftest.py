"""UI fixtures: the app on a copy of a small synthetic practice in a SQLite file, on a fixed day."""

from __future__ import annotations

import shutil

import pytest
from ui_helpers import TODAY

from billing_tui.app import BillingApp, make_app
from billing_tui.sample import generate
from billing_tui.store import Store

ACCOUNTS = 150  # three pages of the queue
SEED = 3


@pytest.fixture(scope="session")
def practice_file(tmp_path_factory):
    """The practice is generated once; each test gets its own copy of the file."""
    path = tmp_path_factory.mktemp("practice") / "practice.db"
    store = Store.open(str(path), username="tester", today=lambda: TODAY)
    try:
        generate(store.db, ACCOUNTS, seed=SEED, as_of=TODAY)
    finally:
        store.close()  # the last connection out checkpoints the WAL into the file
    return path


@pytest.fixture
def ui_store(practice_file, tmp_path):
    path = tmp_path / "billing.db"
    shutil.copyfile(practice_file, path)
    store = Store.open(str(path), username="tester", today=lambda: TODAY)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def app(ui_store) -> BillingApp:
    return make_app(ui_store)
