"""base64 and JWT are recognised strictly: tokens, ids and hashes must not be 'decoded' into noise."""

from __future__ import annotations

import base64
import json

import pytest

from flowaudit.payload.decode.textcodes import base64_decode, is_text, jwt_payload


@pytest.mark.parametrize(
    ("encoded", "step"),
    [
        (base64.b64encode(b'{"email": "jane.doe@example.com"}').decode(), "base64"),
        (base64.b64encode(b"SEGMENT_WRITE_KEY_abc123:").decode(), "base64"),
        (base64.urlsafe_b64encode(b'{"a": "\xff\xfe?>"}').decode().rstrip("="), "base64url"),
        (base64.b64encode(b"jane.doe@example.com").decode().rstrip("="), "base64"),  # padding dropped
    ],
)
def test_base64_is_decoded(encoded: str, step: str) -> None:
    found = base64_decode(encoded)
    assert found is not None and found[0] == step
    assert found[1] == base64.b64decode(encoded.replace("-", "+").replace("_", "/") + "=" * (-len(encoded) % 4))


@pytest.mark.parametrize(
    "not_base64",
    [
        "0123456789abcdef0123456789abcdef",  # a hex token: all lower case
        "e94f7cdf-a501-4762-90bb-9118d0ca52cb",  # a UUID
        "5F4DCC3B5AA765D61D8327DEB882CF99",  # upper-case hex
        "17950000014191795000",  # digits
        "short",
        "Has spaces in it, so no",
        "abc+def-ghiJKLmnop",  # both alphabets at once
        "QUJDRA=x==",  # padding in the middle
        "QUJDREVGR0hJSktMTU5PU",  # 21 characters: no base64 text has a length of 1 mod 4
    ],
)
def test_strings_that_are_not_base64(not_base64: str) -> None:
    assert base64_decode(not_base64) is None


def test_jwt_payload() -> None:
    def part(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    token = f"{part({'alg': 'HS256'})}.{part({'sub': 'user-4242', 'email': 'jane.doe@example.com'})}.c2lnbmF0dXJl"
    payload = jwt_payload(token)
    assert payload is not None and json.loads(payload) == {"sub": "user-4242", "email": "jane.doe@example.com"}
    assert jwt_payload("eyJhbGciOiJIUzI1NiJ9.only-two") is None
    assert jwt_payload("not.a.jwt") is None


def test_is_text() -> None:
    assert is_text("plain\ttext\r\nwith breaks")
    assert not is_text("\n\x14stanleygvi@gmail.com\x10c")
