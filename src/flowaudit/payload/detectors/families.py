"""Which kind of value a key name announces.

Key names are the "likely" half of a generic detection: a value under
``email``, ``idfa`` or ``latitude`` is checked against the format its name
promises. Names are compared folded (:func:`~flowaudit.payload.detectors.keys.fold`),
so one entry covers ``user_id``, ``userId`` and ``$user_id``. The lists
come from the field names that the SDKs and APIs in ``rules/adapters/``
use, and from the store definitions in ``rules/data-types.yml``.
"""

from __future__ import annotations

from enum import Enum
from functools import lru_cache

from flowaudit.payload.detectors.keys import fold, words


class Family(Enum):
    EMAIL = "email"
    PHONE = "phone"
    PERSON_NAME = "person name"
    ADDRESS = "street address"
    POSTCODE = "postcode"
    CITY = "city"
    PROFILE = "profile detail"  # date of birth, gender, age
    ADVERTISING_ID = "advertising id"
    VENDOR_ID = "identifier for vendor"
    ANDROID_ID = "Android ID"
    APP_SET_ID = "App Set ID"
    FIREBASE_ID = "Firebase installation id"
    PUSH_TOKEN = "push token"
    DEVICE_ID = "device id"
    GA_CLIENT_ID = "analytics client id"
    SCOPED_ID = "id of the site, the app or its user"  # client_id, account_id: the context says whose
    USER_ID = "user id"
    USER_OR_BROWSER_ID = "user or browser id"  # uid, user_id: an account's, or a tag's id of the browser
    IMEI = "IMEI"
    MAC = "MAC address"
    SERIAL = "serial number"
    IP = "IP address"
    LATITUDE = "latitude"
    LONGITUDE = "longitude"
    COORDINATES = "coordinates"
    PAGE_URL = "page URL"
    SEARCH = "search term"
    SEARCH_WEAK = "query"
    PURCHASE = "purchase"
    PURCHASE_DETAIL = "purchase detail"  # currency, value, amount: a purchase only next to another
    CARD_NUMBER = "card number"
    EVENT = "event name"
    EVENT_WEAK = "event name or other"  # e, type, action: an event only by its value (detectors.events)
    ADVERTISING = "advertising data"
    FINGERPRINT_HASH = "fingerprint hash"
    CAMPAIGN = "campaign setup id"  # an ad's campaign, ad group or creative: see requestrules.Campaigns


def _table(family: Family, *names: str) -> dict[str, Family]:
    return {name: family for name in names}


