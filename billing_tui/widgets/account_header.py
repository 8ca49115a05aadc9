"""The top of the account screen: who the patient is, how to reach them, and what they owe."""

from __future__ import annotations

import datetime as dt

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from ..domain.dates import format_date
from ..domain.money import format_cents
from ..store.records import AccountView, PatientRecord

SEX = {"F": "female", "M": "male", "U": "sex unknown"}


def phone(digits: str) -> str:
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}" if len(digits) == 10 else digits


def age_on(dob: dt.date, today: dt.date) -> int:
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def who(patient: PatientRecord, today: dt.date) -> str:
    return (
        f"{patient.name.upper()} · Acct {patient.account_number} · "
        f"DOB {format_date(patient.dob)} ({age_on(patient.dob, today)}) · "
        f"{SEX.get(patient.sex, patient.sex)}"
    )


def contact(patient: PatientRecord) -> str:
    parts = [patient.address]
    if patient.phone:
        parts.append(phone(patient.phone))
    if patient.email:
        parts.append(patient.email)
    parts.append(f"prefers {patient.contact_preference}")
    return " · ".join(parts)


def guarantor(patient: PatientRecord) -> str:
    g = patient.guarantor
    if g is None:
        return "Guarantor: the patient"
    parts = [f"Guarantor: {g.last_name.upper()}, {g.first_name} ({g.relationship})", g.address]
    if g.phone:
        parts.append(phone(g.phone))
    return " · ".join(parts)


def balances(view: AccountView, today: dt.date) -> str:
    total = view.insurance_balance + view.patient_balance
    parts = [
        f"Ins {format_cents(view.insurance_balance)}",
        f"Pat {format_cents(view.patient_balance)}",
        f"Total {format_cents(total)}",
    ]
    if view.next_follow_up is not None:
        due = " due" if view.next_follow_up <= today else ""
        parts.append(f"F/U {format_date(view.next_follow_up)}{due}")
    if view.plan_next_due is not None:
        parts.append(f"Plan due {format_date(view.plan_next_due)}")
    if view.flags:
        parts.append(", ".join(flag.label for flag in view.flags))
    return " · ".join(parts)


class AccountHeader(Vertical):
    """Four lines; the balance line is '-credit' when the practice owes the patient and
    '-due' when a follow-up is due."""

    DEFAULT_CSS = """
    AccountHeader { height: 4; background: $boost; }
    AccountHeader > Static { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    AccountHeader #who { text-style: bold; }
    AccountHeader #balances { text-style: bold; }
    AccountHeader #balances.-due { color: $text-warning; }
    AccountHeader #balances.-credit { color: $text-success; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Opening the account…", id="who", markup=False)
        yield Static("", id="contact", markup=False)
        yield Static("", id="guarantor", markup=False)
        yield Static("", id="balances", markup=False)

    def show(self, view: AccountView, today: dt.date) -> None:
        patient = view.patient
        self.query_one("#who", Static).update(who(patient, today))
        self.query_one("#contact", Static).update(contact(patient))
        self.query_one("#guarantor", Static).update(guarantor(patient))
        line = self.query_one("#balances", Static)
        line.update(balances(view, today))
        due = view.next_follow_up is not None and view.next_follow_up <= today
        line.set_class(due, "-due")
        line.set_class(view.insurance_balance + view.patient_balance < 0, "-credit")
