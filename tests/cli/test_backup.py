"""`billing-tui backup` and `restore` on real SQLite files: a consistent copy while another
process writes, a full disk that leaves nothing behind, the refusals, the copy kept on restore,
and PostgreSQL sent to its own tools before anything connects."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from billing_tui.cli import main
from billing_tui.store import backup as backup_module
from billing_tui.store import db as db_module

# A sample admin: harmless today, and what the CLI will want once it requires a known user.
ADMIN = ("--user", "rpatel-admin")
TICK = "backup-test tick"

# Adds a note a transaction through the Store until told to stop, then prints how many.
WRITER = textwrap.dedent(
    f"""
    import pathlib, sys
    from billing_tui.store import Store

    path, stop = sys.argv[1], pathlib.Path(sys.argv[2])
    store = Store.open(path, username="rpatel-admin")
    written = 0
    while not stop.exists():
        store.accounts.add_note(1, f"{TICK} {{written}}")
        written += 1
        if written == 20:
            print("writing", flush=True)
    store.close()
    print(written, flush=True)
    """
)

# A backup under a 64 KB file-size limit, as on a full disk: writes fail with EFBIG.
FULL_DISK = textwrap.dedent(
    """
    import resource, signal, sys
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))
    from billing_tui.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def build(capsys, path: Path, accounts: int, seed: int = 1) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    code, _, err = run(
        capsys, "--db", str(path), *ADMIN, "init", "--sample", str(accounts), "--seed", str(seed)
    )
    assert code == 0, err
    return path


@pytest.fixture
def live(tmp_path, capsys) -> Path:
    """A 20-account practice, its sessions closed."""
    return build(capsys, tmp_path / "live" / "billing.db", 20)


def counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as conn:
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            for table in ("patient", "claim", "ledger_entry", "note")
        }


def ticks(path: Path) -> list[int]:
    with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT text FROM note WHERE text LIKE ?", (f"{TICK} %",))
        return sorted(int(text.rsplit(" ", 1)[1]) for (text,) in rows)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verify(capsys, path: Path) -> None:
    code, out, err = run(capsys, "--db", str(path), *ADMIN, "verify")
    assert code == 0, out + err
    assert out.startswith("OK: ")


def one_line(err: str) -> str:
    assert err.count("\n") == 1 and err.startswith("billing-tui: "), err
    assert "Traceback" not in err
    return err


# --------------------------------------------------------------------------- backup


@pytest.mark.parametrize("pages", [backup_module.PAGES_PER_STEP, 8])
def test_a_backup_while_another_process_writes_is_one_consistent_moment(
    live, tmp_path, capsys, monkeypatch, pages
):
    # 8 pages a step makes the copy take many steps, which the writer's commits restart:
    # the copy must still finish (in one step, after a few restarts) and be consistent.
    monkeypatch.setattr(backup_module, "PAGES_PER_STEP", pages)
    monkeypatch.setattr(backup_module, "STEP_PAUSE", 0.01)
    before = counts(live)
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(live), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline() == "writing\n", writer.stderr.read()
        written_before = len(ticks(live))
        code, out, err = run(capsys, "--db", str(live), "backup", str(tmp_path / "copy.db"))
        written_after = len(ticks(live))
    finally:
        stop.touch()
        written, errors = writer.communicate(timeout=30)
    assert writer.returncode == 0, errors
    assert code == 0, err
    assert out.startswith(f"Backup written: {tmp_path / 'copy.db'} (") and "schema 0" in out
    assert written_after > written_before, "the writer was not writing during the backup"

    restored = tmp_path / "restored" / "billing.db"
    restored.parent.mkdir()
    code, out, err = run(capsys, "--db", str(restored), "restore", str(tmp_path / "copy.db"))
    assert code == 0, err
    assert out.startswith(f"Restored {tmp_path / 'copy.db'} into {restored}")
    verify(capsys, restored)

    # The copy is the database as of one commit: every note up to some tick and none after.
    copied = ticks(restored)
    assert written_before <= len(copied) <= written_after <= int(written)
    assert copied == list(range(len(copied)))
    assert counts(restored) == {**before, "note": before["note"] + len(copied)}


def test_backup_into_a_directory_names_the_file_and_refuses_to_overwrite(live, tmp_path, capsys):
    target = tmp_path / "backups"
    target.mkdir()
    code, out, err = run(capsys, "--db", str(live), "backup", str(target))
    assert code == 0, err
    (made,) = target.iterdir()
    assert made.name.startswith("billing-") and made.suffix == ".db"
    assert f"Backup written: {made} (" in out
    assert oct(made.stat().st_mode & 0o777) == "0o600"  # it holds patient data
    with sqlite3.connect(made) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one file

    code, _, err = run(capsys, "--db", str(live), "backup", str(made))
    assert code == 2
    assert "already exists; add --force" in one_line(err)
    code, _, err = run(capsys, "--db", str(live), "backup", str(made), "--force")
    assert code == 0, err

    notes = tmp_path / "notes.txt"
    notes.write_text("not a backup")
    code, _, err = run(capsys, "--db", str(live), "backup", str(notes), "--force")
    assert code == 2
    assert "is not a SQLite database; not replacing it" in one_line(err)
    assert notes.read_text() == "not a backup"


