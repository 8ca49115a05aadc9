"""The contact log's letter templates, and filling one from plain facts: pure data, no I/O.

The Store gathers LetterFacts (the practice, who the letter goes to, the balances, the
account's payment plan); `letter()` makes a Letter for pdf/letter.py to draw, `email()`
the same template as an email's subject and plain-text body. A letter goes to the
guarantor when the account has one, else to the patient. The email form carries the
minimum necessary: the account number, the amounts and how to pay or call us; never
the patient's name, a diagnosis or what a visit was for, and it asks for insurance
details by phone or post, not by reply.

A template that needs a fact the account lacks is refused with the reason (LetterError):
any letter without a mailing address, an email without an email address, a plan
agreement without an active plan, a balance reminder with no balance.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from dataclasses import dataclass

from .dates import format_date
from .money import format_cents

EMAIL_WIDTH = 72  # plain-text lines, as mail clients expect
FREQUENCY_WORDS = {
    "weekly": "one a week",
    "biweekly": "one every two weeks",
    "monthly": "one a month",
}


class LetterError(ValueError):
    """A letter or email the account's facts cannot fill; the message says what is missing."""


# --------------------------------------------------------------------------- facts


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    """One instalment of a payment plan, as the agreement lists it."""

    number: int
    due: dt.date
    amount: int  # cents


@dataclass(frozen=True, slots=True)
class PlanTerms:
    """What a payment plan agreement states (money in cents)."""

    total: int
    instalment: int
    instalments: int
    frequency: str  # weekly, biweekly, monthly
    start_date: dt.date
    schedule: tuple[ScheduleRow, ...]
    paid: int = 0
    remaining: int = 0


@dataclass(frozen=True, slots=True)
class LetterFacts:
    """Everything a template may need to know about one account, as plain values.

    recipient_* is the guarantor when the account has one, else the patient; an empty
    recipient_address means there is no whole mailing address.
    """

    practice_name: str
    practice_address: tuple[str, ...]
    practice_phone: str
    recipient_name: str
    recipient_address: tuple[str, ...]
    patient_name: str
    account_number: str
    date: dt.date
    patient_balance: int  # cents
    insurance_pending: int  # cents still waiting on a payer
    recipient_email: str = ""
    recipient_is_guarantor: bool = False
    plan: PlanTerms | None = None


