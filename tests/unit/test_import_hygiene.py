"""The domain and the store never pull in the UI; the domain pulls in no database either."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import billing_tui.domain
import billing_tui.store


def modules(package) -> list[str]:
    found = [
        f"{package.__name__}.{info.name}"
        for info in pkgutil.iter_modules(package.__path__)
        if not info.name[0].isdigit()  # migrations are loaded by path, not imported
    ]
    assert found, f"no modules found in {package.__name__}"
    return found


DOMAIN = modules(billing_tui.domain)
STORE = modules(billing_tui.store)


def imported_after(names: list[str]) -> set[str]:
    """The top-level packages in sys.modules after importing names in a fresh interpreter."""
    code = (
        f"import importlib, sys\nfor name in {names!r}:\n    importlib.import_module(name)\n"
        "print('\\n'.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def test_the_lists_cover_the_packages():
    assert "billing_tui.domain.money" in DOMAIN
    assert "billing_tui.domain.search" in DOMAIN
    assert "billing_tui.store.api" in STORE
    assert "billing_tui.store.models" in STORE


def test_domain_and_store_do_not_import_textual():
    loaded = imported_after(["billing_tui.domain", *DOMAIN, "billing_tui.store", *STORE])
    assert "billing_tui" in loaded and "peewee" in loaded  # the check sees what was imported
    assert "textual" not in loaded


@pytest.mark.parametrize("module", ["billing_tui.domain", *DOMAIN])
def test_domain_imports_neither_textual_nor_peewee(module):
    loaded = imported_after([module])
    assert "billing_tui" in loaded
    assert not loaded & {"textual", "peewee", "playhouse", "psycopg2", "sqlite3"}
