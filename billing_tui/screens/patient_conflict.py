"""Someone else saved the patient while this user edited it: their version beside this user's,
field by field. Nothing was saved; the user keeps editing from theirs, or takes theirs."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from ..domain.dates import format_date
from ..store.records.patients import GuarantorDetails, PatientDetails
from ..widgets.key_bar import KeyBar
from .once import DismissOnce

FIELD_NAMES = {
    "last_name": "Last name",
    "first_name": "First name",
    "middle_name": "Middle name",
    "dob": "Date of birth",
    "sex": "Sex",
    "address1": "Address",
    "address2": "Address line 2",
    "city": "City",
    "state": "State",
    "zip": "ZIP",
    "phone": "Phone",
    "email": "Email",
    "contact_preference": "Prefers",
}


def shown(value: object) -> str:
    if value is None or value == "":
        return "(blank)"
    if hasattr(value, "strftime"):
        return format_date(value)  # type: ignore[arg-type]
    return str(value)


def guarantor_line(guarantor: GuarantorDetails | None) -> str:
    if guarantor is None:
        return "the patient"
    return (
        f"{guarantor.last_name.upper()}, {guarantor.first_name} ({guarantor.relationship}), "
        f"{guarantor.address1}, {guarantor.city} {guarantor.state} {guarantor.zip[:5]}"
        + (f", {guarantor.phone}" if guarantor.phone else "")
    )


def differences(
    base: PatientDetails,
    theirs: PatientDetails,
    mine: dict[str, object],
    my_guarantor: GuarantorDetails | None,
) -> list[tuple[str, str, str, bool]]:
    """(field, their value, yours, changed by them?) for each field where the two differ."""
    rows = []
    for attribute, name in FIELD_NAMES.items():
        their_value, my_value = getattr(theirs, attribute), mine[attribute]
        if their_value != my_value:
            changed = their_value != getattr(base, attribute)
            rows.append((name, shown(their_value), shown(my_value), changed))
    if theirs.guarantor != my_guarantor:
        rows.append(
            (
                "Guarantor",
                guarantor_line(theirs.guarantor),
                guarantor_line(my_guarantor),
                theirs.guarantor != base.guarantor,
            )
        )
    return rows


class PatientConflictDialog(DismissOnce, ModalScreen[bool]):
    """Dismisses with True to take their version, False to go on editing from it."""

    ACTIONS_NAME = "Changed by someone else"
    AUTO_FOCUS = "DataTable"
    BINDINGS = [
        Binding(
            "escape,enter",
            "keep_mine",
            "Keep mine",
            id="patient_conflict.keep_mine",
            tooltip="back to the form: their changes in it, yours where you typed them",
        ),
        Binding(
            "t",
            "take_theirs",
            "Take theirs",
            id="patient_conflict.take_theirs",
            tooltip="throw away what you typed and load their version",
        ),
    ]

    DEFAULT_CSS = """
    PatientConflictDialog { align: center middle; }
    PatientConflictDialog > Vertical {
        width: 78;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $warning;
        background: $surface;
        padding: 0 1;
    }
    PatientConflictDialog #conflict-title { text-style: bold; }
    PatientConflictDialog DataTable { height: auto; max-height: 14; }
    """

    def __init__(
        self,
        base: PatientDetails,
        theirs: PatientDetails,
        mine: dict[str, object],
        my_guarantor: GuarantorDetails | None,
    ) -> None:
        super().__init__()
        self.rows = differences(base, theirs, mine, my_guarantor)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(
                "Someone else saved this patient while you edited. Nothing of yours was saved.",
                id="conflict-title",
            )
            table: DataTable = DataTable(cursor_type="row", zebra_stripes=True)
            table.add_columns("Field", "Saved by them", "Yours")
            for name, their_value, my_value, changed in self.rows:
                table.add_row(f"{name}{' *' if changed else ''}", their_value, my_value)
            if not self.rows:
                table.add_row("(no field differs)", "", "")
            yield table
            yield Label(
                "* changed by them. Enter: keep editing with their changes; t: take theirs."
            )
        yield KeyBar()

    @on(DataTable.RowSelected)
    def _enter_on_the_table(self) -> None:
        self.dismiss(False)

    def action_keep_mine(self) -> None:
        self.dismiss(False)

    def action_take_theirs(self) -> None:
        self.dismiss(True)