# --------------------------------------------------------------------------- templates


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of a template; `when` names an amount that must be non-zero for it to
    print; a list (the plan's schedule) keeps its own lines in an email."""

    text: str
    when: str = ""
    keep_lines: bool = False


@dataclass(frozen=True, slots=True)
class Template:
    name: str  # what the CLI and the notes call it: balance-reminder, ...
    title: str
    description: str  # one line, for the list of templates
    paragraphs: tuple[Paragraph, ...]
    email_subject: str
    email_paragraphs: tuple[Paragraph, ...]
    final_paragraphs: tuple[Paragraph, ...] = ()  # after the table, before the closing
    form_title: str = ""  # above the signature lines
    signature_lines: tuple[tuple[str, ...], ...] = ()
    needs_plan: bool = False
    needs_balance: bool = False
    schedule_table: bool = False


_PAY = (
    "You can pay by card over the phone{at_phone}, by check payable to {practice} "
    "mailed to the address above, or in person at the front desk."
)

TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        Template(
            name="balance-reminder",
            title="Balance reminder",
            description="a reminder of the patient balance, with how to pay",
            needs_balance=True,
            paragraphs=(
                Paragraph(
                    "Our records show a balance of {balance} on account {account}{for_patient}. "
                    "We would be grateful for your payment, or for a call if you have a "
                    "question about it."
                ),
                Paragraph(
                    "Your insurance has not yet paid {insurance_pending} of the charges. That "
                    "amount is not part of the balance above; we will tell you if any of it "
                    "becomes yours to pay.",
                    when="insurance_pending",
                ),
                Paragraph(_PAY),
                Paragraph(
                    "If you cannot pay the whole balance at once, {call_us} and we can set up a "
                    "payment plan. If you have paid in the last few days, thank you, and please "
                    "disregard this letter."
                ),
            ),
            email_subject="A reminder about your account with {practice}",
            email_paragraphs=(
                Paragraph(
                    "This is a reminder that account {account} with {practice} has a balance "
                    "of {balance}."
                ),
                Paragraph(
                    "Your insurance has not yet paid {insurance_pending} of the charges; that "
                    "amount is not part of the balance.",
                    when="insurance_pending",
                ),
                Paragraph(
                    "You can pay by card over the phone{at_phone}, by check payable to "
                    "{practice}, or in person at the front desk. If you cannot pay the whole "
                    "balance at once, we can set up a payment plan."
                ),
                Paragraph(
                    "If you have paid in the last few days, thank you, and please disregard "
                    "this reminder."
                ),
            ),
        ),
        Template(
            name="plan-agreement",
            title="Payment plan agreement",
            description="the account's active payment plan and its schedule, to sign",
            needs_plan=True,
            schedule_table=True,
            paragraphs=(
                Paragraph(
                    "This letter sets out the payment plan agreed for account "
                    "{account}{for_patient}."
                ),
                Paragraph(
                    "The plan pays {plan_total} in {plan_instalments} instalments, "
                    "{plan_frequency}, the first due on {plan_start}. Each instalment is "
                    "{plan_instalment}{plan_last}."
                ),
                Paragraph(
                    "So far {plan_paid} has been paid; {plan_remaining} remains.", "plan_paid"
                ),
                Paragraph(
                    "Please pay each instalment by its due date, as scheduled below. While you "
                    "keep to the plan, we will ask for no more than the instalment due. If an "
                    "instalment is missed, the plan may be ended and the rest of the balance "
                    "become due at once. Charges for later visits are not part of this plan."
                ),
            ),
            email_subject="Your payment plan with {practice}",
            email_paragraphs=(
                Paragraph(
                    "This confirms the payment plan agreed for account {account} with "
                    "{practice}: {plan_total} in {plan_instalments} instalments, "
                    "{plan_frequency}, the first due on {plan_start}. Each instalment is "
                    "{plan_instalment}{plan_last}."
                ),
                Paragraph(
                    "So far {plan_paid} has been paid; {plan_remaining} remains.", "plan_paid"
                ),
                Paragraph("The instalments fall due as follows:"),
                Paragraph("{plan_schedule}", keep_lines=True),
                Paragraph(
                    "If anything here is not what you agreed, or you cannot make a payment, "
                    "{call_us}."
                ),
            ),
            final_paragraphs=(
                Paragraph(
                    "Please sign below and return one copy to us; keep the other for your "
                    "records. If anything here is not what you agreed, {call_us}."
                ),
            ),
            form_title="Agreed",
            signature_lines=(
                ("Patient/guarantor signature", "Date"),
                ("Printed name",),
                ("For {practice}", "Date"),
            ),
        ),
        Template(
            name="insurance-request",
            title="Request for insurance information",
            description="asks for up-to-date insurance details, with lines to fill in",
            paragraphs=(
                Paragraph(
                    "We need up-to-date insurance information for {patient} (account "
                    "{account}) so that we can bill your insurance for the care you received."
                ),
                Paragraph(
                    "Charges of {insurance_pending} are waiting to be billed to or paid by "
                    "insurance.",
                    when="insurance_pending",
                ),
                Paragraph(
                    "Until we hear from you, we may not be able to bill your insurance, and the "
                    "charges may become yours to pay."
                ),
                Paragraph(
                    "Please fill in the lines below and mail this letter back to us, bring your "
                    "insurance card to your next visit, or {call_us}. If you have no insurance, "
                    "please tell us, so that we can talk about your options."
                ),
            ),
            email_subject="We need your insurance information: {practice}",
            email_paragraphs=(
                Paragraph(
                    "We need up-to-date insurance information for account {account} with "
                    "{practice}, so that we can bill your insurance."
                ),
                Paragraph(
                    "Until we hear from you, we may not be able to bill your insurance, and the "
                    "charges may become yours to pay."
                ),
                Paragraph(
                    "Please {call_us} or bring your insurance card to your next visit. "
                    "For your privacy, please do not send insurance cards or member IDs by "
                    "email."
                ),
            ),
            form_title="Your insurance information (please print)",
            signature_lines=(
                ("Insurance company",),
                ("Member ID", "Group number"),
                ("Policyholder's name", "Policyholder's date of birth"),
                ("Policyholder's relationship to the patient",),
                ("Signature", "Date"),
            ),
        ),
    )
}


def template(name: str) -> Template:
    """The template of that name; LetterError naming the choices if there is none."""
    found = TEMPLATES.get(name.strip().lower())
    if found is None:
        raise LetterError(
            f"no letter template {name[:30]!r}; choose one of: {', '.join(TEMPLATES)}"
        )
    return found


# --------------------------------------------------------------------------- the results


@dataclass(frozen=True, slots=True)
class Letter:
    """A filled-in letter, as pdf/letter.py draws it."""

    template: str
    title: str
    date: dt.date
    practice_name: str
    practice_address: tuple[str, ...]
    practice_phone: str
    recipient_name: str
    recipient_address: tuple[str, ...]
    account_number: str
    patient_name: str
    salutation: str
    paragraphs: tuple[str, ...]
    closing: str
    sender_lines: tuple[str, ...]  # under the closing: who the letter is from
    table_headings: tuple[str, ...] = ()
    table_rows: tuple[tuple[str, ...], ...] = ()
    final_paragraphs: tuple[str, ...] = ()  # after the table
    form_title: str = ""
    # Lines to write on, a row at a time: each label of a row gets a rule of its own.
    signature_lines: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class Email:
    """The email form of a template: what goes in the Subject: header and the text body."""

    template: str
    subject: str
    body: str


