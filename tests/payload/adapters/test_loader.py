"""The shipped adapter files, and the errors a broken one gives (file:line)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from flowaudit.catalog import load_catalog
from flowaudit.errors import FlowauditError
from flowaudit.payload.adapters import load_adapters, read_adapters

REQUIRED_VENDORS = {
    "facebook_app_events",
    "meta_pixel",
    "meta_conversions_api",
    "google_analytics",
    "firebase",
    "appsflyer",
    "adjust",
    "branch",
    "mixpanel",
    "amplitude",
    "segment",
    "rudderstack",
    "posthog",
    "sentry",
    "braze",
    "crashlytics",
}


def test_the_issue_s_vendors_are_all_described() -> None:
    assert {adapter.vendor for adapter in load_adapters().adapters} >= REQUIRED_VENDORS


def test_every_adapter_names_a_catalog_service_of_the_company_of_its_hosts() -> None:
    """An adapter's hosts are its company's: a vendor's SDK may send to hosts the catalog files
    under another of the vendor's services (Google Analytics collects through
    stats.g.doubleclick.net, Firebase registers push tokens at fcmtoken.googleapis.com), never
    to another company's."""
    catalog = load_catalog()
    for adapter in load_adapters().adapters:
        company = catalog.service(adapter.service).company_id  # raises for an unknown id
        for endpoint in adapter.endpoints:
            for host in endpoint.hosts:
                match = catalog.match(host)
                assert match is not None and match.service.company_id == company, (adapter.vendor, host)


def test_every_field_cites_a_source() -> None:
    for adapter in load_adapters().adapters:
        for endpoint in adapter.endpoints:
            assert endpoint.source.startswith("https://")
            assert all(c.source.startswith("https://") for c in endpoint.carries)
            for field in endpoint.fields:
                assert field.source.startswith("https://"), (adapter.vendor, field.path)


def write(tmp_path: Path, text: str, name: str = "acme.yml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


GOOD = """\
vendor: acme
name: Acme
service: acme
endpoints:
  - name: events
    hosts: [events.acme.example]
    paths: ["/v1/events"]
    source: https://docs.acme.example/events
    fields:
      - path: user.email
        type: contact.email
        source: https://docs.acme.example/events#user
"""


def test_a_good_file_reads(tmp_path: Path) -> None:
    (adapter,) = read_adapters([write(tmp_path, GOOD)])
    assert adapter.endpoints[0].fields[0].line == 10


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (("type: contact.email", "type: contact.emial"), 11, "unknown data type 'contact.emial'"),
        (("        source: https://docs.acme.example/events#user", "        sorce: x"), 12, "unknown key 'sorce'"),
        (("vendor: acme", "vendor: other"), 1, "must match the file name"),
        (
            (
                "      - path: user.email\n        type: contact.email",
                "      - path: user.key\n        secret: true\n        type: contact.email",
            ),
            10,
            "secret",
        ),
        (("    hosts: [events.acme.example]", "    hosts: [Events.Acme]"), 6, "host name"),
        (
            ("        type: contact.email\n", "        type: contact.email\n        when_field: {kind: buyer}\n"),
            12,
            "when_field.kind` must be a list, not 'buyer'",
        ),
    ],
)
def test_mistakes_are_reported_at_their_line(tmp_path: Path, change: tuple[str, str], line: int, words: str) -> None:
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(FlowauditError) as raised:
        read_adapters([path])
    assert raised.value.path == str(path)
    assert raised.value.line == line
    assert words in raised.value.message


def test_an_unknown_service_is_refused_when_the_catalog_ids_are_given(tmp_path: Path) -> None:
    with pytest.raises(FlowauditError) as raised:
        read_adapters([write(tmp_path, GOOD)], services=["mixpanel"])
    assert raised.value.line == 3


def test_record_conditions_read_lower_case(tmp_path: Path) -> None:
    text = GOOD.replace(
        "        type: contact.email\n",
        '        type: contact.email\n        when_field: {kind: [Buyer]}\n        unless_field: {/test: ["1"]}\n',
    )
    (adapter,) = read_adapters([write(tmp_path, text)])
    field = adapter.endpoints[0].fields[0]
    assert [(c.path, c.values) for c in field.when_field] == [("kind", frozenset({"buyer"}))]
    assert field.unless_field[0].pattern.search("test") and not field.unless_field[0].pattern.search("x\x1ftest")


def _joined_paths() -> list[str]:
    """Key paths of every field and condition of the shipped adapters, each at the end of a
    longer path, alone, with a final line break, and next to a similar key."""
    sep = "\x1f"
    paths = {""}
    for adapter in load_adapters().adapters:
        for endpoint in adapter.endpoints:
            for field in endpoint.fields:
                for path in (field.path, *(c.path for c in (*field.when_field, *field.unless_field))):
                    names = path.lstrip("/").replace("**", "x").replace("*", "y").replace(".", sep)
                    for joined in (names, f"a{sep}{names}", f"a{names}", f"{names}\n", f"a{sep}{names}\n", f"{names}z"):
                        paths.add(joined)
    return sorted(paths)


def test_field_patterns_match_as_their_regular_expressions() -> None:
    """A field path without a wildcard is compared as text, with what its expression matches."""
    import re

    joined = _joined_paths()
    patterns = [
        pattern
        for adapter in load_adapters().adapters
        for endpoint in adapter.endpoints
        for field in endpoint.fields
        for pattern in (field.pattern, *(c.pattern for c in (*field.when_field, *field.unless_field)))
    ]
    assert sum(p.literal is not None for p in patterns) > 400
    for pattern in patterns:
        expression = re.compile(pattern.regex)
        assert [pattern.search(j) for j in joined] == [expression.search(j) is not None for j in joined], pattern
