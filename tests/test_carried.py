from flowaudit.carried import CITED_FLOWS, Carried, combined, requests_phrase
from flowaudit.model import Evidence


def _add(c: Carried, host: str, n: int) -> None:
    c.add(host, f"cap#{n}", lambda: (Evidence(flow=f"cap#{n}"),))


def test_phrase_says_how_many_are_shown_when_bounded() -> None:
    assert requests_phrase(1, 1) == "1 request"
    assert requests_phrase(4, 4) == "4 requests"
    assert requests_phrase(12, 5) == "12 requests, 5 shown"
    assert requests_phrase(3, 3, "TLS connection") == "3 TLS connections"


def test_every_host_is_cited_before_any_host_twice_and_in_capture_order() -> None:
    c = Carried()
    for n in range(1, 10):
        _add(c, "busy.example", n)
    _add(c, "quiet.example", 10)
    assert c.flows == 10
    assert c.named_hosts() == ("busy.example", "quiet.example")
    refs = [ref for ref, _ in c.cited()]
    assert len(refs) == CITED_FLOWS and "cap#10" in refs
    assert refs == sorted(refs, key=lambda r: int(r.split("#")[1]))


def test_more_hosts_than_the_bound_are_each_backed_by_a_request() -> None:
    c = Carried()
    for n in range(1, 9):
        _add(c, f"h{n}.example", n)
    assert {e.flow for e in c.evidence()} == {f"cap#{n}" for n in range(1, 9)}


def test_combined_cites_each_group_and_names_all_hosts() -> None:
    a, b = Carried(), Carried()
    for n in range(1, 7):
        _add(a, "a.example", n)
    _add(b, "b.example", 7)
    hosts, evidence, shown = combined([a, b])
    assert hosts == ("a.example", "b.example")
    assert "cap#7" in {e.flow for e in evidence} and shown == CITED_FLOWS


def test_combined_backs_every_host_it_names() -> None:
    """Six data types, each first seen in its own www.google.com request, all later on
    the ad server: the ad server is cited, not only five www.google.com requests."""
    groups = [Carried() for _ in range(6)]
    for n, g in enumerate(groups, 1):
        _add(g, "www.google.com", n)
        _add(g, "securepubads.g.doubleclick.net", 10)
        _add(g, "securepubads.g.doubleclick.net", 11)
    hosts, evidence, shown = combined(groups)
    assert hosts == ("securepubads.g.doubleclick.net", "www.google.com")
    cited = {e.flow for e in evidence}
    assert "cap#10" in cited and shown == len(cited) == CITED_FLOWS
