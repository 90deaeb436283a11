from dataclasses import replace

from flowaudit.model import Recipient
from flowaudit.reporters.text import TextReporter

from .results import full_result


def _render(**changes: object) -> str:
    return " ".join(TextReporter().render(full_result(**changes)).split())


def test_a_finding_names_every_host_that_carried_it() -> None:
    base = full_result().findings[0]
    hosts = ("api.mixpanel.com", "api.segment.io", "o1.ingest.sentry.io", "x.example.net")
    f = replace(base, host=hosts[0], hosts=hosts)
    text = _render(findings=(f,))
    assert "(api.mixpanel.com, api.segment.io, o1.ingest.sentry.io and 1 more)" in text


def test_one_row_per_company_lists_its_services_categories_and_an_inferred_first_party() -> None:
    google = Recipient(
        entity="Google",
        entity_id="google",
        category="analytics",
        categories=("analytics", "advertising"),
        party="third",
        declared=False,
        hosts=("www.google-analytics.com",),
        flows=3,
        services=("Google Ads", "Google Analytics"),
    )
    shop = replace(google, entity="shop.example", entity_id="domain:shop.example", party="first", party_inferred=True)
    text = _render(recipients=(google, shop), findings=(), first_party_inferred=("shop.example",))
    assert "Google Ads" in text and "Google Analytics" in text and "analytics, advertising" in text
    assert "first party (inferred)" in text
    assert "first party inferred from the pages in the capture: shop.example" in text
