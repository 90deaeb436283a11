"""Measure detection accuracy on the labelled corpus (tests/corpus/).

    python scripts/accuracy.py            # tables for the whole corpus
    python scripts/accuracy.py --misses   # also list every false positive and miss

Two sets, measured apart:

- the own-recorded corpus (``tests/corpus/*/labels.yml``), scored per flow
  and data type, as described below;
- the external corpus (``tests/corpus/external/*/labels.yml``): real captures
  recorded by others, scored per (recipient company, data type) row. Each
  capture is audited exactly as ``flowaudit check CAPTURE`` does without a
  declaration (:func:`flowaudit.pipeline.audit_captures`, what `check` calls); the rows are
  the data types the result's recipients report (``certain`` and ``likely``
  detections only; browser/OS platform traffic and the first party are not
  rows), keyed by the owning company whatever the service or category, and
  compared with the rows a person labelled by reading the requests.

Each ``tests/corpus/*/labels.yml`` names a capture and, for each flow, the
data types truly in it (flows not listed carry none) and which of the test
user's planted values (``tests/corpus/canaries.yml``) it holds. The script
runs :func:`flowaudit.payload.analyze.analyze` on every flow, counts a data
type as detected when a ``certain`` or ``likely`` detection names it, and
prints:

1. per data type, precision and recall with the canaries declared and
   without (generic detectors and vendor adapters only);
2. per planted value, how often the canary matcher found it, in which
   encodings, and how often it claimed one that is not there;
3. health, fitness and sensitive detections in flows that hold none.

``tests/payload/test_accuracy.py`` asserts the targets on the same numbers,
so a regression fails CI.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flowaudit.catalog import load_catalog, registrable_domain
from flowaudit.datatypes import load_vocabulary
from flowaudit.declaration.model import Canaries, CustomCanary
from flowaudit.errors import FlowauditError
from flowaudit.inputs import open_inputs
from flowaudit.payload.analyze import analyze
from flowaudit.payload.canaries import CanaryMatcher
from flowaudit.payload.model import Detection
from flowaudit.pipeline import audit_captures
from flowaudit.yamlsource import load_yaml

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus"
EXTERNAL = CORPUS / "external"
COUNTED = ("certain", "likely")
SENSITIVE_GROUPS = ("health.", "sensitive.")
# The data type each planted value is reported as (custom canaries: as inferred from their labels).
CANARY_TYPES = {
    "email": "contact.email",
    "phone": "contact.phone",
    "name": "contact.name",
    "advertising_id": "identifiers.advertising_id",
    "condition": "health.health",
    "user_id": "identifiers.user_id",
}
LOCATION_TYPES = ("location.precise", "location.coarse")


@dataclass(frozen=True)
class Label:
    types: frozenset[str]
    canaries: frozenset[str]


@dataclass(frozen=True)
class Capture:
    path: Path
    planted: bool  # the corpus canaries are in it (the test user's own capture)
    flows: dict[int, Label]
    labels_file: Path


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Result:
    by_type: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_canary: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    canary_forms: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    sensitive_false_alarms: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    flows: int = 0


def load_canaries(path: Path = CORPUS / "canaries.yml") -> Canaries:
    value: dict[str, Any] = load_yaml(path).value
    custom = tuple(CustomCanary(label, str(text), None, 0) for label, text in value.get("custom", {}).items())
    lat, lon = value["location"]
    return Canaries(
        email=value["email"],
        phone=value["phone"],
        name=value["name"],
        location=(float(lat), float(lon)),
        advertising_id=value["advertising_id"],
        custom=custom,
    )


def load_corpus(root: Path = CORPUS) -> list[Capture]:
    captures: list[Capture] = []
    for labels_file in sorted(root.glob("*/labels.yml")):
        doc: dict[str, Any] = load_yaml(labels_file).value
        for entry in doc.get("captures", [doc]):
            flows = {
                int(n): Label(frozenset(item.get("types") or ()), frozenset(item.get("canaries") or ()))
                for n, item in (entry.get("flows") or {}).items()
            }
            path = (labels_file.parent / entry["capture"]).resolve()
            captures.append(Capture(path, bool(entry.get("canaries", False)), flows, labels_file))
    return captures


def _canary_kind(detection: Detection) -> str:
    if detection.data_type in LOCATION_TYPES:
        return "location"
    for kind, data_type in CANARY_TYPES.items():
        if data_type == detection.data_type:
            return kind
    return detection.data_type


def _form(detection: Detection) -> str:
    """How a canary travelled: its encoding (from the matcher's wording) and the decoding chain."""
    how = detection.how
    encoding = next(
        (word for word in ("sha256", "sha1", "md5", "base64url", "base64", "hex", "url-encoded") if word in how),
        "plain",
    )
    chain = "+".join(detection.decoding) or "none"
    return f"{encoding} via {chain}"


def measure(captures: Iterable[Capture], *, with_canaries: bool) -> Result:
    """Score every flow of the corpus; canaries are declared only where ``with_canaries``."""
    matcher = CanaryMatcher(load_canaries()) if with_canaries else None
    result = Result()
    for capture in captures:
        for obs in open_inputs([str(capture.path)]):
            result.flows += 1
            label = capture.flows.get(obs.index, Label(frozenset(), frozenset()))
            found = analyze(obs, matcher if capture.planted else None)
            counted = [d for d in found if d.confidence in COUNTED]
            _score_types(result, obs.ref, label, counted)
            if matcher is not None and capture.planted:
                _score_canaries(result, obs.ref, label, [d for d in found if d.detector == "canary"])
    return result


def _score_types(result: Result, ref: str, label: Label, counted: list[Detection]) -> None:
    detected = {d.data_type for d in counted}
    for data_type in detected | label.types:
        tally = result.by_type[data_type]
        if data_type in detected and data_type in label.types:
            tally.tp += 1
        elif data_type in detected:
            tally.fp += 1
            how = next(d.how for d in counted if d.data_type == data_type)
            result.misses.append(f"FP {ref} {data_type}: {how}")
            if data_type.startswith(SENSITIVE_GROUPS):
                result.sensitive_false_alarms.append(f"{ref} {data_type}: {how}")
        else:
            tally.fn += 1
            result.misses.append(f"FN {ref} {data_type}")


def _score_canaries(result: Result, ref: str, label: Label, hits: list[Detection]) -> None:
    found: dict[str, list[Detection]] = defaultdict(list)
    for hit in hits:
        found[_canary_kind(hit)].append(hit)
    for kind in set(found) | label.canaries:
        tally = result.by_canary[kind]
        if kind in found and kind in label.canaries:
            tally.tp += 1
            result.canary_forms[kind].update(_form(hit) for hit in found[kind])
        elif kind in found:
            tally.fp += 1
            result.misses.append(f"canary FP {ref} {kind}: {found[kind][0].how}")
        else:
            tally.fn += 1
            result.misses.append(f"canary FN {ref} {kind}")


def total(tallies: Iterable[Tally]) -> Tally:
    """The sum of several tallies: micro-averaged precision and recall."""
    out = Tally()
    for t in tallies:
        out.tp, out.fp, out.fn = out.tp + t.tp, out.fp + t.fp, out.fn + t.fn
    return out


def _row(name: str, t: Tally) -> str:
    return f"| {name} | {t.tp} | {t.fp} | {t.fn} | {t.precision:.2f} | {t.recall:.2f} |"


def _rows(tallies: dict[str, Tally]) -> Iterator[str]:
    for name in sorted(tallies):
        yield _row(name, tallies[name])
    yield _row("**all**", total(tallies.values()))


def report(with_canaries: Result, without: Result, *, misses: bool = False) -> str:
    head = "| {} | TP | FP | FN | precision | recall |\n|---|---|---|---|---|---|"
    lines = [f"Corpus: {with_canaries.flows} flows, detections counted at certain + likely.", ""]
    lines += ["Data types, canaries declared:", head.format("data type"), *_rows(with_canaries.by_type), ""]
    lines += ["Data types, no canaries:", head.format("data type"), *_rows(without.by_type), ""]
    lines += ["Planted values (canary matcher):", head.format("canary"), *_rows(with_canaries.by_canary), ""]
    lines += ["Encodings the planted values were found in:"]
    for kind in sorted(with_canaries.canary_forms):
        forms = ", ".join(f"{form} ({n})" for form, n in sorted(with_canaries.canary_forms[kind].items()))
        lines.append(f"- {kind}: {forms}")
    alarms = with_canaries.sensitive_false_alarms + without.sensitive_false_alarms
    lines += ["", f"Health/fitness/sensitive detections in flows that hold none: {len(alarms)}"]
    lines += [f"- {alarm}" for alarm in alarms]
    if misses:
        lines += ["", "Misses and false positives (canaries declared):", *with_canaries.misses]
        lines += ["", "Misses and false positives (no canaries):", *without.misses]
    return "\n".join(lines)


# --- external corpus: (recipient company, data type) rows ------------------------------------

RowKey = tuple[str, str]  # (company id, or registrable domain for unknown hosts; data type id)
_ROW_FIELDS = {"recipient", "type", "reason"}


@dataclass(frozen=True)
class ExternalCapture:
    name: str
    path: Path
    labels_file: Path
    rows: dict[RowKey, str]  # the rows truly sent -> why (which flows, which fields)
    wrong: dict[RowKey, str]  # ``not:``: tempting rows that are not sent -> why not


@dataclass
class RowScore:
    """One capture's rows: which were reported, labelled, and the difference."""

    name: str
    reported: dict[RowKey, str]  # row -> the first detection's wording, as evidence
    tally: Tally = field(default_factory=Tally)
    misses: list[str] = field(default_factory=list)


class Owners:
    """Names a recipient by the company that ultimately owns it, so a label and a
    result agree however the catalog splits a company into services, subsidiaries
    or folded ids (doubleclick and google are Alphabet; pardot folded into
    salesforce). A label written before the catalog knew a host names it by its
    registrable domain ("userway.org"): a domain the catalog now knows names its
    company, so the label stays true as the catalog learns. A name the catalog
    does not know stays."""

    def __init__(self) -> None:
        self._catalog = load_catalog()

    def known(self, name: str) -> bool:
        """A catalog company id, or something shaped like a domain."""
        if "." in name:
            return True
        try:
            self._catalog.company(name)
        except KeyError:
            return False
        return True

    def __call__(self, name: str) -> str:
        name = name.removeprefix("domain:")
        try:
            company = self._catalog.company(name)
        except KeyError:
            match = self._catalog.match(name)
            if match is None:
                return name
            company = match.company
        parents = self._catalog.parents(company.id)
        return parents[-1].id if parents else company.id


def load_external(root: Path = EXTERNAL) -> list[ExternalCapture]:
    """Every ``labels.yml`` under ``root``, validated: a wrong data type id, a
    recipient that is neither a catalog company nor a domain, or a malformed
    row is a :class:`FlowauditError` naming the file and line."""
    vocabulary = load_vocabulary()
    owner = Owners()
    captures: list[ExternalCapture] = []
    for labels_file in sorted(root.glob("*/labels.yml")):
        doc = load_yaml(labels_file)
        value = doc.value
        if not isinstance(value, dict) or not isinstance(value.get("capture"), str):
            raise FlowauditError("expected a mapping with `capture: <file>`", path=doc.path, line=1)
        unknown = sorted(set(value) - {"capture", "rows", "not"})
        if unknown:
            raise FlowauditError(f"unknown key {unknown[0]!r}", path=doc.path, line=doc.line_of([unknown[0]]))
        rows = _label_rows(doc, "rows", vocabulary.ids, owner)
        wrong = _label_rows(doc, "not", vocabulary.ids, owner)
        both = set(rows) & set(wrong)
        if both:
            recipient, data_type = sorted(both)[0]
            raise FlowauditError(f"{recipient} {data_type} is both in rows and in not", path=doc.path)
        path = (labels_file.parent / value["capture"]).resolve()
        captures.append(ExternalCapture(labels_file.parent.name, path, labels_file, rows, wrong))
    return captures


def _label_rows(doc: Any, key: str, types: tuple[str, ...], owner: Owners) -> dict[RowKey, str]:
    entries = doc.value.get(key) or []
    if not isinstance(entries, list):
        raise FlowauditError(f"`{key}` must be a list", path=doc.path, line=doc.line_of([key]))
    out: dict[RowKey, str] = {}
    for n, entry in enumerate(entries):
        line = doc.line_of([key, n])
        if not isinstance(entry, dict) or set(entry) != _ROW_FIELDS:
            raise FlowauditError(f"a {key} entry needs exactly recipient, type and reason", path=doc.path, line=line)
        if not all(isinstance(entry[f], str) and entry[f].strip() for f in _ROW_FIELDS):
            raise FlowauditError("recipient, type and reason must be non-empty text", path=doc.path, line=line)
        if entry["type"] not in types:
            raise FlowauditError(
                f"unknown data type {entry['type']!r}",
                path=doc.path,
                line=line,
                hint="use an id of rules/data-types.yml",
            )
        if not owner.known(entry["recipient"]):
            raise FlowauditError(
                f"unknown recipient {entry['recipient']!r}",
                path=doc.path,
                line=line,
                hint="use a company id of flowaudit's catalog, or the registrable domain of an unknown host",
            )
        row = (entry["recipient"], entry["type"])
        if row in out:
            raise FlowauditError(f"{row[0]} {row[1]} is labelled twice", path=doc.path, line=line)
        out[row] = entry["reason"]
    return out


@dataclass(frozen=True)
class Reported:
    rows: dict[RowKey, str]  # row -> the first detection's wording, as evidence
    # registrable domain of every host a recipient was reached at -> its owner:
    # a label that names a domain (written when the catalog did not know it)
    # still meets the company the catalog names today.
    domains: dict[str, str]


def reported_rows(capture: Path, owner: Owners) -> Reported:
    """The rows ``flowaudit check CAPTURE`` reports, with no declaration: one
    per owning company (whatever its categories) and data type, from certain and
    likely detections; platform traffic and the first party are left out."""
    result = audit_captures([str(capture)], None, "never", jobs=0)
    rows: dict[RowKey, str] = {}
    domains: dict[str, str] = {}
    for recipient in result.recipients:
        if recipient.party == "first":
            continue
        who = owner(recipient.entity_id)
        for host in recipient.hosts:
            domains.setdefault(registrable_domain(host), who)
        for data_type in recipient.data_types:
            how = next((e.how for e in recipient.evidence if e.data_type == data_type), "")
            rows.setdefault((who, data_type), how)
    return Reported(rows, domains)


def measure_external(captures: Iterable[ExternalCapture]) -> list[RowScore]:
    owner = Owners()
    scores: list[RowScore] = []
    for capture in captures:
        reported = reported_rows(capture.path, owner)
        labelled = _by_owner(capture.rows, reported.domains, owner)
        wrong = _by_owner(capture.wrong, reported.domains, owner)
        score = RowScore(capture.name, reported.rows)
        for row in sorted(set(score.reported) | set(labelled)):
            who = f"{capture.name}: {row[0]} {row[1]}"
            if row in score.reported and row in labelled:
                score.tally.tp += 1
            elif row in score.reported:
                score.tally.fp += 1
                why = wrong.get(row, "not labelled")
                score.misses.append(f"FP {who}: reported ({score.reported[row]}); label: {why}")
            else:
                score.tally.fn += 1
                score.misses.append(f"FN {who}: missed; label: {labelled[row]}")
        scores.append(score)
    return scores


def _by_owner(rows: dict[RowKey, str], domains: dict[str, str], owner: Owners) -> dict[RowKey, str]:
    """Labelled rows named like the result's: a labelled domain the capture reached
    belongs to whoever the audit said received it there."""
    return {(domains.get(who) or owner(who), data_type): why for (who, data_type), why in rows.items()}


def external_report(scores: list[RowScore], *, misses: bool = False) -> str:
    lines = [
        "External corpus (tests/corpus/external/): (recipient company, data type) rows of "
        "`flowaudit check CAPTURE`, certain + likely.",
        "",
        "| capture | TP | FP | FN | precision | recall |",
        "|---|---|---|---|---|---|",
    ]
    lines += [_row(s.name, s.tally) for s in scores]
    lines.append(_row("**all**", total(s.tally for s in scores)))
    if misses:
        lines += ["", "External misses and false rows:", *(m for s in scores for m in s.misses)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--misses", action="store_true", help="list every false positive and miss")
    parser.add_argument("--external", type=Path, default=EXTERNAL, help="folder of labelled external captures")
    parser.add_argument("--external-only", action="store_true", help="skip the own-recorded corpus")
    args = parser.parse_args(argv)
    try:
        external = load_external(args.external)
        if not args.external_only:
            corpus = load_corpus()
            print(report(measure(corpus, with_canaries=True), measure(corpus, with_canaries=False), misses=args.misses))
            print()
        print(external_report(measure_external(external), misses=args.misses))
    except FlowauditError as err:
        print(f"accuracy: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
