"""The rule ids of docs/contract.md with their default severity and help text.

One table, so the engine, the text output and the machine formats (SARIF
rules, JUnit names) never disagree about what a rule is called or means.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: str
    title: str
    help: str


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule(
            "undeclared-recipient",
            "high",
            "Undeclared recipient",
            "A third party received requests from the app but is not in the declaration. "
            "Declare it under `recipients:` (with the data it receives) or stop sending to it.",
        ),
        Rule(
            "undeclared-data-type",
            "high",
            "Undeclared data type",
            "A declared recipient received a data type that is not declared for it. Add the "
            "type to that recipient's `data:` (and to the store privacy labels), or stop sending it.",
        ),
        Rule(
            "sensitive-data-to-third-party",
            "critical",
            "Sensitive data to a third party",
            "Health or other sensitive data reached a third party in an advertising, analytics, "
            "attribution or social category, declared or not: the case that made the news in 2019. "
            "Sensitive data should not reach such companies at all.",
        ),
        Rule(
            "identifier-shared-across-companies",
            "medium",
            "Identifier shared across companies",
            "The same identifier value (user id, advertising or device id, email or phone, "
            "plain or hashed) reached two or more companies, which lets them join what they know "
            "about the user.",
        ),
        Rule(
            "unknown-third-party",
            "low",
            "Unknown third party",
            "A host outside the app's first-party domains that the catalog does not know. "
            "Silence is never reported as compliance: check who runs it, then declare it "
            "(`recipients: - entity: NAME, domains: [HOST]`) or add it to `first_party:`.",
        ),
        Rule(
            "tracking-before-consent",
            "high",
            "Tracking before consent",
            "A recipient in a category the declaration says needs consent (`consent.required_for`; "
            "advertising, analytics, attribution and social by default) was contacted before the "
            "user gave consent: before a `consent-granted` marker or, without markers, before the "
            "first consent signal in the traffic (a TCF string, a consent-mode update). Load such "
            "SDKs only after consent.",
        ),
        Rule(
            "sharing-after-opt-out",
            "critical",
            "Sharing after opt-out",
            "Personal data reached a recipient in a consent-required category after the user refused "
            "or withdrew consent (a `consent-refused` / `consent-withdrawn` marker, or a refusal "
            "signalled in the traffic). A refusal must stop the sharing.",
        ),
        Rule(
            "opt-out-signal-ignored",
            "high",
            "Opt-out signal ignored",
            "An identifier reached a tracking company in a request that itself says tracking is off: "
            "an all-zero advertising id (ATT not authorised, Limit Ad Tracking), "
            "`advertiser_tracking_enabled=0`, an ATT status of denied, `gcs=G100`, or the Global "
            "Privacy Control header. Honour the signal: send no identifiers with it.",
        ),
        Rule(
            "advertising-id-in-childrens-app",
            "critical",
            "Advertising id in a children's app",
            "The declaration says the app is for children (`audience: children`) and an advertising "
            "or attribution company received the device advertising id. Children's apps must not "
            "share it (COPPA, Google Play Families policy, Apple's Kids category rules).",
        ),
        Rule(
            "cleartext-transmission",
            "high",
            "Data sent over plain HTTP",
            "Personal data travelled unencrypted (http://), readable by anyone on the network path. Use HTTPS.",
        ),
        Rule(
            "uninspectable-connection",
            "low",
            "Uninspectable connection",
            "The app opened a TLS connection but refused the proxy's certificate, so what it sent "
            "is unknown: certificate pinning, or a device that does not trust the proxy's CA. The "
            "host was contacted all the same. To see inside, trust the CA as a system certificate "
            "or use a debug build without pinning (README, 'Capturing traffic'). Raw TCP and UDP "
            "flows that are not HTTP (MQTT, QUIC the proxy could not open) are reported alike.",
        ),
        Rule(
            "attempted-contact",
            "info",
            "Tried to contact, never reached",
            "The app looked up a host, or opened a connection to it that could not be made (offline, "
            "refused, an unknown name), and nothing reached it. What it would have sent is unknown: "
            "record again with the network up, or with `--sinkhole`, to see the requests.",
        ),
        Rule(
            "declared-not-observed",
            "info",
            "Declared but not observed",
            "A declared recipient was never contacted in this capture. Either the capture "
            "did not exercise that part of the app, or the declaration is out of date.",
        ),
        Rule(
            "store-undeclared-data-type",
            "high",
            "Data type missing from the store label",
            "A data type left the device that the app's privacy manifests (merged, as Xcode's privacy report "
            'merges them) or its Play Data safety answers do not declare; "Data not collected" holds for '
            "every type. Declare the store type the finding names.",
        ),
        Rule(
            "store-shared-not-declared",
            "high",
            "Shared, but the Data safety form says collected only",
            "A third party that is not a declared processor received a data type whose Data safety answer "
            "says it is only collected. Google counts a transfer to a third party as sharing, except to a "
            'service provider processing it for the app. Answer "shared", or declare the recipient '
            "`role: processor` when it is one.",
        ),
        Rule(
            "store-tracking-not-declared",
            "high",
            "Tracking, but the manifest says not used for tracking",
            "A data type reached an advertising or attribution company together with an identifier, while "
            "every privacy manifest entry for it says NSPrivacyCollectedDataTypeTracking false. Apple counts "
            "linking data with third-party data for advertising, or sharing it with a data broker, as tracking.",
        ),
        Rule(
            "tracking-domain-not-declared",
            "high",
            "Tracking domain missing from NSPrivacyTrackingDomains",
            "An advertising or attribution company's host was contacted, but no privacy manifest lists its "
            "domain in NSPrivacyTrackingDomains. On iOS 17 and later, listed domains are blocked when the user "
            "denies tracking (App Tracking Transparency); App Review checks the list.",
        ),
        Rule(
            "tracking-domain-after-refusal",
            "high",
            "Tracking domain contacted after tracking was refused",
            "A domain a privacy manifest declares in NSPrivacyTrackingDomains was contacted in a phase where "
            "the user had refused tracking: an App Tracking Transparency denial answered during the capture "
            "(Adjust att_status, AppsFlyer att), a consent-refused marker, or another refusal in the traffic.",
        ),
        Rule(
            "store-declaration-not-understood",
            "low",
            "Store declaration entry not understood",
            "A privacy manifest entry that declares nothing flowaudit can check: a data type that is not one "
            'of Apple\'s, or a tracking "domain" written as a URL. It is listed, never dropped silently.',
        ),
        Rule(
            "store-declared-not-observed",
            "info",
            "Declared in the store label but not observed",
            "A store data type is declared but none of the flowaudit types it covers was seen: declared "
            "unnecessarily, or the capture did not exercise that part of the app.",
        ),
    )
}
