"""Synthetic 835 remittances: the writer the tests build ERAs with, and a payer's answer
to a practice's submitted claims, to try `billing-tui import-era` on the demo.

    python -m billing_tui.sample.era --out demo.835            # the demo practice
    python -m billing_tui.sample.era --db FILE --out era.835 --claims 40

The answer pays most claims (80% allowed, the rest CO-45; a 20% coinsurance on the
first line), denies one (CO-16, N290), forwards one to the next payer (CLP02 19),
and pays one claim number that is not the practice's (the exception queue). One
ST..SE per payer, each balanced (BPR02 = sum of CLP04). Nobody in it is real.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class LineAnswer:
    """One SVC: code, charge, paid, CAS (group, CARC, cents), date, REF*6R, LQ*HE."""

    code: str
    charge: int
    paid: int
    adjustments: list[tuple[str, str, int]] = field(default_factory=list)
    date: dt.date | None = None
    control: str | None = None
    remarks: list[str] = field(default_factory=list)


@dataclass
class ClaimAnswer:
    """One CLP: our claim number, the status code, charge, paid, lines, claim-level CAS."""

    number: str
    status: str
    charge: int
    paid: int
    lines: list[LineAnswer] = field(default_factory=list)
    adjustments: list[tuple[str, str, int]] = field(default_factory=list)
    icn: str = "ICN1"
    patient: tuple[str, str, str] = ("DOE", "JANE", "MBR123")  # last, first, member ID
    patient_resp: int | None = None


def amount(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


@dataclass
class Payment:
    """One ST..SE: a payer's check or EFT and the claims it pays."""

    claims: list[ClaimAnswer]
    trace: str = "TRACE1"
    payer_name: str = "MEDICARE PART B"
    payer_tin: str = "1999999999"
    payer_id: str = "MCR01"
    plb: list[tuple[str, str, int]] = field(default_factory=list)  # reason, reference, cents
    total: int | None = None  # BPR02; default: the claims' CLP04 less the PLB
    paid_on: dt.date = dt.date(2026, 11, 20)

    def segments(self, control: str) -> list[str]:
        total = self.total
        if total is None:
            total = sum(c.paid for c in self.claims) - sum(a for *_, a in self.plb)
        body = [
            f"BPR*I*{amount(total)}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*"
            f"999988880*DA*98765*{self.paid_on:%Y%m%d}",
            f"TRN*1*{self.trace}*{self.payer_tin}",
            f"DTM*405*{self.paid_on:%Y%m%d}",
            f"N1*PR*{self.payer_name}",
            "N3*1 PAYER WAY",
            "N4*BALTIMORE*MD*21244",
            f"REF*2U*{self.payer_id}",
            "PER*BL*PROVIDER SERVICES*TE*8005551212",
            "N1*PE*SYNTHETIC FAMILY PRACTICE*XX*1234567893",
            "LX*1",
        ]
        for c in self.claims:
            resp = "" if c.patient_resp is None else amount(c.patient_resp)
            body.append(
                f"CLP*{c.number}*{c.status}*{amount(c.charge)}*{amount(c.paid)}*{resp}*MB*"
                f"{c.icn}*11*1"
            )
            body.extend(f"CAS*{g}*{r}*{amount(a)}" for g, r, a in c.adjustments)
            last, first, member = c.patient
            body.append(f"NM1*QC*1*{last}*{first}****MI*{member}")
            for s in c.lines:
                body.append(f"SVC*HC:{s.code}*{amount(s.charge)}*{amount(s.paid)}**1")
                if s.date:
                    body.append(f"DTM*472*{s.date:%Y%m%d}")
                body.extend(f"CAS*{g}*{r}*{amount(a)}" for g, r, a in s.adjustments)
                if s.control:
                    body.append(f"REF*6R*{s.control}")
                body.extend(f"LQ*HE*{remark}" for remark in s.remarks)
        if self.plb:
            parts = "*".join(f"{reason}:{ref}*{amount(a)}" for reason, ref, a in self.plb)
            body.append(f"PLB*1234567893*{self.paid_on.year}1231*{parts}")
        return [f"ST*835*{control}", *body, f"SE*{len(body) + 2}*{control}"]


def write_835(payments: list[Payment]) -> str:
    """A conforming 835 interchange, one segment a line: one ST..SE per payment."""
    segments = [
        "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PRACTICE       "
        "*261120*1200*^*00501*000000001*0*P*:",
        "GS*HP*PAYER*PRACTICE*20261120*1200*1*X*005010X221A1",
    ]
    for number, payment in enumerate(payments, start=1):
        segments.extend(payment.segments(f"{number:04d}"))
    segments += [f"GE*{len(payments)}*1", "IEA*1*000000001"]
    return "~\n".join(segments) + "~\n"


