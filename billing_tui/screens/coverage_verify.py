"""Record a manual verification of a coverage (k on the account's Coverages tab): how it was
checked (portal or phone), what was found, and any detail; the Store stamps who and when."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label

from ..domain.validate import FieldError
from ..store.records import CoverageRecord
from ..widgets.fields import Field
from ..widgets.key_bar import KeyBar
from ..widgets.letter_choice import LetterChoice
from .patient_form_base import Reader, RecordForm, row

HOW = (("portal", "web portal"), ("phone", "phone"))
RESULTS = (("Active", "active"), ("Inactive", "inactive"), ("Not found", "not found"))
DETAIL_MAX = 160  # with the result, within the Store's 200 characters


def _detail(text: str) -> str:
    detail = " ".join(text.split())
    if len(detail) > DETAIL_MAX:
        raise FieldError(f"at most {DETAIL_MAX} characters")
    return detail


class VerifyCoverageDialog(RecordForm[bool | None]):
    """Dismisses with True once the verification is recorded."""

    ACTIONS_NAME = "Verify coverage"
    AUTO_FOCUS = "#how"
    LABELS = {"detail": "Detail"}
    HINTS = {
        "how": "How it was checked: w the payer's web portal, p phone.",
        "result": "What was found: a active, i inactive, n not found.",
        "detail": "What else was said: copay, deductible left, reference number.",
    }
    DEFAULT_CSS = "VerifyCoverageDialog > #form { width: 64; }"

    def __init__(self, coverage: CoverageRecord) -> None:
        super().__init__()
        self.coverage = coverage

    def compose(self) -> ComposeResult:
        c = self.coverage
        with Vertical(id="form") as box:
            box.border_title = f"Verify coverage: {c.payer_name}"
            yield Label(f"Member {c.member_id}", markup=False)
            yield row(("How", LetterChoice(HOW, "portal", id="how")))
            yield row(("Found", LetterChoice(RESULTS, "Active", id="result")))
            yield row(("Detail", Field(id="detail", max_length=DETAIL_MAX)))
            yield Label("", id="message")
        yield KeyBar()

    def reader(self, field_id: str) -> Reader | None:
        return {"detail": _detail}.get(field_id)

    async def store_save(self, values: dict[str, object]) -> bool | None:
        result = str(values["result"])
        if values["detail"]:
            result = f"{result}: {values['detail']}"
        accounts = self.app.store.accounts
        await self.app.call_store(
            accounts.record_verification, self.coverage.id, str(values["how"]), result
        )
        return True
