"""ICD-10-CM lookups: codes with or without the dot, billable or not, and suggestions as typed."""

from __future__ import annotations

import statistics
import time

import pytest

from billing_tui.domain import icd10


@pytest.mark.parametrize(
    ("typed", "normal", "shown"),
    [("e11.9", "E119", "E11.9"), (" E119 ", "E119", "E11.9"), ("I10", "I10", "I10"),
     ("s52.501a", "S52501A", "S52.501A"), ("Z00.00", "Z0000", "Z00.00")],
)  # fmt: skip
def test_codes_are_normalized_without_the_dot_and_shown_with_it(typed, normal, shown):
    assert icd10.normalize(typed) == normal
    assert icd10.display(typed) == shown


@pytest.mark.parametrize(
    ("code", "billable"),
    [("J06.9", True), ("J069", True), ("j06.9", True), ("E11.9", True), ("E119", True),
     ("I10", True), ("S52.501A", True),
     ("J06", False), ("E11", False), ("S52.501", False),  # categories: more characters follow
     ("A00-A09", False), ("1", False), ("Q99.99", False), ("", False), ("J06.99", False)],
)  # fmt: skip
def test_only_a_leaf_of_the_code_set_is_billable(code, billable):
    assert icd10.is_billable(code) is billable


def test_descriptions_and_existence():
    assert icd10.description("E11.9") == "Type 2 diabetes mellitus without complications"
    assert icd10.exists("J06") and not icd10.is_billable("J06")
    assert "upper respiratory" in icd10.description("J06")  # a category has one too
    assert icd10.description("Q99.99") is None and not icd10.exists("Q99.99")
    assert icd10.description("A00-A09") is None  # a block of the tabular list is not a code


def test_a_typed_code_suggests_the_billable_codes_under_it_in_order():
    assert icd10.suggest("j06") == [
        ("J06.0", "Acute laryngopharyngitis"),
        ("J06.9", "Acute upper respiratory infection, unspecified"),
    ]
    found = icd10.suggest("E11.6", limit=50)
    assert [code for code, _ in found] == sorted(code for code, _ in found)
    assert len(found) > 5 and all(code.startswith("E11.6") for code, _ in found)
    assert all(icd10.is_billable(code) for code, _ in found)
    assert icd10.suggest("e119") == [("E11.9", "Type 2 diabetes mellitus without complications")]
    assert len(icd10.suggest("E11", limit=3)) == 3


def test_words_suggest_billable_codes_whose_description_has_them_all():
    found = icd10.suggest("type 2 diabetes")
    assert found[0] == ("E11.9", "Type 2 diabetes mellitus without complications")
    assert len(found) == 10
    for code, description in found:
        assert icd10.is_billable(code)
        assert all(word in description.lower() for word in ("type", "2", "diabetes"))
    # Word starts, in any order and case; the general code before its refinements.
    assert icd10.suggest("HYPERTENSION ESSENTIAL")[0][0] == "I10"
    assert ("J06.9", "Acute upper respiratory infection, unspecified") in icd10.suggest(
        "acute upper resp"
    )
    assert icd10.suggest("pharyngitis strep") == [("J02.0", "Streptococcal pharyngitis")]
    assert icd10.suggest("zzzz") == [] and icd10.suggest("") == [] and icd10.suggest("  ") == []
    assert icd10.suggest("diabetes", limit=0) == []


def test_a_code_like_word_that_is_no_code_falls_back_to_words():
    # "b12" starts no code (B12 is not a category), but "vitamin b12" is in descriptions.
    found = icd10.suggest("b12")
    assert found and all("b12" in description.lower() for _, description in found[:3])


def test_suggestions_take_a_few_milliseconds_once_warm():
    started = time.perf_counter()
    icd10.preload()
    warm_up = time.perf_counter() - started
    queries = ["type 2 diabetes", "e11", "hypertension", "a", "fracture radius", "pain",
               "left right", "acute bronchitis", "z00.0", "initial encounter closed fracture",
               "depression", "otitis media", "back pain", "diab", "x"]  # fmt: skip
    timings = []
    for query in queries:
        started = time.perf_counter()
        icd10.suggest(query)
        timings.append(time.perf_counter() - started)
    print(f"\nICD-10 warm-up {warm_up:.2f} s (0 if an earlier test loaded it); per suggestion: "
          f"median {statistics.median(timings) * 1000:.2f} ms, max {max(timings) * 1000:.2f} ms")  # fmt: skip
    assert statistics.median(timings) < 0.005
    assert max(timings) < 0.05


def test_the_shipped_billable_codes_are_the_code_sets_leaves():
    """data/icd10cm_billable.txt.gz must match simple_icd_10_cm: regenerate it after an
    upgrade with `python -m billing_tui.domain.icd10`."""
    import simple_icd_10_cm as cm

    from billing_tui.domain import icd10

    leaves = {code for code in cm.get_all_codes(False) if cm.is_leaf(code)}
    assert icd10.billable_codes() == leaves
    assert "J069" in leaves and "J06" not in leaves
    assert icd10.shipped_terms() == icd10.code_set_terms()
    assert icd10.shipped_headings() == icd10.code_set_headings()


def test_words_find_a_code_by_its_inclusion_terms():
    """ "strep throat" is nowhere in J02.0's description (Streptococcal pharyngitis), but
    it is one of its inclusion terms, as a specialist would look for it."""
    from billing_tui.domain import icd10

    assert ("J02.0", "Streptococcal pharyngitis") in icd10.suggest("strep throat", 6)
    assert "J02.9" in [code for code, _ in icd10.suggest("sore throat", 6)]
