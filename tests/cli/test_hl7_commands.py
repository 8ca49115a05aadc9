"""`billing-tui import-hl7`, `inbound` and `hl7-listen`: what they say, their exit codes, the
ACK files beside the input, and a listener answering over a real TCP socket."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from hl7_builders import adt, dft, fee_schedule, ft1, mllp, plain
from store_builders import TODAY, build_practice

from billing_tui.cli import main
from billing_tui.store import Store
from billing_tui.store.models import Claim, InboundMessage, Patient


@pytest.fixture
def db(tmp_path) -> str:
    path = str(tmp_path / "books.db")
    store = Store.open(path, username="tester", today=lambda: TODAY)
    build_practice(store)
    fee_schedule()
    store.session.user_id()  # enrolls "tester", the OS login the CLI acts as
    store.close()
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def count(model, db: str) -> int:
    store = Store.open(db, username="tester")
    try:
        return model.select().count()
    finally:
        store.close()


def test_import_writes_acks_beside_the_file_and_exits_0(db, tmp_path, capsys):
    path = tmp_path / "from-ehr.hl7"
    path.write_bytes(plain(adt("ADT1"), dft("DFT1")))
    code, out, err = run(capsys, "--db", db, "import-hl7", str(path))
    assert (code, err) == (0, "")
    assert "from-ehr.hl7 #1 ADT^A04 ADT1: AA account " in out
    assert "from-ehr.hl7 #2 DFT^P03 DFT1: AA claim " in out
    assert "2 messages: 2 imported" in out
    ack = (tmp_path / "from-ehr.hl7.ack").read_text()
    assert ack.count("MSH|") == 2 and "MSA|AA|ADT1|" in ack and "MSA|AA|DFT1|" in ack
    code, out, _ = run(capsys, "--db", db, "import-hl7", str(path))
    assert code == 0 and "0 imported, 2 already imported" in out
    assert count(Claim, db) == 1
    assert run(capsys, "--db", db, "verify")[0] == 0


def test_a_failure_is_exit_1_with_its_position_and_the_rest_imports(db, tmp_path, capsys):
    path = tmp_path / "mixed.hl7"
    path.write_bytes(plain(adt("ADT1"), dft("DFT1", ft1(f11="12.345")), dft("DFT2")))
    code, out, err = run(capsys, "--db", db, "import-hl7", str(path))
    assert code == 1
    assert err.strip() == (
        "mixed.hl7 #2 DFT^P03 DFT1: AE FT1-11: '12.345' is not an amount in dollars and cents"
    )
    assert "3 messages: 2 imported, 1 failed (billing-tui inbound)" in out
    assert "Traceback" not in out + err
    assert count(Claim, db) == 1
    code, out, _ = run(capsys, "--db", db, "inbound")
    assert (
        code == 0
        and "AE FT1-11: '12.345' is not an amount" in out
        and "DFT^P03 DFT1, mixed.hl7 #2" in out
    )


def test_files_that_are_not_there_or_hold_nothing(db, tmp_path, capsys):
    empty = tmp_path / "empty.hl7"
    empty.write_bytes(b"\n\n")
    code, _, err = run(capsys, "--db", db, "import-hl7", str(tmp_path / "nope.hl7"), str(empty))
    assert code == 1
    assert "cannot read" in err and "nope.hl7" in err
    assert "empty.hl7 holds no HL7 messages" in err
    assert count(InboundMessage, db) == 0


def test_inbound_retry_after_the_patient_is_registered(db, tmp_path, capsys):
    early = tmp_path / "early.hl7"
    early.write_bytes(plain(dft("DFT1")))
    assert run(capsys, "--db", db, "import-hl7", str(early))[0] == 1
    registration = tmp_path / "a04.hl7"
    registration.write_bytes(plain(adt("ADT1")))
    assert run(capsys, "--db", db, "import-hl7", str(registration))[0] == 0
    code, out, _ = run(capsys, "--db", db, "inbound", "--format", "json")
    assert code == 0 and '"message": 1' in out
    code, out, _ = run(capsys, "--db", db, "inbound", "--show", "1")
    assert code == 0 and out.startswith("MSH|^~\\&|EHR|CLINIC") and "\nFT1|1|" in out
    code, out, err = run(capsys, "--db", db, "inbound", "--retry", "1")
    assert (code, err) == (0, "")
    assert out.startswith("inbound message 1: AA claim ")
    code, out, _ = run(capsys, "--db", db, "inbound")
    assert "No inbound HL7 messages are waiting" in out
    code, _, err = run(capsys, "--db", db, "inbound", "--retry", "1")
    assert code == 1 and "was imported already" in err


# --------------------------------------------------------------------------- the listener


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def exchange(sock: socket.socket, data: bytes) -> str:
    """Send bytes, read back one MLLP block: the ACK's text."""
    sock.sendall(data)
    received = b""
    while not received.endswith(b"\x1c\r"):
        chunk = sock.recv(65536)
        assert chunk, f"the listener hung up; had {received!r}"
        received += chunk
    assert received.startswith(b"\x0b")
    return received[1:-2].decode()


