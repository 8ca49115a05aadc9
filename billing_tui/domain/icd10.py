"""ICD-10-CM diagnosis codes: normalize, display, billable or not, and suggestions as a person types.

A thin wrapper over simple_icd_10_cm, imported on first use: reading its code
set takes about 2 seconds, and indexing its 74,000 billable (leaf) codes about
half a second more (30 MB), so the editor calls preload() in a worker before
the first keystroke needs it. After that a suggestion takes well under a
millisecond (a query of only very common words, a few milliseconds).

Whether a code is billable is asked far more often (the scrubber, every claim
of an 837 batch) and needs none of that: the billable codes ship with the
package (data/icd10cm_billable.txt.gz, 170 KB, read in ~15 ms), made from
simple_icd_10_cm by `python -m billing_tui.domain.icd10`; a test checks that
the two agree, so a new code set release cannot slip by unnoticed.
"""

from __future__ import annotations

import bisect
import gzip
import heapq
import re
import threading
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
    import simple_icd_10_cm as cm  # the code set: ~2 s to read, so only when first needed

    codes = {c: cm.get_description(c) for c in cm.get_all_codes(False) if cm.is_leaf(c)}
    ranked = sorted(codes, key=lambda code: (len(code), len(codes[code]), code))
    postings: dict[str, list[int]] = {}
    searchable = []
    for rank, code in enumerate(ranked):
        words = _WORD.findall(codes[code].lower())
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
_billable: frozenset[str] | None = None


def billable_codes() -> frozenset[str]:
    """Every billable ICD-10-CM code, without dots, from the file shipped with the package."""
    global _billable
    if _billable is None:
        _billable = frozenset(gzip.decompress(_BILLABLE.read_bytes()).decode("ascii").split())
    return _billable


def write_billable_codes() -> int:
    """Regenerate the shipped file from simple_icd_10_cm (after an upgrade of the code set)."""
    import simple_icd_10_cm as cm

    codes = sorted({code for code in cm.get_all_codes(False) if cm.is_leaf(code)})
    _BILLABLE.write_bytes(gzip.compress("\n".join(codes).encode("ascii"), 9, mtime=0))
    return len(codes)


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
    if code in billable_codes():
        return True
    import simple_icd_10_cm as cm

    return cm.is_valid_item(code)


def description(code: str) -> str | None:
    """The code set's description of a code, billable or not; None when there is no such code."""
    code = normalize(code)
    found = _the_index().codes.get(code)
    if found is not None or not exists(code):
        return found
    import simple_icd_10_cm as cm

    return cm.get_description(code)


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
    print(f"{write_billable_codes()} billable codes written to {_BILLABLE}")
