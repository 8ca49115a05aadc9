"""`billing-tui import-era`: what it says, its exit codes, and files that change nothing."""

from __future__ import annotations

import pytest
from era_builders import Clp, Svc, claim_number, era_835, submit
from store_builders import TODAY, build_practice

from billing_tui.cli import main
from billing_tui.store import Store


@pytest.fixture
def books(tmp_path):
    """A database with one submitted claim, and an ERA that pays it."""
    path = str(tmp_path / "era.db")
    store = Store.open(path, username="tester", today=lambda: TODAY)
    practice = build_practice(store)
    patient = practice.patient()
    claim = practice.claim(patient, 10_000)
    submit(practice, claim)
    era = era_835([Clp(claim_number(claim), "1", 10_000, 8_000,
                       [Svc("99213", 10_000, 8_000, [("CO", "45", 2_000)])])])  # fmt: skip
    store.close()
    good = tmp_path / "good.835"
    good.write_text(era)
    return path, good


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_posts_then_says_it_already_did(books, capsys):
    db, good = books
    code, out, err = run(capsys, "--db", db, "import-era", str(good))
    assert (code, err) == (0, "")
    assert "good.835: payment TRACE1 from MEDICARE PART B, 80.00 (batch 1): 1 posted" in out
    code, out, err = run(capsys, "--db", db, "import-era", str(good))
    assert code == 0
    assert "already imported" in out and "nothing posted again" in out
    assert run(capsys, "--db", db, "verify")[0] == 0


def test_preview_posts_nothing(books, capsys):
    db, good = books
    code, out, _ = run(capsys, "--db", db, "import-era", "--preview", str(good))
    assert code == 0 and "(preview, nothing posted): 1 posted" in out
    code, out, _ = run(capsys, "--db", db, "import-era", str(good))
    assert "(batch 1): 1 posted" in out  # the preview left no trace


def test_a_bad_file_is_one_line_exit_1_and_the_good_one_still_posts(books, tmp_path, capsys):
    db, good = books
    junk = tmp_path / "junk.835"
    junk.write_bytes(b"\x00\x01binary junk\xff")
    truncated = tmp_path / "cut.835"
    truncated.write_text(good.read_text()[:400])
    code, out, err = run(capsys, "--db", db, "import-era", str(junk), str(truncated), str(good))
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("billing-tui: junk.835: not an X12 file")
    assert lines[1].startswith("billing-tui: cut.835: segment ")
    assert "Traceback" not in err
    assert "(batch 1): 1 posted" in out


def test_a_missing_file(books, tmp_path, capsys):
    db, _ = books
    code, _, err = run(capsys, "--db", db, "import-era", str(tmp_path / "nope.835"))
    assert code == 1
    assert "nope.835: cannot read it" in err
