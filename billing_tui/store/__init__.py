"""The store: peewee models (private), database set-up, migrations, and the Store API."""

from .api import Store
from .db import DatabaseUnavailable, SchemaTooNew, StoreError
from .session import StoreConflict, StoreRefused

__all__ = [
    "DatabaseUnavailable",
    "SchemaTooNew",
    "Store",
    "StoreConflict",
    "StoreError",
    "StoreRefused",
]
