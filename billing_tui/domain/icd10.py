"""ICD-10-CM diagnosis codes: normalize, display, billable or not, and suggestions as a person types.

The code set is simple_icd_10_cm's, but reading it takes about 2 seconds, in
one C call that holds the GIL (the whole screen would freeze). So what is asked
often ships with the package, made from simple_icd_10_cm by `python -m
billing_tui.domain.icd10`, and a test checks that they agree, so a new code set
release cannot slip by unnoticed:
- data/icd10cm_billable.txt.gz (170 KB, read in ~15 ms): whether a code is
  billable, asked by the scrubber for every claim of an 837 batch;
- data/icd10cm_terms.txt.gz (600 KB): each billable code's description and its
  inclusion terms ("Streptococcal sore throat" under J02.0), for suggestions.
  Indexing them takes about half a second (30 MB), so the editor calls
  preload() in a worker before the first keystroke needs it. After that a
  suggestion takes well under a millisecond (a query of only very common
  words, a few milliseconds).
- data/icd10cm_headings.txt.gz (180 KB): the codes that are not billable
  (categories such as J06, subcategories), with their descriptions, to say
  why a code is refused.
simple_icd_10_cm itself is imported only to write these files and to test them.
"""

from __future__ import annotations

import bisect
import gzip
import heapq
import re
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

# A code as typed: a letter, a digit, then up to 5 more letters or digits, with or without the dot.
_CODE_LIKE = re.compile(r"^[A-Z]\d[0-9A-Z]{0,5}$", re.ASCII)
_WORD = re.compile(r"[a-z0-9]+")
_lock = threading.Lock()  # preload() runs in a worker while the screen may already ask


def normalize(code: str) -> str:
    """ "e11.9 " -> "E119": the form the store and the code set use."""
    return code.strip().replace(".", "").replace(" ", "").upper()


def display(code: str) -> str:
    """ "E119" -> "E11.9"; a category such as "I10" has no dot."""
    code = normalize(code)
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 else code


@dataclass(frozen=True, slots=True)
class _Index:
    codes: dict[str, str]  # billable code (no dot) -> description
    sorted_codes: list[str]  # for code prefixes
    # Word search works in suggestion order ("rank"): the shorter code first (the more
    # general one: E11.9 before E11.621), then the shorter description.
    ranked: list[str]  # rank -> code
    searchable: list[str]  # rank -> " word word ...": a word prefix is " " + what was typed
    words: list[str]  # every distinct description word, sorted
    postings: dict[str, tuple[int, ...]]  # word -> ranks of the codes that have it, ascending
    sizes: list[int]  # per word in `words` order: how many codes have it


_index: _Index | None = None


def _build() -> _Index:
    codes: dict[str, str] = {}
    terms: dict[str, str] = {}  # the description and the inclusion terms, for word search
    for line in gzip.decompress(_TERMS.read_bytes()).decode("utf-8").splitlines():
        code, description, *included = line.split("\t")
        codes[code] = description
        terms[code] = " ".join((description, *included))
    ranked = sorted(codes, key=lambda code: (len(code), len(codes[code]), code))
    postings: dict[str, list[int]] = {}
    searchable = []
    for rank, code in enumerate(ranked):
        if rank % 500 == 0:
            # Built in a worker while the screen takes keys: let the screen's thread have the
            # GIL now and then, not only when the interpreter forces a switch (every 5 ms).
            time.sleep(0)
        words = _WORD.findall(terms[code].lower())
        searchable.append(" " + " ".join(words))
        for word in dict.fromkeys(words):
            postings.setdefault(word, []).append(rank)
    words = sorted(postings)
    return _Index(
        codes=codes,
        sorted_codes=sorted(codes),
        ranked=ranked,
        searchable=searchable,
        words=words,
        postings={word: tuple(found) for word, found in postings.items()},
        sizes=[len(postings[word]) for word in words],
    )


def _the_index() -> _Index:
    global _index
    if _index is None:
        with _lock:
            if _index is None:
                _index = _build()
    return _index


_BILLABLE = Path(__file__).with_name("data") / "icd10cm_billable.txt.gz"
_TERMS = Path(__file__).with_name("data") / "icd10cm_terms.txt.gz"
_HEADINGS = Path(__file__).with_name("data") / "icd10cm_headings.txt.gz"
_headings: dict[str, str] | None = None


def _the_headings() -> dict[str, str]:
    global _headings
    if _headings is None:
        text = gzip.decompress(_HEADINGS.read_bytes()).decode("utf-8")
        _headings = dict(line.split("\t", 1) for line in text.splitlines())
    return _headings


_billable: frozenset[str] | None = None


def billable_codes() -> frozenset[str]:
    """Every billable ICD-10-CM code, without dots, from the file shipped with the package."""
    global _billable
    if _billable is None:
        _billable = frozenset(gzip.decompress(_BILLABLE.read_bytes()).decode("ascii").split())
    return _billable


