"""A patient statement's content and the rules of the statement cycle: pure data, no I/O.

The Store gathers the facts (balances from the ledger, visits, the last statement) and
builds a StatementContent; pdf/statement.py draws it; its JSON is what is kept, so that
a reprint draws the very statement that was mailed. Money is integer cents; every
figure on a statement adds up, and __post_init__ refuses one that does not.

Aging is by date of service (a visit's patient balance ages from its date of service;
an account item such as a late fee from its own date), in the buckets of DOMAIN.md.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from enum import IntEnum

from .ledger import AGE_BUCKETS, age_bucket
from .money import format_cents

FORMAT_VERSION = 1
AGING_LABELS = ("Current", "31-60 days", "61-90 days", "91-120 days", "Over 120 days")


class StatementError(ValueError):
    """A statement whose figures do not add up, or content that cannot be read back."""


class Cycle(IntEnum):
    """How firm the dunning message is: it grows while statements go unpaid."""

    REMINDER = 1
    PAST_DUE = 2
    FINAL_NOTICE = 3

    @property
    def label(self) -> str:
        return {1: "reminder", 2: "past due", 3: "final notice"}[self.value]


DEFAULT_MESSAGES = (
    "Thank you for choosing us. This statement shows what your insurance paid and what "
    "is left for you to pay. Please pay the amount due by the due date.",
    "PAST DUE: we have not received payment for the balance on your last statement. "
    "Please pay the amount due now, or call us to set up a payment plan.",
    "FINAL NOTICE: your account is seriously past due. Unless we receive payment or you "
    "call us to make arrangements by the due date, your account may be referred to a "
    "collection agency.",
)
PLAN_MESSAGE = (
    "You are on a payment plan. Thank you: please pay the instalment shown by its due "
    "date. The rest of your balance is due as your plan schedules it."
)
PLAN_BEHIND_MESSAGE = (
    "PAST DUE: an instalment of your payment plan was missed. Please pay the amount due "
    "now to keep your plan, or call us."
)


@dataclass(frozen=True, slots=True)
class StatementPolicy:
    """Who gets a statement and what it says (config.py reads [statements])."""

    min_balance: int = 500  # cents: a patient balance below this gets no statement
    cycle_days: int = 30  # no second statement within this many days
    due_days: int = 21  # the due date: the statement date plus this
    messages: tuple[str, str, str] = DEFAULT_MESSAGES  # reminder, past due, final notice
    how_to_pay: tuple[str, ...] = ()  # lines; empty: built from the practice's phone/address

    def __post_init__(self) -> None:
        if self.min_balance <= 0:
            raise ValueError("the minimum balance for a statement must be more than 0.00")
        if self.cycle_days < 1 or self.due_days < 1:
            raise ValueError("statement cycle and due days must be at least 1")
        if len(self.messages) != 3:
            raise ValueError("statements need three messages: reminder, past due, final notice")


# --------------------------------------------------------------------------- content


@dataclass(frozen=True, slots=True)
class Party:
    """A name and postal address, as printed: the practice, the remit-to, the recipient."""

    name: str
    lines: tuple[str, ...]  # street, [street 2], "City, ST 12345"
    phone: str = ""


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One service line of a visit: its charge and what insurance did to it."""

    code: str
    description: str
    charge: int
    insurance_paid: int
    adjustments: int


@dataclass(frozen=True, slots=True)
class StatementVisit:
    """One visit (its claim and any secondary claims), in the words of `report claims`.

    charge - insurance_paid - adjustments - patient_paid = insurance_pending + patient_owes.
    The lines carry what was posted against each line; money posted to the visit as a
    whole (a secondary payer's payment, a claim-level adjustment) is `visit_level_*`.
    """

    claim_number: str
    dos: dt.date
    provider: str
    payer: str  # "" for self-pay
    lines: tuple[StatementLine, ...]
    charge: int
    insurance_paid: int
    adjustments: int
    patient_paid: int
    insurance_pending: int
    patient_owes: int

    def __post_init__(self) -> None:
        left = self.charge - self.insurance_paid - self.adjustments - self.patient_paid
        if left != self.insurance_pending + self.patient_owes:
            raise StatementError(
                f"visit {self.claim_number}: {format_cents(self.charge)} charged less "
                f"{format_cents(self.insurance_paid + self.adjustments + self.patient_paid)} "
                f"paid and adjusted is not {format_cents(self.insurance_pending)} pending "
                f"plus {format_cents(self.patient_owes)} owed"
            )

    @property
    def visit_level_paid(self) -> int:
        return self.insurance_paid - sum(line.insurance_paid for line in self.lines)

    @property
    def visit_level_adjustments(self) -> int:
        return self.adjustments - sum(line.adjustments for line in self.lines)


@dataclass(frozen=True, slots=True)
class AccountItem:
    """Money on the account but on no visit: a late fee, its waiver, a credit, a refund.
    amount is what it does to the patient balance (a credit is negative)."""

    date: dt.date
    description: str
    amount: int


@dataclass(frozen=True, slots=True)
class PlanSummary:
    instalment: int
    next_due: dt.date | None
    overdue: int  # instalments due before the statement date and not paid
    remaining: int  # what the plan has left to collect


