"""`flowaudit rules list --data-types`: the store mapping, both ways, nothing dropped."""

from __future__ import annotations

from .conftest import flowaudit


def test_data_types_prints_both_directions_and_the_unmapped() -> None:
    run = flowaudit("rules", "list", "--data-types", env={"COLUMNS": "400"})
    assert run.code == 0, run.err
    out = run.out
    assert "Apple privacy manifest -> flowaudit" in out and "Google Play Data safety -> flowaudit" in out
    assert "flowaudit -> stores (written as)" in out
    apple = next(line for line in out.splitlines() if "NSPrivacyCollectedDataTypeDeviceID " in line)
    assert "identifiers.advertising_id, identifiers.device_id, identifiers.hardware_id" in apple
    assert "https://developer.apple.com/documentation/bundleresources/describing-data-use-in-privacy-manifests" in apple
    calendar = next(line for line in out.splitlines() if "PSL_CALENDAR" in line)
    assert "unmapped: flowaudit detects no calendar data" in calendar
    back = next(line for line in out.splitlines() if line.lstrip("│ ").startswith("contact.email "))
    assert "NSPrivacyCollectedDataTypeEmailAddress" in back and "PSL_EMAIL" in back
    assert "18 store types have no flowaudit type (listed above with why); none is dropped." in out


def test_data_types_and_adapters_do_not_go_together() -> None:
    run = flowaudit("rules", "list", "--data-types", "--adapters")
    assert run.code == 2 and "give --adapters or --data-types, not both" in run.err


def test_in_a_pipe_no_cell_folds_an_id_or_a_link() -> None:
    """A CI log is 80 columns wide, yet every store id, data type and source
    link is printed whole, searchable and copyable, in every listing."""
    for listing in (("--data-types",), ("--adapters",), ()):
        run = flowaudit("rules", "list", *listing, env={"COLUMNS": "80"})
        assert run.code == 0, run.err
        words = set(run.out.replace("│", " ").replace(",", " ").split())
        if listing == ("--data-types",):
            assert {"NSPrivacyCollectedDataTypeDeviceID", "identifiers.advertising_id", "PSL_CALENDAR"} <= words
            apple = "https://developer.apple.com/documentation/bundleresources/describing-data-use-in-privacy-manifests"
            assert f"{apple}#Contact-info" in words
        elif listing == ("--adapters",):
            assert "me-client.eservice.emarsys.net" in words
            sdk = "https://github.com/emartech/android-emarsys-sdk/blob/"
            assert any(w.startswith(sdk) and w.endswith(".kt") for w in words)
        else:
            assert {"undeclared-recipient", "tracking-before-consent"} <= words
