"""Applying vendor adapters to decoded requests.

Adapters are indexed by host (a request host is looked up, then each of its
parent domains, as the catalog does) and the endpoint's path globs are one
compiled regex, so a request no adapter knows costs a few dictionary
lookups. Within an endpoint, fields are indexed by the last key name of
their path; fields ending in a wildcard (``properties.*``) are tried on
every leaf of the request.

A documented field is ``certain``: the vendor says what it holds. Its
value is still checked against the field's ``format`` (a Sentry
``ip_address`` of ``{{auto}}`` is no address), and placeholders
(``null``, ``0``) are not data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from sys import intern
from typing import Final, NamedTuple

from flowaudit.payload.adapters.loader import adapter_files, adapter_hosts, read_adapters
from flowaudit.payload.adapters.model import KEY_SEP, Adapter, Condition, Endpoint, Field, KeyPattern
from flowaudit.payload.detectors import formats
from flowaudit.payload.detectors.evidence import mask, mask_email, mask_hash, mask_ip, mask_url, quote
from flowaudit.payload.detectors.keys import key_path, object_location, shaped
from flowaudit.payload.detectors.leafrules import is_placeholder, plausible_id
from flowaudit.payload.model import DecodedRequest, Detection, Leaf, new_detection

# Locations and key paths kept (the shapes SDKs repeat: a few thousand on the bench capture), and
# (host, path) lookups kept: bounded so that memory stays flat. Paths hold ids, so new (host, path)
# pairs keep coming and a larger bound only fills more slowly: a few hundred reach every hot one,
# and the bound is reached early in a long capture, not after its hundred-thousandth request.
_MAX_CACHED = 1 << 14
_MAX_REQUESTS = 1 << 10
# Verdicts kept (:meth:`Adapters._certain`), in each of two generations: a field's verdict on a
# value, with its detection at each place the value was met. Enough for the values an app's SDKs
# repeat (a few hundred on the bench capture and on a HAR of real traffic), few enough that the
# cache is full early in a long capture and memory then stays flat.
_MAX_VERDICTS = 1 << 9
_MAX_VERDICT_VALUE = 256
# Places kept per verdict: an id an SDK repeats in one request (every event of a batch) has one
# detection per place, and the places repeat from request to request.
_MAX_PLACES = 8
_IDENTIFYING = ("identifiers.", "contact.email", "contact.phone")


@dataclass(frozen=True, slots=True)
class OptOut:
    """A field saying the user opted out of tracking (``advertiser_tracking_enabled=0``)."""

    vendor: str
    part: str
    location: str
    decoding: tuple[str, ...]
    how: str


@dataclass(frozen=True, slots=True)
class AdapterResult:
    detections: tuple[Detection, ...] = ()
    secrets: frozenset[str] = frozenset()  # locations of credentials: never data
    # Value-dependent fields (``terms: true``): location -> (what the field is, detector, its
    # documentation), for the generic term detector to name in its evidence.
    described: Mapping[str, tuple[str, str, str]] = field(default_factory=dict)
    opt_outs: tuple[OptOut, ...] = ()
    vendors: tuple[str, ...] = ()  # the adapters that applied
    # (location, data type) a documented field rules out by its record: a Meta Pixel cd[value]
    # in a ViewContent event is a price seen, not a purchase, whatever a generic guess says.
    ruled_out: frozenset[tuple[str, str]] = frozenset()
    # Detections whose field's record conditions held (a UET total on a purchase page): their
    # context is already read, by the vendor's own fields.
    in_context: tuple[Detection, ...] = ()


_NOTHING = AdapterResult()


@dataclass(frozen=True, slots=True)
class _FieldIndex:
    by_last: dict[str, tuple[Field, ...]]
    wildcard: tuple[Field, ...]

    @classmethod
    def of(cls, fields: Iterable[Field]) -> _FieldIndex:
        by_last: dict[str, list[Field]] = {}
        wildcard: list[Field] = []
        for one in fields:
            if one.last is None:
                wildcard.append(one)
            else:
                by_last.setdefault(one.last, []).append(one)
        return cls({k: tuple(v) for k, v in by_last.items()}, tuple(wildcard))


class _Located(NamedTuple):
    """The fields of an endpoint that match one location, sorted once by what they do there, so
    that a leaf there costs only what its fields ask (most name no data type: ``terms`` only)."""

    secret: bool  # one of them is a credential: the value is never data
    describing: Field | None  # the first that describes the value for the term detector (``terms``)
    opting: tuple[Field, ...]  # those that read an opt-out (``opt_out_when``), in order
    naming: tuple[Field, ...]  # those that name a data type, in order

    @classmethod
    def of(cls, fields: tuple[Field, ...]) -> _Located:
        return cls(
            any(f.secret for f in fields),
            next((f for f in fields if f.terms), None),
            tuple(f for f in fields if f.opt_out_when),
            tuple(f for f in fields if f.data_type is not None),
        )


# A location not looked up yet for an endpoint (:meth:`Adapters.match`); None: no field there.
_UNSEEN: Final = _Located(False, None, (), ())


@lru_cache(maxsize=_MAX_CACHED)
def _joined(location: str) -> str:
    return KEY_SEP.join(key_path(location))


class Adapters:
    """The adapters, ready to match requests: given read, or read from their files
    on first use (:meth:`from_files`), when a request reaches one of their hosts."""

    def __init__(self, adapters: Iterable[Adapter] = ()) -> None:
        self._by_host: dict[str, list[tuple[Adapter, Endpoint]]] = {}
        self._fields: dict[int, _FieldIndex] = {}
        self._unread: dict[str, list[str]] = {}  # host -> files not read yet (from_files)
        self._files: dict[str, Adapter | None] = {}  # every file, in order; None until read
        self._given = tuple(adapters)
        for adapter in self._given:
            self._index(adapter)
            for endpoint in adapter.endpoints:
                for host in endpoint.hosts:
                    self._by_host.setdefault(host, []).append((adapter, endpoint))
        self._requests: dict[tuple[str, str], tuple[tuple[Adapter, Endpoint], ...]] = {}
        # endpoint id -> location -> its fields there: one lookup by the location string alone per leaf
        self._located: dict[int, dict[str, _Located | None]] = {}
        self._located_count = 0
        # field id -> stripped value -> its detection at each place met (empty: the field makes
        # nothing of it); the newer generation (with how many values it holds) and the older one
        self._verdicts: dict[int, dict[str, tuple[Detection, ...]]] = {}
        self._verdict_count = 0
        self._older_verdicts: dict[int, dict[str, tuple[Detection, ...]]] = {}

    @classmethod
    def from_files(cls, paths: Sequence[Path]) -> Adapters:
        """The adapters of ``paths`` (all checked, see :func:`adapter_hosts`), each read and
        compiled only when a request reaches one of its hosts: most of ~600 patterns are
        never needed by a small audit, and compiling them was a tenth of its time."""
        adapters = cls()
        adapters._unread = adapter_hosts(paths)
        adapters._files = dict.fromkeys(map(str, paths))
        return adapters

    @property
    def adapters(self) -> tuple[Adapter, ...]:
        """Every adapter, in file order (all read now, when read from files)."""
        return self._given or tuple(self._read(path) for path in self._files)

    def _index(self, adapter: Adapter) -> None:
        for endpoint in adapter.endpoints:
            self._fields[id(endpoint)] = _FieldIndex.of(endpoint.fields)

    def _read(self, path: str) -> Adapter:
        adapter = self._files[path]
        if adapter is None:
            (adapter,) = read_adapters([Path(path)])
            self._files[path] = adapter
            self._index(adapter)
        return adapter

    def _at(self, host: str) -> list[tuple[Adapter, Endpoint]]:
        """The (adapter, endpoint) pairs with ``host`` among their hosts, in file and endpoint order."""
        files = self._unread.pop(host, None)
        if files is not None:
            self._by_host[host] = [
                (adapter, endpoint)
                for adapter in map(self._read, files)
                for endpoint in adapter.endpoints
                for named in endpoint.hosts
                if named == host
            ]
        return self._by_host.get(host, [])

    def for_request(self, host: str, path: str) -> tuple[tuple[Adapter, Endpoint], ...]:
        """The (adapter, endpoint) pairs that describe a request to ``host`` + ``path``."""
        path_only = path.split("?", 1)[0].split("#", 1)[0] or "/"
        key = (host, path_only)
        found = self._requests.get(key)
        if found is None:
            if len(self._requests) >= _MAX_REQUESTS:
                self._requests.clear()
            found = self._requests[key] = self._lookup(host.lower().rstrip("."), path_only)
        return found

    def _lookup(self, host: str, path: str) -> tuple[tuple[Adapter, Endpoint], ...]:
        matches: list[tuple[Adapter, Endpoint]] = []
        candidate = host
        while candidate:
            for adapter, endpoint in self._at(candidate):
                if endpoint.path_pattern.fullmatch(path):
                    matches.append((adapter, endpoint))
            candidate = candidate.partition(".")[2]
        return tuple(matches)

    def _locations(self, endpoint: Endpoint) -> dict[str, _Located | None]:
        """The endpoint's cache of :meth:`_fields_at`, which holds at most :data:`_MAX_CACHED`
        locations across all endpoints."""
        if self._located_count >= _MAX_CACHED:
            self._located.clear()
            self._located_count = 0
        return self._located.setdefault(id(endpoint), {})

    def _fields_at(self, endpoint: Endpoint, located: dict[str, _Located | None], location: str) -> _Located | None:
        """The endpoint's fields whose path matches a location (None: none), kept in ``located``
        (the endpoint's :meth:`_locations`, which the caller looks in first), as SDKs repeat their shapes.

        Locations of one shape (:func:`shaped`: the same but for list positions, every event of a
        batch) have one key path, so the fields found for the shape, kept under it, serve them all."""
        shape = shaped(location)
        found = located.get(shape, _UNSEEN) if shape != location else _UNSEEN
        if found is _UNSEEN:
            fields = _matching_fields(self._fields[id(endpoint)], location)
            found = _Located.of(fields) if fields else None
            if shape != location:
                located[shape] = found
                self._located_count += 1
        located[location] = found
        self._located_count += 1
        return found

    def _certain(self, spec: Field, leaf: Leaf, value: str, detector: str) -> Detection | None:
        """:func:`_certain`, once per field and distinct value: SDKs send the same values in
        request after request (an app version, an event name, the same user's ids), and what a
        documented field makes of a value depends on nothing else (``detector`` is the field's
        adapter's, ``value`` the leaf's stripped); where the leaf sat only places the detection.
        Long values are not kept: they rarely repeat.

        Kept by value, not by leaf: a leaf kept its location, key and value alive in every entry,
        and an id repeated at five places of a batch took five entries, so the cache grew with the
        capture until its bound (about 700 bytes an entry, 2.7 MiB in all, on the bench capture).
        A detection per place is kept (its location interned: the audit's evidence interns it
        too), up to :data:`_MAX_PLACES`. Two generations, as the generic detector's verdicts
        (:func:`flowaudit.payload.detectors.generic._verdict`): a verdict found in the older one
        moves to the newer one, and a full newer generation replaces the older one, so what
        recent requests used stays."""
        if len(value) > _MAX_VERDICT_VALUE:
            return _certain(spec, leaf, value, detector)
        field_id = id(spec)
        newer = self._verdicts.get(field_id)
        places = None if newer is None else newer.get(value)
        if places is None:
            older = self._older_verdicts.get(field_id)
            places = None if older is None else older.get(value)
            if places is None:
                found = _certain(spec, leaf, value, detector)
                self._keep(field_id, value, () if found is None else (found,))
                return found
            self._keep(field_id, value, places)
        if not places:
            return None
        location, decoding, part = leaf.location, leaf.decoding, leaf.part
        for placed in places:
            if placed.location == location and placed.decoding == decoding and placed.part == part:
                return placed
        first = places[0]
        if len(places) >= _MAX_PLACES:  # placed afresh each time
            return new_detection((*first[:2], part, location, decoding, *first[5:]))
        found = new_detection((*first[:2], part, intern(location), decoding, *first[5:]))
        self._keep(field_id, value, (*places, found))
        return found

    def _keep(self, field_id: int, value: str, places: tuple[Detection, ...]) -> None:
        """Keep a verdict in the newer generation; a full one becomes the older."""
        newer = self._verdicts.get(field_id)
        if newer is None:
            newer = self._verdicts[field_id] = {}
        if value not in newer:
            if self._verdict_count >= _MAX_VERDICTS:
                self._older_verdicts, self._verdicts, self._verdict_count = self._verdicts, {}, 0
                newer = self._verdicts[field_id] = {}
            self._verdict_count += 1
        newer[value] = places

    def detect(self, decoded: DecodedRequest, host: str, path: str) -> list[Detection]:
        """The data types the adapters for this request name in it (confidence ``certain``)."""
        return list(self.match(decoded, host, path).detections)

    def match(self, decoded: DecodedRequest, host: str, path: str) -> AdapterResult:
        """Detections, credential locations and opt-out signals for one request."""
        endpoints = self.for_request(host, path)
        if not endpoints:
            return _NOTHING
        detections: list[Detection] = []
        secrets: set[str] = set()
        described: dict[str, tuple[str, str, str]] = {}
        opt_outs: list[OptOut] = []
        ruled_out: set[tuple[str, str]] = set()
        in_context: list[Detection] = []
        for adapter, endpoint in endpoints:
            detector = f"adapter:{adapter.vendor}"
            for carried in endpoint.carries:
                how = f"{adapter.name} {endpoint.name}: every request carries it"
                excerpt = quote(path.split("?", 1)[0])
                detections.append(
                    Detection(
                        carried.data_type,
                        "certain",
                        "url",
                        "url",
                        (),
                        how,
                        excerpt,
                        None,
                        detector,
                        source=carried.source,
                        property=carried.property,
                    )
                )
            reported: set[int] = set()
            records = _Records(decoded.leaves)
            located = self._locations(endpoint)
            for leaf in decoded.leaves:
                location = leaf.location
                at = located.get(location, _UNSEEN)
                if at is _UNSEEN:
                    at = self._fields_at(endpoint, located, location)
                if at is None:
                    continue
                secret, describing, opting, naming = at
                if secret:
                    secrets.add(location)
                    continue
                if describing is not None:
                    described.setdefault(location, (describing.what, detector, describing.source))
                if not (opting or naming):
                    continue
                value = leaf.value.strip()
                for candidate in opting:
                    if value.lower() in candidate.opt_out_when:
                        how = f"{candidate.what} = {value}: the user opted out of tracking"
                        opt_outs.append(OptOut(adapter.vendor, leaf.part, location, leaf.decoding, how))
                for candidate in naming:
                    if candidate.once and id(candidate) in reported:
                        continue
                    conditional = candidate.when_field or candidate.unless_field
                    if conditional and not records.apply(candidate, location):
                        assert candidate.data_type is not None  # as every field in ``naming``
                        ruled_out.add((location, candidate.data_type))
                        continue
                    detection = self._certain(candidate, leaf, value, detector)
                    if detection is not None:
                        reported.add(id(candidate))
                        (in_context if candidate.when_field else detections).append(detection)
        vendors = tuple(dict.fromkeys(adapter.vendor for adapter, _ in endpoints))
        if ruled_out:
            ruled_out.difference_update((d.location, d.data_type) for d in (*detections, *in_context))
        return AdapterResult(
            (*detections, *in_context),
            frozenset(secrets),
            described,
            tuple(opt_outs),
            vendors,
            frozenset(ruled_out),
            tuple(in_context),
        )


class _Records:
    """A request's values read as records, for fields that depend on a sibling
    (``when_field``/``unless_field``): each condition's matching values are
    collected once per request, with the location of the object holding them."""

    def __init__(self, leaves: tuple[Leaf, ...]) -> None:
        self._leaves = leaves
        self._found: dict[int, list[str]] = {}  # condition id -> objects holding a value that meets it

    def apply(self, spec: Field, location: str) -> bool:
        """Whether the field's conditions hold in the record around ``location``."""
        return all(self._holds(c, location) for c in spec.when_field) and not any(
            self._holds(c, location) for c in spec.unless_field
        )

    def _holds(self, condition: Condition, location: str) -> bool:
        holders = self._found.get(id(condition))
        if holders is None:
            anything = "*" in condition.values  # present with any value
            # Without "*", only a leaf holding one of the values can meet it: they are found first,
            # by a set lookup each, before any key path is matched.
            leaves = (
                self._leaves
                if anything
                else [leaf for leaf in self._leaves if leaf.value.strip().lower() in condition.values]
            )
            holders = self._found[id(condition)] = [
                object_location(leaf.location, leaf.key)
                for leaf in leaves
                if _key_matches(condition.pattern, _joined(leaf.location))
                and _meets(condition, leaf.value.strip().lower(), anything)
            ]
        return any(location.startswith(holder) for holder in holders)


def _meets(condition: Condition, value: str, anything: bool) -> bool:
    return value in condition.values or (anything and bool(value) and not is_placeholder(value))


def _matching_fields(index: _FieldIndex, location: str) -> tuple[Field, ...]:
    path = key_path(location)
    if not path:
        return ()
    candidates = index.by_last.get(path[-1], ())
    if not candidates and not index.wildcard:
        return ()
    joined = KEY_SEP.join(path)
    return tuple(f for group in (candidates, index.wildcard) for f in group if _key_matches(f.pattern, joined))


def _key_matches(pattern: KeyPattern, joined: str) -> bool:
    """:meth:`KeyPattern.search`, a path that cannot end as the pattern's text (most, for a
    condition tried on every value of a request) told apart here, without the call."""
    literal = pattern.literal
    if literal is not None and not joined.endswith(literal) and not joined.endswith("\n"):
        return False
    return pattern.search(joined)


def _accepts(form: str, value: str) -> bool:
    if not value or is_placeholder(value):
        return False
    if form == "any":
        return True
    if form == "id":
        return plausible_id(value)
    if form in ("generated", "handle"):
        # A field that holds whatever id the site chose (Meta's external_id: a loyalty number, an account
        # id or a cookie id) says whose only when written as a handle; a digest or a random id may be any.
        made = formats.looks_generated(value) or formats.hash_kind(value) is not None
        return plausible_id(value) and made == (form == "generated")
    if form == "email":
        return formats.is_email(value) or formats.hash_kind(value) is not None
    if form == "phone":
        return formats.phone_digits(value) is not None or formats.hash_kind(value) is not None
    if form == "hash":
        return formats.hash_kind(value) is not None
    if form == "uuid":
        return formats.is_uuid(value)
    if form == "ip":
        return formats.ip_address(value) is not None
    return formats.is_url(value)  # "url"


def _certain(spec: Field, leaf: Leaf, value: str, detector: str) -> Detection | None:
    data_type = spec.data_type
    assert data_type is not None
    if (spec.when_prefix and not value.startswith(spec.when_prefix)) or (
        spec.unless_prefix and value.startswith(spec.unless_prefix)
    ):
        return None
    if not _accepts(spec.format, value):
        return None
    how = f"{spec.what} (documented field)"
    kind = formats.hash_kind(value)
    if kind is not None:
        how += f", {kind} hex"
        excerpt = mask_hash(value)
    elif formats.is_email(value):
        excerpt = mask_email(value)
    elif formats.is_url(value):
        excerpt = mask_url(value)
    elif data_type == "network.ip_address":
        excerpt = mask_ip(value)
    elif data_type == "usage.interactions":
        excerpt = quote(value)  # event names: what the app reports, shown as is
    else:
        excerpt = mask(value)
    identifying = data_type.startswith(_IDENTIFYING)
    return Detection(
        data_type=data_type,
        confidence="certain",
        part=leaf.part,
        location=intern(leaf.location),  # kept by the verdicts (Adapters._certain), as by the evidence
        decoding=leaf.decoding,
        how=intern(how),  # the same for every value of the field: the verdicts kept share it
        excerpt=excerpt,
        value=(value.lower() if kind or "@" in value else value) if identifying else None,
        detector=detector,
        source=spec.source,
        property=spec.property,
    )


@cache
def load_adapters() -> Adapters:
    """The shipped adapters (``rules/adapters/*.yml``), each read when first needed."""
    return Adapters.from_files(adapter_files())
