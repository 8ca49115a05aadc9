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

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..domain.statements import StatementContent

BACKGROUND_AT = 500  # statements from which a second process draws


class PrintError(RuntimeError):
    """The statements could not be drawn; the message says why."""


class StatementPrinter:
    """Feed it statements' JSON (the form they are kept in) with add(); finish() writes the
    PDF. Use as a context manager so that a failed run never leaves a process behind.

    The second process is `python -m billing_tui.pdf.statement_printer PATH TITLE`, fed
    one statement a line on its standard input; it answers one line of JSON. A plain
    subprocess, not multiprocessing: nothing of this process (its threads, the TUI's
    terminal, its __main__) is copied or imported again."""

    def __init__(self, path: Path, *, title: str, expected: int) -> None:
        self._path = Path(path)
        self._title = title
        self._pending: list[str] = []
        self._process: subprocess.Popen | None = None
        self._errors = None
        if expected >= BACKGROUND_AT:
            self._errors = tempfile.TemporaryFile()
            self._process = subprocess.Popen(
                [sys.executable, "-m", __name__, str(self._path), title],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._errors,
            )

    def add(self, statements: Sequence[str]) -> None:
        if not statements:
            return
        if self._process is None:
            self._pending.extend(statements)
            return
        try:
            self._process.stdin.write(("\n".join(statements) + "\n").encode())
        except (BrokenPipeError, OSError):
            self._fail()

    def finish(self) -> tuple[int, ...]:
        if self._process is None:
            return _draw_to(self._path, _contents(iter(self._pending)), self._title)
        try:
            self._process.stdin.close()
            answer = self._process.stdout.read()
            self._process.wait()
        except (BrokenPipeError, OSError):
            self._fail()
        try:
            reply = json.loads(answer)
        except ValueError:
            self._fail()
        finally:
            self._stop()
        if "error" in reply:
            raise PrintError(reply["error"])
        return tuple(reply["pages"])

    def _fail(self):
        """The drawing process went away: say why if it can, and stop it."""
        message = "the process drawing the statements stopped"
        try:
            answer = self._process.stdout.read()
            message = json.loads(answer)["error"]
        except (OSError, ValueError, KeyError, TypeError):
            self._errors.seek(0)
            last = self._errors.read().decode(errors="replace").strip().splitlines()
            if last:
                message = f"{message}: {last[-1][:200]}"
        self._stop()
        raise PrintError(message)

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            for stream in (process.stdin, process.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._errors is not None:
            self._errors.close()
            self._errors = None

    def __enter__(self) -> StatementPrinter:
        return self

    def __exit__(self, *exc) -> None:
        if self._process is not None and exc[0] is not None:
            self._process.kill()  # the run failed: the drawing is of no use
        self._stop()


def _contents(lines: Iterator[str]) -> Iterator[StatementContent]:
    for text in lines:
        if text.strip():
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


def _main(path: str, title: str) -> None:
    """The drawing process: statements arrive a line each until the end of input; the
    file is written and one line of JSON answers, {"pages": [...]} or {"error": "..."}."""
    lines = (line.decode("utf-8") for line in sys.stdin.buffer)
    try:
        reply = {"pages": list(_draw_to(Path(path), _contents(lines), title))}
    except Exception as error:  # noqa: BLE001 - every failure goes back to the run, as words
        reply = {"error": f"{type(error).__name__}: {error}"}
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    _main(sys.argv[1], sys.argv[2])
