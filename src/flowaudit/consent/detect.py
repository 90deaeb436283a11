"""Finding consent signals in one request.

Signals sit in query parameters (``gdpr_consent=``, ``gcs=``), cookies
(``euconsent-v2``), headers (``Sec-GPC``) and body fields (OpenRTB
``user.consent``, Meta's ``advertiser_tracking_enabled``). They are looked
up by the name of the key that holds them, over the values the payload
decoder reached (:class:`~flowaudit.payload.model.DecodedRequest`) or, when
the caller has none, over a shallow reading of the request done here: query,
headers, cookies and a plain form or JSON body (nothing compressed or
nested in other encodings; the decoder does that).

A name that says what it holds (``gdpr_consent``, ``us_privacy``) yields an
"undecodable" signal when its value cannot be read, so a mangled string is
reported, not ignored. A generic name (``gdpr``, ``npa``, ``consent``) only
counts when its value has the expected form. Names used by one vendor with a
generic meaning (``att``, ``tracking_enabled``) count only on that vendor's
hosts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Final
from urllib.parse import parse_qsl

from flowaudit.consent.signal import ConsentSignal, Decoded
from flowaudit.consent.signals.flags import (
    AttStatus,
    decode_att_status,
    decode_data_processing_options,
    decode_switch,
    is_zero_id,
)
from flowaudit.consent.signals.google import decode_dma, decode_dma_cps, decode_gcd, decode_gcs
from flowaudit.consent.signals.gpp import GppString, UsNat, decode_gpp
from flowaudit.consent.signals.tcf import TcString, decode_tcf
from flowaudit.consent.signals.undecodable import Undecodable
from flowaudit.consent.signals.usprivacy import UsPrivacy, decode_us_privacy
from flowaudit.model import Observation
from flowaudit.payload.detectors.families import Family, family_of
from flowaudit.payload.model import DecodedRequest, Leaf
from flowaudit.safetext import parse_json
from flowaudit.urls import split_url

KINDS: tuple[str, ...] = (
    "tcf",
    "us-privacy",
    "gpp",
    "gdpr-applies",
    "google-gcs",
    "google-gcd",
    "google-npa",
    "google-dma",
    "meta-advertiser-tracking",
    "meta-application-tracking",
    "meta-limited-data-use",
    "adjust-att",
    "adjust-tracking",
    "appsflyer-att",
    "segment-ad-tracking",
    "branch-limit-ad-tracking",
    "openrtb-lmt",
    "google-is-lat",
    "zero-advertising-id",
    "gpc",
)

_TCF_KEYS = frozenset({"gdpr_consent", "euconsent-v2", "euconsent", "tcstring", "tc_string", "gdpr_consent_string"})
_USP_KEYS = frozenset({"us_privacy", "usprivacy", "uspstring", "us_privacy_string"})
_GPP_KEYS = frozenset({"gpp", "gpp_string", "gppstring", "otgppconsent"})
# OpenRTB 2.6 user.consent and the 2.5 extension user.ext.consent.
_OPENRTB_CONSENT = ("user.consent", "user.ext.consent")
_ADJUST_HOSTS = ("adjust.com", "adjust.net.in", "adjust.world")
_APPSFLYER_HOSTS = ("appsflyer.com", "appsflyersdk.com")
_BRANCH_HOSTS = ("branch.io",)
# OpenRTB 2.x Device.lmt ("limit ad tracking", 0 or 1): only inside a bid request,
# where it sits under ``device``; a bare ``lmt`` elsewhere is often a timestamp.
_OPENRTB_LMT = "device.lmt"
# Shallow reading stops here: bodies this large are left to the decoder.
_SHALLOW_BODY_LIMIT = 1024 * 1024
_SHALLOW_LEAVES = 20000


def find_signals(obs: Observation, decoded: DecodedRequest | None = None) -> list[ConsentSignal]:
    """Every consent signal in the request, each once (the same kind and
    value in a query parameter and a cookie count once)."""
    leaves = iter(decoded.leaves) if decoded is not None else shallow_leaves(obs)
    found: list[ConsentSignal] = []
    seen: set[tuple[str, str]] = set()
    for leaf in leaves:
        if not _may_signal(leaf.key, leaf.value):  # nearly every leaf: keep this short
            continue
        signal = _read(leaf, obs, leaf.key.lower() if leaf.key else "")
        if signal is not None and (signal.kind, signal.value) not in seen:
            seen.add((signal.kind, signal.value))
            found.append(signal)
    return found


def _may_signal(key: str | None, value: str) -> bool:
    """Whether a leaf can hold a signal (:func:`_read` looks closer): its key is a signal's name
    (:func:`_known_name`), or its value may be an all-zero advertising id."""
    named = _KNOWN_NAMES.get(key)
    if named is None:
        named = _known_name(key)
    return named or value.startswith(_ZERO_START)


def _known_name(key: str | None) -> bool:
    """Whether ``key``, lower-cased, is one of :data:`_KNOWN_KEYS`, kept in :data:`_KNOWN_NAMES`
    unless longer than every known key (lower-casing never shortens a name): keys that long are
    mostly text a decoder took for a name (binary junk, whole sentences), which rarely repeats and
    filled the cache with strings of hundreds of bytes."""
    if key is not None and len(key) > _LONGEST_KNOWN:
        return False
    if len(_KNOWN_NAMES) >= _NAMES_KEPT:
        _KNOWN_NAMES.clear()
    named = _KNOWN_NAMES[key] = key is not None and key.lower() in _KNOWN_KEYS
    return named


def shallow_leaves(obs: Observation) -> Iterator[Leaf]:
    """Query, headers, cookies and a plain form or JSON body, as leaves,
    located the way the payload decoder locates them: those that can hold a
    signal (:func:`_may_signal`), the others are passed over unmade."""
    query = split_url(obs.path).query
    for key, value in parse_qsl(query, keep_blank_values=True):
        if _may_signal(key, value):
            yield Leaf("query", f"query:{key}", (), key, value)
    yield from _header_leaves(obs)
    body = obs.body
    if not body or len(body) > _SHALLOW_BODY_LIMIT:
        return
    text = body.decode("utf-8", errors="replace").strip()
    if text[:1] in ("{", "["):
        yield from _json_leaves(text, "body > json:", ("json",))
    elif "=" in text and "\n" not in text:
        for key, value in parse_qsl(text, keep_blank_values=True):
            if _may_signal(key, value):
                yield Leaf("body", f"body > form:{key}", ("form",), key, value)
            if value[:1] in ("{", "["):
                yield from _json_leaves(value, f"body > form:{key} > json:", ("form", "json"))


def _header_leaves(obs: Observation) -> Iterator[Leaf]:
    for name, value in obs.request_headers:
        if name.lower() == "cookie":
            for pair in value.split(";"):
                cookie, sep, cookie_value = pair.strip().partition("=")
                if sep and _may_signal(cookie, cookie_value):
                    yield Leaf("cookie", f"cookie:{cookie}", (), cookie, cookie_value)
        elif _may_signal(name, value):
            yield Leaf("header", f"header:{name}", (), name, value)


def _json_leaves(text: str, prefix: str, decoding: tuple[str, ...]) -> Iterator[Leaf]:
    try:
        document = parse_json(text)
    except ValueError:
        return
    count = 0
    stack: list[tuple[str, str | None, object]] = [("", None, document)]
    while stack and count < _SHALLOW_LEAVES:
        path, key, node = stack.pop()
        if isinstance(node, dict):
            for k, v in reversed(list(node.items())):
                stack.append((f"{path}.{k}" if path else str(k), str(k), v))
        elif isinstance(node, list):
            for i in reversed(range(len(node))):
                stack.append((f"{path}[{i}]", key, node[i]))
        elif node is not None:
            count += 1
            value = ("true" if node else "false") if isinstance(node, bool) else str(node)
            if _may_signal(key, value):
                yield Leaf("body", prefix + path, decoding, key, value)


def _read(leaf: Leaf, obs: Observation, key: str) -> ConsentSignal | None:
    """``key`` is the leaf's key, lower-cased."""
    value = leaf.value.strip()
    if not value:
        return None
    if leaf.part == "header":
        if key == "sec-gpc" and value == "1":
            return _signal(
                leaf,
                obs,
                "gpc",
                "opt-out",
                "Global Privacy Control: the browser asks not to sell or share (Sec-GPC: 1)",
                tracking_off=True,
            )
        return None
    if key in _TCF_KEYS or (key == "consent" and leaf.location.lower().endswith(_OPENRTB_CONSENT)):
        return _from(leaf, obs, "tcf", decode_tcf(value), _tcf_meaning, strict=key != "consent")
    if key in _USP_KEYS:
        return _from(leaf, obs, "us-privacy", decode_us_privacy(value), _usp_meaning)
    if key in _GPP_KEYS:
        return _from(leaf, obs, "gpp", decode_gpp(value), _gpp_meaning)
    reader = _BY_KEY.get(key)
    if reader is not None:
        return reader(leaf, obs, value)
    # Advertising ids are named as the payload detectors name them (one list of names).
    if is_zero_id(value) and family_of(key) is Family.ADVERTISING_ID:
        return _signal(
            leaf,
            obs,
            "zero-advertising-id",
            "tracking-off",
            f"advertising id {key} is all zeros: tracking not authorised (ATT) or ad id reset / Limit Ad Tracking",
            tracking_off=True,
        )
    return None


