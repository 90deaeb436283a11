"""The drafted disclosure as the two store files: a privacy manifest and a Data safety CSV.

Both come from the same label rows as the Markdown tables (so the three never
disagree) and are written so that reading them back
(:mod:`flowaudit.declaration.combined`) and auditing the same captures leaves
nothing that a declaration settles. What traffic cannot tell stays a visible
TODO: in the manifest as XML comments (which property-list readers skip), in
the CSV in its "Human-friendly question label" column, the one written for
people (ids and values stay as the template has them), with the value left
blank for the app maker to answer.
"""

from __future__ import annotations

import csv
import io
import plistlib
from collections.abc import Callable, Iterable
from xml.sax.saxutils import escape

from flowaudit.datatypes import load_vocabulary
from flowaudit.disclose.model import Disclosure, LabelRow
from flowaudit.disclose.yaml_draft import flow_refs
from flowaudit.stores.apple import COLLECTED, DOMAINS
from flowaudit.stores.mapping import APPLE, PLAY, StoreMapping, StoreType, load_mapping
from flowaudit.stores.play_template import (
    COLLECTED as ONLY_COLLECTED,
)
from flowaudit.stores.play_template import (
    COLLECTION_PURPOSE,
    COLLECTS,
    ENCRYPTED,
    EPHEMERAL,
    HEADER,
    SHARED,
    SHARING_QUESTION,
    USER_CONTROL,
    template_rows,
    usage_question,
)

MANIFEST_MARK = "Drafted by flowaudit disclose"
# Apple's purposes (https://developer.apple.com/documentation/bundleresources/describing-data-use-in-privacy-manifests#Collection-purposes),
# suggested from the catalog categories of who received the data; a person confirms them.
_PURPOSE_OF_CATEGORY = {
    "analytics": "NSPrivacyCollectedDataTypePurposeAnalytics",
    "advertising": "NSPrivacyCollectedDataTypePurposeThirdPartyAdvertising",
    "attribution": "NSPrivacyCollectedDataTypePurposeDeveloperAdvertising",
    "crash_reporting": "NSPrivacyCollectedDataTypePurposeAppFunctionality",
}
_TODO = "TODO (flowaudit)"


def render_privacy_manifest(
    d: Disclosure, tracking_hosts: Iterable[str], categories: Callable[[str], list[str]]
) -> str:
    """``PrivacyInfo.xcprivacy`` (XML plist). ``tracking_hosts`` are the advertising and
    attribution hosts seen; ``categories`` gives the catalog categories of a recipient by name."""
    mapping = load_mapping()
    items: list[tuple[dict[str, object], str]] = []
    for row in d.apple:
        store_type = _row_type(mapping, APPLE, row)
        if store_type is None:
            continue
        purposes = sorted(
            {_PURPOSE_OF_CATEGORY[c] for who in row.recipients for c in categories(who) if c in _PURPOSE_OF_CATEGORY}
        )
        item = {
            "NSPrivacyCollectedDataType": store_type.id,
            # The plist needs a boolean and traffic cannot show de-identification; false would
            # claim a protection nobody saw, so Apple's default is written and the TODO asks.
            "NSPrivacyCollectedDataTypeLinked": True,
            "NSPrivacyCollectedDataTypeTracking": bool(row.tracking_hint),
            "NSPrivacyCollectedDataTypePurposes": purposes,
        }
        tracking = f"tracking: sent to {', '.join(row.tracking_hint)}. " if row.tracking_hint else ""
        note = (
            f"{_TODO}: {store_type.label} ({', '.join(row.data_types)}), seen in {flow_refs(row.flows)}, "
            f"sent to {', '.join(row.recipients)}. {tracking}Linked? Traffic cannot tell: written true, Apple's "
            "default for collected data (developer.apple.com/app-store/app-privacy-details); set false only if "
            "you de-identify it before collection. Purposes are suggested from who received it: confirm them."
        )
        items.append((item, note))
    hosts = sorted(set(tracking_hosts))
    value = {
        "NSPrivacyTracking": any(item["NSPrivacyCollectedDataTypeTracking"] for item, _ in items),
        DOMAINS: hosts,
        COLLECTED: [item for item, _ in items],
    }
    text = plistlib.dumps(value, fmt=plistlib.FMT_XML, sort_keys=False).decode("utf-8")
    return _with_comments(text, d, [note for _, note in items])


