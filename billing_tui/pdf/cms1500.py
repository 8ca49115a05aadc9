"""The CMS-1500 (02/12) claim form on plain Letter paper: ClaimDetail in, PDF bytes out.

Boxes 1-33 are drawn as thin rules with their numbers and labels, so a page reads
without the red pre-printed form. The data follow the NUCC 1500 Reference
Instruction Manual: upper case; names as LAST, FIRST, M without periods;
addresses without punctuation; MM DD YY in 24A and MM DD YYYY for birth dates;
dollars and cents in separate columns, without commas or dollar signs. Six
service lines fit a form: a longer claim continues on further complete forms,
marked PAGE n OF m at the top right, with CONTINUED in box 28 on all but the last.
Text uses the PDF core fonts (no font files) and stays extractable.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fpdf import FPDF

from .cms1500_layout import (
    BOX,
    C24,
    DATA_SIZE,
    LINE_H,
    LINES_PER_PAGE,
    MODIFIER_W,
    POINTER_LETTERS,
    RELATIONSHIPS,
    ROW,
    SHADE_H,
    TOP,
    XB,
    XC,
    Y12,
    Y17,
    Y21,
    Y25,
    Y31,
    YLINES,
    L,
    Layout,
    R,
    draw_form,
    layout,
)

if TYPE_CHECKING:
    from ..store.records.account import PatientRecord
    from ..store.records.claims import Address, ClaimDetail, ClaimLine, CoverageDetail

# Box 1's check box for a payer's kind; any other kind checks OTHER.
PROGRAM_OF_KIND = {
    "medicare": "medicare",
    "medicaid": "medicaid",
    "tricare": "tricare",
    "champva": "champva",
    "commercial": "group",
    "group": "group",
    "feca": "feca",
}


@dataclass(frozen=True, slots=True)
class ClaimForm:
    """One claim to print, with the patient's coverages (box 9 reports the other one, if any)."""

    claim: ClaimDetail
    coverages: tuple[CoverageDetail, ...] = ()

    @property
    def other_insurance(self) -> CoverageDetail | None:
        """Box 9: the payer before this one on a secondary claim, else the patient's next
        coverage in force on the date of service."""
        claim = self.claim
        if claim.prior_payers:
            return claim.prior_payers[-1].coverage
        if claim.coverage is None:
            return None
        dos = claim.first_dos
        for coverage in sorted(self.coverages, key=lambda c: c.priority):
            if (
                coverage.id != claim.coverage.id
                and coverage.active
                and coverage.start_date <= dos
                and (coverage.end_date is None or dos <= coverage.end_date)
            ):
                return coverage
        return None


