"""`billing-tui serve`: the TUI in a browser, on loopback by default, one line for what fails."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from billing_tui.cli import main
from billing_tui.store import Store


@pytest.fixture
def database(tmp_path) -> str:
    path = str(tmp_path / "serve.db")
    assert main(["--db", path, "init"]) == 0
    store = Store.open(path, username="admin")
    store.users.add("admin", "Admin", "admin", "a long passphrase")
    store.close()
    return path


def test_a_database_without_an_administrator_is_not_served(tmp_path, capsys):
    path = str(tmp_path / "new.db")
    assert main(["--db", path, "init"]) == 0
    assert main(["--db", path, "serve", "--port", str(free_port())]) == 2
    assert "no administrator yet" in capsys.readouterr().err


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_listening(server: subprocess.Popen, port: int, seconds: float = 8.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"serve exited {server.returncode}: {server.stderr.read()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"nothing listening on port {port} after {seconds} s")


def non_loopback_address() -> str | None:
    """This machine's address on its network, if it has one."""
    candidates = []
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.connect(("192.0.2.1", 9))  # TEST-NET-1: sets a route, sends nothing
            candidates.append(udp.getsockname()[0])
    except OSError:
        pass
    try:
        candidates.append(socket.gethostbyname(socket.gethostname()))
    except OSError:
        pass
    return next((a for a in candidates if not a.startswith("127.") and a != "0.0.0.0"), None)


async def open_session(port: int, origin: str) -> bytes:
    """What the browser's websocket receives in its first moments: the TUI drawing itself."""
    import aiohttp

    url = f"http://127.0.0.1:{port}/ws?width=80&height=24"
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(url, headers={"Origin": origin}) as websocket:
            await websocket.send_json(["resize", {"width": 80, "height": 24}])
            screen = b""
            while len(screen) < 1000:
                message = await asyncio.wait_for(websocket.receive(), 5)
                if message.type != aiohttp.WSMsgType.BINARY:
                    break
                screen += message.data
            return screen


async def refused_origin(port: int) -> int:
    import aiohttp

    async with aiohttp.ClientSession() as http:
        try:
            await http.ws_connect(
                f"http://127.0.0.1:{port}/ws", headers={"Origin": "https://evil.example"}
            )
        except aiohttp.WSServerHandshakeError as error:
            return error.status
    return 101


def test_serves_the_tui_on_loopback_only_and_stops_cleanly(database):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "billing_tui", "--db", database, "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},  # rich wraps its log lines otherwise
    )
    try:
        wait_until_listening(server, port)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            assert response.status == 200
            page = response.read().decode()
        assert f"ws://127.0.0.1:{port}/ws" in page and "textual" in page.lower()
        assert "--db" not in page  # the page names the app, not its command line

        screen = asyncio.run(open_session(port, f"http://localhost:{port}"))
        assert b"\x1b[" in screen  # a real TUI session drew its screen
        assert asyncio.run(refused_origin(port)) == 403

        if (address := non_loopback_address()) is not None:
            with pytest.raises(OSError):
                socket.create_connection((address, port), timeout=1).close()
    finally:
        server.terminate()
        out, err = server.communicate(timeout=10)
    assert server.returncode == 0, err
    assert out.splitlines()[0] == f"Serving billing-tui on http://127.0.0.1:{port} (Ctrl+C to stop)"
    assert "Traceback" not in err and "warning" not in err


@pytest.fixture
def taken_port():
    with socket.socket() as holder:
        holder.bind(("0.0.0.0", 0))
        holder.listen()
        yield holder.getsockname()[1]


def test_a_port_in_use_is_one_line_and_exit_2(database, taken_port, capsys):
    code = main(["--db", database, "serve", "--port", str(taken_port)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err == (
        f"billing-tui: port {taken_port} on 127.0.0.1 is already in use; "
        "choose another with --port\n"
    )


def test_a_host_other_machines_reach_is_warned_about(database, taken_port, capsys):
    code = main(["--db", database, "serve", "--host", "0.0.0.0", "--port", str(taken_port)])
    _, err = capsys.readouterr()
    warning, error = err.splitlines()
    assert code == 2
    assert "warning: --host 0.0.0.0" in warning and "TLS proxy" in warning
    assert "already in use" in error


def test_a_database_that_cannot_open_fails_before_serving(tmp_path, capsys):
    missing = str(tmp_path / "nowhere" / "x.db")
    assert main(["--db", missing, "serve", "--port", str(free_port())]) == 2
    assert "directory does not exist" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--port", "0"], ["--port", "http"], ["--public-url", "ftp://x"]])
def test_bad_arguments_exit_2(database, argv, capsys):
    assert main(["--db", database, "serve", *argv]) == 2
    assert "serve" in capsys.readouterr().err
