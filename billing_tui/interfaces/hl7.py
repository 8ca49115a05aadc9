"""HL7 v2 messages coming in from the EHR: framing, reading them into plain records, and ACKs.

Parsing is python-hl7's (the `hl7` package): it knows the separators a message
declares in MSH-1/MSH-2 and undoes the escapes (\\F\\, \\T\\, ...). This module
decides what we take from each segment and refuses what we cannot use, with the
place it is wrong (PID-7, FT1(2)-11) and the acknowledgement it earns:

- AR (reject): the message itself is unusable: no MSH, separators that are not
  separators, a message type we do not take, required segments missing (a
  message cut short);
- AE (error): a well-formed message whose content we refuse: a date that is no
  date, an amount of 12.345, a code not in the code set, a patient not on file.

Nothing here touches the database: store.inbound does, in one transaction per
message.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import hl7

from ..domain import icd10
from ..domain.codes import is_modifier, is_procedure_code
from ..domain.money import MoneyError, parse_cents

START_BLOCK, END_BLOCK = b"\x0b", b"\x1c"
SUPPORTED = ("ADT^A04", "ADT^A08", "DFT^P03")
RECEIVER = "BILLING-TUI"
VERSION = "2.5.1"
MAX_LINES = 50
MAX_DIAGNOSES = 12
MAX_UNITS = 999


class MessageProblem(ValueError):
    """What is wrong with a message: the ACK code it earns, the place, and the words."""

    def __init__(self, ack: str, where: str, message: str, *, hl7_code: str = "207") -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.ack = ack
        self.where = where
        self.text = message
        # HL7 table 0357: 100 segment sequence, 101 required field missing, 102 data type,
        # 103 table value not found, 200 unsupported message type, 204 unknown key.
        self.hl7_code = hl7_code

    def __reduce__(self):  # read in a worker process, reported in this one
        return (_problem, (self.ack, self.where, self.text, self.hl7_code))


def _problem(ack: str, where: str, text: str, hl7_code: str) -> MessageProblem:
    return MessageProblem(ack, where, text, hl7_code=hl7_code)


def reject(where: str, message: str, code: str = "100") -> MessageProblem:
    return MessageProblem("AR", where, message, hl7_code=code)


def error(where: str, message: str, code: str = "102") -> MessageProblem:
    return MessageProblem("AE", where, message, hl7_code=code)


# --------------------------------------------------------------------------- framing


@dataclass(frozen=True, slots=True)
class Framed:
    """One message as it arrived: its text (segments split by \\r), its number in the
    input (1-based), and whether its frame or text ended before it should have."""

    text: str
    position: int
    truncated: bool = False
    mllp: bool = False


def decode(data: bytes) -> str:
    """HL7 is ASCII by tradition and UTF-8 by v2.8's advice; anything else is read as
    Windows-1252, which every byte decodes in, so nothing is lost to a decoding error."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _segments(text: str) -> str:
    """\\r, \\n or \\r\\n between segments, blank lines dropped: \\r, as HL7 has it."""
    lines = (line.strip("\x00 \t") for line in re.split(r"\r\n|\r|\n", text))
    return "\r".join(line for line in lines if line)


def split_messages(data: bytes) -> list[Framed]:
    """The messages in a file or stream: MLLP blocks (\\x0b ... \\x1c\\r), or plain text where
    each message begins with its MSH segment (batch FHS/BHS/BTS/FTS lines are skipped)."""
    if data.lstrip(b"\r\n\t ").startswith(START_BLOCK):
        return list(_mllp_messages(data))
    return list(_plain_messages(decode(data)))


def _mllp_messages(data: bytes) -> Iterator[Framed]:
    position = 0
    for chunk in data.split(START_BLOCK)[1:]:
        position += 1
        body, end, _rest = chunk.partition(END_BLOCK)
        yield Framed(_segments(decode(body)), position, truncated=not end, mllp=True)


_BATCH = ("FHS", "BHS", "BTS", "FTS")


