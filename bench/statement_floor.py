"""The fpdf2 floor of the patient statements: the same pages drawn by fpdf2 with nothing else.

    python bench/statement_floor.py                  # 1,000 synthetic statements
    python bench/statement_floor.py --statements 10000 --seed 7

record() runs our writer (billing_tui.pdf.statement) against a proxy of FPDF that notes
every call reaching fpdf2 (method, args, kwargs; attribute sets too) and passes it on;
replay() makes those calls on a fresh FPDF and returns the document's bytes, which are
the writer's own. The recorded calls are plain tuples of str, float, int and datetime,
so they pickle: a benchmark can replay them in a fresh process. Our writer's time over
the replay's time is the writer's own Python overhead (layout, formatting, measuring).
synthetic_statements() builds made-up statements (names from billing_tui.sample.names,
fees from billing_tui.sample.reference): never a real person.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import resource
import time
import tracemalloc
from collections.abc import Iterable
from itertools import islice

from fpdf import FPDF

from billing_tui.domain.statements import (
    DEFAULT_MESSAGES,
    PLAN_BEHIND_MESSAGE,
    PLAN_MESSAGE,
    AccountItem,
    Party,
    PlanSummary,
    StatementContent,
    StatementLine,
    StatementVisit,
    aging,
)
from billing_tui.pdf.statement import DOCUMENT, draw_statements, statement_pdf
from billing_tui.sample.names import (
    CITIES,
    FEMALE_FIRST,
    LAST,
    MALE_FIRST,
    STREET_SUFFIXES,
    STREETS,
    UNITS,
)
from billing_tui.sample.reference import FEES

TODAY = dt.date(2026, 11, 24)


# --------------------------------------------------------------------------- the floor


class _Recorder:
    """Stands in for an FPDF: notes each method call and attribute set, then does it."""

    def __init__(self, pdf: FPDF, calls: list) -> None:
        object.__setattr__(self, "_pdf", pdf)
        object.__setattr__(self, "_calls", calls)

    def __getattr__(self, name: str):
        value = getattr(self._pdf, name)
        if not callable(value):
            return value
        calls = self._calls

        def call(*args, **kwargs):
            calls.append((name, args, kwargs))
            return value(*args, **kwargs)

        return call

    def __setattr__(self, name: str, value) -> None:
        self._calls.append(("__setattr__", (name, value), {}))
        setattr(self._pdf, name, value)


def record(contents: Iterable[StatementContent], *, title: str = "Patient statements") -> list:
    """Every call our writer makes on fpdf2 for these statements, output() last."""
    calls: list = [("__init__", (), dict(DOCUMENT))]
    proxy = _Recorder(FPDF(**DOCUMENT), calls)
    draw_statements(proxy, contents, title=title)  # type: ignore[arg-type]
    proxy.output()
    return calls


def replay(calls: list) -> bytes:
    """The recorded calls made on a fresh FPDF: the document's bytes."""
    _, args, kwargs = calls[0]
    pdf = FPDF(*args, **kwargs)
    methods: dict = {}
    result = None
    for name, args, kwargs in islice(calls, 1, None):
        method = methods.get(name)
        if method is None:
            if name == "__setattr__":
                setattr(pdf, *args)
                continue
            method = methods[name] = getattr(pdf, name)
        result = method(*args, **kwargs)
    return bytes(result)


# --------------------------------------------------------------------------- synthetic data

PRACTICE = Party(
    "Maple Street Family Medicine",
    ("120 Maple St Ste 4", "Springfield, IL 62704"),
    "(217) 555-0142",
)
REMIT_TO = Party("Maple Street Family Medicine", ("PO Box 4410", "Springfield, IL 62708-4410"))
PAYERS = (
    "Medicare Part B (Sample MAC)",
    "Medicaid (Sample State)",
    "Bluewater Health Plan",
    "Summit Crest Insurance",
    "Evergreen Mutual Health",
)
PROVIDERS = ("Ann Lee MD", "Omar Haddad DO", "Grace Okafor NP", "Luis Ortega PA-C")
THERAPY = tuple(fee for fee in FEES if fee[0] in ("90832", "90834", "90837"))
CUSTOM_HOW_TO_PAY = (
    "Pay online at pay.example.com with the account number above.",
    "By phone: call (217) 555-0142, Monday to Friday, 8 to 5.",
    "By mail: send the stub below with a check payable to Maple Street Family Medicine.",
)