@pytest.fixture
def listener(db, tmp_path):
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "billing_tui", "--db", db, "hl7-listen", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"hl7-listen exited: {process.stderr.read()}")
            time.sleep(0.05)
    else:
        process.kill()
        pytest.fail("hl7-listen did not start listening in 30 s")
    yield process, port
    if process.poll() is None:
        process.kill()
        process.wait()


def test_listener_answers_each_message_over_a_real_socket(db, listener):
    process, port = listener
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        first = exchange(sock, mllp(adt("ADT1")))
        assert "\rMSA|AA|ADT1|account " in first and first.startswith("MSH|^~\\&|BILLING-TUI|")
        # Two messages in one write: two ACKs, in order.
        sock.sendall(mllp(dft("DFT1"), dft("DFT2", ft1(f25="99999", f7="99999"))))
        good, bad = exchange(sock, b""), exchange(sock, b"")
        assert "MSA|AA|DFT1|claim " in good
        assert "MSA|AE|DFT2|FT1-25: procedure 99999 is not in the fee schedule" in bad
        assert "\rERR||FT1^25|103|E" in bad
        again = exchange(sock, mllp(dft("DFT1")))
        assert "MSA|AA|DFT1|already imported" in again
        junk = exchange(sock, b"\x0bPID|1||X\x1c\r")
        assert "MSA|AR||the message does not begin with an MSH segment" in junk
    # A second connection is served by the same listener.
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        assert "MSA|AA|DFT3|" in exchange(sock, mllp(dft("DFT3")))
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Listening for HL7 v2 (MLLP) on 127.0.0.1:" in out
    assert "DFT^P03 DFT2: AE FT1-25" in err and "Traceback" not in err
    assert count(Claim, db) == 2
    assert count(Patient, db) == 1
    assert count(InboundMessage, db) == 5


def test_listener_records_a_message_cut_off_by_a_hang_up(db, listener):
    process, port = listener
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        assert "MSA|AA|ADT1|" in exchange(sock, mllp(adt("ADT1")))
        sock.sendall(b"\x0b" + dft("DFT1").encode()[:60])
    deadline = time.monotonic() + 30
    while count(InboundMessage, db) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=30)
    store = Store.open(db, username="tester")
    try:
        (item,) = store.posting.worklist("inbound")
        assert "cut short" in item.reason
        assert Claim.select().count() == 0
    finally:
        store.close()


def test_listen_on_a_port_in_use_is_one_line(db, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = run(capsys, "--db", db, "hl7-listen", "--port", str(port))
    assert code == 2
    assert err.startswith("billing-tui: ") and str(port) in err and "Traceback" not in err