def _plain_messages(text: str) -> Iterator[Framed]:
    """Each MSH begins a message; so does whatever follows a blank line, so that a message
    missing its MSH is seen as one rather than read as the tail of the one before."""
    position = 0
    lines = text.replace("\r\n", "\n").replace("\r", "\n")
    for block in re.split(r"\n[ \t]*\n", lines):
        current: list[str] = []
        lines = _segments(block).split("\r") if block.strip() else []
        for line in lines:
            if line[:3] in _BATCH:
                continue
            if line.startswith("MSH") and current:
                position += 1
                yield Framed("\r".join(current), position)
                current = []
            current.append(line)
        if current:
            position += 1
            yield Framed("\r".join(current), position)


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True, slots=True)
class Header:
    sender: str  # MSH-3^MSH-4
    control_id: str  # MSH-10
    message_type: str  # ADT^A04
    # What the ACK's MSH echoes back: MSH-3, -4, -6, the trigger (MSH-9.2), -11, -12.
    application: str = ""
    facility: str = ""
    receiving_facility: str = ""
    trigger: str = ""
    processing: str = ""
    version: str = ""

    def ack(self, code: str, text: str, problem: MessageProblem | None = None) -> str:
        """The acknowledgement: MSH (sender and receiver swapped), MSA (code, the control
        ID, text), and an ERR segment when it failed."""
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
        fields = [
            "MSH", "^~\\&", RECEIVER, _clean(self.receiving_facility), _clean(self.application),
            _clean(self.facility), stamp, "", f"ACK^{_clean(self.trigger)}^ACK",
            f"A{_clean(self.control_id)}"[:20], _clean(self.processing) or "P",
            _clean(self.version) or VERSION,
        ]  # fmt: skip
        lines = ["|".join(fields), f"MSA|{code}|{_clean(self.control_id)}|{_clean(text)}"]
        if problem is not None:
            lines.append(_err(problem))
        return "\r".join(lines)


class Message:
    """A parsed message with field access that never raises for an absent field."""

    def __init__(self, framed: Framed) -> None:
        self.framed = framed
        text = framed.text
        if not text.startswith("MSH"):
            first = text[:3] or "nothing"
            raise reject(
                "MSH", f"the message does not begin with an MSH segment (it begins {first!r})"
            )
        if (
            len(text) < 8
            or text[3].isalnum()
            or len(set(text[3:8])) != 5
            or any(ch.isalnum() or ch.isspace() for ch in text[3:8])
        ):
            raise reject(
                "MSH-1", "MSH-1 and MSH-2 must declare five distinct separators, like |^~\\&"
            )
        try:
            self.msg = hl7.parse(text)
        except (hl7.ParseException, ValueError, IndexError) as problem:
            raise reject("MSH", f"the message cannot be parsed ({problem})") from None
        self._escape = text[6]  # MSH-2's third character
        # Segments by name, found once: python-hl7 looks them up by scanning every time.
        self._segments: dict[str, list] = {}
        for segment in self.msg:
            self._segments.setdefault(str(segment[0]), []).append(segment)
        self.header = _header(lambda number, comp=1: self.get("MSH", number, comp=comp))

    def check(self) -> None:
        """Refuse (AR) a message we can answer but not take: no control ID, cut short, or
        of a type we do not import."""
        header = self.header
        if self.framed.truncated:
            raise reject("", "the message was cut short: its MLLP frame never ended")
        if not header.control_id:
            raise reject("MSH-10", "the message control ID (MSH-10) is empty", "101")
        if len(header.control_id) > 50:
            raise reject("MSH-10", "the message control ID (MSH-10) is over 50 characters")
        if header.message_type not in SUPPORTED:
            raise reject(
                "MSH-9",
                f"{header.message_type or 'a message without a type'} is not taken here "
                f"(billing-tui takes {', '.join(SUPPORTED)})",
                "200",
            )

    def count(self, segment: str) -> int:
        return len(self._segments.get(segment, ()))

    def get(self, segment: str, number: int, rep: int = 1, comp: int = 1, nth: int = 1) -> str:
        """The value at SEG-number (repetition, component) of the nth such segment, unescaped
        and stripped; '' when it is not there."""
        if segment == "MSH" and number <= 2:
            return self.framed.text[3] if number == 1 else self.framed.text[4:8]
        found = self._segments.get(segment)
        if not found or nth > len(found) or number >= len(found[nth - 1]):
            return ""
        # Down python-hl7's tree (field, repetition, component; a leaf is a str) by hand:
        # extract_field's bookkeeping cost more than the rest of reading a message.
        value = found[nth - 1][number]
        for index in (rep, comp):
            if isinstance(value, str):
                value = value if index == 1 else ""
            else:
                value = value[index - 1] if index <= len(value) else ""
        while not isinstance(value, str):
            value = value[0] if len(value) else ""
        if self._escape in value:
            value = self.msg.unescape(value)
        return value.strip()

    def repetitions(self, segment: str, number: int, nth: int = 1) -> int:
        segments = self._segments.get(segment)
        if not segments or nth > len(segments) or number >= len(segments[nth - 1]):
            return 0
        found = segments[nth - 1](number)
        if isinstance(found, str) or not str(found):
            return 1 if str(found) else 0
        return len(found)


