"""The engine's payload analysis: what an id in an address is depends on who receives it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from flowaudit.catalog import load_catalog
from flowaudit.engine.analysis import PayloadAnalyzer
from flowaudit.inputs import open_inputs
from flowaudit.model import Observation
from flowaudit.payload.decode import decode_request

NEVADA = Path(__file__).resolve().parents[1] / "corpus" / "external" / "healthexchange-nevada" / "capture.har"


def _tapad_sync() -> Observation:
    """pixel.tapad.com/idsync/ex/receive?partner_id=2305&partner_device_id=<id> (entry 240)."""
    (found,) = [o for o in open_inputs([str(NEVADA)]) if o.index == 240]
    return found


def _device_ids(obs: Observation) -> set[str]:
    analyzer = PayloadAnalyzer(None, load_catalog())
    found = analyzer(obs, decode_request(obs))
    return {d.location for d in found if d.data_type == "identifiers.device_id" and d.confidence != "possible"}


def test_an_ad_tech_recipient_gets_a_browser_id() -> None:
    assert "query:partner_device_id" in _device_ids(_tapad_sync())


def test_the_same_address_to_an_unknown_host_says_nothing() -> None:
    """Not in the catalog: nothing says its business is tracking, so an id-named value is not read as one."""
    assert "query:partner_device_id" not in _device_ids(replace(_tapad_sync(), host="api.unknown-shop.example"))
