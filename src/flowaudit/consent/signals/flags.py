"""The single-value tracking switches that app SDKs and browsers send.

Each is a documented field whose value says whether the user (or the
device) allows tracking:

- Meta app events: ``advertiser_tracking_enabled`` (0 when iOS App Tracking
  Transparency is not authorised) and ``application_tracking_enabled`` (0
  when the user opted out in the app):
  https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/app-data/
- Meta Limited Data Use: ``data_processing_options=["LDU"]``:
  https://developers.facebook.com/docs/marketing-apis/data-processing-options
- Adjust: ``att_status`` 0-3 (not determined, restricted, denied,
  authorised; https://dev.adjust.com/en/sdk/ios/features/att) and
  ``tracking_enabled`` 0 when Limit Ad Tracking is on
  (https://dev.adjust.com/en/api/s2s-api/s2s-developer-guide).
- AppsFlyer: ``att`` 0-3, the same ATT status
  (https://dev.appsflyer.com/hc/reference/s2s-events-api3-post,
  https://support.appsflyer.com/hc/en-us/articles/360014090597).
- Segment: ``context.device.adTrackingEnabled``
  (https://segment.com/docs/connections/spec/common/).
- An advertising id of all zeros: what iOS returns when tracking is not
  authorised and Android after the user deletes the id
  (https://developer.apple.com/documentation/adsupport/asidentifiermanager/advertisingidentifier,
  https://support.google.com/googleplay/android-developer/answer/6048248).
- Global Privacy Control: the ``Sec-GPC: 1`` request header
  (https://privacycg.github.io/gpc-spec/).
"""

from __future__ import annotations

from dataclasses import dataclass

from flowaudit.consent.signals.undecodable import Undecodable
from flowaudit.safetext import parse_json

ATT_STATUSES = ("not-determined", "restricted", "denied", "authorized")
_TRUE = {"1", "true", "yes"}
_FALSE = {"0", "false", "no"}


@dataclass(frozen=True, slots=True)
class Switch:
    """A yes/no setting as sent: ``on`` is True when tracking is allowed."""

    name: str
    raw: str
    on: bool


@dataclass(frozen=True, slots=True)
class AttStatus:
    raw: str
    status: str  # one of ATT_STATUSES

    @property
    def allows_tracking(self) -> bool:
        return self.status == "authorized"


@dataclass(frozen=True, slots=True)
class DataProcessingOptions:
    raw: str
    options: tuple[str, ...]

    @property
    def limited_data_use(self) -> bool:
        return "LDU" in self.options


def decode_switch(name: str, text: str) -> Switch | Undecodable:
    """``1``/``true``/``yes`` or ``0``/``false``/``no``, any case."""
    value = text.strip().lower()
    if value in _TRUE:
        return Switch(name, text.strip(), True)
    if value in _FALSE:
        return Switch(name, text.strip(), False)
    return Undecodable(name, text, "expected 0/1 or true/false")


def decode_att_status(text: str) -> AttStatus | Undecodable:
    value = text.strip()
    if value in ("0", "1", "2", "3"):
        return AttStatus(value, ATT_STATUSES[int(value)])
    return Undecodable("ATT status", text, "expected 0, 1, 2 or 3")


def decode_data_processing_options(text: str) -> DataProcessingOptions | Undecodable:
    """A JSON list (``["LDU"]``, ``[]``) or, in form bodies, a bare ``LDU``."""
    raw = text.strip()
    if raw.isalpha() or not raw:
        return DataProcessingOptions(raw, (raw.upper(),) if raw else ())
    try:
        loaded = parse_json(raw) if raw.startswith("[") else None
    except ValueError:
        return Undecodable("data_processing_options", text, "not a JSON list")
    if not isinstance(loaded, list) or not all(isinstance(o, str) for o in loaded):
        return Undecodable("data_processing_options", text, "expected a list of option names")
    return DataProcessingOptions(raw, tuple(o.upper() for o in loaded))


def is_zero_id(value: str) -> bool:
    """The opted-out advertising id: all zeros, with or without the dashes
    of the 8-4-4-4-12 form (some SDKs drop them)."""
    digits = value.strip().replace("-", "")
    return len(digits) == 32 and set(digits) == {"0"}
