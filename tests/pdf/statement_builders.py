"""Small builders of StatementContent for the statement PDF's tests: made-up people only."""

from __future__ import annotations

import dataclasses
import datetime as dt

from billing_tui.domain.statements import (
    DEFAULT_MESSAGES,
    AccountItem,
    Party,
    PlanSummary,
    StatementContent,
    StatementLine,
    StatementVisit,
    aging,
)

STATEMENT_DATE = dt.date(2026, 11, 24)
PRACTICE = Party(
    "Maple Street Family Medicine",
    ("120 Maple St Ste 4", "Springfield, IL 62704"),
    "(217) 555-0142",
)
REMIT_TO = Party("Maple Street Family Medicine", ("PO Box 4410", "Springfield, IL 62708-4410"))
GUARANTOR = Party("Rosa Núñez", ("48 Oak Ave", "Apt 2B", "Springfield, IL 62704"))


def line(code: str, description: str, charge: int, paid: int = 0, adjusted: int = 0):
    return StatementLine(code, description, charge, paid, adjusted)


def visit(
    claim_number: str,
    dos: dt.date,
    *lines: StatementLine,
    payer: str = "Acme Health",
    provider: str = "Ann Lee MD",
    visit_paid: int = 0,
    visit_adjusted: int = 0,
    patient_paid: int = 0,
    pending: int = 0,
) -> StatementVisit:
    """A visit whose patient_owes is what is left: its figures always add up."""
    charge = sum(item.charge for item in lines)
    insurance = sum(item.insurance_paid for item in lines) + visit_paid
    adjustments = sum(item.adjustments for item in lines) + visit_adjusted
    owes = charge - insurance - adjustments - patient_paid - pending
    return StatementVisit(
        claim_number,
        dos,
        provider,
        payer,
        tuple(lines),
        charge,
        insurance,
        adjustments,
        patient_paid,
        pending,
        owes,
    )


def statement(
    *visits: StatementVisit,
    items: tuple[AccountItem, ...] = (),
    patient: str = "Mateo Núñez",
    recipient: Party = GUARANTOR,
    account: str = "A10027",
    cycle: int = 1,
    plan: PlanSummary | None = None,
    amount_due: int | None = None,
    how_to_pay: tuple[str, ...] = (),
    statement_date: dt.date = STATEMENT_DATE,
) -> StatementContent:
    """A statement of these visits whose balance, aging and amount due add up."""
    balance = sum(v.patient_owes for v in visits) + sum(item.amount for item in items)
    buckets = aging(
        [(v.dos, v.patient_owes) for v in visits] + [(item.date, item.amount) for item in items],
        statement_date,
    )
    return StatementContent(
        practice=PRACTICE,
        remit_to=REMIT_TO,
        recipient=recipient,
        patient_name=patient,
        account_number=account,
        statement_date=statement_date,
        due_date=statement_date + dt.timedelta(days=21),
        cycle=cycle,
        message=DEFAULT_MESSAGES[cycle - 1],
        visits=visits,
        account_items=items,
        aging=buckets,
        balance=balance,
        amount_due=balance if amount_due is None else amount_due,
        how_to_pay=how_to_pay,
        plan=plan,
    )


def long_statement(visits: int, *, account: str = "A20001") -> StatementContent:
    """Weekly one-line visits, a year's worth: a statement of two or three pages."""
    return statement(
        *(
            visit(
                f"C-{9000 + n:06d}",
                STATEMENT_DATE - dt.timedelta(days=7 * n + 3),
                line("90834", "Psychotherapy, 45 minutes", 14_000, 8_000, 2_000),
                patient_paid=1_000,
            )
            for n in range(visits)
        ),
        account=account,
        patient="Ana Lucía Peña",
        recipient=Party("Ana Lucía Peña", ("7 Birch Ln", "Springfield, IL 62704")),
    )


def replace(content: StatementContent, **changes) -> StatementContent:
    return dataclasses.replace(content, **changes)