def synthetic_statements(n: int, seed: int = 1) -> list[StatementContent]:
    """n made-up statements: 1-6 visits of 1-4 lines, account items, plans; about one in
    150 a long one of 40-44 one-line visits (two or three pages)."""
    rng = random.Random(seed)
    return [_statement(rng, number) for number in range(1, n + 1)]


def _statement(rng: random.Random, number: int) -> StatementContent:
    statement_date = TODAY - dt.timedelta(days=rng.randrange(0, 30))
    long_one = rng.random() < 1 / 150  # a year of weekly therapy, a visit of one line each
    count = rng.randint(40, 44) if long_one else rng.choice((1, 1, 2, 2, 3, 3, 4, 5, 6))
    visits = []
    for v in range(count):
        dos = statement_date - dt.timedelta(7 * v + 3 if long_one else rng.randrange(1, 180))
        fees = THERAPY if long_one else FEES
        visits.append(_visit(rng, f"C-{number:06d}{v:02d}", dos, fees, 1 if long_one else 4))
    visits.sort(key=lambda visit: visit.dos)
    if sum(visit.patient_owes for visit in visits) <= 0:  # a statement asks for money
        visits[-1] = _self_pay(rng, visits[-1].claim_number, visits[-1].dos)
    owed = sum(visit.patient_owes for visit in visits)
    cycle = rng.choice((1, 1, 1, 2, 2, 3))
    items = []
    if cycle > 1 and rng.random() < 0.3:
        items.append(AccountItem(statement_date - dt.timedelta(days=20), "Late fee", 2500))
        if rng.random() < 0.3:
            items.append(
                AccountItem(statement_date - dt.timedelta(days=5), "Late fee waived", -2500)
            )
    if rng.random() < 0.08 and owed > 2000:
        items.append(AccountItem(statement_date - dt.timedelta(days=40), "Refund applied", -1000))
    balance = owed + sum(item.amount for item in items)
    buckets = aging(
        [(visit.dos, visit.patient_owes) for visit in visits]
        + [(item.date, item.amount) for item in items],
        statement_date,
    )
    plan = None
    amount_due = balance
    message = DEFAULT_MESSAGES[cycle - 1]
    if balance >= 10_000 and rng.random() < 0.12:
        instalment = -(-balance // 6)
        overdue = rng.choice((0, 0, 0, 1, 2))
        plan = PlanSummary(
            instalment, statement_date + dt.timedelta(days=14), overdue, balance - instalment
        )
        amount_due = min(balance, instalment * (overdue + 1))
        message = PLAN_BEHIND_MESSAGE if overdue else PLAN_MESSAGE
    patient = _name(rng)
    recipient_name = patient if rng.random() < 0.8 else _name(rng)
    city, state, zip_prefix, _ = rng.choice(CITIES)
    street = f"{rng.randint(1, 9999)} {rng.choice(STREETS)} {rng.choice(STREET_SUFFIXES)}"
    lines = [street]
    if rng.random() < 0.25:
        lines.append(rng.choice(UNITS))
    lines.append(f"{city}, {state} {zip_prefix}{rng.randint(0, 99):02d}")
    return StatementContent(
        practice=PRACTICE,
        remit_to=REMIT_TO,
        recipient=Party(recipient_name, tuple(lines)),
        patient_name=patient,
        account_number=f"A{100_000 + number}",
        statement_date=statement_date,
        due_date=statement_date + dt.timedelta(days=21),
        cycle=cycle,
        message=message,
        visits=tuple(visits),
        account_items=tuple(items),
        aging=buckets,
        balance=balance,
        amount_due=amount_due,
        how_to_pay=CUSTOM_HOW_TO_PAY if rng.random() < 0.3 else (),
        plan=plan,
    )


def _name(rng: random.Random) -> str:
    first = rng.choice(FEMALE_FIRST if rng.random() < 0.5 else MALE_FIRST)
    return f"{first} {rng.choice(LAST)}"


def _visit(
    rng: random.Random, claim_number: str, dos: dt.date, fees: tuple, most: int
) -> StatementVisit:
    if rng.random() < 0.15:
        return _self_pay(rng, claim_number, dos)
    payer = rng.choice(PAYERS)
    pending = rng.random() < 0.15
    lines, expected = [], 0
    for code, modifier, description, charge in rng.sample(fees, rng.randint(1, most)):
        code = f"{code}-{modifier}" if modifier else code
        allowed = charge * rng.randint(55, 85) // 100
        if pending:
            lines.append(StatementLine(code, description, charge, 0, 0))
            expected += allowed * 80 // 100
        else:
            paid = allowed * 80 // 100
            lines.append(StatementLine(code, description, charge, paid, charge - allowed))
    charge = sum(line.charge for line in lines)
    insurance = sum(line.insurance_paid for line in lines)
    adjustments = sum(line.adjustments for line in lines)
    left = charge - insurance - adjustments - expected
    if not pending and rng.random() < 0.1:  # a secondary payer paid on the visit as a whole
        secondary = left // 2
        insurance += secondary
        left -= secondary
    if rng.random() < 0.05:  # a claim-level adjustment
        adjustments += min(left, 500)
        left -= min(left, 500)
    patient_paid = min(left, rng.choice((0, 0, 2000, 2500, 4000)))
    return StatementVisit(
        claim_number,
        dos,
        rng.choice(PROVIDERS),
        payer,
        tuple(lines),
        charge,
        insurance,
        adjustments,
        patient_paid,
        expected,
        left - patient_paid,
    )


def _self_pay(rng: random.Random, claim_number: str, dos: dt.date) -> StatementVisit:
    lines = [
        StatementLine(code, description, charge, 0, charge * 20 // 100)
        for code, _, description, charge in rng.sample(FEES, rng.randint(1, 3))
    ]
    charge = sum(line.charge for line in lines)
    adjustments = sum(line.adjustments for line in lines)
    paid = min(charge - adjustments - 100, rng.choice((0, 0, 5000)))
    owes = charge - adjustments - paid
    return StatementVisit(
        claim_number,
        dos,
        rng.choice(PROVIDERS),
        "",
        tuple(lines),
        charge,
        0,
        adjustments,
        paid,
        0,
        owes,
    )


# --------------------------------------------------------------------------- the figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each; the best is shown")
    options = parser.parse_args()
    contents = synthetic_statements(options.statements, options.seed)
    calls = record(contents)
    result, data = statement_pdf(contents), replay(calls)  # warm both once
    gc.collect()
    gc.freeze()  # the statements and the calls live throughout: no collection need scan them

    ours, floor = [], []
    for _ in range(options.repeat):  # alternate, so that other work on the machine hits both
        ours.append(_timed(statement_pdf, contents))
        floor.append(_timed(replay, calls))
    pages = sum(result.pages)
    tracemalloc.start()
    statement_pdf(contents)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"statements      {len(contents):,}  pages {pages:,}  bytes {len(result.data):,}")
    print(f"fpdf2 calls     {len(calls):,} ({len(calls) / pages:.0f} a page)")
    for name, index in (("wall", 0), ("cpu", 1)):
        best, bottom = min(t[index] for t in ours), min(t[index] for t in floor)
        print(
            f"{name:4}  writer {best:.3f} s {best / pages * 1000:.3f} ms/page "
            f"{pages / best:,.0f} pages/s | floor {bottom:.3f} s "
            f"{bottom / pages * 1000:.3f} ms/page | ratio {best / bottom:.2f}x (target <= 1.5x)"
        )
    print(f"peak memory     {peak / 2**20:.1f} MiB traced in the writer; {rss:.0f} MiB peak RSS")
    print(f"same bytes      {data == result.data}")


def _timed(function, argument) -> tuple[float, float]:
    """(wall, cpu) seconds of one call: cpu time is steadier when the machine is busy."""
    wall, cpu = time.perf_counter(), time.process_time()
    function(argument)
    return time.perf_counter() - wall, time.process_time() - cpu


if __name__ == "__main__":
    main()
