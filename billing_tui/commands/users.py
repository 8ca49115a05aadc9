"""Subcommands user (add, passwd, disable, enable, edit, list) and audit (verify, list).

Passwords are never arguments (they would show in `ps` and the shell's history): they
are asked twice at the terminal, or read as one line from stdin with --password-stdin.
"""

from __future__ import annotations

import argparse
import sys

ROLES = ("specialist", "supervisor", "admin", "support")


def register(commands) -> dict:
    from ..cli import _count, _date

    user = commands.add_parser("user", help="users: add, passwd, disable, enable, edit, list")
    actions = user.add_subparsers(dest="user_action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add a user (the first one of a database: an admin)")
    add.add_argument("username")
    add.add_argument("--name", default="", help="full name, as the audit trail shows it")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--os-login", metavar="LOGIN", help="the OS login that acts as this user")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    passwd = actions.add_parser("passwd", help="set a password (an admin: anyone's; unlocks)")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true")
    for verb in ("disable", "enable"):
        actions.add_parser(verb, help=f"{verb} a user's login").add_argument("username")
    edit = actions.add_parser("edit", help="change a user's role, name or OS login")
    edit.add_argument("username")
    edit.add_argument("--role", choices=ROLES)
    edit.add_argument("--name")
    edit.add_argument("--os-login", metavar="LOGIN", help="'' removes the mapping")
    listing = actions.add_parser("list", help="list the users")
    listing.add_argument("--format", choices=("table", "csv", "json"), default="table")

    audit = commands.add_parser("audit", help="the audit trail: verify its hash chain, list rows")
    steps = audit.add_subparsers(dest="audit_action", metavar="ACTION", required=True)
    steps.add_parser("verify", help="check every row against its hash (exit 1 if broken)")
    rows = steps.add_parser("list", help="the newest rows, filtered")
    rows.add_argument("--by", metavar="USERNAME", help="rows by this user")
    rows.add_argument("--account", metavar="NUMBER", help="rows about this account")
    rows.add_argument("--action", help="login, login_failed, refused, create, update, view...")
    rows.add_argument("--from", dest="start", type=_date, metavar="DATE")
    rows.add_argument("--to", dest="end", type=_date, metavar="DATE")
    rows.add_argument("--limit", type=_count, default=50)
    rows.add_argument("--format", choices=("table", "csv", "json"), default="table")
    return {"user": cmd_user, "audit": cmd_audit}


def _password(args: argparse.Namespace, username: str) -> str:
    from ..cli import UsageError

    if args.password_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise UsageError("--password-stdin read no password")
        return line
    if not sys.stdin.isatty():
        raise UsageError("no terminal to ask for the password: use --password-stdin")
    import getpass

    first = getpass.getpass(f"Password for {username}: ")
    if getpass.getpass("Again: ") != first:
        raise UsageError("the two passwords differ")
    return first


def cmd_user(args: argparse.Namespace, settings) -> int:
    from ..cli import EXIT_OK, act_as_cli_user, open_store
    from ..store.api import os_username

    store = open_store(settings, args, acting=False)
    try:
        users = store.users
        first = args.user_action == "add" and users.needs_first_admin()
        if not first:
            act_as_cli_user(store, args.user, os_username())
        action = args.user_action
        if action == "add":
            password = _password(args, args.username)
            users.add(args.username, args.name, args.role, password, os_login=args.os_login)
            print(f"Added {args.username.strip().lower()} ({args.role})")
        elif action == "passwd":
            users.set_password(args.username, _password(args, args.username))
            print(f"Password set for {args.username}")
        elif action in ("disable", "enable"):
            users.update(args.username, active=action == "enable")
            print(f"{args.username}: {action}d")
        elif action == "edit":
            users.update(args.username, role=args.role, name=args.name, os_login=args.os_login)
            print(f"{args.username}: changed")
        else:
            _list_users(users.list(), args.format)
    finally:
        store.close()
    return EXIT_OK


def _list_users(rows, fmt: str) -> None:
    from ..cli import print_rows
    from ..store.models import utcnow

    now = utcnow()
    table = [
        {
            "username": u.username,
            "name": u.name,
            "role": u.role,
            "status": "disabled"
            if not u.active
            else "locked"
            if u.locked_until and u.locked_until > now
            else "active",
            "password": "set" if u.has_password else "none",
            "os login": u.os_login or "",
            "last login (UTC)": u.last_login_at.strftime("%Y-%m-%d %H:%M")
            if u.last_login_at
            else "",
        }
        for u in rows
    ]
    print_rows(table, fmt)


def cmd_audit(args: argparse.Namespace, settings) -> int:
    from ..cli import EXIT_OK, EXIT_PROBLEM, UsageError, open_store, print_rows
    from ..store.records.users import AuditFilter

    store = open_store(settings, args)
    try:
        if args.audit_action == "verify":
            report = store.audit.verify()
            if not report.ok:
                print(f"BROKEN at audit row {report.broken_id}: {report.problem}")
                print(f"checked {report.rows:,} rows")
                return EXIT_PROBLEM
            print(f"OK: {report.rows:,} audit rows, chain intact (head {report.last_hash[:16]})")
            return EXIT_OK
        if args.start and args.end and args.start > args.end:
            raise UsageError("--from is after --to")
        where = AuditFilter(
            username=args.by or "",
            account_number=args.account or "",
            action=args.action or "",
            on_or_after=args.start,
            on_or_before=args.end,
        )
        rows = store.audit.page(where, limit=args.limit)
    finally:
        store.close()
    print_rows(
        [
            {
                "id": r.id,
                "at (UTC)": r.at.strftime("%Y-%m-%d %H:%M:%S"),
                "user": r.username,
                "via": r.via,
                "action": r.action,
                "what": f"{r.entity} {r.entity_id}" if r.entity_id is not None else r.entity,
                "account": r.account_number or "",
            }
            for r in rows
        ],
        args.format,
    )
    return EXIT_OK