def bare_ack(code: str, text: str, problem: MessageProblem, control_id: str = "") -> str:
    """An ACK for input that is not a message we can answer from (no MSH to copy)."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
    return "\r".join(
        (
            f"MSH|^~\\&|{RECEIVER}||||{stamp}||ACK|A{stamp}|P|{VERSION}",
            f"MSA|{code}|{_clean(control_id)}|{_clean(text)}",
            _err(problem),
        )
    )


def _clean(text: str) -> str:
    """Text made safe to put in a field: separators and line breaks become spaces."""
    return re.sub(r"[|^~\\&\r\n]", " ", text)[:200]


def _err(problem: MessageProblem) -> str:
    location = problem.where.replace("-", "^").replace("(", "^").replace(")", "")
    location = re.sub(r"[^A-Za-z0-9^]", "", location)
    return f"ERR||{location}|{problem.hl7_code}|E||||{_clean(problem.text)}"


# --------------------------------------------------------------------------- field types


def hl7_date(value: str, where: str, *, required: bool = True) -> dt.date | None:
    """YYYYMMDD, with any time after it (YYYYMMDDHHMM...); None when blank and allowed."""
    if not value:
        if required:
            raise error(where, "the date is missing", "101")
        return None
    match = re.fullmatch(r"(\d{4})(\d{2})(\d{2})(?:\d{2,6}(?:\.\d+)?)?(?:[+-]\d{4})?", value)
    if not match:
        raise error(where, f"{value[:20]!r} is not a date (YYYYMMDD)")
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise error(where, f"{value[:20]!r} is not a date (YYYYMMDD)") from None


def hl7_money(value: str, where: str) -> int | None:
    """An MO amount (150.00, or 150.00^USD once the component is taken): cents."""
    if not value:
        return None
    try:
        cents = parse_cents(value)
    except MoneyError:
        raise error(where, f"{value[:20]!r} is not an amount in dollars and cents") from None
    if cents < 0:
        raise error(where, "a charge cannot be negative: send a credit as its own transaction")
    return cents


SEX = {"F": "F", "M": "M", "U": "U", "O": "U", "A": "U", "N": "U", "X": "U", "": "U"}
# HL7 table 0063 (relationship) to X12's, for a subscriber (IN1-17).
SUBSCRIBER_RELATIONSHIP = {"SEL": "18", "SPO": "01", "CHD": "19", "DEP": "19", "": "18"}
# ... and to a guarantor's (GT1-11); SEL: the patient is their own guarantor.
GUARANTOR_RELATIONSHIP = {"SPO": "spouse", "PAR": "parent", "MTH": "parent", "FTH": "parent"}


# --------------------------------------------------------------------------- ADT


@dataclass(frozen=True, slots=True)
class Person:
    last_name: str
    first_name: str
    middle_name: str = ""
    dob: dt.date | None = None
    sex: str = "U"
    address1: str = ""
    address2: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True, slots=True)
class Insurance:
    set_id: int
    payer_code: str
    payer_name: str
    member_id: str
    group_number: str
    start_date: dt.date | None
    end_date: dt.date | None
    relationship: str  # X12
    subscriber_last: str
    subscriber_first: str
    subscriber_dob: dt.date | None
    subscriber_sex: str
    where: str  # IN1(2), for messages


@dataclass(frozen=True, slots=True)
class Registration:
    """ADT^A04/A08: who the patient is, who pays their bills, and their insurance."""

    mrn: str
    account_number: str
    patient: Person
    guarantor: Person | None
    guarantor_relationship: str
    guarantor_sent: bool  # a GT1 came (SEL included): the guarantor is as it says
    insurances: tuple[Insurance, ...]


def _one(message: Message, segment: str, where: str | None = None) -> None:
    if message.count(segment) == 0:
        raise reject(
            where or segment,
            f"the message has no {segment} segment: it may have been cut short",
            "100",
        )


def patient_ids(message: Message) -> tuple[str, str]:
    """(MRN, account number): PID-3's MR identifier (else its first), and PID-18."""
    mrn = ""
    for rep in range(1, max(message.repetitions("PID", 3), 1) + 1):
        value = message.get("PID", 3, rep=rep, comp=1)
        kind = message.get("PID", 3, rep=rep, comp=5)
        if value and (kind in ("MR", "") or not mrn):
            mrn = value
            if kind == "MR":
                break
    if len(mrn) > 20:
        raise error("PID-3", "the medical record number is over 20 characters")
    account = message.get("PID", 18).upper()
    if len(account) > 20:
        raise error("PID-18", "the patient account number is over 20 characters")
    return mrn, account


