"""The claim's header in four lines: who pays and who billed on the left; referring provider,
place of service, frequency with the original claim number, and prior authorization on the
right. Tab and Enter go down the left column, then down the right one."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Label

from ..domain.codes import FREQUENCIES, RELATIONSHIPS, place_of_service_name
from ..domain.security import mask_id
from ..store.records import (
    BillingProviderRecord,
    ClaimChoices,
    CoverageDetail,
    ProviderRecord,
    ReferringRecord,
)
from .claim_fields import ClaimField, PickField

ORDER = (
    "coverage",
    "billing",
    "rendering",
    "supervising",
    "referring",
    "pos",
    "frequency",
    "original",
    "prior_auth",
)
PICKED = frozenset({"coverage", "billing", "rendering", "supervising", "referring"})


def coverage_label(coverage: CoverageDetail | None) -> str:
    if coverage is None:
        return "Self-pay (no insurance)"
    relationship = RELATIONSHIPS.get(coverage.relationship, coverage.relationship)
    if coverage.relationship != "18" and coverage.subscriber_last:
        relationship += f" of {coverage.subscriber_last.upper()}"
    return f"{coverage.priority} {coverage.payer.name} ({relationship})"


def coverage_hint(coverage: CoverageDetail | None) -> str:
    if coverage is None:
        return "Self-pay: the patient is billed, no claim goes to a payer."
    relationship = RELATIONSHIPS.get(coverage.relationship, coverage.relationship)
    if coverage.relationship == "18" and not coverage.subscriber_last:
        subscriber = "the patient"
    else:
        subscriber = f"{coverage.subscriber_last.upper()}, {coverage.subscriber_first}"
    until = f" to {coverage.end_date:%m/%d/%y}" if coverage.end_date else ""
    group = f" · group {coverage.group_number}" if coverage.group_number else ""
    return (
        f"{coverage.payer.name} · member {mask_id(coverage.member_id)}{group} · subscriber {subscriber} "
        f"({relationship}) · from {coverage.start_date:%m/%d/%y}{until}"
    )


def provider_hint(provider: ProviderRecord | None, choices: ClaimChoices | None) -> str:
    if provider is None:
        return "None."
    hint = f"{provider.name} · NPI {provider.npi} · taxonomy {provider.taxonomy}"
    if provider.supervising_id is not None and choices is not None:
        for other in choices.providers:
            if other.id == provider.supervising_id:
                hint += f" · supervised by {other.name}"
    return hint


class Row(Horizontal):
    DEFAULT_CSS = """
    Row { height: 1; }
    Row > Label { width: 11; }
    Row > .right { width: 10; }
    Row > .name { width: 1fr; color: $text-muted; margin-left: 1;
                  text-wrap: nowrap; text-overflow: ellipsis; }
    Row > #prior-auth-label { width: 5; margin-left: 1; }
    """


class ClaimHeader(Vertical):
    DEFAULT_CSS = """
    ClaimHeader { height: 4; layout: horizontal; }
    ClaimHeader > #header-left { width: 45; height: 4; margin-right: 1; }
    ClaimHeader > #header-right { width: 1fr; height: 4; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.choices: ClaimChoices | None = None
        self._fields: dict[str, Widget] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="header-left"):
            with Row():
                yield Label("Coverage")
                yield PickField("coverage", "Coverage", id="coverage")
            with Row():
                yield Label("Billing")
                yield PickField("billing", "Billing provider", id="billing")
            with Row():
                yield Label("Rendering")
                yield PickField("rendering", "Rendering provider", id="rendering")
            with Row():
                yield Label("Supervising")
                yield PickField("supervising", "Supervising provider", id="supervising")
        with Vertical(id="header-right"):
            with Row():
                yield Label("Referring", classes="right")
                yield PickField("referring", "Referring provider", id="referring")
            with Row():
                yield Label("POS", classes="right")
                yield ClaimField("pos", "11", max_length=2, id="pos")
                yield Label("", id="pos-name", classes="name", markup=False)
            with Row():
                yield Label("Frequency", classes="right")
                yield ClaimField("frequency", "1", max_length=1, id="frequency")
                yield Label("", id="frequency-name", classes="name", markup=False)
            with Row():
                yield Label("Original", classes="right")
                yield ClaimField("original", max_length=50, id="original")
                yield Label("Auth", id="prior-auth-label")
                yield ClaimField("prior_auth", max_length=50, id="prior_auth")

    def field(self, part: str) -> Widget:
        # Kept once found: the editor reads every field on every key typed.
        found = self._fields.get(part)
        if found is None:
            found = self._fields[part] = self.query_one(f"#{part}")
        return found

    def pick(self, part: str) -> PickField:
        field = self.field(part)
        assert isinstance(field, PickField)
        return field

    def text(self, part: str) -> ClaimField:
        field = self.field(part)
        assert isinstance(field, ClaimField)
        return field

    def fill(
        self,
        choices: ClaimChoices,
        *,
        coverage: CoverageDetail | None,
        billing: BillingProviderRecord | None,
        rendering: ProviderRecord | None,
        supervising: ProviderRecord | None,
        referring: ReferringRecord | None,
        pos: str,
        frequency: str,
        original: str,
        prior_auth: str,
    ) -> None:
        """Show a claim's header (or a new claim's defaults) without it counting as typed."""
        self.choices = choices
        coverages: list[tuple[str, CoverageDetail | None]] = [
            (coverage_label(c), c) for c in choices.coverages
        ]
        if coverage is not None and coverage not in choices.coverages:
            coverages.insert(0, (coverage_label(coverage), coverage))  # ended since
        coverages.append((coverage_label(None), None))
        providers: list[tuple[str, ProviderRecord | None]] = [
            (p.name, p) for p in choices.providers
        ]
        if rendering is not None and rendering not in choices.providers:
            providers.insert(0, (rendering.name, rendering))  # no longer active
        # set_choices shows a choice: nothing here counts as picked by the person.
        self.pick("coverage").set_choices(coverages, coverage)
        self.pick("billing").set_choices([(b.name, b) for b in choices.billing_providers], billing)
        self.pick("rendering").set_choices(providers, rendering)
        supervisors = [("(none)", None), *providers]
        if supervising is not None and supervising not in choices.providers:
            supervisors.insert(1, (supervising.name, supervising))
        self.pick("supervising").set_choices(supervisors, supervising)
        referrers: list[tuple[str, ReferringRecord | None]] = [("(none)", None)]
        referrers += [(r.name, r) for r in choices.referring]
        self.pick("referring").set_choices(referrers, referring)
        for part, value in (
            ("pos", pos),
            ("frequency", frequency),
            ("original", original),
            ("prior_auth", prior_auth),
        ):
            self.text(part).show_value(value)
        self.name_codes()

    def values(self) -> dict:
        """Each part's value: the record picked, or the text typed."""
        found: dict = {part: self.pick(part).value for part in PICKED}
        for part in ("pos", "frequency", "original", "prior_auth"):
            found[part] = self.text(part).value
        return found

    def name_codes(self) -> None:
        """Say what the typed place of service and frequency mean; grey out Orig for 1."""
        pos = self.text("pos").value.strip()
        name = place_of_service_name(pos) or ("?" if len(pos) == 2 else "")
        self._say("#pos-name", name)
        frequency = self.text("frequency").value.strip()
        self._say("#frequency-name", FREQUENCIES.get(frequency, "1, 7 or 8"))
        original = self.text("original")
        original.disabled = frequency not in ("7", "8") and not original.value

    def _say(self, selector: str, text: str) -> None:
        label = self.query_one(selector, Label)
        if str(label.render()) != text:
            label.update(text, layout=False)  # fixed width: no layout pass

    def hint(self, part: str) -> str:
        """A line about the focused part of the header."""
        if part == "coverage":
            return coverage_hint(self.pick("coverage").value)
        if part in ("rendering", "supervising"):
            return provider_hint(self.pick(part).value, self.choices)
        if part == "billing":
            billing = self.pick("billing").value
            if billing is None:
                return ""
            return f"{billing.name} · NPI {billing.npi} · tax ID {billing.ein}"
        if part == "referring":
            referring = self.pick("referring").value
            return (
                f"{referring.name} · NPI {referring.npi}" if referring else "No referring provider."
            )
        if part == "pos":
            return (
                "Place of service: 11 office, 02 telehealth (not at home), 10 telehealth at home."
            )
        if part == "frequency":
            return (
                "Frequency: 1 original, 7 replacement, 8 void (7 and 8 need the original number)."
            )
        if part == "original":
            return "The payer's claim number of the claim this one replaces or voids."
        if part == "prior_auth":
            return "Prior authorization number, if the payer gave one."
        return ""