# --------------------------------------------------------------------------- the demo's answer


def answer_practice(db: str, claims: int = 30) -> str:
    """An 835 answering up to `claims` submitted claims of a practice's database."""
    from ..store import Store
    from ..store.models import Claim, Coverage, Patient, Payer, ServiceLine

    store = Store.open(db, username="sample")
    try:
        rows = list(
            Claim.select(Claim, Patient, Coverage, Payer)
            .join(Patient, on=(Patient.id == Claim.patient))
            .switch(Claim)
            .join(Coverage, on=(Coverage.id == Claim.coverage))
            .switch(Claim)
            .join(Payer, on=(Payer.id == Claim.payer))
            .where((Claim.status == "submitted") & Claim.primary_claim.is_null())
            .order_by(Claim.first_dos, Claim.id)
            .limit(claims)
        )
        by_payer: dict[int, list[ClaimAnswer]] = defaultdict(list)
        payers = {}
        for n, claim in enumerate(rows):
            lines = list(
                ServiceLine.select()
                .where((ServiceLine.claim == claim.id) & (ServiceLine.line_number > 0))
                .order_by(ServiceLine.line_number)
            )
            payers[claim.payer.id] = claim.payer
            by_payer[claim.payer.id].append(_answer(claim, lines, n))
    finally:
        store.close()
    if not by_payer:
        raise SystemExit(f"{db}: no submitted claims to answer (export some with export-837)")
    first = next(iter(by_payer.values()))
    first.append(
        ClaimAnswer(
            "99999999-9",
            "1",
            12_500,
            10_000,
            [LineAnswer("99214", 12_500, 10_000, [("CO", "45", 2_500)], date=dt.date(2026, 10, 5))],
            icn="EX-UNMATCHED",
            patient=("NOBODY", "KNOWN", "X0000"),
        )  # fmt: skip
    )
    payments = [
        Payment(
            answers,
            trace=f"EFT{payer_id:06d}",
            payer_name=payers[payer_id].name.upper(),
            payer_tin=f"1{payer_id:09d}",
            payer_id=payers[payer_id].payer_code,
        )  # fmt: skip
        for payer_id, answers in by_payer.items()
    ]
    return write_835(payments)


def x12_name(text: str) -> str:
    """A name as an 835 carries it: upper case ASCII, no separator characters."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.upper() if ch not in "*~:^")


def _answer(claim, lines, n: int) -> ClaimAnswer:
    patient = (x12_name(claim.patient.last_name), x12_name(claim.patient.first_name),
               claim.coverage.member_id)  # fmt: skip
    icn = f"26{claim.id:011d}"
    if n == 1:  # denied: missing information
        answers = [
            LineAnswer(
                line.code,
                line.charge_cents,
                0,
                [("CO", "16", line.charge_cents)],
                date=line.dos_from,
                control=line.line_control_number,
                remarks=["N290"] if i == 0 else [],
            )  # fmt: skip
            for i, line in enumerate(lines)
        ]
        return ClaimAnswer(claim.claim_number, "4", claim.charge_cents, 0, answers, icn=icn,
                           patient=patient)  # fmt: skip
    answers = []
    for i, line in enumerate(lines):
        allowed = line.charge_cents * 8 // 10
        coinsurance = allowed // 5 if i == 0 else 0
        adjustments = [("CO", "45", line.charge_cents - allowed)]
        if coinsurance:
            adjustments.append(("PR", "2", coinsurance))
        answers.append(
            LineAnswer(
                line.code,
                line.charge_cents,
                allowed - coinsurance,
                adjustments,
                date=line.dos_from,
                control=line.line_control_number,
            )  # fmt: skip
        )
    status = "19" if n == 2 else "1"  # one crossed over to the next payer
    return ClaimAnswer(claim.claim_number, status, claim.charge_cents,
                       sum(a.paid for a in answers), answers, icn=icn, patient=patient)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    from ..config import demo_database

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None, help="the practice (default: the demo's)")
    parser.add_argument("--out", required=True, type=Path, help="the 835 file to write")
    parser.add_argument("--claims", type=int, default=30, help="how many claims to answer")
    args = parser.parse_args(argv)
    db = args.db or demo_database()
    if not args.db and not Path(db).exists():
        print(f"{db}: no demo yet; run `billing-tui demo` once first", file=sys.stderr)
        return 2
    args.out.write_text(answer_practice(db, args.claims), encoding="ascii")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
