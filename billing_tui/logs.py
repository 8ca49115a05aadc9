"""The app's log file: command names, timings, error class names, counts; never patient data.

Nothing here may stop the work: a log file that cannot be opened means no log,
not an error. Lines read `<ISO timestamp> <LEVEL> <message>`, for example
`2026-11-24T09:15:02.114-05:00 INFO timing queue 41.7 ms`.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import NamedTuple

from .config import data_dir

ENV_LOG = "BILLING_TUI_LOG"
LOGGER_NAME = "billing_tui"
MAX_BYTES = 1_000_000
BACKUPS = 3

logger = logging.getLogger(LOGGER_NAME)
# Without a handler of its own, a WARNING or worse from this logger would reach
# logging's last resort and be printed on stderr, beside the CLI's one-line errors.
logger.addHandler(logging.NullHandler())

_LINE = re.compile(r"^(\S+) INFO timing (.+) (\d+(?:\.\d+)?) ms$")
_BLOCK = 64 * 1024


class Timing(NamedTuple):
    when: dt.datetime | None  # None when the timestamp cannot be read
    name: str
    ms: float


class _Formatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(message)s")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        when = dt.datetime.fromtimestamp(record.created).astimezone()
        return when.isoformat(timespec="milliseconds")


class _PrivateRotatingFileHandler(RotatingFileHandler):
    """Each file it creates, the first and those after a rollover, is private (0600)."""

    def _open(self):
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)


def log_path() -> Path:
    """$BILLING_TUI_LOG, or billing-tui.log in the data directory."""
    if explicit := os.environ.get(ENV_LOG):
        return Path(explicit).expanduser()
    return data_dir() / "billing-tui.log"


def setup(path: Path | str | None = None) -> Path | None:
    """Log INFO and above to path (default log_path()); the file in use, or None if none.

    Calling it again with the same file changes nothing; with another file, the
    log moves there.
    """
    target = Path(path).expanduser() if path is not None else log_path()
    filename = os.path.abspath(target)
    for handler in list(logger.handlers):
        if isinstance(handler, _PrivateRotatingFileHandler):
            if handler.baseFilename == filename:
                return target
            logger.removeHandler(handler)
            handler.close()
    try:
        target.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
        handler = _PrivateRotatingFileHandler(
            filename, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(_Formatter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return target


@contextmanager
def timed(name: str) -> Iterator[None]:
    """Log `timing <name> <ms> ms` when the block ends, or `failed <name> <Error> after <ms> ms`."""
    started = time.perf_counter()
    try:
        yield
    except BaseException as error:
        ms = (time.perf_counter() - started) * 1000
        logger.error("failed %s %s after %.1f ms", name, type(error).__name__, ms)
        raise
    ms = (time.perf_counter() - started) * 1000
    logger.info("timing %s %.1f ms", name, ms)


def tail_lines(path: Path | str | None = None, n: int = 500) -> list[str]:
    """The last n lines of the log, oldest first, reaching into the rotated file if need be."""
    base = Path(path) if path is not None else log_path()
    lines: list[str] = []
    for candidate in (base, base.with_name(base.name + ".1")):
        for line in _lines_backwards(candidate):
            if len(lines) == n:
                break
            lines.append(line)
    return lines[::-1]


def recent_timings(path: Path | str | None = None, n: int = 50) -> list[Timing]:
    """The last n timing lines of the log, oldest first."""
    base = Path(path) if path is not None else log_path()
    found: list[Timing] = []
    for candidate in (base, base.with_name(base.name + ".1")):
        for line in _lines_backwards(candidate):
            if len(found) == n:
                break
            if match := _LINE.match(line):
                stamp, name, ms = match.groups()
                found.append(Timing(_timestamp(stamp), name, float(ms)))
    return found[::-1]


def _timestamp(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def _lines_backwards(path: Path) -> Iterator[str]:
    """The file's lines, newest first, read a block at a time from the end."""
    try:
        handle = open(path, "rb")
    except OSError:
        return
    with handle:
        end = handle.seek(0, os.SEEK_END)
        rest = b""
        while end > 0:
            start = max(0, end - _BLOCK)
            handle.seek(start)
            chunk = handle.read(end - start) + rest
            end = start
            # A b"\n" never falls inside a UTF-8 character, so splitting bytes is safe.
            pieces = chunk.split(b"\n")
            rest = pieces.pop(0) if start > 0 else b""
            for piece in reversed(pieces):
                if piece.strip():
                    yield piece.decode("utf-8", errors="replace").rstrip("\r")
        if rest.strip():
            yield rest.decode("utf-8", errors="replace").rstrip("\r")
