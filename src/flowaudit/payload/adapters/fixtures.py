"""Adapter fixtures: real requests each adapter must read, and what it must find.

An adapter is a claim about a vendor's fields ("``traits.email`` is an email").
Nothing but a request can show that the claim is applied as written, so beside
every ``adapters/<vendor>.yml`` sits ``adapters/fixtures/<vendor>.yml``
(a subfolder, so the adapter loader's ``adapters/*.yml`` never reads it):
requests copied from real captures, each with the exact set of data types and
locations the adapter must report in it. A request with ``expect: {}`` must
yield none of the adapter's types (another endpoint of the vendor, or a
lookalike host). Only the adapter under test is applied, so a user's own
adapter is tested the same way, without the rest of the rules.

Expectations are exact both ways: a type missing at its location fails, and
so does a type the fixture does not name; and every type the adapter names
must be shown by some request. Relabelling a field's type in the adapter
therefore fails its fixture.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flowaudit import shape
from flowaudit.errors import FlowauditError
from flowaudit.model import Observation
from flowaudit.payload.adapters.loader import adapter_files, read_adapters
from flowaudit.payload.adapters.matcher import Adapters
from flowaudit.payload.adapters.model import Adapter
from flowaudit.payload.decode import decode_request
from flowaudit.resources import rules_dir
from flowaudit.shape import Shape
from flowaudit.urls import split_url
from flowaudit.yamlsource import YamlDoc, load_yaml

FIXTURE = Shape("flowaudit.payload.adapters", "fixture.schema.json", whole="the fixture")
FIXTURES_FOLDER = "fixtures"


@dataclass(frozen=True, slots=True)
class Expected:
    data_type: str
    location: str
    line: int


@dataclass(frozen=True, slots=True)
class FixtureRequest:
    name: str
    observation: Observation
    expected: tuple[Expected, ...]  # empty: the adapter must find none of its types
    line: int


@dataclass(frozen=True, slots=True)
class Fixture:
    adapter: str
    path: str
    requests: tuple[FixtureRequest, ...]


@dataclass(frozen=True, slots=True)
class Failure:
    """One expectation not met, at the fixture (or adapter) line to look at."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class Outcome:
    adapters: int
    requests: int
    failures: tuple[Failure, ...]


def fixture_path(adapter_path: Path) -> Path:
    """Where an adapter's fixture sits: ``fixtures/<vendor>.yml`` beside the adapter."""
    return adapter_path.parent / FIXTURES_FOLDER / adapter_path.name


def read_fixture(path: Path) -> Fixture:
    """Read and check one fixture file; bad shape or body is a :class:`FlowauditError` at its line."""
    doc = load_yaml(path)
    shape.check(doc, FIXTURE)
    value: dict[str, Any] = doc.value
    if value["adapter"] != path.stem:
        raise FlowauditError(
            f"adapter '{value['adapter']}' must match the file name '{path.stem}.yml'",
            path=doc.path,
            line=doc.line_of(("adapter",)),
        )
    requests = tuple(_request(doc, i, entry) for i, entry in enumerate(value["requests"]))
    return Fixture(value["adapter"], doc.path, requests)


def _request(doc: YamlDoc, index: int, entry: dict[str, Any]) -> FixtureRequest:
    where = ("requests", index)
    if "body_base64" in entry:
        try:
            body = base64.b64decode(entry["body_base64"], validate=True)
        except binascii.Error as error:
            raise FlowauditError(
                f"body_base64 is not base64 ({error})", path=doc.path, line=doc.line_of((*where, "body_base64"))
            ) from None
    else:
        body = str(entry.get("body", "")).encode()
    url = split_url(entry["url"])
    if url.port is None and url.port_text:
        raise FlowauditError("url has a bad port", path=doc.path, line=doc.line_of((*where, "url")))
    port = url.port or (443 if url.scheme == "https" else 80)
    observation = Observation(
        ref=f"{doc.path}#{index + 1}",
        source=doc.path,
        index=index + 1,
        kind="http",
        method=entry["method"],
        scheme=url.scheme,
        host=url.host,
        port=port,
        path=(url.path or "/") + (f"?{url.query}" if url.query else ""),
        request_headers=tuple((str(k), v) for k, v in entry.get("headers", {}).items()),
        body=body,
        body_decoded=True,
    )
    expected = tuple(
        Expected(data_type, location, doc.line_of((*where, "expect", data_type, n)))
        for data_type, locations in entry["expect"].items()
        for n, location in enumerate(locations)
    )
    return FixtureRequest(entry["name"], observation, expected, doc.line_of(where))


