"""A payment plan on the account: agree one (its schedule shown as it is typed), or see the
active one instalment by instalment and cancel or break it with a reason."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Label

from ..domain.dates import DateError, format_date, parse_date
from ..domain.money import MoneyError, format_cents, parse_cents
from ..domain.plans import Frequency, PlanError, schedule
from ..store.records.plans import PlanView
from ..widgets.fields import Field
from ..widgets.letter_choice import LetterChoice
from .form_dialog import FormDialog

FREQUENCIES = tuple((f.value, f.value) for f in (Frequency.MONTHLY, Frequency.BIWEEKLY,
                                                 Frequency.WEEKLY))  # fmt: skip
SHOWN = 6  # instalments listed before "... N instalments"
HEADING = " No  Due           Amount"


def schedule_lines(rows, *, paid_states: bool = False) -> list[str]:
    """The first instalments and the last, one a line: "  3  02/01/2027     50.00  due"."""
    shown = list(rows[:SHOWN])
    lines = []
    for row in shown:
        state = f"  {row.state}" if paid_states else ""
        lines.append(
            f"{row.number:>3}  {format_date(row.due)}  {format_cents(row.amount):>10}{state}"
        )
    if len(rows) > SHOWN:
        last = rows[-1]
        lines.append(
            f"... {len(rows)} instalments in all, the last {format_cents(last.amount)} "
            f"on {format_date(last.due)}"
        )
    return lines


class PlanDialog(FormDialog):
    """Agree a plan on an account without one. Dismisses True when a plan was agreed."""

    ACTIONS_NAME = "Payment plan"
    FIELDS = ("total", "instalment", "start", "frequency", "count")

    def __init__(self, patient_id: int, patient_name: str, patient_balance: int) -> None:
        super().__init__(f"Payment plan: {patient_name}")
        self.patient_id = patient_id
        self.patient_balance = patient_balance

    def compose_fields(self) -> ComposeResult:
        yield Label("Total")
        yield Field(format_cents(max(self.patient_balance, 0), grouping=False), id="total",
                    max_length=14)  # fmt: skip
        yield Label("Instalment")
        yield Field(placeholder="each payment, e.g. 50.00", id="instalment", max_length=14)
        yield Label("First due")
        yield Field(placeholder="date: 010127, 1/1/27 or 2027-01-01", id="start", max_length=10)
        yield Label("Every")
        yield LetterChoice(FREQUENCIES, Frequency.MONTHLY.value, id="frequency")
        yield Label("Instalments")
        yield Field(placeholder="how many (blank: as many as it takes)", id="count", max_length=3)

    # ------------------------------------------------------------------ reading the fields

    def _money(self, field_id: str) -> int:
        return parse_cents(self.value(field_id))

    def _start(self):
        return parse_date(self.value("start"), today=self.app.store.today())

    def _count(self) -> int | None:
        typed = self.value("count")
        if not typed:
            return None
        if not (typed.isascii() and typed.isdigit()):
            raise PlanError(f"instalments is a whole number, not {typed!r}")
        return int(typed)

    def _schedule(self):
        frequency = self.query_one("#frequency", LetterChoice).value
        return schedule(self._money("total"), self._money("instalment"), self._start(),
                        frequency, self._count())  # fmt: skip

    def check(self, field_id: str) -> str | None:
        try:
            if field_id in ("total", "instalment"):
                self._money(field_id)
            elif field_id == "start":
                self._start()
            elif field_id == "count":
                self._count()
                self._schedule()
        except (MoneyError, DateError, PlanError) as error:
            return f"{field_id.capitalize()}: {error}" if field_id != "count" else str(error)
        return None

    def refresh_detail(self) -> None:
        detail = self.query_one("#detail")
        if not (self.value("instalment") and self.value("start")):
            detail.update(
                f"The patient owes {format_cents(self.patient_balance)}. Type the instalment "
                "and the first due date: the schedule shows here."
            )
            return
        try:
            rows = self._schedule()
        except (MoneyError, DateError, PlanError) as error:
            detail.update(f"No schedule yet: {error}")
            return
        detail.update("\n".join([HEADING, *schedule_lines(rows)]))

    async def save(self) -> str | None:
        frequency = self.query_one("#frequency", LetterChoice).value
        await self.app.call_store(
            self.app.store.plans.create, self.patient_id, self._money("total"),
            self._money("instalment"), self._start(), frequency, self._count(),
        )  # fmt: skip
        self.changed = True
        self.app.notify("Payment plan agreed.", title="Payment plan")
        return None


class PlanEndDialog(FormDialog):
    """The active plan, instalment by instalment; cancel or break it with a reason.
    Dismisses True when the plan was ended."""

    ACTIONS_NAME = "Payment plan"
    FIELDS = ("how", "reason")

    def __init__(self, plan: PlanView, patient_name: str) -> None:
        super().__init__(f"Payment plan {plan.id}: {patient_name}")
        self.plan = plan

    def compose_fields(self) -> ComposeResult:
        yield Label("End it as")
        yield LetterChoice((("cancel", "cancelled"), ("break", "broken")), "cancel", id="how")
        yield Label("Reason")
        yield Field(placeholder="why it ends (Escape keeps the plan)", id="reason",
                    max_length=200)  # fmt: skip

    def refresh_detail(self) -> None:
        p = self.plan
        next_due = f", next due {format_date(p.next_due)}" if p.next_due else ""
        behind = f"; {format_cents(p.overdue)} overdue" if p.overdue else ""
        head = (
            f"{p.instalments} {p.frequency} instalments of {format_cents(p.instalment)} from "
            f"{format_date(p.start_date)}, total {format_cents(p.total)}\n"
            f"Paid {format_cents(p.paid)}, left {format_cents(p.remaining)}{next_due}{behind}"
        )
        lines = schedule_lines(p.schedule, paid_states=True)
        self.query_one("#detail").update("\n".join([head, HEADING, *lines]))

    def check(self, field_id: str) -> str | None:
        if field_id == "reason" and not self.value("reason"):
            return "Type why the plan ends."
        return None

    async def save(self) -> str | None:
        how = self.query_one("#how", LetterChoice).value
        plans = self.app.store.plans
        if how == "break":
            await self.app.call_store(plans.break_plan, self.plan.id, self.value("reason"),
                                      expected_version=self.plan.version)  # fmt: skip
        else:
            await self.app.call_store(plans.cancel, self.plan.id, self.value("reason"),
                                      expected_version=self.plan.version)  # fmt: skip
        self.changed = True
        return None