def code_set_terms() -> list[str]:
    """From simple_icd_10_cm: per billable code, "CODE<tab>description<tab>inclusion term...",
    whitespace made single spaces (a few terms hold tabs)."""
    import simple_icd_10_cm as cm

    lines = []
    for code in sorted({code for code in cm.get_all_codes(False) if cm.is_leaf(code)}):
        texts = [cm.get_description(code), *cm.get_inclusion_term(code)]
        lines.append("\t".join([code, *(" ".join(text.split()) for text in texts)]))
    return lines


def code_set_headings() -> dict[str, str]:
    """From simple_icd_10_cm: every code that is not billable (chapters and blocks such as
    "A00-A09" are not codes), with its description."""
    import simple_icd_10_cm as cm

    return {
        code: " ".join(cm.get_description(code).split())
        for code in cm.get_all_codes(False)
        if not cm.is_leaf(code) and _CODE_LIKE.match(code)
    }


def shipped_terms() -> list[str]:
    return gzip.decompress(_TERMS.read_bytes()).decode("utf-8").splitlines()


def shipped_headings() -> dict[str, str]:
    return dict(_the_headings())


def write_code_set() -> int:
    """Regenerate the shipped files from simple_icd_10_cm (after an upgrade of the code set)."""
    lines = code_set_terms()
    codes = [line.partition("\t")[0] for line in lines]
    headings = "\n".join(f"{code}\t{text}" for code, text in sorted(code_set_headings().items()))
    _BILLABLE.write_bytes(gzip.compress("\n".join(codes).encode("ascii"), 9, mtime=0))
    _TERMS.write_bytes(gzip.compress("\n".join(lines).encode("utf-8"), 9, mtime=0))
    _HEADINGS.write_bytes(gzip.compress(headings.encode("utf-8"), 9, mtime=0))
    return len(codes)


def preload_lists() -> None:
    """Read the shipped code lists (billable codes, headings) now: 30 ms, better spent in a
    worker than on the first diagnosis typed."""
    billable_codes()
    _the_headings()


def preload() -> None:
    """Read the code set and build the index now (seconds), e.g. in a worker at start-up."""
    _the_index()


def is_billable(code: str) -> bool:
    """A code that exists and is a leaf (J06.9 yes; J06, a category, no)."""
    return normalize(code) in billable_codes()


def exists(code: str) -> bool:
    """A code, billable or not (chapters and blocks such as "A00-A09" are not codes)."""
    code = normalize(code)
    if not _CODE_LIKE.match(code):
        return False
    return code in billable_codes() or code in _the_headings()


def description(code: str) -> str | None:
    """The code set's description of a code, billable or not; None when there is no such code."""
    code = normalize(code)
    if code in billable_codes():
        return _the_index().codes[code]
    return _the_headings().get(code)


def suggest(text: str, limit: int = 10) -> list[tuple[str, str]]:
    """Billable codes for what was typed, as (code with its dot, description).

    A code with or without its dot ("e11", "E11.6") gives the billable codes that
    start with it, in code order. Words ("type 2 diabetes") give the billable codes
    whose description has a word starting with each of them, the general codes
    first (shorter code, then shorter description: E11.9 before E11.621).
    """
    index = _the_index()
    typed = normalize(text)
    if _CODE_LIKE.match(typed):
        start = bisect.bisect_left(index.sorted_codes, typed)
        found = []
        for code in index.sorted_codes[start : start + limit]:
            if not code.startswith(typed):
                break
            found.append((display(code), index.codes[code]))
        if found:
            return found
    return _by_words(index, _WORD.findall(text.lower()), limit)


def _by_words(index: _Index, words: list[str], limit: int) -> list[tuple[str, str]]:
    if not words or limit < 1:
        return []
    words = list(dict.fromkeys(words))
    prefixes = [" " + word for word in words]
    # Walk the codes of the rarest word in rank order, checking the other words on them,
    # and stop at `limit`: a few hundred string checks at most for the usual query.
    start, end = min((_word_span(index, word) for word in words), key=_span_size(index))
    if end - start == 1:
        ranks: Iterable[int] = index.postings[index.words[start]]
    else:  # a prefix of several words ("diab": diabetes, diabetic): merge their ranks
        ranks = _unique(heapq.merge(*(index.postings[w] for w in index.words[start:end])))
    searchable = index.searchable
    best = islice((r for r in ranks if all(x in searchable[r] for x in prefixes)), limit)
    return [(display(code), index.codes[code]) for code in (index.ranked[r] for r in best)]


def _word_span(index: _Index, prefix: str) -> tuple[int, int]:
    """Where the description words starting with prefix are in index.words."""
    start = bisect.bisect_left(index.words, prefix)
    return start, bisect.bisect_left(index.words, prefix + "{")  # "{" sorts after [a-z0-9]


def _span_size(index: _Index):
    return lambda span: sum(index.sizes[span[0] : span[1]])


def _unique(ranks: Iterable[int]) -> Iterator[int]:
    previous = -1
    for rank in ranks:
        if rank != previous:
            yield rank
            previous = rank


if __name__ == "__main__":
    print(f"{write_code_set()} billable codes written to {_BILLABLE.parent}")
