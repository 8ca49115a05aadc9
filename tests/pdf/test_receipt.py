"""The payment receipt PDF, read back with pypdf: amount, method, applied lines, credit, balance."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from billing_tui.domain.receipts import Receipt, ReceiptLine
from billing_tui.pdf.receipt import printable, receipt_pdf

CARD = Receipt(
    number="R-000123",
    practice_name="Maple Street Family Medicine",
    practice_address=("120 Maple St Ste 4", "Springfield IL 62704"),
    practice_phone="(217) 555-0142",
    account_number="A10027",
    patient_name="Rosa Núñez",
    received_date=dt.date(2026, 11, 24),
    method="card",
    amount=17_500,
    card_brand="Visa",
    card_last4="1111",
    auth_code="ABC123",
    applied=(
        ReceiptLine(dt.date(2026, 10, 2), "C-000481", "Office visit, established patient", 12_500),
        ReceiptLine(dt.date(2026, 10, 16), "C-000502", "Venipuncture", 3_000),
    ),
    credit=2_000,
    balance_after=-2_000,
    posted_by="jsmith",
)


def pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def one_page(receipt: Receipt) -> str:
    pages = pdf_text(receipt_pdf(receipt))
    assert len(pages) == 1
    return pages[0]


def test_a_card_receipt_shows_the_payment_and_where_it_went():
    text = one_page(CARD)
    for expected in (
        "Maple Street Family Medicine",
        "120 Maple St Ste 4",
        "(217) 555-0142",
        "Payment receipt",
        "R-000123",
        "11/24/2026",
        "A10027",
        "Rosa Núñez",
        "175.00",
        "Card: Visa ending 1111, auth ABC123",
        "Posted by",
        "jsmith",
        "Thank you for your payment.",
    ):
        assert expected in text
    lines = text.splitlines()
    assert any("10/02/2026" in row and "C-000481" in row and "125.00" in row for row in lines)
    assert any("10/16/2026" in row and "Venipuncture" in row and "30.00" in row for row in lines)
    assert any("Total applied" in row and "155.00" in row for row in lines)
    assert any("Left as a credit" in row and "20.00" in row for row in lines)
    assert any("Credit balance" in row and "20.00" in row for row in lines)


def test_no_card_number_can_appear():
    data = receipt_pdf(CARD)
    text = "".join(pdf_text(data))
    assert not re.search(r"\d{12,}", text.replace(" ", "").replace("-", ""))
    assert b"4111111111111111" not in data
    with pytest.raises(ValueError, match="last 4"):
        dataclasses.replace(CARD, card_last4="4111111111111111")


def test_a_cash_receipt_with_a_balance_still_due():
    cash = dataclasses.replace(
        CARD,
        method="cash",
        card_brand="",
        card_last4="",
        auth_code="",
        amount=5_000,
        applied=(ReceiptLine(dt.date(2026, 11, 3), "C-000533", "Office visit", 5_000),),
        credit=0,
        balance_after=4_250,
    )
    text = one_page(cash)
    assert "Cash" in text
    assert "Card" not in text
    assert "ending" not in text
    assert "Left as a credit" not in text
    assert "Credit balance" not in text
    assert any("Balance due" in row and "42.50" in row for row in text.splitlines())


def test_a_check_paid_wholly_as_a_credit():
    check = dataclasses.replace(
        CARD,
        method="check",
        check_number="1234",
        card_brand="",
        card_last4="",
        auth_code="",
        amount=123_456,
        applied=(),
        credit=123_456,
        balance_after=-123_456,
    )
    text = one_page(check)
    assert "Check 1234" in text
    assert "1,234.56" in text
    assert "Applied to" not in text
    assert any("Credit balance" in row and "1,234.56" in row for row in text.splitlines())


def test_the_same_receipt_gives_the_same_bytes():
    assert receipt_pdf(CARD) == receipt_pdf(CARD)


def test_a_long_receipt_continues_with_its_headings():
    lines = tuple(
        ReceiptLine(dt.date(2026, 1, 1) + dt.timedelta(days=i), f"C-{i:06d}", "Office visit", 100)
        for i in range(60)
    )
    long = dataclasses.replace(CARD, applied=lines, amount=6_000 + CARD.credit)
    pages = pdf_text(receipt_pdf(long))
    assert len(pages) >= 2
    assert "Applied to (continued)" in pages[1]
    assert "Payment receipt R-000123, 11/24/2026, account A10027 (continued)" in pages[1]
    text = "".join(pages)
    assert all(text.count(line.claim) == 1 for line in lines)
    assert "Date of service" in pages[0] and "Date of service" in pages[1]
    assert "Total applied" in "".join(pages)
    assert "Thank you for your payment." in pages[-1]


def test_text_outside_the_core_fonts_prints_without_failing():
    odd = dataclasses.replace(
        CARD, patient_name="Łukasz Żółć 王", practice_name="Clinic — Est. 1999 €"
    )
    text = one_page(odd)
    assert "Lukasz Zólc ?" in text
    assert "Clinic — Est. 1999 €" in text
    assert printable("a\tb\n c") == "a b c"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"method": "wire"}, "not one of cash, check, card"),
        ({"credit": 0}, "is not what was applied"),
        ({"amount": 0, "applied": (), "credit": 0}, "more than 0.00"),
        ({"card_last4": "11a1"}, "last 4"),
    ],
)
def test_a_receipt_must_add_up(changes, message):
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(CARD, **changes)


def test_method_lines():
    assert CARD.method_line == "Card: Visa ending 1111, auth ABC123"
    assert dataclasses.replace(CARD, auth_code="").method_line == "Card: Visa ending 1111"
    assert dataclasses.replace(CARD, card_brand="").method_line == "Card: ending 1111, auth ABC123"
    assert (
        dataclasses.replace(CARD, card_brand="", card_last4="", auth_code="").method_line == "Card"
    )
    assert dataclasses.replace(CARD, method="check", check_number="").method_line == "Check"