def page_count(claim: ClaimDetail) -> int:
    return max(1, -(-len(claim.lines) // LINES_PER_PAGE))


def cms1500_pdf(claims: Iterable[ClaimForm | ClaimDetail], *, signed_on: dt.date) -> bytes:
    """One PDF with each claim's forms in turn; signed_on dates box 31."""
    pdf = FPDF(unit="pt", format="letter")
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.set_compression(True)
    pdf.set_creator("billing-tui")
    pdf.set_title("CMS-1500 claims")
    blank = layout()
    for item in claims:
        form = item if isinstance(item, ClaimForm) else ClaimForm(item)
        lines = form.claim.lines
        pages = page_count(form.claim)
        for index in range(pages):
            pdf.add_page()
            draw_form(pdf, blank)
            chunk = lines[index * LINES_PER_PAGE : (index + 1) * LINES_PER_PAGE]
            _Filler(pdf, blank).fill(form, chunk, index + 1, pages, signed_on)
    return bytes(pdf.output())


# --------------------------------------------------------------------------- text as NUCC asks

_LETTERS = str.maketrans({"Ø": "O", "Æ": "AE", "Œ": "OE", "Đ": "D", "Ð": "D", "Ł": "L", "Þ": "TH"})


def plain(text: str) -> str:
    """Upper-case ASCII on one line, as the manual asks and payers' scanners read: Núñez -> NUNEZ."""
    decomposed = unicodedata.normalize("NFKD", text.upper().translate(_LETTERS))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.encode("ascii", "replace").decode("ascii").split())


def person_name(last: str, first: str, middle: str = "") -> str:
    """LAST, FIRST, M: commas between the parts, hyphens kept, no periods."""
    parts = (last, first, middle[:1])
    return ", ".join(plain(part).replace(".", "") for part in parts if part.strip())


def signature_name(first: str, last: str, credential: str = "") -> str:
    """FIRST LAST CREDENTIAL, as boxes 17 and 31 want a person named."""
    return plain(f"{first} {last} {credential}").replace(".", "").replace(",", "")


_ADDRESS_PUNCTUATION = str.maketrans({".": " ", ",": " ", "#": " ", "'": None})


def street(*parts: str) -> str:
    """No punctuation in addresses (or cities): 123 N MAIN ST 101, not 123 N. Main St., #101."""
    return " ".join(plain(" ".join(parts)).translate(_ADDRESS_PUNCTUATION).split())


def zip_code(text: str) -> str:
    digits = "".join(c for c in text if c.isascii() and c.isdigit())
    return f"{digits[:5]}-{digits[5:]}" if len(digits) == 9 else digits


def phone_parts(text: str) -> tuple[str, str]:
    """(area code, number) with no hyphen or space inside the number."""
    digits = "".join(c for c in text if c.isascii() and c.isdigit())
    return (digits[:3], digits[3:]) if len(digits) == 10 else ("", digits)


def phone(text: str) -> str:
    area, number = phone_parts(text)
    return f"({area}) {number}" if area else number


def icd_code(code: str) -> str:
    """Box 21 takes the code without its decimal point: on the 02/12 form the point is implied."""
    return code.replace(".", "").upper()


def mmddyy(day: dt.date | None, *, century: bool = False) -> str:
    if day is None:
        return ""
    return day.strftime("%m %d %Y" if century else "%m %d %y")


def dollars_cents(cents: int) -> tuple[str, str]:
    whole, part = divmod(abs(cents), 100)
    return ("-" if cents < 0 else "") + str(whole), f"{part:02d}"


# --------------------------------------------------------------------------- the claim's data


class _Filler:
    """Writes one page's data into the drawn form, in Courier so columns line up."""

    def __init__(self, pdf: FPDF, blank: Layout) -> None:
        self.pdf = pdf
        self.checks = blank.checks
        self.size(DATA_SIZE)

    def size(self, points: float) -> None:
        self.pdf.set_font("courier", "", points)
        self.char_w = points * 0.6  # Courier is 600/1000 em wide: widths need no font metrics

    def put(self, x: float, y: float, text: str, width: float | None = None) -> None:
        """Text from x on baseline y, cut to what fits in width points from the box's edge."""
        if not text:
            return
        if width is not None:
            text = text[: max(0, int((width - 4) / self.char_w))]
        self.pdf.text(x, y, text)

    def put_right(self, right: float, y: float, text: str) -> None:
        self.pdf.text(right - len(text) * self.char_w, y, text)

    def check(self, name: str) -> None:
        x, y = self.checks[name]
        self.pdf.text(x + (BOX - self.char_w) / 2, y + BOX - 0.8, "X")

    def money(self, cents_left: float, y: float, cents: int) -> None:
        dollars, part = dollars_cents(cents)
        self.put_right(cents_left - 2, y, dollars)
        self.put(cents_left + 3, y, part)

    def fill(
        self,
        form: ClaimForm,
        lines: Sequence[ClaimLine],
        page: int,
        pages: int,
        signed_on: dt.date,
    ) -> None:
        claim = form.claim
        if pages > 1:
            self.put_right(R, 24, f"PAGE {page} OF {pages}")
        self._carrier_and_insured(claim)
        self._patient(claim)
        self._other_insurance(claim, form.other_insurance)
        self._providers_and_codes(claim)
        for n, line in enumerate(lines):
            y = YLINES + n * LINE_H
            self._service_line(y, line, claim.place_of_service, claim.rendering.npi)
        self._totals(claim, last_page=page == pages, signed_on=signed_on)

    def _carrier_and_insured(self, claim: ClaimDetail) -> None:
        coverage = claim.coverage
        if coverage is None:  # self-pay: no payer to address the form to
            return
        payer = coverage.payer
        address = payer.address
        carrier = [
            plain(payer.name),
            street(address.line1),
            street(address.line2),
            _city_line(address),
        ]
        for n, text in enumerate(t for t in carrier if t):
            self.put(XC, 36 + n * 11, text, R - XC)
        self.check(PROGRAM_OF_KIND.get(payer.kind, "other"))
        self.put(XC + 4, TOP + ROW - 4, plain(coverage.member_id), R - XC)
        subscriber = person_name(coverage.subscriber_last, coverage.subscriber_first)
        self.put(XC + 4, TOP + 2 * ROW - 4, subscriber, R - XC)
        # The patient's own record is the fuller one when the patient is the insured.
        self_insured = coverage.relationship == "18"
        address = _patient_address(claim.patient) if self_insured else coverage.subscriber_address
        self._address(XC, 170, 84, address, R - XC)
        if self_insured:
            self.put(XC + 88, TOP + 5 * ROW - 4, phone(claim.patient.phone))
        rel = {code: key for key, _, code in RELATIONSHIPS}.get(coverage.relationship, "other")
        self.check(f"rel_{rel}")
        self.put(XC + 4, TOP + 6 * ROW - 4, plain(coverage.group_number), R - XC)
        self.put(XC + 8, TOP + 7 * ROW - 4, mmddyy(coverage.subscriber_dob, century=True))
        if coverage.subscriber_sex in ("M", "F"):
            self.check(f"sex11_{coverage.subscriber_sex}")
        self.put(XC + 4, TOP + 9 * ROW - 4, plain(payer.name), R - XC)

    def _address(self, x0: float, split: float, zip_w: float, address: Address, w: float) -> None:
        self.put(x0 + 4, TOP + 3 * ROW - 4, street(address.line1, address.line2), w)
        self.put(x0 + 4, TOP + 4 * ROW - 4, street(address.city), split)
        self.put(x0 + split + 4, TOP + 4 * ROW - 4, plain(address.state)[:2])
        self.put(x0 + 4, TOP + 5 * ROW - 4, zip_code(address.zip), zip_w)

    def _patient(self, claim: ClaimDetail) -> None:
        p = claim.patient
        self.put(
            L + 4, TOP + 2 * ROW - 4, person_name(p.last_name, p.first_name, p.middle_name), XB - L
        )
        self.put(XB + 8, TOP + 2 * ROW - 4, mmddyy(p.dob, century=True))
        if p.sex in ("M", "F"):
            self.check(f"sex3_{p.sex}")
        self._address(L, 190, 84, _patient_address(p), XB - L)
        self.put(L + 88, TOP + 5 * ROW - 4, phone(p.phone))
        for name in ("10a_no", "10b_no", "10c_no"):  # no accident or employment data: NO
            self.check(name)
        self.put(L + 32, Y12 + 29, "SIGNATURE ON FILE")
        if claim.coverage is not None:
            self.put(XC + 32, Y12 + 29, "SIGNATURE ON FILE")

    def _other_insurance(self, claim: ClaimDetail, other: CoverageDetail | None) -> None:
        if claim.coverage is None:
            return
        self.check("11d_yes" if other else "11d_no")
        if other is None:
            return
        name = person_name(other.subscriber_last, other.subscriber_first)
        self.put(L + 4, TOP + 6 * ROW - 4, name, XB - L)
        self.put(L + 4, TOP + 7 * ROW - 4, plain(other.member_id), XB - L)
        self.put(L + 4, TOP + 10 * ROW - 4, plain(other.payer.name), XB - L)

    def _providers_and_codes(self, claim: ClaimDetail) -> None:
        # 17 names one provider: the referring one, else (incident-to) the supervising one.
        if claim.referring is not None:
            ref = claim.referring
            source = ("DN", signature_name(ref.first_name, ref.last_name), ref.npi)
        elif claim.supervising is not None:
            sup = claim.supervising
            source = ("DQ", signature_name(sup.first_name, sup.last_name, sup.credential), sup.npi)
        else:
            source = None
        if source:
            qualifier, name, npi = source
            self.put(L + 4, Y17 + ROW - 4, qualifier)
            self.put(L + 22, Y17 + ROW - 4, name, XB - L - 18)
            self.put(XB + 30, Y17 + ROW - 3, npi)
        self.check("20_no")
        self.put(XB + 78, Y21 + 8.5, "0")  # ICD indicator: 0 is ICD-10-CM
        for i, code in enumerate(claim.diagnoses[: len(POINTER_LETTERS)]):
            self.put(L + 16 + (i % 4) * 88, Y21 + 19 + (i // 4) * 11, icd_code(code))
        if claim.frequency in ("7", "8"):
            self.put(XC + 30, Y21 + 19, claim.frequency)
            self.put(XC + 80, Y21 + 19, plain(claim.original_claim_number or ""), R - XC - 76)
        self.put(XC + 4, Y21 + 42, plain(claim.prior_authorization or ""), R - XC)

    def _service_line(
        self, y: float, line: ClaimLine, place_of_service: str, rendering_npi: str
    ) -> None:
        base = y + LINE_H - 4
        if line.ndc:  # the shaded band carries the NDC: N4 qualifier, then the 11 digits
            self.size(7.5)
            self.put(C24["from"] + 3, y + SHADE_H - 2, f"N4{line.ndc.replace('-', '')}")
            self.size(DATA_SIZE)
        self.put(C24["from"] + 3, base, mmddyy(line.dos_from))
        self.put(C24["to"] + 3, base, mmddyy(line.dos_to))
        self.put(C24["pos"] + 5, base, place_of_service)
        self.put(C24["cpt"] + 4, base, plain(line.code))
        for m, modifier in enumerate(line.modifiers[:4]):
            self.put(C24["mod"] + m * MODIFIER_W + 5, base, plain(modifier))
        pointers = "".join(POINTER_LETTERS[p - 1] for p in line.pointers if 1 <= p <= 12)
        self.put(C24["ptr"] + 4, base, pointers)
        self.money(C24["cents"], base, line.charge)
        self.put(C24["units"] + 4, base, str(line.units))
        self.put(C24["npi"] + 6, base, rendering_npi)

    def _totals(self, claim: ClaimDetail, *, last_page: bool, signed_on: dt.date) -> None:
        billing = claim.billing_provider
        base = Y25 + 20
        self.put(L + 4, base, "".join(c for c in billing.ein if c.isdigit()))
        self.check("ein")
        self.put(L + 174, base, plain(claim.claim_number))
        self.check("27_yes")
        if last_page:
            self.money(XC + 84 - 18, base, claim.line_total)
            paid = sum(prior.paid for prior in claim.prior_payers)
            if paid:
                self.money(XC + 162 - 18, base, paid)
        else:
            self.put(XC + 14, base, "CONTINUED")
        r = claim.rendering
        self.put(L + 4, Y31 + 40, signature_name(r.first_name, r.last_name, r.credential), 170)
        self.put(L + 108, Y31 + 56.5, mmddyy(signed_on, century=True))
        # 32 (where the service was) is the practice's office, as the store keeps no facilities.
        rows = (
            plain(billing.name),
            street(billing.address.line1, billing.address.line2),
            _city_line(billing.address),
        )
        self.size(8)  # an office address and suite fit 32's width at 8 points
        for x, w in ((L + 170, XC - L - 170), (XC, R - XC)):
            for n, text in enumerate(rows):
                self.put(x + 4, Y31 + 18 + n * 10, text, w)
        self.size(DATA_SIZE)
        for x in (L + 170, XC):
            self.put(x + 10, Y31 + 57, billing.npi)
        area, number = phone_parts(billing.phone)
        self.put(XC + 111, Y31 + 6.5, area)
        self.put(XC + 135, Y31 + 6.5, number)


@dataclass(frozen=True, slots=True)
class _Address:
    """The patient's address in the shape of the store's Address record."""

    line1: str
    line2: str
    city: str
    state: str
    zip: str


def _patient_address(patient: PatientRecord) -> _Address:
    return _Address(patient.address1, patient.address2, patient.city, patient.state, patient.zip)


def _city_line(address: Address) -> str:
    parts = (street(address.city), plain(address.state)[:2], zip_code(address.zip))
    return " ".join(part for part in parts if part)
