"""An HTTP request's observation, made slot by slot when its texts are ASCII: the same as the
dataclass makes it, whichever way."""

from __future__ import annotations

import pytest

from flowaudit.inputs.flowobs import http_observation
from flowaudit.model import Observation


@pytest.mark.parametrize(
    ("path", "header"),
    [
        (b"/collect?v=2", b"text/plain"),  # ASCII throughout: made slot by slot
        (b"/caf\xc3\xa9?q=\xff", b"text/plain"),  # a UTF-8 path and a raw byte
        (b"/collect", "caf\u00e9".encode()),  # a UTF-8 header
        (b"/collect", b"\xff\xfe"),  # a header that is not UTF-8
    ],
)
def test_an_http_observation_is_the_one_the_dataclass_makes(path: bytes, header: bytes) -> None:
    headers = [(b"Host", b"Api.Example.com"), (b"Content-Type", header)]
    obs = http_observation(
        "cap.mitm", 3, {"flowaudit.phase": "login"}, method=b"post", scheme=b"https", host="10.0.0.1", port=443,
        path=path, http_version=b"HTTP/1.1", authority=b"", headers=headers, content=b"{}", status=200,
        timestamp=1.5,
    )  # fmt: skip
    assert obs is not None and type(obs) is Observation
    made = Observation(
        ref="cap.mitm#3", source="cap.mitm", index=3, kind="http", method="POST", scheme="https",
        host="api.example.com", port=443, path=path.decode("utf-8", "surrogateescape"),
        request_headers=(("Host", "Api.Example.com"), ("Content-Type", _text(header))),
        body=b"{}", status=200, timestamp=1.5, phase="login",
    )  # fmt: skip
    assert obs == made and hash(obs) == hash(made) and repr(obs) == repr(made)


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")
