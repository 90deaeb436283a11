"""Per-recipient totals: made when filled, so a capture to many domains holds little per domain."""

from __future__ import annotations

from flowaudit.catalog import Catalog
from flowaudit.consent.phases import PhaseResolver
from flowaudit.engine.destinations import DestinationResolver
from flowaudit.engine.idvalues import IdentifierValues
from flowaudit.engine.tally import RecipientTally, to_evidence
from flowaudit.model import Evidence
from flowaudit.ondemand import NOTHING
from flowaudit.payload.model import Detection

from .conftest import obs


def test_a_recipient_reached_once_with_nothing_in_it_makes_no_total_it_does_not_fill(catalog: Catalog) -> None:
    request = obs("https://w1.site1.example/x", phase="launch")
    destination = DestinationResolver(catalog, None).resolve(request.host, request.path)
    tally = RecipientTally(destination)
    tally.add(request, destination, [], PhaseResolver().observe_signals(request, ()))
    assert (tally.flows, tally.phase_flows, tally.analyzed) == (1, {"launch": 1}, True)
    untouched = [tally.data_types, tally.identifiers, tally.with_identifier, tally.cleartext, tally.uninspectable]
    untouched += [tally.not_http, tally.attempts_to, tally.consent.refused, tally.consent.after_refusal]
    untouched += [tally.consent.despite_opt_out, tally.consent.opt_out_signals]
    assert all(total is NOTHING for total in untouched)
    assert (tally.tried, tally.relayed, tally.attempts.flows, tally.consent.advertising_ids.flows) == (None, (), 0, 0)


def test_the_hosts_of_one_company_share_one_destination_and_an_unknown_domain_has_its_own(catalog: Catalog) -> None:
    resolver = DestinationResolver(catalog, None)
    first, second = resolver.resolve("n1.mixpanel.com"), resolver.resolve("n2.mixpanel.com")
    assert first.entity == "Mixpanel" and first is second
    assert resolver.resolve("a.site1.example") == resolver.resolve("b.site1.example")
    assert resolver.resolve("a.site1.example").entity_id == "domain:site1.example"


def test_a_remembered_identifier_is_cited_as_its_first_request_showing_the_value_as_asked() -> None:
    found = Detection(
        "identifiers.user_id", "certain", "body", "body > json:user_id", ("json",), "Segment userId",
        "us… (9 chars)", "user-4242", "adapter:segment", source="https://segment.com/docs", property="user id",
    )  # fmt: skip
    evidence = to_evidence("app.mitm#7", "POST https://api.segment.io/v1/t", found)
    values = IdentifierValues()
    values.add("user-4242", "api.segment.io", evidence)
    kept = values["user-4242"]
    assert (kept.data_type, kept.host) == ("identifiers.user_id", "api.segment.io")
    cited = kept.cited("user-4242 (sha256 ab12)", "user-4242")
    expected = Evidence(
        flow="app.mitm#7", location="body > json:user_id", decoding=("json",), data_type="identifiers.user_id",
        how="Segment userId", excerpt="user-4242 (sha256 ab12)", request="POST https://api.segment.io/v1/t",
        value="user-4242", detector="adapter:segment", source="https://segment.com/docs", property="user id",
    )  # fmt: skip
    assert cited == expected
