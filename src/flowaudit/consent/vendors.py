"""Which catalog company each IAB TCF vendor id stands for.

A TC string consents (or not) vendor by vendor, by the id each vendor got
when it registered on IAB Europe's Global Vendor List. To judge a request
by the consent of the company that receives it, flowaudit must know which
catalog company a vendor id is.

The Global Vendor List itself is not shipped: its terms do not clearly
allow redistributing a copy or a subset, so this table is curated. Each
mapping names its source: the vendor id that the vendor's own adapter
declares in Prebid.js (``gvlid``, the id Prebid.js enforces TCF consent
for), at commit 8660b4704c12fa878afa2e061adef0699aac3a28. Vendor names
shown in reports are the catalog's company names, not the list's.

Only the major ad-tech vendors are listed; any other id is reported by
number, and a company not listed here is never judged by vendor consent
(nothing is claimed about it). A vendor id covers the company's advertising
services only: Google's 755 is "Google Advertising Products", which says
nothing about Google Analytics.
"""

from __future__ import annotations

from dataclasses import dataclass

_PREBID = "https://github.com/prebid/Prebid.js/blob/8660b4704c12fa878afa2e061adef0699aac3a28/"


@dataclass(frozen=True, slots=True)
class TcfVendor:
    id: int  # the Global Vendor List id
    company_id: str  # the catalog company
    source: str  # where the id is stated for this company


VENDORS: tuple[TcfVendor, ...] = (
    # Google's PAIR id module declares Google's vendor id (Google Advertising Products).
    TcfVendor(755, "google", _PREBID + "modules/pairIdSystem.js#L47"),
    TcfVendor(10, "index_exchange", _PREBID + "modules/ixBidAdapter.js#L41"),
    TcfVendor(13, "sovrn", _PREBID + "modules/sovrnBidAdapter.js#L41"),
    TcfVendor(16, "rtb_house", _PREBID + "modules/rtbhouseBidAdapter.js"),
    TcfVendor(21, "the_trade_desk", _PREBID + "modules/ttdBidAdapter.js#L292"),
    TcfVendor(25, "yahoo", _PREBID + "modules/yahooAdsBidAdapter.js#L10"),
    TcfVendor(28, "triplelift", _PREBID + "modules/tripleliftBidAdapter.js"),
    TcfVendor(32, "appnexus", _PREBID + "modules/appnexusBidAdapter.js"),
    TcfVendor(42, "taboola", _PREBID + "modules/taboolaBidAdapter.js"),
    TcfVendor(45, "smart_adserver", _PREBID + "modules/equativBidAdapter.js#L78"),
    TcfVendor(52, "rubicon_project", _PREBID + "modules/rubiconBidAdapter.js"),
    TcfVendor(61, "gumgum", _PREBID + "modules/gumgumBidAdapter.js#L843"),
    TcfVendor(69, "openx", _PREBID + "modules/openxBidAdapter.js#L15"),
    TcfVendor(76, "pubmatic", _PREBID + "modules/pubmaticBidAdapter.js#L741"),
    TcfVendor(80, "sharethrough", _PREBID + "modules/sharethroughBidAdapter.js#L55"),
    TcfVendor(91, "criteo", _PREBID + "modules/criteoBidAdapter.js"),
    TcfVendor(131, "id5-sync", _PREBID + "modules/id5IdSystem.js"),
    TcfVendor(132, "teads", _PREBID + "modules/teadsBidAdapter.js"),
    TcfVendor(142, "media.net", _PREBID + "libraries/medianetUtils/constants.js#L21"),
    TcfVendor(164, "outbrain", _PREBID + "modules/outbrainBidAdapter.js"),
    TcfVendor(173, "yieldmo", _PREBID + "modules/yieldmoBidAdapter.js#L33"),
    TcfVendor(253, "improve_digital", _PREBID + "modules/improvedigitalBidAdapter.js#L34"),
    TcfVendor(972, "kargo", _PREBID + "modules/kargoBidAdapter.js#L15"),
)

_BY_COMPANY: dict[str, tuple[int, ...]] = {}
for _vendor in VENDORS:
    _BY_COMPANY[_vendor.company_id] = (*_BY_COMPANY.get(_vendor.company_id, ()), _vendor.id)
_BY_ID = {v.id: v for v in VENDORS}


# The service categories a vendor id speaks for.
VENDOR_CATEGORIES = frozenset({"advertising"})


def vendor_ids(company_id: str, category: str) -> tuple[int, ...]:
    """The TCF vendor ids of a catalog company's services of ``category``
    (none when it is not listed, or the category is not advertising)."""
    return _BY_COMPANY.get(company_id, ()) if category in VENDOR_CATEGORIES else ()


def vendor(vendor_id: int) -> TcfVendor | None:
    return _BY_ID.get(vendor_id)
