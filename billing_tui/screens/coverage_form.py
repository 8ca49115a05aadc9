"""A coverage: payer, member ID, who the insured is, the dates and the plan's terms. Added from the
account's Coverages tab (i) or changed there (Enter). The subscriber is the patient when the
patient is the insured, filled in from the record; money is typed as 1,234.56, percent as 20."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Label

from ..domain import validate
from ..domain.dates import format_date
from ..domain.money import format_cents
from ..store.records import PayerRecord
from ..store.records.patients import CoverageDetails, PatientDetails
from ..widgets.fields import Field
from ..widgets.key_bar import KeyBar
from ..widgets.letter_choice import LetterChoice
from ..widgets.payer_pick import PayerPick
from .patient_form import show_zip
from .patient_form_base import Reader, RecordForm, row

PRIORITIES = (("1", "primary"), ("2", "secondary"), ("3", "tertiary"))
# X12 SBR02 codes; "the patient is the insured's ..." (self is the insured themself).
PATIENT_IS = (("18", "insured"), ("01", "spouse"), ("19", "child"), ("G8", "other"))
SEXES = (("F", "female"), ("M", "male"), ("U", "unknown"))
SUBSCRIBER_PERSON = ("sub-last", "sub-first", "sub-dob", "sub-sex")
MONEY = {
    "copay": "copay",
    "deductible": "deductible",
    "met": "deductible_met",
    "oop": "oop_max",
}


def _money(cents: int) -> str:
    return format_cents(cents) if cents else ""


class CoverageForm(RecordForm[int | None]):
    """Dismisses with the coverage's id once saved, None when cancelled."""

    ACTIONS_NAME = "Coverage"
    AUTO_FOCUS = "#payer"
    LABELS = {
        "payer": "Payer",
        "member": "Member ID",
        "group": "Group",
        "sub-last": "Insured's last name",
        "sub-first": "Insured's first name",
        "sub-dob": "Insured's date of birth",
        "sub-address": "Insured's address",
        "sub-city": "Insured's city",
        "sub-state": "Insured's state",
        "sub-zip": "Insured's ZIP",
        "start": "Start date",
        "end": "End date",
        "copay": "Copay",
        "deductible": "Deductible",
        "met": "Deductible met",
        "coins": "Coinsurance",
        "oop": "Out-of-pocket max",
    }
    HINTS = {
        "payer": "Payer: Enter or a letter opens the list.",
        "priority": "Order of billing: p primary, s secondary, t tertiary.",
        "member": "Member ID: letters and digits (Medicare: the 11-character MBI).",
        "relationship": "The patient is the i insured, or the insured's s spouse, c child, o other.",
        "start": "Dates: 010126, 01/01/26 or 2026-01-01.",
        "end": "End date: blank while the coverage is open.",
        "copay": "Money: 25 or 1,234.56.",
        "coins": "Coinsurance: a percent, 20 or 20%.",
    }

    def __init__(
        self,
        patient: PatientDetails,
        payers: Sequence[PayerRecord],
        coverage: CoverageDetails | None = None,
        *,
        priorities: int = 1,
    ) -> None:
        """coverage None: a new one, at one of the first `priorities` places (1 to 3)."""
        super().__init__()
        self.patient = patient
        self.payers = list(payers)
        self.coverage = coverage
        self.priorities = max(1, min(priorities, 3))

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        c, p = self.coverage, self.patient

        def text(field_id: str, value: str, max_length: int, width: int | None = None) -> Field:
            field = Field(value=value, id=field_id, max_length=max_length)
            if width is not None:
                field.styles.width = width
            return field

        sub = {
            "last": c.subscriber_last if c else p.last_name,
            "first": c.subscriber_first if c else p.first_name,
            "dob": format_date(c.subscriber_dob if c else p.dob),
            "sex": c.subscriber_sex if c else p.sex,
            "address": c.subscriber_address1 if c else p.address1,
            "city": c.subscriber_city if c else p.city,
            "state": c.subscriber_state if c else p.state,
            "zip": show_zip(c.subscriber_zip if c else p.zip),
        }
        with Vertical(id="form") as box:
            who = f"{p.last_name.upper()}, {p.first_name} · Acct {p.account_number}"
            box.border_title = f"{'Coverage' if c else 'New coverage'}: {who}"
            yield row(("Payer", PayerPick(self.payers, c.payer_id if c else None, id="payer")))
            if c is None:
                choices = PRIORITIES[: self.priorities]
                yield row(("Order", LetterChoice(choices, choices[-1][0], id="priority")))
            else:
                place = dict(PRIORITIES).get(str(c.priority), str(c.priority))
                state = "" if c.active else " (inactive)"
                yield row(
                    Label(f"{place.capitalize()}{state}: u on the list moves it up"), lead="Order"
                )
            yield row(
                ("Member ID", text("member", c.member_id if c else "", 80, 22)),
                ("Group", text("group", c.group_number if c else "", 50)),
            )
            yield row(
                (
                    "Patient is",
                    LetterChoice(PATIENT_IS, c.relationship if c else "18", id="relationship"),
                )
            )
            yield row(
                ("Insured", text("sub-last", sub["last"], 60, 22)),
                ("First", text("sub-first", sub["first"], 35)),
            )
            yield row(
                ("Born", text("sub-dob", sub["dob"], 10, 11)),
                ("Sex", LetterChoice(SEXES, sub["sex"], id="sub-sex")),
            )
            yield row(("Address", text("sub-address", sub["address"], 55)))
            yield row(
                ("City", text("sub-city", sub["city"], 30, 24)),
                ("State", text("sub-state", sub["state"], 2, 4)),
                ("ZIP", text("sub-zip", sub["zip"], 10, 11)),
            )
            yield row(
                ("Starts", text("start", format_date(c.start_date) if c else "", 10, 11)),
                ("Ends", text("end", format_date(c.end_date) if c else "", 10, 11)),
            )
            yield row(
                ("Copay", text("copay", _money(c.copay) if c else "", 14, 11)),
                ("Deductible", text("deductible", _money(c.deductible) if c else "", 14, 11)),
                ("Met", text("met", _money(c.deductible_met) if c else "", 14, 11)),
            )
            yield row(
                (
                    "Coins %",
                    text(
                        "coins",
                        validate.format_percent(c.coinsurance_bp) if c and c.coinsurance_bp else "",
                        7,
                        7,
                    ),
                ),
                ("OOP max", text("oop", _money(c.oop_max) if c else "", 14, 11)),
            )
            yield Label("", id="message")
        yield KeyBar()

    def on_mount(self) -> None:
        c = self.coverage
        self._subscriber_fields(c is None or c.relationship == "18")
        relationship = self.query_one("#relationship", LetterChoice)
        self.watch(relationship, "value", self._relationship_changed, init=False)
        super().on_mount()

    def _subscriber_fields(self, self_insured: bool) -> None:
        """The patient as the insured: name, DOB and sex are the patient's, not typed."""
        for field_id in SUBSCRIBER_PERSON:
            widget = self.query_one(f"#{field_id}")
            widget.disabled = self_insured
            widget.set_class(False, "-invalid")
            self.query(f"#{field_id}-label").set_class(False, "-invalid")
        if self._wrong in SUBSCRIBER_PERSON:
            self._wrong = None
            self.say("")

    def _relationship_changed(self, value: str) -> None:
        p = self.patient
        if value == "18":
            self.query_one("#sub-last", Field).value = p.last_name
            self.query_one("#sub-first", Field).value = p.first_name
            self.query_one("#sub-dob", Field).value = format_date(p.dob)
            self.query_one("#sub-sex", LetterChoice).value = p.sex
        elif self.query_one("#sub-last", Field).disabled:
            # Someone else holds the plan: their name is typed, the address most often shared.
            for field_id in ("sub-last", "sub-first", "sub-dob"):
                self.query_one(f"#{field_id}", Field).value = ""
            self.query_one("#sub-sex", LetterChoice).value = "U"
        self._subscriber_fields(value == "18")

    @on(PayerPick.Picked)
    def _payer_picked(self) -> None:
        self._mark("payer", False)
        if self._wrong == "payer":
            self._wrong = None
            self.say("")
        if self.query_one("#member", Field).value.strip():
            self.check("member")  # a Medicare payer wants an MBI

    # ------------------------------------------------------------------ reading

    def _payer_kind(self) -> str:
        payer = self.query_one(PayerPick).payer
        return payer.kind if payer is not None else ""

    def reader(self, field_id: str) -> Reader | None:
        today = self.app.store.today()

        def optional(read: Reader) -> Reader:
            return lambda t: read(t) if t.strip() else ""

        readers: dict[str, Reader] = {
            "member": lambda t: validate.member_id(t, self._payer_kind()),
            "group": validate.group_number,
            "sub-last": validate.last_name,
            "sub-first": validate.first_name,
            "sub-dob": lambda t: validate.date_of_birth(t, today) if t.strip() else None,
            "sub-address": lambda t: validate.address_line(t, required=False),
            "sub-city": optional(validate.city),
            "sub-state": optional(validate.state),
            "sub-zip": optional(validate.zip_code),
            "start": lambda t: validate.date(t, "start date", today),
            "end": lambda t: validate.date(t, "end date", today, required=False),
            "copay": lambda t: validate.amount(t, "copay"),
            "deductible": lambda t: validate.amount(t, "deductible"),
            "met": lambda t: validate.amount(t, "deductible met"),
            "coins": validate.percent,
            "oop": lambda t: validate.amount(t, "out-of-pocket max"),
        }
        return readers.get(field_id)

    def enter_on(self, widget: Widget) -> bool:
        if isinstance(widget, PayerPick) and widget.value is None:
            widget.action_open()
            return True
        return False

    def collect(self) -> dict[str, object]:
        values = super().collect()
        values["payer"] = self.query_one(PayerPick).value
        return values

    def cross_check(self, values: dict[str, object]) -> tuple[str, str] | None:
        if values["payer"] is None:
            return "payer", "pick the payer: Enter opens the list"
        try:
            validate.coverage_dates(values["start"], values["end"])  # type: ignore[arg-type]
        except validate.FieldError as error:
            return "end", str(error)
        try:
            validate.deductible_met(values["met"], values["deductible"])  # type: ignore[arg-type]
        except validate.FieldError as error:
            return "met", str(error)
        return None

    def coverage_fields(self, values: dict[str, object]) -> dict[str, object]:
        """The Store's names for the form's values."""
        p = self.patient
        self_insured = values["relationship"] == "18"
        return {
            "payer_id": values["payer"],
            "member_id": values["member"],
            "group_number": values["group"],
            "relationship": values["relationship"],
            "subscriber_last": p.last_name if self_insured else values["sub-last"],
            "subscriber_first": p.first_name if self_insured else values["sub-first"],
            "subscriber_dob": p.dob if self_insured else values["sub-dob"],
            "subscriber_sex": p.sex if self_insured else values["sub-sex"],
            "subscriber_address1": values["sub-address"],
            "subscriber_city": values["sub-city"],
            "subscriber_state": values["sub-state"],
            "subscriber_zip": values["sub-zip"],
            "start_date": values["start"],
            "end_date": values["end"],
            "coinsurance_bp": values["coins"],
            **{store: values[field_id] for field_id, store in MONEY.items()},
        }

    # ------------------------------------------------------------------ saving

    async def store_save(self, values: dict[str, object]) -> int | None:
        accounts = self.app.store.accounts
        fields = self.coverage_fields(values)
        if self.coverage is None:
            priority = int(values["priority"])  # type: ignore[call-overload]
            return await self.app.call_store(
                accounts.new_coverage, self.patient.id, fields, priority
            )
        base = self.coverage
        changes = {k: v for k, v in fields.items() if getattr(base, k) != v}
        expected = {k: getattr(base, k) for k in changes}
        await self.app.call_store(accounts.update_coverage, base.id, changes, expected=expected)
        return base.id