# Each meaning function: decoded value -> (meaning, explicit, tracking_off).
Meaning = tuple[str, bool, bool]


def _tcf_meaning(d: Decoded) -> Meaning:
    """A string that consents to no purpose tells its recipient not to track."""
    assert isinstance(d, TcString)
    return d.choice, True, d.choice == "refused"


def _usp_meaning(d: Decoded) -> Meaning:
    """An opt-out of sale (``1YYN``) tells its recipient not to sell or share."""
    assert isinstance(d, UsPrivacy)
    return ("opt-out", True, True) if d.opted_out == "yes" else ("not-set", False, False)


_STRENGTH = {"refused": 0, "opt-out": 1, "partial": 2, "granted": 3, "not-set": 4}


def _gpp_meaning(d: Decoded) -> Meaning:
    """The most restrictive choice among the sections decoded."""
    assert isinstance(d, GppString)
    meanings: list[Meaning] = []
    for section in d.sections:
        value = section.value
        if isinstance(value, TcString):
            meanings.append(_tcf_meaning(value))
        elif isinstance(value, UsPrivacy):
            meanings.append(_usp_meaning(value))
        elif isinstance(value, UsNat):
            # An opt-out of sale, sharing or targeted advertising, or GPC set, says: do not track.
            meanings.append(("opt-out", True, True) if value.opted_out else ("not-set", False, bool(value.gpc)))
    if not meanings:
        return "not-set", False, False
    meaning = min((m[0] for m in meanings), key=_STRENGTH.__getitem__)
    return meaning, any(m[1] for m in meanings), any(m[2] for m in meanings)