def test_a_full_disk_leaves_no_partial_file_and_the_database_as_it_was(live, tmp_path):
    target = tmp_path / "full"
    target.mkdir()
    untouched, beside = sha256(live), sorted(os.listdir(live.parent))
    result = subprocess.run(
        [sys.executable, "-c", FULL_DISK, "--db", str(live), "backup", str(target)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "cannot write the backup" in one_line(result.stderr)
    assert "disk" in result.stderr
    assert list(target.iterdir()) == []
    assert sha256(live) == untouched
    assert sorted(os.listdir(live.parent)) == beside


def test_a_missing_directory_is_one_line(live, tmp_path, capsys):
    untouched = sha256(live)
    code, out, err = run(capsys, "--db", str(live), "backup", str(tmp_path / "no" / "x.db"))
    assert code == 2 and out == ""
    assert f"the backup's directory does not exist: {tmp_path / 'no'}" in one_line(err)
    assert not (tmp_path / "no").exists()
    assert sha256(live) == untouched


def test_backing_up_a_database_that_is_not_there_creates_nothing(tmp_path, capsys):
    code, _, err = run(capsys, "--db", str(tmp_path / "x.db"), "backup", str(tmp_path))
    assert code == 2
    assert "no database at" in one_line(err)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- restore


@pytest.fixture
def saved(live, tmp_path, capsys) -> Path:
    path = tmp_path / "saved.db"
    code, _, err = run(capsys, "--db", str(live), "backup", str(path))
    assert code == 0, err
    return path


def not_sqlite(tmp_path: Path, saved: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("not a database")
    return path


def other_sqlite(tmp_path: Path, saved: Path) -> Path:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE recipe (name TEXT)")
    return path


def damaged(tmp_path: Path, saved: Path) -> Path:
    path = tmp_path / "damaged.db"
    data = bytearray(saved.read_bytes())
    data[40 * 4096 : 60 * 4096] = b"\xa5" * (20 * 4096)
    path.write_bytes(data)
    return path


def newer(tmp_path: Path, saved: Path) -> Path:
    with sqlite3.connect(saved) as conn:
        conn.execute(
            "INSERT INTO schema_migration (name, applied) VALUES ('9999_future', '2030-01-01')"
        )
    return saved


def missing(tmp_path: Path, saved: Path) -> Path:
    return tmp_path / "nowhere.db"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (not_sqlite, "is not a SQLite database"),
        (other_sqlite, "is a SQLite file but not a billing-tui database (no schema_migration"),
        (damaged, "integrity check|is damaged"),
        (newer, "was made by a newer billing-tui (schema 9999_future)"),
        (missing, "no backup at"),
    ],
)
def test_restore_refuses_what_is_not_a_whole_billing_backup(tmp_path, saved, capsys, make, message):
    source = make(tmp_path, saved)
    target = tmp_path / "new.db"
    code, out, err = run(capsys, "--db", str(target), "restore", str(source))
    assert code == 2 and out == ""
    assert any(part in one_line(err) for part in message.split("|")), err
    assert not target.exists()


def test_restore_over_a_database_with_data_needs_force(live, saved, capsys):
    untouched, beside = sha256(live), sorted(os.listdir(live.parent))
    code, out, err = run(capsys, "--db", str(live), "restore", str(saved))
    assert code == 2 and out == ""
    assert f"{live} holds 20 accounts, " in one_line(err) and "add --force" in err
    assert sha256(live) == untouched
    assert sorted(os.listdir(live.parent)) == beside


def test_restore_with_force_keeps_the_database_it_replaces(live, tmp_path, capsys):
    other = build(capsys, tmp_path / "other" / "billing.db", 5, seed=2)
    source = tmp_path / "other.db"
    assert run(capsys, "--db", str(other), "backup", str(source))[0] == 0
    replaced = counts(live)

    code, out, err = run(capsys, "--db", str(live), "restore", str(source), "--force")
    assert code == 0, err
    (kept,) = live.parent.glob("billing.before-restore-*.db")
    assert out == (
        f"Restored {source} into {live} (schema {db_module._known_migrations()[-1]}); "
        f"the database it replaced is kept as {kept}\n"
    )
    assert counts(live) == counts(other) and counts(live)["patient"] == 5
    assert counts(kept) == replaced and replaced["patient"] == 20
    verify(capsys, live)
    verify(capsys, kept)


def test_an_older_backup_is_brought_up_to_date(tmp_path, capsys, monkeypatch):
    known = db_module._known_migrations()
    older = tmp_path / "older-code"
    older.mkdir()
    for name in known[:-1]:  # the code as it was before the newest migration
        (older / f"{name}.py").write_bytes((db_module.MIGRATIONS / f"{name}.py").read_bytes())
    monkeypatch.setattr(db_module, "MIGRATIONS", older)
    source = tmp_path / "older.db"
    db = db_module.connect(str(source))
    db_module.migrate(db)
    db.close()
    monkeypatch.undo()

    target = tmp_path / "billing.db"
    code, out, err = run(capsys, "--db", str(target), "restore", str(source))
    assert code == 0, err
    assert f"(schema {known[-1]}, upgraded from {known[-2]})" in out
    with sqlite3.connect(target) as conn:
        applied = [name for (name,) in conn.execute("SELECT name FROM schema_migration")]
    assert sorted(applied) == known


# --------------------------------------------------------------------------- PostgreSQL


@pytest.mark.parametrize(("command", "tool"), [("backup", "pg_dump"), ("restore", "pg_restore")])
def test_postgresql_is_sent_to_its_own_tools_before_connecting(
    tmp_path, capsys, monkeypatch, command, tool
):
    def no_connecting(*args, **kwargs):
        raise AssertionError("connected to PostgreSQL")

    monkeypatch.setattr(db_module, "_postgres", no_connecting)
    monkeypatch.setattr(backup_module, "connect", no_connecting)
    url = "postgresql://billing:s3cret@db.invalid:1/practice"
    code, out, err = run(capsys, "--db", url, command, str(tmp_path / "x.dump"))
    assert code == 2 and out == ""
    assert f"for PostgreSQL use {tool}: {tool} " in one_line(err)
    assert "postgresql://billing:***@db.invalid:1/practice" in err and "s3cret" not in err
    assert list(tmp_path.iterdir()) == []
