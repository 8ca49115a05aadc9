"""Subcommands import-csv (patients, coverages, charges; each file all or nothing, --check to
only look) and export-csv (ledger, claims, patients, coverages), for accountants and for
moving a practice: export-csv from one database, import-csv into another."""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

IMPORTS = ("patients", "coverages", "charges")
EXPORTS = ("ledger", "claims", "patients", "coverages")


def register(commands) -> dict:
    from ..store.csv_formats import describe

    columns = "\n\n".join(
        textwrap.fill(f"{kind}: {describe(kind)}", width=78, subsequent_indent="  ")
        for kind in IMPORTS
    )
    parser = commands.add_parser(
        "import-csv",
        help="import patients, coverages or charges from a CSV file: every row, or with any "
        "bad row none (--check: report the bad rows and import nothing)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=f"The columns (* required in the header; the README describes each):\n\n{columns}",
    )
    parser.add_argument("kind", choices=IMPORTS, metavar="KIND", help=", ".join(IMPORTS))
    parser.add_argument("file", type=Path, metavar="FILE", help="the CSV file (UTF-8)")
    parser.add_argument(
        "--check",
        action="store_true",
        help="check every row and say what would be imported; import nothing",
    )
    export = commands.add_parser(
        "export-csv",
        help="write the ledger (for accountants), or claims, patients or coverages in the "
        "formats import-csv reads (to move a practice)",
    )
    export.add_argument("kind", choices=EXPORTS, metavar="KIND", help=", ".join(EXPORTS))
    export.add_argument("--out", type=Path, required=True, metavar="FILE", help="the CSV to write")
    return {"import-csv": cmd_import_csv, "export-csv": cmd_export_csv}


def cmd_import_csv(args: argparse.Namespace, settings) -> int:
    from ..cli import EXIT_OK, EXIT_PROBLEM, fail, open_store
    from ..store.csv_formats import CsvRefused

    store = open_store(settings, args)
    try:
        result = store.csv.import_file(args.kind, args.file, check=args.check)
    except CsvRefused as refused:
        return fail(str(refused), EXIT_PROBLEM)
    finally:
        store.close()
    name = result.file_name
    for error in result.errors:
        print(f"{name} {error}", file=sys.stderr)
    rows = f"{result.rows:,} row{'s' if result.rows != 1 else ''}"
    if result.errors:
        bad = len({e.line for e in result.errors})
        return fail(
            f"{name}: {bad:,} of {rows} {'has' if bad == 1 else 'have'} a problem; nothing was "
            f"imported{' (--check)' if result.checked else ''}",
            EXIT_PROBLEM,
        )
    done = summary(args.kind, result.counts)
    if result.checked:
        print(f"{name}: {rows} checked, no problems; importing it: {done}. Nothing was "
              "imported (--check)")  # fmt: skip
    else:
        print(f"{name}: {rows} imported: {done}")
    return EXIT_OK


def summary(kind: str, counts: dict[str, int]) -> str:
    """What an import did, in words: '3 patients registered, 1 updated'."""

    def n(key: str) -> int:
        return counts.get(key, 0)

    if kind == "charges":
        claims, lines, entries = n("claims"), n("lines"), n("entries brought forward")
        text = (
            f"{claims:,} claim{'s' if claims != 1 else ''} "
            f"({lines:,} service line{'s' if lines != 1 else ''})"
        )
        if entries:
            text += f", {entries:,} ledger entr{'ies' if entries != 1 else 'y'} brought forward"
        return text
    if kind == "patients":
        parts = [("registered", "registered"), ("updated", "updated"), ("unchanged", "unchanged")]
        noun = "patient"
    else:
        parts = [("added", "added"), ("ended", "put on file ended"), ("updated", "updated"),
                 ("unchanged", "unchanged")]  # fmt: skip
        noun = "coverage"
    done = [(n(key), words) for key, words in parts if n(key)]
    if not done:
        return f"no {noun}s"
    (count, words), *rest = done
    return ", ".join(
        [f"{count:,} {noun}{'s' if count != 1 else ''} {words}", *(f"{c:,} {w}" for c, w in rest)]
    )


def cmd_export_csv(args: argparse.Namespace, settings) -> int:
    from ..cli import EXIT_OK, EXIT_USAGE, fail, open_store, unwritable

    out = args.out.expanduser()
    if problem := unwritable(out):
        return fail(problem, EXIT_USAGE)
    store = open_store(settings, args)
    try:
        count = store.csv.export(args.kind, out)
    except OSError as error:
        return fail(f"cannot write {out}: {error.strerror or error}", EXIT_USAGE)
    finally:
        store.close()
    print(f"{args.kind}: {count:,} row{'s' if count != 1 else ''} in {out}")
    return EXIT_OK
