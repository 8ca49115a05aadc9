"""Subcommand support-bundle: one zip for whoever helps with a problem, with no patient data.

It holds versions, the settings with every secret as ***, the log's tail (the
log holds no patient data), the database's kind, schema and row counts (counts,
never rows) and recent timings. It opens the database without migrating it
and still writes a bundle when the database cannot be opened: that is when
one is wanted most.
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

from .. import logs

MASK = "***"
LOG_LINES = 500
# A setting whose name says it is a secret; "keymap" and "keys" are key bindings.
_SECRET_NAME = re.compile(r"pass(word|wd)|secret|token|key|credential", re.IGNORECASE)
_NOT_SECRET = {"keymap", "keys"}
_URL_PASSWORD = re.compile(r"(://[^/\s:@]*:)[^@\s/]*@")
# `name = value` in TOML; the name may be dotted or quoted.
_ASSIGNMENT = re.compile(r"^(\s*)([^\s=#\[][^=]*?)(\s*=\s*)(.*)$")


def register(commands) -> dict:
    parser = commands.add_parser(
        "support-bundle",
        help="write a zip for support: versions, settings (secrets as ***), the log's "
        "tail, the database's schema and row counts; never patient data",
    )
    parser.add_argument("--out", required=True, metavar="FILE.zip", help="the zip to write")
    return {"support-bundle": cmd_support_bundle}


def cmd_support_bundle(args: argparse.Namespace, settings) -> int:
    from ..cli import EXIT_OK, EXIT_USAGE, fail
    from ..config import config_path

    out = Path(args.out).expanduser()
    database, server_version = database_text(settings.database)
    members = {
        "versions.txt": versions_text(server_version),
        "config.txt": config_text(settings, config_path()),
        "log-tail.txt": log_tail_text(logs.log_path()),
        "database.txt": database,
        "timings.txt": timings_text(logs.recent_timings(logs.log_path())),
    }
    try:
        size = write_bundle(out, members)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return fail(f"cannot write the support bundle {out}: {reason}", EXIT_USAGE)
    print(f"Support bundle written: {out} ({size:,} bytes)")
    return EXIT_OK


def write_bundle(out: Path, members: dict[str, str]) -> int:
    """Write the zip beside out, then rename it: never a half-written bundle. Its size."""
    import errno
    import tempfile
    import zipfile

    if out.is_dir():
        raise IsADirectoryError(errno.EISDIR, "it is a directory", str(out))
    # mkstemp makes the file private (0600): the bundle describes the practice's setup.
    fd, partial = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as handle:
            with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
                for name, text in members.items():
                    bundle.writestr(name, text)
        os.replace(partial, out)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return out.stat().st_size


# --------------------------------------------------------------------------- members


def versions_text(server_version: str | None) -> str:
    import platform
    import sqlite3
    from importlib import metadata

    from .. import __version__

    lines = [
        f"billing-tui {__version__}",
        f"Python {platform.python_version()} ({platform.python_implementation()})",
        f"platform {platform.platform()}",
    ]
    for package in ("textual", "peewee", "fpdf2"):
        try:
            lines.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            lines.append(f"{package} not installed")
    lines.append(f"sqlite3 library {sqlite3.sqlite_version}")
    try:
        import psycopg2
    except ImportError:
        lines.append("psycopg2 not installed")
    else:
        lines.append(f"psycopg2 {psycopg2.__version__}")
    if server_version is not None:
        lines.append(f"PostgreSQL server {server_version}")
    return "\n".join(lines) + "\n"


def config_text(settings, path: Path) -> str:
    from ..config import ENV_CONFIG, ENV_DB, ENV_SMTP_PASSWORD
    from ..logs import ENV_LOG

    lines = [f"# The effective settings; secrets are shown as {MASK}", *settings_lines(settings)]
    lines += ["", "# The environment"]
    for name in (
        ENV_DB,
        ENV_CONFIG,
        ENV_SMTP_PASSWORD,
        ENV_LOG,
        "BILLING_TUI_USER",
        "XDG_DATA_HOME",
        "XDG_CONFIG_HOME",
    ):
        if name in os.environ:
            lines.append(f"{name} = {_shown(name, os.environ[name])}")
        else:
            lines.append(f"{name} is not set")
    lines += ["", f"# The config file {path}"]
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        lines.append("(there is no config file)")
    except OSError as error:
        lines.append(f"(cannot read it: {error.strerror})")
    else:
        lines.append(scrub_config(text))
    return "\n".join(lines) + "\n"


def settings_lines(settings, prefix: str = "") -> list[str]:
    """The settings dataclass, field by field (nested ones dotted), secrets as ***."""
    import dataclasses

    from ..store.db import redact

    lines = []
    for field in dataclasses.fields(settings):
        name = f"{prefix}{field.name}"
        value = getattr(settings, field.name)
        if dataclasses.is_dataclass(value):
            lines += settings_lines(value, f"{name}.")
        elif isinstance(value, dict):
            lines += [f"{name}[{key!r}] = {_shown(str(key), item)}" for key, item in value.items()]
            if not value:
                lines.append(f"{name} = {{}}")
        elif name == "database":
            lines.append(f"{name} = {redact(str(value))!r}")
        else:
            lines.append(f"{name} = {_shown(field.name, value)}")
    return lines


def scrub_config(text: str) -> str:
    """The config file's text with each secret's value replaced by ***.

    Line by line, then checked against the parsed file: if a secret is still
    there (an inline table, a value across lines), the text is left out.
    """
    lines = []
    in_secret = ""  # the closing quotes of a multi-line secret being skipped
    for line in text.splitlines():
        if in_secret:
            if in_secret in line:
                in_secret = ""
            continue
        match = _ASSIGNMENT.match(line)
        if match and _is_secret(match.group(2)):
            indent, name, equals, value = match.groups()
            quotes = value[:3]
            if quotes in ('"""', "'''") and quotes not in value[3:]:
                in_secret = quotes
            lines.append(f'{indent}{name}{equals}"{MASK}"')
        else:
            lines.append(_URL_PASSWORD.sub(rf"\1{MASK}@", line))
    scrubbed = "\n".join(lines)
    if any(secret in scrubbed for secret in _secrets_in(text)):
        return (
            "(the file's text is left out: a secret in it could not be masked line by line; "
            "the effective settings above show what it sets)"
        )
    return scrubbed


