"""HL7 v2 messages for the tests, built field by field so a test says only what it is about.

Fields are given by number ({3: "EHR1^^^EHR^MR"}); segments are joined with \\r, as HL7 has
them. The practice is store_builders.build_practice's: payer codes MCR01, MCD01, ACME1, and
the provider NPI PROVIDER_NPI; fee_schedule() puts the procedure codes used here on file.
"""

from __future__ import annotations

from store_builders import npi

from billing_tui.store.models import FeeSchedule

PROVIDER_NPI = npi("198765432")
FEES = (("99213", "", 15_000), ("99214", "", 22_000), ("36415", "", 1_500), ("99214", "95", 22_000))


def fee_schedule() -> None:
    for code, modifier, cents in FEES:
        FeeSchedule.create(code=code, modifier=modifier, description=code, charge_cents=cents)


def seg(name: str, fields: dict[int, str]) -> str:
    values = [name] + [""] * max(fields, default=0)
    for number, value in fields.items():
        values[number] = value
    return "|".join(values)


def msh(kind: str, control_id: str, sender: str = "EHR|CLINIC") -> str:
    return f"MSH|^~\\&|{sender}|BILLING|PRACTICE|20261120093000||{kind}|{control_id}|P|2.5.1"


def pid(mrn: str = "EHR1001", **fields: str) -> str:
    values = {
        1: "1",
        3: f"{mrn}^^^EHR^MR",
        5: "QUILLFEATHER^ROBIN^J",
        7: "19750412",
        8: "F",
        11: "12 Elm St^^Springfield^IL^62701",
        13: "^PRN^PH^^^217^5550142~^NET^Internet^robin@example.com",
    }
    values.update({int(k[1:]): v for k, v in fields.items()})
    return seg("PID", values)


def in1(set_id: int = 1, payer: str = "ACME1", member: str = "ACM500123", **fields: str) -> str:
    values = {1: str(set_id), 3: payer, 4: "Acme Health", 8: "GRP77", 12: "20250101",
              17: "SEL", 36: member}  # fmt: skip
    values.update({int(k[1:]): v for k, v in fields.items()})
    return seg("IN1", values)


def adt(control_id: str = "ADT1", event: str = "A04", *segments: str, mrn: str = "EHR1001") -> str:
    body = segments or (pid(mrn), in1())
    return "\r".join((msh(f"ADT^{event}^ADT_A01", control_id), *body))


def ft1(set_id: int = 1, code: str = "99213", dos: str = "20261118", **fields: str) -> str:
    values = {1: str(set_id), 4: dos, 6: "CG", 7: f"{code}^visit^CPT4", 10: "1", 11: "150.00",
              16: "11", 19: "J06.9^Acute URI^I10", 20: f"{PROVIDER_NPI}^QUILL^ADA", 25: code}  # fmt: skip
    values.update({int(k[1:]): v for k, v in fields.items()})
    return seg("FT1", {k: v for k, v in values.items() if v is not None})


def dft(control_id: str = "DFT1", *charges: str, mrn: str = "EHR1001", dx: str = "J06.9") -> str:
    lines = charges or (ft1(),)
    return "\r".join(
        (
            msh("DFT^P03^DFT_P03", control_id),
            seg("PID", {1: "1", 3: f"{mrn}^^^EHR^MR", 5: "QUILLFEATHER^ROBIN"}),
            seg("PV1", {1: "1", 2: "O", 19: f"V{control_id}"}),
            seg("DG1", {1: "1", 3: f"{dx}^diagnosis^I10"}),
            *lines,
        )
    )


def mllp(*messages: str) -> bytes:
    return b"".join(b"\x0b" + m.encode() + b"\x1c\r" for m in messages)


def plain(*messages: str) -> bytes:
    return "\r".join(messages).encode() + b"\r"
