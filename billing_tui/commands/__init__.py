"""Subcommands grouped by topic, each module adding its own to the `billing-tui` parser.

A module here defines `register(commands) -> dict[name, handler]`, where
`commands` is the argparse sub-parsers object and a handler is
`handler(args, settings) -> exit code`. Modules import only argparse-level
things at the top: everything heavy (fpdf2, the X12 writer, the ICD-10 code
set) is imported inside the handler, so `billing-tui` starts fast.
"""

MODULES = (
    "scrub",
    "export837",
    "print_claim",
    "eligibility",
    "era",
    "hl7",
    "csv_io",
    "reports",
    "statements",
    "plans",
    "contacts",
    "adjustments",
    "users",
    "maintenance",
    "serve",
    "support",
)