@dataclass(frozen=True, slots=True)
class StatementContent:
    """Everything one statement prints. balance is the patient balance on the ledger;
    amount_due is what is asked for by due_date (less than the balance on a plan)."""

    practice: Party
    remit_to: Party
    recipient: Party
    patient_name: str
    account_number: str
    statement_date: dt.date
    due_date: dt.date
    cycle: int
    message: str
    visits: tuple[StatementVisit, ...]
    account_items: tuple[AccountItem, ...]
    aging: tuple[int, int, int, int, int]
    balance: int
    amount_due: int
    how_to_pay: tuple[str, ...]
    plan: PlanSummary | None = None
    version: int = field(default=FORMAT_VERSION)

    def __post_init__(self) -> None:
        owed = sum(v.patient_owes for v in self.visits) + sum(i.amount for i in self.account_items)
        if owed != self.balance:
            raise StatementError(
                f"account {self.account_number}: the visits and items come to "
                f"{format_cents(owed)}, the balance is {format_cents(self.balance)}"
            )
        if sum(self.aging) != self.balance:
            raise StatementError(f"account {self.account_number}: the aging does not add up")
        if self.balance <= 0:
            raise StatementError(
                f"account {self.account_number}: a patient balance of "
                f"{format_cents(self.balance)} gets no statement"
            )
        if not 0 < self.amount_due <= self.balance:
            raise StatementError(
                f"account {self.account_number}: the amount due must be more than 0.00 "
                "and no more than the balance"
            )
        if self.cycle not in (1, 2, 3):
            raise StatementError(f"no statement cycle {self.cycle}")
        if not self.recipient.lines:
            raise StatementError(f"account {self.account_number} has no mailing address")

    @property
    def cycle_label(self) -> str:
        return Cycle(self.cycle).label

    @property
    def insurance_pending(self) -> int:
        return sum(v.insurance_pending for v in self.visits)

    def to_json(self) -> str:
        return json.dumps(_plain(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> StatementContent:
        try:
            raw = json.loads(text)
            if raw.get("version") != FORMAT_VERSION:
                raise StatementError(f"statement content of version {raw.get('version')!r}")
            return cls(
                practice=_party(raw["practice"]),
                remit_to=_party(raw["remit_to"]),
                recipient=_party(raw["recipient"]),
                patient_name=raw["patient_name"],
                account_number=raw["account_number"],
                statement_date=dt.date.fromisoformat(raw["statement_date"]),
                due_date=dt.date.fromisoformat(raw["due_date"]),
                cycle=raw["cycle"],
                message=raw["message"],
                visits=tuple(_visit(v) for v in raw["visits"]),
                account_items=tuple(
                    AccountItem(dt.date.fromisoformat(i["date"]), i["description"], i["amount"])
                    for i in raw["account_items"]
                ),
                aging=tuple(raw["aging"]),
                balance=raw["balance"],
                amount_due=raw["amount_due"],
                how_to_pay=tuple(raw["how_to_pay"]),
                plan=_plan(raw["plan"]) if raw.get("plan") else None,
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            if isinstance(error, StatementError):
                raise
            raise StatementError(
                f"the statement's stored content cannot be read ({error})"
            ) from None


def _plain(value):
    """The content as JSON's types (dataclasses.asdict deep-copies: a run makes thousands)."""
    if value is None or isinstance(value, str | int):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return {name: _plain(getattr(value, name)) for name in value.__slots__}


def _party(raw: dict) -> Party:
    return Party(raw["name"], tuple(raw["lines"]), raw.get("phone", ""))


def _visit(raw: dict) -> StatementVisit:
    return StatementVisit(
        claim_number=raw["claim_number"],
        dos=dt.date.fromisoformat(raw["dos"]),
        provider=raw["provider"],
        payer=raw["payer"],
        lines=tuple(StatementLine(**line) for line in raw["lines"]),
        charge=raw["charge"],
        insurance_paid=raw["insurance_paid"],
        adjustments=raw["adjustments"],
        patient_paid=raw["patient_paid"],
        insurance_pending=raw["insurance_pending"],
        patient_owes=raw["patient_owes"],
    )


def _plan(raw: dict) -> PlanSummary:
    next_due = raw.get("next_due")
    return PlanSummary(
        instalment=raw["instalment"],
        next_due=dt.date.fromisoformat(next_due) if next_due else None,
        overdue=raw["overdue"],
        remaining=raw["remaining"],
    )


# --------------------------------------------------------------------------- the cycle


@dataclass(frozen=True, slots=True)
class LastStatement:
    statement_date: dt.date
    cycle: int
    amount_due: int


def next_cycle(last: LastStatement | None, paid_since: int) -> Cycle:
    """The cycle of the next statement: back to a reminder once what the last one asked
    for has been paid (or there was none), else one step firmer, up to the final notice."""
    if last is None or paid_since >= last.amount_due:
        return Cycle.REMINDER
    return Cycle(min(last.cycle + 1, Cycle.FINAL_NOTICE))


def aging(
    items: list[tuple[dt.date, int]], statement_date: dt.date
) -> tuple[int, int, int, int, int]:
    """Patient amounts by age, (date, cents) each: Current (0-30 days), 31-60, ... Over 120."""
    labels = [label for label, _, _ in AGE_BUCKETS]
    buckets = [0] * len(labels)
    for date, amount in items:
        buckets[labels.index(age_bucket(date, statement_date))] += amount
    return tuple(buckets)  # type: ignore[return-value]


def due_statement(
    *,
    patient_balance: int,
    last_statement: dt.date | None,
    in_collections: bool,
    today: dt.date,
    policy: StatementPolicy,
    min_balance: int | None = None,
) -> str | None:
    """Why an account gets no statement today ("" or None: it gets one). The same rule
    chooses the accounts of a run and answers for an account asked for by number."""
    floor = policy.min_balance if min_balance is None else min_balance
    if in_collections:
        return "the account is with a collection agency"
    if patient_balance <= 0:
        return f"the patient balance is {format_cents(patient_balance)}"
    if patient_balance < floor:
        return f"the patient balance {format_cents(patient_balance)} is under {format_cents(floor)}"
    if last_statement is not None and (today - last_statement).days < policy.cycle_days:
        return f"a statement went out on {last_statement:%m/%d/%Y}, within {policy.cycle_days} days"
    return None
