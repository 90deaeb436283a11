"""Value formats: each test names the look-alike it must refuse."""

from __future__ import annotations

import pytest

from flowaudit.payload.detectors import formats


def test_emails_but_not_asset_names() -> None:
    assert formats.is_email("jane.doe@example.com")
    assert not formats.is_email("icon@2x.png")
    assert formats.emails_in('set_user({"email": "jane.doe@example.com"})') == ["jane.doe@example.com"]
    assert formats.emails_in("background: url(logo@3x.webp)") == []


def test_hash_kinds_by_length_and_not_padding() -> None:
    assert formats.hash_kind("a" * 31 + "b") is None
    assert formats.hash_kind("0" * 64) is None
    assert formats.hash_kind("86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d") == "sha256"
    assert formats.hash_kind("5d41402abc4b2a76b9719d911017c592") == "md5"


def test_phone_numbers() -> None:
    assert formats.phone_digits("+1 (555) 010-0123") == "15550100123"
    assert formats.phone_digits("06 12 34 56 78") == "0612345678"
    assert formats.phone_digits("+0123456789") is None  # no country code starts with 0
    assert formats.phone_digits("1111111") is None
    assert formats.is_e164("+15550100") and not formats.is_e164("15550100")


def test_ip_addresses_but_not_versions_loopback_or_timestamps() -> None:
    assert formats.ip_address("203.0.113.9") == "v4"
    assert formats.ip_address("2001:db8::1") == "v6"
    assert formats.ip_address("127.0.0.1") is None
    assert formats.ip_address("0.0.0.0") is None
    assert formats.ip_address("156.0.8078.79") is None
    assert formats.ip_address("1795374704.453141") is None


def test_imei_luhn_and_mac_placeholders() -> None:
    assert formats.is_imei("490154203237518")
    assert not formats.is_imei("490154203237519")
    assert formats.is_mac("a4:83:e7:12:34:56")
    assert not formats.is_mac("02:00:00:00:00:00")  # what iOS and Android return instead of the real MAC


def test_coordinates() -> None:
    assert formats.coordinate_pair("48.8566,2.3522") == (48.8566, 2.3522, 4)
    assert formats.coordinate_pair("48.9, 2.4") == (48.9, 2.4, 1)
    assert formats.coordinate_pair("91.0,2.0") is None
    assert formats.coordinate("48.8566", 90) == (48.8566, 4)


def test_stack_frames() -> None:
    java = "java.lang.NullPointerException\n\tat com.acme.Main.run(Main.java:12)\n\tat com.acme.Main.main(Main.java:3)"
    python = 'Traceback (most recent call last):\n  File "app.py", line 8, in <module>\n    1 / 0\n'
    assert formats.stack_frames(java) == 2
    assert formats.stack_frames(python) == 1
    assert formats.stack_frames("one line") == 0


@pytest.mark.parametrize(
    ("value", "random"),
    [
        ("CSKYSThCVckT9UgSI24QQs-axeW", True),  # google_gid of pagexray-nytimes entry 299: two digits only
        ("AHNF13KW4zuY-5OyL4EYZx-W-ZWOWuBmkwP8hq8", True),
        ("SubscribeNowBar1Hover", False),  # a label in camel case
        ("userProfileSettingsPage2", False),
        ("Homepage_Top_Banner_728x90", False),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZ", False),  # no digit, one case
    ],
)
def test_random_tokens(value: str, random: bool) -> None:
    assert formats.looks_like_random_token(value) is random


def test_a_math_random_number_but_not_a_ga_client_id() -> None:
    assert formats.is_random_fraction("0.8251692656672585")
    assert not formats.is_random_fraction("763269471.1460587089")  # GA's <random>.<time> client id
    assert not formats.is_random_fraction("0.5")  # a ratio or a price, not a random draw
    assert not formats.is_random_fraction("10.8251692656672585")


def test_a_random_number_stamped_with_its_time_is_generated_but_not_a_product_code() -> None:
    assert formats.looks_generated("1619586456_1599559358")  # Ascend's uid: <random>_<unix seconds>
    assert not formats.looks_generated("4242_1599559358")  # too short a number before the time
    assert not formats.looks_generated("1619586456_9999999999")  # no time of this century after it
