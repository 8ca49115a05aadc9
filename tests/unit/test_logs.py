"""The log file: where it is, private files, one handler however often set up, timing lines
written and read back, and a file that cannot be opened never stopping the work."""

from __future__ import annotations

import datetime as dt
import logging
import re
import stat

import pytest

from billing_tui import logs

LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d (INFO|ERROR) (.+)$")


@pytest.fixture(autouse=True)
def no_handler_left():
    yield
    logger = logging.getLogger(logs.LOGGER_NAME)
    for handler in list(logger.handlers):
        if not isinstance(handler, logging.NullHandler):
            logger.removeHandler(handler)
            handler.close()


def file_handlers() -> list[logging.Handler]:
    return [
        h
        for h in logging.getLogger(logs.LOGGER_NAME).handlers
        if isinstance(h, logging.FileHandler)
    ]


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_log_path_is_the_environment_or_the_data_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv(logs.ENV_LOG, raising=False)
    assert logs.log_path() == tmp_path / "data" / "billing-tui" / "billing-tui.log"
    monkeypatch.setenv(logs.ENV_LOG, str(tmp_path / "elsewhere.log"))
    assert logs.log_path() == tmp_path / "elsewhere.log"


def test_setup_makes_a_private_directory_and_file_once(tmp_path):
    path = tmp_path / "new" / "billing-tui.log"
    assert logs.setup(path) == path
    assert logs.setup(path) == path
    assert len(file_handlers()) == 1
    assert mode(path.parent) == 0o700
    assert mode(path) == 0o600
    assert logging.getLogger(logs.LOGGER_NAME).level == logging.INFO


def test_setup_with_another_file_moves_the_log(tmp_path):
    logs.setup(tmp_path / "first.log")
    logs.setup(tmp_path / "second.log")
    assert [h.baseFilename for h in file_handlers()] == [str(tmp_path / "second.log")]


def test_timed_writes_one_timing_line(tmp_path):
    path = tmp_path / "billing-tui.log"
    logs.setup(path)
    with logs.timed("queue"):
        pass
    lines = path.read_text().splitlines()
    assert len(lines) == 1
    match = LINE.match(lines[0])
    assert match, lines[0]
    assert match.group(1) == "INFO"
    assert re.fullmatch(r"timing queue \d+\.\d ms", match.group(2))


def test_timed_logs_the_error_class_and_raises_it(tmp_path):
    path = tmp_path / "billing-tui.log"
    logs.setup(path)
    with pytest.raises(ValueError, match="Ada Lovelace"), logs.timed("account"):
        raise ValueError("Ada Lovelace")
    [line] = path.read_text().splitlines()
    assert LINE.match(line).group(1) == "ERROR"
    assert re.search(r" failed account ValueError after \d+\.\d ms$", line)
    assert "Ada" not in line  # the class name only: a message may carry patient data


def test_a_log_that_cannot_be_opened_changes_nothing(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert logs.setup(blocker / "billing-tui.log") is None  # its "directory" is a file
    assert logs.setup(tmp_path) is None  # a directory, not a file
    assert file_handlers() == []
    with logs.timed("queue"):
        pass
    with pytest.raises(KeyError), logs.timed("queue"):
        raise KeyError("x")
    assert capsys.readouterr() == ("", "")  # nothing on stderr either


def test_a_rotated_file_is_private_too(tmp_path):
    path = tmp_path / "billing-tui.log"
    logs.setup(path)
    [handler] = file_handlers()
    handler.maxBytes = 200
    for _ in range(20):
        with logs.timed("queue"):
            pass
    assert (tmp_path / "billing-tui.log.1").exists()
    assert not (tmp_path / "billing-tui.log.4").exists()  # three backups kept
    for file in tmp_path.glob("billing-tui.log*"):
        assert mode(file) == 0o600, file


def test_recent_timings_reads_the_last_n_oldest_first(tmp_path):
    path = tmp_path / "billing-tui.log"
    path.write_text(
        "2026-11-24T09:00:00.000-05:00 INFO timing queue 10.5 ms\n"
        "2026-11-24T09:00:01.000-05:00 ERROR failed verify StoreError after 3.0 ms\n"
        "not a log line\n"
        "2026-11-24T09:00:02.000-05:00 INFO timing era import 7 ms\n"
        "2026-11-24T09:00:03.000-05:00 INFO timing verify 1200.0 ms\n"
    )
    timings = logs.recent_timings(path, n=2)
    assert [(t.name, t.ms) for t in timings] == [("era import", 7.0), ("verify", 1200.0)]
    assert timings[1].when == dt.datetime(
        2026, 11, 24, 9, 0, 3, tzinfo=dt.timezone(-dt.timedelta(hours=5))
    )
    assert len(logs.recent_timings(path)) == 3


def test_recent_timings_reaches_into_the_rotated_file(tmp_path):
    path = tmp_path / "billing-tui.log"
    (tmp_path / "billing-tui.log.1").write_text(
        "2026-11-24T09:00:00.000+00:00 INFO timing old 1.0 ms\n"
    )
    path.write_text("2026-11-24T09:00:01.000+00:00 INFO timing new 2.0 ms\n")
    assert [t.name for t in logs.recent_timings(path)] == ["old", "new"]
    assert [t.name for t in logs.recent_timings(path, n=1)] == ["new"]


def test_recent_timings_of_no_file_is_empty(tmp_path):
    assert logs.recent_timings(tmp_path / "none.log") == []
    assert logs.tail_lines(tmp_path / "none.log") == []


def test_tail_lines_across_blocks(tmp_path):
    path = tmp_path / "billing-tui.log"
    lines = [f"2026-11-24T09:00:00.000+00:00 INFO line {i} " + "é" * 50 for i in range(3000)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size > 3 * 64 * 1024  # several blocks read from the end
    assert logs.tail_lines(path, 500) == lines[-500:]
    assert logs.tail_lines(path, 5000) == lines
