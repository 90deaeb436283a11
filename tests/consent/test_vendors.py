"""The curated TCF vendor table, and how a TC string is recorded with it."""

from __future__ import annotations

from dataclasses import replace

from flowaudit.catalog import load_catalog
from flowaudit.consent.record import MAX_VENDORS, tcf_record
from flowaudit.consent.signals import decode_tcf
from flowaudit.consent.signals.tcf import TcString
from flowaudit.consent.vendors import VENDORS, vendor, vendor_ids

# @iabtcf/core 1.5.6 (tests/e2e/data/consent/strings.mjs): purposes 1-10, vendors 91 and 755.
TC_GRANTED = "CQKjTcAQKjTcAAKACAENCWFIAP_AAAAAAAYgF5wAgAtgLzAAAAAA.IF5wAgAtgLzA"


def test_every_vendor_is_a_catalog_company_with_a_source() -> None:
    catalog = load_catalog()
    assert len({v.id for v in VENDORS}) == len(VENDORS)
    for v in VENDORS:
        catalog.company(v.company_id)  # raises KeyError for an unknown company
        assert v.source.startswith("https://github.com/prebid/Prebid.js/blob/8660b47"), v


def test_vendor_ids_speak_for_advertising_services_only() -> None:
    assert vendor_ids("google", "advertising") == (755,)
    assert vendor_ids("google", "analytics") == ()  # 755 is Google Advertising Products
    assert vendor_ids("mixpanel", "analytics") == ()
    assert vendor(91) is not None and vendor(4242) is None


def test_a_record_names_the_vendors_it_can_and_is_bounded() -> None:
    string = decode_tcf(TC_GRANTED)
    assert isinstance(string, TcString)
    names = {"criteo": "Criteo", "google": "Google"}
    record = tcf_record(string, names.get)
    assert [(v.id, v.name) for v in record.vendor_names] == [(91, "Criteo"), (755, "Google")]
    hostile = replace(string, vendors_consented=frozenset(range(1, 65536)))
    huge = tcf_record(hostile, names.get)
    assert len(huge.vendors_consented) == MAX_VENDORS
