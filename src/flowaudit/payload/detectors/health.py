"""Health, fitness and sensitive terms in the keys and values of a request.

Each key and value is cut into words once and the words looked up in the
term index (one dictionary lookup a word); both are cached for short texts,
because SDKs send the same property names and values in request after
request. Ambiguous terms are resolved at the end against all the words of
the request (:meth:`~flowaudit.payload.detectors.terms.TermIndex.resolve`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from flowaudit.payload.detectors.evidence import hit, quote
from flowaudit.payload.detectors.leafrules import DETECTOR, LIKELY
from flowaudit.payload.detectors.terms import Term, load_terms, tokenize
from flowaudit.payload.model import Detection, Leaf

TERM_PARTS = frozenset({"query", "body"})  # not the request path or headers: the app's data, not the address
_MAX_TEXT = 50_000
_WHAT = {"health.health": "health", "health.fitness": "fitness", "sensitive.traits": "sensitive"}


_CACHE_SIZE = 1 << 12  # entries: enough for the names and values SDKs repeat, small enough to stay flat
_CACHED_TEXT = 300  # words and terms of shorter texts are cached: SDKs send the same names and values again
_HAS_DIGIT = re.compile(r"\d")
_NO_WORDS = re.compile(r"[\d\s.,:;+\-/TZ]*")  # numbers, timestamps, dates


def _cut(text: str) -> tuple[frozenset[str], tuple[Term, ...]]:
    words = tokenize(text)
    return frozenset(words), tuple(load_terms().find(words))


_cut_cached = lru_cache(maxsize=_CACHE_SIZE)(_cut)


_NOTHING: tuple[frozenset[str], tuple[Term, ...]] = (frozenset(), ())


def words_and_terms(text: str) -> tuple[frozenset[str], tuple[Term, ...]]:
    """The words of a key or value, and the terms among them (cached for short texts).

    Numbers, dates and identifiers (one long token with digits: ids, hashes,
    tokens, base64) hold no words; they are passed over uncut, which is most
    of the values of a request. URLs are cut: a page address can name a condition.
    """
    if not text or (text[0].isdigit() and _NO_WORDS.fullmatch(text)):
        return _NOTHING
    if len(text) >= 16 and " " not in text and not text.startswith("http") and _HAS_DIGIT.search(text):
        return _NOTHING
    return _cut_cached(text) if len(text) <= _CACHED_TEXT else _cut(text[:_MAX_TEXT])


class TermScan:
    """Collects a request's eligible leaves, then finds the terms in them."""

    def __init__(self) -> None:
        self._index = load_terms()
        self._leaves: list[tuple[Leaf, str, tuple[Term, ...], tuple[Term, ...]]] = []
        self._words: set[str] = set()

    def add(
        self, leaf: Leaf, name: str, value: str, key: tuple[frozenset[str], tuple[Term, ...]] | None = None
    ) -> None:
        """One key and value; ``key`` is :func:`words_and_terms` of the name when the caller has it."""
        key_words, key_terms = key if key is not None else words_and_terms(name)
        value_words, value_terms = words_and_terms(value)
        self._words.update(key_words)
        self._words.update(value_words)
        if key_terms or value_terms:
            self._leaves.append((leaf, name, key_terms, value_terms))

    def detections(self, described: Mapping[str, tuple[str, str]] | None = None) -> list[Detection]:
        """The term detections; ``described`` maps a location to the (field, detector) of a
        vendor adapter that documents it, to name the field in the evidence."""
        if not self._leaves:
            return []
        words = self._words
        located = [
            (leaf, name, where, term)
            for leaf, name, key_terms, value_terms in self._leaves
            for where, terms in (("key", key_terms), ("value", value_terms))
            for term in terms
        ]
        counted = self._index.resolve((term for *_, term in located), words)
        # Per place, the plainest evidence first: an unambiguous term, in the value rather than the key.
        located.sort(key=lambda item: (item[3].ambiguous, item[2] == "key"))
        found: dict[tuple[str, str], Detection] = {}
        for leaf, name, where, term in located:
            if term not in counted or (leaf.location, term.data_type) in found:
                continue
            place = f"key '{name}'" if where == "key" else f"value of '{name}'" if name else "a value"
            how = f"{_WHAT[term.data_type]} term '{term.text}' ({term.language}) in {place}"
            detector = DETECTOR + "terms"
            if described and leaf.location in described:
                field, detector = described[leaf.location]
                how = f"{field}: {how}"
            found[(leaf.location, term.data_type)] = hit(leaf, term.data_type, LIKELY, how, quote(term.text), detector)
        return list(found.values())