def log_tail_text(path: Path) -> str:
    lines = logs.tail_lines(path, LOG_LINES)
    if not lines:
        return f"(no log at {path})\n"
    return "\n".join(lines) + "\n"


def timings_text(timings: list[logs.Timing]) -> str:
    import statistics

    if not timings:
        return "(no timings in the log)\n"
    lines = [f"# The last {len(timings)} timings: when, command, milliseconds"]
    for t in timings:
        stamp = t.when.isoformat(timespec="milliseconds") if t.when else "?"
        lines.append(f"{stamp}  {t.name}  {t.ms:.1f}")
    lines += ["", "# Per command: count, median ms, slowest ms"]
    by_name: dict[str, list[float]] = {}
    for t in timings:
        by_name.setdefault(t.name, []).append(t.ms)
    for name, values in sorted(by_name.items()):
        lines.append(f"{name}  {len(values)}  {statistics.median(values):.1f}  {max(values):.1f}")
    return "\n".join(lines) + "\n"


def database_text(target: str) -> tuple[str, str | None]:
    """database.txt, and the PostgreSQL server's version (None on SQLite or if unknown)."""
    from peewee import SQL, DatabaseError, Table, fn

    from ..store.db import StoreError, connect, is_postgres, redact, schema_version, sqlite_path

    lines = [f"database {redact(target)}"]
    if is_postgres(target):
        lines.append("kind PostgreSQL")
    else:
        lines.append("kind SQLite")
        try:
            path = sqlite_path(target)
        except StoreError as error:
            return _joined(lines, f"cannot open it: {error}"), None
        if not path.is_file():
            # connect() would create an empty database: a bundle must change nothing.
            return _joined(lines, f"there is no database file at {path}"), None
        lines.append(f"file size {path.stat().st_size:,} bytes")
        wal = path.with_name(path.name + "-wal")
        if wal.is_file():
            lines.append(f"write-ahead log size {wal.stat().st_size:,} bytes")
    try:
        db = connect(target)
    except StoreError as error:
        return _joined(lines, f"cannot open it: {error}"), None
    server_version = None
    try:
        if is_postgres(target):
            server_version = db.execute_sql("SHOW server_version").fetchone()[0]
            lines.append(f"server version {server_version}")
        lines.append(f"schema version {schema_version(db)}")
        lines += ["", "# Rows per table (counts only)"]
        for table in db.get_tables():
            count = Table(table).select(fn.COUNT(SQL("*"))).scalar(db)
            lines.append(f"{table} {count:,}")
    except DatabaseError as error:  # OperationalError is one: a lock, a damaged file
        first_line = (str(error).strip().splitlines() or [""])[0]
        lines.append(f"cannot read it: {type(error).__name__} {first_line}".rstrip())
    finally:
        db.close()
    return _joined(lines), server_version


# --------------------------------------------------------------------------- secrets


def _is_secret(name: str) -> bool:
    last = name.strip().strip("\"'").rsplit(".", 1)[-1].strip().strip("\"'")
    return last.lower() not in _NOT_SECRET and bool(_SECRET_NAME.search(last))


def _shown(name: str, value) -> str:
    if _is_secret(name):
        return MASK if value else repr(value)
    if isinstance(value, Path):
        return repr(str(value))
    if isinstance(value, str):
        return repr(_URL_PASSWORD.sub(rf"\1{MASK}@", value))
    return repr(value)


def _secrets_in(text: str) -> set[str]:
    """Every secret value in the config file's text, as written and as TOML escapes it."""
    import json
    import tomllib
    from urllib.parse import urlsplit

    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return set()  # load_settings refuses such a file, so a bundle never gets here with one
    found: set[str] = set()

    def walk(value, secret: bool) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, secret or _is_secret(key))
        elif isinstance(value, list):
            for item in value:
                walk(item, secret)
        elif secret and not isinstance(value, bool):
            found.add(str(value))
        elif isinstance(value, str) and "://" in value:
            try:
                password = urlsplit(value).password
            except ValueError:
                password = None
            if password:
                found.add(password)

    walk(parsed, False)
    found |= {json.dumps(secret)[1:-1] for secret in found}
    return {secret for secret in found if secret}


def _joined(lines: list[str], *more: str) -> str:
    return "\n".join([*lines, *more]) + "\n"
