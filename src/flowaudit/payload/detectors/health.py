"""Health, fitness and sensitive terms in the keys and values of a request.

Each key and value is cut into words once and the words looked up in the
term index (one dictionary lookup a word); both are cached for short texts,
because SDKs send the same property names and values in request after
request. Ambiguous terms are resolved at the end against all the words of
the request (:meth:`~flowaudit.payload.detectors.terms.TermIndex.resolve`).

Words of code are not the user's: a crash report names methods
(``java.lang.Daemons$FinalizerWatchdogDaemon.sleepUntilNeeded``), classes
and source files (``HeartRateService.kt``). Qualified names, calls, source
file names and stack-frame lines are taken out of a text before it is cut,
and the fields of a stack frame (``method``, ``file``, ...) are not read.
A comma-separated list of twenty topics or more (a news home page's
``keywords``) is an index of what the page links to: its terms are not read.
A term a key name alone holds, in a key of three letters or fewer that
holds a flag (``mst=0``: "MST" is also any abbreviation), counts only
beside another term of its group; ``"hiv": "positive"`` and ``bmi=22.5``
count.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import NamedTuple

from flowaudit.payload.detectors import formats
from flowaudit.payload.detectors.evidence import hit, quote
from flowaudit.payload.detectors.families import FRAME_KEYS, in_crash_data
from flowaudit.payload.detectors.keys import fold, key_path, object_location
from flowaudit.payload.detectors.leafrules import DETECTOR, LIKELY
from flowaudit.payload.detectors.terms import Term, load_terms, tokenize
from flowaudit.payload.model import Detection, Leaf

TERM_PARTS = frozenset({"query", "body"})  # not the request path or headers: the app's data, not the address
_MAX_TEXT = 50_000
_WHAT = {"health.health": "health", "health.fitness": "fitness", "sensitive.traits": "sensitive"}


# Entries: enough for the names and values SDKs repeat, small enough to be reached early in a
# capture, so memory stays flat after (each holds a text's words and terms). The repeated ones are
# few: on the bench captures 128 entries hit as often as 512 (20,000 flows: 75,941 hits, 337 misses
# against 75,942 and 336; 100,000 flows: 375,906 and 1,131 against 375,919 and 1,118; 64 entries:
# 357 misses), while 512 filled only after 30,000 flows and so grew the peak past 10,000 flows.
_CACHE_SIZE = 1 << 7
_CACHED_TEXT = 300  # words and terms of shorter texts are cached: SDKs send the same names and values again
_HAS_DIGIT = re.compile(r"\d")
_NO_WORDS = re.compile(r"[\d\s.,:;+\-/TZ]*")  # numbers, timestamps, dates


# Code inside a text: a qualified name of three or more parts (java.lang.Thread.sleep), a call of a
# qualified name (Thread.sleep(), a source file (HeartRate.kt:12); not inside a URL, path or address.
_CODE = re.compile(
    r"(?<![\w/.:@$-])(?:"
    r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$<][\w$<>]*){2,}(?:\([^)\s]*\)?)?"
    r"|[A-Za-z_$][\w$]*\.[A-Za-z_$][\w$]*\("
    r"|[\w$-]+\.(?:java|kt|kts|swift|m|mm|js|mjs|cjs|ts|tsx|jsx|py|dart|cs|cpp|cc|c|h|go|rb|scala|smali)\b(?::\d+)*"
    r")"
)


def _without_code(text: str) -> str:
    if "." not in text:
        return text
    return _CODE.sub(" ", formats.without_stack_frames(text))


def _cut(text: str) -> tuple[frozenset[str], tuple[Term, ...]]:
    words = tokenize(_without_code(text))
    index = load_terms()
    return index.telling.intersection(words), tuple(index.find(words))


_cut_cached = lru_cache(maxsize=_CACHE_SIZE)(_cut)


_NOTHING: tuple[frozenset[str], tuple[Term, ...]] = (frozenset(), ())


def words_and_terms(text: str) -> tuple[frozenset[str], tuple[Term, ...]]:
    """The words of a key or value that can tell how a term reads (:attr:`TermIndex.telling`:
    the words a request's, a key path's or an object's words are asked for), and the terms
    among all its words (cached for short texts). Most texts hold no such word and no term:
    :func:`term_facts` then has nothing for :class:`TermScan`, which sees fewer leaves.

    Numbers, dates and identifiers (one long token with digits: ids, hashes,
    tokens, base64) hold no words; they are passed over uncut, which is most
    of the values of a request. URLs are cut: a page address can name a condition.
    """
    if not text or (text[0].isdigit() and _NO_WORDS.fullmatch(text)):
        return _NOTHING
    if len(text) >= 16 and " " not in text and not text.startswith("http") and _HAS_DIGIT.search(text):
        return _NOTHING
    return _cut_cached(text) if len(text) <= _CACHED_TEXT else _cut(text[:_MAX_TEXT])


_TOPICS = 20  # items of a comma-separated list that make it an index of topics


def _topic_index(value: str) -> bool:
    """A list of many topics (a news home page's ``keywords`` of 94 subjects): it names what a
    page links to, not what the visitor is or has; one term among them says nothing of anyone."""
    return value.count(",") >= _TOPICS and len(value) > 4 * _TOPICS


_ABBREVIATION = 3  # a key name this short is an abbreviation: "mst", "hiv", "pms" may stand for anything
_FLAGS = frozenset({"", "0", "1", "-1", "true", "false", "yes", "no", "on", "off", "null", "none", "nil", "undefined"})


class TermFacts(NamedTuple):
    """A key and value cut into words, and the terms among them."""

    name: str
    key_words: frozenset[str]  # those that can tell how a term reads (words_and_terms)
    key_terms: tuple[Term, ...]
    value_words: frozenset[str]  # idem
    value_terms: tuple[Term, ...]


# A key name and its words and terms (:func:`words_and_terms`): what :func:`term_facts` reads in a value's place.
TermKey = tuple[str, tuple[frozenset[str], tuple[Term, ...]]]


def term_key(leaf: Leaf, name: str, key: tuple[frozenset[str], tuple[Term, ...]] | None = None) -> TermKey | None:
    """The name a value's words are read under, with its words and terms; None for a stack
    frame's method, file or class (code). ``key`` is :func:`words_and_terms` of the name when
    the caller has it. Depends on the value's place only, so callers work it out once per place."""
    if fold(name) in FRAME_KEYS and in_crash_data(key_path(leaf.location)[:-1]):
        return None
    return name, key if key is not None else words_and_terms(name)


def term_facts(key: TermKey, value: str) -> TermFacts | None:
    """The words and terms of one key (:func:`term_key`) and value; None when neither holds a
    word (nothing for :meth:`TermScan.add` to take)."""
    name, (key_words, key_terms) = key
    value_words, value_terms = _NOTHING if _topic_index(value) else words_and_terms(value)
    if not (key_words or value_words or key_terms or value_terms):
        return None
    return TermFacts(name, key_words, key_terms, value_words, value_terms)


class _Eligible(NamedTuple):
    leaf: Leaf
    name: str
    key_terms: tuple[Term, ...]
    value_terms: tuple[Term, ...]
    value_words: frozenset[str]


class TermScan:
    """Collects a request's eligible leaves, then finds the terms in them.

    Most requests hold no term at all: their words are then never needed, so they are
    gathered (:meth:`_gather`) only when a leaf holds a term."""

    def __init__(self) -> None:
        self._index = load_terms()
        self._said: list[tuple[Leaf, TermFacts]] = []
        self._leaves: list[_Eligible] = []
        self._words: set[str] = set()
        self._keys: list[tuple[str, str | None, frozenset[str]]] = []  # (location, key, words of the key)
        self._object_keys: dict[str, set[str]] | None = None  # object location -> words of its keys, when asked

    def add(self, leaf: Leaf, said: TermFacts) -> None:
        """One key and value, as :func:`term_facts` cut them."""
        self._said.append((leaf, said))
        if said.key_terms or said.value_terms:
            self._leaves.append(_Eligible(leaf, said.name, said.key_terms, said.value_terms, said.value_words))

    def _gather(self) -> None:
        """The words of the request, and of each key."""
        for leaf, said in self._said:
            self._words.update(said.key_words)
            self._words.update(said.value_words)
            if said.key_words:
                self._keys.append((leaf.location, leaf.key, said.key_words))
        self._said = []  # gathered once, however often detections are asked for

    def _beside(self, eligible: _Eligible) -> set[str]:
        """The words next to a value: its key path and itself (:meth:`_object_words` adds its object's keys)."""
        near = set(eligible.value_words)
        for name in key_path(eligible.leaf.location):
            near.update(words_and_terms(name)[0])
        return near

    def _object_words(self, leaf: Leaf) -> set[str]:
        """The words of the keys of the object holding a value."""
        if self._object_keys is None:  # built once, for the few requests that need it
            self._object_keys = {}
            for location, key, key_words in self._keys:
                self._object_keys.setdefault(object_location(location, key), set()).update(key_words)
        return self._object_keys.get(object_location(leaf.location, leaf.key), set())

    def _not_with(self, term: Term, eligible: _Eligible, near: set[str]) -> bool:
        """Whether a word that makes the term something else stands next to it (``near``: :meth:`_beside`).
        Its object's keys are looked at only when the request holds such a word at all: they are
        among the request's words."""
        if not term.not_with.isdisjoint(near):
            return True
        if term.not_with.isdisjoint(self._words):
            return False
        return not term.not_with.isdisjoint(self._object_words(eligible.leaf))

    def _located(self) -> list[tuple[Leaf, str, str, Term, bool]]:
        """(leaf, name, "key" or "value", term, weak) for every term that is not something else where
        it stands; weak: an abbreviation key holding a flag."""
        located: list[tuple[Leaf, str, str, Term, bool]] = []
        for eligible in self._leaves:
            near: set[str] | None = None
            for where, terms in (("key", eligible.key_terms), ("value", eligible.value_terms)):
                for term in terms:
                    if term.not_with:
                        near = self._beside(eligible) if near is None else near
                        if self._not_with(term, eligible, near):
                            continue  # a temperature beside "humidity" is the weather's
                    weak = (
                        where == "key"
                        and not term.ambiguous
                        and len(fold(eligible.name)) <= _ABBREVIATION
                        and eligible.leaf.value.strip().lower() in _FLAGS
                    )
                    located.append((eligible.leaf, eligible.name, where, term, weak))
        return located

    def detections(self, described: Mapping[str, tuple[str, str, str]] | None = None) -> list[Detection]:
        """The term detections; ``described`` maps a location to the (field, detector, source)
        of a vendor adapter that documents it, to name the field and its documentation in the evidence."""
        if not self._leaves:
            return []
        self._gather()
        located = self._located()
        counted = self._index.resolve((item[3] for item in located if not item[4]), self._words)
        groups = {term.data_type for term in counted}
        counted.update(item[3] for item in located if item[4] and item[3].data_type in groups)
        # Per place, the plainest evidence first: an unambiguous term, in the value rather than the key.
        located.sort(key=lambda item: (item[3].ambiguous, item[2] == "key"))
        found: dict[tuple[str, str], Detection] = {}
        for leaf, name, where, term, _weak in located:
            if term not in counted or (leaf.location, term.data_type) in found:
                continue
            place = f"key '{name}'" if where == "key" else f"value of '{name}'" if name else "a value"
            how = f"{_WHAT[term.data_type]} term '{term.text}' ({term.language}) in {place}"
            detector, source = DETECTOR + "terms", ""
            if described and leaf.location in described:
                field, detector, source = described[leaf.location]
                how = f"{field}: {how}"
            found[(leaf.location, term.data_type)] = hit(
                leaf, term.data_type, LIKELY, how, quote(term.text), detector, source=source
            )
        return list(found.values())