def check_fixture(fixture: Fixture, adapter: Adapter) -> list[Failure]:
    """Every way the adapter departs from its fixture."""
    failures: list[Failure] = []

    def fail(line: int, message: str) -> None:
        failures.append(Failure(fixture.path, line, message))

    requests = fixture.requests
    if not any(r.expected for r in requests):
        fail(1, "no request the adapter must find a data type in (give one request a non-empty `expect`)")
    if all(r.expected for r in requests):
        fail(1, "no request the adapter must find nothing in (give one request `expect: {}`)")
    matcher = Adapters([adapter])
    for request in requests:
        obs = request.observation
        if request.expected and not matcher.for_request(obs.host, obs.path):
            where = obs.host + obs.path.split("?", 1)[0]
            fail(request.line, f"'{request.name}': {where} matches no endpoint of {adapter.path}")
            continue
        found = {(d.data_type, d.location) for d in matcher.detect(decode_request(obs), obs.host, obs.path)}
        wanted = {(e.data_type, e.location) for e in request.expected}
        for e in request.expected:
            if (e.data_type, e.location) not in found:
                at = sorted(loc for t, loc in found if t == e.data_type)
                seen = f"; it reports {e.data_type} at {', '.join(at)}" if at else ""
                fail(e.line, f"'{request.name}': expected {e.data_type} at {e.location}, not reported{seen}")
        for data_type, location in sorted(found - wanted):
            fail(request.line, f"'{request.name}': unexpected {data_type} at {location}")
    shown = {e.data_type for r in requests for e in r.expected}
    for data_type, line in sorted(_named_types(adapter).items()):
        if data_type not in shown:
            fail(1, f"no request shows {data_type}, which {adapter.path}:{line} names")
    return failures


def _named_types(adapter: Adapter) -> dict[str, int]:
    """Each data type the adapter names, with the line of its first field (1: an endpoint's ``carries``).

    A type no fixture request shows could be relabelled in the adapter with every test passing.
    """
    named: dict[str, int] = {}
    for endpoint in adapter.endpoints:
        for carried in endpoint.carries:
            named.setdefault(carried.data_type, 1)
        for field in endpoint.fields:
            if field.data_type is not None:
                named[field.data_type] = min(named.get(field.data_type, field.line), field.line)
    return named


def run_fixtures(paths: Iterable[Path] = ()) -> Outcome:
    """Check the adapters in the given files and folders (default: the shipped ones) against their fixtures.

    A folder means its ``*.yml`` adapters. An adapter without a fixture is a
    failure; an unreadable adapter or fixture, or a path that is no adapter,
    is a :class:`FlowauditError` (bad input, not a failing test).
    """
    files: list[Path] = []
    for path in list(paths) or [rules_dir() / "adapters"]:
        if (path / "adapters").is_dir():  # a whole rules tree
            path = path / "adapters"
        if path.is_dir():
            found = adapter_files(path)
            if not found:
                raise FlowauditError("holds no adapters (*.yml)", path=str(path))
            files.extend(found)
        elif path.parent.name == FIXTURES_FOLDER and path.is_file():
            raise FlowauditError(
                "is a fixture, not an adapter",
                path=str(path),
                hint=f"give its adapter: {path.parent.parent / path.name}",
            )
        elif path.is_file():
            files.append(path)
        else:
            raise FlowauditError("no such file or folder", path=str(path))
    failures: list[Failure] = []
    requests = 0
    for adapter_file in files:
        (adapter,) = read_adapters([adapter_file])
        fixture_file = fixture_path(adapter_file)
        if not fixture_file.is_file():
            failures.append(Failure(adapter.path, 1, f"adapter '{adapter.vendor}' has no fixture ({fixture_file})"))
            continue
        fixture = read_fixture(fixture_file)
        requests += len(fixture.requests)
        failures.extend(check_fixture(fixture, adapter))
    return Outcome(len(files), requests, tuple(failures))
