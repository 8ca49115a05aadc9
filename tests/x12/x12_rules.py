"""A second judge for 837P files: the rules ../shared/X12.md stars, which pyx12 does not check.

violations(text) returns one line per broken rule (empty when the file is
sound): CLM02 = sum of SV102; a valid NPI in every NM1 with NM108 = XX; HI
with ABK first, at most 12 codes, no dots or repeats, and every SV107 pointer
inside it; the HL tree (sequential ids, parents of the right level, child
flags that tell the truth, no 2000C under SBR02 = 18); SE01 counts and
matching control numbers; REF*F8 on frequency 7 and 8; REF*6R on every line;
uppercase basic ASCII only. Written from the rules, not from our writer.
"""

from __future__ import annotations

import re
from decimal import Decimal

from billing_tui.domain.npi import is_valid_npi

_BASIC = re.compile(r"^[A-Z0-9 !\"&'()+,\-./;?=*:^~\n]*$")


def segments(text: str) -> list[list[str]]:
    """Each segment as its elements (ISA's separators read from the ISA itself)."""
    element, terminator = text[3], text[105]
    return [s.strip().split(element) for s in text.split(terminator) if s.strip()]


def violations(text: str) -> list[str]:
    found: list[str] = []
    if not text.startswith("ISA") or len(text.split("~")[0]) + 1 != 106:
        found.append("ISA is not 106 characters")
    if not _BASIC.match(text):
        found.append("characters outside uppercase basic ASCII")
    segs = segments(text)
    component = segs[0][16]
    found += _envelope(segs)
    transactions = _split(segs, "ST", "SE")
    for st in transactions:
        found += _hl_tree(st)
        for clm in _claims(st):
            found += _claim(clm, component)
    for seg in segs:
        if seg[0] == "NM1" and len(seg) > 9 and seg[8] == "XX" and not is_valid_npi(seg[9]):
            found.append(f"NM1*{seg[1]}: NPI {seg[9]} fails its check digit")
    return found


def _split(segs, start: str, end: str) -> list[list[list[str]]]:
    groups, current = [], None
    for seg in segs:
        if seg[0] == start:
            current = [seg]
        elif current is not None:
            current.append(seg)
            if seg[0] == end:
                groups.append(current)
                current = None
    return groups


def _envelope(segs) -> list[str]:
    found = []
    isa, iea = segs[0], segs[-1]
    if iea[0] != "IEA" or iea[2] != isa[13]:
        found.append("IEA02 does not match ISA13")
    groups = _split(segs, "GS", "GE")
    if int(iea[1]) != len(groups):
        found.append("IEA01 is not the number of groups")
    for group in groups:
        gs, ge = group[0], group[-1]
        if ge[2] != gs[6]:
            found.append("GE02 does not match GS06")
        transactions = _split(group, "ST", "SE")
        if int(ge[1]) != len(transactions):
            found.append("GE01 is not the number of transactions")
        numbers = [st[0][2] for st in transactions]
        if len(set(numbers)) != len(numbers):
            found.append("ST02 repeats within the group")
        for st in transactions:
            se = st[-1]
            if int(se[1]) != len(st):
                found.append(f"SE01 {se[1]} but the transaction has {len(st)} segments")
            if se[2] != st[0][2]:
                found.append("SE02 does not match ST02")
    return found


def _hl_tree(st) -> list[str]:
    found = []
    hls = [(i, seg) for i, seg in enumerate(st) if seg[0] == "HL"]
    levels: dict[str, str] = {}
    parent_of_level = {"20": "", "22": "20", "23": "22"}
    for n, (index, seg) in enumerate(hls, start=1):
        number, parent, level, child = seg[1], seg[2], seg[3], seg[4] if len(seg) > 4 else ""
        if number != str(n):
            found.append(f"HL01 {number} where {n} was due")
        if (levels.get(parent, "") if parent else "") != parent_of_level.get(level):
            found.append(f"HL {number} (level {level}) hangs under HL {parent or 'none'}")
        levels[number] = level
        has_children = any(other[2] == number for _, other in hls)
        if child != ("1" if has_children else "0"):
            found.append(f"HL {number}: HL04 {child} but children={has_children}")
        if level == "22":
            sbr = st[index + 1]
            if sbr[0] == "SBR" and len(sbr) > 2 and sbr[2] == "18" and has_children:
                found.append(f"HL {number}: SBR02 = 18 yet a patient level (2000C) follows")
    return found


def _claims(st) -> list[list[list[str]]]:
    """Each claim: CLM through the segment before the next HL, CLM or SE."""
    claims, current = [], None
    for seg in st:
        if seg[0] == "CLM":
            current = [seg]
            claims.append(current)
        elif seg[0] in ("HL", "SE"):
            current = None
        elif current is not None:
            current.append(seg)
    return claims


def _claim(clm, component: str) -> list[str]:
    found = []
    number = clm[0][1]
    if len(number) > 20:
        found.append(f"CLM01 {number} is longer than 20 characters")
    lines = [seg for seg in clm if seg[0] == "SV1"]
    total = sum((Decimal(seg[2]) for seg in lines), Decimal(0))
    if Decimal(clm[0][2]) != total:
        found.append(f"claim {number}: CLM02 {clm[0][2]} but the lines add up to {total}")
    frequency = clm[0][5].split(component)[2]
    if frequency in ("7", "8") and not any(s[:2] == ["REF", "F8"] and s[2] for s in clm):
        found.append(f"claim {number}: frequency {frequency} without REF*F8")
    his = [seg for seg in clm if seg[0] == "HI"]
    codes = [c.split(component) for c in his[0][1:]] if his else []
    if not codes or codes[0][0] != "ABK" or any(q != "ABF" for q, _ in codes[1:]):
        found.append(f"claim {number}: HI must start with ABK and continue with ABF")
    values = [code for _, code in codes]
    if len(values) > 12 or len(set(values)) != len(values) or any("." in v for v in values):
        found.append(f"claim {number}: HI has more than 12 codes, a repeat or a dot")
    for seg in lines:
        pointers = seg[7].split(component) if len(seg) > 7 else []
        if not 1 <= len(pointers) <= 4 or any(not 1 <= int(p) <= len(values) for p in pointers):
            found.append(f"claim {number}: SV107 {seg[7] if len(seg) > 7 else ''} outside HI")
    lx = [i for i, seg in enumerate(clm) if seg[0] == "LX"]
    if [clm[i][1] for i in lx] != [str(n) for n in range(1, len(lx) + 1)]:
        found.append(f"claim {number}: LX01 does not run 1, 2, 3...")
    for start, end in zip(lx, [*lx[1:], len(clm)], strict=True):
        block = clm[start:end]
        if not any(s[:2] == ["REF", "6R"] for s in block):
            found.append(f"claim {number}: line {clm[start][1]} has no REF*6R")
        if not any(s[:2] == ["DTP", "472"] for s in block):
            found.append(f"claim {number}: line {clm[start][1]} has no DTP*472")
    return found
