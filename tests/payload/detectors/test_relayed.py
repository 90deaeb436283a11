"""Tokens of a request's address and cookies that may be ids handed on: proposed, never asserted."""

from __future__ import annotations

from flowaudit.model import Observation
from flowaudit.payload.decode import decode_request
from flowaudit.payload.detectors.relayed import relay_candidates


def _tokens(obs: Observation) -> dict[str, str]:
    """Proposed token -> where it is."""
    found = relay_candidates(decode_request(obs))
    assert all(d.confidence == "possible" and d.data_type == "identifiers.device_id" for d in found)
    return {d.value or "": d.location for d in found}


def test_an_unnamed_sync_parameter_is_proposed(external) -> None:
    """pixel.rubiconproject.com/tap.php?v=8981&nid=2307&put=<id>&…&next=https://match.adsrvr.org/…"""
    tokens = _tokens(external("healthexchange-nevada", 106))
    assert tokens == {"194a6433-0f95-476b-add3-f77ba3e6a10e": "query:put"}  # not v, nid, expires or the next URL


def test_ids_are_taken_out_of_the_receivers_syntax(external) -> None:
    """ib.adnxs.com/pxj?…&action=setuid('<id>') and delivery.swid.switchads.com/…?info=IPON:<id>."""
    assert _tokens(external("pagexray-nytimes", 274))["GBf2gkr9"] == "query:action"
    assert _tokens(external("pagexray-nytimes", 327))["9adfe02d-294c-4b08-81e3-733528cda4be"] == "query:info"


def test_cookies_are_proposed_whole_and_in_parts(external) -> None:
    """us-u.openx.net with its cookie i=<uuid>|<time>: the uuid is a token of its own."""
    tokens = _tokens(external("pagexray-nytimes", 213))
    assert tokens["87a70551-06b4-46ae-ef71-3fee7c95f4c7"] == "cookie:i"


def test_words_sizes_and_times_are_not_proposed(external) -> None:
    """quantserve pixel: labels, screen size 1920x1200x24, et=<epoch ms>: no token is an id."""
    tokens = _tokens(external("pagexray-nytimes", 227))
    assert "1440859427833" not in tokens and "1920x1200x24" not in tokens
    assert not any(t.startswith("http") for t in tokens)
