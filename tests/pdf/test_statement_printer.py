"""The statement printer: a big run drawn in a second process gives the very bytes of one
drawn in-process, and a failure there comes back as words, leaving no process behind."""

from __future__ import annotations

import datetime as dt
import os
import subprocess

import pytest
from statement_builders import line, statement, visit

from billing_tui.pdf.statement import statement_pdf
from billing_tui.pdf.statement_printer import PrintError, StatementPrinter


def leftover_processes() -> list[str]:
    """Drawing processes still running (this test's children)."""
    found = subprocess.run(["pgrep", "-P", str(os.getpid()), "-f", "statement_printer"],
                           capture_output=True, text=True)  # fmt: skip
    return found.stdout.split()


def contents(n: int):
    return [
        statement(
            visit(
                f"1000{i:04d}-1", dt.date(2026, 10, 1), line("99213", "Office visit", 12_000 + i)
            ),
            account=f"1000{i:04d}",
        )
        for i in range(n)
    ]


def test_a_second_process_draws_the_same_bytes_as_in_process(tmp_path):
    made = contents(5)
    path = tmp_path / "run.pdf"
    with StatementPrinter(path, title="Patient statements", expected=10_000) as printer:
        printer.add([c.to_json() for c in made[:2]])
        printer.add([c.to_json() for c in made[2:]])
        pages = printer.finish()
    expected = statement_pdf(made)
    assert pages == expected.pages
    assert path.read_bytes() == expected.data
    assert not leftover_processes()


def test_a_statement_that_cannot_be_drawn_comes_back_as_a_print_error(tmp_path):
    path = tmp_path / "run.pdf"
    with StatementPrinter(path, title="Patient statements", expected=10_000) as printer:
        printer.add([contents(1)[0].to_json(), "{not json"])
        with pytest.raises(PrintError, match="cannot be read"):
            printer.finish()
    assert not leftover_processes()


def test_a_run_that_stops_sending_leaves_no_process(tmp_path):
    with StatementPrinter(tmp_path / "run.pdf", title="x", expected=10_000) as printer:
        printer.add([contents(1)[0].to_json()])
    assert not leftover_processes()
