"""Subcommand print-claim: claims on the CMS-1500 form, all in one PDF file."""

from __future__ import annotations

from pathlib import Path


def register(commands) -> dict:
    parser = commands.add_parser(
        "print-claim", help="draw claims on the CMS-1500 (02/12) form, one PDF for them all"
    )
    parser.add_argument(
        "numbers", nargs="+", metavar="NUMBER", help="claim number, e.g. 10000042-1"
    )
    parser.add_argument("--out", required=True, metavar="FILE.pdf", help="the PDF to write")
    return {"print-claim": cmd_print_claim}


def cmd_print_claim(args, settings) -> int:
    from ..cli import EXIT_OK, EXIT_PROBLEM, fail, open_store
    from ..pdf.cms1500 import ClaimForm, cms1500_pdf, page_count
    from ..pdf.output import write_atomically

    out = Path(args.out)
    store = open_store(settings, args)
    try:
        forms = []
        for number in dict.fromkeys(n.strip().upper() for n in args.numbers):  # once each
            claim_id = store.claims.find(number)
            if claim_id is None:
                return fail(f"no claim {number!r}; nothing written", EXIT_PROBLEM)
            claim = store.claims.get(claim_id)
            coverages = store.claims.choices(claim.patient.id).coverages
            forms.append(ClaimForm(claim, coverages))
        signed_on = store.today()
    finally:
        store.close()
    data = cms1500_pdf(forms, signed_on=signed_on)
    try:
        write_atomically(out, data)
    except OSError as error:
        return fail(f"cannot write {out}: {error.strerror or error}; nothing written", EXIT_PROBLEM)
    pages = sum(page_count(form.claim) for form in forms)
    claims = "claim" if len(forms) == 1 else "claims"
    print(f"{len(forms)} {claims} on {pages} page{'s' if pages != 1 else ''}: {out}")
    return EXIT_OK
