"""Subcommands letter, email and outbox: the contact log's letters (PDF) and emails (.eml in
the outbox, sent over SMTP when a mail server is configured)."""

from __future__ import annotations

import argparse
from pathlib import Path

FAILURES_LISTED = 20  # failed sends named in the output; the rest are counted


def register(commands) -> dict:
    from ..cli import _count

    letter = commands.add_parser(
        "letter", help="print a letter to an account (PDF) and log it; --templates lists them"
    )
    _account_and_template(letter)
    letter.add_argument(
        "--out", metavar="FILE.pdf", help="the PDF to write (default: into the documents folder)"
    )
    email = commands.add_parser(
        "email", help="write an email to an account into the outbox and log it"
    )
    _account_and_template(email)
    outbox = commands.add_parser(
        "outbox", help="list the emails waiting in the outbox, or --send them over SMTP"
    )
    outbox.add_argument("--send", action="store_true", help="send them now, oldest first")
    outbox.add_argument("--limit", type=_count, default=100, help="rows to list (default 100)")
    return {"letter": cmd_letter, "email": cmd_email, "outbox": cmd_outbox}


def _account_and_template(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("account", nargs="?", metavar="ACCOUNT", help="account number")
    parser.add_argument("template", nargs="?", metavar="TEMPLATE", help="see --templates")
    parser.add_argument("--templates", action="store_true", help="list the templates")


def _chosen(args: argparse.Namespace) -> str | None:
    """The template's name, or None once the list of templates is printed."""
    from ..cli import UsageError
    from ..domain.letters import TEMPLATES

    if args.templates:
        if args.account or args.template:
            raise UsageError("--templates takes no account or template")
        for template in TEMPLATES.values():
            print(f"{template.name:<20} {template.title}: {template.description}")
        return None
    if not args.account or not args.template:
        raise UsageError(f"{args.command} needs ACCOUNT and TEMPLATE (see --templates)")
    name = args.template.strip().lower()
    if name not in TEMPLATES:
        raise UsageError(f"no template {args.template!r}; choose one of: {', '.join(TEMPLATES)}")
    return name


def _patient(store, number: str) -> int:
    from ..store import StoreRefused

    patient_id = store.accounts.find(number)
    if patient_id is None:
        raise StoreRefused(f"no account {number!r}; nothing written")
    return patient_id


def cmd_letter(args: argparse.Namespace, settings) -> int:
    from ..cli import EXIT_OK, UsageError, open_store

    template = _chosen(args)
    if template is None:
        return EXIT_OK
    out = Path(args.out).expanduser() if args.out else None
    if out is not None and (out.suffix.lower() != ".pdf" or out.is_dir()):
        raise UsageError(f"--out is the PDF file to write, e.g. letter.pdf, not {args.out!r}")
    store = open_store(settings, args)
    try:
        document = store.contacts.letter(
            _patient(store, args.account),
            template,
            out.parent if out is not None else settings.documents,
            file_name=out.name if out is not None else None,
            create_dir=out is None,  # the documents folder is ours to make; --out's is not
        )
    finally:
        store.close()
    print(f"Letter printed for account {document.account_number}: {document.path}")
    return EXIT_OK


def cmd_email(args: argparse.Namespace, settings) -> int:
    from ..cli import EXIT_OK, open_store

    template = _chosen(args)
    if template is None:
        return EXIT_OK
    store = open_store(settings, args)
    try:
        document = store.contacts.email(_patient(store, args.account), template, settings.email)
    finally:
        store.close()
    print(f"Email for account {document.account_number} queued in the outbox: {document.path}")
    if settings.email.can_send:
        print("Send it with `billing-tui outbox --send`.")
    else:
        print("No mail server is set up: a mail client can send it from the outbox.")
    return EXIT_OK


def cmd_outbox(args: argparse.Namespace, settings) -> int:
    from ..cli import EXIT_OK, EXIT_PROBLEM, fail, open_store

    store = open_store(settings, args)
    try:
        if args.send:
            report = store.contacts.send_outbox(settings.email)
        else:
            rows = store.contacts.outbox(limit=args.limit)
    finally:
        store.close()
    if not args.send:
        _print_outbox(rows, settings)
        return EXIT_OK
    noun = "email" if report.sent == 1 else "emails"
    print(f"Sent {report.sent:,} {noun}.")
    for failure in report.failures[:FAILURES_LISTED]:
        print(f"  not sent: {failure.account_number} {failure.template}: {failure.error}")
    if len(report.failures) > FAILURES_LISTED:
        print(f"  ... and {len(report.failures) - FAILURES_LISTED:,} more")
    if not report.still_queued:
        return EXIT_OK
    left = report.still_queued
    why = f": {report.stopped}" if report.stopped else ""
    stayed = "1 email stayed" if left == 1 else f"{left:,} emails stayed"
    return fail(f"{stayed} in the outbox{why}", EXIT_PROBLEM)


def _print_outbox(rows, settings) -> None:
    from collections import Counter

    from tabulate import tabulate

    from ..domain.dates import local_date

    if not rows:
        print(f"The outbox is empty ({settings.email.outbox}).")
        return
    print(
        tabulate(
            [
                (
                    r.id,
                    r.account_number,
                    r.template,
                    local_date(r.created_at).isoformat(),
                    r.attempts,
                    _short(r.last_error, 30),
                )
                for r in rows
            ],
            headers=("Id", "Account", "Template", "Created", "Tries", "Last error"),
            colalign=("right", "left", "left", "left", "right", "left"),
            disable_numparse=True,
        )
    )
    noun = "email waits" if len(rows) == 1 else "emails wait"
    print(f"{len(rows):,} {noun} in {settings.email.outbox}")
    errors = Counter(r.last_error for r in rows if r.last_error)
    if errors:
        print("Last errors:")
        for error, count in errors.most_common():
            print(f"  {error} ({count:,} email{'s' if count != 1 else ''})")


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3].rstrip() + "..."