def _from(
    leaf: Leaf,
    obs: Observation,
    kind: str,
    decoded: TcString | UsPrivacy | GppString | Undecodable,
    meaning_of: Callable[[Decoded], Meaning],
    *,
    strict: bool = True,
) -> ConsentSignal | None:
    """A signal from a decoded value; ``strict`` keys report undecodable values,
    generic ones are ignored when their value is not of the expected form."""
    if isinstance(decoded, Undecodable):
        if not strict:
            return None
        return _signal(leaf, obs, kind, "undecodable", decoded.describe(), decoded=decoded)
    meaning, explicit, tracking_off = meaning_of(decoded)
    return _signal(
        leaf, obs, kind, meaning, decoded.summary(), explicit=explicit, tracking_off=tracking_off, decoded=decoded
    )


def _signal(
    leaf: Leaf,
    obs: Observation,
    kind: str,
    meaning: str,
    summary: str,
    *,
    explicit: bool = False,
    tracking_off: bool = False,
    decoded: Decoded = None,
) -> ConsentSignal:
    return ConsentSignal(
        kind=kind,
        meaning=meaning,
        summary=summary,
        flow=obs.ref,
        location=leaf.location,
        value=leaf.value.strip(),
        explicit=explicit,
        tracking_off=tracking_off,
        decoded=decoded,
    )


def _on_host(obs: Observation, domains: tuple[str, ...]) -> bool:
    return any(obs.host == d or obs.host.endswith("." + d) for d in domains)


def _gcs(leaf: Leaf, obs: Observation, value: str) -> ConsentSignal | None:
    decoded = decode_gcs(value)
    if isinstance(decoded, Undecodable):
        return _signal(leaf, obs, "google-gcs", "undecodable", decoded.describe(), decoded=decoded)
    choice = decoded.choice
    return _signal(
        leaf, obs, "google-gcs", choice, decoded.summary(), tracking_off=choice == "refused", decoded=decoded
    )


