"""The patient's record: demographics and the guarantor, edited from the account (e) or filled in
for a new patient from the queue (F8).

The form saves itself, so a refusal shows with the text still typed. Saved
over someone else's save, nothing is written: both versions are shown, and
the form goes on from theirs, keeping what this user typed.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label

from ..domain import validate
from ..domain.dates import format_date
from ..store import StoreConflict
from ..store.patients import KEEP, PatientConflict
from ..store.records import PatientDraft
from ..store.records.patients import GuarantorDetails, PatientDetails
from ..widgets.fields import Field
from ..widgets.key_bar import KeyBar
from ..widgets.letter_choice import LetterChoice
from .patient_form_base import Reader, RecordForm, row

SEXES = (("F", "female"), ("M", "male"), ("U", "unknown"))
PREFERENCES = (("mail", "mail"), ("phone", "phone"), ("email", "email"), ("text", "text"))
WHO_PAYS = (("patient", "patient"), ("other", "someone else"))
GUARANTOR_RELATIONSHIPS = (("parent", "parent"), ("spouse", "spouse"), ("other", "other"))


def show_phone(digits: str) -> str:
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}" if len(digits) == 10 else digits


def show_zip(digits: str) -> str:
    return f"{digits[:5]}-{digits[5:]}" if len(digits) == 9 else digits


def _same(value) -> str:
    return value


# form field -> (record attribute, how the field shows the stored value)
PATIENT_MAP: dict[str, tuple[str, Callable]] = {
    "last": ("last_name", _same),
    "first": ("first_name", _same),
    "middle": ("middle_name", _same),
    "dob": ("dob", format_date),
    "sex": ("sex", _same),
    "address1": ("address1", _same),
    "address2": ("address2", _same),
    "city": ("city", _same),
    "state": ("state", _same),
    "zip": ("zip", show_zip),
    "phone": ("phone", show_phone),
    "email": ("email", _same),
    "preference": ("contact_preference", _same),
}
GUARANTOR_MAP: dict[str, tuple[str, Callable]] = {
    "g-last": ("last_name", _same),
    "g-first": ("first_name", _same),
    "g-relationship": ("relationship", _same),
    "g-dob": ("dob", format_date),
    "g-address1": ("address1", _same),
    "g-city": ("city", _same),
    "g-state": ("state", _same),
    "g-zip": ("zip", show_zip),
    "g-phone": ("phone", show_phone),
    "g-email": ("email", _same),
}


class PatientForm(RecordForm[int | None]):
    """Dismisses with the patient's id once saved, None when cancelled."""

    ACTIONS_NAME = "Patient"
    AUTO_FOCUS = "#last"
    LABELS = {
        "last": "Last name",
        "first": "First name",
        "middle": "Middle name",
        "dob": "Date of birth",
        "address1": "Address",
        "address2": "Address line 2",
        "city": "City",
        "state": "State",
        "zip": "ZIP",
        "phone": "Phone",
        "email": "Email",
        "g-last": "Guarantor's last name",
        "g-first": "Guarantor's first name",
        "g-dob": "Guarantor's date of birth",
        "g-address1": "Guarantor's address",
        "g-city": "Guarantor's city",
        "g-state": "Guarantor's state",
        "g-zip": "Guarantor's ZIP",
        "g-phone": "Guarantor's phone",
        "g-email": "Guarantor's email",
    }
    HINTS = {
        "dob": "Date of birth: 010260, 01/02/60 or 1960-01-02.",
        "g-dob": "Date of birth: 010260, 01/02/60 or 1960-01-02 (may be blank).",
        "sex": "Sex: type f, m or u.",
        "state": "State: the 2-letter code (IL).",
        "g-state": "State: the 2-letter code (IL).",
        "zip": "ZIP: 5 or 9 digits (62701 or 62701-1234).",
        "g-zip": "ZIP: 5 or 9 digits (62701 or 62701-1234).",
        "phone": "Phone: 10 digits, any punctuation (may be blank).",
        "preference": "How the patient likes to be reached: m, p, e or t.",
        "who-pays": "Who pays the bill: p the patient, s someone else (the guarantor).",
        "g-relationship": "The guarantor is the patient's p parent, s spouse or o other.",
    }

    def __init__(self, patient: PatientDetails | None = None) -> None:
        """patient None: a new patient, who gets the next account number."""
        super().__init__()
        self.patient = patient

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        p = self.patient

        def text(field_id: str, max_length: int, width: int | None = None) -> Field:
            field = Field(id=field_id, max_length=max_length)
            if width is not None:
                field.styles.width = width
            return field

        with Vertical(id="form") as box:
            box.border_title = (
                f"Patient {p.last_name.upper()}, {p.first_name} · Acct {p.account_number}"
                if p is not None
                else "New patient: the next account number"
            )
            yield row(
                ("Last name", text("last", 60, 22)),
                ("First", text("first", 35, 16)),
                ("Middle", text("middle", 25)),
            )
            yield row(("Born", text("dob", 10, 11)), ("Sex", LetterChoice(SEXES, "U", id="sex")))
            yield row(("Address", text("address1", 55)))
            yield row(text("address2", 55), lead="")
            yield row(
                ("City", text("city", 30, 24)),
                ("State", text("state", 2, 4)),
                ("ZIP", text("zip", 10, 11)),
            )
            yield row(("Phone", text("phone", 20, 16)), ("Email", text("email", 80)))
            yield row(("Prefers", LetterChoice(PREFERENCES, "mail", id="preference")))
            yield row(Label("Guarantor: who pays the bill", classes="section"))
            yield row(("Who pays", LetterChoice(WHO_PAYS, "patient", id="who-pays")))
            yield row(("Last name", text("g-last", 60, 22)), ("First", text("g-first", 35)))
            yield row(
                (
                    "Relation",
                    LetterChoice(GUARANTOR_RELATIONSHIPS, "parent", id="g-relationship"),
                ),
                ("Born", text("g-dob", 10, 11)),
            )
            yield row(("Address", text("g-address1", 55)))
            yield row(
                ("City", text("g-city", 30, 24)),
                ("State", text("g-state", 2, 4)),
                ("ZIP", text("g-zip", 10, 11)),
            )
            yield row(("Phone", text("g-phone", 20, 16)), ("Email", text("g-email", 80)))
            yield Label("", id="message")
        yield KeyBar()

    def on_mount(self) -> None:
        if self.patient is not None:
            self._fill(self.patient)
        self.watch(self.query_one("#who-pays", LetterChoice), "value", self._who_pays, init=False)
        self._guarantor_fields(self.query_one("#who-pays", LetterChoice).value == "other")
        super().on_mount()

    def _set(self, field_id: str, value: str) -> None:
        widget = self.query_one(f"#{field_id}")
        widget.value = value  # type: ignore[attr-defined]

    def _fill(self, patient: PatientDetails, *, only: set[str] | None = None) -> None:
        """Put a record's values in the fields (or in the fields named in `only`)."""
        for field_id, (attribute, shown) in PATIENT_MAP.items():
            if only is None or field_id in only:
                self._set(field_id, shown(getattr(patient, attribute)))
        if only is not None and "who-pays" not in only:
            return
        guarantor = patient.guarantor
        self._set("who-pays", "other" if guarantor else "patient")
        for field_id, (attribute, shown) in GUARANTOR_MAP.items():
            default = "parent" if field_id == "g-relationship" else ""
            self._set(field_id, shown(getattr(guarantor, attribute)) if guarantor else default)
        self._guarantor_fields(guarantor is not None)

    def _who_pays(self, value: str) -> None:
        self._guarantor_fields(value == "other")
        if value == "other" and not self.query_one("#g-address1", Field).value:
            # A guarantor most often lives with the patient: start from their address.
            for source in ("address1", "city", "state", "zip", "phone"):
                self._set(f"g-{source}", self.query_one(f"#{source}", Field).value)

    def _guarantor_fields(self, enabled: bool) -> None:
        for field_id in GUARANTOR_MAP:
            widget = self.query_one(f"#{field_id}")
            widget.disabled = not enabled
            if not enabled:
                widget.set_class(False, "-invalid")
                self.query(f"#{field_id}-label").set_class(False, "-invalid")
        if not enabled and self._wrong in GUARANTOR_MAP:
            self._wrong = None
            self.say("")

    # ------------------------------------------------------------------ reading

    def reader(self, field_id: str) -> Reader | None:
        today = self.app.store.today()
        readers: dict[str, Reader] = {
            "last": validate.last_name,
            "first": validate.first_name,
            "middle": validate.middle_name,
            "dob": lambda t: validate.date_of_birth(t, today),
            "address1": validate.address_line,
            "address2": lambda t: validate.address_line(t, "second line", required=False),
            "city": validate.city,
            "state": validate.state,
            "zip": validate.zip_code,
            "phone": validate.phone,
            "email": validate.email,
            "g-last": validate.last_name,
            "g-first": validate.first_name,
            "g-dob": lambda t: validate.date_of_birth(t, today) if t.strip() else None,
            "g-address1": validate.address_line,
            "g-city": validate.city,
            "g-state": validate.state,
            "g-zip": validate.zip_code,
            "g-phone": validate.phone,
            "g-email": validate.email,
        }
        return readers.get(field_id)

    def cross_check(self, values: dict[str, object]) -> tuple[str, str] | None:
        preference = values["preference"]
        if preference == "email" and not values["email"]:
            return "email", "the patient prefers email: type the address, or pick another way"
        if preference in ("phone", "text") and not values["phone"]:
            return "phone", f"the patient prefers {preference}: type the number"
        return None

    @staticmethod
    def patient_fields(values: dict[str, object]) -> dict[str, object]:
        """The Store's names for the form's values."""
        return {attribute: values[field_id] for field_id, (attribute, _) in PATIENT_MAP.items()}

    def guarantor(self, values: dict[str, object]) -> GuarantorDetails | None:
        if values["who-pays"] != "other":
            return None
        kept = self.patient.guarantor if self.patient is not None else None
        return GuarantorDetails(
            address2=kept.address2 if kept is not None else "",  # not on the form: kept as is
            **{attribute: values[field_id] for field_id, (attribute, _) in GUARANTOR_MAP.items()},  # type: ignore[arg-type]
        )

    # ------------------------------------------------------------------ saving

    async def store_save(self, values: dict[str, object]) -> int | None:
        accounts = self.app.store.accounts
        fields = self.patient_fields(values)
        guarantor = self.guarantor(values)
        if self.patient is None:
            draft = PatientDraft(**fields)  # type: ignore[arg-type]
            return await self.app.call_store(accounts.register_patient, draft, guarantor)
        base = self.patient
        changes = {k: v for k, v in fields.items() if getattr(base, k) != v}
        await self.app.call_store(
            accounts.update_patient,
            base.id,
            changes,
            base.version,
            guarantor=KEEP if guarantor == base.guarantor else guarantor,
        )
        return base.id

    def conflict(self, error: StoreConflict, values: dict[str, object]) -> None:
        if not isinstance(error, PatientConflict) or self.patient is None:
            super().conflict(error, values)
            return
        from .patient_conflict import PatientConflictDialog

        base, theirs = self.patient, error.theirs
        mine, my_guarantor = self.patient_fields(values), self.guarantor(values)

        def answered(take_theirs: bool | None) -> None:
            # Either way the form now stands on their version: a second ctrl+s saves over
            # it knowingly, and nothing of theirs is lost unseen.
            self.patient = theirs
            if take_theirs:
                self._fill(theirs)
                self.rebase()
                self.say("Their version is in the form; nothing of yours was saved.")
            else:
                untouched = {
                    field_id
                    for field_id, (attribute, _) in PATIENT_MAP.items()
                    if mine[attribute] == getattr(base, attribute)
                }
                if my_guarantor == base.guarantor:
                    untouched.add("who-pays")
                self._fill(theirs, only=untouched)
                self.say(
                    "Their changes are in the form, yours where you typed them: "
                    "ctrl+s saves, Esc leaves it as they saved it."
                )

        dialog = PatientConflictDialog(base, theirs, mine, my_guarantor)
        self.app.push_screen(dialog, answered)