def _phone_and_email(message: Message, segment: str, number: int) -> tuple[str, str]:
    phone = email = ""
    for rep in range(1, max(message.repetitions(segment, number), 1) + 1):
        use = message.get(segment, number, rep=rep, comp=2)
        address = message.get(segment, number, rep=rep, comp=4)
        if use == "NET" or "@" in address:
            email = email or address
            continue
        digits = message.get(segment, number, rep=rep, comp=1)
        area = message.get(segment, number, rep=rep, comp=6)
        local = message.get(segment, number, rep=rep, comp=7)
        number_text = f"{area}{local}" if local else digits
        phone = phone or number_text
    return phone, email


def _person(message: Message, segment: str, name: int, dob: int, sex: int | None,
            address: int, phone: int) -> Person:  # fmt: skip
    where = f"{segment}-{name}"
    last = message.get(segment, name, comp=1)
    first = message.get(segment, name, comp=2)
    if not last or not first:
        raise error(where, "the name needs a family name and a given name (last^first)", "101")
    phone_number, email = _phone_and_email(message, segment, phone)
    return Person(
        last_name=last,
        first_name=first,
        middle_name=message.get(segment, name, comp=3),
        dob=hl7_date(message.get(segment, dob), f"{segment}-{dob}", required=segment == "PID"),
        sex=SEX.get(message.get(segment, sex).upper(), "U") if sex else "U",
        address1=message.get(segment, address, comp=1),
        address2=message.get(segment, address, comp=2),
        city=message.get(segment, address, comp=3),
        state=message.get(segment, address, comp=4).upper(),
        zip=message.get(segment, address, comp=5),
        phone=phone_number,
        email=email,
    )


def read_registration(message: Message) -> Registration:
    _one(message, "PID")
    mrn, account = patient_ids(message)
    if not mrn and not account:
        raise error(
            "PID-3", "the patient has no medical record number (PID-3) or account (PID-18)", "101"
        )
    sex = message.get("PID", 8).upper()
    if sex not in SEX:
        raise error("PID-8", f"sex {sex[:5]!r} is not F, M, U, O, A or N (HL7 table 0001)", "103")
    patient = _person(message, "PID", 5, 7, 8, 11, 13)
    guarantor, relationship, sent = None, "", message.count("GT1") > 0
    if sent:
        code = message.get("GT1", 11).upper()
        if code not in ("SEL", ""):
            guarantor = _person(message, "GT1", 3, 8, None, 5, 6)
            relationship = GUARANTOR_RELATIONSHIP.get(code, "other")
    insurances = tuple(_insurance(message, n) for n in range(1, message.count("IN1") + 1))
    if len(insurances) > 3:
        raise error("IN1", "at most three insurances (primary, secondary, tertiary)")
    return Registration(mrn, account, patient, guarantor, relationship, sent, insurances)


