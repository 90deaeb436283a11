"""Every kind of rules file: its schema rejects typos and wrong types at the right line,
every shipped file passes, and references between files are checked in a whole tree."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flowaudit.catalog import CATEGORIES, UNKNOWN
from flowaudit.catalog.overlay import OVERLAY
from flowaudit.resources import rules_dir
from flowaudit.rulesfiles import KINDS, validate, validate_file
from flowaudit.shape import schema

ADAPTER = """\
vendor: acme
name: Acme
service: acme
endpoints:
  - name: Events
    hosts: [events.acme.example]
    paths: [/track]
    source: https://docs.acme.example/events
    fields:
      - path: user.email
        type: contact.email
        source: https://docs.acme.example/events#user
"""
OVERLAY_FILE = """\
companies: [{id: acme, name: Acme Inc, source: "https://acme.example/about"}]
services:
  - id: acme_widgets
    company: acme
    name: Acme Widgets
    domains: [widgets.acme.example]
    category: analytics
    source: https://acme.example/widgets
"""
FIXTURE = """\
adapter: acme
requests:
  - name: a track call
    source: https://docs.acme.example/events#example
    method: POST
    url: https://events.acme.example/track
    body: '{"user": {"email": "jane@example.com"}}'
    expect: {contact.email: ['body > json:user.email']}
  - name: another endpoint
    source: https://docs.acme.example/events#example
    method: GET
    url: https://events.acme.example/config
    expect: {}
"""
MANIFEST = 'version: "2026.12.03"\noverlay_license: Apache-2.0\n'
TERMS = """\
language: en
lists:
  - data_type: health.health
    source: https://medlineplus.gov/healthtopics.html
    rationale: Conditions.
    terms:
      - diabetes
"""
DATA_TYPES = """\
contact.email: {name: Email, apple: A, google: G}

contact.phone: {apple: A, google: G}

stores:
  apple:
    NSPrivacyCollectedDataTypeEmailAddress: {label: A, types: [contact.email, contact.phone], source: "https://a.example"}
    NSPrivacyCollectedDataTypeAudioData: {label: Audio, types: [], unmapped: "no such type", source: "https://a.example"}
  play:
    PSL_EMAIL: {question: PSL_DATA_TYPES_PERSONAL, label: G, types: [contact.email, contact.phone], source: "https://g.example"}