_EXACT: dict[str, Family] = {
    **_table(Family.EMAIL, "em", "mail"),
    **_table(Family.PHONE, "ph", "mobile", "mobilenumber", "msisdn", "tel", "telephone", "cell", "cellnumber"),
    **_table(
        Family.PERSON_NAME,
        "firstname",
        "lastname",
        "fullname",
        "givenname",
        "familyname",
        "surname",
        "middlename",
        "displayname",
        "fn",
        "ln",
        "patientname",
        "customername",
    ),
    **_table(
        Family.ADDRESS,
        "address",
        "streetaddress",
        "street",
        "addressline1",
        "addressline2",
        "address1",
        "address2",
        "homeaddress",
        "billingaddress",
        "shippingaddress",
    ),
    **_table(Family.POSTCODE, "zip", "zipcode", "postcode", "postalcode", "zp", "plz"),
    **_table(Family.CITY, "city", "town", "ct"),
    **_table(
        Family.PROFILE, "dob", "dateofbirth", "birthdate", "birthday", "db", "gender", "ge", "sex", "age", "birthyear"
    ),
    **_table(
        Family.ADVERTISING_ID,
        "idfa",
        "iosifa",
        "gaid",
        "aaid",
        "adid",
        "advertisingid",
        "advertiserid",
        "advertisingidentifier",
        "googleadid",
        "googleaid",
        "gpsadid",
        "ifa",
        "madid",
        "amazonaid",
        "oaid",
        "googleadvertisingid",
        "androidadvertisingid",
        "deviceadvertisingid",
        "mobileadvertisingid",
        # Google Ad Manager / DoubleClick ad tags: rdid, the "resettable device identifier"
        # (IDFA, AAID, ...; https://support.google.com/admanager/answer/10678356#rdid).
        "rdid",
    ),
    **_table(Family.VENDOR_ID, "idfv", "vendorid", "identifierforvendor"),
    **_table(Family.ANDROID_ID, "androidid", "ssaid"),
    **_table(Family.APP_SET_ID, "appsetid"),
    **_table(Family.FIREBASE_ID, "fid", "firebaseinstallationid", "firebaseinstallationsid", "installationsid"),
    **_table(
        Family.PUSH_TOKEN,
        "pushtoken",
        "devicetoken",
        "fcmtoken",
        "apnstoken",
        "apnsdevicetoken",
        "gcmtoken",
        "registrationid",
        "registrationtoken",
        "notificationtoken",
        "firebasetoken",
        "pushid",
    ),
    **_table(
        Family.DEVICE_ID,
        "deviceid",
        "deviceuuid",
        "installid",
        "installationid",
        "appinstanceid",
        "udid",
        "anonid",
        "anonymousid",
        "anondistinctid",
        "appsflyerid",
        "visitorid",
        "browserid",
        "machineid",
        # A UUID or GUID named the client's, visitor's or browser's is one a script made for the
        # browser (Assertive Yield's clientUUID beside its sessionUUID and pageViewUUID); a site's
        # own client is named client_id (SCOPED_ID below), not so.
        "clientuuid",
        "clientguid",
        "visitoruuid",
        "visitorguid",
        "browseruuid",
        "browserguid",
        "deviceguid",
    ),
    **_table(Family.GA_CLIENT_ID, "cid"),
    # Names that sites and SDKs give their own configuration ids as often as their users' ids:
    # Pardot's account_id, an OAuth or widget client_id, a merchant's client-id, a component's
    # instance id, an ad exchange's publisher account_id. See leafrules._scoped_id.
    **_table(Family.SCOPED_ID, "clientid", "accountid", "instanceid", "profileid"),
    **_table(
        Family.USER_ID,
        "customeruserid",
        "externalcustomerid",
        "appuserid",
        "personid",
        "developeridentity",
        "username",
        "loginid",
        "useridentifier",
    ),
    # Names an app gives its account ids and a tag or cookie sync its browser ids alike:
    # see leafrules._user_or_browser_id. An ad platform's member_id is the platform's customer
    # (AppNexus: "the ID of the member", a buyer or seller seat, the same for every visitor:
    # https://docs.xandr.com/bundle/xandr-api/page/member-service.html).
    **_table(
        Family.USER_OR_BROWSER_ID,
        "userid",
        "uid",
        "memberid",
        "customerid",
        "externalid",
        "externaluserid",
        "distinctid",
        "playerid",
    ),
    **_table(Family.IMEI, "imei", "imei1", "imei2", "deviceimei", "meid"),
    **_table(Family.MAC, "mac", "macaddress", "wifimac", "bssid", "bluetoothmac", "btmac"),
    **_table(Family.SERIAL, "serial", "serialnumber", "deviceserial", "hardwareserial"),
    **_table(
        Family.IP,
        "ip",
        "ipaddress",
        "ipaddr",
        "clientip",
        "clientipaddress",
        "userip",
        "remoteaddr",
        "remoteip",
        "ipv4",
        "ipv6",
        "ipoverride",
        "deviceip",
        "sourceip",
        "publicip",
        "localip",
    ),
    **_table(
        Family.COORDINATES,
        "ll",
        "latlng",
        "latlon",
        "latlong",
        "coordinates",
        "coords",
        "geo",
        "location",
        "position",
        "loc",
        "gps",
        "geolocation",
    ),
    **_table(
        Family.PAGE_URL,
        "dl",
        "dr",
        "url",
        "pageurl",
        "page",
        "pagepath",
        "currenturl",
        "currentpageurl",
        "referrer",
        "referer",
        "initialreferrer",
        "pagelocation",
        "pagereferrer",
        "href",
        "documentlocation",
        "eventsourceurl",
        "landingpage",
        "landingpageurl",
        "sourceurl",
        "purl",  # "page URL": PubMatic ad calls carry the page under it
        "urlref",  # Matomo's referrer: https://developer.matomo.org/api-reference/tracking-api
        "topurl",
    ),
    **_table(
        Family.SEARCH,
        "searchterm",
        "searchstring",
        "searchquery",
        "searchkeyword",
        "searchkeywords",
        "searchtext",
        "searchphrase",
        "keyword",
        "keywords",
        "afsearchstring",
        "fbsearchstring",
    ),
    **_table(Family.SEARCH_WEAK, "q", "query", "term", "search"),
    **_table(
        Family.PURCHASE,
        "revenue",
        "price",
        "transactionid",
        "orderid",
        "ordertotal",
        "purchaseamount",
        "purchasevalue",
        "afrevenue",
        "valuetosum",
        "totalprice",
        "subtotal",
        "itemprice",
        "amountpaid",
        "purchasetotal",
    ),
    **_table(
        Family.PURCHASE_DETAIL, "currency", "value", "amount", "total", "fbcurrency", "eventcurrency", "afcurrency"
    ),
    **_table(Family.CARD_NUMBER, "cardnumber", "ccnumber", "creditcard", "creditcardnumber", "cardno", "pan"),
    **_table(
        Family.EVENT,
        "event",
        "eventname",
        "en",
        "eventtype",
        "evtname",  # CleverTap: https://developer.clevertap.com/docs/upload-events-api
        "eventaction",
        "ev",
        "screenname",
        "screenclass",
    ),
    # Keys holding an event name among other things (Snowplow's e=pv, adswizz type=sitevisit,
    # action=lead, Quantcast labels=_fp.event.<name>, X events=[["pageview", {}]]): see detectors.events.
    **_table(Family.EVENT_WEAK, "e", "evt", "t", "action", "type", "labels", "events"),
    **_table(
        Family.ADVERTISING,
        "gclid",
        "fbclid",
        "msclkid",
        "ttclid",
        "dclid",
        "wbraid",
        "gbraid",
        "utmcampaign",
        "adrevenue",
        "impressionid",
        # The price an ad auction was bid or won at, reported when the ad is shown
        # (Pixalate/Admixer impression pixels: adrta.com/i?…&priceBid=0.07355&pricePaid=…);
        # the same names as adbeacons.AUCTION_PRICE_KEYS.
        "pricebid",
        "pricepaid",
        "winprice",
        "winningprice",
        "clearingprice",
    ),
    **_table(Family.CAMPAIGN, "campaignid", "adgroupid", "creativeid"),
    # A hash of the browser's attributes, computed by the tag (Snowplow's fp: "user identifier
    # based on browser features", https://docs.snowplow.io/docs/sources/trackers/snowplow-tracker-protocol/;
    # HubSpot's bfp): see leafrules._fingerprint_hash.
    **_table(
        Family.FINGERPRINT_HASH,
        "fp",
        "bfp",
        "fprnt",
        "fingerprint",
        "browserfingerprint",
        "devicefingerprint",
        "canvasfingerprint",
        "fingerprinthash",
    ),
}