def _insurance(message: Message, nth: int) -> Insurance:
    where = f"IN1({nth})" if nth > 1 else "IN1"

    def get(number: int, comp: int = 1) -> str:
        return message.get("IN1", number, comp=comp, nth=nth)

    payer_code = get(3)
    if not payer_code:
        raise error(f"{where}-3", "the insurance company ID (our payer code) is missing", "101")
    member = get(36) or _in2_member(message, nth)
    if not member:
        raise error(f"{where}-36", "the policy number (member ID) is missing", "101")
    set_id = get(1)
    priority = get(22) or set_id or str(nth)
    if not priority.isdigit() or not 1 <= int(priority) <= 3:
        priority = str(nth)
    code = get(17).upper()
    if code not in SUBSCRIBER_RELATIONSHIP and code not in ("OTH", "EME", "FND", "GRD"):
        raise error(f"{where}-17", f"relationship {code[:5]!r} is not SEL, SPO, CHD or OTH", "103")
    sex = get(43).upper()
    return Insurance(
        set_id=int(priority),
        payer_code=payer_code,
        payer_name=get(4),
        member_id=member,
        group_number=get(8),
        start_date=hl7_date(get(12), f"{where}-12", required=False),
        end_date=hl7_date(get(13), f"{where}-13", required=False),
        relationship=SUBSCRIBER_RELATIONSHIP.get(code, "G8"),
        subscriber_last=get(16, 1),
        subscriber_first=get(16, 2),
        subscriber_dob=hl7_date(get(18), f"{where}-18", required=False),
        subscriber_sex=SEX.get(sex, "U") if sex else "",
        where=where,
    )


def _in2_member(message: Message, nth: int) -> str:
    """IN2 belongs to the IN1 before it: the Medicare (IN2-6) or Medicaid (IN2-8) number."""
    seen_in1 = 0
    for segment in message.msg:
        name = str(segment[0])
        if name == "IN1":
            seen_in1 += 1
        elif name == "IN2" and seen_in1 == nth:
            for number in (6, 8):
                try:
                    value = str(segment(number)).split("^")[0].strip()
                except (IndexError, KeyError):
                    value = ""
                if value:
                    return value
    return ""


# --------------------------------------------------------------------------- DFT


@dataclass(frozen=True, slots=True)
class Charge:
    where: str  # FT1(2), for messages
    dos: dt.date
    code: str
    modifiers: tuple[str, ...]
    units: int
    amount: int | None  # cents for all units; None: the fee schedule's
    diagnoses: tuple[str, ...]  # ICD-10-CM, normalized (no dot)
    performed_by: str  # NPI
    ordered_by: str  # NPI or ''
    place_of_service: str


@dataclass(frozen=True, slots=True)
class Charges:
    """DFT^P03: the patient, the visit, its diagnoses in order, and its charges."""

    mrn: str
    account_number: str
    visit_number: str
    diagnoses: tuple[str, ...]  # DG1, by priority then order
    charges: tuple[Charge, ...] = field(default_factory=tuple)


def _icd(code: str, where: str) -> str:
    normalized = icd10.normalize(code)
    if not icd10.is_billable(normalized):
        why = (
            "is a category, not a billable code"
            if icd10.exists(normalized)
            else "is not an ICD-10-CM code"
        )
        raise error(where, f"diagnosis {code[:10]} {why}", "103")
    return normalized


def read_charges(message: Message) -> Charges:
    _one(message, "PID")
    _one(message, "FT1")
    mrn, account = patient_ids(message)
    if not mrn and not account:
        raise error(
            "PID-3", "the patient has no medical record number (PID-3) or account (PID-18)", "101"
        )
    ranked = []
    for nth in range(1, message.count("DG1") + 1):
        where = f"DG1({nth})-3" if nth > 1 else "DG1-3"
        code = message.get("DG1", 3, nth=nth)
        if not code:
            raise error(where, "the diagnosis code is missing", "101")
        priority = message.get("DG1", 15, nth=nth)
        ranked.append((int(priority) if priority.isdigit() else 99, nth, _icd(code, where)))
    diagnoses = tuple(dict.fromkeys(code for _, _, code in sorted(ranked)))
    count = message.count("FT1")
    if count > MAX_LINES:
        raise error("FT1", f"{count} charges in one message; at most {MAX_LINES}")
    charges = tuple(_charge(message, nth) for nth in range(1, count + 1))
    return Charges(mrn, account, message.get("PV1", 19), diagnoses, charges)