"""
CATEGORY_LINES = "".join(f"{c}: Described.\n" for c in (*CATEGORIES, UNKNOWN))
LAST = len(CATEGORIES) + 1

# kind: where it sits, a valid text
FILES = {
    "adapter": ("adapters/acme.yml", ADAPTER),
    "adapter fixture": ("adapters/fixtures/acme.yml", FIXTURE),
    "catalog overlay": ("catalog/overlay/acme.yml", OVERLAY_FILE),
    "catalog manifest": ("catalog/catalog.yml", MANIFEST),
    "terms": ("terms/en.yml", TERMS),
    "data types": ("data-types.yml", DATA_TYPES),
    "categories": ("categories.yml", CATEGORY_LINES),
}
# kind, a replacement in its valid text, the line named, how the message starts (a typo'd key, then a wrong type)
MISTAKES = [
    ("adapter", "name: Acme\n", "nmae: Acme\n", 2, "unknown key 'nmae'"),
    ("adapter", "[/track]", "/track", 7, "`endpoints[0].paths` must be a list, not '/track'"),
    ("adapter fixture", "    expect: {}", "    expct: {}", 13, "unknown key 'expct'"),
    ("adapter fixture", "method: GET", "method: get", 11, "`requests[1].method` must be an HTTP method"),
    ("catalog overlay", "category:", "catgory:", 7, "unknown key 'catgory'"),
    ("catalog overlay", "[widgets.acme.example]", "widgets.acme.example", 6, "`services[0].domains` must be a list"),
    ("catalog manifest", "overlay_license", "overlay_licence", 2, "unknown key 'overlay_licence'"),
    ("catalog manifest", '"2026.12.03"', "2026", 1, "`version` must be text, not the number 2026"),
    ("terms", "rationale", "rationle", 5, "unknown key 'rationle'"),
    ("terms", "language: en", "language: 12", 1, "`language` must be text"),
    ("data types", "{apple: A, google", "{aple: A, google", 3, "unknown key 'aple'"),
    ("data types", "google: G}\n\n", "google: [G]}\n\n", 1, "`contact.email.google` must be text, not [G]"),
    (
        "data types",
        'types: [contact.email, contact.phone], source: "https://a',
        'types: [contact.mail], source: "https://a',
        7,
        "`stores.apple.NSPrivacyCollectedDataTypeEmailAddress` maps to 'contact.mail', which is not a data type",
    ),
    ("data types", 'types: [], unmapped: "no such type",', "types: [],", 8, "`stores.apple.NSPrivacyCollectedData"),
    ("categories", "unknown:", "unknwn:", LAST, "unknown key 'unknwn'"),
    ("categories", "unknown: Described.", "unknown: [x]", LAST, "`unknown` must be text, not [x]"),
]


def _write(root: Path, where: str, text: str) -> Path:
    path = root / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_every_kind_has_a_case() -> None:
    assert sorted(FILES) == sorted(kind.name for kind in KINDS)
    assert {mistake[0] for mistake in MISTAKES} == set(FILES)


@pytest.mark.parametrize("name", FILES)
def test_a_valid_file_passes(tmp_path: Path, name: str) -> None:
    assert validate_file(_write(tmp_path, *FILES[name])) == []


@pytest.mark.parametrize(("name", "old", "new", "line", "message"), MISTAKES)
def test_a_mistake_is_named_at_its_line(tmp_path: Path, name: str, old: str, new: str, line: int, message: str) -> None:
    where, text = FILES[name]
    assert old in text
    path = _write(tmp_path, where, text.replace(old, new, 1))
    first = validate_file(path)[0]
    assert (first.path, first.line) == (str(path), line), str(first)
    assert first.message.startswith(message), first.message
    assert str(first).startswith(f"{path}:{line}: {message}")


def test_every_shipped_rules_file_validates() -> None:
    result = validate([rules_dir()])
    assert [str(error) for error in result.errors] == []
    assert len(result.files) == len(list(rules_dir().rglob("*.yml")))
    assert {path.parent.name for path in result.files} >= {"adapters", "overlay", "terms", "catalog", "rules"}


def test_the_overlay_schema_names_the_model_categories() -> None:
    assert schema(OVERLAY)["$defs"]["service"]["properties"]["category"]["enum"] == list(CATEGORIES)


def test_a_file_elsewhere_is_known_by_its_keys(tmp_path: Path) -> None:
    path = _write(tmp_path, "somewhere/acme.yml", ADAPTER)
    assert validate_file(path) == []
    (error,) = validate_file(_write(tmp_path, "somewhere/other.yml", "hello: world\n"))
    assert (error.line, error.message) == (1, "cannot tell which kind of rules file this is")


def test_a_reader_check_the_schema_cannot_state(tmp_path: Path) -> None:
    (error,) = validate_file(_write(tmp_path, "adapters/acme.yml", ADAPTER.replace("contact.email", "contact.emial")))
    assert (error.line, error.message) == (11, "unknown data type 'contact.emial'")


def test_references_between_files_of_a_tree(tmp_path: Path) -> None:
    root = tmp_path / "rules"
    shutil.copytree(rules_dir(), root)
    bad = _write(root, "catalog/overlay/zz.yml", OVERLAY_FILE.replace("company: acme", "company: no_such_company"))
    (error,) = validate([root]).errors
    assert (error.path, error.line) == (str(bad), 3)
    assert "no_such_company" in error.message


def test_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    (error,) = validate([tmp_path]).errors
    assert error.message == "holds no rules files (*.yml)"
