"""Host matching against the shipped catalog (AdGuard data plus overlay)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from flowaudit.catalog import Catalog

REALWORLD = Path(__file__).resolve().parents[1] / "data" / "realworld"
EXTERNAL = Path(__file__).resolve().parents[1] / "corpus" / "external"


def _category(catalog: Catalog, host: str) -> str | None:
    match = catalog.match(host)
    return match.service.category if match else None


def test_label_boundary(catalog: Catalog) -> None:
    match = catalog.match("api.mixpanel.com")
    assert match is not None and match.domain == "mixpanel.com"
    assert catalog.match("evilmixpanel.com") is None
    assert catalog.match("mixpanel.com.attacker.example") is None


def test_longest_suffix_wins(catalog: Catalog) -> None:
    app_events = catalog.match("graph.facebook.com")
    website = catalog.match("www.facebook.com")
    assert app_events is not None and website is not None
    assert app_events.domain == "graph.facebook.com"
    assert website.domain == "facebook.com"
    assert app_events.service.id != website.service.id
    assert app_events.company.id == website.company.id == "meta"


def test_host_is_normalised(catalog: Catalog) -> None:
    match = catalog.match("API-JS.Mixpanel.COM.")
    assert match is not None
    assert match.host == "api-js.mixpanel.com"
    assert match.service.name == "Mixpanel"


@pytest.mark.parametrize("host", ["1.2.3.4", "142.250.72.14", "::1", "[2001:db8::1]", "2001:db8::1"])
def test_ip_literals_never_match(catalog: Catalog, host: str) -> None:
    assert catalog.match(host) is None


@pytest.mark.parametrize("host", ["unknown.example", "acmehealth.example", "", "localhost", "com"])
def test_unknown_hosts(catalog: Catalog, host: str) -> None:
    assert catalog.match(host) is None


def test_sentry_per_org_ingest_host(catalog: Catalog) -> None:
    match = catalog.match("o123456.ingest.us.sentry.io")
    assert match is not None
    assert (match.company.name, match.service.category) == ("Sentry", "crash_reporting")


def test_segment(catalog: Catalog) -> None:
    match = catalog.match("api.segment.io")
    assert match is not None
    assert (match.company.name, match.service.category) == ("Segment", "analytics")
    assert [p.name for p in catalog.parents(match.company.id)] == ["Twilio"]
    eu = catalog.match("eu1.api.segmentapis.com")
    assert eu is not None and eu.service.id == match.service.id


def test_mixpanel_browser_host(catalog: Catalog) -> None:
    match = catalog.match("api-js.mixpanel.com")
    assert match is not None
    assert (match.company.name, match.service.category) == ("Mixpanel", "analytics")


def test_facebook_app_events(catalog: Catalog) -> None:
    match = catalog.match("graph.facebook.com")
    assert match is not None
    assert match.company.id == "meta" and match.company.name == "Meta"
    assert match.service.name == "Facebook App Events"
    assert match.service.category == "advertising"


def test_meta_pixel(catalog: Catalog) -> None:
    match = catalog.match("connect.facebook.net")
    assert match is not None
    assert (match.company.name, match.service.name) == ("Meta", "Meta Pixel")


@pytest.mark.parametrize(
    "host",
    [
        "clients2.google.com",
        "update.googleapis.com",
        "clientservices.googleapis.com",
        "optimizationguide-pa.googleapis.com",
        "redirector.gvt1.com",
        "connectivitycheck.gstatic.com",
        "mtalk.google.com",
        "captive.apple.com",
        "mesu.apple.com",
        "detectportal.firefox.com",
        "ocsp.pki.goog",
        "r3.o.lencr.org",
        "ocsp.digicert.com",
    ],
)
def test_platform_traffic(catalog: Catalog, host: str) -> None:
    assert _category(catalog, host) == "platform"


@pytest.mark.parametrize(
    ("host", "path"),
    [
        # Chromium's own requests (chrome/browser/autocomplete/aim_eligibility_service.cc,
        # google_apis/gaia, components/captive_portal), never a page's.
        ("www.google.com", "/async/folae?async=_fmt:pb"),
        ("www.google.com", "/async/ddljson?async=ntp:1"),
        ("accounts.google.com", "/ListAccounts?gpsia=1&source=ChromiumBrowser&json=standard"),
        ("www.gstatic.com", "/generate_204"),
        ("sb-ssl.google.com", "/safebrowsing/clientreport/download"),
        # Android's network validation (NetworkStack config) and React Native's NetInfo probe.
        ("connectivitycheck.gstatic.com", "/generate_204"),
        ("www.google.com", "/generate_204"),
        ("www.google.com", "/gen_204"),
        ("clients3.google.com", "/generate_204"),
        # iOS and macOS system services.
        ("gs-loc.apple.com", "/clls/wloc"),
        ("gspe1-ssl.ls.apple.com", "/pep/gcc"),
        ("12-courier.push.apple.com", "/"),
        ("fmipmobile.icloud.com", "/fmipservice/device/123/initClient"),
        ("captive.apple.com", "/hotspot-detect.html"),
        ("www.apple.com", "/library/test/success.html"),
        ("configuration.apple.com", "/configurations/pep/config/geo/networkDefaults-ios-18.0.plist"),
        ("mesu.apple.com", "/assets/com_apple_MobileAsset_SoftwareUpdate/com_apple_MobileAsset_SoftwareUpdate.xml"),
        ("www.msftconnecttest.com", "/connecttest.txt"),
        ("updates.cdn-apple.com", "/2024SummerFCS/patches/x.zip"),
        ("mask.icloud.com", "/"),
        ("android.googleapis.com", "/checkin"),
        ("digitalassetlinks.googleapis.com", "/v1/statements:list"),
    ],
)
def test_platform_requests_by_host_and_path(catalog: Catalog, host: str, path: str) -> None:
    match = catalog.match(host, path)
    assert match is not None and match.service.category == "platform", (host, path)


@pytest.mark.parametrize(
    ("host", "path", "service", "category"),
    [
        # The same hosts serve sites and apps on other paths (the external
        # corpus's own requests are checked in test_external_corpus_requests_by_path).
        ("www.google.com", "/asyncfoo", "Google", "advertising"),  # a path scope ends at a segment
        ("accounts.google.com", "/o/oauth2/v2/auth", "Google Auth", "customer_engagement"),
        ("www.apple.com", "/", "Apple", "other"),
    ],
)
def test_hosts_apps_use_are_not_platform(catalog: Catalog, host: str, path: str, service: str, category: str) -> None:
    match = catalog.match(host, path)
    assert match is not None
    assert (match.service.name, match.service.category) == (service, category)


def test_without_a_path_only_host_wide_entries_match(catalog: Catalog) -> None:
    match = catalog.match("www.google.com")
    assert match is not None and match.service.category == "advertising"
    assert catalog.path_scope("www.google.com", "/recaptcha/api2/anchor") == "www.google.com/recaptcha/"
    assert catalog.path_scope("www.google.com", "/pagead/1p-user-list/1/") is None


def test_firebase_is_google_under_alphabet(catalog: Catalog) -> None:
    match = catalog.match("app-measurement.com")
    assert match is not None
    assert match.service.name == "Firebase"
    assert match.company.name == "Google"
    assert [p.name for p in catalog.parents(match.company.id)] == ["Alphabet"]
    assert _category(catalog, "firebase-settings.crashlytics.com") == "crash_reporting"


@pytest.mark.parametrize("host", ["api.stripe.com", "js.stripe.com", "m.stripe.network"])
def test_stripe_payments(catalog: Catalog, host: str) -> None:
    match = catalog.match(host)
    assert match is not None
    assert (match.company.name, match.service.category) == ("Stripe", "payments")


@pytest.mark.parametrize(
    ("host", "company", "category"),
    [
        ("app.adjust.com", "Adjust", "attribution"),
        ("launches.appsflyersdk.com", "AppsFlyer", "attribution"),
        ("acme.onelink.me", "AppsFlyer", "attribution"),
        ("api2.branch.io", "Branch", "attribution"),
        ("sdk.iad-01.braze.com", "Braze", "customer_engagement"),
        ("sdk.fra-01.braze.eu", "Braze", "customer_engagement"),
        ("us.i.posthog.com", "PostHog", "analytics"),
        ("acme.dataplane.rudderstack.com", "RudderStack", "analytics"),
        ("api2.amplitude.com", "Amplitude", "analytics"),
        ("region1.google-analytics.com", "Google", "analytics"),
        ("cdn.cookielaw.org", "OneTrust", "consent"),
        ("ad.doubleclick.net", "Google", "advertising"),
        ("auction.unityads.unity3d.com", "Unity", "advertising"),
        ("ms.applovin.com", "AppLovin", "advertising"),
        ("www.paypal.com", "PayPal", "payments"),
    ],
)
def test_curated_sdk_endpoints(catalog: Catalog, host: str, company: str, category: str) -> None:
    match = catalog.match(host)
    assert match is not None
    assert (match.company.name, match.service.category) == (company, category)


@pytest.mark.parametrize(
    ("host", "company", "service"),
    [
        ("d3abcdefgh1234.cloudfront.net", "Amazon", "Amazon CloudFront"),
        ("my-bucket.s3.amazonaws.com", "Amazon", "Amazon Web Services"),
        ("abc123.execute-api.eu-west-1.amazonaws.com", "Amazon", "Amazon Web Services"),
        ("my-app.herokuapp.com", "Heroku", "Heroku"),
        ("someone.github.io", "GitHub", "Github Pages"),
        ("my-app.azurewebsites.net", "Microsoft", "Microsoft Azure hosting"),
        ("my-app.appspot.com", "Google", "Google Appspot"),
        ("my-app.firebaseapp.com", "Google", "Firebase Hosting"),
        ("my-app.web.app", "Google", "Firebase Hosting"),
        ("my-app.vercel.app", "Vercel", "Vercel"),
        ("my-app.netlify.app", "Netlify", "Netlify"),
        ("my-app.pages.dev", "Cloudflare", "Cloudflare Pages and Workers"),
        ("my-store.myshopify.com", "Shopify", "Shopify store hosting"),
    ],
)
def test_customer_host_under_shared_suffix_is_its_hosting_provider(
    catalog: Catalog, host: str, company: str, service: str
) -> None:
    # Each customer has its own registrable name under the provider's
    # public suffix, but the provider hosts it and receives its traffic.
    match = catalog.match(host)
    assert match is not None, host
    assert (match.company.name, match.service.name, match.service.category) == (company, service, "hosting")


def test_shared_suffix_of_a_non_hosting_service_claims_no_customer(catalog: Catalog) -> None:
    # withgoogle.com is a public suffix AdGuard files under Google's ad entry:
    # that must not make every site under it an advertiser.
    assert catalog.match("withgoogle.com") is not None
    assert catalog.match("campaign.withgoogle.com") is None
    # ... and a name the catalog lists itself keeps its own service.
    listed = catalog.match("d1af033869koo7.cloudfront.net")
    assert listed is not None and listed.domain == "d1af033869koo7.cloudfront.net"


def test_operator_wide_suffix(catalog: Catalog) -> None:
    # googleapis.com is a public suffix, but Google serves every name under it.
    match = catalog.match("www.googleapis.com")
    assert match is not None and match.company.name == "Google"


def test_results_are_cached(catalog: Catalog) -> None:
    assert catalog.match("api.segment.io") is catalog.match("api.segment.io")


def _har_requests(path: Path) -> list[tuple[str, str]]:
    """(host, path with query) of every request in a HAR file."""
    doc = json.loads(path.read_text(encoding="utf-8-sig"))
    out = []
    for entry in doc["log"]["entries"]:
        url = urlsplit(entry["request"]["url"])
        out.append((url.hostname or "", url.path + (f"?{url.query}" if url.query else "")))
    return out


def _har_hosts(path: Path) -> set[str]:
    return {host for host, _ in _har_requests(path)}


def test_real_captures(catalog: Catalog) -> None:
    """Every host in the real SDK and browser captures is attributed as their README says."""
    expected = {
        "api.mixpanel.com": ("Mixpanel", "analytics"),
        "api-js.mixpanel.com": ("Mixpanel", "analytics"),
        "api.segment.io": ("Segment", "analytics"),
        "o123456.ingest.us.sentry.io": ("Sentry", "crash_reporting"),
        "clients2.google.com": ("Google", "platform"),
        "update.googleapis.com": ("Google", "platform"),
    }
    seen: set[str] = set()
    for har in sorted((REALWORLD / "sdk").glob("*/flows.har")) + [REALWORLD / "browser/mixpanel/flows.har"]:
        seen |= _har_hosts(har)
    assert seen == set(expected)
    for host in seen:
        match = catalog.match(host)
        assert match is not None, host
        assert (match.company.name, match.service.category) == expected[host], host


def test_mitmproxy_testdata_negatives(catalog: Catalog) -> None:
    hosts = _har_hosts(REALWORLD / "mitmproxy-testdata/flows/successful_log.har")
    assert hosts == {"example.com", "httpbin.org"}
    assert all(catalog.match(h) is None for h in hosts)
    sync = _har_hosts(REALWORLD / "mitmproxy-testdata/flows/diff_data.har")
    assert "clients4.google.com" in sync  # Chrome Sync: the browser's, not the page's
    assert _category(catalog, "clients4.google.com") == "platform"


def _requests(capture: str) -> list[tuple[str, str]]:
    return _har_requests(EXTERNAL / capture / "capture.har")


@pytest.mark.parametrize(
    ("capture", "host", "company", "category"),
    [
        # Trackers the catalog did not know, as the external captures show them.
        ("tweasel-quizduel", "api.helpshift.com", "Helpshift", "customer_engagement"),
        ("healthexchange-nevada", "forms.hsforms.com", "HubSpot", "customer_engagement"),
        ("healthexchange-nevada", "js.hsadspixel.net", "HubSpot", "advertising"),
        ("healthexchange-nevada", "js.hs-banner.com", "HubSpot", "consent"),
        ("healthexchange-nevada", "flask.nextdoor.com", "Nextdoor", "advertising"),
        ("healthexchange-nevada", "action.dstillery.com", "Dstillery", "advertising"),
        ("healthexchange-nevada", "dx.mountain.com", "MNTN", "advertising"),
        ("healthexchange-nevada", "pixel.byspotify.com", "Spotify", "advertising"),
        ("healthexchange-newyork", "content.hotjar.io", "Hotjar", "analytics"),
        ("healthexchange-newyork", "beacons.extremereach.io", "Extreme Reach", "advertising"),
        ("healthexchange-maryland", "live.rezync.com", "Zeta Global", "advertising"),
        ("healthexchange-maryland", "cdn.userway.org", "UserWay", "other"),
        ("healthexchange-colorado", "app.enzuzo.com", "Enzuzo", "consent"),
        ("pixelinspector-mylabbox", "db.revoffers.com", "RevOffers", "advertising"),
        ("pixelinspector-personalabs", "cdn.acsbapp.com", "accessiBe", "other"),
        ("pixelinspector-personalabs", "medchatapp.com", "MedChat", "customer_engagement"),
        ("pagexray-expressen", "analytics.codigo.se", "Codigo", "analytics"),
        ("reporthar-9gag", "api.assertcom.de", "Assertive Yield", "advertising"),
        ("reporthar-9gag-interaction", "cs.mobfox.com", "MobFox", "advertising"),
        ("reporthar-9gag-interaction", "t.adx.opera.com", "Opera", "advertising"),
        # Hosting providers: customers' names under a shared suffix.
        ("pagexray-expressen", "biowebb-data.s3.amazonaws.com", "Amazon", "hosting"),
        ("healthexchange-nevada", "d1eoo1tco6rr5e.cloudfront.net", "Amazon", "hosting"),
        # A retailer's product images (Adobe Dynamic Media, once Scene7), not an ad company's pixel.
        ("pagexray-mytoys", "mytoysgroup.scene7.com", "Adobe", "cdn"),
    ],
)
def test_external_corpus_hosts(catalog: Catalog, capture: str, host: str, company: str, category: str) -> None:
    paths = [path for h, path in _requests(capture) if h == host]
    assert paths, f"{host} is not in {capture}"
    for path in paths:
        match = catalog.match(host, path)
        assert match is not None, (host, path)
        assert (match.company.name, match.service.category) == (company, category), (host, path)


@pytest.mark.parametrize(
    ("capture", "host", "path_start", "service", "category"),
    [
        # One host, several services, in the same real captures.
        ("pixelinspector-oraquick", "www.google.com", "/recaptcha/", "reCAPTCHA", "security"),
        ("pixelinspector-oraquick", "www.gstatic.com", "/recaptcha/", "reCAPTCHA", "security"),
        ("pixelinspector-personalabs", "www.google.com", "/pagead/", "Google", "advertising"),
        ("pixelinspector-personalabs", "www.google.com", "/ads/ga-audiences", "Google", "advertising"),
        ("pixelinspector-oraquick", "translate-pa.googleapis.com", "/v1/", "Google Translate", "other"),
        ("pixelinspector-oraquick", "pi.pardot.com", "/analytics", "Pardot", "analytics"),
    ],
)
def test_external_corpus_requests_by_path(
    catalog: Catalog, capture: str, host: str, path_start: str, service: str, category: str
) -> None:
    paths = [path for h, path in _requests(capture) if h == host and path.startswith(path_start)]
    assert paths, f"no {host}{path_start} request in {capture}"
    for path in paths:
        match = catalog.match(host, path)
        assert match is not None and (match.service.name, match.service.category) == (service, category), path