# Names announcing a person when they sit in a person-like object:
# {"user": {"id": ..., "name": ...}}.
PERSON_PARENTS = frozenset(
    {"user", "traits", "customer", "profile", "person", "contact", "set", "member", "owner", "patient", "userdata"}
)


@lru_cache(maxsize=1 << 12)
def family_of(name: str) -> Family | None:
    """The family a key name belongs to, or None for a name that announces nothing."""
    folded = fold(name)
    found = _EXACT.get(folded)
    if found is not None:
        return found
    if "email" in folded:
        return Family.EMAIL
    if "phone" in folded:
        return Family.PHONE
    parts = words(name)
    if parts:
        last = parts[-1]
        if last in ("lat", "latitude"):
            return Family.LATITUDE
        if last in ("lon", "lng", "long", "longitude"):
            return Family.LONGITUDE
        if last in _PAGE_WORDS and not _NOT_PAGE_WORDS.intersection(parts):
            return Family.PAGE_URL
    return None


# A key ending in one of these words names a page when its value is a URL (topUrl, ntv_url,
# landing_url, mboxURL, page_ref, topLoc); the rule still asks the value to be a page's URL.
_PAGE_WORDS = frozenset({"url", "uri", "href", "ref", "referrer", "referer", "loc", "location"})
# ... unless another word says the URL is something the tag loads or calls, not a page the
# user is on: an image, a script, an API, a cookie-sync redirect, an ad's click-through.
_NOT_PAGE_WORDS = frozenset(
    {
        "img",
        "image",
        "icon",
        "logo",
        "script",
        "js",
        "css",
        "src",
        "api",
        "endpoint",
        "callback",
        "cb",
        "redirect",
        "redir",
        "return",
        "sync",
        "match",
        "partner",
        "pixel",
        "click",
        "clk",
        "creative",
        "video",
        "media",
        "asset",
        "cdn",
        "beacon",
        "ws",
        "socket",
        "iframe",
        "frame",
        "ad",
        "ads",
        "notify",
        "postback",
        "server",
        "base",
        "cookie",
    }
)


