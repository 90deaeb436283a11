"""Health, fitness and sensitive terms, read from ``rules/terms/*.yml``.

The word lists are data (one file per language, each list with a source and
a rationale) so that a reviewer can check and extend them without reading
code. Matching is by whole words after normalising case, accents and
Arabic spelling variants; a text is cut into words once and each word is a
set lookup, so the cost does not grow with the size of the lists.

Some words are health words only in context: "period" is also a span of
time (``period=monthly``), "weight" a font weight, "heart" a like button,
"cycle", "pressure" and "temperature" are everywhere. Such a term is listed
as *ambiguous* with the context words that make it a health term; it
counts only when one of them, or an unambiguous term of the same group,
occurs in the same request (:meth:`TermIndex.resolve`). Its ``not_after``
words, just before it, make it something else ("font weight", "billing
period"); its ``not_with`` words, next to it (in its key path, its
object's keys or its value), say what it measures instead: a temperature
beside ``humidity`` and ``wind`` is the weather's, a pressure in ``hPa``
the air's (:class:`~flowaudit.payload.detectors.health.TermScan` applies them).

A phrase that is unambiguous although its first word is not ("period
start", the event a cycle tracker sends) is listed plainly as a mapping
with ``term``, ``why`` and ``not_after`` ("current period start" is
Stripe's billing field).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from flowaudit import cache as kept
from flowaudit import shape
from flowaudit.datatypes import load_vocabulary
from flowaudit.errors import FlowauditError
from flowaudit.resources import rules_dir
from flowaudit.shape import Shape
from flowaudit.yamlsource import YamlDoc, load_yaml

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_WORD = re.compile(r"[^\W_]+")
_ASCII_SEPARATORS = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum()})
# Arabic: ta marbuta and alif maqsura are spelt either way in the wild.
_ARABIC_MAP = str.maketrans({"ة": "ه", "ى": "ي", "ـ": ""})
# Arabic writes "the", "and the", "with the", "for the" onto the word.
_ARABIC_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال")
TERMS = Shape("flowaudit.payload.detectors", "terms.schema.json", whole="the terms file")


_CAMEL_MAX = 300  # camelCase is how names are written (keys, event names), not prose: long texts skip it


def _fold_text(text: str) -> str:
    if len(text) > _CAMEL_MAX:
        text = text.lower()
    elif not text.islower():
        text = _CAMEL.sub(" ", text).lower()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_ARABIC_MAP)


def _canonical(word: str) -> str:
    if "\u0600" <= word[0] <= "\u06ff":
        for prefix in _ARABIC_PREFIXES:
            if word.startswith(prefix) and len(word) - len(prefix) >= 3:
                return word[len(prefix) :]
    return word


def tokenize(text: str) -> list[str]:
    """Lower-case words without accents: ``"SymptomLogged"`` -> ``["symptom", "logged"]``."""
    folded = _fold_text(text)
    if folded.isascii():  # the common case, four times faster than the regular expression
        return folded.translate(_ASCII_SEPARATORS).split()
    return [_canonical(w) for w in _WORD.findall(folded)]


def _surfaces(word: str) -> tuple[str, ...]:
    """How a term's word may appear: itself and, for Latin-script words, a plural in -s/-es."""
    if len(word) > 3 and word.isascii() and word.isalpha():
        return (word, word + "s", word + "es")
    return (word,)


@dataclass(frozen=True, slots=True, eq=False)  # identity: each term is one object, hashed often
class Term:
    text: str  # as written in the list
    data_type: str
    language: str
    words: tuple[str, ...]  # tokenised
    context: tuple[tuple[str, ...], ...] = ()  # empty: unambiguous
    not_after: frozenset[str] = frozenset()  # a preceding word that makes it something else ("font weight")
    not_with: frozenset[str] = frozenset()  # a word beside it that makes it something else (weather "humidity")

    @property
    def ambiguous(self) -> bool:
        return bool(self.context)


