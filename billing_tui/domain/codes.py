"""Claim code sets besides ICD-10-CM: CPT/HCPCS and modifier formats, places of service, credentials."""

from __future__ import annotations

import re

# CPT: 5 digits (99213); CPT categories II, III and PLA: 4 digits + F, T or U (0001F,
# 0042T, 0001U); HCPCS Level II: a letter + 4 digits (G2012, J1100).
_PROCEDURE = re.compile(r"^(?:\d{5}|\d{4}[FTU]|[A-Z]\d{4})$", re.ASCII)
_MODIFIER = re.compile(r"^[A-Z0-9]{2}$", re.ASCII)

# CMS place-of-service code set (the ones a professional claim uses).
PLACES_OF_SERVICE: dict[str, str] = {
    "01": "Pharmacy",
    "02": "Telehealth, not in the patient's home",
    "03": "School",
    "04": "Homeless shelter",
    "05": "Indian Health Service free-standing facility",
    "06": "Indian Health Service provider-based facility",
    "07": "Tribal 638 free-standing facility",
    "08": "Tribal 638 provider-based facility",
    "09": "Prison/correctional facility",
    "10": "Telehealth in the patient's home",
    "11": "Office",
    "12": "Home",
    "13": "Assisted living facility",
    "14": "Group home",
    "15": "Mobile unit",
    "16": "Temporary lodging",
    "17": "Walk-in retail health clinic",
    "18": "Place of employment/worksite",
    "19": "Off-campus outpatient hospital",
    "20": "Urgent care facility",
    "21": "Inpatient hospital",
    "22": "On-campus outpatient hospital",
    "23": "Emergency room, hospital",
    "24": "Ambulatory surgical center",
    "25": "Birthing center",
    "26": "Military treatment facility",
    "27": "Outreach site/street",
    "31": "Skilled nursing facility",
    "32": "Nursing facility",
    "33": "Custodial care facility",
    "34": "Hospice",
    "41": "Ambulance, land",
    "42": "Ambulance, air or water",
    "49": "Independent clinic",
    "50": "Federally qualified health center",
    "51": "Inpatient psychiatric facility",
    "52": "Psychiatric facility, partial hospitalization",
    "53": "Community mental health center",
    "54": "Intermediate care facility/individuals with intellectual disabilities",
    "55": "Residential substance abuse treatment facility",
    "56": "Psychiatric residential treatment center",
    "57": "Non-residential substance abuse treatment facility",
    "58": "Non-residential opioid treatment facility",
    "60": "Mass immunization center",
    "61": "Comprehensive inpatient rehabilitation facility",
    "62": "Comprehensive outpatient rehabilitation facility",
    "65": "End-stage renal disease treatment facility",
    "66": "PACE center",
    "71": "Public health clinic",
    "72": "Rural health clinic",
    "81": "Independent laboratory",
    "99": "Other place of service",
}

TELEHEALTH_POS = frozenset({"02", "10"})
# 95 audio-video, 93 audio-only, GT/GQ (some payers; GQ asynchronous), FQ audio-only (RHC/FQHC).
TELEHEALTH_MODIFIERS = ("95", "93", "GT", "GQ", "FQ")

PHYSICIAN_CREDENTIALS = frozenset({"MD", "DO"})
# Frequency codes (CLM05-3): 1 original, 7 replacement, 8 void.
FREQUENCIES = {"1": "original", "7": "replacement", "8": "void"}
# The patient's relationship to the subscriber, as the 837P carries it (SBR02 / PAT01).
RELATIONSHIPS = {
    "18": "self",
    "01": "spouse",
    "19": "child",
    "20": "employee",
    "21": "unknown",
    "39": "organ donor",
    "40": "cadaver donor",
    "53": "life partner",
    "G8": "other",
}


def is_procedure_code(code: str) -> bool:
    """A well-formed CPT or HCPCS Level II code (uppercase)."""
    return bool(_PROCEDURE.match(code))


def is_modifier(modifier: str) -> bool:
    """Two letters or digits (uppercase)."""
    return bool(_MODIFIER.match(modifier))


def is_physician(credential: str) -> bool:
    """MD or DO ("M.D." and "do" too); NP, PA, LCSW, ... are non-physician practitioners."""
    return credential.replace(".", "").strip().upper() in PHYSICIAN_CREDENTIALS


def place_of_service_name(code: str) -> str | None:
    return PLACES_OF_SERVICE.get(code)
