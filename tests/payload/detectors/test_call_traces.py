"""Stack traces: a crash when the trace stands under its error; only possible when Java/JavaScript
frames come without one (formats.is_call_trace), as in a tag's log of who called it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from flowaudit.model import Observation
from flowaudit.payload.analyze import analyze
from flowaudit.payload.detectors import detect_generic
from flowaudit.payload.detectors.formats import is_call_trace
from flowaudit.payload.model import DecodedRequest

External = Callable[[str, int], Observation]
JsonBody = Callable[..., DecodedRequest]

_FRAMES = "    at Nt (https://cdn.example/t.js:2:6428)\n    at sa (https://cdn.example/t.js:2:34151)\n" + (
    "    at e.run (https://shop.example/:1920:153)\n    at k.invoke (https://tags.example/gtm.js:216:361)\n"
)


def _crash(found: list) -> dict[str, str]:
    return {d.location: d.confidence for d in found if d.data_type == "diagnostics.crash"}


def test_the_snap_pixel_s_own_call_trace_is_no_crash(external: External) -> None:
    """healthexchange maryland, request 212: tr.snapchat.com/p req[].log {"name": "TPFA", "message": "",
    "stack": "    at Nt (https://sc-static.net/scevent.min.js:2:6428)\\n…"}: frames, no error."""
    found = _crash(analyze(external("healthexchange-maryland", 212)))
    assert found and set(found.values()) == {"possible"}


@pytest.mark.parametrize(
    ("header", "confidence"),
    [
        ("TypeError: x is not a function\n", "likely"),
        ("Error\n", "likely"),
        ("java.lang.IllegalStateException: closed\n", "likely"),
        ("", "possible"),
    ],
)
def test_a_trace_is_a_crash_under_its_error(json_body: JsonBody, header: str, confidence: str) -> None:
    assert _crash(detect_generic(json_body({"log": {"trace": header + _FRAMES}}))) == {
        "body > json:log.trace": confidence
    }


@pytest.mark.parametrize(
    ("text", "call_trace"),
    [
        (_FRAMES, True),
        ("\tat com.acme.Foo.run(Foo.java:12)\n\tat com.acme.Main.main(Main.java:3)", True),
        ("Error: boom\n" + _FRAMES, False),
        ("#0  0x00007f3a in abort ()\n#1  0x00007f3b in main ()", False),  # native: not judged
        ("at least three things\n" + _FRAMES, False),  # words, not a frame
    ],
)
def test_call_traces(text: str, call_trace: bool) -> None:
    assert is_call_trace(text) is call_trace