class TermIndex:
    """All term lists, indexed by first word."""

    def __init__(self, terms: Iterable[Term]) -> None:
        # The same word in several languages ("symptom": de, en) is one term naming them all.
        merged: dict[tuple[object, ...], Term] = {}
        for term in terms:
            same = (term.words, term.data_type, term.context, term.not_after, term.not_with)
            kept = merged.get(same)
            if kept is None:
                merged[same] = term
            elif term.language not in kept.language.split(", "):
                merged[same] = replace(kept, language=f"{kept.language}, {term.language}")
        self.terms = tuple(merged.values())  # each once (kept so, a language list merges nothing again)
        by_surface: dict[str, list[Term]] = {}
        for term in self.terms:
            for surface in _surfaces(term.words[0]):
                by_surface.setdefault(surface, []).append(term)
        # Longest phrase first, so "heart rate" is tried before "heart".
        self._by_surface = {w: tuple(sorted(ts, key=lambda t: -len(t.words))) for w, ts in by_surface.items()}
        self.surfaces = frozenset(self._by_surface)
        # The only words a request's, a key path's or an object's words are asked for: an
        # ambiguous term's context words and the words that make a term something else there.
        self.telling = frozenset(
            word for term in self.terms for words in (*term.context, term.not_with) for word in words
        )

    def find(self, words: Sequence[str]) -> list[Term]:
        """The terms occurring in a tokenised text, each once; at each place the longest
        phrase wins ("heart rate", not "heart")."""
        present = self.surfaces.intersection(words)  # most texts: empty, found in C
        if not present:
            return []
        found: list[Term] = []
        positional: set[str] = set()
        for word in sorted(present):  # a set's order changes from run to run; reports must not
            candidates = self._by_surface[word]
            if len(candidates) == 1 and len(candidates[0].words) == 1 and not candidates[0].not_after:
                found.append(candidates[0])  # a plain word: where it stands does not matter
            else:
                positional.add(word)
        if positional:
            seen = {id(term) for term in found}
            for position, word in enumerate(words):
                if word not in positional:
                    continue
                for term in self._by_surface[word]:
                    size = len(term.words)
                    if size > 1 and tuple(words[position + 1 : position + size]) != term.words[1:]:
                        continue
                    if position and words[position - 1] in term.not_after:
                        continue
                    if id(term) not in seen:
                        seen.add(id(term))
                        found.append(term)
                    break
        return found

    @staticmethod
    def resolve(hits: Iterable[Term], request_words: set[str]) -> set[Term]:
        """The terms that count in a request: unambiguous ones, and ambiguous ones in context.

        An ambiguous term counts when one of its context entries (all of
        its words) occurs in the request, or when the request also holds an
        unambiguous term of the same group (health, sensitive).
        """
        found = set(hits)
        groups = {t.data_type.split(".", 1)[0] for t in found if not t.ambiguous}
        counted: set[Term] = set()
        for term in found:
            if not term.ambiguous or term.data_type.split(".", 1)[0] in groups:
                counted.add(term)
            elif any(all(w in request_words for w in entry) for entry in term.context):
                counted.add(term)
        return counted


@cache
def load_terms() -> TermIndex:
    """The shipped term lists, read and checked once per content of the files, the
    data types and this code; the terms are kept in the cache (cutting ~800 terms
    into words was a fortieth of a small audit)."""
    paths = sorted((rules_dir() / "terms").glob("*.yml"))
    entry = kept.files_key([rules_dir() / "data-types.yml", Path(__file__), *paths])
    fields = kept.cached("terms", entry, lambda: [astuple(term) for term in TermIndex(_read_all(paths)).terms])
    return TermIndex(Term(*values) for values in fields)


def read_terms(paths: Iterable[Path]) -> TermIndex:
    """Read term files; any mistake is a :class:`FlowauditError` naming file and line."""
    return TermIndex(_read_all(paths))


def _read_all(paths: Iterable[Path]) -> list[Term]:
    terms: list[Term] = []
    for path in paths:
        terms.extend(_read_file(load_yaml(path)))
    return terms


def _read_file(doc: YamlDoc) -> list[Term]:
    """One language's terms; the shape is :data:`TERMS`, what it cannot say is checked here."""
    shape.check(doc, TERMS)
    language: str = doc.value["language"]
    terms: list[Term] = []
    for index, entry in enumerate(doc.value["lists"]):
        terms.extend(_read_list(doc, language, ("lists", index), entry))
    return terms


def _read_list(doc: YamlDoc, language: str, where: tuple[object, ...], entry: dict[str, Any]) -> list[Term]:
    data_type: str = entry["data_type"]
    if data_type not in load_vocabulary().ids:
        raise _error(doc, (*where, "data_type"), f"'{data_type}' is not a data type of rules/data-types.yml")
    terms = [_read_plain(doc, language, data_type, (*where, "terms", i), item) for i, item in enumerate(entry["terms"])]
    for i, item in enumerate(entry.get("ambiguous") or []):
        terms.append(_read_ambiguous(doc, language, data_type, (*where, "ambiguous", i), item))
    return terms


def _read_plain(doc: YamlDoc, language: str, data_type: str, where: tuple[object, ...], item: Any) -> Term:
    """A plain term: text, or a phrase with the words before it that make it something else."""
    if isinstance(item, str):
        return Term(item, data_type, language, _words(doc, where, item))
    not_after = _word_set(item["not_after"])
    return Term(item["term"], data_type, language, _words(doc, (*where, "term"), item["term"]), not_after=not_after)


def _word_set(value: list[str] | None) -> frozenset[str]:
    return frozenset(w for c in value or () for w in tokenize(c))


def _read_ambiguous(doc: YamlDoc, language: str, data_type: str, where: tuple[object, ...], item: Any) -> Term:
    context = tuple(_words(doc, (*where, "context", i), c) for i, c in enumerate(item["context"]))
    for i, word in enumerate(item.get("not_with") or ()):
        if len(tokenize(word)) != 1:
            raise _error(
                doc, (*where, "not_with", i), "`not_with` lists single words (a phrase would match its parts alone)"
            )
    text = item["term"]
    return Term(
        text,
        data_type,
        language,
        _words(doc, (*where, "term"), text),
        context,
        _word_set(item.get("not_after")),
        _word_set(item.get("not_with")),
    )


def _words(doc: YamlDoc, where: tuple[object, ...], text: str) -> tuple[str, ...]:
    words = tuple(tokenize(text))
    if not words:
        raise _error(doc, where, f"'{text}' has no letters to match")
    return words


def _error(doc: YamlDoc, where: tuple[object, ...], message: str) -> FlowauditError:
    return FlowauditError(message, path=doc.path, line=doc.line_of(where))