def _charge(message: Message, nth: int) -> Charge:
    where = f"FT1({nth})" if nth > 1 else "FT1"

    def get(number: int, rep: int = 1, comp: int = 1) -> str:
        return message.get("FT1", number, rep=rep, comp=comp, nth=nth)

    kind = get(6).upper()
    if kind != "CG":
        raise error(
            f"{where}-6",
            f"transaction type {kind[:5] or 'blank'!r}: only charges (CG) are imported",
            "103",
        )
    dos = hl7_date(get(4), f"{where}-4")
    code = (get(25) or get(7)).upper()
    source = 25 if get(25) else 7
    if not code:
        raise error(f"{where}-25", "the procedure code is missing (FT1-25 or FT1-7)", "101")
    if not is_procedure_code(code):
        raise error(f"{where}-{source}", f"{code[:10]!r} is not a CPT or HCPCS code", "103")
    modifiers = tuple(
        get(26, rep=rep).upper() for rep in range(1, message.repetitions("FT1", 26, nth) + 1)
    )
    modifiers = tuple(m for m in modifiers if m)
    for modifier in modifiers:
        if not is_modifier(modifier):
            raise error(
                f"{where}-26", f"modifier {modifier[:5]!r} is not two letters or digits", "103"
            )
    if len(modifiers) > 4:
        raise error(f"{where}-26", "at most four modifiers on a line")
    quantity = get(10) or "1"
    if not quantity.isdigit() or not 1 <= int(quantity) <= MAX_UNITS:
        raise error(
            f"{where}-10",
            f"quantity {quantity[:8]!r} is not a whole number of units 1 to {MAX_UNITS}",
        )
    units = int(quantity)
    amount = hl7_money(get(11), f"{where}-11")
    if amount is None:
        each = hl7_money(get(12), f"{where}-12")
        amount = each * units if each is not None else None
    line_dx = []
    for rep in range(1, message.repetitions("FT1", 19, nth) + 1):
        value = get(19, rep=rep)
        if value:
            line_dx.append(_icd(value, f"{where}-19"))
    performed = get(20)
    if not performed:
        raise error(f"{where}-20", "the performing provider (NPI) is missing", "101")
    place = get(16)
    place = place if re.fullmatch(r"\d{2}", place) else "11"
    return Charge(
        where=where,
        dos=dos,  # type: ignore[arg-type]
        code=code,
        modifiers=modifiers,
        units=units,
        amount=amount,
        diagnoses=tuple(dict.fromkeys(line_dx)),
        performed_by=performed,
        ordered_by=get(21),
        place_of_service=place,
    )


# --------------------------------------------------------------------------- a message read


@dataclass(frozen=True, slots=True)
class Read:
    """What a message says, read whole: its header (None: no MSH to read), and either its
    record (a Registration or Charges) or what is wrong with it. Plain data, so that
    messages can be read in another process while this one writes."""

    framed: Framed
    header: Header | None
    problem: MessageProblem | None
    record: Registration | Charges | None = None
    mrn: str = ""  # whom it is about, as far as it could be read (for the worklist)
    account: str = ""

    def ack(self, code: str, text: str, problem: MessageProblem | None = None) -> str:
        if self.header is None:
            assert problem is not None
            return bare_ack(code, text, problem)
        return self.header.ack(code, text, problem)


def _header(get: Callable[..., str]) -> Header:
    """The header from get(field number, component) of the MSH."""
    return Header(
        sender="^".join(p for p in (get(3), get(4)) if p),
        control_id=get(10),
        message_type="^".join(p for p in (get(9), get(9, 2)) if p),
        application=get(3),
        facility=get(4),
        receiving_facility=get(6),
        trigger=get(9, 2),
        processing=get(11),
        version=get(12),
    )


def peek_header(framed: Framed) -> Header | None:
    """The header as the MSH line spells it, without parsing the message: enough to know
    a message received before (a resent file is answered without reading it again).
    None when the MSH is not plainly readable; its values are not unescaped."""
    text = framed.text
    if not text.startswith("MSH") or len(text) < 8:
        return None
    field, component = text[3], text[4]
    fields = text.split("\r", 1)[0].split(field)
    if len(fields) < 10:
        return None

    def get(number: int, comp: int = 1) -> str:
        value = fields[number - 1] if number - 1 < len(fields) else ""
        parts = value.split(component)
        return parts[comp - 1].strip() if comp <= len(parts) else ""

    return _header(get)


def read_message(framed: Framed) -> Read:
    """Parse and read one message; never raises for what the message holds."""
    try:
        message = Message(framed)
    except MessageProblem as problem:
        return Read(framed, None, problem)
    try:
        message.check()
        if message.header.message_type.startswith("ADT"):
            record: Registration | Charges = read_registration(message)
        else:
            record = read_charges(message)
    except MessageProblem as problem:
        try:
            mrn, account = patient_ids(message)
        except MessageProblem:
            mrn = account = ""
        return Read(framed, message.header, problem, None, mrn, account)
    return Read(framed, message.header, None, record, record.mrn, record.account_number)
