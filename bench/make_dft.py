"""Synthetic HL7 v2.5.1 DFT^P03 charge messages for the patients of an existing sample practice.

    python bench/make_dft.py --db bench/out/hl7.db --messages 10000 --out bench/out/dft.hl7
    python bench/make_dft.py --db DB --messages 50 --out dft.mllp --mllp --seed 2 --as-of 2026-11-24

Reads the practice with plain read-only SQL on its SQLite file: the accounts (number, MRN
if any, name, DOB, sex, whether Medicare is their payer), the providers (but the one who
bills incident-to) and referring providers with their NPIs, and the fee schedule. Then writes N messages, one visit each:
MSH, EVN, PID (the patient by PID-18 account number, and by PID-3 MRN when the account
has one), PV1 (PV1-19 visit number), 1 to 4 FT1 charges (fee schedule code and amount,
units, place of service, the line's diagnoses, performing NPI, modifiers) and the
visit's DG1s, in the order of the standard's DFT_P03 structure. The visits follow the
sample practice's (billing_tui/sample/claims.py): office visits with labs or a
point-of-care test, telehealth (modifier 95, POS 10 or 02), preventive visits by age
(Medicare's annual wellness visit), a problem visit beside a preventive one (modifier
25), psychotherapy by the LCSW. Every DOS is within the 60 days up to --as-of (default
today), and no patient is seen twice on one day.

Segments end with \\r, as HL7 requires; --mllp frames each message as \\x0b ... \\x1c\\r.
The same database, N, seed and as-of day always give the same bytes, and message i's
control ID (MSH-10) is DFT<seed>-<i>, so a longer run starts with the shorter one's
messages. Nobody real: the names are the sample practice's made-up ones.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path

SENDING = ("SYNTHEHR", "LARKSPUR")  # MSH-3 application, MSH-4 facility: the sample EHR
RECEIVING = ("BILLING-TUI", "LVMG")
DAYS = 60  # DOS within this many days up to --as-of

# Billable ICD-10-CM codes (leaf codes; a test checks each) and their descriptions.
DIAGNOSES = {
    "I10": "Essential (primary) hypertension",
    "E11.9": "Type 2 diabetes mellitus without complications",
    "E11.65": "Type 2 diabetes mellitus with hyperglycemia",
    "E78.5": "Hyperlipidemia, unspecified",
    "E03.9": "Hypothyroidism, unspecified",
    "E66.9": "Obesity, unspecified",
    "D64.9": "Anemia, unspecified",
    "K21.9": "Gastro-esophageal reflux disease without esophagitis",
    "J45.909": "Unspecified asthma, uncomplicated",
    "M54.50": "Low back pain, unspecified",
    "M17.0": "Bilateral primary osteoarthritis of knee",
    "R73.03": "Prediabetes",
    "I48.0": "Paroxysmal atrial fibrillation",
    "J06.9": "Acute upper respiratory infection, unspecified",
    "J02.9": "Acute pharyngitis, unspecified",
    "J20.9": "Acute bronchitis, unspecified",
    "J01.90": "Acute sinusitis, unspecified",
    "H66.90": "Otitis media, unspecified, unspecified ear",
    "N39.0": "Urinary tract infection, site not specified",
    "R05.9": "Cough, unspecified",
    "R06.02": "Shortness of breath",
    "R51.9": "Headache, unspecified",
    "R53.83": "Other fatigue",
    "L30.9": "Dermatitis, unspecified",
    "Z00.00": "Encounter for general adult medical examination without abnormal findings",
    "Z00.01": "Encounter for general adult medical examination with abnormal findings",
    "Z00.129": "Encounter for routine child health examination without abnormal findings",
    "Z00.121": "Encounter for routine child health examination with abnormal findings",
    "Z23": "Encounter for immunization",
    "Z13.31": "Encounter for screening for depression",
    "Z13.6": "Encounter for screening for cardiovascular disorders",
    "F41.1": "Generalized anxiety disorder",
    "F41.9": "Anxiety disorder, unspecified",
    "F32.9": "Major depressive disorder, single episode, unspecified",
    "F33.1": "Major depressive disorder, recurrent, moderate",
    "F43.10": "Post-traumatic stress disorder, unspecified",
    "F43.23": "Adjustment disorder with mixed anxiety and depressed mood",
    "F90.2": "Attention-deficit hyperactivity disorder, combined type",
}
CHRONIC = ("I10", "E11.9", "E11.65", "E78.5", "E03.9", "E66.9", "D64.9", "K21.9", "J45.909",
           "M54.50", "M17.0", "R73.03", "I48.0")  # fmt: skip
ACUTE = ("J06.9", "J02.9", "J20.9", "J01.90", "H66.90", "N39.0", "R05.9", "R06.02", "R51.9",
         "R53.83", "L30.9")  # fmt: skip
BEHAVIORAL = ("F41.1", "F41.9", "F32.9", "F33.1", "F43.10", "F43.23", "F90.2")
# The lab panel a chronic problem calls for; others get a metabolic panel or a blood count.
PANEL_FOR = {"E11.9": "83036", "E11.65": "83036", "R73.03": "83036", "E78.5": "80061",
             "E03.9": "84443", "D64.9": "85025", "I10": "80048"}  # fmt: skip
PANELS = ("80053", "85025", "80048")
# Point-of-care tests and the problem each is done for.
POINT_OF_CARE = (("87880", "J02.9"), ("81002", "N39.0"), ("93000", "R06.02"), ("82947", "R73.03"))


def weighted(*pairs: tuple[str, int]) -> tuple[str, ...]:
    return tuple(value for value, weight in pairs for _ in range(weight))


EST_EM = weighted(("99211", 3), ("99212", 15), ("99213", 45), ("99214", 30), ("99215", 7))
TELE_EM = weighted(("99212", 15), ("99213", 50), ("99214", 30), ("99215", 5))
THERAPY = weighted(("90832", 20), ("90834", 50), ("90837", 30))
VISITS = weighted(("office", 58), ("telehealth", 12), ("preventive", 16), ("behavioral", 14))


@dataclass(frozen=True, slots=True)
class Patient:
    account: str
    mrn: str
    last: str
    first: str
    middle: str
    dob: dt.date
    sex: str
    medicare: bool


@dataclass(frozen=True, slots=True)
class Practice:
    patients: list[Patient]
    office: list[tuple[str, str, str]]  # (NPI, last, first): E/M and preventive visits
    therapists: list[tuple[str, str, str]]
    referring: list[tuple[str, str, str]]
    fees: dict[tuple[str, str], tuple[str, int]]  # (code, modifier) -> (description, cents)


def read_practice(db: Path) -> Practice:
    """The accounts, providers and fee schedule of a sample database, read-only."""
    if not db.exists():
        raise SystemExit(f"no database at {db}: run `billing-tui --db {db} init --sample N`")
    connection = sqlite3.connect(db.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        patients = [
            Patient(
                account,
                mrn or "",
                last,
                first,
                middle or "",
                dt.date.fromisoformat(dob),
                sex,
                bool(medicare),
            )  # fmt: skip
            for account, mrn, last, first, middle, dob, sex, medicare in connection.execute(
                "SELECT p.account_number, p.mrn, p.last_name, p.first_name, p.middle_name,"
                " p.dob, p.sex, EXISTS (SELECT 1 FROM coverage c JOIN payer y ON y.id = c.payer_id"
                "  WHERE c.patient_id = p.id AND c.active AND y.kind = 'medicare')"
                " FROM patient p ORDER BY p.id"
            )
        ]
        # Not one who bills incident-to under a supervising physician: a DFT has no field
        # for the supervising provider, so every such claim would stop at the scrubber.
        providers = connection.execute(
            "SELECT npi, last_name, first_name, credential FROM provider"
            " WHERE active AND supervising_id IS NULL ORDER BY id"
        ).fetchall()
        referring = connection.execute(
            "SELECT npi, last_name, first_name FROM referring_provider ORDER BY id"
        ).fetchall()
        fees = {
            (code, modifier or ""): (description, cents)
            for code, modifier, description, cents in connection.execute(
                "SELECT code, modifier, description, charge_cents FROM fee_schedule"
            )
        }
    finally:
        connection.close()
    if not patients:
        raise SystemExit(f"{db} has no patients: make it with `init --sample N`")
    office = [p[:3] for p in providers if p[3] != "LCSW"]
    therapists = [p[:3] for p in providers if p[3] in ("LCSW", "PHD", "PSYD")] or office
    missing = {code for code in _codes_used() if (code, "") not in fees}
    if missing or not office:
        raise SystemExit(f"{db} is not a sample practice: no fee for {sorted(missing)}"
                         if missing else f"{db} has no providers")  # fmt: skip
    return Practice(patients, office, therapists, referring, fees)


def _codes_used() -> set[str]:
    return ({*EST_EM, *TELE_EM, *THERAPY, *PANEL_FOR.values(), *PANELS, "36415", "90791",
             "96127", "90471", "90686", "G0439"}
            | {code for code, _ in POINT_OF_CARE}
            | {f"9939{band}" for band in "1234567"})  # fmt: skip


# ------------------------------------------------------------------------- encoding

_ESCAPES = str.maketrans({"\\": "\\E\\", "|": "\\F\\", "^": "\\S\\", "&": "\\T\\", "~": "\\R\\"})


def escape(text: str) -> str:
    """Text as an HL7 field value: the delimiters written as their escape sequences."""
    return text.translate(_ESCAPES)


def segment(name: str, fields: dict[int, str]) -> str:
    """A segment from {field number: value}; MSH-1 is the field separator itself."""
    last = max((number for number, value in fields.items() if value), default=1)  # no |||
    values = [""] * (last + 1)
    for number, value in fields.items():
        if number <= last:
            values[number] = value
    if name == "MSH":
        return "MSH|" + "|".join(values[2:])
    return name + "|" + "|".join(values[1:])


def person(npi: str, last: str, first: str) -> str:
    """XCN: NPI^last^first."""
    return f"{npi}^{escape(last)}^{escape(first)}"


def amount(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


# ------------------------------------------------------------------------- visits


@dataclass(slots=True)
class Line:
    code: str
    diagnoses: list[str]
    modifiers: tuple[str, ...] = ()
    units: int = 1


def _age(dob: dt.date, on: dt.date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def _preventive_code(patient: Patient, dos: dt.date) -> str:
    if patient.medicare:
        return "G0439"  # annual wellness visit, subsequent
    age = _age(patient.dob, dos)
    band = sum(age >= start for start in (1, 5, 12, 18, 40, 65)) + 1  # 99391 under 1 ... 99397
    return f"9939{band}"


def _problems(r: random.Random) -> list[str]:
    pool = ACUTE if r.random() < 0.5 else CHRONIC
    found = [r.choice(pool)]
    if r.random() < 0.55:
        found.append(r.choice(CHRONIC))
        if r.random() < 0.3:
            found.append(r.choice(CHRONIC))
    return list(dict.fromkeys(found))


def _labs(r: random.Random, diagnoses: list[str], lines: list[Line], limit: int = 4) -> None:
    """A blood draw and one or two panels, each for the problem that calls for it."""
    panels = [(PANEL_FOR[d], d) for d in diagnoses if d in PANEL_FOR]
    if not panels:
        panels = [(r.choice(PANELS), diagnoses[0])]
    lines.append(Line("36415", [panels[0][1]]))
    for code, diagnosis in list(dict.fromkeys(panels))[: limit - len(lines)]:
        if all(line.code != code for line in lines):
            lines.append(Line(code, [diagnosis]))


def visit(r: random.Random, patient: Patient, dos: dt.date, practice: Practice):
    """(place of service, performing provider, lines, the visit's diagnoses in order)."""
    kind = r.choice(VISITS)
    pos = "11"
    if kind == "behavioral":
        provider = r.choice(practice.therapists)
        diagnoses = list(dict.fromkeys(r.choice(BEHAVIORAL) for _ in range(1 + (r.random() < 0.3))))
        lines = [Line("90791" if r.random() < 0.15 else r.choice(THERAPY), diagnoses[:])]
        if r.random() < 0.2:
            lines.append(Line("96127", diagnoses[:1], units=r.choice((1, 2))))
        if r.random() < 0.35:
            pos = "10" if r.random() < 0.7 else "02"
    elif kind == "telehealth":
        provider = r.choice(practice.office)
        diagnoses = _problems(r)
        lines = [Line(r.choice(TELE_EM), diagnoses[:])]
        pos = "10" if r.random() < 0.65 else "02"
    elif kind == "preventive":
        provider = r.choice(practice.office)
        child = _age(patient.dob, dos) < 18
        screening = ("Z00.129", "Z00.121") if child else ("Z00.00", "Z00.01")
        diagnoses = [screening[r.random() < 0.25]]
        lines = [Line(_preventive_code(patient, dos), diagnoses[:1])]
        if r.random() < 0.2:  # a problem looked at as well: its own E/M, modifier 25
            problems = _problems(r)[:2]
            diagnoses += problems
            lines.append(Line(r.choice(("99213", "99214")), problems, ("25",)))
        flu_season = dos.month in (9, 10, 11, 12)
        if (child and r.random() < 0.35) or (not child and flu_season and r.random() < 0.3):
            diagnoses.append("Z23")
            lines += [Line("90471", ["Z23"]), Line("90686", ["Z23"])]
        elif not child and r.random() < 0.5:
            if r.random() < 0.5:
                diagnoses.append("Z13.6")
            _labs(r, diagnoses, lines)
    else:
        provider = r.choice(practice.office)
        diagnoses = _problems(r)
        lines = [Line(r.choice(EST_EM), diagnoses[:])]
        u = r.random()
        if u < 0.3:
            _labs(r, diagnoses, lines)
        elif u < 0.4:
            code, problem = r.choice(POINT_OF_CARE)
            if problem not in diagnoses:
                diagnoses.append(problem)
            lines.append(Line(code, [problem]))
    if pos != "11":  # every line of a telehealth claim carries the telehealth modifier
        for line in lines:
            line.modifiers = (*line.modifiers, "95")
    return pos, provider, lines[:4], list(dict.fromkeys(diagnoses))[:12]


def dft_messages(practice: Practice, count: int, seed: int, as_of: dt.date) -> list[str]:
    """`count` DFT^P03 messages, each ending with its last segment's \\r."""
    r = random.Random(seed)
    seen: set[tuple[int, int]] = set()  # (patient, days before as_of)
    fees = practice.fees
    messages = []
    for i in range(1, count + 1):
        who = r.randrange(len(practice.patients))
        for _ in range(8):  # a free day for this patient
            back = r.randrange(DAYS)
            if (who, back) not in seen:
                break
        seen.add((who, back))
        patient = practice.patients[who]
        dos = as_of - dt.timedelta(days=back)
        if dos < patient.dob:
            dos = patient.dob
        day = f"{dos:%Y%m%d}"
        stamp = f"{day}{8 + r.randrange(10):02d}{r.randrange(60):02d}{r.randrange(60):02d}"
        pos, provider, lines, diagnoses = visit(r, patient, dos, practice)
        referring = (
            r.choice(practice.referring) if practice.referring and r.random() < 0.12 else None
        )
        performer = person(*provider)
        ordered = person(*referring) if referring else ""
        control = f"DFT{seed}-{i:07d}"
        name = "^".join(
            (escape(patient.last), escape(patient.first), escape(patient.middle))
        ).rstrip("^")
        segments = [
            segment("MSH", {2: "^~\\&", 3: SENDING[0], 4: SENDING[1], 5: RECEIVING[0],
                            6: RECEIVING[1], 7: stamp, 9: "DFT^P03^DFT_P03", 10: control,
                            11: "P", 12: "2.5.1", 15: "AL", 16: "NE", 18: "UNICODE UTF-8"}),
            segment("EVN", {1: "P03", 2: stamp}),
            segment("PID", {1: "1", 3: f"{patient.mrn}^^^{SENDING[0]}^MR" if patient.mrn else "",
                            5: name, 7: f"{patient.dob:%Y%m%d}", 8: patient.sex,
                            18: f"{patient.account}^^^{RECEIVING[1]}^AN"}),
            segment("PV1", {1: "1", 2: "O", 3: ("MAIN" if pos == "11" else "TELE") + "^^^LVMG",
                            7: performer, 8: ordered, 19: f"V{seed}-{i:07d}^^^{SENDING[0]}^VN",
                            44: stamp[:12]}),
        ]  # fmt: skip
        for n, line in enumerate(lines, 1):
            description, cents = (
                fees.get((line.code, "95" if "95" in line.modifiers else ""))
                or fees[(line.code, "")]
            )
            system = "HCPCS" if line.code[0].isalpha() else "CPT4"
            procedure = f"{line.code}^{escape(description)}^{system}"
            segments.append(segment("FT1", {
                1: str(n), 4: day, 6: "CG", 7: procedure, 10: str(line.units),
                11: amount(cents * line.units), 16: pos,
                19: "~".join(f"{d}^{DIAGNOSES[d]}^I10" for d in line.diagnoses),
                20: performer, 21: ordered, 25: procedure, 26: "~".join(line.modifiers),
            }))  # fmt: skip
        for n, code in enumerate(diagnoses, 1):
            segments.append(segment("DG1", {1: str(n), 3: f"{code}^{DIAGNOSES[code]}^I10", 6: "F",
                                            15: str(n)}))  # fmt: skip
        messages.append("\r".join(segments) + "\r")
    return messages


def write(path: Path, messages: list[str], mllp: bool = False) -> int:
    """The messages one after another (MLLP-framed with mllp); the bytes written."""
    text = "".join(f"\x0b{m}\x1c\r" for m in messages) if mllp else "".join(messages)
    data = text.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return len(data)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="a sample practice's SQLite file")
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--mllp", action="store_true", help="frame each message \\x0b ... \\x1c\\r")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date.today(),
                        help="the last DOS (YYYY-MM-DD; default today)")  # fmt: skip
    args = parser.parse_args(argv)
    started = time.perf_counter()
    practice = read_practice(args.db)
    messages = dft_messages(practice, args.messages, args.seed, args.as_of)
    size = write(args.out, messages, args.mllp)
    seconds = time.perf_counter() - started
    lines = sum(m.count("\rFT1|") for m in messages)
    charged = sum(
        int(s.split("|")[11].replace(".", ""))
        for m in messages
        for s in m.split("\r")
        if s.startswith("FT1|")
    )
    summary = {"messages": len(messages), "lines": lines, "charged_cents": charged,
               "bytes": size, "seconds": seconds}  # fmt: skip
    print(f"{len(messages):,} DFT^P03 messages, {lines:,} FT1 charges, ${charged / 100:,.2f}, "
          f"for {len(practice.patients):,} accounts' patients -> {args.out} "
          f"({size / 1e6:.1f} MB{', MLLP' if args.mllp else ''}) in {seconds:.2f} s",
          file=sys.stderr)  # fmt: skip
    return summary


if __name__ == "__main__":
    main()