def _gcd(leaf: Leaf, obs: Observation, value: str) -> ConsentSignal | None:
    decoded = decode_gcd(value)
    if isinstance(decoded, Undecodable):
        return _signal(leaf, obs, "google-gcd", "undecodable", decoded.describe(), decoded=decoded)
    choice = decoded.choice
    return _signal(
        leaf,
        obs,
        "google-gcd",
        choice,
        decoded.summary(),
        explicit=decoded.updated and choice != "not-set",
        tracking_off=choice == "refused",
        decoded=decoded,
    )


def _npa(leaf: Leaf, obs: Observation, value: str) -> ConsentSignal | None:
    decoded = decode_switch("npa", value)
    if isinstance(decoded, Undecodable):
        return None
    if decoded.on:
        return _signal(
            leaf, obs, "google-npa", "opt-out", "Google npa=1: non-personalised ads requested", decoded=decoded
        )
    return _signal(leaf, obs, "google-npa", "not-set", "Google npa=0: personalised ads allowed", decoded=decoded)


def _dma(leaf: Leaf, obs: Observation, value: str) -> ConsentSignal | None:
    decoded = decode_dma(value) if (leaf.key or "").lower() == "dma" else decode_dma_cps(value)
    if isinstance(decoded, Undecodable):
        return None
    return _signal(leaf, obs, "google-dma", "not-set", decoded.summary(), decoded=decoded)


def _gdpr(leaf: Leaf, obs: Observation, value: str) -> ConsentSignal | None:
    decoded = decode_switch("gdpr", value)
    if isinstance(decoded, Undecodable):
        return None
    said = "GDPR applies to this request" if decoded.on else "GDPR does not apply to this request"
    return _signal(leaf, obs, "gdpr-applies", "not-set", f"{said} ({leaf.key}={value})", decoded=decoded)


def _switch_signal(
    kind: str, off_meaning: str, off_text: str, on_text: str, *, limits: bool = False
) -> Callable[[Leaf, Observation, str], ConsentSignal | None]:
    """A yes/no tracking switch: off says tracking is off, on decides nothing.
    ``limits``: the flag says "limit tracking" (Limit Ad Tracking: 1 is off)."""

    def read(leaf: Leaf, obs: Observation, value: str) -> ConsentSignal | None:
        decoded = decode_switch(leaf.key or kind, value)
        if isinstance(decoded, Undecodable):
            return _signal(leaf, obs, kind, "undecodable", decoded.describe(), decoded=decoded)
        if decoded.on != limits:
            return _signal(leaf, obs, kind, "not-set", f"{leaf.key}={value}: {on_text}", decoded=decoded)
        return _signal(
            leaf, obs, kind, off_meaning, f"{leaf.key}={value}: {off_text}", tracking_off=True, decoded=decoded
        )

    return read


def _att(kind: str, hosts: tuple[str, ...]) -> Callable[[Leaf, Observation, str], ConsentSignal | None]:
    def read(leaf: Leaf, obs: Observation, value: str) -> ConsentSignal | None:
        if not _on_host(obs, hosts):
            return None
        decoded = decode_att_status(value)
        if isinstance(decoded, Undecodable):
            return _signal(leaf, obs, kind, "undecodable", decoded.describe(), decoded=decoded)
        return _att_signal(leaf, obs, kind, decoded)

    return read


def _att_signal(leaf: Leaf, obs: Observation, kind: str, decoded: AttStatus) -> ConsentSignal:
    text = f"App Tracking Transparency status {decoded.raw} ({decoded.status})"
    if decoded.status in ("denied", "restricted"):
        return _signal(leaf, obs, kind, "tracking-off", text, tracking_off=True, decoded=decoded)
    meaning = "granted" if decoded.allows_tracking else "not-set"
    return _signal(leaf, obs, kind, meaning, text, decoded=decoded)


def _adjust_tracking(leaf: Leaf, obs: Observation, value: str) -> ConsentSignal | None:
    if not _on_host(obs, _ADJUST_HOSTS):
        return None
    return _ADJUST_SWITCH(leaf, obs, value)


def _branch_lat(leaf: Leaf, obs: Observation, value: str) -> ConsentSignal | None:
    if not _on_host(obs, _BRANCH_HOSTS):
        return None
    return _LAT_SWITCH["branch"](leaf, obs, value)


