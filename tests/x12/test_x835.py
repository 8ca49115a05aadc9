"""Reading 835 remittances: the public samples, any separators, several interchanges in a file,
and the balancing equations (line, claim, payment) that pyx12 does not check."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing_tui.x12.reader import X12Error
from billing_tui.x12.x835 import balance_problems, read_835

SAMPLES = Path(__file__).parent / "samples" / "835"

# Counted from the files with grep, not with the reader: claims, service lines, BPR02 in
# cents, the CLP02 statuses.
EXPECTED = {
    "edi835parser-emedny_sample.x12": (3, 10, 4575, "122"),
    "edi835parser-united_healthcare_legacy_sample.x12": (2, 5, 34999, "11"),
    "pyx12-835_mult_loops.x12": (1, 3, 0, "4"),
    "stupidedi-dollars-and-data-sent-separate.x12": (2, 2, 94500, "11"),
    "stupidedi-dollars-and-data-sent-together.x12": (2, 0, 15000000, "11"),
    "stupidedi-era-sample.x12": (1, 5, 13200, "1"),
    "stupidedi-multiple-claims-single-check.x12": (9, 33, 81080, "111111111"),
    "stupidedi-secondary-payment-with-higher-fee-schedule.x12": (1, 1, 3400, "2"),
    "stupidedi-secondary-payments.x12": (2, 2, 122200, "22"),
    "stupidedi-tertiary-payments.x12": (1, 1, 18750, "3"),
}


def sample(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="ascii")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_public_sample_reads_and_balances(name):
    claims, lines, total, statuses = EXPECTED[name]
    (remittance,) = read_835(sample(name))
    assert len(remittance.claims) == claims
    assert sum(len(claim.lines) for claim in remittance.claims) == lines
    assert remittance.total_paid == total
    assert "".join(claim.status for claim in remittance.claims) == statuses
    assert remittance.trace_number and remittance.payer_name
    assert [p.message for p in balance_problems(remittance) if p.blocking] == []


def test_a_malformed_835_is_refused_with_its_segment():
    with pytest.raises(X12Error, match=r"segment 4 \(BPR\): BPR16 is not a date"):
        read_835(sample("lfh-managed-care.x12"))


def test_the_era_sample_in_detail():
    (era,) = read_835(sample("stupidedi-era-sample.x12"))
    assert (era.method, era.handling, era.payment_date) == ("CHK", "I", dt.date(2014, 3, 31))
    (claim,) = era.claims
    assert claim.paid == sum(line.paid for line in claim.lines) - sum(
        a.amount for a in claim.adjustments
    )
    first = claim.lines[0]
    assert first.qualifier == "AD" and first.charge - first.adjusted == first.paid
    assert any(a.group == "CO" and a.reason == "131" for a in claim.all_adjustments)
    assert all(line.allowed is not None for line in claim.lines)  # AMT*B6


def test_a_denial_with_its_reasons_and_remarks_and_no_payment():
    (notice,) = read_835(sample("pyx12-835_mult_loops.x12"))
    assert notice.no_payment and notice.total_paid == 0
    (claim,) = notice.claims
    assert claim.denied and claim.paid == 0
    groups = {(a.group, a.reason) for a in claim.all_adjustments}
    assert ("CO", "16") in groups and ("OA", "A7") in groups
    assert any(line.remarks for line in claim.lines)  # LQ*HE


def test_provider_level_adjustments_come_off_the_payment():
    (remittance,) = read_835(sample("stupidedi-dollars-and-data-sent-together.x12"))
    (plb,) = remittance.provider_adjustments
    assert (plb.reason, plb.reference, plb.amount) == ("CV", "CP", -127)
    paid = sum(claim.paid for claim in remittance.claims)
    assert paid - plb.amount == remittance.total_paid


def test_one_claim_number_nine_times_is_nine_claims():
    (remittance,) = read_835(sample("stupidedi-multiple-claims-single-check.x12"))
    assert len({claim.claim_number for claim in remittance.claims}) == 1
    assert len({claim.patient_last + claim.patient_first for claim in remittance.claims}) > 1


def _redelimit(text: str, element: str, component: str, segment: str, newline: bool) -> str:
    """The same 835 with other separators (the ISA declares them, so it changes too)."""
    old_element, old_component = text[3], text[104]
    old_segment = text[105]
    body = text.replace("\n", "").replace("\r", "")
    out = []
    for raw in body.split(old_segment):
        if not raw:
            continue
        out.append(raw.replace(old_component, component).replace(old_element, element))
    return (segment + ("\n" if newline else "")).join(out) + segment


@pytest.mark.parametrize(
    ("element", "component", "segment", "newline"),
    [("|", "}", "!", False), ("*", ">", "~", True), ("\x1d", "\x1f", "\x1c", False)],
)
def test_any_separators_with_or_without_line_breaks(element, component, segment, newline):
    text = sample("edi835parser-emedny_sample.x12")
    original = read_835(text)
    again = read_835(_redelimit(text, element, component, segment, newline))
    assert again == original


def test_several_interchanges_in_one_file_are_several_payments():
    text = sample("stupidedi-era-sample.x12") + "\n" + sample("stupidedi-secondary-payments.x12")
    first, second = read_835(text)
    assert (first.total_paid, second.total_paid) == (13200, 122200)


def test_an_unbalanced_claim_is_named_and_the_payment_fails_too():
    text = sample("stupidedi-secondary-payments.x12")
    (good,) = read_835(text)
    claim = good.claims[0]
    segment = f"CLP*{claim.claim_number}*{claim.status}*"
    start = text.index(segment)
    end = text.index("~", start)
    clp = text[start:end].split("*")
    clp[4] = str(int(clp[4]) + 10) if clp[4].isdigit() else clp[4] + "1"  # CLP04, paid
    bad_text = text[:start] + "*".join(clp) + text[end:]
    (bad,) = read_835(bad_text)
    problems = balance_problems(bad)
    assert any(p.claim is not None and p.claim.claim_number == claim.claim_number
               for p in problems)  # fmt: skip
    assert any(p.claim is None and "BPR02" in p.message for p in problems)
    assert all(p.blocking for p in problems)


def test_not_an_835_and_not_x12_are_refused():
    with pytest.raises(X12Error):
        read_835("hello, world")
    text = sample("stupidedi-era-sample.x12").replace("ST*835*", "ST*837*")
    with pytest.raises(X12Error, match="not a remittance"):
        read_835(text)


# --------------------------------------------------------------------------- fuzzing

_ERA = sample("stupidedi-era-sample.x12")


def _read_or_refuse(text: str) -> None:
    """A reading either succeeds or is refused with the reader's own error, nothing else."""
    try:
        for remittance in read_835(text):
            balance_problems(remittance)
    except X12Error as error:
        assert str(error)  # and it says something


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_any_text_is_read_or_refused_with_the_readers_own_error(text):
    _read_or_refuse(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(min_value=0, max_value=len(_ERA)),
    st.integers(min_value=0, max_value=40),
    st.text(alphabet="*~:^0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.-\n\x00\xff", max_size=12),
)
def test_a_damaged_835_is_read_or_refused_with_the_readers_own_error(at, cut, inserted):
    """Truncated, cut in the middle, junk inserted: the reader's own error or a reading."""
    _read_or_refuse(_ERA[:at] + inserted + _ERA[at + cut :])


@settings(max_examples=500, deadline=None)
@given(
    st.decimals(
        min_value=-(10**9), max_value=10**9, places=4, allow_nan=False, allow_infinity=False
    ),
    st.sampled_from([0, 1, 2, 3, 4]),
)
def test_amounts_read_as_cents_exactly_rounded_half_up(number, places):
    """The fast path for plain amounts and the Decimal path agree on every amount."""
    from decimal import ROUND_HALF_UP, Decimal

    from billing_tui.x12.reader import Segment, Separators

    text = f"{number:.{places}f}"
    segment = Segment("AMT", ("B6", text), 1, Separators("*", ":", "^", "~"))
    expected = int((Decimal(text) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert segment.amount(2) == expected