# Device attributes that, sent together, fingerprint a device (Apple forbids
# fingerprinting; Google calls it "other app performance data").
_FINGERPRINT: dict[str, str] = {
    **dict.fromkeys(
        ("model", "devicemodel", "hwmodel", "modelname", "hardwaremodel", "manufacturer", "brand"), "model"
    ),
    **dict.fromkeys(
        ("os", "osname", "osversion", "osv", "platformversion", "systemversion", "sysversion", "oslevel"), "os"
    ),
    **dict.fromkeys(
        (
            "screen",
            "screenwidth",
            "screenheight",
            "screenresolution",
            "resolution",
            "sr",
            "density",
            "screendensity",
            "dpi",
            "displaywidth",
            "displayheight",
            "viewport",
        ),
        "screen",
    ),
    **dict.fromkeys(("carrier", "carriername", "networkoperator", "operator", "mcc", "mnc"), "carrier"),
    **dict.fromkeys(("locale", "language", "lang", "ul", "devicelocale", "languagecode"), "locale"),
    **dict.fromkeys(
        ("timezone", "tz", "timezoneoffset", "utcoffset", "devicetimezone", "timezoneabbreviation"), "timezone"
    ),
    **dict.fromkeys(
        (
            "ram",
            "memory",
            "physmemory",
            "totalmemory",
            "memorysize",
            "storage",
            "disk",
            "diskspace",
            "freestorage",
            "freedisk",
            "totalstorage",
            "availablestorage",
        ),
        "memory and storage",
    ),
    **dict.fromkeys(("battery", "batterylevel", "batterystate", "charging"), "battery"),
    **dict.fromkeys(("cpu", "cpucores", "cpucount", "cores", "cpuabi", "arch", "processor"), "cpu"),
    **dict.fromkeys(("fonts", "installedfonts"), "fonts"),
    # Browser attributes that fingerprinting scripts read (FingerprintJS's sources: plugins,
    # colorDepth, cookiesEnabled, screenResolution, timezone, ...:
    # https://github.com/fingerprintjs/fingerprintjs/tree/master/src/sources), also under
    # Google's ad request names (u_nplug, u_nmime, u_cd, u_h, u_w, u_tz).
    **dict.fromkeys(("plugins", "numplugins", "pluginscount", "unplug", "mimetypes", "unmime"), "plugins"),
    **dict.fromkeys(("colordepth", "screencolordepth", "pixeldepth", "ucd"), "color depth"),
    **dict.fromkeys(("cookieenabled", "cookiesenabled"), "cookies enabled"),
    **dict.fromkeys(("uh", "uw"), "screen"),
    "utz": "timezone",
    **dict.fromkeys(("touchsupport", "maxtouchpoints"), "touch support"),
    **dict.fromkeys(("canvas", "canvashash", "canvasfp", "webgl", "webglvendor", "webglrenderer"), "canvas and WebGL"),
    **dict.fromkeys(("audio", "audiohash", "audiofp"), "audio"),
}


# Names too generic to say which attribute they are: the enclosing object says it ("os": {"name": ...}).
_ATTRIBUTE_PARTS = frozenset({"name", "version", "width", "height", "type", "value", "code", "level"})


def fingerprint_category(name: str) -> str | None:
    """The device attribute a key names (model, os, screen, ...), if any."""
    return _FINGERPRINT.get(fold(name))


def needs_parent(name: str) -> bool:
    """Whether the key is a generic part ("name", "version", "width") whose enclosing
    object says which device attribute it is (``"os": {"name": ...}``)."""
    return fold(name) in _ATTRIBUTE_PARTS


# Key names holding crash data; a folded key *containing* one of these counts
# ("bizsdk_crash_report", "unhandledException").
CRASH_WORDS = ("exception", "stacktrace", "callstack", "backtrace", "crash", "minidump")
# Names that hold crash data only with frame fields inside (animation "frames" do not).
FRAME_CONTAINERS = frozenset({"frames", "stack"})
# Fields of a stack frame (Sentry, Bugsnag, Crashlytics): they name code, not anything of the user's.
FRAME_KEYS = frozenset(
    {
        "filename",
        "function",
        "lineno",
        "colno",
        "abspath",
        "module",
        "method",
        "file",
        "symbol",
        "instructionaddr",
        "linenumber",
        "columnnumber",
        "class",
        "classname",
        "package",
        "contextline",
        "precontext",
        "postcontext",
    }
)


@lru_cache(maxsize=1 << 10)
def in_crash_data(path: tuple[str, ...]) -> bool:
    """Whether a key path runs through a crash report's exception, stack trace or frames.
    Cached: every frame of a stack trace has the same key path."""
    for name in path:
        folded = fold(name)
        if folded in FRAME_CONTAINERS or any(word in folded for word in CRASH_WORDS):
            return True
    return False


PURCHASE_EVENTS = frozenset(
    {
        "purchase",
        "fbmobilepurchase",
        "afpurchase",
        "inapppurchase",
        "ecommercepurchase",
        "ordercompleted",
        "checkoutcompleted",
        "completedpurchase",
        "purchasecompleted",
    }
)
