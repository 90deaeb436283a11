"""Key presses in the recording terminal become phases (no terminal needed to test the mapping)."""

from __future__ import annotations

from flowaudit.capture.keys import KeyMarkers


def keyboard() -> tuple[KeyMarkers, list[str], list[bool]]:
    phases: list[str] = []
    stops: list[bool] = []

    def on_phase(name: str) -> str | None:
        if " " in name:
            return f"invalid phase name {name!r}"
        phases.append(name)
        return None

    return KeyMarkers(on_phase, lambda: stops.append(True)), phases, stops


def press(keys: KeyMarkers, text: str) -> None:
    for key in text:
        keys.press(key)


def test_consent_keys() -> None:
    keys, phases, stops = keyboard()
    press(keys, "grwx")  # x means nothing
    assert phases == ["consent-granted", "consent-refused", "consent-withdrawn"]
    assert stops == []


def test_a_named_phase_is_typed_then_entered() -> None:
    keys, phases, _ = keyboard()
    press(keys, "n")
    assert keys.typing == ""
    press(keys, "checkoutz\x7f")  # a typo, erased
    assert keys.typing == "checkout" and phases == []
    press(keys, "\r")
    assert phases == ["checkout"] and keys.typing is None
    press(keys, "g")  # keys mean phases again once the name is entered
    assert phases == ["checkout", "consent-granted"]


def test_escape_cancels_typing_and_refusals_are_shown() -> None:
    keys, phases, _ = keyboard()
    press(keys, "nabc\x1b")
    assert keys.typing is None and phases == []
    press(keys, "ntwo words\r")
    assert phases == [] and keys.notice == "invalid phase name 'two words'"
    press(keys, "\r" + "n\r")  # an empty name does nothing
    assert phases == []


def test_q_stops() -> None:
    keys, _, stops = keyboard()
    press(keys, "q")
    assert stops == [True]
