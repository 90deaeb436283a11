"""Values that stand for no value are no personal data, whoever finds them (leafrules.is_placeholder,
formats.hash_kind, formats.ip_address): on the external corpus's real requests and built ones."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest

from flowaudit.model import Observation
from flowaudit.payload.analyze import analyze
from flowaudit.payload.detectors import detect_generic, formats
from flowaudit.payload.detectors.leafrules import is_placeholder
from flowaudit.payload.model import DecodedRequest

External = Callable[[str, int], Observation]
JsonBody = Callable[..., DecodedRequest]


def _types(obs: Observation) -> set[str]:
    return {d.data_type for d in analyze(obs) if d.confidence != "possible"}


def test_an_unfilled_template_macro_is_no_id(external: External) -> None:
    """pagexray verizon, request 97: pixel.advertising.com/ups/28/sync?uid=%DID%."""
    assert not {t for t in _types(external("pagexray-verizon", 97)) if t.startswith("identifiers.")}


def test_the_hash_of_1_is_no_phone_number(external: External) -> None:
    """fb-pixel-inspector personalabs, request 214: TikTok's auto_phone_number is sha256("1")."""
    assert "contact.phone" not in _types(external("pixelinspector-personalabs", 214))


def test_a_lan_address_locates_nobody(external: External) -> None:
    """ReportHAR android run 1, request 10: Branch /v1/open local_ip 10.0.0.1 (documented field)."""
    assert "network.ip_address" not in _types(external("reporthar-android-run1", 10))


@pytest.mark.parametrize("text", ["", "1", "null", "<user_email_address>"])
@pytest.mark.parametrize("kind", ["md5", "sha1", "sha256"])
def test_digests_of_nothing(text: str, kind: str) -> None:
    digest = getattr(hashlib, kind)(text.encode()).hexdigest()
    assert formats.hash_kind(digest) is None and is_placeholder(digest)


@pytest.mark.parametrize(
    "value", ["%DID%", "$UID", "${USER_ID}", "[OrderId]", "[CACHEBUSTER]", "{{user_id}}", "__UID__"]
)
def test_template_macros(value: str) -> None:
    assert is_placeholder(value)


@pytest.mark.parametrize("value", ["$pageview", "$identify", "$device:abc123", "user-4242", "[1,2]"])
def test_real_values_are_no_templates(value: str) -> None:
    assert not formats.is_template(value)


def test_hashed_email_of_an_empty_field_beside_a_real_one(json_body: JsonBody) -> None:
    real = hashlib.sha256(b"jane.doe@example.com").hexdigest()
    empty = hashlib.sha256(b"").hexdigest()
    found = [
        d for d in detect_generic(json_body({"em": empty, "user": {"em": real}})) if d.data_type == "contact.email"
    ]
    assert [d.value for d in found] == [real]


@pytest.mark.parametrize("address", ["10.0.0.1", "192.168.1.20", "172.16.4.2", "100.64.0.1", "169.254.1.1", "fd00::1"])
def test_local_addresses(address: str) -> None:
    assert formats.ip_address(address) is None


@pytest.mark.parametrize("address", ["83.135.1.0", "8.8.8.8", "2a00:1450:4001:80e::200e", "203.0.113.9"])
def test_public_and_documentation_addresses(address: str) -> None:
    assert formats.ip_address(address) is not None


def test_a_hashed_postcode_or_city_is_profile_data(json_body: JsonBody) -> None:
    """Advertising match keys (Meta's udff[zp], udff[ct]): the postcode typed into a form, hashed."""
    postcode = hashlib.sha256(b"10115").hexdigest()
    city = hashlib.sha256(b"berlin").hexdigest()
    found = {d.location.rsplit(":", 1)[1]: d.data_type for d in detect_generic(json_body({"zp": postcode, "ct": city}))}
    assert found == {"zp": "contact.other", "ct": "contact.other"}
