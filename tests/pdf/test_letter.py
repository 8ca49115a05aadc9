"""The contact log's letters: templates filled from plain facts (and refused when a fact is
missing), their email form, and the PDF read back with pypdf: what it says, where the
address falls for a window envelope, further pages, and the same bytes every time."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
from pypdf import PdfReader

from billing_tui.domain.letters import (
    TEMPLATES,
    LetterError,
    LetterFacts,
    PlanTerms,
    ScheduleRow,
    email,
    letter,
    template,
)
from billing_tui.pdf.letter import ADDRESS_X, ADDRESS_Y, letter_pdf

PAGE_H = 792.0
LOWER_WINDOW = (36.0, 147.0, 288.0, 210.0)  # x0, top, x1, bottom of the statements' envelope
SINGLE_WINDOW = (63.0, 147.0, 387.0, 228.0)  # a standard #10 window on the folded page
UPPER_WINDOW = (36.0, 36.0, 288.0, 93.0)


def schedule(count: int, amount: int = 5_000, last: int | None = None) -> tuple[ScheduleRow, ...]:
    rows = []
    for index in range(count):
        month = 11 + index
        due = dt.date(2026 + month // 12, month % 12 + 1, 1)
        rows.append(ScheduleRow(index + 1, due, last if last and index == count - 1 else amount))
    return tuple(rows)


PLAN = PlanTerms(
    total=30_000,
    instalment=12_550,
    instalments=3,
    frequency="monthly",
    start_date=dt.date(2026, 12, 1),
    schedule=schedule(3, 12_550, last=4_900),
    paid=0,
    remaining=30_000,
)

FACTS = LetterFacts(
    practice_name="Maple Street Family Medicine",
    practice_address=("120 Maple St Ste 4", "Springfield, IL 62704"),
    practice_phone="(217) 555-0142",
    recipient_name="Rosa Núñez",
    recipient_address=("44 Oak Ave Apt 2", "Springfield, IL 62701-1234"),
    patient_name="Tomás Núñez",
    account_number="10000042",
    date=dt.date(2026, 11, 24),
    patient_balance=12_345,
    insurance_pending=5_000,
    recipient_email="rosa@example.com",
    recipient_is_guarantor=True,
    plan=PLAN,
)
SELF = dataclasses.replace(
    FACTS, recipient_name="Tomás Núñez", recipient_is_guarantor=False, insurance_pending=0
)


@dataclasses.dataclass
class Piece:
    text: str
    x: float
    top: float  # the baseline, in points from the top of the page


def pieces(data: bytes, page: int = 0) -> list[Piece]:
    found: list[Piece] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.append(Piece(text.strip(), tm[4] + cm[4], PAGE_H - (tm[5] + cm[5])))

    PdfReader(io.BytesIO(data)).pages[page].extract_text(visitor_text=visit)
    return found


def pages_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def one_page(name: str, facts: LetterFacts = FACTS) -> str:
    pages = pages_text(letter_pdf(letter(name, facts)))
    assert len(pages) == 1
    return pages[0]


# --------------------------------------------------------------------------- templates


def test_the_three_templates():
    assert list(TEMPLATES) == ["balance-reminder", "plan-agreement", "insurance-request"]
    assert template(" Balance-Reminder ").title == "Balance reminder"
    with pytest.raises(LetterError, match="choose one of: balance-reminder, plan-agreement"):
        template("dunning")


def test_a_letter_goes_to_the_guarantor_and_names_the_patient():
    content = letter("balance-reminder", FACTS)
    assert content.salutation == "Dear Rosa Núñez,"
    assert content.recipient_address == FACTS.recipient_address
    assert "balance of $123.45 on account 10000042, for Tomás Núñez" in content.paragraphs[0]
    assert any("$50.00" in p for p in content.paragraphs)  # insurance still pending
    assert content.sender_lines == ("Billing office", "Maple Street Family Medicine")


def test_to_the_patient_the_letter_does_not_repeat_their_name_nor_pending_insurance():
    content = letter("balance-reminder", SELF)
    assert "for Tomás" not in content.paragraphs[0]
    assert not any("insurance" in p for p in content.paragraphs)


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_every_letter_needs_a_mailing_address(name):
    with pytest.raises(LetterError, match="account 10000042 has no mailing address"):
        letter(name, dataclasses.replace(FACTS, recipient_address=()))


def test_a_plan_agreement_needs_a_plan():
    with pytest.raises(LetterError, match="no active payment plan"):
        letter("plan-agreement", dataclasses.replace(FACTS, plan=None))
    with pytest.raises(LetterError, match="no active payment plan"):
        email("plan-agreement", dataclasses.replace(FACTS, plan=None))


@pytest.mark.parametrize("balance", [0, -500])
def test_no_balance_reminder_without_a_balance(balance):
    with pytest.raises(LetterError, match="there is no balance to remind of"):
        letter("balance-reminder", dataclasses.replace(FACTS, patient_balance=balance))
    # A request for insurance information does not depend on the balance.
    assert letter("insurance-request", dataclasses.replace(FACTS, patient_balance=balance))


def test_the_plan_agreement_states_the_terms_and_the_schedule():
    content = letter("plan-agreement", FACTS)
    terms = " ".join(content.paragraphs)
    assert "$300.00 in 3 instalments, one a month, the first due on 12/01/2026" in terms
    assert "$125.50, except the last, which is $49.00" in terms
    assert content.table_headings == ("Instalment", "Due date", "Amount")
    assert content.table_rows == (
        ("1", "12/01/2026", "$125.50"),
        ("2", "01/01/2027", "$125.50"),
        ("3", "02/01/2027", "$49.00"),
    )
    assert ("Patient/guarantor signature", "Date") in content.signature_lines
    assert ("For Maple Street Family Medicine", "Date") in content.signature_lines


def test_an_email_needs_an_email_address():
    with pytest.raises(LetterError, match="account 10000042 has no email address"):
        email("balance-reminder", dataclasses.replace(FACTS, recipient_email=" "))
    # ... and not a mailing address.
    assert email("balance-reminder", dataclasses.replace(FACTS, recipient_address=()))


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_an_email_carries_the_minimum(name):
    message = email(name, FACTS)
    assert "Maple Street Family Medicine" in message.subject
    assert "10000042" not in message.subject and "$" not in message.subject
    assert message.body.startswith("Dear Rosa Núñez,\n")
    assert "10000042" in message.body
    assert "Tomás" not in message.body  # the patient is not named in an email
    assert "(217) 555-0142" in message.body
    assert all(len(line) <= 72 for line in message.body.splitlines())


def test_the_balance_reminder_email_gives_the_balance():
    body = email("balance-reminder", FACTS).body
    assert "has a balance of $123.45" in body
    assert "$50.00" in body


def test_the_plan_email_lists_the_schedule_line_by_line():
    body = email("plan-agreement", FACTS).body
    assert "    1.  12/01/2026       $125.50" in body.splitlines()
    assert "    3.  02/01/2027        $49.00" in body.splitlines()


def test_the_insurance_email_asks_for_a_call_not_a_reply_with_the_card():
    body = email("insurance-request", FACTS).body
    assert "please do not send insurance cards or member IDs by" in body.replace("\n", " ")


def test_without_a_practice_phone_the_letters_still_read():
    facts = dataclasses.replace(FACTS, practice_phone="")
    text = " ".join(letter("balance-reminder", facts).paragraphs)
    assert "call our billing office" in text
    assert "over the phone," in text
    assert "call us at" not in email("insurance-request", facts).body


# --------------------------------------------------------------------------- the PDF


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_each_letter_prints_on_one_page(name):
    text = one_page(name)
    for expected in (
        "Maple Street Family Medicine",
        "120 Maple St Ste 4",
        "(217) 555-0142",
        "Rosa Núñez",
        "44 Oak Ave Apt 2",
        "Springfield, IL 62701-1234",
        "10000042",
        "11/24/2026",
        "Tomás Núñez",
        TEMPLATES[name].title,
        "Sincerely,",
    ):
        assert expected in text, expected


def test_the_balance_reminder_shows_the_amounts():
    text = one_page("balance-reminder")
    assert "$123.45" in text and "$50.00" in text


def test_the_plan_agreement_shows_its_schedule_and_lines_to_sign():
    text = one_page("plan-agreement")
    for expected in (
        "12/01/2026",
        "$125.50",
        "02/01/2027",
        "$49.00",
        "Patient/guarantor signature",
    ):
        assert expected in text
    assert "Printed name" in text


def test_the_insurance_request_has_lines_to_fill_in():
    text = one_page("insurance-request")
    for label in ("Insurance company", "Member ID", "Group number", "Policyholder's name"):
        assert label in text


def inside(piece: Piece, box: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = box
    return x0 <= piece.x <= x1 and top <= piece.top <= bottom


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_the_address_shows_through_either_window_envelope(name):
    found = pieces(letter_pdf(letter(name, FACTS)))
    block = [p for p in found if p.text in ("Rosa Núñez", *FACTS.recipient_address)]
    assert [p.text for p in block][:3] == ["Rosa Núñez", *FACTS.recipient_address]
    for piece in block[:3]:
        assert ADDRESS_X <= piece.x < ADDRESS_X + 4  # the cell's own small margin
        assert ADDRESS_Y < piece.top
        assert inside(piece, LOWER_WINDOW) and inside(piece, SINGLE_WINDOW), piece
    # The letterhead sits in the upper window; nothing else is in either window.
    head = [p for p in found if p.top < 100 and p.x < 300]
    assert [p.text for p in head][:1] == ["Maple Street Family Medicine"]
    assert all(inside(p, UPPER_WINDOW) for p in head)
    for piece in found:
        if piece not in block[:3]:
            assert not inside(piece, SINGLE_WINDOW), piece


def test_a_long_address_is_made_smaller_not_cut():
    long_street = "12345 North Martin Luther King Junior Boulevard Apt 1204"
    facts = dataclasses.replace(FACTS, recipient_address=(long_street, "Springfield, IL 62701"))
    text = one_page("balance-reminder", facts)
    assert long_street in text


def test_letters_outside_windows_1252_are_printed_plainly():
    facts = dataclasses.replace(FACTS, recipient_name="Łukasz Wróbel")
    assert "Lukasz Wróbel" in one_page("balance-reminder", facts)


def test_the_same_letter_gives_the_same_bytes():
    content = letter("plan-agreement", FACTS)
    assert letter_pdf(content) == letter_pdf(content)


def test_the_document_title_names_no_patient():
    reader = PdfReader(io.BytesIO(letter_pdf(letter("balance-reminder", FACTS))))
    assert reader.metadata.title == "Balance reminder, account 10000042"


def test_a_long_schedule_continues_on_headed_pages():
    rows = schedule(60)
    plan = dataclasses.replace(PLAN, total=300_000, instalment=5_000, instalments=60, schedule=rows)
    pages = pages_text(letter_pdf(letter("plan-agreement", dataclasses.replace(FACTS, plan=plan))))
    assert len(pages) >= 2
    for number, text in enumerate(pages[1:], 2):
        assert f"Payment plan agreement, account 10000042, 11/24/2026: page {number}" in text
        assert "Rosa" not in text.split("\n", 1)[0]
    everything = "\n".join(pages)
    for row in rows:
        assert row.due.strftime("%m/%d/%Y") in everything
    assert "Instalment" in pages[1]  # the table's headings again
    assert "Patient/guarantor signature" in pages[-1]