def _lmt(leaf: Leaf, obs: Observation, value: str) -> ConsentSignal | None:
    if not leaf.location.lower().endswith(_OPENRTB_LMT):
        return None
    return _LAT_SWITCH["lmt"](leaf, obs, value)


def _ldu(leaf: Leaf, obs: Observation, value: str) -> ConsentSignal | None:
    decoded = decode_data_processing_options(value)
    if isinstance(decoded, Undecodable):
        return _signal(leaf, obs, "meta-limited-data-use", "undecodable", decoded.describe(), decoded=decoded)
    if decoded.limited_data_use:
        return _signal(
            leaf,
            obs,
            "meta-limited-data-use",
            "opt-out",
            "Meta Limited Data Use requested (data_processing_options LDU)",
            decoded=decoded,
        )
    return _signal(leaf, obs, "meta-limited-data-use", "not-set", "no Meta data processing options", decoded=decoded)


_ADJUST_SWITCH = _switch_signal(
    "adjust-tracking", "tracking-off", "Limit Ad Tracking is on", "Limit Ad Tracking is off"
)

_LAT_SWITCH = {
    key: _switch_signal(kind, "tracking-off", "Limit Ad Tracking is on", "Limit Ad Tracking is off", limits=True)
    for key, kind in (("branch", "branch-limit-ad-tracking"), ("lmt", "openrtb-lmt"), ("is_lat", "google-is-lat"))
}

_BY_KEY: dict[str, Callable[[Leaf, Observation, str], ConsentSignal | None]] = {
    "gcs": _gcs,
    "gcd": _gcd,
    "npa": _npa,
    "dma": _dma,
    "dma_cps": _dma,
    "gdpr": _gdpr,
    "advertiser_tracking_enabled": _switch_signal(
        "meta-advertiser-tracking",
        "tracking-off",
        "iOS tracking not authorised (ATT) or Limit Ad Tracking on",
        "tracking allowed by the device",
    ),
    "application_tracking_enabled": _switch_signal(
        "meta-application-tracking", "opt-out", "the user opted out of tracking in the app", "no in-app opt-out"
    ),
    "data_processing_options": _ldu,
    "att_status": _att("adjust-att", _ADJUST_HOSTS),
    "tracking_enabled": _adjust_tracking,
    "att": _att("appsflyer-att", _APPSFLYER_HOSTS),
    # Branch's SDKs send lat_val (v1 API) and limit_ad_tracking (v2 events), 1 or true
    # when the device limits ad tracking: the keys Defines.Jsonkey.LATVal and
    # LimitedAdTracking of the Android SDK
    # (https://github.com/BranchMetrics/android-branch-deep-linking-attribution/blob/master/Branch-SDK/src/main/java/io/branch/referral/Defines.java);
    # seen as "lat_val":0 in tests/corpus/external/reporthar-android-run1, entry 12.
    "lat_val": _branch_lat,
    "limit_ad_tracking": _branch_lat,
    # OpenRTB 2.5 section 3.2.18, Device.lmt: 1 = tracking must be limited
    # (https://iabtechlab.com/wp-content/uploads/2016/07/OpenRTB-API-Specification-Version-2-5-FINAL.pdf).
    "lmt": _lmt,
    # Google Ad Manager ad tags: is_lat=1 when the app's user limits ad tracking
    # (https://support.google.com/admanager/answer/10678356#is_lat).
    "is_lat": _LAT_SWITCH["is_lat"],
    "adtrackingenabled": _switch_signal(
        "segment-ad-tracking", "tracking-off", "the device limits ad tracking", "the device allows ad tracking"
    ),
}
_KNOWN_KEYS: Final = frozenset({"sec-gpc", "consent", *_TCF_KEYS, *_USP_KEYS, *_GPP_KEYS, *_BY_KEY})
_LONGEST_KNOWN: Final = max(map(len, _KNOWN_KEYS))
_ZERO_START: Final = "0000"  # an all-zero advertising id, whatever its key (see is_zero_id)
# Key names as sent -> whether they are known (:func:`_known_name`): asked of every leaf of every
# request, and a request's names repeat from request to request, so a lookup by the name as it is
# spares lower-casing it (a new string, hashed anew) each time. The answer depends on the name
# alone; bounded, since a capture chooses its names.
_KNOWN_NAMES: Final[dict[str | None, bool]] = {}
_NAMES_KEPT: Final = 4096
