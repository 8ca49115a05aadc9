"""The blank CMS-1500 (02/12) form for plain paper: where each box is, its rules and labels.

Built once as a list of drawing operations that cms1500 draws under each page's
data; the data are placed by the same constants (and check boxes by name), so moving
a box here moves what goes in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from fpdf import FPDF

LINES_PER_PAGE = 6

# Geometry in points (1/72 in) on a 612 x 792 Letter page.
L, R = 22.0, 590.0  # the form's edges: inside what office printers can print
XB, XC = L + 232, L + 362  # the three columns: patient | middle | insured
TOP, ROW = 112.0, 23.0  # boxes 1 to 11d are ten rows of ROW from TOP
Y12 = TOP + 10 * ROW
Y14 = Y12 + 34
Y17 = Y14 + ROW
Y19 = Y17 + ROW
Y21 = Y19 + ROW
Y24 = Y21 + 46
YLINES, LINE_H = Y24 + 22, 24.0  # each service line: a shaded band over the line itself
SHADE_H = 10.0
Y25 = YLINES + LINES_PER_PAGE * LINE_H
Y31 = Y25 + 24
BOTTOM = Y31 + 60
# Box 24's columns, by their left edges.
C24 = {
    "from": L, "to": L + 50, "pos": L + 100, "emg": L + 124, "cpt": L + 144,
    "mod": L + 196, "ptr": L + 284, "charge": L + 320, "cents": L + 376,
    "units": L + 394, "epsdt": L + 424, "qual": L + 450, "npi": L + 474,
}  # fmt: skip
MODIFIER_W = 22.0
DATA_SIZE = 9.0  # the data's Courier size
BOX = 7.0  # a check box's side

PROGRAMS = (  # box 1: key, caption, ID caption, left edge
    ("medicare", "MEDICARE", "(Medicare#)", L + 12),
    ("medicaid", "MEDICAID", "(Medicaid#)", L + 56),
    ("tricare", "TRICARE", "(ID#/DoD#)", L + 104),
    ("champva", "CHAMPVA", "(Member ID#)", L + 150),
    ("group", "GROUP HEALTH PLAN", "(ID#)", L + 198),
    ("feca", "FECA BLK LUNG", "(ID#)", L + 268),
    ("other", "OTHER", "(ID#)", L + 322),
)
RELATIONSHIPS = (("self", "Self", "18"), ("spouse", "Spouse", "01"), ("child", "Child", "19"))
POINTER_LETTERS = "ABCDEFGHIJKL"


@dataclass(slots=True)
class Layout:
    """The blank form as drawing operations, built once: rules, shading, labels, check boxes."""

    boxes: list[tuple[float, float, float, float]]
    rules: list[tuple[float, float, float, float]]
    shades: list[tuple[float, float, float, float]]
    labels: list[tuple[float, float, float, str, bool]]  # x, baseline, size, text, bold
    checks: dict[str, tuple[float, float]]  # name -> top-left corner of its box


@cache
def layout() -> Layout:
    lay = Layout([], [], [], [], {})
    measure = FPDF(unit="pt")

    def box(x: float, y: float, w: float, h: float, label: str = "") -> None:
        lay.boxes.append((x, y, w, h))
        if label:
            text(x + 2, y + 6.2, label)

    def text(x: float, y: float, label: str, size: float = 5.5, bold: bool = False) -> None:
        lay.labels.append((x, y, size, label, bold))

    def right(x: float, y: float, label: str, size: float = 5.5, bold: bool = False) -> None:
        measure.set_font("helvetica", "B" if bold else "", size)
        text(x - measure.get_string_width(label), y, label, size, bold)

    def check(name: str, x: float, y: float, caption: str = "", caption_x: float = 0) -> None:
        lay.checks[name] = (x, y)
        lay.boxes.append((x, y, BOX, BOX))
        if caption:
            text(caption_x, y + 5.5, caption, 5.5)

    def yes_no(name: str, x: float, y: float) -> None:
        check(f"{name}_yes", x + 14, y, "YES", x)
        check(f"{name}_no", x + 44, y, "NO", x + 34)

    def sex(name: str, x: float, y: float) -> None:
        check(f"{name}_M", x + 8, y, "M", x)
        check(f"{name}_F", x + 30, y, "F", x + 23)

    # Title, carrier block, PICA.
    text(L, 60, "1500", 22, True)
    text(L, 76, "HEALTH INSURANCE CLAIM FORM", 12, True)
    text(L, 84, "APPROVED BY NATIONAL UNIFORM CLAIM COMMITTEE (NUCC) 02/12", 5.5)
    text(XC, 24, "CARRIER: PAYER NAME AND ADDRESS", 5)
    lay.rules.append((XC - 4, 20, XC - 4, 92))
    check("pica_left", L, TOP - 10, "PICA", L + 10)
    check("pica_right", R - BOX, TOP - 10, "PICA", R - BOX - 16)

    # Box 1 and 1a.
    box(L, TOP, XC - L, ROW, "1.")
    for key, caption, id_caption, x in PROGRAMS:
        check(key, x - BOX - 2, TOP + 9)
        text(x, TOP + 12.5, caption, 5)
        text(x, TOP + 18.5, id_caption, 4.5)
    box(
        XC,
        TOP,
        R - XC,
        ROW,
        "1a. INSURED'S I.D. NUMBER                     (For Program in Item 1)",
    )

    def row(n: int) -> float:
        return TOP + n * ROW

    # Rows 2-7: patient | middle | insured.
    box(L, row(1), XB - L, ROW, "2. PATIENT'S NAME (Last Name, First Name, Middle Initial)")
    box(XB, row(1), XC - XB, ROW, "3. PATIENT'S BIRTH DATE")
    text(XB + 8, row(1) + 11.5, "MM      DD      YYYY", 4.5)
    text(XB + 92, row(1) + 6.2, "SEX")
    sex("sex3", XB + 84, row(1) + 12)
    box(XC, row(1), R - XC, ROW, "4. INSURED'S NAME (Last Name, First Name, Middle Initial)")
    box(L, row(2), XB - L, ROW, "5. PATIENT'S ADDRESS (No., Street)")
    box(XB, row(2), XC - XB, ROW, "6. PATIENT RELATIONSHIP TO INSURED")
    for (key, caption, _), x in zip(RELATIONSHIPS, (XB + 4, XB + 30, XB + 64), strict=True):
        check(f"rel_{key}", x + len(caption) * 3.1 + 2, row(2) + 12, caption, x)
    check("rel_other", XB + 120, row(2) + 12, "Other", XB + 100)
    box(XC, row(2), R - XC, ROW, "7. INSURED'S ADDRESS (No., Street)")
    for x0, split, width in ((L, 190, XB - L), (XC, 170, R - XC)):
        box(x0, row(3), split, ROW, "CITY")
        box(x0 + split, row(3), width - split, ROW, "STATE")
        box(x0, row(4), 84, ROW, "ZIP CODE")
        box(x0 + 84, row(4), width - 84, ROW, "TELEPHONE (Include Area Code)")
    box(XB, row(3), XC - XB, 2 * ROW, "8. RESERVED FOR NUCC USE")

    # Rows 9-11d.
    box(L, row(5), XB - L, ROW, "9. OTHER INSURED'S NAME (Last name, First Name, Middle Initial)")
    box(L, row(6), XB - L, ROW, "a. OTHER INSURED'S POLICY OR GROUP NUMBER")
    box(L, row(7), XB - L, ROW, "b. RESERVED FOR NUCC USE")
    box(L, row(8), XB - L, ROW, "c. RESERVED FOR NUCC USE")
    box(L, row(9), XB - L, ROW, "d. INSURANCE PLAN NAME OR PROGRAM NAME")
    box(XB, row(5), XC - XB, 4 * ROW, "10. IS PATIENT'S CONDITION RELATED TO:")
    for n, label in (
        (6, "a. EMPLOYMENT? (Current or Previous)"),
        (7, "b. AUTO ACCIDENT?"),
        (8, "c. OTHER ACCIDENT?"),
    ):
        text(XB + 2, row(n) + 6.2, label)
        yes_no(f"10{label[0]}", XB + 14, row(n) + 11)
    text(XB + 86, row(7) + 10.5, "PLACE (State)", 4.5)
    lay.rules.append((XB + 86, row(7) + 19, XB + 110, row(7) + 19))
    box(XB, row(9), XC - XB, ROW, "10d. CLAIM CODES (Designated by NUCC)")
    box(XC, row(5), R - XC, ROW, "11. INSURED'S POLICY GROUP OR FECA NUMBER")
    box(XC, row(6), R - XC, ROW, "a. INSURED'S DATE OF BIRTH")
    text(XC + 8, row(6) + 11.5, "MM      DD      YYYY", 4.5)
    text(XC + 130, row(6) + 6.2, "SEX")
    sex("sex11", XC + 122, row(6) + 12)
    box(XC, row(7), R - XC, ROW, "b. OTHER CLAIM ID (Designated by NUCC)")
    box(XC, row(8), R - XC, ROW, "c. INSURANCE PLAN NAME OR PROGRAM NAME")
    box(XC, row(9), R - XC, ROW, "d. IS THERE ANOTHER HEALTH BENEFIT PLAN?")
    yes_no("11d", XC + 6, row(9) + 11)
    text(XC + 66, row(9) + 17, "If yes, complete items 9, 9a, and 9d.", 5)

    # 12 and 13: the signatures on file.
    box(
        L,
        Y12,
        XC - L,
        34,
        "12. PATIENT'S OR AUTHORIZED PERSON'S SIGNATURE  I authorize the "
        "release of any medical or other information necessary",
    )
    text(
        L + 2,
        Y12 + 12,
        "to process this claim. I also request payment of government benefits "
        "either to myself or to the party who accepts assignment below.",
    )
    text(L + 2, Y12 + 29, "SIGNED")
    text(L + 252, Y12 + 29, "DATE")
    box(XC, Y12, R - XC, 34, "13. INSURED'S OR AUTHORIZED PERSON'S SIGNATURE  I authorize")
    text(XC + 2, Y12 + 12, "payment of medical benefits to the undersigned physician or supplier")
    text(XC + 2, Y12 + 17.8, "for services described below.")
    text(XC + 2, Y12 + 29, "SIGNED")

    # 14-20.
    box(L, Y14, XB - L, ROW, "14. DATE OF CURRENT ILLNESS, INJURY, or PREGNANCY (LMP)")
    text(L + 8, Y14 + 11.5, "MM      DD      YY", 4.5)
    text(L + 120, Y14 + 11.5, "QUAL.", 4.5)
    box(XB, Y14, XC - XB, ROW, "15. OTHER DATE")
    text(XB + 4, Y14 + 11.5, "QUAL.", 4.5)
    text(XB + 50, Y14 + 11.5, "MM      DD      YY", 4.5)
    for y, label in (
        (Y14, "16. DATES PATIENT UNABLE TO WORK IN CURRENT OCCUPATION"),
        (Y17, "18. HOSPITALIZATION DATES RELATED TO CURRENT SERVICES"),
    ):
        box(XC, y, R - XC, ROW, label)
        text(XC + 2, y + 17, "FROM", 5)
        text(XC + 110, y + 17, "TO", 5)
    box(L, Y17, XB - L, ROW, "17. NAME OF REFERRING PROVIDER OR OTHER SOURCE")
    box(XB, Y17, XC - XB, ROW / 2, "17a.")
    box(XB, Y17 + ROW / 2, XC - XB, ROW / 2)
    text(XB + 2, Y17 + ROW - 3.5, "17b. NPI")
    box(L, Y19, XC - L, ROW, "19. ADDITIONAL CLAIM INFORMATION (Designated by NUCC)")
    box(XC, Y19, R - XC, ROW, "20. OUTSIDE LAB?")
    text(XC + 110, Y19 + 6.2, "$ CHARGES")
    yes_no("20", XC + 6, Y19 + 11)

    # 21-23.
    box(
        L,
        Y21,
        XC - L,
        46,
        "21. DIAGNOSIS OR NATURE OF ILLNESS OR INJURY  Relate A-L to service line below (24E)",
    )
    text(XB + 50, Y21 + 6.2, "ICD Ind.")
    lay.boxes.append((XB + 74, Y21 + 1.5, 14, 9))
    for i, letter in enumerate(POINTER_LETTERS):
        x, y = L + 6 + (i % 4) * 88, Y21 + 19 + (i // 4) * 11
        text(x, y, f"{letter}.", 6)
        lay.rules.append((x + 8, y + 1.5, x + 80, y + 1.5))
    box(XC, Y21, 76, 23, "22. RESUBMISSION")
    text(XC + 2, Y21 + 11.5, "CODE")
    box(XC + 76, Y21, R - XC - 76, 23, "ORIGINAL REF. NO.")
    box(XC, Y21 + 23, R - XC, 23, "23. PRIOR AUTHORIZATION NUMBER")

    # 24: the header, then six lines of a shaded band over an unshaded line.
    box(L, Y24, R - L, Y25 - Y24)
    for i in range(LINES_PER_PAGE):
        y = YLINES + i * LINE_H
        lay.shades.append((L, y, R - L, SHADE_H))
        lay.rules.append((L, y, R, y))
        text(L - 7, y + 21, str(i + 1), 8, True)
        text(C24["qual"] + 5, y + 21, "NPI", 6)
        for m in range(1, 4):
            x = C24["mod"] + m * MODIFIER_W
            lay.rules.append((x, y + SHADE_H + 3, x, y + LINE_H))
        lay.rules.append((C24["cents"], y + SHADE_H + 3, C24["cents"], y + LINE_H))
    for key, top in (
        ("to", Y24 + 9),
        ("pos", Y24),
        ("emg", Y24),
        ("cpt", Y24),
        ("mod", Y24 + 15),
        ("ptr", Y24),
        ("charge", Y24),
        ("units", Y24),
        ("epsdt", Y24),
        ("qual", Y24),
        ("npi", Y24),
    ):
        lay.rules.append((C24[key], top, C24[key], Y25))
    header = {
        "pos": ("B.", "PLACE OF", "SERVICE"), "emg": ("C.", "", "EMG"),
        "ptr": ("E.", "DIAGNOSIS", "POINTER"), "charge": ("F.", "", "$ CHARGES"),
        "units": ("G.", "DAYS OR", "UNITS"), "epsdt": ("H.", "EPSDT", "Family Plan"),
        "qual": ("I.", "ID.", "QUAL."), "npi": ("J.", "RENDERING", "PROVIDER ID. #"),
    }  # fmt: skip
    for key, (first, second, third) in header.items():
        text(C24[key] + 2, Y24 + 6.2, first, 5)
        text(C24[key] + 2, Y24 + 13, second, 4.5)
        text(C24[key] + 2, Y24 + 19, third, 4.5)
    text(L + 2, Y24 + 6.2, "24. A.      DATE(S) OF SERVICE", 5)
    text(L + 12, Y24 + 13.5, "From", 5)
    text(L + 64, Y24 + 13.5, "To", 5)
    text(L + 4, Y24 + 19.5, "MM    DD    YY", 4.5)
    text(C24["to"] + 4, Y24 + 19.5, "MM    DD    YY", 4.5)
    text(C24["cpt"] + 2, Y24 + 6.2, "D. PROCEDURES, SERVICES, OR SUPPLIES", 5)
    text(C24["cpt"] + 2, Y24 + 12.5, "(Explain Unusual Circumstances)", 4.5)
    text(C24["cpt"] + 2, Y24 + 19.5, "CPT/HCPCS", 4.5)
    text(C24["mod"] + 28, Y24 + 19.5, "MODIFIER", 4.5)

    # 25-30.
    box(L, Y25, 170, 24, "25. FEDERAL TAX I.D. NUMBER")
    check("ssn", L + 124, Y25 + 3, "SSN", L + 112)
    check("ein", L + 156, Y25 + 3, "EIN", L + 144)
    box(L + 170, Y25, 112, 24, "26. PATIENT'S ACCOUNT NO.")
    box(L + 282, Y25, XC - L - 282, 24, "27. ACCEPT ASSIGNMENT?")
    yes_no("27", L + 286, Y25 + 12)
    for x, w, label in ((XC, 84, "28. TOTAL CHARGE"), (XC + 84, 78, "29. AMOUNT PAID")):
        box(x, Y25, w, 24, label)
        text(x + 3, Y25 + 19, "$", 7)
        lay.rules.append((x + w - 18, Y25 + 12, x + w - 18, Y25 + 24))
    box(XC + 162, Y25, R - XC - 162, 24, "30. Rsvd for")
    text(XC + 164, Y25 + 12, "NUCC Use")

    # 31-33.
    box(L, Y31, 170, 60, "31. SIGNATURE OF PHYSICIAN OR SUPPLIER")
    text(L + 2, Y31 + 12, "INCLUDING DEGREES OR CREDENTIALS")
    text(L + 2, Y31 + 56, "SIGNED")
    text(L + 88, Y31 + 56, "DATE")
    box(L + 170, Y31, XC - L - 170, 48, "32. SERVICE FACILITY LOCATION INFORMATION")
    box(XC, Y31, R - XC, 48, "33. BILLING PROVIDER INFO & PH #")
    for x, w in ((L + 170, XC - L - 170), (XC, R - XC)):
        box(x, Y31 + 48, w / 2, 12)
        box(x + w / 2, Y31 + 48, w / 2, 12)
        text(x + 2, Y31 + 56, "a.", 5)
        text(x + w / 2 + 2, Y31 + 56, "b.", 5)
    text(XC + 108, Y31 + 6.2, "(", 6)
    text(XC + 129, Y31 + 6.2, ")", 6)

    text(L, BOTTOM + 11, "NUCC Instruction Manual available at: www.nucc.org", 6)
    text(L + 236, BOTTOM + 11, "PLEASE PRINT OR TYPE", 7, True)
    right(R, BOTTOM + 11, "APPROVED OMB-0938-1197 FORM 1500 (02-12)", 6)
    lay.labels.sort(key=lambda label: (label[4], label[2]))  # by font: fewer font changes
    return lay


def draw_form(pdf: FPDF, lay: Layout) -> None:
    pdf.set_fill_color(232)
    for x, y, w, h in lay.shades:
        pdf.rect(x, y, w, h, style="F")
    pdf.set_draw_color(60)
    pdf.set_line_width(0.5)
    for x, y, w, h in lay.boxes:
        pdf.rect(x, y, w, h)
    pdf.set_line_width(0.3)
    for x1, y1, x2, y2 in lay.rules:
        pdf.line(x1, y1, x2, y2)
    font = None
    for x, y, size, label, bold in lay.labels:
        if font != (bold, size):
            font = (bold, size)
            pdf.set_font("helvetica", "B" if bold else "", size)
        pdf.text(x, y, label)
