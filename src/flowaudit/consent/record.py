"""A TC string as the result records it: every field a reader checks, and
the names of the vendors flowaudit knows (:mod:`flowaudit.consent.vendors`).

Vendor lists are bounded: a hostile string can consent to all 65535 ids,
and a report need not repeat them; the summary line says how many there were.
"""

from __future__ import annotations

from collections.abc import Callable

from flowaudit.consent.signals.tcf import TcString
from flowaudit.consent.vendors import vendor
from flowaudit.model import TcfRecord, TcfVendorName

# Vendor ids listed per field of a record (real strings carry several hundred).
MAX_VENDORS = 1000


def tcf_record(string: TcString, company_name: Callable[[str], str | None]) -> TcfRecord:
    """``company_name`` names a catalog company id (None: unknown)."""
    consented = sorted(string.vendors_consented)[:MAX_VENDORS]
    legitimate = sorted(string.vendors_legitimate_interest)[:MAX_VENDORS]
    names = []
    for vendor_id in sorted({*consented, *legitimate}):
        known = vendor(vendor_id)
        name = company_name(known.company_id) if known else None
        if name:
            names.append(TcfVendorName(vendor_id, name))
    return TcfRecord(
        cmp_id=string.cmp_id,
        cmp_version=string.cmp_version,
        vendor_list_version=string.vendor_list_version,
        policy_version=string.policy_version,
        publisher_country=string.publisher_country,
        purposes_consented=tuple(sorted(string.purposes_consented)),
        purposes_legitimate_interest=tuple(sorted(string.purposes_legitimate_interest)),
        special_features=tuple(sorted(string.special_feature_opt_ins)),
        vendors_consented=tuple(consented),
        vendors_legitimate_interest=tuple(legitimate),
        vendor_names=tuple(names),
    )
