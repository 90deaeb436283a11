"""Single-value tracking switches (sources in flowaudit.consent.signals.flags)."""

from __future__ import annotations

import pytest

from flowaudit.consent.signals.flags import (
    AttStatus,
    DataProcessingOptions,
    Switch,
    decode_att_status,
    decode_data_processing_options,
    decode_switch,
    is_zero_id,
)
from flowaudit.consent.signals.undecodable import Undecodable


@pytest.mark.parametrize(("text", "on"), [("1", True), ("0", False), ("true", True), ("False", False), (" 0 ", False)])
def test_switch(text: str, on: bool) -> None:
    switch = decode_switch("advertiser_tracking_enabled", text)
    assert isinstance(switch, Switch) and switch.on is on


def test_switch_malformed() -> None:
    result = decode_switch("advertiser_tracking_enabled", "maybe")
    assert isinstance(result, Undecodable) and result.format == "advertiser_tracking_enabled"


@pytest.mark.parametrize(
    ("text", "status", "allows"),
    [("0", "not-determined", False), ("1", "restricted", False), ("2", "denied", False), ("3", "authorized", True)],
)
def test_att_status_codes_of_apple_and_adjust(text: str, status: str, allows: bool) -> None:
    # https://dev.adjust.com/en/sdk/ios/features/att: 0 not determined, 1 restricted, 2 denied, 3 authorized.
    att = decode_att_status(text)
    assert isinstance(att, AttStatus) and (att.status, att.allows_tracking) == (status, allows)


def test_att_status_malformed() -> None:
    assert isinstance(decode_att_status("denied"), Undecodable)


@pytest.mark.parametrize(
    ("text", "ldu"),
    [('["LDU"]', True), ("[]", False), ("LDU", True), ('["ldu"]', True)],  # Meta's documented forms
)
def test_data_processing_options(text: str, ldu: bool) -> None:
    dpo = decode_data_processing_options(text)
    assert isinstance(dpo, DataProcessingOptions) and dpo.limited_data_use is ldu


@pytest.mark.parametrize("text", ['["LDU"', "[1, 2]", '{"a": 1}'])
def test_data_processing_options_malformed(text: str) -> None:
    assert isinstance(decode_data_processing_options(text), Undecodable)


@pytest.mark.parametrize(
    ("value", "zero"),
    [
        ("00000000-0000-0000-0000-000000000000", True),
        ("00000000000000000000000000000000", True),
        ("38400000-8cf0-11bd-b23e-10b96e40000d", False),  # Google's example AAID
        ("0", False),
        ("0000-0000", False),
        ("", False),
    ],
)
def test_zero_id(value: str, zero: bool) -> None:
    assert is_zero_id(value) is zero