def letter(name: str, facts: LetterFacts) -> Letter:
    """The template filled in for the account; LetterError when a fact it needs is missing."""
    chosen = template(name)
    if not facts.recipient_address:
        raise LetterError(f"account {facts.account_number} has no mailing address for a letter")
    values, amounts = _values(chosen, facts)
    table_headings: tuple[str, ...] = ()
    table_rows: tuple[tuple[str, ...], ...] = ()
    if chosen.schedule_table and facts.plan is not None:
        table_headings = ("Instalment", "Due date", "Amount")
        table_rows = tuple(
            (str(row.number), format_date(row.due), _money(row.amount))
            for row in facts.plan.schedule
        )
    return Letter(
        template=chosen.name,
        title=chosen.title,
        date=facts.date,
        practice_name=facts.practice_name,
        practice_address=facts.practice_address,
        practice_phone=facts.practice_phone,
        recipient_name=facts.recipient_name,
        recipient_address=facts.recipient_address,
        account_number=facts.account_number,
        patient_name=facts.patient_name,
        salutation=f"Dear {facts.recipient_name},",
        paragraphs=tuple(text for text, _ in _fill(chosen.paragraphs, values, amounts)),
        closing="Sincerely,",
        sender_lines=("Billing office", facts.practice_name),
        table_headings=table_headings,
        table_rows=table_rows,
        final_paragraphs=tuple(text for text, _ in _fill(chosen.final_paragraphs, values, amounts)),
        form_title=chosen.form_title,
        signature_lines=tuple(
            tuple(label.format_map(values) for label in row) for row in chosen.signature_lines
        ),
    )


def email(name: str, facts: LetterFacts) -> Email:
    """The template as an email to the account's email address: subject and plain text."""
    chosen = template(name)
    if not facts.recipient_email.strip():
        raise LetterError(f"account {facts.account_number} has no email address")
    values, amounts = _values(chosen, facts)
    body = [f"Dear {facts.recipient_name},", ""]
    for text, keep_lines in _fill(chosen.email_paragraphs, values, amounts):
        body.extend(text.splitlines() if keep_lines else textwrap.wrap(text, EMAIL_WIDTH))
        body.append("")
    body.extend(["Sincerely,", "", "Billing office", facts.practice_name])
    if facts.practice_phone:
        body.append(facts.practice_phone)
    return Email(chosen.name, chosen.email_subject.format_map(values), "\n".join(body) + "\n")


# --------------------------------------------------------------------------- filling in


def _values(chosen: Template, facts: LetterFacts) -> tuple[dict[str, str], dict[str, int]]:
    """The placeholders' text, and the amounts a paragraph's `when` may name; refuses a
    template whose facts are missing."""
    if chosen.needs_balance and facts.patient_balance <= 0:
        raise LetterError(
            f"account {facts.account_number} has a patient balance of "
            f"{format_cents(facts.patient_balance)}: there is no balance to remind of"
        )
    if chosen.needs_plan and facts.plan is None:
        raise LetterError(
            f"account {facts.account_number} has no active payment plan: a plan agreement needs one"
        )
    phone = facts.practice_phone.strip()
    values = {
        "practice": facts.practice_name,
        "account": facts.account_number,
        "patient": facts.patient_name,
        "recipient": facts.recipient_name,
        "for_patient": f", for {facts.patient_name}" if facts.recipient_is_guarantor else "",
        "balance": _money(facts.patient_balance),
        "insurance_pending": _money(facts.insurance_pending),
        "date": format_date(facts.date),
        "call_us": f"call us at {phone}" if phone else "call our billing office",
        "at_phone": f" at {phone}" if phone else "",
    }
    amounts = {"balance": facts.patient_balance, "insurance_pending": facts.insurance_pending}
    plan = facts.plan
    if plan is not None:
        amounts.update(plan_paid=plan.paid, plan_remaining=plan.remaining)
        last = plan.schedule[-1].amount if plan.schedule else plan.instalment
        values.update(
            plan_total=_money(plan.total),
            plan_instalment=_money(plan.instalment),
            plan_instalments=str(plan.instalments),
            plan_frequency=FREQUENCY_WORDS.get(plan.frequency, plan.frequency),
            plan_start=format_date(plan.start_date),
            plan_last=f", except the last, which is {_money(last)}"
            if last != plan.instalment
            else "",
            plan_paid=_money(plan.paid),
            plan_remaining=_money(plan.remaining),
            plan_schedule="\n".join(
                f"  {row.number:>3}.  {format_date(row.due)}  {_money(row.amount):>12}"
                for row in plan.schedule
            ),
        )
    return values, amounts


def _fill(
    paragraphs: tuple[Paragraph, ...], values: dict[str, str], amounts: dict[str, int]
) -> list[tuple[str, bool]]:
    """Each paragraph that applies, filled in, with whether it keeps its own lines."""
    return [
        (p.text.format_map(values), p.keep_lines)
        for p in paragraphs
        if not p.when or amounts.get(p.when, 0) != 0
    ]


def _money(cents: int) -> str:
    return format_cents(cents, symbol="$")
