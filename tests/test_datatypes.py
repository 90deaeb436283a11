"""The data-type vocabulary read from rules/data-types.yml."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flowaudit.datatypes import DataTypeLabels, load_vocabulary, plain_name, read_vocabulary
from flowaudit.errors import FlowauditError
from flowaudit.resources import rules_dir


def test_groups_are_the_part_before_the_dot() -> None:
    vocabulary = load_vocabulary()
    assert vocabulary.groups["contact"] == (
        "contact.email",
        "contact.phone",
        "contact.name",
        "contact.address",
        "contact.other",
    )
    assert vocabulary.groups["usage"] == ("usage.interactions", "usage.search", "usage.advertising")
    assert vocabulary.groups["network"] == ("network.ip_address",)
    assert "contacts" in vocabulary.groups  # the address book is its own group, not "contact"
    assert all(i in vocabulary.groups[i.split(".")[0]] for i in vocabulary.ids)
    assert sum(len(members) for members in vocabulary.groups.values()) == len(vocabulary.ids)
    assert vocabulary.ids[0] == "contact.email"  # file order


def test_expand_an_id_a_group_and_an_unknown_name() -> None:
    vocabulary = load_vocabulary()
    assert vocabulary.expand("health.health") == ("health.health",)
    assert vocabulary.expand("health") == ("health.health", "health.fitness")
    assert "health" in vocabulary and "health.health" in vocabulary
    assert "healthy" not in vocabulary
    with pytest.raises(KeyError):
        vocabulary.expand("healthy")


def test_labels_name_both_store_disclosures() -> None:
    vocabulary = load_vocabulary()
    email = vocabulary.labels("contact.email")
    assert email == DataTypeLabels(
        "Contact Info / Email Address",
        "Personal info / Email address",
        "hashed (md5/sha1/sha256 of the normalised address) counts too",
        "Email address",
    )
    apple, google, note, name = vocabulary.labels("contact.name")
    assert (apple, google, note, name) == ("Contact Info / Name", "Personal info / Name", None, "Name")


def test_every_shipped_data_type_has_a_plain_name() -> None:
    """Reports show these names to people; the generated fallback is only for ids a file leaves unnamed."""
    text = (rules_dir() / "data-types.yml").read_text(encoding="utf-8")
    vocabulary = load_vocabulary()
    unnamed = [t for t in vocabulary.ids if not re.search(rf"^{re.escape(t)}:\s*{{name: ", text, re.MULTILINE)]
    assert unnamed == []
    assert plain_name("health.health") == "Health" and plain_name("future.thing") == "future.thing"
    names = [vocabulary.labels(t).name for t in vocabulary.ids]
    assert len(set(names)) == len(names)  # two types under one name would read as one


def test_suggestions() -> None:
    vocabulary = load_vocabulary()
    assert vocabulary.suggest("contact.emial")[0] == "contact.email"
    assert vocabulary.suggest("email")[0] == "contact.email"  # a bare member name finds its id
    assert vocabulary.suggest("ip_address") == ["network.ip_address"]
    assert vocabulary.suggest("usage.interaction")[0] == "usage.interactions"
    assert vocabulary.suggest("helth")[0] == "health"
    assert len(vocabulary.suggest("contact.emial", n=1)) == 1
    assert vocabulary.suggest("zzzzqqq") == []


def test_loaded_once() -> None:
    assert load_vocabulary() is load_vocabulary()


def test_bad_id_is_reported_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "data-types.yml"
    path.write_text('contact.email: {apple: "A", google: "G"}\nEmail: {apple: "A", google: "G"}\n', encoding="utf-8")
    with pytest.raises(FlowauditError, match=r"'group\.name'") as caught:
        read_vocabulary(path)
    assert caught.value.line == 2


def test_missing_label_is_reported_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "data-types.yml"
    path.write_text('contact.email: {apple: "A", google: "G"}\n\ncontact.phone: {apple: "A"}\n', encoding="utf-8")
    with pytest.raises(FlowauditError, match=r"`contact\.phone` needs `google:`") as caught:
        read_vocabulary(path)
    assert caught.value.line == 3


def test_unknown_label_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "data-types.yml"
    path.write_text('contact.email: {apple: "A", google: "G", nite: "n"}\n', encoding="utf-8")
    with pytest.raises(FlowauditError) as caught:
        read_vocabulary(path)
    assert caught.value.line == 1


def test_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "data-types.yml"
    path.write_text("- contact.email\n", encoding="utf-8")
    with pytest.raises(FlowauditError, match=r"the data-types file must be a mapping"):
        read_vocabulary(path)
