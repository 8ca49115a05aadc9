"""Subcommand serve: the same TUI in a browser, through textual-serve, for remote support."""

from __future__ import annotations

import argparse
import errno
import ipaddress
import socket
import sys
from urllib.parse import urlsplit

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8000


def register(commands) -> dict:
    parser = commands.add_parser(
        "serve",
        help="serve the TUI in a web browser (bind to loopback; put a TLS proxy with login in front)",
    )
    listen_arguments(parser, DEFAULT_HOST, DEFAULT_PORT)
    parser.add_argument(
        "--public-url",
        type=_public_url,
        metavar="URL",
        help="the address browsers use, when behind a proxy (e.g. https://billing.example.org)",
    )
    return {"serve": cmd_serve}


def listen_arguments(parser, host: str, port: int) -> None:
    """--host and --port of a command that listens (serve, hl7-listen)."""
    parser.add_argument("--host", default=host, help=f"address to listen on (default {host})")
    parser.add_argument("--port", type=_port, default=port, help=f"port (default {port})")


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError("must be from 1 to 65535")
    return value


def _public_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise argparse.ArgumentTypeError(f"not an http:// or https:// URL: {text!r}")
    return text.rstrip("/")  # textual-serve appends "/ws", "/static/..." to it


def cmd_serve(args: argparse.Namespace, settings) -> int:
    from ..cli import EXIT_OK, EXIT_USAGE, fail, open_store

    # A --db that cannot be opened fails here, not in every browser session. Opened as the
    # served TUI opens it: acting as nobody, since each session signs in on its login screen.
    store = open_store(settings, args, acting=False, via="serve")
    try:
        no_admin = store.users.needs_first_admin()
    finally:
        store.close()
    if no_admin:  # else whoever reached the page first would become its administrator
        return fail(
            "this database has no administrator yet: create one with "
            "`billing-tui user add NAME --role admin`, then serve it",
            EXIT_USAGE,
        )
    if not is_loopback(args.host):
        print(
            f"billing-tui: warning: --host {args.host} is reachable from other machines; "
            "serve only behind a TLS proxy that makes people log in",
            file=sys.stderr,
        )
    # textual-serve would raise from deep inside aiohttp; a port taken is one line here.
    if problem := cannot_listen(args.host, args.port):
        return fail(problem, EXIT_USAGE)

    local_url = f"http://{_url_host(args.host)}:{args.port}"
    if args.public_url:
        allowed = {_origin(args.public_url)}
    else:
        allowed = {local_url}
        if is_loopback(args.host):  # the same server, however the browser names it
            allowed |= {
                f"http://{name}:{args.port}" for name in ("localhost", "127.0.0.1", "[::1]")
            }
    import os

    os.environ["BILLING_TUI_DB"] = settings.database  # what each session's TUI opens
    os.environ["BILLING_TUI_VIA"] = "serve"  # the audit trail says the session came this way
    server = _make_server(
        tui_command(settings.database),
        host=args.host,
        port=args.port,
        public_url=args.public_url or local_url,
        banner=f"Serving billing-tui on {local_url} (Ctrl+C to stop)",
        allowed_origins=frozenset(allowed),
    )
    try:
        server.serve()  # until SIGINT or SIGTERM, which textual-serve turns into a clean exit
    except OSError as error:  # the port was taken between the check and aiohttp's bind
        return fail(f"cannot listen on {args.host}:{args.port}: {error.strerror}", EXIT_USAGE)
    return EXIT_OK


def _make_server(command, *, host, port, public_url, banner, allowed_origins):
    import asyncio

    from aiohttp import web
    from textual_serve.server import Server

    sessions: set[asyncio.Task] = set()

    class BillingServer(Server):
        async def on_startup(self, app) -> None:  # one line instead of textual-serve's logo
            print(banner, flush=True)

        async def on_shutdown(self, app) -> None:
            # Otherwise aiohttp waits for open sessions for up to a minute. Cancelled, each
            # sends its TUI textual's quit message and waits for that process to end.
            for session in sessions:
                session.cancel()

        async def handle_websocket(self, request):
            # Browsers let any web page open a websocket to localhost; without this check
            # a page the user happens to visit could drive the TUI.
            origin = request.headers.get("Origin")
            if origin is not None and origin.rstrip("/").lower() not in allowed_origins:
                raise web.HTTPForbidden(text="origin not allowed")
            session = asyncio.current_task()
            sessions.add(session)
            try:
                return await super().handle_websocket(request)
            finally:
                sessions.discard(session)

    # title: textual-serve shows the command line in the page otherwise, database and all
    return BillingServer(command, host=host, port=port, title="billing-tui", public_url=public_url)


def tui_command(database: str) -> str:
    """The shell command each browser session runs: this Python and the TUI. The database
    goes by the environment, not the command line, where `ps` would show a URL's password."""
    import shlex

    return shlex.join([sys.executable, "-m", "billing_tui", "tui"])


def is_loopback(host: str) -> bool:
    """True when every address host names is a loopback one (127.0.0.0/8, ::1)."""
    if host.casefold() == "localhost":
        return True
    try:
        found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return False
    return bool(found) and all(
        ipaddress.ip_address(address[4][0].split("%")[0]).is_loopback for address in found
    )


def cannot_listen(host: str, port: int) -> str | None:
    """Why aiohttp could not listen on host:port, or None: binds each address as it would."""
    try:
        found = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except (OSError, UnicodeError) as error:
        return f"cannot listen on {host}:{port}: unknown host ({getattr(error, 'strerror', '')})"
    for family, kind, proto, _, address in found:
        probe = socket.socket(family, kind, proto)
        try:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as asyncio does
            if family == socket.AF_INET6:
                probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return f"port {port} on {host} is already in use; choose another with --port"
            return f"cannot listen on {host}:{port}: {error.strerror}"
        finally:
            probe.close()
    return None


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()
