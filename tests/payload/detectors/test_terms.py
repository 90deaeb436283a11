"""The term lists (rules/terms/*.yml) and how ambiguous terms are resolved."""

from __future__ import annotations

import textwrap
from dataclasses import astuple
from pathlib import Path

import pytest

from flowaudit import cache
from flowaudit.errors import FlowauditError
from flowaudit.payload.detectors.terms import TermIndex, load_terms, read_terms, tokenize
from flowaudit.resources import rules_dir


def terms_in(text: str, index: TermIndex | None = None) -> set[str]:
    """The counted terms of one text treated as a whole request."""
    index = index or load_terms()
    words = tokenize(text)
    found = index.resolve(index.find(words), set(words))
    return {term.text for term in found}


def _contents(index: TermIndex) -> dict[str, list[tuple[object, ...]]]:
    return {surface: [astuple(t) for t in terms] for surface, terms in index._by_surface.items()}


def test_the_terms_kept_in_the_cache_are_the_terms_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache.folder_of_cache.cache_clear()
    read = _contents(read_terms(sorted((rules_dir() / "terms").glob("*.yml"))))
    try:
        for _ in ("made and kept", "read from the cache"):
            load_terms.cache_clear()
            assert _contents(load_terms()) == read
        assert [p.name.split("-")[0] for p in (tmp_path / "flowaudit").glob("terms-*")] == ["terms"]
    finally:
        load_terms.cache_clear()
        cache.folder_of_cache.cache_clear()


def test_every_language_file_loads_with_sources() -> None:
    files = sorted(p.stem for p in (rules_dir() / "terms").glob("*.yml"))
    assert files == ["ar", "de", "en", "es", "fr", "pt"]
    index = load_terms()
    languages = {lang for terms in index._by_surface.values() for t in terms for lang in t.language.split(", ")}
    assert languages == set(files)


def test_a_word_is_ambiguous_in_every_language_or_in_none() -> None:
    # One index serves all languages: a word plain in one list and ambiguous in another
    # would make the ambiguous entry useless.
    seen: dict[str, set[bool]] = {}
    for terms in load_terms()._by_surface.values():
        for term in terms:
            if len(term.words) == 1:
                seen.setdefault(term.words[0], set()).add(term.ambiguous)
    assert [word for word, kinds in seen.items() if len(kinds) > 1] == []


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("Symptom Logged type 2 diabetes", "diabetes"),
        ("Glycémie enregistrée", "glycémie"),
        ("diabete sans accent", "diabète"),
        ("registro de embarazo", "embarazo"),
        ("Blutzucker gemessen", "blutzucker"),
        ("pressão arterial alta", "pressão arterial"),
        ("مريض السكري", "سكري"),
        ("glucoseMgDl", "glucose"),
        ("migraines", "migraine"),
    ],
)
def test_terms_in_six_languages_as_whole_words(text: str, term: str) -> None:
    assert term in terms_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "billing_period monthly",
        "period afternoon temperature 21 pressure 1013",  # a weather app
        "body { font-weight: bold; line-height: 1.2 }",
        "emoji heart red_heart reaction",
        "billing_period cycle annual trial_period_days",  # ambiguous words do not vouch for each other
        "std::string std::vector",
        "codec avc1 avc",
        "Christian Dior",
        "hearing aids",
        "gluten free recipes",
    ],
)
def test_ambiguous_words_alone_are_no_health_data(text: str) -> None:
    assert terms_in(text) == set()


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("period heavy ovulation", "period"),
        ("period flow heavy", "period flow"),  # a phrase of a cycle log: plain
        ("heart rate 72 bpm", "heart rate"),
        ("weight 70 kg bmi", "weight"),
        ("cancer diagnosis chemotherapy", "cancer"),
        ("period diabetes", "period"),  # an unambiguous term of the group vouches
    ],
)
def test_ambiguous_words_in_context_count(text: str, term: str) -> None:
    assert term in terms_in(text)


def test_words_after_a_blocking_word_do_not_count() -> None:
    assert terms_in("trial period ovulation") == {"ovulation"}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "xx.yml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_bad_data_type_is_reported_at_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        language: en
        lists:
          - data_type: contact.email
            source: https://example.org/
            rationale: a test
            terms: [x]
        """,
    )
    with pytest.raises(FlowauditError) as raised:
        read_terms([path])
    assert raised.value.line == 3 and "health.* or sensitive.*" in raised.value.message


def test_an_ambiguous_term_needs_its_context(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        language: en
        lists:
          - data_type: health.health
            source: https://example.org/
            rationale: because
            terms: [diabetes]
            ambiguous:
              - term: period
                why: a span of time
        """,
    )
    with pytest.raises(FlowauditError) as raised:
        read_terms([path])
    assert raised.value.line == 8 and "context" in raised.value.message


@pytest.mark.parametrize("text", ["PeriodStart", "period_start", "period-start", "PERIOD_START", "periodStart logged"])
def test_a_cycle_trackers_period_start_counts_alone(text: str) -> None:
    assert terms_in(text) == {"period start"}


@pytest.mark.parametrize("text", ["current_period_start", "billing_period_start", "trialPeriodStart"])
def test_a_billing_period_start_is_none(text: str) -> None:
    assert terms_in(text) == set()


def test_a_mood_state_counts_beside_a_mood() -> None:
    assert terms_in("mood depressed") == {"mood", "depressed"}
    assert terms_in("button depressed") == set()


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("Stimmung deprimiert", "deprimiert"),
        ("humeur déprimée", "déprimée"),
        ("ánimo deprimida", "deprimida"),
        ("humor deprimido", "deprimido"),
        ("mood deprimido", "deprimido"),
    ],
)
def test_mood_states_in_other_languages(text: str, term: str) -> None:
    assert term in terms_in(text)
    assert terms_in(text.split()[-1]) == set()


def test_a_phrase_term_names_its_blocking_words(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        language: en
        lists:
          - data_type: health.health
            source: https://example.org/
            rationale: because
            terms:
              - diabetes
              - term: period start
                why: a cycle tracker's event
                not_after: [billing]
        """,
    )
    index = read_terms([path])
    assert terms_in("period start", index) == {"period start"}
    assert terms_in("billing period start", index) == set()


def test_a_phrase_term_without_why_is_reported_at_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        language: en
        lists:
          - data_type: health.health
            source: https://example.org/
            rationale: because
            terms:
              - term: period start
                not_after: [billing]
        """,
    )
    with pytest.raises(FlowauditError) as raised:
        read_terms([path])
    assert raised.value.line == 7 and "needs `why:`" in raised.value.message


def test_not_with_takes_single_words(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        language: en
        lists:
          - data_type: health.health
            source: https://example.org/
            rationale: because
            terms: [diabetes]
            ambiguous:
              - term: temperature
                why: also the weather's
                context: [fever]
                not_with: [feels like]
        """,
    )
    with pytest.raises(FlowauditError) as raised:
        read_terms([path])
    assert raised.value.line == 11 and "single words" in raised.value.message
