"""Rules in the stores' own terms: the app's privacy manifests and Data safety answers.

Each judges what was observed against what the store files say
(:class:`flowaudit.stores.model.StoreDeclaration`) and anchors its finding
at the file, line and key to change, so code scanning shows it on the
manifest or the CSV itself. The data types are compared through the one
mapping of ``rules/data-types.yml`` (:mod:`flowaudit.stores.mapping`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from flowaudit.carried import Carried, requests_phrase
from flowaudit.datatypes import plain_name
from flowaudit.declaration import Declaration
from flowaudit.engine.rules.evidence import in_requests, make_finding, with_article
from flowaudit.engine.tally import IDENTIFYING, RecipientTally
from flowaudit.model import Evidence, Finding
from flowaudit.stores.mapping import APPLE, PLAY, STORE_NAMES, StoreMapping, load_mapping
from flowaudit.stores.model import Place, StoreDeclaration

# Companies whose contact iOS 17+ blocks when the user denies tracking, unless
# listed in NSPrivacyTrackingDomains (the catalog has no data-broker category).
TRACKING_CATEGORIES = frozenset({"advertising", "attribution"})


@dataclass(frozen=True, slots=True)
class _Seen:
    """Who received one data type, over every recipient row."""

    rows: tuple[tuple[RecipientTally, Carried], ...]

    @property
    def flows(self) -> int:
        return sum(carried.flows for _, carried in self.rows)

    def hosts(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(h for _, carried in self.rows for h in carried.named_hosts()))

    def evidence(self, limit: int = 5) -> tuple[Evidence, ...]:
        """The first request of each recipient, in turn, up to ``limit`` requests."""
        out: list[Evidence] = []
        flows: set[str] = set()
        for _, carried in self.rows:
            for e in carried.evidence():
                if e.flow in flows or len(flows) < limit:
                    flows.add(e.flow)
                    out.append(e)
                if len(flows) >= limit:
                    break
        return tuple(out)

    def phrase(self) -> str:
        who = ", ".join(f"{t.destination.entity} ({', '.join(c.named_hosts()[:2])})" for t, c in self.rows[:4])
        more = f" and {len(self.rows) - 4} more" if len(self.rows) > 4 else ""
        shown = len({e.flow for e in self.evidence()})
        return f"{who}{more}, in {requests_phrase(self.flows, shown)}"


def _observed(tallies: list[RecipientTally]) -> dict[str, _Seen]:
    """Data type -> who received it (the app's own servers too: that is collection)."""
    rows: dict[str, list[tuple[RecipientTally, Carried]]] = {}
    for t in tallies:
        if t.destination.is_platform:
            continue
        for data_type, carried in t.data_types.items():
            rows.setdefault(data_type, []).append((t, carried))
    return {data_type: _Seen(tuple(found)) for data_type, found in sorted(rows.items())}


def _anchored(finding: Finding, place: Place) -> Finding:
    return replace(finding, declaration_file=place.path, declaration_line=place.line, declaration_key=place.key)


def _store(declaration: Declaration | None) -> StoreDeclaration:
    return declaration.store if declaration is not None else StoreDeclaration()


def _declared_types(store: StoreDeclaration, which: str, mapping: StoreMapping) -> dict[str, str]:
    """flowaudit type -> the store type id that declares it, for the store files of ``which``."""
    ids = [i.type_id for i in store.apple_items()] if which == APPLE else [t.type_id for t in store.play_types()]
    out: dict[str, str] = {}
    for type_id in ids:
        row = mapping.find(which, type_id)
        for data_type in row.types if row is not None else ():
            out.setdefault(data_type, type_id)
    return out


def undeclared_in_store(tallies: list[RecipientTally], declaration: Declaration | None) -> Iterator[Finding]:
    """A data type observed that the store label does not declare ("Data not collected" holds for every type)."""
    store = _store(declaration)
    if not store:
        return
    mapping = load_mapping()
    observed = _observed(tallies)
    for which in (APPLE, PLAY):
        if which == APPLE and not store.apple or which == PLAY and not store.play:
            continue
        declared = _declared_types(store, which, mapping)
        for data_type, seen in observed.items():
            if data_type in declared:
                continue
            rows = mapping.covering(which, data_type)
            names = " or ".join(f"{r.id} ({r.label})" for r in rows)
            place, said = _where_to_declare(store, which, mapping, data_type)
            yield _anchored(
                make_finding(
                    "store-undeclared-data-type",
                    entity=", ".join(t.destination.entity for t, _ in seen.rows),
                    entity_id="",
                    hosts=seen.hosts(),
                    id_scope=which,
                    data_types=(data_type,),
                    message=(
                        f"{plain_name(data_type)} ({data_type}) was sent to {seen.phrase()}, but the "
                        f"{STORE_NAMES[which]} ({place}) {said}: declare {names}."
                    ),
                    evidence=seen.evidence(),
                ),
                place,
            )


def _where_to_declare(store: StoreDeclaration, which: str, mapping: StoreMapping, data_type: str) -> tuple[Place, str]:
    if which == APPLE:
        first = store.apple[0]
        if not any(True for _ in store.apple_items()):
            return first.collected_place, "declares no collected data type"
        return first.collected_place, "does not declare it"
    answers = store.play[0]
    if answers.collects is False:
        return answers.collects_place, "answers that the app collects no data"
    rows = mapping.covering(PLAY, data_type)
    return (answers.row_of(rows[0].id) if rows else answers.collects_place), "does not tick it"


def shared_not_declared(tallies: list[RecipientTally], declaration: Declaration | None) -> Iterator[Finding]:
    """Play says "collected" only, but a third party (not a processor) received the type."""
    store = _store(declaration)
    if not store.play:
        return
    mapping = load_mapping()
    for answered in store.play_types():
        row = mapping.find(PLAY, answered.type_id)
        if answered.shared or row is None:
            continue
        for data_type in row.types:
            shared = tuple(
                (t, t.data_types[data_type])
                for t in tallies
                if data_type in t.data_types
                and t.destination.party == "third"
                and not t.destination.is_platform
                and not (t.destination.declared is not None and t.destination.declared.role == "processor")
            )
            if not shared:
                continue
            seen = _Seen(shared)
            yield _anchored(
                make_finding(
                    "store-shared-not-declared",
                    entity=", ".join(t.destination.entity for t, _ in shared),
                    entity_id="",
                    hosts=seen.hosts(),
                    id_scope=answered.type_id,
                    data_types=(data_type,),
                    message=(
                        f"{plain_name(data_type)} ({data_type}) went to {seen.phrase()}: third parties, not "
                        f"declared processors, so Google counts it as shared. The Data safety answer for "
                        f"{answered.type_id} ({answered.sharing_place}) says it is only collected."
                    ),
                    evidence=seen.evidence(),
                ),
                answered.sharing_place,
            )


def tracking_not_declared(tallies: list[RecipientTally], declaration: Declaration | None) -> Iterator[Finding]:
    """Data went to an advertising or attribution company with an identifier, but the manifest says no tracking."""
    store = _store(declaration)
    if not store.apple:
        return
    mapping = load_mapping()
    items = list(store.apple_items())
    for t in tallies:
        d = t.destination
        if d.party != "third" or d.is_platform or d.category not in TRACKING_CATEGORIES:
            continue
        for data_type in sorted(t.with_identifier):
            row_ids = {r.id for r in mapping.covering(APPLE, data_type)}
            declared = [i for i in items if i.type_id in row_ids]
            if not declared or any(i.tracking for i in declared):
                continue  # undeclared types are another rule's; a tracking: true anywhere settles it
            item = declared[0]
            carried = t.with_identifier[data_type]
            identifiers = sorted({e.data_type for e in carried.evidence() if e.data_type in IDENTIFYING} - {data_type})
            together = f"that also carried {', '.join(identifiers)}" if identifiers else "(itself an identifier)"
            yield _anchored(
                make_finding(
                    "store-tracking-not-declared",
                    entity=d.entity,
                    entity_id=d.entity_id,
                    hosts=carried.named_hosts(),
                    id_scope=item.type_id,
                    data_types=(data_type,),
                    message=(
                        f"{plain_name(data_type)} ({data_type}) reached {d.entity}, {with_article(d.category)} "
                        f"company, in {in_requests(carried)} {together}, but {item.type_id} is declared "
                        f"not used for tracking ({item.tracking_place})."
                    ),
                    evidence=carried.evidence(),
                ),
                item.tracking_place,
            )


def _covered(host: str, domains: Iterable[str]) -> str | None:
    return next((d for d in domains if host == d or host.endswith("." + d)), None)


def _domains(store: StoreDeclaration) -> list[str]:
    return [d.strip().lower().rstrip(".") for d, _ in store.tracking_domains() if _is_domain(d)]


def _is_domain(text: str) -> bool:
    written = text.strip()
    return bool(written) and not any(c in written for c in "/: ") and "." in written


def tracking_domain_not_declared(tallies: list[RecipientTally], declaration: Declaration | None) -> Iterator[Finding]:
    """An advertising or attribution host was contacted; its domain is not in any NSPrivacyTrackingDomains."""
    store = _store(declaration)
    if not store.apple:
        return
    domains = _domains(store)
    first = store.apple[0]
    for t in tallies:
        d = t.destination
        if d.party != "third" or d.is_platform or d.category not in TRACKING_CATEGORIES:
            continue
        missing = [h for h in t.requests.named_hosts() if _covered(h, domains) is None]
        if not missing:
            continue
        yield _anchored(
            make_finding(
                "tracking-domain-not-declared",
                entity=d.entity,
                entity_id=d.entity_id,
                hosts=tuple(missing),
                id_scope=d.category,
                message=(
                    f"{d.entity}, {with_article(d.category)} company, was contacted at "
                    f"{', '.join(missing[:3])}{' and more' if len(missing) > 3 else ''} ({in_requests(t.requests)} "
                    f"to the company), but no privacy manifest lists its domain in NSPrivacyTrackingDomains "
                    f"({first.domains_place}). On iOS 17 and later, requests to listed domains are blocked when "
                    "the user denies tracking; App Review checks the list."
                ),
                evidence=t.requests.evidence(),
            ),
            first.domains_place,
        )


def tracking_domain_after_refusal(tallies: list[RecipientTally], declaration: Declaration | None) -> Iterator[Finding]:
    """A declared tracking domain was contacted after the user refused tracking."""
    store = _store(declaration)
    if not store.apple:
        return
    places = {d.strip().lower().rstrip("."): place for d, place in store.tracking_domains() if _is_domain(d)}
    for t in tallies:
        carried = t.consent.contacted_refused
        hit = {h: _covered(h, places) for h in carried.named_hosts()}
        hosts = tuple(h for h, domain in hit.items() if domain is not None)
        if not hosts:
            continue
        domain = hit[hosts[0]]
        assert domain is not None
        yield _anchored(
            make_finding(
                "tracking-domain-after-refusal",
                entity=t.destination.entity,
                entity_id=t.destination.entity_id,
                hosts=hosts,
                id_scope=domain,
                phase=carried.phase or None,
                message=(
                    f"{t.destination.entity} was contacted at {', '.join(hosts[:3])} after tracking was refused "
                    f"({in_requests(carried)} to the company in that phase), though {domain} is a declared tracking "
                    f"domain ({places[domain]}): iOS blocks it once tracking is denied, so the app reached it by "
                    "another way or the capture was not made on iOS 17+."
                ),
                evidence=carried.evidence(),
            ),
            places[domain],
        )


def declared_not_observed(tallies: list[RecipientTally], declaration: Declaration | None) -> Iterator[Finding]:
    """A store type declared whose flowaudit types were never seen (info: unnecessarily declared, or not exercised)."""
    store = _store(declaration)
    if not store or not any(t.analyzed for t in tallies):
        return
    mapping = load_mapping()
    observed = set(_observed(tallies))
    declared = [(APPLE, i.type_id, i.place) for i in store.apple_items()]
    declared += [(PLAY, p.type_id, p.place) for p in store.play_types()]
    for which, type_id, place in declared:
        row = mapping.find(which, type_id)
        if row is None or not row.types or observed & set(row.types):
            continue
        yield _anchored(
            make_finding(
                "store-declared-not-observed",
                entity=None,
                entity_id="",
                hosts=(),
                id_scope=f"{which}:{type_id}:{place.path}",
                data_types=row.types,
                message=(
                    f"{place} declares {type_id} ({row.label}), but none of {', '.join(row.types)} was seen in "
                    "this capture: declared unnecessarily, or the capture did not exercise it."
                ),
            ),
            place,
        )


def not_understood(tallies: list[RecipientTally], declaration: Declaration | None) -> Iterator[Finding]:
    """A manifest entry flowaudit cannot check: not an Apple data type, or a tracking "domain" that is a URL."""
    store = _store(declaration)
    for item in store.apple_items():
        if load_mapping().find(APPLE, item.type_id) is None:  # read only when a manifest is given
            yield _problem(item.place, f"'{item.type_id}' is not one of Apple's data types, so it declares nothing")
    for written, place in store.tracking_domains():
        if not _is_domain(written):
            yield _problem(
                place, f"'{written}' is not a domain (Apple lists domains such as ads.example.com), so it declares none"
            )


def _problem(place: Place, what: str) -> Finding:
    return _anchored(
        make_finding(
            "store-declaration-not-understood",
            entity=None,
            entity_id="",
            hosts=(),
            id_scope=f"{place.path}:{place.key}",
            message=f"{place}: {what}. Use the values Apple documents for privacy manifests.",
        ),
        place,
    )
