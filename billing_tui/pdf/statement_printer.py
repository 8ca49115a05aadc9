"""Drawing a run of statements into one PDF file while the run is still being read.

A statement run is two jobs of about the same weight per statement on a quiet
database: reading an account's books, and drawing its pages (fpdf2 is most of the
time). A big run hands its statements, as they are read, to a second process that
draws them (the run's machine has more than one core), so the reading costs next to
nothing; a small one draws in-process, where starting a process would cost more than
it saves. Either way the PDF is written to the path given, fsynced, and finish()
returns how many pages each statement took; an error in the drawing comes back as a
PrintError and the file is left for the caller to remove.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..domain.statements import StatementContent

BACKGROUND_AT = 500  # statements from which a second process draws


class PrintError(RuntimeError):
    """The statements could not be drawn; the message says why."""


class StatementPrinter:
    """Feed it statements' JSON (the form they are kept in) with add(); finish() writes the
    PDF. Use as a context manager so that a failed run never leaves a process behind."""

    def __init__(self, path: Path, *, title: str, expected: int) -> None:
        self._path = Path(path)
        self._title = title
        self._pending: list[str] = []
        self._connection = None
        self._process = None
        if expected >= BACKGROUND_AT:
            # spawn, not fork: the TUI runs this from a worker thread, and a forked copy
            # of a threaded process (and of its database connection) is not safe.
            context = multiprocessing.get_context("spawn")
            parent, child = context.Pipe()
            self._process = context.Process(
                target=_draw_run, args=(child, str(self._path), title), daemon=True
            )
            self._process.start()
            child.close()
            self._connection = parent

    def add(self, statements: Sequence[str]) -> None:
        if not statements:
            return
        if self._connection is None:
            self._pending.extend(statements)
            return
        try:
            self._connection.send(list(statements))
        except (BrokenPipeError, EOFError, OSError):
            self._fail()

    def finish(self) -> tuple[int, ...]:
        if self._connection is None:
            return _draw_to(self._path, _contents(iter([self._pending])), self._title)
        try:
            self._connection.send(None)
            outcome, value = self._connection.recv()
        except (BrokenPipeError, EOFError, OSError):
            self._fail()
        finally:
            self._stop()
        if outcome != "ok":
            raise PrintError(value)
        return tuple(value)

    def _fail(self):
        """The drawing process went away: say why if it can, and stop it."""
        message = "the process drawing the statements stopped"
        try:
            if self._connection.poll(1):
                outcome, value = self._connection.recv()
                if outcome == "error":
                    message = value
        except (EOFError, OSError):
            pass
        self._stop()
        raise PrintError(message)

    def _stop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if self._process is not None:
            self._process.join(timeout=5)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
            self._process = None

    def __enter__(self) -> StatementPrinter:
        return self

    def __exit__(self, *exc) -> None:
        self._stop()


def _contents(batches: Iterator[list[str]]) -> Iterator[StatementContent]:
    for batch in batches:
        for text in batch:
            yield StatementContent.from_json(text)


def _draw_to(path: Path, contents, title: str) -> tuple[int, ...]:
    from fpdf import FPDF

    from .statement import DOCUMENT, draw_statements

    pdf = FPDF(**DOCUMENT)
    pages = draw_statements(pdf, contents, title=title)
    data = bytes(pdf.output())
    with open(path, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    return pages


class _Cancelled(Exception):
    """The run stopped sending (it failed, or found nothing to print)."""


def _draw_run(connection, path: str, title: str) -> None:
    """The drawing process: statements arrive in batches until None; the file is written
    and its pages sent back (or the error, in words). A run that goes away before None
    has cancelled: nothing to say."""

    def batches() -> Iterator[list[str]]:
        while True:
            try:
                batch = connection.recv()
            except (EOFError, OSError):
                raise _Cancelled from None
            if batch is None:
                return
            yield batch

    try:
        reply = ("ok", list(_draw_to(Path(path), _contents(batches()), title)))
    except _Cancelled:
        return
    except Exception as error:  # noqa: BLE001 - every failure goes back to the run, as words
        reply = ("error", f"{type(error).__name__}: {error}")
    try:
        connection.send(reply)
    except OSError:
        pass
    finally:
        connection.close()
