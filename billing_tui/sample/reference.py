"""The sample practice's fixed cast: users, providers, payers, fee schedule, diagnosis and denial codes.

Every name, NPI, tax ID and address here is invented; NPIs are built with a
valid check digit so that the scrubber accepts them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.npi import npi_check_digit


def npi(stem: str) -> str:
    return stem + npi_check_digit(stem)


# Every sample user's password: the sample is synthetic, and the demo's login screen says it.
SAMPLE_PASSWORD = "larkspur-demo"

# (username, name, role); the specialists post and work the accounts.
USERS = (
    ("mreyes", "Marisol Reyes", "specialist"),
    ("tokafor", "Tobi Okafor", "specialist"),
    ("kduong", "Kim Duong", "specialist"),
    ("jlindqvist", "Jonas Lindqvist", "specialist"),
    ("abrennan", "Aileen Brennan", "supervisor"),
    ("rpatel-admin", "Ravi Patel", "admin"),
)

BILLING_PROVIDER = (
    "Larkspur Valley Medical Group",
    npi("165830472"),
    "364812907",
    "193200000X",  # multi-specialty group
    "1200 Larkspur Valley Pkwy",
    "Suite 300",
    "Maple Hollow",
    "NY",
    "127550142",
    "8455550100",
)


@dataclass(frozen=True, slots=True)
class ProviderSpec:
    key: str
    first_name: str
    last_name: str
    credential: str
    npi: str
    taxonomy: str
    supervising: str | None = None  # key of the supervising physician (incident-to)


PROVIDERS = (
    ProviderSpec("md_fm", "Evelyn", "Hartwell", "MD", npi("174938201"), "207Q00000X"),
    ProviderSpec("md_im", "Rafael", "Quintero", "MD", npi("183620945"), "207R00000X"),
    ProviderSpec("do_fm", "Priya", "Ramaswamy", "DO", npi("192047386"), "207Q00000X"),
    ProviderSpec("np", "Colleen", "Fitzgibbon", "NP", npi("150392817"), "363LF0000X"),
    # Bills incident-to under Dr. Hartwell: some of her claims report him as supervising.
    ProviderSpec(
        "np_inc",
        "Marcus",
        "Delacroix-Bell",
        "NP",
        npi("161847302"),
        "363LF0000X",
        supervising="md_fm",
    ),  # fmt: skip
    ProviderSpec("pa", "Hannah", "Søndergaard", "PA", npi("137205948"), "363A00000X"),
    ProviderSpec("lcsw", "Tomás", "Echeverría", "LCSW", npi("128460391"), "1041C0700X"),
)

REFERRING = (
    ("Gordon", "Achterberg", npi("145028736")),
    ("Lucinda", "Mbeki-Stroud", npi("198304725")),
    ("Arturo", "Villaseñor", npi("110592384")),
    ("Deborah", "O'Rourke", npi("176203958")),
    ("Kenji", "Watanabe-Lowe", npi("133958206")),
)


@dataclass(frozen=True, slots=True)
class PayerSpec:
    key: str
    name: str
    code: str
    kind: str  # medicare, medicaid, commercial, self_pay
    timely_filing_days: int
    address: tuple[str, str, str, str, str]  # address1, address2, city, state, zip
    phone: str
    allowed_percent: int  # what the payer allows, as a share of our charge
    copays: tuple[int, ...]  # cents, one picked per coverage
    coinsurance_bp: tuple[int, ...]
    deductibles: tuple[int, ...]
    member_prefix: str
    eft: bool  # pays by EFT, else by paper check


PAYERS = (
    PayerSpec("medicare", "Medicare Part B (Sample MAC)", "SMPL1", "medicare", 365,
              ("PO Box 6703", "", "Harbor Point", "NJ", "077010703"), "8005550101",
              46, (0,), (2000,), (25700,), "", True),
    PayerSpec("medicaid", "Medicaid (Sample State)", "SMPL2", "medicaid", 180,
              ("PO Box 1190", "", "Fairmont Springs", "PA", "168011190"), "8005550102",
              38, (0, 0, 300), (0,), (0,), "MCD", True),
    PayerSpec("bluewater", "Bluewater Health Plan", "SMPL3", "commercial", 180,
              ("PO Box 44120", "", "Lakeshore Heights", "OH", "440444120"), "8005550103",
              68, (2000, 2500, 3000, 4000), (0, 1000, 2000), (50000, 150000, 300000), "BWH", True),
    PayerSpec("summit", "Summit Crest Insurance", "SMPL4", "commercial", 90,
              ("2 Summit Crest Plaza", "Claims Dept", "Greyfield", "IL", "617020002"),
              "8005550104", 72, (2500, 3500), (1000, 2000), (100000, 250000), "SCI", False),
    PayerSpec("evergreen", "Evergreen Mutual Health", "SMPL5", "commercial", 120,
              ("PO Box 9087", "", "Cascade Falls", "WA", "982019087"), "8005550105",
              63, (1500, 2000, 3000), (0, 2000), (75000, 200000), "EMH", False),
    PayerSpec("self_pay", "Self-pay", "SELFPAY", "self_pay", 365,
              ("", "", "", "", ""), "", 100, (0,), (0,), (0,), "", False),
)  # fmt: skip

# (code, modifier, description, charge in cents)
FEES = (
    ("99202", "", "Office visit, new patient, straightforward", 11000),
    ("99203", "", "Office visit, new patient, low complexity", 17000),
    ("99204", "", "Office visit, new patient, moderate complexity", 25500),
    ("99205", "", "Office visit, new patient, high complexity", 33500),
    ("99211", "", "Office visit, established patient, minimal", 4500),
    ("99212", "", "Office visit, established patient, straightforward", 9500),
    ("99213", "", "Office visit, established patient, low complexity", 15000),
    ("99214", "", "Office visit, established patient, moderate complexity", 22000),
    ("99215", "", "Office visit, established patient, high complexity", 30000),
    ("99212", "95", "Telehealth visit (audio-video), straightforward", 9500),
    ("99213", "95", "Telehealth visit (audio-video), low complexity", 15000),
    ("99214", "95", "Telehealth visit (audio-video), moderate complexity", 22000),
    ("99215", "95", "Telehealth visit (audio-video), high complexity", 30000),
    ("99422", "", "Online digital E/M, 11-20 minutes", 7000),
    ("G2012", "", "Virtual check-in, 5-10 minutes", 3000),
    ("99381", "", "Preventive visit, new patient, under 1 year", 23000),
    ("99382", "", "Preventive visit, new patient, 1-4 years", 24000),
    ("99383", "", "Preventive visit, new patient, 5-11 years", 24500),
    ("99384", "", "Preventive visit, new patient, 12-17 years", 26500),
    ("99385", "", "Preventive visit, new patient, 18-39 years", 26500),
    ("99386", "", "Preventive visit, new patient, 40-64 years", 30000),
    ("99387", "", "Preventive visit, new patient, 65 years and over", 32500),
    ("99391", "", "Preventive visit, established patient, under 1 year", 21500),
    ("99392", "", "Preventive visit, established patient, 1-4 years", 22500),
    ("99393", "", "Preventive visit, established patient, 5-11 years", 22500),
    ("99394", "", "Preventive visit, established patient, 12-17 years", 24000),
    ("99395", "", "Preventive visit, established patient, 18-39 years", 24000),
    ("99396", "", "Preventive visit, established patient, 40-64 years", 26000),
    ("99397", "", "Preventive visit, established patient, 65 years and over", 28000),
    ("G0438", "", "Annual wellness visit, initial", 24500),
    ("G0439", "", "Annual wellness visit, subsequent", 17500),
    ("90791", "", "Psychiatric diagnostic evaluation", 25000),
    ("90832", "", "Psychotherapy, 30 minutes", 9500),
    ("90834", "", "Psychotherapy, 45 minutes", 14000),
    ("90837", "", "Psychotherapy, 60 minutes", 19500),
    ("90791", "95", "Psychiatric diagnostic evaluation, telehealth", 25000),
    ("90832", "95", "Psychotherapy, 30 minutes, telehealth", 9500),
    ("90834", "95", "Psychotherapy, 45 minutes, telehealth", 14000),
    ("90837", "95", "Psychotherapy, 60 minutes, telehealth", 19500),
    ("96127", "", "Brief emotional/behavioral assessment", 2500),
    ("36415", "", "Routine venipuncture", 1500),
    ("80053", "", "Comprehensive metabolic panel", 5500),
    ("80048", "", "Basic metabolic panel", 4000),
    ("85025", "", "Complete blood count with differential", 4000),
    ("83036", "", "Hemoglobin A1c", 4500),
    ("80061", "", "Lipid panel", 6000),
    ("84443", "", "Thyroid stimulating hormone (TSH)", 6500),
    ("82947", "", "Glucose, quantitative", 2000),
    ("81002", "", "Urinalysis, non-automated, without microscopy", 1500),
    ("87880", "", "Rapid strep test", 3500),
    ("90471", "", "Immunization administration", 3000),
    ("90686", "", "Influenza vaccine, quadrivalent, preservative free", 4500),
    ("93000", "", "Electrocardiogram, complete", 8500),
)

# Billable (leaf) ICD-10-CM codes without their dots; a test checks each one.
DX_CHRONIC = ("I10", "E119", "E1165", "E1122", "E785", "E039", "E669", "E559", "K219", "J449",
              "J45909", "M5450", "M25561", "M170", "G4700", "R7303", "D649", "I2510", "I480",
              "Z7901")  # fmt: skip
DX_ACUTE = ("J069", "J029", "J209", "J0190", "H6690", "B349", "N390", "K5900", "L309", "R509",
            "R0602", "R5383", "R109", "R059", "R519", "M549")  # fmt: skip
DX_PREVENTIVE_ADULT = ("Z0000", "Z0000", "Z0000", "Z0001")
DX_PREVENTIVE_CHILD = ("Z00129", "Z00129", "Z00129", "Z00121")
DX_SCREENING = ("Z23", "Z1331", "Z136")
DX_BEHAVIORAL = ("F411", "F419", "F329", "F331", "F4310", "F4322", "F4323", "F902")
ALL_DIAGNOSES = (
    DX_CHRONIC + DX_ACUTE + DX_PREVENTIVE_ADULT + DX_PREVENTIVE_CHILD + DX_SCREENING + DX_BEHAVIORAL
)

# Claim-level denials (group, CARC, what the remittance says). A denied claim keeps its balance.
DENIALS = (
    ("CO", "50", "not deemed a medical necessity by the payer"),
    ("CO", "16", "claim lacks information needed for adjudication"),
    ("CO", "16", "claim lacks information needed for adjudication"),
    ("CO", "97", "payment included in the allowance for another service"),
    ("CO", "29", "the time limit for filing has expired"),
    ("CO", "197", "precertification/authorization absent"),
    ("CO", "11", "diagnosis inconsistent with the procedure"),
    ("CO", "22", "may be covered by another payer (coordination of benefits)"),
)
COVERAGE_ENDED = ("CO", "27", "expenses incurred after coverage terminated")

REJECTIONS = (
    "277CA A7:164 subscriber/member ID not found",
    "277CA A7:562 billing provider NPI invalid for payer",
    "277CA A3:21 missing or invalid subscriber date of birth",
    "999 IK3 segment error: missing REF*G1 prior authorization",
)
