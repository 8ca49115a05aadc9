"""Subcommands for HL7 v2 from the EHR: import-hl7 (files), hl7-listen (MLLP over TCP), and
inbound (the messages that failed: list them, try one again)."""

from __future__ import annotations

import argparse
import sys

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 2575  # 2575: HL7's registered port


def register(commands) -> dict:
    from .serve import listen_arguments

    parser = commands.add_parser(
        "import-hl7",
        help="import HL7 v2 files from the EHR (ADT^A04/A08 patients, DFT^P03 charges); "
        "ACKs go beside each file",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="HL7 files, MLLP-framed or plain")
    parser.add_argument("--quiet", action="store_true", help="print only the failures and a total")

    listen = commands.add_parser(
        "hl7-listen",
        help="receive HL7 v2 over MLLP (TCP), importing each message and answering its ACK",
    )
    listen_arguments(listen, DEFAULT_HOST, DEFAULT_PORT)

    inbound = commands.add_parser(
        "inbound",
        help="the HL7 messages that failed to import (the inbound-errors worklist); --retry ID",
    )
    inbound.add_argument("--all", action="store_true", help="closed items too")
    inbound.add_argument(
        "--retry", type=int, metavar="ID", help="import a failed message again (its fix made)"
    )
    inbound.add_argument(
        "--show", type=int, metavar="ID", help="print a message as it was received"
    )
    inbound.add_argument("--format", choices=("table", "csv", "json"), default="table")
    return {"import-hl7": cmd_import_hl7, "hl7-listen": cmd_hl7_listen, "inbound": cmd_inbound}


def cmd_import_hl7(args: argparse.Namespace, settings) -> int:
    from pathlib import Path

    from ..cli import EXIT_OK, EXIT_PROBLEM, open_store
    from ..store import StoreRefused

    store = open_store(settings, args)
    problems = 0
    try:
        for name in args.files:
            path = Path(name)
            try:
                result = store.inbound.import_file(path)
            except StoreRefused as refusal:
                problems += 1
                print(f"billing-tui: {refusal}", file=sys.stderr)
                continue
            problems += result.failed
            print_file_result(result, quiet=args.quiet)
    finally:
        store.close()
    return EXIT_PROBLEM if problems else EXIT_OK


def print_file_result(result, *, quiet: bool = False) -> None:
    receipts = result.receipts
    imported = sum(1 for r in receipts if r.ok and not r.duplicate)
    duplicates = sum(1 for r in receipts if r.duplicate)
    for r in receipts:
        if quiet and r.ok:
            continue
        label = " ".join(p for p in (r.message_type, r.control_id) if p) or "message"
        stream = sys.stdout if r.ok else sys.stderr
        print(f"{result.path.name} #{r.position} {label}: {r.code} {r.detail}", file=stream)
    parts = [f"{imported} imported"]
    if duplicates:
        parts.append(f"{duplicates} already imported")
    if result.failed:
        parts.append(f"{result.failed} failed (billing-tui inbound)")
    print(
        f"{result.path.name}: {len(receipts)} message{'s' * (len(receipts) != 1)}: "
        f"{', '.join(parts)}; ACKs in {result.ack_path}"
    )


def cmd_inbound(args: argparse.Namespace, settings) -> int:
    from ..cli import EXIT_OK, EXIT_PROBLEM, open_store, print_rows
    from ..domain.dates import local_date

    store = open_store(settings, args)
    try:
        if args.show is not None:
            row = store.inbound.message(args.show)
            print(row.raw.replace("\r", "\n"))
            return EXIT_OK
        if args.retry is not None:
            receipt = store.inbound.retry(args.retry)
            stream = sys.stdout if receipt.ok else sys.stderr
            print(f"inbound message {args.retry}: {receipt.code} {receipt.detail}", file=stream)
            return EXIT_OK if receipt.ok else EXIT_PROBLEM
        items = store.posting.worklist("inbound", include_closed=args.all)
        rows = [
            {
                "item": item.id,
                "message": item.inbound_message_id,
                "opened": local_date(item.opened_at),
                "account": item.account_number,
                "reason": item.reason if item.closed_at is None else f"done: {item.resolution}",
            }
            for item in items
        ]
        print_rows(rows, args.format, empty="No inbound HL7 messages are waiting on anyone.")
    finally:
        store.close()
    return EXIT_OK


def cmd_hl7_listen(args: argparse.Namespace, settings) -> int:
    from ..cli import EXIT_OK, EXIT_USAGE, fail, open_store
    from ..store.api import os_username
    from .serve import cannot_listen, is_loopback

    # The audit trail says these came over the interface, under the acting user.
    store = open_store(settings, args, via=f"hl7-listen {os_username()}"[:40])
    if not is_loopback(args.host):
        print(
            f"billing-tui: warning: --host {args.host} is reachable from other machines, and "
            "MLLP has no encryption or login: keep it behind a VPN or TLS tunnel",
            file=sys.stderr,
        )
    if problem := cannot_listen(args.host, args.port):
        store.close()
        return fail(problem, EXIT_USAGE)
    from ..interfaces.listener import serve

    try:
        serve(store, args.host, args.port)
    except OSError as error:
        return fail(f"cannot listen on {args.host}:{args.port}: {error.strerror}", EXIT_USAGE)
    finally:
        store.close()
    return EXIT_OK
