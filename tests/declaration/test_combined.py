"""Several --declared paths together: sniffed by content, folders searched, one flowaudit.yml."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flowaudit.catalog import Catalog, load_catalog
from flowaudit.declaration.combined import load_declared
from flowaudit.errors import FlowauditError

MANIFESTS = Path(__file__).resolve().parents[1] / "data/stores/manifests"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_store_files_alone_declare_types_not_recipients(tmp_path: Path, catalog: Catalog) -> None:
    manifest = tmp_path / "renamed.txt"  # sniffed by content, not by name
    shutil.copy(MANIFESTS / "sentry/PrivacyInfo.xcprivacy", manifest)
    declaration = load_declared((str(manifest),), catalog)
    assert declaration is not None and declaration.path == str(manifest)
    assert declaration.recipients == () and not declaration.names_recipients
    assert [i.type_id for i in declaration.store.apple_items()][0] == "NSPrivacyCollectedDataTypeCrashData"


def test_a_folder_app_manifest_first_then_sdks_each_once(tmp_path: Path, catalog: Catalog) -> None:
    (tmp_path / "App").mkdir()
    shutil.copy(MANIFESTS / "mixpanel/PrivacyInfo.xcprivacy", tmp_path / "App/PrivacyInfo.xcprivacy")
    for sdk in ("sentry", "amplitude"):
        where = tmp_path / "Pods" / sdk / "Resources"
        where.mkdir(parents=True)
        shutil.copy(MANIFESTS / sdk / "PrivacyInfo.xcprivacy", where / "PrivacyInfo.xcprivacy")
    (tmp_path / "Pods/notes.csv").write_text("a,b\n1,2\n")  # a CSV that is not a Data safety export
    again = str(tmp_path / "App/PrivacyInfo.xcprivacy")
    declaration = load_declared((str(tmp_path), again), catalog)
    assert declaration is not None
    assert [Path(f.path).relative_to(tmp_path).as_posix() for f in declaration.files] == [
        "App/PrivacyInfo.xcprivacy",
        "Pods/amplitude/Resources/PrivacyInfo.xcprivacy",
        "Pods/sentry/Resources/PrivacyInfo.xcprivacy",
    ]


def test_two_flowaudit_files_are_refused(tmp_path: Path, catalog: Catalog) -> None:
    for name in ("a.yml", "b.yml"):
        (tmp_path / name).write_text("app: X\n")
    with pytest.raises(FlowauditError, match="a second flowaudit.yml"):
        load_declared((str(tmp_path / "a.yml"), str(tmp_path / "b.yml")), catalog)


def test_a_folder_without_store_files_is_refused(tmp_path: Path, catalog: Catalog) -> None:
    (tmp_path / "readme.md").write_text("nothing here\n")
    with pytest.raises(FlowauditError, match="holds no privacy manifest"):
        load_declared((str(tmp_path),), catalog)


def test_one_path_as_a_string_is_one_path(catalog: Catalog) -> None:
    declaration = load_declared(str(MANIFESTS / "sentry/PrivacyInfo.xcprivacy"), catalog)
    assert declaration is not None and len(declaration.files) == 1
