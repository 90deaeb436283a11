"""Requests that could not be fully decoded: counted once each, per reason, with examples."""

from __future__ import annotations

import gzip

from flowaudit.carried import CITED_FLOWS
from flowaudit.catalog import Catalog
from flowaudit.engine.analysis import PayloadAnalyzer
from flowaudit.engine.audit import Auditor
from flowaudit.engine.undecoded import UNDECODED_RECIPIENTS, UndecodedTally
from flowaudit.payload.model import DecodeProblem

from .conftest import obs


def test_requests_are_counted_not_problems() -> None:
    tally = UndecodedTally()
    tally.add(
        obs("https://api.mixpanel.com/track", n=1),
        (
            DecodeProblem("compression", "gzip data at body is damaged"),
            DecodeProblem("compression", "gzip data at body > json:x > base64 is damaged"),
            DecodeProblem("bound", "JSON nested over 64 levels"),
        ),
        "Mixpanel",
    )
    for n in range(2, 10):
        problems = (DecodeProblem("compression", f"damaged {n}"),)
        tally.add(obs("https://api.mixpanel.com/track", n=n), problems, "Segment" if n % 2 else "Mixpanel")
    tally.add(obs("https://api.mixpanel.com/track", n=10), (), "Mixpanel")
    assert tally.requests == 9
    compression, bound = tally.gaps()
    assert (compression.reason, compression.requests, bound.reason, bound.requests) == ("compression", 9, "bound", 1)
    assert len(compression.examples) == CITED_FLOWS
    assert compression.examples[0].flow == "cap.mitm#1"
    assert compression.examples[0].how == "gzip data at body is damaged"  # the first of that request
    assert compression.examples[0].request == "POST https://api.mixpanel.com/track"
    assert (compression.recipients, bound.recipients) == (("Mixpanel", "Segment"), ("Mixpanel",))  # busiest first


def test_recipients_named_are_bounded() -> None:
    tally = UndecodedTally()
    for n in range(1, UNDECODED_RECIPIENTS + 50):
        tally.add(obs(f"https://t{n}.example/x", n=n), (DecodeProblem("bomb", "refused"),), f"t{n}.example")
    [gap] = tally.gaps()
    assert gap.requests == UNDECODED_RECIPIENTS + 49 and len(gap.recipients) == UNDECODED_RECIPIENTS


def test_the_audit_result_carries_the_count(catalog: Catalog) -> None:
    auditor = Auditor(catalog, None, analyzer=PayloadAnalyzer(None, catalog))
    cut = gzip.compress(b'{"event": "Purchase"}' * 50)[:40]
    auditor.add(obs("https://api.mixpanel.com/track", n=1, body=cut, headers=(("Content-Encoding", "gzip"),)))
    auditor.add(obs("https://api.mixpanel.com/track", n=2, body=b'data={"event": "ok"}'))
    result = auditor.result(())
    assert result.undecoded == 1
    assert [(g.reason, g.requests, [e.flow for e in g.examples], g.recipients) for g in result.decode_gaps] == [
        ("compression", 1, ["cap.mitm#1"], ("Mixpanel",))
    ]
