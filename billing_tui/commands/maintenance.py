"""Subcommands backup and restore: a checked copy of the SQLite database, and putting one back."""

from __future__ import annotations

import argparse


def register(commands) -> dict:
    backup = commands.add_parser(
        "backup",
        help="copy the SQLite database to DEST, safely while sessions are writing to it",
    )
    backup.add_argument(
        "dest",
        metavar="DEST",
        help="a file, or an existing directory to write billing-YYYYMMDD-HHMMSS.db in",
    )
    backup.add_argument("--force", action="store_true", help="replace DEST if it is a backup")
    restore = commands.add_parser(
        "restore",
        help="replace the SQLite database with a backup; the current one is kept beside it",
    )
    restore.add_argument("source", metavar="SRC", help="a file written by `billing-tui backup`")
    restore.add_argument(
        "--force", action="store_true", help="replace a database that holds a practice's data"
    )
    return {"backup": cmd_backup, "restore": cmd_restore}


def cmd_backup(args: argparse.Namespace, settings) -> int:
    from ..cli import EXIT_OK
    from ..store.backup import backup

    record = _authorize(settings, args, "backing up the database")
    result = backup(settings.database, args.dest, force=args.force)
    record("backup", {"to": str(result.path)})
    print(f"Backup written: {result.path} ({_size(result.size)}, schema {result.schema})")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace, settings) -> int:
    from ..cli import EXIT_OK
    from ..store.backup import restore

    record = _authorize(settings, args, "restoring the database")
    result = restore(settings.database, args.source, force=args.force)
    record("restore", {"from": str(result.source)})  # into the restored trail: it came back
    line = f"Restored {result.source} into {result.path} (schema {result.schema}"
    if result.upgraded_from:
        line += f", upgraded from {result.upgraded_from}"
    line += ")"
    if result.previous:
        line += f"; the database it replaced is kept as {result.previous}"
    print(line)
    return EXIT_OK


def _authorize(settings, args: argparse.Namespace, doing: str):
    """An administrator's job (the copy holds every patient's record). Returns how to record
    it in the trail once done: a failed attempt leaves the live database as it was.

    A database that is not there yet, or has no users (a new machine being restored onto),
    has nobody to ask; PostgreSQL is refused by backup() itself, before connecting."""

    from ..cli import act_as_cli_user, open_store
    from ..domain.security import Permission
    from ..store.api import os_username
    from ..store.db import is_postgres, sqlite_path

    def nothing(action: str, after: dict) -> None:
        pass

    if is_postgres(settings.database) or not sqlite_path(settings.database).is_file():
        return nothing
    store = open_store(settings, args, acting=False)
    try:
        if not store.users.exist():
            return nothing
        act_as_cli_user(store, args.user, os_username())
        store.session.require(Permission.BACKUP, doing)
        username = store.session.username
    finally:
        store.close()

    def record(action: str, after: dict) -> None:
        from ..store import StoreRefused

        done = open_store(settings, args, acting=False)
        try:
            done.users.act_as(username)
            with done.session.recording():
                done.session.audit(action, "database", None, after=after)
        except StoreRefused:  # a restored database from before that user: nobody to name
            pass
        finally:
            done.close()

    return record


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024**2:
        return f"{size / 1024:.0f} KB"
    if size < 1024**3:
        return f"{size / 1024**2:.1f} MB"
    return f"{size / 1024**3:.2f} GB"
