"""The one mapping of rules/data-types.yml, both ways, with a source per row and nothing dropped."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flowaudit.datatypes import load_vocabulary
from flowaudit.errors import FlowauditError
from flowaudit.resources import rules_dir
from flowaudit.stores.mapping import APPLE, PLAY, load_mapping, read_mapping

# Apple's data types, as https://developer.apple.com/documentation/bundleresources/describing-data-use-in-privacy-manifests
# lists them: the mapping must hold every one, mapped or saying why not.
APPLE_TYPES = {
    f"NSPrivacyCollectedDataType{name}"
    for name in (
        "Name EmailAddress PhoneNumber PhysicalAddress OtherUserContactInfo Health Fitness PaymentInfo CreditInfo "
        "OtherFinancialInfo PreciseLocation CoarseLocation SensitiveInfo Contacts EmailsOrTextMessages "
        "PhotosorVideos AudioData GameplayContent CustomerSupport OtherUserContent BrowsingHistory SearchHistory "
        "UserID DeviceID PurchaseHistory ProductInteraction AdvertisingData OtherUsageData CrashData "
        "PerformanceData OtherDiagnosticData EnvironmentScanning Hands Head OtherDataTypes"
    ).split()
}


def test_every_apple_type_is_there() -> None:
    assert {row.id for row in load_mapping().apple} == APPLE_TYPES


def test_every_row_has_a_source_and_unmapped_rows_say_why() -> None:
    mapping = load_mapping()
    for row in (*mapping.apple, *mapping.play):
        assert row.source.startswith(("https://developer.apple.com/", "https://support.google.com/")), row
        assert bool(row.types) != bool(row.unmapped), row
    assert {r.id for r in mapping.play if not r.types} == {
        "PSL_CREDIT_SCORE", "PSL_OTHER", "PSL_AUDIO", "PSL_MUSIC", "PSL_OTHER_AUDIO", "PSL_CALENDAR",
        "PSL_FILES_AND_DOCS", "PSL_USER_GENERATED_CONTENT",
    }  # fmt: skip


def test_back_direction_is_each_types_own_label() -> None:
    """Writing: a flowaudit type becomes the store row its label names, and that row covers it (reading)."""
    mapping, vocabulary = load_mapping(), load_vocabulary()
    for data_type in vocabulary.ids:
        for store in (APPLE, PLAY):
            covering = mapping.covering(store, data_type)
            assert covering, (store, data_type)
            written = mapping.written_as(store, data_type, vocabulary)
            if written is not None:
                assert written in covering
    undecided = [t for t in vocabulary.ids if mapping.written_as(PLAY, t, vocabulary) is None]
    assert undecided == ["sensitive.traits", "user_content.media"]
    assert all(mapping.written_as(APPLE, t, vocabulary) is not None for t in vocabulary.ids)


def test_a_type_no_store_row_covers_is_an_error_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "data-types.yml"
    shutil.copy(rules_dir() / "data-types.yml", path)
    text = path.read_text().replace("types: [contacts.address_book]", "types: []", 1)
    path.write_text(text)
    with pytest.raises(FlowauditError) as caught:
        read_mapping(path)
    assert "does not say why" in caught.value.message
    assert caught.value.line is not None
    assert "NSPrivacyCollectedDataTypeContacts" in text.splitlines()[caught.value.line - 1]
