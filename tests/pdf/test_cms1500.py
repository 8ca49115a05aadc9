"""The CMS-1500 PDF, read back with pypdf: the key fields, page breaks, box 22, accents, the CLI."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from billing_tui.cli import main
from billing_tui.pdf import cms1500_layout as blank
from billing_tui.pdf.cms1500 import (
    ClaimForm,
    cms1500_pdf,
    dollars_cents,
    icd_code,
    page_count,
    person_name,
    plain,
    signature_name,
    street,
    zip_code,
)
from billing_tui.sample import generate
from billing_tui.store import Store
from billing_tui.store.records import ClaimDraft, CoverageDraft, LineDraft, PatientDraft
from billing_tui.store.records.claims import PriorPayer

TODAY = dt.date(2026, 11, 24)
SEVEN_LINES = (  # code, modifiers, pointers, units, charge
    ("99214", ("25",), (1, 2), 1, 21_000),
    ("36415", (), (1,), 1, 2_500),
    ("85025", (), (2,), 1, 4_200),
    ("80053", (), (1, 3), 1, 6_800),
    ("81002", (), (3,), 1, 1_500),
    ("93000", (), (2,), 1, 9_500),
    ("J3420", (), (1,), 3, 1_234_567),  # the 7th line: page 2; over $10,000 with odd cents
)


@dataclasses.dataclass(frozen=True)
class Practice:
    path: str
    claims: dict[str, ClaimForm]  # name -> the claim as the CLI would print it
    sample_numbers: tuple[str, ...]


@pytest.fixture(scope="module")
def practice(tmp_path_factory) -> Practice:
    """A small synthetic practice plus a 7-line claim, a replacement and an accented patient.

    The store is closed again (the CLI opens its own), the claims read out as the
    frozen records the PDF takes.
    """
    path = str(tmp_path_factory.mktemp("cms1500") / "practice.db")
    store = Store.open(path, username="tester", today=lambda: TODAY)
    try:
        generate(store.db, 40, seed=7, as_of=TODAY)
        patient_id, choices, coverage = _insured_patient(store)
        dos = TODAY - dt.timedelta(days=20)
        header = {
            "patient_id": patient_id,
            "billing_provider_id": choices.billing_providers[0].id,
            "rendering_provider_id": choices.providers[0].id,
            "place_of_service": "11",
            "coverage_id": coverage.id,
            "diagnoses": ("E11.9", "I10", "Z79.4"),
        }
        lines = tuple(
            LineDraft(dos, code, charge, units=units, modifiers=mods, pointers=ptrs)
            for code, mods, ptrs, units, charge in SEVEN_LINES
        )
        with_ndc = dataclasses.replace(lines[6], ndc="00409488801")  # a drug: NDC in the band
        seven = store.claims.create(ClaimDraft(lines=(*lines[:6], with_ndc), **header))
        replacement = store.claims.create(
            ClaimDraft(
                lines=(LineDraft(dos, "99213", 15_000),),
                frequency="7",
                original_claim_number="0300000000042",
                prior_authorization="PA-77812",
                referring_provider_id=choices.referring[0].id,
                **{**header, "diagnoses": ("J06.9",)},
            )
        )
        accented = _accented_claim(store, choices, dos)
        ids = {"seven": seven, "replacement": replacement, "accented": accented}
        ids["sample"] = _first_claim(
            store, lambda c: c.coverage and len(c.diagnoses) > 1 and len(c.lines) > 1
        )
        ids["dependent"] = _first_claim(
            store, lambda c: c.coverage and c.coverage.relationship == "19"
        )
        ids["self_pay"] = _first_claim(store, lambda c: c.coverage is None)
        claims = {}
        for name, claim_id in ids.items():
            claim = store.claims.get(claim_id)
            claims[name] = ClaimForm(claim, store.claims.choices(claim.patient.id).coverages)
        sample_numbers = tuple(claims[n].claim.claim_number for n in ("sample", "seven"))
    finally:
        store.close()
    return Practice(path, claims, sample_numbers)


def _insured_patient(store: Store):
    for patient_id in range(1, 41):
        choices = store.claims.choices(patient_id)
        for coverage in choices.coverages:
            if coverage.end_date is None and coverage.relationship == "18":
                return patient_id, choices, coverage
    raise AssertionError("the sample has no patient with an open coverage")


def _accented_claim(store: Store, choices, dos: dt.date) -> int:
    patient_id = store.accounts.create_patient(
        PatientDraft(
            "Søren", "Núñez-Ibáñez", dt.date(1971, 5, 6), "M", "12 Łódź Peña Blvd.",
            "Cañon City", "CO", "812121234", middle_name="Émile", phone="719-555-0123",
        )
    )  # fmt: skip
    payer_id = choices.coverages[0].payer.id
    coverage_id = store.accounts.add_coverage(
        CoverageDraft(patient_id, payer_id, "NÚÑ123", dt.date(2020, 1, 1))
    )
    return store.claims.create(
        ClaimDraft(
            patient_id=patient_id,
            billing_provider_id=choices.billing_providers[0].id,
            rendering_provider_id=choices.providers[0].id,
            place_of_service="11",
            lines=(LineDraft(dos, "99213", 15_000),),
            diagnoses=("J06.9",),
            coverage_id=coverage_id,
        )
    )


def _first_claim(store: Store, wanted) -> int:
    from billing_tui.store.models import Claim

    for (claim_id,) in Claim.select(Claim.id).order_by(Claim.id).tuples():
        if wanted(store.claims.get(claim_id)):
            return claim_id
    raise AssertionError("the sample has no such claim")


def pages_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def page_data(data: bytes) -> list[list[tuple[float, float, str]]]:
    """Each page's data (the Courier text, not the form's labels) as (x, y from the top, text)."""
    pages = []
    for page in PdfReader(io.BytesIO(data)).pages:
        words: list[tuple[float, float, str]] = []
        height = float(page.mediabox.height)

        def visit(text, cm, tm, font, size, words=words, height=height):
            if text.strip() and font and font["/BaseFont"] == "/Courier":
                words.append((tm[4], height - tm[5], text.strip()))

        page.extract_text(visitor_text=visit)
        pages.append(words)
    return pages


def in_box(words, left: float, top: float, right: float, bottom: float) -> str:
    return " ".join(t for x, y, t in words if left <= x < right and top < y <= bottom)


BOX22 = (blank.XC, blank.Y21, blank.R, blank.Y21 + 23)
BOX23 = (blank.XC, blank.Y21 + 23, blank.R, blank.Y24)
BOX26 = (blank.L + 170, blank.Y25, blank.L + 282, blank.Y31)
BOX28 = (blank.XC, blank.Y25, blank.XC + 84, blank.Y31)
BOX29 = (blank.XC + 84, blank.Y25, blank.XC + 162, blank.Y31)
BOX1A = (blank.XC, blank.TOP, blank.R, blank.TOP + blank.ROW)
BOX4 = (blank.XC, blank.TOP + blank.ROW, blank.R, blank.TOP + 2 * blank.ROW)
BOX7 = (blank.XC, blank.TOP + 2 * blank.ROW, blank.R, blank.TOP + 3 * blank.ROW)
BOX9 = (blank.L, blank.TOP + 5 * blank.ROW, blank.XB, blank.TOP + 6 * blank.ROW)
BOX9A = (blank.L, blank.TOP + 6 * blank.ROW, blank.XB, blank.TOP + 7 * blank.ROW)
BOX9D = (blank.L, blank.TOP + 9 * blank.ROW, blank.XB, blank.Y12)


def service_line(text: str, code: str) -> str:
    """The extracted text line of box 24 that carries this code."""
    found = [line for line in text.splitlines() if f" {code} " in f" {line} "]
    assert len(found) == 1, (code, found)
    return found[0]


def money(cents: int) -> str:
    """As the form prints it: dollars, then cents in their own column."""
    return " ".join(dollars_cents(cents))


def render(*forms: ClaimForm) -> bytes:
    return cms1500_pdf(forms, signed_on=TODAY)


# --------------------------------------------------------------------------- the form's content


def test_the_key_fields_are_in_the_text(practice):
    form = practice.claims["sample"]
    claim = form.claim
    pdf = render(form)
    (text,) = pages_text(pdf)
    patient = claim.patient
    assert person_name(patient.last_name, patient.first_name, patient.middle_name) in text
    assert patient.dob.strftime("%m %d %Y") in text  # box 3: MM DD YYYY
    assert claim.claim_number in text and patient.account_number in text  # box 26
    assert claim.coverage.member_id in text
    assert plain(claim.coverage.payer.name) in text
    for code in claim.diagnoses:
        assert icd_code(code) in text and "." not in icd_code(code)
    for line in claim.lines:
        row = service_line(text, line.code)
        assert money(line.charge) in row
        assert row.startswith(f"{line.dos_from:%m %d %y} {line.dos_to:%m %d %y}")  # 24A
        assert claim.rendering.npi in row  # 24J
        letters = "".join("ABCDEFGHIJKL"[p - 1] for p in line.pointers)
        assert f" {letters} " in row  # 24E: letters, not numbers
    assert money(claim.line_total) in text.split(claim.claim_number, 1)[1]  # box 28
    billing = claim.billing_provider
    assert billing.npi in text and billing.ein in text
    (data,) = page_data(pdf)
    assert in_box(data, *BOX26) == claim.claim_number  # CLM01: the 835 answers with it
    assert all(word == word.upper() for _, _, word in data)  # the data in capitals


def test_seven_lines_take_two_forms_with_the_total_on_the_last(practice):
    form = practice.claims["seven"]
    claim = form.claim
    data = render(form)
    first, second = pages_text(data)
    assert page_count(claim) == 2
    codes = [code for code, *_ in SEVEN_LINES]
    assert [c for c in codes if f" {c} " in f" {first.replace(chr(10), ' ')} "] == codes[:6]
    assert [c for c in codes if f" {c} " in f" {second.replace(chr(10), ' ')} "] == codes[6:]
    assert "PAGE 1 OF 2" in first and "PAGE 2 OF 2" in second
    assert "CONTINUED" in first and "CONTINUED" not in second
    total = money(claim.line_total)
    assert total == "12800 67"  # no comma, no dollar sign
    assert total not in first and total in second
    data_first, data_second = page_data(data)
    assert in_box(data_first, *BOX28) == "CONTINUED"
    assert in_box(data_second, *BOX28) == total
    assert in_box(data_first, *BOX26) == in_box(data_second, *BOX26) == claim.claim_number
    assert money(1_234_567) in service_line(second, "J3420")
    assert "N400409488801" in second  # the NDC in the 7th line's shaded band
    for page in (first, second):  # each page is a complete form
        assert claim.coverage.member_id in page and claim.claim_number in page
        assert all(icd_code(code) in page for code in claim.diagnoses)
        assert claim.billing_provider.npi in page


def test_a_replacement_shows_its_resubmission_code_and_original_number(practice):
    claim = practice.claims["replacement"].claim
    pdf = render(practice.claims["replacement"])
    (text,) = pages_text(pdf)
    assert claim.frequency == "7"
    (data,) = page_data(pdf)
    assert in_box(data, *BOX22) == "7 0300000000042"
    assert in_box(data, *BOX23) == "PA-77812"
    referring = claim.referring
    assert f"DN {signature_name(referring.first_name, referring.last_name)}" in text
    assert referring.npi in text  # 17b


def test_an_original_claim_leaves_box_22_empty(practice):
    for data in page_data(render(practice.claims["seven"])):
        assert in_box(data, *BOX22) == ""
        assert in_box(data, *BOX28)  # the boxes are where the test looks: 28 has data


def test_accents_print_as_plain_capitals(practice):
    form = practice.claims["accented"]
    (text,) = pages_text(render(form))
    assert "NUNEZ-IBANEZ, SOREN, E" in text
    assert "12 LODZ PENA BLVD" in text
    assert "CANON CITY" in text and "81212-1234" in text
    assert "NUN123" in text  # the member ID too
    assert "(719) 5550123" in text
    assert text.isascii()


def test_a_dependent_is_not_the_insured(practice):
    claim = practice.claims["dependent"].claim
    (data,) = page_data(render(practice.claims["dependent"]))
    coverage = claim.coverage
    assert in_box(data, *BOX4) == person_name(coverage.subscriber_last, coverage.subscriber_first)
    assert in_box(data, *BOX4) != person_name(claim.patient.last_name, claim.patient.first_name)
    for relationship in ("self", "spouse", "child", "other"):
        x, y = blank.layout().checks[f"rel_{relationship}"]
        assert in_box(data, x, y, x + blank.BOX, y + blank.BOX) == (
            "X" if relationship == "child" else ""
        )


def test_the_insured_patients_own_address_fills_box_7(practice):
    claim = practice.claims["seven"].claim
    (data, _) = page_data(render(practice.claims["seven"]))
    patient = claim.patient
    assert patient.address2  # the coverage's copy of the address has no second line
    assert in_box(data, *BOX7) == street(patient.address1, patient.address2)


def test_a_self_pay_claim_prints_without_a_payer(practice):
    claim = practice.claims["self_pay"].claim
    (data,) = page_data(render(practice.claims["self_pay"]))
    assert in_box(data, *BOX1A) == in_box(data, *BOX4) == ""
    assert in_box(data, 0, 0, blank.R, blank.TOP) == ""  # no carrier block
    assert in_box(data, *BOX26) == claim.claim_number


def test_a_secondary_claim_names_the_primary_in_box_9_and_its_payment_in_box_29(practice):
    primary = practice.claims["sample"].claim
    secondary_coverage = dataclasses.replace(
        primary.coverage,
        id=primary.coverage.id + 1000,
        priority=2,
        member_id="SECOND-77",
        payer=dataclasses.replace(primary.coverage.payer, name="Second Payer Mutual"),
    )
    paid = 6_543
    claim = dataclasses.replace(
        primary,
        coverage=secondary_coverage,
        prior_payers=(PriorPayer(primary.id, primary.coverage, paid, TODAY, (), ()),),
    )
    pdf = render(ClaimForm(claim))
    (text,) = pages_text(pdf)
    assert "SECOND PAYER MUTUAL" in text and "SECOND-77" in text
    (data,) = page_data(pdf)
    insured = primary.coverage
    assert in_box(data, *BOX9) == person_name(insured.subscriber_last, insured.subscriber_first)
    assert in_box(data, *BOX9A) == insured.member_id
    assert in_box(data, *BOX9D) == plain(insured.payer.name)
    assert in_box(data, *BOX28) == money(claim.line_total)
    assert in_box(data, *BOX29) == money(paid)


def test_box_9_is_the_other_coverage_in_force_on_the_date_of_service(practice):
    claim = practice.claims["sample"].claim
    dos = claim.first_dos
    other = dataclasses.replace(claim.coverage, id=-1, priority=2, member_id="OTHER-1")
    ended = dataclasses.replace(other, id=-2, end_date=dos - dt.timedelta(days=1))
    assert ClaimForm(claim, (claim.coverage, other)).other_insurance == other
    assert ClaimForm(claim, (claim.coverage, ended)).other_insurance is None
    assert ClaimForm(claim, (claim.coverage,)).other_insurance is None
    (with_other,) = page_data(render(ClaimForm(claim, (claim.coverage, other))))
    assert in_box(with_other, *BOX9A) == "OTHER-1"
    (alone,) = page_data(render(ClaimForm(claim, (claim.coverage,))))
    assert in_box(alone, *BOX9A) == "" and in_box(alone, *BOX29) == ""


def test_the_pdf_is_letter_compressed_with_core_fonts(practice):
    data = render(practice.claims["sample"], practice.claims["seven"])
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 3  # one claim after the other
    page = reader.pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == (612, 792)
    fonts = {font["/BaseFont"] for font in page["/Resources"]["/Font"].values()}
    assert fonts <= {"/Helvetica", "/Helvetica-Bold", "/Courier"} and "/Courier" in fonts
    assert page["/Contents"].get_object()["/Filter"] == "/FlateDecode"
    assert len(data) < 30_000


@pytest.mark.parametrize(
    ("function", "given", "expected"),
    [
        (plain, "  Núñez\tO'Brien ", "NUNEZ O'BRIEN"),
        (plain, "Søndergaard Æsir Łukasz", "SONDERGAARD AESIR LUKASZ"),
        (plain, "Straße 李", "STRASSE ?"),
        (street, "123 N. Main St., #101", "123 N MAIN ST 101"),
        (street, "3031 Saint Anne's Ter", "3031 SAINT ANNES TER"),
        (street, "Ste. Genevieve Park", "STE GENEVIEVE PARK"),
        (zip_code, "127550142", "12755-0142"),
        (zip_code, "07748", "07748"),
        (icd_code, "K59.00", "K5900"),
        (icd_code, "I10", "I10"),
        (dollars_cents, 1_234_500, ("12345", "00")),
    ],
)
def test_text_as_the_nucc_manual_asks(function, given, expected):
    assert function(given) == expected


def test_names_have_commas_between_parts_and_no_periods():
    assert person_name("St. John", "Mary", "Ann") == "ST JOHN, MARY, A"
    assert person_name("Doe", "Jane") == "DOE, JANE"


# --------------------------------------------------------------------------- the command


def test_print_claim_writes_every_claims_pages_into_one_pdf(practice, tmp_path, capsys):
    out = tmp_path / "claims.pdf"
    code = main(["--db", practice.path, "print-claim", *practice.sample_numbers, "--out", str(out)])
    printed, errors = capsys.readouterr()
    assert code == 0, errors
    assert printed.strip() == f"2 claims on 3 pages: {out}"
    texts = pages_text(out.read_bytes())
    assert len(texts) == 3
    assert practice.sample_numbers[0] in texts[0] and practice.sample_numbers[1] in texts[2]
    assert [p.name for p in tmp_path.iterdir()] == ["claims.pdf"]  # no temporary file left


def test_an_unknown_claim_exits_1_and_writes_nothing(practice, tmp_path, capsys):
    out = tmp_path / "claims.pdf"
    out.write_bytes(b"the previous file")
    code = main(
        ["--db", practice.path, "print-claim", practice.sample_numbers[0], "99999999-9",
         "--out", str(out)]
    )  # fmt: skip
    _, errors = capsys.readouterr()
    assert code == 1
    assert errors == "billing-tui: no claim '99999999-9'; nothing written\n"
    assert out.read_bytes() == b"the previous file"
    assert [p.name for p in tmp_path.iterdir()] == ["claims.pdf"]


@pytest.mark.parametrize("where", ["missing directory", "a directory"])
def test_an_unwritable_out_exits_1_and_leaves_nothing(practice, tmp_path, capsys, where):
    out = tmp_path / "nowhere" / "claims.pdf" if where == "missing directory" else tmp_path
    code = main(
        ["--db", practice.path, "print-claim", practice.sample_numbers[0], "--out", str(out)]
    )
    _, errors = capsys.readouterr()
    assert code == 1
    assert errors.startswith(f"billing-tui: cannot write {out}: ")
    assert errors.count("\n") == 1 and "Traceback" not in errors
    assert list(tmp_path.iterdir()) == []
    assert not Path(out).is_file()
