"""Google consent mode parameters. gcs values as documented at
https://pietromingotti.com/consent-mode-parameters (G100, G101, G110, G111);
gcd strings as shown in https://www.perspection.app/library/google-consent-mode-v2-gcs-gcd-parameters-decoded
(11p1t1p1t5) and the Analytics Debugger "Google Consent Parser" README
(13r3r3r3r5l1, 13r3r3r2r5l1), plus strings seen on GA4 hits."""

from __future__ import annotations

import pytest

from flowaudit.consent.signals.google import GoogleConsent, decode_dma, decode_dma_cps, decode_gcd, decode_gcs
from flowaudit.consent.signals.undecodable import Undecodable


@pytest.mark.parametrize(
    ("text", "ad", "analytics", "choice"),
    [
        ("G100", "denied", "denied", "refused"),
        ("G111", "granted", "granted", "granted"),
        ("G101", "denied", "granted", "partial"),
        ("G110", "granted", "denied", "partial"),
        ("G1--", None, None, "not-set"),
    ],
)
def test_gcs(text: str, ad: str | None, analytics: str | None, choice: str) -> None:
    gcs = decode_gcs(text)
    assert isinstance(gcs, GoogleConsent)
    assert [t.state for t in gcs.types] == [ad, analytics]
    assert gcs.choice == choice
    assert not gcs.updated


@pytest.mark.parametrize(
    ("text", "states", "updated", "choice"),
    [
        ("11p1t1p1t5", ["denied", "granted", "denied", "granted"], False, "partial"),
        ("13r3r3r3r5l1", ["granted"] * 4, True, "granted"),
        ("13r3r3r2r5l1", ["granted"] * 4, True, "granted"),
        ("13q3q3q2q5l1", ["denied"] * 4, True, "refused"),
        ("11p1p1p1p5", ["denied"] * 4, False, "refused"),
        ("11t1t1t1t5", ["granted"] * 4, False, "granted"),
        ("11l1l1l1l5", [None] * 4, False, "not-set"),
        ("13v3v3u3u5", ["granted", "granted", "denied", "denied"], True, "partial"),
    ],
)
def test_gcd(text: str, states: list[str | None], updated: bool, choice: str) -> None:
    gcd = decode_gcd(text)
    assert isinstance(gcd, GoogleConsent)
    assert [t.name for t in gcd.types] == ["ad_storage", "analytics_storage", "ad_user_data", "ad_personalization"]
    assert [t.state for t in gcd.types] == states
    assert (gcd.updated, gcd.choice) == (updated, choice)


def test_gcd_keeps_default_and_update_apart() -> None:
    gcd = decode_gcd("13r3r3r2r5l1")
    assert isinstance(gcd, GoogleConsent)
    assert (gcd.types[0].default, gcd.types[0].update) == ("denied", "granted")
    assert "ad_storage denied by default, granted by update" in gcd.summary()


def test_gcd_letter_outside_the_documented_nine_is_unknown_not_guessed() -> None:
    gcd = decode_gcd("13e3r3r2r5")
    assert isinstance(gcd, GoogleConsent)
    assert not gcd.types[0].known and gcd.types[0].state is None
    assert "ad_storage unknown" in gcd.summary()
    assert gcd.choice == "granted"  # decided by the three known letters


@pytest.mark.parametrize("text", ["G200", "G1", "G10x", "100", ""])
def test_malformed_gcs(text: str) -> None:
    assert isinstance(decode_gcs(text), Undecodable)


@pytest.mark.parametrize("text", ["1", "11p1p1p1p", "1xp1p1p1p5", "11p1p1p1-5", "gcd"])
def test_malformed_gcd(text: str) -> None:
    assert isinstance(decode_gcd(text), Undecodable)


def test_dma() -> None:
    dma = decode_dma("1")
    assert not isinstance(dma, Undecodable) and dma.applies
    cps = decode_dma_cps("syphamo")
    assert not isinstance(cps, Undecodable) and cps.services == "syphamo"
    none = decode_dma_cps("-")
    assert not isinstance(none, Undecodable) and none.services == ""
    assert "none" in none.summary()
    assert isinstance(decode_dma("yes"), Undecodable)
    assert isinstance(decode_dma_cps("SYP"), Undecodable)