def _with_comments(text: str, d: Disclosure, notes: list[str]) -> str:
    """The plist with a header comment and one TODO comment before each collected type."""
    lines = text.splitlines()
    captures = ", ".join(i.path for i in d.result.inputs)
    header = f"<!-- {_comment(MANIFEST_MARK)} from {_comment(captures)}: review every entry before shipping it. -->"
    out = [lines[0], lines[1], header]
    pending = iter(notes)
    depth_marker = "\t\t<dict>"
    for line in lines[2:]:
        if line == depth_marker:
            note = next(pending, None)
            if note is not None:
                out.append(f"\t\t<!-- {_comment(note)} -->")
        out.append(line)
    return "\n".join(out) + "\n"


def _comment(text: str) -> str:
    """Text safe inside an XML comment (no "--"), escaped."""
    return escape(text).replace("--", "- -")


def render_data_safety(d: Disclosure) -> str:
    """The Data safety CSV in Play's template: every row, the observed answers filled in."""
    mapping = load_mapping()
    answers: dict[tuple[str, str], str] = {(COLLECTS, ""): "TRUE" if d.google else "FALSE"}
    labels: dict[tuple[str, str], str] = {}
    cleartext = [f for row in d.google for f in row.cleartext_flows]
    answers[(ENCRYPTED, "")] = "FALSE" if cleartext else "TRUE"
    seen_transport = f"plain HTTP in {flow_refs(tuple(cleartext))}" if cleartext else "HTTPS in every request seen"
    labels[(ENCRYPTED, "")] = f"{_TODO}: {seen_transport}"
    for row in d.google:
        chosen = _row_types(mapping, row)
        for store_type in chosen:
            type_id = store_type.id
            answers[(store_type.question or "", type_id)] = "TRUE"
            answers[(usage_question(type_id, SHARING_QUESTION), ONLY_COLLECTED)] = "TRUE"
            if row.third_parties:
                answers[(usage_question(type_id, SHARING_QUESTION), SHARED)] = "TRUE"
            seen = f"seen in {flow_refs(row.flows)}, sent to {', '.join(row.recipients)}"
            if len(chosen) > 1:
                labels[(store_type.question or "", type_id)] = (
                    f"{_TODO}: {', '.join(row.data_types)} {seen}; ticked for each of "
                    f"{', '.join(t.id for t in chosen)}: untick those that do not apply"
                )
            labels[(usage_question(type_id, EPHEMERAL), "")] = f"{_TODO}: is {store_type.label} processed ephemerally?"
            labels[(usage_question(type_id, USER_CONTROL), "PSL_DATA_USAGE_USER_CONTROL_REQUIRED")] = (
                f"{_TODO}: is collecting {store_type.label} required or optional?"
            )
            labels[(usage_question(type_id, COLLECTION_PURPOSE), "PSL_APP_FUNCTIONALITY")] = (
                f"{_TODO}: why is {store_type.label} collected? {seen}"
            )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for t in template_rows():
        note = labels.get(t.key)
        label = f"{t.label} | {note}" if note else t.label
        writer.writerow([t.question, t.response, answers.get(t.key, ""), t.requirement, label])
    return out.getvalue()


def _row_type(mapping: StoreMapping, store: str, row: LabelRow) -> StoreType | None:
    """The store type a label row is written as (the row whose label it is)."""
    vocabulary = load_vocabulary()
    for data_type in row.data_types:
        found = mapping.written_as(store, data_type, vocabulary)
        if found is not None:
            return found
    return None


def _row_types(mapping: StoreMapping, row: LabelRow) -> list[StoreType]:
    """The Play types a label row is written as; every candidate when the label names several."""
    found = _row_type(mapping, PLAY, row)
    if found is not None:
        return [found]
    return list(dict.fromkeys(t for data_type in row.data_types for t in mapping.covering(PLAY, data_type)))
